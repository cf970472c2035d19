// SPDX-License-Identifier: MIT
/*
 * The VMM's content-mode policy.
 *
 * KVM_HC_MAP_GPA_RANGE carries no content mode: the VMM chooses the flags
 * of KVM_SET_MEMORY_ATTRIBUTES2. gmem-vm's policy is either "guest", which
 * takes the mode the guest names in ESI (no mode, flags 0, when it names
 * none), or a fixed mode. ZERO is fixed for shares only: the kernel never
 * lets the VMM zero memory on its way to private, so under "zero" a
 * conversion to private gets no mode.
 *
 * A guest that names a mode states what it relies on; when the policy
 * would give it another, the conversion is refused with EOPNOTSUPP, the
 * kernel's answer to a mode it cannot give, rather than carried out with
 * contents the guest does not expect.
 *
 * Whether the platform supports the chosen mode is not decided here:
 * libgmem's platform model answers that, as the kernel would.
 */
#include <errno.h>
#include <string.h>

#include "vmm.h"

static const char *const policy_names[] = {
	[POLICY_GUEST] = "guest",
	[POLICY_UNSPECIFIED] = "unspecified",
	[POLICY_ZERO] = "zero",
	[POLICY_PRESERVE] = "preserve",
};

int policy_parse(const char *s, enum policy *policy)
{
	for (size_t i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]);
	     i++) {
		if (!strcmp(s, policy_names[i])) {
			*policy = (enum policy)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *policy_name(enum policy policy)
{
	return policy_names[policy];
}

/* The mode each fixed policy gives, to shared and to private. */
static const uint32_t policy_modes[][2] = {
	[POLICY_UNSPECIFIED] = { GVM_MODE_UNSPECIFIED, GVM_MODE_UNSPECIFIED },
	[POLICY_ZERO] = { GVM_MODE_ZERO, GVM_MODE_UNSPECIFIED },
	[POLICY_PRESERVE] = { GVM_MODE_PRESERVE, GVM_MODE_PRESERVE },
};

static uint64_t mode_flags(uint32_t mode)
{
	switch (mode) {
	case GVM_MODE_ZERO:
		return KVM_SET_MEMORY_ATTRIBUTES2_ZERO;
	case GVM_MODE_PRESERVE:
		return KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	}
	return 0;
}

/*
 * The KVM_SET_MEMORY_ATTRIBUTES2 flags for a conversion whose guest expects
 * `expected` (GVM_MODE_*): 0 and *flags, -EINVAL for a mode gmem-vm does
 * not know, -EOPNOTSUPP if the policy gives another mode than expected.
 */
int policy_choose(enum policy policy, uint32_t expected, bool to_private,
		  uint64_t *flags)
{
	uint32_t mode = expected;

	if (expected > GVM_MODE_PRESERVE)
		return -EINVAL;
	if (policy != POLICY_GUEST) {
		mode = policy_modes[policy][to_private];
		if (expected != GVM_MODE_POLICY && expected != mode)
			return -EOPNOTSUPP;
	}
	*flags = mode_flags(mode);
	return 0;
}

const char *expected_mode_name(uint32_t expected)
{
	switch (expected) {
	case GVM_MODE_POLICY:
		return "no particular mode";
	case GVM_MODE_UNSPECIFIED:
		return "mode unspecified";
	case GVM_MODE_ZERO:
		return "ZERO";
	case GVM_MODE_PRESERVE:
		return "PRESERVE";
	}
	return "an unknown mode";
}
