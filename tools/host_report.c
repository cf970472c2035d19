// SPDX-License-Identifier: MIT
/*
 * The host report: the kernel's answers (from the host probe, never
 * through libgmem) beside the library's own answers to the same
 * KVM_CHECK_EXTENSION, then what follows from them. One screen: every
 * test log starts with it, so a log says which host class it ran on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "host_probe.h"
#include "host_report.h"

#define COL	24 /* the label column */
#define CAP_COL 38 /* the longest capability name */

static const char *const class_names[] = {
	['a'] = "no KVM",
	['b'] = "KVM without guest_memfd",
	['c'] = "guest_memfd without GUEST_MEMFD_FLAG_MMAP (Linux 6.8-6.17)",
	['d'] = "guest_memfd with GUEST_MEMFD_FLAG_MMAP (Linux 6.18+)",
};

static const char *const vm_type_names[] = {
	"default", "sw_protected", "sev", "sev_es", "snp", "tdx",
};

/* The capabilities libgmem answers; the first two it also reads from the
 * kernel to choose its backend. */
static const struct {
	const char *name;
	long cap;
} caps[] = {
	{ "KVM_CAP_GUEST_MEMFD", KVM_CAP_GUEST_MEMFD },
	{ "KVM_CAP_GUEST_MEMFD_FLAGS", KVM_CAP_GUEST_MEMFD_FLAGS },
	{ "KVM_CAP_USER_MEMORY2", KVM_CAP_USER_MEMORY2 },
	{ "KVM_CAP_MEMORY_ATTRIBUTES", KVM_CAP_MEMORY_ATTRIBUTES },
	{ "KVM_CAP_MEMORY_FAULT_INFO", KVM_CAP_MEMORY_FAULT_INFO },
	{ "KVM_CAP_VM_TYPES", KVM_CAP_VM_TYPES },
	{ "KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES",
	  KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES },
	{ "KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS",
	  KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS },
};

static void line(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void line(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("  %-*s ", COL, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* The kernel's answer to KVM_CHECK_EXTENSION, or -1 without /dev/kvm. */
static long kernel_cap(long cap)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	long ret;

	if (kvm < 0)
		return -1;
	ret = ioctl(kvm, KVM_CHECK_EXTENSION, cap);
	close(kvm);
	return ret;
}

static void print_vm_types(long mask)
{
	char buf[128] = "";
	size_t n = 0;

	for (size_t t = 0; t < sizeof(vm_type_names) / sizeof(vm_type_names[0]);
	     t++)
		if (mask & (1L << t))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ",
					      vm_type_names[t]);
	line("VM types", "%s(%#lx)", buf, mask);
}

static void print_kvm(const struct host_offer *o)
{
	if (o->kvm_errno) {
		line("/dev/kvm", "no (%s)", strerror(o->kvm_errno));
		return;
	}
	line("/dev/kvm", "yes, API version %d", o->api_version);
	print_vm_types(o->vm_types);
	line("guest_memfd", "%s", o->guest_memfd ? "yes" : "no");
	line("guest_memfd flags", "%#llx (MMAP %s, INIT_SHARED %s)",
	     (unsigned long long)o->gmem_flags,
	     o->gmem_flags & GUEST_MEMFD_FLAG_MMAP ? "yes" : "no",
	     o->gmem_flags & GUEST_MEMFD_FLAG_INIT_SHARED ? "yes" : "no");
}

static int print_caps(void)
{
	int sys = gmem_open_system();

	if (sys < 0) {
		printf("gmemctl: libgmem: gmem_open_system: %s\n",
		       strerror(errno));
		return 1;
	}
	printf("  %-*s %-8s %s\n", CAP_COL, "KVM_CHECK_EXTENSION", "kernel",
	       "libgmem");
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		long k = kernel_cap(caps[i].cap);
		char kbuf[24] = "-";

		if (k >= 0)
			snprintf(kbuf, sizeof(kbuf), "%#lx", k);
		printf("  %-*s %-8s %#x\n", CAP_COL, caps[i].name, kbuf,
		       gmem_ioctl(sys, KVM_CHECK_EXTENSION, caps[i].cap));
	}
	gmem_close(sys);
	return 0;
}

/* The first line of a sysfs file, or NULL. */
static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *s = f ? fgets(buf, (int)len, f) : NULL;

	if (f)
		fclose(f);
	if (s)
		s[strcspn(s, "\n")] = 0;
	return s;
}

/* A sysfs choice file ("always [madvise] never"): the chosen word. */
static const char *chosen(const char *path, char *buf, size_t len)
{
	char *s, *end;

	if (!read_line(path, buf, len))
		return "not offered";
	s = strchr(buf, '[');
	end = s ? strchr(s, ']') : NULL;
	if (!end)
		return buf;
	*end = 0;
	return s + 1;
}

static void print_huge_pages(void)
{
	char a[128], b[128], path[512], nr[32], fr[32];
	DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;
	int sizes = 0;

	line("transparent huge pages", "%s (shmem: %s)",
	     chosen("/sys/kernel/mm/transparent_hugepage/enabled", a,
		    sizeof(a)),
	     chosen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", b,
		    sizeof(b)));
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "hugepages-", 10))
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/%s",
			 e->d_name, "nr_hugepages");
		read_line(path, nr, sizeof(nr)) ?: strcpy(nr, "?");
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/%s",
			 e->d_name, "free_hugepages");
		read_line(path, fr, sizeof(fr)) ?: strcpy(fr, "?");
		line(sizes++ ? "" : "hugetlb pages free/all", "%s: %s/%s",
		     e->d_name + 10, fr, nr);
	}
	if (d)
		closedir(d);
	if (!sizes)
		line("hugetlb pages", "none");
}

/* What gmem-vm needs to run guests on real vCPUs (vmm/kvm.c): a KVM that
 * runs them, not guest_memfd (without the kvm backend, guest RAM is a
 * plain memslot over libgmem's view). Elsewhere it runs the software
 * guest. */
static const char *vcpus_lacking(void)
{
	const char *lacks = host_lacks(HOST_KVM);

	if (lacks)
		return lacks;
	if (kernel_cap(KVM_CAP_IMMEDIATE_EXIT) <= 0)
		return "KVM lacks KVM_CAP_IMMEDIATE_EXIT";
	return NULL;
}

/* What gmem_create_vm() picks, and the environment that made it so. */
static void print_auto_backend(void)
{
	const char *env = getenv("GMEM_BACKEND");
	int vm = gmem_create_vm(KVM_X86_DEFAULT_VM);
	char why[64] = "";

	if (env && *env)
		snprintf(why, sizeof(why), " (GMEM_BACKEND=%s)", env);
	if (vm < 0) {
		line("backend \"auto\" picks", "nothing: %s%s", strerror(errno),
		     why);
		return;
	}
	line("backend \"auto\" picks", "%s%s",
	     gmem_backend_name(gmem_get_backend(vm)), why);
	gmem_close(vm);
}

/* Which kernel the kernel-agreement checks compare the library with. */
static void print_kernel_answers(void)
{
	const char *title = "kernel answers";

	if (!host_lacks(HOST_GMEM_MMAP)) {
		line(title, "this kernel's own, live");
		return;
	}
	if (!host_lacks(HOST_GUEST_MEMFD)) {
		line(title, "this kernel's own, and those recorded from");
		title = "";
		line(title, "Linux 6.18 where it answers otherwise");
	} else {
		line(title, "those recorded from Linux 6.18");
	}
	line("", "(tests/kernel-answers.txt)");
}

/* The "tests that skip" list: each group, when its need is missing. */
static void print_skips(const char *kvm, const char *vcpus)
{
	static const char *const kvm_groups[] = {
		"the kvm-backend half of test_convert, test_pin,",
		"  test_guest, test_threads, test_guest_stress and",
		"  conformance; gmem_kernel fuzzing; fuzz_kernel_replay",
		"  without recorded answers for its seeds",
	};
	const char *title = "tests that skip";

	if (!kvm && !vcpus)
		line(title, "none");
	for (size_t i = 0; kvm && i < sizeof(kvm_groups) / sizeof(*kvm_groups);
	     i++, title = "")
		line(title, "%s", kvm_groups[i]);
	if (vcpus)
		line(title, "gmem-vm's guest tests but the software demo");
}

static void print_follows(void)
{
	const char *kvm = host_lacks(HOST_GMEM_MMAP);
	const char *vcpus = vcpus_lacking();

	printf("What follows\n");
	print_auto_backend();
	line("kvm backend", "%s", kvm ? kvm : "available");
	if (!vcpus && kvm)
		line("gmem-vm guests", "real vCPUs, RAM a plain memslot over "
				       "libgmem's view");
	else if (!vcpus)
		line("gmem-vm guests", "real vCPUs");
	else if (vcpus == kvm)
		line("gmem-vm guests", "software guest, for the same lack");
	else
		line("gmem-vm guests", "software guest: %s", vcpus);
	print_kernel_answers();
	print_skips(kvm, vcpus);
}

int host_report(void)
{
	const struct host_offer *o = host_probe();
	char class = host_class();

	printf("This host: class (%c), %s\n", class, class_names[(int)class]);
	printf("What it offers\n");
	print_kvm(o);
	if (print_caps())
		return 1;
	print_huge_pages();
	print_follows();
	return 0;
}
