// SPDX-License-Identifier: MIT
/*
 * The public entry points: each looks up its descriptor, copies its
 * arguments in as the kernel would (EFAULT for a bad pointer), hands the
 * request to the file that owns what it names, which validates it and
 * takes its own locks, and copies the answer out. Nothing here takes a
 * lock or changes state. Inside the library every function returns 0 or
 * -errno; this file is the one place where that becomes -1 and errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "alloc.h"
#include "allocation.h"
#include "capability.h"
#include "convert.h"
#include "fd_table.h"
#include "folio.h"
#include "gmem_file.h"
#include "guest_access.h"
#include "host_map.h"
#include "launch.h"
#include "memory_attributes2.h"
#include "introspect_report.h"
#include "introspect_server.h"
#include "pin.h"
#include "system.h"
#include "uaccess.h"
#include "vm_opts.h"
#include "vm.h"

#define KVM_API_VERSION_VALUE 12

static long syscall_return(long ret)
{
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* The error for an fd that is not ours: not open at all, or foreign. */
static int foreign_fd_error(int fd, int foreign)
{
	return fd < 0 || fcntl(fd, F_GETFD) < 0 ? -EBADF : foreign;
}

/*
 * R110: a VM and its guest_memfd files belong to the process that made
 * them; a child of fork() gets EIO, as the kernel answers a VM ioctl from
 * another mm, for every call on the ones it inherited but close. Its copy
 * of their state is a snapshot the parent's later conversions never
 * reach, so nothing may act on it. The system descriptor is stateless
 * and serves every process, as /dev/kvm does.
 */
static int owner_check(const struct gmem_object *obj)
{
	return obj->kind == GMEM_OBJ_SYSTEM || gmem_object_is_own(obj) ? 0
								       : -EIO;
}

/* 0 if `obj`, looked up for `fd`, is there and this process's; else the
 * error, with the lookup's reference dropped. */
static int own_object(int fd, struct gmem_object *obj)
{
	int err;

	if (!obj)
		return foreign_fd_error(fd, -EINVAL);
	err = owner_check(obj);
	if (err)
		gmem_object_put(obj);
	return err;
}

/* The VM behind `fd`, made by this process, or NULL and *err. */
static struct gmem_vm *vm_get_own(int fd, int *err)
{
	struct gmem_vm *vm = vm_lookup(fd);

	*err = own_object(fd, vm ? &vm->obj : NULL);
	return *err ? NULL : vm;
}

/* The guest_memfd behind `fd`, made by this process, or NULL and *err. */
static struct gmem_file *file_get_own(int fd, int *err)
{
	struct gmem_file *f = gmem_file_lookup(fd);

	*err = own_object(fd, f ? &f->obj : NULL);
	return *err ? NULL : f;
}

int gmem_open_system(void)
{
	return syscall_return(system_open());
}

/* The endpoint path the caller asked for (its string, or the
 * environment's), in buf; "" for none. 0 or -EFAULT, -ENAMETOOLONG. */
static int introspect_path_of(const struct gmem_vm_opts *o, char *buf,
			      size_t len)
{
	const char *env = getenv("GMEM_INTROSPECT");
	size_t at = 0;

	if (!o->introspect_path) {
		if (env && !strcmp(env, "auto"))
			return introspect_default_path(getpid(), buf, len);
		if (env && strlen(env) >= len)
			return -ENAMETOOLONG;
		strcpy(buf, env ? env : "");
		return 0;
	}
	do {
		if (at == len)
			return -ENAMETOOLONG;
		if (copy_from_user(&buf[at], o->introspect_path + at, 1))
			return -EFAULT;
	} while (buf[at++]);
	if (!strcmp(buf, "auto"))
		return introspect_default_path(getpid(), buf, len);
	return 0;
}

/* Serve the new VM behind `fd` on the endpoint, or end it. */
static int vm_serve_introspection(int fd, const char *path)
{
	struct gmem_vm *vm = vm_lookup(fd);
	int err = introspect_server_add(path, vm, &introspect_vm_source);

	vm_put(vm);
	if (err)
		gmem_close(fd);
	return err;
}

int gmem_create_vm_opts(unsigned long type, const struct gmem_vm_opts *opts)
{
	char path[INTROSPECT_PATH_MAX];
	struct gmem_vm_opts o;
	int fd = -1, err;

	err = vm_opts_read(opts, &o);
	if (!err)
		err = introspect_path_of(&o, path, sizeof(path));
	if (!err)
		err = vm_create(type, &o, &fd);
	if (!err && *path)
		err = vm_serve_introspection(fd, path);
	return err ? syscall_return(err) : fd;
}

int gmem_create_vm(unsigned long type)
{
	return gmem_create_vm_opts(type, NULL);
}

static int system_ioctl(unsigned long request, unsigned long arg)
{
	switch (request) {
	case KVM_GET_API_VERSION:
		return KVM_API_VERSION_VALUE;
	case KVM_CHECK_EXTENSION:
		return capability_check(NULL, (long)arg);
	case KVM_CREATE_VM: {
		int fd = gmem_create_vm(arg);

		return fd < 0 ? -errno : fd;
	}
	default:
		/* /dev/kvm answers what it does not know with EINVAL (R1). */
		return -EINVAL;
	}
}

static int vm_ioctl_create_gmem(struct gmem_vm *vm, void *uarg)
{
	struct kvm_create_guest_memfd args;

	if (copy_from_user_as(vm->uaccess, &args, uarg, sizeof(args)))
		return -EFAULT;
	return vm_create_gmem(vm, &args);
}

static int vm_ioctl_set_region2(struct gmem_vm *vm, void *uarg)
{
	struct kvm_userspace_memory_region2 r;

	if (copy_from_user_as(vm->uaccess, &r, uarg, sizeof(r)))
		return -EFAULT;
	return memslot_set_region2(&vm->slots, &r);
}

/* The VM-level attribute ioctls, live only in vm_memory_attributes mode
 * (R43). The 2 form has the same first four fields; it takes no content
 * mode here and checks its extra words as the guest_memfd one does. */
static int vm_ioctl_set_attributes(struct gmem_vm *vm, unsigned long request,
				   void *uarg)
{
	struct kvm_memory_attributes2 a = { 0 };
	size_t len = request == KVM_SET_MEMORY_ATTRIBUTES2
			     ? sizeof(struct kvm_memory_attributes2)
			     : sizeof(struct kvm_memory_attributes);

	if (vm_gmem_attributes(vm) || (request == KVM_SET_MEMORY_ATTRIBUTES2 &&
				       !memory_attributes2_on_vm(vm->uapi)))
		return -ENOTTY;
	if (copy_from_user_as(vm->uaccess, &a, uarg, len))
		return -EFAULT;
	return vm_attributes_set(&vm->attributes, &a);
}

static int vm_ioctl(struct gmem_vm *vm, unsigned long request,
		    unsigned long arg)
{
	switch (request) {
	case KVM_CHECK_EXTENSION:
		return capability_check(vm, (long)arg);
	case KVM_CREATE_GUEST_MEMFD:
		return vm_ioctl_create_gmem(vm, (void *)arg);
	case KVM_SET_USER_MEMORY_REGION2:
		return vm_ioctl_set_region2(vm, (void *)arg);
	case KVM_SET_MEMORY_ATTRIBUTES:
	case KVM_SET_MEMORY_ATTRIBUTES2:
		return vm_ioctl_set_attributes(vm, request, (void *)arg);
	case KVM_MEMORY_ENCRYPT_OP:
		return launch_encrypt_op(vm, (void *)arg);
	default:
		return -ENOTTY;
	}
}

/* Copy back the whole struct with error_offset for the errors that
 * carry one (R59); a failing copy turns the error into EFAULT. */
static int file_ioctl_set_attributes2(struct gmem_file *f, void *uarg)
{
	struct kvm_memory_attributes2 a;
	int err;

	/* Exactly one attribute path is live (R43). */
	if (!vm_gmem_attributes(f->vm))
		return -ENOTTY;
	if (copy_from_user_as(f->vm->uaccess, &a, uarg, sizeof(a)))
		return -EFAULT;
	err = convert_set_attributes(f, &a);
	if (convert_error_reports_offset(err) &&
	    copy_to_user_as(f->vm->uaccess, uarg, &a, sizeof(a)))
		return -EFAULT;
	return err;
}

static int file_ioctl(struct gmem_file *f, unsigned long request,
		      unsigned long arg)
{
	if (request == KVM_SET_MEMORY_ATTRIBUTES2)
		return file_ioctl_set_attributes2(f, (void *)arg);
	return -ENOTTY;
}

int gmem_ioctl(int fd, unsigned long request, ...)
{
	struct gmem_object *obj;
	unsigned long arg;
	va_list ap;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	obj = fd_table_get(fd);
	if (!obj) /* not ours: the kernel answers for it */
		return ioctl(fd, request, arg);
	ret = owner_check(obj);
	if (ret) {
		gmem_object_put(obj);
		return syscall_return(ret);
	}
	switch (obj->kind) {
	case GMEM_OBJ_SYSTEM:
		ret = system_ioctl(request, arg);
		break;
	case GMEM_OBJ_VM:
		ret = vm_ioctl(vm_from_object(obj), request, arg);
		break;
	default:
		ret = file_ioctl(file_from_object(obj), request, arg);
		break;
	}
	gmem_object_put(obj);
	return syscall_return(ret);
}

/* An inherited guest_memfd maps in a child, showing none of its memory
 * (host_map.c, R110); an inherited VM is EIO as for every call. */
static void *object_mmap(struct gmem_object *obj, void *addr, size_t len,
			 int prot, int flags, off_t offset, int *err)
{
	if (obj->kind == GMEM_OBJ_FILE)
		return host_map_create(file_from_object(obj), addr, len, prot,
				       flags, offset, err);
	*err = owner_check(obj);
	if (!*err)
		*err = -ENODEV; /* a VM or the system cannot be mapped */
	return MAP_FAILED;
}

void *gmem_mmap(void *addr, size_t len, int prot, int flags, int fd,
		off_t offset)
{
	struct gmem_object *obj;
	void *p;
	int err;

	/* mmap(2) ignores the descriptor of an anonymous mapping. */
	if (flags & MAP_ANONYMOUS)
		return mmap(addr, len, prot, flags, fd, offset);
	obj = fd_table_get(fd);
	if (!obj)
		return mmap(addr, len, prot, flags, fd, offset);
	p = object_mmap(obj, addr, len, prot, flags, offset, &err);
	gmem_object_put(obj);
	if (p == MAP_FAILED)
		errno = -err;
	return p;
}

int gmem_munmap(void *addr, size_t len)
{
	return syscall_return(host_map_unmap(addr, len));
}

static int object_fallocate(struct gmem_object *obj, int mode, off_t offset,
			    off_t len)
{
	int ret = owner_check(obj);

	if (ret)
		return ret;
	if (obj->kind == GMEM_OBJ_FILE)
		return allocation_fallocate(file_from_object(obj), mode, offset,
					    len);
	/* A VM or the system is not a regular file. */
	return allocation_vfs_check(mode, offset, len) ?: -ENODEV;
}

int gmem_fallocate(int fd, int mode, off_t offset, off_t len)
{
	struct gmem_object *obj = fd_table_get(fd);
	int ret;

	if (!obj)
		return fallocate(fd, mode, offset, len);
	ret = object_fallocate(obj, mode, offset, len);
	gmem_object_put(obj);
	return syscall_return(ret);
}

int gmem_ftruncate(int fd, off_t len)
{
	struct gmem_object *obj = fd_table_get(fd);
	int ret;

	if (!obj)
		return ftruncate(fd, len);
	/* The size of a guest_memfd is fixed at creation (R12); a VM or the
	 * system has none to change. */
	ret = owner_check(obj) ?: -EINVAL;
	gmem_object_put(obj);
	return syscall_return(ret);
}

int gmem_close(int fd)
{
	struct gmem_object *obj = fd_table_remove(fd);
	int ret = close(fd);

	/* Mappings the program released with plain munmap() must not keep
	 * the file alive past its last descriptor. */
	if (obj && obj->kind == GMEM_OBJ_FILE)
		host_map_forget_stale(file_from_object(obj));
	if (obj)
		gmem_object_put(obj);
	return ret;
}

int gmem_get_backend(int fd)
{
	struct gmem_object *obj = fd_table_get(fd);
	int ret;

	if (!obj)
		return syscall_return(foreign_fd_error(fd, -EINVAL));
	ret = owner_check(obj);
	if (ret)
		goto out;
	switch (obj->kind) {
	case GMEM_OBJ_VM:
		ret = vm_from_object(obj)->backend.ops->id;
		break;
	case GMEM_OBJ_FILE:
		ret = file_from_object(obj)->vm->backend.ops->id;
		break;
	default:
		ret = -EINVAL;
	}
out:
	gmem_object_put(obj);
	return syscall_return(ret);
}

int gmem_get_uapi(int fd)
{
	struct gmem_object *obj = fd_table_get(fd);
	int ret;

	if (!obj)
		return syscall_return(foreign_fd_error(fd, -EINVAL));
	switch (obj->kind) {
	case GMEM_OBJ_VM:
		ret = vm_from_object(obj)->uapi;
		break;
	case GMEM_OBJ_FILE:
		ret = file_from_object(obj)->vm->uapi;
		break;
	default:
		ret = -EINVAL;
	}
	gmem_object_put(obj);
	return syscall_return(ret);
}

const char *gmem_uapi_name(int uapi)
{
	return uapi_generation_name(uapi);
}

int gmem_vm_kvm_fd(int vm_fd)
{
	int ret;
	struct gmem_vm *vm = vm_get_own(vm_fd, &ret);

	if (!vm)
		return syscall_return(ret);
	ret = vm->backend.kvm_vm_fd < 0 ? -ENODEV : vm->backend.kvm_vm_fd;
	vm_put(vm);
	return syscall_return(ret);
}

const char *gmem_backend_name(int backend)
{
	switch (backend) {
	case GMEM_BACKEND_KVM:
		return backend_kvm_ops.name;
	case GMEM_BACKEND_MEMFD:
		return backend_memfd_ops.name;
	default:
		return NULL;
	}
}

int gmem_kvm_backend_available(void)
{
	return backend_kvm_available();
}

int gmem_get_allocation(int gmem_fd, uint64_t offset, uint64_t len,
			unsigned char *vec)
{
	int ret;
	struct gmem_file *f = file_get_own(gmem_fd, &ret);

	if (!f)
		return syscall_return(ret);
	ret = allocation_get(f, offset, len, vec);
	gmem_file_put(f);
	return syscall_return(ret);
}

int gmem_get_folio_layout(int gmem_fd, struct gmem_folio_layout *layout)
{
	struct gmem_file *f = gmem_file_lookup(gmem_fd);
	struct gmem_folio_layout out;
	int ret;

	if (!f)
		return syscall_return(foreign_fd_error(gmem_fd, -EINVAL));
	ret = folio_layout(f, &out);
	if (!ret)
		ret = copy_to_user_as(f->vm->uaccess, layout, &out,
				      sizeof(out));
	gmem_file_put(f);
	return syscall_return(ret);
}

static int pin_call(int gmem_fd, uint64_t offset, uint64_t len, bool pin)
{
	int ret;
	struct gmem_file *f = file_get_own(gmem_fd, &ret);

	if (!f)
		return syscall_return(ret);
	ret = pin ? pin_range(f, offset, len) : unpin_range(f, offset, len);
	gmem_file_put(f);
	return syscall_return(ret);
}

int gmem_pin(int gmem_fd, uint64_t offset, uint64_t len)
{
	return pin_call(gmem_fd, offset, len, true);
}

int gmem_unpin(int gmem_fd, uint64_t offset, uint64_t len)
{
	return pin_call(gmem_fd, offset, len, false);
}

int gmem_get_attributes(int gmem_fd, uint64_t offset, uint64_t *attributes)
{
	int ret = 0;
	struct gmem_file *f = file_get_own(gmem_fd, &ret);
	uint64_t value = 0;

	if (!f)
		return syscall_return(ret);
	ret = gmem_file_attributes(f, offset, &value);
	if (!ret)
		ret = copy_to_user_as(f->vm->uaccess, attributes, &value,
				      sizeof(value));
	gmem_file_put(f);
	return syscall_return(ret);
}

/* The ranges past `max` are counted, not copied. */
struct range_copy {
	enum uaccess_mode mode;
	struct gmem_attr_range *out;
	size_t max;
	ssize_t count;
};

static int copy_range_out(const struct range_tree_range *r, void *arg)
{
	struct range_copy *c = arg;
	struct gmem_attr_range a = {
		.offset = r->start << GMEM_PAGE_SHIFT,
		.size = (r->end - r->start) << GMEM_PAGE_SHIFT,
		.attributes = r->value,
	};
	int err = 0;

	if ((size_t)c->count < c->max)
		err = copy_to_user_as(c->mode, &c->out[c->count], &a,
				      sizeof(a));
	c->count++;
	return err;
}

ssize_t gmem_get_attribute_ranges(int gmem_fd, uint64_t offset, uint64_t len,
				  struct gmem_attr_range *ranges, size_t max)
{
	int err;
	struct gmem_file *f = file_get_own(gmem_fd, &err);
	struct range_copy c = { .out = ranges, .max = max };

	if (!f)
		return syscall_return(err);
	c.mode = f->vm->uaccess;
	err = gmem_file_attribute_ranges(f, offset, len, copy_range_out, &c);
	gmem_file_put(f);
	return err ? syscall_return(err) : c.count;
}

int gmem_get_gpa_attributes(int vm_fd, uint64_t gpa, uint64_t *attributes)
{
	int ret;
	struct gmem_vm *vm = vm_get_own(vm_fd, &ret);
	uint64_t value = 0;

	if (!vm)
		return syscall_return(ret);
	ret = vm_attributes_get(&vm->attributes, &vm->slots, gpa, &value);
	if (!ret)
		ret = copy_to_user_as(vm->uaccess, attributes, &value,
				      sizeof(value));
	vm_put(vm);
	return syscall_return(ret);
}

void gmem_inject_alloc_failure(long countdown)
{
	gmem_alloc_fail_after(countdown);
}

static ssize_t guest_call(int vm_fd, uint64_t gpa, void *buf, size_t len,
			  unsigned int flags, bool write)
{
	int err;
	struct gmem_vm *vm = vm_get_own(vm_fd, &err);
	ssize_t ret;

	if (!vm)
		return syscall_return(err);
	ret = guest_access(vm, gpa, buf, len, flags, write);
	vm_put(vm);
	return syscall_return(ret);
}

ssize_t gmem_guest_read(int vm_fd, uint64_t gpa, void *buf, size_t len,
			unsigned int flags)
{
	return guest_call(vm_fd, gpa, buf, len, flags, false);
}

ssize_t gmem_guest_write(int vm_fd, uint64_t gpa, const void *buf, size_t len,
			 unsigned int flags)
{
	return guest_call(vm_fd, gpa, (void *)buf, len, flags, true);
}

int gmem_get_memory_fault(int vm_fd, struct gmem_memory_fault *fault)
{
	int err;
	struct gmem_vm *vm = vm_get_own(vm_fd, &err);
	struct gmem_memory_fault f;

	if (!vm)
		return syscall_return(err);
	err = guest_exit_take_fault(&vm->exits, &f);
	if (!err && copy_to_user_as(vm->uaccess, fault, &f, sizeof(f))) {
		/* Leave the fault for a call that can take it. */
		guest_exit_restore_fault(&vm->exits, &f);
		err = -EFAULT;
	}
	vm_put(vm);
	return syscall_return(err);
}

/* The report is written into the library's buffer and copied out, so
 * that a bad buffer is EFAULT, as for every other call. */
ssize_t gmem_introspect(int vm_fd, char *buf, size_t len)
{
	struct report r = { 0 };
	int err;
	struct gmem_vm *vm = vm_get_own(vm_fd, &err);

	if (!vm)
		return syscall_return(err);
	r.buf = len ? gmem_malloc(len) : NULL;
	r.cap = r.buf ? len : 0;
	if (len && !r.buf)
		err = -ENOMEM;
	if (!err) {
		introspect_report_header(&r);
		introspect_report_vm(&r, vm);
		introspect_report_end(&r);
	}
	if (!err && len &&
	    copy_to_user_as(vm->uaccess, buf, r.buf,
			    r.len < len ? r.len + 1 : len))
		err = -EFAULT;
	gmem_free(r.buf);
	vm_put(vm);
	return err ? syscall_return(err) : (ssize_t)r.len;
}

int gmem_guest_request(int vm_fd, uint64_t gpa, uint64_t len, bool to_private)
{
	int err;
	struct gmem_vm *vm = vm_get_own(vm_fd, &err);

	if (!vm)
		return syscall_return(err);
	err = guest_exit_request(&vm->exits, &vm->slots, gpa, len, to_private);
	vm_put(vm);
	return syscall_return(err);
}

int gmem_get_launch_digest(int vm_fd, void *buf, size_t len)
{
	int err;
	struct gmem_vm *vm = vm_get_own(vm_fd, &err);
	ssize_t ret;

	if (!vm)
		return syscall_return(err);
	ret = launch_get_digest(vm, buf, len);
	vm_put(vm);
	return (int)syscall_return(ret);
}

int gmem_get_launch_state(int vm_fd)
{
	int ret;
	struct gmem_vm *vm = vm_get_own(vm_fd, &ret);

	if (!vm)
		return syscall_return(ret);
	ret = launch_get_phase(vm);
	vm_put(vm);
	return syscall_return(ret);
}
