/* SPDX-License-Identifier: MIT */
/*
 * The facts `gmemctl host` reports, gathered once into one struct so that
 * the text and the JSON forms say the same things: what the kernel offers
 * (from the host probe, never through libgmem), libgmem's answers to the
 * same capabilities, the huge pages on offer, and what follows for
 * libgmem, gmem-vm and the tests.
 */
#ifndef GMEM_HOST_FACTS_H
#define GMEM_HOST_FACTS_H

#include <stddef.h>

#include "host_probe.h"

#define HOST_CAPS_MAX  8
#define HOST_POOLS_MAX 8
#define HOST_SKIPS_MAX 2

/* One capability as the kernel and as libgmem answer it. */
struct host_cap {
	const char *name;
	long kernel; /* -1 without /dev/kvm */
	int libgmem;
};

/* A hugetlb pool of /sys/kernel/mm/hugepages; -1 where unreadable. */
struct host_pool {
	char size[32]; /* as sysfs names it: "2048kB" */
	long free, total;
};

/* Where the kernel answers the kernel-agreement checks compare with
 * come from. */
enum host_answers {
	HOST_ANSWERS_LIVE,	       /* this kernel's own */
	HOST_ANSWERS_LIVE_OR_RECORDED, /* its own, recorded where it differs */
	HOST_ANSWERS_RECORDED,	       /* recorded from Linux 6.18 */
};

/* A group of tests that skips here, and the lack that makes it skip. */
struct host_skip {
	const char *tests;
	const char *because;
};

struct host_facts {
	char class; /* 'a'..'d', as host_class() */
	const char *class_name;
	const struct host_offer *offer;
	/* libgmem's answers; sys_errno is why its system fd did not open
	 * (then the report ends after the kernel's part). */
	int sys_errno;
	struct host_cap caps[HOST_CAPS_MAX];
	size_t ncaps;
	char thp[64], thp_shmem[64]; /* the chosen word, or "not offered" */
	struct host_pool pools[HOST_POOLS_MAX];
	size_t npools;
	/* What backend "auto" picks (NULL: none, auto_errno says why), and
	 * the GMEM_BACKEND value that steered it (NULL when unset). */
	const char *auto_backend;
	int auto_errno;
	const char *backend_env;
	const char *kvm_lacks;	 /* NULL: the kvm backend runs */
	const char *vcpus_lacks; /* NULL: gmem-vm runs real vCPUs */
	enum host_answers answers;
	struct host_skip skips[HOST_SKIPS_MAX];
	size_t nskips;
};

/* The name of VM type `type` (bit `type` of offer->vm_types), or NULL. */
const char *host_vm_type_name(unsigned int type);

/* Gather every fact; 0, or the errno of libgmem's system fd (the facts
 * up to the capabilities are filled even then). Needs no /dev/kvm. */
int host_facts_gather(struct host_facts *f);

#endif
