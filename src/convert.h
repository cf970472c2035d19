/* SPDX-License-Identifier: MIT */
/*
 * KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd: in-place conversion.
 */
#ifndef GMEM_CONVERT_H
#define GMEM_CONVERT_H

#include <gmem/uapi.h>

struct gmem_file;

/*
 * Validate and perform the request in `a` (already copied in). Returns 0
 * or -errno; for -EOPNOTSUPP, -ENOMEM and -EAGAIN a->error_offset is set
 * and the caller copies the struct back (R59).
 */
int convert_set_attributes(struct gmem_file *f,
			   struct kvm_memory_attributes2 *a);

/* Whether an error from convert_set_attributes() carries an error_offset
 * to copy back. */
static inline bool convert_error_reports_offset(int err)
{
	return err == -EOPNOTSUPP || err == -ENOMEM || err == -EAGAIN;
}

#endif
