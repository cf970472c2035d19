// SPDX-License-Identifier: MIT
/*
 * Plain file operations on a guest_memfd (docs/SEMANTICS.md R7,
 * R10..R16).
 *
 * The library does not wrap these: they are issued directly on the fd it
 * returns, which must behave as the kernel's guest_memfd does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/falloc.h>

#include "conformance.h"

#define FILE_SIZE (2 * PAGE)
#define FILE_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

/* How run_op prints a non-negative answer (the case's mode). */
enum { FMT_DEC, FMT_OCT, FMT_FD };

static char buf[PAGE];

static long op_read(int fd) { return read(fd, buf, 1); }
static long op_read0(int fd) { return read(fd, buf, 0); }
static long op_write(int fd) { return write(fd, buf, 1); }
static long op_write0(int fd) { return write(fd, buf, 0); }
static long op_pread(int fd) { return pread(fd, buf, 1, 0); }
static long op_pwrite(int fd) { return pwrite(fd, buf, 1, 0); }

static long op_readv(int fd)
{
	struct iovec iov = { buf, 1 };

	return readv(fd, &iov, 1);
}

static long op_writev(int fd)
{
	struct iovec iov = { buf, 1 };

	return writev(fd, &iov, 1);
}

static long op_seek_set(int fd) { return lseek(fd, 0, SEEK_SET); }
static long op_seek_cur(int fd) { return lseek(fd, 0, SEEK_CUR); }
static long op_seek_end(int fd) { return lseek(fd, 0, SEEK_END); }
static long op_seek_data(int fd) { return lseek(fd, 0, SEEK_DATA); }
static long op_seek_hole(int fd) { return lseek(fd, 0, SEEK_HOLE); }
static long op_fsync(int fd) { return fsync(fd); }
static long op_fdatasync(int fd) { return fdatasync(fd); }
static long op_fchmod(int fd) { return fchmod(fd, 0600); }
static long op_fchown(int fd) { return fchown(fd, getuid(), getgid()); }
static long op_getfl(int fd) { return fcntl(fd, F_GETFL); }
static long op_getfd(int fd) { return fcntl(fd, F_GETFD); }

static long op_dup(int fd)
{
	int copy = dup(fd);

	if (copy >= 0)
		close(copy);
	return copy;
}

static long op_reopen(int fd)
{
	char path[64];
	int copy;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	copy = open(path, O_RDWR | O_CLOEXEC);
	if (copy >= 0)
		close(copy);
	return copy;
}

static long op_sendfile(int fd)
{
	int pipefd[2];
	long ret;
	int err;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	ret = sendfile(pipefd[1], fd, NULL, 1);
	err = errno;
	close(pipefd[0]);
	close(pipefd[1]);
	errno = err;
	return ret;
}

static long op_splice(int fd)
{
	int pipefd[2];
	long ret;
	int err;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	ret = splice(fd, NULL, pipefd[1], NULL, 1, 0);
	err = errno;
	close(pipefd[0]);
	close(pipefd[1]);
	errno = err;
	return ret;
}

static long op_poll(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	int ret = poll(&p, 1, 0);

	return ret < 0 ? ret : p.revents;
}

static long stat_field(int fd, int which)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	switch (which) {
	case 0: return st.st_mode;
	case 1: return st.st_size;
	case 2: return st.st_blksize;
	case 3: return st.st_blocks;
	default: return st.st_nlink;
	}
}

static long op_st_mode(int fd) { return stat_field(fd, 0); }
static long op_st_size(int fd) { return stat_field(fd, 1); }
static long op_st_blksize(int fd) { return stat_field(fd, 2); }
static long op_st_blocks(int fd) { return stat_field(fd, 3); }
static long op_st_nlink(int fd) { return stat_field(fd, 4); }

/* Reads errno on entry, as out_ret() does. */
static void out_op(struct outcome *o, long ret, int fmt)
{
	if (ret >= 0 && fmt == FMT_OCT)
		out_add(o, "0%lo", ret);
	else if (fmt == FMT_FD)
		out_fd(o, ret);
	else
		out_ret(o, ret);
}

/* op on a fresh 2-page MMAP|INIT_SHARED file; mode: the format. */
static void run_op(struct env *e, const struct conf_case *c,
		   struct outcome *o)
{
	int fd = env_vm_gmem(e, FILE_SIZE, FILE_FLAGS, NULL);

	NEED(o, fd >= 0, "create");
	out_op(o, c->op(fd), c->mode);
}

/* st_blocks after the whole file was allocated. */
static void run_blocks_allocated(struct env *e, const struct conf_case *c,
				 struct outcome *o)
{
	int fd = env_vm_gmem(e, FILE_SIZE, FILE_FLAGS, NULL);

	(void)c;
	NEED(o, fd >= 0, "create");
	out_ret(o, e->d->fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, FILE_SIZE));
	out_ret(o, op_st_blocks(fd));
}

/* Two files of one VM have distinct inode numbers. */
static void run_distinct_inodes(struct env *e, const struct conf_case *c,
				struct outcome *o)
{
	int vm, a = env_vm_gmem(e, FILE_SIZE, FILE_FLAGS, &vm);
	int b = env_gmem(e, vm, FILE_SIZE, FILE_FLAGS);
	struct stat sa, sb;

	(void)c;
	NEED(o, a >= 0 && b >= 0, "create");
	NEED(o, !fstat(a, &sa) && !fstat(b, &sb), "fstat");
	out_set(o, "%s", sa.st_ino != sb.st_ino ? "distinct" : "same");
}

/*
 * arg: an ioctl request, issued through the driver with a zeroed 128-byte
 * argument; mode 0 on the guest_memfd, 1 on its VM.
 */
static void run_ioctl(struct env *e, const struct conf_case *c,
		      struct outcome *o)
{
	static uint64_t zero[16];
	int vm, fd = env_vm_gmem(e, FILE_SIZE, FILE_FLAGS, &vm);

	NEED(o, fd >= 0, "create");
	out_ret(o, e->d->ioctl(c->mode ? vm : fd, c->arg, (unsigned long)zero));
}

#define OP(n, r, f, x) \
	{ .name = "file/" n, .rule = r, .expect = x, .run = run_op, .op = f }
#define OPF(n, r, f, fmt, x) \
	{ .name = "file/" n, .rule = r, .expect = x, .run = run_op, .op = f, \
	  .mode = fmt }
/*
 * Plain fchmod/fchown reach the memfd backend's identity file, a
 * memfd_secret() file, whose inode accepts them; the library wraps neither
 * call and promises only read, write, lseek, pread, fstat and ftruncate.
 */
#define OP_UNPROMISED(n, r, f, x) \
	{ .name = "file/" n, .rule = r, .expect = x, .run = run_op, .op = f, \
	  .unpromised_way = "gmem-memfd", \
	  .unpromised_why = "plain " n " on a memfd_secret identity file" }
#define IOCTL(n, req, on_vm, x) \
	{ .name = "ioctl/" n, .rule = "R16", .expect = x, .run = run_ioctl, \
	  .arg = req, .mode = on_vm }

static const struct conf_case cases[] = {
	OP("read 1", "R10", op_read, "-1 EINVAL"),
	OP("read 0", "R10", op_read0, "-1 EINVAL"),
	OP("write 1", "R10", op_write, "-1 EINVAL"),
	OP("write 0", "R10", op_write0, "-1 EINVAL"),
	OP("readv", "R10", op_readv, "-1 EINVAL"),
	OP("writev", "R10", op_writev, "-1 EINVAL"),
	OP("pread", "R10", op_pread, "-1 ESPIPE"),
	OP("pwrite", "R10", op_pwrite, "-1 ESPIPE"),
	OP("lseek SEEK_SET", "R11", op_seek_set, "-1 ESPIPE"),
	OP("lseek SEEK_CUR", "R11", op_seek_cur, "-1 ESPIPE"),
	OP("lseek SEEK_END", "R11", op_seek_end, "-1 ESPIPE"),
	OP("lseek SEEK_DATA", "R11", op_seek_data, "-1 ESPIPE"),
	OP("lseek SEEK_HOLE", "R11", op_seek_hole, "-1 ESPIPE"),
	OP_UNPROMISED("fchmod", "R12", op_fchmod, "-1 EINVAL"),
	OP_UNPROMISED("fchown", "R12", op_fchown, "-1 EINVAL"),
	OP("fsync", "R13", op_fsync, "-1 EINVAL"),
	OP("fdatasync", "R13", op_fdatasync, "-1 EINVAL"),
	OP("sendfile", "R14", op_sendfile, "-1 EINVAL"),
	OP("splice", "R14", op_splice, "-1 EINVAL"),
	OP("poll revents (POLLIN|POLLOUT)", "R14", op_poll, "5"),
	OP("reopen /proc/self/fd", "R15", op_reopen, "-1 ENXIO"),
	OPF("dup", "R15", op_dup, FMT_FD, "fd"),
	OPF("F_GETFL (O_RDWR|O_LARGEFILE)", "R7", op_getfl, FMT_OCT,
	    "0100002"),
	OP("F_GETFD (no FD_CLOEXEC)", "R7", op_getfd, "0"),
	OPF("fstat st_mode", "R7", op_st_mode, FMT_OCT, "0100600"),
	OP("fstat st_size", "R7", op_st_size, "8192"),
	OP("fstat st_blksize", "R7", op_st_blksize, "4096"),
	OP("fstat st_blocks", "R7", op_st_blocks, "0"),
	OP("fstat st_nlink", "R7", op_st_nlink, "1"),
	{ .name = "file/fstat st_blocks after fallocate", .rule = "R7",
	  .expect = "0, 0", .run = run_blocks_allocated },
	{ .name = "file/distinct inodes", .rule = "R7", .expect = "distinct",
	  .run = run_distinct_inodes },
	IOCTL("unknown _IO(KVMIO, 0xff) on gmem", _IO(KVMIO, 0xff), 0,
	      "-1 ENOTTY"),
	IOCTL("KVM_CHECK_EXTENSION on gmem", KVM_CHECK_EXTENSION, 0,
	      "-1 ENOTTY"),
	IOCTL("KVM_SET_MEMORY_ATTRIBUTES on gmem", KVM_SET_MEMORY_ATTRIBUTES, 0,
	      "-1 ENOTTY"),
	IOCTL("KVM_SET_MEMORY_ATTRIBUTES on vm", KVM_SET_MEMORY_ATTRIBUTES, 1,
	      "-1 ENOTTY"),
	IOCTL("KVM_SET_MEMORY_ATTRIBUTES2 on vm", KVM_SET_MEMORY_ATTRIBUTES2, 1,
	      "-1 ENOTTY"),
};

const struct case_group group_fileops = {
	.name = "fileops",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
