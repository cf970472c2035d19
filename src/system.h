/* SPDX-License-Identifier: MIT */
/*
 * The system descriptor, the library's /dev/kvm.
 */
#ifndef GMEM_SYSTEM_H
#define GMEM_SYSTEM_H

/* gmem_open_system(): a new system fd, or -errno. */
int system_open(void);

#endif
