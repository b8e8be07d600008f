/* profile.c: life cycle of a pd_profile, its warnings, sample walking and the
 * choice of sample type. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

const char *pd_format_name(pd_format f) {
  switch (f) {
  case PD_FORMAT_PPROF: return "pprof";
  case PD_FORMAT_FOLDED: return "folded";
  case PD_FORMAT_GO_HEAP_TEXT: return "go-heap-text";
  case PD_FORMAT_GPERF_HEAP: return "gperftools-heap";
  case PD_FORMAT_MEMSTAT: return "memory.stat";
  }
  return "unknown";
}

void pd_profile_init(pd_profile *p, const char *path, pd_format format) {
  memset(p, 0, sizeof *p);
  pd_arena_init(&p->arena, 16 * 1024);
  pd_arena_init(&p->tables, 256 * 1024);
  p->path = pd_arena_strndup(&p->arena, path, strlen(path));
  p->format = format;
  p->default_type = -1;
}

void pd_profile_free(pd_profile *p) {
  pd_idmap_free(&p->loc_ids);
  pd_file_release(p->owned);
  free(p->adopted[0]);
  free(p->adopted[1]);
  free(p->adopted[2]);
  free(p->adopted[3]);
  if (p->strings) {
    pd_intern_free(p->strings);
    free(p->strings);
  }
  pd_arena_free(&p->arena);
  pd_arena_free(&p->tables);
  memset(p, 0, sizeof *p);
}

void pd_profile_drop_samples(pd_profile *p) {
  pd_file_release(p->owned);
  free(p->adopted[0]);
  free(p->adopted[1]);
  p->owned = NULL;
  p->raw = NULL;
  p->adopted[0] = p->adopted[1] = NULL;
  p->stack = NULL;
  p->values = NULL;
  p->labels = NULL;
  p->label_start = NULL;
  p->nsamples = 0;
}

void pd_profile_drop_tables(pd_profile *p) {
  if (p->format != PD_FORMAT_PPROF) return; /* text readers keep theirs in the arena */
  pd_arena_free(&p->tables);
  pd_arena_init(&p->tables, 1024);
  free(p->adopted[2]);
  free(p->adopted[3]);
  p->adopted[2] = p->adopted[3] = NULL;
  p->str = NULL;
  p->str_len = NULL;
  p->str_blob = NULL;
  p->str_off = NULL;
  p->functions = NULL;
  p->mappings = NULL;
  p->lines = NULL;
  p->locations = NULL;
  p->comments = NULL;
  p->nstr = p->nfunctions = p->nmappings = p->nlines = p->ncomments = 0;
}

void pd_profile_adopt_strings(pd_profile *p, pd_intern *in) {
  p->strings = in;
  p->str = in->str;
  p->str_len = in->len;
  p->nstr = in->n;
}

void pd_profile_warn(pd_profile *p, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (p->nwarnings == p->capwarnings) {
    uint32_t cap = p->capwarnings ? p->capwarnings * 2 : 4;
    char **w = pd_arena_alloc(&p->arena, cap * sizeof *w);
    if (p->nwarnings) memcpy(w, p->warnings, p->nwarnings * sizeof *w);
    p->warnings = w;
    p->capwarnings = cap;
  }
  p->warnings[p->nwarnings++] = pd_arena_printf(&p->arena, "%s: %s", p->path, msg);
}

static int S_walk_arrays(const pd_profile *p, uint32_t from, uint32_t to, pd_sample_fn fn, void *ctx,
                         pd_err *err) {
  for (uint32_t i = from; i < to; i++) {
    uint32_t a = p->stack_start[i], b = p->stack_start[i + 1];
    if (fn(ctx, p->stack + a, b - a, p->values + (size_t)i * p->ntypes) != PD_OK)
      return PD_ERR; /* err says why */
  }
  return PD_OK;
}

int pd_profile_samples_range(const pd_profile *p, uint32_t from, uint32_t to, pd_sample_fn fn, void *ctx,
                             pd_err *err) {
  if (to > p->nsamples) to = p->nsamples;
  if (from >= to) return PD_OK;
  if (p->walk) return p->walk(p, from, to, fn, ctx, err);
  return S_walk_arrays(p, from, to, fn, ctx, err);
}

static int S_walk_arrays_labeled(const pd_profile *p, uint32_t from, uint32_t to, pd_labeled_fn fn,
                                 void *ctx, pd_err *err) {
  for (uint32_t i = from; i < to; i++) {
    uint32_t a = p->stack_start[i], b = p->stack_start[i + 1];
    const pd_label *l = NULL;
    uint32_t nl = 0;
    if (p->label_start) {
      l = p->labels + p->label_start[i];
      nl = p->label_start[i + 1] - p->label_start[i];
    }
    if (fn(ctx, p->stack + a, b - a, p->values + (size_t)i * p->ntypes, l, nl) != PD_OK)
      return PD_ERR; /* err says why */
  }
  return PD_OK;
}

int pd_profile_samples_labeled(const pd_profile *p, uint32_t from, uint32_t to, pd_labeled_fn fn,
                               void *ctx, pd_err *err) {
  if (to > p->nsamples) to = p->nsamples;
  if (from >= to) return PD_OK;
  if (p->walk_labeled) return p->walk_labeled(p, from, to, fn, ctx, err);
  return S_walk_arrays_labeled(p, from, to, fn, ctx, err);
}

const char *pd_profile_num_unit(const pd_profile *p, uint32_t key) {
  for (uint32_t i = 0; i < p->nnum_units; i++)
    if (p->num_unit_key[i] == key) return pd_profile_str(p, p->num_unit[i]);
  const char *k = pd_profile_str(p, key);
  if (strcmp(k, "alignment") == 0 || strcmp(k, "request") == 0) return "bytes";
  return k;
}

int pd_profile_samples(const pd_profile *p, pd_sample_fn fn, void *ctx,
                       pd_err *err) {
  return pd_profile_samples_range(p, 0, p->nsamples, fn, ctx, err);
}

static void S_list_types(const pd_profile *p, char *buf, size_t n) {
  size_t used = 0;
  buf[0] = 0;
  for (uint32_t i = 0; i < p->ntypes && used + 1 < n; i++) {
    int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
                     pd_profile_str(p, p->types[i].type));
    if (w < 0) break;
    used += (size_t)w;
  }
}

int pd_profile_sample_index(const pd_profile *p, const char *spec, int *index,
                            pd_err *err) {
  if (p->ntypes == 0) return pd_fail(err, "%s: profile has no sample types", p->path);
  if (!spec || !*spec) {
    *index = p->default_type >= 0 ? p->default_type : (int)p->ntypes - 1;
    return PD_OK;
  }
  char types[512];
  S_list_types(p, types, sizeof types);
  char *end;
  long v = strtol(spec, &end, 10);
  if (*end == 0 && end != spec) {
    if (v < 0 || v >= (long)p->ntypes)
      return pd_fail(err, "%s: sample index %s is outside the range [0..%u] (%s)",
                     p->path, spec, p->ntypes - 1, types);
    *index = (int)v;
    return PD_OK;
  }
  const char *no_inuse = strncmp(spec, "inuse_", 6) == 0 ? spec + 6 : spec;
  for (uint32_t i = 0; i < p->ntypes; i++) {
    const char *t = pd_profile_str(p, p->types[i].type);
    if (strcmp(t, spec) == 0 || strcmp(t, no_inuse) == 0) {
      *index = (int)i;
      return PD_OK;
    }
  }
  return pd_fail(err, "%s: unknown sample type \"%s\"; this profile has: %s",
                 p->path, spec, types);
}

int pd_profile_count_index(const pd_profile *p, int index) {
  const char *t = pd_profile_str(p, p->types[index].type);
  size_t n = strlen(t);
  if (n < 5 || strcmp(t + n - 5, "space") != 0) return -1;
  for (uint32_t i = 0; i < p->ntypes; i++) {
    const char *c = pd_profile_str(p, p->types[i].type);
    if (strlen(c) == n + 2 && strncmp(c, t, n - 5) == 0 &&
        strcmp(c + n - 5, "objects") == 0)
      return (int)i;
  }
  return -1;
}
