// SPDX-License-Identifier: MIT
/*
 * Description: every name the preload exports for open and fcntl is
 * served, not only the one this program's headers call: open, open64,
 * openat, openat64 and the fortified __open_2 and its kin each give the
 * library's system descriptor for /dev/kvm (it reports guest_memfd, which
 * this host's KVM may lack), and a copy made with fcntl or fcntl64
 * (F_DUPFD_CLOEXEC) keeps naming the library's guest_memfd after the
 * original is closed. The names are looked up as the dynamic linker binds
 * them, so each is asked directly.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "preload_test.h"

typedef int open_fn(const char *path, int flags, ...);
typedef int openat_fn(int dirfd, const char *path, int flags, ...);
typedef int fcntl_fn(int fd, int cmd, ...);

static void *bound(const char *name)
{
	void *fn = dlsym(RTLD_DEFAULT, name);

	if (!fn)
		fprintf(stderr, "preload-names: %s not found\n", name);
	CHECK(fn);
	return fn;
}

/* The library's system descriptor, which always offers guest_memfd. */
static void check_served(int fd)
{
	CHECK(fd >= 0);
	CHECK(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD) == 1);
	CHECK(!close(fd));
}

static void opens_are_served(void)
{
	static const char *const open_names[] = { "open", "open64", "__open_2",
						  "__open64_2" };
	static const char *const openat_names[] = { "openat", "openat64",
						    "__openat_2",
						    "__openat64_2" };

	for (size_t i = 0; i < 4; i++) {
		open_fn *o = (open_fn *)bound(open_names[i]);
		openat_fn *oa = (openat_fn *)bound(openat_names[i]);

		check_served(o("/dev/kvm", O_RDWR | O_CLOEXEC));
		check_served(oa(AT_FDCWD, "/dev/kvm", O_RDWR | O_CLOEXEC));
	}
}

static void fcntl_copies_are_served(int kvm)
{
	static const char *const names[] = { "fcntl", "fcntl64" };
	int vm = create_sw_vm(kvm);

	CHECK(vm >= 0);
	for (size_t i = 0; i < 2; i++) {
		fcntl_fn *f = (fcntl_fn *)bound(names[i]);
		int gmem = create_gmem(vm, 1), copy;

		CHECK(gmem >= 0);
		copy = f(gmem, F_DUPFD_CLOEXEC, 0);
		CHECK(copy >= 0 && !close(gmem));
		CHECK(!convert(copy, 0, 1, true,
			       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
		CHECK(!close(copy));
	}
	CHECK(!close(vm));
}

int main(void)
{
	int kvm = open_kvm_or_skip("preload-names");

	opens_are_served();
	fcntl_copies_are_served(kvm);
	CHECK(!close(kvm));
	printf("preload-names: ok\n");
	return 0;
}
