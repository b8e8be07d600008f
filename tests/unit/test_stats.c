/* test_stats.c: the statistics against values computed by hand. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "analyse/stats.h"
#include "analyse/trend.h"

PD_TEST(least_squares_by_hand) {
  /* x = 0 1 2 3, y = 1 3 5 8: mean x 1.5, mean y 4.25, Sxx = 5,
   * Sxy = (-1.5)(-3.25)+(-0.5)(-1.25)+(0.5)(0.75)+(1.5)(3.75) = 11.5,
   * slope 2.3, intercept 4.25-3.45 = 0.8, Syy = 10.5625+1.5625+0.5625+14.0625
   * = 26.75, r2 = 11.5^2/(5*26.75) = 0.98878... */
  double x[] = {0, 1, 2, 3}, y[] = {1, 3, 5, 8};
  pd_fit f = pd_least_squares(x, y, 4);
  CHECK(f.valid);
  CHECK_NEAR(f.slope, 2.3, 1e-12);
  CHECK_NEAR(f.intercept, 0.8, 1e-12);
  CHECK_NEAR(f.r2, 132.25 / 133.75, 1e-12);
  double c[] = {2, 2, 2, 2};
  pd_fit g = pd_least_squares(x, c, 4);
  CHECK(g.valid && g.slope == 0 && g.r2 == 0);
  double same_x[] = {1, 1, 1};
  CHECK(!pd_least_squares(same_x, c, 3).valid);
}

PD_TEST(theil_sen_ignores_an_outlier) {
  /* slopes of y = 2x with one outlier at x=4: pairs (10) slopes are
   * 2,2,2,(100-0)/4=25... the median stays 2 while least squares moves */
  double x[] = {0, 1, 2, 3, 4}, y[] = {0, 2, 4, 6, 100};
  double scratch[10];
  CHECK(pd_theil_sen_scratch(5) == 10);
  CHECK_NEAR(pd_theil_sen(x, y, 5, scratch), 2.0, 1e-12);
  CHECK(pd_least_squares(x, y, 5).slope > 15);
  /* an even number of pairs: y = x^2 at x = 0..3 gives slopes 1 2 3 3 4 5,
   * median (3+3)/2; y = 0 1 4 7 gives 1 2 7/3 3 3 3 -> (7/3+3)/2 */
  double x2[] = {0, 1, 2, 3}, y2[] = {0, 1, 4, 9}, y3[] = {0, 1, 4, 7};
  CHECK_NEAR(pd_theil_sen(x2, y2, 4, scratch), 3.0, 1e-12);
  CHECK_NEAR(pd_theil_sen(x2, y3, 4, scratch), (7.0 / 3 + 3) / 2, 1e-12);
  /* many points use strided pairs and still find the line */
  size_t n = 400;
  double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
  for (size_t i = 0; i < n; i++) xs[i] = (double)i, ys[i] = 3 * (double)i + (i % 7 == 0 ? 500 : 0);
  double *big = malloc(pd_theil_sen_scratch(n) * sizeof *big);
  CHECK_NEAR(pd_theil_sen(xs, ys, n, big), 3.0, 1e-9);
  free(xs);
  free(ys);
  free(big);
}

PD_TEST(mann_kendall_by_hand) {
  /* 1 2 3 4 5: S = 10, Var = 5*4*15/18 = 16.667, Z = 9/4.0825 = 2.2045,
   * p = 2*(1-Phi(2.2045)) = 0.0275, tau = 1 */
  double up[] = {1, 2, 3, 4, 5};
  pd_mk m = pd_mann_kendall(up, 5, 0);
  CHECK(m.s == 10);
  CHECK_NEAR(m.var_s, 50.0 / 3.0, 1e-12);
  CHECK_NEAR(m.z, 9 / sqrt(50.0 / 3.0), 1e-12);
  CHECK_NEAR(m.p, 0.02749, 1e-4);
  CHECK(m.tau == 1);
  /* ties: 1 1 2 2 3 -> S: pairs (1,1)=0 (1,2)x2=+2 ... count: i=0: 0,+,+,+ =3;
   * i=1: +,+,+ =3; i=2: 0,+ =1; i=3: + =1 -> S = 8; tie groups of 2 and 2:
   * each t(t-1)(2t+5)=2*1*9=18 -> Var = (5*4*15 - 36)/18 = 14.667 */
  double tied[] = {1, 1, 2, 2, 3};
  pd_mk t = pd_mann_kendall(tied, 5, 0);
  CHECK(t.s == 8);
  CHECK_NEAR(t.var_s, 264.0 / 18.0, 1e-12);
  /* values within the tie tolerance count as equal */
  double noisy[] = {100, 101, 99, 100, 102};
  pd_mk n = pd_mann_kendall(noisy, 5, 5);
  CHECK(n.s == 0 && n.p == 1);
  double down[] = {5, 4, 3, 2, 1};
  CHECK(pd_mann_kendall(down, 5, 0).s == -10);
  CHECK_NEAR(pd_normal_cdf(1.959964), 0.975, 1e-6);
}

PD_TEST(median_odd_even) {
  double a[] = {5, 1, 3};
  CHECK(pd_median(a, 3) == 3);
  double b[] = {4, 1, 3, 2};
  CHECK(pd_median(b, 4) == 2.5);
}

PD_TEST(hinge_recovers_a_knot) {
  /* flat at 5 up to x = 4, then +2 per step: the knot at index 4 fits
   * exactly, slopes 0 before and 2 after */
  double x[10], y[10];
  for (int i = 0; i < 10; i++) x[i] = i, y[i] = 5 + (i > 4 ? 2.0 * (i - 4) : 0);
  pd_hinge h = pd_hinge_fit(x, y, 10, 4);
  CHECK(h.valid);
  CHECK_NEAR(h.b1, 0, 1e-9);
  CHECK_NEAR(h.b1 + h.b2, 2, 1e-9);
  CHECK_NEAR(h.sse, 0, 1e-9);
  CHECK(pd_hinge_fit(x, y, 10, 6).sse > 1); /* another knot fits worse */
  CHECK(!pd_hinge_fit(x, y, 10, 9).valid);  /* no point after the knot */
}

PD_TEST(mann_kendall_hamed_rao) {
  /* independent-looking values: no significant lag, the factor is 1 and
   * the test is plain Mann-Kendall */
  double x[12], alt[12], wave[12], scratch[256];
  CHECK(pd_mann_kendall_hr_scratch(12) <= 256);
  for (int i = 0; i < 12; i++) x[i] = i, alt[i] = i + (i % 2 ? 3 : 0);
  double f = 0;
  pd_mk a = pd_mann_kendall_hr(x, alt, 12, scratch, &f), b = pd_mann_kendall(alt, 12, 0);
  CHECK(f >= 1);
  CHECK(a.s == b.s && a.var_s >= b.var_s && a.p >= b.p);
  /* a slow wave on a trend: positively autocorrelated detrended ranks
   * widen Var(S) by the factor reported */
  for (int i = 0; i < 12; i++) wave[i] = i + 4 * sin(i / 2.0);
  pd_mk w = pd_mann_kendall_hr(x, wave, 12, scratch, &f), plain = pd_mann_kendall(wave, 12, 0);
  CHECK(f > 1);
  CHECK_NEAR(w.var_s, plain.var_s * f, 1e-9);
  CHECK(w.p > plain.p);
}


/* ---- the fast ways against the quadratic ones -------------------------------------
 *
 * Theil-Sen's strided pairs, Mann-Kendall's S, Hamed-Rao's ranks and
 * lags and the knot search were once O(n^2) per function (a series of
 * 1,000 snapshots spent minutes in them); the faster ways must give the
 * same bits, checked here on series of every shape a report meets. */

static uint64_t S_rng = 88172645463325252ULL;
static double S_unif(void) { /* xorshift64: the same series on every run */
  S_rng ^= S_rng << 13, S_rng ^= S_rng >> 7, S_rng ^= S_rng << 17;
  return (double)(S_rng >> 11) / 9007199254740992.0;
}

/* kind 0..10: noise, a leak, a late leak, a plateau, a constant, zeros,
 * ties, a tiny spread on a large value, an exact line, spikes, and a
 * small leak at times bunched in the middle with a few at the ends (where
 * a least-squares slope over a part is largest against the values'
 * range: the bound of trend.c's S_below_floor) */
static void S_shape(int kind, size_t n, double *x, double *y) {
  double base = 1e6 * (1 + 100 * S_unif());
  for (size_t i = 0; i < n; i++) {
    x[i] = kind == 9 && i % 5 == 0 && i ? x[i - 1] : (double)i * (kind % 2 ? 1.0 : 0.25); /* some equal times */
    if (kind == 10) x[i] = i == 0 ? 0 : i + 1 == n ? 20 : 10 + (double)i / (double)n;
    double noise = (S_unif() - 0.5) * 0.4 * base, t = (double)i;
    switch (kind) {
    case 0: y[i] = base + noise; break;
    case 1: y[i] = base + t * base / 50 + noise / 4; break;
    case 2: y[i] = base + (t > n / 2.0 ? (t - n / 2.0) * base / 20 : 0) + noise / 4; break;
    case 3: y[i] = base + (t < n / 3.0 ? t : n / 3.0) * base / 10 + noise / 8; break;
    case 4: y[i] = base; break;
    case 5: y[i] = 0; break;
    case 6: y[i] = floor(S_unif() * 4) * 1024; break;
    case 7: y[i] = 1e12 + floor(S_unif() * 3); break;
    case 8: y[i] = 3 * t + 7; break;
    case 9: y[i] = S_unif() < 0.1 ? base * 10 : base + noise; break;
    default: y[i] = 1000 + (i == 0 || i + 1 == n ? 6e5 : 1.2e6 * t / n + (double)(i * 7919 % 1000)); break;
    }
  }
}

static int S_same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every statistic of one series, computed the fast way or the quadratic one. */
typedef struct {
  double ts, hr_factor;
  pd_mk mk, hr;
  pd_hinge h;
  size_t k;
  pd_trend t;
  pd_trend_result r;
} S_every;

static void S_every_way(int quadratic, const double *x, const double *y, const double *var, const double *tot,
                        size_t n, const pd_trend_params *p, double *scratch, S_every *e) {
  pd_stats_quadratic = quadratic;
  e->ts = pd_theil_sen(x, y, n, scratch);
  e->mk = pd_mann_kendall(y, n, 0);
  e->hr = pd_mann_kendall_hr(x, y, n, scratch, &e->hr_factor);
  e->k = pd_hinge_best(x, y, n, &e->h, scratch);
  e->t = pd_trend_judge(x, y, var, NULL, tot, n, p, scratch, &e->r);
  pd_stats_quadratic = 0;
}

/* A stable verdict without a break shows none of the break search's
 * figures (break_f nowhere, break_p only with by_counts), and a series
 * below the floor skips that search (trend.c, S_below_floor): those two
 * are compared only when they are shown. */
static int S_same_result(const pd_trend_result *a, const pd_trend_result *b) {
  int shown = a->trend != PD_TREND_STABLE || a->has_break || a->by_counts;
  return a->trend == b->trend && a->since == b->since && a->has_break == b->has_break &&
         a->by_counts == b->by_counts && (!shown || (S_same(a->break_f, b->break_f) && S_same(a->break_p, b->break_p))) &&
         S_same(a->noise_band, b->noise_band) && S_same(a->floor, b->floor) && S_same(a->mk.s, b->mk.s) &&
         S_same(a->mk.tau, b->mk.tau) && S_same(a->held_band, b->held_band) &&
         S_same(a->rate, b->rate) && S_same(a->rate_before, b->rate_before) && S_same(a->change, b->change) &&
         S_same(a->threshold, b->threshold) && S_same(a->mk.z, b->mk.z) && S_same(a->mk.p, b->mk.p) &&
         S_same(a->mk_factor, b->mk_factor) && a->rising == b->rising && a->steps == b->steps &&
         S_same(a->theil_sen, b->theil_sen) && S_same(a->held_change, b->held_change);
}

/* PD_TEST_SMALL (tests/run.sh sets it for the valgrind pass, where the
 * quadratic ways of the statistics take many minutes): the comparisons of
 * fast and quadratic stop at short series; the plain unit run does all. */
static int S_small(void) {
  const char *v = getenv("PD_TEST_SMALL");
  return v && *v && strcmp(v, "0") != 0;
}

PD_TEST(fast_statistics_are_the_quadratic_ones) {
  static const size_t sizes[] = {2, 3, 4, 5, 6, 7, 9, 12, 20, 33, 64, 150, 200, 201, 230, 400, 1000};
  const size_t nsizes = S_small() ? 11 : sizeof sizes / sizeof sizes[0]; /* up to 64 points */
  size_t maxn = 1000;
  double *x = malloc(maxn * sizeof *x), *y = malloc(maxn * sizeof *y), *var = malloc(maxn * sizeof *var);
  double *tot = malloc(maxn * sizeof *tot);
  double *scratch = malloc(pd_trend_scratch(maxn) * sizeof *scratch);
  int checked = 0;
  for (size_t si = 0; si < nsizes; si++) {
    size_t n = sizes[si];
    int reps = n >= 400 ? 3 : 12;
    for (int kind = 0; kind < 11; kind++) {
      for (int rep = 0; rep < reps; rep++) {
        S_shape(kind, n, x, y);
        for (size_t i = 0; i < n; i++) var[i] = fabs(y[i]) * 1000 * S_unif(), tot[i] = 1e9 + fabs(y[i]);
        pd_trend_params p = {3, 0.01, 0.2, 0.005, 1e3, 10};
        S_every fast, slow;
        S_every_way(0, x, y, var, tot, n, &p, scratch, &fast);
        S_every_way(1, x, y, var, tot, n, &p, scratch, &slow);
        int same = S_same(fast.ts, slow.ts) && S_same(fast.mk.s, slow.mk.s) && S_same(fast.mk.var_s, slow.mk.var_s) &&
                   S_same(fast.mk.p, slow.mk.p) && S_same(fast.hr.var_s, slow.hr.var_s) && S_same(fast.hr.p, slow.hr.p) &&
                   S_same(fast.hr_factor, slow.hr_factor) && fast.k == slow.k && S_same(fast.h.sse, slow.h.sse) &&
                   S_same(fast.h.b2, slow.h.b2) && fast.t == slow.t && S_same_result(&fast.r, &slow.r);
        CHECK_MSG(same, "n=%zu kind=%d rep=%d: theil-sen %.17g/%.17g knot %zu/%zu trend %d/%d", n, kind, rep,
                  fast.ts, slow.ts, fast.k, slow.k, (int)fast.t, (int)slow.t);
        checked++;
      }
    }
  }
  CHECK(checked > (S_small() ? 500 : 1000));
  free(x);
  free(y);
  free(var);
  free(tot);
  free(scratch);
}

/* A sampled series a minute apart: values src (may be y), Var = y w (a
 * Poisson count of objects of weight w), judged with the defaults. */
static pd_trend S_judge_sampled(const double *src, size_t n, double w, double *x, double *y, double *var,
                                const double *tot, double *scratch, pd_trend_result *r) {
  for (size_t i = 0; i < n; i++) {
    x[i] = (double)i / 60.0;
    y[i] = src[i];
    var[i] = y[i] * w;
  }
  pd_trend_params p = {3, 0.01, 0.20, 0.005, 0, 10};
  return pd_trend_judge(x, y, var, NULL, tot, n, &p, scratch, r);
}

PD_TEST(trend_counts_a_late_sampled_leak) {
  /* a late leak in a sampled heap profile: nothing up to snapshot 26, then
   * whole sampled objects of weight w that arrive and stay (Var = y w, a
   * Poisson count), a minute apart; the knot is found by likelihood, the
   * trend since it by counts, and the band of the eight objects since is
   * w (3 sqrt(8 + 9/4) - 9/2) = 5.105 w (docs/analysis.md, section 7) */
  enum { N = 40 };
  static const int objects[N - 26] = {0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8, 8};
  double x[N], y[N], var[N], w = 524288;
  for (int i = 0; i < N; i++) {
    x[i] = i / 60.0;
    y[i] = i < 26 ? 0 : objects[i - 26] * w;
    var[i] = y[i] * w;
  }
  pd_trend_params p = {3, 0.01, 0.20, 0.005, 0, 10};
  double *scratch = malloc(pd_trend_scratch(N) * sizeof *scratch);
  pd_trend_result r;
  CHECK(pd_trend_judge(x, y, var, NULL, NULL, N, &p, scratch, &r) == PD_TREND_GROWING);
  CHECK(r.has_break && r.by_counts);
  CHECK(r.since == 26);
  CHECK(r.break_p < 0.01);
  CHECK_NEAR(r.noise_band, w * (3 * sqrt(8 + 2.25) - 4.5), 1);
  /* its rate is the count over its time: 8 objects in 13 minutes */
  CHECK_NEAR(r.rate, 8 * w / (13 / 60.0), 1e-3);
  /* the same values in an exact profile (no variance): the two-piece fit
   * and Mann-Kendall decide, not the counts */
  for (int i = 0; i < N; i++) var[i] = 0;
  pd_trend_judge(x, y, var, NULL, NULL, N, &p, scratch, &r);
  CHECK(!r.by_counts);
  free(scratch);
}

/* A sparse sampled leak (bench/calibrate leak:0.003, sampled, seed 1: one
 * sampled object of about 527 kB every four snapshots, one of them freed at
 * snapshot 33) whose last seven snapshots drew no new object: the two-piece
 * fit finds a knot at 32 and the part after it is flat within its band,
 * but at the earlier rate it would have gained about two objects, and none
 * in seven snapshots has probability 0.13: growth did not stop, so it is
 * no plateau (docs/analysis.md, "plateau"). The same growth held flat for
 * 24 snapshots (about twelve objects missing) is one. */
PD_TEST(trend_sparse_leak_is_no_plateau) {
  enum { N = 40 };
  static const double y1[N] = {0, 0, 0, 0, 0, 0, 527687, 527687, 527687, 527687, 1054025, 1054025, 1054025,
                               1579017, 1579017, 1579017, 2104650, 2104650, 2104650, 2104650, 2645492,
                               2645492, 2645492, 2645492, 2645492, 2645492, 3699582, 4226305, 4226305,
                               4226305, 4226305, 4226305, 4751938, 4211096, 4211096, 4211096, 4211096,
                               4211096, 4211096, 4211096};
  double x[N], y[N], var[N], w = 527000;
  for (int i = 0; i < N; i++) {
    x[i] = i / 60.0;
    y[i] = y1[i];
    var[i] = y[i] * w;
  }
  pd_trend_params p = {3, 0.01, 0.20, 0.005, 0, 10};
  double *scratch = malloc(pd_trend_scratch(N) * sizeof *scratch);
  pd_trend_result r;
  pd_trend t = pd_trend_judge(x, y, var, NULL, NULL, N, &p, scratch, &r);
  CHECK_MSG(t == PD_TREND_GROWING, "sparse leak is %s", pd_trend_name(t));
  /* grown to snapshot 16 (one object every two), one freed, then flat */
  for (int i = 0; i < N; i++) {
    int objects = i < 16 ? i / 2 : 8;
    if (i >= 20) objects = 7;
    y[i] = objects * w;
    var[i] = y[i] * w;
  }
  t = pd_trend_judge(x, y, var, NULL, NULL, N, &p, scratch, &r);
  CHECK_MSG(t == PD_TREND_PLATEAU, "stopped growth is %s", pd_trend_name(t));
  /* a warm cache in a series with a gap (bench/calibrate plateau, sampled,
   * seed 2, snapshots 10-21 left out): 11 sampled objects in 22 minutes,
   * none in the 17 after, p = 2e-4 at the earlier rate, below alpha over
   * the 22 knots tried: a plateau (at a tenth of that level it was a
   * growing leak suspect; docs/analysis.md, "plateau") */
  static const double yg[28] = {0,       0,       0,       0,       527687,  1578376, 1578376,
                                1578376, 2654603, 3180236, 5785687, 5785687, 5785687, 5785687,
                                5785687, 5785687, 5785687, 5785687, 5785687, 5785687, 5785687,
                                5785687, 5785687, 5785687, 5785687, 5785687, 5785687, 5785687};
  for (int i = 0; i < 28; i++) {
    x[i] = (i < 10 ? i : i + 12) / 60.0;
    y[i] = yg[i];
    var[i] = y[i] * 520000;
  }
  t = pd_trend_judge(x, y, var, NULL, NULL, 28, &p, scratch, &r);
  CHECK_MSG(t == PD_TREND_PLATEAU, "cache with a gap is %s", pd_trend_name(t));
  /* the same cache's first 24 snapshots: 11 sampled objects by snapshot
   * 15, none in the 8 after. The likelihood ratio, Bonferroni over 19
   * knots, has p = 0.04; that all 11 came by minute 15 of 23 at one rate
   * has (15/23)^11 = 0.009 (the last-arrival test), and the stop test then
   * asks at alpha: a plateau since 15, not a growing leak suspect */
  static const double yc[24] = {0,       0,       0,       0,       527687,  1578376, 1578376, 1578376,
                                2654603, 3180236, 3180236, 3683026, 3683026, 3683026, 4733139, 5785687,
                                5785687, 5785687, 5785687, 5785687, 5785687, 5785687, 5785687, 5785687};
  t = S_judge_sampled(yc, 24, 520000, x, y, var, NULL, scratch, &r);
  CHECK_MSG(t == PD_TREND_PLATEAU && r.since == 15, "cache stopping late is %s since %u", pd_trend_name(t),
            (unsigned)r.since);
  for (int i = 0; i < N; i++) x[i] = i / 60.0;
  /* a late leak absent before its onset, one of its objects freed on the
   * way (bench/calibrate late:0.01, sampled, seed 8): what it holds at the
   * end was all allocated since it was absent, so its band is the count's,
   * not z sqrt(Var), and it grows */
  static const double y8[N] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               525633, 1051971, 1582426, 2107610, 1577155, 2104906, 2631629, 3158994,
                               3158994, 3158994, 5264416, 6320177, 6845490};
  for (int i = 0; i < N; i++) {
    y[i] = y8[i];
    var[i] = y[i] * w;
  }
  t = pd_trend_judge(x, y, var, NULL, NULL, N, &p, scratch, &r);
  CHECK_MSG(t == PD_TREND_GROWING, "late leak is %s", pd_trend_name(t));
  /* and its onset is found: the knot on its first sampled object is
   * measured from the absence before it */
  CHECK_MSG(r.has_break && r.since >= 25 && r.since <= 28, "onset %u", (unsigned)r.since);
  free(scratch);
}

/* Sampled churn whose objects live for many snapshots wanders (lag-1
 * autocorrelation 0.6 and more): the two-piece fit puts its knot at the
 * lowest point before a rise, where the value and so its estimated noise
 * are smallest, and the return to the function's level passed the
 * recent part's tests. Two such series from bench/calibrate (churn,
 * sampled, seed 6: main.churnRequests; plateau, sampled, seed 19:
 * main.churnCompress, a rise without a single fall), each once a leak
 * suspect, are stable: their ends are not beyond their level before the
 * knot (docs/analysis.md, section 7). A leak that starts late inside a
 * function that churns still grows from its onset. */
PD_TEST(trend_wander_back_to_level_is_stable) {
  enum { N = 40 };
  static const double ya[N] = {4264091, 3735053, 5878099, 5332519, 4269508, 2670283, 3191419, 4257948, 2668894,
                               2681979, 4294103, 4282330, 3205494, 3731812, 1062977, 1588289, 1058013, 2121647,
                               2121650, 2654589, 4245074, 3187889, 3196006, 3192614, 4275446, 5341836, 5873994,
                               6949564, 6434367, 7491782, 5897236, 5359932, 6431846, 8021822, 6401410, 6383671,
                               7454259, 7456974, 9046193, 7996400};
  static const double yb[N] = {8544294, 7464358, 7471696, 6396665, 8537107, 7465834, 6386844, 5864363, 4788717,
                               6917810, 8530204, 7467771, 6410244, 5872548, 7994474, 8521450, 7992348, 8000178,
                               6411441, 5885103, 3727981, 3186230, 3192807, 3192807, 2656696, 3189577, 3723135,
                               1579838, 1591612, 3200927, 5352997, 2138409, 2135881, 2137302, 4271790, 5870761,
                               5876351, 6413214, 6423555, 8543246};
  const double *series[] = {ya, yb};
  double x[N], y[N], var[N], tot[N], w = 524288;
  double *scratch = malloc(pd_trend_scratch(N) * sizeof *scratch);
  pd_trend_result r;
  for (int i = 0; i < N; i++) tot[i] = 5e7;
  for (int s = 0; s < 2; s++) {
    pd_trend t = S_judge_sampled(series[s], N, w, x, y, var, tot, scratch, &r);
    CHECK_MSG(t == PD_TREND_STABLE, "wander %d is %s since %u", s, pd_trend_name(t), (unsigned)r.since);
  }
  /* about 5 MB of churn, then two sampled objects more each minute */
  for (int i = 0; i < N; i++) y[i] = 5e6 + (i % 3 - 1) * w + (i >= 26 ? (i - 25) * 2 * w : 0);
  pd_trend t = S_judge_sampled(y, N, w, x, y, var, tot, scratch, &r);
  CHECK_MSG(t == PD_TREND_GROWING, "late leak in churn is %s", pd_trend_name(t));
  CHECK_MSG(r.has_break && r.since >= 24 && r.since <= 28, "onset %u", (unsigned)r.since);
  free(scratch);
}

/* A late sampled leak that drew few objects (bench/calibrate late:0.01,
 * sampled, seed 16, a draw of 2026-12-03): absent for 28 snapshots, then
 * five sampled objects, none freed. The likelihood ratio over 34 knots
 * has p = 0.02; but the five all came after snapshot 27, which at one
 * rate over the window has p = (12/39)^5 = 0.003 (the first-arrival test,
 * docs/analysis.md section 7): it grows since 27, end to end. Two objects
 * are too few for that test, and a function that was there from the start
 * is never asked it. */
PD_TEST(trend_first_arrival_finds_a_late_start) {
  enum { N = 40 };
  static const double tail[N - 27] = {0,       526980,  526980,  526980,  1052420, 1052420, 1052420,
                                      1580814, 2109209, 2109209, 2109209, 2109209, 2634393};
  double x[N], y[N], var[N], w = 521600;
  double *scratch = malloc(pd_trend_scratch(N) * sizeof *scratch);
  pd_trend_result r;
  for (int i = 0; i < N; i++) y[i] = i < 27 ? 0 : tail[i - 27];
  pd_trend t = S_judge_sampled(y, N, w, x, y, var, NULL, scratch, &r);
  CHECK_MSG(t == PD_TREND_GROWING, "late start is %s", pd_trend_name(t));
  CHECK(r.has_break && r.by_counts && r.since == 27);
  CHECK_NEAR(r.first_arrival, 2634393.0 / w, 1e-9);
  CHECK_NEAR(r.break_p, pow(12.0 / 39, 2634393.0 / w), 1e-12);
  CHECK_NEAR(r.rate, 2634393 / (12 / 60.0), 1e-3);
  /* two objects at the end: no first-arrival test */
  for (int i = 0; i < N; i++) y[i] = i < 33 ? 0 : i < 36 ? w : 2 * w;
  S_judge_sampled(y, N, w, x, y, var, NULL, scratch, &r);
  CHECK(r.first_arrival == 0);
  /* present from the start (one object), the same five after: the absence
   * test does not apply (the likelihood ratio decides alone) */
  for (int i = 0; i < N; i++) y[i] = w + (i < 27 ? 0 : tail[i - 27]);
  S_judge_sampled(y, N, w, x, y, var, NULL, scratch, &r);
  CHECK(r.first_arrival == 0);
  free(scratch);
}

/* Long series: Hamed-Rao's lag sums by the number-theoretic transform
 * (from PD_STATS_LONG points) are the direct ones, bit for bit. (The knot
 * of a constant, found without a scan, is checked above: kinds 4 and 5.) */
PD_TEST(long_series_are_the_quadratic_ones) {
  static const size_t sizes[] = {PD_STATS_LONG, 5000, 8191};
  static const int kinds[] = {0, 1, 6, 7, 9};
  size_t maxn = 8191;
  const size_t nsizes = S_small() ? 1 : sizeof sizes / sizeof sizes[0], nkinds = S_small() ? 1 : 5;
  double *x = malloc(maxn * sizeof *x), *y = malloc(maxn * sizeof *y);
  double *scratch = malloc(pd_trend_scratch(maxn) * sizeof *scratch);
  for (size_t si = 0; si < nsizes; si++)
    for (size_t ki = 0; ki < nkinds; ki++) {
      size_t n = sizes[si];
      S_shape(kinds[ki], n, x, y);
      double ff, fs;
      pd_stats_quadratic = 0;
      pd_mk f = pd_mann_kendall_hr(x, y, n, scratch, &ff);
      pd_stats_quadratic = 1;
      pd_mk s = pd_mann_kendall_hr(x, y, n, scratch, &fs);
      pd_stats_quadratic = 0;
      CHECK_MSG(S_same(f.var_s, s.var_s) && S_same(f.p, s.p) && S_same(ff, fs),
                "n=%zu kind=%d: factor %.17g/%.17g", n, kinds[ki], ff, fs);
    }
  free(x);
  free(y);
  free(scratch);
}

/* Churn of long-lived objects, sampled, whose values happened never to
 * fall in twelve snapshots (bench/calibrate slowchurn --snapshots 12,
 * sampled, seed 10: main.churnCompress). From the steps alone its objects
 * look persistent, the band of its +2.66 MB is that of 5 new sampled
 * objects, and it was a growing leak suspect. Its cumulative allocations
 * say that two sampled objects were freed and two more allocated at every
 * step: the change is then a difference of independent counts, its band
 * z sqrt(A + F), and it is stable (docs/analysis.md, sections 4 and 7). */
PD_TEST(trend_allocations_tell_churn_from_persistence) {
  enum { N = 12 };
  static const double mb[N] = {9.1, 9.1, 9.63, 9.63, 10.69, 11.75, 11.76, 11.76, 11.76, 11.76, 11.76, 11.76};
  double x[N], y[N], var[N], avar[N], w = 524288;
  for (int i = 0; i < N; i++) {
    x[i] = i / 60.0;
    y[i] = mb[i] * 1e6;
    var[i] = y[i] * w;
    /* the objects there at the start, then each step's new ones: its net
     * growth plus two that replaced two freed */
    avar[i] = i ? avar[i - 1] + (var[i] - var[i - 1]) + 2 * w * w : var[0];
  }
  pd_trend_params p = {3, 0.01, 0.20, 0.005, 0, 10};
  double *scratch = malloc(pd_trend_scratch(N) * sizeof *scratch);
  pd_trend_result r;
  CHECK(pd_trend_judge(x, y, var, NULL, NULL, N, &p, scratch, &r) == PD_TREND_GROWING);
  CHECK(pd_trend_alloc_consistent(y, var, avar, N));
  CHECK(pd_trend_judge(x, y, var, avar, NULL, N, &p, scratch, &r) == PD_TREND_STABLE);
  /* the band of the whole window: the smaller of Var(y_0) + Var(y_11)
   * and A + F (A = var_11 - var_0 + 22 w^2 allocated, F = 22 w^2 freed) */
  double a = var[N - 1] - var[0] + 22 * w * w, f = 22 * w * w;
  CHECK_NEAR(r.noise_band, 3 * sqrt(fmin(var[0] + var[N - 1], a + f)), 1);
  /* the same values with no object freed (allocations that only grew
   * with the value): persistence is known, and it grows */
  for (int i = 0; i < N; i++) avar[i] = var[i];
  CHECK(pd_trend_judge(x, y, var, avar, NULL, N, &p, scratch, &r) == PD_TREND_GROWING);
  free(scratch);
}

/* Allocations are one process's when they never fall and the value's
 * variance never rises by more than theirs (a freed object is not
 * negative), within half a sampled object; else the judge ignores them. */
PD_TEST(trend_alloc_consistency) {
  double w = 524288, y[3] = {4 * w, 5 * w, 5 * w}, var[3], avar[3];
  for (int i = 0; i < 3; i++) var[i] = y[i] * w;
  avar[0] = var[0], avar[1] = var[1] + w * w, avar[2] = avar[1]; /* one freed, nothing at the last step */
  CHECK(pd_trend_alloc_consistent(y, var, avar, 3));
  avar[2] = avar[1] - w * w; /* allocations that fell: a restart */
  CHECK(!pd_trend_alloc_consistent(y, var, avar, 3));
  avar[2] = avar[1], avar[1] = var[1] - w * w; /* the value gained more than was allocated */
  CHECK(!pd_trend_alloc_consistent(y, var, avar, 3));
  avar[1] = var[1] - 0.25 * w * w; /* within half an object: rounding, rescaling */
  CHECK(pd_trend_alloc_consistent(y, var, avar, 3));
  avar[2] = INFINITY; /* a hostile profile's overflow: unknown, not a band of 0 */
  CHECK(!pd_trend_alloc_consistent(y, var, avar, 3));
  avar[2] = NAN;
  CHECK(!pd_trend_alloc_consistent(y, var, avar, 3));
}

/* A leak allocated by a function that also churns (bench/calibrate
 * leakin): the function's values are the churn's sampled objects, which
 * wander, plus the leak's, which arrive and stay; its never-freed part is
 * the leak's records from the first snapshot on (at the first, right
 * after the process filled its pools, nothing had been freed yet). That
 * part grows by counts, and the function's own change over it passes
 * both the part's threshold and the function's floor (docs/analysis.md,
 * section 7, "the never-freed part"). */
PD_TEST(trend_never_freed_part_of_a_churning_function) {
  enum { N = 40 };
  static const int churn[N] = {12, 9, 14, 10, 16, 11, 8, 13, 15, 9, 12, 14, 10, 7, 11, 13, 16, 12, 9, 10,
                               14, 11, 13, 8, 12, 15, 10, 9, 13, 11, 14, 12, 8, 10, 13, 9, 12, 11, 10, 12};
  double x[N], y[N], var[N], nf[N], nfv[N], w = 524288;
  for (int i = 0; i < N; i++) {
    x[i] = i / 60.0;
    int leak = i / 2;
    y[i] = (churn[i] + leak) * w;
    var[i] = y[i] * w;
    nf[i] = (i ? leak : churn[0] + leak) * w;
    nfv[i] = nf[i] * w;
  }
  pd_trend_params p = {3, 0.01, 0.20, 0.005, 0, 10};
  double *scratch = malloc(pd_trend_scratch(N) * sizeof *scratch);
  pd_trend_result r;
  CHECK(pd_trend_judge_part(x, y, nf, nfv, NULL, N, &p, scratch, &r));
  CHECK(r.trend == PD_TREND_GROWING && r.part);
  CHECK(r.since == 1); /* after the first snapshot's records freed */
  CHECK_NEAR(r.part_change, (19 - 0) * w, 1);
  CHECK_NEAR(r.part_objects, 19, 1e-6);
  pd_fit fit = pd_least_squares(x + 1, y + 1, N - 1);
  CHECK_NEAR(r.rate, fit.slope, 1e-6);
  CHECK_NEAR(r.change, fit.slope * (x[N - 1] - x[1]), 1e-3);
  CHECK(r.change > r.threshold && r.threshold >= r.part_threshold);
  /* the rest shrinking as much: the function did not grow */
  for (int i = 0; i < N; i++) y[i] = (churn[i] + 30 - i * 3 / 4 + i / 2) * w, var[i] = y[i] * w;
  CHECK(!pd_trend_judge_part(x, y, nf, nfv, NULL, N, &p, scratch, &r));
  /* a record of the part freed an object five snapshots from the end:
   * too few points since for a trend of their own */
  for (int i = 0; i < N; i++) y[i] = (churn[i] + i / 2) * w, var[i] = y[i] * w;
  nf[N - 5] -= 3 * w;
  for (int i = N - 5; i < N; i++) nf[i] = nf[N - 5] + (i - (N - 5)) * w, nfv[i] = nf[i] * w;
  CHECK(!pd_trend_judge_part(x, y, nf, nfv, NULL, N, &p, scratch, &r));
  /* the whole function never freed anything: its own verdict says it all */
  for (int i = 0; i < N; i++) nf[i] = y[i], nfv[i] = var[i];
  CHECK(!pd_trend_judge_part(x, y, nf, nfv, NULL, N, &p, scratch, &r));
  free(scratch);
}

static const pd_test_case S_cases[] = {
    {"trend_never_freed_part_of_a_churning_function", trend_never_freed_part_of_a_churning_function},
    {"least_squares_by_hand", least_squares_by_hand},
    {"theil_sen_ignores_an_outlier", theil_sen_ignores_an_outlier},
    {"mann_kendall_by_hand", mann_kendall_by_hand},
    {"median_odd_even", median_odd_even},
    {"trend_counts_a_late_sampled_leak", trend_counts_a_late_sampled_leak},
    {"trend_sparse_leak_is_no_plateau", trend_sparse_leak_is_no_plateau},
    {"trend_wander_back_to_level_is_stable", trend_wander_back_to_level_is_stable},
    {"trend_first_arrival_finds_a_late_start", trend_first_arrival_finds_a_late_start},
    {"trend_allocations_tell_churn_from_persistence", trend_allocations_tell_churn_from_persistence},
    {"trend_alloc_consistency", trend_alloc_consistency},
    {"hinge_recovers_a_knot", hinge_recovers_a_knot},
    {"mann_kendall_hamed_rao", mann_kendall_hamed_rao},
    {"fast_statistics_are_the_quadratic_ones", fast_statistics_are_the_quadratic_ones},
    {"long_series_are_the_quadratic_ones", long_series_are_the_quadratic_ones},
    {NULL, NULL}};
const pd_test_suite pd_suite_stats = {"stats", S_cases};
