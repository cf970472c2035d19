// SPDX-License-Identifier: MIT
/*
 * policy: under --mode zero the VMM's policy decides the content mode,
 * and refuses a guest that expects another.
 *
 * A conversion to private that names no mode gets none (ZERO is never
 * allowed to private). A share that names PRESERVE is refused with
 * EOPNOTSUPP at its first page and changes nothing; a share that names no
 * mode gets the policy's ZERO.
 */
#include "guest.h"

#define PAGE (GVM_SCRATCH_GPA + 0x50000)

int guest_main(u32 cpu)
{
	struct gvm_hc_result r;

	if (cpu)
		return 0;
	gvm_map_gpa_range(PAGE, 1, 1, GVM_MODE_POLICY, &r);
	gvm_expect(r.ret == 0, "gpa %#x is private, no mode named (%s)", PAGE,
		   gvm_errname(r.ret));
	gvm_fill(PAGE, GVM_PAGE_SIZE, 0xc5);

	gvm_map_gpa_range(PAGE, 1, 0, GVM_MODE_PRESERVE, &r);
	gvm_expect(
		r.ret == -EOPNOTSUPP && r.error_gpa == PAGE,
		"a share expecting PRESERVE is refused at its first page (%s)",
		gvm_errname(r.ret));
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_BYTE, PAGE, GVM_PAGE_SIZE,
			       0) == (u32)-EACCES,
		   "and the page is still private to the host");

	gvm_map_gpa_range(PAGE, 1, 0, GVM_MODE_POLICY, &r);
	gvm_expect(r.ret == 0, "a share naming no mode is done (%s)",
		   gvm_errname(r.ret));
	gvm_expect(gvm_count_not_byte(PAGE, GVM_PAGE_SIZE, 0) == 0 &&
			   gvm_testdev(GVM_TESTDEV_EXPECT_BYTE, PAGE,
				       GVM_PAGE_SIZE, 0) == 0,
		   "with the policy's ZERO: guest and host read zeros");
	return 0;
}
