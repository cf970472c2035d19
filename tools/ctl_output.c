// SPDX-License-Identifier: MIT
/*
 * gmemctl's output: errors and JSON. An error never names a source file:
 * it names what failed (the ioctl or library call), the errno by its
 * name and its message, and where the kernel gives one, the
 * error_offset. JSON goes out as it is made, one object a line, which is
 * all a script needs (jq, python's json.loads line by line).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl_output.h"

int ctl_usage(int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout); /* the error after what came before it */
	fprintf(stderr, "gmemctl: ");
	if (line)
		fprintf(stderr, "line %d: ", line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_USAGE;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

int ctl_call_failed(const struct ctl *c, const char *command, const char *call,
		    int err, bool has_offset, uint64_t error_offset)
{
	fflush(stdout);
	fprintf(stderr, "gmemctl: ");
	if (c->line)
		fprintf(stderr, "line %d: ", c->line);
	fprintf(stderr, "%s: %s: %s", call, errno_name(err), strerror(err));
	if (has_offset)
		fprintf(stderr, " (error_offset %#llx)",
			(unsigned long long)error_offset);
	fputc('\n', stderr);
	if (c->json) {
		json_begin(command);
		json_bool("ok", false);
		json_str("call", call);
		json_str("errno", errno_name(err));
		json_str("message", strerror(err));
		if (has_offset)
			json_u64("error_offset", error_offset);
		if (c->line)
			json_u64("line", (uint64_t)c->line);
		json_end();
	}
	return CTL_FAILED;
}

void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* Whether the next member is the first of its object or array, which
 * takes no comma before it. */
static bool json_first;

void json_begin(const char *command)
{
	printf("{\"command\":");
	json_string(command);
	json_first = false;
}

void json_key(const char *key)
{
	if (!json_first)
		putchar(',');
	json_first = false;
	if (key) {
		json_string(key);
		putchar(':');
	}
}

void json_open(const char *key, char bracket)
{
	json_key(key);
	putchar(bracket);
	json_first = true;
}

void json_close(char bracket)
{
	putchar(bracket);
	json_first = false;
}

void json_u64(const char *key, uint64_t v)
{
	json_key(key);
	printf("%llu", (unsigned long long)v);
}

void json_i64(const char *key, int64_t v)
{
	json_key(key);
	printf("%lld", (long long)v);
}

void json_null(const char *key)
{
	json_key(key);
	printf("null");
}

void json_str(const char *key, const char *s)
{
	json_key(key);
	json_string(s);
}

void json_bool(const char *key, bool v)
{
	json_key(key);
	printf(v ? "true" : "false");
}

void json_end(void)
{
	printf("}\n");
	fflush(stdout);
}
