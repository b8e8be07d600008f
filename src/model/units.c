/* units.c: units travel with values and are formatted here, and only here.
 *
 * The rules copy pprof's internal/measurement so that `profdiff top` prints
 * the same strings as `go tool pprof -top`: memory in B/kB/MB/GB/TB/PB with a
 * factor of 1024, time in ns/us/ms/s/hrs, anything else as a bare number.
 */
#include "model.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *name;
  const char *aliases[4];
  double factor;
} S_unit;

static const S_unit S_bytes[] = {
    {"B", {"b", "byte"}, 1},
    {"kB", {"kb", "kbyte", "kilobyte"}, 1024.0},
    {"MB", {"mb", "mbyte", "megabyte"}, 1048576.0},
    {"GB", {"gb", "gbyte", "gigabyte"}, 1073741824.0},
    {"TB", {"tb", "tbyte", "terabyte"}, 1099511627776.0},
    {"PB", {"pb", "pbyte", "petabyte"}, 1125899906842624.0},
};
static const S_unit S_time[] = {
    {"ns", {"ns", "nanosecond"}, 1},
    {"us", {"\xce\xbcs", "us", "microsecond"}, 1e3},
    {"ms", {"ms", "millisecond"}, 1e6},
    {"s", {"s", "sec", "second"}, 1e9},
    {"hrs", {"hour", "hr"}, 3600e9},
};
#define S_N(a) (sizeof(a) / sizeof(a[0]))

/* pprof's sniffUnit: lower-case, drop a plural "s" from names over two
 * characters, then look up the aliases. */
static const S_unit *S_find(const S_unit *units, size_t n, const char *name) {
  char low[64];
  size_t len = strlen(name);
  if (len >= sizeof low) return NULL;
  for (size_t i = 0; i < len; i++) low[i] = (char)tolower((unsigned char)name[i]);
  low[len] = 0;
  if (len > 2 && low[len - 1] == 's') low[--len] = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t a = 0; a < 4 && units[i].aliases[a]; a++)
      if (strcmp(low, units[i].aliases[a]) == 0) return &units[i];
  return NULL;
}

static const S_unit *S_family(const char *unit, size_t *n, const S_unit **base) {
  if (S_find(S_bytes, S_N(S_bytes), unit)) {
    *n = S_N(S_bytes);
    *base = &S_bytes[0];
    return S_bytes;
  }
  if (S_find(S_time, S_N(S_time), unit)) {
    *n = S_N(S_time);
    *base = &S_time[3]; /* pprof's default time unit is the second */
    return S_time;
  }
  return NULL;
}

pd_unit_kind pd_unit_classify(const char *unit, double *factor) {
  const S_unit *u;
  if ((u = S_find(S_bytes, S_N(S_bytes), unit))) {
    if (factor) *factor = u->factor;
    return PD_UNIT_BYTES;
  }
  if ((u = S_find(S_time, S_N(S_time), unit))) {
    if (factor) *factor = u->factor;
    return PD_UNIT_TIME;
  }
  if (factor) *factor = 1;
  return PD_UNIT_COUNT;
}

/* measurement.Scale: returns the scaled value and writes the unit name. */
static double S_scale(double value, const char *from, const char *to,
                      const char **unit_out) {
  if (value < 0) return -S_scale(-value, from, to, unit_out);
  size_t n;
  const S_unit *base;
  const S_unit *fam = S_family(from, &n, &base);
  if (fam) {
    const S_unit *fu = S_find(fam, n, from);
    double v = value * fu->factor;
    if (strcmp(to, "minimum") == 0 || strcmp(to, "auto") == 0) {
      const S_unit *best = NULL;
      for (size_t i = 0; i < n; i++)
        if ((!best || fam[i].factor >= best->factor) && v / fam[i].factor >= 1.0)
          best = &fam[i];
      if (!best) best = base;
      *unit_out = best->name;
      return v / best->factor;
    }
    const S_unit *tu = S_find(fam, n, to);
    if (!tu) tu = base;
    *unit_out = tu->name;
    return v / tu->factor;
  }
  static const char *skip[] = {"count", "sample", "unit", "minimum", "auto"};
  *unit_out = to;
  for (size_t i = 0; i < S_N(skip); i++)
    if (strcmp(to, skip[i]) == 0) *unit_out = "";
  return value;
}

double pd_unit_scale(double value, const char *from, const char *to, const char **unit_out) {
  return S_scale(value, from, to, unit_out);
}

char *pd_unit_label(pd_val value, const char *unit, const char *out_unit,
                    char *buf, size_t n) {
  const char *u;
  double v = S_scale((double)value, unit, out_unit ? out_unit : "auto", &u);
  char num[PD_NUM_SIZE];
  size_t len;
  /* a whole value left as it is (counts, samples) digit for digit, past
   * 2^53 too; a scaled one has two decimals of a double anyway */
  if (v == (double)value && pd_val_is_whole(value)) len = pd_fmt_num(num, value);
  else len = pd_fmt_fixed(num, sizeof num, v, 2);
  if (len > 3 && strcmp(num + len - 3, ".00") == 0) num[len - 3] = 0;
  if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0)
    snprintf(buf, n, "0");
  else
    snprintf(buf, n, "%s%s", num, u);
  return buf;
}

const char *pd_unit_for_table(double min_value, double max_value,
                              const char *unit) {
  const char *min_unit, *max_unit, *u;
  if (min_value == 0) min_value = max_value;
  S_scale(min_value, unit, "minimum", &min_unit);
  S_scale(max_value, unit, "minimum", &max_unit);
  u = min_unit;
  if (strcmp(min_unit, max_unit) != 0 && min_value * 100 < max_value)
    S_scale(100 * min_value, unit, "minimum", &u);
  return *u ? u : unit;
}

char *pd_percent(double value, double total, char *buf, size_t n) {
  double ratio = total != 0 ? fabs(value / total) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05)
    snprintf(buf, n, "  100%%");
  else if (ratio >= 1.0)
    snprintf(buf, n, "%5.2f%%", ratio);
  else
    snprintf(buf, n, "%5.2g%%", ratio);
  return buf;
}

/* Suffixes for thresholds. Sizes follow pprof's convention, which is also how
 * profdiff prints them: kB, MB, GB are powers of 1024 (so a gate written from
 * a number in a report means what it says); KiB, MiB, GiB are accepted as the
 * same. Then time units and bare numbers. */
int pd_unit_parse(const char *text, double *value, pd_unit_kind *kind) {
  static const struct {
    const char *suffix;
    double factor;
    pd_unit_kind kind;
  } suffixes[] = {
      {"B", 1, PD_UNIT_BYTES},         {"kB", 1024.0, PD_UNIT_BYTES},
      {"KB", 1024.0, PD_UNIT_BYTES},   {"MB", 1048576.0, PD_UNIT_BYTES},
      {"GB", 1073741824.0, PD_UNIT_BYTES}, {"TB", 1099511627776.0, PD_UNIT_BYTES},
      {"KiB", 1024.0, PD_UNIT_BYTES},  {"MiB", 1048576.0, PD_UNIT_BYTES},
      {"GiB", 1073741824.0, PD_UNIT_BYTES}, {"TiB", 1099511627776.0, PD_UNIT_BYTES},
      {"ns", 1, PD_UNIT_TIME},         {"us", 1e3, PD_UNIT_TIME},
      {"ms", 1e6, PD_UNIT_TIME},       {"s", 1e9, PD_UNIT_TIME},
      {"m", 60e9, PD_UNIT_TIME},       {"min", 60e9, PD_UNIT_TIME},
      {"h", 3600e9, PD_UNIT_TIME},     {"count", 1, PD_UNIT_COUNT},
  };
  char *end;
  double v = strtod(text, &end);
  if (end == text || !isfinite(v)) return PD_ERR;
  while (*end == ' ') end++;
  if (!*end) {
    *value = v;
    *kind = PD_UNIT_COUNT;
    return PD_OK;
  }
  for (size_t i = 0; i < S_N(suffixes); i++) {
    if (strcmp(end, suffixes[i].suffix) == 0) {
      /* 1e308TB is finite as written but not once scaled: a threshold of
       * infinity would make a gate that can never fire */
      if (!isfinite(v * suffixes[i].factor)) return PD_ERR;
      *value = v * suffixes[i].factor;
      *kind = suffixes[i].kind;
      return PD_OK;
    }
  }
  return PD_ERR;
}
