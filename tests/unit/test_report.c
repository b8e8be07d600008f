/* test_report.c: each report writer (JSON, Markdown, HTML, JUnit) and the
 * entry point pd_report_write on small hand-built series whose figures are
 * known by construction. Output is parsed (a strict JSON checker here,
 * libxml2 for HTML and XML), not compared with golden bytes, so that a
 * change of wording does not break them but a broken document does. */
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "analyse/gates.h"
#include "analyse/series.h"
#include "report/report.h"

#define MIN_NS 60000000000LL
#define HOSTILE "evil<script>alert(1)</script>|`x`\x1b[2J"

/* n snapshots a minute apart: main.leak grows 4 MB a minute, main.base holds
 * 50 MB, the hostile name grows 1 MB a minute, main.gone leaves after the
 * first. */
static void S_series(pd_series *s, uint32_t n) {
  const char *names[] = {"main.leak", "main.base", HOSTILE, "main.gone"};
  pd_series_init(s, n, 0, NULL);
  for (uint32_t i = 0; i < n; i++) {
    double v[] = {4e6 * (i + 1), 50e6, 1e6 * (i + 1), i == 0 ? 8e6 : 0};
    pd_test_series_add(s, i, 1700000000000000000LL + (long long)i * MIN_NS, names, v, 4, 1e9);
  }
  pd_err err;
  CHECK_MSG(pd_series_finish(s, &err) == PD_OK, "%s", err.msg);
}

static pd_report_config S_config(void) {
  pd_report_config c;
  memset(&c, 0, sizeof c);
  c.version = "test";
  c.title = "unit <title>";
  c.max_rows = 20;
  return c;
}

/* ---- a strict JSON checker (RFC 8259; depth bounded by our own output) ---- */

static const char *S_ws(const char *p) {
  while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') p++;
  return p;
}

static const char *S_value(const char *p, int depth);

static const char *S_string(const char *p) {
  if (*p++ != '"') return NULL;
  for (;;) {
    unsigned char c = (unsigned char)*p++;
    if (c == '"') return p;
    if (c < 0x20) return NULL;
    if (c != '\\') continue;
    c = (unsigned char)*p++;
    if (c == 'u') {
      for (int i = 0; i < 4; i++, p++)
        if (!strchr("0123456789abcdefABCDEF", *p) || !*p) return NULL;
    } else if (!strchr("\"\\/bfnrt", c) || !c) {
      return NULL;
    }
  }
}

static const char *S_number(const char *p) {
  const char *start = p;
  if (*p == '-') p++;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
  else return NULL;
  if (*p == '.') {
    if (*++p < '0' || *p > '9') return NULL;
    while (*p >= '0' && *p <= '9') p++;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (*p < '0' || *p > '9') return NULL;
    while (*p >= '0' && *p <= '9') p++;
  }
  return p > start ? p : NULL;
}

static const char *S_items(const char *p, int depth, char close, int keyed) {
  p = S_ws(p + 1);
  if (*p == close) return p + 1;
  for (;;) {
    if (keyed) {
      if (!(p = S_string(S_ws(p)))) return NULL;
      p = S_ws(p);
      if (*p++ != ':') return NULL;
    }
    if (!(p = S_value(p, depth + 1))) return NULL;
    p = S_ws(p);
    if (*p == close) return p + 1;
    if (*p++ != ',') return NULL;
  }
}

static const char *S_value(const char *p, int depth) {
  if (depth > 64) return NULL;
  p = S_ws(p);
  if (*p == '{') return S_items(p, depth, '}', 1);
  if (*p == '[') return S_items(p, depth, ']', 0);
  if (*p == '"') return S_string(p);
  if (strncmp(p, "true", 4) == 0) return p + 4;
  if (strncmp(p, "false", 5) == 0) return p + 5;
  if (strncmp(p, "null", 4) == 0) return p + 4;
  return S_number(p);
}

static int S_json_valid(const pd_buf *b) {
  if (!b->data || memchr(b->data, 0, b->len)) return 0;
  const char *end = S_value(b->data, 0);
  return end && *S_ws(end) == 0;
}

/* ---- libxml2 ------------------------------------------------------------- */

static int S_xpath_count(xmlDocPtr doc, const char *xpath) {
  xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
  xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
  int n = r && r->nodesetval ? r->nodesetval->nodeNr : -1;
  xmlXPathFreeObject(r);
  xmlXPathFreeContext(ctx);
  return n;
}

/* ---- the writers ---------------------------------------------------------- */

PD_TEST(json_is_valid_and_escapes_names) {
  pd_series s;
  S_series(&s, 5);
  pd_report_config c = S_config();
  pd_buf b = PD_BUF_INIT;
  pd_report_json(&b, &s, &c);
  CHECK(S_json_valid(&b));
  CHECK(strstr(b.data, "\"profdiff_version\":\"test\"") || strstr(b.data, "\"profdiff_version\": \"test\""));
  CHECK(strstr(b.data, "main.leak") && strstr(b.data, "main.gone"));
  CHECK(!strstr(b.data, "<script>") && !strstr(b.data, "\x1b"));
  CHECK(strstr(b.data, "\"suspects\":[\"main.leak\""));
  pd_buf_free(&b);
  pd_series_free(&s);
}

/* A program of n functions "pkg.fNNNN" over snaps snapshots a minute
 * apart, function i holding value(i, k) in snapshot k. */
static void S_many(pd_series *s, int n, uint32_t snaps, double (*value)(int i, uint32_t k), double period) {
  char (*names)[32] = malloc((size_t)n * sizeof *names);
  const char **np = malloc((size_t)n * sizeof *np);
  double *v = malloc((size_t)n * sizeof *v);
  for (int i = 0; i < n; i++) {
    snprintf(names[i], sizeof names[i], "pkg.f%04d", i);
    np[i] = names[i];
  }
  pd_series_init(s, snaps, 0, NULL);
  for (uint32_t k = 0; k < snaps; k++) {
    for (int i = 0; i < n; i++) v[i] = value(i, k);
    pd_test_series_add(s, k, 1700000000000000000LL + (long long)k * MIN_NS, np, v, (uint32_t)n, period);
  }
  pd_err err;
  CHECK_MSG(pd_series_finish(s, &err) == PD_OK, "%s", err.msg);
  free(names);
  free(np);
  free(v);
}

static size_t S_count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) n++;
  return n;
}

/* A program of many functions: report.json carries every function's
 * summary, but per-snapshot values only for the ones that matter (the
 * suspects, the largest, the changed beyond the noise; at most
 * PD_JSON_VALUES_MAX) unless --json-detail says otherwise. */
/* f0000 leaks, f0001..f0199 grow a little (beyond the noise), the rest hold */
static double S_detail_value(int i, uint32_t k) { return i == 0 ? 50e6 * (k + 1) : i < 200 ? 1e6 * (1 + 0.5 * k) : 1e6; }

PD_TEST(json_detail_keeps_values_for_the_functions_that_matter) {
  enum { N = 500 };
  pd_series s;
  S_many(&s, N, 6, S_detail_value, 1e3);
  pd_report_config c = S_config();
  pd_buf b = PD_BUF_INIT;
  pd_report_json(&b, &s, &c);
  CHECK(S_json_valid(&b));
  CHECK(S_count(b.data, "{\"name\":") == N);
  CHECK_MSG(S_count(b.data, "\"flat\":[") == PD_JSON_VALUES_MAX, "%zu", S_count(b.data, "\"flat\":["));
  CHECK(S_count(b.data, "\"cum\":[") == PD_JSON_VALUES_MAX);
  CHECK(strstr(b.data, "\"detail\":\"default\""));
  CHECK(strstr(b.data, "\"functions_with_values\":100"));
  /* the suspect is first and carries its values */
  CHECK(strstr(b.data, "{\"name\":\"pkg.f0000\",\"flat\":["));
  pd_buf_truncate(&b, 0);
  c.json_detail = PD_JSON_DETAIL_FULL;
  pd_report_json(&b, &s, &c);
  CHECK(S_json_valid(&b));
  CHECK(S_count(b.data, "\"flat\":[") == N);
  pd_buf_truncate(&b, 0);
  c.json_detail = PD_JSON_DETAIL_SUMMARY;
  pd_report_json(&b, &s, &c);
  CHECK(S_json_valid(&b));
  CHECK(S_count(b.data, "\"flat\":[") == 0 && S_count(b.data, "{\"name\":") == N);
  pd_json_detail d;
  CHECK(pd_json_detail_parse("full", &d) == PD_OK && d == PD_JSON_DETAIL_FULL);
  CHECK(pd_json_detail_parse("all", &d) == PD_ERR);
  pd_buf_free(&b);
  pd_series_free(&s);
}

/* In every GFM table the rows have as many cell separators as the header:
 * a name's '|' cannot add a cell. */
static int S_tables_square(const char *md) {
  int header = -1;
  for (const char *line = md; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
    if (line[0] != '|') {
      header = -1;
      continue;
    }
    int cells = 0;
    for (const char *p = line; *p && *p != '\n'; p++)
      if (*p == '|' && (p == line || p[-1] != '\\')) cells++;
    if (header < 0) header = cells;
    else if (cells != header) return 0;
  }
  return 1;
}

/* report.md of S_series(snaps), written on its own (no parts). */
static void S_markdown_of(pd_series *s, uint32_t snaps, pd_buf *b) {
  S_series(s, snaps);
  pd_report_config c = S_config();
  pd_report_markdown(b, s, &c, NULL);
}

PD_TEST(markdown_names_cannot_break_tables) {
  pd_series s;
  pd_buf b = PD_BUF_INIT;
  S_markdown_of(&s, 5, &b);
  CHECK(b.len > 0 && b.len < 65536);
  CHECK(strstr(b.data, "main.leak") != NULL);
  CHECK(S_tables_square(b.data));
  CHECK(!strstr(b.data, "\x1b")); /* <script> may stand inside a code span */
  CHECK(!strstr(b.data, "](")); /* on its own, no links to files it did not write */
  pd_buf_free(&b);
  pd_series_free(&s);
}

/* The largest number of cells in any table row (a row "| a | b |" has 2). */
static int S_max_columns(const char *md) {
  int most = 0;
  for (const char *line = md; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
    if (line[0] != '|') continue;
    int cells = -1;
    for (const char *p = line; *p && *p != '\n'; p++)
      if (*p == '|' && (p == line || p[-1] != '\\')) cells++;
    if (cells > most) most = cells;
  }
  return most;
}

/* How many table rows (not headers) name `name` as their function. */
static int S_rows_naming(const char *md, const char *name) {
  char cell[128];
  snprintf(cell, sizeof cell, "| `%s` |", name);
  return (int)S_count(md, cell);
}

/* report.md as a pull-request comment: the verdict first, the marker,
 * <details> blocks, six columns, no link without --link-base, absolute ones
 * with it, each function in one table. */
PD_TEST(markdown_reads_as_a_comment) {
  pd_series s;
  S_series(&s, 5);
  pd_gate g;
  pd_err err;
  memset(&g, 0, sizeof g);
  CHECK(pd_gate_parse("total>10%", &g, &err) == PD_OK);
  CHECK(pd_gates_eval(&g, 1, &s, &err) == 1);
  pd_report_config c = S_config();
  c.gates = &g;
  c.ngates = 1;
  c.comment_id = "heap";
  c.formats = PD_REPORT_MD | PD_REPORT_SVG | PD_REPORT_HTML;
  pd_report_link links[] = {{"Differential flame graph", "diff.svg"}};
  uint8_t used[8] = {0};
  pd_report_parts p;
  memset(&p, 0, sizeof p);
  p.sparkline_dir = "sparklines";
  p.sparkline_used = used;
  p.links = links;
  p.nlinks = 1;
  pd_buf b = PD_BUF_INIT;
  pd_report_markdown(&b, &s, &c, &p);
  CHECK_MSG(strncmp(b.data, "### \xe2\x9d\x8c FAIL \xc2\xb7 ", 14) == 0, "%.60s", b.data);
  CHECK(strstr(b.data, "leak suspect `main.leak`") != NULL);
  CHECK(strstr(b.data, "\n<!-- profdiff:heap -->\n") != NULL);
  CHECK(S_count(b.data, "<details><summary>") == S_count(b.data, "</details>") && S_count(b.data, "</details>") >= 1);
  CHECK_MSG(S_max_columns(b.data) <= 6, "%d columns", S_max_columns(b.data));
  CHECK(S_tables_square(b.data));
  CHECK(!strstr(b.data, "](")); /* no --link-base: no links at all */
  CHECK(strstr(b.data, "`diff.svg`") != NULL);
  CHECK(used[0] == 0);
  CHECK(S_rows_naming(b.data, "main.leak") == 1 && S_rows_naming(b.data, "main.gone") <= 1);
  /* --link-base: absolute links, escaped; the sparklines linked are marked */
  c.link_base = "https://ci.example.org/run 7/(x)/";
  pd_buf_truncate(&b, 0);
  pd_report_markdown(&b, &s, &c, &p);
  CHECK(strstr(b.data, "](https://ci.example.org/run%207/%28x%29/diff.svg)") != NULL);
  CHECK(strstr(b.data, "](https://ci.example.org/run%207/%28x%29/sparklines/f00000.svg)") != NULL);
  CHECK(strstr(b.data, "](https://ci.example.org/run%207/%28x%29/report.html)") != NULL);
  CHECK(used[0] == 1);
  CHECK(S_count(b.data, "](") == S_count(b.data, "](https://ci.example.org/run%207/%28x%29/"));
  /* for report.html: a # title, ### sections, no raw HTML */
  p.html = 1;
  pd_buf_truncate(&b, 0);
  pd_report_markdown(&b, &s, &c, &p);
  CHECK(strncmp(b.data, "# unit \\<title\\>\n", 17) == 0);
  CHECK(!strstr(b.data, "<details") && !strstr(b.data, "<!--") && strstr(b.data, "\n### Method\n"));
  CHECK(strstr(b.data, "](sparklines/f00000.svg)") != NULL);
  pd_buf_free(&b);
  pd_series_free(&s);
  CHECK(pd_report_comment_id_valid("heap-cpu_2.x") && !pd_report_comment_id_valid("x -->") &&
        !pd_report_comment_id_valid(""));
}

/* Two snapshots are a change, not a trend: no rate or trend column, no
 * trend word; a function whose value held is in no table though its share
 * moved. */
PD_TEST(markdown_pair_has_no_trend) {
  pd_series s;
  pd_buf b = PD_BUF_INIT;
  S_markdown_of(&s, 2, &b);
  CHECK(strstr(b.data, "| Function | Before | After |") != NULL);
  CHECK(!strstr(b.data, "Rate") && !strstr(b.data, "Slope") && !strstr(b.data, "Trend"));
  const char *words[] = {"growing", "plateau", "shrinking", "stable", "steadily"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) CHECK_MSG(!strstr(b.data, words[i]), "%s", words[i]);
  CHECK(S_rows_naming(b.data, "main.base") == 0);
  CHECK(S_rows_naming(b.data, "main.leak") == 1);
  pd_buf_free(&b);
  pd_series_free(&s);
}

static double S_all_grow(int i, uint32_t k) { return 1e6 * (1 + k * (1 + i % 7)); }

PD_TEST(markdown_stays_under_the_comment_limit) {
  /* 3,000 functions that all grow: the tables are cut and the cut is said */
  pd_series s;
  S_many(&s, 3000, 3, S_all_grow, 1e6);
  pd_report_config c = S_config();
  c.max_rows = 100000;
  pd_buf b = PD_BUF_INIT;
  pd_report_markdown(&b, &s, &c, NULL);
  CHECK_MSG(b.len < 65536, "%zu bytes", b.len);
  CHECK(strstr(b.data, "not shown") != NULL);
  CHECK(S_tables_square(b.data));
  /* notes longer than a comment holds give way to a line saying so */
  size_t n = 200000;
  char *notes = malloc(n + 1);
  for (size_t i = 0; i < n; i++) notes[i] = i % 80 == 79 ? '\n' : 'x';
  notes[n] = 0;
  c.notes = notes;
  pd_buf_truncate(&b, 0);
  pd_report_markdown(&b, &s, &c, NULL);
  CHECK_MSG(b.len < 65536, "%zu bytes", b.len);
  CHECK(strstr(b.data, "do not fit in a comment") != NULL && strstr(b.data, "| `pkg.f") != NULL);
  free(notes);
  pd_buf_free(&b);
  pd_series_free(&s);
}

PD_TEST(html_parses_and_injects_nothing) {
  pd_series s;
  S_series(&s, 5);
  pd_report_config c = S_config();
  c.notes = "Our notes <script>alert(2)</script> with **bold**.\n";
  pd_buf b = PD_BUF_INIT;
  pd_err err;
  CHECK_MSG(pd_report_html(&b, &s, &c, NULL, &err) == PD_OK, "%s", err.msg);
  htmlDocPtr doc = htmlReadMemory(b.data, (int)b.len, "report.html", "UTF-8",
                                  HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  CHECK(doc != NULL);
  if (doc) {
    CHECK(S_xpath_count(doc, "//title[contains(., 'unit <title>')]") == 1);
    CHECK(S_xpath_count(doc, "//script[contains(., 'alert(')]") == 0);
    CHECK(S_xpath_count(doc, "//code[contains(., 'evil<script>')]") >= 1);
    CHECK(S_xpath_count(doc, "//strong[. = 'bold']") == 1);
    CHECK(S_xpath_count(doc, "//table") >= 1);
    xmlFreeDoc(doc);
  }
  pd_buf_free(&b);
  pd_series_free(&s);
}

PD_TEST(junit_has_one_case_per_gate) {
  pd_series s;
  S_series(&s, 5);
  pd_gate g[2];
  pd_err err;
  memset(g, 0, sizeof g);
  CHECK(pd_gate_parse("total>10%", &g[0], &err) == PD_OK);
  CHECK(pd_gate_parse("share>90", &g[1], &err) == PD_OK);
  CHECK(pd_gates_eval(g, 2, &s, &err) == 1);
  pd_report_config c = S_config();
  c.gates = g;
  c.ngates = 2;
  pd_buf b = PD_BUF_INIT;
  CHECK_MSG(pd_report_junit(&b, &s, &c, &err) == PD_OK, "%s", err.msg);
  xmlDocPtr doc = xmlReadMemory(b.data, (int)b.len, "junit.xml", NULL, XML_PARSE_NONET);
  CHECK(doc != NULL);
  if (doc) {
    CHECK(S_xpath_count(doc, "//testcase") == 2);
    CHECK(S_xpath_count(doc, "//testcase/failure") == 1);
    CHECK(S_xpath_count(doc, "//testcase[@name='total>10%']/failure") == 1);
    xmlFreeDoc(doc);
  }
  pd_buf_free(&b);
  pd_series_free(&s);
}

PD_TEST(write_publishes_the_formats_asked_for) {
  char dir[] = "/tmp/pd-unit-report-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  pd_series s;
  S_series(&s, 3);
  pd_report_config c = S_config();
  char out[256];
  snprintf(out, sizeof out, "%s/r", dir);
  c.dir = out;
  c.formats = PD_REPORT_JSON | PD_REPORT_MD;
  pd_err err;
  CHECK_MSG(pd_report_write(&s, &c, &err) == PD_OK, "%s", err.msg);
  struct stat st;
  char path[300];
  snprintf(path, sizeof path, "%s/report.json", out);
  CHECK(stat(path, &st) == 0 && st.st_size > 0);
  snprintf(path, sizeof path, "%s/report.md", out);
  CHECK(stat(path, &st) == 0 && st.st_size > 0);
  snprintf(path, sizeof path, "%s/report.html", out);
  CHECK(stat(path, &st) != 0);
  /* a directory that cannot be made: an error, nothing written */
  snprintf(path, sizeof path, "%s/report.md/sub", out);
  c.dir = path;
  CHECK(pd_report_write(&s, &c, &err) == PD_ERR);
  CHECK(strstr(err.msg, "report.md") != NULL);
  snprintf(path, sizeof path, "rm -rf '%s'", dir);
  CHECK(system(path) == 0);
  pd_series_free(&s);
}

static const pd_test_case S_cases[] = {
    {"json_is_valid_and_escapes_names", json_is_valid_and_escapes_names},
    {"json_detail_keeps_values_for_the_functions_that_matter", json_detail_keeps_values_for_the_functions_that_matter},
    {"markdown_names_cannot_break_tables", markdown_names_cannot_break_tables},
    {"markdown_stays_under_the_comment_limit", markdown_stays_under_the_comment_limit},
    {"markdown_reads_as_a_comment", markdown_reads_as_a_comment},
    {"markdown_pair_has_no_trend", markdown_pair_has_no_trend},
    {"html_parses_and_injects_nothing", html_parses_and_injects_nothing},
    {"junit_has_one_case_per_gate", junit_has_one_case_per_gate},
    {"write_publishes_the_formats_asked_for", write_publishes_the_formats_asked_for},
    {NULL, NULL}};
const pd_test_suite pd_suite_report = {"report", S_cases};
