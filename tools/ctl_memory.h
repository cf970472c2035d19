/* SPDX-License-Identifier: MIT */
/*
 * The commands that act on gmemctl's own guest_memfd, each one library
 * call: convert, fallocate, punch, pin, unpin, host write and read, the
 * guest's request, and the VM's capabilities.
 */
#ifndef GMEMCTL_CTL_MEMORY_H
#define GMEMCTL_CTL_MEMORY_H

#include "ctl.h"

int cmd_convert(struct ctl *c, const struct call *call);
int cmd_fallocate(struct ctl *c, const struct call *call);
int cmd_punch(struct ctl *c, const struct call *call);
int cmd_pin(struct ctl *c, const struct call *call);
int cmd_unpin(struct ctl *c, const struct call *call);
int cmd_write(struct ctl *c, const struct call *call);
int cmd_read(struct ctl *c, const struct call *call);
int cmd_request(struct ctl *c, const struct call *call);
int cmd_guest_read(struct ctl *c, const struct call *call);
int cmd_sleep(struct ctl *c, const struct call *call);
int cmd_folios(struct ctl *c, const struct call *call);
int cmd_caps(struct ctl *c, const struct call *call);

/* Make the VM (of series generation `uapi`) and its file, bound at CTL_GPA_BASE
 * and mapped, and say so. 0 or CTL_FAILED. */
int ctl_setup(struct ctl *c, unsigned long type, unsigned int backend,
	      unsigned int uapi, bool init_shared);

#endif
