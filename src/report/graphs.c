/* graphs.c: the pictures of a report, drawn by render/ from the series.
 *
 * All flame graphs of a report come from the series' one shared tree (whose
 * columns hold the first or base snapshot, the last one, and each frame's
 * growth slope), so the same frame sits at the same place in every graph,
 * and they use the per-package palette, so a function has the same colour
 * in all of them. Each is drawn when asked for (pd_report_graph_render),
 * so a report holds one at a time (a large profile's are megabytes);
 * sparklines likewise, one per function row.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"
#include "../render/render.h"

static void S_add(pd_report_graphs *g, const char *name, const char *id, const char *caption, int kind,
                  int mode, int col) {
  pd_report_file *f = &g->files[g->n++];
  f->name = name;
  f->id = id;
  f->caption = caption;
  f->kind = kind;
  f->mode = mode;
  f->col = col;
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

static int S_flame(pd_buf *out, const pd_series *s, const char *script, const char *caption,
                   pd_flame_mode mode, int col, const char *id_prefix, pd_report_drawn *drawn, pd_err *err) {
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
  o.script = id_prefix ? NULL : script;
  o.embedded = id_prefix != NULL;
  o.id_prefix = id_prefix;
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
  pd_flame_stats st;
  int rc = pd_render_flame(out, &src, &o, &st, err);
  if (drawn) drawn->max_change = st.max_change;
  pd_buf_free(&title);
  pd_buf_free(&sub);
  return rc;
}

/* The total over the series, with the resets that cut it into segments. */
static void S_timeline(pd_buf *out, const pd_series *s) {
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
  pd_render_chart(out, &c);
  pd_buf_free(&title);
  free(marks);
}

/* Heap profile, anonymous memory, page cache and working set of the
 * container, over time. */
static void S_memory(pd_buf *out, const pd_memtimeline *tl) {
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
  pd_render_chart(out, &c);
  free(x);
}

void pd_report_graphs_plan(pd_report_graphs *g, const pd_series *s, const pd_memtimeline *tl,
                           const char *script) {
  memset(g, 0, sizeof *g);
  g->series = s;
  g->timeline = tl;
  g->script = script;
  S_add(g, "flame-first.svg", "flame-first", s->has_base ? "Flame graph, base" : "Flame graph, first snapshot",
        PD_REPORT_GRAPH_FLAME, PD_FLAME_PLAIN, s->has_base ? PD_SCOL_BASE : PD_SCOL_FIRST);
  S_add(g, "flame-last.svg", "flame-last", "Flame graph, last snapshot", PD_REPORT_GRAPH_FLAME, PD_FLAME_PLAIN,
        PD_SCOL_LAST);
  S_add(g, "diff.svg", "diff",
        s->has_base ? "Differential flame graph, base -> last" : "Differential flame graph, first -> last",
        PD_REPORT_GRAPH_FLAME, PD_FLAME_DIFF, PD_SCOL_LAST);
  if (s->npos > 2)
    S_add(g, "growth.svg", "growth", "Growth flame graph", PD_REPORT_GRAPH_FLAME, PD_FLAME_GROWTH, PD_SCOL_LAST);
  if (s->npos > 2)
    S_add(g, "timeline.svg", "timeline", "Total over the series (dashed: resets)", PD_REPORT_GRAPH_TIMELINE, 0, 0);
  if (tl && tl->n)
    S_add(g, "memory.svg", "memory", "Heap versus container memory", PD_REPORT_GRAPH_MEMORY, 0, 0);
}

int pd_report_graph_render(const pd_report_graphs *g, size_t i, const char *id_prefix, pd_buf *out,
                           pd_report_drawn *drawn, pd_err *err) {
  const pd_report_file *f = &g->files[i];
  pd_buf_truncate(out, 0);
  if (drawn) memset(drawn, 0, sizeof *drawn);
  /* the charts have no ids, no style and no script: the same in a page */
  switch (f->kind) {
  case PD_REPORT_GRAPH_FLAME:
    return S_flame(out, g->series, g->script, f->caption, (pd_flame_mode)f->mode, f->col, id_prefix, drawn, err);
  case PD_REPORT_GRAPH_TIMELINE: S_timeline(out, g->series); return PD_OK;
  default: S_memory(out, g->timeline); return PD_OK;
  }
}

void pd_report_sparkline_svg(pd_buf *out, const pd_series *s, uint32_t fs_index) {
  const pd_funcstats *f = &s->fs[fs_index];
  double *v = pd_xmalloc((s->npos ? s->npos : 1) * sizeof *v);
  pd_series_values(s, f->key, v, NULL, NULL);
  pd_render_sparkline(out, v, s->npos, s->snap[s->order[0]].unit, pd_intern_str(&s->keys, f->key),
                      pd_key_len(&s->keys, f->key));
  free(v);
}
