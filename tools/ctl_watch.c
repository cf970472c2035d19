// SPDX-License-Identifier: MIT
/*
 * The watch view. Every interval (one second unless told) it takes a new
 * snapshot through the endpoint and redraws the screen from the top: a
 * title line, the counters, the latest fault and the map of every slot.
 * On a terminal, 'q' quits at once (the terminal is put in
 * non-canonical mode and given back as it was, on 'q', on SIGINT or
 * SIGTERM, and when the process watched ends); elsewhere, or with
 * --json, each refresh is printed after the last (a JSON object a
 * refresh), until the process ends or a signal stops gmemctl.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl_inspect.h"
#include "ctl_output.h"
#include "ctl_watch.h"

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static void watch_screen(const struct ctl *c, const struct snapshot *s,
			 unsigned long refresh)
{
	char when[32];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	/* Home, then clear to the end: no flicker of a blank screen. */
	printf("\033[H");
	printf("gmemctl watch: pid %ld via %s  %s  refresh %lu  (q quits)"
	       "\033[K\n\n",
	       s->pid, c->socket, when, refresh);
	print_stats(stdout, s);
	putchar('\n');
	print_faults(stdout, s);
	putchar('\n');
	print_draw(stdout, s, true);
	printf("\033[J");
	fflush(stdout);
}

static void watch_json(const struct snapshot *s, unsigned long refresh)
{
	json_begin("watch");
	json_bool("ok", true);
	json_u64("pid", (uint64_t)s->pid);
	json_u64("refresh", refresh);
	json_u64("vms", s->nvms);
	for (size_t v = 0; v < s->nvms; v++) {
		uint64_t ok = 0;

		for (int m = 0; m < SNAP_MODES; m++)
			ok += s->vms[v].conversions[m][0];
		json_u64("conversions_ok", ok);
		json_u64("faults", s->vms[v].counters[SNAP_FAULTS]);
	}
	json_end();
}

/* Wait one interval; true if 'q' was typed. */
static bool watch_wait(bool tty, uint64_t interval_ms)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char key;

	if (!tty) {
		poll(NULL, 0, (int)interval_ms);
		return false;
	}
	if (poll(&p, 1, (int)interval_ms) <= 0)
		return false;
	return read(STDIN_FILENO, &key, 1) == 1 && (key == 'q' || key == 'Q');
}

int cmd_watch(struct ctl *c, const struct call *call)
{
	uint64_t interval = call->interval_ms ? call->interval_ms : 1000;
	bool tty = !c->json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	struct sigaction sa = { .sa_handler = on_stop }, old_int, old_term;
	struct termios saved, raw;
	unsigned long refresh = 0;
	int err = 0;

	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (tty && tcgetattr(STDIN_FILENO, &saved))
		tty = false;
	if (tty) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		printf("\033[2J");
	}
	while (!watch_stop && !err) {
		struct snapshot s;

		err = ctl_snapshot(c, "watch", &s);
		if (err)
			break;
		if (tty)
			watch_screen(c, &s, ++refresh);
		else if (c->json)
			watch_json(&s, ++refresh);
		else {
			print_stats(stdout, &s);
			print_draw(stdout, &s, true);
			fflush(stdout);
		}
		snapshot_free(&s);
		if (watch_wait(tty, interval))
			break;
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return refresh ? 0 : err;
}
