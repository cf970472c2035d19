// SPDX-License-Identifier: MIT
/*
 * Address-space queries.
 *
 * Linux 6.11 added the PROCMAP_QUERY ioctl on /proc/<pid>/maps: one call
 * answers which vma contains (or follows) an address and which file is
 * behind it, at about the cost of a system call. Older kernels only offer
 * the text of /proc/self/maps, read line by line up to the address: slower,
 * the same answer. Which one this kernel has is probed once.
 *
 * A descriptor of /proc/self/maps keeps naming the address space of the
 * process that opened it, so a child of fork() drops the inherited one
 * and opens its own on first use.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vma_query.h"

#ifndef PROCMAP_QUERY
/* The kernel's uAPI (include/uapi/linux/fs.h, Linux 6.11), for C libraries
 * whose headers predate it. */
struct procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define PROCMAP_QUERY			   _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_VMA_READABLE	   0x01
#define PROCMAP_QUERY_VMA_WRITABLE	   0x02
#define PROCMAP_QUERY_VMA_EXECUTABLE	   0x04
#define PROCMAP_QUERY_VMA_SHARED	   0x08
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#endif

enum vma_source { SOURCE_UNPROBED, SOURCE_IOCTL, SOURCE_TEXT, SOURCE_NONE };

/* The probe cache; callers serialise. */
static int maps_fd = -1;
static enum vma_source source;
static bool force_text;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void forget_parent_maps(void)
{
	if (maps_fd >= 0)
		close(maps_fd);
	maps_fd = -1;
	source = SOURCE_UNPROBED;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, forget_parent_maps);
}

static int prot_of(uint64_t vma_flags)
{
	return (vma_flags & PROCMAP_QUERY_VMA_READABLE ? PROT_READ : 0) |
	       (vma_flags & PROCMAP_QUERY_VMA_WRITABLE ? PROT_WRITE : 0) |
	       (vma_flags & PROCMAP_QUERY_VMA_EXECUTABLE ? PROT_EXEC : 0);
}

static int ioctl_query(uintptr_t addr, struct vma *v)
{
	struct procmap_query q = {
		.size = sizeof(q),
		.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
		.query_addr = addr,
	};

	if (ioctl(maps_fd, PROCMAP_QUERY, &q))
		return -errno;
	*v = (struct vma){
		.start = q.vma_start,
		.end = q.vma_end,
		.offset = q.vma_offset,
		.dev = makedev(q.dev_major, q.dev_minor),
		.ino = q.inode,
		.prot = prot_of(q.vma_flags),
		.shared = q.vma_flags & PROCMAP_QUERY_VMA_SHARED,
	};
	return 0;
}

/* One line of /proc/self/maps: "start-end rwxs offset major:minor inode". */
static int parse_line(const char *s, struct vma *v)
{
	unsigned long major, minor;
	char *e;

	v->start = strtoull(s, &e, 16);
	if (*e != '-')
		return -EINVAL;
	v->end = strtoull(e + 1, &e, 16);
	if (e[0] != ' ' || !e[1] || !e[2] || !e[3] || !e[4])
		return -EINVAL;
	v->prot = (e[1] == 'r' ? PROT_READ : 0) |
		  (e[2] == 'w' ? PROT_WRITE : 0) |
		  (e[3] == 'x' ? PROT_EXEC : 0);
	v->shared = e[4] == 's';
	v->offset = strtoull(e + 5, &e, 16);
	major = strtoul(e, &e, 16);
	if (*e != ':')
		return -EINVAL;
	minor = strtoul(e + 1, &e, 16);
	v->ino = strtoull(e, &e, 10);
	v->dev = makedev(major, minor);
	return 0;
}

/* The vmas of the text of /proc/self/maps, ascending, each to `visit`
 * until it answers non-zero (returned); only the first fields of a line
 * are kept (names may be long). 0 at the end, -ENOSYS or -errno. */
static int text_walk(vma_visit_fn visit, void *arg)
{
	char buf[4096], line[160];
	size_t used = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	int ret = 0;
	ssize_t n = 0;
	struct vma v;

	if (fd < 0)
		return -ENOSYS;
	while (!ret && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n && !ret; i++) {
			if (buf[i] != '\n') {
				if (used < sizeof(line) - 1)
					line[used++] = buf[i];
				continue;
			}
			line[used] = '\0';
			used = 0;
			if (!parse_line(line, &v))
				ret = visit(&v, arg);
		}
	}
	if (!ret && n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

struct text_find {
	uintptr_t addr;
	struct vma *found;
};

/* Stops at the first vma ending above the address. */
static int text_find_visit(const struct vma *v, void *arg)
{
	struct text_find *t = arg;

	if (v->end <= t->addr)
		return 0;
	*t->found = *v;
	return 1;
}

static int text_query(uintptr_t addr, struct vma *v)
{
	struct text_find t = { .addr = addr, .found = v };
	int ret = text_walk(text_find_visit, &t);

	if (ret == 1)
		return 0;
	return ret ? ret : -ENOENT;
}

/* PROCMAP_QUERY from address 0 upward, one vma per call. */
static int ioctl_walk(vma_visit_fn visit, void *arg)
{
	struct vma v;
	int ret = 0;

	for (uintptr_t at = 0; !ret; at = v.end) {
		ret = ioctl_query(at, &v);
		if (ret == -ENOENT)
			return 0;
		if (!ret)
			ret = visit(&v, arg);
	}
	return ret;
}

static void probe(void)
{
	struct vma v;

	pthread_once(&atfork_once, register_atfork);
	maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (maps_fd < 0) {
		source = SOURCE_NONE;
		return;
	}
	source = ioctl_query((uintptr_t)&maps_fd, &v) ? SOURCE_TEXT
						      : SOURCE_IOCTL;
}

int vma_query(uintptr_t addr, struct vma *v)
{
	if (source == SOURCE_UNPROBED)
		probe();
	if (source == SOURCE_NONE)
		return -ENOSYS;
	if (force_text || source == SOURCE_TEXT)
		return text_query(addr, v);
	return ioctl_query(addr, v);
}

bool vma_maps_file(const struct vma *v, const struct file_id *id)
{
	return (v->dev || v->ino) && v->dev == id->dev && v->ino == id->ino;
}

int vma_walk(vma_visit_fn visit, void *arg)
{
	if (source == SOURCE_UNPROBED)
		probe();
	if (source == SOURCE_NONE)
		return -ENOSYS;
	if (force_text || source == SOURCE_TEXT)
		return text_walk(visit, arg);
	return ioctl_walk(visit, arg);
}

void vma_query_force_text(bool on)
{
	force_text = on;
}
