// SPDX-License-Identifier: MIT
/*
 * share_preserve: a buffer filled in private memory and shared in place
 * with PRESERVE is read by the host exactly, with no copy (SW_PROTECTED).
 *
 * "In place" is checked, not assumed: the host notes which page frame
 * backs the buffer's first page before the guest makes it private, and
 * finds the same frame behind it after the guest shares it back.
 */
#include "guest.h"

#define BUF   (GVM_SCRATCH_GPA + 0x4000)
#define PAGES 2
#define SEED  42

int guest_main(u32 cpu)
{
	struct gvm_hc_result r;
	u32 frame, again;

	if (cpu)
		return 0;
	if (!gvm_expect(gvm_boot.vm_type == GVM_VM_SW_PROTECTED,
			"the VM models SW_PROTECTED (--type sw)"))
		return 1;
	frame = gvm_testdev(GVM_TESTDEV_PFN, BUF, 0, 0);

	gvm_map_gpa_range(BUF, PAGES, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "gpa %#x +%u pages is private (%s)", BUF, PAGES,
		   gvm_errname(r.ret));
	gvm_fill_pattern(BUF, PAGES * GVM_PAGE_SIZE, SEED);
	gvm_printf("filled %u private bytes at gpa %#x\n",
		   PAGES * GVM_PAGE_SIZE, BUF);

	gvm_map_gpa_range(BUF, PAGES, 0, GVM_MODE_PRESERVE, &r);
	gvm_expect(r.ret == 0, "shared in place with PRESERVE (%s)",
		   gvm_errname(r.ret));
	gvm_expect(gvm_count_not_pattern(BUF, PAGES * GVM_PAGE_SIZE, SEED) == 0,
		   "the guest still reads its bytes");
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_PATTERN, BUF,
			       PAGES * GVM_PAGE_SIZE, SEED) == 0,
		   "the host reads them exactly");
	again = gvm_testdev(GVM_TESTDEV_PFN, BUF, 0, 0);
	if (frame && again)
		gvm_expect(frame == again,
			   "the same page frame before and after: no copy");
	else
		gvm_printf("the host cannot see page frames here (needs "
			   "CAP_SYS_ADMIN)\n");
	return 0;
}
