/* cmd_report.c: `profdiff report`, a series of profiles analysed together.
 *
 * Files are read and reduced by a few worker threads (parsing dominates and
 * each file is independent); each reduced snapshot goes into the series as
 * soon as it is ready and its profile is freed, so memory follows functions
 * x snapshots rather than the bytes of the inputs. This file owns the flags,
 * the reading and the exit status; report/'s pd_report_write writes DIR.
 */
#include "cli.h"
#include "../escape/escape.h"
#include "../analyse/window.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const pd_opt S_opts[] = {
    {"output", "DIR", "the report directory: created if missing, published whole (replaced at once, or left as it was)", 0, 'o'},
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
    {"progress", NULL, "a progress line on standard error (files read, then each output) even when it is not a terminal", 0},
    {"no-progress", NULL, "no progress line, also on a terminal (where it shows once a run has taken a second)", 0},
    {"threads", "N", "files read in parallel (default: the number of CPUs, at most 8)", 0},
    {"base-window", "A..B", "compare this time window (RFC 3339 times or offsets from the last snapshot, -60m..-30m) ...", 0},
    {"head-window", "C..D", "... with this one, each aggregated, as a pair (docs/windows.md)", 0},
    {"aggregate", "HOW", "how a window's snapshots combine: auto (default: mean for heap gauges, sum for time), mean, sum", 0},
    {"since", "TIME", "leave out snapshots before TIME (RFC 3339 or an offset from the last snapshot, -2h)", 0},
    {"until", "TIME", "leave out snapshots after TIME", 0},
    {"group-by", "KEY", "also the verdicts per value of the sample label KEY (version, environment: docs/labels.md)", 0},
    {"cache", "DIR", "keep each input's reduced form in DIR, keyed by content and options: a re-run reads only new inputs", 0},
    {"cache-max-size", "SIZE", "with --cache: remove the oldest entries past SIZE (default 1GiB)", 0},
    {"source-path", "DIRS", "where the suspects' source files are looked for, ':'-separated, as list's (default: the working directory)", 0},
    {"trim-path", "PREFIXES", "prefixes cut from the profile's file names before looking, as list's", 0},
    {"comment-id", "ID", "report.md carries the hidden marker <!-- profdiff:ID --> a CI job finds its own comment by", 0},
    {"link-base", "URL", "report.md links its graphs and sparklines under URL (where DIR is published); without it, no links", 0},
    {"json-detail", "LEVEL", "report.json's per-snapshot values: default (the functions that matter, at most 100), summary (none), full (all)", 0},
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
  uint32_t failed_at; /* the index of the error kept (failed) */
  int split; /* one worker: a large folded file may take the other core */
  /* time windows: every snapshot is held (here, not in the series) until
   * all are read, since offsets count from the last one */
  pd_snapshot *held;
  uint8_t *missing;
  const char *cache;    /* --cache DIR, or NULL */
  const char *opts_key; /* what changes a reduction, for cache entries */
  pd_cache_names *names; /* the entries' names blocks already interned */
  uint32_t hits;
  pd_err err;
  pthread_mutex_t lock;
} S_job;

/* --cache: the entry for path when there is an intact one (a hit puts it in
 * the series: PD_OK), else PD_ERR with content[] set for the write after
 * the file is read; an input that cannot be read is left to the reader to
 * describe. A hit touches its entry, so eviction removes the least used. */
static int S_cache_get(S_job *j, uint32_t i, size_t max_input, uint64_t content[2], int *have,
                       pd_err *err, int *rc) {
  uint8_t *data;
  size_t len;
  pd_err e2;
  *have = 0;
  if (pd_cache_input_hash(j->cache, j->paths[i], max_input, content) != PD_OK) return PD_ERR;
  *have = 1;
  pd_buf entry = PD_BUF_INIT;
  pd_cache_entry_path(&entry, j->cache, content, j->opts_key);
  int got = PD_ERR;
  if (pd_read_file(entry.data, (size_t)1 << 30, &data, &len, &e2) == PD_OK) {
    pd_snapshot snap;
    if (pd_cache_decode(data, len, content, j->opts_key, &j->series->keys, &j->series->keys_lock, j->names,
                        j->paths[i], &snap) == PD_OK) {
      got = PD_OK;
      if (j->held) {
        j->held[i] = snap;
      } else {
        *rc = pd_series_add(j->series, i, &snap, err);
        pd_snapshot_free(&snap);
      }
      utimensat(AT_FDCWD, entry.data, NULL, 0);
    }
    pd_file_release(data);
  }
  pd_buf_free(&entry);
  return got;
}

static void S_cache_put(S_job *j, const pd_snapshot *snap, const uint64_t content[2]) {
  pd_buf b = PD_BUF_INIT, entry = PD_BUF_INIT;
  if (pd_cache_encode(snap, &j->series->keys, &j->series->keys_lock, content, j->opts_key, &b) == PD_OK) {
    pd_err e2;
    pd_cache_entry_path(&entry, j->cache, content, j->opts_key);
    /* a cache that cannot be written only costs the next run time */
    (void)pd_write_file_atomic(entry.data, b.data, b.len, &e2);
  }
  pd_buf_free(&b);
  pd_buf_free(&entry);
}

static void S_load_one(S_job *j, uint32_t i) {
  pd_err err;
  pd_ingest_opts io;
  pd_profile p;
  pd_snapshot snap;
  uint64_t content[2];
  int have_content = 0;
  int rc = pd_cli_ingest_opts(j->args, &io, &err);
  io.split = j->split;
  if (rc == PD_OK && j->cache &&
      S_cache_get(j, i, io.max_input_size, content, &have_content, &err, &rc) == PD_OK) {
    pthread_mutex_lock(&j->lock);
    j->hits++;
    pthread_mutex_unlock(&j->lock);
    goto added;
  }
  pd_mem_doing was = pd_mem_doing_set(j->paths[i], "reading it");
  if (rc == PD_OK) rc = pd_ingest_file(j->paths[i], &io, &p, &err);
  if (rc == PD_OK) {
    /* two profiles in flight and the series: each profile's tables go as
     * soon as its frames have keys */
    pd_reduce_opts ro = {pd_arg(j->args, "sample-index"), 1, j->series->opts.tree_min_fraction,
                         &j->series->keys_lock, 0, 1, 0, 1};
    rc = pd_reduce(&p, j->view, &j->series->keys, &ro, &snap, &err);
    if (rc == PD_OK && have_content) S_cache_put(j, &snap, content);
    if (rc == PD_OK && j->held) {
      j->held[i] = snap;
    } else {
      if (rc == PD_OK) rc = pd_series_add(j->series, i, &snap, &err);
      pd_snapshot_free(&snap);
    }
  }
  pd_profile_free(&p);
  pd_mem_doing_restore(was);
added:
  pd_progress_file_done();
  if (rc == PD_OK) return;
  pthread_mutex_lock(&j->lock);
  if (j->missing) j->missing[i] = 1;
  if (j->keep_going) {
    pd_series_skip(j->series, i, err.msg);
  } else if (!j->failed || i < j->failed_at) {
    /* the first bad file in argument order, whichever thread met one
     * first: every file before the first failure was taken (in order)
     * and is read to its end, so the lowest index is always the same */
    j->failed = 1;
    j->failed_at = i;
    j->err = err;
  }
  pthread_mutex_unlock(&j->lock);
}

/* glibc's trim threshold while files are read (S_report), and after the
 * last (its default) */
#define S_TRIM_READING (128 * 1024 * 1024)
#define S_TRIM_AFTER (128 * 1024)

static void *S_worker(void *arg) {
  S_job *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    uint32_t i = j->next++;
    int stop = j->failed;
    pthread_mutex_unlock(&j->lock);
    if (stop || i >= j->count) break;
    /* the last file: from here what each thread frees goes back to the
     * system. glibc gives back a thread's arena's top only as blocks are
     * freed into it (malloc_trim does the main arena's, and every arena's
     * free lists, not other arenas' tops), so the threshold comes down
     * before the last frees of both threads, the other one's being in its
     * last file too: the analysis then starts from what the series holds,
     * not from 70 MB kept for files no longer read (24 large profiles). */
    if (i + 1 == j->count) mallopt(M_TRIM_THRESHOLD, S_TRIM_AFTER);
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

/* --output-format as PD_REPORT_* bits. */
static int S_parse_formats(const char *list, int have_gates, unsigned *f, pd_err *err) {
  *f = 0;
  if (!list) {
    *f = PD_REPORT_JSON | PD_REPORT_MD | PD_REPORT_HTML | PD_REPORT_SVG;
    if (have_gates) *f |= PD_REPORT_JUNIT;
    return PD_OK;
  }
  char *copy = pd_xstrdup(list), *save = NULL;
  int rc = PD_OK;
  for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
    if (strcmp(t, "json") == 0) *f |= PD_REPORT_JSON;
    else if (strcmp(t, "md") == 0 || strcmp(t, "markdown") == 0) *f |= PD_REPORT_MD;
    else if (strcmp(t, "html") == 0) *f |= PD_REPORT_HTML;
    else if (strcmp(t, "junit") == 0) *f |= PD_REPORT_JUNIT;
    else if (strcmp(t, "svg") == 0) *f |= PD_REPORT_SVG;
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

/* The one line on stderr a CI log shows: sample type, names and paths are
 * untrusted, so the line is built whole and printed by pd_cli_line. */
static void S_summary(const pd_series *s, const pd_gate *gates, size_t ngates, int failed, const char *dir) {
  const char *unit = s->snap[s->order[0]].unit;
  char a1[64], a2[64];
  pd_buf b = PD_BUF_INIT;
  pd_buf_printf(&b, "%u snapshots, %s %s -> %s", s->npos, s->snap[s->order[0]].sample_type,
                pd_unit_label(s->total_stats.first, unit, "auto", a1, sizeof a1),
                pd_unit_label(s->total_stats.last, unit, "auto", a2, sizeof a2));
  if (s->nsuspects) {
    /* and short */
    uint32_t key = s->fs[s->suspects[0]].key;
    const char *name = pd_intern_str(&s->keys, key);
    size_t len = pd_key_len(&s->keys, key), cut = pd_utf8_prefix(name, len, 100);
    pd_buf_puts(&b, "; top suspect ");
    pd_esc_text(&b, name, cut); /* a name may hold NUL: escaped here, by length */
    if (cut < len) pd_buf_puts(&b, "..");
  }
  if (ngates) {
    pd_buf_printf(&b, "; gates: %d of %zu failed", failed, ngates);
    for (size_t i = 0, k = 0; i < ngates; i++)
      if (gates[i].failed) pd_buf_printf(&b, "%s%s", k++ ? ", " : " (", gates[i].expr);
    if (failed) pd_buf_putc(&b, ')');
  }
  pd_buf_printf(&b, "; report in %s", dir);
  pd_cli_line(stderr, "profdiff: ", b.data);
  pd_buf_free(&b);
}

static int S_fail(const char *msg) {
  pd_cli_error(msg);
  return PD_EXIT_ERROR;
}

/* Reads the window options. */
static int S_window_opts(const pd_args *a, pd_window_opts *o, pd_err *err) {
  memset(o, 0, sizeof *o);
  const char *bw = pd_arg(a, "base-window"), *hw = pd_arg(a, "head-window");
  if ((bw != NULL) != (hw != NULL))
    return pd_fail(err, "--base-window and --head-window go together (see profdiff report --help)");
  if (bw && pd_window_parse(bw, "--base-window", &o->base, err) != PD_OK) return PD_ERR;
  if (hw && pd_window_parse(hw, "--head-window", &o->head, err) != PD_OK) return PD_ERR;
  if (pd_arg(a, "since") && pd_timebound_parse(pd_arg(a, "since"), "--since", &o->since, err) != PD_OK)
    return PD_ERR;
  if (pd_arg(a, "until") && pd_timebound_parse(pd_arg(a, "until"), "--until", &o->until, err) != PD_OK)
    return PD_ERR;
  const char *agg = pd_arg(a, "aggregate");
  if (agg && pd_aggregate_parse(agg, &o->aggregate) != PD_OK)
    return pd_fail(err, "--aggregate must be auto, mean or sum, not \"%s\"", agg);
  if (agg && !bw) return pd_fail(err, "--aggregate only applies with --base-window and --head-window");
  const char *order = pd_arg(a, "order");
  o->order_mtime = order && strcmp(order, "mtime") == 0;
  return PD_OK;
}

/* After a windowed read: the series the report is about, made of the
 * windows' aggregates (or the snapshots --since/--until keep), in a fresh
 * series that takes over the key table the snapshots were reduced into. */
static int S_windowed(pd_series *series, S_job *job, const char **paths, const pd_window_opts *wo,
                      pd_err *err) {
  uint32_t n = series->n;
  int64_t *mtime = pd_xcalloc(n + 1, sizeof *mtime);
  for (uint32_t i = 0; i < n; i++) mtime[i] = series->snap[i].mtime_ns;
  pd_window_result r;
  int rc = pd_windows_apply(job->held, job->missing, paths, mtime, n, wo, &r, err);
  free(mtime);
  if (rc != PD_OK) return PD_ERR;
  uint32_t m = r.paired ? 2 : r.nkept;
  pd_series ns;
  pd_series_init(&ns, m, 0, &series->opts);
  pd_intern swap = ns.keys;
  ns.keys = series->keys;
  series->keys = swap;
  for (uint32_t c = 0; c < m && rc == PD_OK; c++) {
    pd_snapshot *snap = r.paired ? r.pick[c] : &job->held[r.kept[c]];
    pd_series_set_path(&ns, c, snap->path, r.paired ? 0 : series->snap[r.kept[c]].mtime_ns);
    rc = pd_series_add(&ns, c, snap, err);
  }
  /* skipped inputs (--keep-going) are still listed */
  for (uint32_t i = 0; i < n && rc == PD_OK; i++)
    if (job->missing[i]) pd_series_warn(&ns, "%s: skipped", paths[i]);
  ns.compared = r.compared;
  r.compared = NULL;
  pd_window_result_free(&r);
  pd_series_free(series);
  *series = ns;
  return rc;
}

/* What the flags say, all checked before any input is read. */
typedef struct {
  const char *dir, *base;
  pd_series_opts so;
  unsigned long threads, max_rows;
  pd_gate *gates;
  size_t ngates;
  unsigned formats;
  char *notes;
  pd_view view;
  int have_view;
  int bad_gate; /* the error is a --fail-on's: the grammar follows it */
  pd_window_opts wo; /* --base-window, --head-window, --since, --until */
  pd_json_detail json_detail;
} S_flags;

static void S_flags_free(S_flags *f) {
  free(f->gates);
  pd_file_release((uint8_t *)f->notes);
  if (f->have_view) pd_view_free(&f->view);
}

/* --link-base: an absolute web URL (report.md's escaper percent-encodes
 * what Markdown would read; spaces and controls are refused here, since
 * they are a mistake, not a URL). */
static int S_url_ok(const char *u) {
  const char *rest = strncmp(u, "https://", 8) == 0 ? u + 8 : strncmp(u, "http://", 7) == 0 ? u + 7 : NULL;
  if (!rest || !*rest || *rest == '/') return 0;
  for (const unsigned char *p = (const unsigned char *)u; *p; p++)
    if (*p <= 0x20 || *p == 0x7f) return 0;
  return strlen(u) <= 2000;
}

static int S_parse_flags(const pd_args *a, S_flags *f, pd_err *err) {
  memset(f, 0, sizeof *f);
  f->dir = pd_arg(a, "output");
  f->base = pd_arg(a, "base");
  if (!f->dir) return pd_fail(err, "report needs an output directory: -o DIR (see profdiff report --help)");
  if (a->npos < 2 && !(a->npos >= 1 && f->base))
    return pd_fail(err, "report needs at least two profiles, or one with --base (see profdiff report --help)");
  pd_series_opts_default(&f->so);
  const char *order = pd_arg(a, "order");
  if (order && strcmp(order, "mtime") == 0) f->so.order_mtime = 1;
  else if (order && strcmp(order, "auto") != 0) return pd_fail(err, "--order must be auto or mtime");
  const char *drop = pd_arg(a, "reset-drop");
  if (drop && S_parse_pct(drop, &f->so.reset_drop) != PD_OK)
    return pd_fail(err, "--reset-drop wants a percentage between 0 and 100, such as 40%%");
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (pd_arg_uint(a, "threads", (unsigned long)(cpus > 0 ? (cpus < 8 ? cpus : 8) : 2), &f->threads, err) != PD_OK)
    return PD_ERR;
  if (f->threads < 1) f->threads = 1;
  f->ngates = (size_t)pd_arg_count(a, "fail-on");
  f->gates = pd_xcalloc(f->ngates ? f->ngates : 1, sizeof *f->gates);
  for (size_t i = 0; i < f->ngates; i++)
    if (pd_gate_parse(pd_arg_at(a, "fail-on", (int)i), &f->gates[i], err) != PD_OK) {
      f->bad_gate = 1;
      return PD_ERR;
    }
  if (S_parse_formats(pd_arg(a, "output-format"), f->ngates > 0, &f->formats, err) != PD_OK) return PD_ERR;
  if (pd_arg_uint(a, "max-rows", 20, &f->max_rows, err) != PD_OK) return PD_ERR;
  const char *id = pd_arg(a, "comment-id");
  if (id && !pd_report_comment_id_valid(id))
    return pd_fail(err, "--comment-id must be 1 to 100 letters, digits, '.', '_' or '-' (it goes into an HTML comment)");
  const char *base = pd_arg(a, "link-base");
  if (base && !S_url_ok(base))
    return pd_fail(err, "--link-base wants an absolute http:// or https:// URL without spaces or control characters");
  const char *detail = pd_arg(a, "json-detail");
  if (detail && pd_json_detail_parse(detail, &f->json_detail) != PD_OK)
    return pd_fail(err, "--json-detail must be default, summary or full, not \"%s\"", detail);
  size_t cache_max;
  if (pd_arg_size(a, "cache-max-size", (size_t)1 << 30, &cache_max, err) != PD_OK) return PD_ERR;
  if (pd_arg(a, "notes")) {
    uint8_t *data;
    size_t len;
    if (pd_read_file(pd_arg(a, "notes"), 16 << 20, &data, &len, err) != PD_OK) return PD_ERR;
    f->notes = (char *)data;
  }
  if (S_window_opts(a, &f->wo, err) != PD_OK) return PD_ERR;
  if (pd_window_opts_active(&f->wo) && f->base)
    return pd_fail(err, "--base and time windows do not go together: the base window is the baseline");
  if (pd_cli_view(a, &f->view, err) != PD_OK) return PD_ERR;
  f->have_view = 1;
  return PD_OK;
}

/* The options that change an input's reduction, with their values: the
 * cache entry's second key. Every option is in it but those known to act
 * after the reduction (a new option is thus in it until said otherwise,
 * which costs misses, never a wrong hit). */
static void S_opts_key(const pd_args *a, const pd_series_opts *so, pd_buf *key) {
  static const char *const after[] = {"output", "base", "order", "title", "fail-on", "output-format",
                                      "notes", "max-rows", "template-dir", "reset-drop", "keep-going",
                                      "threads", "cache", "cache-max-size", "max-input-size", "source-path",
                                      "trim-path", "json-detail",
                                      "comment-id", "link-base", NULL};
  pd_buf_printf(key, "profdiff %s snapshot %u; tree %.17g", PD_VERSION, 1u, so->tree_min_fraction);
  for (int o = 0; o < a->nopts; o++) {
    int skip = 0;
    for (const char *const *x = after; *x && !skip; x++) skip = strcmp(*x, a->opts[o].name) == 0;
    if (skip || a->nvals[o] == 0) continue;
    pd_buf_printf(key, "; %s", a->opts[o].name);
    for (int v = 0; v < a->nvals[o]; v++) {
      const char *val = a->vals[o][v] ? a->vals[o][v] : "";
      pd_buf_printf(key, " %zu:%s", strlen(val), val);
    }
  }
}

/* Reads paths[0..series->ncols) into the series on f->threads threads. */
static int S_read(pd_series *series, const pd_args *a, const S_flags *f, const char **paths, pd_err *err) {
  S_job job;
  memset(&job, 0, sizeof job);
  job.series = series;
  job.args = a;
  job.view = &f->view;
  job.paths = paths;
  job.count = series->ncols;
  job.keep_going = pd_arg_flag(a, "keep-going");
  int windowed = pd_window_opts_active(&f->wo);
  if (windowed) {
    job.held = pd_xcalloc(series->ncols, sizeof *job.held);
    job.missing = pd_xcalloc(series->ncols, 1);
  }
  pd_buf key = PD_BUF_INIT;
  /* --group-by reads each profile's labels again: no cache for it yet */
  job.cache = pd_arg(a, "group-by") ? NULL : pd_arg(a, "cache");
  if (job.cache) {
    if (mkdir(job.cache, 0777) != 0 && errno != EEXIST) {
      pd_fail(err, "--cache %s: cannot create: %s", job.cache, strerror(errno));
      return PD_ERR;
    }
    S_opts_key(a, &series->opts, &key);
    job.opts_key = key.data;
    job.names = pd_cache_names_new();
  }
  pthread_mutex_init(&job.lock, NULL);
  mallopt(M_TRIM_THRESHOLD, S_TRIM_READING); /* until the last file (S_worker) */
  unsigned long threads = f->threads > job.count ? job.count : f->threads;
  job.split = threads == 1;
  pthread_t *tids = pd_xmalloc(threads * sizeof *tids);
  /* a thread that cannot be started (no memory for its stack) leaves the
   * work to the others */
  unsigned long started = 1;
  while (started < threads && pthread_create(&tids[started], NULL, S_worker, &job) == 0) started++;
  S_worker(&job);
  for (unsigned long t = 1; t < started; t++) pthread_join(tids[t], NULL);
  free(tids);
  pthread_mutex_destroy(&job.lock);
  int rc = PD_OK;
  if (job.cache) {
    size_t max;
    pd_err e2;
    uint32_t removed = 0;
    if (pd_arg_size(a, "cache-max-size", (size_t)1 << 30, &max, &e2) == PD_OK)
      pd_cache_evict(job.cache, max, &removed);
    if (!job.failed) {
      char ex[PD_EXCERPT_SIZE];
      pd_progress_clear();
      fprintf(stderr, "profdiff: cache: %u of %u inputs from %s", job.hits, job.count,
              pd_excerpt(job.cache, strlen(job.cache), ex));
      if (removed) fprintf(stderr, "; %u old entries removed", removed);
      fputc('\n', stderr);
    }
  }
  pd_buf_free(&key);
  pd_cache_names_free(job.names);
  if (job.failed) {
    *err = job.err;
    rc = PD_ERR;
  }
  if (windowed) {
    if (rc == PD_OK) rc = S_windowed(series, &job, paths, &f->wo, err);
    for (uint32_t i = 0; i < job.count; i++)
      if (!job.missing[i]) pd_snapshot_free(&job.held[i]);
    free(job.held);
    free(job.missing);
  }
  /* and what the free lists hold (S_worker gave back the arenas' tops);
   * then the analysis keeps what it frees again, for what it makes next */
  malloc_trim(0);
  mallopt(M_TRIM_THRESHOLD, S_TRIM_READING);
  if (rc == PD_OK) pd_progress_step(NULL, "analysing");
  return rc == PD_OK ? pd_series_finish(series, err) : PD_ERR;
}

/* report --group-by: the series again for each value of the label. */
#define S_MAX_GROUPS 16

typedef struct {
  pd_intern values;
  pd_report_group *groups;
  pd_series *series;
  uint32_t n;
} S_groupset;

static void S_groupset_free(S_groupset *g) {
  for (uint32_t i = 0; i < g->n; i++) pd_series_free(&g->series[i]);
  free(g->series);
  free(g->groups);
  pd_intern_free(&g->values);
  memset(g, 0, sizeof *g);
}

static int S_cmp_value(const void *ctx, uint32_t a, uint32_t b) { return pd_intern_cmp(ctx, a, b); }

static void S_set_paths(pd_series *s, const char **paths) {
  for (uint32_t i = 0; i < s->ncols; i++) {
    struct stat st;
    int64_t mtime = 0;
    if (stat(paths[i], &st) == 0) mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    pd_series_set_path(s, i, paths[i], mtime);
  }
}

/* One pass over the inputs for the label's values (sorted, at most
 * S_MAX_GROUPS), then a series per value: each input is read once more per
 * value, a sample kept when its label is exactly that value. */
static int S_read_groups(const pd_args *a, const S_flags *f, const char **paths, uint32_t n, pd_series *main,
                         S_groupset *g, pd_err *err) {
  uint32_t ncols = n + (f->base != NULL);
  const char *key = pd_arg(a, "group-by");
  memset(g, 0, sizeof *g);
  pd_intern_init(&g->values, 16);
  pd_ingest_opts io;
  if (pd_cli_ingest_opts(a, &io, err) != PD_OK) return PD_ERR;
  for (uint32_t i = 0; i < ncols; i++) {
    pd_profile p;
    int rc = pd_ingest_file(paths[i], &io, &p, err);
    if (rc == PD_OK) rc = pd_tag_values(&p, key, &g->values, err);
    pd_profile_free(&p);
    if (rc != PD_OK && !pd_arg_flag(a, "keep-going")) return PD_ERR;
  }
  uint32_t nv = g->values.n - 1; /* id 0 is "", which no label has */
  if (nv == 0) {
    pd_series_warn(main, "--group-by %s: no sample carries that label", key);
    return PD_OK;
  }
  uint32_t *ids = pd_xmalloc(nv * sizeof *ids);
  for (uint32_t i = 0; i < nv; i++) ids[i] = i + 1;
  pd_sort_u32(ids, nv, S_cmp_value, &g->values);
  if (nv > S_MAX_GROUPS) {
    pd_series_warn(main, "--group-by %s: %u values; the first %d by name are reported", key, nv, S_MAX_GROUPS);
    nv = S_MAX_GROUPS;
  }
  g->groups = pd_xcalloc(nv, sizeof *g->groups);
  g->series = pd_xcalloc(nv, sizeof *g->series);
  int rc = PD_OK;
  for (uint32_t v = 0; v < nv && rc == PD_OK; v++) {
    const char *value = pd_intern_str(&g->values, ids[v]);
    S_flags fg = *f;
    if (pd_cli_view(a, &fg.view, err) != PD_OK) {
      rc = PD_ERR;
      break;
    }
    pd_view_set_group(&fg.view, key, value);
    pd_series_init(&g->series[v], n, f->base != NULL, &f->so);
    g->n = v + 1;
    S_set_paths(&g->series[v], paths);
    rc = S_read(&g->series[v], a, &fg, paths, err);
    pd_view_free(&fg.view);
    g->groups[v].value = value;
    g->groups[v].series = &g->series[v];
  }
  free(ids);
  return rc;
}

/* Flags, reading, analysis of memory and gates; the report itself is
 * report/'s pd_report_write. */
/* The lines where the leading suspects grow: the first (or base) and the
 * last profile read again for a listing of the suspects' names (at function
 * granularity, without time windows, whose snapshots are aggregates, and
 * not per label group). Never fails the report: what cannot be read is a
 * warning and the section is left out. */
enum { S_LINES_SUSPECTS = 3, S_LINES_PER_SUSPECT = 3 };
static int S_suspect_lines(const pd_args *a, const S_flags *f, const pd_series *s, pd_suspect_lines *out) {
  if (s->nsuspects == 0 || f->view.granularity != PD_GRAN_FUNCTION || s->compared || s->first_col < 0 ||
      s->last_col < 0 || s->first_col == s->last_col)
    return 0;
  uint32_t nkeys = s->nsuspects < S_LINES_SUSPECTS ? s->nsuspects : S_LINES_SUSPECTS, keys[S_LINES_SUSPECTS];
  pd_intern names;
  pd_intern_init(&names, 16);
  for (uint32_t i = 0; i < nkeys; i++) {
    keys[i] = s->fs[s->suspects[i]].key;
    pd_intern_put(&names, pd_intern_str(&s->keys, keys[i]), pd_key_len(&s->keys, keys[i]));
  }
  pd_listing l;
  pd_listing_init_names(&l, &names);
  pd_ingest_opts io;
  pd_err err;
  int rc = pd_cli_ingest_opts(a, &io, &err);
  int32_t cols[2] = {s->first_col, s->last_col};
  for (int i = 0; i < 2 && rc == PD_OK; i++) {
    const pd_snapinfo *si = &s->snap[cols[i]];
    pd_profile p;
    rc = pd_ingest_file(si->path, &io, &p, &err);
    if (rc == PD_OK) rc = pd_listing_add(&l, &p, &f->view, si->sample_type, &err);
    pd_profile_free(&p);
  }
  int built = 0;
  if (rc == PD_OK) {
    pd_source src;
    pd_source_init(&src, pd_arg(a, "source-path"), pd_arg(a, "trim-path"), io.max_input_size);
    pd_suspect_lines_build(out, &l, &src, s, keys, nkeys, S_LINES_PER_SUSPECT);
    pd_source_free(&src);
    built = 1;
  } else {
    pd_buf w = PD_BUF_INIT;
    pd_buf_printf(&w, "the suspects' source lines are left out: %s", err.msg);
    pd_cli_warn(w.data);
    pd_buf_free(&w);
  }
  pd_listing_free(&l);
  pd_intern_free(&names);
  return built;
}

static int S_report(const pd_args *a) {
  pd_err err;
  /* A series reads file after file, each needing tens of megabytes for a
   * moment (the inflated profile, its tables, the reduce's scratch). Given
   * back to the system as each is freed (a 256 KB mmap threshold, as this
   * was once), every page of them was faulted in again for the next file,
   * on both threads, each fault and unmap stalling the other thread: half
   * of a report's CPU time on 50 large profiles (26 s against 12.7 s, more
   * than 50 single `top` runs took). So blocks up to 64 MB come from the
   * worker threads' arenas, which keep what they freed (up to a trim
   * threshold of 128 MB each) for the next file: memory is that of the
   * largest file in flight on each thread, not of the number read, and
   * S_read gives it back after the last (S_worker). */
  mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  S_flags f;
  if (S_parse_flags(a, &f, &err) != PD_OK) {
    int bad_gate = f.bad_gate;
    S_flags_free(&f);
    S_fail(err.msg);
    /* after the one terminal-safe line, the grammar (ours, multi-line) */
    if (bad_gate) fprintf(stderr, "%s\n", PD_GATE_GRAMMAR);
    return PD_EXIT_ERROR;
  }

  /* container memory files (memory.stat, memory.current) are not profiles:
   * they go to the heap-versus-page-cache analysis, the rest to the series */
  const char **paths = pd_xmalloc(((size_t)a->npos + 1) * sizeof *paths);
  const char **memfiles = pd_xmalloc(((size_t)a->npos + 1) * sizeof *memfiles);
  uint32_t n = 0, nmem = 0;
  for (int i = 0; i < a->npos; i++) {
    pd_format fmt;
    if (pd_sniff_file(a->pos[i], &fmt, &err) == PD_OK && fmt == PD_FORMAT_MEMSTAT) memfiles[nmem++] = a->pos[i];
    else paths[n++] = a->pos[i]; /* errors are reported when it is read */
  }
  if (n < 2 && !(n >= 1 && f.base)) {
    free(paths);
    free(memfiles);
    S_flags_free(&f);
    return S_fail("report needs at least two profiles (memory.stat files do not count), or one with --base");
  }
  pd_series series;
  pd_series_init(&series, n, f.base != NULL, &f.so);
  series.opts.defer_tree = 1; /* after the suspects' lines (below) */
  if (f.base) paths[n] = f.base;
  for (uint32_t i = 0; i < series.ncols; i++) {
    struct stat st;
    int64_t mtime = 0;
    if (stat(paths[i], &st) == 0)
      mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    pd_series_set_path(&series, i, paths[i], mtime);
  }
  pd_progress_start(pd_arg_flag(a, "progress") ? 1 : pd_arg_flag(a, "no-progress") ? -1 : 0, series.ncols);
  int rc = S_read(&series, a, &f, paths, &err);
  S_groupset groups;
  memset(&groups, 0, sizeof groups);
  if (rc == PD_OK && pd_arg(a, "group-by")) rc = S_read_groups(a, &f, paths, n, &series, &groups, &err);

  /* heap versus container memory */
  pd_memtimeline tl;
  pd_memory_result mem;
  int have_mem = 0;
  if (rc == PD_OK && nmem) rc = S_memory(&series, a, memfiles, nmem, &tl, &mem, &have_mem, &err);

  int failed_gates = 0;
  if (rc == PD_OK && f.ngates) {
    failed_gates = pd_gates_eval(f.gates, f.ngates, &series, &err);
    if (failed_gates < 0) rc = PD_ERR;
  }
  if (rc == PD_OK) {
    pd_report_config c = {.dir = f.dir,
                          .formats = f.formats,
                          .version = PD_VERSION,
                          .title = pd_arg(a, "title"),
                          .notes = f.notes,
                          .max_rows = (uint32_t)(f.max_rows ? f.max_rows : 1),
                          .gates = f.gates,
                          .ngates = f.ngates,
                          .memory_tl = have_mem ? &tl : NULL,
                          .memory = have_mem ? &mem : NULL,
                          .template_dir = pd_arg(a, "template-dir"),
                          .group_key = groups.n ? pd_arg(a, "group-by") : NULL,
                          .groups = groups.groups,
                          .ngroups = groups.n,
                          .json_detail = f.json_detail,
                          .comment_id = pd_arg(a, "comment-id"),
                          .link_base = pd_arg(a, "link-base"),
                          .suspect_lines = NULL,
                          .progress = pd_progress_step};
    pd_suspect_lines sl;
    if (S_suspect_lines(a, &f, &series, &sl)) c.suspect_lines = &sl;
    pd_series_tree(&series);
    rc = pd_report_write(&series, &c, &err);
    if (c.suspect_lines) pd_suspect_lines_free(&sl);
  }
  pd_progress_end(); /* before the warnings and the summary line */
  if (rc == PD_OK) {
    for (uint32_t c = 0; c < series.ncols; c++)
      for (uint32_t i = 0; i < series.snap[c].nwarnings; i++) pd_cli_warn(series.snap[c].warnings[i]);
    for (uint32_t i = 0; i < series.nwarnings; i++) pd_cli_warn(series.warnings[i]);
    S_summary(&series, f.gates, f.ngates, failed_gates, f.dir);
  }
  if (have_mem) pd_memtimeline_free(&tl);
  free(memfiles);
  free(paths);
  pd_series_free(&series);
  S_groupset_free(&groups);
  S_flags_free(&f);
  pd_progress_end();
  if (rc != PD_OK) return S_fail(err.msg);
  return failed_gates > 0 ? PD_EXIT_GATE : PD_EXIT_OK;
}

const pd_command pd_cmd_report = {
    "report",
    "analyse a series of profiles: deltas, shares, growth slopes, leak suspects",
    "report [options] -o DIR FILE FILE... | report [options] -o DIR --base BASE FILE...",
    "Reads two or more profiles of one kind (a before/after pair, an incident's\n"
    "snapshots, a month of nightly dumps), aligns their call stacks by symbol and\n"
    "writes into DIR report.json, report.md, report.html, junit.xml (with --fail-on)\n"
    "and the graphs: per function its values over the snapshots, the delta\n"
    "and its sampling noise, the shift of its share of the total, growth slopes\n"
    "(least squares and Theil-Sen) with a Mann-Kendall trend test corrected for\n"
    "autocorrelation (Hamed-Rao), the current rate and since when, a verdict\n"
    "(growing, plateau, shrinking, stable, new, gone) and the ranked leak suspects.\n"
    "Snapshots are ordered by the profiles' own times, else by times in their file\n"
    "names, else as given. A sharp drop of the total (a restart, a cache cleared)\n"
    "starts a new segment; trends are judged within the last one. report.md and\n"
    "report.html show the lines where the leading suspects grow, with their code\n"
    "(found by --source-path and --trim-path, as profdiff list finds it).\n"
    "\n"
    "report.md is written to be a pull-request comment: the verdict on its first\n"
    "line, one table of at most six columns, the rest in <details> blocks, under\n"
    "65,536 characters; links only under --link-base; --comment-id adds the marker\n"
    "a CI job finds its comment by. report.json has every function's summary and\n"
    "the per-snapshot values of the ones that matter (--json-detail).\n"
    "\n"
    "DIR is published whole: the report is written into a staging directory beside\n"
    "it and swapped in in one step, so DIR always holds one run's complete report;\n"
    "a failed or interrupted run leaves it as it was, and files an earlier run\n"
    "wrote that this one does not are gone. See docs/report.md, docs/analysis.md\n"
    "and docs/report-json.md.",
    S_opts,
    S_report};
