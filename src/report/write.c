/* write.c: pd_report_write, the one entry point that turns an analysed series
 * and a pd_report_config into a report directory (the shape of pprof's
 * report.Generate): it plans the graphs, runs the writers, draws each graph
 * and sparkline once, all into a staging directory that util/publish.c
 * swaps with DIR when the whole report has been written: DIR holds one run's
 * complete report at every moment, and nothing an earlier run left.
 *
 * report.json is the largest output and depends on nothing the others do: it
 * is written on a thread of its own while the graphs, report.md and
 * report.html are made (the writers only read the finished series).
 */
#include "report.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "templates.h"

/* Stages buf as DIR/name (written on commit) and empties buf. */
static int S_stage(pd_outset *out, const char *dir, const char *name, pd_buf *buf, pd_err *err) {
  pd_buf path = PD_BUF_INIT;
  pd_buf_printf(&path, "%s/%s", dir, name);
  int rc = pd_outset_add(out, path.data, buf->data ? buf->data : "", buf->len, err);
  pd_buf_free(&path);
  pd_buf_truncate(buf, 0);
  return rc;
}

/* Opens DIR/name for writing through buf in pieces (pd_buf_spill). */
static int S_open(pd_outset *out, const char *dir, const char *name, pd_buf *buf, pd_err *err) {
  pd_buf path = PD_BUF_INIT;
  pd_buf_printf(&path, "%s/%s", dir, name);
  int rc = pd_outset_open(out, path.data, buf, err);
  pd_buf_free(&path);
  return rc;
}

typedef struct {
  pd_buf *buf; /* opened on DIR/report.json */
  const pd_series *series;
  const pd_report_config *config;
  int rc;
  pd_err err;
} S_json_job;

static void *S_json(void *arg) {
  S_json_job *j = arg;
  pd_mem_doing_set(j->config->dir, "writing the report");
  pd_report_json(j->buf, j->series, j->config);
  j->rc = pd_outset_close(j->buf, &j->err);
  return NULL;
}

/* What report.html's callbacks draw with: sparklines, and the graphs, each
 * also written as its own file (with svg output) the first time it is drawn,
 * so that one graph at a time is in memory. */
typedef struct {
  const pd_series *series;
  const uint32_t *order; /* report order: sparkline i is function order[i] */
  const pd_report_graphs *graphs;
  pd_outset *out;
  const char *dir;
  int files;         /* svg output: write DIR/name.svg */
  uint8_t staged[8]; /* graph i's file is staged */
} S_draw;

static int S_sparkline(void *ctx, uint32_t index, pd_buf *svg) {
  const S_draw *d = ctx;
  if (index >= d->series->nfs) return PD_ERR;
  pd_report_sparkline_svg(svg, d->series, d->order[index]);
  return PD_OK;
}

/* Graph i: its file DIR/name.svg staged the first time (with svg output),
 * then, when id_prefix is given, drawn again for inside report.html. */
static int S_graph(void *ctx, size_t i, const char *id_prefix, pd_buf *svg, pd_report_drawn *drawn, pd_err *err) {
  S_draw *d = ctx;
  if (d->files && !d->staged[i]) {
    if (pd_report_graph_render(d->graphs, i, NULL, svg, NULL, err) != PD_OK) return PD_ERR;
    d->staged[i] = 1;
    pd_buf path = PD_BUF_INIT;
    pd_buf_printf(&path, "%s/%s", d->dir, d->graphs->files[i].name);
    int rc = pd_outset_add(d->out, path.data, svg->data ? svg->data : "", svg->len, err);
    pd_buf_free(&path);
    if (rc != PD_OK) return rc;
  }
  if (!id_prefix) return PD_OK;
  return pd_report_graph_render(d->graphs, i, id_prefix, svg, drawn, err);
}

/* The sparklines report.md links to, as DIR/sparklines/fNNNNN.svg. */
static int S_sparklines(S_draw *d, const uint8_t *used, pd_buf *buf, pd_err *err) {
  int have_dir = 0, rc = PD_OK;
  for (uint32_t i = 0; i < d->series->nfs && rc == PD_OK; i++) {
    if (!used[i]) continue;
    if (!have_dir) {
      pd_buf sdir = PD_BUF_INIT;
      pd_buf_printf(&sdir, "%s/sparklines", d->dir);
      if (mkdir(sdir.data, 0777) != 0) rc = pd_fail(err, "%s: cannot create: %s", sdir.data, strerror(errno));
      pd_buf_free(&sdir);
      have_dir = 1;
      if (rc != PD_OK) break;
    }
    char name[64];
    snprintf(name, sizeof name, "sparklines/f%05u.svg", i);
    pd_report_sparkline_svg(buf, d->series, d->order[i]);
    rc = S_stage(d->out, d->dir, name, buf, err);
  }
  return rc;
}

void pd_report_parts_for(pd_report_parts *p, const pd_report_graphs *g, pd_report_link *links,
                         uint8_t *sparkline_used, pd_report_graph_fn graph, pd_report_sparkline_fn sparkline,
                         void *ctx, const char *script) {
  memset(p, 0, sizeof *p);
  for (size_t i = 0; i < g->n; i++) {
    links[i].label = g->files[i].caption;
    links[i].href = g->files[i].name;
  }
  p->links = links;
  p->nlinks = g->n;
  if (sparkline_used) {
    p->sparkline_dir = "sparklines";
    p->sparkline_used = sparkline_used;
  }
  p->graphs = g->files;
  p->ngraphs = g->n;
  p->graph = graph;
  p->sparkline = sparkline;
  p->ctx = ctx;
  p->graph_script = g->n ? script : NULL;
}

static void S_say(const pd_report_config *c, const char *step) {
  if (c->progress) c->progress(c->progress_ctx, step);
}

/* Every file of the report, staged in out, in dir. */
static int S_write_all(const pd_series *s, const pd_report_config *given, const char *dir, pd_outset *out,
                       pd_err *err) {
  /* the functions in report order, sorted once for every writer (and
   * before report.json's thread starts): four sorts of a million functions
   * were a quarter of a report's time */
  uint32_t *order = pd_report_function_order(s);
  pd_report_config shared = *given;
  shared.order = order;
  const pd_report_config *c = &shared;
  unsigned f = c->formats;
  int rc = PD_OK;
  pd_buf buf = PD_BUF_INIT, jbuf = PD_BUF_INIT;
  S_json_job json = {&jbuf, s, c, PD_OK, {{0}}};
  pthread_t json_tid;
  int json_running = 0;
  if (f & PD_REPORT_JSON) {
    rc = S_open(out, dir, "report.json", &jbuf, err);
    if (rc == PD_OK && pthread_create(&json_tid, NULL, S_json, &json) == 0) json_running = 1;
    else if (rc == PD_OK) S_json(&json);
  }
  /* the pictures: flame graphs, timeline, memory chart, sparklines */
  pd_report_graphs graphs;
  memset(&graphs, 0, sizeof graphs);
  uint8_t *used = pd_xcalloc(s->nfs ? s->nfs : 1, 1);
  pd_buf script = PD_BUF_INIT;
  pd_report_parts parts;
  int pictures = (f & (PD_REPORT_SVG | PD_REPORT_HTML)) != 0;
  if (rc == PD_OK && pictures) {
    rc = pd_template_get("flamegraph.js", c->template_dir, &script, err);
    if (rc == PD_OK) pd_report_graphs_plan(&graphs, s, c->memory_tl, script.data);
  }
  S_draw draw = {s, order, &graphs, out, dir, (f & PD_REPORT_SVG) != 0, {0}};
  pd_report_link links[8];
  pd_report_parts_for(&parts, &graphs, links, pictures ? used : NULL, S_graph, S_sparkline, &draw, script.data);
  if (!(f & PD_REPORT_SVG)) { /* no graph files to link to */
    parts.links = NULL;
    parts.nlinks = 0;
  }
  if (rc == PD_OK && f & PD_REPORT_MD) {
    S_say(c, "writing report.md");
    pd_report_markdown(&buf, s, c, &parts);
    rc = S_stage(out, dir, "report.md", &buf, err);
  }
  if (rc == PD_OK && f & PD_REPORT_HTML) {
    S_say(c, "writing report.html and its graphs");
    rc = S_open(out, dir, "report.html", &buf, err);
    if (rc == PD_OK) {
      int built = pd_report_html(&buf, s, c, &parts, err);
      rc = pd_outset_close(&buf, err);
      if (built != PD_OK) rc = built;
    }
  }
  if (rc == PD_OK && f & PD_REPORT_JUNIT) {
    S_say(c, "writing junit.xml");
    rc = pd_report_junit(&buf, s, c, err);
    if (rc == PD_OK) rc = S_stage(out, dir, "junit.xml", &buf, err);
  }
  if (f & PD_REPORT_SVG) {
    S_say(c, "writing the graphs and sparklines");
    /* the graphs report.html did not draw (without html output) */
    for (size_t i = 0; i < graphs.n && rc == PD_OK; i++)
      if (!draw.staged[i]) rc = S_graph(&draw, i, NULL, &buf, NULL, err);
    pd_buf_truncate(&buf, 0);
    if (rc == PD_OK) rc = S_sparklines(&draw, used, &buf, err);
  }
  if (json_running) {
    S_say(c, "writing report.json");
    pthread_join(json_tid, NULL);
  }
  if (rc == PD_OK && json.rc != PD_OK) {
    rc = json.rc;
    *err = json.err;
  }
  pd_buf_free(&script);
  free(used);
  free(order);
  pd_buf_free(&buf);
  pd_buf_free(&jbuf);
  return rc;
}

/* What an earlier report left in DIR, which a new one may replace: its
 * files, its sparklines, and temporary files of a killed run. Anything else
 * is the user's and stops the run. */
static int S_ours(const char *name, int is_dir) {
  static const char *const files[] = {"report.json", "report.md", "report.html", "junit.xml"};
  /* sparklines may also be a link someone placed: removed, never followed */
  if (strcmp(name, "sparklines") == 0) return 1;
  if (is_dir) return 0;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if (strcmp(name, files[i]) == 0) return 1;
  size_t n = strlen(name);
  if (n > 4 && strcmp(name + n - 4, ".svg") == 0) return 1;
  return name[0] == '.' && strstr(name, ".tmp-") != NULL;
}

int pd_report_write(const pd_series *s, const pd_report_config *c, pd_err *err) {
  pd_publish pub;
  pd_outset out;
  pd_outset_init(&out);
  pd_mem_doing was = pd_mem_doing_set(c->dir, "writing the report");
  int rc = pd_publish_begin(&pub, c->dir, S_ours, err);
  if (rc == PD_OK) rc = S_write_all(s, c, pub.staging, &out, err);
  if (rc == PD_OK) rc = pd_outset_commit(&out, err);
  pd_outset_free(&out);
  if (rc == PD_OK) rc = pd_publish_commit(&pub, err);
  pd_publish_end(&pub);
  pd_mem_doing_restore(was);
  return rc;
}
