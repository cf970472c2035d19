// SPDX-License-Identifier: MIT
/*
 * The host report: the facts of host_facts.c as one screen of text, or as
 * one JSON object. The kernel's answers stand beside libgmem's own answers
 * to the same KVM_CHECK_EXTENSION, then what follows from them. Every
 * test log starts with the text, so a log says which host class it ran
 * on; the JSON carries the same facts for scripts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gmem/gmem.h>

#include "ctl_output.h"
#include "host_facts.h"
#include "host_report.h"

#define COL	 24 /* the label column */
#define CAP_COL	 38 /* the longest capability name */
#define WRAP_COL 52 /* where a long value wraps, after the label */

static const char *const answers_text[][2] = {
	[HOST_ANSWERS_LIVE] = { "this kernel's own, live", NULL },
	[HOST_ANSWERS_LIVE_OR_RECORDED] = { "this kernel's own, and those "
					    "recorded from",
					    "Linux 6.18 where it answers "
					    "otherwise" },
	[HOST_ANSWERS_RECORDED] = { "those recorded from Linux 6.18", NULL },
};

static const char *const answers_json[] = {
	[HOST_ANSWERS_LIVE] = "live",
	[HOST_ANSWERS_LIVE_OR_RECORDED] = "live+recorded",
	[HOST_ANSWERS_RECORDED] = "recorded",
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

/* A long value over several lines of the value column, the later ones
 * indented two more. */
static void wrapped(const char *what, const char *text)
{
	const char *indent = "";

	while (*text) {
		int n = (int)strlen(text);

		if (n > WRAP_COL) {
			n = WRAP_COL;
			while (n > 0 && text[n] != ' ')
				n--;
			if (!n)
				n = WRAP_COL;
		}
		line(what, "%s%.*s", indent, n, text);
		text += n;
		text += *text == ' ';
		what = "";
		indent = "  ";
	}
}

static void text_vm_types(long mask)
{
	char buf[128] = "";
	size_t n = 0;

	for (unsigned int t = 0; host_vm_type_name(t); t++)
		if (mask & (1L << t))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ",
					      host_vm_type_name(t));
	line("VM types", "%s(%#lx)", buf, mask);
}

static void text_kvm(const struct host_offer *o)
{
	if (o->kvm_errno) {
		line("/dev/kvm", "no (%s)", strerror(o->kvm_errno));
		return;
	}
	line("/dev/kvm", "yes, API version %d", o->api_version);
	text_vm_types(o->vm_types);
	line("guest_memfd", "%s", o->guest_memfd ? "yes" : "no");
	line("guest_memfd flags", "%#llx (MMAP %s, INIT_SHARED %s)",
	     (unsigned long long)o->gmem_flags,
	     o->gmem_flags & GUEST_MEMFD_FLAG_MMAP ? "yes" : "no",
	     o->gmem_flags & GUEST_MEMFD_FLAG_INIT_SHARED ? "yes" : "no");
}

static void text_caps(const struct host_facts *f)
{
	printf("  %-*s %-8s %s\n", CAP_COL, "KVM_CHECK_EXTENSION", "kernel",
	       "libgmem");
	for (size_t i = 0; i < f->ncaps; i++) {
		const struct host_cap *c = &f->caps[i];
		char k[24] = "-", l[24] = "-";

		if (c->kernel >= 0)
			snprintf(k, sizeof(k), "%#lx", c->kernel);
		if (!f->sys_errno)
			snprintf(l, sizeof(l), "%#x", c->libgmem);
		printf("  %-*s %-8s %s\n", CAP_COL, c->name, k, l);
	}
}

static void text_huge_pages(const struct host_facts *f)
{
	line("transparent huge pages", "%s (shmem: %s)", f->thp, f->thp_shmem);
	for (size_t i = 0; i < f->npools; i++) {
		const struct host_pool *p = &f->pools[i];
		char fr[24] = "?", nr[24] = "?";

		if (p->free >= 0)
			snprintf(fr, sizeof(fr), "%ld", p->free);
		if (p->total >= 0)
			snprintf(nr, sizeof(nr), "%ld", p->total);
		line(i ? "" : "hugetlb pages free/all", "%s: %s/%s", p->size,
		     fr, nr);
	}
	if (!f->npools)
		line("hugetlb pages", "none");
}

static void text_auto_backend(const struct host_facts *f)
{
	char why[64] = "";

	if (f->backend_env)
		snprintf(why, sizeof(why), " (GMEM_BACKEND=%s)",
			 f->backend_env);
	if (!f->auto_backend)
		line("backend \"auto\" picks", "nothing: %s%s",
		     strerror(f->auto_errno), why);
	else
		line("backend \"auto\" picks", "%s%s", f->auto_backend, why);
}

static void text_gmem_vm(const struct host_facts *f)
{
	const char *title = "gmem-vm guests";

	if (!f->vcpus_lacks && f->kvm_lacks)
		line(title, "real vCPUs, RAM a plain memslot over libgmem's "
			    "view");
	else if (!f->vcpus_lacks)
		line(title, "real vCPUs");
	else if (f->kvm_lacks && !strcmp(f->vcpus_lacks, f->kvm_lacks))
		line(title, "software guest, for the same lack");
	else
		line(title, "software guest: %s", f->vcpus_lacks);
}

static void text_follows(const struct host_facts *f)
{
	const char *const *answers = answers_text[f->answers];

	printf("What follows\n");
	text_auto_backend(f);
	line("kvm backend", "%s", f->kvm_lacks ? f->kvm_lacks : "available");
	text_gmem_vm(f);
	line("kernel answers", "%s", answers[0]);
	if (answers[1])
		line("", "%s", answers[1]);
	line("", "(tests/kernel-answers.txt)");
	if (!f->nskips)
		line("tests that skip", "none");
	for (size_t i = 0; i < f->nskips; i++)
		wrapped(i ? "" : "tests that skip", f->skips[i].tests);
}

static void report_text(const struct host_facts *f)
{
	printf("This host: class (%c), %s\n", f->class, f->class_name);
	printf("What it offers\n");
	text_kvm(f->offer);
	text_caps(f);
	text_huge_pages(f);
	text_follows(f);
}

static void json_str_or_null(const char *key, const char *s)
{
	if (s)
		json_str(key, s);
	else
		json_null(key);
}

static void json_kvm(const struct host_offer *o)
{
	json_open("kvm", '{');
	json_bool("present", !o->kvm_errno);
	json_str_or_null("error", o->kvm_errno ? strerror(o->kvm_errno) : NULL);
	json_i64("api_version", o->api_version);
	json_open("vm_types", '[');
	for (unsigned int t = 0; host_vm_type_name(t); t++)
		if (o->vm_types & (1L << t))
			json_str(NULL, host_vm_type_name(t));
	json_close(']');
	json_u64("vm_types_mask", (uint64_t)o->vm_types);
	json_bool("guest_memfd", o->guest_memfd);
	json_u64("guest_memfd_flags", o->gmem_flags);
	json_bool("mmap", o->gmem_flags & GUEST_MEMFD_FLAG_MMAP);
	json_bool("init_shared", o->gmem_flags & GUEST_MEMFD_FLAG_INIT_SHARED);
	json_close('}');
}

static void json_caps(const struct host_facts *f)
{
	json_open("caps", '[');
	for (size_t i = 0; i < f->ncaps; i++) {
		json_open(NULL, '{');
		json_str("name", f->caps[i].name);
		if (f->caps[i].kernel >= 0)
			json_i64("kernel", f->caps[i].kernel);
		else
			json_null("kernel");
		if (!f->sys_errno)
			json_i64("libgmem", f->caps[i].libgmem);
		else
			json_null("libgmem");
		json_close('}');
	}
	json_close(']');
}

static void json_count_or_null(const char *key, long n)
{
	if (n >= 0)
		json_i64(key, n);
	else
		json_null(key);
}

static void json_huge_pages(const struct host_facts *f)
{
	json_open("huge_pages", '{');
	json_str("thp", f->thp);
	json_str("thp_shmem", f->thp_shmem);
	json_open("hugetlb", '[');
	for (size_t i = 0; i < f->npools; i++) {
		json_open(NULL, '{');
		json_str("size", f->pools[i].size);
		json_count_or_null("free", f->pools[i].free);
		json_count_or_null("total", f->pools[i].total);
		json_close('}');
	}
	json_close(']');
	json_close('}');
}

static void json_follows(const struct host_facts *f)
{
	json_open("backend", '{');
	json_str_or_null("auto", f->auto_backend);
	json_str_or_null("error",
			 f->auto_backend ? NULL : strerror(f->auto_errno));
	json_str_or_null("GMEM_BACKEND", f->backend_env);
	json_bool("kvm_available", !f->kvm_lacks);
	json_str_or_null("kvm_lacks", f->kvm_lacks);
	json_close('}');
	json_open("gmem_vm", '{');
	json_str("guests", f->vcpus_lacks ? "software" : "real vCPUs");
	json_str_or_null("lacks", f->vcpus_lacks);
	if (f->vcpus_lacks)
		json_null("ram");
	else
		json_str("ram", f->kvm_lacks
					? "plain memslot over libgmem's view"
					: "guest_memfd");
	json_close('}');
	json_str("kernel_answers", answers_json[f->answers]);
	json_str("kernel_answers_file", "tests/kernel-answers.txt");
	json_open("skips", '[');
	for (size_t i = 0; i < f->nskips; i++) {
		json_open(NULL, '{');
		json_str("tests", f->skips[i].tests);
		json_str("because", f->skips[i].because);
		json_close('}');
	}
	json_close(']');
}

static void report_json(const struct host_facts *f)
{
	char class[2] = { f->class, 0 };

	json_begin("host");
	json_bool("ok", !f->sys_errno);
	if (f->sys_errno) {
		json_str("call", "gmem_open_system");
		json_str("errno", strerrorname_np(f->sys_errno) ?: "E?");
		json_str("message", strerror(f->sys_errno));
	}
	json_str("class", class);
	json_str("class_name", f->class_name);
	json_kvm(f->offer);
	json_caps(f);
	json_huge_pages(f);
	json_follows(f);
	json_end();
}

int host_report(bool json)
{
	struct host_facts f;
	int err = host_facts_gather(&f);

	if (json)
		report_json(&f);
	else
		report_text(&f);
	if (err) {
		fflush(stdout);
		fprintf(stderr, "gmemctl: gmem_open_system: %s: %s\n",
			strerrorname_np(err) ?: "E?", strerror(err));
	}
	return err ? 1 : 0;
}
