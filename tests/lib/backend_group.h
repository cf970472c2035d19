/* SPDX-License-Identifier: MIT */
/*
 * Running a cmocka group once per backend.
 */
#ifndef GMEM_BACKEND_GROUP_H
#define GMEM_BACKEND_GROUP_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/*
 * Run `tests` once on each backend (kvm, then memfd). Every test gets as
 * its state a zeroed fixture of `fixture_size` bytes whose first member is
 * the backend (an unsigned int). The number of failed tests.
 */
int run_on_backends(const struct CMUnitTest *tests, size_t n,
		    size_t fixture_size);

#define RUN_ON_BACKENDS(tests, fixture_type)                                   \
	run_on_backends(tests, sizeof(tests) / sizeof(tests[0]),               \
			sizeof(fixture_type))

#endif
