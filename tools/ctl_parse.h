/* SPDX-License-Identifier: MIT */
/*
 * gmemctl's words: sizes, VM types, content modes, and commands with
 * their arguments, from the command line or from a script. Everything is
 * checked here, before any VM is made; a mistake is a usage error.
 */
#ifndef GMEMCTL_CTL_PARSE_H
#define GMEMCTL_CTL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "ctl.h"

/* A size or offset: a number with an optional K, M or G. 0 or -1. */
int parse_size(const char *s, uint64_t *v);
/* A VM type's name ("sw_protected"); false if unknown. */
bool parse_vm_type(const char *s, unsigned long *type);
/* The name of a VM type, for output. */
const char *vm_type_name(unsigned long type);

/* The commands of argv[0, argc), each taking its arguments up to the
 * next command, into a new array *calls of *ncalls. `where` is CTL_LOCAL
 * or CTL_ATTACH; `file_size` bounds host accesses (0: unchecked). 0 or
 * CTL_USAGE, after one line saying what is wrong. */
int parse_command_line(char **argv, int argc, unsigned int where,
		       uint64_t file_size, struct call **calls, int *ncalls);

/* The same for a script: one command a line, '#' to the end of a line a
 * comment; "-" is standard input. Lines are kept in *text, which the
 * caller frees with the calls (parse_free). */
int parse_script(const char *path, unsigned int where, uint64_t file_size,
		 struct call **calls, int *ncalls, char **text);

void parse_free(struct call *calls, char *text);

#endif
