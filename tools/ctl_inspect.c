// SPDX-License-Identifier: MIT
/*
 * Showing state. Every view is drawn from one snapshot, so what a
 * command shows is one consistent reading per memslot (the report reads
 * each slot under its file's lock). For gmemctl's own VM the slot is the
 * whole file, and map shows file offsets; attached, it shows each
 * memslot in guest physical order.
 *
 * draw's characters: '.' shared, 'p' private, and ':' or 'P' where the
 * page holds memory; '*' a pinned page, '!' the page of the latest
 * memory fault. A line holds 64 cells; a slot of more than 4096 pages
 * gives each cell several pages, which show the strongest state among
 * them (fault, pin, private, memory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <gmem/gmem.h>

#include "ctl_inspect.h"
#include "ctl_output.h"
#include "ctl_parse.h"
#include "ctl_svg.h"

#define DRAW_WIDTH     64
#define DRAW_MAX_CELLS 4096

int ctl_snapshot(const struct ctl *c, const char *command, struct snapshot *s)
{
	int err = c->socket ? snapshot_attach(c->socket, s)
			    : snapshot_local(c, s);

	if (!err)
		return 0;
	return ctl_call_failed(c, command,
			       c->socket ? c->socket : "gmem_introspect", err,
			       false, 0);
}

static void print_slot_header(FILE *out, const struct snap_vm *vm, size_t v,
			      const struct snap_slot *s)
{
	fprintf(out,
		"vm %zu (%s, %s) slot %u: gpa %#llx, %llu KiB, guest_memfd "
		"offset %#llx%s\n",
		v, vm->platform, vm->backend, s->id, (unsigned long long)s->gpa,
		(unsigned long long)(s->size >> 10),
		(unsigned long long)s->gmem_offset,
		s->bound ? "" : " (not guest_memfd)");
}

static void map_text(const struct ctl *c, const struct snapshot *s)
{
	for (size_t v = 0; v < s->nvms; v++)
		for (size_t i = 0; i < s->vms[v].nslots; i++) {
			const struct snap_slot *slot = &s->vms[v].slots[i];
			/* Own VM: file offsets; attached: gpas. */
			uint64_t base =
				c->socket ? 0 : slot->gpa - slot->gmem_offset;

			if (c->socket)
				print_slot_header(stdout, &s->vms[v], v, slot);
			for (size_t r = 0; r < slot->ranges.n; r++) {
				const struct snap_run *run =
					&slot->ranges.run[r];

				printf("%s[%#14llx, %#14llx) %s\n",
				       c->socket ? "  " : "",
				       (unsigned long long)(run->gpa - base),
				       (unsigned long long)(run->end - base),
				       run->value ? "private" : "shared");
			}
		}
}

static void map_json_slot(const struct snap_slot *slot)
{
	printf("{\"slot\":%u,\"gpa\":%llu,\"size\":%llu,\"offset\":%llu,"
	       "\"ranges\":[",
	       slot->id, (unsigned long long)slot->gpa,
	       (unsigned long long)slot->size,
	       (unsigned long long)slot->gmem_offset);
	for (size_t r = 0; r < slot->ranges.n; r++) {
		const struct snap_run *run = &slot->ranges.run[r];

		printf("%s{\"gpa\":%llu,\"end\":%llu,\"offset\":%llu,"
		       "\"private\":%s}",
		       r ? "," : "", (unsigned long long)run->gpa,
		       (unsigned long long)run->end,
		       (unsigned long long)(run->gpa - slot->gpa +
					    slot->gmem_offset),
		       run->value ? "true" : "false");
	}
	printf("]}");
}

int cmd_map(struct ctl *c, const struct call *call)
{
	struct snapshot s;
	int err = ctl_snapshot(c, "map", &s);

	(void)call;
	if (err)
		return err;
	if (!c->json) {
		map_text(c, &s);
		snapshot_free(&s);
		return 0;
	}
	json_begin("map");
	json_bool("ok", true);
	json_key("vms");
	putchar('[');
	for (size_t v = 0; v < s.nvms; v++) {
		printf("%s{\"type\":\"%s\",\"slots\":[", v ? "," : "",
		       s.vms[v].platform);
		for (size_t i = 0; i < s.vms[v].nslots; i++) {
			printf(i ? "," : "");
			map_json_slot(&s.vms[v].slots[i]);
		}
		printf("]}");
	}
	putchar(']');
	json_end();
	snapshot_free(&s);
	return 0;
}

/* The cell's flags: every page's, ORed. */
static unsigned int cell_flags(const struct snap_vm *vm,
			       const struct snap_slot *s, uint64_t first,
			       uint64_t npages)
{
	unsigned int flags = 0;

	for (uint64_t p = first; p < first + npages; p++)
		flags |= snapshot_page(vm, s, s->gpa + p * CTL_PAGE);
	return flags;
}

static char cell_char(unsigned int flags)
{
	if (flags & PAGE_FAULT)
		return '!';
	if (flags & PAGE_PINNED)
		return '*';
	if (flags & PAGE_PRIVATE)
		return flags & PAGE_ALLOCATED ? 'P' : 'p';
	return flags & PAGE_ALLOCATED ? ':' : '.';
}

static uint64_t draw_pages_per_cell(uint64_t npages)
{
	return npages <= DRAW_MAX_CELLS
		       ? 1
		       : (npages + DRAW_MAX_CELLS - 1) / DRAW_MAX_CELLS;
}

/* One slot's cells, DRAW_WIDTH a line. */
static void draw_slot(FILE *out, const struct snap_vm *vm,
		      const struct snap_slot *s)
{
	uint64_t npages = s->size / CTL_PAGE;
	uint64_t per = draw_pages_per_cell(npages);
	uint64_t ncells = (npages + per - 1) / per;

	for (uint64_t cell = 0; cell < ncells; cell++) {
		uint64_t first = cell * per;
		uint64_t n = first + per > npages ? npages - first : per;

		fputc(cell_char(cell_flags(vm, s, first, n)), out);
		if ((cell + 1) % DRAW_WIDTH == 0 || cell + 1 == ncells)
			fputc('\n', out);
	}
}

void print_draw(FILE *out, const struct snapshot *s, bool legend)
{
	for (size_t v = 0; v < s->nvms; v++)
		for (size_t i = 0; i < s->vms[v].nslots; i++) {
			const struct snap_slot *slot = &s->vms[v].slots[i];

			if (legend)
				print_slot_header(out, &s->vms[v], v, slot);
			if (slot->bound)
				draw_slot(out, &s->vms[v], slot);
		}
	if (legend)
		fprintf(out,
			"legend: . shared  : shared, allocated  p private"
			"  P private, allocated  * pinned  ! last fault\n");
}

static int draw_json(const struct snapshot *s, const char *svg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return CTL_FAILED;
	print_draw(mem, s, false);
	fclose(mem);
	json_begin("draw");
	json_bool("ok", true);
	if (svg)
		json_str("svg", svg);
	json_str("cells", text);
	json_end();
	free(text);
	return 0;
}

int cmd_draw(struct ctl *c, const struct call *call)
{
	struct snapshot s;
	int err = ctl_snapshot(c, "draw", &s);

	if (err)
		return err;
	if (call->svg && svg_write_file(call->svg, &s)) {
		err = ctl_call_failed(c, "draw", call->svg, errno, false, 0);
		snapshot_free(&s);
		return err;
	}
	if (c->json)
		err = draw_json(&s, call->svg);
	else if (call->svg)
		printf("drew %s\n", call->svg);
	else
		print_draw(stdout, &s, c->socket != NULL);
	snapshot_free(&s);
	return err;
}

static uint64_t result_total(const struct snap_vm *vm, int result)
{
	uint64_t n = 0;

	for (int m = 0; m < SNAP_MODES; m++)
		n += vm->conversions[m][result];
	return n;
}

/* SNP and TDX: where the launch is. */
static void print_launch(FILE *out, const struct snap_vm *vm)
{
	if (!vm->has_launch)
		return;
	fprintf(out, "  %-16s %s, %llu page%s measured\n", "launch",
		vm->launch_phase, (unsigned long long)vm->launch_pages,
		vm->launch_pages == 1 ? "" : "s");
	if (*vm->launch_digest)
		fprintf(out, "  %-16s %s\n", "launch_digest",
			vm->launch_digest);
}

void print_stats(FILE *out, const struct snapshot *s)
{
	for (size_t v = 0; v < s->nvms; v++) {
		const struct snap_vm *vm = &s->vms[v];

		fprintf(out, "vm %zu (%s, %s)\n  %-10s", v, vm->platform,
			vm->backend, "conversions");
		for (int r = 0; r < SNAP_RESULTS; r++)
			fprintf(out, "%11s", snap_result_names[r]);
		fputc('\n', out);
		for (int m = 0; m < SNAP_MODES; m++) {
			fprintf(out, "    %-9s", snap_mode_names[m]);
			for (int r = 0; r < SNAP_RESULTS; r++)
				fprintf(out, "%11llu",
					(unsigned long long)
						vm->conversions[m][r]);
			fputc('\n', out);
		}
		for (int k = 0; k < SNAP_COUNTERS; k++)
			fprintf(out, "  %-16s %llu\n", snap_counter_names[k],
				(unsigned long long)vm->counters[k]);
		fprintf(out, "  %-16s %llu\n", "eagain_retries",
			(unsigned long long)result_total(vm, 1));
		print_launch(out, vm);
	}
}

/* "launch": {"phase", "pages", "digest" (null until final)}, or null. */
static void launch_json(const struct snap_vm *vm)
{
	if (!vm->has_launch) {
		json_null("launch");
		return;
	}
	json_open("launch", '{');
	json_str("phase", vm->launch_phase);
	json_u64("pages", vm->launch_pages);
	if (*vm->launch_digest)
		json_str("digest", vm->launch_digest);
	else
		json_null("digest");
	json_close('}');
}

static void stats_json(const struct snapshot *s)
{
	json_begin("stats");
	json_bool("ok", true);
	json_key("vms");
	putchar('[');
	for (size_t v = 0; v < s->nvms; v++) {
		const struct snap_vm *vm = &s->vms[v];

		printf("%s{\"type\":\"%s\",\"backend\":\"%s\","
		       "\"conversions\":{",
		       v ? "," : "", vm->platform, vm->backend);
		for (int m = 0; m < SNAP_MODES; m++) {
			printf("%s\"%s\":{", m ? "," : "", snap_mode_names[m]);
			for (int r = 0; r < SNAP_RESULTS; r++)
				printf("%s\"%s\":%llu", r ? "," : "",
				       snap_result_names[r],
				       (unsigned long long)
					       vm->conversions[m][r]);
			putchar('}');
		}
		putchar('}');
		for (int k = 0; k < SNAP_COUNTERS; k++)
			printf(",\"%s\":%llu", snap_counter_names[k],
			       (unsigned long long)vm->counters[k]);
		printf(",\"eagain_retries\":%llu",
		       (unsigned long long)result_total(vm, 1));
		launch_json(vm);
		putchar('}');
	}
	putchar(']');
	json_end();
}

int cmd_stats(struct ctl *c, const struct call *call)
{
	struct snapshot s;
	int err = ctl_snapshot(c, "stats", &s);

	(void)call;
	if (err)
		return err;
	if (c->json)
		stats_json(&s);
	else
		print_stats(stdout, &s);
	snapshot_free(&s);
	return 0;
}

void print_faults(FILE *out, const struct snapshot *s)
{
	for (size_t v = 0; v < s->nvms; v++) {
		const struct snap_vm *vm = &s->vms[v];

		fprintf(out, "vm %zu: %llu memory fault%s", v,
			(unsigned long long)vm->counters[SNAP_FAULTS],
			vm->counters[SNAP_FAULTS] == 1 ? "" : "s");
		if (vm->has_fault)
			fprintf(out,
				"; last at gpa %#llx, %llu bytes, a %s "
				"access",
				(unsigned long long)vm->fault_gpa,
				(unsigned long long)vm->fault_size,
				vm->fault_flags & KVM_MEMORY_EXIT_FLAG_PRIVATE
					? "private"
					: "shared");
		fputc('\n', out);
	}
}

static void faults_json(const struct snapshot *s)
{
	json_begin("faults");
	json_bool("ok", true);
	json_key("vms");
	putchar('[');
	for (size_t v = 0; v < s->nvms; v++) {
		const struct snap_vm *vm = &s->vms[v];

		printf("%s{\"count\":%llu", v ? "," : "",
		       (unsigned long long)vm->counters[SNAP_FAULTS]);
		if (vm->has_fault)
			printf(",\"last\":{\"gpa\":%llu,\"size\":%llu,"
			       "\"private\":%s}",
			       (unsigned long long)vm->fault_gpa,
			       (unsigned long long)vm->fault_size,
			       vm->fault_flags & KVM_MEMORY_EXIT_FLAG_PRIVATE
				       ? "true"
				       : "false");
		putchar('}');
	}
	putchar(']');
	json_end();
}

int cmd_faults(struct ctl *c, const struct call *call)
{
	struct snapshot s;
	int err = ctl_snapshot(c, "faults", &s);

	(void)call;
	if (err)
		return err;
	if (c->json)
		faults_json(&s);
	else
		print_faults(stdout, &s);
	snapshot_free(&s);
	return 0;
}
