/* gates.c: parsing and evaluating --fail-on expressions (see gates.h). */
#include "gates.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int S_bad(pd_err *err, const char *expr, const char *why) {
  /* one line: the CLI prints PD_GATE_GRAMMAR after it */
  return pd_fail(err, "--fail-on \"%s\": %s", expr, why);
}

int pd_gate_parse(const char *expr, pd_gate *g, pd_err *err) {
  memset(g, 0, sizeof *g);
  g->expr = expr;
  const char *p = expr;
  while (isspace((unsigned char)*p)) p++;
  static const struct {
    const char *name;
    pd_gate_metric m;
  } metrics[] = {{"total", PD_GATE_TOTAL},
                 {"function", PD_GATE_FUNCTION},
                 {"slope", PD_GATE_SLOPE},
                 {"share", PD_GATE_SHARE}};
  size_t i;
  for (i = 0; i < 4; i++) {
    size_t n = strlen(metrics[i].name);
    if (strncmp(p, metrics[i].name, n) == 0 && !isalnum((unsigned char)p[n])) {
      g->metric = metrics[i].m;
      p += n;
      break;
    }
  }
  if (i == 4) return S_bad(err, expr, "unknown metric");
  while (isspace((unsigned char)*p)) p++;
  if (*p != '>') return S_bad(err, expr, "expected > or >= after the metric");
  p++;
  if (*p == '=') {
    g->or_equal = 1;
    p++;
  }
  while (isspace((unsigned char)*p)) p++;
  char value[64];
  size_t len = strlen(p);
  while (len && isspace((unsigned char)p[len - 1])) len--;
  if (len == 0 || len >= sizeof value) return S_bad(err, expr, "expected a value");
  memcpy(value, p, len);
  value[len] = 0;
  if (g->metric == PD_GATE_SLOPE) {
    if (len < 3 || strcmp(value + len - 2, "/h") != 0)
      return S_bad(err, expr, "a slope is a rate per hour, such as 1MB/h");
    value[len - 2] = 0;
  }
  if (value[strlen(value) - 1] == '%') {
    if (g->metric == PD_GATE_SLOPE || g->metric == PD_GATE_SHARE)
      return S_bad(err, expr, g->metric == PD_GATE_SHARE ? "share is in points: share>10, not share>10%"
                                                         : "a slope takes a unit per hour, not a percentage");
    value[strlen(value) - 1] = 0;
    char *end;
    g->threshold = strtod(value, &end);
    if (end == value || *end || !isfinite(g->threshold)) return S_bad(err, expr, "not a number");
    g->percent = 1;
    return PD_OK;
  }
  if (pd_unit_parse(value, &g->threshold, &g->kind) != PD_OK)
    return S_bad(err, expr, "not a number with a known unit");
  if (g->metric == PD_GATE_SHARE && g->kind != PD_UNIT_COUNT)
    return S_bad(err, expr, "share is in points, without a unit");
  return PD_OK;
}

static int S_check_unit(const pd_gate *g, const pd_series *s, pd_err *err) {
  if (g->percent || g->metric == PD_GATE_SHARE || g->kind == PD_UNIT_COUNT) return PD_OK;
  const char *unit = s->snap[s->order[0]].unit;
  pd_unit_kind k = pd_unit_classify(unit, NULL);
  if (k != g->kind)
    return pd_fail(err, "--fail-on \"%s\": the threshold is %s but the profiles measure %s",
                   g->expr, g->kind == PD_UNIT_BYTES ? "a size" : "a time", unit);
  return PD_OK;
}

/* Threshold in the sample type's own unit (e.g. "nanoseconds" vs ms). */
static double S_threshold(const pd_gate *g, const pd_series *s) {
  if (g->percent || g->metric == PD_GATE_SHARE || g->kind == PD_UNIT_COUNT) return g->threshold;
  double factor;
  pd_unit_classify(s->snap[s->order[0]].unit, &factor);
  return g->threshold / factor;
}

static int S_over(const pd_gate *g, double v, double limit) {
  return g->or_equal ? v >= limit : v > limit;
}

int pd_gates_eval(pd_gate *gates, size_t n, const pd_series *s, pd_err *err) {
  int failed = 0;
  const char *unit = s->snap[s->order[0]].unit;
  for (size_t i = 0; i < n; i++) {
    pd_gate *g = &gates[i];
    if (S_check_unit(g, s, err) != PD_OK) return -1;
    if (g->metric == PD_GATE_SLOPE && !s->has_times) {
      pd_fail(err, "--fail-on \"%s\": slopes per hour need snapshot times (the profiles' own, in file names, or --order mtime)",
              g->expr);
      return -1;
    }
    double limit = S_threshold(g, s);
    char a[64], b[64];
    g->failed = 0;
    g->observed = 0;
    if (g->metric == PD_GATE_TOTAL) {
      const pd_funcstats *t = &s->total_stats;
      double v = g->percent ? t->delta_pct : t->delta;
      int beyond_noise = fabsl(t->delta) > s->opts.noise_z * t->delta_sigma;
      g->observed = isnan(v) ? 0 : v;
      g->failed = !isnan(v) && beyond_noise && S_over(g, v, limit);
      if (g->percent)
        snprintf(g->detail, sizeof g->detail, "total changed %+.1f%% (%s \xe2\x86\x92 %s)", g->observed,
                 pd_unit_label(t->first, unit, "auto", a, sizeof a), pd_unit_label(t->last, unit, "auto", b, sizeof b));
      else
        snprintf(g->detail, sizeof g->detail, "total changed %s%s", t->delta > 0 ? "+" : "",
                 pd_unit_label(t->delta, unit, "auto", a, sizeof a));
      if (!beyond_noise && S_over(g, g->observed, limit))
        strncat(g->detail, ", within sampling noise", sizeof g->detail - strlen(g->detail) - 1);
    } else {
      /* the function with the largest figure among those beyond the noise */
      const pd_funcstats *worst = NULL;
      double best = -INFINITY;
      for (uint32_t k = 0; k < s->nfs; k++) {
        const pd_funcstats *f = &s->fs[k];
        double v;
        switch (g->metric) {
        case PD_GATE_FUNCTION:
          if (!f->significant) continue;
          v = g->percent ? f->delta_pct : f->delta;
          if (isnan(v)) continue; /* new functions have no percentage */
          break;
        case PD_GATE_SLOPE:
          if (f->trend != PD_TREND_GROWING) continue;
          v = f->rate; /* the verdict's own rate (docs/analysis.md, section 7) */
          break;
        case PD_GATE_SHARE:
          if (!f->significant) continue;
          v = f->share_shift;
          break;
        default: continue;
        }
        if (v > best) {
          best = v;
          worst = f;
        }
      }
      if (!worst) {
        snprintf(g->detail, sizeof g->detail, "no function changed beyond the sampling noise");
      } else {
        g->observed = best;
        g->failed = S_over(g, best, limit);
        const char *name = pd_intern_str(&s->keys, worst->key);
        switch (g->metric) {
        case PD_GATE_FUNCTION:
          if (g->percent)
            snprintf(g->detail, sizeof g->detail, "largest growth %+.1f%%: %.300s", best, name);
          else
            snprintf(g->detail, sizeof g->detail, "largest growth %s%s: %.300s", best > 0 ? "+" : "",
                     pd_unit_label(best, unit, "auto", a, sizeof a), name);
          break;
        case PD_GATE_SLOPE:
          snprintf(g->detail, sizeof g->detail, "fastest growth %s/h: %.300s",
                   pd_unit_label(best, unit, "auto", a, sizeof a), name);
          break;
        default:
          snprintf(g->detail, sizeof g->detail, "largest share rise %+.1f points: %.300s", best, name);
        }
      }
    }
    failed += g->failed;
  }
  return failed;
}
