// SPDX-License-Identifier: MIT
/*
 * The library's view of a file's memory.
 *
 * The whole-file mapping is made lazily because most files are never
 * touched by the library at all, and two racing first users simply keep
 * whichever mapping was published first (host_map.c, which clears it in
 * a child of fork()). MAP_NORESERVE: the mapping
 * must not commit memory; only pages really touched (by a content mode or
 * a guest access) are allocated. MADV_DONTDUMP: the view shows private
 * pages, which a core dump of the process must not carry (docs/PRIVACY.md).
 * Like every mapping of the library's it is MADV_DONTFORK: a child of
 * fork() neither has it nor unmaps what its address holds in the child
 * (R109); it makes its own view on first use.
 */
#include <errno.h>
#include <sys/mman.h>

#include "gmem_file.h"
#include "host_map.h"
#include "process.h"
#include "view.h"

/* A view maps the memory's descriptor only while it is still the
 * library's: else the program's file would be written as guest memory. */
static int view_map_file(struct gmem_file *f, uint64_t offset, uint64_t len,
			 char **view)
{
	int fd = gmem_file_memory_fd(f);
	void *p;

	if (fd < 0)
		return fd;
	p = host_map_mmap_own(len, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_NORESERVE, fd, offset);
	if (p == MAP_FAILED)
		return -ENOMEM;
	/* Advice only: failing, it costs a core dump its privacy, no more. */
	madvise(p, len, MADV_DONTDUMP);
	*view = p;
	return 0;
}

static char *view_whole_file(struct gmem_file *f)
{
	char *view = atomic_load(&f->view);
	char *won;

	if (view || f->size > GMEM_VIEW_MAX)
		return view;
	if (view_map_file(f, 0, f->size, &view))
		return NULL;
	won = host_map_publish_own(view, &f->view);
	if (won != view)
		host_map_unmap_own(view, f->size);
	return won;
}

int view_map(struct gmem_file *f, uint64_t offset, uint64_t len, struct view *v)
{
	char *whole = view_whole_file(f);
	uint64_t start = offset & ~(GMEM_PAGE_SIZE - 1);
	int err;

	v->generation = process_generation();
	v->window = NULL;
	if (whole) {
		v->base = whole + offset;
		return 0;
	}
	v->window_len =
		((offset + len + GMEM_PAGE_SIZE - 1) & ~(GMEM_PAGE_SIZE - 1)) -
		start;
	err = view_map_file(f, start, v->window_len, &v->window);
	if (err)
		return err;
	v->base = v->window + (offset - start);
	return 0;
}

void view_unmap(struct view *v)
{
	/* A window the parent made is not in this process: its address
	 * may be the child's own memory by now. */
	if (v->window && v->generation == process_generation())
		host_map_unmap_own(v->window, v->window_len);
	v->window = NULL;
}

void view_release(struct gmem_file *f)
{
	char *view = atomic_load(&f->view);

	if (view)
		host_map_unmap_own(view, f->size);
}
