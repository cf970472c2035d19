/* SPDX-License-Identifier: MIT */
/*
 * The commands that show state: map, draw, stats, faults and watch, on
 * gmemctl's own VM or an attached process, all from a snapshot
 * (ctl_snapshot.h).
 */
#ifndef GMEMCTL_CTL_INSPECT_H
#define GMEMCTL_CTL_INSPECT_H

#include <stdio.h>

#include "ctl.h"
#include "ctl_snapshot.h"

int cmd_map(struct ctl *c, const struct call *call);
int cmd_draw(struct ctl *c, const struct call *call);
int cmd_stats(struct ctl *c, const struct call *call);
int cmd_faults(struct ctl *c, const struct call *call);

/* The text views, for watch as for the commands. */
void print_draw(FILE *out, const struct snapshot *s, bool legend);
void print_stats(FILE *out, const struct snapshot *s);
void print_faults(FILE *out, const struct snapshot *s);

/* The snapshot the command works on, or CTL_FAILED after saying why. */
int ctl_snapshot(const struct ctl *c, const char *command, struct snapshot *s);

#endif
