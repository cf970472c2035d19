// SPDX-License-Identifier: MIT
/*
 * Description: the content-mode matrix. Both generations of the series'
 * uAPI (RFC v4's content modes, v6's none), every platform (and pKVM with
 * the guest's request), both directions, every content mode (the kernel's
 * and the experimental ones), and four shapes of range: already converted,
 * mixed, with an unallocated hole, with a pinned page. Each cell converts
 * a four-page range and records the call's result, what the new reader of
 * the range sees (the host after to-shared, the guest after to-private),
 * and whether the hole stayed a hole. The expected table lives in
 * docs/CONTENT-MODES.md; this program reads it (its path is the first
 * argument), prints the observed table, and fails on any difference.
 * With --print it only prints the observed table in the document's form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "testutil.h"

#define NPAGES	    4
#define SIZE	    (NPAGES * PAGE)
#define GPA	    0x10000000ULL
#define SOURCE_BYTE 0xa1 /* what the old owner wrote */
#define TARGET_BYTE 0xb2 /* what the new owner wrote, where it owned */

/* A step of setting a cell up failed: the matrix cannot be trusted. */
#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "test_matrix: %s:%d: %s\n", __FILE__,  \
				__LINE__, #cond);                              \
			exit(2);                                               \
		}                                                              \
	} while (0)

struct platform_row {
	const char *name;
	unsigned long type;
	bool guest_asks;
};

static const struct platform_row platforms[] = {
	{ "default", KVM_X86_DEFAULT_VM, false },
	{ "sw_protected", KVM_X86_SW_PROTECTED_VM, false },
	{ "pkvm", KVM_VM_TYPE_ARM_PROTECTED, false },
	{ "pkvm+request", KVM_VM_TYPE_ARM_PROTECTED, true },
	{ "snp", KVM_X86_SNP_VM, false },
	{ "tdx", KVM_X86_TDX_VM, false },
};

static const struct {
	const char *name;
	uint64_t flags;
} modes[] = {
	{ "0", 0 },
	{ "ZERO", KVM_SET_MEMORY_ATTRIBUTES2_ZERO },
	{ "PRESERVE", KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE },
	{ "READABLE", GMEM_ATTRIBUTES2_READABLE },
	{ "ENCRYPTED", GMEM_ATTRIBUTES2_ENCRYPTED },
	{ "DESTROY", GMEM_ATTRIBUTES2_DESTROY },
};

enum shape { CONVERTED, MIXED, HOLE, PINNED, NSHAPES };
static const char *const shape_names[] = { "converted", "mixed", "hole",
					   "pinned" };

static const struct {
	const char *name;
	unsigned int uapi;
} generations[] = {
	{ "rfc-v4", GMEM_UAPI_RFC_V4 },
	{ "v6", GMEM_UAPI_V6 },
};

struct cell {
	unsigned int uapi;
	int vm;
	int fd;
	char *host;
	bool to_private;
	enum shape shape;
	const struct platform_row *p;
	uint64_t mode;
	bool encrypted;
};

struct outcome {
	char result[16];
	char sees[16];
	char hole[16];
};

/* Which pages start in the target state already. */
static bool starts_in_target(const struct cell *c, int page)
{
	return c->shape == CONVERTED || (c->shape == MIXED && page < 2);
}

static bool page_is_hole(const struct cell *c, int page)
{
	return c->shape == HOLE && page == 1;
}

/* The file starts all shared; make the pages the shape wants private. */
static void make_private_pages(const struct cell *c)
{
	for (int page = 0; page < NPAGES; page++) {
		bool target = starts_in_target(c, page);

		if (target == c->to_private &&
		    !(c->shape == PINNED && page == 3))
			REQUIRE(test_convert(c->fd, page * PAGE, PAGE, true, 0,
					     NULL) == 0);
	}
}

/* Each page's owner writes its byte: the host to shared pages, the guest
 * to private ones (through encryption where there is one). */
static void fill_pages(const struct cell *c)
{
	char buf[PAGE];

	for (int page = 0; page < NPAGES; page++) {
		bool private = attributes_at(c->fd, page * PAGE) != 0;
		unsigned char byte =
			starts_in_target(c, page) ? TARGET_BYTE : SOURCE_BYTE;

		if (page_is_hole(c, page))
			continue;
		memset(buf, byte, PAGE);
		if (private)
			REQUIRE(gmem_guest_write(c->vm, GPA + page * PAGE, buf,
						 PAGE,
						 GMEM_GUEST_PRIVATE) == PAGE);
		else
			memcpy(c->host + page * PAGE, buf, PAGE);
	}
}

static int setup_cell(struct cell *c)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD,
		  .experimental_policies = true, .uapi = c->uapi);
	struct kvm_create_guest_memfd args = {
		.size = SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = SIZE,
	};

	c->vm = gmem_create_vm_opts(c->p->type, &o);
	c->fd = gmem_ioctl(c->vm, KVM_CREATE_GUEST_MEMFD, &args);
	r.guest_memfd = (uint32_t)c->fd;
	if (c->vm < 0 || c->fd < 0 ||
	    gmem_ioctl(c->vm, KVM_SET_USER_MEMORY_REGION2, &r))
		return -1;
	c->host = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    c->fd, 0);
	if (c->host == MAP_FAILED)
		return -1;
	/* A default VM holds no private page at all: its file stays shared
	 * and only the call itself is judged. */
	if (c->p->type != KVM_X86_DEFAULT_VM)
		make_private_pages(c);
	fill_pages(c);
	if (c->shape == PINNED)
		REQUIRE(gmem_pin(c->fd, (c->to_private ? 2 : 3) * PAGE, PAGE) ==
			0);
	if (c->p->guest_asks)
		REQUIRE(gmem_guest_request(c->vm, GPA, SIZE, c->to_private) ==
			0);
	return 0;
}

/* What the new reader of one page sees. */
static const char *classify_page(const struct cell *c, int page)
{
	unsigned char expect =
		starts_in_target(c, page) ? TARGET_BYTE : SOURCE_BYTE;
	char buf[PAGE];
	bool zero = true, kept = true;

	if (c->to_private)
		REQUIRE(gmem_guest_read(c->vm, GPA + page * PAGE, buf, PAGE,
					GMEM_GUEST_PRIVATE) == PAGE);
	else if (host_read(c->host + page * PAGE) < 0)
		return "SIGBUS";
	else
		memcpy(buf, c->host + page * PAGE, PAGE);
	for (int i = 0; i < (int)PAGE; i++) {
		zero &= buf[i] == 0;
		kept &= (unsigned char)buf[i] == expect;
	}
	if (kept)
		return "kept";
	if (zero)
		return "zero";
	/* Not the old bytes and not zeros: ciphertext, or plaintext read
	 * through a cipher, or random bytes. */
	return c->encrypted ? "cipher" : "random";
}

/* One word for the range: every page alike, or "mixed". */
static void classify(const struct cell *c, struct outcome *o)
{
	const char *all = NULL;

	for (int page = 0; page < NPAGES; page++) {
		const char *one;

		if (page_is_hole(c, page))
			continue;
		one = classify_page(c, page);
		if (!all)
			all = one;
		else if (strcmp(all, one))
			all = "mixed";
	}
	snprintf(o->sees, sizeof(o->sees), "%s", all);
}

static void run_cell(struct cell *c, struct outcome *o)
{
	snprintf(o->hole, sizeof(o->hole), "-");
	snprintf(o->sees, sizeof(o->sees), "-");
	if (setup_cell(c)) {
		snprintf(o->result, sizeof(o->result), "setup");
		return;
	}
	if (test_convert(c->fd, 0, SIZE, c->to_private, c->mode, NULL)) {
		snprintf(o->result, sizeof(o->result), "%s",
			 strerrorname_np(errno));
		return;
	}
	snprintf(o->result, sizeof(o->result), "ok");
	classify(c, o);
	if (c->shape == HOLE)
		snprintf(o->hole, sizeof(o->hole), "%s",
			 page_allocated(c->fd, PAGE) ? "filled" : "hole");
}

static void close_cell(struct cell *c)
{
	if (c->host && c->host != MAP_FAILED)
		gmem_munmap(c->host, SIZE);
	if (c->fd >= 0)
		gmem_close(c->fd);
	if (c->vm >= 0)
		gmem_close(c->vm);
}

/* The document's row for a cell:
 * "| uapi | p | dir | mode | shape | r | s | h |". */
static void format_row(char *line, size_t len, const struct cell *c,
		       const char *mode, const struct outcome *o)
{
	snprintf(line, len, "| %s | %s | %s | %s | %s | %s | %s | %s |",
		 gmem_uapi_name((int)c->uapi), c->p->name,
		 c->to_private ? "to-private" : "to-shared", mode,
		 shape_names[c->shape], o->result, o->sees, o->hole);
}

/* Whether the document holds exactly this row. */
static bool doc_has(const char *doc, const char *row)
{
	const char *at = doc;
	size_t n = strlen(row);

	while ((at = strstr(at, row))) {
		if (at[n] == '\n' || at[n] == '\0')
			return true;
		at += n;
	}
	return false;
}

static char *read_doc(const char *path)
{
	FILE *f = fopen(path, "r");
	char *doc = calloc(1, 1 << 20);

	if (!f || !doc) {
		fprintf(stderr, "test_matrix: cannot read %s\n", path);
		exit(1);
	}
	fread(doc, 1, (1 << 20) - 1, f);
	fclose(f);
	return doc;
}

/* Runs one cell, prints its row, and counts it against the document. */
static void check_cell(const char *doc, struct cell *c, const char *mode,
		       int *cells, int *differ)
{
	struct outcome o;
	char line[256];
	bool ok;

	run_cell(c, &o);
	close_cell(c);
	format_row(line, sizeof(line), c, mode, &o);
	ok = !doc || doc_has(doc, line);
	(*cells)++;
	*differ += !ok;
	printf("%s%s\n", line, ok ? "" : "   <-- not in the document");
}

/* Every direction, mode and shape of one platform, in one generation. */
static void run_platform(const char *doc, unsigned int uapi,
			 const struct platform_row *p, int *cells, int *differ)
{
	for (int dir = 1; dir >= 0; dir--)
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
			for (int s = 0; s < NSHAPES; s++) {
				struct cell c = {
					.uapi = uapi,
					.p = p,
					.to_private = dir,
					.shape = (enum shape)s,
					.mode = modes[m].flags,
					.vm = -1,
					.fd = -1,
					.encrypted =
						p->type == KVM_X86_SNP_VM ||
						p->type == KVM_X86_TDX_VM,
				};

				check_cell(doc, &c, modes[m].name, cells,
					   differ);
			}
}

int main(int argc, char **argv)
{
	bool print_only = argc > 1 && !strcmp(argv[1], "--print");
	char *doc = print_only || argc < 2 ? NULL : read_doc(argv[1]);
	int cells = 0, differ = 0;

	for (size_t g = 0; g < sizeof(generations) / sizeof(generations[0]);
	     g++)
		for (size_t p = 0; p < sizeof(platforms) / sizeof(platforms[0]);
		     p++)
			run_platform(doc, generations[g].uapi, &platforms[p],
				     &cells, &differ);
	printf("matrix: %d cells, %d differ from the document\n", cells,
	       differ);
	free(doc);
	return argc < 2 || differ ? 1 : 0;
}
