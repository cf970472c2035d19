// SPDX-License-Identifier: MIT
/*
 * private_sigbus: the host touching private guest memory gets SIGBUS.
 *
 * The host's mapping of guest RAM loses a page when the page becomes
 * private; a touch then raises SIGBUS, as with the kernel's guest_memfd.
 * The VMM touches under a handler, so it survives to report it: first
 * on a shared page (it reads the guest's byte), then on the same page
 * made private, then shared again.
 */
#include "guest.h"

#define PAGE (GVM_SCRATCH_GPA + 0x30000)

int guest_main(u32 cpu)
{
	struct gvm_hc_result r;

	if (cpu)
		return 0;
	*gvm_ptr(PAGE) = 0x77;
	gvm_expect(gvm_testdev(GVM_TESTDEV_TOUCH, PAGE, 0, 0) == 0,
		   "shared gpa %#x: the host reads it", PAGE);

	gvm_map_gpa_range(PAGE, 1, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "gpa %#x is private (%s)", PAGE,
		   gvm_errname(r.ret));
	*gvm_ptr(PAGE) = 0x99;
	gvm_expect(*gvm_ptr(PAGE) == 0x99, "the guest uses its private page");
	gvm_expect(gvm_testdev(GVM_TESTDEV_TOUCH, PAGE, 0, 0) == SIGBUS,
		   "private: the host's touch raises SIGBUS");

	gvm_map_gpa_range(PAGE, 1, 0, GVM_MODE_ZERO, &r);
	gvm_expect(r.ret == 0, "shared again with ZERO (%s)",
		   gvm_errname(r.ret));
	gvm_expect(gvm_testdev(GVM_TESTDEV_TOUCH, PAGE, 0, 0) == 0,
		   "shared: the host reads it again");
	return 0;
}
