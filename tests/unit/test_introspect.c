// SPDX-License-Identifier: MIT
/*
 * Description: the introspection report and endpoint. gmem_introspect()
 * counts conversions by content mode and result (EAGAIN, EOPNOTSUPP and
 * EINVAL included), bytes zeroed and scrambled, pins and memory faults,
 * keeps the latest fault after gmem_get_memory_fault() took it, and lists
 * each memslot with its attribute ranges, allocation and pins by gpa; it
 * sizes like snprintf() and a bad buffer is EFAULT. The endpoint is off
 * unless asked for, is a socket of mode 0600 that answers "snapshot" with
 * the report of every VM served and nothing else, takes one path a
 * process (EBUSY), comes from GMEM_INTROSPECT too, reuses a stale socket,
 * and is removed with the last VM it serves, also when that VM ends on
 * the endpoint's thread (its program closed it while a report held it:
 * the regression test of a self-join and a use after free); and pages
 * an SEV-SNP launch measured in place are named, their encryption
 * counted.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#define SIZE (16 * PAGE)
#define GPA  0x100000000ULL

static char sock_path[108];

/* A VM with one 16-page shared file bound at GPA, on memfd. */
static int make_vm(const char *introspect, int *fd)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD,
		  .introspect_path = introspect);
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &o);
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = SIZE,
	};

	if (vm < 0)
		return vm;
	*fd = test_gmem(vm, SIZE,
			GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	r.guest_memfd = (uint32_t)*fd;
	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	return vm;
}

/* The host writes `byte` over [off, off + len) of the file. */
static void test_fill(int fd, uint64_t off, uint64_t len, int byte)
{
	char *p = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    0);

	assert_true(p != MAP_FAILED);
	memset(p + off, byte, len);
	assert_int_equal(gmem_munmap(p, SIZE), 0);
}

static char *report_of(int vm)
{
	ssize_t len = gmem_introspect(vm, NULL, 0);
	char *text;

	assert_true(len > 0);
	text = malloc((size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(gmem_introspect(vm, text, (size_t)len + 1), len);
	assert_int_equal(strlen(text), len);
	return text;
}

static void assert_line(const char *text, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("no line '%s' in the report:\n%s", line, text);
}

static int setup(void **state)
{
	(void)state;
	unsetenv("GMEM_INTROSPECT");
	snprintf(sock_path, sizeof(sock_path), "/tmp/gmem-test-%ld.sock",
		 (long)getpid());
	unlink(sock_path);
	return 0;
}

static void test_counts_conversions(void **state)
{
	int fd, vm = make_vm(NULL, &fd);
	char *text;

	(void)state;
	test_fill(fd, 0, 4 * PAGE, 0x41);
	assert_int_equal(test_convert(fd, 0, 2 * PAGE, true, 0, NULL), 0);
	assert_int_equal(test_convert(fd, 0, 2 * PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 0);
	assert_int_equal(test_convert(fd, 2 * PAGE, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(test_convert(fd, 0, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 -1);
	assert_int_equal(gmem_pin(fd, 3 * PAGE, PAGE), 0);
	assert_int_equal(test_convert(fd, 3 * PAGE, PAGE, true, 0, NULL), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(test_convert(fd, 1, PAGE, true, 0, NULL), -1);
	text = report_of(vm);
	assert_line(text, "conversions none ok 1");
	assert_line(text, "conversions zero ok 1");
	assert_line(text, "conversions preserve ok 1");
	assert_line(text, "conversions zero eopnotsupp 1");
	assert_line(text, "conversions none eagain 1");
	assert_line(text, "conversions none einval 1");
	/* mode 0 on SW_PROTECTED scrambles the two written pages; ZERO
	 * zeroes them again on the way back. */
	assert_line(text, "counter bytes_scrambled 8192");
	assert_line(text, "counter bytes_zeroed 8192");
	assert_line(text, "counter pins 1");
	free(text);
	gmem_close(fd);
	gmem_close(vm);
}

static void test_map_and_fault(void **state)
{
	struct gmem_memory_fault f;
	int fd, vm = make_vm(NULL, &fd);
	char *text, byte;

	(void)state;
	test_fill(fd, 0, 2 * PAGE, 1);
	assert_int_equal(gmem_pin(fd, 0, PAGE), 0);
	assert_int_equal(test_convert(fd, 4 * PAGE, 2 * PAGE, true, 0, NULL),
			 0);
	assert_int_equal(gmem_guest_read(vm, GPA + 4 * PAGE, &byte, 1, 0), -1);
	assert_int_equal(gmem_get_memory_fault(vm, &f), 0);
	text = report_of(vm);
	assert_line(text, "slot 0 0x100000000 0x10000 0 0x4 1");
	assert_line(text, "range 0x100000000 0x100004000 0");
	assert_line(text, "range 0x100004000 0x100006000 0x8");
	assert_line(text, "range 0x100006000 0x100010000 0");
	assert_line(text, "alloc 0x100000000 0x100002000");
	assert_line(text, "pin 0x100000000 0x100001000 0x1");
	assert_line(text, "counter faults 1");
	/* Taken by the VMM, still shown: a shared access, flags 0. */
	assert_line(text, "fault 0x100004000 0x1000 0");
	assert_true(!strncmp(text, "gmem-introspect 1 ", 18));
	assert_non_null(strstr(text, "\nend\n"));
	free(text);
	gmem_close(fd);
	gmem_close(vm);
}

static void test_buffer_sizing(void **state)
{
	int fd, vm = make_vm(NULL, &fd);
	ssize_t len = gmem_introspect(vm, NULL, 0);
	char small[16];

	(void)state;
	assert_int_equal(gmem_introspect(vm, small, sizeof(small)), len);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(gmem_introspect(vm, (char *)8, 64), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_introspect(fd, small, sizeof(small)), -1);
	assert_int_equal(gmem_introspect(-1, small, sizeof(small)), -1);
	assert_int_equal(errno, EBADF);
	gmem_close(fd);
	gmem_close(vm);
}

/* The endpoint's answer to `request`, or NULL if it cannot be reached. */
static char *ask(const char *request)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	static char answer[1 << 16];
	size_t len = 0;
	ssize_t n;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(addr.sun_path, sock_path);
	if (connect(s, (struct sockaddr *)&addr, sizeof(addr))) {
		close(s);
		return NULL;
	}
	if (send(s, request, strlen(request), MSG_NOSIGNAL) < 0) {
		close(s);
		return NULL;
	}
	while ((n = read(s, answer + len, sizeof(answer) - 1 - len)) > 0)
		len += (size_t)n;
	close(s);
	answer[len] = 0;
	return answer;
}

static void test_endpoint_off_by_default(void **state)
{
	char path[128];
	struct stat st;
	int fd, vm = make_vm(NULL, &fd);

	(void)state;
	snprintf(path, sizeof(path), "%s/gmem-%ld.sock",
		 getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "/tmp",
		 (long)getpid());
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(stat(sock_path, &st), -1);
	gmem_close(fd);
	gmem_close(vm);
}

static void test_endpoint_serves_owner_read_only(void **state)
{
	struct stat st;
	int fd, vm = make_vm(sock_path, &fd);
	char *answer;

	(void)state;
	assert_true(vm >= 0);
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(test_convert(fd, 0, PAGE, true, 0, NULL), 0);
	answer = ask("snapshot\n");
	assert_non_null(answer);
	assert_true(!strncmp(answer, "gmem-introspect 1 ", 18));
	assert_line(answer, "vm 1 sw_protected memfd");
	assert_line(answer, "range 0x100000000 0x100001000 0x8");
	assert_line(answer, "end");
	answer = ask("convert 0 4096 shared\n");
	assert_string_equal(answer, "error unknown request\n");
	assert_int_equal(attributes_at(fd, 0), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	gmem_close(fd);
	gmem_close(vm);
	assert_int_equal(stat(sock_path, &st), -1);
	assert_null(ask("snapshot\n"));
}

static void test_endpoint_one_path(void **state)
{
	int fd1, fd2, fd3, vm1 = make_vm(sock_path, &fd1);
	int vm2 = make_vm(sock_path, &fd2);
	char *answer, *second;
	struct stat st;

	(void)state;
	assert_true(vm1 >= 0 && vm2 >= 0);
	assert_int_equal(make_vm("/tmp/gmem-test-other.sock", &fd3), -1);
	assert_int_equal(errno, EBUSY);
	answer = ask("snapshot\n");
	assert_non_null(answer);
	second = strstr(answer, "\nvm 1 ");
	assert_non_null(second);
	assert_non_null(strstr(second + 1, "\nvm 1 "));
	gmem_close(fd1);
	gmem_close(vm1);
	assert_int_equal(stat(sock_path, &st), 0);
	gmem_close(fd2);
	gmem_close(vm2);
	assert_int_equal(stat(sock_path, &st), -1);
}

static void test_endpoint_from_environment(void **state)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), fd, vm;
	struct stat st;

	(void)state;
	/* A socket left behind by a process that ended. */
	strcpy(addr.sun_path, sock_path);
	assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(s);
	setenv("GMEM_INTROSPECT", sock_path, 1);
	vm = make_vm(NULL, &fd);
	unsetenv("GMEM_INTROSPECT");
	assert_true(vm >= 0);
	assert_non_null(ask("snapshot\n"));
	gmem_close(fd);
	gmem_close(vm);
	assert_int_equal(stat(sock_path, &st), -1);
}

/* An SNP launch loads two pages in place: the report names them, and
 * counts their encryption. */
static void test_launch_pages(void **state)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD);
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = SIZE,
	};
	struct kvm_sev_snp_launch_start start = { .policy = 1ULL << 17 };
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = GPA >> 12,
		.len = 2 * PAGE,
		.type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
	};
	struct kvm_sev_init init = { 0 };
	struct kvm_sev_cmd cmd = { .id = KVM_SEV_INIT2,
				   .data = (uintptr_t)&init };
	int vm = gmem_create_vm_opts(KVM_X86_SNP_VM, &o), fd;
	char *text;

	(void)state;
	assert_true(vm >= 0);
	fd = test_gmem(vm, SIZE,
		       GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	r.guest_memfd = (uint32_t)fd;
	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	test_fill(fd, 0, 2 * PAGE, 0x5a);
	assert_int_equal(test_convert(fd, 0, 2 * PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(gmem_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd), 0);
	cmd = (struct kvm_sev_cmd){ .id = KVM_SEV_SNP_LAUNCH_START,
				    .data = (uintptr_t)&start };
	assert_int_equal(gmem_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd), 0);
	cmd = (struct kvm_sev_cmd){ .id = KVM_SEV_SNP_LAUNCH_UPDATE,
				    .data = (uintptr_t)&u };
	assert_int_equal(gmem_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd), 0);
	text = report_of(vm);
	assert_line(text, "launch 0x100000000 0x100002000");
	assert_line(text, "counter bytes_encrypted 8192");
	free(text);
	gmem_close(fd);
	gmem_close(vm);
}

static atomic_bool reader_stop;

static void *reader_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&reader_stop))
		ask("snapshot\n");
	return NULL;
}

/* Whether the socket went within a second. */
static bool socket_gone(void)
{
	struct stat st;

	for (int i = 0; i < 1000; i++) {
		if (stat(sock_path, &st))
			return true;
		usleep(1000);
	}
	return false;
}

static void test_vm_ends_during_reports(void **state)
{
	pthread_t reader;

	(void)state;
	for (int round = 0; round < 40; round++) {
		int fd, vm = make_vm(sock_path, &fd);

		assert_true(vm >= 0);
		atomic_store(&reader_stop, false);
		assert_int_equal(
			pthread_create(&reader, NULL, reader_main, NULL), 0);
		usleep((useconds_t)(round % 8) * 100);
		gmem_close(fd);
		gmem_close(vm);
		atomic_store(&reader_stop, true);
		assert_int_equal(pthread_join(reader, NULL), 0);
		assert_true(socket_gone());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_counts_conversions, setup),
		cmocka_unit_test_setup(test_map_and_fault, setup),
		cmocka_unit_test_setup(test_buffer_sizing, setup),
		cmocka_unit_test_setup(test_endpoint_off_by_default, setup),
		cmocka_unit_test_setup(test_endpoint_serves_owner_read_only,
				       setup),
		cmocka_unit_test_setup(test_endpoint_one_path, setup),
		cmocka_unit_test_setup(test_endpoint_from_environment, setup),
		cmocka_unit_test_setup(test_vm_ends_during_reports, setup),
		cmocka_unit_test_setup(test_launch_pages, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
