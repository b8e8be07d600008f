/* cmd_report.c: `profdiff report`, a series of profiles analysed together.
 *
 * Files are read and reduced by a few worker threads (parsing dominates and
 * each file is independent); each reduced snapshot goes into the series as
 * soon as it is ready and its profile is freed, so memory follows functions
 * x snapshots rather than the bytes of the inputs. Nothing in DIR changes
 * unless the whole run succeeds.
 */
#include "cli.h"
#include "../escape/escape.h"
#include "../report/templates.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const pd_opt S_opts[] = {
    {"output", "DIR", "directory to write the report into (created if missing)", 0, 'o'},
    {"base", "FILE", "compare every snapshot with this fixed baseline profile", 0},
    {"order", "RULE", "auto (default: profile times, else times in file names, else as given) or mtime", 0},
    {"title", "TEXT", "title of the report", 0},
    {"fail-on", "EXPR", "fail (exit 1) when a gate trips, e.g. total>10% function>5MB slope>1MB/h share>10", 1},
    {"output-format", "LIST", "files to write: json,md,html,junit,svg (default: all; junit only with --fail-on)", 0},
    {"notes", "FILE.md", "your own Markdown (a postmortem narrative), placed at the top of the reports", 0},
    {"max-rows", "N", "rows per table in report.md and report.html (default 20)", 0},
    {"template-dir", "DIR", "use report.html, report.css, report.js, flamegraph.js from DIR when present", 0},
    {"reset-drop", "PCT", "a drop of the total by this much starts a new segment (default 40%)", 0},
    {"keep-going", NULL, "skip unreadable inputs (listed in the report) instead of failing", 0},
    {"threads", "N", "files read in parallel (default: the number of CPUs, at most 8)", 0},
    PD_PROFILE_OPTS,
    {NULL, NULL, NULL, 0}};

typedef struct {
  pd_series *series;
  const pd_args *args;
  const pd_view *view;
  const char **paths; /* n snapshots, then the base */
  uint32_t count;
  uint32_t next;
  int failed, keep_going;
  int split; /* one worker: a large folded file may take the other core */
  pd_err err;
  pthread_mutex_t lock;
} S_job;

static void S_load_one(S_job *j, uint32_t i) {
  pd_err err;
  pd_ingest_opts io;
  pd_profile p;
  pd_snapshot snap;
  int rc = pd_cli_ingest_opts(j->args, &io, &err);
  io.split = j->split;
  if (rc == PD_OK) rc = pd_ingest_file(j->paths[i], &io, &p, &err);
  if (rc == PD_OK) {
    /* two profiles in flight and the series: each profile's tables go as
     * soon as its frames have keys */
    pd_reduce_opts ro = {pd_arg(j->args, "sample-index"), 1, j->series->opts.tree_min_fraction,
                         &j->series->keys_lock, 0, 1};
    rc = pd_reduce(&p, j->view, &j->series->keys, &ro, &snap, &err);
    if (rc == PD_OK) rc = pd_series_add(j->series, i, &snap, &err);
    pd_snapshot_free(&snap);
  }
  pd_profile_free(&p);
  if (rc == PD_OK) return;
  pthread_mutex_lock(&j->lock);
  if (j->keep_going) {
    pd_series_skip(j->series, i, err.msg);
  } else if (!j->failed) {
    j->failed = 1;
    j->err = err;
  }
  pthread_mutex_unlock(&j->lock);
}

static void *S_worker(void *arg) {
  S_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    uint32_t i = j->next++;
    int stop = j->failed;
    pthread_mutex_unlock(&j->lock);
    if (stop || i >= j->count) break;
    S_load_one(j, i);
  }
  return NULL;
}

static int S_parse_pct(const char *v, double *out) {
  char *end;
  double d = strtod(v, &end);
  if (end == v || (*end && strcmp(end, "%") != 0) || !isfinite(d)) return PD_ERR;
  if (*end == '%' || d > 1) d /= 100;
  if (d <= 0 || d >= 1) return PD_ERR;
  *out = d;
  return PD_OK;
}

typedef struct {
  int json, md, html, junit, svg;
} S_formats;

static int S_parse_formats(const char *list, int have_gates, S_formats *f, pd_err *err) {
  memset(f, 0, sizeof *f);
  if (!list) {
    f->json = f->md = f->html = f->svg = 1;
    f->junit = have_gates;
    return PD_OK;
  }
  char *copy = pd_xstrdup(list), *save = NULL;
  int rc = PD_OK;
  for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
    if (strcmp(t, "json") == 0) f->json = 1;
    else if (strcmp(t, "md") == 0 || strcmp(t, "markdown") == 0) f->md = 1;
    else if (strcmp(t, "html") == 0) f->html = 1;
    else if (strcmp(t, "junit") == 0) f->junit = 1;
    else if (strcmp(t, "svg") == 0) f->svg = 1;
    else {
      rc = pd_fail(err, "--output-format: unknown format \"%s\" (json, md, html, junit, svg)", t);
      break;
    }
  }
  free(copy);
  return rc;
}

/* Pairs the memory files with the series' snapshots by time and decides
 * the attribution (analyse/memory.h). Heap totals only mean something in
 * bytes: for other sample types the memory section is left out, saying so. */
static int S_memory(pd_series *s, const pd_args *a, const char **files, uint32_t n,
                    pd_memtimeline *tl, pd_memory_result *r, int *have, pd_err *err) {
  pd_ingest_opts io;
  if (pd_cli_ingest_opts(a, &io, err) != PD_OK) return PD_ERR;
  pd_memstat *ms = pd_xcalloc(n, sizeof *ms);
  uint32_t nms = 0;
  int rc = PD_OK;
  for (uint32_t i = 0; i < n; i++) {
    if (pd_memstat_read_file(files[i], &io, &ms[nms], err) == PD_OK) {
      nms++;
      continue;
    }
    pd_memstat_free(&ms[nms]);
    if (!pd_arg_flag(a, "keep-going")) {
      rc = PD_ERR;
      break;
    }
    pd_series_warn(s, "%s (skipped, --keep-going)", err->msg);
  }
  const pd_snapinfo *ref = &s->snap[s->order[0]];
  if (rc == PD_OK && nms && pd_unit_classify(ref->unit, NULL) != PD_UNIT_BYTES) {
    pd_series_warn(s, "memory.stat files given, but the profiles measure %s in %s, not bytes: no heap-versus-memory analysis",
                   ref->sample_type, ref->unit);
  } else if (rc == PD_OK && nms) {
    pd_memheap *heaps = pd_xcalloc(s->npos, sizeof *heaps);
    for (uint32_t p = 0; p < s->npos; p++) {
      const pd_snapinfo *si = &s->snap[s->order[p]];
      heaps[p].path = si->path;
      heaps[p].total = si->total;
      if (si->time_ns) heaps[p].time_ns = si->time_ns, heaps[p].time_source = PD_TIME_PROFILE;
      else if (si->name_ns) heaps[p].time_ns = si->name_ns, heaps[p].time_source = PD_TIME_FILE_NAME;
      else heaps[p].time_ns = si->mtime_ns, heaps[p].time_source = PD_TIME_MTIME;
    }
    pd_memtimeline_build(tl, ms, nms, heaps, s->npos);
    pd_memtimeline_attribute(tl, NULL, r);
    *have = 1;
    free(heaps);
  }
  for (uint32_t i = 0; i < nms; i++) pd_memstat_free(&ms[i]);
  free(ms);
  return rc;
}

/* mkdir -p, remembering what it created (outermost first). */
static int S_mkdirs(const char *dir, char **made, int *nmade, pd_err *err) {
  char *path = pd_xstrdup(dir);
  size_t len = strlen(path);
  for (size_t i = 1; i <= len; i++) {
    if (path[i] != '/' && path[i] != 0) continue;
    char c = path[i];
    path[i] = 0;
    if (mkdir(path, 0777) == 0) {
      if (*nmade < 64) made[(*nmade)++] = pd_xstrdup(path);
    } else if (errno != EEXIST) {
      int e = errno;
      pd_fail(err, "%s: cannot create the report directory: %s", path, strerror(e));
      free(path);
      return PD_ERR;
    }
    path[i] = c;
  }
  free(path);
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return pd_fail(err, "%s: is not a directory", dir);
  return PD_OK;
}

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

/* report.json is the largest output and depends on nothing the others do:
 * it is written on a thread of its own while the graphs, report.md and
 * report.html are made (the writers only read the finished series). */
typedef struct {
  pd_buf *buf; /* opened on DIR/report.json */
  const pd_series *series;
  const pd_report_meta *meta;
  int rc;
  pd_err err;
} S_json_job;

static void *S_json(void *arg) {
  S_json_job *j = arg;
  pd_report_json(j->buf, j->series, j->meta);
  j->rc = pd_outset_close(j->buf, &j->err);
  return NULL;
}

/* report.html's sparklines: function `index` in report order. */
typedef struct {
  const pd_series *series;
  const uint32_t *order;
} S_spark;

/* What report.html's callbacks draw with: sparklines, and the graphs, each
 * also written as its own file (with svg output) the first time it is drawn,
 * so that one graph at a time is in memory. */
typedef struct {
  S_spark spark;
  const pd_report_graphs *graphs;
  pd_outset *out;
  const char *dir;
  int files;         /* svg output: write DIR/name.svg */
  uint8_t staged[8]; /* graph i's file is staged */
} S_draw;

static int S_sparkline(void *ctx, uint32_t index, pd_buf *svg) {
  const S_spark *sp = &((const S_draw *)ctx)->spark;
  if (index >= sp->series->nfs) return PD_ERR;
  pd_report_sparkline_svg(svg, sp->series, sp->order[index]);
  return PD_OK;
}

static int S_graph(void *ctx, size_t i, pd_buf *svg, pd_err *err) {
  S_draw *d = ctx;
  if (pd_report_graph_render(d->graphs, i, svg, err) != PD_OK) return PD_ERR;
  if (!d->files || d->staged[i]) return PD_OK;
  d->staged[i] = 1;
  pd_buf path = PD_BUF_INIT;
  pd_buf_printf(&path, "%s/%s", d->dir, d->graphs->files[i].name);
  int rc = pd_outset_add(d->out, path.data, svg->data ? svg->data : "", svg->len, err);
  pd_buf_free(&path);
  return rc;
}

/* The one line on stderr a CI log shows. */
static void S_summary(const pd_series *s, const pd_gate *gates, size_t ngates, int failed, const char *dir) {
  const char *unit = s->snap[s->order[0]].unit;
  char a1[64], a2[64];
  fprintf(stderr, "profdiff: %u snapshots, %s %s -> %s", s->npos, s->snap[s->order[0]].sample_type,
          pd_unit_label(s->total_stats.first, unit, "auto", a1, sizeof a1),
          pd_unit_label(s->total_stats.last, unit, "auto", a2, sizeof a2));
  if (s->nsuspects) {
    /* a name is untrusted: no control bytes to the terminal, and short */
    uint32_t key = s->fs[s->suspects[0]].key;
    const char *name = pd_intern_str(&s->keys, key);
    size_t len = pd_intern_len(&s->keys, key), cut = pd_utf8_prefix(name, len, 100);
    pd_buf b = PD_BUF_INIT;
    pd_esc_text(&b, name, cut);
    fprintf(stderr, "; top suspect %s%s", b.data ? b.data : "", cut < len ? ".." : "");
    pd_buf_free(&b);
  }
  if (ngates) {
    fprintf(stderr, "; gates: %d of %zu failed", failed, ngates);
    for (size_t i = 0, k = 0; i < ngates; i++)
      if (gates[i].failed) fprintf(stderr, "%s%s", k++ ? ", " : " (", gates[i].expr);
    if (failed) fputc(')', stderr);
  }
  fprintf(stderr, "; report in %s\n", dir);
}

static int S_fail(const char *msg) {
  pd_cli_error(msg);
  return PD_EXIT_ERROR;
}

static int S_run(const pd_args *a) {
  pd_err err;
  /* A series reads file after file, each needing tens of megabytes for a
   * moment (the inflated profile, its tables, the reduce's scratch). glibc
   * raises its mmap threshold as such blocks are freed, after which they
   * come from the worker threads' arenas and stay there: a fixed threshold
   * sends every block over 256 KB back to the system when freed. */
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  const char *dir = pd_arg(a, "output");
  if (!dir) return S_fail("report needs an output directory: -o DIR (see profdiff report --help)");
  if (a->npos < 2 && !(a->npos >= 1 && pd_arg(a, "base")))
    return S_fail("report needs at least two profiles, or one with --base (see profdiff report --help)");
  pd_series_opts so;
  pd_series_opts_default(&so);
  const char *order = pd_arg(a, "order");
  if (order && strcmp(order, "mtime") == 0) so.order_mtime = 1;
  else if (order && strcmp(order, "auto") != 0) return S_fail("--order must be auto or mtime");
  const char *drop = pd_arg(a, "reset-drop");
  if (drop && S_parse_pct(drop, &so.reset_drop) != PD_OK)
    return S_fail("--reset-drop wants a percentage between 0 and 100, such as 40%");
  unsigned long threads;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (pd_arg_uint(a, "threads", (unsigned long)(cpus > 0 ? (cpus < 8 ? cpus : 8) : 2), &threads, &err) != PD_OK)
    return S_fail(err.msg);
  if (threads < 1) threads = 1;
  /* everything that can be wrong with the options is said before any input
   * is read */
  size_t ngates = (size_t)pd_arg_count(a, "fail-on");
  pd_gate *gates = pd_xcalloc(ngates ? ngates : 1, sizeof *gates);
  int rc = PD_OK;
  for (size_t i = 0; i < ngates && rc == PD_OK; i++)
    rc = pd_gate_parse(pd_arg_at(a, "fail-on", (int)i), &gates[i], &err);
  S_formats fmt;
  if (rc == PD_OK) rc = S_parse_formats(pd_arg(a, "output-format"), ngates > 0, &fmt, &err);
  unsigned long max_rows = 20;
  if (rc == PD_OK) rc = pd_arg_uint(a, "max-rows", 20, &max_rows, &err);
  char *notes = NULL;
  if (rc == PD_OK && pd_arg(a, "notes")) {
    uint8_t *data;
    size_t len;
    rc = pd_read_file(pd_arg(a, "notes"), 16 << 20, &data, &len, &err);
    if (rc == PD_OK) notes = (char *)data;
  }
  pd_view view;
  if (rc == PD_OK) rc = pd_cli_view(a, &view, &err);
  if (rc != PD_OK) {
    free(gates);
    pd_file_release((uint8_t *)notes);
    return S_fail(err.msg);
  }

  /* container memory files (memory.stat, memory.current) are not profiles:
   * they go to the heap-versus-page-cache analysis, the rest to the series */
  const char *base = pd_arg(a, "base");
  const char **paths = pd_xmalloc(((size_t)a->npos + 1) * sizeof *paths);
  const char **memfiles = pd_xmalloc(((size_t)a->npos + 1) * sizeof *memfiles);
  uint32_t n = 0, nmem = 0;
  for (int i = 0; i < a->npos; i++) {
    pd_format f;
    if (pd_sniff_file(a->pos[i], &f, &err) == PD_OK && f == PD_FORMAT_MEMSTAT) memfiles[nmem++] = a->pos[i];
    else paths[n++] = a->pos[i]; /* errors are reported when it is read */
  }
  if (n < 2 && !(n >= 1 && base)) {
    free(paths);
    free(memfiles);
    free(gates);
    pd_file_release((uint8_t *)notes);
    pd_view_free(&view);
    return S_fail("report needs at least two profiles (memory.stat files do not count), or one with --base");
  }
  pd_series series;
  pd_series_init(&series, n, base != NULL, &so);
  if (base) paths[n] = base;
  for (uint32_t i = 0; i < series.ncols; i++) {
    struct stat st;
    int64_t mtime = 0;
    if (stat(paths[i], &st) == 0)
      mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    pd_series_set_path(&series, i, paths[i], mtime);
  }

  S_job job;
  memset(&job, 0, sizeof job);
  job.series = &series;
  job.args = a;
  job.view = &view;
  job.paths = paths;
  job.count = series.ncols;
  job.keep_going = pd_arg_flag(a, "keep-going");
  pthread_mutex_init(&job.lock, NULL);
  if (threads > job.count) threads = job.count;
  job.split = threads == 1;
  pthread_t *tids = pd_xmalloc(threads * sizeof *tids);
  for (unsigned long t = 1; t < threads; t++) pthread_create(&tids[t], NULL, S_worker, &job);
  S_worker(&job);
  for (unsigned long t = 1; t < threads; t++) pthread_join(tids[t], NULL);
  free(tids);
  pthread_mutex_destroy(&job.lock);

  rc = job.failed ? PD_ERR : PD_OK;
  if (rc != PD_OK) err = job.err;
  if (rc == PD_OK) rc = pd_series_finish(&series, &err);

  /* heap versus container memory */
  pd_memtimeline tl;
  pd_memory_result mem;
  int have_mem = 0;
  if (rc == PD_OK && nmem) rc = S_memory(&series, a, memfiles, nmem, &tl, &mem, &have_mem, &err);

  /* gates and outputs */
  int failed_gates = 0;
  if (rc == PD_OK && ngates) {
    failed_gates = pd_gates_eval(gates, ngates, &series, &err);
    if (failed_gates < 0) rc = PD_ERR;
  }

  pd_outset out;
  pd_outset_init(&out);
  char *made[64];
  int nmade = 0;
  if (rc == PD_OK) rc = S_mkdirs(dir, made, &nmade, &err);
  if (rc == PD_OK) {
    pd_report_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.title = pd_arg(a, "title");
    ro.notes = notes;
    ro.max_rows = (uint32_t)(max_rows ? max_rows : 1);
    ro.gates = gates;
    ro.ngates = ngates;
    pd_report_meta meta = {PD_VERSION, pd_arg(a, "title"), gates, ngates,
                           have_mem ? &tl : NULL, have_mem ? &mem : NULL};
    if (have_mem) ro.memory_sentence = mem.sentence;
    pd_buf buf = PD_BUF_INIT, jbuf = PD_BUF_INIT;
    S_json_job json = {&jbuf, &series, &meta, PD_OK, {{0}}};
    pthread_t json_tid;
    int json_running = 0;
    if (fmt.json) {
      rc = S_open(&out, dir, "report.json", &jbuf, &err);
      if (rc == PD_OK && pthread_create(&json_tid, NULL, S_json, &json) == 0) json_running = 1;
      else if (rc == PD_OK) S_json(&json);
    }
    /* the pictures: flame graphs, timeline, memory chart, sparklines */
    pd_report_graphs graphs;
    memset(&graphs, 0, sizeof graphs);
    uint32_t *order = pd_report_function_order(&series);
    uint8_t *used = pd_xcalloc(series.nfs ? series.nfs : 1, 1);
    pd_buf script = PD_BUF_INIT;
    if (fmt.svg || fmt.html) {
      rc = pd_template_get("flamegraph.js", pd_arg(a, "template-dir"), &script, &err);
      if (rc == PD_OK) pd_report_graphs_plan(&graphs, &series, have_mem ? &tl : NULL, script.data);
      ro.sparkline_dir = "sparklines";
      ro.sparkline_used = used;
    }
    S_draw draw = {{&series, order}, &graphs, &out, dir, fmt.svg, {0}};
    const char *captions[8];
    for (size_t i = 0; i < graphs.n; i++) captions[i] = graphs.files[i].caption;
    pd_report_link links[8];
    for (size_t i = 0; i < graphs.n && fmt.svg; i++) {
      links[i].label = graphs.files[i].caption;
      links[i].href = graphs.files[i].name;
    }
    if (fmt.svg) {
      ro.links = links;
      ro.nlinks = graphs.n;
    }
    if (rc == PD_OK && fmt.md) {
      pd_report_markdown(&buf, &series, &ro);
      rc = S_stage(&out, dir, "report.md", &buf, &err);
    }
    if (rc == PD_OK && fmt.html) {
      pd_report_html_opts ho;
      memset(&ho, 0, sizeof ho);
      ho.version = PD_VERSION;
      ho.template_dir = pd_arg(a, "template-dir");
      ho.graph_captions = captions;
      ho.ngraphs = graphs.n;
      ho.graph = S_graph;
      ho.sparkline = S_sparkline;
      ho.ctx = &draw;
      rc = S_open(&out, dir, "report.html", &buf, &err);
      if (rc == PD_OK) {
        int built = pd_report_html(&buf, &series, &ro, &ho, &err);
        rc = pd_outset_close(&buf, &err);
        if (built != PD_OK) rc = built;
      }
    }
    if (rc == PD_OK && fmt.junit) {
      rc = pd_report_junit(&buf, &series, gates, ngates, &err);
      if (rc == PD_OK) rc = S_stage(&out, dir, "junit.xml", &buf, &err);
    }
    if (fmt.svg) {
      /* the graphs report.html did not draw (without html output) */
      for (size_t i = 0; i < graphs.n && rc == PD_OK; i++)
        if (!draw.staged[i]) rc = S_graph(&draw, i, &buf, &err);
      pd_buf_truncate(&buf, 0);
      /* the sparklines report.md links to */
      int have_dir = 0;
      for (uint32_t i = 0; i < series.nfs && rc == PD_OK; i++) {
        if (!used[i]) continue;
        if (!have_dir) {
          pd_buf sdir = PD_BUF_INIT;
          pd_buf_printf(&sdir, "%s/sparklines", dir);
          rc = S_mkdirs(sdir.data, made, &nmade, &err);
          pd_buf_free(&sdir);
          have_dir = 1;
          if (rc != PD_OK) break;
        }
        char name[64];
        snprintf(name, sizeof name, "sparklines/f%05u.svg", i);
        pd_report_sparkline_svg(&buf, &series, order[i]);
        rc = S_stage(&out, dir, name, &buf, &err);
      }
    }
    if (json_running) pthread_join(json_tid, NULL);
    if (rc == PD_OK && json.rc != PD_OK) {
      rc = json.rc;
      err = json.err;
    }
    pd_buf_free(&script);
    free(used);
    free(order);
    pd_buf_free(&buf);
    pd_buf_free(&jbuf);
    if (rc == PD_OK) rc = pd_outset_commit(&out, &err);
  }
  pd_outset_free(&out);
  /* a failed run leaves no trace: remove the directories it created */
  for (int i = nmade; i-- > 0;) {
    if (rc != PD_OK) rmdir(made[i]);
    free(made[i]);
  }

  if (rc == PD_OK) {
    for (uint32_t c = 0; c < series.ncols; c++)
      for (uint32_t i = 0; i < series.snap[c].nwarnings; i++) pd_cli_warn(series.snap[c].warnings[i]);
    for (uint32_t i = 0; i < series.nwarnings; i++) pd_cli_warn(series.warnings[i]);
    S_summary(&series, gates, ngates, failed_gates, dir);
  }
  if (have_mem) pd_memtimeline_free(&tl);
  free(memfiles);
  pd_file_release((uint8_t *)notes);
  free(gates);
  free(paths);
  pd_series_free(&series);
  pd_view_free(&view);
  if (rc != PD_OK) return S_fail(err.msg);
  return failed_gates > 0 ? PD_EXIT_GATE : PD_EXIT_OK;
}

const pd_command pd_cmd_report = {
    "report",
    "analyse a series of profiles: deltas, shares, growth slopes, leak suspects",
    "report [options] -o DIR FILE FILE... | report [options] -o DIR --base BASE FILE...",
    "Reads two or more profiles of one kind (a before/after pair, an incident's\n"
    "snapshots, a month of nightly dumps), aligns their call stacks by symbol and\n"
    "writes DIR/report.json: per function the values in every snapshot, the delta\n"
    "and its sampling noise, the shift of its share of the total, growth slopes\n"
    "(least squares and Theil-Sen) with a Mann-Kendall trend test, a verdict\n"
    "(growing, plateau, shrinking, stable, new, gone) and the ranked leak suspects.\n"
    "Snapshots are ordered by the profiles' own times, else by times in their file\n"
    "names, else as given. A sharp drop of the total (a restart, a cache cleared)\n"
    "starts a new segment; trends are judged within the last one. See\n"
    "docs/report.md, docs/analysis.md and docs/report-json.md.",
    S_opts,
    S_run};
