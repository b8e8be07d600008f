/* markdown.c: report.md, GitHub-flavoured Markdown written to be a
 * pull-request comment (also a job summary, a postmortem, a nightly
 * archive), and the Markdown report.html is rendered from.
 *
 * As a comment it is read in ten seconds: the first line is the verdict
 * (pass or fail, the total's change, the top suspect), then the first table,
 * at most six columns wide (a comment is ~780 px); the rest waits in
 * <details> blocks. It links only to what a reader can open: graphs and
 * sparklines as absolute URLs under --link-base, else no links at all (a
 * relative link is broken in a comment). --comment-id adds the hidden marker
 * a CI job finds its own comment by. For report.html (parts->html) it is
 * plain Markdown with ### sections and no raw HTML, as that page cuts it.
 *
 * Each function is listed once: a table leaves out the rows an earlier one
 * showed. A pair (two snapshots) has no slopes and no trend words. A GitHub
 * comment holds at most 65,536 characters, so the tables are cut (largest
 * rows kept) until the document fits, and the cut is said. Every name and
 * path goes through escape/escape.h: names as code spans (no name can add
 * markup, break a table row or end its span), other text escaped; the raw
 * HTML written here (<details>, <summary>, the marker) holds only our own
 * words and numbers.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"

#define S_GITHUB_LIMIT 65536
#define S_WARNINGS_MAX 20 /* warnings listed; the rest are in report.json */

typedef struct {
  const pd_series *s;
  const pd_report_config *o;
  const pd_report_parts *p; /* links and sparklines, or NULL */
  const char *unit;
  uint32_t rows;   /* rows per table in this attempt */
  uint32_t max_rows; /* --max-rows */
  uint32_t cut;    /* rows left out, over all tables */
  int comment;     /* report.md (not report.html's Markdown) */
  int pair;        /* two snapshots: a change, not a trend */
  int drop_notes;  /* the notes alone do not fit in a comment */
  int list_suspects; /* the suspects are listed with their reasons (a series) */
  uint8_t *shown;  /* per s->fs: in a table already */
  const uint32_t *index_of; /* s->fs index -> place in report order (sparkline files) */
} S_md;

static void S_val(S_md *m, pd_buf *b, pd_val v, int sign) {
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
  else if (fabs(v) >= 1000) pd_buf_printf(b, "%+.0f%%", v); /* a tenth of it says nothing */
  else pd_buf_printf(b, "%+.1f%%", v);
}

/* A function name as a code span, cut before escaping at max characters
 * (generated C++ and Rust symbols reach thousands) with ".." after the span:
 * report.json keeps them whole. */
static void S_name_max(S_md *m, pd_buf *b, uint32_t key, int in_table, size_t max) {
  const char *name = pd_intern_str(&m->s->keys, key);
  size_t len = pd_key_len(&m->s->keys, key), cut = pd_utf8_prefix(name, len, max);
  pd_esc_md_code(b, name, cut, in_table);
  if (cut < len) pd_buf_puts(b, "..");
}

static void S_name(S_md *m, pd_buf *b, uint32_t key, int in_table) { S_name_max(m, b, key, in_table, 200); }

/* A name in a comment's table, where a code span does not wrap: longer
 * than S_SHORT characters, it loses its package path as pprof's graphs
 * shorten names (github.com/x/y/symdb.(*W).f -> symdb.(*W).f; the path ends
 * at the last '/' before the first '(', '[', '<' or space), then is cut. */
#define S_SHORT 40
static void S_name_table(S_md *m, pd_buf *b, uint32_t key) {
  const char *name = pd_intern_str(&m->s->keys, key);
  size_t len = pd_key_len(&m->s->keys, key);
  if (!m->comment || pd_utf8_width(name, len) <= S_SHORT) {
    S_name(m, b, key, 1);
    return;
  }
  size_t end = 0, from = 0;
  while (end < len && !strchr("([< ", name[end])) end++;
  for (size_t i = 0; i < end; i++)
    if (name[i] == '/') from = i + 1;
  size_t cut = pd_utf8_prefix(name + from, len - from, S_SHORT);
  pd_esc_md_code(b, name + from, cut, 1);
  if (from + cut < len) pd_buf_puts(b, "..");
}

/* Text from an input or a flag, escaped; S_code the same as a code span,
 * cut at 200 characters (a label value may be megabytes long). */
static void S_text(pd_buf *b, const char *s) { pd_esc_md_text(b, s, strlen(s)); }

static void S_code(pd_buf *b, const char *s) {
  size_t len = strlen(s), cut = pd_utf8_prefix(s, len, 200);
  pd_esc_md_code(b, s, cut, 0);
  if (cut < len) pd_buf_puts(b, "..");
}

void pd_report_sparkline_text(pd_buf *b, const pd_series *s, uint32_t key, uint32_t max_bars) {
  static const char *bars[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
                               "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
  double lo = INFINITY, hi = -INFINITY;
  /* long series: at most max_bars (24) bars, each the mean of its stretch */
  if (max_bars == 0 || max_bars > 24) max_bars = 24;
  uint32_t n = s->npos, bars_n = n < max_bars ? n : max_bars;
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

/* A function's current rate: per hour with times, else per snapshot. */
static void S_rate(S_md *m, pd_buf *b, const pd_funcstats *f) {
  if (m->pair || isnan(f->rate)) {
    pd_buf_puts(b, "\xe2\x80\x94");
    return;
  }
  S_val(m, b, f->rate, 1);
  pd_buf_puts(b, m->s->has_times ? "/h" : "/snap");
}

/* --link-base URL/path: an absolute link into the published report. */
static void S_href(S_md *m, pd_buf *b, const char *path) {
  const char *base = m->o->link_base;
  size_t n = strlen(base);
  while (n && base[n - 1] == '/') n--;
  pd_esc_md_url(b, base, n);
  pd_buf_putc(b, '/');
  pd_buf_puts(b, path); /* our own file names */
}

/* The text sparkline, linked to its SVG where a reader can open it: under
 * --link-base in report.md; beside report.html, which draws it inline. */
static void S_sparkline(S_md *m, pd_buf *b, const pd_funcstats *f) {
  const pd_report_parts *p = m->p;
  uint32_t index = m->index_of[f - m->s->fs];
  int link = p && p->sparkline_dir && (m->comment ? m->o->link_base != NULL : 1);
  /* a comment's table is 780 px wide: 12 bars */
  uint32_t bars = m->comment ? 12 : 24;
  if (!link) {
    pd_report_sparkline_text(b, m->s, f->key, bars);
    return;
  }
  char path[64];
  snprintf(path, sizeof path, "%s/f%05u.svg", p->sparkline_dir, index);
  pd_buf_puts(b, "[");
  pd_report_sparkline_text(b, m->s, f->key, bars);
  pd_buf_puts(b, "](");
  if (m->comment) S_href(m, b, path);
  else pd_buf_puts(b, path);
  pd_buf_puts(b, ")");
  /* the files report.md links to are written (report.html inlines its own) */
  if (m->comment && p->sparkline_used) p->sparkline_used[index] = 1;
}

/* Six columns at most. A pair: before, after, the change and the share's
 * shift. A series: first, last, the change, the current rate and the trend
 * with its sparkline. */
static void S_header(S_md *m, pd_buf *b) {
  if (m->pair)
    pd_buf_puts(b, "| Function | Before | After | \xce\x94 | \xce\x94 % | Share shift (pts) |\n"
                   "| --- | ---: | ---: | ---: | ---: | ---: |\n");
  else
    pd_buf_puts(b, "| Function | First | Last | \xce\x94 | Rate | Trend |\n"
                   "| --- | ---: | ---: | ---: | ---: | --- |\n");
}

static void S_row(S_md *m, pd_buf *b, const pd_funcstats *f) {
  pd_buf_puts(b, "| ");
  S_name_table(m, b, f->key);
  pd_buf_puts(b, " | ");
  S_val(m, b, f->first, 0);
  pd_buf_puts(b, " | ");
  S_val(m, b, f->last, 0);
  pd_buf_puts(b, " | ");
  S_val(m, b, f->delta, 1);
  if (m->pair) {
    pd_buf_puts(b, " | ");
    S_pct(b, f->delta_pct);
    pd_buf_printf(b, " | %+.1f |\n", f->share_shift);
    return;
  }
  pd_buf_puts(b, " (");
  S_pct(b, f->delta_pct);
  pd_buf_puts(b, ") | ");
  S_rate(m, b, f);
  pd_buf_printf(b, " | %s ", pd_trend_name(f->trend));
  S_sparkline(m, b, f);
  pd_buf_puts(b, " |\n");
}

/* A section: a ### heading for report.html, a closed <details> block in a
 * comment. The summary is our own words and a count, never input text (raw
 * HTML is not escaped by Markdown). */
static void S_open(S_md *m, pd_buf *b, const char *title, uint32_t n) {
  if (!m->comment) {
    pd_buf_printf(b, "\n### %s\n\n", title);
    return;
  }
  pd_buf_printf(b, "\n<details><summary>%s", title);
  if (n) pd_buf_printf(b, " (%u)", n);
  pd_buf_puts(b, "</summary>\n\n");
}

static void S_close(S_md *m, pd_buf *b) {
  if (m->comment) pd_buf_puts(b, "\n</details>\n");
}

typedef int (*S_pick)(const pd_funcstats *f);
/* a change beyond the noise of its two ends, or a trend (a pair's trend is
 * its change): a sparse late leak, five sampled objects where the Wald band
 * of its last value is 6.7, grows by its own test and was a suspect above a
 * table of growers that said "None beyond the sampling noise" */
static int S_grower(const pd_funcstats *f) {
  return (f->significant && f->delta > 0) || f->trend == PD_TREND_GROWING;
}
static int S_shrinker(const pd_funcstats *f) {
  return (f->significant && f->delta < 0) || f->trend == PD_TREND_SHRINKING;
}
static int S_newgone(const pd_funcstats *f) {
  return f->significant && (f->trend == PD_TREND_NEW || f->trend == PD_TREND_GONE);
}
/* a share that moved with a change beyond the noise: the share of a
 * function whose value held moves only because the rest changed */
static int S_shifted(const pd_funcstats *f) { return f->significant && fabs(f->share_shift) >= 1; }

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
  case 2: vx = fabsl(x->delta), vy = fabsl(y->delta); break;     /* new and gone */
  default: vx = fabs(x->share_shift), vy = fabs(y->share_shift); /* shifts */
  }
  if (vx != vy) return vx > vy ? -1 : 1;
  return pd_intern_cmp(&o->s->keys, x->key, y->key);
}

enum {
  S_FIRST = 1,   /* the first table: open in a comment, said when empty */
  S_ALWAYS = 2,  /* said when empty ("None beyond the sampling noise") */
};

/* The functions pick() chooses that no earlier table showed, largest
 * first, at most m->rows of them (which are then marked shown). */
static void S_table(S_md *m, pd_buf *b, const char *title, S_pick pick, int kind, int flags) {
  const pd_series *s = m->s;
  uint32_t *rows = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *rows), n = 0;
  for (uint32_t i = 0; i < s->nfs; i++)
    if (!m->shown[i] && pick(&s->fs[i])) rows[n++] = i;
  if (n == 0 && !(flags & (S_FIRST | S_ALWAYS))) {
    free(rows);
    return;
  }
  if (flags & S_FIRST && m->comment) pd_buf_printf(b, "\n#### %s\n\n", title);
  else S_open(m, b, title, n);
  if (n == 0) {
    pd_buf_puts(b, "None beyond the sampling noise.\n");
  } else {
    S_order order = {s, kind};
    pd_sort_u32(rows, n, S_cmp, &order);
    S_header(m, b);
    uint32_t shown = n < m->rows ? n : m->rows;
    for (uint32_t i = 0; i < shown; i++) {
      S_row(m, b, &s->fs[rows[i]]);
      m->shown[rows[i]] = 1;
    }
    if (shown < n) {
      pd_buf_printf(b, "\n%u more not shown (`--max-rows`; all are in report.json).\n", n - shown);
      m->cut += n - shown;
    }
  }
  if (!(flags & S_FIRST && m->comment)) S_close(m, b);
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
  default: return "in the order given, without times";
  }
}

static uint32_t S_failed(const pd_report_config *o) {
  uint32_t failed = 0;
  for (size_t i = 0; i < o->ngates; i++) failed += o->gates[i].failed != 0;
  return failed;
}

/* The gates in words: "`expr` (detail)" for each failed one, or for each
 * passed one when none failed (with their details when details is set). */
static void S_gate_list(S_md *m, pd_buf *b, int failed) {
  for (size_t i = 0, k = 0; i < m->o->ngates; i++) {
    const pd_gate *g = &m->o->gates[i];
    if ((g->failed != 0) != (failed != 0)) continue;
    pd_buf_puts(b, k++ ? "; " : " ");
    pd_esc_md_code(b, g->expr, strlen(g->expr), 0);
    if (g->detail[0]) {
      pd_buf_puts(b, " (");
      S_text(b, g->detail);
      pd_buf_puts(b, ")");
    }
  }
}

/* The paragraph under the first line: what was compared and what changed. */
static void S_verdict(S_md *m, pd_buf *b) {
  const pd_series *s = m->s;
  const pd_funcstats *t = &s->total_stats;
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
    S_text(b, s->compared);
    pd_buf_puts(b, " ");
  }
  S_text(b, s->snap[s->order[0]].sample_type);
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
  if (s->nsuspects && m->list_suspects) {
    /* the list below gives each one's reason */
    pd_buf_printf(b, "%u leak suspect%s: ", s->nsuspects, s->nsuspects == 1 ? "" : "s");
    S_name(m, b, s->fs[s->suspects[0]].key, 0);
    if (s->nsuspects > 1) pd_buf_printf(b, " and %u more", s->nsuspects - 1);
    pd_buf_puts(b, ", below.");
  } else if (s->nsuspects) {
    const pd_funcstats *f = &s->fs[s->suspects[0]];
    pd_buf_puts(b, "Top suspect: ");
    S_name(m, b, f->key, 0);
    pd_buf_puts(b, ", which ");
    S_text(b, f->reason);
    pd_buf_puts(b, ".");
    if (s->nsuspects > 1 && !m->pair)
      pd_buf_printf(b, " %u other function%s grow%s steadily.", s->nsuspects - 1, s->nsuspects == 2 ? "" : "s",
                    s->nsuspects == 2 ? "s" : "");
    else if (s->nsuspects > 1) /* a pair: a change, not a trend */
      pd_buf_printf(b, " %u other function%s grew beyond the sampling noise.", s->nsuspects - 1,
                    s->nsuspects == 2 ? "" : "s");
  } else if (!m->pair) {
    pd_buf_puts(b, "No function grows steadily beyond the sampling noise.");
  } else {
    /* no suspect, but new functions and growth too small to rank still
     * grew beyond the noise: the table below lists them */
    uint32_t grew = 0, top = 0;
    for (uint32_t i = 0; i < s->nfs; i++)
      if (S_grower(&s->fs[i]) && (!grew++ || s->fs[i].delta > s->fs[top].delta)) top = i;
    if (!grew) {
      pd_buf_puts(b, "No function grew beyond the sampling noise.");
    } else {
      pd_buf_printf(b, "No suspect; %u function%s grew beyond the sampling noise, most ", grew, grew == 1 ? "" : "s");
      S_name(m, b, s->fs[top].key, 0);
      pd_buf_puts(b, " (");
      S_val(m, b, s->fs[top].delta, 1);
      pd_buf_puts(b, ").");
    }
  }
  /* no gates here: a comment says them on its first lines (S_status),
   * report.html in its badge, right above this line (it said them twice) */
  if (m->o->memory) {
    pd_buf_puts(b, " ");
    S_text(b, m->o->memory->sentence);
  }
  pd_buf_putc(b, '\n');
}

/* A comment's first line: pass or fail (the gates; without gates, whether
 * anything grew), the total's change and the top suspect. "Grew" is said of
 * the total only when it grew beyond the noise, since the total's change
 * follows it: with a suspect while the total fell (a leak inside a heap
 * whose churn went down), "Grew · inuse_space -7.59MB" contradicted its own
 * figure, and the line names the suspect instead. */
static void S_status(S_md *m, pd_buf *b) {
  const pd_series *s = m->s;
  const pd_funcstats *t = &s->total_stats;
  uint32_t failed = S_failed(m->o);
  int by_suspect = 0; /* the line's verdict is the suspect's, named at its end */
  if (m->o->ngates)
    pd_buf_puts(b, failed ? "### \xe2\x9d\x8c FAIL" : "### \xe2\x9c\x85 PASS");
  else if (t->significant && t->delta > 0)
    pd_buf_puts(b, "### \xf0\x9f\x94\xba Grew");
  else if (s->nsuspects)
    pd_buf_puts(b, m->pair ? "### \xf0\x9f\x94\xba A function grew" : "### \xf0\x9f\x94\xba Leak suspect"), by_suspect = 1;
  else
    pd_buf_puts(b, "### \xe2\x9c\x85 No growth beyond the noise");
  pd_buf_puts(b, " \xc2\xb7 ");
  S_text(b, s->snap[s->order[0]].sample_type);
  pd_buf_puts(b, " ");
  S_val(m, b, t->delta, 1);
  pd_buf_puts(b, " (");
  if (!isnan(t->delta_pct)) S_pct(b, t->delta_pct);
  else pd_buf_puts(b, "from 0");
  if (!t->significant) pd_buf_puts(b, ", within noise");
  pd_buf_puts(b, ")");
  if (s->nsuspects) {
    const pd_funcstats *f = &s->fs[s->suspects[0]];
    pd_buf_puts(b, by_suspect ? " \xc2\xb7 " : m->pair ? " \xc2\xb7 top suspect " : " \xc2\xb7 leak suspect ");
    S_name_max(m, b, f->key, 0, 80);
    pd_buf_puts(b, " ");
    if (m->pair || isnan(f->rate)) S_val(m, b, f->delta, 1);
    else S_rate(m, b, f);
  }
  pd_buf_puts(b, "\n\n");
  /* then the title and the gates, each failed one with its reason */
  int title = m->o->title != NULL;
  if (title) {
    pd_buf_puts(b, "**");
    S_text(b, m->o->title);
    pd_buf_puts(b, "**");
  }
  if (m->o->ngates) {
    if (title) pd_buf_puts(b, " \xc2\xb7 ");
    if (failed) pd_buf_printf(b, "%u of %zu gate%s failed:", failed, m->o->ngates, m->o->ngates == 1 ? "" : "s");
    else pd_buf_printf(b, "%s%zu gate%s passed:", m->o->ngates == 1 ? "the " : "all ", m->o->ngates,
                       m->o->ngates == 1 ? "" : "s");
    S_gate_list(m, b, failed != 0);
    pd_buf_puts(b, ".");
  }
  if (title || m->o->ngates) pd_buf_puts(b, "\n\n");
}

/* --group-by: a section per value of the label, each with its own
 * verdict and growers (no graphs or sparkline files: the words and the
 * figures, which report.json has in full). */
static void S_groups(S_md *m, pd_buf *b) {
  const pd_report_config *o = m->o;
  if (!o->group_key || !o->ngroups) return;
  if (m->comment) S_open(m, b, "By label", o->ngroups);
  pd_buf_puts(b, "\n### By ");
  size_t keylen = strlen(o->group_key);
  pd_esc_md_text(b, o->group_key, pd_utf8_prefix(o->group_key, keylen, 200));
  pd_buf_puts(b, "\n");
  pd_report_config go = *o;
  go.ngates = 0;
  go.memory = NULL;
  go.memory_tl = NULL;
  for (uint32_t g = 0; g < o->ngroups; g++) {
    const pd_series *s = o->groups[g].series;
    uint8_t *shown = pd_xcalloc(s->nfs ? s->nfs : 1, 1);
    S_md gm = *m;
    gm.s = s;
    gm.o = &go;
    gm.p = NULL;
    gm.unit = s->snap[s->order[0]].unit;
    gm.rows = m->rows < 5 ? m->rows : 5;
    gm.pair = s->npos <= 2;
    gm.list_suspects = 0;
    gm.shown = shown;
    pd_buf_puts(b, "\n#### ");
    S_code(b, o->group_key);
    pd_buf_puts(b, " = ");
    S_code(b, o->groups[g].value);
    pd_buf_puts(b, "\n\n");
    S_verdict(&gm, b);
    uint32_t *rows = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *rows), n = 0;
    for (uint32_t i = 0; i < s->nfs; i++)
      if (S_grower(&s->fs[i])) rows[n++] = i;
    if (n) {
      pd_buf_puts(b, "\n");
      S_header(&gm, b);
      S_order ord = {s, 0};
      pd_sort_u32(rows, n, S_cmp, &ord);
      uint32_t shown_n = n < gm.rows ? n : gm.rows;
      for (uint32_t i = 0; i < shown_n; i++) S_row(&gm, b, &s->fs[rows[i]]);
      if (shown_n < n) pd_buf_printf(b, "\n%u more growers (all are in report.json).\n", n - shown_n);
    }
    free(rows);
    free(shown);
  }
  if (m->comment) S_close(m, b);
}

/* Where the graphs are. In a comment: absolute links under --link-base,
 * else their names (a relative link is broken there); for report.html the
 * links beside it. */
static void S_files(S_md *m, pd_buf *b) {
  const pd_report_parts *p = m->p;
  size_t nlinks = p ? p->nlinks : 0;
  int html = (m->o->formats & PD_REPORT_HTML) != 0;
  if (!m->comment) {
    if (!nlinks) return;
    pd_buf_puts(b, "\n### Graphs\n\n");
    for (size_t i = 0; i < nlinks; i++) {
      pd_buf_puts(b, "- [");
      S_text(b, p->links[i].label);
      pd_buf_printf(b, "](%s)\n", p->links[i].href); /* hrefs are our own file names */
    }
    return;
  }
  if (!nlinks && !html) return;
  if (m->o->link_base) {
    pd_buf_puts(b, "\n**Graphs:**");
    for (size_t i = 0; i < nlinks; i++) {
      pd_buf_puts(b, i ? " \xc2\xb7 [" : " [");
      S_text(b, p->links[i].label);
      pd_buf_puts(b, "](");
      S_href(m, b, p->links[i].href);
      pd_buf_puts(b, ")");
    }
    if (html) {
      pd_buf_puts(b, nlinks ? " \xc2\xb7 [the whole report](" : " [the whole report](");
      S_href(m, b, "report.html");
      pd_buf_puts(b, ")");
    }
    pd_buf_puts(b, "\n");
    return;
  }
  pd_buf_puts(b, "\n");
  if (nlinks) {
    pd_buf_puts(b, "The graphs (");
    for (size_t i = 0; i < nlinks; i++) pd_buf_printf(b, "%s`%s`", i ? ", " : "", p->links[i].href);
    pd_buf_puts(b, html ? ") and the whole report (`report.html`) are" : ") are");
  } else {
    pd_buf_puts(b, "The whole report (`report.html`, with the graphs) is");
  }
  pd_buf_puts(b, " in the report directory.\n");
}

static void S_method(S_md *m, pd_buf *b) {
  const pd_series *s = m->s;
  S_open(m, b, "Method", 0);
  pd_buf_puts(b, "Values are ");
  const char *type = s->snap[s->order[0]].sample_type;
  S_text(b, type);
  pd_buf_printf(b,
                " per function (flat: in the function itself; cum: including its callees), "
                "aligned by symbol across snapshots. A change counts only beyond %g standard deviations "
                "of the profiler's sampling noise and above 0.01%% of the total. ",
                s->opts.noise_z);
  if (!m->pair) {
    pd_buf_printf(b,
                  "A trend is a Mann-Kendall test at %g%% corrected for autocorrelation (Hamed-Rao), "
                  "changing the function by at least %g%% of its size and %g%% of the total; rates are "
                  "least-squares slopes since the trend began (end to end where sampled object counts decide)%s. ",
                  s->opts.alpha * 100, s->opts.floor_function * 100, s->opts.floor_total * 100,
                  s->nsegs > 1 ? ", judged on the last segment after a reset" : "");
    if (s->alloc_ok)
      pd_buf_puts(b, "Which sampled objects stayed and which were replaced is read from the profiles' "
                     "cumulative allocations, and a function that also churns is judged as well on its "
                     "records that never freed a sampled object. ");
  } else {
    pd_buf_puts(b, "Two snapshots are a change, not a trend: no slope or trend test. ");
  }
  if (strstr(type, "space") || strstr(type, "objects"))
    pd_buf_puts(b, "A Go heap profile shows the heap as of the last garbage collection, not the process's RSS. ");
  pd_buf_puts(b, "Details: profdiff's docs/analysis.md; every figure is in report.json.\n");
  S_close(m, b);
}

static void S_warning(pd_buf *b, const char *w, uint32_t *listed) {
  if ((*listed)++ >= S_WARNINGS_MAX) return;
  pd_buf_puts(b, "- ");
  S_text(b, w);
  pd_buf_putc(b, '\n');
}

static void S_warnings(S_md *m, pd_buf *b) {
  const pd_series *s = m->s;
  uint32_t nw = s->nwarnings, listed = 0;
  for (uint32_t c = 0; c < s->ncols; c++) nw += s->snap[c].nwarnings;
  if (!nw) return;
  S_open(m, b, "Warnings", nw);
  for (uint32_t c = 0; c < s->ncols; c++)
    for (uint32_t i = 0; i < s->snap[c].nwarnings; i++) S_warning(b, s->snap[c].warnings[i], &listed);
  for (uint32_t i = 0; i < s->nwarnings; i++) S_warning(b, s->warnings[i], &listed);
  if (nw > S_WARNINGS_MAX) pd_buf_printf(b, "\n%u more in report.json.\n", nw - S_WARNINGS_MAX);
  S_close(m, b);
}

/* The user's --notes, first in the report (or, when they alone would not
 * fit in a comment, a line saying where they are). */
static void S_notes(S_md *m, pd_buf *b) {
  const pd_report_config *o = m->o;
  if (o->notes && m->drop_notes) {
    pd_buf_printf(b, "_The notes (%zu bytes) do not fit in a comment: they are in report.html._\n\n", strlen(o->notes));
  } else if (o->notes) {
    pd_md_blockquote(b, o->notes, strlen(o->notes)); /* contained: escape.h */
  }
}

static void S_document(S_md *m, pd_buf *b) {
  const pd_series *s = m->s;
  const pd_report_config *o = m->o;
  memset(m->shown, 0, s->nfs ? s->nfs : 1);
  if (m->comment) {
    S_status(m, b);
  } else {
    pd_buf_puts(b, "# ");
    S_text(b, o->title ? o->title : "profdiff report");
    pd_buf_puts(b, "\n\n");
  }
  S_notes(m, b);
  S_verdict(m, b);
  /* a series' suspects with the test behind each; a pair's are the first
   * rows of the table below */
  if (m->list_suspects) {
    pd_buf_puts(b, m->comment ? "\n#### Leak suspects\n\n" : "\n### Leak suspects\n\n");
    uint32_t shown = s->nsuspects < m->rows ? s->nsuspects : m->rows;
    for (uint32_t i = 0; i < shown; i++) {
      const pd_funcstats *f = &s->fs[s->suspects[i]];
      pd_buf_printf(b, "%u. ", i + 1);
      S_name(m, b, f->key, 0);
      pd_buf_puts(b, ": ");
      S_text(b, f->reason);
      pd_buf_putc(b, '\n');
    }
    if (shown < s->nsuspects) {
      pd_buf_printf(b, "\n%u more not shown.\n", s->nsuspects - shown);
      m->cut += s->nsuspects - shown;
    }
  }
  if (s->nsuspects && !m->comment) pd_report_suspect_lines_md(b, o->suspect_lines, s);
  S_table(m, b, m->pair ? "Grew beyond the noise" : "Top growers", S_grower, 0, S_FIRST);
  if (m->comment) S_files(m, b);
  if (s->nsuspects && m->comment && o->suspect_lines && o->suspect_lines->nfns) {
    /* the suspects' source lines: folded, as everything after the first table */
    S_open(m, b, "Where the suspects grow", 0);
    pd_report_suspect_lines_md(b, o->suspect_lines, s);
    S_close(m, b);
  }
  S_table(m, b, m->pair ? "Shrank beyond the noise" : "Top shrinkers", S_shrinker, 1, m->comment ? 0 : S_ALWAYS);
  S_table(m, b, "New and gone", S_newgone, 2, 0);
  S_table(m, b, "Largest share shifts", S_shifted, 3, 0);
  /* plateaus that lost share are the figure people misread: list them */
  uint32_t nplateau = 0;
  for (uint32_t i = 0; i < s->nfs; i++) nplateau += s->fs[i].trend == PD_TREND_PLATEAU && s->fs[i].significant;
  if (nplateau) {
    S_open(m, b, "Grew, then stopped", nplateau);
    for (uint32_t i = 0, k = 0; i < s->nfs && k < m->rows; i++) {
      const pd_funcstats *f = &s->fs[i];
      if (f->trend != PD_TREND_PLATEAU || !f->significant) continue;
      k++;
      pd_buf_puts(b, "- ");
      S_name(m, b, f->key, 0);
      pd_buf_puts(b, ": ");
      S_text(b, f->reason);
      pd_buf_putc(b, '\n');
    }
    if (nplateau > m->rows) {
      pd_buf_printf(b, "\n%u more not shown.\n", nplateau - m->rows);
      m->cut += nplateau - m->rows;
    }
    S_close(m, b);
  }
  S_groups(m, b);
  if (!m->comment) S_files(m, b);
  S_method(m, b);
  S_warnings(m, b);
  if (m->rows < m->max_rows)
    pd_buf_printf(b, "\n_Tables cut to %u rows to stay under GitHub's %d-character comment limit._\n", m->rows,
                  S_GITHUB_LIMIT);
  if (m->comment && o->comment_id) pd_buf_printf(b, "\n<!-- profdiff:%s -->\n", o->comment_id);
}

int pd_report_comment_id_valid(const char *id) {
  size_t n = strlen(id);
  if (n == 0 || n > 100) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = id[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return 0;
  }
  return 1;
}

void pd_report_markdown(pd_buf *out, const pd_series *s, const pd_report_config *o,
                        const pd_report_parts *p) {
  uint32_t max_rows = o->max_rows ? o->max_rows : 20;
  S_md m;
  memset(&m, 0, sizeof m);
  m.s = s;
  m.o = o;
  m.p = p;
  m.unit = s->snap[s->order[0]].unit;
  m.rows = m.max_rows = max_rows;
  m.comment = !(p && p->html);
  m.pair = s->npos <= 2;
  m.list_suspects = s->nsuspects && !m.pair;
  m.shown = pd_xcalloc(s->nfs ? s->nfs : 1, 1);
  /* sparkline files are numbered by a function's place in report order */
  uint32_t *own = o->order ? NULL : pd_report_function_order(s);
  const uint32_t *order = o->order ? o->order : own;
  uint32_t *index_of = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *index_of);
  for (uint32_t i = 0; i < s->nfs; i++) index_of[order[i]] = i;
  free(own);
  m.index_of = index_of;
  size_t start = out->len;
  for (;;) {
    m.cut = 0;
    pd_buf_truncate(out, start);
    if (m.comment && p && p->sparkline_used) memset(p->sparkline_used, 0, s->nfs);
    S_document(&m, out);
    if (out->len - start < S_GITHUB_LIMIT - 200) break;
    if (m.rows > 1) {
      m.rows = m.rows / 2; /* too long for a GitHub comment: fewer rows */
    } else if (o->notes && !m.drop_notes) {
      m.drop_notes = 1; /* the notes alone are too long: report.html has them */
    } else {
      break; /* cannot happen: names are cut, warnings capped */
    }
  }
  free(index_of);
  free(m.shown);
}
