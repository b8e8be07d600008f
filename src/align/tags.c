/* tags.c: pprof's tag filters on sample labels (-tagfocus, -tagignore,
 * -tagshow, -taghide).
 *
 * The rules copy pprof's internal/driver/driver_focus.go: a filter is
 * "[KEY=]VALUE"; VALUE is a numeric range when it is one of "N", "N:", ":N"
 * or "N:M" with each N an integer and an optional unit (parseTagFilterRange,
 * whose regular expression "([+-]?[[:digit:]]+)([[:alpha:]]+)?" we scan by
 * hand), else comma-separated regular expressions. Numbers are compared
 * after measurement.Scale into the filter's unit, and only when the label's
 * unit scales into that same unit (so "bytes=1024" never matches a byte
 * label, as in pprof: write 1kB or 1024B). Labels without a key match only
 * through "key:value", as pprof's TODO says.
 */
#include "align.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One "([+-]?[[:digit:]]+)([[:alpha:]]+)?" match at or after s. */
typedef struct {
  const char *start, *end;     /* the whole match */
  const char *num, *num_end;   /* the integer */
  const char *unit, *unit_end; /* the letters, possibly empty */
} S_rangetok;

static int S_digit(char c) { return c >= '0' && c <= '9'; }
static int S_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int S_next_tok(const char *s, S_rangetok *t) {
  for (const char *p = s; *p; p++) {
    const char *q = p;
    if (*q == '+' || *q == '-') q++;
    if (!S_digit(*q)) continue;
    t->start = p;
    t->num = p;
    while (S_digit(*q)) q++;
    t->num_end = q;
    t->unit = q;
    while (S_alpha(*q)) q++;
    t->unit_end = t->end = q;
    return 1;
  }
  return 0;
}

static int S_tok_is(const S_rangetok *t, const char *s, size_t n) {
  return (size_t)(t->end - t->start) == n && memcmp(t->start, s, n) == 0;
}

/* The integer of a token, scaled from its unit to `to` (NULL: its own).
 * Returns PD_ERR when it does not fit in an int64 (pprof panics). */
static int S_tok_value(const S_rangetok *t, const char *to, double *v, char *unit, size_t unit_n) {
  char num[64], u[40];
  size_t nn = (size_t)(t->num_end - t->num), un = (size_t)(t->unit_end - t->unit);
  if (nn >= sizeof num || un >= sizeof u) return PD_ERR;
  memcpy(num, t->num, nn);
  num[nn] = 0;
  memcpy(u, t->unit, un);
  u[un] = 0;
  errno = 0;
  long long x = strtoll(num, NULL, 10);
  if (errno) return PD_ERR;
  const char *out;
  *v = pd_unit_scale((double)x, u, to ? to : u, &out);
  snprintf(unit, unit_n, "%s", out);
  return PD_OK;
}

/* pprof's parseTagFilterRange: 1 and f's range set when value is one. */
static int S_parse_range(pd_tagfilter *f, const char *value, int *overflow) {
  S_rangetok a, b;
  *overflow = 0;
  if (!S_next_tok(value, &a)) return 0;
  int two = S_next_tok(a.end, &b);
  size_t n = strlen(value), m = (size_t)(a.end - a.start);
  if (S_tok_value(&a, NULL, &f->lo, f->unit, sizeof f->unit) != PD_OK) {
    *overflow = 1;
    return 0;
  }
  if (!two) {
    if (S_tok_is(&a, value, n)) f->op = PD_TAG_EQ;
    else if (n == m + 1 && value[n - 1] == ':' && S_tok_is(&a, value, m)) f->op = PD_TAG_GE;
    else if (n == m + 1 && value[0] == ':' && S_tok_is(&a, value + 1, m)) f->op = PD_TAG_LE;
    else return 0;
    return 1;
  }
  /* "N:M" exactly */
  size_t mb = (size_t)(b.end - b.start);
  if (!(n == m + 1 + mb && a.start == value && value[m] == ':' && b.start == value + m + 1)) return 0;
  char unit2[40];
  if (S_tok_value(&b, f->unit, &f->hi, unit2, sizeof unit2) != PD_OK) {
    *overflow = 1;
    return 0;
  }
  if (strcmp(unit2, f->unit) != 0) return 0;
  f->op = PD_TAG_RANGE;
  return 1;
}

int pd_tagfilter_compile(pd_tagfilter *f, const char *spec, const char *what, pd_err *err) {
  memset(f, 0, sizeof *f);
  const char *value = spec;
  const char *eq = strchr(spec, '=');
  if (eq) {
    f->key = pd_xmalloc((size_t)(eq - spec) + 1);
    memcpy(f->key, spec, (size_t)(eq - spec));
    f->key[eq - spec] = 0;
    value = eq + 1;
  }
  int overflow;
  if (S_parse_range(f, value, &overflow)) {
    f->numeric = 1;
    return PD_OK;
  }
  if (overflow) {
    pd_tagfilter_free(f);
    return pd_fail(err, "%s: the number in \"%s\" does not fit in 64 bits", what, spec);
  }
  /* comma-separated regular expressions (an empty one matches anything) */
  uint32_t n = 1;
  for (const char *c = value; *c; c++) n += *c == ',';
  f->re = pd_xmalloc(n * sizeof *f->re);
  const char *p = value;
  for (uint32_t i = 0; i < n; i++) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    char *pat = pd_xmalloc(len + 1);
    memcpy(pat, p, len);
    pat[len] = 0;
    int rc = pd_regex_compile(&f->re[i], pat, 0, what, err);
    free(pat);
    if (rc != PD_OK) {
      pd_tagfilter_free(f);
      return PD_ERR;
    }
    f->nre = i + 1;
    p = c ? c + 1 : p + len;
  }
  return PD_OK;
}

void pd_tagfilter_free(pd_tagfilter *f) {
  for (uint32_t i = 0; i < f->nre; i++) pd_regex_free(f->re[i]);
  free(f->re);
  free(f->key);
  memset(f, 0, sizeof *f);
}

static int S_key_is(const pd_profile *p, uint32_t key, const char *want) {
  size_t n = strlen(want);
  return pd_profile_str_len(p, key) == n && memcmp(pd_profile_str(p, key), want, n) == 0;
}

static int S_num_passes(const pd_tagfilter *f, const pd_profile *p, const pd_label *l) {
  const char *su;
  double sv = pd_unit_scale((double)l->num, pd_profile_num_unit(p, l->key), f->unit, &su);
  if (strcmp(su, f->unit) != 0) return 0;
  switch (f->op) {
  case PD_TAG_EQ: return sv == f->lo;
  case PD_TAG_GE: return sv >= f->lo;
  case PD_TAG_LE: return sv <= f->lo;
  default: return sv >= f->lo && sv <= f->hi;
  }
}

/* A match past PCRE2's limits (util.h) on a label counts as none: labels
 * are short, and these filters have no error path per sample. */
static int S_re_match(pd_regex *re, const char *s) { return pd_regex_match(re, s, strlen(s), NULL) == 1; }

int pd_tagfilter_match(const pd_tagfilter *f, const pd_profile *p, const pd_label *l, uint32_t n) {
  if (f->numeric) {
    for (uint32_t i = 0; i < n; i++)
      if (!l[i].str && (!f->key || S_key_is(p, l[i].key, f->key)) && S_num_passes(f, p, &l[i])) return 1;
    return 0;
  }
  if (f->key) {
    for (uint32_t r = 0; r < f->nre; r++)
      for (uint32_t i = 0; i < n; i++)
        if (l[i].str && S_key_is(p, l[i].key, f->key) && S_re_match(f->re[r], pd_profile_str(p, l[i].str)))
          return 1;
    return 0;
  }
  /* every expression must match "key:value" of some string label */
  pd_buf kv = PD_BUF_INIT;
  int ok = 1;
  for (uint32_t r = 0; r < f->nre && ok; r++) {
    int hit = 0;
    for (uint32_t i = 0; i < n && !hit; i++) {
      if (!l[i].str) continue;
      pd_buf_truncate(&kv, 0);
      pd_buf_put(&kv, pd_profile_str(p, l[i].key), pd_profile_str_len(p, l[i].key));
      pd_buf_put(&kv, ":", 1);
      pd_buf_put(&kv, pd_profile_str(p, l[i].str), pd_profile_str_len(p, l[i].str));
      hit = S_re_match(f->re[r], kv.data);
    }
    ok = hit;
  }
  pd_buf_free(&kv);
  return ok;
}

/* ---- the view's tag options ------------------------------------------------------ */

int pd_view_init_tags(pd_view *v, const pd_view_opts *o, pd_err *err) {
  if (o->tagfocus) {
    if (pd_tagfilter_compile(&v->tagfocus, o->tagfocus, "--tagfocus", err) != PD_OK) return PD_ERR;
    v->has_tagfocus = 1;
  }
  if (o->tagignore) {
    if (pd_tagfilter_compile(&v->tagignore, o->tagignore, "--tagignore", err) != PD_OK) return PD_ERR;
    v->has_tagignore = 1;
  }
  if (o->tagshow) {
    if (pd_regex_compile(&v->tagshow, o->tagshow, 0, "--tagshow", err) != PD_OK) return PD_ERR;
    v->has_tagshow = 1;
  }
  if (o->taghide) {
    if (pd_regex_compile(&v->taghide, o->taghide, 0, "--taghide", err) != PD_OK) return PD_ERR;
    v->has_taghide = 1;
  }
  return PD_OK;
}

void pd_view_free_tags(pd_view *v) {
  if (v->has_tagfocus) pd_tagfilter_free(&v->tagfocus);
  if (v->has_tagignore) pd_tagfilter_free(&v->tagignore);
  if (v->has_tagshow) pd_regex_free(v->tagshow);
  if (v->has_taghide) pd_regex_free(v->taghide);
  v->has_tagfocus = v->has_tagignore = v->has_tagshow = v->has_taghide = 0;
  free(v->group_key);
  free(v->group_value);
  v->group_key = v->group_value = NULL;
}

void pd_view_set_group(pd_view *v, const char *key, const char *value) {
  free(v->group_key);
  free(v->group_value);
  v->group_key = pd_xstrdup(key);
  v->group_value = pd_xstrdup(value);
}

static int S_in_group(const pd_view *v, const pd_profile *p, const pd_label *l, uint32_t n) {
  size_t vn = strlen(v->group_value);
  for (uint32_t i = 0; i < n; i++)
    if (l[i].str && S_key_is(p, l[i].key, v->group_key) && pd_profile_str_len(p, l[i].str) == vn &&
        memcmp(pd_profile_str(p, l[i].str), v->group_value, vn) == 0)
      return 1;
  return 0;
}

int pd_view_tags_keep(const pd_view *v, const pd_profile *p, const pd_label *l, uint32_t n) {
  if (v->group_key && !S_in_group(v, p, l, n)) return 0;
  if (v->has_tagfocus && !pd_tagfilter_match(&v->tagfocus, p, l, n)) return 0;
  if (v->has_tagignore && pd_tagfilter_match(&v->tagignore, p, l, n)) return 0;
  return 1;
}

int pd_view_tag_shown(const pd_view *v, const char *k) {
  if (v->has_tagshow && !S_re_match(v->tagshow, k)) return 0;
  if (v->has_taghide && S_re_match(v->taghide, k)) return 0;
  return 1;
}
