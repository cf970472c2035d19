/* SPDX-License-Identifier: MIT */
/*
 * The table of gmemctl's commands, and the help that is printed from it.
 */
#ifndef GMEMCTL_CTL_COMMANDS_H
#define GMEMCTL_CTL_COMMANDS_H

#include <stdio.h>

#include "ctl.h"

/* The command called `name`, or NULL. */
const struct command *command_find(const char *name);

/* gmemctl --help: the synopsis and every command with its line. */
void commands_print_help(FILE *out);
/* gmemctl help COMMAND: its synopsis, where it runs, what it does.
 * 0, or CTL_USAGE for an unknown command. */
int commands_print_one(FILE *out, const char *name);
/* The same two with --json: one object {"command":"help", "ok",
 * "commands": [{"name", "synopsis", "summary", "where": [...]}]}, the
 * first also with "usage", "description" and "options". */
void commands_json_help(void);
int commands_json_one(const char *name);
/* The names, one a line, for shell completion. */
void commands_print_names(FILE *out);

#endif
