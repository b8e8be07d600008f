/* series.h: a series of snapshots analysed together (`profdiff report`).
 *
 * Snapshots are added in any order (by worker threads, as each file is
 * reduced) into per-function tables with one column per input; the tables
 * grow with functions x snapshots, never with the size of the inputs. When
 * all are in, pd_series_finish decides the order (the profiles' own times,
 * else times in file names, else argument order; or modification times when
 * asked), scales for differing sampling periods, cuts the series at resets,
 * and computes every figure of docs/analysis.md: deltas, shares, slopes
 * (least squares, Theil-Sen), the Mann-Kendall trend test, sampling noise,
 * a trend verdict per function and the ranked leak suspects. It also merges
 * the snapshots' (pruned) call trees into one tree for the flame graphs.
 */
#ifndef PD_SERIES_H
#define PD_SERIES_H

#include <pthread.h>

#include "analyse.h"
#include "stats.h"
#include "trend.h"

typedef enum {
  PD_ORDER_TIME_NANOS, /* every profile carries time_nanos */
  PD_ORDER_FILE_NAME,  /* every file name carries a time */
  PD_ORDER_MTIME,      /* --order mtime */
  PD_ORDER_ARGUMENT    /* none of the above: as given */
} pd_order_rule;

const char *pd_order_rule_name(pd_order_rule r);

typedef struct pd_series_opts {
  int order_mtime;     /* --order mtime */
  double reset_drop;   /* a reset is a drop of the total by this fraction (0.4) */
  double noise_z;      /* changes within z sigma of sampling noise are noise (3) */
  double materiality;  /* changes below this fraction of the total are not trends (1e-4) */
  double alpha;        /* the trend test's level (0.01) */
  double floor_function; /* a trend changes the function by at least this fraction of its size (0.20) */
  double floor_total;  /* and by at least this fraction of the total (0.005) */
  double break_f;      /* a break in a trend needs this F (10) */
  double tree_min_fraction;
  int defer_tree;      /* pd_series_finish leaves the merged tree to pd_series_tree (0) */
} pd_series_opts;

void pd_series_opts_default(pd_series_opts *o);

/* One input as given on the command line. */
typedef struct pd_snapinfo {
  const char *path;
  int added;
  int64_t time_ns;  /* the profile's own, 0 if none */
  int64_t name_ns;  /* from the file name, 0 if none */
  int64_t mtime_ns;
  pd_val total;
  double total_var;
  double period;
  double scale;     /* applied for a differing sampling period (1 = none) */
  const char *sample_type, *unit, *period_type, *period_unit;
  pd_noise_kind noise;
  int has_alloc;    /* its figures carry cumulative allocations (analyse.h) */
  char **warnings;
  uint32_t nwarnings;
  /* Until pd_series_finish, the snapshot's per-function figures and the
   * values of its pruned tree (own values and the parts of them cut from
   * lighter frames, each at its node in the series' shared stack
   * structure, pd_series.nodes), packed (series.c): about 12 bytes a
   * function and 4 a frame with a value, where arrays took 24 and 12. */
  pd_buf funcs;
  int has_tree;
  uint32_t tree_nself, tree_ncut;
  pd_buf tree;
  /* where funcs and tree went in the series' spill file (series.c), and
   * their lengths there; 0 when they stayed in memory */
  uint64_t funcs_off, tree_off;
  size_t funcs_spilled, tree_spilled;
  pd_arena arena;
} pd_snapinfo;

typedef struct pd_segment {
  uint32_t first, last; /* positions in the ordered series, inclusive */
} pd_segment;

typedef struct pd_segstats {
  double slope, r2, theil_sen; /* per hour (per snapshot without times) */
  pd_trend trend;
} pd_segstats;

/* The figures of one function (flat values unless named _cum). */
typedef struct pd_funcstats {
  uint32_t key;
  pd_val first, last, delta; /* exact: whole values stay whole (report.json) */
  double delta_pct, delta_sigma;
  int significant;      /* |delta| beyond the noise band and material */
  pd_val first_cum, last_cum, delta_cum;
  double delta_cum_pct;
  double share_first, share_last, share_shift; /* percent, points */
  double share_cum_first, share_cum_last;
  pd_fit fit;           /* least squares over the analysis window */
  double theil_sen;     /* per hour over the window */
  pd_mk mk;             /* Hamed-Rao corrected, on the part that decided the verdict */
  double mk_factor;     /* its variance correction */
  /* the verdict's own figures (trend.h, pd_trend_result): the current
   * part of the window starts at position `since`; rate is its
   * least-squares slope, the one the words, tables and graphs give */
  int32_t since;
  int has_break;
  int by_counts;        /* the break and trend by likelihood on sampled counts (trend.c), not Mann-Kendall */
  int against;          /* then the steps of the current part that go the other way (trend.h) */
  double break_p;       /* then that test's p-value */
  double first_arrival; /* the break is the last absence before its first sampled object (trend.c):
                         * the sampled objects since (else 0) */
  double rate, rate_before, change, threshold, noise_band, floor;
  /* growing by its never-freed part (trend.h, pd_trend_judge_part): that
   * part's change since `since`, its threshold, the sampled objects it
   * is, and the p of the test on it (by_counts' or Mann-Kendall's) */
  int part, part_by_counts;
  double part_change, part_threshold, part_objects, part_p;
  double held_change, held_band; /* plateau: last - value at since, and the band it stayed in */
  pd_fit fit_all;       /* least squares over every snapshot */
  pd_fit fit_cum;       /* cum, over the window */
  int rising_steps, steps;
  pd_trend trend;
  /* plateau: since when the value has held (position), and the shares */
  int32_t plateau_since;
  double plateau_change_pct, plateau_share_from, plateau_share_to;
  double score;         /* suspects: size x certainty */
  const char *reason;   /* one sentence, arena-owned */
  pd_segstats *segs;    /* one per segment */
} pd_funcstats;

typedef struct pd_series {
  pd_series_opts opts;
  pd_intern keys;
  pthread_mutex_t keys_lock, lock;
  uint32_t n;            /* snapshots in the series */
  int has_base;          /* snap[n] is --base */
  pd_snapinfo *snap;     /* argument order; [n] is the base */
  uint32_t ncols;        /* n + has_base */
  uint32_t rows, rows_cap;
  uint8_t *seen;         /* [key]: on a stack of some snapshot */
  int spill_fd;          /* the snapshots' packed figures until finish (-1: none, -2: not opened) */
  uint64_t spill_end;
  /* set by pd_series_finish: each key's flat and cum values and flat
   * variances by column, packed (read with pd_series_columns) */
  pd_buf rowdata;
  size_t *row_at;        /* [key]: its row's start; [rows]: the end */
  pd_arena arena;
  pd_arena arena2;       /* what pd_series_finish's second thread allocates */
  char err[1024];        /* first error met by pd_series_add */
  /* What the series compares when time windows made it (analyse/window.h):
   * one sentence for the reports, malloc'd, freed with the series; NULL
   * otherwise. */
  char *compared;

  /* set by pd_series_finish */
  uint32_t npos;         /* snapshots taking part (added, not skipped) */
  pd_order_rule rule;
  int has_times;         /* t is in hours; else in snapshots */
  uint32_t *order;       /* position -> column */
  double *t;             /* position -> hours since the first (or index) */
  double *total;         /* position -> total (scaled) */
  double *total_sigma;
  int scaled;            /* sampling periods differed and values were scaled */
  pd_segment *segs;
  uint32_t nsegs;
  uint32_t win_first, win_last; /* the analysis window (positions) */
  int alloc_ok;          /* the window's cumulative allocations are one process's (series.c) */
  int32_t first_col, last_col;  /* columns compared by deltas (base or first; last) */
  pd_funcstats total_stats;     /* the same figures for the total */
  pd_funcstats *fs;
  uint32_t nfs;
  uint32_t *suspects;    /* indexes into fs, most likely first */
  uint32_t nsuspects;
  char **warnings;
  uint32_t nwarnings, capwarnings;
  /* one tree for all snapshots: columns below, widths of the last snapshot,
   * the first (or base), and the per-frame growth slope per hour */
  pd_tree tree;
  /* The stacks of every snapshot's tree, merged as they are added (under
   * lock; no columns): snapshots keep node ids into it, not trees. Its ids
   * depend on which thread added what first, so pd_series_finish rebuilds
   * `tree` from it in column order. */
  pd_tree nodes;
} pd_series;

/* PD_SCOL_CUT_* hold what the snapshots' pruned trees moved into a node
 * from frames too light to keep (PD_COL_CUT), for the flame graphs' notes. */
enum { PD_SCOL_FIRST = 0, PD_SCOL_LAST = 1, PD_SCOL_BASE = 2, PD_SCOL_SLOPE = 3,
       PD_SCOL_STY = 4, PD_SCOL_CUT_FIRST = 5, PD_SCOL_CUT_LAST = 6, PD_SCOL_CUT_BASE = 7,
       PD_SERIES_TREE_COLS = 8 };

/* n snapshots, plus a base when has_base. */
void pd_series_init(pd_series *s, uint32_t n, int has_base, const pd_series_opts *o);
void pd_series_free(pd_series *s);

/* Records which file column col is (before it is added, so errors and
 * ordering can name it), with its modification time. */
void pd_series_set_path(pd_series *s, uint32_t col, const char *path, int64_t mtime_ns);

/* Takes a reduced snapshot into column col (thread-safe). The snapshot's
 * tree moves into the series; everything else is copied, so the caller
 * frees the snapshot. Fails when its sample type or unit differs from the
 * snapshots already in. */
int pd_series_add(pd_series *s, uint32_t col, pd_snapshot *snap, pd_err *err);

/* Marks column col as skipped (--keep-going): it takes no part. */
void pd_series_skip(pd_series *s, uint32_t col, const char *why);

int pd_series_finish(pd_series *s, pd_err *err);

/* The merged tree (s->tree, with the growth graph's rates), built by
 * pd_series_finish unless opts.defer_tree: a caller that reads profiles
 * again after the verdicts (report's suspects' lines) builds it after
 * that, in the memory the reading gave back. Once built, does nothing. */
void pd_series_tree(pd_series *s);

/* The reason sentence of f (trend.c), from y (its flat values at every
 * position) and the verdict's own figures. */
void pd_series_reason(const pd_series *s, pd_funcstats *f, const double *y, pd_arena *arena);

void pd_series_warn(pd_series *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A function's flat and cum values, flat variances and the variances of
 * its cumulative allocations (scaled; analyse.h), by
 * column (argument order, [n] the base: ncols each) or by position of the
 * ordered series (npos each); any may be NULL. After pd_series_finish;
 * safe from several threads. */
void pd_series_columns(const pd_series *s, uint32_t key, pd_val *flat, pd_val *cum, float *var, double *avar);
/* The same and the never-freed part of each cell with its variance
 * (analyse.h; 0 for a function too small to keep its allocations). */
void pd_series_columns_nf(const pd_series *s, uint32_t key, pd_val *flat, pd_val *cum, float *var, double *avar,
                          double *nf, float *nfvar);
void pd_series_values(const pd_series *s, uint32_t key, double *flat, double *cum, double *var);
/* The same with the values exact (pd_val), for writers of data (report.json). */
void pd_series_values_exact(const pd_series *s, uint32_t key, pd_val *flat, pd_val *cum, double *var);

/* The time of column col by the series' ordering rule (0 when it has none). */
static inline int64_t pd_series_time_ns(const pd_series *s, uint32_t col) {
  const pd_snapinfo *si = &s->snap[col];
  return s->rule == PD_ORDER_FILE_NAME ? si->name_ns : s->rule == PD_ORDER_MTIME ? si->mtime_ns : si->time_ns;
}

#endif
