/* stats.c: least squares, Theil-Sen, Mann-Kendall. See stats.h. */
#include "stats.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

pd_fit pd_least_squares(const double *x, const double *y, size_t n) {
  pd_fit f = {0, 0, 0, 0};
  if (n < 2) return f;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= (double)n;
  my /= (double)n;
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (sxx == 0) return f;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  f.r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 0;
  f.valid = 1;
  return f;
}

size_t pd_theil_sen_scratch(size_t n) {
  size_t pairs = n * (n - (n ? 1 : 0)) / 2;
  return pairs < PD_THEIL_SEN_MAX_PAIRS ? (pairs ? pairs : 1) : PD_THEIL_SEN_MAX_PAIRS;
}

static int S_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Moves the k-th smallest of v[0..n) to v[k], smaller ones before it and
 * larger ones after (Hoare's quickselect, median-of-three pivots). The
 * median was a qsort once, but Theil-Sen takes the median of up to
 * PD_THEIL_SEN_MAX_PAIRS slopes for every function of a series, and sorting
 * them was most of the time of a report on 100 snapshots; an order statistic
 * is the same value however it is found, so the figures do not change. */
static void S_select(double *v, size_t n, size_t k) {
  ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;
  while (lo < hi) {
    double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];
    double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
    ptrdiff_t i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        double t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    /* now v[lo..j] <= pivot <= v[i..hi], and v[j+1..i-1] == pivot */
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return;
  }
}

double pd_median(double *v, size_t n) {
  if (n == 0) return NAN;
  S_select(v, n, n / 2);
  if (n % 2) return v[n / 2];
  double below = v[0]; /* the largest of the lower half */
  for (size_t i = 1; i < n / 2; i++)
    if (v[i] > below) below = v[i];
  return (below + v[n / 2]) / 2;
}

double pd_theil_sen(const double *x, const double *y, size_t n, double *scratch) {
  size_t all = n * (n ? n - 1 : 0) / 2, m = 0;
  if (all <= PD_THEIL_SEN_MAX_PAIRS) {
    for (size_t i = 0; i < n; i++)
      for (size_t j = i + 1; j < n; j++)
        if (x[j] != x[i]) scratch[m++] = (y[j] - y[i]) / (x[j] - x[i]);
  } else {
    /* Too many pairs: walk them all with a fixed stride, which samples every
     * lag evenly and gives the same answer on every run. */
    size_t stride = all / PD_THEIL_SEN_MAX_PAIRS + 1, k = 0;
    for (size_t i = 0; i < n && m < PD_THEIL_SEN_MAX_PAIRS; i++)
      for (size_t j = i + 1; j < n && m < PD_THEIL_SEN_MAX_PAIRS; j++, k++)
        if (k % stride == 0 && x[j] != x[i]) scratch[m++] = (y[j] - y[i]) / (x[j] - x[i]);
  }
  return m ? pd_median(scratch, m) : NAN;
}

double pd_normal_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

pd_mk pd_mann_kendall(const double *y, size_t n, double tie) {
  pd_mk r = {0, 0, 0, 1, 0};
  if (n < 2) return r;
  double s = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) {
      double d = y[j] - y[i];
      if (d > tie) s += 1;
      else if (d < -tie) s -= 1;
    }
  /* tie groups: runs of values within `tie` of each other, after sorting */
  double *v = malloc(n * sizeof *v);
  for (size_t i = 0; i < n; i++) v[i] = y[i];
  qsort(v, n, sizeof *v, S_cmp_double);
  double ties = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && v[j] - v[j - 1] <= tie) j++;
    double t = (double)(j - i);
    if (t > 1) ties += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  free(v);
  double dn = (double)n;
  r.s = s;
  r.var_s = (dn * (dn - 1) * (2 * dn + 5) - ties) / 18.0;
  if (r.var_s > 0) {
    if (s > 0) r.z = (s - 1) / sqrt(r.var_s);
    else if (s < 0) r.z = (s + 1) / sqrt(r.var_s);
  }
  r.p = 2 * (1 - pd_normal_cdf(fabs(r.z)));
  if (r.p > 1) r.p = 1;
  r.tau = s / (dn * (dn - 1) / 2);
  return r;
}

size_t pd_mann_kendall_hr_scratch(size_t n) { return pd_theil_sen_scratch(n) + 3 * n; }

/* Average ranks (1-based) of v[0..n): idx is scratch of n doubles. */
static const double *S_rank_values;
static int S_by_value(const void *a, const void *b) {
  double x = S_rank_values[*(const size_t *)a], y = S_rank_values[*(const size_t *)b];
  if (x != y) return x < y ? -1 : 1;
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  return i < j ? -1 : i > j; /* stable: the same ranks on every platform */
}

static void S_ranks(const double *v, size_t n, double *rank, size_t *idx) {
  for (size_t i = 0; i < n; i++) idx[i] = i;
  S_rank_values = v;
  qsort(idx, n, sizeof *idx, S_by_value);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && v[idx[j]] == v[idx[i]]) j++;
    double r = (double)(i + j + 1) / 2; /* mean of ranks i+1..j */
    for (size_t m = i; m < j; m++) rank[idx[m]] = r;
    i = j;
  }
}

pd_mk pd_mann_kendall_hr(const double *x, const double *y, size_t n, double *scratch, double *factor) {
  pd_mk r = pd_mann_kendall(y, n, 0);
  double f = 1;
  if (n >= 4 && r.var_s > 0) {
    double beta = pd_theil_sen(x, y, n, scratch);
    if (isnan(beta)) beta = 0;
    double *e = scratch + pd_theil_sen_scratch(n), *rank = e + n;
    size_t *idx = (size_t *)(rank + n); /* a size_t fits in a double's room */
    for (size_t i = 0; i < n; i++) e[i] = y[i] - beta * x[i];
    S_ranks(e, n, rank, idx);
    double mean = (double)(n + 1) / 2, den = 0;
    for (size_t i = 0; i < n; i++) den += (rank[i] - mean) * (rank[i] - mean);
    double dn = (double)n, bound = 1.959963984540054 / sqrt(dn), sum = 0;
    for (size_t k = 1; k + 2 < n && den > 0; k++) {
      double num = 0;
      for (size_t i = 0; i + k < n; i++) num += (rank[i] - mean) * (rank[i + k] - mean);
      double rk = num / den;
      if (fabs(rk) > bound) sum += (dn - k) * (dn - k - 1) * (dn - k - 2) * rk;
    }
    f = 1 + 2 / (dn * (dn - 1) * (dn - 2)) * sum;
    if (f < 1) f = 1;
    r.var_s *= f;
    r.z = r.s > 0 ? (r.s - 1) / sqrt(r.var_s) : r.s < 0 ? (r.s + 1) / sqrt(r.var_s) : 0;
    r.p = 2 * (1 - pd_normal_cdf(fabs(r.z)));
    if (r.p > 1) r.p = 1;
  }
  if (factor) *factor = f;
  return r;
}

pd_hinge pd_hinge_fit(const double *x, const double *y, size_t n, size_t k) {
  pd_hinge h = {0, 0, 0, 0, 0};
  if (n < 4 || k == 0 || k + 1 >= n) return h;
  /* normal equations of [1, x, max(0, x - x[k])], centred on the means
   * for accuracy (times in hours since an epoch can be large) */
  double mx = 0, mh = 0, my = 0, dn = (double)n;
  for (size_t i = 0; i < n; i++) {
    mx += x[i];
    mh += x[i] > x[k] ? x[i] - x[k] : 0;
    my += y[i];
  }
  mx /= dn, mh /= dn, my /= dn;
  double sxx = 0, sxh = 0, shh = 0, sxy = 0, shy = 0;
  for (size_t i = 0; i < n; i++) {
    double a = x[i] - mx, b = (x[i] > x[k] ? x[i] - x[k] : 0) - mh, c = y[i] - my;
    sxx += a * a, sxh += a * b, shh += b * b, sxy += a * c, shy += b * c;
  }
  double det = sxx * shh - sxh * sxh;
  if (!(fabs(det) > 1e-12 * sxx * shh) || shh == 0) return h;
  h.b1 = (sxy * shh - shy * sxh) / det;
  h.b2 = (shy * sxx - sxy * sxh) / det;
  h.c = my - h.b1 * mx - h.b2 * mh;
  for (size_t i = 0; i < n; i++) {
    double fit = h.c + h.b1 * x[i] + h.b2 * (x[i] > x[k] ? x[i] - x[k] : 0);
    h.sse += (y[i] - fit) * (y[i] - fit);
  }
  h.valid = 1;
  return h;
}
