/* SPDX-License-Identifier: MIT */
/*
 * gmemctl attach ... watch: a view of an attached process that refreshes
 * in place, like top.
 */
#ifndef GMEMCTL_CTL_WATCH_H
#define GMEMCTL_CTL_WATCH_H

#include "ctl.h"

int cmd_watch(struct ctl *c, const struct call *call);

#endif
