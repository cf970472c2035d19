// SPDX-License-Identifier: MIT
/*
 * The introspection endpoint.
 *
 * Opt-in and read-only. A VM joins when its creator names a socket path
 * (gmem_vm_opts.introspect_path, or GMEM_INTROSPECT in the environment);
 * the first such VM starts one thread that listens on the socket, and the
 * last one to end stops it and removes the socket. The socket is made
 * with mode 0600 before it is bound, and each connection's peer must be
 * the process's own user (SO_PEERCRED): the report shows where a guest
 * keeps private memory, which is no one else's business.
 *
 * The protocol is one request line and one answer: "snapshot" answers with
 * the report (introspect_report.c) of every VM served, anything else with
 * "error unknown request". Nothing a client sends can change a VM.
 *
 * Data flows one way: the thread reads each VM's state through its
 * report function, under the locks that the VM's parts own; the
 * conversion path never calls here (it only adds to counters). The thread
 * takes a reference on every source under `sources_lock`, drops the lock,
 * reports them into a buffer and drops the references, then sends: a
 * slow client holds up no VM, and no VM ends while it is being read.
 *
 * Dropping the last reference of a VM whose program closed it meanwhile
 * ends the VM on the endpoint's thread, which then removes itself as a
 * source; if it was the last, the thread stops the endpoint itself (it
 * cannot join itself) and exits after the answer in hand.
 *
 * Locks: `life_lock` orders starting and stopping the endpoint (taken by
 * the VMs' creators and ends, and by the thread only when it ends a VM,
 * holding nothing else); `sources_lock` guards the list of sources. Every
 * VM's creation and end takes `life_lock`, so a fork() often finds it held
 * by another thread, which the child does not have: the child makes both
 * locks anew (no fork handler takes them in the parent, since stopping
 * the endpoint waits for a thread that may wait for locks the forking
 * thread holds in other handlers), and forgets the parent's endpoint.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "alloc.h"
#include "introspect_server.h"

#define SOURCES_MAX	 64
#define REQUEST_MAX	 64
#define CLIENT_TIMEOUT_S 2

struct source {
	void *source;
	const struct introspect_source_ops *ops;
};

/* Set on the endpoint's thread when it stopped the endpoint itself. */
static __thread bool server_self_stopped;

static struct {
	pthread_mutex_t life_lock;
	/* life_lock */
	bool running;
	pid_t pid; /* the process that started it: a child of fork() has
		      no thread, and must not remove its parent's socket */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int stop_fd;
	pthread_t thread;

	pthread_mutex_t sources_lock;
	struct source sources[SOURCES_MAX]; /* sources_lock */
	size_t nsources;		    /* sources_lock */
} server = {
	.life_lock = PTHREAD_MUTEX_INITIALIZER,
	.sources_lock = PTHREAD_MUTEX_INITIALIZER,
};

int introspect_default_path(pid_t pid, char *buf, size_t len)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	int n;

	if (!dir || !*dir)
		dir = "/tmp";
	n = snprintf(buf, len, "%s/gmem-%ld.sock", dir, (long)pid);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A reference on every source served now, into held[]; their count. */
static size_t sources_hold(struct source *held)
{
	size_t n = 0;

	pthread_mutex_lock(&server.sources_lock);
	for (size_t i = 0; i < server.nsources; i++)
		if (server.sources[i].ops->tryget(server.sources[i].source))
			held[n++] = server.sources[i];
	pthread_mutex_unlock(&server.sources_lock);
	return n;
}

/* The reports of held[0, n), into a buffer of their size; NULL on
 * ENOMEM. */
static char *render_held(const struct source *held, size_t n, size_t *len)
{
	struct report r = { 0 };

	for (int tries = 0; tries < 4; tries++) {
		size_t need = r.len + 4096;

		gmem_free(r.buf);
		r = (struct report){ gmem_malloc(need), need, 0 };
		if (!r.buf)
			break;
		report_printf(&r, "gmem-introspect 1 %ld\n", (long)getpid());
		for (size_t i = 0; i < n; i++)
			held[i].ops->report(held[i].source, &r);
		report_printf(&r, "end\n");
		if (r.len < r.cap)
			break;
	}
	if (r.buf && r.len >= r.cap) {
		gmem_free(r.buf);
		r.buf = NULL;
	}
	*len = r.len;
	return r.buf;
}

/* Every source's report; NULL on ENOMEM. The references go last: one of
 * them may end a VM, here. */
static char *render_sources(size_t *len)
{
	struct source held[SOURCES_MAX];
	size_t n = sources_hold(held);
	char *text = render_held(held, n, len);

	for (size_t i = 0; i < n; i++)
		held[i].ops->put(held[i].source);
	return text;
}

/* Only the process's own user may look. */
static bool peer_is_owner(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	       cred.uid == geteuid();
}

static void send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0 && errno != EINTR)
			return;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
}

/* One request line, without its newline; false if none came in time. */
static bool read_request(int fd, char *buf, size_t len)
{
	size_t at = 0;

	while (at + 1 < len) {
		ssize_t n = recv(fd, buf + at, 1, 0);

		if (n <= 0)
			return false;
		if (buf[at] == '\n')
			break;
		at++;
	}
	buf[at] = 0;
	return true;
}

static void server_answer(int fd)
{
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_S };
	char request[REQUEST_MAX];
	size_t len;
	char *text;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (!peer_is_owner(fd) || !read_request(fd, request, sizeof(request)))
		return;
	if (strcmp(request, "snapshot")) {
		send_all(fd, "error unknown request\n", 22);
		return;
	}
	text = render_sources(&len);
	if (!text) {
		send_all(fd, "error ENOMEM\n", 13);
		return;
	}
	send_all(fd, text, len);
	gmem_free(text);
}

static void *server_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = server.listen_fd, .events = POLLIN },
			{ .fd = server.stop_fd, .events = POLLIN },
		};
		int fd;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(server.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		server_answer(fd);
		close(fd);
		if (server_self_stopped)
			break;
	}
	return NULL;
}

/* A socket left by a process that ended answers nobody: take its path. */
static bool path_is_stale(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool stale;

	if (fd < 0)
		return false;
	stale = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) &&
		errno == ECONNREFUSED;
	close(fd);
	return stale;
}

/* The listening socket at `path`, owner-only from the start. */
static int server_listen(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err = 0;

	if (strlen(path) >= sizeof(addr.sun_path) || !*path)
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0600) ||
	    (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) &&
	     !(errno == EADDRINUSE && path_is_stale(&addr) && !unlink(path) &&
	       !bind(fd, (struct sockaddr *)&addr, sizeof(addr)))))
		err = -errno;
	if (!err && (chmod(path, 0600) || listen(fd, 8)))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* The thread must take none of the program's signals. */
static int server_spawn(void)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&server.thread, NULL, server_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

static int server_start(const char *path)
{
	int err;

	server.listen_fd = server_listen(path);
	if (server.listen_fd < 0)
		return server.listen_fd;
	server.stop_fd = eventfd(0, EFD_CLOEXEC);
	err = server.stop_fd < 0 ? -errno : server_spawn();
	if (err) {
		if (server.stop_fd >= 0)
			close(server.stop_fd);
		close(server.listen_fd);
		unlink(path);
		return err;
	}
	strcpy(server.path, path);
	server.pid = getpid();
	server.running = true;
	return 0;
}

/* On the endpoint's own thread (it ended the last VM): no join, the
 * thread leaves after its answer. */
static void server_stop(void)
{
	uint64_t one = 1;

	if (pthread_equal(pthread_self(), server.thread)) {
		server_self_stopped = true;
		pthread_detach(server.thread);
	} else if (write(server.stop_fd, &one, sizeof(one)) == sizeof(one)) {
		pthread_join(server.thread, NULL);
	}
	close(server.stop_fd);
	close(server.listen_fd);
	unlink(server.path);
	server.running = false;
}

/* In a child of fork() the parent's endpoint is not ours: forget it,
 * without touching the parent's socket. */
static void server_forget_parent(void)
{
	if (!server.running || server.pid == getpid())
		return;
	close(server.stop_fd);
	close(server.listen_fd);
	server.running = false;
	pthread_mutex_lock(&server.sources_lock);
	server.nsources = 0;
	pthread_mutex_unlock(&server.sources_lock);
}

static int sources_append(void *source, const struct introspect_source_ops *ops)
{
	int err = 0;

	pthread_mutex_lock(&server.sources_lock);
	if (server.nsources == SOURCES_MAX)
		err = -ENOSPC;
	else
		server.sources[server.nsources++] =
			(struct source){ source, ops };
	pthread_mutex_unlock(&server.sources_lock);
	return err;
}

/* A child of fork(): the locks' holders, if any, were other threads. */
static void server_in_child(void)
{
	pthread_mutex_init(&server.life_lock, NULL);
	pthread_mutex_init(&server.sources_lock, NULL);
}

static void server_fork_init(void)
{
	pthread_atfork(NULL, NULL, server_in_child);
}

/* life_lock, with the child's handler registered before its first use. */
static void server_life_lock(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, server_fork_init);
	pthread_mutex_lock(&server.life_lock);
}

int introspect_server_add(const char *path, void *source,
			  const struct introspect_source_ops *ops)
{
	int err = 0;

	server_life_lock();
	server_forget_parent();
	if (server.running && strcmp(server.path, path))
		err = -EBUSY;
	else if (!server.running)
		err = server_start(path);
	if (!err)
		err = sources_append(source, ops);
	if (err && server.running && !server.nsources)
		server_stop();
	pthread_mutex_unlock(&server.life_lock);
	return err;
}

/* Whether `source` was served; it is not any more. */
static bool sources_drop(void *source)
{
	bool found = false;

	pthread_mutex_lock(&server.sources_lock);
	for (size_t i = 0; i < server.nsources && !found; i++) {
		found = server.sources[i].source == source;
		if (found)
			server.sources[i] = server.sources[--server.nsources];
	}
	pthread_mutex_unlock(&server.sources_lock);
	return found;
}

void introspect_server_remove(void *source)
{
	server_life_lock();
	server_forget_parent();
	if (server.running && sources_drop(source) && !server.nsources)
		server_stop();
	pthread_mutex_unlock(&server.life_lock);
}
