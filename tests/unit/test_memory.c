/* test_memory.c: the heap-versus-page-cache attribution on numbers alone,
 * pairing by time, the timeline built from memory files, and the two series
 * recorded on a real cgroup (samples/memstat: page cache growth, heap
 * growth), read the way `report` reads them. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "analyse/memory.h"
#include "ingest/ingest.h"

#define MB (1024.0 * 1024.0)
enum { N = 61 };

typedef struct {
  double t[N], heap[N], anon[N], active[N], inactive[N], usage[N];
} S_series;

/* A minute of snapshots, one a second: a Go program of ~20 MB whose anon
 * memory wobbles by up to 3 MB with its GC cycles. */
static void S_base(S_series *s) {
  for (int i = 0; i < N; i++) {
    s->t[i] = i;
    s->heap[i] = 4 * MB + (i % 3) * 0.1 * MB;
    s->anon[i] = 20 * MB + ((i * 7) % 4) * MB;
    s->active[i] = 2 * MB;
    s->inactive[i] = 1 * MB;
    s->usage[i] = s->anon[i] + s->active[i] + s->inactive[i];
  }
}

static pd_attribution S_run(S_series *s, pd_memory_result *r) {
  for (int i = 0; i < N; i++) s->usage[i] = s->anon[i] + s->active[i] + s->inactive[i];
  pd_memseries in = {N, s->t, s->heap, s->anon, s->active, s->inactive, s->usage};
  pd_memory_attribute(&in, NULL, r);
  return r->attribution;
}

PD_TEST(page_cache_when_only_files_grow) {
  S_series s;
  S_base(&s);
  /* a log written at 1 MB/s: new pages go to the inactive list, some are
   * promoted to the active one */
  for (int i = 0; i < N; i++) {
    s.inactive[i] += 0.8 * MB * i;
    s.active[i] += 0.2 * MB * i;
  }
  pd_memory_result r;
  CHECK(S_run(&s, &r) == PD_ATTR_PAGE_CACHE);
  CHECK_NEAR(r.file.growth, 60 * MB, 1);
  CHECK(!r.anon.grows && !r.heap.grows && r.file.grows);
  CHECK(strstr(r.sentence, "file cache grew by 60MB") != NULL);
  CHECK(strstr(r.sentence, "not a heap leak") != NULL);
  CHECK_STR(pd_attribution_name(r.attribution), "page_cache");
}

PD_TEST(heap_when_heap_grows_with_anon) {
  S_series s;
  S_base(&s);
  /* the heap grows 30 MB; Go's heap goal keeps up to twice that mapped */
  for (int i = 0; i < N; i++) {
    s.heap[i] += 0.5 * MB * i;
    s.anon[i] += 0.9 * MB * i;
    s.inactive[i] += 0.05 * MB * i; /* the profiles being written */
  }
  pd_memory_result r;
  CHECK(S_run(&s, &r) == PD_ATTR_HEAP);
  CHECK_NEAR(r.heap_share, 0.5 / 0.9, 0.02);
  CHECK(r.heap.grows && r.anon.grows && !r.file.grows);
  CHECK(strstr(r.sentence, "the growth is on the profiled heap") != NULL);
}

PD_TEST(anon_non_heap_when_heap_is_flat) {
  S_series s;
  S_base(&s);
  for (int i = 0; i < N; i++) s.anon[i] += 1.0 * MB * i; /* cgo / mmap */
  pd_memory_result r;
  CHECK(S_run(&s, &r) == PD_ATTR_ANON_NON_HEAP);
  CHECK(r.heap_share < 0.25);
  CHECK(strstr(r.sentence, "outside the profiled heap") != NULL);
  /* the heap growing, but by much less than anon, is still outside it */
  for (int i = 0; i < N; i++) s.heap[i] += 0.1 * MB * i;
  CHECK(S_run(&s, &r) == PD_ATTR_ANON_NON_HEAP);
}

PD_TEST(anon_without_heap_profiles) {
  S_series s;
  S_base(&s);
  for (int i = 0; i < N; i++) {
    s.anon[i] += 1.0 * MB * i;
    s.heap[i] = NAN;
  }
  pd_memory_result r;
  CHECK(S_run(&s, &r) == PD_ATTR_ANON);
  CHECK(strstr(r.sentence, "no heap profile was paired") != NULL);
}

PD_TEST(none_when_flat) {
  S_series s;
  S_base(&s);
  pd_memory_result r;
  CHECK(S_run(&s, &r) == PD_ATTR_NONE);
  CHECK(!r.anon.grows && !r.file.grows && !r.heap.grows);
  /* a heap that grows inside memory already mapped is not container growth */
  for (int i = 0; i < N; i++) s.heap[i] += 0.1 * MB * i;
  CHECK(S_run(&s, &r) == PD_ATTR_NONE);
  CHECK(strstr(r.sentence, "reused memory") != NULL);
  /* one snapshot: nothing to say */
  pd_memseries one = {1, s.t, s.heap, s.anon, s.active, s.inactive, s.usage};
  pd_memory_attribute(&one, NULL, &r);
  CHECK(r.attribution == PD_ATTR_NONE && strstr(r.sentence, "at least two") != NULL);
}

PD_TEST(one_outlier_does_not_decide) {
  S_series s;
  S_base(&s);
  s.anon[N - 1] += 200 * MB; /* one bad reading at the end */
  s.inactive[0] += 100 * MB; /* and a cache dropped after the first */
  pd_memory_result r;
  CHECK(S_run(&s, &r) == PD_ATTR_NONE);
}

PD_TEST(both_grow_heap_first_and_cache_mentioned) {
  S_series s;
  S_base(&s);
  for (int i = 0; i < N; i++) {
    s.heap[i] += 0.5 * MB * i;
    s.anon[i] += 0.8 * MB * i;
    s.inactive[i] += 1.0 * MB * i;
  }
  pd_memory_result r;
  CHECK(S_run(&s, &r) == PD_ATTR_HEAP);
  CHECK(r.file.grows);
  CHECK(strstr(r.sentence, "file cache also grew") != NULL);
}

PD_TEST(pairing_by_time) {
  int64_t s = 1000000000;
  int64_t mem[] = {0, 10 * s, 20 * s, 30 * s};
  int64_t heap[] = {21 * s, 1 * s, 100 * s, 29 * s};
  int64_t gap = pd_memory_pair_gap(mem, 4);
  CHECK(gap == 5 * s);
  int32_t out[4];
  pd_memory_pair(mem, 4, heap, 4, gap, out);
  CHECK(out[0] == 1 && out[1] == -1 && out[2] == 0 && out[3] == 3);
  CHECK(pd_memory_pair_gap(mem, 1) == 60 * s);
  int64_t close[] = {0, s / 10, s / 5};
  CHECK(pd_memory_pair_gap(close, 3) == s); /* at least a second */
}

static void S_stat(pd_memstat *m, const char *path, int64_t t, const char *text) {
  pd_err err;
  pd_memstat_init(m, path);
  pd_memstat_parse(m, (const uint8_t *)text, strlen(text), &err);
  m->time_ns = t;
  m->time_source = PD_TIME_FILE_NAME;
}

PD_TEST(timeline_pairs_usage_and_heaps) {
  int64_t s = 1000000000, t0 = 1795370000 * s;
  pd_memstat files[4];
  /* given out of order: the timeline sorts */
  S_stat(&files[0], "b/memory.stat", t0 + 10 * s, "anon 300\nfile 50\nactive_file 20\ninactive_file 30\n");
  S_stat(&files[1], "a/memory.stat", t0, "anon 100\nfile 50\nactive_file 20\ninactive_file 30\n");
  S_stat(&files[2], "a/memory.current", t0, "400\n");
  S_stat(&files[3], "z/memory.current", t0 + 500 * s, "999\n");
  pd_memheap heaps[] = {{"h2.pb.gz", t0 + 10 * s + s / 2, PD_TIME_PROFILE, 250},
                        {"h1.pb.gz", t0 - s / 3, PD_TIME_PROFILE, 50},
                        {"far.pb.gz", t0 + 1000 * s, PD_TIME_PROFILE, 7}};
  pd_memtimeline tl;
  pd_memtimeline_build(&tl, files, 4, heaps, 3);
  for (int i = 0; i < 4; i++) pd_memstat_free(&files[i]);
  CHECK(tl.n == 2 && tl.version == PD_CGROUP_V2 && tl.heaps_paired == 2);
  if (tl.n == 2) {
    CHECK_STR(tl.points[0].memstat, "a/memory.stat");
    CHECK_STR(tl.points[0].usage_file, "a/memory.current");
    CHECK(tl.points[0].usage == 400 && !tl.points[0].usage_estimated);
    CHECK(tl.points[0].working_set == 370);
    CHECK(tl.points[0].heap == 50 && tl.points[1].heap == 250);
    CHECK_STR(tl.points[1].heap_profile, "h2.pb.gz");
    CHECK(tl.points[1].usage_estimated && tl.points[1].usage == 350);
  }
  CHECK(tl.nunpaired == 2);
  pd_memory_result r;
  pd_memtimeline_attribute(&tl, NULL, &r);
  CHECK(r.span_s == 10 && r.heap.n == 2);
  pd_memtimeline_free(&tl);
}

typedef struct {
  int index;
  double total;
} S_acc;

static int S_add(void *ctx, const uint32_t *locs, uint32_t n, const pd_val *values) {
  (void)locs;
  (void)n;
  S_acc *a = ctx;
  a->total += values[a->index];
  return PD_OK;
}

/* Reads a recorded scenario: memory files through pd_memstat_read_file, heap
 * profiles through pd_ingest_file (inuse_space, their default), routed by
 * pd_sniff_file as `report` routes them. */
static void S_recorded(const char *scenario, pd_memtimeline *tl) {
  char dir[256];
  snprintf(dir, sizeof dir, "samples/memstat/%s", scenario);
  DIR *d = opendir(pd_test_repo(dir));
  CHECK_MSG(d != NULL, "%s is missing", dir);
  pd_memstat files[128];
  pd_memheap heaps[128];
  char paths[128][320];
  uint32_t nf = 0, nh = 0;
  struct dirent *e;
  while (d && (e = readdir(d)) && nf < 128 && nh < 128) {
    if (strncmp(e->d_name, "heap.", 5) != 0 && strncmp(e->d_name, "memory.", 7) != 0) continue;
    char *path = paths[nf + nh];
    snprintf(path, sizeof paths[0], "%s/%s", dir, e->d_name);
    pd_format f;
    pd_err err;
    CHECK_MSG(pd_sniff_file(path, &f, &err) == PD_OK, "%s", err.msg);
    if (f == PD_FORMAT_MEMSTAT) {
      CHECK_MSG(pd_memstat_read_file(path, NULL, &files[nf], &err) == PD_OK, "%s", err.msg);
      CHECK(files[nf].time_source == PD_TIME_FILE_NAME);
      nf++;
      continue;
    }
    pd_profile p;
    CHECK_MSG(pd_ingest_file(path, NULL, &p, &err) == PD_OK, "%s", err.msg);
    S_acc acc = {0, 0};
    CHECK(pd_profile_sample_index(&p, NULL, &acc.index, &err) == PD_OK);
    CHECK_STR(pd_profile_str(&p, p.types[acc.index].type), "inuse_space");
    pd_profile_samples(&p, S_add, &acc, &err);
    heaps[nh].path = path;
    heaps[nh].time_ns = p.time_ns;
    heaps[nh].time_source = PD_TIME_PROFILE;
    heaps[nh].total = acc.total;
    nh++;
    pd_profile_free(&p);
  }
  if (d) closedir(d);
  CHECK(nf == 52 && nh == 26);
  pd_memtimeline_build(tl, files, nf, heaps, nh);
  for (uint32_t i = 0; i < nf; i++) pd_memstat_free(&files[i]);
  CHECK(tl->n == 26 && tl->heaps_paired == 26 && tl->nunpaired == 0 && tl->version == PD_CGROUP_V1);
  for (uint32_t i = 0; i < tl->n; i++) CHECK(!tl->points[i].usage_estimated);
}

PD_TEST(recorded_page_cache_series) {
  pd_memtimeline tl;
  S_recorded("pagecache", &tl);
  pd_memory_result r;
  pd_memtimeline_attribute(&tl, NULL, &r);
  CHECK(r.attribution == PD_ATTR_PAGE_CACHE);
  CHECK_STR(pd_attribution_name(r.attribution), "page_cache");
  /* samples/memstat/README.md: cache +262 MB (almost all inactive_file), rss
   * +1.2 MB, the heap profile unchanged */
  CHECK(r.file.growth > 240 * MB && r.inactive_file.growth > 240 * MB);
  CHECK(!r.anon.grows && !r.heap.grows && r.heap.growth == 0);
  CHECK(r.span_s == 25);
  CHECK(strstr(r.sentence, "this is page cache") != NULL);
  pd_memtimeline_free(&tl);
}

PD_TEST(recorded_heap_growth_series) {
  pd_memtimeline tl;
  S_recorded("heapgrow", &tl);
  pd_memory_result r;
  pd_memtimeline_attribute(&tl, NULL, &r);
  CHECK(r.attribution == PD_ATTR_HEAP);
  CHECK_STR(pd_attribution_name(r.attribution), "heap");
  /* heap +192 MB, rss +222 MB, page cache ~0 */
  CHECK(r.heap.growth > 150 * MB && r.anon.growth > 180 * MB && !r.file.grows);
  CHECK(r.heap_share > 0.8 && r.heap_share < 1.1);
  CHECK(strstr(r.sentence, "the growth is on the profiled heap") != NULL);
  pd_memtimeline_free(&tl);
}

static const pd_test_case S_cases[] = {
    {"page_cache_when_only_files_grow", page_cache_when_only_files_grow},
    {"heap_when_heap_grows_with_anon", heap_when_heap_grows_with_anon},
    {"anon_non_heap_when_heap_is_flat", anon_non_heap_when_heap_is_flat},
    {"anon_without_heap_profiles", anon_without_heap_profiles},
    {"none_when_flat", none_when_flat},
    {"one_outlier_does_not_decide", one_outlier_does_not_decide},
    {"both_grow_heap_first_and_cache_mentioned", both_grow_heap_first_and_cache_mentioned},
    {"pairing_by_time", pairing_by_time},
    {"timeline_pairs_usage_and_heaps", timeline_pairs_usage_and_heaps},
    {"recorded_page_cache_series", recorded_page_cache_series},
    {"recorded_heap_growth_series", recorded_heap_growth_series},
    {NULL, NULL}};
const pd_test_suite pd_suite_memory = {"memory", S_cases};
