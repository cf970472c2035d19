// SPDX-License-Identifier: MIT
/*
 * The test device: a guest program asks the host to do something to its
 * memory, or to look at it, at a point of its choosing (as kvm-unit-tests'
 * test devices do). This is how the guest programs check what the host
 * sees, not only what they see themselves.
 *
 * The host looks through its own view of guest RAM (gmem_mmap), the one
 * that conversions revoke; it never reads a range that is private, which
 * would kill the VMM with SIGBUS, except in GVM_TESTDEV_TOUCH, which does
 * it on purpose under a handler and reports the signal. Each command says what
 * the host saw, as the narrative's "host" lines, and answers in EAX (and
 * EBX/ECX for a conversion).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <pthread.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

static uint64_t page_down(uint64_t x)
{
	return x & ~(uint64_t)(GVM_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t x)
{
	return page_down(x + GVM_PAGE_SIZE - 1);
}

/* 0 if the host may read [gpa, gpa + len), -EACCES if any of it is
 * private, -EINVAL if it is not all RAM. */
static int host_readable(struct vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t start = page_down(gpa), end = page_up(gpa + len), offset;

	if (!len || end < gpa ||
	    memory_gpa_to_offset(&vm->mem, start, end - start, &offset))
		return -EINVAL;
	return memory_is_shared(vm, start, end - start) ? 0 : -EACCES;
}

/* GVM_TESTDEV_EXPECT_BYTE and _PATTERN: the host reads, the guest learns
 * whether the host saw what it expects. */
static int testdev_expect(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	struct vm *vm = vcpu->vm;
	uint32_t gpa = (uint32_t)regs->rbx, len = (uint32_t)regs->rcx;
	uint32_t arg = (uint32_t)regs->rdx, differ = 0, first = 0;
	bool pattern = (uint32_t)regs->rax == GVM_TESTDEV_EXPECT_PATTERN;
	int err = host_readable(vm, gpa, len);
	const uint8_t *p;

	if (err) {
		say(vm, "host", "will not read gpa %#x +%u: %s", gpa, len,
		    err == -EACCES ? "it is private" : "not RAM");
		return err;
	}
	p = memory_host_ptr(vm, gpa);
	for (uint32_t i = 0; i < len; i++) {
		uint8_t want = pattern ? gvm_pattern(arg, i) : (uint8_t)arg;

		if (p[i] != want && !differ++)
			first = i;
	}
	if (differ)
		say(vm, "host",
		    "reads gpa %#x +%u: %u bytes differ, the first at +%u "
		    "(0x%02x)",
		    gpa, len, differ, first, p[first]);
	else if (pattern)
		say(vm, "host",
		    "reads gpa %#x +%u through its own mapping: the guest's "
		    "bytes, exactly",
		    gpa, len);
	else
		say(vm, "host",
		    "reads gpa %#x +%u through its own mapping: every byte is "
		    "0x%02x",
		    gpa, len, arg & 0xff);
	return differ ? -EIO : 0;
}

static int testdev_pin(struct vcpu *vcpu, const struct kvm_regs *regs, bool pin)
{
	uint32_t gpa = (uint32_t)regs->rbx, len = (uint32_t)regs->rcx;
	int err = memory_pin(vcpu->vm, gpa, len, pin);

	say(vcpu->vm, "host", "%s gpa %#x +%u bytes (gmem_%s): %s",
	    pin ? "pins" : "unpins", gpa, len, pin ? "pin" : "unpin",
	    err ? strerror(-err) : "done");
	return err;
}

/*
 * A touch of the host's own mapping that may fault. A child of fork()
 * cannot do it for us: the VM and its memory belong to this process
 * (R110), and the child inherits no mapping of it. So the touch runs
 * here, under handlers that catch the fault of this thread's touch
 * alone and leave any other fault to whoever handled it before; one
 * touch at a time, since the handlers are the process's.
 */
static pthread_mutex_t touch_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread sigjmp_buf *touch_env;
static __thread volatile sig_atomic_t touch_signal;

static void touch_fault(int sig)
{
	if (!touch_env) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	touch_signal = sig;
	siglongjmp(*touch_env, 1);
}

/* The byte at p in *out and 0, or the signal the read raised. */
static int touch_byte(const volatile uint8_t *p, uint8_t *out)
{
	struct sigaction sa = { .sa_handler = touch_fault }, old_bus, old_segv;
	sigjmp_buf env;

	pthread_mutex_lock(&touch_lock);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	touch_signal = 0;
	touch_env = &env;
	if (!sigsetjmp(env, 1))
		*out = *p;
	touch_env = NULL;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	pthread_mutex_unlock(&touch_lock);
	return touch_signal;
}

/* The host reads the byte at gpa through its view: the signal the read
 * raised, or 0 if it read the byte. */
static int testdev_touch(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	struct vm *vm = vcpu->vm;
	uint32_t gpa = (uint32_t)regs->rbx;
	uint64_t offset;
	uint8_t byte = 0;
	int sig;

	if (memory_gpa_to_offset(&vm->mem, page_down(gpa), GVM_PAGE_SIZE,
				 &offset))
		return -EINVAL;
	sig = touch_byte(memory_host_ptr(vm, gpa), &byte);
	if (sig) {
		say(vm, "host",
		    "touching gpa %#x through its own mapping raised SIG%s",
		    gpa, sigabbrev_np(sig) ?: "?");
		return sig;
	}
	say(vm, "host", "reads gpa %#x through its own mapping: 0x%02x", gpa,
	    byte);
	return 0;
}

/* The host's own conversion: no guest request is recorded. */
static void testdev_convert(struct vcpu *vcpu, struct kvm_regs *regs)
{
	struct conversion c = {
		.gpa = (uint32_t)regs->rbx,
		.npages = (uint32_t)regs->rcx,
		.to_private = regs->rdx & GVM_MAP_GPA_RANGE_ENCRYPTED,
		.expected = (uint32_t)regs->rsi,
		.by_guest = false,
	};
	struct conversion_result r;

	convert(vcpu, &c, &r);
	regs->rax = (uint64_t)(int64_t)r.ret;
	regs->rbx = r.error_offset;
	regs->rcx = r.error_gpa;
}

static uint32_t testdev_pfn(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	struct vm *vm = vcpu->vm;
	uint32_t gpa = (uint32_t)page_down((uint32_t)regs->rbx);
	uint64_t pfn;

	if (host_readable(vm, gpa, GVM_PAGE_SIZE))
		return 0;
	pfn = memory_host_pfn(vm, gpa);
	if (pfn)
		say(vm, "host", "gpa %#x is backed by page frame %#llx", gpa,
		    (unsigned long long)pfn);
	else
		say(vm, "host", "cannot tell which page frame backs gpa %#x",
		    gpa);
	return (uint32_t)pfn;
}

int testdev_out(struct vcpu *vcpu, const void *data, size_t len)
{
	struct vm *vm = vcpu->vm;
	struct kvm_regs regs;
	int64_t ret = 0;
	int err;

	(void)data; /* EAX, the command */
	(void)len;
	err = vcpu_get_regs(vcpu, &regs);
	if (err)
		return err;
	switch ((uint32_t)regs.rax) {
	case GVM_TESTDEV_EXPECT_BYTE:
	case GVM_TESTDEV_EXPECT_PATTERN:
		ret = testdev_expect(vcpu, &regs);
		break;
	case GVM_TESTDEV_PIN:
	case GVM_TESTDEV_UNPIN:
		ret = testdev_pin(vcpu, &regs,
				  (uint32_t)regs.rax == GVM_TESTDEV_PIN);
		break;
	case GVM_TESTDEV_TOUCH:
		ret = testdev_touch(vcpu, &regs);
		break;
	case GVM_TESTDEV_CONVERT:
		testdev_convert(vcpu, &regs);
		return vcpu_set_regs(vcpu, &regs);
	case GVM_TESTDEV_PFN:
		ret = testdev_pfn(vcpu, &regs);
		break;
	case GVM_TESTDEV_UAPI:
		ret = vm->v6;
		break;
	case GVM_TESTDEV_MARK:
		if (vm->on_mark)
			vm->on_mark(vm->mark_opaque, vcpu, (uint32_t)regs.rbx,
				    (uint32_t)regs.rcx, (uint32_t)regs.rdx);
		break;
	default:
		ret = -ENOSYS;
	}
	regs.rax = (uint64_t)ret;
	return vcpu_set_regs(vcpu, &regs);
}
