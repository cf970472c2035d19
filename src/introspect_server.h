/* SPDX-License-Identifier: MIT */
/*
 * The introspection endpoint: a UNIX socket, off unless a VM asks for it
 * (gmem_vm_opts.introspect_path or GMEM_INTROSPECT), over which a
 * debugger such as `gmemctl attach` reads the state of the process's VMs.
 * One endpoint a process, serving every VM that asked for it; it knows
 * the VMs only as sources, each with the function that reports it.
 */
#ifndef GMEM_INTROSPECT_SERVER_H
#define GMEM_INTROSPECT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "report.h"

/* Room for a path, as struct sockaddr_un holds one. */
#define INTROSPECT_PATH_MAX 108

/* What the endpoint does with a source: report it while holding a
 * reference, taken only if the source is not already on its way out. */
struct introspect_source_ops {
	bool (*tryget)(void *source);
	void (*put)(void *source);
	void (*report)(void *source, struct report *r);
};

/* Serve `source` (until introspect_server_remove()) on the endpoint at
 * `path`, starting it if none is running: a socket of mode 0600 that
 * answers its owner only. 0; -EBUSY if the process serves another path;
 * -EADDRINUSE if something live holds `path`; else -errno. */
int introspect_server_add(const char *path, void *source,
			  const struct introspect_source_ops *ops);

/* Stop serving `source` (no-op if it was not served); called as the
 * source ends, which a report cannot see: it holds a reference. The
 * endpoint closes, and its socket is removed, with the last source. */
void introspect_server_remove(void *source);

/* The endpoint's path when GMEM_INTROSPECT is "auto":
 * $XDG_RUNTIME_DIR/gmem-PID.sock, or /tmp/gmem-PID.sock. 0 or
 * -ENAMETOOLONG. */
int introspect_default_path(pid_t pid, char *buf, size_t len);

#endif
