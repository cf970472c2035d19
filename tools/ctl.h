/* SPDX-License-Identifier: MIT */
/*
 * gmemctl's shared types: the state one run works on, a command of the
 * table (ctl_commands.c), and one parsed invocation of it (ctl_parse.c).
 */
#ifndef GMEMCTL_CTL_H
#define GMEMCTL_CTL_H

#include <stdbool.h>
#include <stdint.h>

#define CTL_PAGE     4096ULL
#define CTL_GPA_BASE 0x100000000ULL
#define CTL_ARGS_MAX 6

/* Exit statuses: a call failed; the command line was wrong. */
#define CTL_FAILED 1
#define CTL_USAGE  2

/* What the commands work on: gmemctl's own VM and file, or a process
 * attached through its introspection endpoint. */
struct ctl {
	bool json;
	/* Local: the VM and file gmemctl made. */
	unsigned long type;
	int vm;
	int fd;
	uint64_t size;
	char *host;
	const char *huge_dir; /* --huge: 2 MiB folios from this tmpfs */
	/* Attached: the endpoint's socket path; NULL when local. */
	const char *socket;
	/* The line of the script being run, or 0 on the command line. */
	int line;
};

/* Where a command runs: on gmemctl's own VM, on an attached process;
 * the words that choose the mode come first on the line (attach) or
 * alone (host, help). */
#define CTL_LOCAL  (1U << 0)
#define CTL_ATTACH (1U << 1)
#define CTL_FIRST  (1U << 2)
#define CTL_ALONE  (1U << 3)

struct call;

struct command {
	const char *name;
	const char *synopsis; /* the arguments, for help */
	const char *summary;  /* one line */
	/* One letter an argument: o size or offset, s private|shared,
	 * b byte; upper case: optional, M content mode, V "--svg FILE",
	 * N "--interval SECONDS". */
	const char *spec;
	unsigned int where;
	int (*run)(struct ctl *c, const struct call *call);
};

/* One command with its arguments, checked and converted. */
struct call {
	const struct command *cmd;
	int line; /* in a script; 0 on the command line */
	int nargs;
	char *arg[CTL_ARGS_MAX];
	uint64_t value[CTL_ARGS_MAX]; /* sizes, bytes, modes, sides */
	const char *svg;	      /* draw --svg FILE */
	uint64_t interval_ms;	      /* watch --interval */
};

#endif
