/* window.h: time windows over a series (`report --base-window A..B
 * --head-window C..D`, `--since`, `--until`).
 *
 * A hosted profiler's compare view puts one time range against another:
 * every snapshot of each window is aggregated (the mean for gauges such as a
 * heap's in-use figures, the sum for counters such as CPU time), and the two
 * aggregates are compared as a pair. --since / --until only cut the series.
 * Times are the snapshots' own (the profile's time, else the time in its
 * file name, else its modification time with --order mtime): the rule the
 * series orders by. Bounds are RFC 3339 times or offsets from the last
 * snapshot ("-60m", "-1h30m", "0"); a window includes both ends.
 */
#ifndef PD_WINDOW_H
#define PD_WINDOW_H

#include "analyse.h"

typedef struct pd_timebound {
  int set;      /* 0: open (no bound) */
  int relative; /* ns is an offset from the last snapshot */
  int64_t ns;
} pd_timebound;

typedef struct pd_window {
  int set;
  pd_timebound from, to;
  char text[96]; /* as given, for the words */
} pd_window;

typedef enum { PD_AGG_AUTO, PD_AGG_MEAN, PD_AGG_SUM } pd_aggregate;

typedef struct pd_window_opts {
  pd_window base, head; /* both or neither */
  pd_timebound since, until;
  pd_aggregate aggregate;
  int order_mtime;
} pd_window_opts;

/* "2026-11-22T19:09:35Z", "-60m", "-1h30m", "+5m", "0". what names the
 * option in the message. */
int pd_timebound_parse(const char *text, const char *what, pd_timebound *b, pd_err *err);
/* "A..B" (either side may be empty: open). */
int pd_window_parse(const char *text, const char *what, pd_window *w, pd_err *err);
int pd_aggregate_parse(const char *text, pd_aggregate *a);

static inline int pd_window_opts_active(const pd_window_opts *o) {
  return o->base.set || o->head.set || o->since.set || o->until.set;
}

/* What the windows made of n reduced snapshots (paths[i] and mtime_ns[i]
 * for snaps[i]; missing[i] set for an input that was skipped):
 *  - with --base-window/--head-window, npick = 2 and pick[0], pick[1]
 *    are the aggregated snapshots (owned here), base first;
 *  - else pick lists the snapshots kept by --since/--until (not owned).
 * compared is one sentence on what was compared, for the reports. */
typedef struct pd_window_result {
  pd_snapshot *pick[2];
  pd_snapshot agg[2];
  uint32_t *kept; /* --since/--until: indexes into snaps */
  uint32_t nkept;
  int paired;
  char *compared;
} pd_window_result;

int pd_windows_apply(pd_snapshot *snaps, const uint8_t *missing, const char *const *paths,
                     const int64_t *mtime_ns, uint32_t n, const pd_window_opts *o, pd_window_result *r,
                     pd_err *err);
void pd_window_result_free(pd_window_result *r);

#endif
