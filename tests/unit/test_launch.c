// SPDX-License-Identifier: MIT
/*
 * Description: launching SEV-SNP and TDX guests (R88..R91, R114..R121).
 * Every launch command and every errno the kernel gives for it,
 * in the kernel's order: the phases (a command too early or twice), the
 * checks of each struct (flags and padding), a destination not private
 * as KVM tracks it or in no memslot, a source that cannot be read, a page
 * populated twice, and the progress written back when a walk stops part
 * way. The launch digest is checked against SHA-384 computed here, from
 * the published record layouts (docs/LAUNCH.md), not by the library's
 * code; the legacy flow (a separate source) and the in-place flow (the
 * image loaded while shared, kept by PRESERVE, populated with no source)
 * give the same digest and the same guest view; the memory of a populated
 * page holds ciphertext; PRESERVE to private is allowed until the launch
 * finishes and refused after; the introspection report follows the
 * phase, the pages measured and, once final, the digest.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>
#include <openssl/sha.h>

#include "testutil.h"

#define GPA	 0x100000ULL
#define NPAGES	 8
#define SIZE	 (NPAGES * PAGE)
#define PRIV	 GMEM_GUEST_PRIVATE
#define PRESERVE KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define MBO	 (1ULL << 17) /* the SNP policy bit that must be one */
#define NORMAL	 KVM_SEV_SNP_PAGE_TYPE_NORMAL
#define MEASURE	 KVM_TDX_MEASURE_MEMORY_REGION
#define BAD_PTR	 ((void *)16)
#define BAD_PAGE ((void *)PAGE) /* aligned, never mapped */

/* A VM with one guest_memfd of SIZE, shared at first, bound at GPA. */
struct lvm {
	int vm;
	int fd;
	char *host;
};

/* On a VM of `uapi` (RFC v4: content modes; v6: none), with the
 * attributes in guest_memfd or, with `vm_attributes`, in the VM. */
static void lvm_open_as(struct lvm *v, unsigned long type, unsigned int uapi,
			bool vm_attributes)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD, .uapi = uapi,
		  .vm_memory_attributes = vm_attributes);

	v->vm = gmem_create_vm_opts(type, &o);
	assert_true(v->vm >= 0);
	/* Per-VM attributes: the file starts shared by the VM's word. */
	v->fd = test_gmem_mapped(
		v->vm, SIZE,
		GUEST_MEMFD_FLAG_MMAP |
			(vm_attributes ? 0 : GUEST_MEMFD_FLAG_INIT_SHARED),
		&v->host);
	test_bind(v->vm, v->fd, GPA, SIZE);
}

static void lvm_open(struct lvm *v, unsigned long type)
{
	lvm_open_as(v, type, GMEM_UAPI_RFC_V4, false);
}

static void lvm_close(struct lvm *v)
{
	test_close_mapped(v->vm, v->fd, v->host, SIZE);
}

/* The image: different bytes in every page. */
static unsigned char *make_image(void)
{
	unsigned char *img = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_ptr_not_equal(img, MAP_FAILED);
	for (size_t i = 0; i < SIZE; i++)
		img[i] = (unsigned char)(i * 131 + (i / PAGE) * 7 + 1);
	return img;
}

static void free_image(unsigned char *img)
{
	munmap(img, SIZE);
}

/* ---- SEV-SNP commands ---- */

static int sev(int vm, uint32_t id, void *data, uint32_t *error)
{
	struct kvm_sev_cmd cmd = { .id = id, .data = (uintptr_t)data };
	int ret = gmem_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd);

	if (error)
		*error = cmd.error;
	return ret;
}

static void snp_init(int vm)
{
	struct kvm_sev_init init = { 0 };

	assert_int_equal(sev(vm, KVM_SEV_INIT2, &init, NULL), 0);
}

static void snp_start(int vm)
{
	struct kvm_sev_snp_launch_start start = { .policy = MBO };

	assert_int_equal(sev(vm, KVM_SEV_SNP_LAUNCH_START, &start, NULL), 0);
}

static int snp_update(int vm, uint64_t gpa, const void *src, uint64_t len,
		      uint8_t type, struct kvm_sev_snp_launch_update *out)
{
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = gpa >> 12,
		.uaddr = (uintptr_t)src,
		.len = len,
		.type = type,
	};
	int ret = sev(vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL);

	if (out)
		*out = u;
	return ret;
}

static int snp_finish(int vm, uint32_t *error)
{
	struct kvm_sev_snp_launch_finish f = { 0 };

	return sev(vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, error);
}

/* ---- TDX commands ---- */

static int tdx(int vm, uint32_t id, uint32_t flags, void *data)
{
	struct kvm_tdx_cmd cmd = { .id = id,
				   .flags = flags,
				   .data = (uintptr_t)data };

	return gmem_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd);
}

static struct kvm_tdx_init_vm *tdx_init_args(void)
{
	struct kvm_tdx_init_vm *init = calloc(
		1, sizeof(*init) + 256 * sizeof(struct kvm_cpuid_entry2));

	assert_non_null(init);
	return init;
}

static void tdx_init(int vm)
{
	struct kvm_tdx_init_vm *init = tdx_init_args();

	assert_int_equal(tdx(vm, KVM_TDX_INIT_VM, 0, init), 0);
	free(init);
}

static int tdx_region(int vm, const void *src, uint64_t gpa, uint64_t npages,
		      uint32_t flags, struct kvm_tdx_init_mem_region *out)
{
	struct kvm_tdx_init_mem_region r = {
		.source_addr = (uintptr_t)src,
		.gpa = gpa,
		.nr_pages = npages,
	};
	int ret = tdx(vm, KVM_TDX_INIT_MEM_REGION, flags, &r);

	if (out)
		*out = r;
	return ret;
}

/* ---- the independent measurements ---- */

/* SNP: PAGE_INFO laid out by hand (SEV-SNP Firmware ABI): the digest so
 * far, the contents' hash (zeros but for NORMAL pages), the length 0x70,
 * the page type, VMPL permissions 0, the gpa at 0x68. */
static void ref_snp_page(unsigned char digest[48], uint64_t gpa, uint8_t type,
			 const unsigned char *page)
{
	unsigned char rec[0x70] = { 0 };

	memcpy(rec, digest, 48);
	if (type == NORMAL)
		SHA384(page, PAGE, rec + 0x30);
	rec[0x60] = 0x70;
	rec[0x62] = type;
	for (int b = 0; b < 8; b++)
		rec[0x68 + b] = (unsigned char)(gpa >> (8 * b));
	SHA384(rec, sizeof(rec), digest);
}

static void ref_snp(unsigned char digest[48], uint64_t gpa,
		    const unsigned char *img, size_t npages)
{
	memset(digest, 0, 48);
	for (size_t i = 0; i < npages; i++)
		ref_snp_page(digest, gpa + i * PAGE, NORMAL, img + i * PAGE);
}

/* TDX: the bytes the TDX module hashes into MRTD, in one buffer. */
static size_t tdx_record(unsigned char *at, const char *name, uint64_t gpa)
{
	memset(at, 0, 128);
	memcpy(at, name, strlen(name));
	for (int b = 0; b < 8; b++)
		at[16 + b] = (unsigned char)(gpa >> (8 * b));
	return 128;
}

static void ref_tdx(unsigned char digest[48], uint64_t gpa,
		    const unsigned char *img, size_t npages, bool measure)
{
	unsigned char *stream = malloc(npages * (128 + 16 * (128 + 256)));
	size_t n = 0;

	assert_non_null(stream);
	for (size_t i = 0; i < npages; i++) {
		uint64_t page = gpa + i * PAGE;

		n += tdx_record(stream + n, "MEM.PAGE.ADD", page);
		for (size_t c = 0; measure && c < PAGE; c += 256) {
			n += tdx_record(stream + n, "MR.EXTEND", page + c);
			memcpy(stream + n, img + i * PAGE + c, 256);
			n += 256;
		}
	}
	SHA384(stream, n, digest);
	free(stream);
}

static void assert_digest(int vm, const unsigned char expected[48])
{
	unsigned char d[GMEM_LAUNCH_DIGEST_SIZE];

	assert_int_equal(gmem_get_launch_digest(vm, d, sizeof(d)), 48);
	assert_memory_equal(d, expected, 48);
}

static void assert_guest_sees(struct lvm *v, const unsigned char *img,
			      size_t npages)
{
	unsigned char *back = malloc(npages * PAGE);

	assert_non_null(back);
	assert_int_equal(gmem_guest_read(v->vm, GPA, back, npages * PAGE, PRIV),
			 (ssize_t)(npages * PAGE));
	assert_memory_equal(back, img, npages * PAGE);
	free(back);
}

/* ---- the two flows ---- */

/* Legacy: the range private first, the image in separate memory. */
static void load_legacy(struct lvm *v, unsigned long type,
			const unsigned char *img)
{
	struct kvm_sev_snp_launch_update u;
	struct kvm_tdx_init_mem_region r;

	assert_int_equal(test_convert(v->fd, 0, SIZE, true, 0, NULL), 0);
	if (type == KVM_X86_SNP_VM) {
		assert_int_equal(snp_update(v->vm, GPA, img, SIZE, NORMAL, &u),
				 0);
		assert_int_equal(u.len, 0);
		assert_int_equal(u.gfn_start, (GPA >> 12) + NPAGES);
		assert_int_equal(u.uaddr, (uintptr_t)img + SIZE);
	} else {
		assert_int_equal(
			tdx_region(v->vm, img, GPA, NPAGES, MEASURE, &r), 0);
		assert_int_equal(r.nr_pages, 0);
		assert_int_equal(r.gpa, GPA + SIZE);
		assert_int_equal(r.source_addr, (uintptr_t)img + SIZE);
	}
}

/* In place: written while shared, kept by PRESERVE, no source. */
static void load_in_place(struct lvm *v, unsigned long type,
			  const unsigned char *img)
{
	struct kvm_sev_snp_launch_update u;
	struct kvm_tdx_init_mem_region r;

	memcpy(v->host, img, SIZE);
	assert_int_equal(test_convert(v->fd, 0, SIZE, true, PRESERVE, NULL), 0);
	if (type == KVM_X86_SNP_VM) {
		assert_int_equal(snp_update(v->vm, GPA, NULL, SIZE, NORMAL, &u),
				 0);
		assert_int_equal(u.len, 0);
		assert_int_equal(u.uaddr, 0);
	} else {
		assert_int_equal(
			tdx_region(v->vm, NULL, GPA, NPAGES, MEASURE, &r), 0);
		assert_int_equal(r.nr_pages, 0);
		assert_int_equal(r.source_addr, 0);
	}
}

/* The launch of an open VM, to the measuring phase. */
static void begin_on(struct lvm *v, unsigned long type)
{
	if (type == KVM_X86_SNP_VM) {
		snp_init(v->vm);
		assert_int_equal(gmem_get_launch_state(v->vm),
				 GMEM_LAUNCH_INITIALIZED);
		snp_start(v->vm);
	} else {
		tdx_init(v->vm);
	}
	assert_int_equal(gmem_get_launch_state(v->vm), GMEM_LAUNCH_MEASURING);
}

static void begin(struct lvm *v, unsigned long type)
{
	lvm_open(v, type);
	begin_on(v, type);
}

static void finish(struct lvm *v, unsigned long type)
{
	if (type == KVM_X86_SNP_VM)
		assert_int_equal(snp_finish(v->vm, NULL), 0);
	else
		assert_int_equal(tdx(v->vm, KVM_TDX_FINALIZE_VM, 0, NULL), 0);
	assert_int_equal(gmem_get_launch_state(v->vm), GMEM_LAUNCH_FINISHED);
}

static void ref_digest(unsigned long type, const unsigned char *img,
		       unsigned char d[48])
{
	if (type == KVM_X86_SNP_VM)
		ref_snp(d, GPA, img, NPAGES);
	else
		ref_tdx(d, GPA, img, NPAGES, true);
}

/* Both flows: the independent digest, the same guest view, the same
 * digest for the same image; finishing freezes it. */
static void flows_agree(unsigned long type)
{
	unsigned char *img = make_image(), expected[48];
	struct lvm a, b;

	ref_digest(type, img, expected);
	begin(&a, type);
	begin(&b, type);
	load_legacy(&a, type, img);
	load_in_place(&b, type, img);
	assert_digest(a.vm, expected);
	assert_digest(b.vm, expected);
	finish(&a, type);
	finish(&b, type);
	assert_digest(a.vm, expected);
	assert_guest_sees(&a, img, NPAGES);
	assert_guest_sees(&b, img, NPAGES);
	/* Populate never converted: the attributes are the caller's. */
	assert_int_equal(attributes_at(b.fd, 0), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	lvm_close(&a);
	lvm_close(&b);
	free_image(img);
}

static void test_snp_flows_agree(void **state)
{
	(void)state;
	flows_agree(KVM_X86_SNP_VM);
}

static void test_tdx_flows_agree(void **state)
{
	(void)state;
	flows_agree(KVM_X86_TDX_VM);
}

/* The host never sees the image in a populated page's memory: converted
 * back to shared (mode 0 leaves the bytes), it reads ciphertext. */
static void encrypted_at_rest(unsigned long type)
{
	unsigned char *img = make_image();
	struct lvm v;

	begin(&v, type);
	load_in_place(&v, type, img);
	assert_int_equal(test_convert(v.fd, 0, SIZE, false, 0, NULL), 0);
	for (size_t i = 0; i < NPAGES; i++)
		assert_memory_not_equal(v.host + i * PAGE, img + i * PAGE,
					PAGE);
	assert_null(memmem(v.host, SIZE, img + PAGE, 32));
	lvm_close(&v);
	free_image(img);
}

static void test_snp_encrypted_at_rest(void **state)
{
	(void)state;
	encrypted_at_rest(KVM_X86_SNP_VM);
}

static void test_tdx_encrypted_at_rest(void **state)
{
	(void)state;
	encrypted_at_rest(KVM_X86_TDX_VM);
}

/* The digest is zeros before the start, readable page by page during
 * the launch, frozen after it (updates refused). */
static void digest_grows_then_freezes(unsigned long type)
{
	unsigned char *img = make_image(), expected[48] = { 0 };
	struct lvm v;

	lvm_open(&v, type);
	assert_int_equal(gmem_get_launch_state(v.vm), GMEM_LAUNCH_CREATED);
	assert_digest(v.vm, expected);
	if (type == KVM_X86_SNP_VM) {
		snp_init(v.vm);
		snp_start(v.vm);
	} else {
		tdx_init(v.vm);
		SHA384(img, 0, expected); /* MRTD of nothing */
	}
	assert_digest(v.vm, expected);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	for (size_t i = 1; i <= 2; i++) {
		uint64_t at = GPA + (i - 1) * PAGE;
		const unsigned char *src = img + (i - 1) * PAGE;

		if (type == KVM_X86_SNP_VM) {
			assert_int_equal(
				snp_update(v.vm, at, src, PAGE, NORMAL, NULL),
				0);
			ref_snp(expected, GPA, img, i);
		} else {
			assert_int_equal(
				tdx_region(v.vm, src, at, 1, MEASURE, NULL), 0);
			ref_tdx(expected, GPA, img, i, true);
		}
		assert_digest(v.vm, expected);
	}
	finish(&v, type);
	if (type == KVM_X86_SNP_VM)
		assert_int_equal(snp_update(v.vm, GPA + 2 * PAGE, img, PAGE,
					    NORMAL, NULL),
				 -1);
	else
		assert_int_equal(
			tdx_region(v.vm, img, GPA + 2 * PAGE, 1, 0, NULL), -1);
	assert_digest(v.vm, expected);
	lvm_close(&v);
	free_image(img);
}

static void test_snp_digest_grows_then_freezes(void **state)
{
	(void)state;
	digest_grows_then_freezes(KVM_X86_SNP_VM);
}

static void test_tdx_digest_grows_then_freezes(void **state)
{
	(void)state;
	digest_grows_then_freezes(KVM_X86_TDX_VM);
}

/* TDX without KVM_TDX_MEASURE_MEMORY_REGION: only MEM.PAGE.ADD. */
static void test_tdx_unmeasured_region(void **state)
{
	unsigned char *img = make_image(), expected[48];
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_TDX_VM);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(tdx_region(v.vm, img, GPA, NPAGES, 0, NULL), 0);
	ref_tdx(expected, GPA, img, NPAGES, false);
	assert_digest(v.vm, expected);
	assert_guest_sees(&v, img, NPAGES);
	lvm_close(&v);
	free_image(img);
}

/* SNP page types: ZERO reads no source and loads zeros; UNMEASURED and
 * CPUID load the source; SECRETS is the firmware's; only NORMAL pages put
 * their contents into the record. */
static void test_snp_page_types(void **state)
{
	static const uint8_t types[] = { KVM_SEV_SNP_PAGE_TYPE_ZERO,
					 KVM_SEV_SNP_PAGE_TYPE_UNMEASURED,
					 KVM_SEV_SNP_PAGE_TYPE_CPUID,
					 KVM_SEV_SNP_PAGE_TYPE_SECRETS };
	unsigned char *img = make_image(), expected[48] = { 0 }, back[PAGE];
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_SNP_VM);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	for (size_t i = 0; i < sizeof(types); i++) {
		uint64_t at = GPA + i * PAGE;

		/* A ZERO page ignores uaddr, even an unreadable one. */
		assert_int_equal(snp_update(v.vm, at,
					    i ? img + i * PAGE : BAD_PTR, PAGE,
					    types[i], NULL),
				 0);
		ref_snp_page(expected, at, types[i], NULL);
	}
	assert_digest(v.vm, expected);
	assert_int_equal(gmem_guest_read(v.vm, GPA, back, PAGE, PRIV), PAGE);
	assert_true(host_all((char *)back, PAGE, 0));
	for (size_t i = 1; i <= 2; i++) {
		assert_int_equal(
			gmem_guest_read(v.vm, GPA + i * PAGE, back, PAGE, PRIV),
			PAGE);
		assert_memory_equal(back, img + i * PAGE, PAGE);
	}
	assert_int_equal(
		gmem_guest_read(v.vm, GPA + 3 * PAGE, back, PAGE, PRIV), PAGE);
	assert_memory_not_equal(back, img + 3 * PAGE, PAGE);
	lvm_close(&v);
	free_image(img);
}

/* The introspection report's launch-state line: "launch-state PHASE
 * PAGES DIGEST", copied into phase and digest (NUL-terminated). */
static unsigned long long report_launch(int vm, char phase[16],
					char digest[100])
{
	static char text[1 << 16];
	unsigned long long pages = ~0ULL;
	char *line;

	assert_true(gmem_introspect(vm, text, sizeof(text)) > 0);
	line = strstr(text, "\nlaunch-state ");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "\nlaunch-state %15s %llu %99s", phase,
				&pages, digest),
			 3);
	return pages;
}

static void digest_hex(int vm, char hex[100])
{
	unsigned char d[GMEM_LAUNCH_DIGEST_SIZE];

	assert_int_equal(gmem_get_launch_digest(vm, d, sizeof(d)), 48);
	for (size_t i = 0; i < sizeof(d); i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
}

/* The report says the phase and the pages measured at every step, and
 * the digest only once it is final, as gmem_get_launch_digest() has it. */
static void report_follows_launch(unsigned long type)
{
	unsigned char *img = make_image();
	char phase[16], digest[100], expected[100];
	struct lvm v;

	lvm_open(&v, type);
	assert_int_equal(report_launch(v.vm, phase, digest), 0);
	assert_string_equal(phase, "created");
	assert_string_equal(digest, "-");
	begin_on(&v, type);
	assert_int_equal(report_launch(v.vm, phase, digest), 0);
	assert_string_equal(phase, "measuring");
	load_in_place(&v, type, img);
	assert_int_equal(report_launch(v.vm, phase, digest), NPAGES);
	assert_string_equal(digest, "-");
	finish(&v, type);
	assert_int_equal(report_launch(v.vm, phase, digest), NPAGES);
	assert_string_equal(phase, "finished");
	digest_hex(v.vm, expected);
	assert_string_equal(digest, expected);
	lvm_close(&v);
	free_image(img);
}

static void test_snp_report_follows_launch(void **state)
{
	(void)state;
	report_follows_launch(KVM_X86_SNP_VM);
}

static void test_tdx_report_follows_launch(void **state)
{
	(void)state;
	report_follows_launch(KVM_X86_TDX_VM);
}

/* A VM without a launch has no launch-state line. */
static void test_no_launch_no_report(void **state)
{
	static char text[1 << 16];
	int vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM);

	(void)state;
	assert_true(vm >= 0);
	assert_true(gmem_introspect(vm, text, sizeof(text)) > 0);
	assert_null(strstr(text, "launch-state"));
	gmem_close(vm);
}

/* PRESERVE to private: allowed until the launch finishes, EOPNOTSUPP
 * after, with error_offset; to shared never. */
static void preserve_until_finish(unsigned long type)
{
	uint64_t eo = 0;
	struct lvm v;

	begin(&v, type);
	assert_int_equal(test_convert(v.fd, 0, PAGE, true, PRESERVE, NULL), 0);
	assert_int_equal(test_convert(v.fd, 0, PAGE, false, PRESERVE, &eo), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	finish(&v, type);
	assert_int_equal(test_convert(v.fd, PAGE, PAGE, true, PRESERVE, &eo),
			 -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(eo, PAGE);
	assert_int_equal(attributes_at(v.fd, PAGE), 0);
	assert_int_equal(test_convert(v.fd, PAGE, PAGE, true, 0, NULL), 0);
	lvm_close(&v);
}

static void test_snp_preserve_until_finish(void **state)
{
	(void)state;
	preserve_until_finish(KVM_X86_SNP_VM);
}

static void test_tdx_preserve_until_finish(void **state)
{
	(void)state;
	preserve_until_finish(KVM_X86_TDX_VM);
}

/* v6 has no PRESERVE: the loaded range is converted with flags 0, which
 * leaves the bytes alone, and populated with no source (R94, R89). */
static void v6_in_place(unsigned long type)
{
	unsigned char *img = make_image(), expected[48];
	struct lvm v;

	lvm_open_as(&v, type, GMEM_UAPI_V6, false);
	begin_on(&v, type);
	memcpy(v.host, img, SIZE);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, PRESERVE, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	if (type == KVM_X86_SNP_VM)
		assert_int_equal(
			snp_update(v.vm, GPA, NULL, SIZE, NORMAL, NULL), 0);
	else
		assert_int_equal(
			tdx_region(v.vm, NULL, GPA, NPAGES, MEASURE, NULL), 0);
	ref_digest(type, img, expected);
	assert_digest(v.vm, expected);
	assert_guest_sees(&v, img, NPAGES);
	lvm_close(&v);
	free_image(img);
}

static void test_snp_v6_in_place(void **state)
{
	(void)state;
	v6_in_place(KVM_X86_SNP_VM);
}

static void test_tdx_v6_in_place(void **state)
{
	(void)state;
	v6_in_place(KVM_X86_TDX_VM);
}

/* With the attributes in the VM (vm_memory_attributes) a source is
 * needed: in place is EINVAL on SNP, EOPNOTSUPP on TDX; the legacy flow
 * works, by the VM's attributes. */
static void in_place_needs_gmem_attributes(unsigned long type, int err)
{
	struct kvm_memory_attributes a = {
		.address = GPA,
		.size = SIZE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	unsigned char *img = make_image(), expected[48];
	struct lvm v;

	lvm_open_as(&v, type, GMEM_UAPI_RFC_V4, true);
	begin_on(&v, type);
	if (type == KVM_X86_SNP_VM)
		assert_int_equal(snp_update(v.vm, GPA, img, PAGE, NORMAL, NULL),
				 -1);
	else
		assert_int_equal(tdx_region(v.vm, img, GPA, 1, 0, NULL), -1);
	assert_int_equal(errno, type == KVM_X86_SNP_VM ? EIO : EINVAL);
	assert_int_equal(gmem_ioctl(v.vm, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
	if (type == KVM_X86_SNP_VM) {
		assert_int_equal(
			snp_update(v.vm, GPA, NULL, SIZE, NORMAL, NULL), -1);
		assert_int_equal(errno, err);
		assert_int_equal(snp_update(v.vm, GPA, img, SIZE, NORMAL, NULL),
				 0);
	} else {
		assert_int_equal(
			tdx_region(v.vm, NULL, GPA, NPAGES, MEASURE, NULL), -1);
		assert_int_equal(errno, err);
		assert_int_equal(
			tdx_region(v.vm, img, GPA, NPAGES, MEASURE, NULL), 0);
	}
	ref_digest(type, img, expected);
	assert_digest(v.vm, expected);
	assert_guest_sees(&v, img, NPAGES);
	lvm_close(&v);
	free_image(img);
}

static void test_snp_in_place_needs_gmem_attributes(void **state)
{
	(void)state;
	in_place_needs_gmem_attributes(KVM_X86_SNP_VM, EINVAL);
}

static void test_tdx_in_place_needs_gmem_attributes(void **state)
{
	(void)state;
	in_place_needs_gmem_attributes(KVM_X86_TDX_VM, EOPNOTSUPP);
}

/* ---- SEV-SNP errors ---- */

/* Each command too early, twice, or after the finish. */
static void test_snp_order(void **state)
{
	struct kvm_sev_snp_launch_start start = { .policy = MBO };
	struct kvm_sev_init init = { 0 };
	unsigned char *img = make_image();
	uint32_t error = 0;
	struct lvm v;

	(void)state;
	lvm_open(&v, KVM_X86_SNP_VM);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_START, &start, NULL), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(snp_finish(v.vm, NULL), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(snp_update(v.vm, GPA, img, PAGE, NORMAL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	snp_init(v.vm);
	assert_int_equal(sev(v.vm, KVM_SEV_INIT2, &init, NULL), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(sev(v.vm, 2 /* KVM_SEV_LAUNCH_START */, &init, NULL),
			 -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(snp_update(v.vm, GPA, img, PAGE, NORMAL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(snp_finish(v.vm, NULL), -1);
	assert_int_equal(errno, EINVAL);
	snp_start(v.vm);
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_START, &start, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(snp_update(v.vm, GPA, img, PAGE, NORMAL, NULL), 0);
	assert_int_equal(snp_finish(v.vm, &error), 0);
	assert_int_equal(error, 0);
	/* The firmware refuses: INVALID_GUEST_STATE. */
	assert_int_equal(snp_finish(v.vm, &error), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(error, 2);
	error = 0;
	assert_int_equal(snp_update(v.vm, GPA + PAGE, img, PAGE, NORMAL, NULL),
			 -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_START, &start, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_get_launch_state(v.vm), GMEM_LAUNCH_FINISHED);
	lvm_close(&v);
	free_image(img);
}

/* The header: unknown ids, unreadable pointers, a NULL argument. */
static void test_snp_header(void **state)
{
	struct lvm v;

	(void)state;
	lvm_open(&v, KVM_X86_SNP_VM);
	assert_int_equal(sev(v.vm, 99, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(sev(v.vm, 200, NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_ioctl(v.vm, KVM_MEMORY_ENCRYPT_OP, BAD_PTR), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_ioctl(v.vm, KVM_MEMORY_ENCRYPT_OP, NULL), 0);
	assert_int_equal(sev(v.vm, KVM_SEV_INIT2, BAD_PTR, NULL), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_launch_state(v.vm), GMEM_LAUNCH_CREATED);
	lvm_close(&v);
}

static void init2_einval(int vm, struct kvm_sev_init init)
{
	assert_int_equal(sev(vm, KVM_SEV_INIT2, &init, NULL), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_snp_init2_checks(void **state)
{
	struct kvm_sev_init ok = { .ghcb_version = 2 };
	struct lvm v;

	(void)state;
	lvm_open(&v, KVM_X86_SNP_VM);
	init2_einval(v.vm, (struct kvm_sev_init){ .flags = 1 });
	init2_einval(v.vm, (struct kvm_sev_init){ .vmsa_features = 1 });
	init2_einval(v.vm, (struct kvm_sev_init){ .ghcb_version = 1 });
	init2_einval(v.vm, (struct kvm_sev_init){ .ghcb_version = 3 });
	init2_einval(v.vm, (struct kvm_sev_init){ .pad1 = 1 });
	init2_einval(v.vm, (struct kvm_sev_init){ .pad2 = { [7] = 1 } });
	assert_int_equal(gmem_get_launch_state(v.vm), GMEM_LAUNCH_CREATED);
	assert_int_equal(sev(v.vm, KVM_SEV_INIT2, &ok, NULL), 0);
	lvm_close(&v);
}

static void start_einval(int vm, struct kvm_sev_snp_launch_start start)
{
	assert_int_equal(sev(vm, KVM_SEV_SNP_LAUNCH_START, &start, NULL), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_snp_start_checks(void **state)
{
	struct lvm v;

	(void)state;
	lvm_open(&v, KVM_X86_SNP_VM);
	snp_init(v.vm);
	start_einval(v.vm, (struct kvm_sev_snp_launch_start){ .policy = 0 });
	start_einval(v.vm, (struct kvm_sev_snp_launch_start){
				   .policy = MBO | (1ULL << 18) });
	start_einval(v.vm, (struct kvm_sev_snp_launch_start){
				   .policy = MBO | (1ULL << 40) });
	start_einval(v.vm, (struct kvm_sev_snp_launch_start){ .policy = MBO,
							      .flags = 1 });
	start_einval(v.vm, (struct kvm_sev_snp_launch_start){
				   .policy = MBO, .pad0 = { [5] = 1 } });
	start_einval(v.vm, (struct kvm_sev_snp_launch_start){
				   .policy = MBO, .pad1 = { [3] = 1 } });
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_START, BAD_PTR, NULL),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_launch_state(v.vm), GMEM_LAUNCH_INITIALIZED);
	snp_start(v.vm);
	lvm_close(&v);
}

/* A bad struct is EINVAL and nothing is written back. */
static void update_einval(int vm, struct kvm_sev_snp_launch_update u)
{
	struct kvm_sev_snp_launch_update before = u;

	assert_int_equal(sev(vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_memory_equal(&u, &before, sizeof(u));
}

static void test_snp_update_checks(void **state)
{
	unsigned char *img = make_image();
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = GPA >> 12,
		.uaddr = (uintptr_t)img,
		.len = PAGE,
		.type = NORMAL,
	}, bad;
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_SNP_VM);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	bad = u, bad.len = 0, update_einval(v.vm, bad);
	bad = u, bad.len = PAGE + 1, update_einval(v.vm, bad);
	bad = u, bad.flags = 1, update_einval(v.vm, bad);
	bad = u, bad.type = 2 /* VMSA: not through this command */,
	update_einval(v.vm, bad);
	bad = u, bad.type = 7, update_einval(v.vm, bad);
	bad = u, bad.pad0 = 1, update_einval(v.vm, bad);
	bad = u, bad.pad1 = 1, update_einval(v.vm, bad);
	bad = u, bad.pad2[3] = 1, update_einval(v.vm, bad);
	bad = u, bad.uaddr += 8, update_einval(v.vm, bad);
	/* gfns in no memslot */
	bad = u, bad.gfn_start = 0, update_einval(v.vm, bad);
	bad = u, bad.gfn_start = 1ULL << 60, update_einval(v.vm, bad);
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_UPDATE, BAD_PTR, NULL),
			 -1);
	assert_int_equal(errno, EFAULT);
	lvm_close(&v);
	free_image(img);
}

/* Page errors: the first page failing is EIO (firmware status 0: KVM
 * refused it); a later one stops the walk, which succeeds with the
 * progress written back. */
static void test_snp_page_errors(void **state)
{
	unsigned char *img = make_image(), expected[48];
	struct kvm_sev_snp_launch_update u;
	uint32_t error = 7;
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_SNP_VM);
	/* Shared as KVM tracks it: populate does not convert (R90). */
	u = (struct kvm_sev_snp_launch_update){ .gfn_start = GPA >> 12,
						.uaddr = (uintptr_t)img,
						.len = PAGE,
						.type = NORMAL };
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, &error), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(error, 0);
	assert_int_equal(attributes_at(v.fd, 0), 0);
	/* Pages 0..2 private: a walk over 4 stops at page 3. */
	assert_int_equal(test_convert(v.fd, 0, 3 * PAGE, true, 0, NULL), 0);
	assert_int_equal(snp_update(v.vm, GPA, img, 4 * PAGE, NORMAL, &u), 0);
	assert_int_equal(u.gfn_start, (GPA >> 12) + 3);
	assert_int_equal(u.len, PAGE);
	assert_int_equal(u.uaddr, (uintptr_t)img + 3 * PAGE);
	ref_snp(expected, GPA, img, 3);
	assert_digest(v.vm, expected);
	/* Twice: the page is the firmware's already. */
	assert_int_equal(snp_update(v.vm, GPA, img, PAGE, NORMAL, NULL), -1);
	assert_int_equal(errno, EIO);
	assert_digest(v.vm, expected);
	/* An unreadable source. */
	assert_int_equal(test_convert(v.fd, 3 * PAGE, 5 * PAGE, true, 0, NULL),
			 0);
	assert_int_equal(
		snp_update(v.vm, GPA + 3 * PAGE, BAD_PAGE, PAGE, NORMAL, NULL),
		-1);
	assert_int_equal(errno, EIO);
	/* The walk ends with the memslot: 5 pages asked, 5 left in it. */
	assert_int_equal(snp_update(v.vm, GPA + 3 * PAGE, img, 8 * PAGE,
				    KVM_SEV_SNP_PAGE_TYPE_ZERO, &u),
			 0);
	assert_int_equal(u.len, 3 * PAGE);
	assert_int_equal(u.gfn_start, (GPA >> 12) + NPAGES);
	assert_int_equal(u.uaddr, (uintptr_t)img); /* ZERO: not advanced */
	for (size_t i = 3; i < NPAGES; i++)
		ref_snp_page(expected, GPA + i * PAGE,
			     KVM_SEV_SNP_PAGE_TYPE_ZERO, NULL);
	assert_digest(v.vm, expected);
	lvm_close(&v);
	free_image(img);
}

/* In place, a walk that stops part way leaves uaddr at 0: the retry with
 * what was written back stays in place and ends the image. */
static void test_snp_in_place_retry(void **state)
{
	unsigned char *img = make_image(), expected[48];
	struct kvm_sev_snp_launch_update u;
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_SNP_VM);
	memcpy(v.host, img, SIZE);
	assert_int_equal(test_convert(v.fd, 0, 5 * PAGE, true, PRESERVE, NULL),
			 0);
	assert_int_equal(snp_update(v.vm, GPA, NULL, SIZE, NORMAL, &u), 0);
	assert_int_equal(u.len, 3 * PAGE);
	assert_int_equal(u.uaddr, 0);
	assert_int_equal(
		test_convert(v.fd, 5 * PAGE, 3 * PAGE, true, PRESERVE, NULL),
		0);
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u, NULL), 0);
	assert_int_equal(u.len, 0);
	ref_snp(expected, GPA, img, NPAGES);
	assert_digest(v.vm, expected);
	assert_guest_sees(&v, img, NPAGES);
	lvm_close(&v);
	free_image(img);
}

static void test_snp_finish_checks(void **state)
{
	struct kvm_sev_snp_launch_finish f;
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_SNP_VM);
	f = (struct kvm_sev_snp_launch_finish){ .flags = 1 };
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, NULL), -1);
	assert_int_equal(errno, EINVAL);
	f = (struct kvm_sev_snp_launch_finish){ .pad0 = { [2] = 1 } };
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, NULL), -1);
	assert_int_equal(errno, EINVAL);
	f = (struct kvm_sev_snp_launch_finish){ .pad1 = { [1] = 1 } };
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, NULL), -1);
	assert_int_equal(errno, EINVAL);
	f = (struct kvm_sev_snp_launch_finish){
		.id_block_en = 1,
		.id_block_uaddr = (uintptr_t)BAD_PTR,
	};
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_FINISH, &f, NULL), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(sev(v.vm, KVM_SEV_SNP_LAUNCH_FINISH, BAD_PTR, NULL),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_launch_state(v.vm), GMEM_LAUNCH_MEASURING);
	lvm_close(&v);
}

/* A page converted back to shared is reclaimed from the firmware: made
 * private again, it can be populated again. */
static void test_snp_repopulate_after_shared(void **state)
{
	unsigned char *img = make_image();
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_SNP_VM);
	assert_int_equal(test_convert(v.fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(snp_update(v.vm, GPA, img, PAGE, NORMAL, NULL), 0);
	assert_int_equal(test_convert(v.fd, 0, PAGE, false, 0, NULL), 0);
	assert_int_equal(test_convert(v.fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(snp_update(v.vm, GPA, img, PAGE, NORMAL, NULL), 0);
	assert_guest_sees(&v, img, 1);
	lvm_close(&v);
	free_image(img);
}

/* ---- TDX errors ---- */

static void test_tdx_order(void **state)
{
	unsigned char *img = make_image();
	struct kvm_tdx_init_vm *init = tdx_init_args();
	struct lvm v;

	(void)state;
	lvm_open(&v, KVM_X86_TDX_VM);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(tdx_region(v.vm, img, GPA, 1, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tdx(v.vm, KVM_TDX_FINALIZE_VM, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, init), 0);
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, init), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tdx_region(v.vm, img, GPA, 1, 0, NULL), 0);
	assert_int_equal(tdx(v.vm, KVM_TDX_FINALIZE_VM, 0, NULL), 0);
	assert_int_equal(tdx(v.vm, KVM_TDX_FINALIZE_VM, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tdx_region(v.vm, img, GPA + PAGE, 1, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	free(init);
	lvm_close(&v);
	free_image(img);
}

static void test_tdx_header(void **state)
{
	struct kvm_tdx_cmd cmd = { .id = KVM_TDX_FINALIZE_VM, .hw_error = 1 };
	struct lvm v;

	(void)state;
	lvm_open(&v, KVM_X86_TDX_VM);
	assert_int_equal(gmem_ioctl(v.vm, KVM_MEMORY_ENCRYPT_OP, &cmd), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_ioctl(v.vm, KVM_MEMORY_ENCRYPT_OP, BAD_PTR), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_ioctl(v.vm, KVM_MEMORY_ENCRYPT_OP, NULL), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(tdx(v.vm, KVM_TDX_CAPABILITIES, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tdx(v.vm, 9, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	lvm_close(&v);
}

static void test_tdx_init_vm_checks(void **state)
{
	struct kvm_tdx_init_vm *init = tdx_init_args();
	struct lvm v;

	(void)state;
	lvm_open(&v, KVM_X86_TDX_VM);
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 1, init), -1);
	assert_int_equal(errno, EINVAL);
	init->reserved[11] = 1;
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, init), -1);
	assert_int_equal(errno, EINVAL);
	init->reserved[11] = 0;
	init->cpuid.padding = 1;
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, init), -1);
	assert_int_equal(errno, EINVAL);
	init->cpuid.padding = 0;
	init->attributes = 1; /* DEBUG: not supported by KVM */
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, init), -1);
	assert_int_equal(errno, EINVAL);
	init->attributes = 0;
	init->cpuid.nent = 257;
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, init), -1);
	assert_int_equal(errno, E2BIG);
	init->cpuid.nent = 2;
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, BAD_PTR), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_launch_state(v.vm), GMEM_LAUNCH_CREATED);
	init->attributes = 1ULL << 28; /* SEPT_VE_DISABLE */
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_VM, 0, init), 0);
	free(init);
	lvm_close(&v);
}

/* A bad region is EINVAL and nothing is written back. */
static void region_einval(int vm, struct kvm_tdx_init_mem_region r,
			  uint32_t flags)
{
	struct kvm_tdx_init_mem_region before = r;

	assert_int_equal(tdx(vm, KVM_TDX_INIT_MEM_REGION, flags, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_memory_equal(&r, &before, sizeof(r));
}

static void test_tdx_region_checks(void **state)
{
	unsigned char *img = make_image();
	struct kvm_tdx_init_mem_region r = { .source_addr = (uintptr_t)img,
					     .gpa = GPA,
					     .nr_pages = 1 },
				       bad;
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_TDX_VM);
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	region_einval(v.vm, r, 2);
	bad = r, bad.source_addr += 8, region_einval(v.vm, bad, 0);
	bad = r, bad.gpa += 8, region_einval(v.vm, bad, 0);
	bad = r, bad.nr_pages = 0, region_einval(v.vm, bad, 0);
	bad = r, bad.nr_pages = 1ULL << 52, region_einval(v.vm, bad, 0);
	bad = r, bad.gpa = GPA | (1ULL << 47), region_einval(v.vm, bad, 0);
	bad = r, bad.gpa = (1ULL << 47) - PAGE, bad.nr_pages = 2,
	region_einval(v.vm, bad, 0);
	assert_int_equal(tdx(v.vm, KVM_TDX_INIT_MEM_REGION, 0, BAD_PTR), -1);
	assert_int_equal(errno, EFAULT);
	lvm_close(&v);
	free_image(img);
}

/* Page errors pass through with the region written back: the kernel's
 * errno, the pages done skipped. */
static void test_tdx_page_errors(void **state)
{
	unsigned char *img = make_image(), expected[48];
	struct kvm_tdx_init_mem_region r;
	struct lvm v;

	(void)state;
	begin(&v, KVM_X86_TDX_VM);
	assert_int_equal(tdx_region(v.vm, img, GPA, 1, MEASURE, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(r.nr_pages, 1);
	assert_int_equal(attributes_at(v.fd, 0), 0);
	assert_int_equal(test_convert(v.fd, 0, 2 * PAGE, true, 0, NULL), 0);
	assert_int_equal(tdx_region(v.vm, img, GPA, 3, MEASURE, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(r.nr_pages, 1);
	assert_int_equal(r.gpa, GPA + 2 * PAGE);
	assert_int_equal(r.source_addr, (uintptr_t)img + 2 * PAGE);
	ref_tdx(expected, GPA, img, 2, true);
	assert_digest(v.vm, expected);
	assert_int_equal(tdx_region(v.vm, img, GPA + PAGE, 1, 0, NULL), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(test_convert(v.fd, 2 * PAGE, PAGE, true, 0, NULL), 0);
	assert_int_equal(tdx_region(v.vm, BAD_PAGE, GPA + 2 * PAGE, 1, 0, &r),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(r.nr_pages, 1);
	/* Past the memslot: a page in no slot. */
	assert_int_equal(test_convert(v.fd, 2 * PAGE, 6 * PAGE, true, 0, NULL),
			 0);
	assert_int_equal(tdx_region(v.vm, img, GPA + 6 * PAGE, 4, 0, &r), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(r.nr_pages, 2);
	assert_int_equal(r.gpa, GPA + SIZE);
	lvm_close(&v);
	free_image(img);
}

/* ---- the extension on its own ---- */

static void test_digest_errors(void **state)
{
	unsigned char d[GMEM_LAUNCH_DIGEST_SIZE];
	struct kvm_sev_cmd cmd = { .id = KVM_SEV_INIT2 };
	struct lvm v, s;

	(void)state;
	lvm_open(&v, KVM_X86_SNP_VM);
	lvm_open(&s, KVM_X86_SW_PROTECTED_VM);
	assert_int_equal(gmem_get_launch_digest(v.vm, d, 47), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_get_launch_digest(v.vm, BAD_PTR, 48), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_launch_digest(v.fd, d, 48), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_get_launch_digest(-1, d, 48), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(gmem_get_launch_digest(s.vm, d, 48), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_get_launch_state(s.vm), -1);
	assert_int_equal(errno, EINVAL);
	/* No launch commands on other VM types. */
	assert_int_equal(gmem_ioctl(s.vm, KVM_MEMORY_ENCRYPT_OP, &cmd), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(gmem_get_launch_digest(v.vm, d, 64), 48);
	lvm_close(&v);
	lvm_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snp_flows_agree),
		cmocka_unit_test(test_tdx_flows_agree),
		cmocka_unit_test(test_snp_encrypted_at_rest),
		cmocka_unit_test(test_tdx_encrypted_at_rest),
		cmocka_unit_test(test_snp_digest_grows_then_freezes),
		cmocka_unit_test(test_tdx_digest_grows_then_freezes),
		cmocka_unit_test(test_tdx_unmeasured_region),
		cmocka_unit_test(test_snp_page_types),
		cmocka_unit_test(test_snp_preserve_until_finish),
		cmocka_unit_test(test_tdx_preserve_until_finish),
		cmocka_unit_test(test_snp_report_follows_launch),
		cmocka_unit_test(test_tdx_report_follows_launch),
		cmocka_unit_test(test_no_launch_no_report),
		cmocka_unit_test(test_snp_v6_in_place),
		cmocka_unit_test(test_tdx_v6_in_place),
		cmocka_unit_test(test_snp_in_place_needs_gmem_attributes),
		cmocka_unit_test(test_tdx_in_place_needs_gmem_attributes),
		cmocka_unit_test(test_snp_order),
		cmocka_unit_test(test_snp_header),
		cmocka_unit_test(test_snp_init2_checks),
		cmocka_unit_test(test_snp_start_checks),
		cmocka_unit_test(test_snp_update_checks),
		cmocka_unit_test(test_snp_page_errors),
		cmocka_unit_test(test_snp_in_place_retry),
		cmocka_unit_test(test_snp_finish_checks),
		cmocka_unit_test(test_snp_repopulate_after_shared),
		cmocka_unit_test(test_tdx_order),
		cmocka_unit_test(test_tdx_header),
		cmocka_unit_test(test_tdx_init_vm_checks),
		cmocka_unit_test(test_tdx_region_checks),
		cmocka_unit_test(test_tdx_page_errors),
		cmocka_unit_test(test_digest_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
