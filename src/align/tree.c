/* tree.c: the call tree keyed by frame key.
 *
 * Storage is a struct of arrays indexed by node id (parent, key and up to
 * PD_TREE_MAX_COLS value columns), so a million-node tree is a handful of
 * flat allocations. Children are not linked: whoever walks the tree top
 * down builds their lists once (pd_tree_kids_build), in the order it wants.
 * Children are found through one open-addressing table over (parent, key)
 * whose 8-byte slots hold a node id and the high 32 bits of its hash, which
 * are also where it goes: a probe that meets another node's slot is told
 * apart without reading that node (a cache miss), so the table can run
 * three quarters full, and growing it reads the old slots in order instead
 * of every node at random.
 */
#include "align.h"

#include <stdlib.h>
#include <string.h>

/* The hash's high half, which places a slot (its low bits) and tells slots
 * apart (all of it). */
static inline uint64_t S_slot_hash(const pd_tree *t, uint32_t parent, uint32_t key) {
  return pd_hash_u64((((uint64_t)parent << 32) | key) ^ t->seed) >> 32;
}

/* A slot: the hash, then node id + 1 (0: empty). */
static inline uint64_t S_slot(uint64_t h, uint32_t id) { return h << 32 | (id + 1); }

static void S_grow_nodes(pd_tree *t, uint32_t cap) {
  t->parent = pd_xrealloc(t->parent, cap * sizeof(uint32_t));
  t->key = pd_xrealloc(t->key, cap * sizeof(uint32_t));
  /* not zeroed here: a node's columns are zeroed when it is made, so
   * capacity never used is never touched */
  for (int c = 0; c < t->ncols; c++) t->col[c] = pd_xrealloc(t->col[c], cap * sizeof(pd_val));
  t->cap = cap;
}

/* A new node's columns to zero, as bytes: integer stores (a long double
 * zero stored as one is x87's slow fstp) */
static inline void S_zero_node(pd_tree *t, uint32_t id) {
  for (int c = 0; c < t->ncols; c++) memset(&t->col[c][id], 0, sizeof(pd_val));
}

static void S_rehash(pd_tree *t, size_t nslots) {
  uint64_t *old = t->slots, *slots = pd_xcalloc(nslots, sizeof *slots);
  size_t mask = nslots - 1;
  for (size_t i = 0; i < t->nslots; i++) {
    if (!old[i]) continue;
    size_t s = (old[i] >> 32) & mask;
    while (slots[s]) s = (s + 1) & mask;
    slots[s] = old[i];
  }
  free(old);
  t->slots = slots;
  t->nslots = nslots;
}

void pd_tree_init(pd_tree *t, int ncols, size_t expected_nodes) {
  memset(t, 0, sizeof *t);
  t->ncols = ncols < PD_TREE_MAX_COLS ? ncols : PD_TREE_MAX_COLS;
  /* one allocation of the size expected: doubling up to it copied every
   * column over and over (a tenth of `fold`); not rounded up, since a
   * series' tree of eight columns is sized to what it can hold at most */
  size_t want = expected_nodes < UINT32_MAX / 2 ? expected_nodes : UINT32_MAX / 2;
  uint32_t cap = want < 1024 ? 1024 : (uint32_t)want;
  S_grow_nodes(t, cap);
  size_t nslots = 1024;
  while (nslots * 3 < (size_t)t->cap * 4) nslots *= 2;
  t->nslots = nslots;
  t->slots = pd_xcalloc(nslots, sizeof *t->slots);
  t->seed = pd_hash_secret();
  t->n = 1; /* the root */
  t->parent[0] = PD_NONE;
  t->key[0] = 0;
  S_zero_node(t, 0);
  t->path_cap = 64;
  t->path_keys = pd_xmalloc(t->path_cap * sizeof(uint32_t));
  t->path_nodes = pd_xmalloc(t->path_cap * sizeof(uint32_t));
}

void pd_tree_free(pd_tree *t) {
  free(t->parent);
  free(t->key);
  for (int c = 0; c < t->ncols; c++) free(t->col[c]);
  free(t->slots);
  free(t->path_keys);
  free(t->path_nodes);
  memset(t, 0, sizeof *t);
}

/* The slot holding (parent, key), or the empty slot where it would go. */
static inline size_t S_probe(const pd_tree *t, uint64_t h, uint32_t parent, uint32_t key) {
  size_t mask = t->nslots - 1, s = h & mask;
  for (uint64_t v; (v = t->slots[s]); s = (s + 1) & mask) {
    if (v >> 32 != h) continue;
    uint32_t id = (uint32_t)v - 1;
    if (t->parent[id] == parent && t->key[id] == key) break;
  }
  return s;
}

uint32_t pd_tree_find(const pd_tree *t, uint32_t parent, uint32_t key) {
  uint64_t v = t->slots[S_probe(t, S_slot_hash(t, parent, key), parent, key)];
  return v ? (uint32_t)v - 1 : PD_NONE;
}

uint32_t pd_tree_child(pd_tree *t, uint32_t parent, uint32_t key) {
  uint64_t h = S_slot_hash(t, parent, key);
  size_t s = S_probe(t, h, parent, key);
  if (t->slots[s]) return (uint32_t)t->slots[s] - 1;
  if (t->n == t->cap) S_grow_nodes(t, t->cap * 2);
  uint32_t id = t->n++;
  t->parent[id] = parent;
  t->key[id] = key;
  S_zero_node(t, id);
  t->slots[s] = S_slot(h, id);
  if ((size_t)t->n * 4 > t->nslots * 3) S_rehash(t, t->nslots * 2);
  return id;
}

/* Room for a path of n, and how many frames from the root the stack keys
 * (leaf first) share with the last path inserted (root first). */
static uint32_t S_path_common(pd_tree *t, const uint32_t *keys, uint32_t n) {
  if (n > t->path_cap) {
    while (n > t->path_cap) t->path_cap *= 2;
    t->path_keys = pd_xrealloc(t->path_keys, t->path_cap * sizeof(uint32_t));
    t->path_nodes = pd_xrealloc(t->path_nodes, t->path_cap * sizeof(uint32_t));
  }
  uint32_t common = 0, limit = n < t->path_len ? n : t->path_len;
  while (common < limit && t->path_keys[common] == keys[n - 1 - common]) common++;
  return common;
}

uint32_t pd_tree_insert(pd_tree *t, const uint32_t *keys, uint32_t n) {
  uint32_t common = S_path_common(t, keys, n);
  uint32_t node = common ? t->path_nodes[common - 1] : 0;
  for (uint32_t i = common; i < n; i++) {
    uint32_t k = keys[n - 1 - i];
    node = pd_tree_child(t, node, k);
    t->path_keys[i] = k;
    t->path_nodes[i] = node;
  }
  t->path_len = n;
  return node;
}

uint32_t pd_tree_flow(pd_tree *t, const uint32_t *keys, uint32_t n) {
  /* flamegraph.pl's flow(): the frames this stack shares with the last
   * one, from the root, go on; the rest are new, even where an earlier
   * stack had the same frame there */
  uint32_t common = S_path_common(t, keys, n);
  uint32_t node = common ? t->path_nodes[common - 1] : 0;
  for (uint32_t i = common; i < n; i++) {
    uint32_t k = keys[n - 1 - i];
    if (t->n == t->cap) S_grow_nodes(t, t->cap * 2);
    uint32_t id = t->n++;
    t->parent[id] = node;
    t->key[id] = k;
    S_zero_node(t, id);
    node = id;
    t->path_keys[i] = k;
    t->path_nodes[i] = node;
  }
  t->path_len = n;
  return node;
}

void pd_tree_kids_in_order(const pd_tree *t, pd_tree_kids *k) {
  k->start = pd_xcalloc((size_t)t->n + 1, sizeof *k->start);
  k->kids = pd_xmalloc(((size_t)t->n + 1) * sizeof *k->kids);
  for (uint32_t i = 1; i < t->n; i++) k->start[t->parent[i] + 1]++;
  for (uint32_t i = 0; i < t->n; i++) k->start[i + 1] += k->start[i];
  uint32_t *fill = pd_xmalloc(((size_t)t->n + 1) * sizeof *fill);
  memcpy(fill, k->start, (size_t)t->n * sizeof *fill);
  for (uint32_t i = 1; i < t->n; i++) k->kids[fill[t->parent[i]]++] = i;
  free(fill);
}

void pd_tree_sum(const pd_tree *t, int c, pd_val *out) {
  memcpy(out, t->col[c], t->n * sizeof(pd_val));
  for (uint32_t i = t->n - 1; i > 0; i--) out[t->parent[i]] += out[i];
}

void pd_tree_merge(pd_tree *dst, int dst_col, const pd_tree *src, int src_col) {
  /* src ids grow from parent to child, so mapping them in id order always
   * finds the parent already mapped */
  uint32_t *map = pd_xmalloc((size_t)src->n * sizeof *map);
  map[0] = 0;
  dst->col[dst_col][0] += src->col[src_col][0];
  for (uint32_t i = 1; i < src->n; i++) {
    map[i] = pd_tree_child(dst, map[src->parent[i]], src->key[i]);
    dst->col[dst_col][map[i]] += src->col[src_col][i];
  }
  free(map);
}

/* Names are ranked once (one sort of the distinct keys), so sorting each
 * node's children compares integers, not strings. */
static int S_by_name(const void *ctx, uint32_t a, uint32_t b) {
  return pd_intern_cmp(ctx, a, b);
}

static int S_cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

void pd_tree_kids_build(const pd_tree *t, const pd_intern *keys, pd_tree_kids *k) {
  uint32_t *rank = pd_xcalloc(keys->n + 1, sizeof *rank);
  uint32_t *used = pd_xmalloc(((size_t)t->n + 1) * sizeof *used), nused = 0;
  for (uint32_t i = 1; i < t->n; i++)
    if (!rank[t->key[i]]) {
      rank[t->key[i]] = 1;
      used[nused++] = t->key[i];
    }
  pd_sort_u32(used, nused, S_by_name, keys);
  for (uint32_t i = 0; i < nused; i++) rank[used[i]] = i;
  free(used);
  k->start = pd_xcalloc((size_t)t->n + 1, sizeof *k->start);
  k->kids = pd_xmalloc(((size_t)t->n + 1) * sizeof *k->kids);
  for (uint32_t i = 1; i < t->n; i++) k->start[t->parent[i] + 1]++;
  for (uint32_t i = 0; i < t->n; i++) k->start[i + 1] += k->start[i];
  /* (rank, node) pairs, grouped by parent, then each group sorted */
  uint64_t *pairs = pd_xmalloc(((size_t)t->n + 1) * sizeof *pairs);
  uint32_t *fill = pd_xmalloc(((size_t)t->n + 1) * sizeof *fill);
  memcpy(fill, k->start, (size_t)t->n * sizeof *fill);
  for (uint32_t i = 1; i < t->n; i++) pairs[fill[t->parent[i]]++] = ((uint64_t)rank[t->key[i]] << 32) | i;
  for (uint32_t i = 0; i < t->n; i++) {
    uint32_t a = k->start[i], b = k->start[i + 1];
    if (b - a > 1) qsort(pairs + a, b - a, sizeof *pairs, S_cmp_u64);
    for (uint32_t j = a; j < b; j++) k->kids[j] = (uint32_t)pairs[j];
  }
  free(pairs);
  free(fill);
  free(rank);
}

void pd_tree_kids_free(pd_tree_kids *k) {
  free(k->start);
  free(k->kids);
  k->start = k->kids = NULL;
}

void pd_tree_reverse(pd_tree *dst, const pd_tree *src) {
  /* a node's root-first path is its stack leaf first once reversed:
   * exactly what pd_tree_insert takes */
  uint32_t cap = 64, *path = pd_xmalloc(cap * sizeof *path);
  for (uint32_t i = 1; i < src->n; i++) {
    int any = 0;
    for (int c = 0; c < src->ncols && c < dst->ncols; c++) any |= src->col[c][i] != 0;
    if (!any) continue;
    uint32_t depth = 0;
    for (uint32_t v = i; v != 0; v = src->parent[v]) depth++;
    if (depth > cap) {
      while (depth > cap) cap *= 2;
      path = pd_xrealloc(path, cap * sizeof *path);
    }
    uint32_t d = depth;
    for (uint32_t v = i; v != 0; v = src->parent[v]) path[--d] = src->key[v];
    uint32_t node = pd_tree_insert(dst, path, depth);
    for (int c = 0; c < src->ncols && c < dst->ncols; c++) dst->col[c][node] += src->col[c][i];
  }
  for (int c = 0; c < src->ncols && c < dst->ncols; c++) dst->col[c][0] += src->col[c][0];
  free(path);
}
