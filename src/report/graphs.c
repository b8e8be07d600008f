/* graphs.c: the pictures of a report, drawn by render/ from the series.
 *
 * All flame graphs of a report come from the series' one shared tree (whose
 * columns hold the first or base snapshot, the last one, and each frame's
 * growth slope), so the same frame sits at the same place in every graph,
 * and they use the per-package palette, so a function has the same colour
 * in all of them. Sparklines are drawn on demand, one per function row.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../render/escape.h"
#include "../render/render.h"

static pd_report_file *S_add(pd_report_graphs *g, const char *name, const char *caption) {
  pd_report_file *f = &g->files[g->n++];
  f->name = name;
  f->caption = caption;
  f->svg = (pd_buf)PD_BUF_INIT;
  return f;
}

/* "heap-003.pb.gz (2026-11-22T19:06:51Z)" */
static void S_snapshot_label(pd_buf *b, const pd_series *s, int32_t col) {
  pd_buf_puts(b, pd_basename(s->snap[col].path));
  int64_t ns = pd_series_time_ns(s, (uint32_t)col);
  if (ns && s->rule != PD_ORDER_FILE_NAME) { /* else the name says it already */
    char t[64];
    pd_buf_printf(b, " (%s)", pd_format_time(ns, t, sizeof t));
  }
}

static int S_flame(pd_report_graphs *g, const pd_series *s, const char *script, const char *name,
                   const char *caption, pd_flame_mode mode, int col, pd_err *err) {
  const pd_snapinfo *ref = &s->snap[s->order[0]];
  pd_flame_src src;
  memset(&src, 0, sizeof src);
  src.tree = &s->tree;
  src.keys = &s->keys;
  src.head_col = col;
  src.cut_col = col == PD_SCOL_LAST ? PD_SCOL_CUT_LAST : col == PD_SCOL_BASE ? PD_SCOL_CUT_BASE : PD_SCOL_CUT_FIRST;
  src.base_col = s->has_base ? PD_SCOL_BASE : PD_SCOL_FIRST;
  src.base_scale = 1;
  src.slope = s->tree.col[PD_SCOL_SLOPE];
  src.slope_per = s->has_times ? "h" : "snapshot";
  pd_flame_opts o;
  pd_flame_opts_default(&o);
  o.mode = mode;
  o.unit = ref->unit;
  o.palette = PD_PALETTE_PACKAGE;
  o.script = script;
  pd_buf title = PD_BUF_INIT, sub = PD_BUF_INIT;
  char a[64];
  int32_t first = s->first_col, last = s->last_col;
  if (mode == PD_FLAME_DIFF) {
    pd_buf_printf(&title, "%s: %s", ref->sample_type, caption);
    S_snapshot_label(&sub, s, first);
    pd_buf_puts(&sub, " -> ");
    S_snapshot_label(&sub, s, last);
    pd_buf_puts(&sub, "; widths from the last, red grew, blue shrank");
  } else if (mode == PD_FLAME_GROWTH) {
    pd_buf_printf(&title, "%s: %s", ref->sample_type, caption);
    pd_buf_printf(&sub, "widths from the last snapshot; colour by each frame's growth per %s over the %s",
                  s->has_times ? "hour" : "snapshot", s->nsegs > 1 ? "last segment" : "series");
  } else {
    int32_t c = col == PD_SCOL_LAST ? last : first;
    pd_buf_printf(&title, "%s: %s", ref->sample_type, caption);
    S_snapshot_label(&sub, s, c);
    pd_buf_printf(&sub, ", total %s",
                  pd_unit_label(col == PD_SCOL_LAST ? s->total_stats.last : s->total_stats.first, ref->unit,
                                "auto", a, sizeof a));
  }
  o.title = title.data;
  o.subtitle = sub.data;
  pd_report_file *f = S_add(g, name, caption);
  int rc = pd_render_flame(&f->svg, &src, &o, NULL, err);
  pd_buf_free(&title);
  pd_buf_free(&sub);
  return rc;
}

/* The total over the series, with the resets that cut it into segments. */
static void S_timeline(pd_report_graphs *g, const pd_series *s) {
  const pd_snapinfo *ref = &s->snap[s->order[0]];
  double *marks = pd_xmalloc((s->nsegs ? s->nsegs : 1) * sizeof *marks);
  uint32_t nmarks = 0;
  for (uint32_t i = 1; i < s->nsegs; i++) {
    uint32_t p = s->segs[i].first;
    if (p > 0) marks[nmarks++] = (s->t[p - 1] + s->t[p]) / 2;
  }
  pd_buf title = PD_BUF_INIT;
  pd_buf_printf(&title, "Total %s over the series", ref->sample_type);
  pd_chart_line line = {ref->sample_type, s->total, "#d62728"};
  pd_chart c;
  memset(&c, 0, sizeof c);
  c.title = title.data;
  c.unit = ref->unit;
  c.n = s->npos;
  c.x = s->t;
  c.x_is_time = s->has_times;
  c.t0_ns = pd_series_time_ns(s, s->order[0]);
  c.lines = &line;
  c.nlines = 1;
  c.marks = marks;
  c.nmarks = nmarks;
  c.mark_label = "reset";
  pd_report_file *f = S_add(g, "timeline.svg", "Total over the series (dashed: resets)");
  pd_render_chart(&f->svg, &c);
  pd_buf_free(&title);
  free(marks);
}

/* Heap profile, anonymous memory, page cache and working set of the
 * container, over time. */
static void S_memory(pd_report_graphs *g, const pd_memtimeline *tl) {
  uint32_t n = tl->n;
  double *x = pd_xmalloc((n ? n : 1) * 6 * sizeof *x);
  double *heap = x + n, *anon = heap + n, *act = anon + n, *inact = act + n, *ws = inact + n;
  int64_t t0 = n ? tl->points[0].time_ns : 0;
  int times = 1;
  for (uint32_t i = 0; i < n; i++) {
    const pd_mempoint *p = &tl->points[i];
    times &= p->time_ns != 0;
    x[i] = (double)(p->time_ns - t0) / 3600e9;
    heap[i] = p->heap;
    anon[i] = p->anon;
    act[i] = p->active_file;
    inact[i] = p->inactive_file;
    ws[i] = p->working_set;
  }
  if (!times)
    for (uint32_t i = 0; i < n; i++) x[i] = i;
  pd_chart_line lines[] = {{"heap profile", heap, "#d62728"},
                           {"anon (RSS)", anon, "#ff7f0e"},
                           {"active file cache", act, "#1f77b4"},
                           {"inactive file cache", inact, "#17becf"},
                           {"working set", ws, "#2ca02c"}};
  pd_chart c;
  memset(&c, 0, sizeof c);
  c.title = "Heap versus container memory";
  c.unit = "bytes";
  c.n = n;
  c.x = x;
  c.x_is_time = times;
  c.t0_ns = t0;
  c.lines = lines;
  c.nlines = sizeof lines / sizeof lines[0];
  pd_report_file *f = S_add(g, "memory.svg", "Heap versus container memory");
  pd_render_chart(&f->svg, &c);
  free(x);
}

int pd_report_graphs_build(pd_report_graphs *g, const pd_series *s, const pd_memtimeline *tl,
                           const char *script, pd_err *err) {
  memset(g, 0, sizeof *g);
  int rc = S_flame(g, s, script, "flame-first.svg", s->has_base ? "Flame graph, base" : "Flame graph, first snapshot",
                   PD_FLAME_PLAIN, s->has_base ? PD_SCOL_BASE : PD_SCOL_FIRST, err);
  if (rc == PD_OK)
    rc = S_flame(g, s, script, "flame-last.svg", "Flame graph, last snapshot", PD_FLAME_PLAIN, PD_SCOL_LAST, err);
  if (rc == PD_OK)
    rc = S_flame(g, s, script, "diff.svg",
                 s->has_base ? "Differential flame graph, base -> last" : "Differential flame graph, first -> last",
                 PD_FLAME_DIFF, PD_SCOL_LAST, err);
  if (rc == PD_OK && s->npos > 2)
    rc = S_flame(g, s, script, "growth.svg", "Growth flame graph", PD_FLAME_GROWTH, PD_SCOL_LAST, err);
  if (rc == PD_OK && s->npos > 2) S_timeline(g, s);
  if (rc == PD_OK && tl && tl->n) S_memory(g, tl);
  return rc;
}

void pd_report_graphs_free(pd_report_graphs *g) {
  for (size_t i = 0; i < g->n; i++) pd_buf_free(&g->files[i].svg);
  g->n = 0;
}

void pd_report_sparkline_svg(pd_buf *out, const pd_series *s, uint32_t fs_index) {
  const pd_funcstats *f = &s->fs[fs_index];
  double *v = pd_xmalloc((s->npos ? s->npos : 1) * sizeof *v);
  for (uint32_t p = 0; p < s->npos; p++) v[p] = pd_series_flat(s, f->key, p);
  pd_render_sparkline(out, v, s->npos, s->snap[s->order[0]].unit, pd_intern_str(&s->keys, f->key),
                      pd_intern_len(&s->keys, f->key));
  free(v);
}
