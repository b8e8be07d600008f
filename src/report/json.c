/* json.c: report.json, the machine-readable form of a series analysis and
 * the data every other report format is written from. Field by field it is
 * documented in docs/report-json.md; numbers are raw values in the sample
 * type's unit, NaN and infinities are null. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"

static const char *const S_detail_names[] = {"default", "summary", "full"};

const char *pd_json_detail_name(pd_json_detail d) {
  return (unsigned)d < 3 ? S_detail_names[d] : "default";
}

int pd_json_detail_parse(const char *name, pd_json_detail *d) {
  for (int i = 0; i < 3; i++)
    if (strcmp(name, S_detail_names[i]) == 0) {
      *d = (pd_json_detail)i;
      return PD_OK;
    }
  return PD_ERR;
}

static void S_key(pd_buf *b, const char *k) {
  pd_buf_putc(b, '"');
  pd_buf_puts(b, k);
  pd_buf_puts(b, "\":");
}

static void S_str(pd_buf *b, const char *k, const char *v) {
  S_key(b, k);
  if (v) pd_esc_json(b, v, strlen(v));
  else pd_buf_puts(b, "null");
}

static void S_num(pd_buf *b, const char *k, pd_val v) {
  S_key(b, k);
  pd_json_num(b, v);
}

/* An int64 as it is (time_ns is past 2^53, where a double drops digits). */
static void S_int(pd_buf *b, const char *k, int64_t v) {
  S_key(b, k);
  pd_buf_int(b, v);
}

static void S_rate(pd_buf *b, const char *k, const pd_series *s, double v) {
  /* a slope is per hour only when the snapshots have times */
  S_num(b, k, s->has_times ? v : NAN);
}

static void S_fit(pd_buf *b, const pd_series *s, const pd_funcstats *f) {
  S_rate(b, "slope_per_hour", s, f->fit.valid ? f->fit.slope : NAN);
  pd_buf_putc(b, ',');
  if (!s->has_times) { /* no times: the same figures per snapshot */
    S_num(b, "slope_per_snapshot", f->fit.valid ? f->fit.slope : NAN);
    pd_buf_putc(b, ',');
  }
  S_num(b, "r2", f->fit.valid ? f->fit.r2 : NAN);
  pd_buf_putc(b, ',');
  S_rate(b, "theil_sen_per_hour", s, f->theil_sen);
  pd_buf_putc(b, ',');
  S_key(b, "mann_kendall");
  pd_buf_puts(b, "{");
  S_num(b, "s", f->mk.s);
  pd_buf_putc(b, ',');
  S_num(b, "z", f->mk.z);
  pd_buf_putc(b, ',');
  S_num(b, "p", f->mk.p);
  pd_buf_putc(b, ',');
  S_num(b, "tau", f->mk.tau);
  pd_buf_putc(b, ',');
  S_num(b, "variance_factor", f->mk_factor);
  pd_buf_puts(b, "},");
  S_rate(b, "slope_all_per_hour", s, f->fit_all.valid ? f->fit_all.slope : NAN);
  pd_buf_putc(b, ',');
  S_num(b, "r2_all", f->fit_all.valid ? f->fit_all.r2 : NAN);
}

/* The verdict's own figures: the current part of the window and its rate
 * (docs/analysis.md, section 7) */
static void S_current(pd_buf *b, const pd_series *s, const pd_funcstats *f) {
  S_key(b, "current");
  pd_buf_puts(b, "{");
  S_num(b, "since", f->since);
  pd_buf_putc(b, ',');
  S_num(b, "since_t_hours", s->has_times && f->since >= 0 ? s->t[f->since] : NAN);
  pd_buf_putc(b, ',');
  S_rate(b, "rate_per_hour", s, f->rate);
  pd_buf_putc(b, ',');
  S_num(b, "rate_per_snapshot", s->has_times ? NAN : f->rate);
  pd_buf_putc(b, ',');
  S_key(b, "has_break");
  pd_buf_puts(b, f->has_break ? "true," : "false,");
  /* the test that found the break and the trend since: a likelihood ratio
   * on sampled counts (its p) or the two-piece fit's F and Mann-Kendall */
  S_key(b, "break_test");
  int counts = f->by_counts || (f->part && f->part_by_counts); /* the never-freed part's, when it decided */
  pd_buf_puts(b, !counts ? "\"mann-kendall\"," : f->first_arrival > 0 ? "\"first-arrival\"," : "\"likelihood-ratio\",");
  S_num(b, "break_p", counts ? f->break_p : NAN);
  pd_buf_putc(b, ',');
  S_rate(b, "rate_before_per_hour", s, f->has_break || f->trend == PD_TREND_PLATEAU ? f->rate_before : NAN);
  pd_buf_putc(b, ',');
  S_num(b, "change", f->change);
  pd_buf_putc(b, ',');
  S_num(b, "threshold", f->threshold);
  pd_buf_putc(b, ',');
  S_num(b, "noise_band", f->noise_band);
  pd_buf_putc(b, ',');
  S_num(b, "floor", f->floor);
  pd_buf_putc(b, ',');
  /* growing by its never-freed part (docs/analysis.md section 7): that
   * part's change, threshold, sampled objects and test, else nulls */
  S_key(b, "decided_on");
  pd_buf_puts(b, f->part ? "\"never-freed\"," : "\"whole\",");
  S_num(b, "part_change", f->part ? f->part_change : NAN);
  pd_buf_putc(b, ',');
  S_num(b, "part_threshold", f->part ? f->part_threshold : NAN);
  pd_buf_putc(b, ',');
  S_num(b, "part_objects", f->part ? f->part_objects : NAN);
  pd_buf_putc(b, ',');
  S_num(b, "part_p", f->part ? f->part_p : NAN);
  pd_buf_putc(b, '}');
}

static void S_segments(pd_buf *b, const pd_series *s, const pd_funcstats *f) {
  S_key(b, "segments");
  pd_buf_putc(b, '[');
  for (uint32_t i = 0; i < s->nsegs; i++) {
    if (i) pd_buf_putc(b, ',');
    pd_buf_puts(b, "{");
    S_num(b, "first", s->segs[i].first);
    pd_buf_putc(b, ',');
    S_num(b, "last", s->segs[i].last);
    pd_buf_putc(b, ',');
    S_rate(b, "slope_per_hour", s, f->segs[i].slope);
    pd_buf_putc(b, ',');
    S_num(b, "r2", f->segs[i].r2);
    pd_buf_putc(b, ',');
    S_rate(b, "theil_sen_per_hour", s, f->segs[i].theil_sen);
    pd_buf_putc(b, ',');
    S_str(b, "trend", pd_trend_name(f->segs[i].trend));
    pd_buf_putc(b, '}');
  }
  pd_buf_putc(b, ']');
}

/* v: npos values (exact), or var: npos variances, written as their square
 * roots, rounded */
static void S_values(pd_buf *b, const char *k, const pd_series *s, const pd_val *v, const double *var) {
  S_key(b, k);
  pd_buf_putc(b, '[');
  for (uint32_t p = 0; p < s->npos; p++) {
    if (p) pd_buf_putc(b, ',');
    pd_json_num(b, v ? v[p] : round(sqrt(var[p])));
  }
  pd_buf_putc(b, ']');
}

/* values: the per-snapshot arrays too (flat, cum, flat_sigma), the part of
 * a function that grows with the snapshots */
static void S_function(pd_buf *b, const pd_series *s, const pd_funcstats *f, int values) {
  pd_buf_puts(b, "{");
  S_key(b, "name");
  pd_esc_json(b, pd_intern_str(&s->keys, f->key), pd_key_len(&s->keys, f->key));
  pd_buf_putc(b, ',');
  if (values) {
    size_t n = s->npos ? s->npos : 1;
    pd_val *flat = pd_xmalloc(2 * n * sizeof *flat), *cum = flat + n;
    double *var = pd_xmalloc(n * sizeof *var);
    pd_series_values_exact(s, f->key, flat, cum, var);
    S_values(b, "flat", s, flat, NULL);
    pd_buf_putc(b, ',');
    S_values(b, "cum", s, cum, NULL);
    pd_buf_putc(b, ',');
    S_values(b, "flat_sigma", s, NULL, var);
    free(flat);
    free(var);
    pd_buf_putc(b, ',');
  }
  S_num(b, "first", f->first);
  pd_buf_putc(b, ',');
  S_num(b, "last", f->last);
  pd_buf_putc(b, ',');
  S_num(b, "delta", f->delta);
  pd_buf_putc(b, ',');
  S_num(b, "delta_cum", f->delta_cum);
  pd_buf_putc(b, ',');
  S_num(b, "delta_pct", f->delta_pct);
  pd_buf_putc(b, ',');
  S_num(b, "delta_cum_pct", f->delta_cum_pct);
  pd_buf_putc(b, ',');
  S_num(b, "delta_sigma", round(f->delta_sigma));
  pd_buf_putc(b, ',');
  S_key(b, "significant");
  pd_buf_puts(b, f->significant ? "true," : "false,");
  S_num(b, "share_first", f->share_first);
  pd_buf_putc(b, ',');
  S_num(b, "share_last", f->share_last);
  pd_buf_putc(b, ',');
  S_num(b, "share_shift", f->share_shift);
  pd_buf_putc(b, ',');
  S_num(b, "share_cum_first", f->share_cum_first);
  pd_buf_putc(b, ',');
  S_num(b, "share_cum_last", f->share_cum_last);
  pd_buf_putc(b, ',');
  S_fit(b, s, f);
  pd_buf_putc(b, ',');
  S_rate(b, "slope_cum_per_hour", s, f->fit_cum.valid ? f->fit_cum.slope : NAN);
  pd_buf_putc(b, ',');
  S_str(b, "trend", pd_trend_name(f->trend));
  pd_buf_putc(b, ',');
  S_current(b, s, f);
  pd_buf_putc(b, ',');
  if (f->trend == PD_TREND_PLATEAU) {
    S_key(b, "plateau");
    pd_buf_puts(b, "{");
    S_num(b, "since", f->plateau_since);
    pd_buf_putc(b, ',');
    S_num(b, "value_change_pct", f->plateau_change_pct);
    pd_buf_putc(b, ',');
    S_num(b, "share_from", f->plateau_share_from);
    pd_buf_putc(b, ',');
    S_num(b, "share_to", f->plateau_share_to);
    pd_buf_puts(b, "},");
  }
  S_str(b, "reason", f->reason);
  pd_buf_putc(b, ',');
  S_segments(b, s, f);
  pd_buf_putc(b, '}');
}

/* Functions in report order: suspects first, then by |delta|, then name. */
static int S_cmp(const void *ctx, uint32_t a, uint32_t b) {
  const pd_series *s = ctx;
  const pd_funcstats *x = &s->fs[a], *y = &s->fs[b];
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  pd_val dx = fabsl(x->delta), dy = fabsl(y->delta);
  if (dx != dy) return dx > dy ? -1 : 1;
  pd_val lx = fabsl(x->last), ly = fabsl(y->last);
  if (lx != ly) return lx > ly ? -1 : 1;
  return pd_intern_cmp(&s->keys, x->key, y->key);
}

uint32_t *pd_report_function_order(const pd_series *s) {
  uint32_t *idx = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *idx);
  for (uint32_t i = 0; i < s->nfs; i++) idx[i] = i;
  pd_sort_u32(idx, s->nfs, S_cmp, s);
  return idx;
}

/* Which functions carry their per-snapshot values (docs/report-json.md,
 * "Detail"). A 1,000-snapshot series of a 30,000-function program has 30
 * million values per array, half a gigabyte of JSON nobody loads; the
 * functions a reader looks at are few: the suspects, the largest, the ones
 * that changed beyond the noise. Returns one byte per s->fs[i] (1: values),
 * the count in *n. */
static int S_by_size(const void *ctx, uint32_t a, uint32_t b) {
  const pd_series *s = ctx;
  const pd_funcstats *x = &s->fs[a], *y = &s->fs[b];
  pd_val vx = fmaxl(fabsl(x->first), fabsl(x->last)), vy = fmaxl(fabsl(y->first), fabsl(y->last));
  if (vx != vy) return vx > vy ? -1 : 1;
  return pd_intern_cmp(&s->keys, x->key, y->key);
}

static uint8_t *S_detailed(const pd_series *s, pd_json_detail level, const uint32_t *order, uint32_t *n) {
  uint8_t *with = pd_xcalloc(s->nfs ? s->nfs : 1, 1);
  *n = 0;
  if (level == PD_JSON_DETAIL_FULL) {
    memset(with, 1, s->nfs);
    *n = s->nfs;
    return with;
  }
  if (level == PD_JSON_DETAIL_SUMMARY) return with;
  /* the suspects, most likely first */
  for (uint32_t i = 0; i < s->nsuspects && *n < PD_JSON_VALUES_MAX; i++)
    if (!with[s->suspects[i]]) with[s->suspects[i]] = 1, ++*n;
  /* the largest, by their value in the first or the last snapshot */
  uint32_t *big = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *big);
  for (uint32_t i = 0; i < s->nfs; i++) big[i] = i;
  pd_sort_u32(big, s->nfs, S_by_size, s);
  for (uint32_t i = 0; i < s->nfs && i < PD_JSON_VALUES_LARGEST && *n < PD_JSON_VALUES_MAX; i++) {
    const pd_funcstats *f = &s->fs[big[i]];
    if (f->first == 0 && f->last == 0) break; /* the rest hold no flat value at either end */
    if (!with[big[i]]) with[big[i]] = 1, ++*n;
  }
  free(big);
  /* the changed beyond the noise, in report order (largest |delta| first) */
  for (uint32_t i = 0; i < s->nfs && *n < PD_JSON_VALUES_MAX; i++)
    if (s->fs[order[i]].significant && !with[order[i]]) with[order[i]] = 1, ++*n;
  return with;
}

/* The suspects, their reasons and every function of a series, the part a
 * whole report and each --group-by group share; sep follows each array. */
static void S_functions(pd_buf *b, const pd_series *s, const uint32_t *order, pd_json_detail level,
                        const char *sep) {
  S_key(b, "suspects");
  pd_buf_putc(b, '[');
  for (uint32_t i = 0; i < s->nsuspects; i++) {
    const pd_funcstats *f = &s->fs[s->suspects[i]];
    if (i) pd_buf_putc(b, ',');
    pd_esc_json(b, pd_intern_str(&s->keys, f->key), pd_key_len(&s->keys, f->key));
  }
  pd_buf_puts(b, "]");
  pd_buf_puts(b, sep);
  S_key(b, "suspect_reasons");
  pd_buf_putc(b, '[');
  for (uint32_t i = 0; i < s->nsuspects; i++) {
    const pd_funcstats *f = &s->fs[s->suspects[i]];
    if (i) pd_buf_putc(b, ',');
    pd_esc_json(b, f->reason, strlen(f->reason));
  }
  pd_buf_puts(b, "]");
  pd_buf_puts(b, sep);
  S_key(b, "functions");
  pd_buf_puts(b, "[\n");
  uint32_t *own = order ? NULL : pd_report_function_order(s), nwith;
  const uint32_t *idx = order ? order : own;
  uint8_t *with = S_detailed(s, level, idx, &nwith);
  for (uint32_t i = 0; i < s->nfs; i++) {
    if (i) pd_buf_puts(b, ",\n");
    S_function(b, s, &s->fs[idx[i]], with[idx[i]]);
    pd_buf_spill(b); /* a whole function at a time: report.json grows with functions x snapshots */
  }
  free(with);
  free(own);
  pd_buf_puts(b, "]");
  pd_buf_puts(b, sep);
  S_num(b, "functions_with_values", nwith);
}

/* --group-by: "groups": {"key", "values": [{"value", "total", "suspects",
 * "suspect_reasons", "functions"}]}, each value's series as the top level
 * has it (docs/report-json.md). */
static void S_groups(pd_buf *b, const pd_report_config *m) {
  S_key(b, "groups");
  pd_buf_putc(b, '{');
  S_str(b, "key", m->group_key);
  pd_buf_puts(b, ",");
  S_key(b, "values");
  pd_buf_puts(b, "[\n");
  for (uint32_t g = 0; g < m->ngroups; g++) {
    const pd_series *s = m->groups[g].series;
    const pd_funcstats *t = &s->total_stats;
    pd_buf_puts(b, g ? ",\n{" : "{");
    S_str(b, "value", m->groups[g].value);
    pd_buf_putc(b, ',');
    S_key(b, "total");
    pd_buf_putc(b, '{');
    S_num(b, "first", t->first);
    pd_buf_putc(b, ',');
    S_num(b, "last", t->last);
    pd_buf_putc(b, ',');
    S_num(b, "delta", t->delta);
    pd_buf_putc(b, ',');
    S_num(b, "delta_pct", t->delta_pct);
    pd_buf_putc(b, ',');
    S_key(b, "significant");
    pd_buf_puts(b, t->significant ? "true}," : "false},");
    S_functions(b, s, NULL, m->json_detail, ",");
    pd_buf_puts(b, "}");
  }
  pd_buf_puts(b, "]},\n");
}

void pd_report_json(pd_buf *b, const pd_series *s, const pd_report_config *m) {
  const pd_snapinfo *ref = &s->snap[s->order[0]];
  pd_buf_puts(b, "{\n");
  S_str(b, "profdiff_version", m->version);
  pd_buf_puts(b, ",\n");
  S_str(b, "title", m->title);
  pd_buf_puts(b, ",\n");
  S_str(b, "sample_type", ref->sample_type);
  pd_buf_puts(b, ",\n");
  S_str(b, "unit", ref->unit);
  pd_buf_puts(b, ",\n");
  S_key(b, "order");
  pd_buf_puts(b, "{");
  S_str(b, "rule", pd_order_rule_name(s->rule));
  pd_buf_putc(b, ',');
  S_key(b, "has_times");
  pd_buf_puts(b, s->has_times ? "true" : "false");
  pd_buf_puts(b, "},\n");
  /* time windows (--base-window/--head-window, --since/--until): the words */
  if (s->compared) {
    S_str(b, "compared", s->compared);
    pd_buf_puts(b, ",\n");
  }
  S_str(b, "detail", pd_json_detail_name(m->json_detail));
  pd_buf_puts(b, ",\n");
  S_key(b, "noise");
  pd_buf_puts(b, "{");
  S_str(b, "model", ref->noise == PD_NOISE_HEAP ? "heap" : ref->noise == PD_NOISE_POISSON ? "poisson" : "none");
  pd_buf_putc(b, ',');
  S_num(b, "period", ref->period);
  pd_buf_putc(b, ',');
  S_num(b, "z", s->opts.noise_z);
  pd_buf_putc(b, ',');
  S_key(b, "allocations");
  pd_buf_puts(b, s->alloc_ok ? "true" : "false");
  pd_buf_puts(b, "},\n");
  S_key(b, "snapshots");
  pd_buf_puts(b, "[\n");
  for (uint32_t p = 0; p < s->npos; p++) {
    const pd_snapinfo *si = &s->snap[s->order[p]];
    pd_buf_puts(b, p ? ",\n{" : "{");
    S_str(b, "path", si->path);
    pd_buf_putc(b, ',');
    S_int(b, "time_ns", pd_series_time_ns(s, s->order[p]));
    pd_buf_putc(b, ',');
    S_num(b, "t_hours", s->has_times ? s->t[p] : NAN);
    pd_buf_putc(b, ',');
    S_num(b, "total", s->snap[s->order[p]].total); /* exact; s->total has doubles */
    pd_buf_putc(b, ',');
    S_num(b, "total_sigma", round(s->total_sigma[p]));
    pd_buf_putc(b, ',');
    uint32_t seg = 0;
    while (seg + 1 < s->nsegs && s->segs[seg].last < p) seg++;
    S_num(b, "segment", seg);
    if (si->scale != 1) {
      pd_buf_putc(b, ',');
      S_num(b, "scaled_by", si->scale);
    }
    pd_buf_putc(b, '}');
  }
  pd_buf_puts(b, "],\n");
  S_key(b, "base");
  if (s->has_base) {
    const pd_snapinfo *si = &s->snap[s->n];
    pd_buf_puts(b, "{");
    S_str(b, "path", si->path);
    pd_buf_putc(b, ',');
    S_int(b, "time_ns", si->time_ns);
    pd_buf_putc(b, ',');
    S_num(b, "total", si->total);
    pd_buf_puts(b, "},\n");
  } else {
    pd_buf_puts(b, "null,\n");
  }
  S_key(b, "window");
  pd_buf_puts(b, "{");
  S_num(b, "first", s->win_first);
  pd_buf_putc(b, ',');
  S_num(b, "last", s->win_last);
  pd_buf_puts(b, "},\n");
  S_key(b, "total");
  pd_buf_puts(b, "{");
  const pd_funcstats *t = &s->total_stats;
  S_num(b, "first", t->first);
  pd_buf_putc(b, ',');
  S_num(b, "last", t->last);
  pd_buf_putc(b, ',');
  S_num(b, "delta", t->delta);
  pd_buf_putc(b, ',');
  S_num(b, "delta_pct", t->delta_pct);
  pd_buf_putc(b, ',');
  S_num(b, "delta_sigma", round(t->delta_sigma));
  pd_buf_putc(b, ',');
  S_fit(b, s, t);
  pd_buf_putc(b, ',');
  S_str(b, "trend", pd_trend_name(t->trend));
  pd_buf_putc(b, ',');
  S_segments(b, s, t);
  pd_buf_puts(b, "},\n");
  S_key(b, "gates");
  pd_buf_putc(b, '[');
  for (size_t i = 0; i < m->ngates; i++) {
    const pd_gate *g = &m->gates[i];
    pd_buf_puts(b, i ? ",\n{" : "\n{");
    S_str(b, "expr", g->expr);
    pd_buf_putc(b, ',');
    S_key(b, "failed");
    pd_buf_puts(b, g->failed ? "true," : "false,");
    S_num(b, "observed", g->observed);
    pd_buf_putc(b, ',');
    S_str(b, "detail", g->detail);
    pd_buf_putc(b, '}');
  }
  pd_buf_puts(b, "],\n");
  S_functions(b, s, m->order, m->json_detail, ",\n");
  pd_buf_puts(b, ",\n");
  if (m->group_key) S_groups(b, m);
  if (m->memory) {
    S_key(b, "memory");
    pd_report_memory_json(b, m->memory_tl, m->memory, NULL, 0);
    pd_buf_puts(b, ",\n");
  }
  S_key(b, "warnings");
  pd_buf_putc(b, '[');
  uint32_t nw = 0;
  for (uint32_t c = 0; c < s->ncols; c++)
    for (uint32_t i = 0; i < s->snap[c].nwarnings; i++) {
      if (nw++) pd_buf_putc(b, ',');
      pd_esc_json(b, s->snap[c].warnings[i], strlen(s->snap[c].warnings[i]));
    }
  for (uint32_t i = 0; i < s->nwarnings; i++) {
    if (nw++) pd_buf_putc(b, ',');
    pd_esc_json(b, s->warnings[i], strlen(s->warnings[i]));
  }
  pd_buf_puts(b, "]\n}\n");
}

/* ---- heap versus container memory (docs/inputs.md) ---------------------------- */

/* name/value pairs as "name":number, comma-separated */
static void S_nums(pd_buf *b, const char *const *names, const double *v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i) pd_buf_putc(b, ',');
    S_num(b, names[i], v[i]);
  }
}

static void S_bool(pd_buf *b, const char *k, int v) {
  S_key(b, k);
  pd_buf_puts(b, v ? "true" : "false");
}

static void S_memline(pd_buf *b, const char *k, const pd_memline *l) {
  static const char *const names[] = {"points", "first", "last", "min", "max", "slope_per_hour", "growth"};
  double v[] = {l->n, l->first, l->last, l->min, l->max, l->slope, l->growth};
  S_key(b, k);
  pd_buf_putc(b, '{');
  S_nums(b, names, v, sizeof v / sizeof v[0]);
  pd_buf_putc(b, ',');
  S_bool(b, "grows", l->grows);
  pd_buf_putc(b, '}');
}

static void S_mempoint(pd_buf *b, const pd_mempoint *p, int64_t t0) {
  static const char *const names[] = {"seconds", "heap", "anon", "file", "active_file",
                                      "inactive_file", "shmem", "usage", "working_set"};
  double v[] = {(double)(p->time_ns - t0) / 1e9, p->heap, p->anon, p->file,
                p->active_file, p->inactive_file, p->shmem, p->usage, p->working_set};
  char t[40];
  pd_buf_putc(b, '{');
  S_str(b, "time", p->time_ns ? pd_format_time(p->time_ns, t, sizeof t) : NULL);
  pd_buf_putc(b, ',');
  S_str(b, "time_source", pd_time_source_name(p->time_source));
  pd_buf_putc(b, ',');
  S_str(b, "memory_stat", p->memstat);
  pd_buf_putc(b, ',');
  S_str(b, "usage_file", p->usage_file);
  pd_buf_putc(b, ',');
  S_str(b, "heap_profile", p->heap_profile);
  pd_buf_putc(b, ',');
  S_int(b, "time_ns", p->time_ns);
  pd_buf_putc(b, ',');
  S_nums(b, names, v, sizeof v / sizeof v[0]);
  pd_buf_putc(b, ',');
  S_bool(b, "usage_estimated", p->usage_estimated);
  pd_buf_putc(b, '}');
}

void pd_report_memory_json(pd_buf *b, const pd_memtimeline *tl, const pd_memory_result *r,
                           const char *const *skipped, size_t nskipped) {
  pd_buf_putc(b, '{');
  S_str(b, "attribution", pd_attribution_name(r->attribution));
  pd_buf_putc(b, ',');
  S_str(b, "explanation", r->sentence);
  pd_buf_putc(b, ',');
  S_str(b, "cgroup_version", pd_cgroup_version_name(tl->version));
  pd_buf_putc(b, ',');
  static const char *const names[] = {"span_seconds", "threshold_bytes", "heap_share", "heap_profiles_paired"};
  double v[] = {r->span_s, r->threshold, r->heap_share, tl->heaps_paired};
  S_nums(b, names, v, sizeof v / sizeof v[0]);
  pd_buf_putc(b, ',');
  S_bool(b, "times_from_mtime", tl->times_from_mtime);
  pd_buf_puts(b, ",\"lines\":{");
  const pd_memline *lines[] = {&r->heap, &r->anon, &r->file, &r->active_file, &r->inactive_file,
                               &r->usage, &r->working_set};
  static const char *const line_names[] = {"heap", "anon", "file_cache", "active_file", "inactive_file",
                                           "usage", "working_set"};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    if (i) pd_buf_putc(b, ',');
    S_memline(b, line_names[i], lines[i]);
  }
  pd_buf_puts(b, "},\"snapshots\":[");
  for (uint32_t i = 0; i < tl->n; i++) {
    if (i) pd_buf_putc(b, ',');
    S_mempoint(b, &tl->points[i], tl->points[0].time_ns);
  }
  pd_buf_puts(b, "],\"unpaired\":[");
  for (uint32_t i = 0; i < tl->nunpaired; i++) {
    if (i) pd_buf_putc(b, ',');
    pd_esc_json(b, tl->unpaired[i], strlen(tl->unpaired[i]));
  }
  pd_buf_putc(b, ']');
  if (skipped) {
    pd_buf_puts(b, ",\"skipped\":[");
    for (size_t i = 0; i < nskipped; i++) {
      if (i) pd_buf_putc(b, ',');
      pd_esc_json(b, skipped[i], strlen(skipped[i]));
    }
    pd_buf_putc(b, ']');
  }
  pd_buf_putc(b, '}');
}
