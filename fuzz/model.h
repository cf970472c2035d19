/* SPDX-License-Identifier: MIT */
/*
 * The reference model: a deliberately simple, per-page implementation of
 * the rules of docs/SEMANTICS.md and docs/CONTENT-MODES.md. It shares no code
 * with the engine in src/: it was written from those documents and the man
 * pages alone, so that the differential fuzzer compares two independent
 * readings of the contract.
 *
 * Every page of a (small) file carries its attribute, whether it has
 * memory, its pin count, and what the model knows about its bytes. The
 * bytes are kept per view: on SEV-SNP and TDX the host (and a shared guest
 * access) sees the memory at rest, the guest's private access sees it
 * through the cipher, so the two differ; elsewhere there is one view. A
 * byte is either known (a reader must see exactly it) or unknown (the
 * platform made it unpredictable: scrambled, ciphertext); an unknown byte
 * is learnt from the first observation and must then stay put. Beside
 * that, a page remembers bytes a reader must never see again ("forbidden":
 * the old plaintext after a conversion whose mode did not keep it).
 *
 * Functions that model a call take `commit`: false only predicts the
 * result, true also applies the effect of a successful call.
 */
#ifndef GMEM_FUZZ_MODEL_H
#define GMEM_FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_PAGE	   4096ULL
#define MODEL_MAX_PAGES	   512 /* enough ranges to split the attribute tree */
#define MODEL_DATA_PAGES   16  /* pages whose bytes are modelled */
#define MODEL_MAX_FILES	   3   /* files 0 and 1 on VM 0, file 2 on VM 1 */
#define MODEL_MAX_VMS	   2
#define MODEL_MAX_SLOTS	   8 /* slot s: VM s / 4, slot id s % 4 */
#define MODEL_SLOTS_PER_VM 4
#define MODEL_USER_PAGES   16	/* the user memory behind a slot's address */
#define MODEL_GPA_PAGES	   2048 /* per-VM attributes kept from gpa_base */
#define MODEL_MAX_REQUESTS 64	/* gmem_guest_request(3): the 64 most recent */
#define MODEL_MAX_CHUNKS   8

enum model_platform {
	MODEL_DEFAULT,
	MODEL_SW_PROTECTED,
	MODEL_PKVM,
	MODEL_SNP,
	MODEL_TDX,
};

/* Who reads: the host or a shared guest access, or a private access. */
enum model_view { MODEL_SHARED = 0, MODEL_PRIVATE = 1 };

struct model_bytes {
	uint8_t val[MODEL_PAGE];
	uint8_t known[MODEL_PAGE];
	bool all; /* every byte known: a memcmp() will do */
	bool any; /* some byte may be known */
};

/* What the model knows of the bytes of one page (data pages only). */
struct model_data {
	struct model_bytes view[2];
	struct model_bytes forbid[2];
};

struct model_page {
	bool private;
	bool allocated;
	/* Encrypted platforms: no view used since the page got memory, so
	 * whichever view is used first reads zeros (R23: zeroed on first
	 * use). Always true while unallocated. */
	bool fresh;
	/* Encrypted platforms, after ZERO: the first private use may still
	 * clear the page through the cipher, which rewrites the bytes at
	 * rest; the model does not insist either way. */
	bool raw_fragile;
	unsigned int pins;
	struct model_data *d; /* NULL past the first MODEL_DATA_PAGES */
};

struct model_file {
	bool live; /* exists: open, or closed and kept by a mapping */
	bool open; /* its descriptor is open */
	int vm;	   /* the VM it was made on */
	bool mmap_ok;
	uint64_t npages;
	struct model_page page[MODEL_MAX_PAGES];
	struct model_data data[MODEL_DATA_PAGES];
};

/*
 * One memslot. A guest_memfd slot binds [offset, offset + npages pages)
 * of a file; its file is -1 once the file was closed (R36: the slot stays,
 * unbound). A plain slot has no file. `user`: userspace_addr is the
 * slot's user memory (modelled bytes), else 0.
 */
struct model_slot {
	bool used;
	uint32_t flags;
	bool gmem;
	bool gmem_only; /* the file was made with MMAP: shared faults go to it
			 */
	bool user;
	int file;
	uint64_t gpa;
	uint64_t offset;
	uint64_t npages;
};

struct model_request {
	int file;
	uint64_t offset;
	uint64_t size;
	bool to_private;
};

struct model_fault {
	bool pending;
	uint64_t gpa;
	uint64_t size;
	uint64_t flags;
};

/* What a VM keeps: its guest's requests and memory fault, and in the
 * legacy mode its attributes by gpa (1: private). */
struct model_vm {
	/* The VM follows the v6+ uAPI of the series (R93..R99); drawn per
	 * VM, false after model_init(). */
	bool v6;
	struct model_request req[MODEL_MAX_REQUESTS];
	unsigned int nreq;
	struct model_fault fault;
	uint8_t gpa_private[MODEL_GPA_PAGES];
};

struct model {
	enum model_platform platform;
	bool experimental;
	/* vm_memory_attributes: the VM holds the attributes by gpa (R43). */
	bool legacy;
	uint64_t gpa_base;
	struct model_file file[MODEL_MAX_FILES];
	struct model_slot slot[MODEL_MAX_SLOTS];
	struct model_vm vm[MODEL_MAX_VMS];
	uint8_t user[MODEL_MAX_SLOTS][MODEL_USER_PAGES * MODEL_PAGE];
};

/* What a call returns: ret (-1 on error, then err), and for
 * KVM_SET_MEMORY_ATTRIBUTES2 whether the struct is written back. */
struct model_result {
	long ret;
	int err;
	bool copied_back;
	uint64_t error_offset;
};

/* The part of one page a guest access reached: of a file, or (file -1)
 * of the user memory of slot `slot`. */
struct model_chunk {
	int file;
	int slot;
	uint64_t page;
	uint64_t off;
	uint64_t len;
	uint64_t buf_off;
};

/* The pages a guest access reached before it ended. */
struct model_access {
	unsigned int nchunks;
	struct model_chunk chunk[MODEL_MAX_CHUNKS];
};

/* Host-visible result of a touch through a mapping. */
enum model_touch { MODEL_TOUCH_OK, MODEL_TOUCH_SIGBUS, MODEL_TOUCH_SIGSEGV };

/* ---- VMs and files ---- */
bool model_vm_type(unsigned long type, enum model_platform *platform);
void model_init(struct model *m, enum model_platform platform,
		bool experimental, bool legacy, uint64_t gpa_base);
bool model_encrypted(const struct model *m);
struct model_result model_create_file(const struct model *m, uint64_t size,
				      uint64_t flags);
void model_add_file(struct model *m, int file, int vm, uint64_t size,
		    uint64_t flags);
/* close(2) of the file's descriptor: the file lives on while `mapped`;
 * else its slots stay, unbound (R36), and its requests go. */
void model_close_file(struct model *m, int file, bool mapped);
/* KVM_CHECK_EXTENSION on VM `vm`. */
long model_check_extension(const struct model *m, int vm, long cap);

/* ---- the conversion ioctl ---- */
enum model_arg { MODEL_ARG_OK, MODEL_ARG_UNREADABLE, MODEL_ARG_READONLY };
struct model_result model_convert(struct model *m, int file, uint64_t offset,
				  uint64_t size, uint64_t attributes,
				  uint64_t flags, uint64_t error_offset,
				  bool reserved_set, enum model_arg arg,
				  bool commit);

/* KVM_SET_MEMORY_ATTRIBUTES(2) on a VM (legacy mode only, R43). */
struct model_result model_set_vm_attributes(struct model *m, int vm, bool two,
					    uint64_t address, uint64_t size,
					    uint64_t attributes, uint64_t flags,
					    bool extra_words_set,
					    enum model_arg arg, bool commit);

/* ---- memslots (R32..R36) ---- */
enum model_slot_fd {
	MODEL_FD_FILE,	   /* `file`'s descriptor */
	MODEL_FD_CLOSED,   /* not open: EBADF */
	MODEL_FD_NOT_GMEM, /* open, not a guest_memfd: EINVAL */
};
struct model_slot_args {
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	bool user; /* userspace_addr: the slot's user memory, else 0 */
	enum model_slot_fd fd;
	int file;
	uint64_t offset;
};
struct model_result model_memslot(struct model *m, int slot,
				  const struct model_slot_args *a, bool commit);

/* ---- memory ---- */
struct model_result model_fallocate(struct model *m, int file, int mode,
				    int64_t offset, int64_t len, bool commit);
struct model_result model_pin(struct model *m, int file, uint64_t offset,
			      uint64_t len, bool commit);
struct model_result model_unpin(struct model *m, int file, uint64_t offset,
				uint64_t len, bool commit);
struct model_result model_mmap(const struct model *m, int file, int prot,
			       int flags, int64_t offset, uint64_t len);
enum model_touch model_host_touch(struct model *m, int file, uint64_t offset,
				  uint64_t len, int prot, bool write,
				  const uint8_t *data, bool commit);

/* ---- the guest ---- */
struct model_result model_guest_access(struct model *m, int vm, uint64_t gpa,
				       uint64_t len, unsigned int flags,
				       bool write, const uint8_t *data,
				       struct model_access *out, bool commit);
struct model_result model_guest_request(struct model *m, int vm, uint64_t gpa,
					uint64_t len, bool to_private,
					bool commit);
struct model_result model_get_fault(struct model *m, int vm,
				    struct model_fault *f, bool commit);
/* The slot of VM `vm` whose guest range holds gpa, or -1. */
int model_gpa_slot(const struct model *m, int vm, uint64_t gpa);
/* The file and page a gpa reaches through a bound guest_memfd slot, or
 * -1. */
int model_gpa_page(const struct model *m, int vm, uint64_t gpa, uint64_t *page);
/* Whether a guest access of VM `vm` at gpa must be private to succeed:
 * the page's attribute, the file's or (legacy) the VM's. */
bool model_gpa_private(const struct model *m, int vm, uint64_t gpa);
/* A gpa of the file's VM at which a slot binds the page, for a guest
 * access that reaches the file's bytes; false if none. */
bool model_page_gpa(const struct model *m, int file, uint64_t page,
		    uint64_t *gpa);

/* ---- what the queries must answer ---- */
struct model_range {
	uint64_t offset;
	uint64_t size;
	uint64_t attributes;
};
struct model_result model_attribute_ranges(const struct model *m, int file,
					   uint64_t offset, uint64_t len,
					   struct model_range *r, size_t max);
struct model_result model_attributes(const struct model *m, int file,
				     uint64_t offset, uint64_t *attributes);
struct model_result model_allocation(const struct model *m, int file,
				     uint64_t offset, uint64_t len,
				     bool vec_null, unsigned char *vec);

/* Whether the model knows the bytes of the page. */
bool model_page_has_data(const struct model *m, int file, uint64_t page);

/*
 * A reader of `view` saw `seen` at [off, off + len) of a page: check it
 * against what the model knows (and against the forbidden bytes), then
 * learn the unknown bytes. False, with a reason in why, on a divergence.
 */
bool model_observe(struct model *m, int file, uint64_t page,
		   enum model_view view, uint64_t off, uint64_t len,
		   const uint8_t *seen, char *why, size_t whylen);

/* Whether a check may read the page without changing what it models: an
 * allocated page whose first use is behind it. */
bool model_page_checkable(const struct model *m, int file, uint64_t page);

#endif
