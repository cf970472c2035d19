/* SPDX-License-Identifier: MIT */
/*
 * libgmem: guest_memfd with in-place shared/private conversion, in userspace.
 *
 * The API is the kernel's: each gmem_ call mirrors one syscall, takes the
 * same arguments and structs (see <gmem/uapi.h>), returns what the syscall
 * returns and sets errno as the kernel would. File descriptors are real
 * descriptors of this process. What the kernel does inside itself, and
 * userspace cannot see, is exposed through the extensions further down.
 */
#ifndef GMEM_GMEM_H
#define GMEM_GMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <gmem/uapi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the library's exported symbols; everything else is hidden. */
#ifndef GMEM_API
#define GMEM_API __attribute__((visibility("default")))
#endif

#define GMEM_VERSION_MAJOR 0
#define GMEM_VERSION_MINOR 1

/* ---- The syscalls ---- */

/* Like open("/dev/kvm"): an fd that answers KVM_CHECK_EXTENSION. */
GMEM_API int gmem_open_system(void);

/* Like ioctl(KVM_CREATE_VM, type): a VM fd, or -1 with errno (EINVAL for an
 * unknown type). */
GMEM_API int gmem_create_vm(unsigned long type);

/*
 * Like ioctl(2) on a gmem fd: KVM_CHECK_EXTENSION on the system and VM fds;
 * KVM_CREATE_GUEST_MEMFD, KVM_SET_USER_MEMORY_REGION2 and (legacy mode)
 * KVM_SET_MEMORY_ATTRIBUTES on a VM fd; KVM_SET_MEMORY_ATTRIBUTES2 on a
 * guest_memfd fd. EBADF for an fd that is not open, ENOTTY for an fd or a
 * request the library does not know (EINVAL on the system fd, as
 * /dev/kvm answers).
 */
GMEM_API int gmem_ioctl(int fd, unsigned long request, ...);

/* Like mmap(2) of a guest_memfd: MAP_SHARED only, needs
 * GUEST_MEMFD_FLAG_MMAP, no PROT_EXEC. Private pages raise SIGBUS. Release
 * the mapping with gmem_munmap(), never with munmap(). */
GMEM_API void *gmem_mmap(void *addr, size_t len, int prot, int flags, int fd,
			 off_t offset);

/* Like munmap(2); also forgets mappings made by gmem_mmap(). */
GMEM_API int gmem_munmap(void *addr, size_t len);

/* Like fallocate(2) on a guest_memfd: FALLOC_FL_KEEP_SIZE required, only
 * allocate and FALLOC_FL_PUNCH_HOLE. Punching never changes attributes. */
GMEM_API int gmem_fallocate(int fd, int mode, off_t offset, off_t len);

/* Like ftruncate(2): a guest_memfd's size never changes (EINVAL). */
GMEM_API int gmem_ftruncate(int fd, off_t len);

/* Like close(2). A guest_memfd outlives its fd while host mappings use it
 * (a memslot does not keep it: the slot stays, unbound), and a VM outlives
 * its fd while guest_memfds made on it exist. */
GMEM_API int gmem_close(int fd);

/* ---- Extensions: what the kernel does inside itself ---- */

/* Access flag of gmem_guest_read()/gmem_guest_write(). */
#define GMEM_GUEST_PRIVATE (1U << 0)

/* What KVM_EXIT_MEMORY_FAULT reports in kvm_run.memory_fault: a guest
 * access whose private/shared kind did not match the page. */
struct gmem_memory_fault {
	uint64_t flags; /* KVM_MEMORY_EXIT_FLAG_PRIVATE: a private access */
	uint64_t gpa;	/* the page's guest physical address */
	uint64_t size;	/* bytes, one page */
};

/* Take (and drop) a long-term reference on the pages of a range, as
 * get_user_pages() or an IOMMU pin would. Counted; nests. A pinned page
 * makes a shared-to-private conversion fail with EAGAIN. */
GMEM_API int gmem_pin(int gmem_fd, uint64_t offset, uint64_t len);
GMEM_API int gmem_unpin(int gmem_fd, uint64_t offset, uint64_t len);

/*
 * The trusted guest's own accesses, by guest physical address, through the
 * memslot bindings; `flags` is GMEM_GUEST_PRIVATE for a private access, 0
 * for a shared one. Returns len. A page whose attribute does not match the
 * access fails the call with EFAULT and records a memory fault (see
 * gmem_get_memory_fault()), so that the VMM can convert and retry; bytes
 * of earlier pages have then been accessed. EFAULT without a record for a
 * gpa no guest_memfd memslot binds; EINVAL for unknown flags. On SEV-SNP
 * and TDX a private access goes through the VM's memory encryption.
 * With per-VM attributes (vm_memory_attributes) a private access to a gpa
 * no bound guest_memfd memslot backs records a memory fault too, and a
 * shared access to a slot whose guest_memfd was made without
 * GUEST_MEMFD_FLAG_MMAP reads and writes the slot's userspace_addr, as
 * KVM does.
 */
GMEM_API ssize_t gmem_guest_read(int vm_fd, uint64_t gpa, void *buf, size_t len,
				 unsigned int flags);
GMEM_API ssize_t gmem_guest_write(int vm_fd, uint64_t gpa, const void *buf,
				  size_t len, unsigned int flags);

/* The last memory fault a guest access recorded on this VM, which the call
 * consumes: 0, or ENOENT if none is pending. */
GMEM_API int gmem_get_memory_fault(int vm_fd, struct gmem_memory_fault *fault);

/*
 * The guest asks for a conversion of [gpa, gpa + len) (pKVM's share or
 * unshare exit, or KVM_HC_MAP_GPA_RANGE). The request is recorded until a
 * conversion of exactly that range and direction succeeds; on pKVM only
 * such a conversion may keep the contents (PRESERVE). EINVAL for an
 * unaligned or empty range, EFAULT if no guest_memfd memslot binds all of
 * it.
 */
GMEM_API int gmem_guest_request(int vm_fd, uint64_t gpa, uint64_t len,
				bool to_private);

/* ---- Extensions: backends ---- */

/* Where a VM's guest_memfd memory lives. */
enum gmem_backend {
	GMEM_BACKEND_AUTO = 0,	/* kvm where available, else memfd */
	GMEM_BACKEND_KVM = 1,	/* the running kernel's own guest_memfd */
	GMEM_BACKEND_MEMFD = 2, /* a memfd */
};

/*
 * Options of gmem_create_vm_opts(), read as libbpf reads its options: sz is
 * sizeof(struct gmem_vm_opts) as the caller was built; fields past sz read
 * as zero, so the struct can grow. Every other byte within sz (padding, a
 * newer caller's fields) must be zero, else E2BIG. Declare one with
 * GMEM_OPTS(), which gets all of that right.
 */
struct gmem_vm_opts {
	size_t sz;
	/* enum gmem_backend; GMEM_BACKEND_AUTO also honours the environment
	 * variable GMEM_BACKEND ("kvm", "memfd" or "auto"). */
	unsigned int backend;
	/* The kernel's vm_memory_attributes switch: attributes are tracked per
	 * VM by guest physical address (KVM_SET_MEMORY_ATTRIBUTES on the VM
	 * fd) and the guest_memfd ioctl answers ENOTTY. Off by default. */
	bool vm_memory_attributes;
	/* Accept the experimental content policies below (from the policy
	 * draft reviewed before RFC v3 of the in-place conversion series);
	 * without this they are unknown flags (EINVAL). */
	bool experimental_policies;
	/* 1: hold a real KVM VM for the caller's vCPUs (gmem_vm_kvm_fd())
	 * whatever the backend; ENODEV without /dev/kvm. On the memfd
	 * backend each guest_memfd memslot is bound in it as a plain memslot
	 * over the library's own view of the file, which conversions never
	 * revoke: the guest sees all its memory, private pages included,
	 * while the host's own mappings of private pages still raise SIGBUS.
	 * The kvm backend always holds one. 0 (the default): none on memfd.
	 * Other values: EINVAL. A caller whose sz ends before this field
	 * (built against the header without it) reads 0. */
	unsigned int kvm_vm;
	/* GMEM_HARDEN_* flags: what the library does, beyond the kernel's
	 * rules, to keep this VM's private bytes from other processes
	 * (docs/PRIVACY.md). 0 (the default): nothing. Unknown bits: EINVAL.
	 * A caller whose sz ends before this field reads 0. */
	unsigned int hardening;
	/* The caller promises that every argument pointer it passes to
	 * gmem_ioctl(), gmem_get_attributes(), gmem_get_attribute_ranges(),
	 * gmem_get_gpa_attributes() and gmem_get_memory_fault() on this VM
	 * and its guest_memfds is valid: the library copies with memcpy, and
	 * a bad pointer faults in the caller (SIGSEGV or SIGBUS) instead of
	 * failing with EFAULT. Saves a system call a call (about 0.6 us).
	 * Off by default: every bad pointer is EFAULT, as in the kernel. */
	bool trusted_pointers;
	/* enum gmem_uapi: which generation of the in-place conversion
	 * series the VM's KVM_SET_MEMORY_ATTRIBUTES2 and capabilities follow.
	 * GMEM_UAPI_AUTO (0, the default) honours the environment variable
	 * GMEM_UAPI ("rfc-v4" or "v6"; unset or empty: rfc-v4); a value it
	 * does not know, here or there, fails the creation with EINVAL. A
	 * caller whose sz ends before this field reads GMEM_UAPI_AUTO. */
	unsigned int uapi;
	/* The directory of GMEM_HUGE_HUGETLBFS or GMEM_HUGE_TMPFS, a mount
	 * of that file system (copied at creation); NULL otherwise, else
	 * EINVAL. */
	const char *huge_dir;
	/* enum gmem_huge_source: where the memory of files made with
	 * GUEST_MEMFD_FLAG_HUGETLB comes from (memfd backend only: ENODEV
	 * with the kvm backend). GMEM_HUGE_NONE (the default, and what a
	 * caller whose sz ends before this field reads): the flag is an
	 * unknown one (EINVAL), as in the running kernel. Unknown values:
	 * EINVAL. */
	unsigned int huge_source;
	/* Serve this VM on the process's introspection endpoint: a UNIX
	 * socket at this path (made with mode 0600, answering its owner
	 * only, read-only; see gmem_introspect(3)), open while any VM served
	 * on it exists. "auto": $XDG_RUNTIME_DIR/gmem-PID.sock, else
	 * /tmp/gmem-PID.sock. NULL (the default): the environment variable
	 * GMEM_INTROSPECT names the path, or "auto"; unset or empty, no
	 * endpoint. One path a process: another while one is open is EBUSY;
	 * a path a live socket holds is EADDRINUSE. */
	const char *introspect_path;
};

/*
 * Where a huge file's memory comes from (NONE: huge files are refused), as
 * QEMU's memory-backend-file mem-path= or memory-backend-memfd hugetlb=on
 * choose it (docs/HUGE-FOLIOS.md):
 *  MEMFD:     memfd_create(MFD_HUGETLB) of the folio size, from the
 *             system's hugetlb pool; a hugetlb mapping cannot be split
 *             into 4 KiB pages, so GUEST_MEMFD_FLAG_MMAP is refused
 *             (EINVAL).
 *  HUGETLBFS: a file in huge_dir, a hugetlbfs mount whose page size is
 *             the folio size; no GUEST_MEMFD_FLAG_MMAP, as for MEMFD.
 *  TMPFS:     a file in huge_dir, a tmpfs mounted with huge=always or
 *             huge=within_size; 2 MiB folios only. Host mappings work
 *             page by page: a conversion splits the host's mapping of a
 *             folio, never the folio.
 * Creation fails with ENOMEM where the pool or the mount cannot give
 * huge folios, never falling back to 4 KiB pages.
 */
enum gmem_huge_source {
	GMEM_HUGE_NONE = 0,
	GMEM_HUGE_MEMFD = 1,
	GMEM_HUGE_HUGETLBFS = 2,
	GMEM_HUGE_TMPFS = 3,
};

/* The series generation a VM follows (gmem_vm_opts.uapi). */
enum gmem_uapi {
	GMEM_UAPI_AUTO = 0,   /* GMEM_UAPI from the environment, else RFC_V4 */
	GMEM_UAPI_RFC_V4 = 1, /* RFC v3-v5: content modes ZERO, PRESERVE */
	GMEM_UAPI_V6 = 2,     /* v6-v8: no content modes, flags must be 0 */
};

/* The generation a VM (or the VM of a guest_memfd) follows: GMEM_UAPI_RFC_V4
 * or GMEM_UAPI_V6; -1 and EINVAL for any other descriptor. */
GMEM_API int gmem_get_uapi(int fd);

/* "rfc-v4" or "v6" for GMEM_UAPI_RFC_V4 or GMEM_UAPI_V6 (the names
 * GMEM_UAPI takes); NULL for anything else. */
GMEM_API const char *gmem_uapi_name(int uapi);

/*
 * Hardening of gmem_vm_opts.
 *  NONDUMPABLE: while the VM exists the process is not dumpable
 *  (prctl(PR_SET_DUMPABLE, 0)): processes of the same user without
 *  CAP_SYS_PTRACE can neither open its /proc/<pid>/fd entries (the
 *  memfd backend's memory files among them) nor /proc/<pid>/mem, nor
 *  ptrace it, and no core dump is written. When the last such VM ends,
 *  the process gets back the dumpable state it had before the first.
 */
#define GMEM_HARDEN_NONDUMPABLE (1U << 0)

/*
 * EXPERIMENTAL content policies, beside ZERO and PRESERVE, from the pKVM
 * proposal that preceded content modes. Not in any kernel; accepted only
 * by VMs created with experimental_policies.
 *  READABLE:  the contents stay readable after the conversion, by the host
 *             (to shared) or the guest (to private); PRESERVE where the
 *             platform does not encrypt (pKVM: only as the guest asked).
 *  ENCRYPTED: private-to-shared only, SEV-SNP only: the contents stay as
 *             ciphertext.
 *  DESTROY:   nobody can read the old contents afterwards; the memory is
 *             freed.
 */
#define GMEM_ATTRIBUTES2_READABLE  (1ULL << 2)
#define GMEM_ATTRIBUTES2_ENCRYPTED (1ULL << 3)
#define GMEM_ATTRIBUTES2_DESTROY   (1ULL << 4)

/*
 * An options struct named NAME of type struct TYPE, zeroed whole (padding
 * included), with sz set and the fields given as designated initialisers:
 *
 *	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD);
 *	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
 *
 * As libbpf's LIBBPF_OPTS(); needs GNU C (statement expressions).
 */
#define GMEM_OPTS(TYPE, NAME, ...)                                             \
	struct TYPE NAME = ({                                                  \
		memset(&NAME, 0, sizeof(struct TYPE));                         \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };       \
	})

/* gmem_create_vm() with options; opts may be NULL. ENODEV if the kvm
 * backend was asked for and is not available. */
GMEM_API int gmem_create_vm_opts(unsigned long type,
				 const struct gmem_vm_opts *opts);

/* The backend (GMEM_BACKEND_KVM or _MEMFD) of a VM or guest_memfd fd. */
GMEM_API int gmem_get_backend(int fd);

/* "kvm" or "memfd"; NULL for anything else. */
GMEM_API const char *gmem_backend_name(int backend);

/* Whether the running kernel offers guest_memfd with GUEST_MEMFD_FLAG_MMAP
 * and GUEST_MEMFD_FLAG_INIT_SHARED, so that GMEM_BACKEND_KVM can be used:
 * 1 yes, 0 no. */
GMEM_API int gmem_kvm_backend_available(void);

/*
 * The real KVM VM behind a VM on the kvm backend, or on the memfd backend
 * with gmem_vm_opts.kvm_vm, for a VMM that runs vCPUs (KVM_CREATE_VCPU on
 * it). The library owns the fd: do not close it. Memslots made with
 * gmem_ioctl() are mirrored in it; a guest_memfd slot bound with
 * userspace_addr 0 (on memfd: every guest_memfd slot, as a plain slot)
 * gets a mapping of the file that the library owns and conversions never
 * revoke. ENODEV on a memfd VM without kvm_vm.
 */
GMEM_API int gmem_vm_kvm_fd(int vm_fd);

/* ---- Extensions: queries ---- */

/*
 * Which pages of [offset, offset + len) hold memory: vec[i] is 1 if page i
 * of the range is allocated (by fallocate, a pin, or a host or guest
 * access), else 0. Like mincore(2), but on the file. EINVAL for an
 * unaligned range or one past the end of the file.
 */
GMEM_API int gmem_get_allocation(int gmem_fd, uint64_t offset, uint64_t len,
				 unsigned char *vec);

/* One maximal range of equal attributes. */
struct gmem_attr_range {
	uint64_t offset;
	uint64_t size;
	uint64_t attributes;
};

/*
 * How a guest_memfd's memory is laid out in folios, folio_size bytes
 * each (4096 for a file made without GUEST_MEMFD_FLAG_HUGETLB). Of the
 * folios, `unallocated` hold no memory; `huge` are allocated and uniform
 * (every page shared, or every page private), so the host maps them
 * whole; `split` are allocated and mixed: the folio stays whole, and the
 * host's mappings of it are split into 4 KiB pages, private ones raising
 * SIGBUS. For 4 KiB folios huge and split are 0.
 */
struct gmem_folio_layout {
	uint64_t folio_size;
	uint64_t folios;
	uint64_t unallocated;
	uint64_t huge;
	uint64_t split;
};

/* The folio layout of a guest_memfd now. EBADF for an fd that is not a
 * guest_memfd; EFAULT for a bad pointer. */
GMEM_API int gmem_get_folio_layout(int gmem_fd,
				   struct gmem_folio_layout *layout);

/* The attributes (KVM_MEMORY_ATTRIBUTE_*) of the page at `offset`. EINVAL
 * for an offset past the end of the file. */
GMEM_API int gmem_get_attributes(int gmem_fd, uint64_t offset,
				 uint64_t *attributes);

/*
 * The maximal ranges of equal attributes that meet [offset, offset + len),
 * clipped to it, in order: up to `max` of them are stored in `ranges`, and
 * the number there are is returned (call with max 0 to size the array).
 * EINVAL for an unaligned range or one past the end of the file.
 */
GMEM_API ssize_t gmem_get_attribute_ranges(int gmem_fd, uint64_t offset,
					   uint64_t len,
					   struct gmem_attr_range *ranges,
					   size_t max);

/* The attributes of guest physical address `gpa` of a VM: through the
 * memslot bindings to the guest_memfd, or from the VM itself when it
 * tracks attributes (vm_memory_attributes). ENOENT if no guest_memfd
 * memslot covers gpa (with per-file attributes). */
GMEM_API int gmem_get_gpa_attributes(int vm_fd, uint64_t gpa,
				     uint64_t *attributes);

/* ---- Extensions: launch ---- */

/*
 * SEV-SNP and TDX VMs are launched with the kernel's KVM_MEMORY_ENCRYPT_OP
 * on the VM fd (struct kvm_sev_cmd: KVM_SEV_INIT2, KVM_SEV_SNP_LAUNCH_START,
 * _UPDATE, _FINISH; struct kvm_tdx_cmd: KVM_TDX_INIT_VM,
 * KVM_TDX_INIT_MEM_REGION, KVM_TDX_FINALIZE_VM), with the kernel's structs
 * and errors. A source address of 0 in LAUNCH_UPDATE / INIT_MEM_REGION
 * populates in place: the private page's own bytes, loaded while it was
 * shared and kept by a PRESERVE conversion, are measured and encrypted.
 * INIT_MEM_REGION is taken on the VM fd (the kernel takes it on a vCPU
 * fd). See gmem(7), "Launch".
 */

/* The size of a launch digest: SHA-384. */
#define GMEM_LAUNCH_DIGEST_SIZE 48

/* Launch phases, as gmem_get_launch_state() reports them. */
#define GMEM_LAUNCH_CREATED	0 /* before KVM_SEV_INIT2 / KVM_TDX_INIT_VM */
#define GMEM_LAUNCH_INITIALIZED 1 /* SNP: INIT2 done, not yet started */
#define GMEM_LAUNCH_MEASURING	2 /* pages may be populated and measured */
#define GMEM_LAUNCH_FINISHED	3 /* LAUNCH_FINISH / FINALIZE_VM done */

/*
 * Copy the launch measurement of an SEV-SNP or TDX VM into buf: the SNP
 * launch digest or the TDX MRTD, GMEM_LAUNCH_DIGEST_SIZE bytes. Zeros
 * before the measurement starts; frozen once the launch finishes.
 * Returns GMEM_LAUNCH_DIGEST_SIZE; EINVAL for another VM type or a len
 * below it, EFAULT for an unwritable buf.
 */
GMEM_API int gmem_get_launch_digest(int vm_fd, void *buf, size_t len);

/* The launch phase of an SEV-SNP or TDX VM (GMEM_LAUNCH_*); EINVAL for
 * another VM type. PRESERVE to private is allowed before
 * GMEM_LAUNCH_FINISHED only. */
GMEM_API int gmem_get_launch_state(int vm_fd);
/*
 * The introspection report of a VM: the lines of text its introspection
 * endpoint serves (counters of conversions by content mode and result,
 * bytes zeroed, scrambled and encrypted, pins, memory faults and the
 * latest one, memslots, and each slot's attributes, allocation and pins
 * in guest physical order; gmem_introspect(3) lists them). Up to len - 1
 * bytes and a NUL are stored in buf; returns the length of the whole
 * report, as snprintf() does, so that a larger return than len - 1 asks
 * for a larger buffer. EBADF/EINVAL for a descriptor that is not a VM.
 */
GMEM_API ssize_t gmem_introspect(int vm_fd, char *buf, size_t len);

/* ---- Extensions: testing ---- */

/* Make the library's allocation after the next `countdown` ones fail with
 * ENOMEM (0: the very next one); -1 disarms. For tests of unwind paths. */
GMEM_API void gmem_inject_alloc_failure(long countdown);

#ifdef __cplusplus
}
#endif

#endif /* GMEM_GMEM_H */
