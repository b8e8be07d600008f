/* flame.c: flame graphs as SVG (plain, differential, growth).
 *
 * Layout is one depth-first walk over the call tree with children in name
 * order (flamegraph.pl's order, so graphs of two profiles line up), or in
 * time order for a flame chart (pd_tree_flow's tree); a frame
 * narrower than min_width px is not drawn and neither is anything above it,
 * but its width stays inside its parent, so every drawn frame keeps its
 * true size and the subtitle says how much was left out. Frames are written
 * compactly (no whitespace, hex colours, a label only when one fits) since a
 * large profile has tens of thousands of them; the script in
 * templates/flamegraph.js recovers everything it needs from the <rect>s and
 * <title>s, so nothing is written twice.
 */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"

/* flamegraph.pl's geometry */
enum { S_XPAD = 10 };
static const double S_FONT_WIDTH = 0.59;

void pd_flame_script_text(pd_buf *out, const char *script) {
  pd_buf_putc(out, '\n');
  pd_buf_puts(out, script);
  pd_buf_putc(out, '\n');
}

void pd_flame_opts_default(pd_flame_opts *o) {
  memset(o, 0, sizeof *o);
  o->width = 1200;
  o->frame_height = 16;
  o->font_size = 12;
  o->min_width = 0.1;
  o->unit = "count";
}

typedef struct {
  uint32_t node, depth;
  double x; /* in value units from the left edge */
} S_frame;

/* A number with at most two decimals and no trailing zeros: coordinates. */
static void S_coord(pd_buf *b, double v) {
  long long c = llround(v * 100);
  if (c < 0) {
    pd_buf_putc(b, '-');
    c = -c;
  }
  char digits[24];
  int n = 0;
  long long whole = c / 100;
  do {
    digits[n++] = (char)('0' + whole % 10);
    whole /= 10;
  } while (whole);
  while (n) pd_buf_putc(b, digits[--n]);
  int f = (int)(c % 100);
  if (f) {
    char d[4] = {'.', (char)('0' + f / 10), (char)('0' + f % 10), 0};
    if (d[2] == '0') d[2] = 0;
    pd_buf_puts(b, d);
  }
}

static void S_value(pd_buf *b, pd_val v, const char *unit) {
  char buf[64];
  pd_buf_puts(b, pd_unit_label(v, unit, "auto", buf, sizeof buf));
}

static void S_signed(pd_buf *b, pd_val v, const char *unit) {
  if (v > 0) pd_buf_putc(b, '+');
  S_value(b, v, unit);
}

static void S_pct(pd_buf *b, double v, double total) {
  char num[40];
  pd_buf_put(b, num, pd_fmt_fixed(num, sizeof num, total != 0 ? 100 * v / total : 0, 2));
  pd_buf_putc(b, '%');
}

/* The tooltip: the name, then one parenthesised group of figures that holds
 * no " (" of its own, so the script can split the name off at the last " (". */
static void S_title(pd_buf *b, const pd_flame_src *src, const pd_flame_opts *o, const char *name,
                    size_t len, uint32_t node, const pd_val *head, const pd_val *base,
                    const pd_val *change, double total) {
  pd_buf_puts(b, "<title>");
  pd_esc_xml(b, name, len);
  pd_buf_puts(b, " (");
  if (o->mode == PD_FLAME_DIFF) {
    pd_val h = head[node], bv = base[node];
    pd_buf_puts(b, "base ");
    S_value(b, bv, o->unit);
    pd_buf_puts(b, ", head ");
    S_value(b, h, o->unit);
    pd_buf_puts(b, ", ");
    if (bv == 0 && h != 0) pd_buf_puts(b, "new, ");
    else if (h == 0 && bv != 0) pd_buf_puts(b, "gone, ");
    S_signed(b, h - bv, o->unit);
    if (bv != 0) {
      pd_buf_puts(b, ", ");
      if (h > bv) pd_buf_putc(b, '+');
      S_pct(b, (double)(h - bv), (double)bv);
    }
    pd_buf_puts(b, "; self ");
    S_signed(b, change[node], o->unit);
    pd_buf_puts(b, "; ");
    S_pct(b, (double)(src->negate ? bv : h), total);
    pd_buf_puts(b, src->negate ? " of base" : " of head");
  } else {
    S_value(b, head[node], o->unit);
    if (o->countname) {
      pd_buf_putc(b, ' ');
      pd_esc_xml(b, o->countname, strlen(o->countname));
    }
    pd_buf_puts(b, ", ");
    S_pct(b, (double)head[node], total);
    if (o->mode == PD_FLAME_GROWTH && src->slope) {
      const char *per = src->slope_per && strcmp(src->slope_per, "h") != 0 ? "/snapshot" : "/h";
      pd_buf_puts(b, ", ");
      S_signed(b, src->slope[node], o->unit);
      pd_buf_printf(b, "%s, self ", per);
      S_signed(b, change[node], o->unit);
      pd_buf_puts(b, per);
    }
  }
  pd_buf_puts(b, ")</title>");
}

/* A label that fits in w px: the name, or its first code points and "..",
 * cut before escaping so an entity is never split. */
static void S_label(pd_buf *b, const char *name, size_t len, double w, int font_size) {
  size_t chars = (size_t)(w / (font_size * S_FONT_WIDTH));
  if (chars < 3) return;
  size_t cut = pd_utf8_prefix(name, len, chars);
  if (cut < len) {
    cut = pd_utf8_prefix(name, len, chars - 2);
    pd_esc_xml(b, name, cut);
    pd_buf_puts(b, "..");
  } else {
    pd_esc_xml(b, name, len);
  }
}

static void S_text(pd_buf *b, const char *prefix, const char *id, double x, double y, const char *anchor,
                   const char *text) {
  pd_buf_printf(b, "<text id=\"%s%s\" x=\"", prefix, id);
  S_coord(b, x);
  pd_buf_puts(b, "\" y=\"");
  S_coord(b, y);
  pd_buf_puts(b, "\"");
  if (anchor) pd_buf_printf(b, " text-anchor=\"%s\"", anchor);
  pd_buf_puts(b, ">");
  pd_esc_xml(b, text, strlen(text));
  pd_buf_puts(b, "</text>\n");
}

int pd_render_flame(pd_buf *out, const pd_flame_src *src, const pd_flame_opts *o,
                    pd_flame_stats *stats, pd_err *err) {
  if (o->script && strstr(o->script, "]]>"))
    return pd_fail(err, "flamegraph.js: the script contains \"]]>\", which would end its CDATA section");
  const char *p = o->id_prefix ? o->id_prefix : "";
  for (const char *c = p; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
      return pd_fail(err, "flame graph id prefix: only letters, digits, - and _");
  const pd_tree *t = src->tree;
  const pd_intern *keys = src->keys;
  pd_flame_stats st;
  memset(&st, 0, sizeof st);

  /* totals per node: widths, and for a diff both sides */
  pd_val *head = pd_xmalloc((size_t)t->n * sizeof *head), *base = NULL;
  pd_tree_sum(t, src->head_col, head);
  if (o->mode == PD_FLAME_DIFF) {
    base = pd_xmalloc((size_t)t->n * sizeof *base);
    pd_tree_sum(t, src->base_col, base);
    double scale = src->base_scale > 0 ? src->base_scale : 1;
    if (scale != 1)
      for (uint32_t i = 0; i < t->n; i++) base[i] *= scale;
  }
  const pd_val *w = o->mode == PD_FLAME_DIFF && src->negate ? base : head;
  double total = (double)w[0];
  st.total = total;
  int width = o->width > 2 * S_XPAD + 10 ? o->width : 1200;
  int fh = o->frame_height >= 4 ? o->frame_height : 16;
  double span = width - 2 * S_XPAD;
  double px = total > 0 ? span / total : 0;

  /* layout: frames in drawing order, root first */
  pd_tree_kids k;
  if (src->chart) pd_tree_kids_in_order(t, &k);
  else pd_tree_kids_build(t, keys, &k);
  pd_vec frames;
  pd_vec_init(&frames, sizeof(S_frame));
  S_frame *stack = pd_xmalloc(((size_t)t->n + 1) * sizeof *stack);
  uint32_t sp = 0;
  if (total > 0) stack[sp++] = (S_frame){0, 0, 0};
  while (sp) {
    S_frame f = stack[--sp];
    if (w[f.node] * px < o->min_width && f.node != 0) {
      st.pruned++;
      st.pruned_value += w[f.node];
      continue;
    }
    *(S_frame *)pd_vec_push(&frames) = f;
    if (src->cut_col >= 0 && src->cut_col < t->ncols) st.pruned_value += t->col[src->cut_col][f.node];
    if (f.depth > st.depth) st.depth = f.depth;
    /* children left to right; pushed right to left so they pop in order */
    double x = f.x;
    for (uint32_t i = k.start[f.node]; i < k.start[f.node + 1]; i++)
      if (w[k.kids[i]] > 0) x += w[k.kids[i]];
    for (uint32_t i = k.start[f.node + 1]; i-- > k.start[f.node];) {
      uint32_t c = k.kids[i];
      if (w[c] <= 0) continue;
      x -= w[c];
      stack[sp++] = (S_frame){c, f.depth + 1, src->chart && src->start ? src->start[c] : x};
    }
  }
  free(stack);
  st.frames = (uint32_t)frames.n;

  /* colour by each frame's own change, as flamegraph.pl does with two-column
   * input (the delta goes to the leaf of each stack): a caller is red only
   * for what it allocates itself, so the frames that grew stand out */
  pd_val *change = NULL; /* a diff's is exact: head - base, both whole */
  if (o->mode == PD_FLAME_DIFF || (o->mode == PD_FLAME_GROWTH && src->slope)) {
    change = pd_xmalloc((size_t)t->n * sizeof *change);
    if (o->mode == PD_FLAME_DIFF) {
      double scale = src->base_scale > 0 ? src->base_scale : 1;
      for (uint32_t i = 0; i < t->n; i++) change[i] = t->col[src->head_col][i] - t->col[src->base_col][i] * scale;
    } else {
      for (uint32_t i = 0; i < t->n; i++) change[i] = src->slope[i];
      for (uint32_t i = 1; i < t->n; i++) change[t->parent[i]] -= src->slope[i];
      /* a frame's own slope is its slope less its children's: where they
       * cancel, what is left is rounding, which would read "+0/h" */
      for (uint32_t i = 0; i < t->n; i++)
        if (fabsl(change[i]) <= 1e-9L * fabsl(src->slope[i])) change[i] = 0;
    }
    for (size_t i = 0; i < frames.n; i++) {
      double c = (double)change[PD_VEC_AT(&frames, S_frame, i).node];
      if (isfinite(c) && fabs(c) > st.max_change) st.max_change = fabs(c);
    }
  }

  /* header */
  const char *title = o->title ? o->title
                      : src->chart ? "Flame Chart" /* flamegraph.pl's, inverted or not */
                      : o->mode == PD_FLAME_DIFF ? "Differential Flame Graph"
                      : o->mode == PD_FLAME_GROWTH ? "Growth Flame Graph" : "Flame Graph";
  pd_buf sub = PD_BUF_INIT;
  if (o->subtitle) pd_buf_puts(&sub, o->subtitle);
  if (st.pruned_value > 0 && total > 0) {
    if (sub.len) pd_buf_puts(&sub, "; ");
    pd_buf_printf(&sub, "frames narrower than %g px not drawn: ", o->min_width);
    S_pct(&sub, st.pruned_value, total);
    pd_buf_puts(&sub, " of the total");
  }
  if (total <= 0) {
    if (sub.len) pd_buf_puts(&sub, "; ");
    pd_buf_puts(&sub, o->mode == PD_FLAME_DIFF && !src->negate && base[0] > 0
                          ? "head has no samples (--negate draws the base)"
                          : "no samples");
  }
  const int fs = o->font_size > 0 ? o->font_size : 12;
  double ypad1 = fs * 3 + (sub.len ? fs * 1.5 : 0), ypad2 = fs * 2 + 10;
  double height = ypad1 + (double)(st.depth + 1) * fh + ypad2;
  if (!o->embedded)
    pd_buf_puts(out, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
                     "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n");
  pd_buf_printf(out, "<svg version=\"1.1\" width=\"%d\" height=\"", width);
  S_coord(out, height);
  pd_buf_printf(out, "\" viewBox=\"0 0 %d ", width);
  S_coord(out, height);
  pd_buf_puts(out, "\" xmlns=\"http://www.w3.org/2000/svg\"");
  /* in a page: the root names the graph (the page's one flamegraph.js
   * finds each graph by data-flamegraph and its elements by the prefix) */
  if (o->embedded) pd_buf_printf(out, " id=\"%ssvg\" class=\"pd-flame\" data-flamegraph=\"\" data-idprefix=\"%s\"", p, p);
  pd_buf_printf(out, " data-xpad=\"%d\" data-fontsize=\"%d\" "
                     "data-fontwidth=\"%g\" data-frameheight=\"%d\" data-inverted=\"%d\"",
                S_XPAD, fs, S_FONT_WIDTH, fh, o->inverted ? 1 : 0);
  /* flamegraph.pl's --nametype: what the details line calls a frame */
  if (o->nametype) {
    pd_buf_puts(out, " data-nametype=\"");
    pd_esc_xml(out, o->nametype, strlen(o->nametype));
    pd_buf_putc(out, '"');
  }
  pd_buf_puts(out, ">\n");
  pd_buf_puts(out, "<!-- profdiff flame graph: click a frame to zoom, Search (or Ctrl-F) to highlight frames by regular expression -->\n");
  /* flamegraph.pl's backgrounds; a plain white one under the grey of
   * unchanged frames in a diff or growth graph */
  if (o->notes) {
    pd_buf_puts(out, "<!-- NOTES: ");
    pd_esc_xml(out, o->notes, strlen(o->notes));
    pd_buf_puts(out, " -->\n");
  }
  const char *bg1 = o->bg[0] ? o->bg[0] : o->mode != PD_FLAME_PLAIN ? "#ffffff" : "#eeeeee";
  const char *bg2 = o->bg[1] ? o->bg[1]
                    : o->mode != PD_FLAME_PLAIN ? "#ffffff"
                    : o->palette == PD_PALETTE_MEM ? "#e0e0ff" : "#eeeeb0";
  pd_buf_printf(out, "<defs><linearGradient id=\"%sbackground\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
                     "<stop stop-color=\"%s\" offset=\"5%%\"/><stop stop-color=\"%s\" offset=\"95%%\"/>"
                     "</linearGradient></defs>\n", p, bg1, bg2);
  /* a <style> inside an inline <svg> applies to the whole page: there every
   * rule is scoped to this graph's root */
  pd_buf scope = PD_BUF_INIT;
  if (o->embedded) pd_buf_printf(&scope, "#%ssvg ", p);
  const char *sc = scope.data ? scope.data : "";
  pd_buf_printf(out, "<style type=\"text/css\">"
                     "%stext{font-family:%s,sans-serif;font-size:%dpx;fill:#000}"
                     "#%stitle{text-anchor:middle;font-size:%dpx}#%ssubtitle{text-anchor:middle;fill:#555}"
                     "#%ssearch,#%sunzoom{cursor:pointer}#%ssearch{opacity:.3}#%ssearch.on{opacity:1}"
                     "#%sframes text{pointer-events:none}#%sframes g:hover>rect{stroke:#000;stroke-width:.5}"
                     "#%sunzoom{display:none}#%sunzoom.on{display:inline}%s.hide{display:none}%s.parent{opacity:.5}",
                sc, o->fonttype ? o->fonttype : "Verdana", fs, p, fs + 5, p, p, p, p, p, p, p, p,
                p, sc, sc);
  /* flamegraph.pl's "ic": a case-insensitive search while it is on */
  pd_buf_printf(out, "#%signorecase{cursor:pointer;opacity:.3}#%signorecase.on{opacity:1}</style>\n", p, p);
  pd_buf_free(&scope);
  pd_buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"", width);
  S_coord(out, height);
  pd_buf_printf(out, "\" fill=\"url(#%sbackground)\"/>\n", p);
  S_text(out, p, "title", width / 2.0, fs * 2, NULL, title);
  if (sub.len) S_text(out, p, "subtitle", width / 2.0, fs * 3.5, NULL, sub.data);
  S_text(out, p, "details", S_XPAD, height - ypad2 / 2, NULL, " ");
  S_text(out, p, "unzoom", S_XPAD, fs * 2, NULL, "Reset Zoom");
  S_text(out, p, "search", width - S_XPAD - 3 * fs, fs * 2, "end", "Search");
  S_text(out, p, "ignorecase", width - S_XPAD, fs * 2, "end", "ic");
  S_text(out, p, "matched", width - S_XPAD, height - ypad2 / 2, "end", " ");

  /* frames */
  pd_buf_printf(out, "<g id=\"%sframes\">\n", p);
  char color[8];
  double fhh = fh - 1, text_dy = fh / 2.0 + fs / 3.0;
  for (size_t i = 0; i < frames.n; i++) {
    S_frame f = PD_VEC_AT(&frames, S_frame, i);
    const char *name = f.node ? pd_intern_str(keys, t->key[f.node]) : "all";
    size_t full = f.node ? pd_key_len(keys, t->key[f.node]) : 3, len;
    char kind = pd_annotation(name, full, &len);
    double x = S_XPAD + f.x * px, fw = w[f.node] * px;
    double y = o->inverted ? ypad1 + (double)f.depth * fh : height - ypad2 - (double)(f.depth + 1) * fh;
    if (change) pd_change_color(change[f.node], st.max_change, color);
    else if (o->mode != PD_FLAME_PLAIN) pd_change_color(0, 0, color);
    else if (kind) pd_annotation_color(kind, name, len, color);
    else pd_palette_color(o->palette, name, len, color);
    pd_buf_puts(out, "<g>");
    S_title(out, src, o, name, len, f.node, head, base, change, total);
    pd_buf_puts(out, "<rect x=\"");
    S_coord(out, x);
    pd_buf_puts(out, "\" y=\"");
    S_coord(out, y);
    pd_buf_puts(out, "\" width=\"");
    S_coord(out, fw);
    pd_buf_puts(out, "\" height=\"");
    S_coord(out, fhh);
    pd_buf_printf(out, "\" fill=\"%s\"/>", color);
    if ((size_t)(fw / (fs * S_FONT_WIDTH)) >= 3) {
      pd_buf_puts(out, "<text x=\"");
      S_coord(out, x + 3);
      pd_buf_puts(out, "\" y=\"");
      S_coord(out, y + text_dy);
      pd_buf_puts(out, "\">");
      S_label(out, name, len, fw, fs);
      pd_buf_puts(out, "</text>");
    }
    pd_buf_puts(out, "</g>\n");
  }
  pd_buf_puts(out, "</g>\n");
  if (o->script && !o->embedded) {
    pd_buf_puts(out, "<script type=\"text/ecmascript\"><![CDATA[");
    pd_flame_script_text(out, o->script);
    pd_buf_puts(out, "]]></script>\n");
  }
  pd_buf_puts(out, "</svg>\n");

  pd_buf_free(&sub);
  pd_vec_free(&frames);
  pd_tree_kids_free(&k);
  free(head);
  free(base);
  free(change);
  if (stats) *stats = st;
  return PD_OK;
}
