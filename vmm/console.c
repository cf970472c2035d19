// SPDX-License-Identifier: MIT
/*
 * The console: what the guest writes to GVM_PORT_CONSOLE, and the VMM's
 * own narrative, one whole line at a time.
 *
 * Guests write a line with one `rep outsb` (one exit); the VMM keeps a
 * line buffer per vCPU and prints complete lines, prefixed "guest" (or
 * "guest N" when there are several vCPUs), under a lock so that lines of
 * vCPU threads never interleave. The narrative (say()) is what the VMM and
 * the host saw, prefixed "vmm" or "host"; --quiet silences it, not the
 * guest. Errors go to stderr as one line: "gmem-vm: ...".
 */
#include <stdio.h>
#include <string.h>

#include "vmm.h"

static pthread_mutex_t console_lock = PTHREAD_MUTEX_INITIALIZER;

static void console_print_line(struct vcpu *vcpu)
{
	struct console_line *l = &vcpu->line;

	pthread_mutex_lock(&console_lock);
	if (vcpu->vm->cfg.nr_vcpus > 1)
		printf("guest %u: %.*s\n", vcpu->id, (int)l->len, l->buf);
	else
		printf("guest: %.*s\n", (int)l->len, l->buf);
	fflush(stdout);
	pthread_mutex_unlock(&console_lock);
	l->len = 0;
}

int console_out(struct vcpu *vcpu, const void *data, size_t len)
{
	struct console_line *l = &vcpu->line;
	const char *s = data;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' || l->len == sizeof(l->buf)) {
			console_print_line(vcpu);
			if (s[i] == '\n')
				continue;
		}
		if (s[i] != '\r')
			l->buf[l->len++] = s[i];
	}
	return 0;
}

/* Print what is left of a line the guest did not end. */
void console_flush(struct vcpu *vcpu)
{
	if (vcpu->line.len)
		console_print_line(vcpu);
}

void say(struct vm *vm, const char *who, const char *fmt, ...)
{
	va_list ap;

	if (vm->cfg.quiet)
		return;
	pthread_mutex_lock(&console_lock);
	printf("%s: ", who);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	pthread_mutex_unlock(&console_lock);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&console_lock);
	fflush(stdout);
	fputs(VMM_NAME ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&console_lock);
}
