// SPDX-License-Identifier: MIT
/*
 * Text into a bounded buffer, counting the bytes that did not fit, so
 * that one pass both fills a buffer and says how large it had to be.
 */
#include <stdarg.h>
#include <stdio.h>

#include "report.h"

void report_printf(struct report *r, const char *fmt, ...)
{
	size_t room = r->len < r->cap ? r->cap - r->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? r->buf + r->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n;
}
