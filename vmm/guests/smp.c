// SPDX-License-Identifier: MIT
/*
 * smp: every vCPU converts a page of its own at the same time (SW_PROTECTED).
 *
 * Each vCPU makes its page private, fills it, and shares it back with
 * PRESERVE; the host reads each one exactly. The conversions of different
 * vCPUs meet in the same guest_memfd, under libgmem's locks.
 */
#include "guest.h"

#define BASE (GVM_SCRATCH_GPA + 0x40000)

int guest_main(u32 cpu)
{
	u32 page = BASE + cpu * GVM_PAGE_SIZE;
	struct gvm_hc_result r;

	if (!gvm_expect(gvm_boot.vm_type == GVM_VM_SW_PROTECTED,
			"the VM models SW_PROTECTED (--type sw)"))
		return 1;
	gvm_map_gpa_range(page, 1, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "gpa %#x is private (%s)", page,
		   gvm_errname(r.ret));
	gvm_fill_pattern(page, 256, cpu);
	gvm_map_gpa_range(page, 1, 0, GVM_MODE_PRESERVE, &r);
	gvm_expect(r.ret == 0, "gpa %#x shared with PRESERVE (%s)", page,
		   gvm_errname(r.ret));
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_PATTERN, page, 256, cpu) == 0,
		   "the host reads vCPU %u's bytes", cpu);
	return 0;
}
