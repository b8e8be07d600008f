/* top.c: which keys `top` shows, in which order, as `go tool pprof -top`.
 *
 * pprof builds its graph, drops nodes whose |cum| is below nodefraction of
 * the sum of flat values (internal/report newTrimmedGraph), sorts by |flat|
 * (or |cum|), then name, then the other value, and keeps nodecount rows.
 * The values of the rows do not change when others are dropped.
 */
#include "analyse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const pd_intern *keys;
  int by_cum;
} S_sort_ctx;

static S_sort_ctx S_ctx; /* qsort has no context argument in C11 */

static int S_cmp(const void *va, const void *vb) {
  const pd_top_row *a = va, *b = vb;
  pd_val a1 = fabsl(S_ctx.by_cum ? a->cum : a->flat), b1 = fabsl(S_ctx.by_cum ? b->cum : b->flat);
  if (a1 != b1) return a1 > b1 ? -1 : 1;
  /* the names as shown, then the other value, then the whole keys (pprof's
   * compareNodes: rows of one name, a file's functions, by start line) */
  uint32_t an = pd_key_len(S_ctx.keys, a->key), bn = pd_key_len(S_ctx.keys, b->key);
  int c = memcmp(pd_intern_str(S_ctx.keys, a->key), pd_intern_str(S_ctx.keys, b->key), an < bn ? an : bn);
  if (c || an != bn) return c ? c : an < bn ? -1 : 1;
  pd_val a2 = fabsl(S_ctx.by_cum ? a->flat : a->cum), b2 = fabsl(S_ctx.by_cum ? b->flat : b->cum);
  if (a2 != b2) return a2 > b2 ? -1 : 1;
  c = pd_intern_cmp(S_ctx.keys, a->key, b->key);
  if (c) return c;
  return a->key < b->key ? -1 : a->key > b->key;
}

void pd_top_build(const pd_snapshot *s, const pd_intern *keys,
                  double nodefraction, uint32_t nodecount, int by_cum,
                  pd_top *out) {
  memset(out, 0, sizeof *out);
  const pd_functotals *f = &s->ft;
  pd_val flat_sum = 0;
  uint32_t nnodes = 0;
  for (uint32_t k = 0; k < f->n; k++) {
    if (f->k[k].cum == 0 && f->flat[k] == 0) continue; /* pprof's selectNodesForGraph */
    flat_sum += f->flat[k];
    nnodes++;
  }
  /* pprof truncates the cutoff to an integer: abs64(int64(total*fraction)) */
  double node_cutoff = fabs(trunc((double)flat_sum * nodefraction));
  out->cutoff = fabs(trunc((double)s->total * nodefraction));
  out->rows = pd_xmalloc((nnodes ? nnodes : 1) * sizeof *out->rows);
  for (uint32_t k = 0; k < f->n; k++) {
    if (f->k[k].cum == 0 && f->flat[k] == 0) continue;
    if (fabsl(f->k[k].cum) < node_cutoff) {
      out->dropped++;
      continue;
    }
    out->rows[out->n++] = (pd_top_row){k, f->flat[k], f->k[k].cum};
  }
  out->nnodes = nnodes;
  out->flat_sum = flat_sum;
  out->kept = out->n;
  S_ctx.keys = keys;
  S_ctx.by_cum = by_cum;
  qsort(out->rows, out->n, sizeof *out->rows, S_cmp);
  if (nodecount > 0 && out->n > nodecount) out->n = nodecount;
  for (uint32_t i = 0; i < out->n; i++) out->shown_flat += out->rows[i].flat;
}

int pd_top_marks(pd_top *t, pd_topgraph *g, uint32_t nkeys, pd_err *err) {
  /* newTrimmedGraph rebuilds the graph on the nodes kept when nodefraction
   * dropped some, and again on the first nodecount when those are fewer:
   * a call into a kept node then comes from its nearest kept caller */
  uint8_t *kept = NULL;
  if (t->dropped > 0 || t->n < t->kept) {
    kept = pd_xmalloc(nkeys ? nkeys : 1);
    memset(kept, 0, nkeys ? nkeys : 1);
    for (uint32_t i = 0; i < t->n; i++)
      if (t->rows[i].key < nkeys) kept[t->rows[i].key] = 1;
  }
  free(t->marks);
  t->marks = pd_xmalloc(nkeys ? nkeys : 1);
  t->nmarks = nkeys;
  /* pprof's default edgefraction, cut to an integer as nodefraction */
  int rc = pd_topgraph_marks(g, kept, nkeys, fabs(trunc(t->flat_sum * 0.001)), t->marks, err);
  free(kept);
  return rc;
}

void pd_top_free(pd_top *t) {
  free(t->marks);
  free(t->rows);
  memset(t, 0, sizeof *t);
}
