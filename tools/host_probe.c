// SPDX-License-Identifier: MIT
/*
 * The host probe: a few KVM_CHECK_EXTENSION calls on /dev/kvm, made once.
 * A capability the kernel does not know answers 0, so an old kernel reads
 * as "lacks it", never as an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gmem/uapi.h>

#include "host_probe.h"

#define GMEM_MMAP_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

static struct host_offer offer;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static long check_extension(int kvm, long cap)
{
	int ret = ioctl(kvm, KVM_CHECK_EXTENSION, cap);

	return ret > 0 ? ret : 0;
}

static void probe_once_fn(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	offer.api_version = -1;
	if (kvm < 0) {
		offer.kvm_errno = errno;
		return;
	}
	offer.api_version = ioctl(kvm, KVM_GET_API_VERSION, 0);
	offer.vm_types = check_extension(kvm, KVM_CAP_VM_TYPES);
	offer.guest_memfd = check_extension(kvm, KVM_CAP_GUEST_MEMFD);
	if (offer.guest_memfd)
		offer.gmem_flags = (uint64_t)check_extension(
			kvm, KVM_CAP_GUEST_MEMFD_FLAGS);
	close(kvm);
}

const struct host_offer *host_probe(void)
{
	pthread_once(&probe_once, probe_once_fn);
	return &offer;
}

const char *host_lacks(enum host_need need)
{
	const struct host_offer *o = host_probe();

	if (o->kvm_errno == ENOENT)
		return "no /dev/kvm on this host";
	if (o->kvm_errno)
		return "/dev/kvm does not open";
	if (need == HOST_KVM)
		return NULL;
	if (!o->guest_memfd)
		return "KVM without guest_memfd (KVM_CAP_GUEST_MEMFD 0)";
	if (need == HOST_GUEST_MEMFD)
		return NULL;
	if ((o->gmem_flags & GMEM_MMAP_FLAGS) != GMEM_MMAP_FLAGS)
		return "guest_memfd without the MMAP and INIT_SHARED flags";
	return NULL;
}

char host_class(void)
{
	if (host_lacks(HOST_KVM))
		return 'a';
	if (host_lacks(HOST_GUEST_MEMFD))
		return 'b';
	return host_lacks(HOST_GMEM_MMAP) ? 'c' : 'd';
}
