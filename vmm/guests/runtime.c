// SPDX-License-Identifier: MIT
/*
 * The guest programs' runtime: console, checks, the conversion hypercall,
 * the test device and memory helpers, in portable C over machine.h.
 *
 * It is built twice: into every guest program, over the real machine
 * (x86.c), and into gmem-vm, over the software guest (../software.c), so
 * that a program written with these calls alone runs either way. Memory
 * goes through machine_read()/machine_write() in chunks of CHUNK bytes,
 * which never cross a page when they start page-aligned.
 */
#include "machine.h"

#define CHUNK 256

struct gvm_boot gvm_boot;

static u32 failures[GVM_MAX_VCPUS];

u32 gvm_run(const struct gvm_entry *e)
{
	int status;

	if (e->magic != GVM_BOOT_MAGIC || e->cpu >= GVM_MAX_VCPUS)
		return 2;
	gvm_boot.nr_vcpus = e->nr_vcpus;
	gvm_boot.ram_size = e->ram_size;
	gvm_boot.transport = e->transport;
	gvm_boot.vm_type = e->vm_type;
	gvm_boot.arg = e->arg;
	failures[e->cpu] = 0;
	status = guest_main(e->cpu);
	return failures[e->cpu] ? 1 : (u32)status;
}

/* ---- console ---- */

struct line {
	char buf[160];
	u32 len;
};

static void line_flush(struct line *l)
{
	machine_console(l->buf, l->len);
	l->len = 0;
}

static void line_putc(struct line *l, char c)
{
	if (l->len == sizeof(l->buf))
		line_flush(l);
	l->buf[l->len++] = c;
}

static void line_puts(struct line *l, const char *s)
{
	while (*s)
		line_putc(l, *s++);
}

static void line_putu(struct line *l, u32 v, u32 base)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		line_putc(l, digits[--n]);
}

/* %s %c %d %u %x %#x %%: all the programs need. */
static void line_vprintf(struct line *l, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int alt = 0;

		if (*fmt != '%') {
			line_putc(l, *fmt);
			continue;
		}
		if (*++fmt == '#') {
			alt = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			line_puts(l, va_arg(ap, const char *));
			break;
		case 'c':
			line_putc(l, (char)va_arg(ap, int));
			break;
		case 'd': {
			int v = va_arg(ap, int);

			if (v < 0)
				line_putc(l, '-');
			line_putu(l, v < 0 ? -(u32)v : (u32)v, 10);
			break;
		}
		case 'u':
			line_putu(l, va_arg(ap, u32), 10);
			break;
		case 'x':
			if (alt)
				line_puts(l, "0x");
			line_putu(l, va_arg(ap, u32), 16);
			break;
		default:
			line_putc(l, *fmt);
		}
	}
}

void gvm_printf(const char *fmt, ...)
{
	struct line l = { .len = 0 };
	va_list ap;

	va_start(ap, fmt);
	line_vprintf(&l, fmt, ap);
	va_end(ap);
	line_flush(&l);
}

const char *gvm_errname(int err)
{
	switch (err < 0 ? -err : err) {
	case 0:
		return "success";
	case EPERM:
		return "EPERM";
	case EIO:
		return "EIO";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EINVAL:
		return "EINVAL";
	case ENOSYS:
		return "ENOSYS";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	}
	return "an unexpected error";
}

int gvm_expect(int cond, const char *fmt, ...)
{
	struct line l = { .len = 0 };
	va_list ap;

	line_puts(&l, cond ? "ok: " : "FAIL: ");
	va_start(ap, fmt);
	line_vprintf(&l, fmt, ap);
	va_end(ap);
	line_putc(&l, '\n');
	line_flush(&l);
	if (!cond)
		failures[machine_this_cpu()]++;
	return cond;
}

/* ---- the hypercall and the test device ---- */

static int result(const struct gvm_regs *r, struct gvm_hc_result *res)
{
	res->ret = (int)r->eax;
	res->error_offset = res->ret ? r->ebx : 0;
	res->error_gpa = res->ret ? r->ecx : 0;
	return res->ret;
}

/* A conversion request, laid out alike for the hypercall and the test
 * device: `call` names which. */
static struct gvm_regs conversion(u32 call, u32 gpa, u32 npages, int to_private,
				  u32 mode)
{
	return (struct gvm_regs){
		.eax = call,
		.ebx = gpa,
		.ecx = npages,
		.edx = to_private ? GVM_MAP_GPA_RANGE_ENCRYPTED : 0,
		.esi = mode,
	};
}

int gvm_map_gpa_range(u32 gpa, u32 npages, int to_private, u32 mode,
		      struct gvm_hc_result *res)
{
	struct gvm_regs r =
		conversion(GVM_HC_MAP_GPA_RANGE, gpa, npages, to_private, mode);

	machine_hypercall(&r);
	return result(&r, res);
}

u32 gvm_testdev(u32 cmd, u32 a, u32 b, u32 c)
{
	struct gvm_regs r = { .eax = cmd, .ebx = a, .ecx = b, .edx = c };

	machine_testdev(&r);
	return r.eax;
}

int gvm_host_convert(u32 gpa, u32 npages, int to_private, u32 mode,
		     struct gvm_hc_result *res)
{
	struct gvm_regs r =
		conversion(GVM_TESTDEV_CONVERT, gpa, npages, to_private, mode);

	machine_testdev(&r);
	return result(&r, res);
}

/* ---- memory ---- */

void gvm_read(u32 gpa, void *buf, u32 len)
{
	machine_read(gpa, buf, len);
}

void gvm_write(u32 gpa, const void *buf, u32 len)
{
	machine_write(gpa, buf, len);
}

static u32 chunk_len(u32 done, u32 len)
{
	return len - done < CHUNK ? len - done : CHUNK;
}

void gvm_fill(u32 gpa, u32 len, u8 byte)
{
	u8 chunk[CHUNK];

	for (u32 i = 0; i < CHUNK; i++)
		chunk[i] = byte;
	for (u32 done = 0; done < len; done += CHUNK)
		machine_write(gpa + done, chunk, chunk_len(done, len));
}

void gvm_fill_pattern(u32 gpa, u32 len, u32 seed)
{
	u8 chunk[CHUNK];

	for (u32 done = 0; done < len; done += CHUNK) {
		for (u32 i = 0; i < chunk_len(done, len); i++)
			chunk[i] = gvm_pattern(seed, done + i);
		machine_write(gpa + done, chunk, chunk_len(done, len));
	}
}

/* The number of bytes of [gpa, gpa + len) that are not byte, or not the
 * pattern of seed. */
static u32 count_differ(u32 gpa, u32 len, int pattern, u32 arg)
{
	u8 chunk[CHUNK];
	u32 n = 0;

	for (u32 done = 0; done < len; done += CHUNK) {
		machine_read(gpa + done, chunk, chunk_len(done, len));
		for (u32 i = 0; i < chunk_len(done, len); i++)
			n += chunk[i] !=
			     (pattern ? gvm_pattern(arg, done + i) : (u8)arg);
	}
	return n;
}

u32 gvm_count_not_byte(u32 gpa, u32 len, u8 byte)
{
	return count_differ(gpa, len, 0, byte);
}

u32 gvm_count_not_pattern(u32 gpa, u32 len, u32 seed)
{
	return count_differ(gpa, len, 1, seed);
}
