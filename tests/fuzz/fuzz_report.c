/* fuzz_report.c: libFuzzer target for the whole `report` pipeline: two or
 * three inputs, each sniffed and read by whichever reader its bytes pick,
 * reduced into one series, analysed, gated, then written by every writer
 * (report.json, report.md, report.html with its graphs and sparklines
 * inline, junit.xml, and every SVG on its own), with hostile notes and a
 * title. What a reader refuses ends the input quietly; a crash, a leak or
 * undefined behaviour anywhere after is a finding.
 *
 * The input: byte 0 picks the options (bit 0: three inputs; bit 1: --base
 * for the first; bits 2-3: the granularity; bit 4: notes; bits 5-7: the
 * gates), bytes 1-3 the length of the first input (little-endian, cut to
 * what is there), and with three inputs the 3 bytes after the first input
 * the second's; the rest is the last input. An input of odd size without
 * --base is read as a series of seven snapshots, the inputs again in turn
 * (the trend tests of a window's parts need six or more points, and the
 * never-freed part is noted as report notes it). tests/fuzz.sh builds seeds of
 * that shape from real profile pairs. The templates are read from
 * templates/ (fuzz.sh runs from the repository root), so report.html is the
 * real page. */
#include <stdio.h>

#include "fuzz.h"

#include "analyse/gates.h"
#include "analyse/series.h"
#include "report/templates.h"

static const char *const S_gates[] = {"total>10%", "function>1MB", "slope>1MB/h", "share>10",
                                      "total>=1", "function>20%", "total > 1.5GiB"};

static size_t S_len(const uint8_t **p, size_t *left) {
  if (*left < 3) {
    *left = 0;
    return 0;
  }
  size_t n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8 | (size_t)(*p)[2] << 16;
  *p += 3;
  *left -= 3;
  return n < *left ? n : *left;
}

/* What report.html's callbacks draw with (write.c's S_draw, without files). */
typedef struct {
  const pd_series *s;
  const uint32_t *order;
  const pd_report_graphs *graphs;
} S_draw;

static int S_graph(void *ctx, size_t i, const char *id_prefix, pd_buf *svg, pd_report_drawn *drawn,
                   pd_err *err) {
  const S_draw *d = ctx;
  return pd_report_graph_render(d->graphs, i, id_prefix, svg, drawn, err);
}

static int S_sparkline(void *ctx, uint32_t index, pd_buf *svg) {
  const S_draw *d = ctx;
  if (index >= d->s->nfs) return PD_ERR;
  pd_report_sparkline_svg(svg, d->s, d->order[index]);
  return PD_OK;
}

/* Writes every output of an analysed series into one scratch buffer. */
static void S_write_all(const pd_series *s, const pd_report_config *c) {
  pd_buf out = PD_BUF_INIT, script = PD_BUF_INIT;
  pd_err err;
  pd_report_json(&out, s, c);
  pd_buf_truncate(&out, 0);
  pd_report_graphs graphs;
  memset(&graphs, 0, sizeof graphs);
  if (pd_template_get("flamegraph.js", c->template_dir, &script, &err) != PD_OK) pd_buf_puts(&script, "");
  pd_report_graphs_plan(&graphs, s, NULL, script.data);
  uint32_t *order = pd_report_function_order(s);
  uint8_t *used = pd_xcalloc(s->nfs ? s->nfs : 1, 1);
  S_draw draw = {s, order, &graphs};
  pd_report_link links[8];
  pd_report_parts parts;
  pd_report_parts_for(&parts, &graphs, links, used, S_graph, S_sparkline, &draw, script.data);
  pd_report_markdown(&out, s, c, &parts);
  pd_buf_truncate(&out, 0);
  (void)pd_report_html(&out, s, c, &parts, &err);
  pd_buf_truncate(&out, 0);
  (void)pd_report_junit(&out, s, c, &err);
  /* each graph as its own file, then as report.html inlines it */
  for (size_t i = 0; i < graphs.n; i++) {
    pd_report_drawn drawn;
    (void)pd_report_graph_render(&graphs, i, NULL, &out, NULL, &err);
    (void)pd_report_graph_render(&graphs, i, "g0-", &out, &drawn, &err);
  }
  for (uint32_t i = 0; i < s->nfs; i++)
    if (used[i]) pd_report_sparkline_svg(&out, s, order[i]);
  free(used);
  free(order);
  pd_buf_free(&script);
  pd_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  unsigned flags = data[0];
  const uint8_t *p = data + 1;
  size_t left = size - 1;
  uint32_t n = flags & 1 ? 3 : 2;
  int has_base = (flags >> 1) & 1;
  const uint8_t *part[3];
  size_t len[3];
  for (uint32_t i = 0; i + 1 < n; i++) {
    len[i] = S_len(&p, &left);
    part[i] = p;
    p += len[i];
    left -= len[i];
  }
  part[n - 1] = p;
  len[n - 1] = left;

  pd_err err;
  pd_view_opts vo = {(pd_granularity)((flags >> 2) % 3), PD_DEMANGLE_FULL, NULL, NULL, NULL, NULL};
  pd_view v;
  if (pd_view_init(&v, &vo, &err) != PD_OK) abort();
  pd_series_opts so;
  pd_series_opts_default(&so);
  pd_series s;
  /* an odd-sized input without a base is a series of seven, its parts
   * again in turn: long enough for the trend tests of parts (trend.c) */
  uint32_t cols = !has_base && (size & 1) ? 7 : n;
  uint32_t snaps = cols - (uint32_t)has_base;
  pd_series_init(&s, snaps, has_base, &so);
  int rc = PD_OK;
  static const char *const names[] = {"a.pb.gz", "heap-2026-11-22T19:06:51Z.txt", "c.folded"};
  for (uint32_t c = 0; c < cols && rc == PD_OK; c++) {
    uint32_t i = c % n;
    /* the base, when there is one, is column snaps (pd_series_init) */
    uint32_t col = has_base ? (c == 0 ? snaps : c - 1) : c;
    char path[64];
    snprintf(path, sizeof path, "%u-%s", c, names[i]);
    pd_series_set_path(&s, col, path, 0);
    pd_ingest_opts io = {64u << 20, 0, 0, 0};
    pd_profile prof;
    rc = pd_ingest_bytes(names[i], pd_fuzz_copy(part[i], len[i]), len[i], &io, &prof, &err);
    if (rc == PD_OK) {
      pd_snapshot snap;
      pd_reduce_opts ro = {NULL, 1, so.tree_min_fraction, &s.keys_lock, 0, 1, 0, 1}; /* as cmd_report.c */
      rc = pd_reduce(&prof, &v, &s.keys, &ro, &snap, &err);
      if (rc == PD_OK) rc = pd_series_add(&s, col, &snap, &err);
      pd_snapshot_free(&snap); /* as cmd_report.c: after a failed reduce too */
    }
    pd_profile_free(&prof);
  }
  if (rc == PD_OK) rc = pd_series_finish(&s, &err);
  if (rc == PD_OK) {
    pd_gate gates[3];
    size_t ngates = 0;
    for (unsigned g = 0; g < (flags >> 5) % 4; g++)
      if (pd_gate_parse(S_gates[(flags >> (g + 3)) % 7], &gates[ngates], &err) == PD_OK) ngates++;
    if (pd_gates_eval(gates, ngates, &s, &err) != PD_OK) ngates = 0;
    pd_report_config c;
    memset(&c, 0, sizeof c);
    c.version = "fuzz";
    c.title = "fuzz <b>report</b> `x` | y\n# z";
    c.notes = flags & 16 ? "```\nunclosed <!-- fence\n<script>alert(1)\n| a | b |\n" : NULL;
    c.max_rows = 1 + (flags & 7);
    c.gates = gates;
    c.ngates = ngates;
    c.template_dir = "templates";
    S_write_all(&s, &c);
  }
  pd_series_free(&s);
  pd_view_free(&v);
  return 0;
}
