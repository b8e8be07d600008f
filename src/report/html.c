/* html.c: report.html, one self-contained file that works offline and by
 * mail, laid out for a reader in a hurry: the title, a pass/fail badge of
 * the gates and the verdict first, links to the figures, then the figures
 * that say what changed (the timeline, the growth and differential flame
 * graphs with their colour legends), the function tables under a filter box,
 * the snapshots' own flame graphs, and the method last.
 *
 * The text is the Markdown report rendered by cmark-gfm (tables extension)
 * and cut into those parts at its headings; the parts go into the
 * {{placeholders}} of templates/report.html (docs/report.md lists them).
 * The graphs are drawn inline, as <svg> elements of the page, never as data:
 * URLs (a large profile's graph is megabytes, over Chromium's 2 MB limit on
 * a URL, and showed as an empty box): each graph's ids carry its own prefix,
 * its style is scoped to it, and the page runs templates/flamegraph.js once
 * for all of them. Without scripts every graph is still a picture.
 *
 * Safety: the report's own Markdown never contains raw HTML (every name is a
 * code span, all other text is escaped by escape/escape.h), so it is
 * rendered with raw HTML allowed only so that the sparkline links and code
 * spans can be replaced by nodes we build ourselves, from escaped text. The
 * user's --notes are rendered separately in cmark's safe mode (raw HTML and
 * dangerous URLs omitted). The Content-Security-Policy allows the page's own
 * scripts by SHA-256 and nothing else.
 */
#include "report.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <stdlib.h>
#include <string.h>

#include "../escape/escape.h"
#include "../render/render.h"
#include "templates.h"

/* cmark's own allocator aborts when memory runs out: ours follows the one
 * policy (util.h), one line and exit 2. */
static cmark_mem S_mem = {pd_xcalloc, pd_xrealloc, free};

static cmark_node *S_parse(const char *md, size_t len, cmark_parser **parser) {
  cmark_gfm_core_extensions_ensure_registered();
  *parser = cmark_parser_new_with_mem(CMARK_OPT_DEFAULT, &S_mem);
  cmark_syntax_extension *table = cmark_find_syntax_extension("table");
  if (table) cmark_parser_attach_syntax_extension(*parser, table);
  cmark_parser_feed(*parser, md, len);
  return cmark_parser_finish(*parser);
}

static void S_render(pd_buf *out, cmark_node *doc, cmark_parser *parser, int options) {
  char *html = cmark_render_html_with_mem(doc, options, cmark_parser_get_syntax_extensions(parser), &S_mem);
  pd_buf_puts(out, html);
  free(html);
}

/* The nodes of doc of one of the types in `types` (a list ending in
 * CMARK_NODE_NONE), in document order, for the caller to replace: a tree
 * cannot change under its iterator. The caller frees. */
static cmark_node **S_collect(cmark_node *doc, const cmark_node_type *types, size_t *n) {
  cmark_iter *it = cmark_iter_new(doc);
  cmark_node **found = NULL;
  size_t nfound = 0, cap = 0;
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node *node = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER) continue;
    size_t t = 0;
    while (types[t] != CMARK_NODE_NONE && types[t] != cmark_node_get_type(node)) t++;
    if (types[t] == CMARK_NODE_NONE) continue;
    if (nfound == cap) {
      cap = cap ? cap * 2 : 64;
      found = pd_xrealloc(found, cap * sizeof *found);
    }
    found[nfound++] = node;
  }
  cmark_iter_free(it);
  *n = nfound;
  return found;
}

/* Puts the inline HTML `html` in the place of node. */
static void S_replace_html(cmark_node *node, const char *html) {
  cmark_node *repl = cmark_node_new_with_mem(CMARK_NODE_HTML_INLINE, &S_mem);
  cmark_node_set_literal(repl, html);
  cmark_node_replace(node, repl);
  cmark_node_free(node);
}

/* Replaces links to sparkline files by the sparkline itself. */
static void S_inline_sparklines(cmark_node *doc, const char *dir, pd_report_sparkline_fn fn, void *ctx) {
  size_t dirlen = strlen(dir), nfound;
  static const cmark_node_type links[] = {CMARK_NODE_LINK, CMARK_NODE_NONE};
  cmark_node **found = S_collect(doc, links, &nfound);
  pd_buf svg = PD_BUF_INIT, img = PD_BUF_INIT;
  for (size_t i = 0; i < nfound; i++) {
    const char *url = cmark_node_get_url(found[i]);
    if (!url || strncmp(url, dir, dirlen) != 0 || url[dirlen] != '/') continue;
    unsigned index;
    if (sscanf(url + dirlen, "/f%u.svg", &index) != 1) continue;
    pd_buf_truncate(&svg, 0);
    if (fn(ctx, index, &svg) != PD_OK || !svg.len) continue;
    pd_buf_truncate(&img, 0);
    pd_buf_puts(&img, "<img alt=\"trend\" src=\"data:image/svg+xml;base64,");
    pd_buf_base64(&img, svg.data, svg.len);
    pd_buf_puts(&img, "\">");
    S_replace_html(found[i], img.data);
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
  static const cmark_node_type raw[] = {CMARK_NODE_HTML_INLINE, CMARK_NODE_HTML_BLOCK, CMARK_NODE_NONE};
  size_t nfound;
  cmark_node **found = S_collect(doc, raw, &nfound);
  for (size_t i = 0; i < nfound; i++) {
    int block = cmark_node_get_type(found[i]) == CMARK_NODE_HTML_BLOCK;
    cmark_node *text = cmark_node_new_with_mem(block ? CMARK_NODE_CODE_BLOCK : CMARK_NODE_TEXT, &S_mem);
    cmark_node_set_literal(text, cmark_node_get_literal(found[i]));
    cmark_node_replace(found[i], text);
    cmark_node_free(found[i]);
  }
  free(found);
}

/* A code span as <code> with a <wbr> after each ".", "/" and "::", so that
 * a long qualified name wraps between its parts and not inside a word. */
static void S_code_html(pd_buf *out, const char *s, size_t n) {
  pd_buf_puts(out, "<code>");
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    size_t after = 0;
    if (s[i] == '.' || s[i] == '/') after = i + 1;
    else if (s[i] == ':' && i + 1 < n && s[i + 1] == ':') after = i + 2;
    if (!after || after >= n) continue;
    pd_esc_xml(out, s + from, after - from);
    pd_buf_puts(out, "<wbr>");
    from = after;
    i = after - 1;
  }
  pd_esc_xml(out, s + from, n - from);
  pd_buf_puts(out, "</code>");
}

static void S_wrap_code(cmark_node *doc) {
  static const cmark_node_type code[] = {CMARK_NODE_CODE, CMARK_NODE_NONE};
  size_t nfound;
  cmark_node **found = S_collect(doc, code, &nfound);
  pd_buf html = PD_BUF_INIT;
  for (size_t i = 0; i < nfound; i++) {
    const char *lit = cmark_node_get_literal(found[i]);
    pd_buf_truncate(&html, 0);
    S_code_html(&html, lit ? lit : "", lit ? strlen(lit) : 0);
    S_replace_html(found[i], html.data);
  }
  pd_buf_free(&html);
  free(found);
}

/* ---- the parts of the page ---------------------------------------------------- */

typedef struct {
  const pd_series *s;
  const pd_report_config *o;
  const pd_report_parts *h;
  pd_buf verdict, content, method; /* the Markdown report, cut at its headings */
  size_t order[8];                 /* the graphs as the page shows them */
  size_t nlead;                    /* order[0 .. nlead): before the tables */
  size_t ngraphs;
} S_page;

/* The text of a heading, for telling the sections apart. */
static int S_heading_is(cmark_node *n, const char *text) {
  if (cmark_node_get_type(n) != CMARK_NODE_HEADING) return 0;
  cmark_node *c = cmark_node_first_child(n);
  const char *lit = c && cmark_node_get_type(c) == CMARK_NODE_TEXT ? cmark_node_get_literal(c) : NULL;
  return lit && strcmp(lit, text) == 0 && !cmark_node_next(c);
}

/* Cuts the rendered report: what comes before its first section heading
 * (the verdict; the "# title" itself is the template's), the sections, and
 * from "Method" on. */
static void S_cut(S_page *pg, cmark_node *doc, cmark_parser *parser) {
  pd_buf *to = &pg->verdict;
  for (cmark_node *n = cmark_node_first_child(doc); n; n = cmark_node_next(n)) {
    if (cmark_node_get_type(n) == CMARK_NODE_HEADING && cmark_node_get_heading_level(n) == 1 &&
        to == &pg->verdict && !pg->verdict.len)
      continue;
    if (cmark_node_get_type(n) == CMARK_NODE_HEADING && to == &pg->verdict) to = &pg->content;
    if (S_heading_is(n, "Method")) to = &pg->method;
    S_render(to, n, parser, CMARK_OPT_UNSAFE);
  }
}

/* Where each graph goes: what changed first (timeline, growth, differential,
 * memory), the snapshots' own flame graphs after the tables. */
static int S_rank(const pd_report_file *f) {
  if (f->kind == PD_REPORT_GRAPH_TIMELINE) return 0;
  if (f->kind == PD_REPORT_GRAPH_MEMORY) return 3;
  if (f->mode == PD_FLAME_GROWTH) return 1;
  if (f->mode == PD_FLAME_DIFF) return 2;
  return f->col == PD_SCOL_LAST ? 4 : 5;
}

static void S_plan(S_page *pg) {
  const pd_report_parts *h = pg->h;
  size_t n = h && h->graph && h->graphs ? h->ngraphs : 0;
  if (n > 8) n = 8;
  size_t k = 0;
  pg->ngraphs = n;
  for (int r = 0; r <= 5; r++)
    for (size_t i = 0; i < n; i++)
      if (S_rank(&h->graphs[i]) == r) {
        if (r < 4) pg->nlead = k + 1;
        pg->order[k++] = i;
      }
}

/* The gates as a badge a reader sees before anything else. */
static void S_badge(pd_buf *out, const pd_report_config *o) {
  uint32_t failed = 0;
  for (size_t i = 0; i < o->ngates; i++) failed += o->gates[i].failed != 0;
  if (!o->ngates) {
    pd_buf_puts(out, "<p class=\"gate none\"><strong>NO GATES</strong> no <code>--fail-on</code> was given: "
                     "nothing to pass or fail</p>\n");
    return;
  }
  if (failed)
    pd_buf_printf(out, "<p class=\"gate fail\"><strong>FAIL</strong> %u of %zu gate%s failed:", failed, o->ngates,
                  o->ngates == 1 ? "" : "s");
  else
    pd_buf_printf(out, "<p class=\"gate pass\"><strong>PASS</strong> %s%zu gate%s passed:", o->ngates == 1 ? "the " : "all ",
                  o->ngates, o->ngates == 1 ? "" : "s");
  for (size_t i = 0, k = 0; i < o->ngates; i++) {
    const pd_gate *g = &o->gates[i];
    if (failed && !g->failed) continue;
    pd_buf_puts(out, k++ ? "; " : " ");
    S_code_html(out, g->expr, strlen(g->expr));
    if (g->detail[0]) {
      pd_buf_puts(out, " (");
      pd_esc_xml(out, g->detail, strlen(g->detail));
      pd_buf_puts(out, ")");
    }
  }
  pd_buf_puts(out, "</p>\n");
}

/* In-page links to every figure (not to the .svg files, which do not
 * travel with the page) and to the tables. */
static void S_nav(pd_buf *out, const S_page *pg) {
  size_t n = pg->ngraphs;
  if (!n) return;
  pd_buf_puts(out, "<nav class=\"figures\" aria-label=\"figures\">Figures:");
  for (size_t k = 0; k <= n; k++) {
    if (k == pg->nlead) pd_buf_puts(out, k ? " \xc2\xb7 <a href=\"#functions\">Functions</a>" : " <a href=\"#functions\">Functions</a>");
    if (k == n) break;
    const pd_report_file *f = &pg->h->graphs[pg->order[k]];
    pd_buf_printf(out, "%s<a href=\"#fig-%s\">", k || pg->nlead == 0 ? " \xc2\xb7 " : " ", f->id);
    pd_esc_xml(out, f->caption, strlen(f->caption));
    pd_buf_puts(out, "</a>");
  }
  pd_buf_puts(out, " \xc2\xb7 <a href=\"#method\">Method</a></nav>\n");
}

/* One graph as a <figure>, drawn inline and written out at once (a large
 * profile's flame graph is megabytes: one is in memory at a time). */
static int S_figure(pd_buf *out, const S_page *pg, size_t i, pd_buf *svg, pd_err *err) {
  const pd_report_parts *h = pg->h;
  const pd_report_file *f = &h->graphs[i];
  pd_buf prefix = PD_BUF_INIT;
  pd_buf_printf(&prefix, "%s-", f->id);
  pd_report_drawn drawn;
  memset(&drawn, 0, sizeof drawn);
  int rc = h->graph(h->ctx, i, prefix.data, svg, &drawn, err);
  pd_buf_free(&prefix);
  if (rc != PD_OK) return rc;
  pd_buf_printf(out, "<figure id=\"fig-%s\" class=\"%s\">\n", f->id,
                f->kind == PD_REPORT_GRAPH_FLAME ? "flame" : "chart");
  pd_buf_put(out, svg->data ? svg->data : "", svg->len);
  pd_buf_spill(out);
  pd_buf_puts(out, "<figcaption>");
  pd_buf_puts(out, "<strong>");
  pd_esc_xml(out, f->caption, strlen(f->caption));
  pd_buf_puts(out, "</strong>");
  if (f->kind == PD_REPORT_GRAPH_FLAME) {
    const pd_snapinfo *ref = &pg->s->snap[pg->s->order[0]];
    if (f->mode != PD_FLAME_PLAIN) {
      pd_buf_puts(out, "<span class=\"legend\">");
      pd_render_change_legend(out, drawn.max_change, ref->unit,
                              f->mode == PD_FLAME_GROWTH ? (pg->s->has_times ? "/h" : "/snapshot") : NULL);
      pd_buf_puts(out, f->mode == PD_FLAME_DIFF
                           ? " Width: the last snapshot. Colour: each frame's own (self) change, red grew, blue "
                             "shrank, grey unchanged, darker for more."
                           : " Width: the last snapshot. Colour: each frame's own (self) growth rate, red growing, "
                             "blue shrinking, grey flat, darker for faster.");
      pd_buf_puts(out, "</span>");
    }
    pd_buf_puts(out, "<span class=\"how\">Click a frame to zoom, Search to highlight frames by regular expression, "
                     "hover for a frame's figures.</span>");
  }
  pd_buf_puts(out, "</figcaption>\n</figure>\n");
  pd_buf_spill(out);
  return PD_OK;
}

static int S_figures(pd_buf *out, const S_page *pg, size_t from, size_t to, pd_err *err) {
  pd_buf svg = PD_BUF_INIT;
  int rc = PD_OK;
  for (size_t k = from; k < to && rc == PD_OK; k++) rc = S_figure(out, pg, pg->order[k], &svg, err);
  pd_buf_free(&svg);
  return rc;
}

/* ---- the template -------------------------------------------------------------- */

/* needle in hay[0..n), or NULL: a template part is not NUL-terminated. */
static const char *S_find(const char *hay, size_t n, const char *needle, size_t k) {
  for (size_t i = 0; k <= n && i <= n - k; i++)
    if (hay[i] == needle[0] && memcmp(hay + i, needle, k) == 0) return hay + i;
  return NULL;
}

typedef struct {
  const char *name;
  const pd_buf *text; /* the value, or NULL: drawn (figures, graphs) */
} S_slot;

/* Fills the {{name}} placeholders of tpl[0..len); unknown ones are left as
 * they are. {{figures}} and {{graphs}} are drawn as they are reached. */
static int S_fill(pd_buf *out, const char *tpl, size_t len, const S_slot *slots, size_t n, const S_page *pg,
                  pd_err *err) {
  const char *p = tpl, *end = tpl + len;
  while (p < end) {
    const char *open = S_find(p, (size_t)(end - p), "{{", 2);
    const char *close = open ? S_find(open, (size_t)(end - open), "}}", 2) : NULL;
    if (!close) {
      pd_buf_put(out, p, (size_t)(end - p));
      break;
    }
    pd_buf_put(out, p, (size_t)(open - p));
    size_t i, nlen = (size_t)(close - open - 2);
    for (i = 0; i < n; i++)
      if (strlen(slots[i].name) == nlen && strncmp(open + 2, slots[i].name, nlen) == 0) break;
    if (i == n) { /* not ours: leave it */
      pd_buf_put(out, open, 2);
      p = open + 2;
      continue;
    }
    if (slots[i].text) {
      pd_buf_put(out, slots[i].text->data ? slots[i].text->data : "", slots[i].text->len);
    } else if (pg) {
      int lead = strcmp(slots[i].name, "figures") == 0;
      if (S_figures(out, pg, lead ? 0 : pg->nlead, lead ? pg->nlead : pg->ngraphs, err) != PD_OK)
        return PD_ERR;
    }
    pd_buf_spill(out);
    p = close + 2;
  }
  return PD_OK;
}

/* report.html's Content-Security-Policy allows the scripts whose SHA-256
 * the page lists and no others ('unsafe-inline' would let any injected
 * <script> run): each <script> of the template as it will be written, its
 * placeholders filled. */
static void S_hash(pd_buf *csp, const char *text, size_t len) {
  uint8_t digest[32];
  pd_sha256(text, len, digest);
  if (csp->len) pd_buf_putc(csp, ' ');
  pd_buf_puts(csp, "'sha256-");
  pd_buf_base64(csp, digest, sizeof digest);
  pd_buf_putc(csp, '\'');
}

static int S_script_hashes(pd_buf *csp, const pd_buf *tpl, const S_slot *slots, size_t n, pd_err *err) {
  const char *p = tpl->data ? tpl->data : "", *end = p + tpl->len;
  pd_buf body = PD_BUF_INIT;
  int rc = PD_OK;
  while (p < end && rc == PD_OK) {
    const char *open = S_find(p, (size_t)(end - p), "<script", 7);
    const char *gt = open ? memchr(open, '>', (size_t)(end - open)) : NULL;
    const char *close = gt ? S_find(gt, (size_t)(end - gt), "</script", 8) : NULL;
    if (!close) break;
    pd_buf_truncate(&body, 0);
    rc = S_fill(&body, gt + 1, (size_t)(close - gt - 1), slots, n, NULL, err);
    /* a script that holds "</script" would end its element early and
     * leave the rest of it as page text */
    if (rc == PD_OK && body.len && S_find(body.data, body.len, "</script", 8))
      rc = pd_fail(err, "report.html: a script of the template holds \"</script\"");
    S_hash(csp, body.data ? body.data : "", body.len);
    p = close + 8;
  }
  if (!csp->len) pd_buf_puts(csp, "'none'");
  pd_buf_free(&body);
  return rc;
}

int pd_report_html(pd_buf *out, const pd_series *s, const pd_report_config *o,
                   const pd_report_parts *h, pd_err *err) {
  pd_buf tpl = PD_BUF_INIT, style = PD_BUF_INIT, script = PD_BUF_INIT, graph_script = PD_BUF_INIT;
  if (pd_template_get("report.html", o->template_dir, &tpl, err) != PD_OK ||
      pd_template_get("report.css", o->template_dir, &style, err) != PD_OK ||
      pd_template_get("report.js", o->template_dir, &script, err) != PD_OK) {
    pd_buf_free(&tpl);
    pd_buf_free(&style);
    pd_buf_free(&script);
    return PD_ERR;
  }
  S_page pg;
  memset(&pg, 0, sizeof pg);
  pg.s = s;
  pg.o = o;
  pg.h = h;
  S_plan(&pg);
  if (h && h->ngraphs && h->graph_script) pd_buf_puts(&graph_script, h->graph_script);
  pd_buf title = PD_BUF_INIT, notes = PD_BUF_INIT, version = PD_BUF_INIT, csp = PD_BUF_INIT,
         badge = PD_BUF_INIT, nav = PD_BUF_INIT;
  const char *t = o->title ? o->title : "profdiff report";
  pd_esc_xml(&title, t, strlen(t));
  pd_esc_xml(&version, o->version ? o->version : "", o->version ? strlen(o->version) : 0);
  S_badge(&badge, o);
  S_nav(&nav, &pg);
  cmark_parser *parser;
  if (o->notes) {
    cmark_node *doc = S_parse(o->notes, strlen(o->notes), &parser);
    pd_buf_puts(&notes, "<section class=\"notes\">\n");
    S_render(&notes, doc, parser, CMARK_OPT_DEFAULT); /* safe: raw HTML omitted */
    pd_buf_puts(&notes, "</section>\n");
    cmark_node_free(doc);
    cmark_parser_free(parser);
  }
  /* the report itself, without the notes (rendered above) and without the
   * list of graph files (the page has them inline, and links to them) */
  pd_report_config body = *o;
  body.notes = NULL;
  pd_report_parts mdparts;
  memset(&mdparts, 0, sizeof mdparts);
  if (h) mdparts = *h;
  mdparts.links = NULL;
  mdparts.nlinks = 0;
  mdparts.html = 1;
  pd_buf md = PD_BUF_INIT;
  pd_report_markdown(&md, s, &body, &mdparts);
  cmark_node *doc = S_parse(md.data, md.len, &parser);
  S_no_raw_html(doc);
  if (h && h->sparkline_dir && h->sparkline) S_inline_sparklines(doc, h->sparkline_dir, h->sparkline, h->ctx);
  S_wrap_code(doc);
  S_cut(&pg, doc, parser);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  pd_buf_free(&md);
  const S_slot slots[] = {{"title", &title},     {"style", &style},       {"script", &script},
                          {"graph_script", &graph_script},                {"notes", &notes},
                          {"badge", &badge},     {"verdict", &pg.verdict}, {"nav", &nav},
                          {"figures", NULL},     {"content", &pg.content}, {"graphs", NULL},
                          {"method", &pg.method}, {"version", &version},  {"script_hashes", &csp}};
  size_t nslots = sizeof slots / sizeof slots[0];
  int rc = S_script_hashes(&csp, &tpl, slots, nslots, err);
  if (rc == PD_OK) rc = S_fill(out, tpl.data ? tpl.data : "", tpl.len, slots, nslots, &pg, err);
  pd_buf *all[] = {&tpl,   &style, &script, &graph_script, &title, &notes, &version, &csp,
                   &badge, &nav,   &pg.verdict, &pg.content, &pg.method};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pd_buf_free(all[i]);
  return rc;
}
