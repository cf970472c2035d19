// SPDX-License-Identifier: MIT
/*
 * bench: the benchmark's guest; gmem-vm-bench runs it and times it.
 *
 * Every case of ../bench.h, in turn, repeated (gvm_boot.arg times, or
 * BENCH_REPS), each run of a case between two marks of the test device,
 * at which the VMM takes the time. The pages are touched first, so that
 * every conversion works on allocated memory.
 *
 * The loop is eight register-only instructions a hypercall, the same for
 * every case and for the baseline: each emulated instruction costs about
 * a microsecond here (more when it touches memory), and the C calls of
 * gvm_map_gpa_range() would cost more than the exit they make. It relies
 * on the ABI's promise that a successful hypercall changes only EAX.
 */
#include "../bench.h"
#include "guest.h"

/* `hypercalls` alternating conversions, private first: 0 or the first
 * failure's -errno. */
static int round_trips(const struct bench_case *c, u32 hypercalls)
{
	u32 ret = hypercalls, gpa = c->gpa, npages = c->npages;
	u32 attributes = GVM_MAP_GPA_RANGE_ENCRYPTED;
	u32 mode = c->to_private, other = c->to_shared;

#define ROUND_TRIPS(hypercall)                                                 \
	asm volatile("push %%ebp\n\t"                                          \
		     "mov %%eax, %%ebp\n"                                      \
		     "1:\tmov $12, %%eax\n\t" hypercall "\n\t"                 \
		     "test %%eax, %%eax\n\t"                                   \
		     "jnz 2f\n\t"                                              \
		     "xor $0x10, %%edx\n\t"                                    \
		     "xchg %%esi, %%edi\n\t"                                   \
		     "dec %%ebp\n\t"                                           \
		     "jnz 1b\n"                                                \
		     "2:\tpop %%ebp"                                           \
		     : "+a"(ret), "+b"(gpa), "+c"(npages), "+d"(attributes),   \
		       "+S"(mode), "+D"(other)                                 \
		     : [port] "i"(GVM_PORT_HYPERCALL)                          \
		     : "memory", "cc")
	if (gvm_boot.transport == GVM_TRANSPORT_VMCALL)
		ROUND_TRIPS("vmcall");
	else
		ROUND_TRIPS("outl %%eax, %[port]");
#undef ROUND_TRIPS
	return (int)ret;
}

static u32 bench_run(u32 id)
{
	const struct bench_case *c = &bench_cases[id];
	int ret;

	gvm_testdev(GVM_TESTDEV_MARK, GVM_MARK_BEGIN, id, 2 * c->iterations);
	ret = round_trips(c, 2 * c->iterations);
	gvm_testdev(GVM_TESTDEV_MARK, GVM_MARK_END, id, ret != 0);
	if (ret)
		gvm_printf("%s: %s\n", c->name, gvm_errname(ret));
	return ret != 0;
}

int guest_main(u32 cpu)
{
	u32 reps = gvm_boot.arg ? gvm_boot.arg : BENCH_REPS;
	u32 bad = 0;

	if (cpu)
		return 0;
	if (!gvm_expect(gvm_boot.vm_type == GVM_VM_SW_PROTECTED,
			"the VM models SW_PROTECTED"))
		return 1;
	for (u32 gpa = GVM_HUGE_GPA; gpa < GVM_HUGE_GPA + GVM_HUGE_SIZE;
	     gpa += GVM_PAGE_SIZE)
		gvm_fill(gpa, 1, 0x5a);
	gvm_fill(BENCH_PAGE_GPA, 1, 0x5a);
	for (u32 rep = 0; rep < reps; rep++)
		for (u32 id = 0; id < BENCH_CASES; id++)
			bad += bench_run(id);
	gvm_expect(bad == 0, "every conversion succeeded");
	return 0;
}
