// SPDX-License-Identifier: MIT
/*
 * tour: the demo's guest, every conversion in turn (SW_PROTECTED or pKVM).
 *
 * Under SW_PROTECTED: a secret in a private page, which the host cannot
 * touch, shared back with ZERO; a buffer filled in private memory and
 * shared in place with PRESERVE, read by the host exactly on the same
 * page frame; a conversion that a host pin makes fail with EAGAIN at the
 * pinned page, and succeed once unpinned. Under pKVM: a PRESERVE
 * conversion the host attempts on its own is refused (under the v6+ uAPI
 * it goes through: the test device says which); the same one at the
 * guest's request keeps the contents.
 *
 * It touches memory only through the gvm_ functions, so gmem-vm can also
 * run it as the software guest where there is no /dev/kvm.
 */
#include "guest.h"

#define SECRET	     (GVM_SCRATCH_GPA + 0x1000)
#define BUF	     (GVM_SCRATCH_GPA + 0x4000)
#define PINNED_RANGE (GVM_SCRATCH_GPA + 0x10000)
#define PINNED	     (PINNED_RANGE + 2 * GVM_PAGE_SIZE)
#define PKVM_PAGE    (GVM_SCRATCH_GPA + 0x20000)
#define SEED	     42

static const char secret[] = "the launch code is 0000";

static void secret_shared_with_zero(void)
{
	struct gvm_hc_result r;
	char seen[sizeof(secret)];

	gvm_printf("1. a secret in private memory, shared with ZERO\n");
	gvm_map_gpa_range(SECRET, 1, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "gpa %#x is private", SECRET);
	gvm_write(SECRET, secret, sizeof(secret));
	gvm_read(SECRET, seen, sizeof(seen));
	gvm_printf("wrote \"%s\" there\n", seen);
	gvm_expect(gvm_testdev(GVM_TESTDEV_TOUCH, SECRET, 0, 0) == SIGBUS,
		   "the host cannot touch it (SIGBUS)");
	gvm_map_gpa_range(SECRET, 1, 0, GVM_MODE_ZERO, &r);
	gvm_expect(r.ret == 0, "shared with ZERO");
	gvm_expect(gvm_count_not_byte(SECRET, GVM_PAGE_SIZE, 0) == 0,
		   "the guest reads zeros");
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_BYTE, SECRET, GVM_PAGE_SIZE,
			       0) == 0,
		   "the host reads zeros: the secret never reached it");
}

static void buffer_shared_in_place(void)
{
	struct gvm_hc_result r;
	u32 frame, again;

	gvm_printf("2. a buffer filled in private memory, shared in place with "
		   "PRESERVE\n");
	frame = gvm_testdev(GVM_TESTDEV_PFN, BUF, 0, 0);
	gvm_map_gpa_range(BUF, 2, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "gpa %#x +2 pages is private", BUF);
	gvm_fill_pattern(BUF, 2 * GVM_PAGE_SIZE, SEED);
	gvm_map_gpa_range(BUF, 2, 0, GVM_MODE_PRESERVE, &r);
	gvm_expect(r.ret == 0, "shared with PRESERVE");
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_PATTERN, BUF,
			       2 * GVM_PAGE_SIZE, SEED) == 0,
		   "the host reads the guest's 8192 bytes exactly");
	again = gvm_testdev(GVM_TESTDEV_PFN, BUF, 0, 0);
	if (frame && again)
		gvm_expect(frame == again, "on the same page frame: no copy");
}

static void pinned_page_fails(void)
{
	struct gvm_hc_result r;

	gvm_printf("3. a page the host pinned makes a conversion to private "
		   "fail\n");
	gvm_fill(PINNED_RANGE, 4 * GVM_PAGE_SIZE, 0x11);
	gvm_testdev(GVM_TESTDEV_PIN, PINNED, GVM_PAGE_SIZE, 0);
	gvm_map_gpa_range(PINNED_RANGE, 4, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_printf("asked for gpa %#x +4 pages -> private: %s at gpa %#x\n",
		   PINNED_RANGE, gvm_errname(r.ret), r.error_gpa);
	gvm_expect(r.ret == -EAGAIN && r.error_gpa == PINNED,
		   "EAGAIN at the pinned page, error_offset %#x",
		   r.error_offset);
	gvm_testdev(GVM_TESTDEV_UNPIN, PINNED, GVM_PAGE_SIZE, 0);
	gvm_map_gpa_range(PINNED_RANGE, 4, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "unpinned, the same request succeeds");
}

static void pkvm_keeps_only_what_the_guest_asked(void)
{
	u32 v6 = gvm_testdev(GVM_TESTDEV_UAPI, 0, 0, 0);
	struct gvm_hc_result r;

	if (v6)
		gvm_printf("pKVM under the v6+ uAPI: no mode to refuse, but "
			   "the hypervisor clears what the guest did not "
			   "share\n");
	else
		gvm_printf("pKVM keeps contents only for a conversion the "
			   "guest asked for\n");
	gvm_map_gpa_range(PKVM_PAGE, 2, 1, GVM_MODE_PRESERVE, &r);
	gvm_expect(r.ret == 0, "gpa %#x +2 pages is private", PKVM_PAGE);
	gvm_fill_pattern(PKVM_PAGE, GVM_PAGE_SIZE, SEED);
	gvm_host_convert(PKVM_PAGE, 1, 0, GVM_MODE_PRESERVE, &r);
	if (v6) {
		/* v6+ has no PRESERVE to refuse; pKVM's hypervisor clears
		 * a page the host takes back unasked (R122). */
		gvm_expect(r.ret == 0,
			   "v6: the host's own share goes through (%s)",
			   gvm_errname(r.ret));
		gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_BYTE, PKVM_PAGE,
				       GVM_PAGE_SIZE, 0) == 0,
			   "but the hypervisor cleared it: the host reads "
			   "zeros");
		gvm_map_gpa_range(PKVM_PAGE, 1, 1, GVM_MODE_PRESERVE, &r);
		gvm_expect(r.ret == 0, "gpa %#x is private again", PKVM_PAGE);
		gvm_fill_pattern(PKVM_PAGE, GVM_PAGE_SIZE, SEED);
	} else {
		gvm_expect(r.ret == -EOPNOTSUPP,
			   "the host's own PRESERVE share is refused (%s)",
			   gvm_errname(r.ret));
	}
	gvm_map_gpa_range(PKVM_PAGE, 1, 0, GVM_MODE_PRESERVE, &r);
	gvm_expect(r.ret == 0, "the guest asks for it: shared with PRESERVE");
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_PATTERN, PKVM_PAGE,
			       GVM_PAGE_SIZE, SEED) == 0,
		   "the host reads the guest's bytes");
}

int guest_main(u32 cpu)
{
	if (cpu)
		return 0;
	if (gvm_boot.vm_type == GVM_VM_PKVM) {
		pkvm_keeps_only_what_the_guest_asked();
		return 0;
	}
	secret_shared_with_zero();
	buffer_shared_in_place();
	pinned_page_fails();
	return 0;
}
