// SPDX-License-Identifier: MIT
/*
 * The legacy two-backing baseline (legacy_baseline.h): its set-up, its
 * conversions, and the memory it holds. The system calls are made
 * directly on the kernel's objects, never through libgmem, so that the
 * baseline is what a VMM pays today.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmem/uapi.h>

#include "bench.h"
#include "legacy_baseline.h"

#define PUNCH (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)

static void xfallocate(int fd, int mode, uint64_t off, uint64_t len)
{
	if (fallocate(fd, mode, (off_t)off, (off_t)len))
		bench_die("fallocate");
}

static int memfd_of(const char *name, uint64_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size))
		bench_die("memfd_create");
	return fd;
}

/* A field of /proc/meminfo, in bytes. */
static uint64_t meminfo(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	size_t len = strlen(field);
	unsigned long long kib = 0;
	char line[256];

	if (!f)
		bench_die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			sscanf(line + len + 1, "%llu", &kib);
	fclose(f);
	return kib * BENCH_KIB;
}

/* The private side: the kernel's guest_memfd where there is one, else a
 * memfd. */
static void legacy_private_init(struct legacy *l, uint64_t size)
{
	struct kvm_create_guest_memfd args = { .size = size };

	l->kvm = l->vm = -1;
	l->private_is_memfd = bench_guest_memfd_missing() != NULL;
	if (l->private_is_memfd) {
		l->private_fd = memfd_of("legacy-private", size);
		return;
	}
	l->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (l->kvm < 0)
		bench_die("/dev/kvm");
	l->vm = ioctl(l->kvm, KVM_CREATE_VM, KVM_X86_DEFAULT_VM);
	if (l->vm < 0)
		bench_die("KVM_CREATE_VM");
	l->unevictable = meminfo("Unevictable");
	l->private_fd = ioctl(l->vm, KVM_CREATE_GUEST_MEMFD, &args);
	if (l->private_fd < 0)
		bench_die("KVM_CREATE_GUEST_MEMFD on /dev/kvm");
}

void legacy_init(struct legacy *l, uint64_t size)
{
	l->size = size;
	legacy_private_init(l, size);
	l->shared_fd = memfd_of("legacy-shared", size);
	l->shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 l->shared_fd, 0);
	if (l->shared == MAP_FAILED)
		bench_die("mmap");
	bench_populate(l->shared, size);
}

void legacy_fini(struct legacy *l)
{
	munmap(l->shared, l->size);
	close(l->shared_fd);
	close(l->private_fd);
	if (l->vm >= 0)
		close(l->vm);
	if (l->kvm >= 0)
		close(l->kvm);
}

const char *legacy_private_kind(const struct legacy *l)
{
	return l->private_is_memfd ? "memfd" : "guest_memfd";
}

void legacy_punch_shared(struct legacy *l, uint64_t off, uint64_t len)
{
	xfallocate(l->shared_fd, PUNCH, off, len);
}

void legacy_allocate_private(struct legacy *l, uint64_t off, uint64_t len)
{
	xfallocate(l->private_fd, FALLOC_FL_KEEP_SIZE, off, len);
}

void legacy_to_private(struct legacy *l, uint64_t off, uint64_t len)
{
	legacy_punch_shared(l, off, len);
	legacy_allocate_private(l, off, len);
}

void legacy_to_shared(struct legacy *l, uint64_t off, uint64_t len)
{
	xfallocate(l->private_fd, PUNCH, off, len);
	bench_touch(l->shared + off, len);
}

double legacy_time_to_private(struct legacy *l, uint64_t off, uint64_t len)
{
	double t0 = bench_now(), t;

	legacy_to_private(l, off, len);
	t = bench_now() - t0;
	legacy_to_shared(l, off, len);
	return t;
}

double legacy_time_to_shared(struct legacy *l, uint64_t off, uint64_t len)
{
	double t0;

	legacy_to_private(l, off, len);
	t0 = bench_now();
	legacy_to_shared(l, off, len);
	return bench_now() - t0;
}

static uint64_t resident(char *p, uint64_t size)
{
	uint64_t npages = size / BENCH_PAGE, count = 0;
	unsigned char *vec = calloc(npages, 1);

	if (!vec || mincore(p, size, vec))
		bench_die("mincore");
	for (uint64_t i = 0; i < npages; i++)
		count += vec[i] & 1;
	free(vec);
	return count * BENCH_PAGE;
}

/*
 * A guest_memfd shows its pages nowhere per file (st_blocks stays 0, and
 * mincore() counts only pages that were written), but they are
 * unevictable: the growth of Unevictable in /proc/meminfo since the file
 * was made. Other processes making guest_memfds at the same time would
 * add to it. A memfd counts its blocks.
 */
static uint64_t legacy_private_held(struct legacy *l)
{
	uint64_t now;
	struct stat st;

	if (l->private_is_memfd) {
		if (fstat(l->private_fd, &st))
			bench_die("fstat");
		return (uint64_t)st.st_blocks * 512;
	}
	now = meminfo("Unevictable");
	return now > l->unevictable ? now - l->unevictable : 0;
}

uint64_t legacy_held(struct legacy *l)
{
	return resident(l->shared, l->size) + legacy_private_held(l);
}
