// SPDX-License-Identifier: MIT
/*
 * Commands on gmemctl's own VM and guest_memfd. Each is one library call
 * and one line (or JSON object) saying what it did; a failed call is
 * reported by ctl_call_failed() with the kernel's error_offset when the
 * call gives one (R59: EAGAIN, EOPNOTSUPP and ENOMEM copy it back).
 * Host accesses go through gmemctl's mapping and report the SIGBUS a
 * private page raises instead of dying of it.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "ctl_memory.h"
#include "ctl_output.h"
#include "ctl_parse.h"

static const char *mode_name(uint64_t flags)
{
	if (flags == KVM_SET_MEMORY_ATTRIBUTES2_ZERO)
		return "zero";
	if (flags == KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)
		return "preserve";
	return "none";
}

/* The JSON object of a command that did what it said on a range. */
static void json_range_done(const char *command, uint64_t off, uint64_t len)
{
	json_begin(command);
	json_bool("ok", true);
	json_u64("offset", off);
	json_u64("size", len);
}

int cmd_convert(struct ctl *c, const struct call *call)
{
	bool to_private = call->value[2];
	struct kvm_memory_attributes2 a = {
		.offset = call->value[0],
		.size = call->value[1],
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = call->nargs > 3 ? call->value[3] : 0,
	};

	if (gmem_ioctl(c->fd, KVM_SET_MEMORY_ATTRIBUTES2, &a))
		return ctl_call_failed(c, "convert",
				       "KVM_SET_MEMORY_ATTRIBUTES2", errno,
				       errno == EAGAIN || errno == EOPNOTSUPP ||
					       errno == ENOMEM,
				       a.error_offset);
	if (!c->json) {
		printf("converted [%#llx, %#llx) to %s\n",
		       (unsigned long long)a.offset,
		       (unsigned long long)(a.offset + a.size),
		       to_private ? "private" : "shared");
		return 0;
	}
	json_range_done("convert", a.offset, a.size);
	json_str("to", to_private ? "private" : "shared");
	json_str("mode", mode_name(a.flags));
	json_end();
	return 0;
}

static int fallocate_range(struct ctl *c, const struct call *call, bool punch)
{
	int mode = FALLOC_FL_KEEP_SIZE | (punch ? FALLOC_FL_PUNCH_HOLE : 0);
	const char *name = call->cmd->name;

	if (gmem_fallocate(c->fd, mode, (off_t)call->value[0],
			   (off_t)call->value[1]))
		return ctl_call_failed(c, name, "fallocate", errno, false, 0);
	if (!c->json) {
		printf("%s [%s, +%s)\n", punch ? "punched" : "allocated",
		       call->arg[0], call->arg[1]);
		return 0;
	}
	json_range_done(name, call->value[0], call->value[1]);
	json_end();
	return 0;
}

int cmd_fallocate(struct ctl *c, const struct call *call)
{
	return fallocate_range(c, call, false);
}

int cmd_punch(struct ctl *c, const struct call *call)
{
	return fallocate_range(c, call, true);
}

static int pin_range(struct ctl *c, const struct call *call, bool pin)
{
	uint64_t off = call->value[0], len = call->value[1];
	const char *name = call->cmd->name;

	if (pin ? gmem_pin(c->fd, off, len) : gmem_unpin(c->fd, off, len))
		return ctl_call_failed(c, name, pin ? "gmem_pin" : "gmem_unpin",
				       errno, false, 0);
	if (!c->json) {
		printf("%s [%s, +%s)\n", pin ? "pinned" : "unpinned",
		       call->arg[0], call->arg[1]);
		return 0;
	}
	json_range_done(name, off, len);
	json_end();
	return 0;
}

int cmd_pin(struct ctl *c, const struct call *call)
{
	return pin_range(c, call, true);
}

int cmd_unpin(struct ctl *c, const struct call *call)
{
	return pin_range(c, call, false);
}

static sigjmp_buf touch_env;

static void on_sigbus(int sig)
{
	siglongjmp(touch_env, sig);
}

/* Host access through the mapping (parse_command_line() checked the
 * range), reporting SIGBUS as the kernel would deliver it. */
static bool host_touch(struct ctl *c, uint64_t off, uint64_t len, int byte,
		       int *value)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool ok = true;

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

/* SIGBUS is what the kernel delivers, not an errno: said as such. */
static int host_sigbus(const struct ctl *c, const char *command)
{
	fflush(stdout);
	if (c->line)
		fprintf(stderr, "gmemctl: line %d: ", c->line);
	else
		fprintf(stderr, "gmemctl: ");
	fprintf(stderr, "%s: SIGBUS (private memory)\n", command);
	if (c->json) {
		json_begin(command);
		json_bool("ok", false);
		json_str("signal", "SIGBUS");
		json_end();
	}
	return CTL_FAILED;
}

int cmd_write(struct ctl *c, const struct call *call)
{
	uint64_t byte = call->value[2];

	if (!host_touch(c, call->value[0], call->value[1], (int)byte, NULL))
		return host_sigbus(c, "write");
	if (!c->json) {
		printf("host wrote %s bytes of %#llx at %s\n", call->arg[1],
		       (unsigned long long)byte, call->arg[0]);
		return 0;
	}
	json_range_done("write", call->value[0], call->value[1]);
	json_u64("byte", byte);
	json_end();
	return 0;
}

int cmd_read(struct ctl *c, const struct call *call)
{
	int value = 0;

	if (!host_touch(c, call->value[0], 1, -1, &value))
		return host_sigbus(c, "read");
	if (!c->json) {
		printf("host read %#x at %s\n", value, call->arg[0]);
		return 0;
	}
	json_begin("read");
	json_bool("ok", true);
	json_u64("offset", call->value[0]);
	json_u64("value", (uint64_t)value);
	json_end();
	return 0;
}

int cmd_request(struct ctl *c, const struct call *call)
{
	bool to_private = call->value[2];

	if (gmem_guest_request(c->vm, CTL_GPA_BASE + call->value[0],
			       call->value[1], to_private))
		return ctl_call_failed(c, "request", "gmem_guest_request",
				       errno, false, 0);
	if (!c->json) {
		printf("guest asked for [%s, +%s) %s\n", call->arg[0],
		       call->arg[1], call->arg[2]);
		return 0;
	}
	json_range_done("request", call->value[0], call->value[1]);
	json_str("to", to_private ? "private" : "shared");
	json_end();
	return 0;
}

/* A guest access whose kind does not match the page is the memory fault
 * a VMM handles (it converts and retries): shown as an outcome, not a
 * failure, so that a run can go on to show it. */
int cmd_guest_read(struct ctl *c, const struct call *call)
{
	unsigned int flags = call->value[1] ? GMEM_GUEST_PRIVATE : 0;
	struct gmem_memory_fault f = { 0 };
	bool fault = false;
	char byte;

	if (gmem_guest_read(c->vm, CTL_GPA_BASE + call->value[0], &byte, 1,
			    flags) != 1) {
		if (errno != EFAULT || gmem_get_memory_fault(c->vm, &f))
			return ctl_call_failed(c, "guest-read",
					       "gmem_guest_read", errno, false,
					       0);
		fault = true;
	}
	if (!c->json) {
		if (fault)
			printf("guest %s read at %s: memory fault at gpa "
			       "%#llx\n",
			       call->arg[1], call->arg[0],
			       (unsigned long long)f.gpa);
		else
			printf("guest %s read %#x at %s\n", call->arg[1],
			       (unsigned char)byte, call->arg[0]);
		return 0;
	}
	json_begin("guest-read");
	json_bool("ok", true);
	json_u64("offset", call->value[0]);
	json_bool("fault", fault);
	if (fault)
		json_u64("gpa", f.gpa);
	else
		json_u64("value", (unsigned char)byte);
	json_end();
	return 0;
}

int cmd_sleep(struct ctl *c, const struct call *call)
{
	unsigned int left = call->value[0] > 86400 ? 86400 : call->value[0];

	fflush(stdout);
	while (left)
		left = sleep(left);
	if (c->json) {
		json_begin("sleep");
		json_bool("ok", true);
		json_u64("seconds", call->value[0]);
		json_end();
	}
	return 0;
}

int cmd_folios(struct ctl *c, const struct call *call)
{
	struct gmem_folio_layout l;

	(void)call;
	if (gmem_get_folio_layout(c->fd, &l))
		return ctl_call_failed(c, "folios", "gmem_get_folio_layout",
				       errno, false, 0);
	if (!c->json) {
		printf("%llu folios of %llu KiB: %llu huge, %llu split, %llu "
		       "unallocated\n",
		       (unsigned long long)l.folios,
		       (unsigned long long)(l.folio_size >> 10),
		       (unsigned long long)l.huge, (unsigned long long)l.split,
		       (unsigned long long)l.unallocated);
		return 0;
	}
	json_begin("folios");
	json_bool("ok", true);
	json_u64("folio_size", l.folio_size);
	json_u64("folios", l.folios);
	json_u64("huge", l.huge);
	json_u64("split", l.split);
	json_u64("unallocated", l.unallocated);
	json_end();
	return 0;
}

int cmd_caps(struct ctl *c, const struct call *call)
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

	(void)call;
	if (c->json) {
		json_begin("caps");
		json_bool("ok", true);
		json_key("caps");
		putchar('{');
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int v = gmem_ioctl(c->vm, KVM_CHECK_EXTENSION, caps[i].cap);

		if (!c->json)
			printf("%-40s %d\n", caps[i].name, v);
		else
			printf("%s\"%s\":%d", i ? "," : "", caps[i].name, v);
	}
	if (c->json) {
		putchar('}');
		json_end();
	}
	return 0;
}

static int setup_file(struct ctl *c, bool init_shared)
{
	struct kvm_create_guest_memfd g = {
		.size = c->size,
		.flags = GUEST_MEMFD_FLAG_MMAP |
			 (init_shared ? GUEST_MEMFD_FLAG_INIT_SHARED : 0) |
			 (c->huge_dir ? GUEST_MEMFD_FLAG_HUGETLB : 0),
	};
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = CTL_GPA_BASE,
		.memory_size = c->size,
	};

	c->fd = gmem_ioctl(c->vm, KVM_CREATE_GUEST_MEMFD, &g);
	if (c->fd < 0)
		return ctl_call_failed(c, "vm", "KVM_CREATE_GUEST_MEMFD", errno,
				       false, 0);
	r.guest_memfd = (uint32_t)c->fd;
	if (gmem_ioctl(c->vm, KVM_SET_USER_MEMORY_REGION2, &r))
		return ctl_call_failed(c, "vm", "KVM_SET_USER_MEMORY_REGION2",
				       errno, false, 0);
	c->host = gmem_mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			    c->fd, 0);
	if (c->host == MAP_FAILED)
		return ctl_call_failed(c, "vm", "mmap", errno, false, 0);
	return 0;
}

int ctl_setup(struct ctl *c, unsigned long type, unsigned int backend,
	      unsigned int uapi, bool init_shared)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = backend, .uapi = uapi,
		  .huge_source = c->huge_dir ? GMEM_HUGE_TMPFS : GMEM_HUGE_NONE,
		  .huge_dir = c->huge_dir);
	const char *uname;
	const char *bname;
	int err;

	c->type = type;
	c->vm = gmem_create_vm_opts(type, &o);
	if (c->vm < 0)
		return ctl_call_failed(c, "vm", "KVM_CREATE_VM", errno, false,
				       0);
	err = setup_file(c, init_shared);
	if (err)
		return err;
	bname = gmem_backend_name(gmem_get_backend(c->vm));
	uname = gmem_uapi_name(gmem_get_uapi(c->vm));
	if (!c->json) {
		printf("%s VM on the %s backend, %s uAPI, guest_memfd of %llu "
		       "KiB, %s\n",
		       vm_type_name(type), bname, uname,
		       (unsigned long long)(c->size >> 10),
		       init_shared ? "shared" : "private");
		return 0;
	}
	json_begin("vm");
	json_bool("ok", true);
	json_str("type", vm_type_name(type));
	json_str("backend", bname);
	json_str("uapi", uname);
	json_u64("size", c->size);
	json_bool("shared", init_shared);
	json_end();
	return 0;
}
