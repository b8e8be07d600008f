/* time.c: times hidden in file names (heap-2026-11-22T18:03:14Z.pb.gz,
 * memory.stat.1732298594), for ordering snapshots that carry no time of
 * their own. A small hand-written scanner: the formats are few and a regex
 * engine would not make them clearer. */
#include "model.h"

#include <ctype.h>
#include <string.h>

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int64_t S_days(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static int S_digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i])) return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

/* Tries an ISO-8601 date-time at s; returns the length matched or 0. */
static size_t S_iso(const char *s, int64_t *ns) {
  int y, mo, d, h, mi, sec;
  const char *p = s;
  int basic = 0;
  if (S_digits(p, 4, &y) && p[4] == '-' && S_digits(p + 5, 2, &mo) && p[7] == '-' &&
      S_digits(p + 8, 2, &d)) {
    p += 10;
  } else if (S_digits(p, 4, &y) && S_digits(p + 4, 2, &mo) && S_digits(p + 6, 2, &d) &&
             p[8] == 'T') {
    p += 8;
    basic = 1;
  } else {
    return 0;
  }
  if (*p != 'T' && *p != '_' && *p != ' ') return 0;
  p++;
  if (basic) {
    if (!S_digits(p, 2, &h) || !S_digits(p + 2, 2, &mi) || !S_digits(p + 4, 2, &sec)) return 0;
    p += 6;
  } else {
    char sep = p[2];
    if (!S_digits(p, 2, &h) || (sep != ':' && sep != '-' && sep != '.') ||
        !S_digits(p + 3, 2, &mi) || p[5] != sep || !S_digits(p + 6, 2, &sec))
      return 0;
    p += 8;
  }
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return 0;
  int64_t frac = 0;
  if ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1])) {
    int64_t scale = 100000000;
    for (p++; isdigit((unsigned char)*p); p++) {
      frac += (*p - '0') * scale;
      scale /= 10;
    }
  }
  int64_t offset = 0;
  if (*p == 'Z') {
    p++;
  } else if ((*p == '+' || (*p == '-' && isdigit((unsigned char)p[1]))) && isdigit((unsigned char)p[1])) {
    int oh, om = 0;
    if (S_digits(p + 1, 2, &oh)) {
      const char *q = p + 3;
      if (*q == ':') q++;
      if (S_digits(q, 2, &om)) q += 2;
      offset = (oh * 60 + om) * 60;
      if (*p == '-') offset = -offset;
      p = q;
    }
  }
  int64_t secs = S_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  *ns = secs * 1000000000 + frac;
  return (size_t)(p - s);
}

int pd_time_from_name(const char *path, int64_t *ns) {
  const char *name = pd_basename(path);
  for (const char *s = name; *s; s++) {
    if (!isdigit((unsigned char)*s)) continue;
    if (s > name && isdigit((unsigned char)s[-1])) continue; /* not at a digit run's start */
    if (S_iso(s, ns)) return 1;
  }
  /* Unix seconds or milliseconds: a run of exactly 10 or 13 digits */
  for (const char *s = name; *s;) {
    if (!isdigit((unsigned char)*s)) {
      s++;
      continue;
    }
    const char *e = s;
    while (isdigit((unsigned char)*e)) e++;
    size_t len = (size_t)(e - s);
    if (len == 10 || len == 13) {
      int64_t v = 0;
      for (const char *c = s; c < e; c++) v = v * 10 + (*c - '0');
      if (len == 10 && v >= 1000000000) {
        *ns = v * 1000000000;
        return 1;
      }
      if (len == 13 && v >= 1000000000000) {
        *ns = v * 1000000;
        return 1;
      }
    }
    s = e;
  }
  return 0;
}
