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

/* From this cut up (a fraction of the total) the tree is built in two
 * passes (see pd_reduce). */
#define S_TWO_PASS_MIN 5e-5

/* ---- reduce ---------------------------------------------------------------------------- */

typedef struct {
  pd_snapshot *s;
  pd_stacks *stacks;
  int index;
  pd_tree *full;        /* the call tree being built, or NULL */
  int funcs;            /* per-function figures wanted */
  const uint8_t *heavy; /* second pass: keys that can be wide enough */
  /* The tree gets each stack one sample late, so that the first lookup of
   * the next can be started before this one is inserted. */
  uint32_t *held, nheld, capheld;
  double held_v;
  int holding;
} S_ctx;

/* Inserts the held stack, after starting the lookup of keys (n of them;
 * NULL at the end), and holds keys instead. */
static void S_tree_add(S_ctx *c, const uint32_t *keys, uint32_t n, double v) {
  if (c->holding) {
    if (keys) pd_tree_prefetch_next(c->full, c->held, c->nheld, keys, n);
    uint32_t leaf = pd_tree_insert(c->full, c->held, c->nheld); /* may move the columns */
    c->full->col[PD_COL_SELF][leaf] += c->held_v;
  }
  c->holding = keys != NULL;
  if (!keys) return;
  if (n > c->capheld) {
    c->capheld = n * 2;
    c->held = pd_xrealloc(c->held, c->capheld * sizeof *c->held);
  }
  memcpy(c->held, keys, n * sizeof *keys);
  c->nheld = n;
  c->held_v = v;
}

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
    if (c->funcs)
      for (int32_t i = 0; i < n; i++) s->ft.k[keys[i]].seen = 1;
    return PD_OK;
  }
  s->nkept++;
  double var = pd_noise_variance(&s->noise, values, v);
  s->total += fabs(v);
  s->total_var += var;
  if (c->funcs) pd_functotals_add(&s->ft, keys, (uint32_t)n, v, var);
  if (c->full) S_tree_add(c, keys, (uint32_t)n, v);
  return PD_OK;
}

/* Second pass of a two-pass tree: the stack is cut above its first frame
 * (from the root) whose function is lighter than the threshold everywhere
 * (no node of it can be heavier than the function), and the sample lands
 * on the cut node; compaction then drops what is still too light. */
static int S_sample_heavy(void *vctx, const uint32_t *locs, uint32_t nlocs,
                          const double *values) {
  S_ctx *c = vctx;
  double v = values[c->index];
  if (v == 0) return PD_OK;
  const uint32_t *keys;
  int32_t n = pd_stacks_expand(c->stacks, locs, nlocs, &keys);
  if (n < 0) return PD_OK;
  int32_t i = n - 1; /* keys are leaf first */
  while (i >= 0 && c->heavy[keys[i]]) i--;
  uint32_t leaf = pd_tree_insert(c->full, keys + i + 1, (uint32_t)(n - 1 - i));
  c->full->col[PD_COL_SELF][leaf] += v;
  if (i >= 0) c->full->col[PD_COL_CUT][leaf] += v;
  return PD_OK;
}

/* The snapshot's tree from the tree t (own values, and PD_COL_CUT when it
 * has one): nodes whose total is below min are dropped, their value moved
 * to the nearest kept ancestor's own value and counted in its PD_COL_CUT,
 * so every kept node's total is unchanged and a picture can say how much
 * it could not show. */
static void S_compact(pd_tree *t, double min, pd_tree *out) {
  double *total = pd_xmalloc(t->n * sizeof *total);
  pd_tree_sum(t, PD_COL_SELF, total);
  uint32_t kept = 1;
  for (uint32_t i = 1; i < t->n; i++) kept += fabs(total[i]) >= min;
  pd_tree_init(out, PD_SNAPSHOT_COLS, kept);
  /* map[i]: i's node in out, or (DROPPED |) that of its nearest kept
   * ancestor, so a dropped chain costs one step a node however deep */
  enum { DROPPED = 0x80000000u };
  uint32_t *map = pd_xmalloc(t->n * sizeof *map);
  map[0] = 0;
  out->col[PD_COL_SELF][0] = t->col[PD_COL_SELF][0];
  if (t->ncols > PD_COL_CUT) out->col[PD_COL_CUT][0] = t->col[PD_COL_CUT][0];
  for (uint32_t i = 1; i < t->n; i++) {
    uint32_t parent = map[t->parent[i]];
    double self = t->col[PD_COL_SELF][i];
    if (!(parent & DROPPED) && fabs(total[i]) >= min) {
      map[i] = pd_tree_child(out, parent, t->key[i]);
      out->col[PD_COL_SELF][map[i]] += self;
      if (t->ncols > PD_COL_CUT) out->col[PD_COL_CUT][map[i]] += t->col[PD_COL_CUT][i];
    } else {
      uint32_t a = parent & ~DROPPED;
      map[i] = a | DROPPED;
      out->col[PD_COL_SELF][a] += self;
      out->col[PD_COL_CUT][a] += self;
    }
  }
  free(map);
  free(total);
}

static const char *S_dup(pd_arena *a, const char *s) {
  return pd_arena_strndup(a, s, strlen(s));
}

int pd_reduce(pd_profile *p, const pd_view *v, pd_intern *keys,
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
  if (o->consume) pd_profile_drop_tables(p);
  /* The tree is built whole (own values only), then cut (S_compact).
   * Building whole costs the full tree's memory for a moment (16 bytes a
   * node and 11 of hash slots) but visits the samples once. When the cut
   * is high (a flame graph keeps frames of a pixel, ~1e-4 of the total),
   * most frames of a large profile belong to functions lighter than that
   * everywhere: then a first pass sums the functions and a second builds
   * the tree from the heavy ones only, a third of the nodes or fewer. A
   * series keeps frames to 2e-5, where most functions pass that test and
   * decoding the samples again costs more than the nodes it saves. */
  int pruned = o->want_tree && o->tree_min_fraction > 0;
  int two_pass = pruned && o->tree_min_fraction >= S_TWO_PASS_MIN;
  if (!o->tree_only || two_pass) pd_functotals_init(&s->ft, nkeys);
  pd_tree built; /* the tree before the cut */
  if (o->want_tree) pd_tree_init(&built, two_pass ? PD_SNAPSHOT_COLS : 1, (size_t)p->nlocations * 2 + 1024);
  S_ctx ctx = {s, &stacks, index, o->want_tree && !two_pass ? &built : NULL, !o->tree_only || two_pass, NULL,
               NULL, 0, 0, 0, 0};
  rc = pd_profile_samples(p, S_sample, &ctx, err);
  if (ctx.full) S_tree_add(&ctx, NULL, 0, 0);
  if (rc == PD_OK && two_pass) {
    double min = o->tree_min_fraction * s->total;
    uint8_t *heavy = pd_xmalloc(nkeys + 1);
    for (uint32_t k = 0; k < nkeys; k++) heavy[k] = s->ft.k[k].cum_abs >= min;
    ctx.heavy = heavy;
    ctx.full = &built;
    rc = pd_profile_samples(p, S_sample_heavy, &ctx, err);
    free(heavy);
  }
  /* before the cut, which needs room of its own */
  if (o->consume) pd_profile_drop_samples(p);
  free(ctx.held);
  if (o->want_tree) {
    s->has_tree = 1;
    if (pruned) {
      S_compact(&built, o->tree_min_fraction * s->total, &s->tree);
      pd_tree_free(&built);
    } else {
      pd_tree_add_cols(&built, PD_SNAPSHOT_COLS);
      s->tree = built;
    }
  }
  if (o->tree_only) pd_functotals_free(&s->ft); /* only the two passes' scratch */
  pd_stacks_free(&stacks);
  return rc;
}

void pd_snapshot_free(pd_snapshot *s) {
  pd_functotals_free(&s->ft);
  if (s->has_tree) pd_tree_free(&s->tree);
  pd_arena_free(&s->arena);
  memset(s, 0, sizeof *s);
}
