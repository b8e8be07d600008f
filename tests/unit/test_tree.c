/* test_tree.c: the call tree and key stacks. */
#include <stdlib.h>

#include "test.h"
#include "align/align.h"
#include "analyse/analyse.h"
#include "ingest/ingest.h"

PD_TEST(insert_shares_prefixes_and_sums) {
  pd_tree t;
  pd_tree_init(&t, 2, 4);
  const uint32_t a[] = {3, 2, 1}; /* leaf first: 1 -> 2 -> 3 */
  const uint32_t b[] = {4, 2, 1};
  const uint32_t c[] = {1};
  uint32_t la = pd_tree_insert(&t, a, 3);
  t.col[0][la] += 5;
  uint32_t lb = pd_tree_insert(&t, b, 3);
  t.col[0][lb] += 7;
  uint32_t lc = pd_tree_insert(&t, c, 1);
  t.col[0][lc] += 1;
  CHECK(t.n == 5); /* root, 1, 2, 3, 4 */
  CHECK(pd_tree_insert(&t, a, 3) == la);
  pd_val tot[8];
  pd_tree_sum(&t, 0, tot);
  CHECK(tot[0] == 13);
  CHECK(tot[lc] == 13);
  CHECK(tot[t.parent[la]] == 12);
  /* many nodes: the child table grows */
  for (uint32_t k = 10; k < 5000; k++) {
    uint32_t s[] = {k, 1};
    pd_tree_insert(&t, s, 2);
  }
  CHECK(t.n == 5 + 4990);
  CHECK(pd_tree_find(&t, lc, 4999) != PD_NONE);
  CHECK(pd_tree_find(&t, lc, 5001) == PD_NONE);
  pd_tree_free(&t);
}

PD_TEST(merge_aligns_by_key_path) {
  pd_tree x, y;
  pd_tree_init(&x, 2, 0);
  pd_tree_init(&y, 1, 0);
  const uint32_t s1[] = {3, 2, 1}, s2[] = {5, 1};
  x.col[0][pd_tree_insert(&x, s1, 3)] = 10;
  y.col[0][pd_tree_insert(&y, s2, 2)] = 4;
  y.col[0][pd_tree_insert(&y, s1, 3)] = 6;
  pd_tree_merge(&x, 1, &y, 0);
  uint32_t n1 = pd_tree_find(&x, 0, 1), n2 = pd_tree_find(&x, n1, 2), n3 = pd_tree_find(&x, n2, 3);
  CHECK(n3 != PD_NONE && x.col[0][n3] == 10 && x.col[1][n3] == 6);
  uint32_t n5 = pd_tree_find(&x, n1, 5);
  CHECK(n5 != PD_NONE && x.col[0][n5] == 0 && x.col[1][n5] == 4);
  pd_tree_free(&x);
  pd_tree_free(&y);
}

/* A naive tree (children found by scanning every node) to check pd_tree's
 * hashing (tagged slots, a table three quarters full) and its growth
 * against. */
typedef struct {
  uint32_t n, parent[20000], key[20000];
} S_model;

static uint32_t S_model_child(S_model *m, uint32_t parent, uint32_t key) {
  for (uint32_t i = 1; i < m->n; i++)
    if (m->parent[i] == parent && m->key[i] == key) return i;
  m->parent[m->n] = parent;
  m->key[m->n] = key;
  return m->n++;
}

PD_TEST(insert_matches_a_naive_tree) {
  static S_model m;
  m.n = 1;
  pd_tree t;
  pd_tree_init(&t, 1, 0); /* the smallest table: it grows many times */
  uint64_t x = 88172645463325252ull;
  uint32_t stack[200];
  int bad = 0;
  for (int s = 0; s < 1500 && m.n < 19000; s++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    /* short stacks over few keys (shared prefixes, re-entered nodes), now
     * and then a deep one */
    uint32_t n = s % 97 == 0 ? 150 : 1 + (uint32_t)(x % 12);
    for (uint32_t i = 0; i < n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      stack[i] = 1 + (uint32_t)(x % (i >= n / 2 ? 4 : 40)); /* few at the root */
    }
    uint32_t leaf = pd_tree_insert(&t, stack, n);
    t.col[0][leaf] += 1;
    /* the same path, found again node by node and in the model */
    uint32_t node = 0, mnode = 0;
    for (uint32_t i = n; i-- > 0;) {
      node = pd_tree_find(&t, node, stack[i]);
      mnode = S_model_child(&m, mnode, stack[i]);
      if (node == PD_NONE) break;
    }
    bad += node != leaf;
    bad += t.n != m.n;
  }
  CHECK_MSG(bad == 0, "%d inserts disagree with the naive tree", bad);
  CHECK(t.n == m.n);
  int wrong = 0;
  for (uint32_t i = 1; i < t.n; i++) wrong += pd_tree_find(&t, t.parent[i], t.key[i]) != i;
  CHECK_MSG(wrong == 0, "%d nodes not found under their parent", wrong);
  /* the same through pd_tree_child, which must find and not make them */
  for (uint32_t i = 1; i < t.n; i++) wrong += pd_tree_child(&t, t.parent[i], t.key[i]) != i;
  CHECK(wrong == 0 && t.n == m.n);
  pd_tree_free(&t);
}

static int S_load(const char *path, double fraction, int tree_only, pd_intern *keys, pd_snapshot *s) {
  pd_reduce_opts ro = {NULL, 1, fraction, NULL, tree_only};
  return pd_test_reduce_file(path, &ro, keys, s);
}

/* A pruned tree, however it was built (one pass and a cut, or a second
 * pass over heavy functions only), must be the whole tree cut by hand:
 * nodes whose total reaches the threshold under kept ancestors, with the
 * rest of the value in the nearest kept ancestor's own value and cut. */
static void S_check_pruned(const char *path, double fraction) {
  pd_intern keys;
  pd_intern_init(&keys, 1024);
  pd_snapshot whole, cut;
  if (S_load(path, 0, 1, &keys, &whole) != PD_OK) {
    pd_intern_free(&keys);
    return;
  }
  if (S_load(path, fraction, 1, &keys, &cut) == PD_OK) {
    const pd_tree *w = &whole.tree;
    double min = fraction * whole.total;
    pd_val *tot = malloc(w->n * sizeof *tot), *self = calloc(w->n, sizeof *self), *lost = calloc(w->n, sizeof *lost);
    uint32_t *near = malloc(w->n * sizeof *near), *at = malloc(w->n * sizeof *at);
    pd_tree_sum(w, PD_COL_SELF, tot);
    near[0] = 0;
    at[0] = 0;
    uint32_t kept = 1;
    int missing = 0, differ = 0;
    self[0] = w->col[PD_COL_SELF][0];
    for (uint32_t i = 1; i < w->n; i++) {
      uint32_t a = near[w->parent[i]];
      if (a == w->parent[i] && fabsl(tot[i]) >= min) {
        near[i] = i;
        kept++;
        self[i] += w->col[PD_COL_SELF][i];
        at[i] = at[a] == PD_NONE ? PD_NONE : pd_tree_find(&cut.tree, at[a], w->key[i]);
        missing += at[i] == PD_NONE;
      } else {
        near[i] = a;
        self[a] += w->col[PD_COL_SELF][i];
        lost[a] += w->col[PD_COL_SELF][i];
      }
    }
    for (uint32_t i = 0; i < w->n; i++) {
      if (near[i] != i || at[i] == PD_NONE) continue;
      double tol = 1e-9 * (fabs((double)whole.total) + 1);
      if (fabsl(cut.tree.col[PD_COL_SELF][at[i]] - self[i]) > tol ||
          fabsl(cut.tree.col[PD_COL_CUT][at[i]] - lost[i]) > tol)
        differ++;
    }
    CHECK_MSG(missing == 0 && differ == 0 && cut.tree.n == kept,
              "%s at %g: %u nodes, expected %u; %d missing, %d with other values", path, fraction,
              cut.tree.n, kept, missing, differ);
    CHECK(cut.total == whole.total);
    free(tot);
    free(self);
    free(lost);
    free(near);
    free(at);
    pd_snapshot_free(&cut);
  }
  pd_snapshot_free(&whole);
  pd_intern_free(&keys);
}

PD_TEST(pruned_trees_equal_the_whole_tree_cut) {
  /* 2e-5 is built in one pass, 1e-4 and 1e-2 in two (reduce.c): the sample
   * at all three, the large real profiles at one each (the suite also runs
   * under valgrind) */
  static const double fractions[] = {2e-5, 1e-4, 1e-2};
  const char *paths[] = {"samples/leak/snapshots/heap-029-2026-11-22T19:07:53Z.pb.gz",
                         "pprof/pprof-large.cpu.pb.gz", "pprof/go-heap-large-1.pb.gz",
                         "folded/inferno-base-flames.txt",
                         "folded/inferno-multiple-inputs-perf-vertx-stacks-01-collapsed-all-unsorted-1.txt"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    const char *path = i == 0 ? pd_test_repo(paths[i]) : pd_test_data(paths[i]);
    if (!path) continue;
    if (i == 0)
      for (size_t f = 0; f < sizeof fractions / sizeof fractions[0]; f++) S_check_pruned(path, fractions[f]);
    else
      S_check_pruned(path, fractions[i % 2]);
  }
}

static const pd_test_case S_cases[] = {
    {"pruned_trees_equal_the_whole_tree_cut", pruned_trees_equal_the_whole_tree_cut},
    {"insert_matches_a_naive_tree", insert_matches_a_naive_tree},
    {"insert_shares_prefixes_and_sums", insert_shares_prefixes_and_sums},
    {"merge_aligns_by_key_path", merge_aligns_by_key_path},
    {NULL, NULL}};
const pd_test_suite pd_suite_tree = {"tree", S_cases};
