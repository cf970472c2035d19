// SPDX-License-Identifier: MIT
/*
 * Description: pages of a memfd-backed guest_memfd that the kernel moved
 * to swap still count as allocated. A child confined to a small memory
 * cgroup fills a file larger than its limit, so that some pages leave
 * memory; then gmem_get_allocation() must still report every written page,
 * and a private-to-shared conversion with ZERO must zero every one of
 * them; and on SEV-SNP, whose private pages hold ciphertext, the guest
 * must read back what it wrote to each page. Pins the bug where
 * allocation was read with mincore(), which calls a page in swap
 * unallocated: ZERO skipped it and the host read the private bytes back,
 * and the encrypted guest access took it for a first use and read zeros.
 *
 * Needs swap, root and the memory cgroup controller; skips without them.
 * The kvm backend is not involved: the kernel's guest_memfd is never
 * swapped out.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmem/gmem.h>

#define PAGE	  4096ULL
#define FILE_SIZE (64ULL << 20)
#define LIMIT	  (16ULL << 20)

#define CGROUP_V1 "/sys/fs/cgroup/memory"
#define CGROUP_V2 "/sys/fs/cgroup"

static char cgroup_dir[256];
static const char *limit_file;

static void skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(77);
}

static void fail(const char *what)
{
	printf("FAIL: %s (%s)\n", what, strerror(errno));
	exit(1);
}

static bool host_has_swap(void)
{
	char line[256];
	FILE *f = fopen("/proc/swaps", "r");
	int lines = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	return lines > 1; /* a header, then one line per swap area */
}

static bool write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok;
}

/* A memory cgroup of our own, v1 or v2, limited to LIMIT bytes. */
static bool make_cgroup(void)
{
	char limit[32];

	if (access(CGROUP_V1 "/memory.limit_in_bytes", F_OK) == 0) {
		snprintf(cgroup_dir, sizeof(cgroup_dir),
			 CGROUP_V1 "/gmem-swap-%d", getpid());
		limit_file = "memory.limit_in_bytes";
	} else if (access(CGROUP_V2 "/cgroup.controllers", F_OK) == 0) {
		snprintf(cgroup_dir, sizeof(cgroup_dir),
			 CGROUP_V2 "/gmem-swap-%d", getpid());
		limit_file = "memory.max";
	} else {
		return false;
	}
	if (mkdir(cgroup_dir, 0755))
		return false;
	snprintf(limit, sizeof(limit), "%llu", LIMIT);
	if (!write_file(cgroup_dir, limit_file, limit)) {
		rmdir(cgroup_dir);
		return false;
	}
	return true;
}

static int convert(int fd, bool private, uint64_t flags)
{
	struct kvm_memory_attributes2 a = {
		.offset = 0,
		.size = FILE_SIZE,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = flags,
	};

	return gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
}

/* Pages of a fresh mapping that are not resident: in swap, since every
 * page was written. */
static size_t pages_out_of_memory(int fd)
{
	static unsigned char vec[FILE_SIZE / PAGE];
	char *p = gmem_mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	size_t out = 0;

	if (p == MAP_FAILED)
		fail("gmem_mmap");
	if (mincore(p, FILE_SIZE, vec))
		fail("mincore");
	for (size_t i = 0; i < FILE_SIZE / PAGE; i++)
		out += !(vec[i] & 1);
	gmem_munmap(p, FILE_SIZE);
	return out;
}

static void check_allocation(int fd)
{
	static unsigned char vec[FILE_SIZE / PAGE];

	if (gmem_get_allocation(fd, 0, FILE_SIZE, vec))
		fail("gmem_get_allocation");
	for (size_t i = 0; i < FILE_SIZE / PAGE; i++)
		if (!vec[i]) {
			printf("FAIL: page %zu holds data in swap but reads "
			       "as unallocated\n",
			       i);
			exit(1);
		}
}

static void check_zeroed(int fd)
{
	char *p = gmem_mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		fail("gmem_mmap");
	for (size_t i = 0; i < FILE_SIZE; i++)
		if (p[i]) {
			printf("FAIL: byte %zu kept its private value %#x "
			       "after ZERO\n",
			       i, (unsigned char)p[i]);
			exit(1);
		}
	gmem_munmap(p, FILE_SIZE);
}

/* In the cgroup: fill, find pages in swap, check, go private, ZERO back. */
static int zero_reaches_swap(void)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD);
	struct kvm_create_guest_memfd args = {
		.size = FILE_SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	int fd = vm < 0 ? -1 : gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
	char *p;
	size_t out;

	if (fd < 0)
		fail("a SW_PROTECTED VM and its guest_memfd on memfd");
	p = gmem_mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	if (p == MAP_FAILED)
		fail("gmem_mmap");
	memset(p, 0x5a, FILE_SIZE);
	gmem_munmap(p, FILE_SIZE);
	out = pages_out_of_memory(fd);
	if (out == 0) {
		printf("SKIP: the kernel kept every page in memory\n");
		return 77;
	}
	printf("%zu of %llu pages are in swap\n", out, FILE_SIZE / PAGE);
	check_allocation(fd);
	if (convert(fd, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE))
		fail("to private, PRESERVE");
	if (convert(fd, false, KVM_SET_MEMORY_ATTRIBUTES2_ZERO))
		fail("to shared, ZERO");
	check_zeroed(fd);
	gmem_close(fd);
	gmem_close(vm);
	printf("PASS: pages in swap are allocated and zeroed\n");
	return 0;
}

#define GPA 0x80000000ULL

static void fill_page(char *page, size_t index)
{
	for (size_t i = 0; i < PAGE; i += sizeof(index))
		memcpy(page + i, &index, sizeof(index));
}

/* In the cgroup: the SNP guest writes every private page, more than the
 * cgroup holds, so most go to swap; each must read back as written. */
static int encrypted_pages_survive_swap(void)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD);
	struct kvm_create_guest_memfd args = { .size = FILE_SIZE };
	struct kvm_userspace_memory_region2 slot = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = FILE_SIZE,
	};
	int vm = gmem_create_vm_opts(KVM_X86_SNP_VM, &opts);
	int fd = vm < 0 ? -1 : gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
	char page[PAGE], back[PAGE];

	if (fd < 0)
		fail("an SNP VM and its (private) guest_memfd on memfd");
	slot.guest_memfd = (uint32_t)fd;
	if (gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &slot))
		fail("KVM_SET_USER_MEMORY_REGION2");
	for (size_t i = 0; i < FILE_SIZE / PAGE; i++) {
		fill_page(page, i + 1);
		if (gmem_guest_write(vm, GPA + i * PAGE, page, PAGE,
				     GMEM_GUEST_PRIVATE) != (ssize_t)PAGE)
			fail("gmem_guest_write");
	}
	for (size_t i = 0; i < FILE_SIZE / PAGE; i++) {
		fill_page(page, i + 1);
		if (gmem_guest_read(vm, GPA + i * PAGE, back, PAGE,
				    GMEM_GUEST_PRIVATE) != (ssize_t)PAGE)
			fail("gmem_guest_read");
		if (memcmp(page, back, PAGE)) {
			printf("FAIL: private page %zu lost what the guest "
			       "wrote\n",
			       i);
			exit(1);
		}
	}
	gmem_close(fd);
	gmem_close(vm);
	printf("PASS: the guest reads back every encrypted page\n");
	return 0;
}

/* Run `scenario` in a child confined to our memory cgroup: 0, 1 or 77. */
static int in_cgroup(int (*scenario)(void))
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		char self[32];

		snprintf(self, sizeof(self), "%d", getpid());
		if (!write_file(cgroup_dir, "cgroup.procs", self))
			skip("could not join the memory cgroup");
		exit(scenario());
	}
	waitpid(pid, &status, 0);
	/* Only the cgroup's out-of-memory killer sends SIGKILL here: the
	 * limit was too small for this build (sanitizers, valgrind). */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		printf("SKIP: the child outgrew its memory cgroup\n");
		return 77;
	}
	if (WIFSIGNALED(status)) {
		printf("FAIL: the child died of signal %d\n", WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status);
}

int main(void)
{
	int zero, encrypted;

	if (!host_has_swap())
		skip("the host has no swap");
	if (geteuid() != 0)
		skip("a memory cgroup needs root");
	if (!make_cgroup())
		skip("no memory cgroup could be made here");
	zero = in_cgroup(zero_reaches_swap);
	encrypted = in_cgroup(encrypted_pages_survive_swap);
	rmdir(cgroup_dir);
	if (zero == 1 || encrypted == 1)
		return 1;
	return zero == 77 && encrypted == 77 ? 77 : 0;
}
