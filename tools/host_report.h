/* SPDX-License-Identifier: MIT */
/*
 * `gmemctl host`: what this host offers for guest memory, and what follows
 * for libgmem, gmem-vm and the test suite.
 */
#ifndef GMEM_HOST_REPORT_H
#define GMEM_HOST_REPORT_H

#include <stdbool.h>

/* Print the report on stdout, as text or as one JSON object; 0, or 1 if
 * libgmem itself would not start (its system fd does not open). Needs no
 * /dev/kvm. */
int host_report(bool json);

#endif
