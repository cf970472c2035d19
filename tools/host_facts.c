// SPDX-License-Identifier: MIT
/*
 * Gathering the host report's facts. The kernel's side comes from the host
 * probe and straight ioctls on /dev/kvm, never through libgmem, so that
 * the report can set the two side by side; what follows (the backend
 * "auto" picks, gmem-vm's guests, the tests that skip) is derived here
 * once, so the text and JSON forms cannot disagree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "host_facts.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

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
} cap_table[] = {
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

_Static_assert(NELEMS(cap_table) <= HOST_CAPS_MAX, "HOST_CAPS_MAX");

/* What needs the kvm backend and so skips without it. */
static const char kvm_tests[] =
	"the kvm-backend half of test_convert, test_pin, test_guest, "
	"test_threads, test_guest_stress and conformance; gmem_kernel "
	"fuzzing; fuzz_kernel_replay without recorded answers for its seeds";
static const char vcpu_tests[] = "gmem-vm's guest tests but the software "
				 "demo";

const char *host_vm_type_name(unsigned int type)
{
	return type < NELEMS(vm_type_names) ? vm_type_names[type] : NULL;
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

static int gather_caps(struct host_facts *f)
{
	int sys = gmem_open_system();

	f->sys_errno = sys < 0 ? errno : 0;
	for (size_t i = 0; i < NELEMS(cap_table); i++) {
		struct host_cap *c = &f->caps[f->ncaps++];

		c->name = cap_table[i].name;
		c->kernel = kernel_cap(cap_table[i].cap);
		c->libgmem = sys < 0 ? -1
				     : gmem_ioctl(sys, KVM_CHECK_EXTENSION,
						  cap_table[i].cap);
	}
	if (sys >= 0)
		gmem_close(sys);
	return f->sys_errno;
}

/* The first line of a sysfs file, or NULL. */
static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *file = fopen(path, "r");
	char *s = file ? fgets(buf, (int)len, file) : NULL;

	if (file)
		fclose(file);
	if (s)
		s[strcspn(s, "\n")] = 0;
	return s;
}

/* A sysfs choice file ("always [madvise] never"): the chosen word. */
static void read_choice(const char *path, char *buf, size_t len)
{
	char *s, *end;

	if (!read_line(path, buf, len)) {
		snprintf(buf, len, "not offered");
		return;
	}
	s = strchr(buf, '[');
	end = s ? strchr(s, ']') : NULL;
	if (end) {
		*end = 0;
		memmove(buf, s + 1, (size_t)(end - s));
	}
}

/* A number of pages from a hugetlb pool's file, or -1. */
static long read_pages(const char *pool, const char *file)
{
	char path[512], buf[32];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/%s", pool,
		 file);
	return read_line(path, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : -1;
}

static void gather_huge_pages(struct host_facts *f)
{
	DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;

	read_choice("/sys/kernel/mm/transparent_hugepage/enabled", f->thp,
		    sizeof(f->thp));
	read_choice("/sys/kernel/mm/transparent_hugepage/shmem_enabled",
		    f->thp_shmem, sizeof(f->thp_shmem));
	while (d && (e = readdir(d)) && f->npools < HOST_POOLS_MAX) {
		struct host_pool *p = &f->pools[f->npools];

		if (strncmp(e->d_name, "hugepages-", 10))
			continue;
		snprintf(p->size, sizeof(p->size), "%s", e->d_name + 10);
		p->free = read_pages(e->d_name, "free_hugepages");
		p->total = read_pages(e->d_name, "nr_hugepages");
		f->npools++;
	}
	if (d)
		closedir(d);
}

/* What gmem_create_vm() picks, and the environment that made it so. */
static void gather_auto_backend(struct host_facts *f)
{
	const char *env = getenv("GMEM_BACKEND");
	int vm = gmem_create_vm(KVM_X86_DEFAULT_VM);

	f->backend_env = env && *env ? env : NULL;
	if (vm < 0) {
		f->auto_errno = errno;
		return;
	}
	f->auto_backend = gmem_backend_name(gmem_get_backend(vm));
	gmem_close(vm);
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

/* Which kernel the kernel-agreement checks compare the library with. */
static enum host_answers kernel_answers(void)
{
	if (!host_lacks(HOST_GMEM_MMAP))
		return HOST_ANSWERS_LIVE;
	if (!host_lacks(HOST_GUEST_MEMFD))
		return HOST_ANSWERS_LIVE_OR_RECORDED;
	return HOST_ANSWERS_RECORDED;
}

static void add_skip(struct host_facts *f, const char *tests,
		     const char *because)
{
	f->skips[f->nskips++] = (struct host_skip){ tests, because };
}

static void gather_follows(struct host_facts *f)
{
	gather_auto_backend(f);
	f->kvm_lacks = host_lacks(HOST_GMEM_MMAP);
	f->vcpus_lacks = vcpus_lacking();
	f->answers = kernel_answers();
	if (f->kvm_lacks)
		add_skip(f, kvm_tests, f->kvm_lacks);
	if (f->vcpus_lacks)
		add_skip(f, vcpu_tests, f->vcpus_lacks);
}

int host_facts_gather(struct host_facts *f)
{
	*f = (struct host_facts){ 0 };
	f->offer = host_probe();
	f->class = host_class();
	f->class_name = class_names[(int)f->class];
	gather_caps(f);
	gather_huge_pages(f);
	gather_follows(f);
	return f->sys_errno;
}
