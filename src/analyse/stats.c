/* stats.c: least squares, Theil-Sen, Mann-Kendall. See stats.h. */
#include "stats.h"
#include "../util/util.h"

#include <math.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

int pd_stats_quadratic;

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

/* The median of many values (Theil-Sen's 20,000 slopes for every function
 * of a series) in about one pass: a sample of S_SAMPLE values spaced
 * evenly gives two bounds that hold the median between them with near
 * certainty (the sample's order statistics S_SPREAD either side of its
 * middle, some five standard deviations of the middle's rank), one
 * branch-free pass counts the values below the lower bound and copies
 * those between, and the median is selected among the few copied. The
 * same order statistics, so the same value: when the bounds miss, when a
 * value is not a number, or when there is a negative zero (equal to zero,
 * other bits: which one an order statistic is depends on the way), the
 * whole is selected as before. Returns 0 when it could not decide. */
#define S_SAMPLE 256
#define S_SPREAD 40
#define S_FAST_MEDIAN 4096

static int S_median_fast(const double *v, size_t n, double *out) {
  double smp[S_SAMPLE];
  for (size_t i = 0; i < S_SAMPLE; i++) smp[i] = v[i * (n / S_SAMPLE)];
  S_select(smp, S_SAMPLE, S_SAMPLE / 2 - S_SPREAD);
  double lo = smp[S_SAMPLE / 2 - S_SPREAD];
  S_select(smp, S_SAMPLE, S_SAMPLE / 2 + S_SPREAD);
  double hi = smp[S_SAMPLE / 2 + S_SPREAD];
  if (!(lo <= hi)) return 0;
  double *mid = pd_xmalloc(n * sizeof *mid);
  size_t below = 0, nmid = 0, above = 0, negzero = 0;
  for (size_t i = 0; i < n; i++) {
    double x = v[i];
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    below += x < lo;
    above += x > hi;
    negzero += bits == 0x8000000000000000ULL;
    mid[nmid] = x;
    nmid += (x >= lo) & (x <= hi);
  }
  size_t k = n / 2;
  /* both order statistics an even count needs inside [below, below + nmid) */
  int ok = below + nmid + above == n && negzero == 0 && k >= below + (n % 2 ? 0 : 1) && k < below + nmid;
  if (ok) {
    size_t j = k - below;
    S_select(mid, nmid, j);
    if (n % 2) {
      *out = mid[j];
    } else {
      double lower = mid[0]; /* the largest of those before: order statistic k - 1 */
      for (size_t i = 1; i < j; i++)
        if (mid[i] > lower) lower = mid[i];
      *out = (lower + mid[j]) / 2;
    }
  }
  free(mid);
  return ok;
}

double pd_median(double *v, size_t n) {
  if (n == 0) return NAN;
  double fast;
  if (n >= S_FAST_MEDIAN && !pd_stats_quadratic && S_median_fast(v, n, &fast)) return fast;
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
  } else if (pd_stats_quadratic) {
    /* the reference: every pair visited, every stride-th taken */
    size_t stride = all / PD_THEIL_SEN_MAX_PAIRS + 1, k = 0;
    for (size_t i = 0; i < n && m < PD_THEIL_SEN_MAX_PAIRS; i++)
      for (size_t j = i + 1; j < n && m < PD_THEIL_SEN_MAX_PAIRS; j++, k++)
        if (k % stride == 0 && x[j] != x[i]) scratch[m++] = (y[j] - y[i]) / (x[j] - x[i]);
  } else {
    /* Too many pairs: every stride-th pair of the order (0,1), (0,2) ...
     * (1,2) ..., which samples every lag evenly and gives the same answer
     * on every run. Pair number k is found from the start of its row
     * instead of by walking all n(n-1)/2 pairs (a series of 1,000
     * snapshots has 499,500): the same pairs in the same order. */
    size_t stride = all / PD_THEIL_SEN_MAX_PAIRS + 1, i = 0, row = 0; /* row: number of pair (i, i+1) */
    for (size_t k = 0; k < all && m < PD_THEIL_SEN_MAX_PAIRS; k += stride) {
      while (k >= row + (n - 1 - i)) row += n - 1 - i++;
      size_t j = i + 1 + (k - row);
      if (x[j] != x[i]) scratch[m++] = (y[j] - y[i]) / (x[j] - x[i]);
    }
  }
  return m ? pd_median(scratch, m) : NAN;
}

double pd_normal_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* Sorts v[0..n) (tmp: n more) by merging runs, bottom up, and returns
 * S = sum over i<j of sign(v[j]-v[i]) of the original order: when a run
 * of earlier positions meets a run of later ones, each later value is
 * above the earlier values smaller than it and below the larger ones
 * (Knight's O(n log n) Kendall count). Exact: S is a count. */
static double S_sort_count(double *v, double *tmp, size_t n) {
  double s = 0;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t lt = lo, le = lo; /* earlier values < and <= the later value */
      for (size_t q = mid; q < hi; q++) {
        while (lt < mid && v[lt] < v[q]) lt++;
        if (le < lt) le = lt;
        while (le < mid && v[le] <= v[q]) le++;
        s += (double)(lt - lo) - (double)(mid - le);
      }
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) tmp[o++] = v[j] < v[i] ? v[j++] : v[i++];
      while (i < mid) tmp[o++] = v[i++];
      while (j < hi) tmp[o++] = v[j++];
    }
    for (size_t i = 0; i < n; i++) v[i] = tmp[i];
  }
  return s;
}

/* v: 2n doubles of scratch */
static pd_mk S_mann_kendall(const double *y, size_t n, double tie, double *v) {
  pd_mk r = {0, 0, 0, 1, 0};
  if (n < 2) return r;
  double s = 0;
  int finite = 1;
  for (size_t i = 0; i < n; i++) finite &= isfinite(y[i]) != 0;
  if (tie == 0 && finite && !pd_stats_quadratic) {
    /* without a tolerance S is a count of ordered pairs, found while
     * sorting: O(n log n) instead of every pair (half a million for 1,000
     * snapshots, for every function) */
    for (size_t i = 0; i < n; i++) v[i] = y[i];
    s = S_sort_count(v, v + n, n);
  } else {
    for (size_t i = 0; i < n; i++)
      for (size_t j = i + 1; j < n; j++) {
        double d = y[j] - y[i];
        if (d > tie) s += 1;
        else if (d < -tie) s -= 1;
      }
    for (size_t i = 0; i < n; i++) v[i] = y[i];
    qsort(v, n, sizeof *v, S_cmp_double);
  }
  /* tie groups: runs of values within `tie` of each other, after sorting */
  double ties = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && v[j] - v[j - 1] <= tie) j++;
    double t = (double)(j - i);
    if (t > 1) ties += t * (t - 1) * (2 * t + 5);
    i = j;
  }
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

pd_mk pd_mann_kendall(const double *y, size_t n, double tie) {
  double *v = n >= 2 ? pd_xmalloc(2 * n * sizeof *v) : NULL;
  pd_mk r = S_mann_kendall(y, n, tie, v);
  free(v);
  return r;
}

#define S_NTT_MIN PD_STATS_LONG /* below, the direct sums are as fast */
#define S_NTT_MAX (1u << 20)

/* The transform's length for n points: a power of two at least 2n, 0 when
 * the direct sums are taken */
static size_t S_ntt_len(size_t n) {
  if (n < S_NTT_MIN || n >= S_NTT_MAX) return 0;
  size_t m = 1;
  while (m < 2 * n) m <<= 1;
  return m;
}

/* The detrended values, ranks and their ties (4n), then the lag sums (n)
 * and the transform's three arrays (3m) for long series: the scratch is
 * the caller's, reused from function to function, because allocating
 * these per function (past glibc's mmap threshold at 20,000 points) cost
 * a fresh mapping and its page faults each time, a third of a report's
 * time on 20,000 inputs. */
size_t pd_mann_kendall_hr_scratch(size_t n) {
  size_t m = S_ntt_len(n < S_NTT_MAX ? n : S_NTT_MAX - 1); /* a part may be shorter: the most it needs */
  return pd_theil_sen_scratch(n) + 4 * n + (m ? n + 3 * m : 0);
}

/* Average ranks (1-based) of v[0..n), as twice the rank less n + 1 (an
 * integer: ranks are whole or halves), into d; idx and tmp are n each.
 * The order is by value, then by position (stable: the same ranks on
 * every platform), sorted by merging here rather than by qsort, whose
 * comparison function read the values through a static pointer that the
 * two threads of pd_series_finish shared. */
static void S_ranks(const double *v, size_t n, int64_t *d, uint32_t *idx, uint32_t *tmp) {
  for (size_t i = 0; i < n; i++) idx[i] = (uint32_t)i;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) tmp[o++] = v[idx[j]] < v[idx[i]] ? idx[j++] : idx[i++];
      while (i < mid) tmp[o++] = idx[i++];
      while (j < hi) tmp[o++] = idx[j++];
    }
    for (size_t i = 0; i < n; i++) idx[i] = tmp[i];
  }
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && v[idx[j]] == v[idx[i]]) j++;
    int64_t r2 = (int64_t)(i + j + 1) - (int64_t)(n + 1); /* mean of ranks i+1..j, doubled, less n + 1 */
    for (size_t m = i; m < j; m++) d[idx[m]] = r2;
    i = j;
  }
}

/* sum over i of d[i] d[i+k]: whole numbers, so the sum is exact in any
 * order and the compiler may vectorise it; 32-bit factors while their
 * products fit (n below 46,340), which is what vectorises */
static int64_t S_lag_sum(const int64_t *d, const int32_t *d32, size_t n, size_t k) {
  int64_t num = 0;
  if (d32) {
    for (size_t i = 0; i + k < n; i++) num += (int64_t)(d32[i] * d32[i + k]);
  } else {
    for (size_t i = 0; i + k < n; i++) num += d[i] * d[i + k];
  }
  return num;
}

/* Every lag's sum at once, exactly, for long series: the sums are an
 * autocorrelation, a convolution of d with itself reversed, computed by a
 * number-theoretic transform modulo the prime P = 29 * 2^57 + 1 (3 is a
 * primitive root), whose results are exact integers mod P, and every true
 * sum is below n^3 < P / 2 in size (n < 2^20), so each is recovered
 * exactly: the same bits as S_lag_sum's, in O(n log n) instead of the
 * n^2/2 products that made 20,000 snapshots minutes. Arithmetic is in
 * Montgomery form (R = 2^64). */
#define S_NTT_P 4179340454199820289ULL

static uint64_t S_mont_pinv(void) { /* -P^-1 mod 2^64 by Newton's iteration */
  uint64_t inv = S_NTT_P; /* correct to 3 bits (P odd) */
  for (int i = 0; i < 5; i++) inv *= 2 - S_NTT_P * inv;
  return ~inv + 1;
}

static inline uint64_t S_mont_mul(uint64_t a, uint64_t b, uint64_t pinv) {
  unsigned __int128 t = (unsigned __int128)a * b;
  uint64_t m = (uint64_t)t * pinv;
  uint64_t u = (uint64_t)((t + (unsigned __int128)m * S_NTT_P) >> 64);
  return u >= S_NTT_P ? u - S_NTT_P : u;
}

static inline uint64_t S_mod_add(uint64_t a, uint64_t b) {
  uint64_t s = a + b; /* below 2^63: no overflow */
  return s >= S_NTT_P ? s - S_NTT_P : s;
}

static inline uint64_t S_mod_sub(uint64_t a, uint64_t b) { return a >= b ? a - b : a + S_NTT_P - b; }

/* In place, a of length m (a power of two), Montgomery form. tw holds
 * each stage's twiddles side by side: tw[h + k] = w^(k m / 2h) for k < h,
 * w a primitive m-th root of unity (Montgomery form), so a stage reads
 * them in order. (The inverse is this transform read backwards.) */
static void S_ntt(uint64_t *a, size_t m, const uint64_t *tw, uint64_t pinv) {
  for (size_t i = 1, j = 0; i < m; i++) {
    size_t bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      uint64_t t = a[i];
      a[i] = a[j], a[j] = t;
    }
  }
  for (size_t h = 1; h < m; h <<= 1)
    for (size_t i = 0; i < m; i += 2 * h)
      for (size_t k = 0; k < h; k++) {
        uint64_t u = a[i + k], v = S_mont_mul(a[i + k + h], tw[h + k], pinv);
        a[i + k] = S_mod_add(u, v);
        a[i + k + h] = S_mod_sub(u, v);
      }
}

static uint64_t S_mont_pow(uint64_t b, uint64_t e, uint64_t one, uint64_t pinv) {
  uint64_t r = one;
  for (; e; e >>= 1, b = S_mont_mul(b, b, pinv))
    if (e & 1) r = S_mont_mul(r, b, pinv);
  return r;
}

/* sums[k] = sum over i of d[i] d[i+k] for k = 0 .. n-1; m = S_ntt_len(n),
 * work: 3m words */
static void S_lag_sums_ntt(const int64_t *d, size_t n, size_t m, int64_t *sums, uint64_t *work) {
  uint64_t pinv = S_mont_pinv();
  unsigned __int128 R = ((unsigned __int128)1 << 64) % S_NTT_P;
  uint64_t r2 = (uint64_t)(R * R % S_NTT_P); /* R^2 mod P: into Montgomery form */
  uint64_t one = (uint64_t)R;
  uint64_t *a = work, *tw = work + m, *b = work + 2 * m;
  memset(a, 0, m * sizeof *a);
  for (size_t i = 0; i < n; i++) {
    uint64_t v = d[i] >= 0 ? (uint64_t)d[i] : S_NTT_P - (uint64_t)(-d[i]);
    a[i] = S_mont_mul(v, r2, pinv);
  }
  uint64_t g = S_mont_mul(3, r2, pinv);
  uint64_t w = S_mont_pow(g, (S_NTT_P - 1) / m, one, pinv);
  tw[m / 2] = one;
  for (size_t k = 1; k < m / 2; k++) tw[m / 2 + k] = S_mont_mul(tw[m / 2 + k - 1], w, pinv);
  for (size_t h = m / 4; h >= 1; h >>= 1)
    for (size_t k = 0; k < h; k++) tw[h + k] = tw[2 * h + 2 * k];
  S_ntt(a, m, tw, pinv);
  /* The lags are the convolution of d with itself reversed, whose
   * transform is A(w^t) A(w^-t) w^(t (n-1)) (reversing d is A at w^-t,
   * shifted by n-1): one forward transform, not two. Term n-1-k of the
   * convolution is lag k. */
  uint64_t shift = S_mont_pow(w, n - 1, one, pinv), wt = one;
  for (size_t t = 0; t < m; t++) {
    b[t] = S_mont_mul(S_mont_mul(a[t], a[(m - t) & (m - 1)], pinv), wt, pinv);
    wt = S_mont_mul(wt, shift, pinv);
  }
  S_ntt(b, m, tw, pinv); /* forwards: term j of the inverse is its term (m - j) mod m */
  /* times 1/m, and out of Montgomery form (a Montgomery product with 1) */
  uint64_t minv = S_mont_pow(S_mont_mul(m, r2, pinv), S_NTT_P - 2, one, pinv);
  for (size_t k = 0; k < n; k++) {
    uint64_t v = S_mont_mul(S_mont_mul(b[(m - (n - 1 - k)) & (m - 1)], minv, pinv), 1, pinv);
    sums[k] = v > S_NTT_P / 2 ? -(int64_t)(S_NTT_P - v) : (int64_t)v;
  }
}

pd_mk pd_mann_kendall_hr(const double *x, const double *y, size_t n, double *scratch, double *factor) {
  return pd_mann_kendall_hr_beta(x, y, n, NULL, scratch, factor);
}

pd_mk pd_mann_kendall_hr_beta(const double *x, const double *y, size_t n, const double *theil_sen,
                              double *scratch, double *factor) {
  pd_mk r = S_mann_kendall(y, n, 0, scratch + pd_theil_sen_scratch(n)); /* before e, d, idx, tmp below */
  double f = 1;
  if (n >= 4 && r.var_s > 0) {
    double beta = theil_sen ? *theil_sen : pd_theil_sen(x, y, n, scratch);
    if (isnan(beta)) beta = 0;
    double *e = scratch + pd_theil_sen_scratch(n);
    int64_t *d = (int64_t *)(e + n); /* an int64_t fits in a double's room */
    uint32_t *idx = (uint32_t *)(d + n), *tmp = idx + n;
    int32_t *d32 = n < 46340 ? (int32_t *)(tmp + n) : NULL;
    for (size_t i = 0; i < n; i++) e[i] = y[i] - beta * x[i];
    S_ranks(e, n, d, idx, tmp);
    if (d32)
      for (size_t i = 0; i < n; i++) d32[i] = (int32_t)d[i];
    /* rank - mean is d / 2: the sums below are the ones of (rank - mean)
     * products divided by 4, the same numbers (exact in a double while
     * below 2^53) */
    int64_t *sums = NULL;
    size_t m = S_ntt_len(n);
    if (m && !pd_stats_quadratic) {
      sums = (int64_t *)(e + 4 * n); /* past e, d, idx and tmp (with d32): 4n doubles */
      S_lag_sums_ntt(d, n, m, sums, (uint64_t *)(sums + n));
    }
    double den = (double)(sums ? sums[0] : S_lag_sum(d, d32, n, 0)) / 4;
    double dn = (double)n, bound = 1.959963984540054 / sqrt(dn), sum = 0;
    for (size_t k = 1; k + 2 < n && den > 0; k++) {
      double num = (double)(sums ? sums[k] : S_lag_sum(d, d32, n, k)) / 4;
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

/* Every knot in turn, each fit O(n): the reference. */
static size_t S_hinge_scan(const double *x, const double *y, size_t n, const uint8_t *try_k, pd_hinge *best) {
  size_t brk = 0;
  for (size_t k = 2; k + 4 <= n; k++) {
    if (try_k && !try_k[k]) continue;
    pd_hinge h = pd_hinge_fit(x, y, n, k);
    if (h.valid && h.sse < best->sse) *best = h, brk = k;
  }
  return brk;
}

/* A long series whose knots are many within rounding of the least sse
 * (spikes at a period: 800 of 20,000 knots) would need as many O(n) exact
 * fits: O(n^2) again. Those knots fit equally well, and which one the
 * double fits' rounding would prefer says nothing about the series, so
 * past PD_STATS_LONG points only the S_HINGE_MAX_FITS of them with the
 * least screened sse (long double, the more accurate figure) are fitted,
 * with the knots the screen could not judge. */
#define S_HINGE_MAX_FITS 16
static int S_by_ld(const void *a, const void *b) {
  long double x = *(const long double *)a, y = *(const long double *)b;
  return x < y ? -1 : x > y;
}

static void S_fewer_fits(const long double *sse, const uint8_t *sure, uint8_t *try_k, size_t n, long double *v) {
  size_t m = 0;
  for (size_t k = 2; k + 4 <= n; k++)
    if (try_k[k] && sure[k]) v[m++] = sse[k];
  if (m > S_HINGE_MAX_FITS) {
    qsort(v, m, sizeof *v, S_by_ld);
    long double cut = v[S_HINGE_MAX_FITS - 1];
    size_t kept = 0;
    for (size_t k = 2; k + 4 <= n; k++)
      if (try_k[k] && sure[k]) try_k[k] = sse[k] <= cut && kept++ < S_HINGE_MAX_FITS;
  }
}

/* sse, bound and S_fewer_fits' values (n long doubles each, two doubles'
 * room apiece, so each stays aligned), then two flags a knot */
size_t pd_hinge_best_scratch(size_t n) { return 6 * n + n / 4 + 1; }

/* The knots are screened with every fit's sse from running sums (O(1) a
 * knot, in long double), then only the knots whose sse may be the least
 * are fitted exactly, as the scan fits them, and the scan's rule picks
 * among them. A screened sse is within a bound E_k of the one
 * pd_hinge_fit computes: the rounding of pd_hinge_fit's own sums (about
 * sqrt(n) eps kappa sum y^2, kappa the condition of the knot's normal
 * equations) and of the running sums (eps_ld n kappa sum y^2 A_k / shh_k,
 * A_k the size of the terms that cancel in shh_k); E_k takes 1e-9 and
 * 1e-12 for them, some 10^4 times both. So a knot whose screened sse less
 * E_k is above the least (screened sse + E) of another knot cannot be the
 * scan's choice, and the choice is the scan's. Knots whose equations are
 * near singular are fitted exactly whatever their screened sse. A series
 * that defeats the screen (a constant, an exact line, values whose spread
 * is tiny against their size) has every knot within the bound and is
 * scanned: slower, never different. tests/unit/test_stats.c compares
 * both on series of every kind. */
size_t pd_hinge_best(const double *x, const double *y, size_t n, pd_hinge *best, double *scratch) {
  *best = (pd_hinge){0, 0, 0, INFINITY, 0};
  if (n < 6) return 0;
  int ok = !pd_stats_quadratic;
  for (size_t i = 0; i < n && ok; i++) ok = isfinite(x[i]) && isfinite(y[i]) && (i == 0 || x[i] >= x[i - 1]);
  if (!ok) return S_hinge_scan(x, y, n, NULL, best);
  /* A constant whose mean is exact (whole numbers: bytes, counts) is fitted
   * exactly at every knot, sse 0: the scan keeps the first valid knot, so
   * that is the answer, found without the screen, which every knot
   * defeats (each within the bound of 0): the scan of all of them was
   * O(n^2), seconds a function on 20,000 snapshots. */
  double my0 = 0;
  int constant = 1;
  for (size_t i = 0; i < n; i++) my0 += y[i], constant &= y[i] == y[0];
  if (constant && my0 / (double)n == y[0]) {
    for (size_t k = 2; k + 4 <= n; k++) {
      *best = pd_hinge_fit(x, y, n, k);
      if (best->valid) return k;
    }
    *best = (pd_hinge){0, 0, 0, INFINITY, 0};
    return 0;
  }
  typedef long double ld;
  ld dn = (ld)n, mx = 0, my = 0, y2 = 0;
  for (size_t i = 0; i < n; i++) mx += x[i], my += y[i], y2 += (ld)y[i] * y[i];
  mx /= dn, my /= dn;
  ld sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < n; i++) {
    ld a = x[i] - mx, c = y[i] - my;
    sxx += a * a, sxy += a * c, syy += c * c;
  }
  ld *sse = (ld *)scratch, *bound = sse + n, *values = bound + n;
  uint8_t *sure = (uint8_t *)(values + n), *try_k = sure + n;
  memset(sure, 0, 2 * n);
  /* suffix sums over the points right of the knot (x > x[k]), which grow
   * as the knot moves left */
  ld m = 0, s1 = 0, s2 = 0, sy = 0, sxy_s = 0;
  size_t j = n;
  ld least = INFINITY;
  for (size_t k = n - 4; k >= 2; k--) {
    while (j > k + 1 && x[j - 1] > x[k]) {
      j--;
      ld a = x[j] - mx, c = y[j] - my;
      m += 1, s1 += a, s2 += a * a, sy += c, sxy_s += a * c;
    }
    ld xk = x[k] - mx;
    ld sh = s1 - m * xk, shh = s2 - 2 * xk * s1 + m * xk * xk, sxh = s2 - xk * s1, shy = sxy_s - xk * sy;
    ld mh = sh / dn;
    shh -= dn * mh * mh;
    ld big = s2 + 2 * fabsl(xk * s1) + m * xk * xk; /* what cancels in shh */
    ld det = sxx * shh - sxh * sxh;
    if (m > 0 && shh > 0 && det > 1e-8L * sxx * shh) {
      ld b1 = (sxy * shh - shy * sxh) / det, b2 = (shy * sxx - sxy * sxh) / det;
      ld kappa = sxx * shh / det;
      sse[k] = syy - b1 * sxy - b2 * shy;
      bound[k] = kappa * (y2 + syy) * (1e-9L + 1e-12L * big / shh) +
                 1e-9L * (fabsl(b1 * sxy) + fabsl(b2 * shy));
      sure[k] = 1;
      if (sse[k] + bound[k] < least) least = sse[k] + bound[k];
    }
    if (k == 2) break;
  }
  size_t ntry = 0;
  for (size_t k = 2; k + 4 <= n; k++) ntry += try_k[k] = !sure[k] || sse[k] - bound[k] <= least;
  if (n >= PD_STATS_LONG && ntry > S_HINGE_MAX_FITS) S_fewer_fits(sse, sure, try_k, n, values);
  return S_hinge_scan(x, y, n, try_k, best);
}
