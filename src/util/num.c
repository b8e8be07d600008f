/* num.c: how every writer spells a number (folded counts, report.json,
 * top --json, SVG data): the one place that turns a value (pd_val, a long
 * double: any double converts to one exactly) or an int64 into decimal
 * text.
 *
 * Integers are written exactly, digit for digit, at any size (a folded count
 * of 12345678901234567 written as 1.23456789012346e+16 is refused by
 * flamegraph.pl and inferno); other values take the shortest of %.15g,
 * %.16g and %.17g that reads back as the same double, so a figure survives
 * a round trip through the file without carrying 17 digits of noise. */
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static size_t S_digits(char *out, uint64_t u, int neg) {
  char digits[24], *p = digits + sizeof digits;
  do *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (neg) *--p = '-';
  size_t n = (size_t)(digits + sizeof digits - p);
  memcpy(out, p, n);
  out[n] = 0;
  return n;
}

size_t pd_fmt_int(char out[PD_NUM_SIZE], int64_t v) {
  /* the magnitude as unsigned: INT64_MIN has no positive int64 */
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  return S_digits(out, u, v < 0);
}

size_t pd_fmt_num(char out[PD_NUM_SIZE], pd_val lv) {
  if (isnan(lv)) return (size_t)snprintf(out, PD_NUM_SIZE, "nan");
  if (isinf(lv)) return (size_t)snprintf(out, PD_NUM_SIZE, lv < 0 ? "-inf" : "inf");
  /* the common case (bytes, counts), by hand: printf's %.0f goes through
   * its arbitrary-precision path, a tenth of a report's time */
  if (pd_val_is_whole(lv)) return S_digits(out, (uint64_t)(lv < 0 ? -lv : lv), lv < 0);
  /* anything else as the double it is nearest: past 2^64 (and in an
   * exponent no int64 sum reaches), and fractions, whose 17th digit is noise */
  double v = (double)lv;
  if (isinf(v)) return (size_t)snprintf(out, PD_NUM_SIZE, v < 0 ? "-inf" : "inf");
  if (v == trunc(v))
    /* every double of this size is an integer; %.0f writes its exact
     * value (at most 309 digits: PD_NUM_SIZE holds them) */
    return (size_t)snprintf(out, PD_NUM_SIZE, "%.0f", v);
  for (int prec = 15; prec < 17; prec++) {
    int n = snprintf(out, PD_NUM_SIZE, "%.*g", prec, v);
    if (strtod(out, NULL) == v) return (size_t)n;
  }
  return (size_t)snprintf(out, PD_NUM_SIZE, "%.17g", v); /* always reads back */
}

void pd_buf_num(pd_buf *b, pd_val v) {
  char tmp[PD_NUM_SIZE];
  pd_buf_put(b, tmp, pd_fmt_num(tmp, v));
}

void pd_buf_int(pd_buf *b, int64_t v) {
  char tmp[PD_NUM_SIZE];
  pd_buf_put(b, tmp, pd_fmt_int(tmp, v));
}
