// SPDX-License-Identifier: MIT
/*
 * Description: fork() while other threads are inside the library. Two
 * threads churn (make and end VMs and guest_memfd files, map, convert a
 * page with a secret to private and back, unmap), which moves the fd
 * table, the host-map records and the library's own mappings; the main
 * thread forks again and again meanwhile. Each child, within a deadline:
 * finds every inherited gmem mapping shows no memory (SIGBUS, R109) and
 * the inherited VM refuses it (EIO, R110), then makes a VM and file of
 * its own, converts and reads them. A child that hangs (a lock a churning
 * thread held at the fork and no fork handler released: the fd table's
 * did, about one fork in a few hundred under ThreadSanitizer) or fails
 * is a failure. Meant to run clean under ThreadSanitizer too (test.sh).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define FORKS	      200
#define CHURNERS      2
#define CHILD_SECONDS 20
#define SECRET	      0x5e

static atomic_bool stop;
static atomic_int churn_failures;

/* What the main thread hands a child: a VM, a file and its mapping that
 * stay open in the parent for the whole run. */
static int parent_vm, parent_fd;
static char *parent_host;

static void churn_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "churn: %s: %s\n", what, strerror(errno));
		atomic_fetch_add(&churn_failures, 1);
	}
}

static void churn_once(void)
{
	int vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM);
	int fd =
		test_gmem(vm, 4 * PAGE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	char *p = gmem_mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);

	churn_check(vm >= 0 && fd >= 0 && p != MAP_FAILED, "set up");
	if (p != MAP_FAILED) {
		memset(p + PAGE, SECRET, PAGE);
		churn_check(!test_convert(fd, PAGE, PAGE, true,
					  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
					  NULL),
			    "to private");
		churn_check(!test_convert(fd, PAGE, PAGE, false,
					  KVM_SET_MEMORY_ATTRIBUTES2_ZERO,
					  NULL),
			    "to shared");
		churn_check(!gmem_munmap(p, 4 * PAGE), "munmap");
	}
	gmem_close(fd);
	gmem_close(vm);
}

static void *churn(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop))
		churn_once();
	return NULL;
}

/* The child's checks: 0, or the number of the first that failed. */
static int child_main(void)
{
	char *p;
	int vm, fd;

	alarm(CHILD_SECONDS);
	if (host_read(parent_host) != -1 || host_read(parent_host + PAGE) != -1)
		return 1;
	errno = 0;
	if (gmem_ioctl(parent_vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2) !=
		    -1 ||
	    errno != EIO)
		return 2;
	vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM);
	fd = test_gmem(vm, 2 * PAGE,
		       GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	if (vm < 0 || fd < 0)
		return 3;
	p = gmem_mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	if (p == MAP_FAILED)
		return 4;
	p[0] = 1;
	if (test_convert(fd, 0, PAGE, true, 0, NULL) || host_read(p) != -1)
		return 5;
	if (test_convert(fd, 0, PAGE, false, KVM_SET_MEMORY_ATTRIBUTES2_ZERO,
			 NULL) ||
	    host_read(p) != 0)
		return 6;
	if (gmem_munmap(p, 2 * PAGE) || gmem_close(fd) || gmem_close(vm))
		return 7;
	return 0;
}

static int fork_and_check(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(child_main());
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "child died of signal %d%s\n", WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (it hung)" : "");
		return -1;
	}
	if (WEXITSTATUS(status))
		fprintf(stderr, "child check %d failed\n", WEXITSTATUS(status));
	return WEXITSTATUS(status) ? -1 : 0;
}

int main(void)
{
	pthread_t threads[CHURNERS];
	int failures = 0;

	parent_vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM);
	parent_fd =
		test_gmem(parent_vm, 2 * PAGE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	parent_host = gmem_mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				MAP_SHARED, parent_fd, 0);
	if (parent_host == MAP_FAILED) {
		perror("set up");
		return 1;
	}
	memset(parent_host, SECRET, 2 * PAGE);
	test_convert(parent_fd, PAGE, PAGE, true, 0, NULL);
	for (int i = 0; i < CHURNERS; i++)
		pthread_create(&threads[i], NULL, churn, NULL);
	for (int i = 0; i < FORKS; i++)
		failures += fork_and_check() ? 1 : 0;
	atomic_store(&stop, true);
	for (int i = 0; i < CHURNERS; i++)
		pthread_join(threads[i], NULL);
	failures += atomic_load(&churn_failures);
	gmem_munmap(parent_host, 2 * PAGE);
	gmem_close(parent_fd);
	gmem_close(parent_vm);
	printf("%s: %d forks, %d failures\n", failures ? "FAIL" : "PASS", FORKS,
	       failures);
	return failures ? 1 : 0;
}
