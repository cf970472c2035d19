// SPDX-License-Identifier: MIT
/*
 * /dev/kvm, and what gmem-vm needs of it.
 *
 * The required capabilities are a table, so that a missing one is named
 * in the message (kvmtool's habit). A KVM that cannot run gmem-vm is not
 * an error of the VMM: kvm_init() says "skipped: ..." and returns -ENODEV,
 * which the programs turn into exit status 77, the test suites' "skip".
 * guest_memfd is not required: where the kernel lacks it (or cannot map
 * it), libgmem binds guest RAM to the real VM as a plain memslot over its
 * own view of the file (gmem_vm_opts.kvm_vm), and vCPUs run all the same.
 *
 * Two are optional. KVM_CAP_EXIT_HYPERCALL: where it lacks
 * KVM_HC_MAP_GPA_RANGE, or where the exit never arrives, guests use the
 * hypercall port. KVM_CAP_SYNC_REGS: without it, registers go through
 * KVM_GET_REGS and KVM_SET_REGS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

#define KVM_CAP(cap)                                                           \
	{                                                                      \
		cap, #cap                                                      \
	}

static const struct kvm_required_cap {
	int cap;
	const char *name;
} kvm_required_caps[] = {
	KVM_CAP(KVM_CAP_IMMEDIATE_EXIT), /* kicking a vCPU out of KVM_RUN */
};

/* -ENODEV, with the reason kept and said. */
static int __attribute__((format(printf, 2, 3)))
kvm_missing(struct kvm *kvm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(kvm->missing, sizeof(kvm->missing), fmt, ap);
	va_end(ap);
	pr_err("skipped: %s", kvm->missing);
	return -ENODEV;
}

static int kvm_check_caps(struct kvm *kvm)
{
	for (size_t i = 0;
	     i < sizeof(kvm_required_caps) / sizeof(kvm_required_caps[0]);
	     i++) {
		const struct kvm_required_cap *c = &kvm_required_caps[i];

		if (ioctl(kvm->fd, KVM_CHECK_EXTENSION, c->cap) <= 0)
			return kvm_missing(kvm, "KVM lacks %s", c->name);
	}
	return 0;
}

int kvm_init(struct kvm *kvm)
{
	int err, hc, sync;

	kvm->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm->fd < 0)
		return kvm_missing(kvm, "no /dev/kvm (%s)", strerror(errno));
	if (ioctl(kvm->fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		err = kvm_missing(kvm, "/dev/kvm speaks another API version");
		goto close_kvm;
	}
	err = kvm_check_caps(kvm);
	if (err)
		goto close_kvm;
	kvm->vcpu_mmap_size = ioctl(kvm->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		err = kvm->vcpu_mmap_size < 0 ? -errno : -EINVAL;
		pr_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(-err));
		goto close_kvm;
	}
	hc = ioctl(kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);
	kvm->exit_hypercall = hc > 0 && (hc & (1 << KVM_HC_MAP_GPA_RANGE));
	sync = ioctl(kvm->fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
	kvm->sync_regs = sync > 0 && (sync & KVM_SYNC_X86_REGS);
	return 0;

close_kvm:
	close(kvm->fd);
	kvm->fd = -1;
	return err;
}

void kvm_exit(struct kvm *kvm)
{
	if (kvm->fd >= 0)
		close(kvm->fd);
	kvm->fd = -1;
}
