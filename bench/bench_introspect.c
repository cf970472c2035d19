// SPDX-License-Identifier: MIT
/*
 * What the introspection endpoint (gmem_introspect(3)) costs the
 * conversion path. The conversion path only adds to relaxed atomic
 * counters, on every VM; a VM served on the endpoint also has its state
 * read by the endpoint's thread, under its files' conversion locks, one
 * slot at a time. Each row converts 4 KiB both ways (shared→private
 * PRESERVE, private→shared ZERO, on populated pages) on a served VM
 * against an unserved one, interleaved: first with the endpoint open and
 * nobody asking, then with a client asking for snapshots without pause
 * (the worst a debugger can do: gmemctl watch asks once a second). The
 * ratio is served / unserved.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "bench.h"

#define FILE_SIZE (64 * BENCH_MIB)
#define GPA	  0x100000000ULL
#define PRESERVE  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define ZERO	  KVM_SET_MEMORY_ATTRIBUTES2_ZERO

struct served_ctx {
	int vm, fd;
	char *map;
	bool to_private;
};

static char sock_path[108];
static atomic_bool reader_stop;
static atomic_ulong snapshots;

static int served_vm(bool served)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD,
		  .introspect_path = served ? sock_path : NULL);
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &o);

	if (vm < 0)
		bench_die("gmem_create_vm_opts");
	return vm;
}

static void open_ctx(struct served_ctx *c, bool served)
{
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = FILE_SIZE,
	};

	c->vm = served_vm(served);
	c->fd = bench_gmem(c->vm, FILE_SIZE);
	r.guest_memfd = (uint32_t)c->fd;
	if (gmem_ioctl(c->vm, KVM_SET_USER_MEMORY_REGION2, &r))
		bench_die("KVM_SET_USER_MEMORY_REGION2");
	c->map = bench_map(c->fd, FILE_SIZE);
	bench_populate(c->map, FILE_SIZE);
}

static void close_ctx(struct served_ctx *c)
{
	gmem_munmap(c->map, FILE_SIZE);
	gmem_close(c->fd);
	gmem_close(c->vm);
}

static double op_convert(void *arg, unsigned int rep)
{
	struct served_ctx *c = arg;
	uint64_t off = bench_rand() % (FILE_SIZE / BENCH_PAGE) * BENCH_PAGE;
	double t0;

	(void)rep;
	bench_convert(c->fd, off, BENCH_PAGE, !c->to_private, PRESERVE);
	if (c->to_private)
		bench_populate(c->map + off, BENCH_PAGE);
	t0 = bench_now();
	bench_convert(c->fd, off, BENCH_PAGE, c->to_private,
		      c->to_private ? PRESERVE : ZERO);
	return bench_now() - t0;
}

/* One snapshot, read whole and dropped. */
static void ask_snapshot(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[65536];
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(addr.sun_path, sock_path);
	if (s >= 0 && !connect(s, (struct sockaddr *)&addr, sizeof(addr)) &&
	    send(s, "snapshot\n", 9, MSG_NOSIGNAL) == 9) {
		while (read(s, buf, sizeof(buf)) > 0)
			;
		atomic_fetch_add(&snapshots, 1);
	}
	if (s >= 0)
		close(s);
}

static void *reader_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&reader_stop))
		ask_snapshot();
	return NULL;
}

static void row(const char *name, struct served_ctx *served,
		struct served_ctx *plain, double bound)
{
	struct bench_row r = {
		.name = name,
		.backend = "memfd",
		.unit = BENCH_NS,
		.baseline_name = "the same VM, not served",
		.goal = { bound ? BENCH_GOAL_RATIO_MAX : BENCH_GOAL_NONE, bound,
			  bound > 2 ? "≤ 3× under load" : "≤ 1.2× idle" },
	};

	bench_pair(bench_reps(400), op_convert, served, op_convert, plain,
		   &r.figure, &r.baseline);
	bench_print(&r);
}

static void both_ways(const char *load, struct served_ctx *served,
		      struct served_ctx *plain, double bound)
{
	char name[128];

	for (int dir = 0; dir < 2; dir++) {
		served->to_private = plain->to_private = !dir;
		snprintf(name, sizeof(name), "convert 4 KiB %s, %s",
			 dir ? "private→shared ZERO"
			     : "shared→private PRESERVE",
			 load);
		row(name, served, plain, bound);
	}
}

static void endpoint_rows(void)
{
	struct served_ctx served, plain;
	pthread_t reader;

	open_ctx(&served, true);
	open_ctx(&plain, false);
	both_ways("endpoint open, idle", &served, &plain, 1.2);
	if (pthread_create(&reader, NULL, reader_main, NULL))
		bench_die("pthread_create");
	both_ways("a client reading snapshots without pause", &served, &plain,
		  3.0);
	atomic_store(&reader_stop, true);
	pthread_join(reader, NULL);
	bench_note("%lu snapshots of a 64 MiB slot were read during the "
		   "loaded rows.",
		   atomic_load(&snapshots));
	close_ctx(&served);
	close_ctx(&plain);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv,
		   "bench_introspect: the introspection endpoint's cost on "
		   "conversions");
	snprintf(sock_path, sizeof(sock_path), "/tmp/gmem-bench-%ld.sock",
		 (long)getpid());
	bench_table("A VM served on the introspection endpoint against one "
		    "that is not");
	if (bench_backend_wanted(GMEM_BACKEND_MEMFD))
		endpoint_rows();
	bench_note("Ratio: served / not served. Counting is on every VM (one "
		   "relaxed atomic add a conversion); a report holds one "
		   "slot's conversion lock shared while it reads that slot.");
	return bench_finish();
}
