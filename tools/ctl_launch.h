/* SPDX-License-Identifier: MIT */
/*
 * The launch of gmemctl's own SEV-SNP or TDX VM, in place: start the
 * measurement, populate ranges with no source (their own bytes, kept by a
 * PRESERVE conversion to private), finish. One KVM_MEMORY_ENCRYPT_OP
 * command or two each.
 */
#ifndef GMEMCTL_CTL_LAUNCH_H
#define GMEMCTL_CTL_LAUNCH_H

#include "ctl.h"

int cmd_launch_start(struct ctl *c, const struct call *call);
int cmd_launch_update(struct ctl *c, const struct call *call);
int cmd_launch_finish(struct ctl *c, const struct call *call);

#endif
