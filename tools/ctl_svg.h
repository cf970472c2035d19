/* SPDX-License-Identifier: MIT */
/*
 * draw --svg FILE: the attribute map of every memslot of a snapshot as
 * an SVG picture, in guest physical order, with a legend.
 */
#ifndef GMEMCTL_CTL_SVG_H
#define GMEMCTL_CTL_SVG_H

#include "ctl_snapshot.h"

/* Cell geometry, which the picture's tests rely on: the first slot's
 * first cell has its top left corner at (SVG_MARGIN, SVG_FIRST_ROW_Y),
 * cells are SVG_CELL apart, SVG_COLUMNS a row. */
#define SVG_MARGIN	20
#define SVG_CELL	10
#define SVG_COLUMNS	64
#define SVG_TITLE_H	30
#define SVG_LABEL_H	18
#define SVG_FIRST_ROW_Y (SVG_TITLE_H + SVG_LABEL_H)

/* 0, or -1 with errno. */
int svg_write_file(const char *path, const struct snapshot *s);

#endif
