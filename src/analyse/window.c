/* window.c: time windows over a series of reduced snapshots (window.h).
 *
 * The snapshots of a window are added up key by key (flat, cum, their
 * sampling variances) and node by node (the pruned call trees, merged),
 * then divided by their number for a mean: the variance of a mean of m
 * snapshots is the sum of their variances over m^2, so the pair comparison
 * that follows judges "beyond the sampling noise" on the aggregates' own
 * noise. A snapshot is held until every input is read, since offsets are
 * from the last snapshot, which is known only then.
 */
#include "window.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- parsing ----------------------------------------------------------------------- */

/* "-1h30m", "+5m", "-90s", "0": a signed sum of numbers with units. */
static int S_offset(const char *s, int64_t *ns) {
  int sign = 1;
  if (*s == '-' || *s == '+') sign = *s++ == '-' ? -1 : 1;
  if (!*s) return PD_ERR;
  double total = 0;
  if (strcmp(s, "0") == 0) {
    *ns = 0;
    return PD_OK;
  }
  while (*s) {
    if (!isdigit((unsigned char)*s) && *s != '.') return PD_ERR;
    char *end;
    double v = strtod(s, &end);
    if (end == s) return PD_ERR;
    s = end;
    static const struct {
      const char *u;
      double f;
    } units[] = {{"ms", 1e6}, {"min", 60e9}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}, {"d", 86400e9}};
    size_t i, n = sizeof units / sizeof units[0];
    for (i = 0; i < n; i++) {
      size_t k = strlen(units[i].u);
      if (strncmp(s, units[i].u, k) == 0 && !isalpha((unsigned char)s[k])) break;
    }
    if (i == n) return PD_ERR;
    total += v * units[i].f;
    s += strlen(units[i].u);
  }
  if (total > 1e18) return PD_ERR;
  *ns = (int64_t)(sign * total);
  return PD_OK;
}

int pd_timebound_parse(const char *text, const char *what, pd_timebound *b, pd_err *err) {
  memset(b, 0, sizeof *b);
  if (!*text) return PD_OK; /* open */
  b->set = 1;
  if (S_offset(text, &b->ns) == PD_OK) {
    b->relative = 1;
    return PD_OK;
  }
  /* an RFC 3339 time: at least "YYYY-MM-DDTHH:MM" */
  if (strlen(text) >= 16 && isdigit((unsigned char)text[0]) && text[4] == '-' && !strchr(text, '/') &&
      pd_time_from_name(text, &b->ns))
    return PD_OK;
  return pd_fail(err,
                 "%s: \"%s\" is neither an RFC 3339 time (2026-11-22T19:09:35Z) nor an offset from the last "
                 "snapshot (-60m, -1h30m, 0)",
                 what, text);
}

int pd_window_parse(const char *text, const char *what, pd_window *w, pd_err *err) {
  memset(w, 0, sizeof *w);
  const char *dots = strstr(text, "..");
  if (!dots) return pd_fail(err, "%s wants A..B (times or offsets such as -60m..-30m), not \"%s\"", what, text);
  char a[64], b[64];
  size_t na = (size_t)(dots - text), nb = strlen(dots + 2);
  if (na >= sizeof a || nb >= sizeof b) return pd_fail(err, "%s: \"%.40s...\" is too long", what, text);
  memcpy(a, text, na);
  a[na] = 0;
  memcpy(b, dots + 2, nb + 1);
  if (pd_timebound_parse(a, what, &w->from, err) != PD_OK || pd_timebound_parse(b, what, &w->to, err) != PD_OK)
    return PD_ERR;
  w->set = 1;
  snprintf(w->text, sizeof w->text, "%s", text);
  return PD_OK;
}

int pd_aggregate_parse(const char *text, pd_aggregate *a) {
  if (strcmp(text, "auto") == 0) *a = PD_AGG_AUTO;
  else if (strcmp(text, "mean") == 0) *a = PD_AGG_MEAN;
  else if (strcmp(text, "sum") == 0) *a = PD_AGG_SUM;
  else return PD_ERR;
  return PD_OK;
}

/* ---- applying ----------------------------------------------------------------------- */

static char *S_time(int64_t ns, char *buf, size_t n) {
  time_t t = (time_t)(ns / 1000000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

static int64_t S_resolve(const pd_timebound *b, int64_t last, int64_t open) {
  if (!b->set) return open;
  return b->relative ? last + b->ns : b->ns;
}

/* The snapshots' times by the series' rule (series.c S_order). */
static int S_times(const pd_snapshot *snaps, const uint8_t *missing, const char *const *paths,
                   const int64_t *mtime_ns, uint32_t n, int order_mtime, int64_t *t, const char **rule,
                   pd_err *err) {
  int all_profile = 1, all_name = 1;
  for (uint32_t i = 0; i < n; i++) {
    if (missing[i]) continue;
    int64_t ns;
    if (!snaps[i].time_ns) all_profile = 0;
    if (!pd_time_from_name(paths[i], &ns)) all_name = 0;
  }
  for (uint32_t i = 0; i < n; i++) {
    if (missing[i]) continue;
    if (order_mtime) t[i] = mtime_ns[i];
    else if (all_profile) t[i] = snaps[i].time_ns;
    else if (all_name) pd_time_from_name(paths[i], &t[i]);
  }
  *rule = order_mtime ? "file modification times" : all_profile ? "the profiles' own times"
                                                              : "the times in the file names";
  if (!order_mtime && !all_profile && !all_name)
    return pd_fail(err, "time windows need a time for every snapshot: not every profile has one, nor every file "
                        "name (or use --order mtime for file modification times)");
  return PD_OK;
}

static int S_gauge(const pd_snapshot *s) {
  double f;
  return pd_unit_classify(s->unit, &f) != PD_UNIT_TIME && strcmp(s->sample_type, "samples") != 0;
}

/* out = the sum (or mean) of snaps[idx[0..m)]. */
static void S_aggregate(pd_snapshot *snaps, const uint32_t *idx, uint32_t m, int mean, const char *path,
                        int64_t time_ns, pd_snapshot *out) {
  memset(out, 0, sizeof *out);
  pd_arena_init(&out->arena, 4096);
  const pd_snapshot *f0 = &snaps[idx[0]];
  out->path = pd_arena_strndup(&out->arena, path, strlen(path));
  out->format = f0->format;
  out->time_ns = time_ns;
  out->sample_type = pd_arena_strndup(&out->arena, f0->sample_type, strlen(f0->sample_type));
  out->unit = pd_arena_strndup(&out->arena, f0->unit, strlen(f0->unit));
  out->period_type = pd_arena_strndup(&out->arena, f0->period_type, strlen(f0->period_type));
  out->period_unit = pd_arena_strndup(&out->arena, f0->period_unit, strlen(f0->period_unit));
  out->period = f0->period;
  out->sample_index = f0->sample_index;
  out->noise = f0->noise;
  uint32_t nkeys = 0, nwarn = 0;
  int trees = 1;
  for (uint32_t i = 0; i < m; i++) {
    const pd_snapshot *s = &snaps[idx[i]];
    if (s->ft.n > nkeys) nkeys = s->ft.n;
    nwarn += s->nwarnings;
    trees &= s->has_tree;
  }
  pd_functotals_init(&out->ft, nkeys);
  out->has_alloc = 0; /* an aggregate of snapshots: its allocations are no one process's state */
  out->warnings = pd_arena_alloc(&out->arena, (nwarn + 1) * sizeof(char *));
  if (trees) {
    pd_tree_init(&out->tree, PD_SNAPSHOT_COLS, f0->tree.n);
    out->has_tree = 1;
  }
  for (uint32_t i = 0; i < m; i++) {
    const pd_snapshot *s = &snaps[idx[i]];
    out->duration_ns += s->duration_ns;
    out->total += s->total;
    out->total_var += s->total_var;
    out->nsamples += s->nsamples;
    out->nkept += s->nkept;
    out->ntagfocus += s->ntagfocus;
    out->ntagignore += s->ntagignore;
    for (uint32_t k = 0; k < s->ft.n; k++) {
      out->ft.flat[k] += s->ft.flat[k];
      out->ft.flat_var[k] += s->ft.flat_var[k];
      out->ft.k[k].cum += s->ft.k[k].cum;
      out->ft.k[k].cum_abs += s->ft.k[k].cum_abs;
      out->ft.k[k].seen |= s->ft.k[k].seen;
    }
    for (uint32_t w = 0; w < s->nwarnings; w++)
      out->warnings[out->nwarnings++] = pd_arena_strndup(&out->arena, s->warnings[w], strlen(s->warnings[w]));
    if (trees) {
      pd_tree_merge(&out->tree, PD_COL_SELF, &s->tree, PD_COL_SELF);
      pd_tree_merge(&out->tree, PD_COL_CUT, &s->tree, PD_COL_CUT);
    }
  }
  if (!mean || m == 1) return;
  /* values divided (a mean of whole values that is whole stays exact, and
   * equal sums give equal means), variances scaled by 1/m^2 */
  double f = 1.0 / m, f2 = f * f;
  out->total /= m;
  out->total_var *= f2;
  for (uint32_t k = 0; k < out->ft.n; k++) {
    out->ft.flat[k] /= m;
    out->ft.flat_var[k] *= f2;
    out->ft.k[k].cum /= m;
    out->ft.k[k].cum_abs *= f;
  }
  if (trees)
    for (int c = 0; c < PD_SNAPSHOT_COLS; c++)
      for (uint32_t i = 0; i < out->tree.n; i++) out->tree.col[c][i] /= m;
}

int pd_windows_apply(pd_snapshot *snaps, const uint8_t *missing, const char *const *paths,
                     const int64_t *mtime_ns, uint32_t n, const pd_window_opts *o, pd_window_result *r,
                     pd_err *err) {
  memset(r, 0, sizeof *r);
  int64_t *t = pd_xcalloc(n ? n : 1, sizeof *t);
  const char *rule;
  int rc = S_times(snaps, missing, paths, mtime_ns, n, o->order_mtime, t, &rule, err);
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (uint32_t i = 0; i < n && rc == PD_OK; i++) {
    if (missing[i]) continue;
    if (t[i] < first) first = t[i];
    if (t[i] > last) last = t[i];
  }
  if (rc == PD_OK && first == INT64_MAX) rc = pd_fail(err, "time windows: no snapshot was read");
  if (rc != PD_OK) {
    free(t);
    return PD_ERR;
  }
  int64_t since = S_resolve(&o->since, last, INT64_MIN), until = S_resolve(&o->until, last, INT64_MAX);
  char a[32], b[32];
  pd_buf words = PD_BUF_INIT;
  r->kept = pd_xmalloc((n + 1) * sizeof *r->kept);
  for (uint32_t i = 0; i < n; i++)
    if (!missing[i] && t[i] >= since && t[i] <= until) r->kept[r->nkept++] = i;
  uint32_t nread = 0;
  for (uint32_t i = 0; i < n; i++) nread += !missing[i];
  if (o->since.set || o->until.set) {
    pd_buf_printf(&words, "The series is cut to %s..%s (%u of its %u snapshots, by %s).",
                  o->since.set ? S_time(since, a, sizeof a) : "", o->until.set ? S_time(until, b, sizeof b) : "",
                  r->nkept, nread, rule);
    if (r->nkept == 0)
      rc = pd_fail(err, "--since/--until leave no snapshot (the snapshots run from %s to %s)",
                   S_time(first, a, sizeof a), S_time(last, b, sizeof b));
  }
  if (rc == PD_OK && (o->base.set || o->head.set)) {
    const pd_window *win[2] = {&o->base, &o->head};
    const char *name[2] = {"base", "head"};
    uint32_t *idx[2] = {pd_xmalloc((n + 1) * sizeof(uint32_t)), pd_xmalloc((n + 1) * sizeof(uint32_t))};
    uint32_t m[2] = {0, 0};
    int64_t lo[2], hi[2], tlast[2] = {INT64_MIN, INT64_MIN};
    int mean = 0;
    for (int w = 0; w < 2 && rc == PD_OK; w++) {
      lo[w] = S_resolve(&win[w]->from, last, INT64_MIN);
      hi[w] = S_resolve(&win[w]->to, last, INT64_MAX);
      for (uint32_t k = 0; k < r->nkept; k++) {
        uint32_t i = r->kept[k];
        if (t[i] >= lo[w] && t[i] <= hi[w]) {
          idx[w][m[w]++] = i;
          if (t[i] > tlast[w]) tlast[w] = t[i];
        }
      }
      if (m[w] == 0)
        rc = pd_fail(err, "--%s-window %s holds no snapshot (the snapshots run from %s to %s)", name[w],
                     win[w]->text, S_time(first, a, sizeof a), S_time(last, b, sizeof b));
    }
    if (rc == PD_OK && tlast[1] <= tlast[0])
      rc = pd_fail(err, "--head-window %s must end after --base-window %s", o->head.text, o->base.text);
    if (rc == PD_OK) {
      const pd_snapshot *s0 = &snaps[idx[0][0]];
      mean = o->aggregate == PD_AGG_MEAN || (o->aggregate == PD_AGG_AUTO && S_gauge(s0));
      if (words.len) pd_buf_putc(&words, ' ');
      pd_buf_puts(&words, "Compared");
      for (int w = 0; w < 2; w++) {
        /* the window as its snapshots span it */
        int64_t from = INT64_MAX;
        for (uint32_t k = 0; k < m[w]; k++)
          if (t[idx[w][k]] < from) from = t[idx[w][k]];
        char desc[256];
        snprintf(desc, sizeof desc, "%s window %s", name[w], win[w]->text);
        S_aggregate(snaps, idx[w], m[w], mean, desc, tlast[w], &r->agg[w]);
        r->pick[w] = &r->agg[w];
        pd_buf_printf(&words, "%s the %s window %s (%s of %u snapshot%s, %s", w ? " with" : "", name[w],
                      win[w]->text, mean ? "mean" : "sum", m[w], m[w] == 1 ? "" : "s", S_time(from, a, sizeof a));
        pd_buf_printf(&words, " to %s)", S_time(tlast[w], b, sizeof b));
      }
      pd_buf_printf(&words, ", by %s, as a pair.", rule);
      r->paired = 1;
    }
    free(idx[0]);
    free(idx[1]);
  }
  free(t);
  if (rc != PD_OK) {
    pd_buf_free(&words);
    pd_window_result_free(r);
    return PD_ERR;
  }
  r->compared = words.len ? pd_xstrdup(words.data) : NULL;
  pd_buf_free(&words);
  return PD_OK;
}

void pd_window_result_free(pd_window_result *r) {
  for (int w = 0; w < 2; w++)
    if (r->pick[w] == &r->agg[w]) pd_snapshot_free(&r->agg[w]);
  free(r->kept);
  free(r->compared);
  memset(r, 0, sizeof *r);
}
