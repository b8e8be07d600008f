/* folded.c: collapsed stacks ("main;parse;alloc 42"), the format of Brendan
 * Gregg's stackcollapse-* scripts, inferno and `profdiff fold`.
 *
 * One pass over the bytes. The count is the last space-separated field (so
 * frames may contain spaces) and may have a fraction; frames are separated by
 * ';', root first. Folded files are usually sorted, so consecutive lines share
 * long prefixes: the frames of the previous line that the new line repeats
 * byte for byte are reused without interning them again. Every distinct frame
 * name becomes one function with a one-line location whose index is the
 * name's interned string id, so a frame costs no allocation of its own.
 *
 * A malformed line is skipped with a warning naming its line number, or is an
 * error with --strict; a file without a single good line is always an error.
 *
 * A large file (opts->split) is parsed as two halves on two threads, the
 * second with its own interner, then merged: its names are interned into
 * the first's in their order of appearance, which gives every name the id
 * one sequential pass would have given it. At the first malformed line the
 * second half gives up and is parsed again after the first, sequentially,
 * so that warnings, their line numbers and their count read as usual.
 */
#include "ingest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Parses a count. The grammar (docs/inputs.md): an optional sign, digits
 * with an optional fraction ("12", "274.321", ".5"), an optional exponent
 * ("1e6"); the value, however spelled, is at most 2^63 (about the largest
 * a pprof sample holds: 2^63 - 1 is no double, and reads as 2^63) and not
 * negative; a count that is not zero but is too
 * small for a double ("1e-400") is refused rather than read as zero.
 * Returns 0 when valid, else the reason (S_COUNT_*). Integers of up to 19
 * digits (the usual case) are parsed here; anything else goes to strtold,
 * exact for any whole value however spelled ("1.5e3", twenty digits), and
 * a fraction to strtod, so that "274.321" is the double it reads as
 * everywhere else. */
enum { S_COUNT_OK, S_COUNT_NAN, S_COUNT_NEGATIVE, S_COUNT_HUGE, S_COUNT_TINY };
static const char *const S_count_why[] = {"", "not a number", "negative", "out of range (above 2^63)",
                                          "too small to represent (not zero, below 2.2e-308)"};

static int S_count(const char *s, size_t n, pd_val *out) {
  size_t i = 0;
  int neg = 0;
  if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  size_t start = i;
  uint64_t v = 0;
  for (; i < n && i - start < 19 && s[i] >= '0' && s[i] <= '9'; i++) v = v * 10 + (uint64_t)(s[i] - '0');
  if (i == n && i > start) {
    if (neg && v) return S_COUNT_NEGATIVE;
    if (v > (UINT64_C(1) << 63)) return S_COUNT_HUGE;
    *out = (pd_val)v;
    return S_COUNT_OK;
  }
  /* a point, an exponent, a long number or garbage: check the shape */
  size_t k = start, mant = 0, nonzero = 0;
  for (; k < n && s[k] >= '0' && s[k] <= '9'; k++) mant++, nonzero |= s[k] != '0';
  if (k < n && s[k] == '.')
    for (k++; k < n && s[k] >= '0' && s[k] <= '9'; k++) mant++, nonzero |= s[k] != '0';
  if (!mant) return S_COUNT_NAN;
  if (k < n && (s[k] == 'e' || s[k] == 'E')) {
    k++;
    if (k < n && (s[k] == '-' || s[k] == '+')) k++;
    size_t e = k;
    while (k < n && s[k] >= '0' && s[k] <= '9') k++;
    if (k == e) return S_COUNT_NAN;
  }
  if (k != n) return S_COUNT_NAN;
  if (!nonzero) {
    *out = 0;
    return S_COUNT_OK;
  }
  if (neg) return S_COUNT_NEGATIVE;
  /* strtod wants a terminated string: a long spelling ("1" and 400
   * zeros) is copied to the heap rather than refused */
  char small[64], *buf = n < sizeof small ? small : pd_xmalloc(n + 1);
  memcpy(buf, s, n);
  buf[n] = 0;
  pd_val d = strtold(buf, NULL);
  if (!pd_val_is_whole(d)) d = strtod(buf, NULL);
  if (buf != small) free(buf);
  if (!(d <= 9223372036854775808.0L)) return S_COUNT_HUGE;
  if (d < 2.2250738585072014e-308) return S_COUNT_TINY; /* zero or subnormal from nonzero digits */
  *out = d;
  return S_COUNT_OK;
}

typedef struct {
  pd_profile *p;
  const pd_ingest_opts *opts;
  pd_err *err;
  pd_intern *in;
  pd_vec stack, stack_start, values;
  /* the previous line's frames, root first: string ids and where each ends
   * in its stack text */
  uint32_t *ids, *ends;
  const char **names; /* the new frames' text, for interning */
  uint32_t *lens;
  uint32_t nframes, cap;
  const char *prev;
  size_t prev_len;
  uint64_t bad, lineno;
  int quit_on_bad; /* the split-off second half: give up, do not report */
} S_fold;

static void S_grow(S_fold *f, uint32_t need) {
  if (need <= f->cap) return;
  uint32_t cap = f->cap ? f->cap * 2 : 64;
  while (cap < need) cap *= 2;
  f->ids = pd_xrealloc(f->ids, cap * sizeof *f->ids);
  f->ends = pd_xrealloc(f->ends, cap * sizeof *f->ends);
  f->names = pd_xrealloc(f->names, cap * sizeof *f->names);
  f->lens = pd_xrealloc(f->lens, cap * sizeof *f->lens);
  f->cap = cap;
}

/* Reports a malformed line: an error with --strict, else a warning. */
static int S_bad(S_fold *f, uint64_t lineno, const char *what, const char *text, size_t n) {
  if (f->quit_on_bad) return PD_ERR;
  char shown[PD_EXCERPT_SIZE];
  pd_excerpt(text, n, shown);
  if (f->opts && f->opts->strict)
    return pd_fail(f->err, "%s:%llu: %s \"%s\"", f->p->path, (unsigned long long)lineno, what, shown);
  /* one warning per bad line would flood a terminal on a wrong file: the
   * first few, then a count */
  if (f->bad < 10)
    pd_profile_warn(f->p, "line %llu: %s \"%s\"; line skipped", (unsigned long long)lineno, what, shown);
  f->bad++;
  return PD_OK;
}

/* Returns PD_ERR (f->err filled unless quit_on_bad) for a stack deeper
 * than PD_MAX_STACK_DEPTH, before its frames cost memory. */
static int S_line(S_fold *f, uint64_t lineno, const char *stk, size_t len, pd_val count) {
  /* frames shared with the previous line: frame k ends at ends[k], and is
   * shared when the common prefix covers it and the new line has a frame
   * boundary (';' or the end) right there */
  size_t common = 0, lim = len < f->prev_len ? len : f->prev_len;
  while (common + 8 <= lim) { /* a word at a time: the shared prefix is long */
    uint64_t a, b;
    memcpy(&a, stk + common, 8);
    memcpy(&b, f->prev + common, 8);
    if (a != b) {
      common += (size_t)__builtin_ctzll(a ^ b) / 8; /* little-endian: the first differing byte */
      break;
    }
    common += 8;
  }
  if (common + 8 > lim)
    while (common < lim && stk[common] == f->prev[common]) common++;
  uint32_t k = 0;
  while (k < f->nframes &&
         (f->ends[k] < common ||
          (f->ends[k] == common && (common == len || stk[common] == ';'))))
    k++;
  if (len > 0) {
    size_t at = k ? f->ends[k - 1] + 1 : 0;
    /* a line equal to a prefix of the previous one keeps all its frames */
    if (!(k && f->ends[k - 1] == len)) {
      uint32_t first = k;
      for (;;) {
        const char *semi = memchr(stk + at, ';', len - at);
        size_t end = semi ? (size_t)(semi - stk) : len;
        if (k == PD_MAX_STACK_DEPTH) {
          f->nframes = 0; /* the previous line's frames are not all there */
          f->prev_len = 0;
          if (f->quit_on_bad) return PD_ERR;
          return pd_fail(f->err, "%s:%llu: the stack is deeper than %u frames, the limit (docs/inputs.md)",
                         f->p->path, (unsigned long long)lineno, PD_MAX_STACK_DEPTH);
        }
        S_grow(f, k + 1);
        f->names[k] = stk + at;
        f->lens[k] = (uint32_t)(end - at);
        f->ends[k] = (uint32_t)end;
        k++;
        if (!semi) break;
        at = end + 1;
      }
      pd_intern_put_many(f->in, f->names + first, f->lens + first, k - first, f->ids + first);
    }
  }
  f->nframes = k;
  f->prev = stk;
  f->prev_len = len;
  /* the model wants the leaf first */
  if (k) {
    pd_vec_reserve(&f->stack, f->stack.n + k);
    uint32_t *dst = (uint32_t *)f->stack.items + f->stack.n;
    for (uint32_t i = 0; i < k; i++) dst[i] = f->ids[k - 1 - i];
    f->stack.n += k;
  }
  *(uint32_t *)pd_vec_push(&f->stack_start) = (uint32_t)f->stack.n;
  *(pd_val *)pd_vec_push(&f->values) = count;
  return PD_OK;
}

/* Parses the lines of data, numbering them from f->lineno + 1. */
static int S_parse_lines(S_fold *f, const char *data, size_t size) {
  const char *p = data, *end = data + size;
  uint64_t lineno = f->lineno;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    const char *line = p;
    p = nl ? nl + 1 : end;
    lineno++;
    while (le > line && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t')) le--;
    if (le == line) continue; /* blank */
    const char *sep = le;
    while (sep > line && sep[-1] != ' ' && sep[-1] != '\t') sep--;
    if (sep == line) {
      if (S_bad(f, lineno, "line has no count (expected \"frame;frame COUNT\"):", line,
                (size_t)(le - line)) != PD_OK)
        return PD_ERR;
      continue;
    }
    pd_val count;
    int rc = S_count(sep, (size_t)(le - sep), &count);
    if (rc != 0) {
      char what[192], shown[PD_EXCERPT_SIZE];
      snprintf(what, sizeof what, "count \"%s\" is %s in", pd_excerpt(sep, (size_t)(le - sep), shown),
               S_count_why[rc]);
      if (S_bad(f, lineno, what, line, (size_t)(le - line)) != PD_OK) return PD_ERR;
      continue;
    }
    const char *se = sep;
    while (se > line && (se[-1] == ' ' || se[-1] == '\t')) se--;
    if (f->stack_start.n > UINT32_MAX / 2 - 2 || f->stack.n > UINT32_MAX / 2 - 65536) {
      if (f->quit_on_bad) return PD_ERR;
      return pd_fail(f->err, "%s:%llu: too many samples for one profile", f->p->path,
                     (unsigned long long)lineno);
    }
    if (S_line(f, lineno, line, (size_t)(se - line), count) != PD_OK) return PD_ERR;
  }
  f->lineno = lineno;
  return PD_OK;
}

/* After the last line: the summary of skipped lines, or the error when no
 * line was good. */
static int S_finish(S_fold *f) {
  if (f->bad > 10)
    pd_profile_warn(f->p, "%llu more malformed lines skipped (%llu in all)",
                    (unsigned long long)(f->bad - 10), (unsigned long long)f->bad);
  if (f->values.n == 0 && f->bad)
    return pd_fail(f->err, "%s: no line of the file is a folded stack (\"frame;frame COUNT\"); %llu malformed",
                   f->p->path, (unsigned long long)f->bad);
  return PD_OK;
}

/* Lays the interned frames out as functions, one-line locations and the
 * string table. */
static void S_build(S_fold *f) {
  pd_profile *p = f->p;
  uint32_t nfunc = f->in->n;
  p->nfunctions = p->nlocations = p->nlines = nfunc;
  p->functions = pd_arena_zalloc(&p->arena, nfunc * sizeof *p->functions);
  p->lines = pd_arena_alloc(&p->arena, nfunc * sizeof *p->lines);
  p->locations = pd_arena_alloc(&p->arena, nfunc * sizeof *p->locations);
  for (uint32_t i = 0; i < nfunc; i++) {
    /* a folded name is as the profiler printed it: like a pprof function
     * whose name differs from its system name, it is shown as recorded
     * (one rule for every format: a pprof -> fold -> pprof round trip
     * keeps names, and <listcomp> stays <listcomp>) */
    p->functions[i].name = i;
    p->functions[i].system_name = 0;
    p->lines[i].function = i;
    p->lines[i].line = 0;
    p->locations[i].address = 0;
    p->locations[i].mapping = PD_NONE;
    p->locations[i].first_line = i;
    p->locations[i].nlines = 1;
  }
  /* FlameGraph's meaning: each count is a number of samples */
  p->ntypes = 1;
  p->types = pd_arena_alloc(&p->arena, sizeof *p->types);
  p->types[0].type = pd_intern_put(f->in, "samples", 7);
  p->types[0].unit = pd_intern_put(f->in, "count", 5);
  p->period_type = p->types[0];
  p->period = 1;
  pd_ingest_flat_samples(p, &f->stack_start, &f->stack, &f->values);
  pd_profile_adopt_strings(p, f->in);
}

/* Distinct frames to expect from len bytes of folded stacks: real files
 * hold one for every 1-4 kB (a large one 30,000 in 66 MB), and a table
 * sized up front is not rebuilt as it grows. */
static size_t S_expect_frames(size_t len) {
  size_t n = len / 2048;
  return n < 4096 ? 4096 : n > (1u << 20) ? (1u << 20) : n;
}

static void S_fold_init(S_fold *f, pd_profile *p, const pd_ingest_opts *opts, size_t len, pd_err *err) {
  memset(f, 0, sizeof *f);
  f->p = p;
  f->opts = opts;
  f->err = err;
  f->in = pd_xmalloc(sizeof *f->in);
  pd_intern_init(f->in, S_expect_frames(len));
  pd_vec_init(&f->stack, sizeof(uint32_t));
  pd_vec_init(&f->stack_start, sizeof(uint32_t));
  pd_vec_init(&f->values, sizeof(pd_val));
  f->prev = "";
}

/* Frees what f owns except the interner (the profile's, for the first). */
static void S_fold_free(S_fold *f) {
  pd_vec_free(&f->stack);
  pd_vec_free(&f->stack_start);
  pd_vec_free(&f->values);
  free(f->ids);
  free(f->ends);
  free(f->names);
  free(f->lens);
}

/* Appends b's samples to a's, b's names re-interned into a's table. */
static void S_merge(S_fold *a, S_fold *b) {
  uint32_t *map = pd_xmalloc((b->in->n ? b->in->n : 1) * sizeof *map);
  for (uint32_t id = 0; id < b->in->n; id++) map[id] = pd_intern_put(a->in, b->in->str[id], b->in->len[id]);
  uint32_t base = (uint32_t)a->stack.n;
  pd_vec_reserve(&a->stack, a->stack.n + b->stack.n);
  uint32_t *dst = (uint32_t *)a->stack.items + a->stack.n;
  const uint32_t *src = b->stack.items;
  for (size_t i = 0; i < b->stack.n; i++) dst[i] = map[src[i]];
  a->stack.n += b->stack.n;
  pd_vec_reserve(&a->stack_start, a->stack_start.n + b->stack_start.n);
  uint32_t *ss = (uint32_t *)a->stack_start.items + a->stack_start.n;
  const uint32_t *bs = b->stack_start.items;
  for (size_t i = 0; i < b->stack_start.n; i++) ss[i] = bs[i] + base;
  a->stack_start.n += b->stack_start.n;
  pd_vec_reserve(&a->values, a->values.n + b->values.n);
  memcpy((pd_val *)a->values.items + a->values.n, b->values.items, b->values.n * sizeof(pd_val));
  a->values.n += b->values.n;
  free(map);
}

typedef struct {
  S_fold f;
  const char *data;
  size_t size;
  int rc;
  pd_mem_doing doing; /* the starting thread's, for an out-of-memory message */
} S_half;

static void *S_parse_half(void *arg) {
  S_half *h = arg;
  pd_mem_doing_set(h->doing.subject, h->doing.doing);
  h->rc = S_parse_lines(&h->f, h->data, h->size);
  return NULL;
}

/* Below this a second thread costs more than it saves. */
#define S_SPLIT_MIN (8u << 20)

int pd_folded_read(pd_profile *p, const uint8_t *data, size_t len,
                   const pd_ingest_opts *opts, pd_err *err) {
  p->format = PD_FORMAT_FOLDED;
  S_fold f;
  S_fold_init(&f, p, opts, len, err);
  p->strings = f.in; /* freed with the profile, even on error */
  const char *text = (const char *)data;
  size_t first = len;
  if (opts && opts->split && len >= S_SPLIT_MIN) {
    const char *nl = memchr(text + len / 2, '\n', len - len / 2);
    if (nl) first = (size_t)(nl + 1 - text);
  }
  S_half h;
  pthread_t tid;
  int split = first < len;
  if (split) {
    S_fold_init(&h.f, p, opts, len - first, err);
    h.f.quit_on_bad = 1;
    h.data = text + first;
    h.size = len - first;
    h.doing = pd_mem_doing_get();
    h.rc = PD_ERR;
    if (pthread_create(&tid, NULL, S_parse_half, &h) != 0) {
      pd_intern_free(h.f.in);
      free(h.f.in);
      S_fold_free(&h.f);
      split = 0;
      first = len;
    }
  }
  int rc = S_parse_lines(&f, text, first);
  if (split) {
    pthread_join(tid, NULL);
    if (rc == PD_OK && h.rc == PD_OK) S_merge(&f, &h.f);
    else if (rc == PD_OK) rc = S_parse_lines(&f, text + first, len - first); /* say why, in order */
    pd_intern_free(h.f.in);
    free(h.f.in);
    S_fold_free(&h.f);
  } else if (rc == PD_OK && first < len) {
    rc = S_parse_lines(&f, text + first, len - first);
  }
  if (rc == PD_OK) rc = S_finish(&f);
  if (rc == PD_OK) S_build(&f);
  S_fold_free(&f);
  return rc;
}
