/* memory.c: the heap-versus-page-cache attribution (memory.h).
 *
 * Growth is judged on a robust fit, not on last minus first: each line's
 * Theil-Sen slope times the span of the series. One GC, one log rotation or
 * one process warming up moves a single point and not the median of the
 * pairwise slopes. A line "grows" when its fitted growth clears an absolute
 * bar (1 MiB, and 5% of the mean usage) and is at least a fifth of the
 * largest growth among anon and file cache: a Go program writing logs sees
 * its anon memory wobble by a few MB while the page cache grows by tens, and
 * that wobble is not the story.
 */
#include "memory.h"
#include "stats.h"
#include "../model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *pd_attribution_name(pd_attribution a) {
  switch (a) {
  case PD_ATTR_NONE: return "none";
  case PD_ATTR_HEAP: return "heap";
  case PD_ATTR_PAGE_CACHE: return "page_cache";
  case PD_ATTR_ANON_NON_HEAP: return "anon_non_heap";
  case PD_ATTR_ANON: return "anon";
  }
  return "none";
}

void pd_memory_opts_default(pd_memory_opts *o) {
  o->min_growth = 1 << 20;
  o->min_growth_frac = 0.05;
  o->relative = 0.2;
  o->heap_share = 0.25;
}

/* Fits one line; y may hold NANs (points without a value). */
static void S_line(const double *t, const double *y, uint32_t n, double span_s, double *x,
                   double *v, double *scratch, pd_memline *l) {
  memset(l, 0, sizeof *l);
  l->slope = l->growth = l->first = l->last = l->min = l->max = NAN;
  if (!y) return;
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (isnan(y[i])) continue;
    x[k] = t[i] / 3600;
    v[k] = y[i];
    if (!k || y[i] < l->min) l->min = y[i];
    if (!k || y[i] > l->max) l->max = y[i];
    if (!k) l->first = y[i];
    l->last = y[i];
    k++;
  }
  l->n = k;
  if (k < 2) return;
  l->slope = pd_theil_sen(x, v, k, scratch);
  if (!isnan(l->slope)) l->growth = l->slope * span_s / 3600;
}

/* A size ("42.92MB", "-1.50MB"), with a "+" on growths when plus is set. */
static void S_size(double v, int plus, char *buf, size_t n) {
  if (isnan(v)) {
    snprintf(buf, n, "?");
    return;
  }
  char tmp[48];
  pd_unit_label(fabs(v), "bytes", "auto", tmp, sizeof tmp);
  snprintf(buf, n, "%s%s", v < 0 ? "-" : v > 0 && plus ? "+" : "", tmp);
}

static void S_span(double s, char *buf, size_t n) {
  if (s < 120) snprintf(buf, n, "%.0f s", s);
  else if (s < 7200) snprintf(buf, n, "%.0f min", s / 60);
  else if (s < 172800) snprintf(buf, n, "%.1f h", s / 3600);
  else snprintf(buf, n, "%.1f days", s / 86400);
}

static void S_sentence(pd_memory_result *r) {
  /* plain sizes after "grew by", signed ones in parentheses */
  char span[32], heap[48], anon[48], file[48], thr[48], heap_s[48], anon_s[48], file_s[48], active_s[48];
  S_span(r->span_s, span, sizeof span);
  S_size(r->heap.growth, 0, heap, sizeof heap);
  S_size(r->anon.growth, 0, anon, sizeof anon);
  S_size(r->file.growth, 0, file, sizeof file);
  S_size(r->threshold, 0, thr, sizeof thr);
  S_size(r->heap.growth, 1, heap_s, sizeof heap_s);
  S_size(r->anon.growth, 1, anon_s, sizeof anon_s);
  S_size(r->file.growth, 1, file_s, sizeof file_s);
  S_size(r->active_file.growth, 1, active_s, sizeof active_s);
  char also[200] = "";
  if (r->file.grows && r->attribution != PD_ATTR_PAGE_CACHE)
    snprintf(also, sizeof also, "; the file cache also grew by %s, which the kernel can reclaim", file);
  switch (r->attribution) {
  case PD_ATTR_HEAP:
    snprintf(r->sentence, sizeof r->sentence,
             "Over %s the heap profile grew by %s and anon memory by %s: the growth is on the "
             "profiled heap (%.0f%% of the anon growth), so the heap profile's growing functions "
             "show where it comes from%s.",
             span, heap, anon, 100 * r->heap_share, also);
    break;
  case PD_ATTR_PAGE_CACHE: {
    char heap_part[96] = "";
    if (r->heap.n >= 2) snprintf(heap_part, sizeof heap_part, " and so did the heap profile (%s)", heap_s);
    snprintf(r->sentence, sizeof r->sentence,
             "Over %s the file cache grew by %s while anon memory stayed flat (%s)%s: this is page "
             "cache from files being written or read (logs, for example), which the kernel "
             "reclaims under pressure, not a heap leak; its active part (%s) still counts in the "
             "working set Kubernetes evicts on.",
             span, file, anon_s, heap_part, active_s);
    break;
  }
  case PD_ATTR_ANON_NON_HEAP:
    snprintf(r->sentence, sizeof r->sentence,
             "Over %s anon memory grew by %s but the heap profile only by %s: the growth is "
             "outside the profiled heap (C or cgo allocations, mmap, thread or goroutine stacks, "
             "runtime overhead), so the heap profile will not show it%s.",
             span, anon, heap, also);
    break;
  case PD_ATTR_ANON:
    snprintf(r->sentence, sizeof r->sentence,
             "Over %s anon memory grew by %s; no heap profile was paired with these snapshots, so "
             "whether the heap is the cause cannot be told%s.",
             span, anon, also);
    break;
  case PD_ATTR_NONE:
    if (r->heap.grows)
      snprintf(r->sentence, sizeof r->sentence,
               "Over %s the heap profile grew by %s but the container's memory did not (anon %s, "
               "file cache %s): the heap reused memory the process already held.",
               span, heap, anon_s, file_s);
    else if (r->span_s > 0)
      snprintf(r->sentence, sizeof r->sentence,
               "Over %s no memory grew by more than %s (anon %s, file cache %s, heap profile %s).",
               span, thr, anon_s, file_s, heap_s);
    else
      snprintf(r->sentence, sizeof r->sentence,
               "No attribution: it needs at least two memory snapshots at different times.");
    break;
  }
}

void pd_memory_attribute(const pd_memseries *s, const pd_memory_opts *o, pd_memory_result *r) {
  pd_memory_opts dflt;
  if (!o) {
    pd_memory_opts_default(&dflt);
    o = &dflt;
  }
  memset(r, 0, sizeof *r);
  uint32_t n = s->n;
  r->span_s = n >= 2 ? s->t[n - 1] - s->t[0] : 0;
  double *x = pd_xmalloc((n ? n : 1) * sizeof *x), *v = pd_xmalloc((n ? n : 1) * sizeof *v);
  double *scratch = pd_xmalloc(pd_theil_sen_scratch(n) * sizeof *scratch);
  double *file = pd_xmalloc((n ? n : 1) * sizeof *file), *ws = pd_xmalloc((n ? n : 1) * sizeof *ws);
  for (uint32_t i = 0; i < n; i++) {
    double a = s->active_file ? s->active_file[i] : NAN, in = s->inactive_file ? s->inactive_file[i] : NAN;
    double u = s->usage ? s->usage[i] : NAN;
    file[i] = a + in;
    ws[i] = u - in;
    if (ws[i] < 0) ws[i] = 0;
  }
  S_line(s->t, s->heap, n, r->span_s, x, v, scratch, &r->heap);
  S_line(s->t, s->anon, n, r->span_s, x, v, scratch, &r->anon);
  S_line(s->t, file, n, r->span_s, x, v, scratch, &r->file);
  S_line(s->t, s->active_file, n, r->span_s, x, v, scratch, &r->active_file);
  S_line(s->t, s->inactive_file, n, r->span_s, x, v, scratch, &r->inactive_file);
  S_line(s->t, s->usage, n, r->span_s, x, v, scratch, &r->usage);
  S_line(s->t, ws, n, r->span_s, x, v, scratch, &r->working_set);

  /* the absolute bar: 1 MiB and a share of what the container holds */
  double base = 0;
  uint32_t nb = 0;
  for (uint32_t i = 0; i < n; i++) {
    double u = s->usage ? s->usage[i] : NAN;
    if (isnan(u) && s->anon && !isnan(s->anon[i]) && !isnan(file[i])) u = s->anon[i] + file[i];
    if (!isnan(u)) {
      base += u;
      nb++;
    }
  }
  r->threshold = o->min_growth;
  if (nb && o->min_growth_frac * base / nb > r->threshold) r->threshold = o->min_growth_frac * base / nb;
  double biggest = 0;
  if (r->anon.growth > biggest) biggest = r->anon.growth;
  if (r->file.growth > biggest) biggest = r->file.growth;
  double bar = r->threshold > o->relative * biggest ? r->threshold : o->relative * biggest;
  r->anon.grows = r->anon.growth >= bar;
  r->file.grows = r->file.growth >= bar;
  r->active_file.grows = r->active_file.growth >= bar;
  r->inactive_file.grows = r->inactive_file.growth >= bar;
  r->heap.grows = r->heap.growth >= r->threshold;
  r->usage.grows = r->usage.growth >= r->threshold;
  r->working_set.grows = r->working_set.growth >= r->threshold;
  r->heap_share = NAN;

  int have_heap = r->heap.n >= 2;
  if (r->anon.grows) {
    if (!have_heap) {
      r->attribution = PD_ATTR_ANON;
    } else {
      r->heap_share = r->heap.growth / r->anon.growth;
      r->attribution = r->heap.grows && r->heap_share >= o->heap_share ? PD_ATTR_HEAP
                                                                       : PD_ATTR_ANON_NON_HEAP;
    }
  } else if (r->file.grows) {
    r->attribution = PD_ATTR_PAGE_CACHE;
  } else {
    r->attribution = PD_ATTR_NONE;
  }
  if (r->span_s <= 0) r->attribution = PD_ATTR_NONE;
  S_sentence(r);
  free(x);
  free(v);
  free(scratch);
  free(file);
  free(ws);
}

static int S_cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int64_t pd_memory_pair_gap(const int64_t *a, uint32_t n) {
  if (n < 2) return 60 * (int64_t)1000000000;
  int64_t *sorted = pd_xmalloc(n * sizeof *sorted), *steps = pd_xmalloc(n * sizeof *steps);
  memcpy(sorted, a, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, S_cmp_i64);
  for (uint32_t i = 1; i < n; i++) steps[i - 1] = sorted[i] - sorted[i - 1];
  qsort(steps, n - 1, sizeof *steps, S_cmp_i64);
  int64_t gap = steps[(n - 1) / 2] / 2;
  free(sorted);
  free(steps);
  return gap > 1000000000 ? gap : 1000000000;
}

void pd_memory_pair(const int64_t *a, uint32_t n, const int64_t *b, uint32_t m,
                    int64_t max_gap_ns, int32_t *out) {
  for (uint32_t i = 0; i < n; i++) {
    int32_t best = -1;
    int64_t best_d = 0;
    for (uint32_t k = 0; k < m; k++) {
      int64_t d = a[i] > b[k] ? a[i] - b[k] : b[k] - a[i];
      if (d > max_gap_ns) continue;
      if (best < 0 || d < best_d || (d == best_d && b[k] < b[best])) {
        best = (int32_t)k;
        best_d = d;
      }
    }
    out[i] = best;
  }
}

/* ---- the timeline ------------------------------------------------------------------- */

static int S_cmp_point(const void *a, const void *b) {
  const pd_mempoint *x = a, *y = b;
  if (x->time_ns != y->time_ns) return x->time_ns < y->time_ns ? -1 : 1;
  const char *px = x->memstat ? x->memstat : x->usage_file, *py = y->memstat ? y->memstat : y->usage_file;
  return strcmp(px ? px : "", py ? py : "");
}

static const char *S_dup(pd_arena *a, const char *s) {
  return s ? pd_arena_strndup(a, s, strlen(s)) : NULL;
}

void pd_memtimeline_build(pd_memtimeline *tl, const pd_memstat *files, uint32_t nfiles,
                          const pd_memheap *heaps, uint32_t nheaps) {
  memset(tl, 0, sizeof *tl);
  pd_arena_init(&tl->arena, 16 * 1024);
  uint32_t nstat = 0;
  for (uint32_t i = 0; i < nfiles; i++) nstat += files[i].kind == PD_MEMFILE_STAT;
  pd_memfile_kind point_kind = nstat ? PD_MEMFILE_STAT : PD_MEMFILE_USAGE;
  uint32_t *idx = pd_xmalloc((nfiles ? nfiles : 1) * sizeof *idx);
  uint32_t n = 0;
  for (uint32_t i = 0; i < nfiles; i++)
    if (files[i].kind == point_kind) idx[n++] = i;
  tl->n = n;
  tl->points = pd_arena_zalloc(&tl->arena, (n ? n : 1) * sizeof *tl->points);
  int version_set = 0;
  for (uint32_t k = 0; k < n; k++) {
    const pd_memstat *m = &files[idx[k]];
    pd_mempoint *pt = &tl->points[k];
    pd_memfigures f;
    pd_memstat_figures(m, &f);
    pt->time_ns = m->time_ns;
    pt->time_source = m->time_source;
    if (m->time_source == PD_TIME_MTIME) tl->times_from_mtime = 1;
#define S_V(x) ((x) < 0 ? NAN : (x))
    pt->heap = NAN;
    pt->anon = S_V(f.anon);
    pt->file = S_V(f.file);
    pt->active_file = S_V(f.active_file);
    pt->inactive_file = S_V(f.inactive_file);
    pt->shmem = S_V(f.shmem);
    if (m->kind == PD_MEMFILE_STAT) {
      pt->memstat = S_dup(&tl->arena, m->path);
      pt->usage = S_V(f.usage_estimate);
      pt->usage_estimated = 1;
    } else {
      pt->usage_file = S_dup(&tl->arena, m->path);
      pt->usage = S_V(f.usage);
    }
#undef S_V
    if (m->kind == PD_MEMFILE_STAT) {
      if (!version_set) tl->version = m->version;
      else if (tl->version != m->version) tl->version = PD_CGROUP_UNKNOWN;
      version_set = 1;
    }
  }
  qsort(tl->points, n, sizeof *tl->points, S_cmp_point);

  int64_t *pt_times = pd_xmalloc((n ? n : 1) * sizeof *pt_times);
  for (uint32_t k = 0; k < n; k++) pt_times[k] = tl->points[k].time_ns;
  int64_t gap = pd_memory_pair_gap(pt_times, n);
  int32_t *pair = pd_xmalloc((n ? n : 1) * sizeof *pair);
  pd_vec unpaired;
  pd_vec_init(&unpaired, sizeof(const char *));

  /* usage files, when memory.stat files are the points */
  if (point_kind == PD_MEMFILE_STAT) {
    uint32_t nu = 0;
    int64_t *ut = pd_xmalloc((nfiles ? nfiles : 1) * sizeof *ut);
    uint32_t *ui = pd_xmalloc((nfiles ? nfiles : 1) * sizeof *ui);
    for (uint32_t i = 0; i < nfiles; i++)
      if (files[i].kind == PD_MEMFILE_USAGE) {
        ut[nu] = files[i].time_ns;
        ui[nu++] = i;
      }
    pd_memory_pair(pt_times, n, ut, nu, gap, pair);
    uint8_t *used = pd_xcalloc(nu ? nu : 1, 1);
    for (uint32_t k = 0; k < n; k++) {
      if (pair[k] < 0 || used[pair[k]]) continue;
      const pd_memstat *u = &files[ui[pair[k]]];
      used[pair[k]] = 1;
      pd_mempoint *pt = &tl->points[k];
      pt->usage_file = S_dup(&tl->arena, u->path);
      pt->usage = u->n ? (double)u->values[0] : NAN;
      pt->usage_estimated = 0;
    }
    for (uint32_t j = 0; j < nu; j++)
      if (!used[j]) *(const char **)pd_vec_push(&unpaired) = S_dup(&tl->arena, files[ui[j]].path);
    free(used);
    free(ut);
    free(ui);
  }

  /* heap profiles */
  int64_t *ht = pd_xmalloc((nheaps ? nheaps : 1) * sizeof *ht);
  for (uint32_t j = 0; j < nheaps; j++) ht[j] = heaps[j].time_ns;
  pd_memory_pair(pt_times, n, ht, nheaps, gap, pair);
  uint8_t *used = pd_xcalloc(nheaps ? nheaps : 1, 1);
  for (uint32_t k = 0; k < n; k++) {
    if (pair[k] < 0 || used[pair[k]]) continue;
    used[pair[k]] = 1;
    tl->points[k].heap = heaps[pair[k]].total;
    tl->points[k].heap_profile = S_dup(&tl->arena, heaps[pair[k]].path);
    tl->heaps_paired++;
  }
  for (uint32_t j = 0; j < nheaps; j++)
    if (!used[j]) *(const char **)pd_vec_push(&unpaired) = S_dup(&tl->arena, heaps[j].path);
  free(used);
  free(ht);

  for (uint32_t k = 0; k < n; k++) {
    pd_mempoint *pt = &tl->points[k];
    pt->working_set = pt->usage - pt->inactive_file;
    if (pt->working_set < 0) pt->working_set = 0;
  }
  tl->nunpaired = (uint32_t)unpaired.n;
  tl->unpaired = pd_arena_alloc(&tl->arena, (unpaired.n ? unpaired.n : 1) * sizeof *tl->unpaired);
  if (unpaired.n) memcpy(tl->unpaired, unpaired.items, unpaired.n * sizeof *tl->unpaired);
  pd_vec_free(&unpaired);
  free(pair);
  free(pt_times);
  free(idx);
}

void pd_memtimeline_free(pd_memtimeline *tl) {
  pd_arena_free(&tl->arena);
  memset(tl, 0, sizeof *tl);
}

void pd_memtimeline_attribute(const pd_memtimeline *tl, const pd_memory_opts *o,
                              pd_memory_result *r) {
  uint32_t n = tl->n;
  size_t sz = (n ? n : 1) * sizeof(double);
  double *t = pd_xmalloc(sz), *heap = pd_xmalloc(sz), *anon = pd_xmalloc(sz), *af = pd_xmalloc(sz),
         *inf = pd_xmalloc(sz), *usage = pd_xmalloc(sz);
  for (uint32_t k = 0; k < n; k++) {
    const pd_mempoint *pt = &tl->points[k];
    t[k] = (double)(pt->time_ns - tl->points[0].time_ns) / 1e9;
    heap[k] = pt->heap;
    anon[k] = pt->anon;
    af[k] = pt->active_file;
    inf[k] = pt->inactive_file;
    usage[k] = pt->usage;
  }
  pd_memseries s = {n, t, heap, anon, af, inf, usage};
  pd_memory_attribute(&s, o, r);
  free(t);
  free(heap);
  free(anon);
  free(af);
  free(inf);
  free(usage);
}
