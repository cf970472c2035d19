// SPDX-License-Identifier: MIT
/*
 * Description: gmem_vm_opts.kvm_vm, a real KVM VM under a VM on the memfd
 * backend (the hosts whose kernel has no mappable guest_memfd). The field
 * is size-versioned: a caller whose sz ends before it reads 0, a larger
 * sz with a zero tail is accepted and a non-zero tail is E2BIG, values
 * other than 0 and 1 are EINVAL, and without /dev/kvm it is ENODEV. Where
 * KVM runs vCPUs, a real-mode guest reads a private page's bytes through
 * the plain memslot libgmem binds over its own view of the file, while
 * the host's mapping of that page raises SIGBUS; the same through
 * KVM_SET_USER_MEMORY_REGION where KVM_SET_USER_MEMORY_REGION2 is missing
 * (forced here, white-box); and closing the file takes the slot out of
 * the real VM, so that the guest no longer reaches it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <gmem/gmem.h>

#include "fd_table.h"
#include "testutil.h"
#include "vm.h"

#define PAGE	   4096ULL
#define SECRET	   0x5a
#define GUEST_PORT 0x10

/* Real mode at gpa 0: mov al, [0x1000]; out 0x10, al; hlt. */
static const unsigned char guest_code[] = { 0xa0, 0x00,	      0x10,
					    0xe6, GUEST_PORT, 0xf4 };

struct opts_v1 { /* the struct as callers before kvm_vm knew it */
	size_t sz;
	unsigned int backend;
	bool vm_memory_attributes;
	bool experimental_policies;
};

static int vm_with(const struct gmem_vm_opts *o)
{
	return gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, o);
}

static bool kvm_present(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ---- the field's ABI ---- */

static void test_old_size_reads_zero(void **state)
{
	struct gmem_vm_opts o = { .backend = GMEM_BACKEND_MEMFD, .kvm_vm = 1 };
	int vm;

	(void)state;
	o.sz = sizeof(struct opts_v1);
	assert_int_equal(sizeof(struct opts_v1),
			 offsetof(struct gmem_vm_opts, kvm_vm));
	vm = vm_with(&o);
	assert_true(vm >= 0);
	/* kvm_vm lay past sz: read as 0, so no real VM. */
	assert_int_equal(gmem_vm_kvm_fd(vm), -1);
	assert_int_equal(errno, ENODEV);
	assert_int_equal(gmem_close(vm), 0);
}

static void test_unknown_tail(void **state)
{
	struct {
		struct gmem_vm_opts o;
		uint64_t newer;
	} big = { .o = { .backend = GMEM_BACKEND_MEMFD } };
	int vm;

	(void)state;
	big.o.sz = sizeof(big);
	big.newer = 1;
	assert_int_equal(vm_with(&big.o), -1);
	assert_int_equal(errno, E2BIG);
	big.newer = 0;
	vm = vm_with(&big.o);
	assert_true(vm >= 0);
	assert_int_equal(gmem_close(vm), 0);
}

static void test_bad_value(void **state)
{
	struct gmem_vm_opts o = { .sz = sizeof(o),
				  .backend = GMEM_BACKEND_MEMFD,
				  .kvm_vm = 2 };

	(void)state;
	assert_int_equal(vm_with(&o), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_no_kvm_is_enodev(void **state)
{
	struct gmem_vm_opts o = { .sz = sizeof(o),
				  .backend = GMEM_BACKEND_MEMFD,
				  .kvm_vm = 1 };

	(void)state;
	if (kvm_present())
		skip(); /* checked where /dev/kvm is missing */
	assert_int_equal(vm_with(&o), -1);
	assert_int_equal(errno, ENODEV);
}

/* ---- a guest over the plain memslot ---- */

struct guest {
	int vm, kvm_vm, gmem;
	char *host; /* the host's mapping, gmem_mmap */
};

/* A memfd VM with a real VM under it, and two pages at gpa 0: the code,
 * then a secret that the guest made private (PRESERVE). */
static void guest_setup(struct guest *g, bool user_memory2)
{
	struct gmem_vm_opts o = { .sz = sizeof(o),
				  .backend = GMEM_BACKEND_MEMFD,
				  .kvm_vm = 1 };
	struct kvm_create_guest_memfd args = {
		.size = 2 * PAGE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_userspace_memory_region2 slot = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.memory_size = 2 * PAGE,
	};
	struct kvm_memory_attributes2 attr = {
		.offset = PAGE,
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
		.flags = KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
	};
	struct gmem_object *obj;

	g->vm = vm_with(&o);
	assert_true(g->vm >= 0);
	g->kvm_vm = gmem_vm_kvm_fd(g->vm);
	assert_true(g->kvm_vm >= 0);
	if (!user_memory2) { /* a KVM before 6.8 */
		obj = fd_table_get(g->vm);
		assert_non_null(obj);
		vm_from_object(obj)->backend.kvm_user_memory2 = false;
		gmem_object_put(obj);
	}
	g->gmem = gmem_ioctl(g->vm, KVM_CREATE_GUEST_MEMFD, &args);
	assert_true(g->gmem >= 0);
	slot.guest_memfd = (uint32_t)g->gmem;
	assert_int_equal(gmem_ioctl(g->vm, KVM_SET_USER_MEMORY_REGION2, &slot),
			 0);
	g->host = gmem_mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    g->gmem, 0);
	assert_true(g->host != MAP_FAILED);
	memcpy(g->host, guest_code, sizeof(guest_code));
	g->host[PAGE] = SECRET;
	assert_int_equal(gmem_ioctl(g->gmem, KVM_SET_MEMORY_ATTRIBUTES2, &attr),
			 0);
}

static void guest_teardown(struct guest *g)
{
	if (g->host)
		assert_int_equal(gmem_munmap(g->host, 2 * PAGE), 0);
	if (g->gmem >= 0)
		assert_int_equal(gmem_close(g->gmem), 0);
	assert_int_equal(gmem_close(g->vm), 0);
}

/* Whether the host, mapping page `offset` of `gmem` and reading it, gets
 * SIGBUS (caught, so the test goes on). */
static bool host_read_sigbus(int gmem, uint64_t offset)
{
	char *p = gmem_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, gmem,
			    (off_t)offset);
	int got;

	assert_ptr_not_equal(p, MAP_FAILED);
	got = host_read(p);
	assert_int_equal(gmem_munmap(p, PAGE), 0);
	return got == -1;
}

/* Run the guest on a new vCPU: the exit reason, and in *byte what it
 * wrote to GUEST_PORT. -1 if KVM would not run it. */
static int guest_run(int kvm_vm, unsigned char *byte)
{
	int sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vcpu = ioctl(kvm_vm, KVM_CREATE_VCPU, 0);
	int size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };
	struct kvm_sregs sregs;
	struct kvm_run *run;
	int reason = -1;

	assert_true(sys >= 0 && vcpu >= 0 && size > 0);
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
		   0);
	assert_true(run != MAP_FAILED);
	assert_int_equal(ioctl(vcpu, KVM_GET_SREGS, &sregs), 0);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	assert_int_equal(ioctl(vcpu, KVM_SET_SREGS, &sregs), 0);
	assert_int_equal(ioctl(vcpu, KVM_SET_REGS, &regs), 0);
	if (!ioctl(vcpu, KVM_RUN, 0)) {
		reason = (int)run->exit_reason;
		if (reason == KVM_EXIT_IO && run->io.port == GUEST_PORT)
			*byte = *((unsigned char *)run + run->io.data_offset);
	}
	munmap(run, (size_t)size);
	close(vcpu);
	close(sys);
	return reason;
}

static void guest_reads_private(bool user_memory2)
{
	struct guest g = { 0 };
	unsigned char byte = 0;

	if (!kvm_present())
		skip(); /* no /dev/kvm: no vCPUs */
	guest_setup(&g, user_memory2);
	assert_true(host_read_sigbus(g.gmem, PAGE));
	assert_false(host_read_sigbus(g.gmem, 0)); /* the shared code page */
	assert_int_equal(guest_run(g.kvm_vm, &byte), KVM_EXIT_IO);
	assert_int_equal(byte, SECRET);
	guest_teardown(&g);
}

static void test_guest_reads_private(void **state)
{
	(void)state;
	guest_reads_private(true);
}

static void test_guest_reads_private_region1(void **state)
{
	(void)state;
	guest_reads_private(false);
}

/* The file goes: its plain slot leaves the real VM before the view is
 * unmapped, so the guest reaches no memory at gpa 0 any more (KVM cannot
 * even fetch its code), rather than whatever is mapped there next. */
static void test_closing_file_unbinds(void **state)
{
	struct guest g = { 0 };
	unsigned char byte = 0;
	int reason;

	(void)state;
	if (!kvm_present())
		skip();
	guest_setup(&g, true);
	assert_int_equal(gmem_munmap(g.host, 2 * PAGE), 0);
	g.host = NULL;
	assert_int_equal(gmem_close(g.gmem), 0);
	g.gmem = -1;
	reason = guest_run(g.kvm_vm, &byte);
	assert_true(reason == KVM_EXIT_MMIO ||
		    reason == KVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(byte, 0);
	guest_teardown(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_old_size_reads_zero),
		cmocka_unit_test(test_unknown_tail),
		cmocka_unit_test(test_bad_value),
		cmocka_unit_test(test_no_kvm_is_enodev),
		cmocka_unit_test(test_guest_reads_private),
		cmocka_unit_test(test_guest_reads_private_region1),
		cmocka_unit_test(test_closing_file_unbinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
