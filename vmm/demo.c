// SPDX-License-Identifier: MIT
/*
 * gmem-vm --demo: a tour of in-place conversion, told by the guest, the
 * VMM and the host.
 *
 * The guest program "tour" (guests/tour.c) runs twice: in a VM that
 * libgmem models as SW_PROTECTED (a secret shared with ZERO, a buffer
 * shared in place with PRESERVE, a conversion that a host pin makes fail
 * with EAGAIN) and in one modelled as pKVM (the host's own PRESERVE
 * conversion refused, the guest's allowed). After each run comes the
 * guest RAM's attribute map.
 *
 * The VMs follow the series' uAPI generation given with --uapi (or
 * GMEM_UAPI; rfc-v4 by default), and the demo says which: under v6 no
 * content mode reaches the kernel, the VMM clears the ZERO share itself,
 * and on pKVM the host's own share is no longer refused (the series left
 * that rule to the hypervisor).
 *
 * Where KVM cannot run gmem-vm (no /dev/kvm: guest_memfd is not needed),
 * the same program runs as the software guest (software.c), on whichever
 * backend libgmem has: the narrative is the same, only the machine under
 * the guest differs.
 */
#include <errno.h>
#include <stdio.h>

#include "vmm.h"

int demo_main(bool software, unsigned int uapi);

/* The generation the last VM followed, for the closing line. */
static const char *shown_uapi = "no";

static int demo_run(unsigned long type, bool software, unsigned int uapi)
{
	struct vm_config cfg = vm_config_default();
	struct vm vm;
	int ret;

	cfg.type = type;
	cfg.software = software;
	cfg.uapi = uapi;
	ret = vm_create(&vm, &cfg);
	if (!ret)
		shown_uapi = gmem_uapi_name(gmem_get_uapi(vm.gmem_vm));
	if (!ret && !software)
		ret = loader_load(&vm, loader_find("tour"));
	if (!ret)
		ret = software ? software_run(&vm) : vcpus_run(&vm);
	if (ret >= 0)
		memory_print_map(&vm);
	vm_destroy(&vm);
	return ret;
}

static void demo_intro(bool software)
{
	if (software)
		printf("gmem-vm demo: the guest program runs as the software "
		       "guest, inside\n"
		       "the VMM, on the same conversion path as a KVM "
		       "guest's.\n");
	else
		printf("gmem-vm demo: a real KVM guest whose RAM is a "
		       "guest_memfd managed by\n"
		       "libgmem; its conversion requests "
		       "(KVM_HC_MAP_GPA_RANGE) become\n"
		       "KVM_SET_MEMORY_ATTRIBUTES2 calls under libgmem's "
		       "platform model.\n");
	printf("\"guest\" lines are the guest program's console, \"vmm\" lines "
	       "its\n"
	       "requests and the VMM's answers, \"host\" lines what the host "
	       "saw\n"
	       "through its own mapping of guest memory.\n");
}

/* Whether KVM can run the tour here; if not, kvm_init() said why. */
static bool demo_kvm_usable(void)
{
	struct kvm kvm;

	if (kvm_init(&kvm))
		return false;
	kvm_exit(&kvm);
	return true;
}

/* The tour; `software` asks for the software guest even where KVM could
 * run the real one. 0 if every check passed, 1 if one failed, 2 if the
 * VMM failed. */
int demo_main(bool software, unsigned int uapi)
{
	static const unsigned long types[] = {
		KVM_X86_SW_PROTECTED_VM,
		KVM_VM_TYPE_ARM_PROTECTED,
	};
	int ret = 0;

	software = software || !demo_kvm_usable();
	demo_intro(software);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && ret >= 0;
	     i++) {
		int r;

		printf("\n== %s ==\n", vm_type_name(types[i]));
		fflush(stdout);
		r = demo_run(types[i], software, uapi);
		if (r == -ENODEV && !software) {
			printf("(falling back to the software guest)\n");
			software = true;
			r = demo_run(types[i], software, uapi);
		}
		ret = r < 0 ? r : ret | r;
	}
	if (ret < 0)
		return 2;
	printf("\ndemo (%s uAPI of the series): %s\n", shown_uapi,
	       ret ? "a guest failed" : "every check passed");
	return ret ? 1 : 0;
}
