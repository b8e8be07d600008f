/* cmd_memstat.c: `profdiff memstat FILE...`, heap versus container memory on
 * its own: cgroup memory.stat snapshots (with memory.current or
 * memory.usage_in_bytes files and heap profiles, all paired by time) as a
 * table and an attribution. `report` does the same inside a report. */
#include "cli.h"
#include "../escape/escape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const pd_opt S_opts[] = {
    {"format", "FMT", "text (default) or json", 0},
    {"output", "FILE", "write to FILE (atomically) instead of standard output", 0, 'o'},
    {"keep-going", NULL, "skip unreadable inputs (listed in the output) instead of failing", 0},
    {"sample-index", "NAME|N", "heap profiles: sample type to total (default: the profile's default, else the last: inuse_space)", 0},
    {"max-input-size", "SIZE", "refuse inputs larger than SIZE, compressed or not (default 256MiB)", 0},
    {NULL, NULL, NULL, 0}};

static int64_t S_mtime(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

typedef struct {
  int index;
  double total;
} S_sum;

static int S_add(void *ctx, const uint32_t *locs, uint32_t n, const pd_val *values) {
  (void)locs;
  (void)n;
  S_sum *s = ctx;
  s->total += fabs((double)values[s->index]);
  return PD_OK;
}

/* A heap profile's time and total in bytes. */
static int S_heap(const char *path, const pd_args *a, pd_memheap *h, pd_err *err) {
  pd_ingest_opts io;
  if (pd_cli_ingest_opts(a, &io, err) != PD_OK) return PD_ERR;
  pd_profile p;
  int rc = pd_ingest_file(path, &io, &p, err);
  S_sum sum = {0, 0};
  if (rc == PD_OK) rc = pd_profile_sample_index(&p, pd_arg(a, "sample-index"), &sum.index, err);
  if (rc == PD_OK) {
    double factor;
    const char *unit = pd_profile_str(&p, p.types[sum.index].unit);
    if (pd_unit_classify(unit, &factor) != PD_UNIT_BYTES)
      rc = pd_fail(err, "%s: sample type %s is in %s, not bytes: memstat pairs memory with heap profiles",
                   path, pd_profile_str(&p, p.types[sum.index].type), *unit ? unit : "no unit");
  }
  if (rc == PD_OK) rc = pd_profile_samples(&p, S_add, &sum, err);
  if (rc == PD_OK) {
    h->path = path;
    h->total = sum.total;
    if (p.time_ns) {
      h->time_ns = p.time_ns;
      h->time_source = PD_TIME_PROFILE;
    } else if (pd_time_from_name(path, &h->time_ns)) {
      h->time_source = PD_TIME_FILE_NAME;
    } else {
      h->time_ns = S_mtime(path);
      h->time_source = PD_TIME_MTIME;
    }
    for (uint32_t i = 0; i < p.nwarnings; i++) pd_cli_warn(p.warnings[i]);
  }
  pd_profile_free(&p);
  return rc;
}

static int S_run(const pd_args *a) {
  pd_err err;
  const char *format = pd_arg(a, "format");
  if (!format) format = "text";
  if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
    pd_cli_error("--format must be text or json");
    return PD_EXIT_ERROR;
  }
  if (a->npos < 1) {
    pd_cli_error("memstat needs memory.stat files (see profdiff memstat --help)");
    return PD_EXIT_ERROR;
  }
  pd_ingest_opts io;
  if (pd_cli_ingest_opts(a, &io, &err) != PD_OK) return pd_cli_exit(PD_ERR, &err);
  int keep_going = pd_arg_flag(a, "keep-going");
  uint32_t n = (uint32_t)a->npos;
  pd_memstat *files = pd_xcalloc(n, sizeof *files);
  pd_memheap *heaps = pd_xcalloc(n, sizeof *heaps);
  uint32_t nfiles = 0, nheaps = 0;
  char **skip_msgs = pd_xcalloc(n, sizeof *skip_msgs);
  uint32_t nskipped = 0;
  int rc = PD_OK;
  for (uint32_t i = 0; i < n && rc == PD_OK; i++) {
    const char *path = a->pos[i];
    pd_format f;
    int r = pd_sniff_file(path, &f, &err);
    if (r == PD_OK && (f == PD_FORMAT_MEMSTAT || f == PD_FORMAT_FOLDED)) {
      /* folded stacks are never a heap profile: a "word number" file that
       * is not memory.stat gets memory.stat's error message */
      r = pd_memstat_read_file(path, &io, &files[nfiles], &err);
      if (r == PD_OK) nfiles++;
      else pd_memstat_free(&files[nfiles]);
    } else if (r == PD_OK) {
      r = S_heap(path, a, &heaps[nheaps], &err);
      if (r == PD_OK) nheaps++;
    }
    if (r == PD_OK) continue;
    if (!keep_going) {
      rc = PD_ERR;
      break;
    }
    pd_cli_warn(err.msg);
    skip_msgs[nskipped++] = pd_xstrdup(err.msg);
  }
  if (rc == PD_OK && nfiles == 0)
    rc = pd_fail(&err, "no memory.stat, memory.current or memory.usage_in_bytes file among the inputs");
  if (rc == PD_OK) {
    pd_memtimeline tl;
    pd_memtimeline_build(&tl, files, nfiles, heaps, nheaps);
    pd_memory_result r;
    pd_memtimeline_attribute(&tl, NULL, &r);
    pd_buf out = PD_BUF_INIT;
    if (strcmp(format, "json") == 0) {
      pd_report_memory_json(&out, &tl, &r, (const char *const *)skip_msgs, nskipped);
      pd_buf_putc(&out, '\n');
    } else {
      pd_report_memory_text(&out, &tl, &r);
      for (uint32_t i = 0; i < nskipped; i++) {
        pd_buf_puts(&out, "skipped: ");
        pd_esc_text(&out, skip_msgs[i], strlen(skip_msgs[i]));
        pd_buf_putc(&out, '\n');
      }
    }
    rc = pd_cli_emit(pd_arg(a, "output"), &out, &err);
    pd_buf_free(&out);
    pd_memtimeline_free(&tl);
  }
  for (uint32_t i = 0; i < nfiles; i++) pd_memstat_free(&files[i]);
  for (uint32_t i = 0; i < nskipped; i++) free(skip_msgs[i]);
  free(skip_msgs);
  free(files);
  free(heaps);
  return pd_cli_exit(rc, &err);
}

const pd_command pd_cmd_memstat = {
    "memstat",
    "heap versus page cache: cgroup memory.stat snapshots paired with heap profiles",
    "memstat [options] FILE...",
    "Reads cgroup memory.stat snapshots (v1 or v2), memory.current or\n"
    "memory.usage_in_bytes files and heap profiles, in any order, and pairs them\n"
    "by time: a snapshot's time comes from its file name (ISO-8601 or Unix\n"
    "seconds), else its modification time; a profile's from the profile, else its\n"
    "file name, else its modification time. Prints one row per memory.stat\n"
    "snapshot with the heap profile total, anon memory (v2 anon, v1 rss), the\n"
    "active and inactive file cache, the working set as Kubernetes computes it\n"
    "(usage - inactive_file) and the usage, then each line's fitted growth and\n"
    "the attribution: heap, page_cache, anon_non_heap, anon (no heap profile to\n"
    "tell) or none, with one sentence saying why. --format json prints the object\n"
    "report.json carries as \"memory\". See docs/memstat.md and docs/inputs.md.",
    S_opts,
    S_run};
