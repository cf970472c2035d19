// SPDX-License-Identifier: MIT
/*
 * The system descriptor: an object with no state of its own, which only
 * gives its fd an identity. What /dev/kvm answers (the API version, the
 * capabilities, KVM_CREATE_VM) is dispatched by api.c, to capability.c
 * and vm.c.
 */
#include <errno.h>
#include <unistd.h>

#include "alloc.h"
#include "fd_table.h"
#include "identity_fd.h"
#include "object.h"
#include "system.h"

static void system_release(struct gmem_object *obj)
{
	gmem_free(obj);
}

int system_open(void)
{
	struct gmem_object *sys = gmem_calloc(1, sizeof(*sys));
	int fd, err;

	if (!sys)
		return -ENOMEM;
	gmem_object_init(sys, GMEM_OBJ_SYSTEM, system_release);
	fd = identity_fd_create("gmem-system", IDENTITY_FD_SIZE);
	if (fd < 0) {
		gmem_free(sys);
		return fd;
	}
	err = fd_table_insert(fd, sys);
	if (err) {
		close(fd);
		gmem_free(sys);
		return err;
	}
	return fd;
}
