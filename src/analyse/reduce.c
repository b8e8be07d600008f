/* reduce.c: one profile -> one snapshot, in a single pass over its samples.
 *
 * This is where "profiles are reduced as they are read" happens: after
 * pd_reduce the profile (and its decompressed bytes) can be dropped; the
 * snapshot keeps per-key figures and, when asked, the call tree.
 */
#include "analyse.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- noise ----------------------------------------------------------------------- */

static int S_ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

void pd_noise_init(pd_noise *n, const pd_profile *p, int index) {
  memset(n, 0, sizeof *n);
  n->kind = PD_NOISE_NONE;
  const char *ptype = pd_profile_str(p, p->period_type.type);
  const char *punit = pd_profile_str(p, p->period_type.unit);
  const char *type = pd_profile_str(p, p->types[index].type);
  const char *unit = pd_profile_str(p, p->types[index].unit);
  if (strcmp(ptype, "space") == 0 && strcmp(punit, "bytes") == 0) {
    /* a Go (or Go-style) heap profile: pair space with objects */
    int space = -1, count = -1;
    if (S_ends_with(type, "space")) {
      space = index;
      count = pd_profile_count_index(p, index);
    } else if (S_ends_with(type, "objects")) {
      count = index;
      for (uint32_t i = 0; i < p->ntypes; i++)
        if (pd_profile_count_index(p, (int)i) == index) space = (int)i;
    }
    if (space >= 0 && count >= 0 && p->period > 0) {
      n->kind = PD_NOISE_HEAP;
      n->space_index = space;
      n->count_index = count;
      n->value_is_count = count == index;
      n->rate = (double)p->period;
    }
    return;
  }
  if (p->period > 0 && *punit && strcmp(unit, punit) == 0) {
    n->kind = PD_NOISE_POISSON;
    n->rate = (double)p->period;
  } else if (p->period > 0 && strcmp(type, "samples") == 0) {
    n->kind = PD_NOISE_POISSON;
    n->rate = 1;
  }
}

double pd_noise_variance(const pd_noise *n, const double *values, double value) {
  switch (n->kind) {
  case PD_NOISE_NONE: return 0;
  case PD_NOISE_POISSON: return fabs(value) * n->rate;
  case PD_NOISE_HEAP: {
    double space = fabs(values[n->space_index]), count = fabs(values[n->count_index]);
    if (space <= 0 || count <= 0) return 0;
    double size = space / count;
    double p = 1 - exp(-size / n->rate);
    if (p <= 0) return 0;
    double q = (1 - p) / p;
    return n->value_is_count ? count * q : count * size * size * q;
  }
  }
  return 0;
}

/* ---- per-key totals ----------------------------------------------------------------- */

static void S_ft_reserve(pd_functotals *f, uint32_t nkeys) {
  if (nkeys <= f->cap) {
    if (nkeys > f->n) f->n = nkeys;
    return;
  }
  uint32_t cap = f->cap ? f->cap : 1024;
  while (cap < nkeys) cap *= 2;
  f->k = pd_xrealloc(f->k, cap * sizeof *f->k);
  memset(f->k + f->cap, 0, (cap - f->cap) * sizeof *f->k);
  double **cols[] = {&f->flat, &f->flat_var};
  for (size_t c = 0; c < 2; c++) {
    *cols[c] = pd_xrealloc(*cols[c], cap * sizeof(double));
    memset(*cols[c] + f->cap, 0, (cap - f->cap) * sizeof(double));
  }
  f->cap = cap;
  f->n = nkeys;
}

void pd_functotals_init(pd_functotals *f, uint32_t nkeys) {
  memset(f, 0, sizeof *f);
  S_ft_reserve(f, nkeys);
}

void pd_functotals_free(pd_functotals *f) {
  free(f->k);
  free(f->flat);
  free(f->flat_var);
  memset(f, 0, sizeof *f);
}

void pd_functotals_add(pd_functotals *f, const uint32_t *keys, uint32_t n,
                       double value, double var) {
  if (n == 0) return;
  if (++f->gen == 0) { /* wrapped: clear stamps so none looks current */
    for (uint32_t k = 0; k < f->cap; k++) f->k[k].stamp = 0;
    f->gen = 1;
  }
  f->flat[keys[0]] += value;
  f->flat_var[keys[0]] += var;
  double abs = fabs(value);
  for (uint32_t i = 0; i < n; i++) {
    pd_keytotal *t = &f->k[keys[i]];
    t->seen = 1;
    if (t->stamp == f->gen) continue;
    t->stamp = f->gen;
    t->cum += value;
    t->cum_var += var;
    t->cum_abs += abs;
  }
}

/* ---- caller -> callee weights ------------------------------------------------------------ */

/* For a pruned tree, the first pass also sums |value| per caller -> callee
 * pair of keys. A tree node's total can be no larger than the weight of the
 * pair that leads into it (every sample through the node has that pair at
 * that place), so the second pass can cut a stack at its first light pair as
 * well as at its first light function: the nodes this avoids creating are
 * exactly ones that compaction would remove, so the pruned tree is the same,
 * but it is built without first growing to most of the full tree (hundreds
 * of thousands of nodes for a large profile, the peak of a series' memory). */
typedef struct {
  uint64_t key; /* (caller << 32 | callee) + 1; 0: empty */
  double w;     /* beside its key: one cache miss per pair, not two */
} S_pair;

typedef struct {
  S_pair *slots; /* open addressing, linear probing, at most half full */
  size_t nslots, n;
  uint64_t seed; /* pd_hash_secret(): keys come from the input */
  /* The previous sample's stack, root first, and the slot of each of its
   * pairs (prev_pair[j]: prev[j] -> prev[j + 1]). Consecutive samples share
   * most of their root side (folded files are sorted, pprof writers emit
   * similar stacks together), and a shared pair needs no lookup. */
  uint32_t *prev;
  size_t *prev_pair;
  uint32_t prev_n, cap;
  int32_t prev_cut; /* second pass: root-side keys the previous sample kept */
} S_pairs;

static void S_pairs_init(S_pairs *m, size_t expected) {
  memset(m, 0, sizeof *m);
  m->nslots = 1024;
  while (m->nslots < expected * 2) m->nslots *= 2;
  m->slots = pd_xcalloc(m->nslots, sizeof *m->slots);
  m->seed = pd_hash_secret();
  m->prev_cut = -1;
}

static void S_pairs_free(S_pairs *m) {
  free(m->slots);
  free(m->prev);
  free(m->prev_pair);
}

static size_t S_pairs_find(const S_pairs *m, uint64_t key) {
  size_t i = pd_hash_u64(key ^ m->seed) & (m->nslots - 1);
  while (m->slots[i].key && m->slots[i].key != key) i = (i + 1) & (m->nslots - 1);
  return i;
}

static void S_pairs_grow(S_pairs *m) {
  S_pairs old = *m;
  m->nslots *= 2;
  m->slots = pd_xcalloc(m->nslots, sizeof *m->slots);
  for (size_t i = 0; i < old.nslots; i++)
    if (old.slots[i].key) m->slots[S_pairs_find(m, old.slots[i].key)] = old.slots[i];
  free(old.slots);
  m->prev_n = 0; /* cached slots moved */
}

/* Makes keys (leaf first) the previous stack; returns how many root-side
 * keys it shares with the stack before. */
static uint32_t S_pairs_shift(S_pairs *m, const uint32_t *keys, uint32_t n) {
  if (n > m->cap) {
    m->cap = n * 2;
    m->prev = pd_xrealloc(m->prev, m->cap * sizeof *m->prev);
    m->prev_pair = pd_xrealloc(m->prev_pair, m->cap * sizeof *m->prev_pair);
  }
  uint32_t c = 0, lim = n < m->prev_n ? n : m->prev_n;
  while (c < lim && m->prev[c] == keys[n - 1 - c]) c++;
  for (uint32_t j = c; j < n; j++) m->prev[j] = keys[n - 1 - j];
  m->prev_n = n;
  return c;
}

/* First pass: adds w to every pair of the stack. */
static void S_pairs_add_stack(S_pairs *m, const uint32_t *keys, uint32_t n, double w) {
  if ((m->n + n) * 2 > m->nslots) S_pairs_grow(m); /* before: no slot moves below */
  uint32_t c = S_pairs_shift(m, keys, n);
  for (uint32_t j = 0; j + 1 < n; j++) {
    if (j + 1 >= c) { /* a pair not in the previous stack */
      uint64_t key = ((uint64_t)m->prev[j] << 32 | m->prev[j + 1]) + 1;
      size_t i = S_pairs_find(m, key);
      if (!m->slots[i].key) {
        m->slots[i].key = key;
        m->n++;
      }
      m->prev_pair[j] = i;
    }
    m->slots[m->prev_pair[j]].w += w;
  }
}

/* Second pass: how many root-side keys of the stack to keep: up to its
 * first light function or light pair. The previous stack's answer holds for
 * a shared part. */
static uint32_t S_pairs_keep(S_pairs *m, const uint32_t *keys, uint32_t n, const uint8_t *heavy,
                             double min) {
  uint32_t c = S_pairs_shift(m, keys, n);
  uint32_t j = 0;
  if (m->prev_cut >= 0) {
    if ((uint32_t)m->prev_cut < c) return (uint32_t)m->prev_cut; /* cut inside the shared part */
    j = c;                                                 /* all shared keys were kept */
  }
  for (; j < n; j++) {
    if (!heavy[m->prev[j]]) break;
    if (j > 0 && m->slots[S_pairs_find(m, ((uint64_t)m->prev[j - 1] << 32 | m->prev[j]) + 1)].w < min) break;
  }
  m->prev_cut = (int32_t)j;
  return j;
}

/* ---- reduce ---------------------------------------------------------------------------- */

typedef struct {
  pd_snapshot *s;
  pd_stacks *stacks;
  pd_intern *keys;
  int index;
  int full_tree;        /* first pass builds the whole tree */
  S_pairs *pairs;       /* first pass: caller -> callee weights (pruned tree) */
  const uint8_t *heavy; /* second pass: keys heavy enough to keep */
  double min;           /* second pass: the lightest pair kept */
} S_ctx;

static int S_sample(void *vctx, const uint32_t *locs, uint32_t nlocs,
                    const double *values) {
  S_ctx *c = vctx;
  pd_snapshot *s = c->s;
  double v = values[c->index];
  s->nsamples++;
  const uint32_t *keys;
  int32_t n = pd_stacks_expand(c->stacks, locs, nlocs, &keys);
  if (n < 0) return PD_OK;
  /* pprof skips zero-weight samples; a series still lists their functions
   * (a function that allocates and keeps nothing is stable at zero) */
  if (v == 0) {
    for (int32_t i = 0; i < n; i++) s->ft.k[keys[i]].seen = 1;
    return PD_OK;
  }
  s->nkept++;
  double var = pd_noise_variance(&s->noise, values, v);
  s->total += fabs(v);
  s->total_var += var;
  pd_functotals_add(&s->ft, keys, (uint32_t)n, v, var);
  if (c->pairs) S_pairs_add_stack(c->pairs, keys, (uint32_t)n, fabs(v));
  if (c->full_tree) {
    uint32_t leaf = pd_tree_insert(&s->tree, keys, (uint32_t)n);
    s->tree.col[PD_COL_SELF][leaf] += v;
    s->tree.col[PD_COL_SELF_VAR][leaf] += var;
  }
  return PD_OK;
}

/* Second pass for a pruned tree: the stack is cut above its first light
 * frame or caller -> callee pair (counting from the root) and the sample
 * lands on the cut node. */
static int S_sample_pruned(void *vctx, const uint32_t *locs, uint32_t nlocs,
                           const double *values) {
  S_ctx *c = vctx;
  pd_snapshot *s = c->s;
  double v = values[c->index];
  if (v == 0) return PD_OK;
  const uint32_t *keys;
  int32_t n = pd_stacks_expand(c->stacks, locs, nlocs, &keys);
  if (n < 0) return PD_OK;
  uint32_t keep = S_pairs_keep(c->pairs, keys, (uint32_t)n, c->heavy, c->min);
  int32_t i = n - 1 - (int32_t)keep; /* keys[i] is the first one cut, leaf first */
  uint32_t node = pd_tree_insert(&s->tree, keys + i + 1, keep);
  s->tree.col[PD_COL_SELF][node] += v;
  if (i >= 0) s->tree.col[PD_COL_CUT][node] += v;
  s->tree.col[PD_COL_SELF_VAR][node] += pd_noise_variance(&s->noise, values, v);
  return PD_OK;
}

/* Drops nodes whose total is below min (their value moves to the parent's
 * own value, so every kept node's total is unchanged). */
static void S_compact(pd_tree *t, double min) {
  double *total = pd_xmalloc(t->n * sizeof *total);
  pd_tree_sum(t, PD_COL_SELF, total);
  pd_tree out;
  pd_tree_init(&out, t->ncols, 0);
  uint32_t *map = pd_xmalloc(t->n * sizeof *map);
  map[0] = 0;
  for (int c = 0; c < t->ncols; c++) out.col[c][0] = t->col[c][0];
  for (uint32_t i = 1; i < t->n; i++) {
    uint32_t parent = map[t->parent[i]];
    if (fabs(total[i]) >= min && parent != PD_NONE) {
      map[i] = pd_tree_child(&out, parent, t->key[i]);
      for (int c = 0; c < t->ncols; c++) out.col[c][map[i]] += t->col[c][i];
    } else {
      /* fold into the nearest kept ancestor */
      uint32_t a = t->parent[i];
      while (map[a] == PD_NONE) a = t->parent[a];
      map[i] = PD_NONE;
      for (int c = 0; c < t->ncols; c++) out.col[c][map[a]] += t->col[c][i];
      /* what was i's own value is now hidden in a's */
      out.col[PD_COL_CUT][map[a]] += t->col[PD_COL_SELF][i] - t->col[PD_COL_CUT][i];
    }
  }
  free(map);
  free(total);
  pd_tree_free(t);
  *t = out;
}

static const char *S_dup(pd_arena *a, const char *s) {
  return pd_arena_strndup(a, s, strlen(s));
}

int pd_reduce(const pd_profile *p, const pd_view *v, pd_intern *keys,
              const pd_reduce_opts *o, pd_snapshot *s, pd_err *err) {
  memset(s, 0, sizeof *s);
  pd_arena_init(&s->arena, 16 * 1024);
  s->path = S_dup(&s->arena, p->path);
  s->format = p->format;
  s->time_ns = p->time_ns;
  s->duration_ns = p->duration_ns;
  s->period = (double)p->period;
  s->period_type = S_dup(&s->arena, pd_profile_str(p, p->period_type.type));
  s->period_unit = S_dup(&s->arena, pd_profile_str(p, p->period_type.unit));
  s->nwarnings = p->nwarnings;
  s->warnings = pd_arena_alloc(&s->arena, (p->nwarnings + 1) * sizeof(char *));
  for (uint32_t i = 0; i < p->nwarnings; i++) s->warnings[i] = (char *)S_dup(&s->arena, p->warnings[i]);

  int index;
  if (pd_profile_sample_index(p, o->sample_index, &index, err) != PD_OK) return PD_ERR;
  s->sample_index = index;
  s->sample_type = S_dup(&s->arena, pd_profile_str(p, p->types[index].type));
  s->unit = S_dup(&s->arena, pd_profile_str(p, p->types[index].unit));
  pd_noise_init(&s->noise, p, index);

  pd_stacks stacks;
  if (o->keys_lock) pthread_mutex_lock(o->keys_lock);
  int rc = pd_stacks_init(&stacks, p, v, keys, err);
  uint32_t nkeys = keys->n;
  if (o->keys_lock) pthread_mutex_unlock(o->keys_lock);
  if (rc != PD_OK) return PD_ERR;
  pd_functotals_init(&s->ft, nkeys);
  int pruned = o->want_tree && o->tree_min_fraction > 0;
  if (o->want_tree) {
    s->has_tree = 1;
    pd_tree_init(&s->tree, PD_SNAPSHOT_COLS, pruned ? 1024 : p->nlocations * 2 + 1024);
  }
  S_pairs pairs;
  if (pruned) S_pairs_init(&pairs, (size_t)p->nlocations * 2);
  S_ctx ctx = {s, &stacks, keys, index, o->want_tree && !pruned, pruned ? &pairs : NULL, NULL, 0};
  rc = pd_profile_samples(p, S_sample, &ctx, err);
  if (rc == PD_OK && pruned) {
    double min = o->tree_min_fraction * s->total;
    uint8_t *heavy = pd_xmalloc(nkeys + 1);
    for (uint32_t k = 0; k < nkeys; k++) heavy[k] = s->ft.k[k].cum_abs >= min;
    ctx.heavy = heavy;
    ctx.min = min;
    pairs.prev_n = 0; /* the second pass starts with no previous stack */
    pairs.prev_cut = -1;
    rc = pd_profile_samples(p, S_sample_pruned, &ctx, err);
    free(heavy);
    if (rc == PD_OK) S_compact(&s->tree, min);
  }
  if (pruned) S_pairs_free(&pairs);
  pd_stacks_free(&stacks);
  return rc;
}

void pd_snapshot_free(pd_snapshot *s) {
  pd_functotals_free(&s->ft);
  if (s->has_tree) pd_tree_free(&s->tree);
  pd_arena_free(&s->arena);
  memset(s, 0, sizeof *s);
}
