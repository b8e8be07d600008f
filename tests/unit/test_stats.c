/* test_stats.c: the statistics against values computed by hand. */
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "analyse/stats.h"

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

static const pd_test_case S_cases[] = {
    {"least_squares_by_hand", least_squares_by_hand},
    {"theil_sen_ignores_an_outlier", theil_sen_ignores_an_outlier},
    {"mann_kendall_by_hand", mann_kendall_by_hand},
    {"median_odd_even", median_odd_even},
    {"hinge_recovers_a_knot", hinge_recovers_a_knot},
    {"mann_kendall_hamed_rao", mann_kendall_hamed_rao},
    {NULL, NULL}};
const pd_test_suite pd_suite_stats = {"stats", S_cases};
