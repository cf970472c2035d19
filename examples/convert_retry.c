// SPDX-License-Identifier: MIT
/*
 * The VMM's answer to a memory fault: the guest touches memory in the
 * wrong state, the access fails like KVM_EXIT_MEMORY_FAULT, the VMM
 * converts the faulting page to what the guest wanted and lets it retry.
 *
 * Here the guest writes a private buffer into memory that starts shared,
 * then reads a shared buffer from memory it has just made private.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gmem/gmem.h>

#define PAGE	 4096ULL
#define GPA_BASE 0x100000ULL
#define SIZE	 (8 * PAGE)

struct guest {
	int vm;
	int fd;
};

/* KVM_SET_MEMORY_ATTRIBUTES2 for the page a fault names. */
static int convert_for_fault(const struct guest *g,
			     const struct gmem_memory_fault *f)
{
	struct kvm_memory_attributes2 a = {
		.offset = f->gpa - GPA_BASE,
		.size = f->size,
		.attributes = f->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE
				      ? KVM_MEMORY_ATTRIBUTE_PRIVATE
				      : 0,
		.flags = KVM_SET_MEMORY_ATTRIBUTES2_ZERO,
	};

	if (a.attributes)
		a.flags = 0; /* ZERO is never for a to-private request */
	printf("  memory fault: %s access at gpa %#llx; converting\n",
	       a.attributes ? "private" : "shared", (unsigned long long)f->gpa);
	return gmem_ioctl(g->fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
}

/* Run one guest access until it completes, converting on each fault. */
static int run_access(const struct guest *g, uint64_t gpa, void *buf,
		      size_t len, unsigned int flags, bool write)
{
	struct gmem_memory_fault f;

	for (;;) {
		ssize_t n =
			write ? gmem_guest_write(g->vm, gpa, buf, len, flags)
			      : gmem_guest_read(g->vm, gpa, buf, len, flags);

		if (n == (ssize_t)len)
			return 0;
		if (errno != EFAULT || gmem_get_memory_fault(g->vm, &f))
			return -1;
		if (convert_for_fault(g, &f))
			return -1;
	}
}

static int setup(struct guest *g)
{
	struct kvm_create_guest_memfd args = {
		.size = SIZE,
		.flags = GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_userspace_memory_region2 slot = {
		.slot = 0,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA_BASE,
		.memory_size = SIZE,
	};

	/* Options the libbpf way: GMEM_OPTS zeroes the struct and sets sz.
	 * AUTO: the kernel's own guest_memfd where it has one, else a memfd. */
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_AUTO);

	g->vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	if (g->vm < 0)
		return -1;
	g->fd = gmem_ioctl(g->vm, KVM_CREATE_GUEST_MEMFD, &args);
	if (g->fd < 0)
		return -1;
	slot.guest_memfd = (uint32_t)g->fd;
	return gmem_ioctl(g->vm, KVM_SET_USER_MEMORY_REGION2, &slot);
}

int main(void)
{
	char secret[3 * PAGE], back[3 * PAGE];
	struct guest g;

	if (setup(&g)) {
		fprintf(stderr, "convert_retry: setup: %s\n", strerror(errno));
		return 1;
	}
	memset(secret, 0x5e, sizeof(secret));
	printf("guest writes 3 private pages into shared memory\n");
	if (run_access(&g, GPA_BASE + PAGE, secret, sizeof(secret),
		       GMEM_GUEST_PRIVATE, true))
		goto fail;
	printf("guest reads them back privately\n");
	if (run_access(&g, GPA_BASE + PAGE, back, sizeof(back),
		       GMEM_GUEST_PRIVATE, false) ||
	    memcmp(secret, back, sizeof(back)))
		goto fail;
	printf("guest reads the middle page as shared\n");
	if (run_access(&g, GPA_BASE + 2 * PAGE, back, PAGE, 0, false))
		goto fail;
	printf("  it reads %#x: ZERO cleared the secret on the way out\n",
	       (unsigned char)back[0]);
	gmem_close(g.fd);
	gmem_close(g.vm);
	return back[0] == 0 ? 0 : 1;
fail:
	fprintf(stderr, "convert_retry: %s\n", strerror(errno));
	return 1;
}
