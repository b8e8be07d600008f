/* suspects.c: the source lines where a report's leading suspects grow.
 *
 * pprof's answer to "which line holds the memory" is `list FUNC`; a report
 * answers it for its suspects without being asked: per suspect, the few
 * lines whose value grew most from the first (or base) snapshot to the
 * last, with their code found as `profdiff list` finds it. The model is
 * built from a listing of the two snapshots (analyse/lines.c) and written
 * as one self-contained Markdown section, which report.html renders too.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"

/* Code is shown cut to this many code points: a table cell, not a file. */
enum { S_CODE_MAX = 100 };

typedef struct {
  uint32_t node;
  pd_val delta;
} S_cand;

static int S_cmp_cand(const void *va, const void *vb) {
  const S_cand *a = va, *b = vb;
  if (a->delta != b->delta) return a->delta > b->delta ? -1 : 1;
  return a->node < b->node ? -1 : a->node > b->node;
}

/* The growing lines of one function: by flat, or by cum when no line of it
 * grew in flat (a suspect that grows through what it calls). */
static void S_function(pd_suspect_lines *out, pd_suspect_lines_fn *fn, const pd_listing *l, pd_source *src,
                       const char *name, size_t name_len, uint32_t per_fn) {
  uint32_t nnodes = (uint32_t)l->nodes.n;
  S_cand *c = pd_xmalloc((nnodes + 1) * sizeof *c);
  pd_buf disp = PD_BUF_INIT;
  for (int cum = 0; cum < 2 && fn->n == 0; cum++) {
    uint32_t n = 0;
    for (uint32_t node = 1; node < nnodes; node++) {
      const pd_srcline *sl = &PD_VEC_AT(&l->nodes, pd_srcline, node);
      if (pd_intern_len(&l->str, sl->name) != name_len ||
          memcmp(pd_intern_str(&l->str, sl->name), name, name_len) != 0)
        continue;
      pd_val d = cum ? pd_listing_cum(l, 1, node) - pd_listing_cum(l, 0, node)
                     : pd_listing_flat(l, 1, node) - pd_listing_flat(l, 0, node);
      if (d > 0) c[n++] = (S_cand){node, d};
    }
    if (n == 0) continue;
    qsort(c, n, sizeof *c, S_cmp_cand);
    if (n > per_fn) n = per_fn;
    fn->cum = cum;
    fn->lines = pd_arena_alloc(&out->arena, n * sizeof *fn->lines);
    for (uint32_t i = 0; i < n; i++) {
      const pd_srcline *sl = &PD_VEC_AT(&l->nodes, pd_srcline, c[i].node);
      pd_growing_line *g = &fn->lines[fn->n++];
      pd_source_display(src, pd_intern_str(&l->str, sl->file), pd_intern_len(&l->str, sl->file), &disp);
      g->file = pd_arena_strndup(&out->arena, disp.data ? disp.data : "", disp.len);
      g->line = sl->line;
      g->first = cum ? pd_listing_cum(l, 0, c[i].node) : pd_listing_flat(l, 0, c[i].node);
      g->last = cum ? pd_listing_cum(l, 1, c[i].node) : pd_listing_flat(l, 1, c[i].node);
      g->code = NULL;
      const char *text;
      size_t len;
      const pd_source_file *sf = g->file[0] ? pd_source_get(src, g->file) : NULL;
      if (sf && sf->data && pd_source_line(sf, sl->line, &text, &len)) {
        while (len && (*text == ' ' || *text == '\t')) text++, len--;
        while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r')) len--;
        size_t cut = pd_utf8_prefix(text, len, S_CODE_MAX);
        g->code = pd_arena_strndup(&out->arena, text, cut);
        g->code_cut = cut < len;
      }
    }
  }
  pd_buf_free(&disp);
  free(c);
}

void pd_suspect_lines_build(pd_suspect_lines *out, const pd_listing *l, pd_source *src, const pd_series *s,
                            const uint32_t *keys, uint32_t nkeys, uint32_t per_fn) {
  memset(out, 0, sizeof *out);
  pd_arena_init(&out->arena, 4096);
  if (l->snaps.n != 2) return;
  out->unit = pd_arena_strndup(&out->arena, l->unit ? l->unit : "", l->unit ? strlen(l->unit) : 0);
  for (int i = 0; i < 2; i++) {
    const char *p = PD_VEC_AT(&l->snaps, pd_listing_snap, i).path;
    out->path[i] = pd_arena_strndup(&out->arena, p, strlen(p));
  }
  out->fns = pd_arena_alloc(&out->arena, (nkeys ? nkeys : 1) * sizeof *out->fns);
  for (uint32_t k = 0; k < nkeys; k++) {
    pd_suspect_lines_fn *fn = &out->fns[out->nfns];
    memset(fn, 0, sizeof *fn);
    fn->key = keys[k];
    S_function(out, fn, l, src, pd_intern_str(&s->keys, keys[k]), pd_key_len(&s->keys, keys[k]), per_fn);
    if (fn->n) out->nfns++;
  }
}

void pd_suspect_lines_free(pd_suspect_lines *sl) {
  pd_arena_free(&sl->arena);
  memset(sl, 0, sizeof *sl);
}

static void S_figure(pd_buf *out, pd_val v, const char *unit, int sign) {
  char t[64];
  if (sign && v > 0) pd_buf_putc(out, '+');
  pd_buf_puts(out, pd_unit_label(v, unit, "auto", t, sizeof t));
}

void pd_report_suspect_lines_md(pd_buf *out, const pd_suspect_lines *sl, const pd_series *s) {
  if (!sl || sl->nfns == 0) return;
  pd_buf_puts(out, "\n### Where the suspects grow\n\nThe source lines whose value grew most from ");
  for (int i = 0; i < 2; i++) {
    const char *base = pd_basename(sl->path[i]);
    if (i) pd_buf_puts(out, " to ");
    pd_esc_md_code(out, base, strlen(base), 0);
  }
  pd_buf_puts(out, " (`profdiff list` shows every line; sources are found as it finds them, "
                   "`--source-path`, `--trim-path`).\n");
  for (uint32_t f = 0; f < sl->nfns; f++) {
    const pd_suspect_lines_fn *fn = &sl->fns[f];
    const char *name = pd_intern_str(&s->keys, fn->key);
    size_t len = pd_key_len(&s->keys, fn->key), cut = pd_utf8_prefix(name, len, 200);
    pd_buf_puts(out, "\n");
    pd_esc_md_code(out, name, cut, 0);
    if (cut < len) pd_buf_puts(out, "..");
    pd_buf_puts(out, fn->cum ? " (cum: it grows through its callees):\n\n" : ":\n\n");
    pd_buf_puts(out, "| Line | First | Last | Change | Code |\n| --- | ---: | ---: | ---: | --- |\n");
    for (uint32_t i = 0; i < fn->n; i++) {
      const pd_growing_line *g = &fn->lines[i];
      pd_buf loc = PD_BUF_INIT;
      const char *file = pd_basename(g->file);
      pd_buf_printf(&loc, "%s:%lld", file, (long long)g->line);
      pd_buf_puts(out, "| ");
      pd_esc_md_code(out, loc.data, loc.len, 1);
      pd_buf_free(&loc);
      pd_buf_puts(out, " | ");
      S_figure(out, g->first, sl->unit, 0);
      pd_buf_puts(out, " | ");
      S_figure(out, g->last, sl->unit, 0);
      pd_buf_puts(out, " | ");
      S_figure(out, g->last - g->first, sl->unit, 1);
      pd_buf_puts(out, " | ");
      if (g->code && g->code[0]) {
        pd_esc_md_code(out, g->code, strlen(g->code), 1);
        if (g->code_cut) pd_buf_puts(out, "..");
      } else {
        pd_buf_puts(out, g->code ? "" : "(source not found)");
      }
      pd_buf_puts(out, " |\n");
    }
  }
}
