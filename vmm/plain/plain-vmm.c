// SPDX-License-Identifier: MIT
/*
 * plain-vmm: a VMM written for the kernel uAPI that the in-place
 * conversion series proposes, with nothing but libc and <linux/kvm.h>
 * (the series' new names defined below where the system header lacks
 * them). It knows nothing of libgmem: on a kernel with the series it runs
 * as it is; on today's kernels it runs under libgmem-preload.so.
 *
 * It creates a KVM_X86_SW_PROTECTED_VM, binds a 64 KiB guest_memfd at
 * guest physical address 0, and runs one real vCPU in real mode on a
 * guest of a few instructions (below). The guest asks for conversions
 * with an OUT to port 0x10, the VMM converts with
 * KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd, and the guest reports
 * what it read with an OUT to port 0x11. Checked, from both sides:
 *
 *  1. page 2, holding the host's 0xaa, to private with PRESERVE: the
 *     host's mapping faults (SIGBUS), the guest reads 0xaa, writes 0x55;
 *  2. page 2 back to shared with ZERO: the host reads 0, so does the
 *     guest (the guest's 0x55 reaches nobody);
 *  3. page 3 to private with PRESERVE; the guest writes 0x77;
 *  4. page 3 back to shared with PRESERVE: the host reads 0x77.
 *
 * Exit: 0 all seen as expected; 1 a check failed; 77 the host cannot run
 * it (no /dev/kvm, or a kernel without in-place conversion and no
 * preload), with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

/* ---- the series' names, where <linux/kvm.h> predates them ---- */
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM 1
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS
#define KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS 250
#endif
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2                                            \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP (1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)
#endif
#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD (1U << 2)
#endif
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)
#endif
#ifndef KVM_SET_MEMORY_ATTRIBUTES2
struct kvm_memory_attributes2 {
	__u64 offset;
	__u64 size;
	__u64 attributes;
	__u64 flags;
	__u64 error_offset;
	__u64 reserved[11];
};
#define KVM_SET_MEMORY_ATTRIBUTES2                                             \
	_IOWR(KVMIO, 0xd2, struct kvm_memory_attributes2)
#endif
#ifndef KVM_SET_MEMORY_ATTRIBUTES2_ZERO
#define KVM_SET_MEMORY_ATTRIBUTES2_ZERO (1ULL << 0)
#endif
#ifndef KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE (1ULL << 1)
#endif

#define PAGE	     4096
#define MEM_SIZE     (16 * PAGE)
#define CODE_GPA     0x1000
#define PORT_CONVERT 0x10
#define PORT_REPORT  0x11
#define RUN_TIMEOUT  20 /* seconds, for a guest on the instruction emulator */

/* Real-mode code at CODE_GPA; DS is 0, so [0x2000] is page 2. */
static const unsigned char guest_code[] = {
	0xb0, 0x01,		  /* mov al, 1: page 2 private, PRESERVE */
	0xe6, PORT_CONVERT,	  /* out 0x10, al */
	0xa0, 0x00,	    0x20, /* mov al, [0x2000] */
	0xe6, PORT_REPORT,	  /* out 0x11, al */
	0xc6, 0x06,	    0x00, 0x20, 0x55, /* mov byte [0x2000], 0x55 */
	0xb0, 0x02,		  /* mov al, 2: page 2 shared, ZERO */
	0xe6, PORT_CONVERT,	  /* out 0x10, al */
	0xa0, 0x00,	    0x20, /* mov al, [0x2000] */
	0xe6, PORT_REPORT,	  /* out 0x11, al */
	0xb0, 0x03,		  /* mov al, 3: page 3 private, PRESERVE */
	0xe6, PORT_CONVERT,	  /* out 0x10, al */
	0xc6, 0x06,	    0x00, 0x30, 0x77, /* mov byte [0x3000], 0x77 */
	0xb0, 0x04,	    /* mov al, 4: page 3 shared, PRESERVE */
	0xe6, PORT_CONVERT, /* out 0x10, al */
	0xf4,		    /* hlt */
};

/* What each conversion request does: page, to private, content mode. */
struct request {
	uint64_t page;
	bool to_private;
	uint64_t mode;
	const char *what;
};

static const struct request requests[] = {
	[1] = { 2, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
		"page 2 to private, PRESERVE" },
	[2] = { 2, false, KVM_SET_MEMORY_ATTRIBUTES2_ZERO,
		"page 2 to shared, ZERO" },
	[3] = { 3, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
		"page 3 to private, PRESERVE" },
	[4] = { 3, false, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
		"page 3 to shared, PRESERVE" },
};

#define NREQUESTS (sizeof(requests) / sizeof(requests[0]))

struct vmm {
	int kvm, vm, gmem, vcpu;
	unsigned char *mem; /* the host's mapping of the guest_memfd */
	struct kvm_run *run;
	size_t run_size;
	unsigned char reports[4];
	unsigned int nreports;
	int failed;
};

static sigjmp_buf bus_jump;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jump, 1);
}

static void on_alarm(int sig)
{
	(void)sig; /* KVM_RUN returns EINTR */
}

/* The host's read of a byte of guest memory: the byte, or -1 on SIGBUS. */
static int host_read(const volatile unsigned char *p)
{
	if (sigsetjmp(bus_jump, 1))
		return -1;
	return *p;
}

static int skip(const char *what)
{
	printf("plain-vmm: SKIP: %s (%s)\n", what, strerror(errno));
	return 77;
}

static void check(struct vmm *v, bool ok, const char *what)
{
	printf("plain-vmm: %s: %s\n", ok ? "ok" : "FAILED", what);
	v->failed |= !ok;
}

static int fail(const char *what)
{
	printf("plain-vmm: FAILED: %s (%s)\n", what, strerror(errno));
	return 1;
}

/* The series' conversion, with the content modes, on this VM: else the
 * kernel lacks it (run under libgmem-preload.so). */
static int require_conversion(int vm)
{
	uint64_t modes = KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
			 KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	int ret = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD);

	if (ret <= 0)
		return errno = ENOTSUP, -1;
	ret = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS);
	if (ret < 0 || ((uint64_t)ret & modes) != modes)
		return errno = ENOTSUP, -1;
	return 0;
}

static int create_memory(struct vmm *v)
{
	struct kvm_create_guest_memfd gmem = {
		.size = MEM_SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_userspace_memory_region2 slot = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.memory_size = MEM_SIZE,
	};

	v->gmem = ioctl(v->vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (v->gmem < 0)
		return fail("KVM_CREATE_GUEST_MEMFD");
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->gmem, 0);
	if (v->mem == MAP_FAILED)
		return fail("mmap of the guest_memfd");
	slot.userspace_addr = (uintptr_t)v->mem;
	slot.guest_memfd = (__u32)v->gmem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION2, &slot))
		return fail("KVM_SET_USER_MEMORY_REGION2");
	memcpy(v->mem + CODE_GPA, guest_code, sizeof(guest_code));
	v->mem[2 * PAGE] = 0xaa;
	v->mem[3 * PAGE] = 0xbb;
	return 0;
}

/* Real mode, CS and DS 0, at CODE_GPA. */
static int create_vcpu(struct vmm *v)
{
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct kvm_sregs sregs;
	int size;

	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*v->run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	v->run_size = (size_t)size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		return fail("mmap of kvm_run");
	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		return fail("KVM_GET_SREGS");
	sregs.cs.base = sregs.ds.base = 0;
	sregs.cs.selector = sregs.ds.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(v->vcpu, KVM_SET_REGS, &regs))
		return fail("KVM_SET_SREGS/KVM_SET_REGS");
	return 0;
}

static int convert(struct vmm *v, const struct request *r)
{
	struct kvm_memory_attributes2 a = {
		.offset = r->page * PAGE,
		.size = PAGE,
		.attributes = r->to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = r->mode,
	};

	return ioctl(v->gmem, KVM_SET_MEMORY_ATTRIBUTES2, &a);
}

/* What the host sees right after each conversion. */
static void host_checks(struct vmm *v, unsigned int req)
{
	switch (req) {
	case 1:
		check(v, host_read(v->mem + 2 * PAGE) == -1,
		      "host: page 2 private: its mapping faults (SIGBUS)");
		break;
	case 2:
		check(v, host_read(v->mem + 2 * PAGE) == 0,
		      "host: page 2 shared after ZERO: reads 0, not the "
		      "guest's 0x55");
		break;
	case 4:
		check(v, host_read(v->mem + 3 * PAGE) == 0x77,
		      "host: page 3 shared after PRESERVE: reads the guest's "
		      "0x77");
		break;
	}
}

static void on_convert(struct vmm *v, unsigned int req)
{
	if (req == 0 || req >= NREQUESTS) {
		check(v, false, "guest: a known conversion request");
		return;
	}
	printf("plain-vmm: guest asks: %s\n", requests[req].what);
	if (convert(v, &requests[req])) {
		printf("plain-vmm: KVM_SET_MEMORY_ATTRIBUTES2: %s\n",
		       strerror(errno));
		v->failed = 1;
		return;
	}
	host_checks(v, req);
}

static void on_io(struct vmm *v)
{
	unsigned char *data = (unsigned char *)v->run + v->run->io.data_offset;

	if (v->run->io.direction != KVM_EXIT_IO_OUT || v->run->io.size != 1) {
		check(v, false, "guest: byte OUTs only");
		return;
	}
	if (v->run->io.port == PORT_CONVERT)
		on_convert(v, *data);
	else if (v->run->io.port == PORT_REPORT &&
		 v->nreports < sizeof(v->reports))
		v->reports[v->nreports++] = *data;
	else
		check(v, false, "guest: a known port");
}

/* The vCPU loop, to the guest's HLT. */
static int run_guest(struct vmm *v)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	for (;;) {
		alarm(RUN_TIMEOUT);
		if (ioctl(v->vcpu, KVM_RUN, 0))
			return fail("KVM_RUN");
		alarm(0);
		switch (v->run->exit_reason) {
		case KVM_EXIT_IO:
			on_io(v);
			break;
		case KVM_EXIT_HLT:
			return 0;
		default:
			printf("plain-vmm: FAILED: exit reason %u\n",
			       v->run->exit_reason);
			return 1;
		}
		if (v->failed)
			return 1;
	}
}

static void guest_checks(struct vmm *v)
{
	check(v, v->nreports == 2, "guest: reported twice");
	check(v, v->reports[0] == 0xaa,
	      "guest: page 2 private after PRESERVE: reads the host's 0xaa");
	check(v, v->reports[1] == 0,
	      "guest: page 2 shared after ZERO: reads 0");
}

static int run_vmm(struct vmm *v)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigaction(SIGBUS, &sa, NULL);
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, KVM_X86_SW_PROTECTED_VM);
	if (v->vm < 0)
		return errno == EINVAL ? skip("KVM_X86_SW_PROTECTED_VM")
				       : fail("KVM_CREATE_VM");
	if (require_conversion(v->vm))
		return skip("in-place conversion (run under "
			    "libgmem-preload.so on a kernel without it)");
	if (create_memory(v) || create_vcpu(v) || run_guest(v))
		return 1;
	guest_checks(v);
	return v->failed;
}

static void vmm_close(struct vmm *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->mem && v->mem != MAP_FAILED)
		munmap(v->mem, MEM_SIZE);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->gmem >= 0)
		close(v->gmem);
	if (v->vm >= 0)
		close(v->vm);
	close(v->kvm);
}

int main(void)
{
	struct vmm v = { .vm = -1, .gmem = -1, .vcpu = -1 };
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	v.kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v.kvm < 0)
		return skip("/dev/kvm");
	ret = run_vmm(&v);
	vmm_close(&v);
	if (!ret)
		printf("plain-vmm: the guest and the host saw every "
		       "conversion as the uAPI says\n");
	return ret;
}
