// SPDX-License-Identifier: MIT
/*
 * Description: the gmem conformance suite. It checks that libgmem's
 * guest_memfd behaves as the Linux kernel's does, case by case: creation
 * (KVM_CREATE_GUEST_MEMFD sizes, flags, reserved words), KVM_CHECK_EXTENSION
 * and VM types, plain file operations on the returned fd (read/write, lseek,
 * fstat, fsync, fcntl, reopen), mmap and faults (SIGBUS past EOF and on
 * private files, coherence, persistence), fallocate and ftruncate, and
 * memslot binding (KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_GUEST_MEMFD).
 *
 * Every case runs five ways: on the real kernel ("kernel"), through
 * libgmem with its kvm backend ("gmem-kvm") and with its memfd backend
 * ("gmem-memfd"), and those two again with VMs of the v6+ generation of
 * the series' uAPI ("gmem-kvm/v6", "gmem-memfd/v6"; docs/SEMANTICS.md
 * R111). The outcomes must agree with each other and with the case's
 * expectation, taken from docs/SEMANTICS.md (what the 6.18 kernel was
 * measured to do, or the series says where 6.18 has nothing to say), so
 * the suite can fail even where /dev/kvm is missing. A case whose answer
 * differs between the generations carries the v6+ one apart; the "/v6"
 * ways are held to it.
 *
 * Where the kernel cannot answer (no KVM, no guest_memfd), the kernel's
 * column holds the answer recorded from Linux 6.18 in the file given with
 * --answers (marked "[rec]"), so the library is still compared with a real
 * kernel's answers. An older guest_memfd (no MMAP or INIT_SHARED: Linux
 * 6.8 to 6.17) answers live, and where it answers otherwise than the
 * recorded kernel, its answer is printed as a note and the recorded one
 * stands in. --record FILE appends this
 * kernel's answers to FILE instead (scripts/record-kernel-answers.sh).
 *
 * Each case runs in a child process, so a crash or a hang in one case is
 * reported as that case's outcome and the others still run.
 *
 * Exit: 0 if every case agrees, 1 if one differs, 77 if no way could run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "answers.h"
#include "conformance.h"
#include "host_probe.h"

#define CASE_TIMEOUT 30 /* seconds */

struct way {
	const struct driver *d;
	bool selected;
	bool available;
	const char *why;
};

static struct way ways[] = {
	{ .d = &driver_kernel },
#ifndef CONFORMANCE_KERNEL_ONLY
	{ .d = &driver_gmem_kvm },    { .d = &driver_gmem_memfd },
	{ .d = &driver_gmem_kvm_v6 }, { .d = &driver_gmem_memfd_v6 },
#endif
};

#define NWAYS	   (sizeof(ways) / sizeof(ways[0]))
#define KERNEL_WAY 0

static const struct case_group *const groups[] = {
	&group_vm,	  &group_create,  &group_fileops, &group_mmap,
	&group_fallocate, &group_memslot, &group_fds,	  &group_descriptors,
	&group_fork,	  &group_series,
};

struct options {
	const char *backend; /* NULL: all ways */
	const char *only;    /* NULL: every case */
	const char *answers; /* recorded answers, or NULL */
	const char *record;  /* append the kernel's answers here */
	bool list;
	bool no_fork;
};

struct result {
	const struct conf_case *c;
	struct outcome way[NWAYS];
	bool ran[NWAYS];
	bool recorded[NWAYS]; /* the outcome is a recorded answer */
	struct outcome older; /* an older kernel's own, where it differed */
	bool agree;
};

static struct answers *recorded;

/* ---- running one case one way ---- */

static void run_once(const struct driver *d, const struct conf_case *c,
		     struct outcome *o)
{
	struct env e;

	env_init(&e, d);
	o->s[0] = '\0';
	c->run(&e, c, o);
	env_cleanup(&e);
}

/*
 * The outcome is the first run's, in a fresh process. A library may open
 * an fd once and keep it (a cache), so leaks are judged on a second run:
 * it must end with as many fds open as it started with.
 */
static void run_here(const struct driver *d, const struct conf_case *c,
		     struct outcome *o)
{
	struct outcome again;
	int before, after;

	run_once(d, c, o);
	before = count_fds();
	run_once(d, c, &again);
	after = count_fds();
	if (after != before)
		out_add(o, "fd leak %+d", after - before);
	if (!o->s[0])
		out_set(o, "(no outcome)");
}

static void child(int wfd, const struct driver *d, const struct conf_case *c)
{
	struct outcome o;
	size_t len;

	alarm(CASE_TIMEOUT);
	run_here(d, c, &o);
	len = strlen(o.s);
	if (write(wfd, o.s, len) != (ssize_t)len)
		_exit(2);
	_exit(0);
}

static void read_all(int fd, struct outcome *o)
{
	size_t used = 0;
	ssize_t n;

	while (used < sizeof(o->s) - 1) {
		n = read(fd, o->s + used, sizeof(o->s) - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += n;
	}
	o->s[used] = '\0';
}

static void describe_death(int status, struct outcome *o)
{
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		out_set(o, "timeout");
	else if (WIFSIGNALED(status))
		out_set(o, "crash %s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		out_set(o, "crash exit %d", WEXITSTATUS(status));
	else if (!o->s[0])
		out_set(o, "(no outcome)");
}

static void run_isolated(const struct driver *d, const struct conf_case *c,
			 struct outcome *o)
{
	int pipefd[2], status;
	pid_t pid;

	fflush(stdout);
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		out_set(o, "pipe: %s", errname(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		out_set(o, "fork: %s", errname(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	if (!pid) {
		close(pipefd[0]);
		child(pipefd[1], d, c);
	}
	close(pipefd[1]);
	read_all(pipefd[0], o);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	describe_death(status, o);
}

/* ---- the table ---- */

static bool matches(const struct conf_case *c, const struct options *opt)
{
	return !opt->only || strstr(c->name, opt->only);
}

/* The kernel's recorded answer to c, where the kernel way cannot give
 * its own: true if there is one. */
static bool use_recorded(size_t w, const struct conf_case *c, struct result *r)
{
	const char *s;

	if (ways[w].d != &driver_kernel || !recorded)
		return false;
	s = answers_get(recorded, "conformance", c->name);
	if (!s)
		return false;
	out_set(&r->way[w], "%s", s);
	r->recorded[w] = r->ran[w] = true;
	return true;
}

/* A kernel with guest_memfd, but older than the one the library mirrors
 * (no MMAP or INIT_SHARED: Linux 6.8 to 6.17). */
static bool older_kernel(void)
{
	return !host_lacks(HOST_GUEST_MEMFD) && host_lacks(HOST_GMEM_MMAP);
}

/*
 * An older kernel's answer that differs from the recorded one of the
 * kernel the library mirrors says how the kernels differ, not how the
 * library does: it is kept as a note, and the recorded answer stands in.
 * Where they agree, the live answer is the comparison.
 */
static void weigh_older_kernel(size_t w, const struct conf_case *c,
			       struct result *r)
{
	struct outcome live = r->way[w];
	const char *s;

	if (ways[w].d != &driver_kernel || !older_kernel() || !recorded)
		return;
	s = answers_get(recorded, "conformance", c->name);
	if (!s || !strcmp(s, live.s))
		return;
	r->older = live;
	use_recorded(w, c, r);
}

/* What way w must answer to case c: the v6+ answer on the "/v6" ways,
 * where the case has one. */
static const char *expected(size_t w, const struct conf_case *c)
{
	if (c->expect_v6 && ways[w].d->v6)
		return c->expect_v6;
	return c->expect;
}

/* Whether the case names way w (either generation of it) as unpromised. */
static bool unpromised(size_t w, const struct conf_case *c)
{
	const char *name = ways[w].d->name;
	size_t n;

	if (!c->unpromised_way)
		return false;
	n = strlen(c->unpromised_way);
	return !strncmp(c->unpromised_way, name, n) &&
	       (!name[n] || name[n] == '/');
}

/* Whether way w can run case c here: a kernel without guest_memfd still
 * makes the system and VM descriptors. */
static bool way_runs(size_t w, const struct conf_case *c)
{
	if (ways[w].available)
		return true;
	return ways[w].d == &driver_kernel && c->kernel_kvm_only &&
	       !host_lacks(HOST_KVM);
}

static void run_case(const struct conf_case *c, const struct options *opt,
		     struct result *r, int *skipped)
{
	size_t w;

	r->c = c;
	r->agree = true;
	for (w = 0; w < NWAYS; w++) {
		if (!ways[w].selected)
			continue;
		if (!way_runs(w, c) && use_recorded(w, c, r)) {
			if (strcmp(r->way[w].s, expected(w, c)))
				r->agree = false;
			continue;
		}
		if (!way_runs(w, c)) {
			out_set(&r->way[w], "skip");
			(*skipped)++;
			continue;
		}
		if (unpromised(w, c)) {
			out_set(&r->way[w], "n/a");
			(*skipped)++;
			continue;
		}
		if (opt->no_fork)
			run_here(ways[w].d, c, &r->way[w]);
		else
			run_isolated(ways[w].d, c, &r->way[w]);
		r->ran[w] = true;
		weigh_older_kernel(w, c, r);
		if (strcmp(r->way[w].s, expected(w, c)))
			r->agree = false;
	}
}

struct widths {
	int name, expect, way[NWAYS];
};

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void measure(const struct result *res, size_t n, struct widths *wd)
{
	size_t i, w;

	wd->name = 4;
	wd->expect = 6;
	for (w = 0; w < NWAYS; w++)
		wd->way[w] = (int)strlen(ways[w].d->name);
	for (i = 0; i < n; i++) {
		wd->name = max_int(wd->name, (int)strlen(res[i].c->name));
		wd->expect = max_int(wd->expect, (int)strlen(res[i].c->expect));
		for (w = 0; w < NWAYS; w++)
			wd->way[w] = max_int(wd->way[w],
					     (int)strlen(res[i].way[w].s) + 8);
	}
}

static void print_header(const struct widths *wd)
{
	size_t w;

	printf("%-*s  %-4s  %-*s", wd->name, "case", "rule", wd->expect,
	       "expect");
	for (w = 0; w < NWAYS; w++)
		if (ways[w].selected)
			printf("  %-*s", wd->way[w], ways[w].d->name);
	printf("  verdict\n");
}

static void print_row(const struct result *r, const struct widths *wd)
{
	char cell[OUT_LEN + 4];
	size_t w;

	printf("%-*s  %-4s  %-*s", wd->name, r->c->name, r->c->rule, wd->expect,
	       r->c->expect);
	for (w = 0; w < NWAYS; w++) {
		if (!ways[w].selected)
			continue;
		snprintf(cell, sizeof(cell), "%s%s%s", r->way[w].s,
			 r->recorded[w] ? " [rec]" : "",
			 r->ran[w] && strcmp(r->way[w].s, expected(w, r->c))
				 ? " *"
				 : "");
		printf("  %-*s", wd->way[w], cell);
	}
	printf("  %s\n", r->agree ? "agree" : "DIFFER");
	if (r->c->expect_v6)
		printf("%-*s  %-4s  v6: %s\n", wd->name, "", "",
		       r->c->expect_v6);
}

/* ---- options ---- */

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [--backend kernel|gmem-kvm|gmem-memfd|gmem-kvm/v6|\n"
		"       gmem-memfd/v6] [--list]\n"
		"       [--only SUBSTRING] [--no-fork] [--answers FILE]\n"
		"       [--record FILE]\n"
		"  --backend  run one way only\n"
		"  --list     list the cases and their expectations\n"
		"  --only     run the cases whose name contains SUBSTRING\n"
		"  --no-fork  run the cases in this process (for debugging)\n"
		"  --answers  the kernel's recorded answers, for what this\n"
		"             kernel cannot answer itself\n"
		"  --record   run the kernel way only and append its answers\n"
		"             to FILE (needs guest_memfd with MMAP and\n"
		"             INIT_SHARED)\n",
		prog);
}

/* One option from getopt_long(); -1 for an unknown one. */
static int set_option(int ch, struct options *opt)
{
	switch (ch) {
	case 'b':
		opt->backend = optarg;
		return 0;
	case 'l':
		opt->list = true;
		return 0;
	case 'o':
		opt->only = optarg;
		return 0;
	case 'n':
		opt->no_fork = true;
		return 0;
	case 'a':
		opt->answers = optarg;
		return 0;
	case 'r':
		opt->record = optarg;
		opt->backend = "kernel";
		return 0;
	default:
		return -1;
	}
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "list", no_argument, NULL, 'l' },
		{ "only", required_argument, NULL, 'o' },
		{ "no-fork", no_argument, NULL, 'n' },
		{ "answers", required_argument, NULL, 'a' },
		{ "record", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "b:lo:na:r:h", longopts, NULL)) !=
	       -1) {
		if (ch == 'h') {
			usage(stdout, argv[0]);
			exit(0);
		}
		if (set_option(ch, opt)) {
			usage(stderr, argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		usage(stderr, argv[0]);
		return -1;
	}
	return 0;
}

static int select_ways(const struct options *opt)
{
	size_t w;
	int found = 0;

	for (w = 0; w < NWAYS; w++) {
		ways[w].selected =
			!opt->backend || !strcmp(opt->backend, ways[w].d->name);
		found += ways[w].selected;
	}
	if (!found)
		fprintf(stderr, "conformance: unknown backend '%s'\n",
			opt->backend);
	return found ? 0 : -1;
}

static int probe_ways(void)
{
	int usable = 0;
	size_t w;

	for (w = 0; w < NWAYS; w++) {
		if (!ways[w].selected)
			continue;
		ways[w].available = ways[w].d->probe(&ways[w].why);
		if (ways[w].available)
			usable++;
		else if (ways[w].d == &driver_kernel && recorded)
			printf("%s: %s; the answers of %s stand in [rec]\n",
			       ways[w].d->name, ways[w].why,
			       answers_kernel(recorded));
		else
			printf("%s: skipped: %s\n", ways[w].d->name,
			       ways[w].why);
	}
	if (recorded && older_kernel())
		printf("kernel: %s; where it answers otherwise than %s, that "
		       "kernel's recorded answer stands in [rec]\n",
		       host_lacks(HOST_GMEM_MMAP), answers_kernel(recorded));
	return usable + !!recorded;
}

static size_t count_cases(const struct options *opt)
{
	size_t g, i, n = 0;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (i = 0; i < groups[g]->n; i++)
			n += matches(&groups[g]->cases[i], opt);
	return n;
}

static void list_cases(const struct options *opt)
{
	size_t g, i;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (i = 0; i < groups[g]->n; i++) {
			const struct conf_case *c = &groups[g]->cases[i];

			if (matches(c, opt))
				printf("%-44s  %-4s  %s%s%s\n", c->name,
				       c->rule, c->expect,
				       c->expect_v6 ? "  v6: " : "",
				       c->expect_v6 ? c->expect_v6 : "");
		}
	}
}

/* ---- main ---- */

static size_t run_all(const struct options *opt, struct result *res,
		      int *skipped)
{
	size_t g, i, n = 0;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (i = 0; i < groups[g]->n; i++) {
			const struct conf_case *c = &groups[g]->cases[i];

			if (matches(c, opt))
				run_case(c, opt, &res[n++], skipped);
		}
	}
	return n;
}

/* Say why a way was not compared on a case, where it was to run. */
static void print_unpromised(const struct result *r)
{
	size_t w;

	for (w = 0; w < NWAYS; w++) {
		if (!unpromised(w, r->c) || !ways[w].selected ||
		    !ways[w].available)
			continue;
		printf("n/a: %s on %s: %s\n", r->c->name, ways[w].d->name,
		       r->c->unpromised_why);
	}
}

/* --record: the kernel's outcome of every case, appended to a file. */
static int record(const struct options *opt, const struct result *res, size_t n)
{
	FILE *f = fopen(opt->record, "a");

	if (!f) {
		perror(opt->record);
		return 1;
	}
	/* A case the kernel does not answer ("n/a": the series) has no
	 * answer to keep. */
	for (size_t i = 0; i < n; i++)
		if (res[i].ran[KERNEL_WAY])
			answers_put(f, "conformance", res[i].c->name,
				    res[i].way[KERNEL_WAY].s);
	if (fclose(f)) {
		perror(opt->record);
		return 1;
	}
	printf("conformance: %zu answers recorded in %s\n", n, opt->record);
	return 0;
}

static int report(const struct result *res, size_t n, int skipped)
{
	struct widths wd;
	size_t i;
	int agree = 0, from_record = 0;

	measure(res, n, &wd);
	print_header(&wd);
	for (i = 0; i < n; i++) {
		print_row(&res[i], &wd);
		agree += res[i].agree;
		from_record += res[i].recorded[KERNEL_WAY];
	}
	printf("(* = differs from the expectation; [rec] = the recorded answer "
	       "of %s)\n",
	       recorded ? answers_kernel(recorded) : "no kernel");
	for (i = 0; i < n; i++)
		print_unpromised(&res[i]);
	for (i = 0; i < n; i++)
		if (res[i].older.s[0])
			printf("older kernel: %s: %s here, %s recorded\n",
			       res[i].c->name, res[i].older.s,
			       res[i].way[KERNEL_WAY].s);
	printf("conformance: %zu cases, %d agree, %zu differ, %d skipped-ways, "
	       "%d kernel answers from the record\n",
	       n, agree, n - agree, skipped, from_record);
	return agree == (int)n ? 0 : 1;
}

/* --record needs a kernel whose answers are the reference; --answers
 * loads the recorded ones. 0, or the exit status. */
static int prepare_answers(const struct options *opt)
{
	if (opt->record && host_lacks(HOST_GMEM_MMAP)) {
		printf("conformance: cannot record: %s\n",
		       host_lacks(HOST_GMEM_MMAP));
		return 77;
	}
	if (!opt->answers || opt->record)
		return 0;
	recorded = answers_load(opt->answers);
	if (!recorded) {
		printf("conformance: %s: %s\n", opt->answers, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	struct result *res;
	int fds_before, fds_after, skipped = 0, ret;
	size_t n;

	if (parse_options(argc, argv, &opt) || select_ways(&opt))
		return 2;
	if (opt.list) {
		list_cases(&opt);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = prepare_answers(&opt);
	if (ret)
		return ret;
	if (!probe_ways()) {
		printf("conformance: no way could run\n");
		return 77;
	}
	fds_before = count_fds();
	res = calloc(count_cases(&opt) + 1, sizeof(*res));
	if (!res)
		return 2;
	n = run_all(&opt, res, &skipped);
	ret = opt.record ? record(&opt, res, n) : report(res, n, skipped);
	free(res);
	answers_free(recorded);
	fds_after = count_fds();
	if (fds_after != fds_before) {
		printf("conformance: fd leak: %d fds open before the cases, %d "
		       "after\n",
		       fds_before, fds_after);
		ret = 1;
	}
	return ret;
}
