/* fold.c: folded stacks ("a;b;c 42"), the format FlameGraph and inferno read.
 *
 * Depth-first over the tree with each node's children in name order
 * (pd_tree_kids), so the output is deterministic and sorted the way
 * stackcollapse tools sort. */
#include "report.h"

#include <stdlib.h>

#include "../escape/escape.h"

void pd_report_folded(pd_buf *out, const pd_tree *t, const pd_intern *keys,
                      int self_col) {
  pd_tree_kids k;
  pd_tree_kids_build(t, keys, &k);
  uint32_t *stack = pd_xmalloc((t->n + 1) * sizeof *stack);
  uint32_t *depth_len = pd_xmalloc((t->n + 1) * sizeof *depth_len);
  pd_buf path = PD_BUF_INIT;
  uint32_t sp = 0;
  stack[sp] = 0;
  depth_len[sp++] = 0;
  while (sp) {
    sp--;
    uint32_t node = stack[sp];
    pd_buf_truncate(&path, depth_len[sp]);
    if (node != 0) {
      if (path.len) pd_buf_putc(&path, ';');
      pd_esc_folded_frame(&path, pd_intern_str(keys, t->key[node]), pd_key_len(keys, t->key[node]));
      pd_val self = t->col[self_col][node];
      if (self != 0) {
        pd_buf_put(out, path.data, path.len);
        pd_buf_putc(out, ' ');
        pd_json_num(out, self);
        pd_buf_putc(out, '\n');
      }
    }
    /* push children in reverse name order so they pop in name order */
    for (uint32_t i = k.start[node + 1]; i-- > k.start[node];) {
      stack[sp] = k.kids[i];
      depth_len[sp++] = (uint32_t)path.len;
    }
  }
  pd_buf_free(&path);
  free(stack);
  free(depth_len);
  pd_tree_kids_free(&k);
}
