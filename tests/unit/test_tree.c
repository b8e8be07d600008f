/* test_tree.c: the call tree and key stacks. */
#include "test.h"
#include "align/align.h"

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
  double tot[8];
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

static const pd_test_case S_cases[] = {
    {"insert_shares_prefixes_and_sums", insert_shares_prefixes_and_sums},
    {"merge_aligns_by_key_path", merge_aligns_by_key_path},
    {NULL, NULL}};
const pd_test_suite pd_suite_tree = {"tree", S_cases};
