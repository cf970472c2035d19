// SPDX-License-Identifier: MIT
/*
 * pkvm_preserve: under pKVM a PRESERVE conversion that the guest did not
 * ask for is refused; the same conversion at the guest's request keeps
 * the contents.
 *
 * pKVM's hypervisor lets the host keep a page's contents across a
 * conversion only when the guest asked for exactly that conversion. The
 * host first tries it on its own (refused: EOPNOTSUPP, and the page stays
 * private); then the guest asks with the hypercall and the host reads
 * what the guest wrote. A share with no mode named gets pKVM's safe
 * default, zeros.
 */
#include "guest.h"

#define PAGE  (GVM_SCRATCH_GPA + 0x20000)
#define OTHER (PAGE + GVM_PAGE_SIZE)
#define SEED  7

int guest_main(u32 cpu)
{
	struct gvm_hc_result r;

	if (cpu)
		return 0;
	if (!gvm_expect(gvm_boot.vm_type == GVM_VM_PKVM,
			"the VM models pKVM (--type pkvm)"))
		return 1;
	gvm_map_gpa_range(PAGE, 2, 1, GVM_MODE_PRESERVE, &r);
	gvm_expect(r.ret == 0, "gpa %#x +2 pages is private (%s)", PAGE,
		   gvm_errname(r.ret));
	gvm_fill_pattern(PAGE, GVM_PAGE_SIZE, SEED);
	gvm_fill(OTHER, GVM_PAGE_SIZE, 0x5a);

	gvm_host_convert(PAGE, 1, 0, GVM_MODE_PRESERVE, &r);
	gvm_printf("the host, unasked, tried to share gpa %#x with PRESERVE: "
		   "%s at gpa %#x\n",
		   PAGE, gvm_errname(r.ret), r.error_gpa);
	gvm_expect(r.ret == -EOPNOTSUPP && r.error_gpa == PAGE,
		   "refused with EOPNOTSUPP at that page");
	gvm_expect(gvm_testdev(GVM_TESTDEV_TOUCH, PAGE, 0, 0) == SIGBUS,
		   "the page is still private: touching it is a SIGBUS");

	gvm_map_gpa_range(PAGE, 1, 0, GVM_MODE_PRESERVE, &r);
	gvm_expect(r.ret == 0,
		   "the guest asks for it: shared with PRESERVE (%s)",
		   gvm_errname(r.ret));
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_PATTERN, PAGE, GVM_PAGE_SIZE,
			       SEED) == 0,
		   "the host reads the guest's bytes");

	gvm_map_gpa_range(OTHER, 1, 0, GVM_MODE_POLICY, &r);
	gvm_expect(r.ret == 0, "gpa %#x shared, no mode named (%s)", OTHER,
		   gvm_errname(r.ret));
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_BYTE, OTHER, GVM_PAGE_SIZE,
			       0) == 0,
		   "pKVM's default for an unnamed mode is ZERO: the host reads "
		   "zeros");
	return 0;
}
