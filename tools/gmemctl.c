// SPDX-License-Identifier: MIT
/*
 * gmemctl: drive one guest_memfd from the command line and draw its state.
 *
 * A guest_memfd lives as long as the process that made it, so gmemctl
 * makes a VM and a file, runs the commands given to it in order, and
 * prints what each did. Every command mirrors a library call:
 *
 *   convert OFF LEN private|shared [zero|preserve|none]
 *   fallocate OFF LEN        punch OFF LEN
 *   pin OFF LEN              unpin OFF LEN
 *   write OFF LEN BYTE       (the host, through a mapping)
 *   read OFF                 (the host reads one byte)
 *   request OFF LEN private|shared   (the guest asks, as on pKVM)
 *   map      draw      caps
 *   folios   (how many folios are huge, split, unallocated)
 *   host     (alone: what this host offers; see host_report.c)
 *
 * --uapi rfc-v4|v6 picks the series generation of the VM (without it,
 * GMEM_UAPI decides; under v6 every content mode is EINVAL). Offsets and
 * lengths take a K, M or G suffix. A command that fails
 * prints one line naming the call and the error, and gmemctl exits 1
 * after it; a bad command line exits 2.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gmem/gmem.h>

#include "host_report.h"

#define PAGE	   4096ULL
#define GPA_BASE   0x100000000ULL
#define DRAW_WIDTH 64

struct ctl {
	int vm;
	int fd;
	uint64_t size;
	char *host;
	const char *huge_dir; /* --huge: 2 MiB folios from this tmpfs */
};

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

static void usage_error(const char *what)
{
	fprintf(stderr,
		"gmemctl: %s (see the comment in gmemctl.c or "
		"gmemctl --help)\n",
		what);
	exit(2);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		usage_error("not a number");
	switch (*end) {
	case 'K':
		v <<= 10;
		end++;
		break;
	case 'M':
		v <<= 20;
		end++;
		break;
	case 'G':
		v <<= 30;
		end++;
		break;
	}
	if (*end)
		usage_error("not a number");
	return v;
}

static unsigned long parse_type(const char *s)
{
	for (size_t i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++)
		if (!strcmp(s, vm_types[i].name))
			return vm_types[i].type;
	usage_error("unknown VM type");
	return 0;
}

static unsigned int parse_backend(const char *s)
{
	if (!strcmp(s, "kvm"))
		return GMEM_BACKEND_KVM;
	if (!strcmp(s, "memfd"))
		return GMEM_BACKEND_MEMFD;
	if (!strcmp(s, "auto"))
		return GMEM_BACKEND_AUTO;
	usage_error("unknown backend");
	return 0;
}

/* --uapi: the series generation, by the names GMEM_UAPI takes. */
static unsigned int parse_uapi(const char *s)
{
	if (!strcmp(s, gmem_uapi_name(GMEM_UAPI_RFC_V4)))
		return GMEM_UAPI_RFC_V4;
	if (!strcmp(s, gmem_uapi_name(GMEM_UAPI_V6)))
		return GMEM_UAPI_V6;
	usage_error("unknown uAPI generation (rfc-v4 or v6)");
	return 0;
}

static bool parse_private(const char *s)
{
	if (!strcmp(s, "private"))
		return true;
	if (strcmp(s, "shared"))
		usage_error("expected private or shared");
	return false;
}

static uint64_t parse_mode(const char *s)
{
	if (!s || !strcmp(s, "none"))
		return 0;
	if (!strcmp(s, "zero"))
		return KVM_SET_MEMORY_ATTRIBUTES2_ZERO;
	if (!strcmp(s, "preserve"))
		return KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	usage_error("unknown content mode");
	return 0;
}

static bool is_mode_word(const char *s)
{
	return !strcmp(s, "none") || !strcmp(s, "zero") ||
	       !strcmp(s, "preserve");
}

/* A failed call: one line, then exit 1. */
static void call_failed(const char *call, uint64_t error_offset,
			bool has_offset)
{
	int err = errno;

	if (has_offset)
		fprintf(stderr, "gmemctl: %s: %s (error_offset %#llx)\n", call,
			strerror(err), (unsigned long long)error_offset);
	else
		fprintf(stderr, "gmemctl: %s: %s\n", call, strerror(err));
	exit(1);
}

static void cmd_convert(struct ctl *c, char **arg, int n)
{
	struct kvm_memory_attributes2 a = {
		.offset = parse_size(arg[0]),
		.size = parse_size(arg[1]),
		.attributes = parse_private(arg[2])
				      ? KVM_MEMORY_ATTRIBUTE_PRIVATE
				      : 0,
		.flags = parse_mode(n > 3 ? arg[3] : NULL),
	};

	if (gmem_ioctl(c->fd, KVM_SET_MEMORY_ATTRIBUTES2, &a))
		call_failed("KVM_SET_MEMORY_ATTRIBUTES2", a.error_offset,
			    errno == EAGAIN || errno == EOPNOTSUPP ||
				    errno == ENOMEM);
	printf("converted [%#llx, %#llx) to %s\n", (unsigned long long)a.offset,
	       (unsigned long long)(a.offset + a.size), arg[2]);
}

static void cmd_fallocate(struct ctl *c, char **arg, bool punch)
{
	int mode = FALLOC_FL_KEEP_SIZE | (punch ? FALLOC_FL_PUNCH_HOLE : 0);

	if (gmem_fallocate(c->fd, mode, (off_t)parse_size(arg[0]),
			   (off_t)parse_size(arg[1])))
		call_failed("fallocate", 0, false);
	printf("%s [%s, +%s)\n", punch ? "punched" : "allocated", arg[0],
	       arg[1]);
}

static void cmd_pin(struct ctl *c, char **arg, bool pin)
{
	uint64_t off = parse_size(arg[0]), len = parse_size(arg[1]);

	if (pin ? gmem_pin(c->fd, off, len) : gmem_unpin(c->fd, off, len))
		call_failed(pin ? "gmem_pin" : "gmem_unpin", 0, false);
	printf("%s [%s, +%s)\n", pin ? "pinned" : "unpinned", arg[0], arg[1]);
}

static sigjmp_buf touch_env;

static void on_sigbus(int sig)
{
	siglongjmp(touch_env, sig);
}

/* Host access through the mapping, reporting SIGBUS as the kernel would
 * deliver it. */
static bool host_touch(struct ctl *c, uint64_t off, uint64_t len, int byte,
		       int *value)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool ok = true;

	if (off > c->size || len > c->size - off)
		usage_error("range past the end of the file");
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(touch_env, 1))
		ok = false;
	else if (byte >= 0)
		memset(c->host + off, byte, len);
	else
		*value = (unsigned char)c->host[off];
	sigaction(SIGBUS, &old, NULL);
	return ok;
}

static void cmd_write(struct ctl *c, char **arg)
{
	uint64_t byte = parse_size(arg[2]);

	if (byte > 255)
		usage_error("a byte is 0 to 255");
	if (!host_touch(c, parse_size(arg[0]), parse_size(arg[1]), (int)byte,
			NULL)) {
		fprintf(stderr, "gmemctl: write: SIGBUS (private memory)\n");
		exit(1);
	}
	printf("host wrote %s bytes of %#llx at %s\n", arg[1],
	       (unsigned long long)byte, arg[0]);
}

static void cmd_read(struct ctl *c, char **arg)
{
	int value = 0;

	if (!host_touch(c, parse_size(arg[0]), 1, -1, &value)) {
		fprintf(stderr, "gmemctl: read: SIGBUS (private memory)\n");
		exit(1);
	}
	printf("host read %#x at %s\n", value, arg[0]);
}

static void cmd_request(struct ctl *c, char **arg)
{
	if (gmem_guest_request(c->vm, GPA_BASE + parse_size(arg[0]),
			       parse_size(arg[1]), parse_private(arg[2])))
		call_failed("gmem_guest_request", 0, false);
	printf("guest asked for [%s, +%s) %s\n", arg[0], arg[1], arg[2]);
}

static void cmd_map(struct ctl *c)
{
	ssize_t n = gmem_get_attribute_ranges(c->fd, 0, c->size, NULL, 0);
	struct gmem_attr_range *r = calloc(n > 0 ? n : 1, sizeof(*r));

	if (n < 0 || !r ||
	    gmem_get_attribute_ranges(c->fd, 0, c->size, r, n) != n)
		call_failed("gmem_get_attribute_ranges", 0, false);
	for (ssize_t i = 0; i < n; i++)
		printf("[%#14llx, %#14llx) %s\n",
		       (unsigned long long)r[i].offset,
		       (unsigned long long)(r[i].offset + r[i].size),
		       r[i].attributes ? "private" : "shared");
	free(r);
}

/* One character a page: shared '.', private 'p'; upper case (':' for
 * shared) where the page has memory. */
static void cmd_draw(struct ctl *c)
{
	uint64_t npages = c->size / PAGE;
	unsigned char *alloc = malloc(npages ? npages : 1);

	if (!alloc || gmem_get_allocation(c->fd, 0, c->size, alloc))
		call_failed("gmem_get_allocation", 0, false);
	for (uint64_t p = 0; p < npages; p++) {
		uint64_t a = 0;

		gmem_get_attributes(c->fd, p * PAGE, &a);
		putchar(a ? (alloc[p] ? 'P' : 'p') : (alloc[p] ? ':' : '.'));
		if ((p + 1) % DRAW_WIDTH == 0 || p + 1 == npages)
			putchar('\n');
	}
	free(alloc);
}

static void cmd_caps(struct ctl *c)
{
	static const struct {
		const char *name;
		long cap;
	} caps[] = {
		{ "KVM_CAP_GUEST_MEMFD_FLAGS", KVM_CAP_GUEST_MEMFD_FLAGS },
		{ "KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES",
		  KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES },
		{ "KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS",
		  KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS },
	};

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("%-40s %d\n", caps[i].name,
		       gmem_ioctl(c->vm, KVM_CHECK_EXTENSION, caps[i].cap));
}

static void cmd_folios(struct ctl *c)
{
	struct gmem_folio_layout l;

	if (gmem_get_folio_layout(c->fd, &l))
		call_failed("gmem_get_folio_layout", 0, false);
	printf("%llu folios of %llu KiB: %llu huge, %llu split, %llu "
	       "unallocated\n",
	       (unsigned long long)l.folios,
	       (unsigned long long)(l.folio_size >> 10),
	       (unsigned long long)l.huge, (unsigned long long)l.split,
	       (unsigned long long)l.unallocated);
}

struct command {
	const char *name;
	int nargs;    /* required */
	int optional; /* further optional */
};

static const struct command commands[] = {
	{ "convert", 3, 1 }, { "fallocate", 2, 0 }, { "punch", 2, 0 },
	{ "pin", 2, 0 },     { "unpin", 2, 0 },	    { "write", 3, 0 },
	{ "read", 1, 0 },    { "request", 3, 0 },   { "map", 0, 0 },
	{ "draw", 0, 0 },    { "caps", 0, 0 },	    { "folios", 0, 0 },
};

static void run_command(struct ctl *c, const char *name, char **arg, int n)
{
	if (!strcmp(name, "convert"))
		cmd_convert(c, arg, n);
	else if (!strcmp(name, "fallocate") || !strcmp(name, "punch"))
		cmd_fallocate(c, arg, !strcmp(name, "punch"));
	else if (!strcmp(name, "pin") || !strcmp(name, "unpin"))
		cmd_pin(c, arg, !strcmp(name, "pin"));
	else if (!strcmp(name, "write"))
		cmd_write(c, arg);
	else if (!strcmp(name, "read"))
		cmd_read(c, arg);
	else if (!strcmp(name, "request"))
		cmd_request(c, arg);
	else if (!strcmp(name, "map"))
		cmd_map(c);
	else if (!strcmp(name, "draw"))
		cmd_draw(c);
	else if (!strcmp(name, "folios"))
		cmd_folios(c);
	else
		cmd_caps(c);
}

/* Run argv[i..] as commands; each takes its arguments up to the next
 * command name. */
static void run_commands(struct ctl *c, int argc, char **argv)
{
	for (int i = 0; i < argc;) {
		const struct command *cmd = NULL;
		int n = 0;

		for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]);
		     k++)
			if (!strcmp(argv[i], commands[k].name))
				cmd = &commands[k];
		if (!cmd)
			usage_error("unknown command");
		while (i + 1 + n < argc && n < cmd->nargs)
			n++;
		/* The one optional argument is a content mode word. */
		if (n == cmd->nargs && cmd->optional && i + 1 + n < argc &&
		    is_mode_word(argv[i + 1 + n]))
			n++;
		if (n < cmd->nargs)
			usage_error("missing arguments");
		run_command(c, cmd->name, argv + i + 1, n);
		i += 1 + n;
	}
}

static const char *type_name(unsigned long type)
{
	for (size_t i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++)
		if (vm_types[i].type == type)
			return vm_types[i].name;
	return "?";
}

static void setup(struct ctl *c, unsigned long type, unsigned int backend,
		  unsigned int uapi, bool init_shared)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = backend, .uapi = uapi,
		  .huge_source = c->huge_dir ? GMEM_HUGE_TMPFS : GMEM_HUGE_NONE,
		  .huge_dir = c->huge_dir);
	struct kvm_create_guest_memfd g = {
		.size = c->size,
		.flags = GUEST_MEMFD_FLAG_MMAP |
			 (init_shared ? GUEST_MEMFD_FLAG_INIT_SHARED : 0) |
			 (c->huge_dir ? GUEST_MEMFD_FLAG_HUGETLB : 0),
	};
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA_BASE,
		.memory_size = c->size,
	};

	c->vm = gmem_create_vm_opts(type, &o);
	if (c->vm < 0)
		call_failed("KVM_CREATE_VM", 0, false);
	c->fd = gmem_ioctl(c->vm, KVM_CREATE_GUEST_MEMFD, &g);
	if (c->fd < 0)
		call_failed("KVM_CREATE_GUEST_MEMFD", 0, false);
	r.guest_memfd = (uint32_t)c->fd;
	if (gmem_ioctl(c->vm, KVM_SET_USER_MEMORY_REGION2, &r))
		call_failed("KVM_SET_USER_MEMORY_REGION2", 0, false);
	c->host = gmem_mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    c->fd, 0);
	if (c->host == MAP_FAILED)
		call_failed("mmap", 0, false);
	printf("%s VM on the %s backend, %s uAPI, guest_memfd of %llu KiB, "
	       "%s\n",
	       type_name(type), gmem_backend_name(gmem_get_backend(c->vm)),
	       gmem_uapi_name(gmem_get_uapi(c->vm)),
	       (unsigned long long)(c->size >> 10),
	       init_shared ? "shared" : "private");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "type", required_argument, NULL, 't' },
		{ "backend", required_argument, NULL, 'b' },
		{ "uapi", required_argument, NULL, 'u' },
		{ "size", required_argument, NULL, 's' },
		{ "private", no_argument, NULL, 'p' },
		{ "huge", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long type = KVM_X86_SW_PROTECTED_VM;
	unsigned int backend = GMEM_BACKEND_AUTO, uapi = GMEM_UAPI_AUTO;
	struct ctl c = { .size = 64 * PAGE };
	bool init_shared = true;
	int opt;

	while ((opt = getopt_long(argc, argv, "+t:b:u:s:pH:h", options,
				  NULL)) != -1) {
		switch (opt) {
		case 't':
			type = parse_type(optarg);
			break;
		case 'b':
			backend = parse_backend(optarg);
			break;
		case 'u':
			uapi = parse_uapi(optarg);
			break;
		case 's':
			c.size = parse_size(optarg);
			break;
		case 'p':
			init_shared = false;
			break;
		case 'H':
			c.huge_dir = optarg;
			break;
		case 'h':
			printf("usage: gmemctl [--type default|sw_protected|"
			       "pkvm|snp|tdx] [--backend kvm|memfd|auto]\n"
			       "               [--uapi rfc-v4|v6] [--size "
			       "SIZE] [--private]\n"
			       "               [--huge TMPFS_DIR] COMMAND "
			       "[ARGS]...\n"
			       "       gmemctl host\n");
			return 0;
		default:
			usage_error("bad option");
		}
	}
	/* Before any VM: the report must work where none can be made. */
	if (optind < argc && !strcmp(argv[optind], "host")) {
		if (optind + 1 < argc)
			usage_error("host takes no other command");
		return host_report();
	}
	setup(&c, type, backend, uapi, init_shared);
	run_commands(&c, argc - optind, argv + optind);
	return 0;
}
