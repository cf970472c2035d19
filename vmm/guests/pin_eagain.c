// SPDX-License-Identifier: MIT
/*
 * pin_eagain: a page the host pins makes a shared-to-private conversion
 * fail with EAGAIN, and the guest sees the error and the offset.
 *
 * The host pins the third of four pages (gmem_pin, as get_user_pages or an
 * IOMMU would); the guest's request for all four fails at that page and
 * changes nothing, which the host confirms by still reading the four
 * pages. Once the host unpins, the same request succeeds.
 */
#include "guest.h"

#define BUF    (GVM_SCRATCH_GPA + 0x10000)
#define PAGES  4
#define PINNED (BUF + 2 * GVM_PAGE_SIZE)

int guest_main(u32 cpu)
{
	struct gvm_hc_result r;

	if (cpu)
		return 0;
	gvm_fill(BUF, PAGES * GVM_PAGE_SIZE, 0x11);
	gvm_expect(gvm_testdev(GVM_TESTDEV_PIN, PINNED, GVM_PAGE_SIZE, 0) == 0,
		   "the host pinned gpa %#x", PINNED);

	gvm_map_gpa_range(BUF, PAGES, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_printf("asked for gpa %#x +%u pages -> private: %s, error_offset "
		   "%#x (gpa %#x)\n",
		   BUF, PAGES, gvm_errname(r.ret), r.error_offset, r.error_gpa);
	gvm_expect(r.ret == -EAGAIN, "the conversion failed with EAGAIN");
	gvm_expect(r.error_gpa == PINNED, "at the pinned page");
	/* RAM is file offset 0 up, from gpa 0: the offset is the gpa. */
	gvm_expect(r.error_offset == PINNED,
		   "error_offset is the pinned page's guest_memfd offset");
	gvm_expect(gvm_testdev(GVM_TESTDEV_EXPECT_BYTE, BUF,
			       PAGES * GVM_PAGE_SIZE, 0x11) == 0,
		   "nothing changed: the host still reads all four pages");

	gvm_expect(gvm_testdev(GVM_TESTDEV_UNPIN, PINNED, GVM_PAGE_SIZE, 0) ==
			   0,
		   "the host unpinned it");
	gvm_map_gpa_range(BUF, PAGES, 1, GVM_MODE_UNSPECIFIED, &r);
	gvm_expect(r.ret == 0, "asked again: private (%s)", gvm_errname(r.ret));
	gvm_map_gpa_range(BUF, PAGES, 0, GVM_MODE_ZERO, &r);
	gvm_expect(r.ret == 0, "and shared again with ZERO (%s)",
		   gvm_errname(r.ret));
	return 0;
}
