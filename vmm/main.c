// SPDX-License-Identifier: MIT
/*
 * gmem-vm's command line: run one guest program and report whether it
 * passed.
 *
 * The program is one of those built in (gmem-vm --list) or a flat binary
 * made the way vmm/guests/ makes them. Exit status: 0 the guest passed,
 * 1 it failed, 2 a usage error or a failure of the VMM, 77 KVM cannot run
 * gmem-vm here (the test suites' "skipped"). --demo runs the tour of
 * demo.c instead.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm.h"

#define EXIT_USAGE 2
#define EXIT_SKIP  77

int demo_main(bool software, unsigned int uapi);

static const char usage[] =
	"usage: gmem-vm [options] PROGRAM   run a guest program\n"
	"       gmem-vm --demo [--software] a tour of in-place conversion\n"
	"       gmem-vm --list              the built-in programs\n"
	"\n"
	"PROGRAM is a built-in program or a flat 32-bit binary. Guest RAM is\n"
	"a guest_memfd of libgmem, bound to KVM as a guest_memfd memslot\n"
	"where the kernel offers a mappable guest_memfd, else as a plain\n"
	"memslot over libgmem's own view of it.\n"
	"\n"
	"  -t, --type sw|pkvm       the VM type libgmem models (default sw)\n"
	"  -m, --mode POLICY        content mode of conversions: guest (the\n"
	"                           mode the guest names), zero (shares "
	"only),\n"
	"                           preserve or unspecified (default guest)\n"
	"  -u, --uapi rfc-v4|v6     the series' uAPI the VM follows (default:\n"
	"                           GMEM_UAPI, else rfc-v4); under v6 no\n"
	"                           content mode reaches the kernel and the\n"
	"                           VMM clears shares that are to read zeros\n"
	"  -c, --vcpus N            vCPUs, 1 to 8 (default 1)\n"
	"  -r, --ram MIB            guest RAM in MiB, 4 to 1024 (default 4)\n"
	"  -H, --hypercall HOW      auto, vmcall or port (default auto: "
	"probe)\n"
	"  -T, --timeout SECONDS    give up on the guest (default 60, 0: "
	"never)\n"
	"  -q, --quiet              only the guest's console\n"
	"  -I, --introspect[=PATH]  open libgmem's introspection endpoint\n"
	"                           (default path: auto, see gmemctl attach)\n"
	"      --hold SECONDS       keep the VM that long after the guest "
	"ends,\n"
	"                           for gmemctl attach (0 to 3600)\n"
	"  -S, --software           with --demo: the software guest even "
	"where\n"
	"                           KVM could run the real one (--demo takes\n"
	"                           --uapi too)\n"
	"\n"
	"Exit status: 0 the guest passed, 1 it failed, 2 usage or VMM error,\n"
	"77 KVM cannot run gmem-vm here.\n";

static const struct option options[] = {
	{ "type", required_argument, NULL, 't' },
	{ "mode", required_argument, NULL, 'm' },
	{ "uapi", required_argument, NULL, 'u' },
	{ "vcpus", required_argument, NULL, 'c' },
	{ "ram", required_argument, NULL, 'r' },
	{ "hypercall", required_argument, NULL, 'H' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "introspect", optional_argument, NULL, 'I' },
	{ "hold", required_argument, NULL, 'O' },
	{ "demo", no_argument, NULL, 'D' },
	{ "software", no_argument, NULL, 'S' },
	{ "list", no_argument, NULL, 'L' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

static int parse_transport(const char *s, int *transport)
{
	if (!strcmp(s, "auto"))
		*transport = -1;
	else if (!strcmp(s, "vmcall"))
		*transport = GVM_TRANSPORT_VMCALL;
	else if (!strcmp(s, "port"))
		*transport = GVM_TRANSPORT_PORT;
	else
		return -EINVAL;
	return 0;
}

static int parse_uapi(const char *s, unsigned int *uapi)
{
	if (!strcmp(s, gmem_uapi_name(GMEM_UAPI_RFC_V4)))
		*uapi = GMEM_UAPI_RFC_V4;
	else if (!strcmp(s, gmem_uapi_name(GMEM_UAPI_V6)))
		*uapi = GMEM_UAPI_V6;
	else
		return -EINVAL;
	return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, VMM_NAME ": ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (try --help)\n");
	return EXIT_USAGE;
}

static void list_programs(void)
{
	for (const struct guest_image *g = builtin_guests; g->name; g++)
		printf("%-16s %s\n", g->name, g->summary);
}

/* What follows `--option`: 0, or the exit status of a usage error. */
static int parse_option(int opt, const char *arg, struct vm_config *cfg)
{
	unsigned long n;

	switch (opt) {
	case 't':
		if (vm_type_parse(arg, &cfg->type))
			return usage_error("unknown VM type '%s'", arg);
		break;
	case 'm':
		if (policy_parse(arg, &cfg->policy))
			return usage_error("unknown policy '%s'", arg);
		break;
	case 'u':
		if (parse_uapi(arg, &cfg->uapi))
			return usage_error(
				"unknown uAPI generation '%s' (rfc-v4 "
				"or v6)",
				arg);
		break;
	case 'c':
		if (parse_uint(arg, 1, GVM_MAX_VCPUS, &n))
			return usage_error("bad vCPU count '%s'", arg);
		cfg->nr_vcpus = (unsigned int)n;
		break;
	case 'r':
		if (parse_uint(arg, GVM_RAM_SIZE_MIN >> 20, 1024, &n))
			return usage_error("bad RAM size '%s'", arg);
		cfg->ram_size = (uint64_t)n << 20;
		break;
	case 'H':
		if (parse_transport(arg, &cfg->transport))
			return usage_error("unknown hypercall transport '%s'",
					   arg);
		break;
	case 'T':
		if (parse_uint(arg, 0, 86400, &n))
			return usage_error("bad timeout '%s'", arg);
		cfg->timeout_s = (unsigned int)n;
		break;
	case 'I':
		cfg->introspect = arg ? arg : "auto";
		return 0;
	case 'O':
		if (parse_uint(arg, 0, 3600, &n))
			return usage_error("bad hold time '%s'", arg);
		cfg->hold_s = (unsigned int)n;
		return 0;
	case 'q':
		cfg->quiet = true;
		break;
	default:
		return usage_error("%s", "bad usage");
	}
	return 0;
}

static int image_open(const char *name, struct guest_image *image)
{
	const struct guest_image *builtin = loader_find(name);

	if (builtin) {
		*image = *builtin;
		return 0;
	}
	if (!strchr(name, '/') && !strchr(name, '.')) {
		pr_err("no program '%s' (gmem-vm --list shows them)", name);
		return -ENOENT;
	}
	return loader_read_file(name, image);
}

/* Keep the VM, as the guest left it, for a debugger to attach. */
static void vm_hold(struct vm *vm, unsigned int seconds)
{
	if (!seconds)
		return;
	say(vm, "vmm", "holding the VM for %u s: gmemctl attach %ld", seconds,
	    (long)getpid());
	fflush(stdout);
	sleep(seconds);
}

static int run_program(const struct vm_config *cfg, const char *name)
{
	struct guest_image image;
	struct vm vm;
	int ret;

	if (image_open(name, &image))
		return EXIT_USAGE;
	ret = vm_create(&vm, cfg);
	if (!ret)
		ret = loader_load(&vm, &image);
	if (!ret) {
		say(&vm, "vmm", "running %s", image.name);
		ret = vcpus_run(&vm);
	}
	if (ret >= 0) {
		memory_print_map(&vm);
		say(&vm, "vmm", "the guest %s", ret ? "failed" : "passed");
		vm_hold(&vm, cfg->hold_s);
	}
	vm_destroy(&vm);
	loader_release(&image);
	if (ret == -ENODEV)
		return EXIT_SKIP;
	return ret < 0 ? EXIT_USAGE : ret;
}

int main(int argc, char **argv)
{
	struct vm_config cfg = vm_config_default();
	bool demo = false, software = false;
	int opt, err;

	opterr = 0; /* our own one-line messages */
	while ((opt = getopt_long(argc, argv, "t:m:u:c:r:H:T:qShI::", options,
				  NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'L':
			list_programs();
			return 0;
		case 'D':
			demo = true;
			break;
		case 'S':
			software = true;
			break;
		case '?':
			return usage_error("bad option '%s'", argv[optind - 1]);
		default:
			err = parse_option(opt, optarg, &cfg);
			if (err)
				return err;
		}
	}
	if (demo && optind == argc)
		return demo_main(software, cfg.uapi);
	if (demo || software)
		return usage_error(
			"%s",
			"--demo takes no program; --software goes with --demo");
	if (optind != argc - 1)
		return usage_error("%s", optind < argc ? "one program at a time"
						       : "which program?");
	return run_program(&cfg, argv[optind]);
}
