/* SPDX-License-Identifier: MIT */
/*
 * The introspection report: a VM's state as lines of text, the format
 * that gmem_introspect() returns and the introspection endpoint serves
 * (man gmem_introspect(3) describes every line).
 */
#ifndef GMEM_INTROSPECT_REPORT_H
#define GMEM_INTROSPECT_REPORT_H

#include "introspect_server.h"
#include "report.h"

struct gmem_vm;

/* The first line of a report. */
void introspect_report_header(struct report *r);
/* One VM's block of lines: its counters, last fault, memslots and, for
 * each guest_memfd slot, the attributes, allocation and pins of its
 * range in guest physical order. Takes each part's own lock to read it;
 * the caller keeps `vm` alive. */
void introspect_report_vm(struct report *r, struct gmem_vm *vm);
/* The same, for the introspection endpoint, which knows VMs only as the
 * sources it serves: how it holds and reports one. */
extern const struct introspect_source_ops introspect_vm_source;
/* The last line. */
void introspect_report_end(struct report *r);

#endif
