// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the cases: outcome strings, the resources of one case,
 * and touching memory that may fault.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance.h"

/* ---- outcomes ---- */

const char *errname(int err)
{
	static char buf[16];
	const char *name = strerrorname_np(err);

	/* glibc names ENOTSUP/EOPNOTSUPP (the same number) "ENOTSUP". */
	if (err == EOPNOTSUPP)
		return "EOPNOTSUPP";
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

static void out_vappend(struct outcome *o, const char *fmt, va_list ap)
{
	size_t used = strlen(o->s);

	if (used >= sizeof(o->s) - 1)
		return;
	vsnprintf(o->s + used, sizeof(o->s) - used, fmt, ap);
}

void out_set(struct outcome *o, const char *fmt, ...)
{
	va_list ap;

	o->s[0] = '\0';
	va_start(ap, fmt);
	out_vappend(o, fmt, ap);
	va_end(ap);
}

void out_add(struct outcome *o, const char *fmt, ...)
{
	va_list ap;

	if (o->s[0])
		strncat(o->s, ", ", sizeof(o->s) - strlen(o->s) - 1);
	va_start(ap, fmt);
	out_vappend(o, fmt, ap);
	va_end(ap);
}

static void out_fail(struct outcome *o, long ret, int err)
{
	if (ret == -1)
		out_add(o, "-1 %s", errname(err));
	else
		out_add(o, "ret %ld %s", ret, errname(err));
}

void out_ret(struct outcome *o, long ret)
{
	int err = errno;

	if (ret < 0)
		out_fail(o, ret, err);
	else
		out_add(o, "%ld", ret);
}

void out_fd(struct outcome *o, long ret)
{
	int err = errno;

	if (ret < 0)
		out_fail(o, ret, err);
	else
		out_add(o, "fd");
}

void out_map(struct outcome *o, const void *p)
{
	int err = errno;

	if (p == MAP_FAILED)
		out_add(o, "MAP_FAILED %s", errname(err));
	else
		out_add(o, "mapped");
}

void out_setup(struct outcome *o, const char *what)
{
	out_add(o, "%s: -1 %s", what, errname(errno));
}

/* ---- resources of one case ---- */

void env_init(struct env *e, const struct driver *d)
{
	memset(e, 0, sizeof(*e));
	e->d = d;
}

void env_cleanup(struct env *e)
{
	while (e->nmaps > 0) {
		struct env_map *m = &e->maps[--e->nmaps];

		if (m->raw)
			munmap(m->addr, m->len);
		else
			e->d->munmap(m->addr, m->len);
	}
	while (e->nfds > 0)
		e->d->close(e->fds[--e->nfds]);
	while (e->nrawfds > 0)
		close(e->rawfds[--e->nrawfds]);
}

static int track(int *fds, int *n, int fd)
{
	if (fd >= 0 && *n < ENV_MAX)
		fds[(*n)++] = fd;
	return fd;
}

int env_track(struct env *e, int fd)
{
	return track(e->fds, &e->nfds, fd);
}

int env_track_raw(struct env *e, int fd)
{
	return track(e->rawfds, &e->nrawfds, fd);
}

int env_close(struct env *e, int fd)
{
	int i;

	for (i = 0; i < e->nfds; i++) {
		if (e->fds[i] != fd)
			continue;
		memmove(&e->fds[i], &e->fds[i + 1],
			(e->nfds - i - 1) * sizeof(int));
		e->nfds--;
		break;
	}
	return e->d->close(fd);
}

int env_vm(struct env *e)
{
	return env_track(e, e->d->create_vm(KVM_X86_DEFAULT_VM));
}

int env_gmem(struct env *e, int vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd args = {
		.size = size,
		.flags = flags,
	};

	return env_track(e, e->d->ioctl(vm, KVM_CREATE_GUEST_MEMFD,
					(unsigned long)&args));
}

int env_vm_gmem(struct env *e, uint64_t size, uint64_t flags, int *vm)
{
	int v = env_vm(e);

	if (vm)
		*vm = v;
	if (v < 0)
		return -1;
	return env_gmem(e, v, size, flags);
}

static void track_map(struct env *e, void *addr, size_t len, bool raw)
{
	if (addr == MAP_FAILED || e->nmaps >= ENV_MAX)
		return;
	e->maps[e->nmaps++] = (struct env_map){ addr, len, raw };
}

void *env_mmap(struct env *e, size_t len, int prot, int flags, int fd,
	       off_t off)
{
	void *p = e->d->mmap(NULL, len, prot, flags, fd, off);

	track_map(e, p, len, false);
	return p;
}

int env_munmap(struct env *e, void *addr)
{
	int i;

	for (i = 0; i < e->nmaps; i++) {
		struct env_map m = e->maps[i];

		if (m.addr != addr)
			continue;
		memmove(&e->maps[i], &e->maps[i + 1],
			(e->nmaps - i - 1) * sizeof(m));
		e->nmaps--;
		return m.raw ? munmap(m.addr, m.len)
			     : e->d->munmap(m.addr, m.len);
	}
	errno = EINVAL;
	return -1;
}

void *env_anon(struct env *e, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	track_map(e, p, len, true);
	return p;
}

int env_memfd(struct env *e, size_t len)
{
	int fd = memfd_create("conformance", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, len) < 0) {
		close(fd);
		return -1;
	}
	return env_track_raw(e, fd);
}

int closed_fd(void)
{
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return 1000;
	close(pipefd[0]);
	close(pipefd[1]);
	return pipefd[0];
}

void *bad_pointer(void)
{
	void *p =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return (void *)PAGE;
	munmap(p, PAGE);
	return p;
}

/* ---- touching memory ---- */

static sigjmp_buf touch_jmp;
static volatile sig_atomic_t touch_armed;

static void touch_handler(int sig)
{
	if (!touch_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	touch_armed = 0;
	siglongjmp(touch_jmp, sig);
}

struct touch_guard {
	struct sigaction bus, segv;
};

static void guard_on(struct touch_guard *g)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = touch_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &g->bus);
	sigaction(SIGSEGV, &sa, &g->segv);
}

static void guard_off(const struct touch_guard *g)
{
	touch_armed = 0;
	sigaction(SIGBUS, &g->bus, NULL);
	sigaction(SIGSEGV, &g->segv, NULL);
}

/* Read the byte at `from` into *val, or (from NULL) write *val at `to`,
 * with the guard on: 0, or the signal that stopped the access. */
static int touch(const volatile uint8_t *from, volatile uint8_t *to,
		 uint8_t *val)
{
	struct touch_guard g;
	int sig;

	guard_on(&g);
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig) {
		touch_armed = 1;
		if (from)
			*val = *from;
		else
			*to = *val;
	}
	guard_off(&g);
	return sig;
}

int touch_read(const volatile uint8_t *p, uint8_t *val)
{
	return touch(p, NULL, val);
}

int touch_write(volatile uint8_t *p, uint8_t val)
{
	return touch(NULL, p, &val);
}

static void out_signal(struct outcome *o, int sig)
{
	out_add(o, "%s",
		sig == SIGBUS	 ? "SIGBUS"
		: sig == SIGSEGV ? "SIGSEGV"
				 : "signal");
}

void out_read(struct outcome *o, const void *p)
{
	uint8_t val = 0;
	int sig = touch_read(p, &val);

	if (sig)
		out_signal(o, sig);
	else
		out_add(o, "ok 0x%02x", val);
}

void out_write(struct outcome *o, void *p, uint8_t val)
{
	int sig = touch_write(p, val);

	if (sig)
		out_signal(o, sig);
	else
		out_add(o, "ok");
}

/* ---- sweeps ---- */

void sweep_note(struct sweep *s, int item, const struct outcome *one)
{
	if (!s->first.s[0]) {
		s->first = *one;
		return;
	}
	if (!strcmp(one->s, s->first.s))
		return;
	if (s->nodd++ < 3) {
		size_t used = strlen(s->odd);

		snprintf(s->odd + used, sizeof(s->odd) - used, "; %d: %s", item,
			 one->s);
	}
}

void sweep_out(struct outcome *o, const struct sweep *s)
{
	if (!s->nodd)
		out_set(o, "all %s", s->first.s);
	else
		out_set(o, "%s except%s%s", s->first.s, s->odd,
			s->nodd > 3 ? "; ..." : "");
}

/* ---- misc ---- */

int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *ent;
	int n = 0;

	if (!dir)
		return -1;
	while ((ent = readdir(dir)))
		if (ent->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1; /* the directory's own fd */
}
