// SPDX-License-Identifier: MIT
/*
 * Reading the introspection report (its lines are listed in
 * gmem_introspect(3)): a keyword and numbers, one fact a line. Lines of
 * keywords this gmemctl does not know are skipped, so that a newer
 * library can say more.
 *
 * The runs of a slot come in guest physical order, so a page's state is
 * a binary search in each list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "ctl_snapshot.h"

const char *const snap_mode_names[SNAP_MODES] = { "none", "zero", "preserve",
						  "other" };
const char *const snap_result_names[SNAP_RESULTS] = { "ok",	    "eagain",
						      "eopnotsupp", "enomem",
						      "einval",	    "error" };
const char *const snap_counter_names[SNAP_COUNTERS] = {
	"bytes_zeroed", "bytes_scrambled", "bytes_encrypted",
	"pins",		"unpins",	   "faults"
};

static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static int runs_push(struct snap_runs *r, const struct snap_run *run)
{
	struct snap_run *grown;

	if (!(r->n & (r->n - 1)) || !r->n) {
		grown = realloc(r->run, (r->n ? 2 * r->n : 1) * sizeof(*grown));
		if (!grown)
			return -1;
		r->run = grown;
	}
	r->run[r->n++] = *run;
	return 0;
}

static void *array_push(void *array, size_t *n, size_t size)
{
	char *grown = realloc(array, (*n + 1) * size);

	if (!grown)
		return NULL;
	memset(grown + *n * size, 0, size);
	(*n)++;
	return grown;
}

static struct snap_vm *last_vm(struct snapshot *s)
{
	return s->nvms ? &s->vms[s->nvms - 1] : NULL;
}

static struct snap_slot *last_slot(struct snapshot *s)
{
	struct snap_vm *vm = last_vm(s);

	return vm && vm->nslots ? &vm->slots[vm->nslots - 1] : NULL;
}

static int parse_vm_line(struct snapshot *s, const char *rest)
{
	struct snap_vm *vms = array_push(s->vms, &s->nvms, sizeof(*vms));

	if (!vms)
		return -1;
	s->vms = vms;
	return sscanf(rest, "%lu %31s %15s", &last_vm(s)->type,
		      last_vm(s)->platform, last_vm(s)->backend) == 3
		       ? 0
		       : -1;
}

static int parse_counter_line(struct snap_vm *vm, const char *key,
			      const char *rest)
{
	char a[32], b[32];
	unsigned long long v;
	int i, j;

	if (!strcmp(key, "conversions")) {
		if (sscanf(rest, "%31s %31s %llu", a, b, &v) != 3)
			return -1;
		i = name_index(snap_mode_names, SNAP_MODES, a);
		j = name_index(snap_result_names, SNAP_RESULTS, b);
		if (i >= 0 && j >= 0)
			vm->conversions[i][j] = v;
		return 0;
	}
	if (sscanf(rest, "%31s %llu", a, &v) != 2)
		return -1;
	i = name_index(snap_counter_names, SNAP_COUNTERS, a);
	if (i >= 0)
		vm->counters[i] = v;
	return 0;
}

static int parse_slot_line(struct snap_vm *vm, const char *rest)
{
	struct snap_slot *slots =
		array_push(vm->slots, &vm->nslots, sizeof(*slots));
	unsigned long long gpa, size, off;
	unsigned int id, flags;
	int bound;

	if (!slots)
		return -1;
	vm->slots = slots;
	if (sscanf(rest, "%u %llx %llx %llx %x %d", &id, &gpa, &size, &off,
		   &flags, &bound) != 6)
		return -1;
	slots[vm->nslots - 1] = (struct snap_slot){
		.id = id,
		.flags = flags,
		.gpa = gpa,
		.size = size,
		.gmem_offset = off,
		.bound = bound,
	};
	return 0;
}

/* launch-state PHASE PAGES DIGEST|- */
static int parse_launch_line(struct snap_vm *vm, const char *rest)
{
	unsigned long long pages;

	if (sscanf(rest, "%15s %llu %96s", vm->launch_phase, &pages,
		   vm->launch_digest) != 3)
		return -1;
	if (!strcmp(vm->launch_digest, "-"))
		vm->launch_digest[0] = 0;
	vm->launch_pages = pages;
	vm->has_launch = true;
	return 0;
}

/* range, alloc, pin, folio, launch: a run of the slot above. */
static int parse_run_line(struct snap_slot *slot, const char *key,
			  const char *rest)
{
	static const char *const keys[] = { "range", "alloc", "pin", "folio",
					    "launch" };
	struct snap_runs *lists[] = { &slot->ranges, &slot->allocs, &slot->pins,
				      &slot->folios, &slot->launch };
	unsigned long long gpa, end, value = 1;
	int i = name_index(keys, 5, key);

	if (sscanf(rest, "%llx %llx %llx", &gpa, &end, &value) < 2 ||
	    end <= gpa)
		return -1;
	return runs_push(
		lists[i],
		&(struct snap_run){ .gpa = gpa, .end = end, .value = value });
}

static bool is_run_key(const char *key)
{
	return !strcmp(key, "range") || !strcmp(key, "alloc") ||
	       !strcmp(key, "pin") || !strcmp(key, "folio") ||
	       !strcmp(key, "launch");
}

static int parse_line(struct snapshot *s, const char *key, const char *rest)
{
	struct snap_vm *vm = last_vm(s);

	if (!strcmp(key, "vm"))
		return parse_vm_line(s, rest);
	if (!vm)
		return 0;
	if (!strcmp(key, "conversions") || !strcmp(key, "counter"))
		return parse_counter_line(vm, key, rest);
	if (!strcmp(key, "fault")) {
		unsigned long long g, z, f;

		vm->has_fault = sscanf(rest, "%llx %llx %llx", &g, &z, &f) == 3;
		vm->fault_gpa = g, vm->fault_size = z, vm->fault_flags = f;
		return vm->has_fault ? 0 : -1;
	}
	if (!strcmp(key, "launch-state"))
		return parse_launch_line(vm, rest);
	if (!strcmp(key, "slot"))
		return parse_slot_line(vm, rest);
	if (is_run_key(key))
		return last_slot(s) ? parse_run_line(last_slot(s), key, rest)
				    : -1;
	return 0; /* a line of a newer library */
}

int snapshot_parse(const char *text, struct snapshot *s)
{
	bool ended = false;

	*s = (struct snapshot){ 0 };
	if (sscanf(text, "gmem-introspect 1 %ld", &s->pid) != 1)
		return -1;
	for (const char *line = text; line && *line && !ended;) {
		const char *nl = strchr(line, '\n');
		char key[16], buf[256];
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		int at = 0;

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = 0;
		line = nl ? nl + 1 : NULL;
		if (sscanf(buf, "%15s %n", key, &at) < 1)
			continue;
		ended = !strcmp(key, "end");
		if (!ended && parse_line(s, key, buf + at)) {
			snapshot_free(s);
			return -1;
		}
	}
	return ended ? 0 : (snapshot_free(s), -1);
}

static void runs_free(struct snap_runs *r)
{
	free(r->run);
}

void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->nvms; i++) {
		for (size_t j = 0; j < s->vms[i].nslots; j++) {
			struct snap_slot *slot = &s->vms[i].slots[j];

			runs_free(&slot->ranges);
			runs_free(&slot->allocs);
			runs_free(&slot->pins);
			runs_free(&slot->folios);
			runs_free(&slot->launch);
		}
		free(s->vms[i].slots);
	}
	free(s->vms);
	*s = (struct snapshot){ 0 };
}

int snapshot_local(const struct ctl *c, struct snapshot *s)
{
	ssize_t len = gmem_introspect(c->vm, NULL, 0);
	char *text;
	int err;

	if (len < 0)
		return errno;
	text = malloc((size_t)len + 1);
	if (!text)
		return ENOMEM;
	if (gmem_introspect(c->vm, text, (size_t)len + 1) != len)
		err = errno ? errno : EAGAIN;
	else
		err = snapshot_parse(text, s) ? EPROTO : 0;
	free(text);
	return err;
}

/* The whole answer of the endpoint to "snapshot". */
static char *read_answer(int fd)
{
	size_t len = 0, cap = 0;
	char *text = NULL;

	for (;;) {
		ssize_t n;

		if (len + 4096 + 1 > cap) {
			char *grown = realloc(text, cap = 2 * cap + 8192);

			if (!grown)
				return free(text), NULL;
			text = grown;
		}
		n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	text[len] = 0;
	return text;
}

int snapshot_attach(const char *socket_path, struct snapshot *s)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err = 0;
	char *text;

	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return ENAMETOOLONG;
	strcpy(addr.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    send(fd, "snapshot\n", 9, MSG_NOSIGNAL) != 9)
		err = errno;
	text = err ? NULL : read_answer(fd);
	close(fd);
	if (err || !text)
		return err ? err : ENOMEM;
	err = snapshot_parse(text, s) ? EPROTO : 0;
	free(text);
	return err;
}

/* The run of `r` holding gpa, or NULL. */
static const struct snap_run *runs_find(const struct snap_runs *r, uint64_t gpa)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gpa < r->run[mid].gpa)
			hi = mid;
		else if (gpa >= r->run[mid].end)
			lo = mid + 1;
		else
			return &r->run[mid];
	}
	return NULL;
}

unsigned int snapshot_page(const struct snap_vm *vm, const struct snap_slot *s,
			   uint64_t gpa)
{
	const struct snap_run *range = runs_find(&s->ranges, gpa);
	unsigned int flags = 0;

	if (range && range->value & KVM_MEMORY_ATTRIBUTE_PRIVATE)
		flags |= PAGE_PRIVATE;
	if (runs_find(&s->allocs, gpa))
		flags |= PAGE_ALLOCATED;
	if (runs_find(&s->pins, gpa))
		flags |= PAGE_PINNED;
	if (runs_find(&s->folios, gpa))
		flags |= PAGE_FOLIO;
	if (runs_find(&s->launch, gpa))
		flags |= PAGE_LAUNCH;
	if (vm->has_fault && gpa >= vm->fault_gpa &&
	    gpa - vm->fault_gpa < vm->fault_size)
		flags |= PAGE_FAULT;
	return flags;
}
