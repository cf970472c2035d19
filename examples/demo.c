// SPDX-License-Identifier: MIT
/*
 * A tour of libgmem: make a VM and a guest_memfd on the best backend here,
 * map it, write and read it back, then convert a page to private and back,
 * showing what the host sees at each step. The VM follows the series'
 * uAPI generation GMEM_UAPI names (rfc-v4 unless told): under v6 no
 * content mode exists, so the tour converts with flags 0 and clears the
 * page itself where RFC v4 asked for ZERO.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gmem/gmem.h>

#define PAGE	  4096UL
#define FILE_SIZE (16 * PAGE)

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/* Read one byte, or report the signal the host gets for it. */
static const char *host_peek(volatile char *p, char *buf, size_t len)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	const char *what = buf;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(fault_jmp, 1))
		what = "SIGBUS (the page is private)";
	else
		snprintf(buf, len, "0x%02x", (unsigned char)*p);
	sigaction(SIGBUS, &old, NULL);
	return what;
}

static int convert(int fd, uint64_t offset, uint64_t size, bool private,
		   uint64_t mode)
{
	struct kvm_memory_attributes2 a = {
		.offset = offset,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = mode,
	};

	return gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
}

static void print_map(int fd)
{
	struct gmem_attr_range r[16];
	ssize_t n = gmem_get_attribute_ranges(fd, 0, FILE_SIZE, r, 16);

	printf("  attribute map:");
	for (ssize_t i = 0; i < n && i < 16; i++)
		printf(" [%#llx, %#llx) %s", (unsigned long long)r[i].offset,
		       (unsigned long long)(r[i].offset + r[i].size),
		       r[i].attributes ? "private" : "shared");
	printf("\n");
}

/* The mode a step asks for, where the VM's generation has modes. */
static uint64_t mode_of(bool v6, uint64_t mode)
{
	return v6 ? 0 : mode;
}

static int fail(const char *what)
{
	fprintf(stderr, "demo: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(void)
{
	struct kvm_create_guest_memfd args = {
		.size = FILE_SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	char buf[64];
	char *host;
	int vm, fd;
	bool v6;

	vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	printf("VM: type KVM_X86_SW_PROTECTED_VM, backend %s%s\n",
	       gmem_backend_name(gmem_get_backend(vm)),
	       gmem_get_backend(vm) == GMEM_BACKEND_KVM
		       ? " (the kernel's own guest_memfd)"
		       : " (memfd)");
	v6 = gmem_get_uapi(vm) == GMEM_UAPI_V6;
	printf("uAPI: %s of the in-place conversion series%s\n",
	       gmem_uapi_name(gmem_get_uapi(vm)),
	       v6 ? " (no content modes: flags 0, bytes left alone)"
		  : " (content modes ZERO and PRESERVE)");
	fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
	if (fd < 0)
		return fail("KVM_CREATE_GUEST_MEMFD");
	printf("guest_memfd: fd %d, %lu KiB, MMAP|INIT_SHARED\n", fd,
	       FILE_SIZE / 1024);
	host = gmem_mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 fd, 0);
	if (host == MAP_FAILED)
		return fail("mmap");
	strcpy(host + PAGE, "written by the host while shared");
	printf("host wrote page 1 and reads back: \"%s\"\n", host + PAGE);
	print_map(fd);

	if (convert(fd, PAGE, PAGE, true,
		    mode_of(v6, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)))
		return fail("convert to private");
	printf("page 1 converted to private %s\n",
	       v6 ? "(no mode)" : "with PRESERVE");
	printf("  host reads page 1: %s\n", host_peek(host + PAGE, buf, 64));
	print_map(fd);

	if (convert(fd, PAGE, PAGE, false,
		    mode_of(v6, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)))
		return fail("convert to shared");
	printf("page 1 converted back to shared %s\n",
	       v6 ? "(no mode: the bytes stayed)" : "with PRESERVE");
	printf("  host reads page 1: \"%s\"\n", host + PAGE);

	if (v6) {
		/* v6 has no ZERO: the VMM clears what it shares itself. */
		memset(host + PAGE, 0, PAGE);
		printf("v6 has no ZERO: the host cleared page 1 itself and "
		       "reads %s\n",
		       host_peek(host + PAGE, buf, 64));
	} else {
		if (convert(fd, PAGE, PAGE, false,
			    KVM_SET_MEMORY_ATTRIBUTES2_ZERO))
			return fail("ZERO");
		printf("ZERO applied to the shared page 1: host reads %s\n",
		       host_peek(host + PAGE, buf, 64));
	}
	print_map(fd);

	gmem_munmap(host, FILE_SIZE);
	gmem_close(fd);
	gmem_close(vm);
	return 0;
}
