// SPDX-License-Identifier: MIT
/*
 * Each backend runs the same group, named after it in cmocka's output, so
 * a failure says which backend it was on.
 */
#include <stdlib.h>
#include <string.h>

#include "backend_group.h"
#include "testutil.h"

int run_on_backends(const struct CMUnitTest *tests, size_t n,
		    size_t fixture_size)
{
	struct CMUnitTest *group = calloc(n, sizeof(*group));
	void *fixture = calloc(1, fixture_size);
	int failed = 0;

	if (!group || !fixture)
		return 1;
	for (int b = 0; b < 2; b++) {
		memset(fixture, 0, fixture_size);
		*(unsigned int *)fixture = test_backends[b];
		for (size_t i = 0; i < n; i++) {
			group[i] = tests[i];
			group[i].initial_state = fixture;
		}
		failed += _cmocka_run_group_tests(
			gmem_backend_name(test_backends[b]), group, n, NULL,
			NULL);
	}
	free(group);
	free(fixture);
	return failed;
}
