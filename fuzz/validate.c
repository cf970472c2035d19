// SPDX-License-Identifier: MIT
/*
 * The library's validators, called from the fuzz target (validate.h). It
 * takes the locks the library's own readers take, so it may run between
 * any two operations.
 */
#include <stdatomic.h>
#include <stdio.h>

#include "fd_table.h"
#include "file_validate.h"
#include "gmem_file.h"
#include "host_map.h"
#include "range_tree.h"
#include "validate.h"
#include "vm.h"

static int tree_check(const struct range_tree *t, const char *name, char *why,
		      size_t whylen)
{
	const char *what = NULL;

	if (!range_tree_validate(t, &what))
		return 0;
	snprintf(why, whylen, "%s tree: %s", name, what ? what : "invalid");
	return -1;
}

/* The cross-check of the file's whole state (src/file_validate.h): its
 * trees, and attributes, allocation, pins and host mappings agreeing. */
int fuzz_validate_file(int fd, char *why, size_t whylen)
{
	const char *what = NULL;
	int err = gmem_file_validate_fd(fd, &what);

	if (!err)
		return 0;
	snprintf(why, whylen, "%s (%d)", what ? what : "invalid", err);
	return -1;
}

bool fuzz_in_library_view(int fd, const void *at)
{
	struct gmem_file *f = gmem_file_lookup(fd);
	const char *view;
	bool in;

	if (!f)
		return false;
	view = atomic_load(&f->view);
	in = view && (const char *)at >= view &&
	     (const char *)at < view + f->size;
	gmem_file_put(f);
	return in;
}

bool fuzz_in_library_own(const void *at)
{
	return host_map_in_own(at);
}

int fuzz_validate_vm(int fd, char *why, size_t whylen)
{
	struct gmem_object *obj = fd_table_get(fd);
	struct gmem_vm *vm;
	int ret = 0;

	if (!obj || obj->kind != GMEM_OBJ_VM) {
		if (obj)
			gmem_object_put(obj);
		snprintf(why, whylen, "fd %d is not a VM", fd);
		return -1;
	}
	vm = vm_from_object(obj);
	if (!vm_gmem_attributes(vm)) {
		gmem_mutex_lock(&vm->attributes.lock);
		ret = tree_check(&vm->attributes.by_gfn, "VM attribute", why,
				 whylen);
		gmem_mutex_unlock(&vm->attributes.lock);
	}
	gmem_object_put(obj);
	return ret;
}
