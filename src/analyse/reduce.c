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
  n->alloc_space_index = n->alloc_count_index = -1;
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
      /* the cumulative allocations of the same records: alloc_space (a
       * Go-style name for the whole profile, not a prefix of ours) */
      for (uint32_t i = 0; i < p->ntypes; i++) {
        if (strcmp(pd_profile_str(p, p->types[i].type), "alloc_space") != 0) continue;
        int ac = pd_profile_count_index(p, (int)i);
        if (ac >= 0) n->alloc_space_index = (int)i, n->alloc_count_index = ac;
      }
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

/* n objects of mean size s recorded with probability p = 1 - exp(-s/rate)
 * and scaled by 1/p: n s^2 (1-p)/p for their bytes, n (1-p)/p for their
 * count. */
static double S_heap_variance(const pd_noise *n, pd_val space_v, pd_val count_v) {
  double space = fabs((double)space_v), count = fabs((double)count_v);
  if (space <= 0 || count <= 0) return 0;
  double size = space / count;
  double p = 1 - exp(-size / n->rate);
  if (p <= 0) return 0;
  double q = (1 - p) / p;
  return n->value_is_count ? count * q : count * size * size * q;
}

double pd_noise_variance(const pd_noise *n, const pd_val *values, double value) {
  switch (n->kind) {
  case PD_NOISE_NONE: return 0;
  case PD_NOISE_POISSON: return fabs(value) * n->rate;
  case PD_NOISE_HEAP: return S_heap_variance(n, values[n->space_index], values[n->count_index]);
  }
  return 0;
}

double pd_noise_alloc_variance(const pd_noise *n, const pd_val *values) {
  if (!pd_noise_has_alloc(n)) return 0;
  return S_heap_variance(n, values[n->alloc_space_index], values[n->alloc_count_index]);
}

int pd_noise_never_freed(const pd_noise *n, const pd_val *values) {
  if (!pd_noise_has_alloc(n) || n->alloc_space_index == n->space_index) return 0;
  return values[n->count_index] > 0 && values[n->alloc_count_index] == values[n->count_index] &&
         values[n->alloc_space_index] == values[n->space_index];
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
  f->flat = pd_xrealloc(f->flat, cap * sizeof *f->flat);
  memset(f->flat + f->cap, 0, (cap - f->cap) * sizeof *f->flat);
  f->flat_var = pd_xrealloc(f->flat_var, cap * sizeof *f->flat_var);
  memset(f->flat_var + f->cap, 0, (cap - f->cap) * sizeof *f->flat_var);
  f->flat_avar = pd_xrealloc(f->flat_avar, cap * sizeof *f->flat_avar);
  memset(f->flat_avar + f->cap, 0, (cap - f->cap) * sizeof *f->flat_avar);
  if (f->flat_nf) {
    f->flat_nf = pd_xrealloc(f->flat_nf, cap * sizeof *f->flat_nf);
    memset(f->flat_nf + f->cap, 0, (cap - f->cap) * sizeof *f->flat_nf);
    f->flat_nfvar = pd_xrealloc(f->flat_nfvar, cap * sizeof *f->flat_nfvar);
    memset(f->flat_nfvar + f->cap, 0, (cap - f->cap) * sizeof *f->flat_nfvar);
  }
  if (f->nf_head) {
    f->nf_head = pd_xrealloc(f->nf_head, cap * sizeof *f->nf_head);
    memset(f->nf_head + f->cap, 0, (cap - f->cap) * sizeof *f->nf_head);
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
  free(f->flat_avar);
  free(f->flat_nf);
  free(f->flat_nfvar);
  free(f->nf_head);
  pd_vec_free(&f->nf_slots);
  memset(f, 0, sizeof *f);
}

void pd_functotals_add(pd_functotals *f, const uint32_t *keys, uint32_t n,
                       pd_val value, double var, double avar) {
  if (n == 0) return;
  if (++f->gen == 0) { /* wrapped: clear stamps so none looks current */
    for (uint32_t k = 0; k < f->cap; k++) f->k[k].stamp = 0;
    f->gen = 1;
  }
  f->flat[keys[0]] += value;
  f->flat_var[keys[0]] += var;
  f->flat_avar[keys[0]] += avar;
  double abs = fabs((double)value);
  for (uint32_t i = 0; i < n; i++) {
    pd_keytotal *t = &f->k[keys[i]];
    t->seen = 1;
    if (t->stamp == f->gen) continue;
    t->stamp = f->gen;
    t->cum += value;
    t->cum_abs += abs;
  }
}

/* A key keeps the records of this many callers apart; with more, its
 * never-freed part is unknown (0: no trend by it). */
#define S_NF_CALLERS 4

#define S_NF_FREED 0x80000000u
#define S_NF_NEXT(sl) ((sl)->next & ~S_NF_FREED)

static pd_nfslot *S_nf_slot(const pd_functotals *f, uint32_t at) { return (pd_nfslot *)f->nf_slots.items + (at - 1); }

static void S_nf_add(pd_functotals *f, uint32_t key, uint32_t caller, double value, double var, int freed) {
  if (!f->nf_head) {
    f->nf_head = pd_xcalloc(f->cap, sizeof *f->nf_head);
    pd_vec_init(&f->nf_slots, sizeof(pd_nfslot));
  }
  uint32_t at = f->nf_head[key], last = 0;
  if (at == UINT32_MAX) return;
  int seen = 0;
  for (; at; at = S_NF_NEXT(S_nf_slot(f, at)), seen++) {
    pd_nfslot *sl = S_nf_slot(f, at);
    if (sl->caller == caller) {
      sl->value += value;
      sl->var += (float)var;
      if (freed) sl->next |= S_NF_FREED;
      return;
    }
    last = at;
  }
  if (seen == S_NF_CALLERS || f->nf_slots.n >= S_NF_FREED - 1) {
    f->nf_head[key] = UINT32_MAX;
    return;
  }
  *(pd_nfslot *)pd_vec_push(&f->nf_slots) = (pd_nfslot){caller, freed ? S_NF_FREED : 0, value, (float)var};
  /* after the push, which may move the slots */
  uint32_t added = (uint32_t)f->nf_slots.n;
  if (last) S_nf_slot(f, last)->next |= added;
  else f->nf_head[key] = added;
}

void pd_functotals_nf_note(pd_functotals *f, const uint32_t *keys, uint32_t n, pd_val value, double var,
                           int never_freed) {
  if (n == 0) return;
  S_nf_add(f, keys[0], n > 1 ? keys[1] : UINT32_MAX, never_freed ? (double)value : 0, never_freed ? var : 0,
           !never_freed);
}

void pd_functotals_nf_merge(pd_functotals *a, const pd_functotals *b) {
  if (!b->nf_head) return;
  for (uint32_t k = 0; k < b->n && k < a->n; k++) {
    uint32_t at = b->nf_head[k];
    if (at == UINT32_MAX) {
      S_nf_add(a, k, 0, 0, 0, 0);
      a->nf_head[k] = UINT32_MAX;
      continue;
    }
    for (; at; at = S_NF_NEXT(S_nf_slot(b, at))) {
      const pd_nfslot *sl = S_nf_slot(b, at);
      S_nf_add(a, k, sl->caller, sl->value, sl->var, (sl->next & S_NF_FREED) != 0);
    }
  }
}

void pd_functotals_nf_alloc(pd_functotals *f) {
  if (f->flat_nf) return;
  f->flat_nf = pd_xcalloc(f->cap ? f->cap : 1, sizeof *f->flat_nf);
  f->flat_nfvar = pd_xcalloc(f->cap ? f->cap : 1, sizeof *f->flat_nfvar);
}

void pd_functotals_nf_finish(pd_functotals *f) {
  if (!f->nf_head) return;
  pd_functotals_nf_alloc(f);
  for (uint32_t k = 0; k < f->n; k++) {
    uint32_t at = f->nf_head[k];
    if (at == UINT32_MAX || !at) continue;
    int all = 1;
    for (; at; at = S_NF_NEXT(S_nf_slot(f, at))) {
      const pd_nfslot *sl = S_nf_slot(f, at);
      if (sl->next & S_NF_FREED) {
        all = 0;
        continue;
      }
      f->flat_nf[k] += sl->value;
      f->flat_nfvar[k] += sl->var;
    }
    /* every record of the key: exactly its value, so that the series
     * knows it is the whole (series.c keeps no copy then) */
    if (all) f->flat_nf[k] = f->flat[k], f->flat_nfvar[k] = f->flat_var[k];
  }
  free(f->nf_head);
  f->nf_head = NULL;
  pd_vec_free(&f->nf_slots);
}

/* From this cut up (a fraction of the total) the tree is built in two
 * passes (see pd_reduce). */
#define S_TWO_PASS_MIN 5e-5

/* ---- the tree before the cut ------------------------------------------------------
 *
 * A sample's stack goes into a stack set (root first); when all are in they
 * are sorted, and the tree is built in that order with no lookup at all:
 * every stack through a node is then next to the others, so a node is made
 * once, by the first that reaches it, under the node of the path before.
 * In sample order a stack shares little with the one before it (pprof
 * writers emit samples in hash order), and finding the rest of its path in
 * a hash table took seven cache misses a sample, one after the other: most
 * of a report's time per profile. */

typedef struct {
  pd_vec keys;  /* uint32, each stack root first, one after the other */
  pd_vec start; /* uint32: stack i is keys[start[i] .. start[i + 1]) */
  pd_vec value; /* pd_val */
  pd_vec cut;   /* uint8: 1 when the stack was cut short (heavy pass) */
} S_stackset;

/* For about nstacks stacks of about nkeys keys in all, reserved up front
 * so that the vectors are seldom copied as they grow. Pages not written
 * are not touched, but the block still takes its room in the worker's
 * arena, where later blocks touch it: a series reserves a quarter of the
 * profile's (a heap profile's samples are mostly freed records, which
 * have no stack here) and lets the vectors double. */
static void S_set_init(S_stackset *st, size_t nstacks, size_t nkeys) {
  pd_vec_init(&st->keys, sizeof(uint32_t));
  pd_vec_init(&st->start, sizeof(uint32_t));
  pd_vec_init(&st->value, sizeof(pd_val));
  pd_vec_init(&st->cut, 1);
  pd_vec_reserve(&st->keys, nkeys > 1024 ? nkeys : 1024); /* never NULL: stacks may all be empty */
  pd_vec_reserve(&st->start, nstacks + 1);
  pd_vec_reserve(&st->value, nstacks);
  pd_vec_reserve(&st->cut, nstacks);
  *(uint32_t *)pd_vec_push(&st->start) = 0;
}

static void S_set_free(S_stackset *st) {
  pd_vec_free(&st->keys);
  pd_vec_free(&st->start);
  pd_vec_free(&st->value);
  pd_vec_free(&st->cut);
}

/* Adds n keys given leaf first. */
static void S_set_add(S_stackset *st, const uint32_t *keys, uint32_t n, pd_val v, int cut) {
  pd_vec_reserve(&st->keys, st->keys.n + n);
  uint32_t *dst = (uint32_t *)st->keys.items + st->keys.n;
  for (uint32_t i = 0; i < n; i++) dst[i] = keys[n - 1 - i];
  st->keys.n += n;
  *(uint32_t *)pd_vec_push(&st->start) = (uint32_t)st->keys.n;
  *(pd_val *)pd_vec_push(&st->value) = v;
  *(uint8_t *)pd_vec_push(&st->cut) = (uint8_t)cut;
}

/* Appends src's stacks after dst's. */
static void S_set_append(S_stackset *dst, const S_stackset *src) {
  uint32_t base = (uint32_t)dst->keys.n, n = (uint32_t)src->value.n;
  pd_vec_reserve(&dst->keys, dst->keys.n + src->keys.n);
  if (src->keys.n) memcpy((uint32_t *)dst->keys.items + dst->keys.n, src->keys.items, src->keys.n * sizeof(uint32_t));
  dst->keys.n += src->keys.n;
  pd_vec_reserve(&dst->start, dst->start.n + n);
  for (uint32_t i = 1; i <= n; i++) ((uint32_t *)dst->start.items)[dst->start.n++] = ((const uint32_t *)src->start.items)[i] + base;
  pd_vec_reserve(&dst->value, dst->value.n + n);
  if (n) memcpy((pd_val *)dst->value.items + dst->value.n, src->value.items, n * sizeof(pd_val));
  dst->value.n += n;
  pd_vec_reserve(&dst->cut, dst->cut.n + n);
  if (n) memcpy((uint8_t *)dst->cut.items + dst->cut.n, src->cut.items, n);
  dst->cut.n += n;
}

/* Sorting the stacks root first, as strings of keys: two keys at a time
 * packed into 64 bits (key + 1, so that an ended stack, 0, sorts first),
 * radix-sorted (small runs by insertion), then each run of ties again on
 * the next two keys. Sorting with a comparator reading both stacks was a
 * tenth of a report's time, most of it cache misses. Stable: equal stacks
 * keep sample order. */
typedef struct {
  uint64_t k;
  uint32_t i;
} S_rec;

static uint64_t S_pair_at(const S_stackset *st, uint32_t i, uint32_t d) {
  const uint32_t *start = st->start.items, *keys = (const uint32_t *)st->keys.items + start[i];
  uint32_t n = start[i + 1] - start[i];
  uint64_t hi = d < n ? (uint64_t)keys[d] + 1 : 0, lo = d + 1 < n ? (uint64_t)keys[d + 1] + 1 : 0;
  return hi << 32 | lo;
}

static void S_radix(S_rec *r, S_rec *tmp, size_t n) {
  for (int shift = 0; shift < 64; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++) count[(r[i].k >> shift & 0xff) + 1]++;
    if (count[(r[0].k >> shift & 0xff) + 1] == n) continue; /* one digit: nothing moves */
    for (int b = 0; b < 256; b++) count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++) tmp[count[r[i].k >> shift & 0xff]++] = r[i];
    memcpy(r, tmp, n * sizeof *r);
  }
}

/* Sorts one run on the key pair at depth d; the runs of ties that go on
 * are pushed on work (offset, length, depth) instead of recursed into: two
 * stacks sharing a 300,000-frame prefix would nest 150,000 calls deep.
 * Pending runs are disjoint and of two or more, so work holds at most n/2. */
typedef struct {
  size_t off, n;
  uint32_t d;
} S_run;

static void S_sort_one(const S_stackset *st, S_rec *r, S_rec *tmp, size_t n, uint32_t d, pd_vec *work) {
  for (size_t i = 0; i < n; i++) r[i].k = S_pair_at(st, r[i].i, d);
  if (n < 64) {
    for (size_t i = 1; i < n; i++) {
      S_rec x = r[i];
      size_t j = i;
      for (; j > 0 && r[j - 1].k > x.k; j--) r[j] = r[j - 1];
      r[j] = x;
    }
  } else {
    S_radix(r, tmp, n);
  }
  for (size_t a = 0; a < n;) {
    size_t b = a + 1;
    while (b < n && r[b].k == r[a].k) b++;
    /* ties that both go on (their second key is not the end) */
    if (b - a > 1 && (r[a].k & 0xffffffffu)) {
      S_run *w = pd_vec_push(work);
      w->off = a;
      w->n = b - a;
      w->d = d + 2;
    }
    a = b;
  }
}

static void S_sort_runs(const S_stackset *st, S_rec *rec, S_rec *tmp, size_t n) {
  pd_vec work;
  pd_vec_init(&work, sizeof(S_run));
  S_sort_one(st, rec, tmp, n, 0, &work);
  while (work.n) {
    S_run w = PD_VEC_AT(&work, S_run, --work.n);
    size_t from = work.n;
    S_sort_one(st, rec + w.off, tmp, w.n, w.d, &work);
    for (size_t i = from; i < work.n; i++) PD_VEC_AT(&work, S_run, i).off += w.off;
  }
  pd_vec_free(&work);
}

/* The tree of a stack set: struct of arrays, node 0 the root, a parent
 * before its children; no hash table (nothing looks a node up). */
typedef struct {
  uint32_t n;
  uint32_t *parent, *key;
  pd_val *self, *cut;
} S_built;

static void S_build(S_stackset *st, S_built *t) {
  uint32_t count = (uint32_t)st->value.n;
  S_rec *rec = pd_xmalloc((count ? count : 1) * 2 * sizeof *rec);
  for (uint32_t i = 0; i < count; i++) rec[i].i = i;
  S_sort_runs(st, rec, rec + count, count);
  const uint32_t *keys = st->keys.items, *start = st->start.items;
  /* the nodes first, each stack's keys past what it shares with the one
   * before (kept in rec[o].k, done with once sorted, for the pass that
   * makes them): allocated for a key each (the root and every frame), it
   * was three times too many on a heap profile, whose pages other blocks
   * then touched, file after file, until a worker held them all */
  size_t cap = 1;
  {
    const uint32_t *prev = NULL;
    uint32_t nprev = 0;
    for (uint32_t o = 0; o < count; o++) {
      uint32_t i = rec[o].i;
      const uint32_t *k = keys + start[i];
      uint32_t nk = start[i + 1] - start[i], common = 0, lim = nk < nprev ? nk : nprev;
      while (common < lim && k[common] == prev[common]) common++;
      rec[o].k = common;
      cap += nk - common;
      prev = k;
      nprev = nk;
    }
  }
  t->parent = pd_xmalloc(cap * sizeof *t->parent);
  t->key = pd_xmalloc(cap * sizeof *t->key);
  /* a node's values are zeroed as it is made, as bytes: a long double
   * zero stored as one (x87's fstp) was a third of this function, and
   * calloc would clear room for every frame, not every node */
  t->self = pd_xmalloc(cap * sizeof *t->self);
  /* cut values only where the heavy pass cut a stack (else NULL) */
  const uint8_t *cut = st->cut.items;
  int any_cut = count && memchr(cut, 1, count) != NULL;
  t->cut = any_cut ? pd_xmalloc(cap * sizeof *t->cut) : NULL;
  memset(t->self, 0, sizeof *t->self);
  if (t->cut) memset(t->cut, 0, sizeof *t->cut);
  t->n = 1;
  t->parent[0] = PD_NONE;
  t->key[0] = 0;
  const pd_val *value = st->value.items;
  uint32_t *path = NULL, pathcap = 0; /* node at each depth of the last stack */
  for (uint32_t o = 0; o < count; o++) {
    uint32_t i = rec[o].i;
    const uint32_t *k = keys + start[i];
    uint32_t nk = start[i + 1] - start[i], common = (uint32_t)rec[o].k;
    if (nk > pathcap) {
      pathcap = nk * 2;
      path = pd_xrealloc(path, pathcap * sizeof *path);
    }
    for (uint32_t d = common; d < nk; d++) {
      uint32_t id = t->n++;
      t->parent[id] = d ? path[d - 1] : 0;
      t->key[id] = k[d];
      memset(&t->self[id], 0, sizeof *t->self);
      if (t->cut) memset(&t->cut[id], 0, sizeof *t->cut);
      path[d] = id;
    }
    uint32_t leaf = nk ? path[nk - 1] : 0;
    t->self[leaf] += value[i];
    if (cut[i] && t->cut) t->cut[leaf] += value[i];
  }
  free(path);
  free(rec);
}

static void S_built_free(S_built *t) {
  free(t->parent);
  free(t->key);
  free(t->self);
  free(t->cut);
}

/* The snapshot's tree from t: nodes whose total is below min are dropped,
 * their value moved to the nearest kept ancestor's own value and counted
 * in its PD_COL_CUT, so every kept node's total is unchanged and a picture
 * can say how much it could not show (min 0 keeps every node). */
static void S_compact(const S_built *t, double min, pd_tree *out) {
  /* totals only to compare with min: doubles do (SSE, half the bytes) */
  double *total = pd_xmalloc(t->n * sizeof *total);
  for (uint32_t i = 0; i < t->n; i++) total[i] = (double)t->self[i];
  for (uint32_t i = t->n - 1; i > 0; i--) total[t->parent[i]] += total[i];
  uint32_t kept = 1;
  for (uint32_t i = 1; i < t->n; i++) kept += fabs(total[i]) >= min;
  pd_tree_init(out, PD_SNAPSHOT_COLS, kept);
  /* map[i]: i's node in out, or (DROPPED |) that of its nearest kept
   * ancestor, so a dropped chain costs one step a node however deep */
  enum { DROPPED = 0x80000000u };
  uint32_t *map = pd_xmalloc(t->n * sizeof *map);
  map[0] = 0;
  out->col[PD_COL_SELF][0] = t->self[0];
  out->col[PD_COL_CUT][0] = t->cut ? t->cut[0] : 0;
  for (uint32_t i = 1; i < t->n; i++) {
    uint32_t parent = map[t->parent[i]];
    if (!(parent & DROPPED) && fabs(total[i]) >= min) {
      map[i] = pd_tree_child(out, parent, t->key[i]);
      out->col[PD_COL_SELF][map[i]] += t->self[i];
      if (t->cut) out->col[PD_COL_CUT][map[i]] += t->cut[i];
    } else {
      uint32_t a = parent & ~DROPPED;
      map[i] = a | DROPPED;
      out->col[PD_COL_SELF][a] += t->self[i];
      out->col[PD_COL_CUT][a] += t->self[i];
    }
  }
  free(map);
  free(total);
}

/* ---- reduce ---------------------------------------------------------------------------- */

typedef struct {
  pd_snapshot *s;
  pd_stacks *stacks;
  const pd_view *tags;  /* the view, when its tag filters drop samples */
  pd_sample_fn inner;   /* what every sample then goes to ... */
  int tag_dropped;      /* ... knowing whether they dropped it */
  int index;
  S_stackset *tree;     /* stacks for the tree, or NULL */
  int funcs;            /* per-function figures wanted */
  const uint8_t *heavy; /* second pass: keys that can be wide enough */
  pd_err *err;          /* the walk's */
  int nf;               /* never-freed parts wanted (pd_reduce_opts), with allocations */
} S_ctx;

static int S_sample(void *vctx, const uint32_t *locs, uint32_t nlocs,
                    const pd_val *values) {
  S_ctx *c = vctx;
  pd_snapshot *s = c->s;
  pd_val v = values[c->index];
  s->nsamples++;
  s->total_all += fabsl(v);
  const uint32_t *keys;
  int32_t n = c->tag_dropped ? -1 : pd_stacks_expand(c->stacks, locs, nlocs, &keys);
  if (n == PD_STACK_TOO_DEEP) return pd_stacks_too_deep(c->stacks, c->err);
  if (n < 0) return PD_OK;
  /* pprof skips zero-weight samples; a series still lists their functions
   * (a function that allocates and keeps nothing is stable at zero) */
  if (v == 0) {
    if (c->funcs) {
      for (int32_t i = 0; i < n; i++) s->ft.k[keys[i]].seen = 1;
      /* a record whose objects were all freed still counts its
       * allocations: they are cumulative */
      if (n > 0 && s->has_alloc) {
        s->ft.flat_avar[keys[0]] += pd_noise_alloc_variance(&s->noise, values);
        if (c->nf) pd_functotals_nf_note(&s->ft, keys, (uint32_t)n, 0, 0, 0);
      }
    }
    return PD_OK;
  }
  s->nkept++;
  double var = pd_noise_variance(&s->noise, values, v);
  s->total += fabsl(v);
  s->total_var += var;
  if (c->funcs) {
    pd_functotals_add(&s->ft, keys, (uint32_t)n, v, var, s->has_alloc ? pd_noise_alloc_variance(&s->noise, values) : 0);
    if (c->nf) pd_functotals_nf_note(&s->ft, keys, (uint32_t)n, v, var, pd_noise_never_freed(&s->noise, values));
  }
  if (c->tree) S_set_add(c->tree, keys, (uint32_t)n, v, 0);
  return PD_OK;
}

/* Tag filters: the labeled walk decides, then the sample goes on as any
 * other, one the filters drop as a sample --focus/--ignore drop (n < 0). */
static int S_sample_tagged(void *vctx, const uint32_t *locs, uint32_t nlocs, const pd_val *values,
                           const pd_label *labels, uint32_t nlabels) {
  S_ctx *c = vctx;
  const pd_profile *p = c->stacks->p;
  if (c->tags->has_tagfocus && pd_tagfilter_match(&c->tags->tagfocus, p, labels, nlabels)) c->s->ntagfocus++;
  if (c->tags->has_tagignore && pd_tagfilter_match(&c->tags->tagignore, p, labels, nlabels))
    c->s->ntagignore++;
  c->tag_dropped = !pd_view_tags_keep(c->tags, p, labels, nlabels);
  return c->inner(vctx, locs, nlocs, values);
}

/* A range of samples to fn, through the tag filters when there are some. */
static int S_range(const pd_profile *p, uint32_t from, uint32_t to, pd_sample_fn fn, S_ctx *c, pd_err *err) {
  if (!c->tags) return pd_profile_samples_range(p, from, to, fn, c, err);
  c->inner = fn;
  return pd_profile_samples_labeled(p, from, to, S_sample_tagged, c, err);
}

/* ---- two threads on one profile ----------------------------------------------------
 *
 * A command that reads one profile and builds its tree (flame, fold) has
 * both cores for it: a large profile's samples are walked in two halves at once, each
 * thread summing its own figures and stacks, which are then added up in
 * sample order (the stack set keeps it, so the tree is the same). A
 * report's workers each have a file already. */
#define S_SPLIT_SAMPLES 50000

typedef struct {
  S_ctx c;          /* the second half's, with the fields below */
  pd_snapshot part; /* its figures: counts, totals, ft */
  pd_stacks stacks; /* the profile's, with a scratch of its own */
  S_stackset set;
  const pd_profile *p;
  pd_sample_fn fn;
  uint32_t from, to;
  int rc;
  pd_err err;
  pd_mem_doing doing; /* the starting thread's, for an out-of-memory message */
} S_half;

static void *S_half_run(void *arg) {
  S_half *h = arg;
  pd_mem_doing_set(h->doing.subject, h->doing.doing);
  h->rc = S_range(h->p, h->from, h->to, h->fn, &h->c, &h->err);
  return NULL;
}

static int S_walk(const pd_profile *p, pd_sample_fn fn, S_ctx *c, int split, pd_err *err) {
  uint32_t n = p->nsamples;
  if (!split || n < S_SPLIT_SAMPLES) return S_range(p, 0, n, fn, c, err);
  S_half h;
  memset(&h, 0, sizeof h);
  h.c = *c;
  h.part.noise = c->s->noise;
  h.part.has_alloc = c->s->has_alloc;
  if (c->funcs) pd_functotals_init(&h.part.ft, c->s->ft.n);
  h.c.s = &h.part;
  h.stacks = *c->stacks;
  h.stacks.out_cap = 64;
  h.stacks.out = pd_xmalloc(h.stacks.out_cap * sizeof *h.stacks.out);
  h.c.stacks = &h.stacks;
  h.c.err = &h.err;
  if (c->tree) {
    S_set_init(&h.set, n - n / 2, c->tree->keys.cap / 2);
    h.c.tree = &h.set;
  }
  h.p = p;
  h.fn = fn;
  h.doing = pd_mem_doing_get();
  h.from = n / 2;
  h.to = n;
  pthread_t tid;
  int rc;
  if (pthread_create(&tid, NULL, S_half_run, &h) == 0) {
    rc = S_range(p, 0, h.from, fn, c, err);
    pthread_join(tid, NULL);
  } else {
    rc = S_range(p, 0, h.from, fn, c, err);
    if (rc == PD_OK) S_half_run(&h);
  }
  if (rc == PD_OK && h.rc != PD_OK) {
    rc = h.rc;
    *err = h.err;
  }
  pd_snapshot *s = c->s;
  s->nsamples += h.part.nsamples;
  s->nkept += h.part.nkept;
  s->ntagfocus += h.part.ntagfocus;
  s->ntagignore += h.part.ntagignore;
  s->total += h.part.total;
  s->total_all += h.part.total_all;
  s->total_var += h.part.total_var;
  if (c->funcs) {
    pd_functotals *a = &s->ft;
    const pd_functotals *b = &h.part.ft;
    for (uint32_t k = 0; k < a->n && k < b->n; k++) {
      a->flat[k] += b->flat[k];
      a->flat_var[k] += b->flat_var[k];
      a->flat_avar[k] += b->flat_avar[k];
      a->k[k].cum += b->k[k].cum;
      a->k[k].cum_abs += b->k[k].cum_abs;
      a->k[k].seen |= b->k[k].seen;
    }
    pd_functotals_nf_merge(a, b);
    pd_functotals_free(&h.part.ft);
  }
  if (c->tree) {
    S_set_append(c->tree, &h.set);
    S_set_free(&h.set);
  }
  free(h.stacks.out);
  return rc;
}

/* Second pass of a two-pass tree: the stack is cut above its first frame
 * (from the root) whose function is lighter than the threshold everywhere
 * (no node of it can be heavier than the function), and the sample lands
 * on the cut node; compaction then drops what is still too light. */
static int S_sample_heavy(void *vctx, const uint32_t *locs, uint32_t nlocs,
                          const pd_val *values) {
  S_ctx *c = vctx;
  pd_val v = values[c->index];
  if (v == 0) return PD_OK;
  const uint32_t *keys;
  int32_t n = c->tag_dropped ? -1 : pd_stacks_expand(c->stacks, locs, nlocs, &keys);
  if (n == PD_STACK_TOO_DEEP) return pd_stacks_too_deep(c->stacks, c->err);
  if (n < 0) return PD_OK;
  int32_t i = n - 1; /* keys are leaf first */
  while (i >= 0 && c->heavy[keys[i]]) i--;
  S_set_add(c->tree, keys + i + 1, (uint32_t)(n - 1 - i), v, i >= 0);
  return PD_OK;
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

  int index;
  if (pd_profile_sample_index(p, o->sample_index, &index, err) != PD_OK) return PD_ERR;
  s->sample_index = index;
  s->sample_type = S_dup(&s->arena, pd_profile_str(p, p->types[index].type));
  s->unit = S_dup(&s->arena, pd_profile_str(p, p->types[index].unit));
  pd_noise_init(&s->noise, p, index);
  s->has_alloc = pd_noise_has_alloc(&s->noise);

  pd_stacks stacks;
  if (o->keys_lock) pthread_mutex_lock(o->keys_lock);
  int rc = pd_stacks_init(&stacks, p, v, keys, err);
  uint32_t nkeys = keys->n;
  if (o->keys_lock) pthread_mutex_unlock(o->keys_lock);
  if (rc != PD_OK) return PD_ERR;
  /* after the stacks, which may warn about the profile's own patterns */
  s->nwarnings = p->nwarnings;
  s->warnings = pd_arena_alloc(&s->arena, (p->nwarnings + 1) * sizeof(char *));
  for (uint32_t i = 0; i < p->nwarnings; i++) s->warnings[i] = (char *)S_dup(&s->arena, p->warnings[i]);
  /* tag filters read label strings as the samples are walked */
  int tagged = pd_view_has_tag_filters(v);
  if (o->consume && !tagged) pd_profile_drop_tables(p);
  s->filters_matched = stacks.matched;
  /* The tree is built whole (own values only), then cut (S_compact).
   * Building whole costs the full tree's memory for a moment (the stacks,
   * 4 bytes a frame, and 24 bytes a node) but visits the samples once. When the cut
   * is high (a flame graph keeps frames of a pixel, ~1e-4 of the total),
   * most frames of a large profile belong to functions lighter than that
   * everywhere: then a first pass sums the functions and a second builds
   * the tree from the heavy ones only, a third of the nodes or fewer. A
   * series keeps frames to 2e-5, where most functions pass that test and
   * decoding the samples again costs more than the nodes it saves. */
  int pruned = o->want_tree && o->tree_min_fraction > 0;
  int two_pass = pruned && o->tree_min_fraction >= S_TWO_PASS_MIN;
  if (!o->tree_only || two_pass) pd_functotals_init(&s->ft, nkeys);
  S_stackset set;
  /* the samples' frames, when the profile says (flat arrays), else a guess
   * at Go's depth: what is not used is not touched */
  size_t frames = p->stack_start ? p->stack_start[p->nsamples] : (size_t)p->nsamples * 24;
  size_t part = o->consume ? 4 : 1; /* a series reserves a quarter (S_set_init) */
  if (o->want_tree) S_set_init(&set, p->nsamples / part, frames / part);
  S_ctx ctx = {s, &stacks, tagged ? v : NULL, NULL, 0, index, o->want_tree && !two_pass ? &set : NULL,
               !o->tree_only || two_pass, NULL, err, o->never_freed && s->has_alloc};
  rc = S_walk(p, S_sample, &ctx, o->split, err);
  if (rc == PD_OK && two_pass) {
    double min = o->tree_min_fraction * s->total;
    uint8_t *heavy = pd_xmalloc(nkeys + 1);
    for (uint32_t k = 0; k < nkeys; k++) heavy[k] = s->ft.k[k].cum_abs >= min;
    ctx.heavy = heavy;
    ctx.tree = &set;
    rc = S_walk(p, S_sample_heavy, &ctx, o->split, err);
    free(heavy);
  }
  if (rc == PD_OK && s->ft.cap) pd_functotals_nf_finish(&s->ft);
  /* before the tree is built, which needs room of its own */
  if (o->consume) {
    if (tagged) pd_profile_drop_tables(p);
    pd_profile_drop_samples(p);
  }
  if (o->want_tree) {
    /* the room the vectors did not use goes to the tree's arrays (a
     * quarter of a large heap profile's frames was twice its stacks') */
    pd_vec_shrink(&set.keys);
    pd_vec_shrink(&set.value);
    S_built built;
    S_build(&set, &built);
    S_set_free(&set);
    s->has_tree = 1;
    S_compact(&built, pruned ? o->tree_min_fraction * s->total : 0, &s->tree);
    S_built_free(&built);
  }
  if (o->tree_only) pd_functotals_free(&s->ft); /* only the two passes' scratch */
  pd_stacks_free(&stacks);
  return rc;
}

void pd_snapshot_subtract(pd_snapshot *s, const pd_snapshot *bases, uint32_t nbases) {
  /* The merged profile of pprof's -diff_base holds the head's samples and
   * the bases' negated: flat and cum are sums over samples, so each is the
   * head's minus the bases'. computeTotal then counts only the bases'
   * samples (when they sum to anything), before or after the filters. */
  pd_val total = 0, total_all = 0;
  for (uint32_t i = 0; i < nbases; i++) {
    const pd_snapshot *base = &bases[i];
    S_ft_reserve(&s->ft, base->ft.n);
    for (uint32_t k = 0; k < base->ft.n; k++) {
      const pd_keytotal *b = &base->ft.k[k];
      pd_keytotal *t = &s->ft.k[k];
      t->cum -= b->cum;
      t->cum_abs += b->cum_abs;
      t->seen |= b->seen;
      s->ft.flat[k] -= base->ft.flat[k];
      s->ft.flat_var[k] += base->ft.flat_var[k];
    }
    s->has_alloc = 0; /* a difference of two profiles: not one process's allocations */
    total += base->total;
    total_all += base->total_all;
    s->total_var += base->total_var;
    s->filters_matched |= base->filters_matched;
    s->nsamples += base->nsamples;
    s->nkept += base->nkept;
    s->ntagfocus += base->ntagfocus;
    s->ntagignore += base->ntagignore;
    /* combineHeaders: the earliest time (a zero one after the first wins,
     * as pprof's test reads), the durations added */
    if (s->time_ns == 0 || base->time_ns < s->time_ns) s->time_ns = base->time_ns;
    s->duration_ns += base->duration_ns;
  }
  if (total != 0) s->total = total;
  if (total_all != 0) s->total_all = total_all;
}

void pd_snapshot_free(pd_snapshot *s) {
  pd_functotals_free(&s->ft);
  if (s->has_tree) pd_tree_free(&s->tree);
  pd_arena_free(&s->arena);
  memset(s, 0, sizeof *s);
}
