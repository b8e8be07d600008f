/* markdown.c: report.md, GitHub-flavoured Markdown for a pull-request
 * comment, a postmortem or a nightly archive.
 *
 * Readable in ten seconds: a verdict paragraph first, then short tables.
 * A GitHub comment holds at most 65,536 characters, so the tables are cut
 * (largest rows kept) until the document fits, and the cut is said. Every
 * name and path goes through escape/escape.h: names as code spans (no name
 * can add markup, break a table row or end its span), other text escaped.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"

#define S_GITHUB_LIMIT 65536

typedef struct {
  const pd_series *s;
  const pd_report_config *o;
  const pd_report_parts *p; /* links and sparklines, or NULL */
  const char *unit;
  uint32_t rows;   /* rows per table in this attempt */
  uint32_t cut;    /* rows left out, over all tables */
} S_md;

static void S_val(S_md *m, pd_buf *b, double v, int sign) {
  char t[64];
  if (isnan(v)) {
    pd_buf_puts(b, "n/a");
    return;
  }
  pd_unit_label(v, m->unit, "auto", t, sizeof t);
  if (sign && v > 0) pd_buf_putc(b, '+');
  pd_buf_puts(b, t);
}

static void S_pct(pd_buf *b, double v) {
  if (isnan(v)) pd_buf_puts(b, "new");
  else pd_buf_printf(b, "%+.1f%%", v);
}

/* A function name as a code span. Names over 200 characters (generated
 * C++ and Rust symbols reach thousands) are cut, before escaping, with ".."
 * after the span: report.json keeps them whole. */
static void S_name(S_md *m, pd_buf *b, uint32_t key, int in_table) {
  const char *name = pd_intern_str(&m->s->keys, key);
  size_t len = pd_key_len(&m->s->keys, key), cut = pd_utf8_prefix(name, len, 200);
  pd_esc_md_code(b, name, cut, in_table);
  if (cut < len) pd_buf_puts(b, "..");
}

void pd_report_sparkline_text(pd_buf *b, const pd_series *s, uint32_t key) {
  static const char *bars[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                               "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
  double lo = INFINITY, hi = -INFINITY;
  /* long series: at most 24 bars, each the mean of its stretch */
  uint32_t n = s->npos, bars_n = n < 24 ? n : 24;
  double vals[24];
  double *v = pd_xmalloc((n ? n : 1) * sizeof *v);
  pd_series_values(s, key, v, NULL, NULL);
  for (uint32_t i = 0; i < bars_n; i++) {
    uint32_t a = i * n / bars_n, z = (i + 1) * n / bars_n;
    double sum = 0;
    for (uint32_t p = a; p < z; p++) sum += v[p];
    vals[i] = sum / (z - a);
    if (vals[i] < lo) lo = vals[i];
    if (vals[i] > hi) hi = vals[i];
  }
  free(v);
  for (uint32_t i = 0; i < bars_n; i++) {
    int level = hi > lo ? (int)((vals[i] - lo) / (hi - lo) * 7 + 0.5) : 0;
    pd_buf_puts(b, bars[level]);
  }
}

/* One table row of a function. */
static void S_row(S_md *m, pd_buf *b, const pd_funcstats *f, uint32_t index) {
  const pd_series *s = m->s;
  pd_buf_puts(b, "| ");
  S_name(m, b, f->key, 1);
  pd_buf_puts(b, " | ");
  S_val(m, b, f->first, 0);
  pd_buf_puts(b, " | ");
  S_val(m, b, f->last, 0);
  pd_buf_puts(b, " | ");
  S_val(m, b, f->delta, 1);
  pd_buf_puts(b, " | ");
  S_pct(b, f->delta_pct);
  pd_buf_printf(b, " | %+.1f | ", f->share_shift);
  if (s->npos > 2 && s->has_times && !isnan(f->rate)) {
    S_val(m, b, f->rate, 1);
    pd_buf_puts(b, "/h");
  } else if (s->npos > 2 && !isnan(f->rate)) {
    S_val(m, b, f->rate, 1);
    pd_buf_puts(b, "/snap");
  } else {
    pd_buf_puts(b, "\xe2\x80\x94");
  }
  pd_buf_printf(b, " | %s | ", pd_trend_name(f->trend));
  if (m->p && m->p->sparkline_dir) {
    pd_buf_puts(b, "[");
    pd_report_sparkline_text(b, s, f->key);
    pd_buf_printf(b, "](%s/f%05u.svg)", m->p->sparkline_dir, index);
    if (m->p->sparkline_used) m->p->sparkline_used[index] = 1;
  } else {
    pd_report_sparkline_text(b, s, f->key);
  }
  pd_buf_puts(b, " |\n");
}

static const char *S_header =
    "| Function | First | Last | \xce\x94 | \xce\x94 % | Share shift (pts) | Slope | Trend | Trend line |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n";

typedef int (*S_pick)(const pd_funcstats *f);
static int S_grower(const pd_funcstats *f) { return f->significant && f->delta > 0; }
static int S_shrinker(const pd_funcstats *f) { return f->significant && f->delta < 0; }
static int S_newgone(const pd_funcstats *f) { return f->trend == PD_TREND_NEW || f->trend == PD_TREND_GONE; }
static int S_shifted(const pd_funcstats *f) { return fabs(f->share_shift) >= 1; }

typedef struct {
  const pd_series *s;
  int kind;
} S_order;

static int S_cmp(const void *ctx, uint32_t a, uint32_t b) {
  const S_order *o = ctx;
  const pd_funcstats *x = &o->s->fs[a], *y = &o->s->fs[b];
  double vx, vy;
  switch (o->kind) {
  case 0: vx = x->delta, vy = y->delta; break;                 /* growers: largest first */
  case 1: vx = -x->delta, vy = -y->delta; break;               /* shrinkers */
  case 2: vx = fabs(x->delta), vy = fabs(y->delta); break;     /* new and gone */
  default: vx = fabs(x->share_shift), vy = fabs(y->share_shift); /* shifts */
  }
  if (vx != vy) return vx > vy ? -1 : 1;
  return pd_intern_cmp(&o->s->keys, x->key, y->key);
}

static void S_table(S_md *m, pd_buf *b, const char *title, S_pick pick, int kind,
                    const uint32_t *index_of) {
  const pd_series *s = m->s;
  uint32_t *rows = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *rows), n = 0;
  for (uint32_t i = 0; i < s->nfs; i++)
    if (pick(&s->fs[i])) rows[n++] = i;
  pd_buf_printf(b, "\n### %s\n\n", title);
  if (n == 0) {
    pd_buf_puts(b, "None beyond the sampling noise.\n");
    free(rows);
    return;
  }
  S_order order = {s, kind};
  pd_sort_u32(rows, n, S_cmp, &order);
  pd_buf_puts(b, S_header);
  uint32_t shown = n < m->rows ? n : m->rows;
  for (uint32_t i = 0; i < shown; i++) S_row(m, b, &s->fs[rows[i]], index_of[rows[i]]);
  if (shown < n) {
    pd_buf_printf(b, "\n%u more not shown (`--max-rows`; all are in report.json).\n", n - shown);
    m->cut += n - shown;
  }
  free(rows);
}

static void S_duration(double hours, pd_buf *b) {
  if (hours < 2.0 / 60) pd_buf_printf(b, "%.0f s", hours * 3600);
  else if (hours < 2) pd_buf_printf(b, "%.0f min", hours * 60);
  else if (hours < 48) pd_buf_printf(b, "%.1f h", hours);
  else pd_buf_printf(b, "%.1f days", hours / 24);
}

static const char *S_rule_words(pd_order_rule r) {
  switch (r) {
  case PD_ORDER_TIME_NANOS: return "ordered by the profiles' own times";
  case PD_ORDER_FILE_NAME: return "ordered by the times in their file names";
  case PD_ORDER_MTIME: return "ordered by file modification times";
  default: return "in the order given (no times)";
  }
}

static void S_verdict(S_md *m, pd_buf *b) {
  const pd_series *s = m->s;
  const pd_funcstats *t = &s->total_stats;
  char a[64];
  pd_buf_printf(b, "**%u snapshots", s->npos);
  if (s->has_times) {
    pd_buf_puts(b, " over ");
    S_duration(s->t[s->npos - 1], b);
  }
  pd_buf_printf(b, "** (%s", S_rule_words(s->rule));
  if (s->has_base) {
    pd_buf_puts(b, "; compared with the base ");
    const char *path = s->snap[s->n].path;
    pd_esc_md_text(b, pd_basename(path), strlen(pd_basename(path)));
  }
  pd_buf_puts(b, "). ");
  if (s->compared) { /* time windows: which ones */
    pd_esc_md_text(b, s->compared, strlen(s->compared));
    pd_buf_puts(b, " ");
  }
  const char *type = s->snap[s->order[0]].sample_type;
  pd_esc_md_text(b, type, strlen(type));
  pd_buf_puts(b, " total **");
  S_val(m, b, t->first, 0);
  pd_buf_puts(b, " \xe2\x86\x92 ");
  S_val(m, b, t->last, 0);
  pd_buf_puts(b, "** (");
  S_val(m, b, t->delta, 1);
  if (!isnan(t->delta_pct)) pd_buf_printf(b, ", %+.1f%%", t->delta_pct);
  pd_buf_puts(b, t->significant ? ")" : ", within sampling noise)");
  if (s->nsegs > 1) pd_buf_printf(b, ", with %u resets (the total dropped sharply)", s->nsegs - 1);
  pd_buf_puts(b, ". ");
  if (s->nsuspects) {
    const pd_funcstats *f = &s->fs[s->suspects[0]];
    pd_buf_puts(b, "Top suspect: ");
    S_name(m, b, f->key, 0);
    pd_buf_puts(b, ", which ");
    pd_esc_md_text(b, f->reason, strlen(f->reason));
    pd_buf_puts(b, ".");
    if (s->nsuspects > 1 && s->npos > 2)
      pd_buf_printf(b, " %u other function%s grow%s steadily.", s->nsuspects - 1, s->nsuspects == 2 ? "" : "s",
                    s->nsuspects == 2 ? "s" : "");
    else if (s->nsuspects > 1) /* a pair: a change, not a trend */
      pd_buf_printf(b, " %u other function%s grew beyond the sampling noise.", s->nsuspects - 1,
                    s->nsuspects == 2 ? "" : "s");
  } else if (s->npos > 2) {
    pd_buf_puts(b, "No function grows steadily beyond the sampling noise.");
  } else {
    pd_buf_puts(b, "No function grew beyond the sampling noise.");
  }
  if (m->o->ngates) {
    uint32_t failed = 0;
    for (size_t i = 0; i < m->o->ngates; i++) failed += m->o->gates[i].failed != 0;
    if (failed) pd_buf_printf(b, " **Gates: %u of %zu failed**:", failed, m->o->ngates);
    else pd_buf_printf(b, " Gates: all %zu passed.", m->o->ngates);
    for (size_t i = 0, k = 0; i < m->o->ngates && failed; i++) {
      const pd_gate *g = &m->o->gates[i];
      if (!g->failed) continue;
      pd_buf_puts(b, k++ ? "; " : " ");
      pd_esc_md_code(b, g->expr, strlen(g->expr), 0);
      pd_buf_puts(b, " (");
      pd_esc_md_text(b, g->detail, strlen(g->detail));
      pd_buf_puts(b, ")");
    }
    if (failed) pd_buf_puts(b, ".");
  }
  if (m->o->memory) {
    pd_buf_puts(b, " ");
    pd_esc_md_text(b, m->o->memory->sentence, strlen(m->o->memory->sentence));
  }
  pd_buf_putc(b, '\n');
  (void)a;
}

/* --group-by: a section per value of the label, each with its own
 * verdict and growers (no graphs or sparkline files: the words and the
 * figures, which report.json has in full). */
static void S_groups(S_md *m, pd_buf *b) {
  const pd_report_config *o = m->o;
  if (!o->group_key || !o->ngroups) return;
  pd_buf_puts(b, "\n### By ");
  pd_esc_md_text(b, o->group_key, strlen(o->group_key));
  pd_buf_puts(b, "\n");
  pd_report_config go = *o;
  go.ngates = 0;
  go.memory = NULL;
  go.memory_tl = NULL;
  for (uint32_t g = 0; g < o->ngroups; g++) {
    const pd_series *s = o->groups[g].series;
    S_md gm = {s, &go, NULL, s->snap[s->order[0]].unit, m->rows < 5 ? m->rows : 5, 0};
    pd_buf_puts(b, "\n#### ");
    pd_esc_md_code(b, o->group_key, strlen(o->group_key), 0);
    pd_buf_puts(b, " = ");
    pd_esc_md_code(b, o->groups[g].value, strlen(o->groups[g].value), 0);
    pd_buf_puts(b, "\n\n");
    S_verdict(&gm, b);
    uint32_t *order = pd_report_function_order(s);
    uint32_t *index_of = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *index_of);
    for (uint32_t i = 0; i < s->nfs; i++) index_of[order[i]] = i;
    free(order);
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nfs; i++) n += S_grower(&s->fs[i]);
    if (n) {
      pd_buf_puts(b, "\n");
      pd_buf_puts(b, S_header);
      uint32_t *rows = pd_xmalloc(n * sizeof *rows), k = 0;
      for (uint32_t i = 0; i < s->nfs; i++)
        if (S_grower(&s->fs[i])) rows[k++] = i;
      S_order ord = {s, 0};
      pd_sort_u32(rows, n, S_cmp, &ord);
      uint32_t shown = n < gm.rows ? n : gm.rows;
      for (uint32_t i = 0; i < shown; i++) S_row(&gm, b, &s->fs[rows[i]], index_of[rows[i]]);
      if (shown < n) pd_buf_printf(b, "\n%u more growers (all are in report.json).\n", n - shown);
      free(rows);
    }
    free(index_of);
  }
}

static void S_document(S_md *m, pd_buf *b, const uint32_t *index_of) {
  const pd_series *s = m->s;
  const pd_report_config *o = m->o;
  const pd_report_parts *p = m->p;
  pd_buf_puts(b, "# ");
  const char *title = o->title ? o->title : "profdiff report";
  pd_esc_md_text(b, title, strlen(title));
  pd_buf_puts(b, "\n\n");
  if (o->notes) pd_md_blockquote(b, o->notes, strlen(o->notes)); /* contained: escape.h */
  S_verdict(m, b);
  if (s->nsuspects) {
    /* with two snapshots there is no trend, only a change: say so */
    pd_buf_puts(b, s->npos > 2 ? "\n### Leak suspects\n\n" : "\n### Largest significant growth\n\n");
    uint32_t shown = s->nsuspects < m->rows ? s->nsuspects : m->rows;
    for (uint32_t i = 0; i < shown; i++) {
      const pd_funcstats *f = &s->fs[s->suspects[i]];
      pd_buf_printf(b, "%u. ", i + 1);
      S_name(m, b, f->key, 0);
      pd_buf_puts(b, ": ");
      pd_esc_md_text(b, f->reason, strlen(f->reason));
      pd_buf_putc(b, '\n');
    }
    if (shown < s->nsuspects) {
      pd_buf_printf(b, "\n%u more not shown.\n", s->nsuspects - shown);
      m->cut += s->nsuspects - shown;
    }
    pd_report_suspect_lines_md(b, o->suspect_lines, s);
  }
  S_table(m, b, "Top growers", S_grower, 0, index_of);
  S_table(m, b, "Top shrinkers", S_shrinker, 1, index_of);
  S_table(m, b, "New and gone", S_newgone, 2, index_of);
  S_table(m, b, "Largest share shifts", S_shifted, 3, index_of);
  S_groups(m, b);
  /* plateaus that lost share are the figure people misread: list them */
  int plateau_header = 0;
  for (uint32_t i = 0; i < s->nfs; i++) {
    const pd_funcstats *f = &s->fs[i];
    if (f->trend != PD_TREND_PLATEAU || !f->significant) continue;
    if (!plateau_header++) pd_buf_puts(b, "\n### Grew, then stopped\n\n");
    pd_buf_puts(b, "- ");
    S_name(m, b, f->key, 0);
    pd_buf_puts(b, ": ");
    pd_esc_md_text(b, f->reason, strlen(f->reason));
    pd_buf_putc(b, '\n');
  }
  if (p && p->nlinks) {
    pd_buf_puts(b, "\n### Graphs\n\n");
    for (size_t i = 0; i < p->nlinks; i++) {
      pd_buf_puts(b, "- [");
      pd_esc_md_text(b, p->links[i].label, strlen(p->links[i].label));
      pd_buf_printf(b, "](%s)\n", p->links[i].href); /* hrefs are our own file names */
    }
  }
  pd_buf_puts(b, "\n### Method\n\nValues are ");
  const char *type = s->snap[s->order[0]].sample_type;
  pd_esc_md_text(b, type, strlen(type));
  pd_buf_printf(b,
                " per function (flat: where it was allocated; cum: including callees), "
                "aligned by symbol across snapshots. A change counts only beyond %g standard deviations "
                "of the profiler's sampling noise and above 0.01%% of the total. ",
                s->opts.noise_z);
  if (s->npos > 2)
    pd_buf_printf(b,
                  "A trend is a Mann-Kendall test at %g%% corrected for autocorrelation (Hamed-Rao), "
                  "changing the function by at least %g%% of its size and %g%% of the total; rates are "
                  "least-squares slopes since the trend began%s. ",
                  s->opts.alpha * 100, s->opts.floor_function * 100, s->opts.floor_total * 100,
                  s->nsegs > 1 ? ", judged on the last segment after a reset" : "");
  else
    pd_buf_puts(b, "Two snapshots are a change, not a trend: no slope or trend test. ");
  if (strstr(type, "space") || strstr(type, "objects"))
    pd_buf_puts(b, "A Go heap profile shows the heap as of the last garbage collection, not the process's RSS. ");
  pd_buf_puts(b, "Details: profdiff's docs/analysis.md; every figure is in report.json.\n");
  uint32_t nw = 0;
  for (uint32_t c = 0; c < s->ncols; c++) nw += s->snap[c].nwarnings;
  nw += s->nwarnings;
  if (nw) {
    pd_buf_puts(b, "\n### Warnings\n\n");
    for (uint32_t c = 0; c < s->ncols; c++)
      for (uint32_t i = 0; i < s->snap[c].nwarnings; i++) {
        pd_buf_puts(b, "- ");
        pd_esc_md_text(b, s->snap[c].warnings[i], strlen(s->snap[c].warnings[i]));
        pd_buf_putc(b, '\n');
      }
    for (uint32_t i = 0; i < s->nwarnings; i++) {
      pd_buf_puts(b, "- ");
      pd_esc_md_text(b, s->warnings[i], strlen(s->warnings[i]));
      pd_buf_putc(b, '\n');
    }
  }
}

void pd_report_markdown(pd_buf *out, const pd_series *s, const pd_report_config *o,
                        const pd_report_parts *p) {
  S_md m = {s, o, p, s->snap[s->order[0]].unit, o->max_rows ? o->max_rows : 20, 0};
  /* sparkline files are numbered by a function's place in report order */
  uint32_t *order = pd_report_function_order(s);
  uint32_t *index_of = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *index_of);
  for (uint32_t i = 0; i < s->nfs; i++) index_of[order[i]] = i;
  free(order);
  size_t start = out->len;
  for (;;) {
    m.cut = 0;
    pd_buf_truncate(out, start);
    if (p && p->sparkline_used) memset(p->sparkline_used, 0, s->nfs);
    S_document(&m, out, index_of);
    if (out->len - start < S_GITHUB_LIMIT - 200 || m.rows <= 1) break;
    m.rows = m.rows / 2; /* too long for a GitHub comment: fewer rows */
  }
  if (m.rows < (o->max_rows ? o->max_rows : 20))
    pd_buf_printf(out, "\n_Tables cut to %u rows to stay under GitHub's %d-character comment limit._\n",
                  m.rows, S_GITHUB_LIMIT);
  free(index_of);
}
