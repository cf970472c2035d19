/* SPDX-License-Identifier: MIT */
/*
 * How gmemctl speaks: one JSON object a command on one line with --json,
 * else text; errors on stderr as one line naming the call, the errno's
 * name and message and the kernel's error_offset where it gave one.
 */
#ifndef GMEMCTL_CTL_OUTPUT_H
#define GMEMCTL_CTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "ctl.h"

/* A usage error (before anything ran): one line, returns CTL_USAGE. */
int ctl_usage(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A failed call of `command`: the line on stderr, and with --json an
 * object {"command", "ok": false, "call", "errno", "message"[,
 * "error_offset"]} on stdout. Returns CTL_FAILED. */
int ctl_call_failed(const struct ctl *c, const char *command, const char *call,
		    int err, bool has_offset, uint64_t error_offset);

/* The pieces of one JSON object: begin, members, end (with newline).
 * Inside an array, a NULL key makes the value an element. */
void json_begin(const char *command);
void json_u64(const char *key, uint64_t v);
void json_i64(const char *key, int64_t v);
void json_str(const char *key, const char *s);
void json_bool(const char *key, bool v);
void json_null(const char *key);
/* A member whose value the caller prints next (an array or object). */
void json_key(const char *key);
/* A member that is an object ('{') or array ('['), filled by the calls
 * above, then closed with the matching '}' or ']'. */
void json_open(const char *key, char bracket);
void json_close(char bracket);
/* A string value alone, quoted and escaped. */
void json_string(const char *s);
void json_end(void);

#endif
