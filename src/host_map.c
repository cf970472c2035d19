// SPDX-License-Identifier: MIT
/*
 * Host mappings.
 *
 * Every mapping made by gmem_mmap() is recorded (address, length,
 * protection, file offset) on a global list, for gmem_munmap(), and on its
 * file's list, for conversions. A private range is covered, MAP_FIXED, by
 * a shared mapping of the file's hole (an empty memfd of its own) at the
 * same file offset: any access beyond the hole's (zero) size raises SIGBUS
 * with no signal handler of ours, and the file's own pages are really gone
 * from the host's page tables. A mapping holds a reference on its file, so
 * the file outlives its fd while mapped (R8).
 *
 * Ownership (R106). The program may unmap, move, protect or map over a gmem
 * mapping with the plain system calls; the record then names addresses
 * that are no longer the library's. So no range is ever mapped over until
 * the kernel confirms (vma_query.c), at that moment, that it still maps
 * this file's memory or hole at the recorded offset; what does not is left
 * alone, and a record with nothing left of it is forgotten. The check and
 * the remap are two system calls: a thread that unmaps and reuses the same
 * addresses at that very moment races the library as it would race any
 * other MAP_FIXED caller. A mapping the program moved is adopted where
 * the memory is the library's alone (R108); the library's own mappings of
 * a file (views, the remaps' sources) are listed, so that they are never
 * taken for one.
 *
 * Remaps. A range is covered, and shown again, by mremap(2) with an old
 * size of 0 from a source: a mapping of the whole hole, or of the whole
 * memory, made with the file's first host mapping and never touched.
 * mremap makes a second mapping of the source's pages at the address,
 * with the source's flags: the file, the offset, MADV_DONTFORK, and the
 * MADV_DONTDUMP and MAP_NORESERVE every host mapping is also given when
 * made, so that a restored piece merges back with its neighbours into
 * one vma (with other flags each restore would leave a vma behind, until
 * the process ran out of them). One system call where mmap(MAP_FIXED)
 * and madvise(MADV_DONTFORK) were two, and no descriptor named: a program
 * that closes one of the library's descriptors by mistake, and gets the
 * number back for a file of its own, never sees that file mapped into a
 * gmem mapping. A piece the program protected otherwise (PROT_READ, say)
 * is mapped from the descriptor with its own protection at once, never
 * writable for an instant. The sources cost address space only (twice the
 * file's size; no page of theirs is ever touched). Like the view, they are the
 * library's: a program that maps over them (MAP_FIXED at addresses it does not
 * own) would have its own pages remapped into the gmem mapping, as it would
 * corrupt malloc's by the same act. Where there is no source (a file over
 * SOURCE_MAX, a source that could not be made, valgrind, which knows no old
 * size of 0) or the remap fails, the range is mapped from the descriptor as
 * before, once the descriptor is checked to be still the library's file.
 *
 * Children. fork() would give a child the file's pages, which a
 * conversion to private could not take back from its page tables; every
 * mapping, the library's own views included, is MADV_DONTFORK, so a child
 * inherits none, and finds the file's hole where its gmem mappings were
 * (R109). A child forgets the views it did not inherit
 * (below, at fork()). Its records of gmem mappings name addresses it does not
 * have either, which the ownership check above already leaves alone.
 *
 * host_maps_lock nests inside a file's convert_lock. It is held across the
 * system calls that change a recorded range, so that a conversion never
 * races an unmap that goes through the library; it also serialises the
 * address-space queries.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "gmem_file.h"
#include "host_map.h"
#include "own_fd.h"
#include "vma_query.h"

/* The largest file remaps have sources for (its address space only,
 * twice: a source is never touched), and their protection. */
#define SOURCE_MAX  (1ULL << 40)
#define SOURCE_PROT (PROT_READ | PROT_WRITE)

struct host_map {
	char *addr;
	size_t len;
	int prot;	 /* as mapped; the kernel's view wins */
	uint64_t offset; /* file offset of addr */
	/* A restore failed here (the system ran out of mappings): shared
	 * pages may still fault. Safe, so the validator allows it. */
	bool degraded;
	/* What the last resync found not ours inside the live span: a
	 * change means the program acted since, so a walk is due. */
	uint64_t gone_mark;
	struct gmem_file *file;	       /* holds a reference */
	struct host_map *next;	       /* global list */
	struct host_map *next_in_file; /* file->mapped->maps */
};

/* A file's mappings and the two files they may show, as the kernel names
 * them: its memory (shared pages) and its hole (private pages). */
struct host_map_file {
	struct host_map *maps;
	int hole_fd;
	struct file_id memory, hole;
	/* The sources remaps copy from (above), NULL where there are none;
	 * a child of fork() has none (cleared as own mappings). */
	_Atomic(char *) memory_source, hole_source;
	/* A record changed under the program's hands and no walk has
	 * completed since: moved mappings may be unknown (R108). */
	bool walk_due;
};

/* A mapping the library keeps for itself (a view): never a host mapping,
 * whichever file it shows. */
struct own_map {
	char *addr;
	size_t len;
	_Atomic(char *) *cache; /* where the library keeps addr, or NULL */
	struct own_map *next;
};

static struct gmem_mutex host_maps_lock;
static struct host_map *host_maps; /* host_maps_lock */
static struct own_map *own_maps;   /* host_maps_lock */
/* host_maps_lock: a child's list of its parent's views, which it does not
 * have; freed outside the fork handler, by the next own mapping. */
static struct own_map *inherited_own;
/* host_maps_lock: records forgotten while the caller may hold other
 * locks; their file references are put by the next caller that holds
 * none (a put may end a file, which takes its VM's locks). */
static struct host_map *graveyard;
static pthread_once_t host_maps_once = PTHREAD_ONCE_INIT;

/* fork() (R109). The lock, a leaf, is held across it, as glibc's malloc
 * holds its arenas', so that the child's list of own mappings is whole
 * and names every cached copy of their addresses (a view is published
 * under the lock); the child clears those copies, never unmapping what
 * their addresses may hold by then. The forking
 * thread takes no file's lock, so a fork never deadlocks with a
 * conversion; a file's own locks another thread held at the fork stay
 * held in the child (docs/PRIVACY.md). */

static void before_fork(void)
{
	gmem_mutex_lock(&host_maps_lock);
}

static void in_parent(void)
{
	gmem_mutex_unlock(&host_maps_lock);
}

/*
 * A child's gmem mappings. The kernel would leave them to the child and
 * take a page back from it when the parent makes the page private; the
 * library cannot reach a child's page tables, so they were not inherited
 * (MADV_DONTFORK). The child gets each file's hole there instead: a touch
 * raises SIGBUS, as a touch of a private page does on the kernel, not
 * SIGSEGV on a vanished mapping (R109). The address is a hint, not
 * MAP_FIXED: the kernel takes it only where the child has nothing there,
 * since a stale record may name memory the parent reused before the fork
 * (MAP_FIXED_NOREPLACE would say the same, but not on every kernel, nor
 * under valgrind); a mapping placed elsewhere goes.
 */
static void cover_inherited_maps(void)
{
	for (struct host_map *m = host_maps; m; m = m->next) {
		const struct host_map_file *hf = m->file->mapped;
		void *p = MAP_FAILED;

		if (own_fd_names(hf->hole_fd, &hf->hole))
			p = mmap(m->addr, m->len, m->prot, MAP_SHARED,
				 hf->hole_fd, (off_t)m->offset);
		if (p != MAP_FAILED && p != m->addr)
			munmap(p, m->len);
	}
}

static void in_child(void)
{
	struct own_map **tail = &inherited_own;

	for (struct own_map *o = own_maps; o; o = o->next)
		if (o->cache)
			atomic_store(o->cache, NULL);
	while (*tail)
		tail = &(*tail)->next;
	*tail = own_maps;
	own_maps = NULL;
	cover_inherited_maps();
	gmem_mutex_unlock(&host_maps_lock);
}

static void host_maps_init(void)
{
	gmem_mutex_init(&host_maps_lock);
	pthread_atfork(before_fork, in_parent, in_child);
}

static void host_maps_lock_take(void)
{
	pthread_once(&host_maps_once, host_maps_init);
	gmem_mutex_lock(&host_maps_lock);
}

/* Map `len` bytes at `va` to `fd` at `offset`, kept from children, with
 * the flags of a source. */
static int map_fixed(char *va, size_t len, int prot, int fd, uint64_t offset)
{
	if (mmap(va, len, prot, MAP_SHARED | MAP_FIXED | MAP_NORESERVE, fd,
		 (off_t)offset) == MAP_FAILED)
		return -errno;
	if (madvise(va, len, MADV_DONTFORK) || madvise(va, len, MADV_DONTDUMP))
		return -errno;
	return 0;
}

/* map_fixed() from `fd` if it is still the file `id` names: a number the
 * program closed and reused for a file of its own must never be mapped
 * into a gmem mapping (R123). -EIO if it is not. */
static int map_from_descriptor(char *va, size_t len, int prot, int fd,
			       const struct file_id *id, uint64_t offset)
{
	if (!own_fd_names(fd, id))
		return -EIO;
	return map_fixed(va, len, prot, fd, offset);
}

/* Show `len` bytes of `source`, a source mapping at the offset wanted,
 * at `va`, MAP_FIXED, with the source's protection. */
static int remap_from(char *source, char *va, size_t len)
{
	if (mremap(source, 0, len, MREMAP_MAYMOVE | MREMAP_FIXED, va) ==
	    MAP_FAILED)
		return -errno;
	return 0;
}

/* Map `len` bytes at `va` to the memory (`shared`) or the hole of `f` at
 * `offset`: from the source, else from the descriptor. A piece with
 * another protection than the source's comes from the descriptor, mapped
 * with its own at once: a remap and an mprotect(2) would leave it the
 * source's for an instant, and another thread could write a page the
 * program mapped read-only. */
static int map_piece(struct gmem_file *f, char *va, size_t len, int prot,
		     bool shared, uint64_t offset)
{
	struct host_map_file *hf = f->mapped;
	char *source =
		atomic_load(shared ? &hf->memory_source : &hf->hole_source);

	gmem_assert_mutex_held(&host_maps_lock);
	if (source && prot == SOURCE_PROT &&
	    !remap_from(source + offset, va, len))
		return 0;
	return map_from_descriptor(va, len, prot,
				   shared ? f->memory_fd : hf->hole_fd,
				   shared ? &hf->memory : &hf->hole, offset);
}

/* The address range of `m` showing pages [first, end), clipped. */
static bool map_window(const struct host_map *m, uint64_t first, uint64_t end,
		       char **va, size_t *len, uint64_t *offset)
{
	uint64_t lo = first << GMEM_PAGE_SHIFT, hi = end << GMEM_PAGE_SHIFT;
	uint64_t m_end = m->offset + m->len;

	if (lo < m->offset)
		lo = m->offset;
	if (hi > m_end)
		hi = m_end;
	if (lo >= hi)
		return false;
	*va = m->addr + (lo - m->offset);
	*len = hi - lo;
	*offset = lo;
	return true;
}

/* Whether vma `v`, at address `at`, is the library's mapping of the file
 * whose offset `offset` belongs there. */
static bool vma_is_ours(const struct host_map_file *hf, const struct vma *v,
			uintptr_t at, uint64_t offset)
{
	if (!v->shared || v->offset + (at - v->start) != offset)
		return false;
	return vma_maps_file(v, &hf->memory) || vma_maps_file(v, &hf->hole);
}

/* One piece of a window as the kernel maps it now: [at, next), at file
 * offset `offset`, and the vma behind it where that vma still shows this
 * file at that offset; NULL for a hole in the address space or anything
 * else mapped there. */
struct window_piece {
	char *at, *next;
	uint64_t offset;
	const struct vma *ours;
};

/*
 * Call fn on each piece of [va, va + len), file offset `offset`, in
 * order, asking the kernel vma by vma; stops at fn's first non-zero
 * return. The part past the last vma is one piece that is not ours.
 * -ENOSYS where the kernel cannot be asked (no /proc).
 */
static int window_for_each(const struct host_map_file *hf, char *va, size_t len,
			   uint64_t offset,
			   int (*fn)(const struct window_piece *p, void *arg),
			   void *arg)
{
	char *end = va + len;
	struct vma v;

	for (char *at = va; at < end;) {
		struct window_piece p = {
			.at = at,
			.next = end,
			.offset = offset + (uint64_t)(at - va),
		};
		int err = vma_query((uintptr_t)at, &v);

		if (err && err != -ENOENT)
			return err;
		if (!err && (char *)v.start > at && (char *)v.start < end) {
			p.next = (char *)v.start;
		} else if (!err && (char *)v.start <= at) {
			p.next = (char *)v.end < end ? (char *)v.end : end;
			if (vma_is_ours(hf, &v, (uintptr_t)at, p.offset))
				p.ours = &v;
		}
		err = fn(&p, arg);
		if (err)
			return err;
		at = p.next;
	}
	return 0;
}

struct cover {
	struct gmem_file *file;
	struct host_map *map;
	bool shared;
	bool *stale;
};

static int cover_piece(const struct window_piece *p, void *arg)
{
	struct cover *c = arg;
	int err;

	if (!p->ours) {
		*c->stale = true;
		return 0;
	}
	err = map_piece(c->file, p->at, (size_t)(p->next - p->at),
			p->ours->prot, c->shared, p->offset);
	if (err)
		c->map->degraded |= c->shared;
	return err;
}

/*
 * Map [va, va + len), file offset `offset`, to the memory or the hole,
 * vma by vma, only where the kernel still shows this file at that offset,
 * each with the protection the program left on it. *stale is set when
 * some part is not ours any more. Without /proc the kernel cannot be
 * asked, and the record is trusted as before.
 */
static int cover_window(struct gmem_file *f, struct host_map *m, char *va,
			size_t len, uint64_t offset, bool shared, bool *stale)
{
	struct cover c = {
		.file = f,
		.map = m,
		.shared = shared,
		.stale = stale,
	};
	int err = window_for_each(f->mapped, va, len, offset, cover_piece, &c);

	if (err == -ENOSYS)
		return map_piece(f, va, len, m->prot, shared, offset);
	return err;
}

/* Mixes the not-ours range [a, b) into a mark. */
static uint64_t mark_mix(uint64_t mark, char *a, char *b)
{
	const uint64_t prime = 0x100000001b3ULL;

	mark = (mark ^ (uintptr_t)a) * prime;
	return (mark ^ (uintptr_t)b) * prime;
}

struct live_span {
	char *lo, *hi;
	uint64_t mark, gone_mark;
};

static int live_span_piece(const struct window_piece *p, void *arg)
{
	struct live_span *s = arg;

	if (!p->ours) {
		s->mark = mark_mix(s->mark, p->at, p->next);
		return 0;
	}
	if (!s->lo) {
		s->lo = p->at;
		s->mark = 0;
	}
	s->hi = p->next;
	s->gone_mark = s->mark;
	return 0;
}

/*
 * The part of `m` the kernel still shows as ours: [*lo, *hi), empty when
 * nothing is left, and a mark of the ranges in between that are not ours:
 * they stay in the record, and every remap checks them again.
 */
static int map_live_span(const struct host_map *m, char **lo, char **hi,
			 uint64_t *gone_mark)
{
	struct live_span s = { 0 };
	int err = window_for_each(m->file->mapped, m->addr, m->len, m->offset,
				  live_span_piece, &s);

	*lo = err ? NULL : s.lo;
	*hi = err ? NULL : s.hi;
	*gone_mark = err ? 0 : s.gone_mark;
	return err;
}

static void unlink_from_file(struct host_map *m)
{
	struct host_map **pp = &m->file->mapped->maps;

	while (*pp != m)
		pp = &(*pp)->next_in_file;
	*pp = m->next_in_file;
}

static void unlink_from_all(struct host_map *m)
{
	struct host_map **pp = &host_maps;

	while (*pp != m)
		pp = &(*pp)->next;
	*pp = m->next;
	unlink_from_file(m);
}

/* Shrink `m` to the part the kernel still shows as ours; a record with
 * nothing left goes on *dead. A failed query keeps the record: every
 * remap checks it again. Whether the record changed. */
static bool host_map_resync(struct host_map *m, struct host_map **dead)
{
	uint64_t gone_mark;
	bool same_gaps;
	char *lo, *hi;

	gmem_assert_mutex_held(&host_maps_lock);
	if (map_live_span(m, &lo, &hi, &gone_mark))
		return false;
	if (!lo) {
		unlink_from_all(m);
		m->next = *dead;
		*dead = m;
		return true;
	}
	same_gaps = gone_mark == m->gone_mark;
	m->gone_mark = gone_mark;
	if (lo == m->addr && hi == m->addr + m->len)
		return !same_gaps;
	m->offset += (uint64_t)(lo - m->addr);
	m->len = (size_t)(hi - lo);
	m->addr = lo;
	return true;
}

/*
 * Moved mappings (memfd backend). The memory and the hole are files only
 * the library holds, so a shared vma of either that is neither a record
 * (at its recorded offset) nor a view of the library's is a gmem mapping
 * the program moved with mremap(2): it is adopted as a record, so that
 * conversions reach it (R108). A walk visits every vma of the process,
 * so it runs only once a record changed under the program's hands (its
 * gone_mark), and again only after another change or a failed walk.
 */
struct adoption {
	struct gmem_file *f;
	struct host_map *found; /* next_in_file chain, not yet listed */
};

/* Where the known part of vma `v` that contains `at` ends, or NULL if
 * `at` is in no record (at the vma's offset) and no view. */
static char *known_until(const struct adoption *a, const struct vma *v,
			 char *at)
{
	uint64_t offset = v->offset + (uint64_t)((uintptr_t)at - v->start);
	char *v_end = (char *)v->end;

	for (struct host_map *m = a->f->mapped->maps; m; m = m->next_in_file)
		if (at >= m->addr && at < m->addr + m->len &&
		    m->offset + (uint64_t)(at - m->addr) == offset)
			return m->addr + m->len < v_end ? m->addr + m->len
							: v_end;
	for (struct own_map *o = own_maps; o; o = o->next)
		if (at >= o->addr && at < o->addr + o->len)
			return o->addr + o->len < v_end ? o->addr + o->len
							: v_end;
	return NULL;
}

/* The lowest start of a record or view in (at, limit), else limit. */
static char *next_known(const struct adoption *a, char *at, char *limit)
{
	for (struct host_map *m = a->f->mapped->maps; m; m = m->next_in_file)
		if (m->addr > at && m->addr < limit)
			limit = m->addr;
	for (struct own_map *o = own_maps; o; o = o->next)
		if (o->addr > at && o->addr < limit)
			limit = o->addr;
	return limit;
}

static int adopt_range(struct adoption *a, const struct vma *v, char *lo,
		       char *hi)
{
	struct host_map *m = gmem_calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	*m = (struct host_map){
		.addr = lo,
		.len = (size_t)(hi - lo),
		.prot = v->prot,
		.offset = v->offset + (uint64_t)((uintptr_t)lo - v->start),
		.file = a->f,
		.next_in_file = a->found,
	};
	a->found = m;
	return 0;
}

static int adopt_visit(const struct vma *v, void *arg)
{
	struct adoption *a = arg;
	const struct host_map_file *hf = a->f->mapped;
	char *end = (char *)v->end;
	int err = 0;

	if (!v->shared ||
	    (!vma_maps_file(v, &hf->memory) && !vma_maps_file(v, &hf->hole)))
		return 0;
	for (char *at = (char *)v->start, *next; at < end && !err; at = next) {
		next = known_until(a, v, at);
		if (next)
			continue;
		next = next_known(a, at, end);
		err = adopt_range(a, v, at, next);
	}
	return err;
}

static size_t adoption_list(struct adoption *a)
{
	size_t n = 0;

	for (; a->found; n++) {
		struct host_map *m = a->found;

		a->found = m->next_in_file;
		gmem_file_get(m->file);
		m->next = host_maps;
		host_maps = m;
		m->next_in_file = m->file->mapped->maps;
		m->file->mapped->maps = m;
	}
	return n;
}

/* Adopt the moved mappings of `f`, *adopted of them, first on its list.
 * All or nothing: 0, or -errno with no record added. Without /proc there
 * is nothing to walk. */
static int host_map_adopt_moved(struct gmem_file *f, size_t *adopted)
{
	struct adoption a = { .f = f };
	int err;

	gmem_assert_mutex_held(&host_maps_lock);
	if (!f->memory_internal || !f->mapped)
		return 0;
	err = vma_walk(adopt_visit, &a);
	if (err == -ENOSYS)
		err = 0;
	if (err) {
		while (a.found) {
			struct host_map *m = a.found;

			a.found = m->next_in_file;
			gmem_free(m);
		}
		return err;
	}
	*adopted = adoption_list(&a);
	return 0;
}

/* Walk when a record changed under the program's hands, or an earlier
 * walk failed: never on the common path. */
static int host_map_adopt_if_due(struct gmem_file *f, bool changed,
				 size_t *adopted)
{
	int err;

	gmem_assert_mutex_held(&host_maps_lock);
	*adopted = 0;
	f->mapped->walk_due |= changed && f->memory_internal;
	if (!f->mapped->walk_due)
		return 0;
	err = host_map_adopt_moved(f, adopted);
	if (!err)
		f->mapped->walk_due = false;
	return err;
}

/* Cover the windows of the first `n` records of `f`; *changed is set
 * when one is found changed by the program. */
static int cover_records(struct gmem_file *f, size_t n, uint64_t first,
			 uint64_t end, bool shared, bool *changed,
			 struct host_map **dead)
{
	struct host_map *m = f->mapped ? f->mapped->maps : NULL;
	struct host_map *next;
	char *va;
	size_t len;
	uint64_t off;
	int err = 0;

	gmem_assert_mutex_held(&host_maps_lock);
	for (; m && n && !err; m = next, n--) {
		bool m_stale = false;

		next = m->next_in_file;
		if (!map_window(m, first, end, &va, &len, &off))
			continue;
		err = cover_window(f, m, va, len, off, shared, &m_stale);
		if (m_stale)
			*changed |= host_map_resync(m, dead);
	}
	return err;
}

static int host_map_cover(struct gmem_file *f, uint64_t first, uint64_t end,
			  bool shared, struct host_map **dead)
{
	bool changed = false, ignored = false;
	size_t adopted = 0;
	int err;

	gmem_assert_mutex_held(&host_maps_lock);
	err = cover_records(f, SIZE_MAX, first, end, shared, &changed, dead);
	if (err || !f->mapped)
		return err;
	/* Adopted records go first on the file's list. */
	err = host_map_adopt_if_due(f, changed, &adopted);
	if (err)
		return err;
	return cover_records(f, adopted, first, end, shared, &ignored, dead);
}

static void host_map_free_list(struct host_map *dead)
{
	while (dead) {
		struct host_map *next = dead->next;

		gmem_file_put(dead->file);
		gmem_free(dead);
		dead = next;
	}
}

/* The caller's reference keeps the file alive while records are put. */
static int host_map_change(struct gmem_file *f, uint64_t first, uint64_t end,
			   bool shared)
{
	struct host_map *dead = NULL;
	int err;

	gmem_assert_write_held(&f->convert_lock);
	host_maps_lock_take();
	err = host_map_cover(f, first, end, shared, &dead);
	gmem_mutex_unlock(&host_maps_lock);
	host_map_free_list(dead);
	return err;
}

/* The graveyard, emptied. Caller holds host_maps_lock. */
static struct host_map *graveyard_take(void)
{
	struct host_map *dead = graveyard;

	gmem_assert_mutex_held(&host_maps_lock);
	graveyard = NULL;
	return dead;
}

static void graveyard_add(struct host_map *dead)
{
	gmem_assert_mutex_held(&host_maps_lock);
	while (dead) {
		struct host_map *next = dead->next;

		dead->next = graveyard;
		graveyard = dead;
		dead = next;
	}
}

void host_map_forget_stale(struct gmem_file *f)
{
	struct host_map *m, *next, *dead = NULL;
	size_t adopted;
	bool changed = false;

	host_maps_lock_take();
	for (m = f->mapped ? f->mapped->maps : NULL; m; m = next) {
		next = m->next_in_file;
		changed |= host_map_resync(m, &dead);
	}
	/* A record left behind by a move: the moved mapping holds the file
	 * and must keep following its conversions. Out of memory, the next
	 * conversion walks again. */
	if (f->mapped)
		host_map_adopt_if_due(f, changed, &adopted);
	graveyard_add(dead);
	dead = graveyard_take();
	gmem_mutex_unlock(&host_maps_lock);
	host_map_free_list(dead);
}

/* Pages [first, end) of `f`, shown by a vma of ours through its memory
 * (`memory`) or its hole, must be shared or private accordingly. */
static int shown_pages_agree(struct gmem_file *f, uint64_t first, uint64_t end,
			     bool memory, bool degraded, const char **why)
{
	if (end > f->npages)
		end = f->npages;
	if (first >= end)
		return 0;
	if (memory && !range_tree_range_has(&f->attributes, first, end, 0)) {
		*why = "a private page is mapped to the host";
		return -EUCLEAN;
	}
	if (!memory && !degraded &&
	    !range_tree_range_has(&f->attributes, first, end,
				  KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
		*why = "a shared page is hidden from a host mapping";
		return -EUCLEAN;
	}
	return 0;
}

struct record_check {
	struct gmem_file *file;
	const struct host_map *map;
	const char **why;
};

static int record_piece(const struct window_piece *p, void *arg)
{
	struct record_check *c = arg;
	struct gmem_file *f = c->file;

	if (!p->ours)
		return 0;
	return shown_pages_agree(
		f, page_index(p->offset),
		page_index(p->offset + (uint64_t)(p->next - p->at)),
		vma_maps_file(p->ours, &f->mapped->memory), c->map->degraded,
		c->why);
}

/* What the kernel maps in the live parts of `m` agrees with the
 * attributes; parts that are no longer ours are legal and skipped. */
static int record_validate(struct gmem_file *f, const struct host_map *m,
			   const char **why)
{
	struct record_check c = { .file = f, .map = m, .why = why };
	int err = window_for_each(f->mapped, m->addr, m->len, m->offset,
				  record_piece, &c);

	return err == -ENOSYS ? 0 : err;
}

static bool record_well_formed(struct gmem_file *f, const struct host_map *m)
{
	const struct host_map *g = host_maps;

	while (g && g != m)
		g = g->next;
	return g && m->file == f && m->len &&
	       page_aligned((uintptr_t)m->addr) && page_aligned(m->len) &&
	       page_aligned(m->offset);
}

int host_map_validate(struct gmem_file *f, const char **why)
{
	int err = 0;

	gmem_assert_held(&f->convert_lock);
	host_maps_lock_take();
	for (struct host_map *m = f->mapped ? f->mapped->maps : NULL; m && !err;
	     m = m->next_in_file) {
		if (!record_well_formed(f, m)) {
			*why = "a host-map record is malformed or unlisted";
			err = -EUCLEAN;
		} else {
			err = record_validate(f, m, why);
		}
	}
	gmem_mutex_unlock(&host_maps_lock);
	return err;
}

struct memory_walk {
	const struct host_map_file *hf;
	int (*fn)(char *va, size_t len, uint64_t offset, void *arg);
	void *arg;
};

static int memory_piece(const struct window_piece *p, void *arg)
{
	struct memory_walk *w = arg;

	if (!p->ours || !vma_maps_file(p->ours, &w->hf->memory))
		return 0;
	return w->fn(p->at, (size_t)(p->next - p->at), p->offset, w->arg);
}

int host_map_for_each_memory(struct gmem_file *f,
			     int (*fn)(char *va, size_t len, uint64_t offset,
				       void *arg),
			     void *arg)
{
	struct memory_walk w = { .hf = f->mapped, .fn = fn, .arg = arg };
	int err = 0;

	gmem_assert_held(&f->convert_lock);
	host_maps_lock_take();
	for (struct host_map *m = f->mapped ? f->mapped->maps : NULL; m && !err;
	     m = m->next_in_file)
		err = window_for_each(f->mapped, m->addr, m->len, m->offset,
				      memory_piece, &w);
	gmem_mutex_unlock(&host_maps_lock);
	return err == -ENOSYS ? 0 : err;
}

int host_map_revoke(struct gmem_file *f, uint64_t first, uint64_t end)
{
	return host_map_change(f, first, end, false);
}

int host_map_restore(struct gmem_file *f, uint64_t first, uint64_t end)
{
	return host_map_change(f, first, end, true);
}

/*
 * Forget [addr, addr + len) in the records: drop mappings inside it, trim
 * those that straddle an end, split one that contains it (using *spare).
 * Dropped mappings go on *dead, whose file references the caller puts
 * after unlocking.
 */
static void host_map_forget(char *addr, size_t len, struct host_map **spare,
			    struct host_map **dead)
{
	char *end = addr + len;

	gmem_assert_mutex_held(&host_maps_lock);
	for (struct host_map **pp = &host_maps, *m; (m = *pp);) {
		char *m_end = m->addr + m->len;

		if (m_end <= addr || m->addr >= end) {
			pp = &m->next;
		} else if (m->addr >= addr && m_end <= end) {
			*pp = m->next;
			unlink_from_file(m);
			m->next = *dead;
			*dead = m;
		} else if (m->addr < addr && m_end > end) {
			struct host_map *tail = *spare;

			*spare = NULL;
			*tail = *m;
			tail->offset += end - m->addr;
			tail->addr = end;
			tail->len = m_end - end;
			m->len = addr - m->addr;
			gmem_file_get(m->file);
			tail->next = m->next;
			m->next = tail;
			m->next_in_file = tail;
			pp = &tail->next;
		} else if (m->addr < addr) {
			m->len = addr - m->addr;
			pp = &m->next;
		} else {
			m->offset += end - m->addr;
			m->len = m_end - end;
			m->addr = end;
			pp = &m->next;
		}
	}
}

/* List `own`, the library's own mapping of `len` bytes at `p` whose
 * address the library keeps in *cache (or NULL): records it lands on
 * name addresses the program gave back, and are forgotten. */
static void own_map_list(struct own_map *own, char *p, size_t len,
			 _Atomic(char *) *cache, struct host_map **spare,
			 struct host_map **dead)
{
	gmem_assert_mutex_held(&host_maps_lock);
	host_map_forget(p, len, spare, dead);
	*own = (struct own_map){
		.addr = p, .len = len, .cache = cache, .next = own_maps
	};
	own_maps = own;
}

/* mmap(2) kept from children, under host_maps_lock so that no fork()
 * sees it before its advice. MAP_FAILED with errno. */
static void *mmap_dontfork(size_t len, int prot, int flags, int fd,
			   uint64_t offset)
{
	void *p;
	int err;

	gmem_assert_mutex_held(&host_maps_lock);
	p = mmap(NULL, len, prot, flags, fd, (off_t)offset);
	if (p == MAP_FAILED || !madvise(p, len, MADV_DONTFORK))
		return p;
	err = errno;
	munmap(p, len);
	errno = err;
	return MAP_FAILED;
}

static void own_list_free(struct own_map *own)
{
	while (own) {
		struct own_map *next = own->next;

		gmem_free(own);
		own = next;
	}
}

void *host_map_mmap_own(size_t len, int prot, int flags, int fd,
			uint64_t offset)
{
	struct host_map *spare = gmem_malloc(sizeof(*spare)), *dead = NULL;
	struct own_map *own = gmem_malloc(sizeof(*own)), *inherited;
	void *p = MAP_FAILED;

	if (!spare || !own) {
		errno = ENOMEM;
		goto out;
	}
	host_maps_lock_take();
	inherited = inherited_own;
	inherited_own = NULL;
	p = mmap_dontfork(len, prot, flags, fd, offset);
	if (p != MAP_FAILED) {
		own_map_list(own, p,
			     (len + GMEM_PAGE_SIZE - 1) & ~(GMEM_PAGE_SIZE - 1),
			     NULL, &spare, &dead);
		own = NULL;
	}
	graveyard_add(dead);
	gmem_mutex_unlock(&host_maps_lock);
	own_list_free(inherited);
out:
	gmem_free(own);
	gmem_free(spare);
	return p;
}

bool host_map_in_own(const void *at)
{
	bool in = false;

	host_maps_lock_take();
	for (struct own_map *o = own_maps; o && !in; o = o->next)
		in = (const char *)at >= o->addr &&
		     (const char *)at < o->addr + o->len;
	gmem_mutex_unlock(&host_maps_lock);
	return in;
}

void host_map_unmap_own(void *addr, size_t len)
{
	struct own_map **pp = &own_maps, *own = NULL;

	host_maps_lock_take();
	/* Unlisted only once gone: a walk must never take it for a moved
	 * mapping. */
	munmap(addr, len);
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->addr == addr) {
			own = *pp;
			*pp = own->next;
			break;
		}
	}
	gmem_mutex_unlock(&host_maps_lock);
	gmem_free(own);
}

char *host_map_publish_own(void *addr, _Atomic(char *) *cache)
{
	char *expected = NULL;

	host_maps_lock_take();
	if (atomic_compare_exchange_strong(cache, &expected, addr)) {
		for (struct own_map *o = own_maps; o; o = o->next)
			if (o->addr == addr)
				o->cache = cache;
		expected = addr;
	}
	gmem_mutex_unlock(&host_maps_lock);
	return expected;
}

int host_map_unmap(void *addr, size_t len)
{
	struct host_map *spare = gmem_malloc(sizeof(*spare)), *dead = NULL;
	int err = 0;

	if (!spare)
		return -ENOMEM;
	host_maps_lock_take();
	if (munmap(addr, len))
		err = -errno;
	else
		host_map_forget(addr,
				(len + GMEM_PAGE_SIZE - 1) &
					~(GMEM_PAGE_SIZE - 1),
				&spare, &dead);
	graveyard_add(dead);
	dead = graveyard_take();
	gmem_mutex_unlock(&host_maps_lock);
	gmem_free(spare);
	host_map_free_list(dead);
	return err;
}

/* The checks kvm_gmem_mmap() and the guest_memfd mount add to mmap(2)'s. */
static int gmem_mmap_check(struct gmem_file *f, int prot, int flags)
{
	/* The guest_memfd mount is noexec. */
	if (prot & PROT_EXEC)
		return -EPERM;
	if (!(f->flags & GUEST_MEMFD_FLAG_MMAP))
		return -ENODEV;
	/* Copy-on-write of guest memory is not allowed. */
	if ((flags & MAP_TYPE) == MAP_PRIVATE)
		return -EINVAL;
	return 0;
}

/*
 * mmap(2)'s own checks come first in the kernel (length, offset, type,
 * flags, address space), guest_memfd's after. When guest_memfd's refuse,
 * the same mapping is tried on the bytes, away from any fixed address, so
 * that an error mmap(2) itself would give wins, as in the kernel.
 */
/* The first of mmap(2)'s own checks, made before anything is allocated. */
static int mmap_check(size_t len, int flags, int64_t offset)
{
	int type = flags & MAP_TYPE;

	if (!len || !page_aligned(offset))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	/* file_mmap_ok(): the range must fit the largest file offset. */
	if ((uint64_t)offset > (uint64_t)INT64_MAX - len)
		return -EOVERFLOW;
	return 0;
}

static int host_map_check(struct gmem_file *f, size_t len, int prot, int flags,
			  int64_t offset)
{
	int probe = flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_POPULATE);
	int err = mmap_check(len, flags, offset);
	void *p;
	int fd;

	if (err)
		return err;
	err = gmem_mmap_check(f, prot, flags);
	if (!err)
		return 0;
	/* mmap(2)'s remaining checks (address space, flags): the bytes may
	 * be a guest_memfd too, whose own refusals must not answer for the
	 * caller's file. */
	if ((probe & MAP_TYPE) == MAP_PRIVATE)
		probe = (probe & ~MAP_TYPE) | MAP_SHARED;
	fd = gmem_file_memory_fd(f);
	if (fd < 0)
		return fd;
	p = host_map_mmap_own(len, prot & ~PROT_EXEC, probe, fd, offset);
	if (p == MAP_FAILED)
		return -errno;
	host_map_unmap_own(p, len);
	return err;
}

static int cover_private(const struct range_tree_range *r, void *arg)
{
	struct host_map *m = arg;

	if (!(r->value & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		return 0;
	return map_piece(m->file,
			 m->addr + ((r->start << GMEM_PAGE_SHIFT) - m->offset),
			 (r->end - r->start) << GMEM_PAGE_SHIFT, m->prot, false,
			 r->start << GMEM_PAGE_SHIFT);
}

/* Hide the private pages of a new mapping. Caller holds convert_lock. */
static int host_map_hide_private(struct gmem_file *f, struct host_map *m)
{
	uint64_t first = page_index(m->offset);
	uint64_t end = page_index(m->offset + m->len);

	gmem_assert_held(&f->convert_lock);
	if (first >= f->npages)
		return 0;
	if (end > f->npages)
		end = f->npages;
	return range_tree_for_each(&f->attributes, first, end, cover_private,
				   m);
}

/* Whether mremap(2) maps `p`, a shared mapping, again with an old size
 * of 0: not under valgrind, which would also scan a useless source for
 * pointers at exit, and die of the hole's SIGBUS. */
static bool remap_duplicates(char *p)
{
	void *q = mremap(p, 0, GMEM_PAGE_SIZE, MREMAP_MAYMOVE);

	if (q == MAP_FAILED)
		return false;
	munmap(q, GMEM_PAGE_SIZE);
	return true;
}

/* A source of `f` (see the top): `fd` mapped over the whole file, at
 * *cache; none where it cannot be made, and `f` is mapped from its
 * descriptors. It must carry exactly a host mapping's flags. */
static void source_make(struct gmem_file *f, int fd, _Atomic(char *) *cache,
			struct host_map **dead)
{
	struct own_map *own = gmem_malloc(sizeof(*own));
	struct host_map *spare = gmem_malloc(sizeof(*spare));
	char *p = MAP_FAILED;

	gmem_assert_mutex_held(&host_maps_lock);
	if (own && spare && f->size <= SOURCE_MAX)
		p = mmap_dontfork(f->size, SOURCE_PROT,
				  MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (p != MAP_FAILED &&
	    (madvise(p, f->size, MADV_DONTDUMP) || !remap_duplicates(p))) {
		munmap(p, f->size);
		p = MAP_FAILED;
	}
	if (p != MAP_FAILED) {
		own_map_list(own, p, f->size, cache, &spare, dead);
		atomic_store(cache, p);
		own = NULL;
	}
	gmem_free(own);
	gmem_free(spare);
}

static void source_unmap(struct gmem_file *f, _Atomic(char *) *cache)
{
	char *p = atomic_exchange(cache, NULL);

	if (p)
		host_map_unmap_own(p, f->size);
}

/* The file's hole, identities and sources, made with its first mapping. */
static int host_map_file_prepare(struct gmem_file *f, struct host_map **dead)
{
	struct host_map_file *hf;
	int err;

	gmem_assert_mutex_held(&host_maps_lock);
	if (f->mapped)
		return 0;
	hf = gmem_calloc(1, sizeof(*hf));
	if (!hf)
		return -ENOMEM;
	hf->memory = f->memory_id;
	hf->hole_fd = memfd_create("gmem-private", MFD_CLOEXEC);
	if (hf->hole_fd < 0) {
		err = -errno;
		goto out_free;
	}
	err = file_id_of(hf->hole_fd, &hf->hole);
	if (err)
		goto out_close;
	if (own_fd_names(f->memory_fd, &hf->memory))
		source_make(f, f->memory_fd, &hf->memory_source, dead);
	source_make(f, hf->hole_fd, &hf->hole_source, dead);
	f->mapped = hf;
	return 0;

out_close:
	close(hf->hole_fd);
out_free:
	gmem_free(hf);
	return err;
}

void host_map_file_release(struct gmem_file *f)
{
	if (!f->mapped)
		return;
	assert(!f->mapped->maps);
	source_unmap(f, &f->mapped->memory_source);
	source_unmap(f, &f->mapped->hole_source);
	own_fd_close(f->mapped->hole_fd, &f->mapped->hole);
	gmem_free(f->mapped);
	f->mapped = NULL;
}

static void host_map_record(struct host_map *m, struct host_map **spare,
			    struct host_map **dead)
{
	/* MAP_FIXED may have replaced older mappings of ours. */
	host_map_forget(m->addr, m->len, spare, dead);
	m->next = host_maps;
	host_maps = m;
	m->next_in_file = m->file->mapped->maps;
	m->file->mapped->maps = m;
}

/* What a new mapping of `f` shows: its memory, or in a child of fork()
 * that inherited the file its hole alone, so that every touch raises
 * SIGBUS as on a private page (R110): the child's copy of the attributes
 * would never learn of the parent's later conversions. -EIO where the
 * descriptor is no longer the library's (R123). */
static int host_map_source(struct gmem_file *f)
{
	const struct host_map_file *hf = f->mapped;

	if (gmem_object_is_own(&f->obj))
		return gmem_file_memory_fd(f);
	return own_fd_names(hf->hole_fd, &hf->hole) ? hf->hole_fd : -EIO;
}

void *host_map_create(struct gmem_file *f, void *addr, size_t len, int prot,
		      int flags, int64_t offset, int *err)
{
	struct host_map *m = NULL, *spare = NULL, *dead = NULL;
	void *p = MAP_FAILED;
	int fd;

	*err = host_map_check(f, len, prot, flags, offset);
	if (*err)
		return MAP_FAILED;
	m = gmem_calloc(1, sizeof(*m));
	spare = gmem_malloc(sizeof(*spare));
	if (!m || !spare) {
		*err = -ENOMEM;
		goto out;
	}
	gmem_rwlock_read_lock(&f->convert_lock);
	host_maps_lock_take();
	*err = host_map_file_prepare(f, &dead);
	if (*err)
		goto out_unlock;
	fd = host_map_source(f);
	/* MAP_NORESERVE and MADV_DONTDUMP, as the sources have. */
	if (fd >= 0)
		p = mmap(addr, len, prot, flags | MAP_NORESERVE, fd,
			 (off_t)offset);
	if (p == MAP_FAILED) {
		*err = fd < 0 ? fd : -errno;
		goto out_unlock;
	}
	*m = (struct host_map){ .addr = p,
				.prot = prot,
				.offset = offset,
				.file = f,
				.len = (len + GMEM_PAGE_SIZE - 1) &
				       ~(GMEM_PAGE_SIZE - 1) };
	if (gmem_object_is_own(&f->obj))
		*err = host_map_hide_private(f, m);
	if (!*err && (madvise(p, m->len, MADV_DONTFORK) ||
		      madvise(p, m->len, MADV_DONTDUMP)))
		*err = -errno;
	if (*err) {
		munmap(p, len);
		p = MAP_FAILED;
		goto out_unlock;
	}
	gmem_file_get(f);
	host_map_record(m, &spare, &dead);
	m = NULL;
out_unlock:
	gmem_mutex_unlock(&host_maps_lock);
	gmem_rwlock_read_unlock(&f->convert_lock);
out:
	gmem_free(m);
	gmem_free(spare);
	host_map_free_list(dead);
	return p;
}
