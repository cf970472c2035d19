// SPDX-License-Identifier: MIT
/*
 * Launch commands on gmemctl's own VM. SNP: KVM_SEV_INIT2 and
 * KVM_SEV_SNP_LAUNCH_START, KVM_SEV_SNP_LAUNCH_UPDATE of NORMAL pages,
 * KVM_SEV_SNP_LAUNCH_FINISH. TDX: KVM_TDX_INIT_VM, KVM_TDX_INIT_MEM_REGION
 * with KVM_TDX_MEASURE_MEMORY_REGION, KVM_TDX_FINALIZE_VM. Updates are in
 * place (no source): the pages must be private already, their bytes
 * loaded while shared and kept by PRESERVE (docs/LAUNCH.md). Another VM
 * type gets the kernel's answer, which the error line reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <gmem/gmem.h>

#include "ctl_launch.h"
#include "ctl_output.h"

#define SNP_POLICY_MBO (1ULL << 17) /* the policy bit that must be one */
#define TDX_CPUID_MAX  256

static bool is_snp(const struct ctl *c)
{
	return c->type == KVM_X86_SNP_VM;
}

/* The command's name on this VM type; another type is refused by the
 * ioctl itself. */
static const char *op_name(const struct ctl *c, const char *snp,
			   const char *tdx)
{
	if (is_snp(c))
		return snp;
	return c->type == KVM_X86_TDX_VM ? tdx : "KVM_MEMORY_ENCRYPT_OP";
}

static int sev_op(const struct ctl *c, uint32_t id, void *data)
{
	struct kvm_sev_cmd cmd = { .id = id, .data = (uintptr_t)data };

	return gmem_ioctl(c->vm, KVM_MEMORY_ENCRYPT_OP, &cmd);
}

static int tdx_op(const struct ctl *c, uint32_t id, uint32_t flags, void *data)
{
	struct kvm_tdx_cmd cmd = { .id = id,
				   .flags = flags,
				   .data = (uintptr_t)data };

	return gmem_ioctl(c->vm, KVM_MEMORY_ENCRYPT_OP, &cmd);
}

static int tdx_start(const struct ctl *c)
{
	struct kvm_tdx_init_vm *init = calloc(
		1, sizeof(*init) +
			   TDX_CPUID_MAX * sizeof(struct kvm_cpuid_entry2));
	int ret;

	if (!init)
		return -1;
	ret = tdx_op(c, KVM_TDX_INIT_VM, 0, init);
	free(init);
	return ret;
}

int cmd_launch_start(struct ctl *c, const struct call *call)
{
	struct kvm_sev_init init = { 0 };
	struct kvm_sev_snp_launch_start start = { .policy = SNP_POLICY_MBO };

	(void)call;
	if (!is_snp(c) && tdx_start(c))
		return ctl_call_failed(c, "launch-start",
				       op_name(c, NULL, "KVM_TDX_INIT_VM"),
				       errno, false, 0);
	if (is_snp(c) && sev_op(c, KVM_SEV_INIT2, &init))
		return ctl_call_failed(c, "launch-start", "KVM_SEV_INIT2",
				       errno, false, 0);
	if (is_snp(c) && sev_op(c, KVM_SEV_SNP_LAUNCH_START, &start))
		return ctl_call_failed(c, "launch-start",
				       "KVM_SEV_SNP_LAUNCH_START", errno, false,
				       0);
	if (!c->json) {
		printf("launch started: measuring\n");
		return 0;
	}
	json_begin("launch-start");
	json_bool("ok", true);
	json_str("phase", "measuring");
	json_end();
	return 0;
}

/* In place: the pages measured where they are. */
static int update_in_place(const struct ctl *c, uint64_t gpa, uint64_t len,
			   const char **call)
{
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = gpa >> 12,
		.len = len,
		.type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
	};
	struct kvm_tdx_init_mem_region r = {
		.gpa = gpa,
		.nr_pages = len / CTL_PAGE,
	};
	int ret;

	*call = op_name(c, "KVM_SEV_SNP_LAUNCH_UPDATE",
			"KVM_TDX_INIT_MEM_REGION");
	ret = is_snp(c) ? sev_op(c, KVM_SEV_SNP_LAUNCH_UPDATE, &u)
			: tdx_op(c, KVM_TDX_INIT_MEM_REGION,
				 KVM_TDX_MEASURE_MEMORY_REGION, &r);
	/* A walk that stopped part way says how far it came. */
	if (!ret && (is_snp(c) ? u.len : r.nr_pages)) {
		errno = EIO;
		return -1;
	}
	return ret;
}

int cmd_launch_update(struct ctl *c, const struct call *call)
{
	uint64_t off = call->value[0], len = call->value[1];
	const char *name;

	if (update_in_place(c, CTL_GPA_BASE + off, len, &name))
		return ctl_call_failed(c, "launch-update", name, errno, false,
				       0);
	if (!c->json) {
		printf("measured [%#llx, %#llx) in place\n",
		       (unsigned long long)off,
		       (unsigned long long)(off + len));
		return 0;
	}
	json_begin("launch-update");
	json_bool("ok", true);
	json_u64("offset", off);
	json_u64("size", len);
	json_end();
	return 0;
}

int cmd_launch_finish(struct ctl *c, const struct call *call)
{
	struct kvm_sev_snp_launch_finish finish = { 0 };
	const char *name =
		is_snp(c) ? "KVM_SEV_SNP_LAUNCH_FINISH" : "KVM_TDX_FINALIZE_VM";
	int ret = is_snp(c) ? sev_op(c, KVM_SEV_SNP_LAUNCH_FINISH, &finish)
			    : tdx_op(c, KVM_TDX_FINALIZE_VM, 0, NULL);

	uint8_t d[GMEM_LAUNCH_DIGEST_SIZE];
	char hex[2 * sizeof(d) + 1];

	(void)call;
	if (ret)
		return ctl_call_failed(c, "launch-finish", name, errno, false,
				       0);
	if (gmem_get_launch_digest(c->vm, d, sizeof(d)) != (int)sizeof(d))
		return ctl_call_failed(c, "launch-finish",
				       "gmem_get_launch_digest", errno, false,
				       0);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	if (!c->json) {
		printf("finished: digest %s\n", hex);
		return 0;
	}
	json_begin("launch-finish");
	json_bool("ok", true);
	json_str("phase", "finished");
	json_str("digest", hex);
	json_end();
	return 0;
}
