// SPDX-License-Identifier: MIT
/*
 * A conversion of guest memory between shared and private: the one path
 * that the hypercall (either transport) and the host's own conversions
 * (the test device) take.
 *
 * In order: the range must be page-aligned, non-empty and in RAM
 * (-EINVAL, as KVM answers a bad KVM_HC_MAP_GPA_RANGE); the policy turns
 * the mode the guest expects into KVM_SET_MEMORY_ATTRIBUTES2 flags; a
 * request that came from the guest is recorded with gmem_guest_request(),
 * which is what lets pKVM keep the contents (PRESERVE) of a conversion the
 * guest asked for and nothing else; then the guest_memfd ioctl runs, under
 * the platform model of the VM, and its errno and error_offset are the
 * answer. A dry run stops after the checks: it is the do-nothing hypercall
 * that benchmarks measure the exit path with.
 *
 * A VM of the series' v6+ uAPI has no content modes (any flag is EINVAL):
 * the kernel gets flags 0, which leaves the bytes alone, and where the
 * policy chose ZERO for a share the VMM clears the range itself, through
 * its own mapping, once the range is shared, as a VMM written for v6 must.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vmm.h"

static const char *errname(int err)
{
	switch (-err) {
	case 0:
		return "done";
	case EAGAIN:
		return "EAGAIN";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EINVAL:
		return "EINVAL";
	case ENOMEM:
		return "ENOMEM";
	case EFAULT:
		return "EFAULT";
	}
	return strerror(-err);
}

static const char *mode_text(const struct vm *vm, uint64_t flags)
{
	if (vm->v6 && (flags & KVM_SET_MEMORY_ATTRIBUTES2_ZERO))
		return "KVM_SET_MEMORY_ATTRIBUTES2 (v6: no mode), then the VMM "
		       "clears the range";
	if (vm->v6 && (flags & KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE))
		return "KVM_SET_MEMORY_ATTRIBUTES2 (v6: no mode; the bytes "
		       "stay)";
	if (flags & KVM_SET_MEMORY_ATTRIBUTES2_ZERO)
		return "KVM_SET_MEMORY_ATTRIBUTES2 with ZERO";
	if (flags & KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)
		return "KVM_SET_MEMORY_ATTRIBUTES2 with PRESERVE";
	return "KVM_SET_MEMORY_ATTRIBUTES2, mode unspecified";
}

static bool convert_range_ok(struct vm *vm, const struct conversion *c)
{
	uint64_t offset;

	return c->npages && c->npages <= vm->mem.size / GVM_PAGE_SIZE &&
	       !memory_gpa_to_offset(&vm->mem, c->gpa,
				     c->npages * GVM_PAGE_SIZE, &offset);
}

/* One line of narrative: who asked for what, with which mode, and how it
 * ended. `mode` is the mode used, or why there was none. */
static void convert_say(struct vcpu *vcpu, const struct conversion *c,
			const char *mode, const struct conversion_result *r)
{
	char range[64], error[48] = "";

	snprintf(range, sizeof(range), "gpa %#llx +%llu page%s -> %s",
		 (unsigned long long)c->gpa, (unsigned long long)c->npages,
		 c->npages == 1 ? "" : "s",
		 c->to_private ? "private" : "shared");
	if (r->ret == -EAGAIN || r->ret == -EOPNOTSUPP || r->ret == -ENOMEM)
		snprintf(error, sizeof(error), " (error_offset %#llx)",
			 (unsigned long long)r->error_offset);
	if (c->by_guest)
		say(vcpu->vm, "vmm", "vCPU %u asks %s (expects %s); %s: %s%s",
		    vcpu->id, range,
		    expected_mode_name(c->expected & GVM_MODE_MASK), mode,
		    errname(r->ret), error);
	else
		say(vcpu->vm, "host", "converts on its own %s; %s: %s%s", range,
		    mode, errname(r->ret), error);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* memory_set_attributes(), and the time it took, for the benchmark. */
static int timed_set_attributes(struct vcpu *vcpu, const struct conversion *c,
				uint64_t flags, uint64_t *error_offset)
{
	uint64_t start = now_ns();
	int ret;

	ret = memory_set_attributes(vcpu->vm, c->gpa, c->npages * GVM_PAGE_SIZE,
				    c->to_private, flags, error_offset);
	vcpu->convert_ns += now_ns() - start;
	vcpu->conversions++;
	return ret;
}

/* What the kernel is asked for: v6+ takes no mode. */
static uint64_t kernel_flags(const struct vm *vm, uint64_t flags)
{
	return vm->v6 ? 0 : flags;
}

/* v6+: the zeros the policy promised a share, written by the VMM. The
 * range is pinned while it is cleared: another vCPU's conversion of it
 * to private then fails with EAGAIN instead of pulling the pages from
 * under the memset (SIGBUS in the VMM), and if it won the race the pin
 * fails and nothing is left for the host to clear. */
static void clear_share(struct vm *vm, const struct conversion *c,
			uint64_t flags)
{
	uint64_t len = c->npages * GVM_PAGE_SIZE;

	if (!vm->v6 || c->to_private ||
	    !(flags & KVM_SET_MEMORY_ATTRIBUTES2_ZERO))
		return;
	if (memory_pin(vm, c->gpa, len, true))
		return;
	memset(memory_host_ptr(vm, c->gpa), 0, len);
	memory_pin(vm, c->gpa, len, false);
}

void convert(struct vcpu *vcpu, const struct conversion *c,
	     struct conversion_result *r)
{
	struct vm *vm = vcpu->vm;
	uint64_t len = c->npages * GVM_PAGE_SIZE;
	const char *mode = "not RAM";
	uint64_t flags = 0;

	*r = (struct conversion_result){ 0 };
	if (!convert_range_ok(vm, c)) {
		r->ret = -EINVAL;
		goto out;
	}
	r->ret = policy_choose(vm->cfg.policy, c->expected & GVM_MODE_MASK,
			       c->to_private, &flags);
	if (r->ret == -EOPNOTSUPP) {
		/* The kernel's error_offset for a mode it cannot give. */
		memory_gpa_to_offset(&vm->mem, c->gpa, len, &r->error_offset);
		mode = "the policy gives another";
		goto out;
	}
	if (r->ret) {
		mode = "no such mode";
		goto out;
	}
	if (c->expected & GVM_HC_DRY_RUN)
		return;
	mode = mode_text(vm, flags);
	if (c->by_guest &&
	    gmem_guest_request(vm->gmem_vm, c->gpa, len, c->to_private)) {
		r->ret = -errno;
		goto out;
	}
	r->ret = timed_set_attributes(vcpu, c, kernel_flags(vm, flags),
				      &r->error_offset);
	if (!r->ret)
		clear_share(vm, c, flags);
out:
	if (r->ret == -EAGAIN || r->ret == -EOPNOTSUPP || r->ret == -ENOMEM)
		r->error_gpa = memory_offset_to_gpa(&vm->mem, r->error_offset);
	convert_say(vcpu, c, mode, r);
}
