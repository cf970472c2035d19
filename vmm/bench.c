// SPDX-License-Identifier: MIT
/*
 * gmem-vm-bench: conversions per second, asked by a real KVM guest,
 * against the exit rate of the same VMM with a hypercall that does
 * nothing.
 *
 * The guest program "bench" runs the cases of bench.h and marks the start
 * and end of each run through the test device; this program takes the
 * time at the marks (CLOCK_MONOTONIC) and turns each run into a rate of
 * hypercalls per second. Every hypercall is one exit of the vCPU, the
 * guest's few loop instructions on KVM's emulator, the decoding, and for
 * all but the baseline a KVM_SET_MEMORY_ATTRIBUTES2 through libgmem. The
 * ratio is taken within each repetition (a case against the baseline run
 * just before it), so that drift of the machine cancels; the figures are
 * the median of the repetitions, with their minimum and maximum.
 *
 * Where KVM runs no vCPU (no /dev/kvm), every case is still listed, as
 * "not measured here" with the reason, and the exit status is 77.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "vmm.h"

#define BENCH_REPS_MAX 50

struct bench {
	/* The run in progress of each case. */
	double begin[BENCH_CASES];	  /* seconds, at the open mark */
	uint32_t count[BENCH_CASES];	  /* its hypercalls */
	uint64_t convert_ns[BENCH_CASES]; /* the vCPU's, at the open mark */
	/* Each run measured: hypercalls a second, and the microseconds a
	 * hypercall spent in KVM_SET_MEMORY_ATTRIBUTES2. */
	unsigned int done[BENCH_CASES];
	double rate[BENCH_CASES][BENCH_REPS_MAX];
	double libgmem_us[BENCH_CASES][BENCH_REPS_MAX];
	uint32_t bad; /* runs with a failed hypercall */
};

struct stats {
	double median, min, max;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* GVM_TESTDEV_MARK, on the vCPU's thread. */
static void bench_mark(void *opaque, struct vcpu *vcpu, uint32_t label,
		       uint32_t id, uint32_t n)
{
	struct bench *b = opaque;
	double t = now();
	unsigned int run;

	if (id >= BENCH_CASES)
		return;
	if (label == GVM_MARK_BEGIN) {
		b->begin[id] = t;
		b->count[id] = n;
		b->convert_ns[id] = vcpu->convert_ns;
	} else if (label == GVM_MARK_END && b->done[id] < BENCH_REPS_MAX) {
		run = b->done[id]++;
		b->rate[id][run] = b->count[id] / (t - b->begin[id]);
		b->libgmem_us[id][run] =
			(double)(vcpu->convert_ns - b->convert_ns[id]) / 1e3 /
			b->count[id];
		b->bad += n;
	}
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct stats stats_of(const double *v, unsigned int n)
{
	double sorted[BENCH_REPS_MAX];

	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), compare_double);
	return (struct stats){
		.median = n % 2 ? sorted[n / 2]
				: (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
		.min = sorted[0],
		.max = sorted[n - 1],
	};
}

static void bench_report(const struct bench *b, const struct vm *vm,
			 unsigned int reps)
{
	unsigned int measured = 0, goals = 0, met = 0;

	printf("gmem-vm-bench: conversions asked by a KVM guest "
	       "(KVM_HC_MAP_GPA_RANGE by %s),\n"
	       "%s, libgmem's %s backend; %u repetitions, median [min, max];\n"
	       "ratio: the case's rate over the do-nothing hypercall's, per "
	       "repetition\n\n",
	       vm->transport == GVM_TRANSPORT_VMCALL ? "VMCALL" : "I/O port",
	       vm_type_name(vm->cfg.type),
	       gmem_backend_name(gmem_get_backend(vm->gmem_vm)), reps);
	printf("%-22s %-27s %8s %8s  %s\n", "case", "hypercalls/s", "us each",
	       "libgmem", "ratio to baseline");
	for (unsigned int id = 0; id < BENCH_CASES; id++) {
		double ratio[BENCH_REPS_MAX];
		unsigned int n =
			b->done[id] < b->done[0] ? b->done[id] : b->done[0];
		struct stats r, q, l;

		if (!n)
			continue;
		measured++;
		for (unsigned int i = 0; i < n; i++)
			ratio[i] = b->rate[id][i] / b->rate[0][i];
		r = stats_of(b->rate[id], n);
		q = stats_of(ratio, n);
		l = stats_of(b->libgmem_us[id], n);
		/* Case 0 is the do-nothing exit, the baseline itself. */
		if (id) {
			goals++;
			met += q.median >= 0.5;
		}
		printf("%-22s %7.0f [%7.0f, %7.0f] %8.2f %8.2f  %.2f [%.2f, "
		       "%.2f]\n",
		       bench_cases[id].name, r.median, r.min, r.max,
		       1e6 / r.median, l.median, q.median, q.min, q.max);
	}
	printf("\n\"us each\" is the median's inverse; \"libgmem\" the median "
	       "time a hypercall\n"
	       "spent in KVM_SET_MEMORY_ATTRIBUTES2, in us; a round trip "
	       "converts to\n"
	       "private then back (ZERO: PRESERVE there, ZERO back).\n"
	       "goal: a guest-driven conversion at "
	       "least half the\n"
	       "rate of a do-nothing exit, a ratio of 0.50 or more\n");
	printf("\n%u cases measured, %u goals: %u met, %u missed; 0 not "
	       "measured here\n",
	       measured, goals, met, goals - met);
}

/* The table where no guest could run: the rows, and why. */
static void bench_report_missing(const char *why)
{
	printf("gmem-vm-bench: conversions asked by a KVM guest\n\n");
	printf("%-22s %s\n", "case", "hypercalls/s");
	for (unsigned int id = 0; id < BENCH_CASES; id++)
		printf("%-22s not measured here: %s\n", bench_cases[id].name,
		       why);
	printf("\n0 cases measured; %zu not measured here: %s\n", BENCH_CASES,
	       why);
}

static const char usage[] =
	"usage: gmem-vm-bench [--reps N]\n"
	"Guest-driven conversions per second against a do-nothing hypercall.\n"
	"  -n, --reps N   repetitions of every case, 1 to 50 (default 7)\n"
	"Exit status: 0 done, 1 a conversion failed, 2 usage or VMM error,\n"
	"77 KVM cannot run gmem-vm here.\n";

static int parse_args(int argc, char **argv, unsigned int *reps)
{
	static const struct option options[] = {
		{ "reps", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n:h", options, NULL)) != -1) {
		if (opt == 'h') {
			fputs(usage, stdout);
			exit(0);
		}
		if (opt != 'n')
			goto bad;
		*reps = (unsigned int)strtoul(optarg, &end, 10);
		if (*end || *reps < 1 || *reps > BENCH_REPS_MAX)
			goto bad;
	}
	if (optind == argc)
		return 0;
bad:
	fprintf(stderr, "gmem-vm-bench: bad usage (try --help)\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct vm_config cfg = vm_config_default();
	struct bench *b = calloc(1, sizeof(*b));
	unsigned int reps = BENCH_REPS;
	struct vm vm;
	int ret;

	if (!b)
		return 2;
	ret = parse_args(argc, argv, &reps);
	if (ret) {
		free(b);
		return ret;
	}
	cfg.timeout_s = 600; /* every repetition runs in one guest */
	cfg.quiet = true;    /* the tables only */
	cfg.arg = reps;
	ret = vm_create(&vm, &cfg);
	if (!ret)
		ret = loader_load(&vm, loader_find("bench"));
	if (!ret) {
		vm.on_mark = bench_mark;
		vm.mark_opaque = b;
		ret = vcpus_run(&vm);
	}
	if (ret >= 0)
		bench_report(b, &vm, reps);
	if (ret == -ENODEV)
		bench_report_missing(vm.kvm.missing[0] ? vm.kvm.missing
						       : "KVM runs no vCPU");
	if (ret >= 0 && b->bad)
		fprintf(stderr, "gmem-vm-bench: %u conversions failed\n",
			b->bad);
	vm_destroy(&vm);
	free(b);
	if (ret == -ENODEV)
		return 77;
	return ret < 0 ? 2 : ret;
}
