// SPDX-License-Identifier: MIT
/*
 * Each backend runs the same group, named after it in cmocka's output, so
 * a failure says which backend it was on. A backend the host cannot run
 * still lists every test, each skipped with the reason: cmocka counts a
 * skip() in a setup as an error, so the setup is never reached.
 */
#include <stdlib.h>
#include <string.h>

#include "backend_group.h"
#include "testutil.h"

static const char *missing_reason;

static void skip_missing(void **state)
{
	(void)state;
	print_message("skipped: %s\n", missing_reason);
	skip();
}

static void prepare_group(struct CMUnitTest *group,
			  const struct CMUnitTest *tests, size_t n,
			  void *fixture, unsigned int backend)
{
	missing_reason = backend_missing(backend);
	for (size_t i = 0; i < n; i++) {
		group[i] = tests[i];
		group[i].initial_state = fixture;
		if (missing_reason) {
			group[i].test_func = skip_missing;
			group[i].setup_func = NULL;
			group[i].teardown_func = NULL;
		}
	}
}

int run_on_backends(const struct CMUnitTest *tests, size_t n,
		    size_t fixture_size)
{
	struct CMUnitTest *group = calloc(n, sizeof(*group));
	void *fixture = calloc(1, fixture_size);
	int failed = 0;

	if (!group || !fixture) {
		free(group);
		free(fixture);
		return 1;
	}
	for (int b = 0; b < 2; b++) {
		memset(fixture, 0, fixture_size);
		*(unsigned int *)fixture = test_backends[b];
		prepare_group(group, tests, n, fixture, test_backends[b]);
		failed += _cmocka_run_group_tests(
			gmem_backend_name(test_backends[b]), group, n, NULL,
			NULL);
	}
	free(group);
	free(fixture);
	return failed;
}
