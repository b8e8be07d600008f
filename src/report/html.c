/* html.c: report.html, one self-contained file that works offline and by
 * mail: the Markdown report rendered by cmark-gfm (tables extension) inside
 * templates/report.html with its CSS and script, the graphs and sparklines
 * inline as data: URIs, and nothing fetched from anywhere.
 *
 * Safety: the report's own Markdown never contains raw HTML (every name is a
 * code span, all other text is escaped by escape/escape.h), so it is
 * rendered with raw HTML allowed only so that the sparkline links can be
 * replaced by inline <img> nodes we build ourselves. The user's --notes are
 * rendered separately in cmark's safe mode (raw HTML and dangerous URLs
 * omitted).
 */
#include "report.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"
#include "../render/render.h"
#include "templates.h"

static cmark_node *S_parse(const char *md, size_t len, cmark_parser **parser) {
  cmark_gfm_core_extensions_ensure_registered();
  *parser = cmark_parser_new(CMARK_OPT_DEFAULT);
  cmark_syntax_extension *table = cmark_find_syntax_extension("table");
  if (table) cmark_parser_attach_syntax_extension(*parser, table);
  cmark_parser_feed(*parser, md, len);
  return cmark_parser_finish(*parser);
}

static void S_render(pd_buf *out, cmark_node *doc, cmark_parser *parser, int options) {
  char *html = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser));
  pd_buf_puts(out, html);
  free(html);
}

/* Replaces links to sparkline files by the sparkline itself. */
static void S_inline_sparklines(cmark_node *doc, const char *dir, pd_report_sparkline_fn fn, void *ctx) {
  size_t dirlen = strlen(dir);
  cmark_iter *it = cmark_iter_new(doc);
  cmark_node **found = NULL;
  size_t nfound = 0, cap = 0;
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_LINK) continue;
    const char *url = cmark_node_get_url(n);
    if (!url || strncmp(url, dir, dirlen) != 0 || url[dirlen] != '/') continue;
    if (nfound == cap) {
      cap = cap ? cap * 2 : 64;
      found = pd_xrealloc(found, cap * sizeof *found);
    }
    found[nfound++] = n;
  }
  cmark_iter_free(it);
  pd_buf svg = PD_BUF_INIT, img = PD_BUF_INIT;
  for (size_t i = 0; i < nfound; i++) {
    unsigned index;
    if (sscanf(cmark_node_get_url(found[i]) + dirlen, "/f%u.svg", &index) != 1) continue;
    pd_buf_truncate(&svg, 0);
    if (fn(ctx, index, &svg) != PD_OK || !svg.len) continue;
    pd_buf_truncate(&img, 0);
    pd_buf_puts(&img, "<img alt=\"trend\" src=\"data:image/svg+xml;base64,");
    pd_buf_base64(&img, svg.data, svg.len);
    pd_buf_puts(&img, "\">");
    cmark_node *html = cmark_node_new(CMARK_NODE_HTML_INLINE);
    cmark_node_set_literal(html, img.data);
    cmark_node_replace(found[i], html);
    cmark_node_free(found[i]);
  }
  pd_buf_free(&svg);
  pd_buf_free(&img);
  free(found);
}

/* Our Markdown holds no raw HTML (every input string is escaped by
 * escape/escape.h), yet it is rendered with raw HTML allowed for the
 * sparklines: so that a missed escape still cannot add markup, any raw
 * HTML the parser found becomes text before our own nodes go in. */
static void S_no_raw_html(cmark_node *doc) {
  cmark_iter *it = cmark_iter_new(doc);
  cmark_node **found = NULL;
  size_t nfound = 0, cap = 0;
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node *n = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(n);
    if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_HTML_INLINE && t != CMARK_NODE_HTML_BLOCK)) continue;
    if (nfound == cap) {
      cap = cap ? cap * 2 : 16;
      found = pd_xrealloc(found, cap * sizeof *found);
    }
    found[nfound++] = n;
  }
  cmark_iter_free(it);
  for (size_t i = 0; i < nfound; i++) {
    int block = cmark_node_get_type(found[i]) == CMARK_NODE_HTML_BLOCK;
    cmark_node *text = cmark_node_new(block ? CMARK_NODE_CODE_BLOCK : CMARK_NODE_TEXT);
    cmark_node_set_literal(text, cmark_node_get_literal(found[i]));
    cmark_node_replace(found[i], text);
    cmark_node_free(found[i]);
  }
  free(found);
}

/* report.html's Content-Security-Policy allows the scripts whose SHA-256
 * the page lists and no others ('unsafe-inline' would let any injected
 * <script> run): the page's own inline scripts as the template holds them
 * with {{script}} filled in, and the graphs' flamegraph.js, since an SVG
 * document in an <object data:> runs under the page's policy. */
static void S_hash(pd_buf *csp, const char *text, size_t len) {
  uint8_t digest[32];
  pd_sha256(text, len, digest);
  if (csp->len) pd_buf_putc(csp, ' ');
  pd_buf_puts(csp, "'sha256-");
  pd_buf_base64(csp, digest, sizeof digest);
  pd_buf_putc(csp, '\'');
}

static void S_script_hashes(pd_buf *csp, const pd_buf *tpl, const pd_buf *script, const char *graph_script) {
  const char *p = tpl->data, *end = tpl->data + tpl->len;
  pd_buf body = PD_BUF_INIT;
  while (p < end) {
    const char *open = strstr(p, "<script");
    const char *gt = open ? strchr(open, '>') : NULL;
    const char *close = gt ? strstr(gt, "</script") : NULL;
    if (!close) break;
    pd_buf_truncate(&body, 0);
    for (const char *q = gt + 1; q < close;) {
      const char *ph = strstr(q, "{{script}}");
      if (!ph || ph >= close) {
        pd_buf_put(&body, q, (size_t)(close - q));
        break;
      }
      pd_buf_put(&body, q, (size_t)(ph - q));
      pd_buf_put(&body, script->data ? script->data : "", script->len);
      q = ph + 10;
    }
    S_hash(csp, body.data ? body.data : "", body.len);
    p = close + 8;
  }
  if (graph_script) {
    pd_buf_truncate(&body, 0);
    pd_flame_script_text(&body, graph_script);
    S_hash(csp, body.data, body.len);
  }
  if (!csp->len) pd_buf_puts(csp, "'none'");
  pd_buf_free(&body);
}

/* Fills {{name}} placeholders of the template. */
/* The flame graphs, each an SVG document inlined as base64 (megabytes for a
 * large profile): drawn one at a time (h->graph) and written out in slices
 * as they are encoded, so neither the graphs nor their base64 are ever all
 * in memory. */
static int S_graphs(pd_buf *out, const pd_report_parts *h, pd_err *err) {
  if (!h || !h->ngraphs) return PD_OK;
  pd_buf_puts(out, "<h3>Flame graphs</h3>\n");
  pd_buf svg = PD_BUF_INIT;
  int rc = PD_OK;
  for (size_t i = 0; i < h->ngraphs && rc == PD_OK; i++) {
    rc = h->graph(h->ctx, i, &svg, err);
    if (rc != PD_OK) break;
    pd_buf_printf(out, "<figure id=\"graph-%zu\">\n", i);
    /* <object> keeps each graph's own script (zoom, search) working in
     * its own document, which <img> would not */
    pd_buf_puts(out, "<object type=\"image/svg+xml\" data=\"data:image/svg+xml;base64,");
    enum { SLICE = 3 << 16 }; /* a multiple of 3: the slices' base64 joins up */
    for (size_t at = 0; at < svg.len; at += SLICE) {
      pd_buf_base64(out, svg.data + at, svg.len - at < SLICE ? svg.len - at : SLICE);
      pd_buf_spill(out);
    }
    pd_buf_puts(out, "\"></object>\n<figcaption>");
    pd_esc_xml(out, h->graph_captions[i], strlen(h->graph_captions[i]));
    pd_buf_puts(out, "</figcaption>\n</figure>\n");
    pd_buf_spill(out);
  }
  pd_buf_free(&svg);
  return rc;
}

/* Fills {{name}} in tpl; a NULL value is the graphs (S_graphs). */
static int S_fill(pd_buf *out, const pd_buf *tpl, const char **names, const pd_buf **values, size_t n,
                  const pd_report_parts *h, pd_err *err) {
  const char *p = tpl->data, *end = tpl->data + tpl->len;
  while (p < end) {
    const char *open = strstr(p, "{{");
    if (!open) {
      pd_buf_put(out, p, (size_t)(end - p));
      break;
    }
    pd_buf_put(out, p, (size_t)(open - p));
    const char *close = strstr(open, "}}");
    size_t i = n;
    if (close)
      for (i = 0; i < n; i++)
        if (strlen(names[i]) == (size_t)(close - open - 2) && strncmp(open + 2, names[i], (size_t)(close - open - 2)) == 0)
          break;
    if (i == n) { /* not ours: leave it */
      pd_buf_put(out, open, 2);
      p = open + 2;
      continue;
    }
    if (!values[i]) {
      if (S_graphs(out, h, err) != PD_OK) return PD_ERR;
    } else if (values[i]->len) {
      pd_buf_put(out, values[i]->data, values[i]->len);
    }
    pd_buf_spill(out);
    p = close + 2;
  }
  return PD_OK;
}

int pd_report_html(pd_buf *out, const pd_series *s, const pd_report_config *o,
                   const pd_report_parts *h, pd_err *err) {
  pd_buf tpl = PD_BUF_INIT, style = PD_BUF_INIT, script = PD_BUF_INIT;
  if (pd_template_get("report.html", o->template_dir, &tpl, err) != PD_OK ||
      pd_template_get("report.css", o->template_dir, &style, err) != PD_OK ||
      pd_template_get("report.js", o->template_dir, &script, err) != PD_OK) {
    pd_buf_free(&tpl);
    pd_buf_free(&style);
    pd_buf_free(&script);
    return PD_ERR;
  }
  pd_buf title = PD_BUF_INIT, notes = PD_BUF_INIT, content = PD_BUF_INIT,
         version = PD_BUF_INIT, csp = PD_BUF_INIT;
  S_script_hashes(&csp, &tpl, &script, h ? h->graph_script : NULL);
  const char *t = o->title ? o->title : "profdiff report";
  pd_esc_xml(&title, t, strlen(t));
  pd_esc_xml(&version, o->version ? o->version : "", o->version ? strlen(o->version) : 0);
  cmark_parser *parser;
  if (o->notes) {
    cmark_node *doc = S_parse(o->notes, strlen(o->notes), &parser);
    pd_buf_puts(&notes, "<section class=\"notes\">\n");
    S_render(&notes, doc, parser, CMARK_OPT_DEFAULT); /* safe: raw HTML omitted */
    pd_buf_puts(&notes, "</section>\n");
    cmark_node_free(doc);
    cmark_parser_free(parser);
  }
  /* the report itself, without the notes (rendered above) */
  pd_report_config body = *o;
  body.notes = NULL;
  pd_buf md = PD_BUF_INIT;
  pd_report_markdown(&md, s, &body, h);
  cmark_node *doc = S_parse(md.data, md.len, &parser);
  S_no_raw_html(doc);
  if (h && h->sparkline_dir && h->sparkline) S_inline_sparklines(doc, h->sparkline_dir, h->sparkline, h->ctx);
  S_render(&content, doc, parser, CMARK_OPT_UNSAFE);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  pd_buf_free(&md);
  const char *names[] = {"title", "style", "script", "notes", "content", "graphs", "version", "script_hashes"};
  const pd_buf *values[] = {&title, &style, &script, &notes, &content, NULL, &version, &csp};
  int rc = S_fill(out, &tpl, names, values, sizeof names / sizeof names[0], h, err);
  pd_buf *all[] = {&tpl, &style, &script, &title, &notes, &content, &version, &csp};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pd_buf_free(all[i]);
  return rc;
}
