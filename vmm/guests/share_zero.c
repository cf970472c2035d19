// SPDX-License-Identifier: MIT
/*
 * share_zero: a secret in private memory, shared with ZERO, reads as zeros
 * to the host and to the guest.
 *
 * The guest makes a page private, writes a secret into it, and shares it
 * back asking for ZERO: what it gives the host must not carry the secret,
 * and the guest's own view is the same memory, so it reads zeros too.
 */
#include "guest.h"

#define PAGE (GVM_SCRATCH_GPA + 0x1000)

static const char secret[] = "the launch code is 0000";

int guest_main(u32 cpu)
{
	struct gvm_hc_result r;

	if (cpu)
		return 0;
	gvm_map_gpa_range(PAGE, 1, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "gpa %#x is private (%s)", PAGE,
		   gvm_errname(r.ret));
	memcpy((void *)PAGE, secret, sizeof(secret));
	gvm_printf("wrote the secret \"%s\" to private gpa %#x\n",
		   (const char *)PAGE, PAGE);

	gvm_map_gpa_range(PAGE, 1, 0, GVM_MODE_ZERO, &r);
	gvm_expect(r.ret == 0, "gpa %#x is shared again, with ZERO (%s)", PAGE,
		   gvm_errname(r.ret));
	gvm_expect(gvm_count_not_byte(PAGE, GVM_PAGE_SIZE, 0) == 0,
		   "the guest reads zeros where the secret was");
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_BYTE, PAGE, GVM_PAGE_SIZE,
			       0) == 0,
		   "the host reads zeros there too");
	return 0;
}
