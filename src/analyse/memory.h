/* memory.h: heap versus page cache. Given the heap profile totals and the
 * cgroup's memory counters over time, says which kind of memory grows:
 *
 *   heap           the heap profile grows with anon memory
 *   page_cache     anon (and the heap) flat while the file cache grows: files
 *                  being written or read (logs); the kernel can reclaim it
 *   anon_non_heap  anon grows but the heap profile does not: memory outside
 *                  the profiled heap (cgo/C allocations, mmap, stacks)
 *   anon           anon grows and no heap profile was paired to tell
 *   none           nothing grows materially
 *
 * Everything here is a pure function of arrays, so it is tested on numbers
 * alone (tests/unit/test_memory.c); reading files and pairing them by time is
 * the caller's (cli/cmd_memstat.c, and `report`). The rules and thresholds
 * are in docs/inputs.md.
 */
#ifndef PD_MEMORY_H
#define PD_MEMORY_H

#include "../model/model.h"

typedef enum {
  PD_ATTR_NONE,
  PD_ATTR_HEAP,
  PD_ATTR_PAGE_CACHE,
  PD_ATTR_ANON_NON_HEAP,
  PD_ATTR_ANON
} pd_attribution;

/* "none", "heap", "page_cache", "anon_non_heap", "anon": report.json's
 * memory.attribution. */
const char *pd_attribution_name(pd_attribution a);

/* The series, one entry per memory.stat snapshot, times ascending. A value
 * that is not known at a point is NAN (a snapshot with no heap profile
 * paired, a memory.stat without inactive_file...). */
typedef struct pd_memseries {
  uint32_t n;
  const double *t;             /* seconds since the first snapshot */
  const double *heap;          /* heap profile total, bytes (inuse_space) */
  const double *anon;          /* v2 anon, v1 rss */
  const double *active_file;
  const double *inactive_file;
  const double *usage;         /* memory.current / usage_in_bytes, or estimated */
} pd_memseries;

typedef struct pd_memory_opts {
  double min_growth;      /* bytes: below this nothing grows (1 MiB) */
  double min_growth_frac; /* ... nor below this fraction of the mean usage (0.05) */
  double relative;        /* a line grows only if its growth is at least this
                           * fraction of the largest growth (0.2) */
  double heap_share;      /* heap when heap growth >= this share of anon
                           * growth (0.25) */
} pd_memory_opts;

void pd_memory_opts_default(pd_memory_opts *o);

/* One line of the chart, the figures behind the verdict. */
typedef struct pd_memline {
  uint32_t n;        /* points with a value */
  double first, last, min, max;
  double slope;      /* Theil-Sen, bytes per hour (NAN with fewer than 2 points) */
  double growth;     /* slope times the series' span: the fitted change */
  int grows;         /* growth passed both thresholds */
} pd_memline;

typedef struct pd_memory_result {
  pd_attribution attribution;
  double span_s;        /* first to last snapshot */
  double threshold;     /* bytes: the absolute bar a growth had to pass */
  double heap_share;    /* heap growth / anon growth; NAN when anon does not grow */
  pd_memline heap, anon, file, active_file, inactive_file, usage, working_set;
  char sentence[640];   /* one plain sentence */
} pd_memory_result;

/* Decides the attribution. file = active_file + inactive_file; working set
 * = usage - inactive_file (at least 0), as Kubernetes (cAdvisor) computes it. */
void pd_memory_attribute(const pd_memseries *s, const pd_memory_opts *o, pd_memory_result *r);

/* ---- the timeline: memory files and heap profiles joined by time ----------- */

/* A heap profile as the timeline needs it: when, and its total (bytes of the
 * chosen sample type, inuse_space for Go). */
typedef struct pd_memheap {
  const char *path;
  int64_t time_ns;
  pd_time_source time_source;
  double total;
} pd_memheap;

/* One row of the table and one point of the chart: a memory.stat snapshot,
 * the memory.current / usage_in_bytes file and the heap profile nearest in
 * time (or none). Figures are bytes; NAN when unknown. */
typedef struct pd_mempoint {
  int64_t time_ns;
  pd_time_source time_source;
  const char *memstat, *usage_file, *heap_profile; /* paths, NULL when absent */
  double heap, anon, file, active_file, inactive_file, shmem;
  double usage;        /* the usage file's, else memory.stat's estimate */
  int usage_estimated; /* no usage file was paired */
  double working_set;  /* usage - inactive_file, at least 0 */
} pd_mempoint;

typedef struct pd_memtimeline {
  pd_arena arena;
  pd_mempoint *points; /* by time */
  uint32_t n;
  pd_cgroup_version version;   /* unknown when the snapshots disagree */
  int times_from_mtime;        /* some time came from a modification time */
  uint32_t heaps_paired;
  const char **unpaired;       /* heap profiles and usage files no snapshot took */
  uint32_t nunpaired;
} pd_memtimeline;

/* Joins the files by time: the memory.stat snapshots are the points (or the
 * usage files when no memory.stat is given); each takes the usage file and
 * the heap profile nearest in time within pd_memory_pair_gap. Copies what it
 * keeps, so the inputs can be freed afterwards. */
void pd_memtimeline_build(pd_memtimeline *tl, const pd_memstat *files, uint32_t nfiles,
                          const pd_memheap *heaps, uint32_t nheaps);
void pd_memtimeline_free(pd_memtimeline *tl);

/* pd_memory_attribute over a timeline (times relative to its first point). */
void pd_memtimeline_attribute(const pd_memtimeline *tl, const pd_memory_opts *o,
                              pd_memory_result *r);

/* Pairs snapshots by time: out[i] is the index of the b time nearest to
 * a[i], or -1 when none is within max_gap_ns. Ties go to the earlier b. */
void pd_memory_pair(const int64_t *a, uint32_t n, const int64_t *b, uint32_t m,
                    int64_t max_gap_ns, int32_t *out);

/* The pairing tolerance for series a: half the median step between its
 * times, at least 1 s (files written "at the same moment" are seconds apart
 * at most), or 60 s for a single snapshot. */
int64_t pd_memory_pair_gap(const int64_t *a, uint32_t n);

#endif
