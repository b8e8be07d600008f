/* test_render.c: flame graph layout and drawing, palettes, small charts, and
 * the tree helpers they stand on. SVG output is parsed with libxml2: a
 * graph that is not well-formed XML fails here before any browser sees it. */
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdlib.h>

#include "render/render.h"
#include "test.h"

/* Parses svg and evaluates an XPath count (SVG namespace bound to "s");
 * -1 when the document is not well-formed. */
static double S_count(const pd_buf *svg, const char *xpath) {
  xmlDocPtr doc = xmlReadMemory(svg->data, (int)svg->len, "t.svg", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (!doc) return -1;
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathRegisterNs(ctx, (const xmlChar *)"s", (const xmlChar *)"http://www.w3.org/2000/svg");
  xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
  double v = r && r->type == XPATH_NUMBER ? r->floatval : -2;
  xmlXPathFreeObject(r);
  xmlXPathFreeContext(ctx);
  xmlFreeDoc(doc);
  return v;
}

/* The fill of the frame whose title starts with name. */
static void S_fill(const pd_buf *svg, const char *name, char out[8]) {
  char pat[256];
  snprintf(pat, sizeof pat, "<title>%s (", name);
  const char *p = strstr(svg->data, pat);
  out[0] = 0;
  if (!p) return;
  p = strstr(p, "fill=\"");
  if (p) memcpy(out, p + 6, 7), out[7] = 0;
}

static int S_hex(const char *c, int i) {
  char two[3] = {c[1 + 2 * i], c[2 + 2 * i], 0};
  return (int)strtol(two, NULL, 16);
}

/* main -> {alloc 60, parse -> {alloc 30}, tiny 0.001}, head and base columns */
typedef struct {
  pd_intern keys;
  pd_tree t;
  uint32_t k_main, k_alloc, k_parse, k_tiny;
} S_fixture;

static void S_fixture_init(S_fixture *f) {
  pd_intern_init(&f->keys, 16);
  f->k_main = pd_intern_put(&f->keys, "main", 4);
  f->k_alloc = pd_intern_put(&f->keys, "alloc", 5);
  f->k_parse = pd_intern_put(&f->keys, "parse<T&>", 9);
  f->k_tiny = pd_intern_put(&f->keys, "tiny", 4);
  pd_tree_init(&f->t, 2, 0);
  uint32_t s1[] = {f->k_alloc, f->k_main}, s2[] = {f->k_alloc, f->k_parse, f->k_main}, s3[] = {f->k_tiny, f->k_main};
  uint32_t n1 = pd_tree_insert(&f->t, s1, 2), n2 = pd_tree_insert(&f->t, s2, 3), n3 = pd_tree_insert(&f->t, s3, 2);
  f->t.col[0][n1] = 60, f->t.col[1][n1] = 20; /* grew */
  f->t.col[0][n2] = 30, f->t.col[1][n2] = 50; /* shrank */
  f->t.col[0][n3] = 0.001, f->t.col[1][n3] = 0.001;
}

static void S_fixture_free(S_fixture *f) {
  pd_tree_free(&f->t);
  pd_intern_free(&f->keys);
}

/* sorts by the value's last digit only, so stability is visible */
static int S_by_last_digit(const void *ctx, uint32_t a, uint32_t b) {
  (void)ctx;
  return (int)(a % 10) - (int)(b % 10);
}

PD_TEST(sort_u32_with_context_is_stable) {
  uint32_t a[500];
  for (uint32_t i = 0; i < 500; i++) a[i] = (i * 7919) % 500;
  pd_sort_u32(a, 500, S_by_last_digit, NULL);
  int ok = 1;
  for (uint32_t i = 1; i < 500; i++) {
    if (a[i - 1] % 10 > a[i] % 10) ok = 0;
    /* equal digits keep their input order: (i*7919)%500 for increasing i */
  }
  CHECK(ok);
  /* stability: among values ending in 3, the input order is kept */
  uint32_t in_order[50], n = 0;
  for (uint32_t i = 0; i < 500; i++)
    if (((i * 7919) % 500) % 10 == 3) in_order[n++] = (i * 7919) % 500;
  uint32_t k = 0;
  for (uint32_t i = 0; i < 500; i++)
    if (a[i] % 10 == 3) CHECK(a[i] == in_order[k++]);
  CHECK(k == n && n == 50);
}

PD_TEST(tree_kids_in_name_order_and_reverse) {
  S_fixture f;
  S_fixture_init(&f);
  pd_tree_kids k;
  pd_tree_kids_build(&f.t, &f.keys, &k);
  uint32_t main_node = pd_tree_find(&f.t, 0, f.k_main);
  CHECK(k.start[main_node + 1] - k.start[main_node] == 3);
  const char *names[3];
  for (int i = 0; i < 3; i++) names[i] = pd_intern_str(&f.keys, f.t.key[k.kids[k.start[main_node] + (uint32_t)i]]);
  CHECK_STR(names[0], "alloc");
  CHECK_STR(names[1], "parse<T&>");
  CHECK_STR(names[2], "tiny");
  pd_tree_kids_free(&k);
  /* reversed: alloc at the root, with main and parse above it */
  pd_tree r;
  pd_tree_init(&r, 2, 0);
  pd_tree_reverse(&r, &f.t);
  uint32_t ra = pd_tree_find(&r, 0, f.k_alloc);
  CHECK(ra != PD_NONE);
  pd_val tot[16];
  pd_tree_sum(&r, 0, tot);
  CHECK_NEAR(tot[ra], 90, 1e-9);
  uint32_t rp = pd_tree_find(&r, ra, f.k_parse);
  CHECK(rp != PD_NONE && pd_tree_find(&r, rp, f.k_main) != PD_NONE);
  CHECK_NEAR(tot[0], 90.001, 1e-9);
  pd_tree_free(&r);
  S_fixture_free(&f);
}

PD_TEST(flame_layout_widths_order_and_pruning) {
  S_fixture f;
  S_fixture_init(&f);
  pd_flame_src src = {&f.t, &f.keys, 0, -1, 1, 1, 0, NULL, "h"};
  pd_flame_opts o;
  pd_flame_opts_default(&o);
  o.width = 1020; /* 1000 px to draw in */
  pd_buf svg = PD_BUF_INIT;
  pd_flame_stats st;
  pd_err err;
  CHECK(pd_render_flame(&svg, &src, &o, &st, &err) == PD_OK);
  /* all, main, alloc, parse<T&>, alloc (under parse); tiny is 0.01 px */
  CHECK(st.frames == 5);
  CHECK(st.pruned == 1);
  CHECK_NEAR(st.pruned_value, 0.001, 1e-12);
  CHECK(st.depth == 3);
  CHECK(S_count(&svg, "count(//s:g[@id='frames']/s:g)") == 5);
  /* main spans the whole width; alloc (60 of 90.001) first, then parse */
  CHECK(strstr(svg.data, "<title>main (90, 100.00%)</title><rect x=\"10\"") != NULL);
  CHECK(strstr(svg.data, "<title>alloc (60, 66.67%)</title><rect x=\"10\"") != NULL);
  CHECK(strstr(svg.data, "<title>parse&lt;T&amp;&gt; (30, 33.33%)</title><rect x=\"676.66\"") != NULL);
  CHECK(strstr(svg.data, "frames narrower than 0.1 px not drawn: 0.00% of the total") != NULL);
  /* flame: the root at the bottom; inverted: at the top */
  CHECK(S_count(&svg, "number(//s:g[@id='frames']/s:g[1]/s:rect/@y)") >
        S_count(&svg, "number(//s:g[@id='frames']/s:g[2]/s:rect/@y)"));
  pd_buf_truncate(&svg, 0);
  o.inverted = 1;
  o.min_width = 0;
  CHECK(pd_render_flame(&svg, &src, &o, &st, &err) == PD_OK);
  CHECK(st.frames == 6 && st.pruned == 0);
  double y_root = S_count(&svg, "number(//s:g[@id='frames']/s:g[1]/s:rect/@y)");
  double y_main = S_count(&svg, "number(//s:g[@id='frames']/s:g[2]/s:rect/@y)");
  CHECK(y_root < y_main);
  pd_buf_free(&svg);
  S_fixture_free(&f);
}

PD_TEST(flame_diff_colours_by_own_change) {
  S_fixture f;
  S_fixture_init(&f);
  pd_flame_src src = {&f.t, &f.keys, 0, -1, 1, 1, 0, NULL, "h"};
  pd_flame_opts o;
  pd_flame_opts_default(&o);
  o.mode = PD_FLAME_DIFF;
  o.unit = "bytes";
  pd_buf svg = PD_BUF_INIT;
  pd_flame_stats st;
  pd_err err;
  CHECK(pd_render_flame(&svg, &src, &o, &st, &err) == PD_OK);
  CHECK(S_count(&svg, "count(//s:g[@id='frames']/s:g)") == 5);
  CHECK_NEAR(st.max_change, 40, 1e-9); /* alloc under main: 20 -> 60 */
  char c[8];
  S_fill(&svg, "alloc", c); /* the first alloc is main;alloc: +40, the largest */
  CHECK_STR(c, "#ff0000");
  /* parse itself has no self value: grey; its alloc shrank by 20: blue */
  S_fill(&svg, "parse&lt;T&amp;&gt;", c);
  CHECK_STR(c, "#dcdcdc");
  const char *second = strstr(strstr(svg.data, "<title>parse&lt;"), "<title>alloc (");
  CHECK(second != NULL);
  if (second) {
    const char *fill = strstr(second, "fill=\"") + 6;
    char b[8];
    memcpy(b, fill, 7);
    b[7] = 0;
    CHECK(S_hex(b, 2) > S_hex(b, 0) && S_hex(b, 2) > S_hex(b, 1));
  }
  CHECK(strstr(svg.data, "<title>main (base 70B, head 90B, +20B, +28.57%; self 0; 100.00% of head)") != NULL);
  /* --negate: widths from the base */
  pd_buf_truncate(&svg, 0);
  src.negate = 1;
  CHECK(pd_render_flame(&svg, &src, &o, &st, &err) == PD_OK);
  CHECK_NEAR(st.total, 70.001, 1e-9);
  pd_buf_free(&svg);
  S_fixture_free(&f);
}

PD_TEST(flame_hostile_names_stay_well_formed) {
  static const char *names[] = {
      "<img src=x onerror=alert(1)>", "a]]>b</script><script>alert(1)</script>", "\"quoted\" 'single' & amp",
      "ctl\x01\x1b[31mred\x7f", "bad\xff\xfe utf8 \xc3", "` | backtick ` | pipe", "(paren (inside) name)",
      NULL};
  pd_intern keys;
  pd_intern_init(&keys, 16);
  pd_tree t;
  pd_tree_init(&t, 2, 0);
  char longname[5000];
  memset(longname, 'x', sizeof longname);
  memcpy(longname + 4990, "&lt;&amp;", 9);
  uint32_t root_key = pd_intern_put(&keys, longname, sizeof longname);
  for (int i = 0; names[i]; i++) {
    uint32_t s[] = {pd_intern_put(&keys, names[i], strlen(names[i])), root_key};
    t.col[0][pd_tree_insert(&t, s, 2)] = 10 + i;
  }
  pd_flame_src src = {&t, &keys, 0, -1, 1, 1, 0, NULL, "h"};
  pd_flame_opts o;
  pd_flame_opts_default(&o);
  o.script = "/* script */";
  pd_buf svg = PD_BUF_INIT;
  pd_err err;
  CHECK(pd_render_flame(&svg, &src, &o, NULL, &err) == PD_OK);
  CHECK(S_count(&svg, "count(//s:g[@id='frames']/s:g)") == 9);
  CHECK(S_count(&svg, "count(//s:script)") == 1);
  CHECK(S_count(&svg, "count(//s:img)") == 0);
  CHECK(strstr(svg.data, "\x1b") == NULL);
  /* a script that would close its CDATA section is refused */
  o.script = "x = ']]>';";
  pd_buf_truncate(&svg, 0);
  CHECK(pd_render_flame(&svg, &src, &o, NULL, &err) == PD_ERR);
  CHECK(strstr(err.msg, "CDATA") != NULL);
  pd_buf_free(&svg);
  pd_tree_free(&t);
  pd_intern_free(&keys);
}

PD_TEST(palettes_are_stable_and_package_aware) {
  char a[8], b[8];
  pd_palette_color(PD_PALETTE_HOT, "main.main", 9, a);
  pd_palette_color(PD_PALETTE_HOT, "main.main", 9, b);
  CHECK_STR(a, b);
  CHECK(S_hex(a, 0) >= 205); /* hot: red channel 205..255 */
  pd_palette_color(PD_PALETTE_MEM, "main.main", 9, a);
  CHECK(S_hex(a, 0) == 0 && S_hex(a, 1) >= 190);
  static const struct {
    const char *name, *pkg;
  } cases[] = {{"github.com/acme/svc/pkg.(*T).Method", "github.com/acme/svc/pkg"},
               {"github.com/acme/svc/pkg.Map[...].Get", "github.com/acme/svc/pkg"},
               {"runtime.mallocgc", "runtime"},
               {"main.(*Server).handle", "main"},
               {"std::vector<int>::push_back", "std"},
               {"java.util.HashMap.put", "java.util"},
               {"malloc", "malloc"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = pd_symbol_package(cases[i].name, strlen(cases[i].name));
    CHECK_MSG(n == strlen(cases[i].pkg) && strncmp(cases[i].name, cases[i].pkg, n) == 0, "%s -> %.*s", cases[i].name,
              (int)n, cases[i].name);
  }
  /* one package, one hue: two functions of a package differ only a little */
  pd_palette_color(PD_PALETTE_PACKAGE, "runtime.mallocgc", 16, a);
  pd_palette_color(PD_PALETTE_PACKAGE, "runtime.growslice", 17, b);
  int close = abs(S_hex(a, 0) - S_hex(b, 0)) < 60 && abs(S_hex(a, 1) - S_hex(b, 1)) < 60 && abs(S_hex(a, 2) - S_hex(b, 2)) < 60;
  CHECK(close);
  pd_change_color(0, 10, a);
  CHECK_STR(a, "#dcdcdc");
  pd_change_color(10, 10, a);
  CHECK_STR(a, "#ff0000");
  pd_change_color(-5, 10, a);
  CHECK_STR(a, "#6e6eee");
}

PD_TEST(sparkline_and_chart_are_well_formed) {
  double v[] = {1, 3, NAN, 2, 8};
  pd_buf svg = PD_BUF_INIT;
  pd_render_sparkline(&svg, v, 5, "bytes", "<name>", 6);
  CHECK(S_count(&svg, "count(//s:polyline)") == 2); /* the gap splits the line */
  CHECK(S_count(&svg, "count(//s:circle)") == 2);
  CHECK(strstr(svg.data, "&lt;name&gt;: 1B -> 8B") != NULL);
  pd_buf_truncate(&svg, 0);
  double x[] = {0, 1, 2, 3, 4}, y[] = {10e6, 20e6, 30e6, 5e6, 15e6};
  pd_chart_line line = {"total & <more>", y, "#d62728"};
  double marks[] = {2.5};
  pd_chart c;
  memset(&c, 0, sizeof c);
  c.title = "Total <bytes>";
  c.unit = "bytes";
  c.n = 5;
  c.x = x;
  c.x_is_time = 1;
  c.t0_ns = (int64_t)1763838411 * 1000000000;
  c.lines = &line;
  c.nlines = 1;
  c.marks = marks;
  c.nmarks = 1;
  c.mark_label = "reset";
  pd_render_chart(&svg, &c);
  CHECK(S_count(&svg, "count(//s:polyline)") == 1);
  CHECK(S_count(&svg, "count(//s:line[@stroke-dasharray])") == 1);
  /* y labels are round in the unit shown: 0, 10MB, 20MB, 30MB */
  CHECK(strstr(svg.data, ">10MB<") != NULL && strstr(svg.data, ">30MB<") != NULL);
  CHECK(strstr(svg.data, ">19:06<") != NULL);
  pd_buf_free(&svg);
}

static const pd_test_case S_cases[] = {
    {"sort_u32_with_context_is_stable", sort_u32_with_context_is_stable},
    {"tree_kids_in_name_order_and_reverse", tree_kids_in_name_order_and_reverse},
    {"flame_layout_widths_order_and_pruning", flame_layout_widths_order_and_pruning},
    {"flame_diff_colours_by_own_change", flame_diff_colours_by_own_change},
    {"flame_hostile_names_stay_well_formed", flame_hostile_names_stay_well_formed},
    {"palettes_are_stable_and_package_aware", palettes_are_stable_and_package_aware},
    {"sparkline_and_chart_are_well_formed", sparkline_and_chart_are_well_formed},
    {NULL, NULL}};
const pd_test_suite pd_suite_render = {"render", S_cases};
