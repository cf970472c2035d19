// SPDX-License-Identifier: MIT
/*
 * The VM: what gmem-vm builds before a guest runs, and takes down after.
 *
 * Two VMs stand behind one struct vm. libgmem's VM (gmem_create_vm_opts,
 * on whichever backend libgmem picks, with kvm_vm set) has the type being
 * modelled, SW_PROTECTED or pKVM, and decides what conversions may do; the
 * real KVM VM under it (gmem_vm_kvm_fd) is always of the default type,
 * the only one every KVM runs, and is where the vCPUs live. The
 * guest_memfd comes from libgmem, which mirrors its memslot into the real
 * VM: as a guest_memfd memslot on the kvm backend, as a plain memslot over
 * libgmem's own view of the file on the memfd backend (a kernel without a
 * mappable guest_memfd). Either way the guest sees all of its RAM and the
 * VMM's own view loses what becomes private.
 *
 * Construction order: /dev/kvm, libgmem's VM, the hypercall transport
 * (probed before anything depends on it), guest RAM, vCPUs. vm_destroy()
 * undoes whatever was done, in reverse, and is safe after a failed
 * vm_create(). The software guest's VM (cfg.software) has no KVM at all:
 * libgmem's VM on whichever backend it chooses, and guest RAM.
 */
#include <errno.h>
#include <string.h>

#include "vmm.h"

static const struct vm_type {
	unsigned long type;
	const char *name;
	const char *description;
} vm_types[] = {
	{ KVM_X86_SW_PROTECTED_VM, "sw", "KVM_X86_SW_PROTECTED_VM" },
	{ KVM_VM_TYPE_ARM_PROTECTED, "pkvm",
	  "pKVM (KVM_VM_TYPE_ARM_PROTECTED)" },
};

int vm_type_parse(const char *s, unsigned long *type)
{
	for (size_t i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++) {
		if (!strcmp(s, vm_types[i].name)) {
			*type = vm_types[i].type;
			return 0;
		}
	}
	return -EINVAL;
}

const char *vm_type_name(unsigned long type)
{
	for (size_t i = 0; i < sizeof(vm_types) / sizeof(vm_types[0]); i++)
		if (vm_types[i].type == type)
			return vm_types[i].description;
	return "an unknown VM type";
}

static int vm_init_sync(struct vm *vm)
{
	pthread_condattr_t attr;
	int err;

	err = pthread_condattr_init(&attr);
	if (!err)
		err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!err)
		err = pthread_cond_init(&vm->done, &attr);
	pthread_condattr_destroy(&attr);
	if (!err)
		err = pthread_mutex_init(&vm->lock, NULL);
	return -err;
}

static int vm_create_gmem(struct vm *vm)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_AUTO,
		  .kvm_vm = !vm->cfg.software, .uapi = vm->cfg.uapi,
		  .introspect_path = vm->cfg.introspect);

	vm->gmem_vm = gmem_create_vm_opts(vm->cfg.type, &opts);
	if (vm->gmem_vm < 0) {
		int err = -errno;

		if (err == -ENODEV)
			pr_err("skipped: libgmem cannot give the VM a real "
			       "KVM VM here");
		else
			pr_err("gmem_create_vm_opts(%s): %s",
			       vm_type_name(vm->cfg.type), strerror(errno));
		return err;
	}
	vm->v6 = gmem_get_uapi(vm->gmem_vm) == GMEM_UAPI_V6;
	if (vm->cfg.software)
		return 0;
	vm->kvm_vm = gmem_vm_kvm_fd(vm->gmem_vm);
	if (vm->kvm_vm < 0) {
		pr_err("gmem_vm_kvm_fd: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int vm_choose_transport(struct vm *vm)
{
	int err;

	if (vm->cfg.transport >= 0) {
		vm->transport = vm->cfg.transport;
		return 0;
	}
	err = hypercall_probe(&vm->kvm, &vm->transport);
	if (err) {
		pr_err("probing the hypercall: %s", strerror(-err));
		return err;
	}
	if (!vm->kvm.exit_hypercall)
		say(vm, "vmm",
		    "hypercalls: KVM_CAP_EXIT_HYPERCALL lacks "
		    "KVM_HC_MAP_GPA_RANGE; guests use I/O port %#x",
		    GVM_PORT_HYPERCALL);
	else if (vm->transport == GVM_TRANSPORT_PORT)
		say(vm, "vmm",
		    "hypercalls: a VMCALL did not reach the VMM as "
		    "KVM_EXIT_HYPERCALL; guests use I/O port %#x",
		    GVM_PORT_HYPERCALL);
	else
		say(vm, "vmm",
		    "hypercalls: VMCALL reaches the VMM as KVM_EXIT_HYPERCALL");
	return 0;
}

/* How KVM reaches guest RAM, by libgmem's backend. */
static const char *vm_binding(struct vm *vm)
{
	if (vm->cfg.software)
		return "none: no vCPUs";
	if (gmem_get_backend(vm->gmem_vm) == GMEM_BACKEND_KVM)
		return "a guest_memfd memslot";
	return "a plain memslot over libgmem's view (no guest_memfd here)";
}

/*
 * The engine line is a contract with the test suite (vmm/guest-test.sh):
 * "vmm: engine: kvm" when real vCPUs run the guest, "vmm: engine:
 * software" otherwise.
 */
static void vm_say_config(struct vm *vm)
{
	const char *backend = gmem_backend_name(gmem_get_backend(vm->gmem_vm));

	say(vm, "vmm",
	    "%s VM (libgmem's model) %s: %llu KiB of guest_memfd RAM (%s "
	    "backend), %u vCPU%s, content-mode policy \"%s\"",
	    vm_type_name(vm->cfg.type),
	    vm->cfg.software ? "run by the software guest, no vCPUs"
			     : "over a default-type KVM VM",
	    (unsigned long long)(vm->mem.size >> 10), backend, vm->cfg.nr_vcpus,
	    vm->cfg.nr_vcpus == 1 ? "" : "s", policy_name(vm->cfg.policy));
	say(vm, "vmm", "uAPI: %s",
	    vm->v6 ? "v6 (no content modes: flags 0, and the VMM clears a "
		     "share that is to read zeros)"
		   : "rfc-v4 (content modes ZERO and PRESERVE)");
	say(vm, "vmm", "engine: %s; guest RAM bound to KVM as %s",
	    vm->cfg.software ? "software" : "kvm", vm_binding(vm));
}

/* The software guest needs libgmem's VM and guest RAM, nothing of KVM. */
static int vm_create_software(struct vm *vm)
{
	int err;

	vm->transport = GVM_TRANSPORT_PORT;
	err = vm_create_gmem(vm);
	if (!err)
		err = memory_init(vm);
	if (!err)
		vm_say_config(vm);
	return err;
}

struct vm_config vm_config_default(void)
{
	return (struct vm_config){
		.type = KVM_X86_SW_PROTECTED_VM,
		.policy = POLICY_GUEST,
		.nr_vcpus = 1,
		.ram_size = GVM_RAM_SIZE_MIN,
		.transport = -1,
		.timeout_s = 60,
	};
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	int err;

	*vm = (struct vm){
		.cfg = *cfg,
		.kvm = { .fd = -1 },
		.gmem_vm = -1,
		.kvm_vm = -1,
		.mem = { .gmem_fd = -1, .size = cfg->ram_size },
	};
	for (unsigned int i = 0; i < GVM_MAX_VCPUS; i++)
		vm->vcpus[i].fd = -1;
	err = vm_init_sync(vm);
	if (err)
		return err;
	if (cfg->software)
		return vm_create_software(vm);
	err = kvm_init(&vm->kvm);
	if (!err)
		err = vm_create_gmem(vm);
	if (!err)
		err = vm_choose_transport(vm);
	if (!err)
		err = hypercall_enable(vm);
	if (!err)
		err = memory_init(vm);
	if (!err)
		err = vcpus_create(vm);
	if (!err)
		vm_say_config(vm);
	return err;
}

void vm_destroy(struct vm *vm)
{
	vcpus_destroy(vm);
	memory_exit(vm);
	if (vm->gmem_vm >= 0)
		gmem_close(vm->gmem_vm);
	vm->gmem_vm = -1;
	vm->kvm_vm = -1;
	kvm_exit(&vm->kvm);
	pthread_cond_destroy(&vm->done);
	pthread_mutex_destroy(&vm->lock);
}
