/* SPDX-License-Identifier: MIT */
/*
 * A text buffer that counts what did not fit, as snprintf() does: the
 * introspection report is written into one, and its length tells the
 * caller how large a buffer the whole report needs.
 */
#ifndef GMEM_REPORT_H
#define GMEM_REPORT_H

#include <stddef.h>

/* Text in buf[0, cap); len counts every byte written, so len > cap says
 * how much larger the buffer must be. buf may be NULL with cap 0. */
struct report {
	char *buf;
	size_t cap;
	size_t len;
};

void report_printf(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
