/* fold.c: folded stacks ("a;b;c 42"), the format FlameGraph and inferno read.
 *
 * Depth-first over the tree with each node's children sorted by name, so the
 * output is deterministic and sorted the way stackcollapse tools sort. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../render/escape.h"

static const pd_intern *S_keys; /* qsort has no context argument in C11 */

static int S_by_name(const void *a, const void *b) {
  return pd_intern_cmp(S_keys, *(const uint32_t *)a, *(const uint32_t *)b);
}

void pd_report_folded(pd_buf *out, const pd_tree *t, const pd_intern *keys,
                      int self_col) {
  /* children of each node as a sorted array of (key, node) pairs: sort
   * keys, then map back through pd_tree_find */
  uint32_t *stack = pd_xmalloc((t->n + 1) * sizeof *stack);
  uint32_t *depth_len = pd_xmalloc((t->n + 1) * sizeof *depth_len);
  uint32_t *scratch = pd_xmalloc((t->n + 1) * sizeof *scratch);
  pd_buf path = PD_BUF_INIT;
  S_keys = keys;
  uint32_t sp = 0;
  stack[sp] = 0;
  depth_len[sp++] = 0;
  while (sp) {
    sp--;
    uint32_t node = stack[sp];
    pd_buf_truncate(&path, depth_len[sp]);
    if (node != 0) {
      if (path.len) pd_buf_putc(&path, ';');
      pd_esc_folded_frame(&path, pd_intern_str(keys, t->key[node]), pd_intern_len(keys, t->key[node]));
      double self = t->col[self_col][node];
      if (self != 0) {
        pd_buf_put(out, path.data, path.len);
        pd_buf_putc(out, ' ');
        pd_json_num(out, self);
        pd_buf_putc(out, '\n');
      }
    }
    /* push children in reverse name order so they pop in name order */
    uint32_t nc = 0;
    for (uint32_t c = t->child[node]; c != PD_NONE; c = t->sibling[c]) scratch[nc++] = t->key[c];
    qsort(scratch, nc, sizeof *scratch, S_by_name);
    for (uint32_t i = nc; i-- > 0;) {
      stack[sp] = pd_tree_find(t, node, scratch[i]);
      depth_len[sp++] = (uint32_t)path.len;
    }
  }
  pd_buf_free(&path);
  free(stack);
  free(depth_len);
  free(scratch);
}
