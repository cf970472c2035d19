// SPDX-License-Identifier: MIT
/*
 * The process generation: a counter that only a child's fork handler
 * moves. A pid would do as well until the parent exits and its number is
 * handed to one of the child's own descendants; the counter cannot be
 * reused that way.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "process.h"

static atomic_uint generation;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void count_child(void)
{
	atomic_fetch_add_explicit(&generation, 1, memory_order_relaxed);
}

static void process_watch_forks(void)
{
	pthread_atfork(NULL, NULL, count_child);
}

unsigned process_generation(void)
{
	pthread_once(&process_once, process_watch_forks);
	return atomic_load_explicit(&generation, memory_order_relaxed);
}
