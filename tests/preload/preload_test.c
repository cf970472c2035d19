// SPDX-License-Identifier: MIT
/*
 * The helpers of the preload's test programs (preload_test.h): plain
 * syscalls, as a program written for the kernel makes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "preload_test.h"

int open_kvm_or_skip(const char *prog)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0) {
		printf("%s: SKIP: /dev/kvm: %s\n", prog, strerror(errno));
		exit(77);
	}
	return kvm;
}

int create_sw_vm(int kvm)
{
	return ioctl(kvm, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM);
}

int create_gmem(int vm, unsigned int pages)
{
	struct kvm_create_guest_memfd args = {
		.size = (unsigned long long)pages * PAGE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};

	return ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
}

int convert(int gmem, unsigned int first, unsigned int n, bool to_private,
	    unsigned long long mode)
{
	struct kvm_memory_attributes2 a = {
		.offset = (unsigned long long)first * PAGE,
		.size = (unsigned long long)n * PAGE,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = mode,
	};

	return ioctl(gmem, KVM_SET_MEMORY_ATTRIBUTES2, &a);
}

static __thread sigjmp_buf *bus_jump;
static pthread_once_t sigbus_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(*bus_jump, 1);
}

/* Once for the process: threads must not swap the handler under each
 * other; each jumps back to its own point. */
static void catch_sigbus(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigaction(SIGBUS, &sa, NULL);
}

bool faults(const volatile unsigned char *p)
{
	sigjmp_buf here;
	bool faulted = true;

	pthread_once(&sigbus_once, catch_sigbus);
	bus_jump = &here;
	if (!sigsetjmp(here, 1)) {
		(void)*p;
		faulted = false;
	}
	return faulted;
}
