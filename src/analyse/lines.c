/* lines.c: per source line flat and cum of the functions a pattern names,
 * for `profdiff list` (pprof's list report), one column per snapshot.
 *
 * pprof builds its graph at line granularity for list: a node is a
 * function name, a file and a line (internal/graph nodeInfo); flat goes to
 * the leaf frame of each sample, cum once to every distinct node on its
 * stack. Only the lines of matching functions are kept here, so a series of
 * any length costs a few doubles per listed line and snapshot.
 */
#include "analyse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void pd_listing_init(pd_listing *l, pd_regex *re) {
  memset(l, 0, sizeof *l);
  l->re = re;
  pd_arena_init(&l->arena, 16 * 1024);
  pd_intern_init(&l->str, 256);
  pd_intern_init(&l->node_keys, 256);
  pd_vec_init(&l->nodes, sizeof(pd_srcline));
  pd_vec_init(&l->snaps, sizeof(pd_listing_snap));
  pd_srcline *none = pd_vec_push(&l->nodes); /* node ids are the interner's, from 1 */
  none->name = PD_NONE;
}

void pd_listing_init_names(pd_listing *l, const pd_intern *names) {
  pd_listing_init(l, NULL);
  l->names = names;
}

void pd_listing_free(pd_listing *l) {
  for (size_t i = 0; i < l->snaps.n; i++) {
    pd_listing_snap *s = &PD_VEC_AT(&l->snaps, pd_listing_snap, i);
    free(s->flat);
    free(s->cum);
  }
  pd_vec_free(&l->snaps);
  pd_vec_free(&l->nodes);
  pd_intern_free(&l->node_keys);
  pd_intern_free(&l->str);
  pd_arena_free(&l->arena);
  memset(l, 0, sizeof *l);
}

/* The node of one line of a matching function: (name, file, line, start
 * line), as pprof's NodeInfo at line granularity. */
static uint32_t S_node(pd_listing *l, const char *name, uint32_t name_len, const char *file,
                       uint32_t file_len, int64_t line, int64_t start) {
  struct {
    uint32_t name, file;
    int64_t line, start;
  } k;
  memset(&k, 0, sizeof k);
  k.name = pd_intern_put(&l->str, name, name_len);
  k.file = pd_intern_put(&l->str, file, file_len);
  k.line = line;
  k.start = start;
  uint32_t id = pd_intern_put(&l->node_keys, (const char *)&k, sizeof k);
  if (id == l->nodes.n) { /* new: ids are dense */
    pd_srcline *n = pd_vec_push(&l->nodes);
    n->name = k.name;
    n->file = k.file;
    n->line = line;
    n->start_line = start;
  }
  return id;
}

typedef struct {
  pd_listing_snap *s;
  pd_stacks *stacks;
  const uint32_t *node_of; /* per pd_line: node, or PD_NONE */
  uint32_t *stamp;
  uint32_t gen;
  int index;
  pd_err *err; /* the walk's */
} S_ctx;

static int S_sample(void *vctx, const uint32_t *locs, uint32_t nlocs, const pd_val *values) {
  S_ctx *c = vctx;
  pd_val v = values[c->index];
  c->s->total_all += fabsl(v);
  const uint32_t *lines;
  int32_t n = pd_stacks_expand_lines(c->stacks, locs, nlocs, &lines);
  if (n == PD_STACK_TOO_DEEP) return pd_stacks_too_deep(c->stacks, c->err);
  if (n < 0) return PD_OK;
  c->s->total_kept += fabsl(v);
  if (v == 0) return PD_OK;
  c->gen++;
  for (int32_t j = 0; j < n; j++) {
    if (lines[j] == PD_NONE) continue;
    uint32_t node = c->node_of[lines[j]];
    if (node == PD_NONE) continue;
    if (j == 0) c->s->flat[node] += v;
    if (c->stamp[node] != c->gen) {
      c->stamp[node] = c->gen;
      c->s->cum[node] += v;
    }
  }
  return PD_OK;
}

int pd_listing_add(pd_listing *l, pd_profile *p, const pd_view *v, const char *sample_index,
                   pd_err *err) {
  int index;
  if (pd_profile_sample_index(p, sample_index, &index, err) != PD_OK) return PD_ERR;
  const char *type = pd_profile_str(p, p->types[index].type);
  const char *unit = pd_profile_str(p, p->types[index].unit);
  if (!l->sample_type) {
    l->sample_type = pd_arena_strndup(&l->arena, type, strlen(type));
    l->unit = pd_arena_strndup(&l->arena, unit, strlen(unit));
  } else if (strcmp(l->unit, unit) != 0) {
    return pd_fail(err, "%s: sample type %s is in %s, the first profile's in %s", p->path, type, unit,
                   l->unit);
  }
  pd_intern scratch;
  pd_intern_init(&scratch, 1024);
  pd_stacks st;
  if (pd_stacks_init(&st, p, v, &scratch, err) != PD_OK) {
    pd_intern_free(&scratch);
    return PD_ERR;
  }
  /* which functions the pattern names, then each of their lines' node */
  uint8_t *match = pd_xcalloc(p->nfunctions + 1, 1);
  for (uint32_t fi = 0; fi < p->nfunctions; fi++) {
    pd_err why;
    int m = l->re ? pd_regex_match(l->re, st.fname[fi], st.fname_len[fi], &why)
                  : pd_intern_find(l->names, st.fname[fi], st.fname_len[fi]) != UINT32_MAX;
    if (m < 0) {
      pd_fail(err, "%s: list regular expression %s", p->path, why.msg);
      free(match);
      pd_stacks_free(&st);
      pd_intern_free(&scratch);
      return PD_ERR;
    }
    match[fi] = (uint8_t)m;
  }
  uint32_t *node_of = pd_xmalloc((p->nlines + 1) * sizeof *node_of);
  for (uint32_t li = 0; li < p->nlines; li++) {
    const pd_line *ln = &p->lines[li];
    node_of[li] = PD_NONE;
    if (ln->function == PD_NONE || !match[ln->function]) continue;
    const pd_function *f = &p->functions[ln->function];
    node_of[li] = S_node(l, st.fname[ln->function], st.fname_len[ln->function],
                         pd_profile_str(p, f->filename), pd_profile_str_len(p, f->filename), ln->line,
                         f->start_line);
  }
  pd_listing_snap *s = pd_vec_push(&l->snaps);
  s->path = pd_arena_strndup(&l->arena, p->path, strlen(p->path));
  s->time_ns = p->time_ns;
  s->n = (uint32_t)l->nodes.n;
  s->flat = pd_xcalloc(s->n + 1, sizeof *s->flat);
  s->cum = pd_xcalloc(s->n + 1, sizeof *s->cum);
  S_ctx c = {s, &st, node_of, pd_xcalloc(s->n + 1, sizeof(uint32_t)), 0, index, err};
  int rc = pd_profile_samples(p, S_sample, &c, err);
  free(c.stamp);
  free(node_of);
  free(match);
  pd_stacks_free(&st);
  pd_intern_free(&scratch);
  return rc;
}

pd_val pd_listing_flat(const pd_listing *l, uint32_t snap, uint32_t node) {
  const pd_listing_snap *s = &PD_VEC_AT(&l->snaps, pd_listing_snap, snap);
  return node < s->n ? s->flat[node] : 0;
}

pd_val pd_listing_cum(const pd_listing *l, uint32_t snap, uint32_t node) {
  const pd_listing_snap *s = &PD_VEC_AT(&l->snaps, pd_listing_snap, snap);
  return node < s->n ? s->cum[node] : 0;
}

/* The order of a series as report's "auto" rule: the profiles' own times
 * when all have one, else times in the file names when all have one, else
 * the order given. */
static int S_cmp_time(const void *ctx, uint32_t x, uint32_t y) {
  const int64_t *t = ctx;
  return t[x] < t[y] ? -1 : t[x] > t[y];
}

void pd_listing_order(const pd_listing *l, uint32_t *order) {
  uint32_t n = (uint32_t)l->snaps.n;
  int64_t *t = pd_xmalloc((n + 1) * sizeof *t);
  int all_profile = 1, all_name = 1;
  for (uint32_t i = 0; i < n; i++) {
    const pd_listing_snap *s = &PD_VEC_AT(&l->snaps, pd_listing_snap, i);
    int64_t ns;
    if (!s->time_ns) all_profile = 0;
    if (!pd_time_from_name(s->path, &ns)) all_name = 0;
    order[i] = i;
  }
  for (uint32_t i = 0; i < n && (all_profile || all_name); i++) {
    const pd_listing_snap *s = &PD_VEC_AT(&l->snaps, pd_listing_snap, i);
    int64_t ns = 0;
    if (all_profile) ns = s->time_ns;
    else pd_time_from_name(s->path, &ns);
    t[i] = ns;
  }
  if (all_profile || all_name) {
    pd_sort_u32(order, n, S_cmp_time, t); /* stable: ties as given */
  }
  free(t);
}

void pd_listing_subtract(pd_listing *l) {
  if (l->snaps.n < 2) return;
  pd_listing_snap *h = &PD_VEC_AT(&l->snaps, pd_listing_snap, l->snaps.n - 2);
  pd_listing_snap *b = &PD_VEC_AT(&l->snaps, pd_listing_snap, l->snaps.n - 1);
  if (b->n > h->n) { /* lines only the base has */
    h->flat = pd_xrealloc(h->flat, (b->n + 1) * sizeof *h->flat);
    h->cum = pd_xrealloc(h->cum, (b->n + 1) * sizeof *h->cum);
    for (uint32_t i = h->n; i <= b->n; i++) h->flat[i] = h->cum[i] = 0;
    h->n = b->n;
  }
  for (uint32_t i = 0; i < b->n; i++) {
    h->flat[i] -= b->flat[i];
    h->cum[i] -= b->cum[i];
  }
  free(b->flat);
  free(b->cum);
  l->snaps.n--;
}
