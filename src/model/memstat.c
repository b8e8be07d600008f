/* memstat.c: the cgroup memory snapshot (pd_memstat) and the few figures the
 * heap-versus-page-cache analysis takes from it. The keys and what they mean
 * are the kernel's (Documentation/admin-guide/cgroup-v2.rst, "Memory
 * Interface Files"; cgroup-v1/memory.rst, "5.2 stat file"); docs/inputs.md
 * has the table of which key feeds which figure. */
#include "model.h"

#include <string.h>

const char *pd_time_source_name(pd_time_source s) {
  switch (s) {
  case PD_TIME_NONE: return "none";
  case PD_TIME_FILE_NAME: return "file_name";
  case PD_TIME_MTIME: return "mtime";
  case PD_TIME_PROFILE: return "profile";
  }
  return "none";
}

const char *pd_cgroup_version_name(pd_cgroup_version v) {
  return v == PD_CGROUP_V1 ? "v1" : v == PD_CGROUP_V2 ? "v2" : "unknown";
}

void pd_memstat_init(pd_memstat *m, const char *path) {
  memset(m, 0, sizeof *m);
  pd_arena_init(&m->arena, 4096);
  m->path = pd_arena_strndup(&m->arena, path, strlen(path));
}

void pd_memstat_free(pd_memstat *m) {
  pd_arena_free(&m->arena);
  memset(m, 0, sizeof *m);
}

int pd_memstat_get(const pd_memstat *m, const char *key, uint64_t *v) {
  for (uint32_t i = 0; i < m->n; i++)
    if (strcmp(m->keys[i], key) == 0) {
      *v = m->values[i];
      return 1;
    }
  return 0;
}

/* A v1 figure: the hierarchical total_<key> when present (it matches
 * memory.usage_in_bytes, which is hierarchical too), else the cgroup's own. */
static double S_v1(const pd_memstat *m, const char *key) {
  char total[64];
  uint64_t v;
  snprintf(total, sizeof total, "total_%s", key);
  if (pd_memstat_get(m, total, &v) || pd_memstat_get(m, key, &v)) return (double)v;
  return -1;
}

static double S_get(const pd_memstat *m, const char *key) {
  uint64_t v;
  return pd_memstat_get(m, key, &v) ? (double)v : -1;
}

void pd_memstat_figures(const pd_memstat *m, pd_memfigures *f) {
  f->anon = f->file = f->active_file = f->inactive_file = f->shmem = f->usage = -1;
  f->usage_estimate = -1;
  if (m->kind == PD_MEMFILE_USAGE) {
    if (m->n) f->usage = (double)m->values[0];
    return;
  }
  if (m->version == PD_CGROUP_V1) {
    f->anon = S_v1(m, "rss");
    f->file = S_v1(m, "cache");
    f->active_file = S_v1(m, "active_file");
    f->inactive_file = S_v1(m, "inactive_file");
    f->shmem = S_v1(m, "shmem");
    if (f->anon >= 0 && f->file >= 0) f->usage_estimate = f->anon + f->file;
  } else {
    f->anon = S_get(m, "anon");
    f->file = S_get(m, "file");
    f->active_file = S_get(m, "active_file");
    f->inactive_file = S_get(m, "inactive_file");
    f->shmem = S_get(m, "shmem");
    if (f->anon >= 0 && f->file >= 0) {
      double kernel = S_get(m, "kernel");
      if (kernel < 0) {
        static const char *parts[] = {"kernel_stack", "pagetables", "percpu", "sock", "vmalloc", "slab"};
        kernel = 0;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
          double v = S_get(m, parts[i]);
          if (v > 0) kernel += v;
        }
      }
      f->usage_estimate = f->anon + f->file + kernel;
    }
  }
}
