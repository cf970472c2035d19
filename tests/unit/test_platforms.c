// SPDX-License-Identifier: MIT
/*
 * Description: the platform models beyond the matrix. SEV-SNP and TDX
 * keep private pages as AES-XTS ciphertext (the same plaintext differs
 * from page to page and from VM to VM, the guest reads it back in clear,
 * the host never finds the plaintext); pKVM keeps contents only for the
 * conversion the guest asked for, and the request is used up; requests
 * are validated; the experimental policies exist only where a VM asked
 * for them, and the capability reports them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "testutil.h"

#define GPA	 0x80000000ULL
#define SIZE	 (8 * PAGE)
#define PRIV	 GMEM_GUEST_PRIVATE
#define PRESERVE KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE

struct vmf {
	int vm;
	int fd;
	char *host;
};

static void vmf_open(struct vmf *v, unsigned long type, bool experimental)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD,
		  .experimental_policies = experimental);

	v->vm = gmem_create_vm_opts(type, &o);
	assert_true(v->vm >= 0);
	v->fd = test_gmem_mapped(
		v->vm, SIZE,
		GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, &v->host);
	test_bind(v->vm, v->fd, GPA, SIZE);
}

static void vmf_close(struct vmf *v)
{
	test_close_mapped(v->vm, v->fd, v->host, SIZE);
}

/* Private pages 0 and 1 hold the same plaintext; share them, mode 0. */
static void write_twin_secrets(struct vmf *v, char *secret)
{
	memset(secret, 0x42, PAGE);
	assert_int_equal(test_convert(v->fd, 0, 2 * PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_guest_write(v->vm, GPA, secret, PAGE, PRIV),
			 PAGE);
	assert_int_equal(
		gmem_guest_write(v->vm, GPA + PAGE, secret, PAGE, PRIV), PAGE);
}

static void test_encrypted_at_rest(unsigned long type)
{
	struct vmf a, b;
	char secret[PAGE], back[PAGE], a0[PAGE];

	vmf_open(&a, type, false);
	vmf_open(&b, type, false);
	write_twin_secrets(&a, secret);
	write_twin_secrets(&b, secret);
	assert_int_equal(gmem_guest_read(a.vm, GPA + PAGE, back, PAGE, PRIV),
			 PAGE);
	assert_memory_equal(back, secret, PAGE);

	assert_int_equal(test_convert(a.fd, 0, 2 * PAGE, false, 0, NULL), 0);
	assert_int_equal(test_convert(b.fd, 0, 2 * PAGE, false, 0, NULL), 0);
	memcpy(a0, a.host, PAGE);
	assert_memory_not_equal(a0, secret, PAGE);
	assert_null(memmem(a.host, 2 * PAGE, secret, 16));
	/* The tweak: another page; the key: another VM. */
	assert_memory_not_equal(a0, a.host + PAGE, PAGE);
	assert_memory_not_equal(a0, b.host, PAGE);
	vmf_close(&a);
	vmf_close(&b);
}

static void test_snp_encrypted_at_rest(void **state)
{
	(void)state;
	test_encrypted_at_rest(KVM_X86_SNP_VM);
}

static void test_tdx_encrypted_at_rest(void **state)
{
	(void)state;
	test_encrypted_at_rest(KVM_X86_TDX_VM);
}

/* SW_PROTECTED keeps private memory in clear: PRESERVE shows it as is. */
static void test_sw_protected_plain(void **state)
{
	struct vmf v;
	char secret[PAGE];

	(void)state;
	vmf_open(&v, KVM_X86_SW_PROTECTED_VM, false);
	write_twin_secrets(&v, secret);
	assert_int_equal(test_convert(v.fd, 0, 2 * PAGE, false, PRESERVE, NULL),
			 0);
	assert_memory_equal(v.host, secret, PAGE);
	vmf_close(&v);
}

static void test_pkvm_preserve_needs_request(void **state)
{
	struct vmf v;
	uint64_t eo = 0;

	(void)state;
	vmf_open(&v, KVM_VM_TYPE_ARM_PROTECTED, false);
	memset(v.host, 0x33, 4 * PAGE);
	assert_int_equal(
		test_convert(v.fd, PAGE, 2 * PAGE, true, PRESERVE, &eo), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(eo, PAGE);

	/* A request for another range, or the other way, does not count. */
	assert_int_equal(gmem_guest_request(v.vm, GPA + PAGE, PAGE, true), 0);
	assert_int_equal(gmem_guest_request(v.vm, GPA + PAGE, 2 * PAGE, false),
			 0);
	assert_int_equal(
		test_convert(v.fd, PAGE, 2 * PAGE, true, PRESERVE, NULL), -1);
	assert_int_equal(errno, EOPNOTSUPP);

	assert_int_equal(gmem_guest_request(v.vm, GPA + PAGE, 2 * PAGE, true),
			 0);
	assert_int_equal(
		test_convert(v.fd, PAGE, 2 * PAGE, true, PRESERVE, NULL), 0);
	assert_true(host_all(v.host, PAGE, 0x33));
	assert_int_equal(host_read(v.host + PAGE), -1);
	/* Used up: the same conversion again needs a new request. */
	assert_int_equal(
		test_convert(v.fd, PAGE, 2 * PAGE, true, PRESERVE, NULL), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	/* Back, as the guest asked: the host reads the guest's bytes. */
	assert_int_equal(gmem_guest_write(v.vm, GPA + PAGE, "guest", 5, PRIV),
			 5);
	assert_int_equal(test_convert(v.fd, PAGE, 2 * PAGE, false, 0, NULL), 0);
	assert_true(host_all(v.host + PAGE, 2 * PAGE, 0));
	vmf_close(&v);
}

static void test_guest_request_checks(void **state)
{
	struct vmf v;

	(void)state;
	vmf_open(&v, KVM_VM_TYPE_ARM_PROTECTED, false);
	assert_int_equal(gmem_guest_request(v.vm, GPA, 0, true), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_guest_request(v.vm, GPA + 1, PAGE, true), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_guest_request(v.vm, GPA, PAGE + 1, true), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_guest_request(v.vm, GPA + SIZE, PAGE, true), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_request(v.vm, GPA, 2 * SIZE, true), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_request(v.fd, GPA, PAGE, true), -1);
	assert_int_equal(errno, EINVAL);
	vmf_close(&v);
}

static void test_experimental_policies_opt_in(void **state)
{
	const uint64_t policies[] = { GMEM_ATTRIBUTES2_READABLE,
				      GMEM_ATTRIBUTES2_ENCRYPTED,
				      GMEM_ATTRIBUTES2_DESTROY };
	struct vmf plain, opted;

	(void)state;
	vmf_open(&plain, KVM_X86_SNP_VM, false);
	vmf_open(&opted, KVM_X86_SNP_VM, true);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(test_convert(plain.fd, 0, PAGE, false,
					      policies[i], NULL),
				 -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(gmem_ioctl(plain.vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
			 KVM_SET_MEMORY_ATTRIBUTES2_ZERO);
	assert_int_equal(gmem_ioctl(opted.vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
			 KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
				 GMEM_ATTRIBUTES2_ENCRYPTED |
				 GMEM_ATTRIBUTES2_DESTROY);
	/* Two policies at once are no policy. */
	assert_int_equal(test_convert(opted.fd, 0, PAGE, false,
				      GMEM_ATTRIBUTES2_ENCRYPTED |
					      GMEM_ATTRIBUTES2_DESTROY,
				      NULL),
			 -1);
	assert_int_equal(errno, EINVAL);
	vmf_close(&plain);
	vmf_close(&opted);
}

/* DESTROY frees the memory: the pages have none afterwards. */
static void test_destroy_frees(void **state)
{
	struct vmf v;

	(void)state;
	vmf_open(&v, KVM_X86_SW_PROTECTED_VM, true);
	memset(v.host, 0x66, 4 * PAGE);
	assert_true(page_allocated(v.fd, 2 * PAGE));
	assert_int_equal(test_convert(v.fd, 0, 4 * PAGE, true,
				      GMEM_ATTRIBUTES2_DESTROY, NULL),
			 0);
	for (uint64_t p = 0; p < 4; p++)
		assert_false(page_allocated(v.fd, p * PAGE));
	vmf_close(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snp_encrypted_at_rest),
		cmocka_unit_test(test_tdx_encrypted_at_rest),
		cmocka_unit_test(test_sw_protected_plain),
		cmocka_unit_test(test_pkvm_preserve_needs_request),
		cmocka_unit_test(test_guest_request_checks),
		cmocka_unit_test(test_experimental_policies_opt_in),
		cmocka_unit_test(test_destroy_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
