// SPDX-License-Identifier: MIT
/*
 * Description: the software guest. gmem_guest_read/gmem_guest_write reach
 * guest_memfd pages through memslots; an access whose kind (private or
 * shared) does not match the page fails with EFAULT and records a memory
 * fault (gpa, size, KVM_MEMORY_EXIT_FLAG_PRIVATE) that the VMM reads once;
 * the guest and the host see the same shared bytes; an access spans
 * memslots; unbound addresses and unknown flags are refused; the legacy
 * mode checks the VM's attributes; a child of fork() inherits no mapping
 * of the file's memory, the library's own view included, gets EIO for
 * the VM and file it inherited (its mappings of the file show none of its
 * memory) and makes its own. Runs on both backends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend_group.h"
#include "testutil.h"

#define GPA  0x40000000ULL
#define SIZE (8 * PAGE)
#define PRIV GMEM_GUEST_PRIVATE

struct fixture {
	unsigned int backend;
	int vm;
	int fd;
	char *host;
};

static void bind(int vm, int fd, uint32_t slot, uint64_t gpa, uint64_t off,
		 uint64_t size)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.guest_memfd_offset = off,
		.guest_memfd = (uint32_t)fd,
	};

	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
}

static int setup(void **state)
{
	struct fixture *fx = *state;

	fx->vm = test_vm(KVM_X86_SW_PROTECTED_VM, fx->backend);
	fx->fd = test_gmem_mapped(fx->vm, SIZE,
				  GUEST_MEMFD_FLAG_MMAP |
					  GUEST_MEMFD_FLAG_INIT_SHARED,
				  &fx->host);
	bind(fx->vm, fx->fd, 0, GPA, 0, SIZE);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx->host)
		gmem_munmap(fx->host, SIZE);
	gmem_close(fx->fd);
	gmem_close(fx->vm);
	return 0;
}

static void test_shared_access_meets_host(void **state)
{
	struct fixture *fx = *state;
	char buf[16] = "from the guest";

	memcpy(fx->host + PAGE, "from the host", 14);
	assert_int_equal(gmem_guest_read(fx->vm, GPA + PAGE, buf, 14, 0), 14);
	assert_memory_equal(buf, "from the host", 14);
	assert_int_equal(
		gmem_guest_write(fx->vm, GPA + 2 * PAGE - 3, "across", 6, 0),
		6);
	assert_memory_equal(fx->host + 2 * PAGE - 3, "across", 6);
}

static void test_mismatch_records_fault(void **state)
{
	struct fixture *fx = *state;
	struct gmem_memory_fault f;
	char buf[8];

	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(
		gmem_guest_read(fx->vm, GPA + 3 * PAGE + 5, buf, 8, PRIV), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), 0);
	assert_int_equal(f.gpa, GPA + 3 * PAGE);
	assert_int_equal(f.size, PAGE);
	assert_int_equal(f.flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
	/* Read once. */
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), -1);
	assert_int_equal(errno, ENOENT);

	assert_int_equal(test_convert(fx->fd, 3 * PAGE, PAGE, true, 0, NULL),
			 0);
	assert_int_equal(gmem_guest_write(fx->vm, GPA + 3 * PAGE, buf, 8, 0),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), 0);
	assert_int_equal(f.flags, 0);
	assert_int_equal(gmem_guest_write(fx->vm, GPA + 3 * PAGE, buf, 8, PRIV),
			 8);
}

/* The fault is at the first mismatching page of a longer access. */
static void test_fault_at_first_mismatch(void **state)
{
	struct fixture *fx = *state;
	struct gmem_memory_fault f;
	char buf[3 * PAGE];

	assert_int_equal(test_convert(fx->fd, 5 * PAGE, PAGE, true, 0, NULL),
			 0);
	assert_int_equal(
		gmem_guest_read(fx->vm, GPA + 4 * PAGE, buf, sizeof(buf), 0),
		-1);
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), 0);
	assert_int_equal(f.gpa, GPA + 5 * PAGE);
}

static void test_private_data_stays_private(void **state)
{
	struct fixture *fx = *state;
	char secret[64], back[64];

	memset(secret, 0x7c, sizeof(secret));
	assert_int_equal(test_convert(fx->fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_guest_write(fx->vm, GPA, secret, 64, PRIV), 64);
	assert_int_equal(host_read(fx->host), -1);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, back, 64, PRIV), 64);
	assert_memory_equal(secret, back, 64);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_true(host_all(fx->host, 64, 0x7c));
}

static void test_bad_access(void **state)
{
	struct fixture *fx = *state;
	char buf[8];

	assert_int_equal(gmem_guest_read(fx->vm, GPA + SIZE, buf, 8, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_read(fx->vm, GPA + SIZE - 4, buf, 8, 0),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, buf, 8, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, NULL, 8, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_read(fx->fd, GPA, buf, 8, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_guest_read(-1, GPA, buf, 8, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, buf, 0, 0), 0);
}

/* Two slots on two files, back to back: one access crosses. */
static void test_access_spans_memslots(void **state)
{
	struct fixture *fx = *state;
	int other = test_gmem(fx->vm, 2 * PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);
	char buf[8] = "abcdefgh", back[8];

	bind(fx->vm, other, 1, GPA + SIZE, PAGE, PAGE);
	assert_int_equal(gmem_guest_write(fx->vm, GPA + SIZE - 4, buf, 8, 0),
			 8);
	assert_int_equal(gmem_guest_read(fx->vm, GPA + SIZE - 4, back, 8, 0),
			 8);
	assert_memory_equal(buf, back, 8);
	assert_memory_equal(fx->host + SIZE - 4, "abcd", 4);
	gmem_close(other);
}

static void test_legacy_mode_uses_vm_attributes(void **state)
{
	struct fixture *fx = *state;
	int vm = test_vm_legacy(KVM_X86_SW_PROTECTED_VM, fx->backend);
	int fd = test_gmem(vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	struct kvm_memory_attributes a = {
		.address = GPA + PAGE,
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	char buf[4];

	bind(vm, fd, 0, GPA, 0, SIZE);
	assert_int_equal(gmem_guest_read(vm, GPA + PAGE, buf, 4, PRIV), -1);
	assert_int_equal(gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
	assert_int_equal(gmem_guest_read(vm, GPA + PAGE, buf, 4, PRIV), 4);
	assert_int_equal(gmem_guest_read(vm, GPA, buf, 4, 0), 4);
	gmem_close(fd);
	gmem_close(vm);
}

/* A shared file mapping of the process: device and inode. */
struct file_id {
	unsigned int major, minor;
	unsigned long ino;
};

#define MAX_IDS 256

/* The files the process maps MAP_SHARED, from /proc/self/maps. */
static size_t shared_file_ids(struct file_id *ids)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512], perms[8];
	struct file_id id;
	size_t n = 0;

	if (!maps)
		return 0;
	while (n < MAX_IDS && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%*x-%*x %7s %*x %x:%x %lu", perms, &id.major,
			   &id.minor, &id.ino) == 4 &&
		    perms[3] == 's' && id.ino)
			ids[n++] = id;
	fclose(maps);
	return n;
}

/* The file mapped at `addr`, from /proc/self/maps: false if none. */
static bool file_id_at(const void *addr, struct file_id *id)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];
	bool found = false;

	if (!maps)
		return false;
	while (!found && fgets(line, sizeof(line), maps))
		found = sscanf(line, "%lx-%lx %*s %*x %x:%x %lu", &lo, &hi,
			       &id->major, &id->minor, &id->ino) == 5 &&
			(uintptr_t)addr >= lo && (uintptr_t)addr < hi;
	fclose(maps);
	return found;
}

static bool id_listed(const struct file_id *ids, size_t n,
		      const struct file_id *id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i].major == id->major && ids[i].minor == id->minor &&
		    ids[i].ino == id->ino)
			return true;
	return false;
}

/* The child's half of test_fork_child_has_no_view: 0 when it maps none of
 * `view` (the files the parent's library maps for itself), every call on
 * the VM and file it inherited is EIO (R110) but close and a mapping that
 * shows no memory, and a VM of its own serves it. */
static int child_after_fork(struct fixture *fx, const struct file_id *view,
			    size_t nview)
{
	static struct file_id now[MAX_IDS];
	size_t n = shared_file_ids(now);
	char buf[8], *p;
	uint64_t attr;
	int vm;

	for (size_t i = 0; i < nview; i++)
		if (id_listed(now, n, &view[i]))
			return 1;
	errno = 0;
	if (gmem_guest_read(fx->vm, GPA, buf, 8, 0) != -1 || errno != EIO)
		return 2;
	errno = 0;
	if (gmem_guest_write(fx->vm, GPA + PAGE, "childs", 7, 0) != -1 ||
	    errno != EIO)
		return 3;
	/* A mapping of the inherited file shows none of its memory: the
	 * page the parent made private, nor the shared one it wrote. */
	p = gmem_mmap(NULL, 3 * PAGE, PROT_READ, MAP_SHARED, fx->fd, 0);
	if (p == MAP_FAILED || host_read(p) != -1 ||
	    host_read(p + 2 * PAGE) != -1 || gmem_munmap(p, 3 * PAGE))
		return 4;
	errno = 0;
	if (test_convert(fx->fd, 0, PAGE, true, 0, NULL) != -1 || errno != EIO)
		return 5;
	errno = 0;
	if (gmem_get_attributes(fx->fd, 0, &attr) != -1 || errno != EIO)
		return 6;
	if (gmem_close(fx->fd) || gmem_close(fx->vm))
		return 7;
	vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM);
	if (vm < 0 ||
	    gmem_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD) != 1)
		return 8;
	return gmem_close(vm) ? 9 : 0;
}

/* After the parent used the file through the library (its view exists)
 * and converted part of it to private, a child finds no mapping of the
 * file's memory (R109), and the library refuses it the inherited VM and
 * file (R110): the parent's later conversions could not reach the
 * child's copy of their state. The parent's memory is untouched. */
static void test_fork_child_has_no_view(void **state)
{
	struct fixture *fx = *state;
	static struct file_id before[MAX_IDS], after[MAX_IDS], view[MAX_IDS];
	size_t nbefore, nafter, nview = 0;
	struct file_id memory;
	uint64_t attr;
	char buf[8];
	int status;
	pid_t pid;

	/* The library keeps a mapping of the memory of its own from the
	 * first gmem_mmap() on (host_map.c's source): the file is named by
	 * the host's mapping, not found new. */
	assert_true(file_id_at(fx->host, &memory));
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
	fx->host = NULL;
	nbefore = shared_file_ids(before);
	assert_int_equal(gmem_guest_write(fx->vm, GPA, "inherit", 8, 0), 8);
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, 2 * PAGE, true, 0, NULL), 0);
	nafter = shared_file_ids(after);
	for (size_t i = 0; i < nafter; i++)
		if (!id_listed(before, nbefore, &after[i]))
			view[nview++] = after[i];
	/* The library's own mappings of the memory, and nothing else new. */
	assert_true(id_listed(after, nafter, &memory));
	if (!id_listed(view, nview, &memory))
		view[nview++] = memory;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_after_fork(fx, view, nview));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The child's closes ended nothing of the parent's. */
	assert_int_equal(gmem_guest_read(fx->vm, GPA, buf, 8, 0), 8);
	assert_memory_equal(buf, "inherit", 8);
	assert_int_equal(gmem_get_attributes(fx->fd, 0, &attr), 0);
	assert_int_equal(gmem_get_attributes(fx->fd, 2 * PAGE, &attr), 0);
	assert_int_equal(attr, KVM_MEMORY_ATTRIBUTE_PRIVATE);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static const struct CMUnitTest tests[] = {
	CASE(test_shared_access_meets_host),
	CASE(test_mismatch_records_fault),
	CASE(test_fault_at_first_mismatch),
	CASE(test_private_data_stays_private),
	CASE(test_bad_access),
	CASE(test_access_spans_memslots),
	CASE(test_legacy_mode_uses_vm_attributes),
	CASE(test_fork_child_has_no_view),
};

int main(void)
{
	return RUN_ON_BACKENDS(tests, struct fixture) ? 1 : 0;
}
