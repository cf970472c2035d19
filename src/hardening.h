/* SPDX-License-Identifier: MIT */
/*
 * What a VM's hardening (gmem_vm_opts.hardening) does to the process, for
 * as long as a VM that asked for it exists.
 */
#ifndef GMEM_HARDENING_H
#define GMEM_HARDENING_H

/* The flags this library knows. */
#define HARDENING_KNOWN GMEM_HARDEN_NONDUMPABLE

/* A VM with `flags` begins: 0, or -errno with nothing changed. */
int hardening_begin(unsigned int flags);

/* A VM that began with `flags` ends. */
void hardening_end(unsigned int flags);

#endif
