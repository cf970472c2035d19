/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the test programs: VMs and files on a chosen backend,
 * conversion calls, and host touches that report SIGBUS instead of dying.
 */
#ifndef GMEM_TESTUTIL_H
#define GMEM_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmem/gmem.h>

#define PAGE 4096ULL

/* Exit code that makes Meson count a test as skipped. */
#define SKIP_EXIT 77

/* The backends a test runs on: kvm (where available) and memfd. */
extern const unsigned int test_backends[2];

/* NULL when a backend can run here; else what the host lacks for it. */
const char *backend_missing(unsigned int backend);

/* Whether a backend can run here. */
bool backend_usable(unsigned int backend);

/* A VM of `type` on `backend`; asserts success. */
int test_vm(unsigned long type, unsigned int backend);

/* A VM with options; asserts success. */
int test_vm_legacy(unsigned long type, unsigned int backend);

/* A guest_memfd of `size` bytes with `flags`; asserts success. */
int test_gmem(int vm, uint64_t size, uint64_t flags);

/* A guest_memfd of `size` bytes with `flags` (GUEST_MEMFD_FLAG_MMAP among
 * them), mapped whole, shared and writable, at *host; asserts success. */
int test_gmem_mapped(int vm, uint64_t size, uint64_t flags, char **host);

/* Bind the file's first `size` bytes at `gpa` in memslot 0
 * (KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_GUEST_MEMFD); asserts. */
void test_bind(int vm, int fd, uint64_t gpa, uint64_t size);

/* Unmap [host, host + size), then close the file and its VM; asserts
 * that each succeeds. */
void test_close_mapped(int vm, int fd, char *host, uint64_t size);

/* KVM_SET_MEMORY_ATTRIBUTES2; returns the ioctl's result, *error_offset
 * the struct's field afterwards (may be NULL). */
int test_convert(int fd, uint64_t offset, uint64_t size, bool private,
		 uint64_t mode, uint64_t *error_offset);

/* Read one byte at p: 0..255, or -1 if the host got SIGBUS, -2 SIGSEGV. */
int host_read(const volatile char *p);

/* Write one byte at p: 0, or -1 for SIGBUS, -2 for SIGSEGV. */
int host_write(volatile char *p, char value);

/* The number at the start of a /proc or /sys file, or -1. */
long test_read_number(const char *path);

/* Whether every byte of [p, p + len) is `value` (no fault). */
bool host_all(const char *p, size_t len, unsigned char value);

/* Whether page `offset` of the file is allocated. */
bool page_allocated(int fd, uint64_t offset);

/* The attributes at `offset`; asserts success. */
uint64_t attributes_at(int fd, uint64_t offset);

#endif
