/* stats.h: the statistics behind trend verdicts, written out so each can be
 * checked by hand (tests/unit/test_stats.c) and documented in
 * docs/analysis.md. All take n points (x[i], y[i]); none allocate except
 * Theil-Sen's scratch, which the caller provides.
 */
#ifndef PD_STATS_H
#define PD_STATS_H

#include <stddef.h>

typedef struct pd_fit {
  double slope, intercept;
  double r2;     /* coefficient of determination; 0 when y is constant */
  int valid;     /* needs n >= 2 and x not constant */
} pd_fit;

/* Ordinary least squares y = intercept + slope * x. */
pd_fit pd_least_squares(const double *x, const double *y, size_t n);

/* Theil-Sen estimator: the median of the slopes (y[j]-y[i])/(x[j]-x[i]) over
 * pairs with x[j] != x[i]. Robust: one outlier cannot move it. scratch must
 * hold n*(n-1)/2 doubles, or PD_THEIL_SEN_MAX_PAIRS when n is larger (pairs
 * are then taken with a fixed stride, deterministically). Returns NAN when
 * no pair has distinct x. */
#define PD_THEIL_SEN_MAX_PAIRS 20000
size_t pd_theil_sen_scratch(size_t n);
double pd_theil_sen(const double *x, const double *y, size_t n, double *scratch);

/* Mann-Kendall monotonic trend test on y in order: S = sum over i<j of
 * sign(y[j]-y[i]) (differences within `tie` count as ties), its variance
 * with the tie correction, the normal score Z with continuity correction,
 * the two-sided p-value, and Kendall's tau. */
typedef struct pd_mk {
  double s, var_s, z, p, tau;
} pd_mk;

pd_mk pd_mann_kendall(const double *y, size_t n, double tie);

/* Mann-Kendall with the Hamed-Rao (1998) correction for serial
 * correlation: the series is detrended with its Theil-Sen slope (over x),
 * the detrended values are ranked, and every lag k whose rank
 * autocorrelation r_k is significant at 5% (|r_k| > 1.96/sqrt(n)) widens
 * Var(S) by the factor 1 + 2/(n(n-1)(n-2)) sum (n-k)(n-k-1)(n-k-2) r_k
 * (at least 1: never more confident than the independent test). factor
 * receives it. scratch: pd_mann_kendall_hr_scratch(n) doubles. */
pd_mk pd_mann_kendall_hr(const double *x, const double *y, size_t n, double *scratch, double *factor);
size_t pd_mann_kendall_hr_scratch(size_t n);
/* The same with the Theil-Sen slope of (x, y) already known (theil_sen,
 * NULL to compute it): trend verdicts test the window whose slope they
 * report. */
pd_mk pd_mann_kendall_hr_beta(const double *x, const double *y, size_t n, const double *theil_sen,
                              double *scratch, double *factor);

/* Continuous two-piece (hinge) least squares with its knot at x[k]:
 * y = c + b1 x + b2 max(0, x - x[k]); slope b1 before the knot, b1 + b2
 * after. sse is the residual sum of squares. valid needs 3 distinct x on
 * the line and a point on each side of the knot. */
typedef struct pd_hinge {
  double c, b1, b2, sse;
  int valid;
} pd_hinge;

pd_hinge pd_hinge_fit(const double *x, const double *y, size_t n, size_t k);

/* The knot k in [2, n-4] whose hinge fit has the least sse (the first of
 * equals), as pd_hinge_fit would find trying each in turn, with *best its
 * fit; 0 when no knot gives a valid fit (n < 6). O(n) instead of O(n^2)
 * when x does not decrease (docs/performance.md). */
size_t pd_hinge_best(const double *x, const double *y, size_t n, pd_hinge *best, double *scratch);
/* pd_hinge_best's scratch: this many doubles (from malloc: long doubles
 * are kept in it) */
size_t pd_hinge_best_scratch(size_t n);

/* Series of this many points or more take the long ways: Hamed-Rao's lag
 * sums by a number-theoretic transform (exact: the same bits), and the
 * knot search fits at most 16 of the knots its screen cannot tell apart
 * (those within rounding of the least sse; the figures of the one chosen
 * are still its exact fit's, but which of the equally good knots that is
 * may differ from fitting all of them). Shorter series are as before. */
#define PD_STATS_LONG 4096

/* Set (by tests) to compute every figure the quadratic way it was first
 * written, which the faster ways must reproduce bit for bit. */
extern int pd_stats_quadratic;

/* Standard normal cumulative distribution function. */
double pd_normal_cdf(double z);

/* Median of n values (reorders them). */
double pd_median(double *v, size_t n);

#endif
