/* tags.c: per-label totals of one profile, as `go tool pprof -tags`
 * computes them (internal/report printTags): every label of every kept
 * sample adds the sample's value to its (key, value) pair; numeric values
 * are named by their scaled label ("1.50kB"), so pairs with the same label
 * merge. Keys sort by name; values by |total| descending, then by name.
 */
#include "analyse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint32_t key, value;
  double total;
} S_pair;

typedef struct {
  const pd_view *v;
  pd_stacks *stacks;
  pd_tagtotals *t;
  int index;
  const char *label_unit;
  pd_idmap pairs; /* key << 32 | value -> index in vec */
  pd_vec vec;     /* S_pair */
  pd_buf name;
  /* --tagshow / --taghide per label key string id (0 unknown, 1 shown, 2 hidden) */
  uint8_t *shown;
  pd_err *err; /* the walk's */
} S_ctx;

static int S_sample(void *vctx, const uint32_t *locs, uint32_t nlocs, const pd_val *values,
                    const pd_label *l, uint32_t nl) {
  S_ctx *c = vctx;
  const pd_profile *p = c->stacks->p;
  c->t->nsamples++;
  if (c->v->has_tagfocus && pd_tagfilter_match(&c->v->tagfocus, p, l, nl)) c->t->ntagfocus++;
  if (c->v->has_tagignore && pd_tagfilter_match(&c->v->tagignore, p, l, nl)) c->t->ntagignore++;
  if (!pd_view_tags_keep(c->v, p, l, nl)) return PD_OK;
  const uint32_t *keys;
  int32_t n = pd_stacks_expand(c->stacks, locs, nlocs, &keys);
  if (n == PD_STACK_TOO_DEEP) return pd_stacks_too_deep(c->stacks, c->err);
  if (n < 0) return PD_OK;
  double v = values[c->index];
  for (uint32_t i = 0; i < nl; i++) {
    uint8_t *sh = &c->shown[l[i].key];
    if (!*sh) *sh = pd_view_tag_shown(c->v, pd_profile_str(p, l[i].key)) ? 1 : 2;
    if (*sh == 2) continue;
    uint32_t kid = pd_intern_put(&c->t->names, pd_profile_str(p, l[i].key), pd_profile_str_len(p, l[i].key)), vid;
    if (l[i].str) {
      vid = pd_intern_put(&c->t->names, pd_profile_str(p, l[i].str), pd_profile_str_len(p, l[i].str));
    } else {
      char buf[96];
      pd_unit_label((double)l[i].num, pd_profile_num_unit(p, l[i].key), c->label_unit, buf, sizeof buf);
      vid = pd_intern_put(&c->t->names, buf, strlen(buf));
    }
    uint64_t k = (uint64_t)kid << 32 | vid;
    uint32_t at = pd_idmap_get(&c->pairs, k);
    if (at == PD_NONE) {
      at = (uint32_t)c->vec.n;
      pd_idmap_put(&c->pairs, k, at);
      S_pair *np = pd_vec_push(&c->vec);
      np->key = kid;
      np->value = vid;
    }
    ((S_pair *)c->vec.items)[at].total += v;
  }
  return PD_OK;
}

static int S_cmp_key(const void *ctx, uint32_t a, uint32_t b) {
  const pd_tagtotals *t = ctx;
  return pd_intern_cmp(&t->names, t->keys[a].name, t->keys[b].name);
}

typedef struct {
  const pd_tagtotals *t;
  const pd_tagvalue *vals;
} S_vctx;

static int S_cmp_value(const void *ctx, uint32_t a, uint32_t b) {
  const S_vctx *c = ctx;
  double x = fabs(c->vals[a].total), y = fabs(c->vals[b].total);
  if (x != y) return x > y ? -1 : 1;
  return pd_intern_cmp(&c->t->names, c->vals[a].name, c->vals[b].name);
}

int pd_tagtotals_build(pd_profile *p, const pd_view *v, pd_intern *keys, const char *sample_index,
                       const char *label_unit, pd_tagtotals *t, pd_err *err) {
  memset(t, 0, sizeof *t);
  pd_intern_init(&t->names, 64);
  int index;
  if (pd_profile_sample_index(p, sample_index, &index, err) != PD_OK) return PD_ERR;
  t->sample_type = pd_xstrdup(pd_profile_str(p, p->types[index].type));
  t->unit = pd_xstrdup(pd_profile_str(p, p->types[index].unit));
  pd_stacks stacks;
  if (pd_stacks_init(&stacks, p, v, keys, err) != PD_OK) return PD_ERR;
  S_ctx c = {v, &stacks, t, index, label_unit ? label_unit : "minimum"};
  c.err = err;
  pd_idmap_init(&c.pairs, 64);
  pd_vec_init(&c.vec, sizeof(S_pair));
  c.shown = pd_xmalloc(p->nstr + 1);
  memset(c.shown, 0, p->nstr + 1);
  int rc = pd_profile_samples_labeled(p, 0, p->nsamples, S_sample, &c, err);
  pd_stacks_free(&stacks);
  if (rc == PD_OK) {
    /* group the pairs by key (first seen order), then sort */
    uint32_t nkeys_max = t->names.n;
    uint32_t *slot = pd_xmalloc((nkeys_max + 1) * sizeof *slot);
    memset(slot, 0xff, (nkeys_max + 1) * sizeof *slot);
    const S_pair *pr = c.vec.items;
    t->keys = pd_xmalloc((c.vec.n + 1) * sizeof *t->keys);
    for (size_t i = 0; i < c.vec.n; i++) {
      if (slot[pr[i].key] == PD_NONE) {
        slot[pr[i].key] = t->nkeys;
        memset(&t->keys[t->nkeys], 0, sizeof t->keys[0]);
        t->keys[t->nkeys++].name = pr[i].key;
      }
      t->keys[slot[pr[i].key]].nvalues++;
    }
    for (uint32_t k = 0; k < t->nkeys; k++) {
      t->keys[k].values = pd_xmalloc(t->keys[k].nvalues * sizeof(pd_tagvalue));
      t->keys[k].nvalues = 0;
    }
    for (size_t i = 0; i < c.vec.n; i++) {
      pd_tagkey *k = &t->keys[slot[pr[i].key]];
      k->values[k->nvalues++] = (pd_tagvalue){pr[i].value, pr[i].total};
      k->total += pr[i].total;
    }
    free(slot);
    /* sort keys by name, each key's values as pprof */
    uint32_t *order = pd_xmalloc((t->nkeys + 1) * sizeof *order);
    for (uint32_t k = 0; k < t->nkeys; k++) order[k] = k;
    pd_sort_u32(order, t->nkeys, S_cmp_key, t);
    pd_tagkey *sorted = pd_xmalloc((t->nkeys + 1) * sizeof *sorted);
    for (uint32_t k = 0; k < t->nkeys; k++) sorted[k] = t->keys[order[k]];
    free(t->keys);
    t->keys = sorted;
    free(order);
    for (uint32_t k = 0; k < t->nkeys; k++) {
      pd_tagkey *key = &t->keys[k];
      uint32_t *vo = pd_xmalloc((key->nvalues + 1) * sizeof *vo);
      for (uint32_t i = 0; i < key->nvalues; i++) vo[i] = i;
      S_vctx vc = {t, key->values};
      pd_sort_u32(vo, key->nvalues, S_cmp_value, &vc);
      pd_tagvalue *vs = pd_xmalloc((key->nvalues + 1) * sizeof *vs);
      for (uint32_t i = 0; i < key->nvalues; i++) vs[i] = key->values[vo[i]];
      free(key->values);
      key->values = vs;
      free(vo);
    }
  }
  free(c.shown);
  pd_idmap_free(&c.pairs);
  pd_vec_free(&c.vec);
  pd_buf_free(&c.name);
  return rc;
}

void pd_tagtotals_free(pd_tagtotals *t) {
  for (uint32_t k = 0; k < t->nkeys; k++) free(t->keys[k].values);
  free(t->keys);
  free(t->sample_type);
  free(t->unit);
  pd_intern_free(&t->names);
  memset(t, 0, sizeof *t);
}

/* ---- the values of one key (report --group-by) ------------------------------------ */

typedef struct {
  const pd_profile *p;
  const char *key;
  size_t key_len;
  pd_intern *out;
} S_vals;

static int S_value_sample(void *vctx, const uint32_t *locs, uint32_t nlocs, const pd_val *values,
                          const pd_label *l, uint32_t nl) {
  S_vals *c = vctx;
  const pd_profile *p = c->p;
  for (uint32_t i = 0; i < nl; i++)
    if (l[i].str && pd_profile_str_len(p, l[i].key) == c->key_len && memcmp(pd_profile_str(p, l[i].key), c->key, c->key_len) == 0)
      pd_intern_put(c->out, pd_profile_str(p, l[i].str), pd_profile_str_len(p, l[i].str));
  return PD_OK;
}

int pd_tag_values(const pd_profile *p, const char *key, pd_intern *out, pd_err *err) {
  S_vals c = {p, key, strlen(key), out};
  return pd_profile_samples_labeled(p, 0, p->nsamples, S_value_sample, &c, err);
}
