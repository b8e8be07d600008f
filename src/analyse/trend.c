/* trend.c: one function's trend verdict over a window, its current rate
 * and onset (see trend.h), and the reason sentence built from the same
 * numbers (pd_series_reason, declared in series.h).
 *
 * Why this shape: heap values are serially correlated (consecutive
 * snapshots share most of their objects), so the trend test is
 * Mann-Kendall with the Hamed-Rao variance correction; a trend must also
 * be large, beyond the sampling noise and a practical floor; and where
 * growth started or stopped is found by a two-piece fit, so that a leak
 * that began late is measured since it began and a plateau is only called
 * when the recent part is flat, never when it keeps rising.
 */
#include "trend.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "series.h"

const char *pd_trend_name(pd_trend t) {
  switch (t) {
  case PD_TREND_STABLE: return "stable";
  case PD_TREND_GROWING: return "growing";
  case PD_TREND_PLATEAU: return "plateau";
  case PD_TREND_SHRINKING: return "shrinking";
  case PD_TREND_NEW: return "new";
  case PD_TREND_GONE: return "gone";
  }
  return "?";
}

size_t pd_trend_scratch(size_t n) {
  size_t a = pd_mann_kendall_hr_scratch(n), b = pd_hinge_best_scratch(n);
  return a > b ? a : b;
}

/* The noise band of a change d made only of objects sampled in between
 * (or only of ones freed), with variance v: those are N = d^2 / v sampled
 * objects of weight w = v / d each, a Poisson count, and the band is the
 * distance from N to the lower end of its score interval,
 * w (z sqrt(N + z^2/4) - z^2/2) = z sqrt(v + z^2 w^2 / 4) - z^2 w / 2.
 * For many objects this is z sqrt(v); for a few it is narrower, since the
 * variance of a count is its mean's, not the observed count's (a function
 * that went from none to seven sampled objects, none freed, did grow; the
 * Wald band z sqrt(v) = 7.9 w would call it noise). */
static double S_count_band(double d, double v, double z) {
  d = fabs(d);
  if (v <= 0) return 0;
  if (d <= 0) return z * sqrt(v);
  double w = v / d;
  return z * sqrt(v + z * z * w * w / 4) - z * z * w / 2;
}

/* The weight of one sampled object in a value: Var(V) / V (for objects
 * much smaller than the sampling rate, about the rate); 0 when exact. */
static double S_weight(double y, double var) { return y != 0 ? var / fabs(y) : 0; }

/* Half a sampled object of the larger weight of i and j, in variance
 * (an object of weight w adds about w^2), with room for the rounding of
 * sums that grow with the process and of the in-use variances, which the
 * series keeps as floats (an exact profile's, the formula's 1e-5 for
 * objects of rate 1, are mostly rounding). */
static double S_alloc_tol(const double *y, const double *var, const double *avar, size_t i, size_t j) {
  double w = fmax(S_weight(y[i], var[i]), S_weight(y[j], var[j]));
  return 0.5 * w * w + 1e-9 * fmax(fabs(avar[i]), fabs(avar[j])) + 2.5e-7 * fmax(fabs(var[i]), fabs(var[j]));
}

/* The variances of the sampled objects allocated (A) and freed (F)
 * between positions i and j, from the cumulative allocations (section 4
 * of docs/analysis.md). */
static void S_flow(const double *var, const double *avar, size_t i, size_t j, double *allocs, double *frees) {
  *allocs = avar[j] - avar[i];
  *frees = *allocs - (var[j] - var[i]);
}

/* Half a sampled object's weight at the step into k: a smaller move is
 * the profile's rescaling of a record, not an object (S_persistent). */
static double S_step_tol(const double *y, const double *var, size_t k) {
  return 0.5 * fmax(S_weight(y[k], var[k]), S_weight(y[k - 1], var[k - 1]));
}

int pd_trend_alloc_consistent(const double *y, const double *var, const double *avar, size_t n) {
  for (size_t k = 0; k < n; k++) /* a hostile profile's figures can overflow: then unknown */
    if (!isfinite(avar[k]) || !isfinite(var[k]) || !isfinite(y[k])) return 0;
  for (size_t k = 1; k < n; k++) {
    double allocs, frees, tol = S_alloc_tol(y, var, avar, k - 1, k);
    S_flow(var, avar, k - 1, k, &allocs, &frees);
    if (allocs < -tol || frees < -tol) return 0;
  }
  return 1;
}

#define S_UP 1
#define S_DOWN 2

/* Whether persistence is known over [i, j]: S_UP when no sampled object
 * was freed, S_DOWN when none was allocated (both when it holds still), 0
 * otherwise. A heap profiler samples an object once, at allocation, so
 * then the values are the same sampled objects plus new ones (or minus
 * freed ones), and only the difference adds noise (S_threshold).
 *
 * With cumulative allocations (avar, one process's: the caller checked)
 * this is known: the variance of the objects sampled in between is
 * A = avar_j - avar_i, that of those freed F = A - (var_j - var_i), and
 * the part is one of arrivals when F is below half an object or a tenth
 * of A (of departures: the mirror image). A few freed among many
 * allocated are a slice's old backing arrays, which a growing function
 * frees as it appends; the tests of counts then take A + F for the
 * variance of the change, not A - F (S_count_var). Churn frees about as
 * much as it allocates.
 *
 * Without them, from the steps: none goes the other way beyond half an
 * object's weight (smaller moves are the profile's rescaling of a record
 * whose mean object size changed: pprof's values are count x mean size /
 * (1 - exp(-mean/rate))). That guess is wrong when objects were freed and
 * as many allocated in each step, as happens in a short part (two or
 * three steps of churn) or in churn of long-lived objects: the
 * allocations say so. */
static int S_persistent(const double *y, const double *var, const double *avar, size_t i, size_t j) {
  if (avar && j > i) {
    double allocs, frees, tol = S_alloc_tol(y, var, avar, i, j);
    S_flow(var, avar, i, j, &allocs, &frees);
    return (frees <= fmax(tol, 0.1 * allocs) ? S_UP : 0) | (allocs <= fmax(tol, 0.1 * frees) ? S_DOWN : 0);
  }
  int up = S_UP, down = S_DOWN;
  for (size_t k = i + 1; k <= j; k++) {
    double step = y[k] - y[k - 1], tol = S_step_tol(y, var, k);
    if (step < -tol) up = 0;
    if (step > tol) down = 0;
  }
  return up | down;
}

/* The change y_j - y_i is made only of objects sampled in between (or
 * only of ones freed) when persistence is known, and also, whatever the
 * steps between, when nothing was there at one end: a function absent at i
 * (no value, no variance) holds at j only objects allocated since. A leak
 * that starts late has that shape, with a sampled object freed on the way
 * often enough (a slice's old backing array) to lose persistence. */
static int S_absent(const double *y, const double *var, size_t i) { return y[i] == 0 && var[i] == 0; }

static int S_one_sided(const double *y, const double *var, const double *avar, size_t i, size_t j) {
  return S_absent(y, var, i) || S_absent(y, var, j) || S_persistent(y, var, avar, i, j);
}

/* The sampling variance of y_j - y_i when objects may have been replaced
 * in between: Var(y_i) + Var(y_j), the two values independent draws, as
 * when every object was replaced. With cumulative allocations it is at
 * most A + F (S_persistent): the change is the objects sampled in between
 * and still there less those freed since i, a subset of both. */
static double S_delta_var(const double *y, const double *var, const double *avar, size_t i, size_t j) {
  double v = var[i] + var[j];
  if (avar && j > i) {
    double allocs, frees;
    S_flow(var, avar, i, j, &allocs, &frees);
    double af = fmax(0, allocs) + fmax(0, frees);
    if (af < v) v = af;
  }
  return v;
}

/* The variance of a change y_j - y_i that persistence made a count of
 * arrivals (or departures): |Var(y_j) - Var(y_i)|, or with allocations
 * A + F (S_delta_var), which counts the few objects that went the other
 * way instead of netting them out. */
static double S_count_var(const double *y, const double *var, const double *avar, size_t i, size_t j) {
  return avar ? S_delta_var(y, var, avar, i, j) : fabs(var[j] - var[i]);
}

/* A part that starts just after the function was absent (a knot placed at
 * its first sampled object, as the two-piece fit places it) is measured
 * from that absence: its objects at j were all allocated since i - 1,
 * while some of those at i may be freed by j. */
static int S_after_absence(const double *y, const double *var, size_t i, size_t j) {
  return i > 0 && i < j && S_absent(y, var, i - 1) && !S_absent(y, var, i);
}

/* What a change between positions i and j must exceed: the noise band of
 * the delta (S_delta_var), or when persistence is known (S_persistent)
 * the count band of y_j - y_i (S_count_band) with variance
 * |Var(y_j) - Var(y_i)|, or with allocations A + F; or the floor when
 * larger. */
static double S_threshold(const double *y, const double *var, const double *avar, size_t i, size_t j, double z,
                          double floor, double *band) {
  double b;
  if (S_after_absence(y, var, i, j))
    b = S_count_band(y[j], var[j], z);
  else
    b = S_one_sided(y, var, avar, i, j) ? S_count_band(y[j] - y[i], S_count_var(y, var, avar, i, j), z)
                                        : z * sqrt(S_delta_var(y, var, avar, i, j));
  if (band) *band = b;
  return b > floor ? b : floor;
}

/* No step of [i, j] goes down (dir 1) or up (dir -1) beyond its own band,
 * or with every_step, every step goes that way beyond it: the tests for
 * parts too short for Mann-Kendall to reach its level. */
static int S_short_trend(const double *y, const double *var, size_t i, size_t j, int dir, int every_step,
                         double z, double material) {
  for (size_t k = i + 1; k <= j; k++) {
    double band = z * sqrt(var[k - 1] + var[k]);
    if (band < material) band = material;
    if (every_step ? dir * (y[k] - y[k - 1]) <= band : dir * (y[k] - y[k - 1]) < -band) return 0;
  }
  return 1;
}

static double S_xlogx_t(double d, double t) { return d > 0 && t > 0 ? d * log(d / t) : 0; }

/* Where the rate of a persistent sampled series changed, by likelihood.
 * When persistence is known over the window (S_persistent), its steps
 * are sampled objects allocated (or freed) in between, independent Poisson
 * counts of weight w = v / |y_{n-1} - y_0| each (v: S_count_var); the
 * residuals of a line through such a series are a random walk, which the
 * F test of a two-piece fit cannot tell from a break. A rate lambda_0 up to
 * knot k and lambda_1 after it against one rate has the likelihood ratio
 * LR_k = (2 / w) [D_0 ln(D_0/T_0) + D_1 ln(D_1/T_1) - D ln(D/T)] (D bytes
 * in T hours, before and after the knot), chi-square with one degree of
 * freedom at a given knot; over the m knots tried its p-value is taken as
 * m (2 (1 - Phi(sqrt(LR)))) (Bonferroni). Returns the knot of the largest
 * LR (0 when the series is not one of counts) and that p-value. */
static size_t S_count_break(const double *x, const double *y, const double *var, const double *avar, size_t n, int dir,
                            double *p) {
  double sign = dir == S_DOWN ? -1 : 1, d = sign * (y[n - 1] - y[0]), v = S_count_var(y, var, avar, 0, n - 1);
  double t = x[n - 1] - x[0];
  *p = 1;
  if (!(d > 0) || !(v > 0) || !(t > 0)) return 0;
  double w = v / d, best = -1, m = 0;
  size_t brk = 0;
  for (size_t k = 2; k + 4 <= n; k++, m++) {
    double d0 = fmax(0, fmin(d, sign * (y[k] - y[0]))), t0 = x[k] - x[0];
    double lr = 2 / w * (S_xlogx_t(d0, t0) + S_xlogx_t(d - d0, t - t0) - S_xlogx_t(d, t));
    if (lr > best) best = lr, brk = k;
  }
  if (!brk) return 0;
  *p = fmin(1, m * 2 * (1 - pd_normal_cdf(sqrt(fmax(0, best)))));
  return brk;
}

/* Mann-Kendall cannot reach 1% with five points or fewer (its smallest p
 * for n = 5 is 0.027). */
#define S_SHORT 5

/* Where a persistent sampled series that rises from an absence began, when
 * the likelihood ratio above found no knot: a function absent (no value,
 * no variance) up to k and present from k + 1 on, never falling, holds at
 * the end N = y_{n-1}^2 / Var(y_{n-1}) sampled objects that all arrived
 * after x_k. At one rate over the window, N arrivals of a Poisson process
 * are uniform in time, so none falls in (x_0, x_k] with probability
 * p = (1 - (x_k - x_0) / (x_{n-1} - x_0))^N: exact, and with no search,
 * since k is where the absence ends, not a knot chosen among many. Asked
 * only when the part after k has more than five points and N is at least
 * three: fewer say that something appeared (new), not that it grows.
 * Returns k (0 when the test does not apply) and its p. A late leak of
 * five sampled objects in the last twelve of 40 snapshots has p = 0.003;
 * the likelihood ratio, Bonferroni over 34 knots, had 0.02. */
static size_t S_first_arrival(const double *x, const double *y, const double *var, size_t n, double *p,
                              double *objects_out) {
  *p = 1;
  size_t k0 = 0;
  while (k0 < n && S_absent(y, var, k0)) k0++;
  if (k0 < 3 || k0 >= n || n - (k0 - 1) <= S_SHORT) return 0;
  double objects = var[n - 1] > 0 ? y[n - 1] * y[n - 1] / var[n - 1] : 0, t = x[n - 1] - x[0];
  if (!(objects >= 3) || !(t > 0) || !(y[n - 1] > 0)) return 0;
  *p = pow(1 - (x[k0 - 1] - x[0]) / t, objects);
  *objects_out = objects;
  return k0 - 1;
}

/* The mirror image: where a persistent sampled series stopped, when the
 * likelihood ratio found no knot. Its N = d^2 / v sampled objects of the
 * window (d = |y_{n-1} - y_0|, v = S_count_var of the window: arrivals
 * when it rises, departures when it falls) all came by x_k, k the last
 * step of at least half an object (S_persistent's tolerance), which at
 * one rate over the window has probability p = ((x_k - x_0) / T)^N, exact
 * and without a search. Asked when more than five points follow from k
 * and N is at least three. Bonferroni over the 19 knots of a 24-snapshot
 * series had 0.04 for a warm cache of 11 sampled objects in 15 minutes
 * and none in the 8 after; this test has (15/23)^11 = 0.009. Whether
 * growth then stopped beyond its noise is S_stopped's question, at alpha
 * (no knot was chosen). */
static size_t S_last_arrival(const double *x, const double *y, const double *var, const double *avar, size_t n, int dir,
                             double *p) {
  double sign = dir == S_DOWN ? -1 : 1, d = sign * (y[n - 1] - y[0]), v = S_count_var(y, var, avar, 0, n - 1);
  double t = x[n - 1] - x[0];
  *p = 1;
  if (!(d > 0) || !(v > 0) || !(t > 0)) return 0;
  double objects = d * d / v, w = v / d;
  if (!(objects >= 3)) return 0;
  size_t k = n - 1;
  while (k > 0 && !(sign * (y[k] - y[k - 1]) > 0.5 * w)) k--;
  if (k < 3 || n - k <= S_SHORT) return 0;
  *p = pow((x[k] - x[0]) / t, objects);
  return k;
}

/* Tests part [i, n) for a monotonic trend, filling r's figures of it. With
 * counts, the part follows a knot found by likelihood in a persistent
 * series (S_count_break): that test already said the rate changed there,
 * and a part that only rises (falls) is then growing (shrinking) without
 * Mann-Kendall, whose ties and random-walk residuals say little about a
 * few sampled objects that arrive and stay. ts: the part's Theil-Sen slope
 * when known; mk, mk_factor: its Mann-Kendall test when known (NULL:
 * computed here). */
static pd_trend S_part(const double *x, const double *y, const double *var, const double *avar, size_t i, size_t n,
                       const pd_trend_params *p, int after_knot, double floor, int counts, double *scratch,
                       const double *ts, const pd_mk *mk, double mk_factor, pd_trend_result *r) {
  /* after a knot chosen among many, the evidence must be stronger: a tenth
   * of the level, and a short part must rise (fall) beyond the noise at
   * every step, not merely never fall (rise) beyond it */
  double alpha = after_knot ? p->alpha / 10 : p->alpha;
  size_t m = n - i;
  pd_fit fit = pd_least_squares(x + i, y + i, m);
  r->since = (uint32_t)i;
  r->rate = fit.valid ? fit.slope : 0;
  r->change = r->rate * (x[n - 1] - x[i]);
  r->threshold = S_threshold(y, var, avar, i, n - 1, p->noise_z, floor, &r->noise_band);
  if (mk) r->mk = *mk, r->mk_factor = mk_factor;
  else r->mk = pd_mann_kendall_hr_beta(x + i, y + i, m, ts, scratch, &r->mk_factor);
  r->rising = 0;
  for (size_t k = i + 1; k < n; k++) r->rising += y[k] > y[k - 1];
  r->steps = (int)m - 1;
  int persist = counts ? S_persistent(y, var, avar, i, n - 1) : 0;
  r->by_counts = counts && persist;
  r->against = 0;
  if (r->by_counts) { /* S_persistent's step rule, which allocations may overrule */
    double dir = y[n - 1] >= y[i] ? 1 : -1;
    for (size_t k = i + 1; k < n; k++) r->against += dir * (y[k] - y[k - 1]) < -S_step_tol(y, var, k);
  }
  if (r->by_counts && x[n - 1] > x[i]) {
    /* the rate of a Poisson count is its count over its time: the slope
     * between the part's ends (least squares on a cumulative count has 1.2
     * times its variance and weighs the arrivals by when they came) */
    r->rate = (y[n - 1] - y[i]) / (x[n - 1] - x[i]);
    r->change = y[n - 1] - y[i];
  }
  int up = (r->mk.p < alpha && r->mk.s > 0) || (persist & S_UP) ||
           (m <= S_SHORT && S_short_trend(y, var, i, n - 1, 1, after_knot, p->noise_z, p->material));
  int down = (r->mk.p < alpha && r->mk.s < 0) || (persist & S_DOWN) ||
             (m <= S_SHORT && S_short_trend(y, var, i, n - 1, -1, after_knot, p->noise_z, p->material));
  if (m >= 3 && up && r->rate > 0 && r->change > r->threshold) return PD_TREND_GROWING;
  if (m >= 3 && down && r->rate < 0 && -r->change > r->threshold) return PD_TREND_SHRINKING;
  return PD_TREND_STABLE;
}

double pd_trend_floor_gain(const double *x, size_t n) {
  /* the largest span / (2 sd) over the parts [i, n) of three points or
   * more, from suffix sums of the times less the last (small numbers: the
   * sums cancel little) */
  double s1 = 0, s2 = 0, gain = 1, last = n ? x[n - 1] : 0;
  for (size_t i = n; i-- > 0;) {
    double d = x[i] - last;
    if (!isfinite(d)) return INFINITY;
    s1 += d, s2 += d * d;
    double m = (double)(n - i);
    if (n - i < 3) continue;
    double ss = s2 - s1 * s1 / m; /* m times the variance */
    double span = fabs(last - x[i]);
    if (span == 0) continue; /* every time equal: no slope at all */
    if (!(ss > 0)) return INFINITY;
    double g = span / (2 * sqrt(ss / m));
    if (g > gain) gain = g;
  }
  return gain;
}

/* Whether no part of y[0..n) can change by floor or more, so that the
 * verdict is stable whatever the tests say: every verdict but stable needs
 * a change beyond the threshold, which is at least the floor (S_part's
 * growing and shrinking, the plateau's rise, the break's own change). Those
 * changes are a difference of two values (at most the range R of y) or a
 * least-squares slope times the span of a part [i, n), which is at most
 * R span_i / (2 sd_i), sd_i the standard deviation of the part's times:
 * the slope is sum (x - mean x)(y - c) / sum (x - mean x)^2 for any c, and
 * with c the middle of the range, |y - c| <= R / 2 and sum |x - mean x| <=
 * sqrt(m sum (x - mean x)^2) (Cauchy-Schwarz). R is widened by the
 * rounding of a mean of y, and the whole bound doubled for the rounding of
 * the sums here and in pd_least_squares. For a series of 30,000 functions
 * most are far below the floor of 0.5% of the total, and then the break
 * search and its tests (a third of the time per function) are skipped:
 * the figures of the verdict are the whole window's, as they would be. */
static int S_below_floor(const double *x, const double *y, size_t n, double floor) {
  double lo = y[0], hi = y[0], big = 0;
  for (size_t i = 0; i < n; i++) {
    if (y[i] < lo) lo = y[i];
    if (y[i] > hi) hi = y[i];
    if (fabs(y[i]) > big) big = fabs(y[i]);
  }
  double range = (hi - lo) + 4 * (double)n * DBL_EPSILON * big;
  if (!isfinite(range) || !(floor > 0)) return 0;
  if (!(2 * range < floor)) return 0;
  return 2 * range * pd_trend_floor_gain(x, n) < floor;
}

/* P(N <= o) for N ~ Poisson(mu): the lower tail, summed term by term for
 * the small counts it is asked about, and by the normal approximation with
 * continuity correction past a thousand (exact series, many objects). */
static double S_poisson_below(double mu, double o) {
  if (!(mu > 0)) return 1;
  o = floor(o);
  if (o < 0) return 0;
  if (o >= mu) return 1; /* at least its mean: no evidence of fewer */
  if (mu > 1000) return pd_normal_cdf((o + 0.5 - mu) / sqrt(mu));
  double term = exp(-mu), sum = term;
  for (double i = 1; i <= o; i++) sum += term *= mu / i;
  return sum < 1 ? sum : 1;
}

/* Whether growth stopped at k: the part after it fell short of what the
 * earlier rate predicts over that part, e = rate_before (x[n-1] - x[k]),
 * by more than the part's threshold, and by more than the sampling noise
 * of a continued growth. That noise is a Poisson count: a value y with
 * sampling variance v is y / w sampled objects of weight w = v / y, so the
 * part would have gained about e / w objects and gained (y[n-1] - y[k]) / w
 * (none when it fell); growth stopped when so few or fewer had probability
 * below alpha over the number of knots the break search tried (it places
 * the knot where the part after it looks flattest: Bonferroni, as for the
 * knot of a count series). Without this, a sparse leak (one sampled
 * object every four snapshots) whose last seven snapshots drew none, as
 * happens one time in seven, was a plateau though it never stopped. The
 * level is alpha over the knots, not a tenth of that as for the tests of
 * a recent part: Bonferroni already pays for the choice of the knot, and
 * at alpha / (10 knots) a warm cache whose flat part is short (a series
 * with a gap, or one that stops late) was a growing leak suspect: a cache
 * that gained 11 sampled objects in 22 minutes and none in the 17 after
 * (p = 2e-4) is as stopped as a test of 40 points can say. The price is
 * the level's own error: a 1% leak (0.9 sampled objects a snapshot) whose
 * last ten snapshots drew none (p = 1.2e-4; bench/calibrate leak:0.01,
 * sampled, seed 3, a draw of 2026-12-03) is a plateau. Exact series
 * (v = 0) have no count noise: the threshold alone decides. */
static int S_stopped(const double *x, const double *y, const double *var, size_t k, size_t n,
                     double rate_before, double alpha, double threshold, int searched) {
  double expect = rate_before * (x[n - 1] - x[k]), held = y[n - 1] - y[k];
  if (!(expect - held > threshold)) return 0;
  double w = fmax(y[k] > 0 ? S_weight(y[k], var[k]) : 0, y[n - 1] > 0 ? S_weight(y[n - 1], var[n - 1]) : 0);
  if (!(w > 0)) return 1;
  /* pd_hinge_best: three points before, four from it */
  double knots = searched && n > 7 ? (double)(n - 6) : 1;
  return S_poisson_below(expect / w, held > 0 ? held / w : 0) < alpha / knots;
}

/* Whether the current part after knot k also takes the function beyond
 * its level before the knot: its fitted end (after: the part's least
 * squares line) against the median of y[0..k] (a start-up burst before it
 * does not move that level), by more than the floor and z sqrt(Var(y_{n-1}) + mean Var(y[0..k])), in
 * direction dir. Asked only of a part measured by the two-sided band
 * z sqrt(Var(y_k) + Var(y_{n-1})) (S_threshold), where objects may have
 * been replaced in between: one of counts that only rise, or that follow
 * an absence, is a count of new objects, which cannot wander. The knot is
 * placed where two pieces fit best, and in a series that wanders (churn
 * whose sampled objects live for many snapshots, lag-1 autocorrelation
 * 0.6 or more) that is its lowest point before a rise or its highest
 * before a fall: the point whose sampled value, and so its estimated
 * noise (Var = w y), is furthest below (above) the function's level, and
 * after which a mean-reverting series most often moves back. Measured
 * from the knot alone, such a return passed the part's threshold in about
 * 1 sampled run in 50 (bench/calibrate). A leak that starts late, flat
 * before its onset, loses nothing here: its median before the knot is its
 * level at the knot. One whose function fell before the onset must rise
 * beyond where it was before the fall. */
static int S_beyond_level(const double *x, const double *y, const double *var, size_t k, size_t n, int dir,
                          const pd_trend_result *cur, pd_fit after, double z, double floor, double *scratch) {
  if (cur->by_counts || S_after_absence(y, var, k, n - 1)) return 1;
  double lv = 0;
  for (size_t i = 0; i <= k; i++) scratch[i] = y[i], lv += var[i];
  double level = pd_median(scratch, k + 1);
  lv /= (double)(k + 1);
  double end = after.valid ? after.intercept + after.slope * x[n - 1] : y[n - 1];
  double band = z * sqrt(var[n - 1] + lv);
  return dir * (end - level) > fmax(band, floor);
}

/* Whether a two-piece fit's change of slope b2 at knot k, over the part
 * after it, is beyond that part's threshold: what every knot must imply. */
static int S_change_beyond(const double *x, const double *y, const double *var, const double *avar, size_t n, size_t k,
                           double b2,
                           const pd_trend_params *p, double floor) {
  return fabs(b2) * (x[n - 1] - x[k]) > S_threshold(y, var, avar, k, n - 1, p->noise_z, floor, NULL);
}

/* The practical floor of values y[0..n): a share of the function's own
 * size and of the total, and the materiality of the whole series. */
static double S_floor(const double *y, const double *total, size_t n, const pd_trend_params *p) {
  double level = 0, tot = 0;
  for (size_t i = 0; i < n; i++) {
    if (fabs(y[i]) > level) level = fabs(y[i]);
    if (total && fabs(total[i]) > tot) tot = fabs(total[i]);
  }
  return fmax(p->material, fmax(p->floor_function * level, p->floor_total * (total ? tot : level)));
}

pd_trend pd_trend_judge(const double *x, const double *y, const double *var, const double *avar,
                        const double *total, size_t n, const pd_trend_params *p, double *scratch,
                        pd_trend_result *r) {
  memset(r, 0, sizeof *r);
  r->trend = PD_TREND_STABLE;
  if (n < 2) return r->trend;
  if (avar && !pd_trend_alloc_consistent(y, var, avar, n)) avar = NULL; /* not one process's: unknown */
  double ts = pd_theil_sen(x, y, n, scratch); /* the whole window's, for its test too */
  r->theil_sen = isnan(ts) ? 0 : ts;
  double floor = S_floor(y, total, n, p);
  r->floor = floor;
  if (n >= 3 && !pd_stats_quadratic && S_below_floor(x, y, n, floor)) {
    r->trend = S_part(x, y, var, avar, 0, n, p, 0, floor, 0, scratch, &ts, NULL, 0, r);
    return r->trend;
  }
  if (n < 3) { /* no trend in two points: the figures only (a pair is judged by its delta) */
    S_part(x, y, var, avar, 0, n, p, 0, floor, 0, scratch, &ts, NULL, 0, r);
    return r->trend = PD_TREND_STABLE;
  }
  /* a break: the best knot of a two-piece fit, kept when it explains much
   * more than a line (F) and the change of slope it implies over the
   * recent part is beyond that part's threshold */
  size_t brk = 0;
  pd_hinge best = {0, 0, 0, INFINITY, 0};
  int persist = n >= 6 ? S_persistent(y, var, avar, 0, n - 1) : 0, by_counts = 0, last_arrival = 0;
  if (persist == S_UP || persist == S_DOWN) { /* sampled counts: the knot by likelihood */
    int dir = persist;
    brk = S_count_break(x, y, var, avar, n, dir, &r->break_p);
    if (brk) {
      best = pd_hinge_fit(x, y, n, brk);
      r->has_break = best.valid && r->break_p < p->alpha && S_change_beyond(x, y, var, avar, n, brk, best.b2, p, floor);
      persist = -1, by_counts = 1; /* decided */
    }
    /* no knot by likelihood: where an absence ended (rising), then where
     * the last object came */
    for (int last = 0; last < 2 && !r->has_break; last++) {
      double pa = 1, objects = 0;
      size_t k = last ? S_last_arrival(x, y, var, avar, n, dir, &pa)
                      : dir == S_UP ? S_first_arrival(x, y, var, n, &pa, &objects) : 0;
      if (!k || !(pa < p->alpha)) continue;
      pd_hinge h = pd_hinge_fit(x, y, n, k);
      if (h.valid && S_change_beyond(x, y, var, avar, n, k, h.b2, p, floor)) {
        brk = k, best = h, r->has_break = 1, r->break_p = pa, r->first_arrival = objects, last_arrival = last;
        persist = -1, by_counts = 1;
      }
    }
  }
  if (persist != -1) brk = pd_hinge_best(x, y, n, &best, scratch); /* three points up to the knot, four from it on */
  if (brk && persist != -1) {
    pd_fit line = pd_least_squares(x, y, n);
    double sse = 0;
    for (size_t i = 0; i < n; i++) {
      double e = y[i] - (line.intercept + line.slope * x[i]);
      sse += e * e;
    }
    double f = best.sse > 0 ? (sse - best.sse) / (best.sse / (double)(n - 3)) : sse > 0 ? INFINITY : 0;
    /* residuals that follow each other (lag-1 autocorrelation rho > 0)
     * carry fewer independent points: n (1 - rho) / (1 + rho) of them, as
     * for an AR(1) series, and F shrinks by that ratio */
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
      double e = y[i] - (best.c + best.b1 * x[i] + best.b2 * (x[i] > x[brk] ? x[i] - x[brk] : 0));
      scratch[i] = e;
      den += e * e;
      if (i) num += e * scratch[i - 1];
    }
    double rho = den > 0 ? num / den : 0;
    if (rho > 0 && isfinite(f)) f *= (1 - rho) / (1 + rho);
    r->break_f = f;
    r->has_break = f >= p->break_f && S_change_beyond(x, y, var, avar, n, brk, best.b2, p, floor);
  }
  if (r->has_break) {
    size_t k = brk;
    pd_fit before = pd_least_squares(x, y, k + 1), after = pd_least_squares(x + k, y + k, n - k);
    double thr_before = S_threshold(y, var, avar, 0, k, p->noise_z, floor, NULL);
    double thr_after = S_threshold(y, var, avar, k, n - 1, p->noise_z, floor, NULL);
    double rise = y[k] - y[0], held = y[n - 1] - y[k], after_change = after.slope * (x[n - 1] - x[k]);
    double f_after;
    pd_mk mk_after = pd_mann_kendall_hr(x + k, y + k, n - k, scratch, &f_after);
    double f_before;
    pd_mk mk_before = pd_mann_kendall_hr(x, y, k + 1, scratch, &f_before);
    int grew = ((mk_before.p < p->alpha && mk_before.s > 0) ||
                (k + 1 <= S_SHORT && S_short_trend(y, var, 0, k, 1, 0, p->noise_z, p->material))) &&
               before.slope > 0 && rise > thr_before && before.slope * (x[k] - x[0]) > thr_before;
    int flat = fabs(held) <= thr_after && fabs(after_change) <= thr_after &&
               !(mk_after.p < p->alpha && mk_after.s > 0);
    if (grew && flat && S_stopped(x, y, var, k, n, before.slope, p->alpha, thr_after, !last_arrival)) {
      r->trend = PD_TREND_PLATEAU;
      r->since = (uint32_t)k;
      r->rate = after.slope;
      r->rate_before = before.slope;
      r->change = rise;
      r->threshold = thr_before;
      r->noise_band = p->noise_z * sqrt(var[0] + var[k]);
      r->held_change = held;
      r->held_band = thr_after;
      r->mk = mk_before;
      r->mk_factor = f_before;
      r->rising = 0;
      for (size_t i = 1; i <= k; i++) r->rising += y[i] > y[i - 1];
      r->steps = (int)k;
      return r->trend;
    }
    pd_trend_result cur = *r;
    /* the knot was placed where it fits best: the part after it is tested
     * at a tenth of the level, for the choice among the knots */
    pd_trend t = S_part(x, y, var, avar, k, n, p, 1, floor, by_counts, scratch, NULL, &mk_after, f_after, &cur);
    if (t != PD_TREND_STABLE &&
        !S_beyond_level(x, y, var, k, n, t == PD_TREND_GROWING ? 1 : -1, &cur, after, p->noise_z, floor, scratch))
      t = PD_TREND_STABLE;
    if (t != PD_TREND_STABLE) {
      *r = cur;
      r->rate_before = before.slope;
      r->trend = t;
      return t;
    }
    r->has_break = 0; /* the recent part alone says nothing: judge the whole window */
  }
  double bf = r->break_f;
  r->trend = S_part(x, y, var, avar, 0, n, p, 0, floor, 0, scratch, &ts, NULL, 0, r);
  r->break_f = bf;
  return r->trend;
}

/* A function that also churns, judged on its never-freed part nf (the
 * records none of whose sampled objects was ever freed, with variances
 * nfvar): a leak allocated where other objects come and go is a count of
 * arrivals there, while the function's whole value carries the churn's
 * sampling noise (docs/analysis.md section 7, "the never-freed part").
 * A record leaves that part when it frees its first sampled object, and
 * only then does the part fall by a sampled object or more: from the last
 * such fall on, its records are those of the end, and every rise is
 * objects that arrived and stayed. That part is judged as any function
 * (its allocations are its in-use figures: nothing freed), and counts
 * only when it is growing and the function's own least-squares change
 * over the same current part exceeds both the part's threshold and the
 * function's floor. */
int pd_trend_judge_part(const double *x, const double *y, const double *nf, const double *nfvar,
                        const double *total, size_t n, const pd_trend_params *p, double *scratch,
                        pd_trend_result *r) {
  if (n < 6 || !(nf[n - 1] > 0) || !(nf[n - 1] < y[n - 1])) return 0;
  size_t k0 = 0;
  for (size_t k = n - 1; k >= 1 && !k0; k--)
    if (nf[k] < nf[k - 1] - S_step_tol(nf, nfvar, k)) k0 = k;
  if (n - k0 <= S_SHORT) return 0;
  pd_trend_result part;
  if (pd_trend_judge(x + k0, nf + k0, nfvar + k0, nfvar + k0, total ? total + k0 : NULL, n - k0, p, scratch, &part) !=
      PD_TREND_GROWING)
    return 0;
  size_t c = k0 + part.since;
  pd_fit fit = pd_least_squares(x + c, y + c, n - c);
  double floor = S_floor(y, total, n, p); /* the function's own, not the part's */
  double change = fit.valid ? fit.slope * (x[n - 1] - x[c]) : 0, threshold = fmax(floor, part.threshold);
  if (!(fit.valid && fit.slope > 0 && change > threshold)) return 0;
  memset(r, 0, sizeof *r);
  r->trend = PD_TREND_GROWING;
  r->since = (uint32_t)c;
  r->has_break = part.has_break;
  r->break_f = part.break_f;
  /* the part's knot and its test; the rate is the function's least
   * squares (by_counts stays 0): what its frames add up to */
  r->break_p = part.break_p;
  r->first_arrival = part.first_arrival;
  r->rate = fit.slope;
  r->rate_before = c > 0 ? pd_least_squares(x, y, c + 1).slope : 0;
  r->change = change;
  r->threshold = threshold;
  r->noise_band = part.noise_band;
  r->floor = floor;
  r->mk = part.mk;
  r->mk_factor = part.mk_factor;
  for (size_t k = c + 1; k < n; k++) r->rising += y[k] > y[k - 1];
  r->steps = (int)(n - c) - 1;
  r->part = 1;
  r->part_change = nf[n - 1] - nf[c];
  r->part_threshold = part.threshold;
  double v = fabs(nfvar[n - 1] - nfvar[c]);
  r->part_objects = v > 0 ? r->part_change * r->part_change / v : 0;
  r->part_by_counts = part.by_counts;
  r->part_p = part.by_counts ? part.break_p : part.mk.p;
  return 1;
}

void pd_trend_fmt_duration(double hours, char *buf, size_t n) {
  double s = hours * 3600;
  if (s < 1) snprintf(buf, n, "%.0f ms", s * 1000);
  else if (s < 10) snprintf(buf, n, "%.1f s", s);
  else if (s < 90) snprintf(buf, n, "%.0f s", s);
  else if (hours < 2) snprintf(buf, n, "%.0f min", hours * 60);
  else if (hours < 48) snprintf(buf, n, "%.1f h", hours);
  else snprintf(buf, n, "%.1f days", hours / 24);
}

/* ---- the reason, from the verdict's own numbers ---------------------------------- */

static double S_share(double v, double total) { return total != 0 ? v / total * 100 : 0; }

static void S_fmt(const pd_series *s, pd_val v, char *buf, size_t n) {
  pd_unit_label(v, s->snap[s->order[0]].unit, "auto", buf, n);
}

static void S_fmt_signed(const pd_series *s, pd_val v, char *buf, size_t n) {
  char t[64];
  S_fmt(s, v, t, sizeof t);
  snprintf(buf, n, "%s%s", v > 0 ? "+" : "", t);
}

static void S_fmt_rate(const pd_series *s, double per, char *buf, size_t n) {
  char v[64];
  S_fmt_signed(s, per, v, sizeof v);
  snprintf(buf, n, "%s/%s", v, s->has_times ? "h" : "snapshot");
}

static void S_fmt_p(double p, char *buf, size_t n) {
  if (p < 0.001) snprintf(buf, n, "p<0.001");
  else snprintf(buf, n, "p=%.3f", p);
}

/* "39 min" between two positions, or "12 snapshots" without times */
static void S_span(const pd_series *s, uint32_t a, uint32_t b, char *buf, size_t n) {
  if (s->has_times) pd_trend_fmt_duration(s->t[b] - s->t[a], buf, n);
  else snprintf(buf, n, "%u snapshot%s", b - a, b - a == 1 ? "" : "s");
}

/* "Mann-Kendall p=0.003, variance x2.1 for autocorrelation" */
static void S_test_words(pd_buf *r, const pd_funcstats *f) {
  char p[32];
  S_fmt_p(f->mk.p, p, sizeof p);
  pd_buf_printf(r, "Mann-Kendall %s", p);
  if (f->mk_factor > 1.005) pd_buf_printf(r, ", variance \xc3\x97%.1f for autocorrelation", f->mk_factor);
}

/* " because the rest grew": what happened to the total without the
 * function between positions a and b, when it explains a share's move. */
static void S_rest(pd_buf *r, const pd_series *s, const double *y, uint32_t a, uint32_t b, double shift) {
  double rest_a = s->total[a] - y[a], rest_b = s->total[b] - y[b];
  if (shift < 0 && rest_b > rest_a) pd_buf_puts(r, " because the rest grew");
  else if (shift > 0 && rest_b < rest_a) pd_buf_puts(r, " because the rest shrank");
}

void pd_series_reason(const pd_series *s, pd_funcstats *f, const double *y, pd_arena *arena) {
  char a[64], b[64], c[64], d[64];
  pd_buf r = PD_BUF_INIT;
  uint32_t w0 = s->win_first, w1 = s->win_last;
  int pair = s->npos == 2 || w1 - w0 + 1 < 3;
  switch (f->trend) {
  case PD_TREND_GROWING:
  case PD_TREND_SHRINKING:
    if (pair) {
      /* a pair: a change against its noise, no slope and no trend test */
      S_fmt_signed(s, f->delta, a, sizeof a);
      S_fmt(s, s->opts.noise_z * f->delta_sigma, b, sizeof b);
      pd_buf_printf(&r, "%s beyond the sampling noise (%s, \xc2\xb1%s): ",
                    f->trend == PD_TREND_GROWING ? "grew" : "shrank", a, b);
      S_fmt(s, f->first, a, sizeof a);
      S_fmt(s, f->last, b, sizeof b);
      pd_buf_printf(&r, "%s \xe2\x86\x92 %s", a, b);
      if (!isnan(f->delta_pct)) pd_buf_printf(&r, " (%+.1f%%)", f->delta_pct);
      pd_buf_printf(&r, ", share %.1f%% \xe2\x86\x92 %.1f%%", f->share_first, f->share_last);
      break;
    }
    {
      uint32_t k = (uint32_t)f->since;
      S_fmt_rate(s, f->rate, a, sizeof a);
      S_span(s, k, w1, b, sizeof b);
      pd_buf_printf(&r, "%s %s (%s) over the last %s", f->trend == PD_TREND_GROWING ? "grows" : "shrinks", a,
                    f->by_counts ? "end to end" : "least squares", b);
      if (f->has_break) {
        S_fmt(s, f->rate_before, c, sizeof c);
        if (strcmp(c, "0") == 0) { /* too small to print: say so in words, not "0/h" */
          pd_buf_printf(&r, ", since snapshot %u (flat before it)", k - w0);
        } else {
          S_fmt_rate(s, f->rate_before, c, sizeof c);
          pd_buf_printf(&r, ", since snapshot %u (before it: %s)", k - w0, c);
        }
      }
      pd_buf_printf(&r, ", %s in %d of %d intervals (", f->trend == PD_TREND_GROWING ? "rising" : "falling",
                    f->trend == PD_TREND_GROWING ? f->rising_steps : f->steps - f->rising_steps, f->steps);
      if (f->part) {
        /* decided on the never-freed part (pd_trend_judge_part): its
         * figures, then the function's own change against its threshold */
        char pv[32];
        S_fmt_p(f->part_p, pv, sizeof pv);
        S_fmt_signed(s, f->part_change, c, sizeof c);
        S_fmt(s, f->part_threshold, d, sizeof d);
        pd_buf_printf(&r, "its records that never freed a sampled object gained %s, %.0f sampled objects, beyond \xc2\xb1%s, %s %s; the function as a whole",
                      c, floor(f->part_objects + 0.5), d, f->part_by_counts ? "by counts of sampled objects," : "Mann-Kendall", pv);
      } else if (f->by_counts) {
        char pv[32];
        S_fmt_p(f->break_p, pv, sizeof pv);
        /* a few the other way only when the allocations said how few */
        if (f->against)
          pd_buf_printf(&r, "%d the other way, a tenth or less of its sampled objects %s; ", f->against,
                        f->trend == PD_TREND_GROWING ? "freed as it grew" : "allocated as it shrank");
        else
          pd_buf_puts(&r, "none the other way; ");
        if (f->first_arrival > 0)
          pd_buf_printf(&r, "none of its %.0f sampled objects came before it, %s at one rate",
                        floor(f->first_arrival + 0.5), pv);
        else
          pd_buf_printf(&r, "a change of rate there by likelihood ratio on the sampled objects, %s", pv);
      } else {
        S_test_words(&r, f);
      }
      S_fmt_signed(s, f->change, c, sizeof c);
      S_fmt(s, f->threshold, d, sizeof d);
      pd_buf_printf(&r, f->part ? " %s beyond \xc2\xb1%s)" : "; %s beyond \xc2\xb1%s)", c, d);
      S_fmt(s, y[k], a, sizeof a);
      S_fmt(s, y[w1], b, sizeof b);
      pd_buf_printf(&r, "; %s \xe2\x86\x92 %s, %.1f%% \xe2\x86\x92 %.1f%% of the total", a, b,
                    S_share(y[k], s->total[k]), S_share(y[w1], s->total[w1]));
    }
    break;
  case PD_TREND_PLATEAU: {
    uint32_t k = (uint32_t)f->since;
    S_fmt(s, y[w0], a, sizeof a);
    S_fmt(s, y[k], b, sizeof b);
    S_span(s, w0, k, c, sizeof c);
    S_fmt_rate(s, f->rate_before, d, sizeof d);
    pd_buf_printf(&r, "grew from %s to %s over %s (%s), then stopped: ", a, b, c, d);
    S_fmt(s, f->held_band, a, sizeof a);
    S_span(s, k, w1, c, sizeof c);
    S_fmt_signed(s, f->held_change, d, sizeof d);
    pd_buf_printf(&r, "value unchanged within \xc2\xb1%s for the last %s (change %s)", a, c, d);
    double from = S_share(y[k], s->total[k]), to = S_share(y[w1], s->total[w1]), shift = to - from;
    if (fabs(shift) >= 0.5) {
      pd_buf_printf(&r, " while its share of the total went %s from %.1f%% to %.1f%% (%+.1f points)",
                    shift < 0 ? "down" : "up", from, to, shift);
      S_rest(&r, s, y, k, w1, shift);
    }
    break;
  }
  case PD_TREND_NEW:
    S_fmt(s, f->last, a, sizeof a);
    pd_buf_printf(&r, "absent from the first snapshot, %s (%.1f%% of the total) in the last", a, f->share_last);
    break;
  case PD_TREND_GONE:
    S_fmt(s, f->first, a, sizeof a);
    pd_buf_printf(&r, "%s (%.1f%% of the total) in the first snapshot, absent from the last", a, f->share_first);
    break;
  case PD_TREND_STABLE: {
    /* the band the delta is judged by: its noise, and in a series the
     * practical floor of the verdict; when the delta's ends are the
     * window's, the verdict's own threshold of them (its noise band may
     * know persistence, trend.c), so that the words and report.json's
     * current.threshold are one number */
    double band = s->opts.noise_z * f->delta_sigma, noise = band;
    int own = !pair && !s->has_base && w0 == 0 && w1 == s->npos - 1 && f->since == 0 && !f->has_break &&
              isfinite(f->threshold) && f->threshold > 0;
    if (own) band = f->threshold, noise = f->noise_band;
    else if (!pair && f->floor > band) band = f->floor;
    S_fmt_signed(s, f->delta, a, sizeof a);
    S_fmt(s, band, b, sizeof b);
    if (fabsl(f->delta) <= band) {
      pd_buf_printf(&r, "unchanged within \xc2\xb1%s (%s; change %s)", b,
                    band > noise ? "the smallest change that counts" : "the sampling noise", a);
      double shift = f->share_shift;
      if (fabs(shift) >= 5) {
        pd_buf_printf(&r, "; share %s %.1f points", shift < 0 ? "down" : "up", fabs(shift));
        uint32_t p0 = s->has_base ? w0 : 0; /* positions of the delta's ends */
        if (!s->has_base) S_rest(&r, s, y, p0, s->npos - 1, shift);
      }
    } else if (pair) {
      pd_buf_printf(&r, "changed %s, below the size that counts (\xc2\xb1%s)", a, b);
    } else {
      pd_buf_printf(&r, "changed %s (beyond \xc2\xb1%s) without a sustained trend (", a, b);
      S_test_words(&r, f);
      pd_buf_puts(&r, ")");
    }
    break;
  }
  }
  f->reason = pd_arena_strndup(arena, r.data ? r.data : "", r.len);
  pd_buf_free(&r);
}
