// SPDX-License-Identifier: MIT
/*
 * Parsing. A command's row says what kinds of arguments it takes (see
 * struct command); each word is converted once, here, so that a command
 * never meets a bad argument and a run never starts with a command line
 * or script that would stop half way for a typo. On the command line a
 * command takes its required arguments and then the optional ones that
 * look like theirs; in a script each line is one command and a word left
 * over is an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmem/gmem.h>

#include "ctl_commands.h"
#include "ctl_output.h"
#include "ctl_parse.h"

static const struct {
	const char *name;
	unsigned long type;
} vm_types[] = {
	{ "default", KVM_X86_DEFAULT_VM },
	{ "sw_protected", KVM_X86_SW_PROTECTED_VM },
	{ "pkvm", KVM_VM_TYPE_ARM_PROTECTED },
	{ "snp", KVM_X86_SNP_VM },
	{ "tdx", KVM_X86_TDX_VM },
};

#define NTYPES (sizeof(vm_types) / sizeof(vm_types[0]))

bool parse_vm_type(const char *s, unsigned long *type)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (!strcmp(s, vm_types[i].name)) {
			*type = vm_types[i].type;
			return true;
		}
	return false;
}

const char *vm_type_name(unsigned long type)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (vm_types[i].type == type)
			return vm_types[i].name;
	return "?";
}

int parse_size(const char *s, uint64_t *v)
{
	static const char suffixes[] = "KMG";
	unsigned long long n;
	const char *unit;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return -1;
	unit = *end ? strchr(suffixes, *end) : NULL;
	if (unit) {
		int shift = 10 * (int)(unit - suffixes + 1);

		if (n > (~0ULL >> shift))
			return -1;
		n <<= shift;
		end++;
	}
	if (*end)
		return -1;
	*v = n;
	return 0;
}

static bool is_side(const char *s)
{
	return !strcmp(s, "private") || !strcmp(s, "shared");
}

static bool is_mode(const char *s)
{
	return !strcmp(s, "none") || !strcmp(s, "zero") ||
	       !strcmp(s, "preserve");
}

static uint64_t mode_flags(const char *s)
{
	if (!strcmp(s, "zero"))
		return KVM_SET_MEMORY_ATTRIBUTES2_ZERO;
	if (!strcmp(s, "preserve"))
		return KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	return 0;
}

/* One required argument of kind `kind` from `word`. */
static int parse_required(struct call *call, char kind, char *word)
{
	uint64_t *v = &call->value[call->nargs];

	call->arg[call->nargs++] = word;
	switch (kind) {
	case 'o':
		if (!parse_size(word, v))
			return 0;
		return ctl_usage(call->line, "not a number: '%s' (%s %s)", word,
				 call->cmd->name, call->cmd->synopsis);
	case 's':
		*v = !strcmp(word, "private");
		if (is_side(word))
			return 0;
		return ctl_usage(call->line,
				 "%s: expected private or shared, not '%s'",
				 call->cmd->name, word);
	default: /* 'b' */
		if (!parse_size(word, v) && *v <= 255)
			return 0;
		return ctl_usage(call->line, "%s: a byte is 0 to 255, not '%s'",
				 call->cmd->name, word);
	}
}

/* Optional arguments: how many words of words[0, n) they take, or -1. */
static int parse_optional(struct call *call, char kind, char **words, int n)
{
	uint64_t seconds;

	if (kind == 'M') {
		if (n < 1 || !is_mode(words[0]))
			return 0;
		call->arg[call->nargs] = words[0];
		call->value[call->nargs++] = mode_flags(words[0]);
		return 1;
	}
	if (n < 1 || strcmp(words[0], kind == 'V' ? "--svg" : "--interval"))
		return 0;
	if (n < 2) {
		ctl_usage(call->line, "%s: %s needs a value", call->cmd->name,
			  words[0]);
		return -1;
	}
	if (kind == 'V') {
		call->svg = words[1];
		return 2;
	}
	if (parse_size(words[1], &seconds) || !seconds || seconds > 3600) {
		ctl_usage(call->line, "%s: --interval takes 1 to 3600 seconds",
			  call->cmd->name);
		return -1;
	}
	call->interval_ms = seconds * 1000;
	return 2;
}

/* A host access must stay within the file. */
static int check_host_range(const struct call *call, uint64_t file_size)
{
	bool is_write = !strcmp(call->cmd->name, "write");
	uint64_t off = call->value[0], len = is_write ? call->value[1] : 1;

	if (!file_size || (!is_write && strcmp(call->cmd->name, "read")))
		return 0;
	if (off < file_size && len <= file_size - off)
		return 0;
	return ctl_usage(call->line, "%s: range past the end of the file",
			 call->cmd->name);
}

/* The command words[0] and its arguments: the words it took in *used. */
static int parse_call(char **words, int n, unsigned int where,
		      uint64_t file_size, struct call *call, int *used)
{
	const struct command *cmd = command_find(words[0]);
	int at = 1, err = 0;

	if (!cmd)
		return ctl_usage(call->line,
				 "unknown command '%s' (gmemctl --help lists "
				 "them)",
				 words[0]);
	if (!(cmd->where & where))
		return ctl_usage(call->line, "%s: %s", cmd->name,
				 where == CTL_ATTACH
					 ? "not on an attached process"
					 : "only with attach PID|SOCKET");
	call->cmd = cmd;
	for (const char *k = cmd->spec; *k && !err; k++) {
		if (*k >= 'a' && *k <= 'z') {
			if (at >= n)
				return ctl_usage(call->line,
						 "missing arguments: %s %s",
						 cmd->name, cmd->synopsis);
			err = parse_required(call, *k, words[at++]);
		} else {
			int took = parse_optional(call, *k, words + at, n - at);

			if (took < 0)
				return CTL_USAGE;
			at += took;
		}
	}
	*used = at;
	return err ? err : check_host_range(call, file_size);
}

int parse_command_line(char **argv, int argc, unsigned int where,
		       uint64_t file_size, struct call **calls, int *ncalls)
{
	int err = 0;

	*ncalls = 0;
	*calls = calloc(argc ? argc : 1, sizeof(**calls));
	if (!*calls)
		return ctl_usage(0, "out of memory");
	for (int i = 0, used = 0; i < argc && !err; i += used) {
		err = parse_call(argv + i, argc - i, where, file_size,
				 &(*calls)[*ncalls], &used);
		if (!err)
			(*ncalls)++;
	}
	return err;
}

/* Split a line in place into words, dropping a comment. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;

	line[strcspn(line, "#")] = 0;
	for (char *w = strtok(line, " \t\r\n"); w; w = strtok(NULL, " \t\r\n"))
		if (n < max)
			words[n++] = w;
		else
			return max + 1;
	return n;
}

static char *read_all(const char *path)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t len = 0, cap = 4096, n;
	char *text = NULL, *grown;

	if (!in)
		return NULL;
	while ((grown = realloc(text, cap + 1))) {
		text = grown;
		n = fread(text + len, 1, cap - len, in);
		len += n;
		if (len < cap)
			break;
		cap *= 2;
	}
	if (text)
		text[len] = 0;
	if (in != stdin)
		fclose(in);
	return grown ? text : (free(text), NULL);
}

/* One script line: 0 words is nothing to do. */
static int parse_script_line(char *line, int number, unsigned int where,
			     uint64_t file_size, struct call *call, bool *got)
{
	char *words[CTL_ARGS_MAX + 4];
	int n = split_words(line, words, CTL_ARGS_MAX + 3), used = 0, err;

	*got = false;
	if (!n)
		return 0;
	call->line = number;
	err = parse_call(words, n > CTL_ARGS_MAX + 3 ? CTL_ARGS_MAX + 3 : n,
			 where, file_size, call, &used);
	if (!err && used != n)
		return ctl_usage(number, "%s: too many arguments: '%s'",
				 call->cmd->name, words[used]);
	*got = !err;
	return err;
}

int parse_script(const char *path, unsigned int where, uint64_t file_size,
		 struct call **calls, int *ncalls, char **text)
{
	size_t lines = 1;
	char *line, *next;
	int err = 0;

	*ncalls = 0;
	*calls = NULL;
	*text = read_all(path);
	if (!*text)
		return ctl_usage(0, "%s: %s", path, strerror(errno));
	for (const char *p = *text; *p; p++)
		lines += *p == '\n';
	*calls = calloc(lines, sizeof(**calls));
	if (!*calls)
		return ctl_usage(0, "out of memory");
	line = *text;
	for (int number = 1; line && !err; number++, line = next) {
		bool got;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		err = parse_script_line(line, number, where, file_size,
					&(*calls)[*ncalls], &got);
		*ncalls += got;
	}
	return err;
}

void parse_free(struct call *calls, char *text)
{
	free(calls);
	free(text);
}
