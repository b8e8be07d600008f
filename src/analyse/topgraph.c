/* topgraph.c: what `top` reads of pprof's graph beyond flat and cum.
 *
 * Two things. The "(inline)" and "(partial-inline)" marks: pprof's graph
 * has an edge into a node for every caller, inline when the call was
 * inlined (the callee is a line of a location but its last), and
 * internal/report's TextItems marks a node whose in-edges are all inline,
 * or some. And --base: pprof negates the base's samples and merges them
 * into FILE's (profile.Merge: one sample per identity, the same locations
 * and labels, values summed), so a stack in both counts |head - base| once
 * in the total, and a sample that sums to zero adds no edge. Both need the
 * samples again, so top keeps its profiles until its table is chosen.
 */
#include "analyse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  pd_topgraph *g;
  uint32_t input;
  uint32_t sample; /* index of the next sample in the input */
  int pass;        /* S_PASS_* */
  pd_err *err;
  /* merging */
  uint64_t (*loc_digest)[2];
  pd_buf key;
  uint32_t *order; /* scratch: labels sorted */
  uint32_t order_cap;
  /* marks */
  const uint8_t *kept;
  uint32_t *keys; /* copy of the expanded stack */
  uint32_t keys_cap;
  uint32_t stamp;
} S_walk;

enum { S_PASS_MERGE, S_PASS_TOTAL, S_PASS_EDGES };

static uint64_t S_key[2];

static void S_put_str(pd_buf *b, const pd_profile *p, uint32_t id) {
  uint32_t n = pd_profile_str_len(p, id);
  pd_buf_put(b, &n, sizeof n);
  pd_buf_put(b, pd_profile_str(p, id), n);
}

static void S_put_u64(pd_buf *b, uint64_t v) { pd_buf_put(b, &v, sizeof v); }

/* A location's identity as profile.Merge keys it (locationKey with its
 * mapping's and functions' keys): the address within the mapping, the
 * mapping's size (rounded to 4 KiB), offset and build id or file, and
 * each line's function (name, system name, file, start line) and line. */
static void S_digest_locations(const pd_profile *p, uint64_t (*out)[2]) {
  pd_buf b = PD_BUF_INIT;
  uint64_t k2[2] = {S_key[0] ^ 0x9e3779b97f4a7c15ULL, S_key[1] + 1};
  for (uint32_t li = 0; li < p->nlocations; li++) {
    const pd_location *l = &p->locations[li];
    pd_buf_truncate(&b, 0);
    if (l->mapping != PD_NONE && l->mapping < p->nmappings) {
      const pd_mapping *m = &p->mappings[l->mapping];
      uint64_t size = m->limit - m->start;
      size = size + 0xfff;
      size -= size % 0x1000;
      S_put_u64(&b, l->address - m->start);
      S_put_u64(&b, size);
      S_put_u64(&b, m->offset);
      S_put_str(&b, p, pd_profile_str_len(p, m->build_id) ? m->build_id : m->filename);
    } else {
      S_put_u64(&b, l->address);
      pd_buf_putc(&b, 'n');
    }
    for (uint32_t i = 0; i < l->nlines; i++) {
      const pd_line *ln = &p->lines[l->first_line + i];
      if (ln->function != PD_NONE && ln->function < p->nfunctions) {
        const pd_function *f = &p->functions[ln->function];
        pd_buf_putc(&b, 'f');
        S_put_str(&b, p, f->name);
        S_put_str(&b, p, f->system_name);
        S_put_str(&b, p, f->filename);
        S_put_u64(&b, (uint64_t)f->start_line);
      } else {
        pd_buf_putc(&b, '-');
      }
      S_put_u64(&b, (uint64_t)ln->line);
    }
    out[li][0] = pd_hash_keyed(b.data ? b.data : "", b.len, S_key);
    out[li][1] = pd_hash_keyed(b.data ? b.data : "", b.len, k2);
  }
  pd_buf_free(&b);
}

/* label a sorts before b: string labels first, each kind by key, then in
 * file order (pprof keeps one key's values in order) */
static int S_label_before(const pd_profile *p, const pd_label *a, uint32_t ia, const pd_label *b, uint32_t ib) {
  int na = a->str == 0, nb = b->str == 0;
  if (na != nb) return na < nb;
  uint32_t la = pd_profile_str_len(p, a->key), lb = pd_profile_str_len(p, b->key);
  int c = memcmp(pd_profile_str(p, a->key), pd_profile_str(p, b->key), la < lb ? la : lb);
  if (c || la != lb) return c ? c < 0 : la < lb;
  return ia < ib;
}

/* The merged sample a sample belongs to: its locations' identities and
 * its labels (sampleKey), hashed twice (128 bits) under the secret key. */
static uint32_t S_merge_sample(S_walk *w, uint32_t sample, const uint32_t *locs, uint32_t nlocs,
                               const pd_label *labels, uint32_t nlabels) {
  pd_topgraph *g = w->g;
  const pd_profile *p = g->in[w->input].p;
  pd_buf *b = &w->key;
  pd_buf_truncate(b, 0);
  for (uint32_t i = 0; i < nlocs; i++) pd_buf_put(b, w->loc_digest[locs[i]], 16);
  pd_buf_putc(b, 0);
  if (nlabels > w->order_cap) {
    w->order_cap = nlabels * 2;
    w->order = pd_xrealloc(w->order, w->order_cap * sizeof *w->order);
  }
  for (uint32_t i = 0; i < nlabels; i++) { /* insertion sort: a few labels */
    uint32_t j = i;
    while (j > 0 && S_label_before(p, &labels[i], i, &labels[w->order[j - 1]], w->order[j - 1])) {
      w->order[j] = w->order[j - 1];
      j--;
    }
    w->order[j] = i;
  }
  for (uint32_t i = 0; i < nlabels; i++) {
    const pd_label *l = &labels[w->order[i]];
    pd_buf_putc(b, l->str ? 's' : 'n');
    S_put_str(b, p, l->key);
    if (l->str) {
      S_put_str(b, p, l->str);
    } else {
      S_put_u64(b, (uint64_t)l->num);
      S_put_str(b, p, l->unit);
    }
  }
  uint64_t k2[2] = {S_key[0] ^ 0x9e3779b97f4a7c15ULL, S_key[1] + 1};
  uint64_t h1 = pd_hash_keyed(b->data, b->len, S_key), h2 = pd_hash_keyed(b->data, b->len, k2);
  /* h1 picks the slot, h2 confirms: another sample with the same h1 moves on */
  for (uint64_t probe = h1;; probe++) {
    uint32_t e = pd_idmap_get(&g->ids, probe);
    if (e == UINT32_MAX) {
      if (g->nmerged == g->capmerged) {
        g->capmerged = g->capmerged ? g->capmerged * 2 : 1024;
        g->value = pd_xrealloc(g->value, g->capmerged * sizeof *g->value);
        g->rep = pd_xrealloc(g->rep, g->capmerged * sizeof *g->rep);
        g->check = pd_xrealloc(g->check, g->capmerged * sizeof *g->check);
      }
      e = g->nmerged++;
      g->value[e] = 0;
      g->rep[e] = (uint64_t)w->input << 32 | sample;
      g->check[e] = h2;
      pd_idmap_put(&g->ids, probe, e);
      return e;
    }
    if (g->check[e] == h2) return e;
  }
}

static void S_edge(S_walk *w, uint32_t parent, uint32_t child, int inl, double value) {
  pd_topgraph *g = w->g;
  uint64_t k = (uint64_t)parent << 32 | child;
  uint32_t e = pd_idmap_get(&g->edge_ids, k);
  if (e == UINT32_MAX) {
    if (g->nedges == g->capedges) {
      g->capedges = g->capedges ? g->capedges * 2 : 1024;
      g->edges = pd_xrealloc(g->edges, g->capedges * sizeof *g->edges);
    }
    e = g->nedges++;
    g->edges[e] = (pd_graph_edge){parent, child, 0, w->stamp, (uint8_t)inl};
    pd_idmap_put(&g->edge_ids, k, e);
  } else {
    pd_graph_edge *ed = &g->edges[e];
    /* seenEdge: a pair counts once a sample, as it first came from the root */
    if (ed->stamp == w->stamp) return;
    ed->stamp = w->stamp;
    if (!inl) ed->inline_only = 0;
  }
  g->edges[e].weight += value;
}

/* pprof's newGraph for one sample: from the root, each kept frame is a
 * node, and the node before it (nodes not kept skipped) calls it. */
static int S_edges(S_walk *w, pd_stacks *st, const uint32_t *locs, uint32_t nlocs, double value) {
  const uint32_t *keys, *inl;
  int32_t n = pd_stacks_expand(st, locs, nlocs, &keys);
  if (n == PD_STACK_TOO_DEEP) return pd_stacks_too_deep(st, w->err);
  if (n <= 0) return PD_OK;
  if ((uint32_t)n > w->keys_cap) {
    w->keys_cap = (uint32_t)n * 2;
    w->keys = pd_xrealloc(w->keys, w->keys_cap * sizeof *w->keys);
  }
  memcpy(w->keys, keys, (size_t)n * sizeof *keys);
  pd_stacks_expand_inline(st, locs, nlocs, &inl);
  if (++w->stamp == 0) { /* wrapped: no edge may look seen */
    for (uint32_t e = 0; e < w->g->nedges; e++) w->g->edges[e].stamp = 0;
    w->stamp = 1;
  }
  uint32_t parent = PD_NONE;
  for (int32_t i = n - 1; i >= 0; i--) {
    uint32_t k = w->keys[i];
    if (w->kept && !w->kept[k]) continue;
    if (parent != PD_NONE && k != parent) S_edge(w, parent, k, (int)inl[i], value);
    parent = k;
  }
  return PD_OK;
}

static int S_sample(void *vctx, const uint32_t *locs, uint32_t nlocs, const pd_val *values, const pd_label *labels,
                    uint32_t nlabels) {
  S_walk *w = vctx;
  pd_topgraph *g = w->g;
  const pd_graph_input *in = &g->in[w->input];
  uint32_t j = w->sample++;
  double v = in->sign * values[in->index];
  if (w->pass == S_PASS_MERGE) {
    uint32_t e = S_merge_sample(w, j, locs, nlocs, labels, nlabels);
    g->entry[w->input][j] = e;
    g->value[e] += v;
    return PD_OK;
  }
  if (g->merged) {
    uint32_t e = g->entry[w->input][j];
    if (g->rep[e] != ((uint64_t)w->input << 32 | j)) return PD_OK; /* counted with its first */
    v = g->value[e];
  }
  pd_stacks *st = &g->stacks[w->input];
  int keep = pd_view_tags_keep(g->v, in->p, labels, nlabels);
  if (w->pass == S_PASS_TOTAL) {
    g->total_all += fabs(v);
    const uint32_t *keys;
    int32_t n = keep ? pd_stacks_expand(st, locs, nlocs, &keys) : -1;
    if (n == PD_STACK_TOO_DEEP) return pd_stacks_too_deep(st, w->err);
    if (n >= 0) g->total += fabs(v);
    return PD_OK;
  }
  if (v == 0 || !keep) return PD_OK; /* pprof's graph skips zero samples */
  return S_edges(w, st, locs, nlocs, v);
}

static int S_pass(pd_topgraph *g, S_walk *w, int pass) {
  w->pass = pass;
  for (uint32_t i = 0; i < g->nin; i++) {
    const pd_profile *p = g->in[i].p;
    w->input = i;
    w->sample = 0;
    if (pass == S_PASS_MERGE) {
      w->loc_digest = pd_xmalloc(((size_t)p->nlocations + 1) * sizeof *w->loc_digest);
      S_digest_locations(p, w->loc_digest);
    }
    int rc = pd_profile_samples_labeled(p, 0, p->nsamples, S_sample, w, w->err);
    free(w->loc_digest);
    w->loc_digest = NULL;
    if (rc != PD_OK) return rc;
  }
  return PD_OK;
}

static void S_walk_free(S_walk *w) {
  pd_buf_free(&w->key);
  free(w->order);
  free(w->keys);
}

int pd_topgraph_init(pd_topgraph *g, const pd_graph_input *in, uint32_t nin, const pd_view *v, pd_intern *keys,
                     int merge, pd_err *err) {
  memset(g, 0, sizeof *g);
  if (!S_key[0] && !S_key[1]) pd_hash_secret_key(S_key);
  g->in = pd_xmalloc(nin * sizeof *g->in);
  memcpy(g->in, in, nin * sizeof *in);
  g->nin = nin;
  g->v = v;
  g->merged = merge;
  g->stacks = pd_xmalloc(nin * sizeof *g->stacks);
  pd_idmap_init(&g->edge_ids, 1024);
  for (uint32_t i = 0; i < nin; i++) {
    if (pd_stacks_init(&g->stacks[i], in[i].p, v, keys, err) != PD_OK) {
      g->nin = i; /* the ones made */
      pd_topgraph_free(g);
      return PD_ERR;
    }
  }
  if (!merge) return PD_OK;
  size_t nsamples = 0;
  g->entry = pd_xmalloc(nin * sizeof *g->entry);
  for (uint32_t i = 0; i < nin; i++) {
    g->entry[i] = pd_xmalloc(((size_t)in[i].p->nsamples + 1) * sizeof **g->entry);
    nsamples += in[i].p->nsamples;
  }
  pd_idmap_init(&g->ids, nsamples);
  S_walk w;
  memset(&w, 0, sizeof w);
  w.g = g;
  w.err = err;
  int rc = S_pass(g, &w, S_PASS_MERGE);
  if (rc == PD_OK) rc = S_pass(g, &w, S_PASS_TOTAL);
  S_walk_free(&w);
  if (rc != PD_OK) pd_topgraph_free(g);
  return rc;
}

int pd_topgraph_marks(pd_topgraph *g, const uint8_t *kept, uint32_t nkeys, double edge_cutoff, uint8_t *marks,
                      pd_err *err) {
  S_walk w;
  memset(&w, 0, sizeof w);
  w.g = g;
  w.err = err;
  w.kept = kept;
  g->nedges = 0;
  pd_idmap_free(&g->edge_ids);
  pd_idmap_init(&g->edge_ids, 1024);
  int rc = S_pass(g, &w, S_PASS_EDGES);
  S_walk_free(&w);
  if (rc != PD_OK) return rc;
  memset(marks, 0, nkeys);
  /* TrimLowFrequencyEdges, which the text report runs last */
  for (uint32_t e = 0; e < g->nedges; e++) {
    const pd_graph_edge *ed = &g->edges[e];
    if (fabs(ed->weight) < edge_cutoff || ed->child >= nkeys) continue;
    marks[ed->child] |= ed->inline_only ? PD_MARK_INLINE : PD_MARK_CALL;
  }
  return PD_OK;
}

const char *pd_mark_label(uint8_t mark) {
  if (mark & PD_MARK_INLINE) return mark & PD_MARK_CALL ? "(partial-inline)" : "(inline)";
  return NULL;
}

void pd_topgraph_free(pd_topgraph *g) {
  for (uint32_t i = 0; i < g->nin; i++) pd_stacks_free(&g->stacks[i]);
  free(g->stacks);
  if (g->entry)
    for (uint32_t i = 0; i < g->nin; i++) free(g->entry[i]);
  free(g->entry);
  free(g->in);
  free(g->value);
  free(g->rep);
  free(g->check);
  free(g->edges);
  if (g->merged) pd_idmap_free(&g->ids);
  pd_idmap_free(&g->edge_ids);
  memset(g, 0, sizeof *g);
}
