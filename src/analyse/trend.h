/* trend.h: the trend verdict of one function's values over a window of a
 * series (growing, plateau, shrinking, stable), its current rate and onset,
 * and the sentence that gives the reason with the same numbers. The method,
 * formula for formula, is docs/analysis.md sections 6-8; the statistics
 * themselves are in stats.h.
 */
#ifndef PD_TREND_H
#define PD_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

typedef enum {
  PD_TREND_STABLE,
  PD_TREND_GROWING,
  PD_TREND_PLATEAU,
  PD_TREND_SHRINKING,
  PD_TREND_NEW,
  PD_TREND_GONE
} pd_trend;

const char *pd_trend_name(pd_trend t);

/* The thresholds of a verdict (pd_series_opts holds the user's). */
typedef struct pd_trend_params {
  double noise_z;        /* a change counts beyond z sigma of its sampling noise (3) */
  double alpha;          /* the trend test's level, two-sided (0.01) */
  double floor_function; /* and only when at least this fraction of the function's largest value (0.20) */
  double floor_total;    /* and of the largest total in the window (0.005) */
  double material;       /* and of this absolute size (materiality x total) */
  double break_f;        /* a break in the trend needs F of at least this (10) */
} pd_trend_params;

/* What the verdict was computed from; indexes are window-relative. */
typedef struct pd_trend_result {
  pd_trend trend;
  uint32_t since;       /* the current part starts here: onset of growth, start of a plateau */
  int has_break;        /* a two-piece fit beat a line (section 7) */
  double break_f;       /* the best knot's F, after the autocorrelation correction */
  double break_p;       /* a persistent sampled series: the best knot's likelihood-ratio p (Bonferroni),
                         * or with first_arrival that test's p */
  double first_arrival; /* the knot is the function's last absence, by the first-arrival test:
                         * the sampled objects that came after it (else 0) */
  int by_counts;        /* the current part's trend was decided by that test, not Mann-Kendall */
  int against;          /* then its steps that go the other way by half a sampled object or more
                         * (0 unless persistence was read from the allocations: a few freed) */
  double rate;          /* least-squares slope of the current part (per x unit) */
  double rate_before;   /* least-squares slope before the break (has_break) */
  double change;        /* rate x duration of the current part (plateau: the rise before it) */
  double threshold;     /* what |change| had to exceed: max(noise band, floor) */
  double noise_band;    /* z sqrt(Var(first) + Var(last)) of the part tested */
  double floor;         /* the practical-significance floor */
  double held_change;   /* plateau: last - value at since */
  double held_band;     /* plateau: the band it stayed within */
  pd_mk mk;             /* Mann-Kendall (Hamed-Rao) on the part that decided */
  double mk_factor;     /* its variance correction n/n* */
  int rising, steps;    /* steps up among the steps of that part */
  double theil_sen;     /* over the whole window */
  /* decided on the function's never-freed part (pd_trend_judge_part):
   * the part's change over the current part, its threshold, the sampled
   * objects that change is, and the p of the test that decided it
   * (Mann-Kendall's, or with part_by_counts the count test's) */
  int part, part_by_counts;
  double part_change, part_threshold, part_objects, part_p;
} pd_trend_result;

size_t pd_trend_scratch(size_t n);

/* Judges values y[0..n) at times x with sampling variances var; avar (or
 * NULL) the variances of the function's cumulative allocations
 * (analyse.h, pd_noise_alloc_variance), which say how many sampled
 * objects came and went between two snapshots; total (or NULL) is the
 * series' total at the same positions, for the floor. */
pd_trend pd_trend_judge(const double *x, const double *y, const double *var, const double *avar,
                        const double *total, size_t n, const pd_trend_params *p, double *scratch,
                        pd_trend_result *r);

/* The verdict of a function whose values y also hold objects that come
 * and go, on its never-freed part nf (variances nfvar; analyse.h): 1 and
 * r filled when that part grows and the function's own change over the
 * same part passes both thresholds (trend.c), else 0 and r untouched. */
int pd_trend_judge_part(const double *x, const double *y, const double *nf, const double *nfvar,
                        const double *total, size_t n, const pd_trend_params *p, double *scratch,
                        pd_trend_result *r);

/* Whether cumulative allocations avar can be one process's at every step
 * of [0, n): they never fall, and the value's variance never rises by more
 * than theirs (a freed object cannot be negative), within half a sampled
 * object. Snapshots of different processes (a restart, runs compared as
 * a series) fail it for some function at almost every step. */
int pd_trend_alloc_consistent(const double *y, const double *var, const double *avar, size_t n);

/* The largest span / (2 sd) of times x over the parts [i, n) of three
 * points or more (at least 1; INFINITY when times are not finite): a
 * least-squares change over any such part is at most this times twice the
 * range of the values, so values whose range r has 2 r gain below the
 * floor can be no trend (trend.c). */
double pd_trend_floor_gain(const double *x, size_t n);

/* Durations in a fitting unit: ms, s, min, h, days. */
void pd_trend_fmt_duration(double hours, char *buf, size_t n);

#endif
