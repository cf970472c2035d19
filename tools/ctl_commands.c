// SPDX-License-Identifier: MIT
/*
 * gmemctl's commands, one row each: name, arguments, one line of help,
 * the kinds of its arguments (which ctl_parse.c checks before any VM is
 * made), where it runs, and the function that runs it. --help, help
 * COMMAND and the shell completion all read this table, so a new
 * command is one new row.
 */
#include <string.h>

#include "ctl_commands.h"
#include "ctl_inspect.h"
#include "ctl_memory.h"
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

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static const char *where_name(unsigned int where)
{
	if (where == CTL_ATTACH)
		return "attach only";
	return where & CTL_ATTACH ? "" : "own VM only";
}

void commands_print_help(FILE *out)
{
	fprintf(out,
		"usage: gmemctl [OPTIONS] COMMAND [ARGS]... [COMMAND "
		"[ARGS]...]...\n"
		"       gmemctl [OPTIONS] --script FILE|-\n"
		"       gmemctl [--json] attach PID|SOCKET [COMMAND "
		"[ARGS]...]...\n"
		"       gmemctl host | help [COMMAND] | --version\n"
		"\n"
		"Without attach, gmemctl makes a VM and a guest_memfd bound "
		"at\n"
		"gpa 0x100000000 and runs the commands on them, in order.\n"
		"With attach, it reads a running VMM's VMs through their\n"
		"introspection endpoint (GMEM_INTROSPECT, "
		"gmem_introspect(3)).\n"
		"\n"
		"options:\n"
		"  -t, --type TYPE      default|sw_protected|pkvm|snp|tdx "
		"(sw_protected)\n"
		"  -b, --backend NAME   kvm|memfd|auto (auto)\n"
		"  -u, --uapi GEN       rfc-v4|v6: the series generation "
		"(GMEM_UAPI)\n"
		"  -s, --size SIZE      the guest_memfd's size (256K)\n"
		"  -p, --private        the file starts private\n"
		"  -H, --huge DIR       2 MiB folios from DIR, a tmpfs mounted "
		"huge=always\n"
		"  -f, --script FILE    commands from FILE (- for stdin), one "
		"a "
		"line, # comments\n"
		"  -j, --json           one JSON object a command, on one "
		"line\n"
		"  -h, --help           this help\n"
		"  -V, --version        gmemctl's version\n"
		"\n"
		"commands (sizes and offsets take K, M or G):\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "  %-10s %s\n", "host",
		"alone: what this host offers for guest memory");
	fprintf(out, "  %-10s %s\n", "help", "help COMMAND: one command");
}

int commands_print_one(FILE *out, const char *name)
{
	const struct command *cmd = command_find(name);
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

void commands_print_names(FILE *out)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "%s\n", commands[i].name);
	fprintf(out, "attach\nhost\nhelp\n");
}
