// SPDX-License-Identifier: MIT
/*
 * gmemctl: drive a guest_memfd from the command line, or look into a
 * running VMM's, and draw its state.
 *
 * A guest_memfd lives as long as the process that made it, so without
 * `attach` gmemctl makes a VM and a file, runs the commands given to it
 * (on the command line or in a script) in order, and prints what each
 * did. With `attach PID|SOCKET` it reads the VMs of another process
 * through the introspection endpoint that process opened
 * (GMEM_INTROSPECT). The commands are the table in ctl_commands.c;
 * everything is parsed before any VM is made (ctl_parse.c), so a usage
 * error (exit 2) never leaves a run half done. A failed call stops the
 * run with one line naming the call and the error (exit 1).
 *
 * This file is the run: options, which mode, then the calls in order.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "ctl_commands.h"
#include "ctl_memory.h"
#include "ctl_output.h"
#include "ctl_parse.h"
#include "host_report.h"

#ifndef GMEM_VERSION
#define GMEM_VERSION "unknown"
#endif

struct options {
	unsigned long type;
	unsigned int backend;
	unsigned int uapi;
	bool init_shared;
	const char *script;
	bool help, version, list;
};

static int parse_backend(const char *s, unsigned int *backend)
{
	if (!strcmp(s, "kvm"))
		*backend = GMEM_BACKEND_KVM;
	else if (!strcmp(s, "memfd"))
		*backend = GMEM_BACKEND_MEMFD;
	else if (!strcmp(s, "auto"))
		*backend = GMEM_BACKEND_AUTO;
	else
		return ctl_usage(0, "unknown backend '%s' (kvm, memfd, auto)",
				 s);
	return 0;
}

/* --uapi: the series generation, by the names GMEM_UAPI takes. */
static int parse_uapi(const char *s, unsigned int *uapi)
{
	if (!strcmp(s, gmem_uapi_name(GMEM_UAPI_RFC_V4)))
		*uapi = GMEM_UAPI_RFC_V4;
	else if (!strcmp(s, gmem_uapi_name(GMEM_UAPI_V6)))
		*uapi = GMEM_UAPI_V6;
	else
		return ctl_usage(0,
				 "unknown uAPI generation '%s' (rfc-v4 or "
				 "v6)",
				 s);
	return 0;
}

static int parse_option(int opt, struct options *o, struct ctl *c)
{
	switch (opt) {
	case 't':
		return parse_vm_type(optarg, &o->type)
			       ? 0
			       : ctl_usage(0, "unknown VM type '%s'", optarg);
	case 'b':
		return parse_backend(optarg, &o->backend);
	case 'u':
		return parse_uapi(optarg, &o->uapi);
	case 's':
		if (parse_size(optarg, &c->size) || !c->size)
			return ctl_usage(0, "--size: not a number: '%s'",
					 optarg);
		return 0;
	case 'p':
		o->init_shared = false;
		return 0;
	case 'H':
		c->huge_dir = optarg;
		return 0;
	case 'f':
		o->script = optarg;
		return 0;
	case 'j':
		c->json = true;
		return 0;
	case 'h':
		o->help = true;
		return 0;
	case 'V':
		o->version = true;
		return 0;
	case 'L':
		o->list = true;
		return 0;
	default:
		return ctl_usage(0, "bad option (gmemctl --help lists them)");
	}
}

static int parse_options(int argc, char **argv, struct options *o,
			 struct ctl *c)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "backend", required_argument, NULL, 'b' },
		{ "uapi", required_argument, NULL, 'u' },
		{ "size", required_argument, NULL, 's' },
		{ "private", no_argument, NULL, 'p' },
		{ "huge", required_argument, NULL, 'H' },
		{ "script", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "list-commands", no_argument, NULL, 'L' },
		{ 0 },
	};
	int opt, err = 0;

	while (!err && (opt = getopt_long(argc, argv, "+t:b:u:s:pH:f:jhV",
					  longopts, NULL)) != -1)
		err = parse_option(opt, o, c);
	return err;
}

/* Run the calls in order; the first failure ends the run. */
static int run_calls(struct ctl *c, const struct call *calls, int n)
{
	for (int i = 0; i < n; i++) {
		int err;

		c->line = calls[i].line;
		err = calls[i].cmd->run(c, &calls[i]);
		if (err)
			return err;
	}
	return 0;
}

static int parse_calls(const struct options *o, struct ctl *c, char **words,
		       int n, unsigned int where, struct call **calls,
		       int *ncalls, char **text)
{
	uint64_t bound = where == CTL_LOCAL ? c->size : 0;

	*text = NULL;
	if (o->script && n)
		return ctl_usage(0, "--script and commands on the command "
				    "line: one or the other");
	if (o->script)
		return parse_script(o->script, where, bound, calls, ncalls,
				    text);
	return parse_command_line(words, n, where, bound, calls, ncalls);
}

/* attach PID|SOCKET: digits name a process by its endpoint's default
 * path, the one GMEM_INTROSPECT=auto opens. */
static int resolve_endpoint(const char *target, char *path, size_t len)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	const char *p = target;

	while (isdigit((unsigned char)*p))
		p++;
	if (*p || p == target) {
		snprintf(path, len, "%s", target);
		return 0;
	}
	if (!dir || !*dir)
		dir = "/tmp";
	snprintf(path, len, "%s/gmem-%s.sock", dir, target);
	return 0;
}

static int run_attach(const struct options *o, struct ctl *c, char **words,
		      int n)
{
	static char *default_calls[] = { "map" };
	char path[4096], *text;
	struct call *calls = NULL;
	int ncalls = 0, err;

	if (n < 1)
		return ctl_usage(0, "attach: which process? attach PID|SOCKET");
	resolve_endpoint(words[0], path, sizeof(path));
	if (n == 1 && !o->script)
		err = parse_calls(o, c, default_calls, 1, CTL_ATTACH, &calls,
				  &ncalls, &text);
	else
		err = parse_calls(o, c, words + 1, n - 1, CTL_ATTACH, &calls,
				  &ncalls, &text);
	if (!err) {
		c->socket = path;
		err = run_calls(c, calls, ncalls);
	}
	parse_free(calls, text);
	return err;
}

static int run_local(const struct options *o, struct ctl *c, char **words,
		     int n)
{
	struct call *calls = NULL;
	int ncalls = 0, err;
	char *text;

	if (!n && !o->script)
		return ctl_usage(0, "no command (gmemctl --help lists them)");
	err = parse_calls(o, c, words, n, CTL_LOCAL, &calls, &ncalls, &text);
	if (!err)
		err = ctl_setup(c, o->type, o->backend, o->uapi,
				o->init_shared);
	if (!err)
		err = run_calls(c, calls, ncalls);
	parse_free(calls, text);
	return err;
}

static int print_help(const struct ctl *c)
{
	if (c->json)
		commands_json_help();
	else
		commands_print_help(stdout);
	return 0;
}

/* help, host and attach come first on the line; else commands. */
static int run_words(const struct options *o, struct ctl *c, char **words,
		     int n)
{
	if (n && !strcmp(words[0], "help")) {
		if (n > 2)
			return ctl_usage(0, "help takes one command");
		if (n == 2)
			return c->json ? commands_json_one(words[1])
				       : commands_print_one(stdout, words[1]);
		return print_help(c);
	}
	/* Before any VM: the report must work where none can be made. */
	if (n && !strcmp(words[0], "host")) {
		if (n > 1)
			return ctl_usage(0, "host takes no other command");
		return host_report(c->json);
	}
	if (n && !strcmp(words[0], "attach"))
		return run_attach(o, c, words + 1, n - 1);
	return run_local(o, c, words, n);
}

int main(int argc, char **argv)
{
	struct options o = {
		.type = KVM_X86_SW_PROTECTED_VM,
		.backend = GMEM_BACKEND_AUTO,
		.uapi = GMEM_UAPI_AUTO,
		.init_shared = true,
	};
	struct ctl c = { .size = 64 * CTL_PAGE, .vm = -1, .fd = -1 };
	int err = parse_options(argc, argv, &o, &c);

	if (err)
		return err;
	if (o.help)
		return print_help(&c);
	if (o.version) {
		printf("gmemctl (gmem) %s\n", GMEM_VERSION);
		return 0;
	}
	if (o.list) {
		commands_print_names(stdout);
		return 0;
	}
	return run_words(&o, &c, argv + optind, argc - optind);
}
