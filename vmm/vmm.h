/* SPDX-License-Identifier: MIT */
/*
 * gmem-vm: the objects of the VMM and who owns what.
 *
 * A struct vm owns everything: the libgmem VM (which models the platform:
 * SW_PROTECTED or pKVM) and the real KVM VM underneath it (libgmem owns
 * that fd, we only run vCPUs on it), the guest RAM (one guest_memfd bound
 * at guest physical address 0) and the vCPUs, one thread each. Every file
 * of vmm/ is one concept and one section below; each function returns 0 or
 * -errno, and the function that finds a failure is the one that says so on
 * stderr.
 */
#ifndef GMEM_VMM_H
#define GMEM_VMM_H

#include <gmem/gmem.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

#define VMM_NAME "gmem-vm"

/* ---- kvm.c: /dev/kvm and the capabilities gmem-vm needs ---- */

struct kvm {
	int fd;		     /* /dev/kvm */
	char missing[96];    /* after -ENODEV: why KVM cannot run gmem-vm */
	int vcpu_mmap_size;  /* of struct kvm_run and what follows */
	bool exit_hypercall; /* KVM_CAP_EXIT_HYPERCALL has MAP_GPA_RANGE */
	bool sync_regs;	     /* KVM_CAP_SYNC_REGS has the general registers */
};

/* -ENODEV, said on stderr as "skipped: ...", when KVM is unusable here. */
int kvm_init(struct kvm *kvm);
void kvm_exit(struct kvm *kvm);

/* ---- policy.c: which content mode a conversion gets ---- */

enum policy {
	POLICY_GUEST,	    /* the mode the guest names; unspecified if none */
	POLICY_UNSPECIFIED, /* always flags 0 */
	POLICY_ZERO,	    /* KVM_SET_MEMORY_ATTRIBUTES2_ZERO to shared */
	POLICY_PRESERVE,    /* always KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE */
};

int policy_parse(const char *s, enum policy *policy);
const char *policy_name(enum policy policy);
int policy_choose(enum policy policy, uint32_t expected, bool to_private,
		  uint64_t *flags);
const char *expected_mode_name(uint32_t expected);

/* ---- vm.c: the VM and its lifetime ---- */

struct vm_config {
	unsigned long type; /* the VM type libgmem models */
	enum policy policy;
	unsigned int nr_vcpus;
	uint64_t ram_size;
	int transport;		/* GVM_TRANSPORT_*, or -1 to probe */
	unsigned int timeout_s; /* per run; 0: none */
	bool quiet;		/* no narrative, only the guest's console */
	bool software;	   /* no KVM: for the software guest (software.c) */
	unsigned int uapi; /* enum gmem_uapi; AUTO: GMEM_UAPI decides */
	uint32_t arg;	   /* for the program, in EBP */
	/* libgmem's introspection endpoint for the VM (gmemctl attach), or
	 * NULL: then GMEM_INTROSPECT decides. */
	const char *introspect;
	unsigned int hold_s; /* keep the VM this long after the guest ends */
};

struct memory {
	int gmem_fd;   /* the guest_memfd behind all of RAM */
	uint64_t gpa;  /* RAM is gpa [gpa, gpa + size) ... */
	uint64_t size; /* ... and file offset [0, size) */
	uint8_t *host; /* the host's view (gmem_mmap): private pages SIGBUS */
};

struct console_line {
	char buf[256];
	size_t len;
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	atomic_bool started; /* thread is valid */
	struct console_line line;
	int status; /* the guest's exit status, or -errno of the VMM */
	struct kvm_regs *soft_regs; /* the software guest's; NULL on KVM */
	bool sync_regs;		    /* registers travel in kvm_run */
	/* Time spent in KVM_SET_MEMORY_ATTRIBUTES2, for benchmarks. */
	uint64_t convert_ns;
	uint64_t conversions;
};

/* Called for each GVM_TESTDEV_MARK, from the vCPU's thread. */
typedef void (*mark_fn)(void *opaque, struct vcpu *vcpu, uint32_t label,
			uint32_t a, uint32_t b);

struct vm {
	struct vm_config cfg;
	struct kvm kvm;
	int gmem_vm; /* libgmem's VM */
	bool v6;     /* it follows the series' v6+ uAPI: no content modes */
	int kvm_vm;  /* the real VM under it; libgmem owns the fd */
	struct memory mem;
	int transport; /* how guests make hypercalls here */
	struct vcpu vcpus[GVM_MAX_VCPUS];
	atomic_bool stopping; /* vCPUs leave KVM_RUN and return */
	pthread_mutex_t lock; /* guards running */
	pthread_cond_t done;
	unsigned int running; /* vCPU threads not yet finished */
	mark_fn on_mark;
	void *mark_opaque;
};

/* What gmem-vm runs unless told otherwise: one vCPU of a SW_PROTECTED
 * VM with the least RAM, the guest choosing content modes, the transport
 * probed, a minute per run. */
struct vm_config vm_config_default(void);
int vm_create(struct vm *vm, const struct vm_config *cfg);
void vm_destroy(struct vm *vm);
const char *vm_type_name(unsigned long type);
int vm_type_parse(const char *s, unsigned long *type);

/* ---- memory.c: guest RAM, a guest_memfd ---- */

int memory_init(struct vm *vm);
void memory_exit(struct vm *vm);
int memory_gpa_to_offset(const struct memory *mem, uint64_t gpa, uint64_t len,
			 uint64_t *offset);
uint64_t memory_offset_to_gpa(const struct memory *mem, uint64_t offset);
uint8_t *memory_host_ptr(struct vm *vm, uint64_t gpa);
int memory_set_attributes(struct vm *vm, uint64_t gpa, uint64_t len,
			  bool to_private, uint64_t flags,
			  uint64_t *error_offset);
bool memory_is_shared(struct vm *vm, uint64_t gpa, uint64_t len);
int memory_pin(struct vm *vm, uint64_t gpa, uint64_t len, bool pin);
uint64_t memory_host_pfn(struct vm *vm, uint64_t gpa);
void memory_print_map(struct vm *vm);

/* ---- loader.c: guest programs ---- */

struct guest_image {
	const char *name;
	const char *summary;
	const unsigned char *data;
	size_t size;
	bool allocated; /* read from a file: loader_release() frees it */
};

/* The programs built into gmem-vm (guests/), terminated by a NULL name. */
extern const struct guest_image builtin_guests[];

const struct guest_image *loader_find(const char *name);
int loader_read_file(const char *path, struct guest_image *image);
int loader_load(struct vm *vm, const struct guest_image *image);
void loader_release(struct guest_image *image);

/* ---- vcpu.c: vCPUs and the exit loop ---- */

int vcpu_init_flat_mode(int vcpu_fd);
int vcpu_port_out(struct vcpu *vcpu, uint16_t port, const void *data,
		  size_t len);
int vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs);
int vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs);
int vcpus_create(struct vm *vm);
void vcpus_destroy(struct vm *vm);
/* Run every vCPU to its end: 0 if every guest passed, 1 if one failed,
 * -errno if the VMM could not run them. */
int vcpus_run(struct vm *vm);
void vcpus_kick_all(struct vm *vm);
void vcpu_arm_kick(struct kvm_run *run);

/* ---- convert.c: a conversion, asked by the guest or done by the host ---- */

struct conversion {
	uint64_t gpa;
	uint64_t npages;
	bool to_private;
	uint32_t expected; /* GVM_MODE_*, with GVM_HC_DRY_RUN */
	bool by_guest;	   /* the guest asked (pKVM keeps only that) */
};

struct conversion_result {
	int ret; /* 0 or -errno */
	uint64_t error_offset;
	uint64_t error_gpa;
};

void convert(struct vcpu *vcpu, const struct conversion *c,
	     struct conversion_result *r);

/* ---- hypercall.c: KVM_HC_MAP_GPA_RANGE, by VMCALL or by I/O port ---- */

int hypercall_probe(struct kvm *kvm, int *transport);
int hypercall_enable(struct vm *vm);
int hypercall_from_port(struct vcpu *vcpu, const void *data, size_t len);
int hypercall_from_exit(struct vcpu *vcpu);

/* ---- console.c: the guest's console and the VMM's narrative ---- */

int console_out(struct vcpu *vcpu, const void *data, size_t len);
void console_flush(struct vcpu *vcpu);
void say(struct vm *vm, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- software.c: the software guest, where there is no KVM ---- */

int software_run(struct vm *vm);

/* ---- testdev.c: the guest asks the host to act ---- */

int testdev_out(struct vcpu *vcpu, const void *data, size_t len);

#endif /* GMEM_VMM_H */
