// SPDX-License-Identifier: MIT
/*
 * Test helpers. Host touches run under a SIGBUS/SIGSEGV handler that jumps
 * back with the signal number, per thread, so a test can say what the
 * kernel would have delivered.
 */
#include <assert.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "host_probe.h"
#include "testutil.h"

const unsigned int test_backends[2] = { GMEM_BACKEND_KVM, GMEM_BACKEND_MEMFD };

/* volatile: the stores around the touch must not be moved or dropped. */
static __thread sigjmp_buf *volatile touch_jmp;

static void on_fault(int sig)
{
	if (touch_jmp)
		siglongjmp(*touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_fault };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

static int fault_code(int sig)
{
	return sig == SIGBUS ? -1 : -2;
}

/* Read the byte at `from` (0..255), or write `value` at `to`; a fault is
 * caught and returned as its code. */
static int touch(const volatile char *from, volatile char *to, char value)
{
	sigjmp_buf env;
	int sig, result = 0;

	install_handlers();
	sig = sigsetjmp(env, 1);
	if (sig) {
		touch_jmp = NULL;
		return fault_code(sig);
	}
	touch_jmp = &env;
	if (to)
		*to = value;
	else
		result = (unsigned char)*from;
	touch_jmp = NULL;
	return result;
}

int host_read(const volatile char *p)
{
	return touch(p, NULL, 0);
}

int host_write(volatile char *p, char value)
{
	return touch(NULL, p, value);
}

long test_read_number(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

bool host_all(const char *p, size_t len, unsigned char value)
{
	if (host_read(p) < 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] != value)
			return false;
	return true;
}

/* The kvm backend is the kernel's guest_memfd, mapped: it runs exactly
 * where the host offers guest_memfd with MMAP and INIT_SHARED. The library
 * is asked too, so that a library refusing a capable host still fails. */
const char *backend_missing(unsigned int backend)
{
	const char *lacks;

	if (backend != GMEM_BACKEND_KVM)
		return NULL;
	lacks = host_lacks(HOST_GMEM_MMAP);
	assert(!lacks == !!gmem_kvm_backend_available());
	return lacks;
}

bool backend_usable(unsigned int backend)
{
	return !backend_missing(backend);
}

static int make_vm(unsigned long type, unsigned int backend, bool legacy)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = backend,
		  .vm_memory_attributes = legacy);
	int vm = gmem_create_vm_opts(type, &opts);

	assert(vm >= 0);
	return vm;
}

int test_vm(unsigned long type, unsigned int backend)
{
	return make_vm(type, backend, false);
}

int test_vm_legacy(unsigned long type, unsigned int backend)
{
	return make_vm(type, backend, true);
}

int test_gmem(int vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd args = { .size = size, .flags = flags };
	int fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);

	assert(fd >= 0);
	return fd;
}

int test_gmem_mapped(int vm, uint64_t size, uint64_t flags, char **host)
{
	int fd = test_gmem(vm, size, flags);

	*host = gmem_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			  0);
	assert(*host != MAP_FAILED);
	return fd;
}

void test_bind(int vm, int fd, uint64_t gpa, uint64_t size)
{
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.guest_memfd = (uint32_t)fd,
	};
	int ret = gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r);

	assert(ret == 0);
}

void test_close_mapped(int vm, int fd, char *host, uint64_t size)
{
	int ret = gmem_munmap(host, size);

	assert(ret == 0);
	ret = gmem_close(fd);
	assert(ret == 0);
	ret = gmem_close(vm);
	assert(ret == 0);
}

int test_convert(int fd, uint64_t offset, uint64_t size, bool private,
		 uint64_t mode, uint64_t *error_offset)
{
	struct kvm_memory_attributes2 a = {
		.offset = offset,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = mode,
	};
	int ret = gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);

	if (error_offset)
		*error_offset = a.error_offset;
	return ret;
}

bool page_allocated(int fd, uint64_t offset)
{
	unsigned char v = 0xff;
	int ret = gmem_get_allocation(fd, offset, PAGE, &v);

	assert(ret == 0);
	assert(v == 0 || v == 1);
	return v;
}

uint64_t attributes_at(int fd, uint64_t offset)
{
	uint64_t a = ~0ULL;
	int ret = gmem_get_attributes(fd, offset, &a);

	assert(ret == 0);
	return a;
}
