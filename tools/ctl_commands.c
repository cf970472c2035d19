// SPDX-License-Identifier: MIT
/*
 * gmemctl's commands, one row each: name, arguments, one line of help,
 * the kinds of its arguments (which ctl_parse.c checks before any VM is
 * made), where it runs, and the function that runs it. --help, help
 * COMMAND (as text or JSON) and the shell completion all read this
 * table, so a new command is one new row; the options and the words
 * that come first on the line have tables of their own here.
 */
#include <stdio.h>
#include <string.h>

#include "ctl_commands.h"
#include "ctl_inspect.h"
#include "ctl_launch.h"
#include "ctl_memory.h"
#include "ctl_output.h"
#include "ctl_watch.h"

static const struct command commands[] = {
	{ "convert", "OFF LEN private|shared [zero|preserve|none]",
	  "KVM_SET_MEMORY_ATTRIBUTES2 on the range, with a content mode",
	  "oosM", CTL_LOCAL, cmd_convert },
	{ "fallocate", "OFF LEN", "allocate memory for the range", "oo",
	  CTL_LOCAL, cmd_fallocate },
	{ "punch", "OFF LEN", "punch a hole: free the range's memory", "oo",
	  CTL_LOCAL, cmd_punch },
	{ "pin", "OFF LEN", "take a long-term reference on the pages", "oo",
	  CTL_LOCAL, cmd_pin },
	{ "unpin", "OFF LEN", "drop a long-term reference", "oo", CTL_LOCAL,
	  cmd_unpin },
	{ "write", "OFF LEN BYTE", "the host writes BYTE through its mapping",
	  "oob", CTL_LOCAL, cmd_write },
	{ "read", "OFF", "the host reads one byte through its mapping", "o",
	  CTL_LOCAL, cmd_read },
	{ "request", "OFF LEN private|shared",
	  "the guest asks for a conversion (as pKVM's share/unshare)", "oos",
	  CTL_LOCAL, cmd_request },
	{ "guest-read", "OFF private|shared",
	  "the guest reads a byte; a mismatch is a memory fault", "os",
	  CTL_LOCAL, cmd_guest_read },
	{ "launch-start", "",
	  "SNP or TDX: start the launch's measurement (INIT2 and "
	  "LAUNCH_START, INIT_VM)",
	  "", CTL_LOCAL, cmd_launch_start },
	{ "launch-update", "OFF LEN",
	  "SNP or TDX: measure and encrypt private pages in place", "oo",
	  CTL_LOCAL, cmd_launch_update },
	{ "launch-finish", "",
	  "SNP or TDX: end the launch (LAUNCH_FINISH, FINALIZE_VM)", "",
	  CTL_LOCAL, cmd_launch_finish },
	{ "sleep", "SECONDS",
	  "wait, so that gmemctl attach can look (GMEM_INTROSPECT=auto)", "o",
	  CTL_LOCAL, cmd_sleep },
	{ "caps", "", "the VM's guest_memfd capabilities", "", CTL_LOCAL,
	  cmd_caps },
	{ "folios", "", "how many folios are huge, split (mixed), unallocated",
	  "", CTL_LOCAL, cmd_folios },
	{ "map", "", "the attribute ranges, in guest physical order", "",
	  CTL_LOCAL | CTL_ATTACH, cmd_map },
	{ "draw", "[--svg FILE]",
	  "one character a page; or an SVG picture with a legend", "V",
	  CTL_LOCAL | CTL_ATTACH, cmd_draw },
	{ "stats", "",
	  "conversions by mode and result, bytes zeroed, scrambled and "
	  "encrypted, pins, faults",
	  "", CTL_LOCAL | CTL_ATTACH, cmd_stats },
	{ "faults", "", "memory faults: how many, and the latest", "",
	  CTL_LOCAL | CTL_ATTACH, cmd_faults },
	{ "watch", "[--interval SECONDS]",
	  "a refreshing view of the map and counters, like top (q quits)", "N",
	  CTL_ATTACH, cmd_watch },
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* The words that come first on the line: not commands of the table,
 * since they choose what the rest of the line is (ctl_parse.c never sees
 * them), but help describes them the same way. */
static const struct command leading[] = {
	{ "attach", "PID|SOCKET [COMMAND [ARGS]...]...",
	  "read a running VMM's VMs through its introspection endpoint", "",
	  CTL_FIRST, NULL },
	{ "host", "", "what this host offers for guest memory", "", CTL_ALONE,
	  NULL },
	{ "help", "[COMMAND]", "every command, or one with its synopsis", "",
	  CTL_ALONE, NULL },
};

static const char *const usage_lines[] = {
	"gmemctl [OPTIONS] COMMAND [ARGS]... [COMMAND [ARGS]...]...",
	"gmemctl [OPTIONS] --script FILE|-",
	"gmemctl [--json] attach PID|SOCKET [COMMAND [ARGS]...]...",
	"gmemctl host | help [COMMAND] | --version",
};

static const char description[] =
	"Without attach, gmemctl makes a VM and a guest_memfd bound at\n"
	"gpa 0x100000000 and runs the commands on them, in order.\n"
	"With attach, it reads a running VMM's VMs through their\n"
	"introspection endpoint (GMEM_INTROSPECT, gmem_introspect(3)).\n";

/* gmemctl.c's options, as --help tells them. */
static const struct {
	char letter;
	const char *name, *arg, *summary;
} options[] = {
	{ 't', "type", "TYPE",
	  "default|sw_protected|pkvm|snp|tdx "
	  "(sw_protected)" },
	{ 'b', "backend", "NAME", "kvm|memfd|auto (auto)" },
	{ 'u', "uapi", "GEN", "rfc-v4|v6: the series generation (GMEM_UAPI)" },
	{ 's', "size", "SIZE", "the guest_memfd's size (256K)" },
	{ 'p', "private", "", "the file starts private" },
	{ 'H', "huge", "DIR",
	  "2 MiB folios from DIR, a tmpfs mounted "
	  "huge=always" },
	{ 'f', "script", "FILE",
	  "commands from FILE (- for stdin), one a "
	  "line, # comments" },
	{ 'j', "json", "", "one JSON object a command, on one line" },
	{ 'h', "help", "", "this help" },
	{ 'V', "version", "", "gmemctl's version" },
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < NELEMS(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* A command of the table or a leading word, for help. */
static const struct command *help_find(const char *name)
{
	const struct command *cmd = command_find(name);

	for (size_t i = 0; !cmd && i < NELEMS(leading); i++)
		if (!strcmp(leading[i].name, name))
			cmd = &leading[i];
	return cmd;
}

static const char *where_name(unsigned int where)
{
	switch (where) {
	case CTL_ATTACH:
		return "attach only";
	case CTL_LOCAL:
		return "own VM only";
	case CTL_FIRST:
		return "first on the line";
	case CTL_ALONE:
		return "alone on the line";
	default:
		return "";
	}
}

static void print_options(FILE *out)
{
	for (size_t i = 0; i < NELEMS(options); i++) {
		char word[32];

		snprintf(word, sizeof(word), "--%s%s%s", options[i].name,
			 *options[i].arg ? " " : "", options[i].arg);
		fprintf(out, "  -%c, %-17s%s\n", options[i].letter, word,
			options[i].summary);
	}
}

void commands_print_help(FILE *out)
{
	for (size_t i = 0; i < NELEMS(usage_lines); i++)
		fprintf(out, "%s%s\n",
			i ? "       " : "usage: ", usage_lines[i]);
	fprintf(out, "\n%s\noptions:\n", description);
	print_options(out);
	fprintf(out, "\ncommands (sizes and offsets take K, M or G):\n");
	for (size_t i = 0; i < NELEMS(commands); i++)
		fprintf(out, "  %-13s %s\n", commands[i].name,
			commands[i].summary);
	for (size_t i = 0; i < NELEMS(leading); i++)
		fprintf(out, "  %-13s %s\n", leading[i].name,
			leading[i].summary);
}

int commands_print_one(FILE *out, const char *name)
{
	const struct command *cmd = help_find(name);
	const char *where;

	if (!cmd) {
		fprintf(stderr, "gmemctl: help: unknown command '%s'\n", name);
		return CTL_USAGE;
	}
	where = where_name(cmd->where);
	fprintf(out, "usage: gmemctl %s%s%s\n  %s%s%s%s\n", cmd->name,
		*cmd->synopsis ? " " : "", cmd->synopsis, cmd->summary,
		*where ? " (" : "", where, *where ? ")" : "");
	return 0;
}

static void json_command(const struct command *cmd)
{
	json_open(NULL, '{');
	json_str("name", cmd->name);
	json_str("synopsis", cmd->synopsis);
	json_str("summary", cmd->summary);
	json_open("where", '[');
	if (cmd->where & CTL_LOCAL)
		json_str(NULL, "own VM");
	if (cmd->where & CTL_ATTACH)
		json_str(NULL, "attach");
	if (cmd->where & CTL_FIRST)
		json_str(NULL, "first");
	if (cmd->where & CTL_ALONE)
		json_str(NULL, "alone");
	json_close(']');
	json_close('}');
}

static void json_options(void)
{
	json_open("options", '[');
	for (size_t i = 0; i < NELEMS(options); i++) {
		char letter[3] = { '-', options[i].letter, 0 };
		char name[32];

		snprintf(name, sizeof(name), "--%s", options[i].name);
		json_open(NULL, '{');
		json_str("short", letter);
		json_str("long", name);
		json_str("arg", options[i].arg);
		json_str("summary", options[i].summary);
		json_close('}');
	}
	json_close(']');
}

void commands_json_help(void)
{
	json_begin("help");
	json_bool("ok", true);
	json_open("usage", '[');
	for (size_t i = 0; i < NELEMS(usage_lines); i++)
		json_str(NULL, usage_lines[i]);
	json_close(']');
	json_str("description", description);
	json_options();
	json_open("commands", '[');
	for (size_t i = 0; i < NELEMS(commands); i++)
		json_command(&commands[i]);
	for (size_t i = 0; i < NELEMS(leading); i++)
		json_command(&leading[i]);
	json_close(']');
	json_end();
}

int commands_json_one(const char *name)
{
	const struct command *cmd = help_find(name);

	if (!cmd) {
		fprintf(stderr, "gmemctl: help: unknown command '%s'\n", name);
		return CTL_USAGE;
	}
	json_begin("help");
	json_bool("ok", true);
	json_open("commands", '[');
	json_command(cmd);
	json_close(']');
	json_end();
	return 0;
}

void commands_print_names(FILE *out)
{
	for (size_t i = 0; i < NELEMS(commands); i++)
		fprintf(out, "%s\n", commands[i].name);
	for (size_t i = 0; i < NELEMS(leading); i++)
		fprintf(out, "%s\n", leading[i].name);
}
