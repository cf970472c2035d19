// SPDX-License-Identifier: MIT
/*
 * Launching an SEV-SNP guest: populating a 64 MiB image in place against
 * the legacy flow, and the launch measurement against OpenSSL.
 *
 * Populate: each sample makes a fresh SNP VM on the memfd backend with a
 * 64 MiB guest_memfd, prepares it as the flow needs (in place: the image
 * written through a host mapping, converted to private with PRESERVE;
 * legacy: converted to private, the image in separate memory), and times
 * the KVM_SEV_SNP_LAUNCH_UPDATE calls alone. Both measure and encrypt
 * every page; the legacy flow also copies each page in. Goal: in place at
 * least 1.5x the legacy throughput (time ratio at most 0.67).
 *
 * Memory: the resident memory (RssAnon + RssShmem) a flow adds from
 * before the image exists to after the populate. In place there is no
 * second copy of the image. Goal: at most 0.6x the legacy flow's.
 *
 * Measurement, white-box: the SNP platform's measure step on one 4 KiB
 * NORMAL page (the page's SHA-384, then the PAGE_INFO record's) against
 * OpenSSL's one-shot SHA384() over the same bytes. Goal: at least 0.8x
 * its throughput (time ratio at most 1.25).
 */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gmem/gmem.h>

#include "bench.h"
#include "platform/platform.h"

#define IMAGE (64 * BENCH_MIB)
#define GPA   0x100000000ULL

struct flow {
	bool in_place;
	int vm, fd;
	char *host;
	unsigned char *image; /* legacy: the separate source */
	long rss_before;
	long rss_grew; /* bytes, from the last sample */
};

/* RssAnon + RssShmem of this process, in bytes. */
static long resident_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib, total = 0;

	if (!f)
		bench_die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld kB", &kib) == 1 ||
		    sscanf(line, "RssShmem: %ld kB", &kib) == 1)
			total += kib * 1024;
	fclose(f);
	return total;
}

static void fill_image(unsigned char *p)
{
	for (uint64_t i = 0; i < IMAGE; i += 8) {
		uint64_t v = i * 0x9e3779b97f4a7c15ULL;

		memcpy(p + i, &v, sizeof(v));
	}
}

static void sev(int vm, uint32_t id, void *data)
{
	struct kvm_sev_cmd cmd = { .id = id, .data = (uintptr_t)data };

	if (gmem_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd))
		bench_die("KVM_MEMORY_ENCRYPT_OP");
}

static void flow_open(struct flow *f)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD,
		  .uapi = GMEM_UAPI_RFC_V4);
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = IMAGE,
	};
	struct kvm_sev_snp_launch_start start = { .policy = 1ULL << 17 };
	struct kvm_sev_init init = { 0 };

	f->rss_before = resident_bytes();
	f->vm = gmem_create_vm_opts(KVM_X86_SNP_VM, &o);
	if (f->vm < 0)
		bench_die("gmem_create_vm_opts");
	f->fd = bench_gmem(f->vm, IMAGE);
	r.guest_memfd = (uint32_t)f->fd;
	if (gmem_ioctl(f->vm, KVM_SET_USER_MEMORY_REGION2, &r))
		bench_die("KVM_SET_USER_MEMORY_REGION2");
	sev(f->vm, KVM_SEV_INIT2, &init);
	sev(f->vm, KVM_SEV_SNP_LAUNCH_START, &start);
	f->host = bench_map(f->fd, IMAGE);
	f->image = NULL;
	if (f->in_place) {
		fill_image((unsigned char *)f->host);
		bench_convert(f->fd, 0, IMAGE, true,
			      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
		return;
	}
	f->image = mmap(NULL, IMAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->image == MAP_FAILED)
		bench_die("mmap");
	fill_image(f->image);
	bench_convert(f->fd, 0, IMAGE, true, 0);
}

static void flow_close(struct flow *f)
{
	f->rss_grew = resident_bytes() - f->rss_before;
	if (f->image)
		munmap(f->image, IMAGE);
	gmem_munmap(f->host, IMAGE);
	gmem_close(f->fd);
	gmem_close(f->vm);
}

/* LAUNCH_UPDATE until the whole image is in, as a VMM loops. */
static double op_populate(void *arg, unsigned int rep)
{
	struct flow *f = arg;
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = GPA >> 12,
		.len = IMAGE,
		.type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
	};
	double t0;

	(void)rep;
	flow_open(f);
	u.uaddr = (uintptr_t)f->image; /* NULL in place */
	t0 = bench_now();
	while (u.len)
		sev(f->vm, KVM_SEV_SNP_LAUNCH_UPDATE, &u);
	t0 = bench_now() - t0;
	flow_close(f);
	return t0;
}

static void populate_rows(void)
{
	struct flow in_place = { .in_place = true }, legacy = { 0 };
	struct bench_row r = {
		.name = "populate 64 MiB in place (uaddr 0)",
		.backend = "memfd",
		.unit = BENCH_NS,
		.baseline_name = "legacy populate from a separate source",
		.goal = { BENCH_GOAL_RATIO_MAX, 0.67,
			  "≥ 1.5× legacy throughput (≤ 0.67× its time)" },
	};
	struct bench_row m = {
		.name = "resident memory added, in place",
		.backend = "memfd",
		.unit = BENCH_BYTES,
		.baseline_name = "the legacy flow's",
		.goal = { BENCH_GOAL_RATIO_MAX, 0.6,
			  "no second copy of the image (≤ 0.6× legacy)" },
	};

	bench_table("SNP: populate a 64 MiB image, in place against legacy");
	if (!bench_backend_wanted(GMEM_BACKEND_MEMFD))
		bench_unmeasured("the memfd backend was not asked for");
	bench_pair(bench_reps(5), op_populate, &in_place, op_populate, &legacy,
		   &r.figure, &r.baseline);
	bench_print(&r);
	if (bench_measuring()) {
		m.figure = (struct bench_stats){ 1,
						 in_place.rss_grew,
						 in_place.rss_grew,
						 in_place.rss_grew,
						 in_place.rss_grew,
						 in_place.rss_grew };
		m.baseline = (struct bench_stats){ 1,
						   legacy.rss_grew,
						   legacy.rss_grew,
						   legacy.rss_grew,
						   legacy.rss_grew,
						   legacy.rss_grew };
	}
	bench_print(&m);
	bench_unmeasured(NULL);
	bench_note("Times per 64 MiB populate; memory from the last sample of "
		   "each flow (RssAnon + RssShmem).");
}

/* ---- the measurement, white-box ---- */

#define MEASURE_PAGES 256u

struct measure_ctx {
	unsigned char *pages;
	struct launch_digest digest;
	struct launch_cmd cmd;
};

static double op_measure(void *arg, unsigned int rep)
{
	struct measure_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < MEASURE_PAGES; i++)
		if (platform_snp.launch->measure(&c->digest, &c->cmd,
						 GPA + i * BENCH_PAGE,
						 c->pages + i * BENCH_PAGE))
			bench_die("measure");
	return (bench_now() - t0) / MEASURE_PAGES;
}

/* The same bytes hashed: the page, then a 0x70-byte record. */
static double op_sha384(void *arg, unsigned int rep)
{
	struct measure_ctx *c = arg;
	unsigned char record[0x70] = { 0 };
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < MEASURE_PAGES; i++) {
		SHA384(c->pages + i * BENCH_PAGE, BENCH_PAGE, record + 0x30);
		SHA384(record, sizeof(record), record);
	}
	return (bench_now() - t0) / MEASURE_PAGES;
}

static void measure_rows(void)
{
	struct measure_ctx c = {
		.cmd = { .page_type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
			 .measure_contents = true },
	};
	struct bench_row r = {
		.name = "SNP measure step, one 4 KiB page",
		.backend = "-",
		.unit = BENCH_NS,
		.baseline_name = "OpenSSL SHA384() on the same bytes",
		.goal = { BENCH_GOAL_RATIO_MAX, 1.25,
			  "≥ 0.8× OpenSSL (≤ 1.25× its time)" },
	};

	c.pages = calloc(MEASURE_PAGES, BENCH_PAGE);
	if (!c.pages)
		bench_die("calloc");
	memset(c.pages, 0x5a, MEASURE_PAGES * BENCH_PAGE);
	launch_digest_init(&c.digest);
	bench_table("The launch measurement, SHA-384");
	bench_pair(bench_reps(50), op_measure, &c, op_sha384, &c, &r.figure,
		   &r.baseline);
	bench_print(&r);
	bench_note("Figures per page, %u pages a sample.", MEASURE_PAGES);
	launch_digest_destroy(&c.digest);
	free(c.pages);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "bench_launch: SNP populate and measurement");
	populate_rows();
	measure_rows();
	return bench_finish();
}
