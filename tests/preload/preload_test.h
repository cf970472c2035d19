/* SPDX-License-Identifier: MIT */
/*
 * What the preload's test programs share. They are programs written for
 * the kernel's uAPI (plain open, ioctl, mmap...), linked without libgmem
 * and run under libgmem-preload.so; <gmem/uapi.h> gives them the series'
 * names only.
 */
#ifndef PRELOAD_TEST_H
#define PRELOAD_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <gmem/uapi.h>

#define PAGE 4096

/* A failed check ends the program with status 1. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			exit(1);                                               \
		}                                                              \
	} while (0)

/* /dev/kvm, or exit 77 with the reason (a host without KVM: the preload
 * leaves the open failing). */
int open_kvm_or_skip(const char *prog);

/* A SW_PROTECTED VM and a guest_memfd of `pages` pages, shared, mappable. */
int create_sw_vm(int kvm);
int create_gmem(int vm, unsigned int pages);

/* KVM_SET_MEMORY_ATTRIBUTES2 of pages [first, first + n). */
int convert(int gmem, unsigned int first, unsigned int n, bool to_private,
	    unsigned long long mode);

/* Whether reading *p raises SIGBUS (a private page of a host mapping). */
bool faults(const volatile unsigned char *p);

#endif
