// SPDX-License-Identifier: MIT
/*
 * Description: the recorded-answers file (tests/lib/answers.h), which the
 * kernel-agreement checks trust where the host's kernel cannot answer: a
 * recording reads back exactly, lookups need both the check and the key,
 * and a file without its headers or with a malformed line is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "answers.h"

#define HEADERS "# kernel: Linux 9.9 (test)\n# made: by hand\n"

/* A temporary file holding `text`; its path in `path`. */
static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_recording_reads_back(void **state)
{
	char path[] = "/tmp/gmem-answers-XXXXXX";
	struct answers *a;
	FILE *f;

	(void)state;
	write_file(path, HEADERS);
	f = fopen(path, "a");
	assert_non_null(f);
	answers_put(f, "conformance", "create/size 0", "-1 EINVAL");
	answers_put(f, "bad-input", "key\twith tab", "fd");
	assert_int_equal(fclose(f), 0);
	a = answers_load(path);
	unlink(path);
	assert_non_null(a);
	assert_string_equal(answers_kernel(a), "Linux 9.9 (test)");
	assert_string_equal(answers_get(a, "conformance", "create/size 0"),
			    "-1 EINVAL");
	assert_string_equal(answers_get(a, "bad-input", "key with tab"), "fd");
	assert_null(answers_get(a, "bad-input", "create/size 0"));
	assert_null(answers_get(a, "conformance", "create/size"));
	answers_free(a);
}

static void expect_refused(const char *text)
{
	char path[] = "/tmp/gmem-answers-XXXXXX";
	struct answers *a;

	write_file(path, text);
	errno = 0;
	a = answers_load(path);
	unlink(path);
	assert_null(a);
	assert_int_equal(errno, EINVAL);
}

static void test_refuses_bad_files(void **state)
{
	(void)state;
	expect_refused("conformance\tk\tv\n"); /* no headers */
	expect_refused("# kernel: Linux 9.9\nconformance\tk\tv\n");
	expect_refused(HEADERS "conformance\tkey without answer\n");
	errno = 0;
	assert_null(answers_load("/nonexistent/answers"));
	assert_int_equal(errno, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recording_reads_back),
		cmocka_unit_test(test_refuses_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
