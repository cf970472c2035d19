// SPDX-License-Identifier: MIT
/*
 * Description: the hardened mode of a VM (gmem_vm_opts.hardening,
 * docs/PRIVACY.md) against the easy path to a private page's bytes on
 * the memfd backend: another process of the same user opens
 * /proc/<pid>/fd/<n> of the library's memory file and maps it. In the
 * default mode that path is open (the test reads the private bytes
 * through it, as the privacy model says); with GMEM_HARDEN_NONDUMPABLE
 * the open fails. The reader drops CAP_SYS_PTRACE first, as an
 * unprivileged process of the same user has none. Conversions keep
 * their rules in the hardened mode: PRESERVE keeps the bytes, ZERO
 * zeroes them, a failed conversion changes nothing; and the process is
 * dumpable again once the last hardened VM is gone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include <cmocka.h>

#include "testutil.h"

#define SECRET	   0xa5
#define FILE_SIZE  (4 * PAGE)
#define SHARED_MAP (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

/* What the reader found. */
enum reader { READ_SECRET = 10, READ_OTHER, OPEN_REFUSED, READER_FAILED };

struct vm_file {
	int vm, fd;
	char *map;
};

static struct vm_file make(unsigned int hardening)
{
	struct gmem_vm_opts opts = {
		.sz = sizeof(opts),
		.backend = GMEM_BACKEND_MEMFD,
		.hardening = hardening,
	};
	struct vm_file v;

	v.vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	assert_true(v.vm >= 0);
	v.fd = test_gmem(v.vm, FILE_SIZE, SHARED_MAP);
	v.map = gmem_mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  v.fd, 0);
	assert_true(v.map != MAP_FAILED);
	memset(v.map, SECRET, FILE_SIZE);
	return v;
}

static void done(struct vm_file v)
{
	gmem_munmap(v.map, FILE_SIZE);
	gmem_close(v.fd);
	gmem_close(v.vm);
}

/* The library's memory file of the newest guest_memfd: the highest
 * descriptor whose link names it. */
static int memory_fd(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	char path[300], link[128];
	int found = -1;

	assert_non_null(dir);
	while ((de = readdir(dir))) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strstr(link, "memfd:gmem-memory") &&
		    atoi(de->d_name) > found)
			found = atoi(de->d_name);
	}
	closedir(dir);
	assert_true(found >= 0);
	return found;
}

/* Give up CAP_SYS_PTRACE, in this process and so in its readers: they
 * are then processes of the same user without privilege, and the
 * kernel's ptrace access rule (the same user, a dumpable target, no more
 * capabilities than the reader) decides alone. 0 or -1. */
static int drop_ptrace_capability(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].effective &= ~(1U << CAP_SYS_PTRACE);
	data[0].permitted &= ~(1U << CAP_SYS_PTRACE);
	return (int)syscall(SYS_capset, &hdr, data);
}

/* In a child: open the parent's memory file through /proc, map it, read
 * the first (private) page. */
static int reader(pid_t parent, int fd)
{
	char path[64];
	unsigned char *p;
	int copy;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)parent, fd);
	copy = open(path, O_RDWR | O_CLOEXEC);
	if (copy < 0)
		return errno == EACCES || errno == EPERM ? OPEN_REFUSED
							 : READER_FAILED;
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, copy, 0);
	if (p == MAP_FAILED)
		return READER_FAILED;
	return p[0] == SECRET ? READ_SECRET : READ_OTHER;
}

static int run_reader(int fd)
{
	pid_t parent = getpid(), pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(reader(parent, fd));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Page 0 private with its bytes kept; the host's mapping faults. */
static void make_private(struct vm_file v)
{
	assert_int_equal(test_convert(v.fd, 0, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(host_read(v.map), -1);
}

static void test_default_mode_reopen_reads_private(void **state)
{
	struct vm_file v = make(0);

	(void)state;
	make_private(v);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 1);
	assert_int_equal(run_reader(memory_fd()), READ_SECRET);
	done(v);
}

static void test_hardened_reopen_refused(void **state)
{
	struct vm_file v = make(GMEM_HARDEN_NONDUMPABLE);

	(void)state;
	make_private(v);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 0);
	assert_int_equal(run_reader(memory_fd()), OPEN_REFUSED);
	done(v);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 1);
}

/* Two hardened VMs: the process stays non-dumpable until both are gone,
 * and a file outliving its VM's fd keeps it so. */
static void test_hardening_counted(void **state)
{
	struct vm_file a = make(GMEM_HARDEN_NONDUMPABLE);
	struct vm_file b = make(GMEM_HARDEN_NONDUMPABLE);

	(void)state;
	done(a);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 0);
	gmem_munmap(b.map, FILE_SIZE);
	gmem_close(b.vm);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 0);
	gmem_close(b.fd);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 1);
}

/* The content modes and the all-or-nothing rule hold as in the default
 * mode. */
static void test_hardened_conversions_keep_their_rules(void **state)
{
	struct vm_file v = make(GMEM_HARDEN_NONDUMPABLE);
	uint64_t error_offset;

	(void)state;
	make_private(v);
	assert_int_equal(test_convert(v.fd, 0, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_true(host_all(v.map, PAGE, SECRET));
	make_private(v);
	assert_int_equal(test_convert(v.fd, 0, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 0);
	assert_true(host_all(v.map, PAGE, 0));
	assert_int_equal(gmem_pin(v.fd, 2 * PAGE, PAGE), 0);
	assert_int_equal(test_convert(v.fd, PAGE, 2 * PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      &error_offset),
			 -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(error_offset, 2 * PAGE);
	assert_int_equal(attributes_at(v.fd, PAGE), 0);
	assert_true(host_all(v.map + PAGE, 3 * PAGE, SECRET));
	assert_int_equal(gmem_unpin(v.fd, 2 * PAGE, PAGE), 0);
	done(v);
}

static void test_unknown_hardening_einval(void **state)
{
	struct gmem_vm_opts opts = {
		.sz = sizeof(opts),
		.hardening = ~GMEM_HARDEN_NONDUMPABLE,
	};

	(void)state;
	assert_int_equal(gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts),
			 -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 1);
}

/* A caller built before the field (sz ending at it) reads 0, whatever
 * lies past its sz. */
static void test_older_caller_reads_zero(void **state)
{
	struct gmem_vm_opts opts = {
		.sz = offsetof(struct gmem_vm_opts, hardening),
		.backend = GMEM_BACKEND_MEMFD,
		.hardening = GMEM_HARDEN_NONDUMPABLE,
	};
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);

	(void)state;
	assert_true(vm >= 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE), 1);
	gmem_close(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_mode_reopen_reads_private),
		cmocka_unit_test(test_hardened_reopen_refused),
		cmocka_unit_test(test_hardening_counted),
		cmocka_unit_test(test_hardened_conversions_keep_their_rules),
		cmocka_unit_test(test_unknown_hardening_einval),
		cmocka_unit_test(test_older_caller_reads_zero),
	};

	/* A known starting point: dumpable, as a process normally is (a
	 * test runner may have started this one otherwise), and without
	 * privilege over other processes. */
	if (prctl(PR_SET_DUMPABLE, 1) || drop_ptrace_capability())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
