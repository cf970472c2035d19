// SPDX-License-Identifier: MIT
/*
 * The SVG picture. Each memslot is a block: a label (slot, gpa, size,
 * guest_memfd offset) and a framed grid of cells, one a page (several
 * pages a cell past 4096 pages, showing the strongest state among them),
 * SVG_COLUMNS to a row, slots in guest physical order. A cell's fill says
 * shared or private, and unallocated (pale) or holding memory (deep);
 * pinned pages and the page of the latest memory fault have fills of
 * their own. Huge folios are outlined and a launch's measured ranges
 * underlined: the report has lines reserved for both, and the picture
 * shows them as soon as the library reports them. The legend lists every
 * mark, present or not, so pictures compare.
 */
#include <errno.h>
#include <stdio.h>

#include "ctl_parse.h"
#include "ctl_svg.h"

#define SVG_WIDTH     (2 * SVG_MARGIN + SVG_COLUMNS * SVG_CELL)
#define SVG_MAX_CELLS 4096
#define LEGEND_ROW_H  20

struct svg_mark {
	const char *label;
	const char *fill;
	const char *stroke;
};

/* The legend, in the order drawn; cells use the same colours. */
enum { SHARED, SHARED_MEM, PRIVATE, PRIVATE_MEM, PINNED, FOLIO, LAUNCH, FAULT };
static const struct svg_mark marks[] = {
	[SHARED] = { "shared, unallocated", "#d6e4f0", NULL },
	[SHARED_MEM] = { "shared, holding memory", "#3b82c4", NULL },
	[PRIVATE] = { "private, unallocated", "#f2c4c4", NULL },
	[PRIVATE_MEM] = { "private, holding memory", "#b22222", NULL },
	[PINNED] = { "pinned", "#f0a500", NULL },
	[FOLIO] = { "huge folio (outline)", "none", "#7b3fa0" },
	[LAUNCH] = { "launch: measured (underline)", "#1a9e77", NULL },
	[FAULT] = { "latest memory fault", "#000000", NULL },
};
#define NMARKS (sizeof(marks) / sizeof(marks[0]))

static int cell_mark(unsigned int flags)
{
	if (flags & PAGE_FAULT)
		return FAULT;
	if (flags & PAGE_PINNED)
		return PINNED;
	if (flags & PAGE_PRIVATE)
		return flags & PAGE_ALLOCATED ? PRIVATE_MEM : PRIVATE;
	return flags & PAGE_ALLOCATED ? SHARED_MEM : SHARED;
}

static uint64_t slot_cells(const struct snap_slot *s, uint64_t *per)
{
	uint64_t npages = s->size / CTL_PAGE;

	*per = npages <= SVG_MAX_CELLS
		       ? 1
		       : (npages + SVG_MAX_CELLS - 1) / SVG_MAX_CELLS;
	return (npages + *per - 1) / *per;
}

static int slot_height(const struct snap_slot *s)
{
	uint64_t per, cells = s->bound ? slot_cells(s, &per) : 0;

	return SVG_LABEL_H +
	       (int)((cells + SVG_COLUMNS - 1) / SVG_COLUMNS) * SVG_CELL + 12;
}

static void svg_cell(FILE *out, int x, int y, unsigned int flags)
{
	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"%s\"/>\n",
		x, y, SVG_CELL - 1, SVG_CELL - 1, marks[cell_mark(flags)].fill);
	if (flags & PAGE_LAUNCH)
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"2\" "
			"fill=\"%s\"/>\n",
			x, y + SVG_CELL - 3, SVG_CELL - 1, marks[LAUNCH].fill);
	if (flags & PAGE_FOLIO)
		fprintf(out,
			"<rect x=\"%d.5\" y=\"%d.5\" width=\"%d\" "
			"height=\"%d\" fill=\"none\" stroke=\"%s\"/>\n",
			x, y, SVG_CELL - 2, SVG_CELL - 2, marks[FOLIO].stroke);
}

static unsigned int cell_flags(const struct snap_vm *vm,
			       const struct snap_slot *s, uint64_t first,
			       uint64_t n)
{
	unsigned int flags = 0;

	for (uint64_t p = first; p < first + n; p++)
		flags |= snapshot_page(vm, s, s->gpa + p * CTL_PAGE);
	return flags;
}

/* One slot's block, its top at y; returns the next block's top. */
static int svg_slot(FILE *out, const struct snap_vm *vm, size_t v,
		    const struct snap_slot *s, int y)
{
	uint64_t per, ncells = s->bound ? slot_cells(s, &per) : 0;
	uint64_t npages = s->size / CTL_PAGE;
	int rows = (int)((ncells + SVG_COLUMNS - 1) / SVG_COLUMNS);

	fprintf(out,
		"<text x=\"%d\" y=\"%d\">vm %zu slot %u: gpa %#llx, %llu KiB, "
		"guest_memfd offset %#llx%s</text>\n",
		SVG_MARGIN, y + SVG_LABEL_H - 5, v, s->id,
		(unsigned long long)s->gpa, (unsigned long long)(s->size >> 10),
		(unsigned long long)s->gmem_offset,
		s->bound ? "" : " (not guest_memfd)");
	y += SVG_LABEL_H;
	for (uint64_t cell = 0; cell < ncells; cell++) {
		uint64_t first = cell * per;
		uint64_t n = first + per > npages ? npages - first : per;

		svg_cell(out, SVG_MARGIN + (int)(cell % SVG_COLUMNS) * SVG_CELL,
			 y + (int)(cell / SVG_COLUMNS) * SVG_CELL,
			 cell_flags(vm, s, first, n));
	}
	/* The slot's frame: as wide as its cells. */
	if (rows)
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"none\" stroke=\"#333333\"/>\n",
			SVG_MARGIN - 2, y - 2,
			(int)(ncells < SVG_COLUMNS ? ncells : SVG_COLUMNS) *
					SVG_CELL +
				3,
			rows * SVG_CELL + 3);
	return y + rows * SVG_CELL + 12;
}

static void svg_legend(FILE *out, int y)
{
	for (size_t i = 0; i < NMARKS; i++) {
		int x = SVG_MARGIN +
			(int)(i % 2) * (SVG_WIDTH / 2 - SVG_MARGIN);
		int top = y + (int)(i / 2) * LEGEND_ROW_H;

		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
			"fill=\"%s\" stroke=\"%s\"/>\n"
			"<text x=\"%d\" y=\"%d\">%s</text>\n",
			x, top, marks[i].fill,
			marks[i].stroke ? marks[i].stroke : "#333333", x + 20,
			top + 12, marks[i].label);
	}
}

static int svg_height(const struct snapshot *s)
{
	int h = SVG_TITLE_H;

	for (size_t v = 0; v < s->nvms; v++)
		for (size_t i = 0; i < s->vms[v].nslots; i++)
			h += slot_height(&s->vms[v].slots[i]);
	return h + (int)(NMARKS + 1) / 2 * LEGEND_ROW_H + SVG_MARGIN;
}

static void svg_title(FILE *out, const struct snapshot *s)
{
	fprintf(out,
		"<text x=\"%d\" y=\"20\" font-weight=\"bold\">gmem: pid %ld",
		SVG_MARGIN, s->pid);
	for (size_t v = 0; v < s->nvms; v++)
		fprintf(out, ", vm %zu %s (%s)", v, s->vms[v].platform,
			s->vms[v].backend);
	fprintf(out, "</text>\n");
}

int svg_write_file(const char *path, const struct snapshot *s)
{
	FILE *out = fopen(path, "w");
	int y = SVG_TITLE_H, err;

	if (!out)
		return -1;
	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		SVG_WIDTH, svg_height(s));
	svg_title(out, s);
	for (size_t v = 0; v < s->nvms; v++)
		for (size_t i = 0; i < s->vms[v].nslots; i++)
			y = svg_slot(out, &s->vms[v], v, &s->vms[v].slots[i],
				     y);
	svg_legend(out, y);
	fprintf(out, "</svg>\n");
	err = ferror(out);
	if (fclose(out) || err) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
