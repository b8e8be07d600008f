/* list.c: `profdiff list`, pprof's annotated source listing.
 *
 * For one snapshot the output is `go tool pprof -list`'s, byte for byte:
 * the functions in name order, each of its files in name order, and the
 * lines from the function's start line (else five before its first line
 * with a value) to five after its last, with flat and cum ('.' for none)
 * (internal/report/source.go printSource and getSourceFromFile). Over a
 * series each line shows its flat and cum in the first and the last
 * snapshot and their change. Where pprof stops at a source file it cannot
 * find, the lines with values are still listed, without their code.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"

typedef struct {
  uint32_t node;
  uint32_t file; /* the displayed file's id in S_ctx.files */
} S_item;

typedef struct {
  const pd_listing *l;
  pd_intern files;
  S_item *items;
} S_ctx;

static int S_cmp(const void *vctx, uint32_t a, uint32_t b) {
  const S_ctx *c = vctx;
  const S_item *x = &c->items[a], *y = &c->items[b];
  const pd_srcline *nx = &PD_VEC_AT(&c->l->nodes, pd_srcline, x->node);
  const pd_srcline *ny = &PD_VEC_AT(&c->l->nodes, pd_srcline, y->node);
  int r = pd_intern_cmp(&c->l->str, nx->name, ny->name);
  if (r) return r;
  if ((r = pd_intern_cmp(&c->files, x->file, y->file))) return r;
  return nx->line < ny->line ? -1 : nx->line > ny->line;
}

/* pprof's valueOrDot (mode & S_ZERO: its formatValue, "0" for none);
 * mode & S_SIGN: a change, "+" when up. */
enum { S_SIGN = 1, S_ZERO = 2 };
static const char *S_value(const pd_listing *l, pd_val v, int mode, char *buf, size_t n) {
  if (v == 0) return mode & S_ZERO ? "0" : ".";
  char tmp[64];
  pd_unit_label(v, l->unit, "auto", tmp, sizeof tmp);
  snprintf(buf, n, "%s%s", (mode & S_SIGN) && v > 0 ? "+" : "", tmp);
  return buf;
}

/* Source text for a terminal: valid UTF-8, control characters replaced,
 * but tabs kept as pprof prints them. */
static void S_code(pd_buf *out, const char *s, size_t n) {
  size_t a = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && s[i] != '\t') continue;
    pd_esc_text(out, s + a, i - a);
    if (i < n) pd_buf_putc(out, '\t');
    a = i + 1;
  }
}

/* The columns of one line or routine: flat and cum of one snapshot, or of
 * the first, the last and their change. */
static void S_columns(pd_buf *out, const pd_listing *l, int series, const pd_val *flat,
                      const pd_val *cum, int dot) {
  char a[64], b[64];
  if (!dot) { /* a routine's sums: pprof's formatValue, "0" not "." */
    int z = S_ZERO;
    if (!series) {
      pd_buf_printf(out, "%10s %10s ", S_value(l, flat[1], z, a, sizeof a), S_value(l, cum[1], z, b, sizeof b));
      return;
    }
    pd_buf_printf(out, "%10s %10s ", S_value(l, flat[0], z, a, sizeof a), S_value(l, cum[0], z, b, sizeof b));
    pd_buf_printf(out, "%10s %10s ", S_value(l, flat[1], z, a, sizeof a), S_value(l, cum[1], z, b, sizeof b));
    pd_buf_printf(out, "%10s %10s ", S_value(l, flat[1] - flat[0], z | S_SIGN, a, sizeof a),
                  S_value(l, cum[1] - cum[0], z | S_SIGN, b, sizeof b));
    return;
  }
  if (!series) {
    pd_buf_printf(out, "%10s %10s ", S_value(l, flat[1], 0, a, sizeof a), S_value(l, cum[1], 0, b, sizeof b));
    return;
  }
  pd_buf_printf(out, "%10s %10s ", S_value(l, flat[0], 0, a, sizeof a), S_value(l, cum[0], 0, b, sizeof b));
  pd_buf_printf(out, "%10s %10s ", S_value(l, flat[1], 0, a, sizeof a), S_value(l, cum[1], 0, b, sizeof b));
  pd_buf_printf(out, "%10s %10s ", S_value(l, flat[1] - flat[0], 1, a, sizeof a),
                S_value(l, cum[1] - cum[0], 1, b, sizeof b));
}

static void S_total_label(const pd_listing *l, pd_val v, char *buf, size_t n) {
  pd_unit_label(v, l->unit, "auto", buf, n);
}

static pd_val S_total(const pd_listing *l, uint32_t snap, int relative) {
  const pd_listing_snap *s = &PD_VEC_AT(&l->snaps, pd_listing_snap, snap);
  return relative ? s->total_kept : s->total_all;
}

/* One function in one file: items[from..to) sorted by line. */
static void S_routine(pd_buf *out, S_ctx *c, pd_source *src, const uint32_t *idx, uint32_t from,
                      uint32_t to, uint32_t first, uint32_t last, int series, int relative,
                      pd_buf *warnings) {
  const pd_listing *l = c->l;
  const pd_srcline *n0 = &PD_VEC_AT(&l->nodes, pd_srcline, c->items[idx[from]].node);
  const char *file = pd_intern_str(&c->files, c->items[idx[from]].file);
  pd_val flat[2] = {0, 0}, cum[2] = {0, 0};
  int64_t start = INT64_MAX, end = INT64_MIN;
  for (uint32_t i = from; i < to; i++) {
    uint32_t node = c->items[idx[i]].node;
    const pd_srcline *n = &PD_VEC_AT(&l->nodes, pd_srcline, node);
    flat[0] += pd_listing_flat(l, first, node);
    cum[0] += pd_listing_cum(l, first, node);
    flat[1] += pd_listing_flat(l, last, node);
    cum[1] += pd_listing_cum(l, last, node);
    /* getSourceFromFile: from the start line (else 5 before the line) to
     * 5 after the last line */
    int64_t s = n->start_line ? n->start_line : n->line - 5;
    if (s < start) start = s;
    if (n->line + 5 > end) end = n->line + 5;
  }
  if (start < 1) start = 1;
  char a[64];
  pd_buf_puts(out, "ROUTINE ======================== ");
  pd_esc_text(out, pd_intern_str(&l->str, n0->name), pd_intern_len(&l->str, n0->name));
  pd_buf_puts(out, " in ");
  pd_esc_text(out, file, strlen(file));
  pd_buf_putc(out, '\n');
  S_columns(out, l, series, flat, cum, 0);
  pd_buf_printf(out, "(flat, cum%s) %s of %sTotal\n", series ? ": first, last, change" : "",
                pd_percent(cum[1], S_total(l, last, relative), a, sizeof a), series ? "last " : "");

  const pd_source_file *sf = pd_source_get(src, file);
  uint32_t i = from;
  if (sf->data) {
    for (int64_t line = start; line <= end; line++) {
      const char *text;
      size_t len;
      if (!pd_source_line(sf, line, &text, &len)) break;
      pd_val f[2] = {0, 0}, k[2] = {0, 0};
      while (i < to && PD_VEC_AT(&l->nodes, pd_srcline, c->items[idx[i]].node).line < line) i++;
      for (; i < to; i++) {
        uint32_t node = c->items[idx[i]].node;
        if (PD_VEC_AT(&l->nodes, pd_srcline, node).line != line) break;
        f[0] += pd_listing_flat(l, first, node), k[0] += pd_listing_cum(l, first, node);
        f[1] += pd_listing_flat(l, last, node), k[1] += pd_listing_cum(l, last, node);
      }
      S_columns(out, l, series, f, k, 1);
      pd_buf_printf(out, "%6lld:", (long long)line);
      S_code(out, text, len);
      pd_buf_putc(out, '\n');
    }
    return;
  }
  /* no source: the lines that have a value, without code */
  pd_buf_printf(warnings, "%s: source file not found (looked for %s under %s and their parents; see --source-path, --trim-path): lines without code\n",
                file, sf->tried, src->search);
  while (i < to) {
    int64_t line = PD_VEC_AT(&l->nodes, pd_srcline, c->items[idx[i]].node).line;
    pd_val f[2] = {0, 0}, k[2] = {0, 0};
    for (; i < to; i++) {
      uint32_t node = c->items[idx[i]].node;
      if (PD_VEC_AT(&l->nodes, pd_srcline, node).line != line) break;
      f[0] += pd_listing_flat(l, first, node), k[0] += pd_listing_cum(l, first, node);
      f[1] += pd_listing_flat(l, last, node), k[1] += pd_listing_cum(l, last, node);
    }
    S_columns(out, l, series, f, k, 1);
    pd_buf_printf(out, "%6lld:\n", (long long)line);
  }
}

uint32_t pd_report_list_text(pd_buf *out, const pd_listing *l, pd_source *src, const uint32_t *order,
                             int relative, pd_buf *warnings) {
  uint32_t nsnap = (uint32_t)l->snaps.n;
  if (nsnap == 0) return 0;
  uint32_t first = order[0], last = order[nsnap - 1];
  int series = nsnap > 1;
  S_ctx c;
  c.l = l;
  pd_intern_init(&c.files, 64);
  uint32_t nnodes = (uint32_t)l->nodes.n;
  c.items = pd_xmalloc((nnodes + 1) * sizeof *c.items);
  uint32_t *idx = pd_xmalloc((nnodes + 1) * sizeof *idx);
  uint32_t n = 0;
  pd_buf disp = PD_BUF_INIT;
  for (uint32_t node = 1; node < nnodes; node++) {
    /* pprof's graph keeps nodes with a value (selectNodesForGraph) */
    if (!pd_listing_flat(l, first, node) && !pd_listing_cum(l, first, node) &&
        !pd_listing_flat(l, last, node) && !pd_listing_cum(l, last, node))
      continue;
    const pd_srcline *sl = &PD_VEC_AT(&l->nodes, pd_srcline, node);
    pd_source_display(src, pd_intern_str(&l->str, sl->file), pd_intern_len(&l->str, sl->file), &disp);
    c.items[n].node = node;
    c.items[n].file = pd_intern_put(&c.files, disp.data ? disp.data : "", disp.len);
    idx[n] = n;
    n++;
  }
  pd_buf_free(&disp);
  pd_sort_u32(idx, n, S_cmp, &c);
  uint32_t nfuncs = 0;
  char a[64], b[64], d[64];
  if (n > 0) {
    if (!series) {
      S_total_label(l, S_total(l, last, relative), a, sizeof a);
      pd_buf_printf(out, "Total: %s\n", a);
    } else {
      double t0 = S_total(l, first, relative), t1 = S_total(l, last, relative);
      S_total_label(l, t0, a, sizeof a);
      S_total_label(l, t1, b, sizeof b);
      pd_buf_printf(out, "Total: %s in the first snapshot, %s in the last (%s), %u snapshots\n", a, b,
                    S_value(l, t1 - t0, 1, d, sizeof d), nsnap);
      pd_buf_puts(out, "First: ");
      const char *p0 = PD_VEC_AT(&l->snaps, pd_listing_snap, first).path;
      const char *p1 = PD_VEC_AT(&l->snaps, pd_listing_snap, last).path;
      pd_esc_text(out, p0, strlen(p0));
      pd_buf_puts(out, "\nLast: ");
      pd_esc_text(out, p1, strlen(p1));
      pd_buf_putc(out, '\n');
    }
  }
  for (uint32_t i = 0; i < n;) {
    uint32_t name = PD_VEC_AT(&l->nodes, pd_srcline, c.items[idx[i]].node).name;
    uint32_t j = i;
    while (j < n && PD_VEC_AT(&l->nodes, pd_srcline, c.items[idx[j]].node).name == name) j++;
    nfuncs++;
    /* the files of this function; a frame without a file name has no
     * source (and sorts first: "" is the smallest name) */
    uint32_t k = i;
    while (k < j && pd_intern_len(&c.files, c.items[idx[k]].file) == 0) k++;
    if (k == j) {
      pd_buf_puts(out, "No source information for ");
      pd_esc_text(out, pd_intern_str(&l->str, name), pd_intern_len(&l->str, name));
      pd_buf_putc(out, '\n');
    }
    while (k < j) {
      uint32_t file = c.items[idx[k]].file, e = k;
      while (e < j && c.items[idx[e]].file == file) e++;
      S_routine(out, &c, src, idx, k, e, first, last, series, relative, warnings);
      k = e;
    }
    i = j;
  }
  free(idx);
  free(c.items);
  pd_intern_free(&c.files);
  return nfuncs;
}
