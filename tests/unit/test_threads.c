// SPDX-License-Identifier: MIT
/*
 * Description: one guest_memfd shared by threads that convert ranges both
 * ways, pin and unpin, map and unmap, touch a shared window, fallocate and
 * punch, and query attributes and allocation, for a bounded time (the
 * roles it shares with test_guest_stress are in tests/lib/stress.c). Each
 * thread checks what it can see at once (queries always show a merged
 * map; a pinned shared page never turns private); at the end every pin is
 * gone and the whole file converts. Meant to run clean under
 * ThreadSanitizer too.
 */
#include <assert.h>
#include <errno.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "stress.h"
#include "testutil.h"

#define NPAGES	  96
#define CONVERTED 64 /* pages [0, 64) convert; [64, 96) stay shared */
/* Pages [0, 32) are allocated and punched; pins stay on [32, 96): a pin on
 * a punched page holds old memory and no longer blocks a conversion
 * (R57), which would defeat the pinner's check. */
#define PUNCHED 32
#define RUN_MS	1500

static void run(unsigned int backend)
{
	void *(*const roles[])(void *) = {
		stress_converter, stress_converter, stress_pinner,
		stress_mapper,	  stress_toucher,   stress_allocator,
		stress_querier,
	};
	enum { NROLES = sizeof(roles) / sizeof(roles[0]) };
	uintptr_t args[NROLES];
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, backend);

	stress_open(vm, &(struct stress_file){
				.npages = NPAGES,
				.converted = CONVERTED,
				.punched = PUNCHED,
				.pin_first = PUNCHED,
				.allocated = PUNCHED,
				.touch_first = CONVERTED,
				.touch_pages = NPAGES - CONVERTED,
			});
	for (int i = 0; i < NROLES; i++)
		args[i] = i + 1;
	stress_run(roles, args, NROLES, RUN_MS);
	stress_end();
	gmem_close(vm);
}

int main(void)
{
	for (int b = 0; b < 2; b++) {
		if (!backend_usable(test_backends[b])) {
			printf("%s: skipped: %s\n",
			       gmem_backend_name(test_backends[b]),
			       backend_missing(test_backends[b]));
			continue;
		}
		run(test_backends[b]);
		printf("%s: %d failures\n", gmem_backend_name(test_backends[b]),
		       atomic_load(&stress_failures));
	}
	return atomic_load(&stress_failures) ? 1 : 0;
}
