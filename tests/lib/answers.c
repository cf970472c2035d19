// SPDX-License-Identifier: MIT
/*
 * The recorded-answers file: loaded whole, looked up by a linear scan
 * (a few hundred lines, read once per test program).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"

struct answer {
	char *check, *key, *value;
};

struct answers {
	char *kernel;
	struct answer *rows;
	size_t n;
};

void answers_free(struct answers *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		free(a->rows[i].check); /* key and value share its buffer */
	free(a->rows);
	free(a->kernel);
	free(a);
}

static int add_row(struct answers *a, const char *text)
{
	struct answer *rows = realloc(a->rows, (a->n + 1) * sizeof(*rows));
	char *line, *key, *value;

	if (!rows)
		return -ENOMEM;
	a->rows = rows;
	line = strdup(text);
	if (!line)
		return -ENOMEM;
	key = strchr(line, '\t');
	value = key ? strchr(key + 1, '\t') : NULL;
	if (!value) {
		free(line);
		return -EINVAL;
	}
	*key++ = 0;
	*value++ = 0;
	rows[a->n++] = (struct answer){ line, key, value };
	return 0;
}

/* One line without its newline: a comment, a header or an answer. */
static int parse_line(struct answers *a, char *line, bool *made)
{
	if (!strncmp(line, "# kernel: ", 10)) {
		free(a->kernel);
		a->kernel = strdup(line + 10);
		return a->kernel ? 0 : -ENOMEM;
	}
	if (!strncmp(line, "# made: ", 8))
		*made = true;
	if (line[0] == '#' || line[0] == 0)
		return 0;
	return add_row(a, line);
}

struct answers *answers_load(const char *path)
{
	struct answers *a = calloc(1, sizeof(*a));
	FILE *f = fopen(path, "r");
	char *line = NULL; /* any length: a fuzz input's answers are one */
	size_t cap = 0;
	bool made = false;
	int err = f && a ? 0 : -errno, lineno = 0;

	while (!err && getline(&line, &cap, f) >= 0) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		err = parse_line(a, line, &made);
		if (err == -EINVAL)
			fprintf(stderr, "%s:%d: not CHECK TAB KEY TAB ANSWER\n",
				path, lineno);
	}
	if (!err && (!a->kernel || !made)) {
		fprintf(stderr, "%s: no \"# kernel:\" or \"# made:\" line\n",
			path);
		err = -EINVAL;
	}
	free(line);
	if (f)
		fclose(f);
	if (err) {
		answers_free(a);
		errno = -err;
		return NULL;
	}
	return a;
}

const char *answers_kernel(const struct answers *a)
{
	return a->kernel;
}

size_t answers_count(const struct answers *a, const char *check)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += !strcmp(a->rows[i].check, check);
	return n;
}

const char *answers_get(const struct answers *a, const char *check,
			const char *key)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->rows[i].check, check) &&
		    !strcmp(a->rows[i].key, key))
			return a->rows[i].value;
	return NULL;
}

/* Tabs and newlines would break the line format. */
static void put_field(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, f);
}

void answers_put(FILE *f, const char *check, const char *key,
		 const char *answer)
{
	put_field(f, check);
	fputc('\t', f);
	put_field(f, key);
	fputc('\t', f);
	put_field(f, answer);
	fputc('\n', f);
}
