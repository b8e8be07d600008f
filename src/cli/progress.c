/* progress.c: the one line a long `report` shows on standard error while it
 * works (files read of total, then the step it is on). On a terminal it is
 * redrawn in place and appears only once a run has taken a second, so short
 * runs print nothing more than before; --progress forces it (into a file or
 * pipe as one line per step, never the redrawn counts), --no-progress turns
 * it off. Our own words and counts only: no input string is in it. One
 * state per process (one report per process); the reading threads count
 * under its lock. */
#include "cli.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
  int on, forced, tty, shown; /* drawing at all; --progress; redrawn in place; a line is on screen */
  int64_t start_ns, last_ns;
  uint32_t done, total;
  pthread_mutex_t lock;
} S_p = {0, 0, 0, 0, 0, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER};

static int64_t S_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Writes line (locked): in place on a terminal, as a line of its own else. */
static void S_draw(const char *line) {
  if (S_p.tty) {
    fprintf(stderr, "\r\033[K%s", line);
    S_p.shown = 1;
  } else {
    fprintf(stderr, "%s\n", line);
  }
  fflush(stderr);
}

void pd_progress_start(int mode, uint32_t total) {
  pthread_mutex_lock(&S_p.lock);
  S_p.tty = isatty(STDERR_FILENO);
  S_p.on = mode > 0 || (mode == 0 && S_p.tty);
  S_p.forced = mode > 0;
  S_p.start_ns = S_p.last_ns = S_now();
  S_p.done = 0;
  S_p.total = total;
  if (S_p.on && mode > 0 && !S_p.tty) {
    char line[96];
    snprintf(line, sizeof line, "profdiff: reading %u files", total);
    S_draw(line);
  }
  pthread_mutex_unlock(&S_p.lock);
}

/* Without --progress the line waits for the run's first second. */
static int S_due(int64_t now) { return S_p.on && (S_p.forced || now - S_p.start_ns >= 1000000000); }

void pd_progress_file_done(void) {
  pthread_mutex_lock(&S_p.lock);
  S_p.done++;
  int64_t now = S_now();
  /* counts are redrawn on a terminal only, at most ten times a second */
  if (S_p.on && S_p.tty && S_due(now) && (now - S_p.last_ns >= 100000000 || S_p.done == S_p.total)) {
    char line[96];
    snprintf(line, sizeof line, "profdiff: read %u of %u files", S_p.done, S_p.total);
    S_draw(line);
    S_p.last_ns = now;
  }
  pthread_mutex_unlock(&S_p.lock);
}

void pd_progress_step(void *ctx, const char *what) {
  (void)ctx;
  pthread_mutex_lock(&S_p.lock);
  if (S_due(S_now())) {
    char line[96];
    snprintf(line, sizeof line, "profdiff: %s", what);
    S_draw(line);
  }
  pthread_mutex_unlock(&S_p.lock);
}

void pd_progress_clear(void) {
  pthread_mutex_lock(&S_p.lock);
  if (S_p.shown) {
    fputs("\r\033[K", stderr);
    S_p.shown = 0;
  }
  pthread_mutex_unlock(&S_p.lock);
}

void pd_progress_end(void) {
  pd_progress_clear();
  pthread_mutex_lock(&S_p.lock);
  S_p.on = 0;
  pthread_mutex_unlock(&S_p.lock);
}
