/* series.c: see series.h; the method is written up in docs/analysis.md.
 *
 * Adding is cheap and thread-safe (a copy of one snapshot's per-function
 * figures into a column); everything that depends on the order of the
 * snapshots waits for pd_series_finish, because the order is only known
 * once every profile has been read (its own time is inside it).
 */
#include "series.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *pd_order_rule_name(pd_order_rule r) {
  switch (r) {
  case PD_ORDER_TIME_NANOS: return "time_nanos";
  case PD_ORDER_FILE_NAME: return "file_name";
  case PD_ORDER_MTIME: return "mtime";
  case PD_ORDER_ARGUMENT: return "argument";
  }
  return "?";
}

void pd_series_opts_default(pd_series_opts *o) {
  memset(o, 0, sizeof *o);
  o->reset_drop = 0.4;
  o->noise_z = 3;
  o->materiality = 1e-4;
  o->alpha = 0.01;
  o->floor_function = 0.20;
  o->floor_total = 0.005;
  o->break_f = 10;
  o->tree_min_fraction = 2e-5;
}

void pd_series_init(pd_series *s, uint32_t n, int has_base, const pd_series_opts *o) {
  memset(s, 0, sizeof *s);
  if (o) s->opts = *o;
  else pd_series_opts_default(&s->opts);
  pd_intern_init(&s->keys, 16384);
  pthread_mutex_init(&s->keys_lock, NULL);
  pthread_mutex_init(&s->lock, NULL);
  pd_arena_init(&s->arena, 64 * 1024);
  pd_arena_init(&s->arena2, 64 * 1024);
  s->n = n;
  s->has_base = has_base;
  s->ncols = n + (has_base ? 1 : 0);
  s->snap = pd_xcalloc(s->ncols, sizeof *s->snap);
  for (uint32_t i = 0; i < s->ncols; i++) {
    pd_arena_init(&s->snap[i].arena, 4096);
    s->snap[i].scale = 1;
  }
  s->spill_fd = -2; /* opened by the first pd_series_add */
}

void pd_series_free(pd_series *s) {
  free(s->compared);
  s->compared = NULL;
  for (uint32_t i = 0; i < s->ncols; i++) {
    pd_buf_free(&s->snap[i].funcs);
    pd_buf_free(&s->snap[i].tree);
    pd_arena_free(&s->snap[i].arena);
  }
  free(s->snap);
  pd_buf_free(&s->rowdata);
  free(s->row_at);
  if (s->spill_fd >= 0) close(s->spill_fd);
  free(s->seen);
  free(s->order);
  free(s->t);
  free(s->total);
  free(s->total_sigma);
  free(s->segs);
  free(s->fs);
  free(s->suspects);
  if (s->tree.n) pd_tree_free(&s->tree);
  if (s->nodes.n) pd_tree_free(&s->nodes);
  pd_intern_free(&s->keys);
  pthread_mutex_destroy(&s->keys_lock);
  pthread_mutex_destroy(&s->lock);
  pd_arena_free(&s->arena);
  pd_arena_free(&s->arena2);
  memset(s, 0, sizeof *s);
}

void pd_series_warn(pd_series *s, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&s->lock);
  if (s->nwarnings == s->capwarnings) {
    s->capwarnings = s->capwarnings ? s->capwarnings * 2 : 8;
    char **w = pd_arena_alloc(&s->arena, s->capwarnings * sizeof *w);
    if (s->nwarnings) memcpy(w, s->warnings, s->nwarnings * sizeof *w);
    s->warnings = w;
  }
  s->warnings[s->nwarnings++] = pd_arena_strndup(&s->arena, msg, strlen(msg));
  pthread_mutex_unlock(&s->lock);
}

void pd_series_set_path(pd_series *s, uint32_t col, const char *path, int64_t mtime_ns) {
  pd_snapinfo *si = &s->snap[col];
  si->path = pd_arena_strndup(&si->arena, path, strlen(path));
  si->mtime_ns = mtime_ns;
  int64_t ns;
  if (pd_time_from_name(path, &ns)) si->name_ns = ns;
}

void pd_series_skip(pd_series *s, uint32_t col, const char *why) {
  pd_series_warn(s, "%s: skipped (--keep-going): %s", s->snap[col].path, why);
}

/* Grows the per-key flags to hold rows keys (lock held). */
static void S_reserve_rows(pd_series *s, uint32_t rows) {
  if (rows <= s->rows_cap) {
    if (rows > s->rows) s->rows = rows;
    return;
  }
  uint32_t cap = s->rows_cap ? s->rows_cap : 4096;
  while (cap < rows) cap *= 2;
  s->seen = pd_xrealloc(s->seen, cap);
  memset(s->seen + s->rows_cap, 0, cap - s->rows_cap);
  s->rows_cap = cap;
  s->rows = rows;
}

/* ---- a snapshot's figures, compacted ---------------------------------------------
 *
 * A series keeps every snapshot's per-function figures and tree values
 * until pd_series_finish, when the order is known; 24 large snapshots took
 * 27 MB as plain arrays, the largest part of a report's memory. Each
 * snapshot's are kept as one byte string instead: keys and node ids as
 * varint steps from the previous, values as zigzag varints when they are
 * whole numbers (bytes, counts: nearly always) and as the 10 bytes of a
 * long double when not,
 * variances as the floats the tables hold; finish unpacks them into the
 * tables. Exact: the unpacked tables are the ones a copy would have made. */

enum { S_ZERO = 0, S_INT = 1, S_RAW = 2, S_SAME = 3 };

static int S_kind(pd_val v) {
  if (v == 0) return S_ZERO;
  return pd_val_is_int64(v) ? S_INT : S_RAW;
}

/* Signed steps and values as unsigned varints: 0, -1, 1, -2... */
static uint64_t S_zigzag(int64_t i) { return ((uint64_t)i << 1) ^ (uint64_t)(i >> 63); }
static int64_t S_unzigzag(uint64_t z) { return (int64_t)((z >> 1) ^ (~(z & 1) + 1)); }

/* A whole value as a varint, any other (a fraction, a scaled value, a sum
 * past 2^63) as the 10 bytes of its long double: exact either way. */
static void S_put_num(pd_buf *b, pd_val v, int kind) {
  if (kind == S_INT) {
    pd_buf_put_varint(b, S_zigzag((int64_t)v));
  } else if (kind == S_RAW) {
    pd_buf_put(b, &v, PD_VAL_BYTES);
  }
}

static pd_val S_get_num(const uint8_t **p, int kind) {
  if (kind == S_INT) return (pd_val)S_unzigzag(pd_varint_next(p));
  if (kind == S_RAW) {
    pd_val v = 0;
    memcpy(&v, *p, PD_VAL_BYTES);
    *p += PD_VAL_BYTES;
    return v;
  }
  return 0;
}

/* The never-freed part of a cell (analyse.h): bit 7 of its kinds when it
 * is the whole flat value, bit 6 when it is another, then as a double and
 * its variance as a float; neither when it is 0. */
static int S_nf_bits(pd_val flat, double nf) {
  if (nf == 0) return 0;
  return nf == (double)flat ? 128 : 64;
}

static void S_put_nf(pd_buf *b, int bits, double nf, float nfv) {
  if (!(bits & 64)) return;
  pd_buf_put(b, &nf, sizeof nf);
  pd_buf_put(b, &nfv, sizeof nfv);
}

static void S_get_nf(const uint8_t **p, int h, pd_val flat, float fv, double *nf, float *nfv) {
  *nf = 0, *nfv = 0;
  if (h & 128) *nf = (double)flat, *nfv = fv;
  if (!(h & 64)) return;
  memcpy(nf, *p, sizeof *nf), *p += sizeof *nf;
  memcpy(nfv, *p, sizeof *nfv), *p += sizeof *nfv;
}

/* Per key with a value: key step, a byte of kinds (flat: bits 0-1; cum:
 * 2-3, S_SAME when equal to flat; 4: flat variance; 5: the variance of
 * its cumulative allocations, a double: it grows with the process, and
 * its steps are what trend.c reads; 6-7: the never-freed part, S_nf_bits),
 * then the numbers. */
static void S_pack_funcs(pd_buf *b, const pd_functotals *f, int has_alloc) {
  uint32_t prev = 0;
  for (uint32_t k = 0; k < f->n; k++) {
    pd_val flat = f->flat[k], cum = f->k[k].cum;
    double av = has_alloc ? f->flat_avar[k] : 0;
    /* kept with allocations alone: a function whose objects were all
     * freed has none in use, and its allocations must not seem to fall */
    if (flat == 0 && cum == 0 && av == 0) continue;
    float fv = (float)f->flat_var[k];
    double nf = has_alloc && f->flat_nf ? (double)f->flat_nf[k] : 0;
    int fk = S_kind(flat), ck = cum == flat ? S_SAME : S_kind(cum), nb = S_nf_bits(flat, nf);
    pd_buf_put_varint(b, k - prev);
    prev = k;
    pd_buf_putc(b, (char)(fk | ck << 2 | (fv != 0) << 4 | (av != 0) << 5 | nb));
    S_put_num(b, flat, fk);
    if (ck != S_SAME) S_put_num(b, cum, ck);
    if (fv != 0) pd_buf_put(b, &fv, sizeof fv);
    if (av != 0) pd_buf_put(b, &av, sizeof av);
    S_put_nf(b, nb, nf, nb ? (float)f->flat_nfvar[k] : 0);
  }
}

typedef struct {
  uint32_t node;
  pd_val v;
} S_nodeval;

/* n values of shared nodes, in the snapshot's tree order (which decides
 * the merged tree's): (zigzag step from the previous node << 2 | kind),
 * then the number. Steps are small: a tree's nodes were merged in order. */
static void S_pack_nodes(pd_buf *b, const S_nodeval *nv, uint32_t n) {
  int64_t prev = 0;
  for (uint32_t i = 0; i < n; i++) {
    int kind = S_kind(nv[i].v);
    pd_buf_put_varint(b, S_zigzag((int64_t)nv[i].node - prev) << 2 | (uint64_t)kind);
    prev = nv[i].node;
    S_put_num(b, nv[i].v, kind);
  }
}

/* The next packed node value (node: the previous one's, on entry). */
static void S_next_node(const uint8_t **p, uint32_t *node, pd_val *v) {
  uint64_t x = pd_varint_next(p);
  *node = (uint32_t)((int64_t)*node + S_unzigzag(x >> 2));
  *v = S_get_num(p, (int)(x & 3));
}

/* ---- the spill: packed figures on disk while the series is read -------------------
 *
 * A snapshot's packed figures are only read again by pd_series_finish, so
 * they go to an unlinked temporary file as each snapshot is added: memory
 * while reading holds the profiles in flight and the shared stack
 * structure, not snapshots x functions (1,000 large snapshots packed take
 * 420 MB). Without a temporary directory they stay in memory, as before. */

static int S_spill_open(void) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  pd_buf path = PD_BUF_INIT;
  pd_buf_printf(&path, "%s/profdiff-series-XXXXXX", dir);
  int fd = mkstemp(path.data);
  if (fd >= 0) unlink(path.data);
  pd_buf_free(&path);
  return fd;
}

/* Moves b to the spill (lock held): at *off on success, else kept. */
static void S_spill(pd_series *s, pd_buf *b, uint64_t *off) {
  if (s->spill_fd == -2) s->spill_fd = S_spill_open();
  if (s->spill_fd < 0 || !b->len) return;
  size_t done = 0;
  while (done < b->len) {
    ssize_t w = pwrite(s->spill_fd, b->data + done, b->len - done, (off_t)(s->spill_end + done));
    if (w <= 0) return; /* a full disk: this one stays in memory */
    done += (size_t)w;
  }
  *off = s->spill_end;
  s->spill_end += b->len;
  b->len = 0; /* spilled: len 0 with a spill length says where it went */
  pd_buf_free(b);
}

/* Reads back len bytes at off into out (trusted: we wrote them). */
static int S_unspill(const pd_series *s, uint64_t off, uint64_t len, pd_buf *out) {
  out->len = 0;
  pd_buf_reserve(out, (size_t)len);
  size_t done = 0;
  while (done < len) {
    ssize_t r = pread(s->spill_fd, out->data + done, (size_t)len - done, (off_t)(off + done));
    if (r <= 0) return PD_ERR;
    done += (size_t)r;
  }
  out->len = (size_t)len;
  return PD_OK;
}

/* A column's packed figures read in key order, a window of them at a time
 * (from the spill, or from memory when they stayed there). */
typedef struct {
  const uint8_t *p, *end;
  uint8_t *buf;
  size_t cap;         /* buf's size */
  uint64_t off, left; /* in the spill, not read yet */
  uint32_t key;       /* of the next entry, when have */
  int have;
} S_cursor;

#define S_WINDOW 32768
#define S_MAX_ENTRY 64 /* an entry's bytes at most: varint, kinds, two numbers, a float, a double */

static void S_cursor_init(const pd_series *s, const pd_snapinfo *si, S_cursor *c) {
  memset(c, 0, sizeof *c);
  if (si->funcs_spilled) {
    /* no bigger than the column: 20,000 small snapshots took a whole
     * window each, 640 MB of address space and a page fault per column */
    c->cap = si->funcs_spilled < S_WINDOW ? (size_t)si->funcs_spilled : S_WINDOW;
    c->buf = pd_xmalloc(c->cap);
    c->off = si->funcs_off;
    c->left = si->funcs_spilled;
    c->p = c->end = c->buf;
  } else {
    /* a snapshot skipped by --keep-going has no buffer at all: NULL + 0 is
     * undefined behaviour (UBSan traps on it) */
    c->p = c->end = (const uint8_t *)si->funcs.data;
    if (c->p) c->end += si->funcs.len;
  }
  (void)s;
}

static void S_cursor_fill(const pd_series *s, S_cursor *c) {
  if (!c->left || c->end - c->p >= S_MAX_ENTRY) return;
  size_t keep = (size_t)(c->end - c->p);
  memmove(c->buf, c->p, keep);
  size_t want = c->cap - keep < c->left ? c->cap - keep : (size_t)c->left;
  ssize_t r = pread(s->spill_fd, c->buf + keep, want, (off_t)c->off);
  if (r <= 0) r = 0, c->left = 0; /* unreadable: the rest reads as zeros */
  c->off += (uint64_t)r;
  c->left -= (uint64_t)r;
  c->p = c->buf;
  c->end = c->buf + keep + (size_t)r;
}

/* The key of the next entry, UINT32_MAX past the last. */
static uint32_t S_cursor_peek(const pd_series *s, S_cursor *c) {
  if (c->have) return c->key;
  S_cursor_fill(s, c);
  if (c->p >= c->end) return UINT32_MAX;
  c->key += (uint32_t)pd_varint_next(&c->p);
  c->have = 1;
  return c->key;
}

/* The largest value below which a function's allocations cannot change
 * its verdict, so that its rows need not keep them (a double a cell: 45
 * MB over 300 large snapshots for every function): one whose values stay
 * within +-v changes by at most 2 v x the window's gain
 * (pd_trend_floor_gain) over any part, and a verdict needs a change
 * beyond the floor, at least the materiality and floor_total of the
 * window's largest total (trend.c), so below that it is stable with or
 * without them. After S_segments. Most of a large profile's 30,000
 * functions are. */
static double S_alloc_cutoff(const pd_series *s) {
  uint32_t a = s->win_first, b = s->win_last;
  if (!s->npos || b < a + 2) return 0;
  double tot = 0;
  for (uint32_t p = a; p <= b; p++) tot = fmax(tot, fabs(s->total[p]));
  uint32_t first = s->has_base ? s->n : s->order[0], last = s->order[s->npos - 1];
  double material = s->opts.materiality * fmax(fabs((double)s->snap[first].total), fabs((double)s->snap[last].total));
  double floor = fmax(material, s->opts.floor_total * tot), gain = pd_trend_floor_gain(s->t + a, b - a + 1);
  double v = floor / (4 * gain);
  return isfinite(v) && v > 0 ? v * (1 - 1e-9) : 0;
}

/* The rows: every key's figures in column order, packed as a column's are
 * (with column steps for key steps), made from the columns a block of keys
 * at a time, so that snapshots x functions are never unpacked whole
 * (1,000 large snapshots took 600 MB as tables). Values are scaled for
 * differing sampling periods here (x 1 elsewhere, which changes nothing). */
static void S_rows(pd_series *s) {
  uint32_t nc = s->ncols, rows = s->rows;
  s->row_at = pd_xmalloc(((size_t)rows + 1) * sizeof *s->row_at);
  S_cursor *cur = pd_xmalloc((nc ? nc : 1) * sizeof *cur);
  for (uint32_t c = 0; c < nc; c++) S_cursor_init(s, &s->snap[c], &cur[c]);
  /* 65,536 cells a block (2.75 MB of scratch): 524,288 took 22 MB, more
   * than the rows they make */
  uint32_t block = (1u << 16) / (nc ? nc : 1);
  if (block < 1) block = 1;
  pd_val *flat = pd_xmalloc((size_t)block * nc * sizeof *flat), *cum = pd_xmalloc((size_t)block * nc * sizeof *cum);
  float *var = pd_xmalloc((size_t)block * nc * sizeof *var);
  double *avar = pd_xmalloc((size_t)block * nc * sizeof *avar);
  double *nf = pd_xmalloc((size_t)block * nc * sizeof *nf);
  float *nfvar = pd_xmalloc((size_t)block * nc * sizeof *nfvar);
  double avar_from = S_alloc_cutoff(s);
  for (uint32_t k0 = 0; k0 < rows; k0 += block) {
    uint32_t k1 = rows - k0 < block ? rows : k0 + block;
    size_t cells = (size_t)(k1 - k0) * nc;
    memset(flat, 0, cells * sizeof *flat);
    memset(cum, 0, cells * sizeof *cum);
    memset(var, 0, cells * sizeof *var);
    memset(avar, 0, cells * sizeof *avar);
    memset(nf, 0, cells * sizeof *nf);
    memset(nfvar, 0, cells * sizeof *nfvar);
    for (uint32_t c = 0; c < nc; c++) {
      S_cursor *u = &cur[c];
      double scale = s->snap[c].scale;
      while (S_cursor_peek(s, u) < k1) {
        u->have = 0;
        uint8_t h = *u->p++;
        size_t at = (size_t)(u->key - k0) * nc + c;
        pd_val fl = S_get_num(&u->p, h & 3);
        pd_val cu = (h >> 2 & 3) == S_SAME ? fl : S_get_num(&u->p, h >> 2 & 3);
        float fv = 0;
        double av = 0;
        if (h & 16) memcpy(&fv, u->p, sizeof fv), u->p += sizeof fv;
        if (h & 32) memcpy(&av, u->p, sizeof av), u->p += sizeof av;
        double nv;
        float nvv;
        S_get_nf(&u->p, h, fl, fv, &nv, &nvv);
        if (scale != 1) fl = (double)fl * scale, cu = (double)cu * scale;
        flat[at] = fl;
        cum[at] = cu;
        var[at] = fv * (float)(scale * scale);
        avar[at] = av * scale * scale;
        nf[at] = nv * scale;
        nfvar[at] = nvv * (float)(scale * scale);
      }
    }
    for (uint32_t k = k0; k < k1; k++) {
      s->row_at[k] = s->rowdata.len;
      uint32_t prev = 0;
      double big = 0;
      for (uint32_t c = 0; c < nc; c++) big = fmax(big, fabs((double)flat[(size_t)(k - k0) * nc + c]));
      int keep_avar = !(big < avar_from);
      for (uint32_t c = 0; c < nc; c++) {
        size_t at = (size_t)(k - k0) * nc + c;
        pd_val fl = flat[at], cu = cum[at];
        float fv = var[at];
        double av = keep_avar ? avar[at] : 0, nv = keep_avar ? nf[at] : 0;
        if (fl == 0 && cu == 0 && av == 0) continue;
        int fk = S_kind(fl), ck = cu == fl ? S_SAME : S_kind(cu), nb = S_nf_bits(fl, nv);
        pd_buf_put_varint(&s->rowdata, c - prev);
        prev = c;
        pd_buf_putc(&s->rowdata, (char)(fk | ck << 2 | (fv != 0) << 4 | (av != 0) << 5 | nb));
        S_put_num(&s->rowdata, fl, fk);
        if (ck != S_SAME) S_put_num(&s->rowdata, cu, ck);
        if (fv != 0) pd_buf_put(&s->rowdata, &fv, sizeof fv);
        if (av != 0) pd_buf_put(&s->rowdata, &av, sizeof av);
        S_put_nf(&s->rowdata, nb, nv, nfvar[at]);
      }
    }
  }
  s->row_at[rows] = s->rowdata.len;
  for (uint32_t c = 0; c < nc; c++) {
    free(cur[c].buf);
    pd_buf_free(&s->snap[c].funcs);
  }
  free(cur);
  free(flat);
  free(cum);
  free(var);
  free(avar);
  free(nf);
  free(nfvar);
}

void pd_series_columns(const pd_series *s, uint32_t key, pd_val *flat, pd_val *cum, float *var, double *avar) {
  pd_series_columns_nf(s, key, flat, cum, var, avar, NULL, NULL);
}

void pd_series_columns_nf(const pd_series *s, uint32_t key, pd_val *flat, pd_val *cum, float *var, double *avar,
                          double *nf, float *nfvar) {
  uint32_t nc = s->ncols;
  if (flat) memset(flat, 0, nc * sizeof *flat);
  if (cum) memset(cum, 0, nc * sizeof *cum);
  if (var) memset(var, 0, nc * sizeof *var);
  if (avar) memset(avar, 0, nc * sizeof *avar);
  if (nf) memset(nf, 0, nc * sizeof *nf);
  if (nfvar) memset(nfvar, 0, nc * sizeof *nfvar);
  if (key >= s->rows || !s->row_at) return;
  const uint8_t *p = (const uint8_t *)s->rowdata.data + s->row_at[key], *end = (const uint8_t *)s->rowdata.data + s->row_at[key + 1];
  uint32_t c = 0;
  while (p < end) {
    c += (uint32_t)pd_varint_next(&p);
    uint8_t h = *p++;
    pd_val fl = S_get_num(&p, h & 3);
    pd_val cu = (h >> 2 & 3) == S_SAME ? fl : S_get_num(&p, h >> 2 & 3);
    float fv = 0;
    double av = 0;
    if (h & 16) memcpy(&fv, p, sizeof fv), p += sizeof fv;
    if (h & 32) memcpy(&av, p, sizeof av), p += sizeof av;
    double nv;
    float nvv;
    S_get_nf(&p, h, fl, fv, &nv, &nvv);
    if (flat) flat[c] = fl;
    if (cum) cum[c] = cu;
    if (var) var[c] = fv;
    if (avar) avar[c] = av;
    if (nf) nf[c] = nv;
    if (nfvar) nfvar[c] = nvv;
  }
}

/* By position, as doubles (flat, cum, var) or exactly (xflat, xcum). */
static void S_positional(const pd_series *s, uint32_t key, double *flat, double *cum, double *var, pd_val *xflat,
                         pd_val *xcum) {
  uint32_t nc = s->ncols;
  pd_val *cf = pd_xmalloc((nc ? nc : 1) * sizeof *cf), *cc = pd_xmalloc((nc ? nc : 1) * sizeof *cc);
  float *cv = pd_xmalloc((nc ? nc : 1) * sizeof *cv);
  pd_series_columns(s, key, cf, cc, cv, NULL);
  for (uint32_t p = 0; p < s->npos; p++) {
    uint32_t c = s->order[p];
    if (flat) flat[p] = (double)cf[c];
    if (cum) cum[p] = (double)cc[c];
    if (var) var[p] = cv[c];
    if (xflat) xflat[p] = cf[c];
    if (xcum) xcum[p] = cc[c];
  }
  free(cf);
  free(cc);
  free(cv);
}

void pd_series_values(const pd_series *s, uint32_t key, double *flat, double *cum, double *var) {
  S_positional(s, key, flat, cum, var, NULL, NULL);
}

void pd_series_values_exact(const pd_series *s, uint32_t key, pd_val *flat, pd_val *cum, double *var) {
  S_positional(s, key, NULL, NULL, var, flat, cum);
}

static const char *S_dup(pd_arena *a, const char *str) {
  return pd_arena_strndup(a, str, strlen(str));
}

int pd_series_add(pd_series *s, uint32_t col, pd_snapshot *snap, pd_err *err) {
  pthread_mutex_lock(&s->lock);
  /* every snapshot must measure the same thing */
  for (uint32_t i = 0; i < s->ncols; i++) {
    const pd_snapinfo *o = &s->snap[i];
    if (!o->added) continue;
    if (strcmp(o->sample_type, snap->sample_type) != 0 || strcmp(o->unit, snap->unit) != 0) {
      pthread_mutex_unlock(&s->lock);
      return pd_fail(err,
                     "%s: sample type %s/%s differs from %s/%s in %s; choose one present in all with --sample-index",
                     snap->path, snap->sample_type, snap->unit, o->sample_type, o->unit, o->path);
    }
    break;
  }
  pd_snapinfo *si = &s->snap[col];
  si->added = 1;
  si->time_ns = snap->time_ns;
  si->total = snap->total;
  si->total_var = snap->total_var;
  si->period = snap->period;
  si->noise = snap->noise.kind;
  si->sample_type = S_dup(&si->arena, snap->sample_type);
  si->unit = S_dup(&si->arena, snap->unit);
  si->period_type = S_dup(&si->arena, snap->period_type);
  si->period_unit = S_dup(&si->arena, snap->period_unit);
  si->nwarnings = snap->nwarnings;
  si->warnings = pd_arena_alloc(&si->arena, (snap->nwarnings + 1) * sizeof(char *));
  for (uint32_t i = 0; i < snap->nwarnings; i++)
    si->warnings[i] = (char *)S_dup(&si->arena, snap->warnings[i]);
  S_reserve_rows(s, snap->ft.n);
  const pd_functotals *f = &snap->ft;
  for (uint32_t k = 0; k < f->n; k++) s->seen[k] |= (uint8_t)f->k[k].seen;
  si->has_alloc = snap->has_alloc;
  S_pack_funcs(&si->funcs, f, snap->has_alloc);
  size_t funcs_len = si->funcs.len;
  S_spill(s, &si->funcs, &si->funcs_off);
  if (!si->funcs.data && funcs_len) si->funcs_spilled = funcs_len;
  if (snap->has_tree) {
    /* merge the stacks into the shared structure, keep the values */
    const pd_tree *t = &snap->tree;
    if (!s->nodes.n) pd_tree_init(&s->nodes, 0, t->n);
    S_nodeval *self = pd_xmalloc(((size_t)t->n + 1) * sizeof *self), *cut = pd_xmalloc(((size_t)t->n + 1) * sizeof *cut);
    uint32_t *map = pd_xmalloc((size_t)t->n * sizeof *map);
    uint32_t nself = 0, ncut = 0;
    map[0] = 0;
    for (uint32_t i = 0; i < t->n; i++) {
      if (i) map[i] = pd_tree_child(&s->nodes, map[t->parent[i]], t->key[i]);
      pd_val v = t->col[PD_COL_SELF][i], c = t->col[PD_COL_CUT][i];
      if (v != 0) self[nself++] = (S_nodeval){map[i], v};
      if (c != 0) cut[ncut++] = (S_nodeval){map[i], c};
    }
    S_pack_nodes(&si->tree, self, nself);
    S_pack_nodes(&si->tree, cut, ncut);
    si->tree_nself = nself;
    si->tree_ncut = ncut;
    size_t tree_len = si->tree.len;
    S_spill(s, &si->tree, &si->tree_off);
    if (!si->tree.data && tree_len) si->tree_spilled = tree_len;
    free(map);
    free(self);
    free(cut);
    si->has_tree = 1;
  }
  pthread_mutex_unlock(&s->lock);
  return PD_OK;
}

/* ---- ordering ------------------------------------------------------------------- */

static const pd_series *S_sort_series;
static const int64_t *S_sort_keys;

static int S_by_time(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  int64_t tx = S_sort_keys[x], ty = S_sort_keys[y];
  if (tx != ty) return tx < ty ? -1 : 1;
  return x < y ? -1 : x > y; /* ties keep argument order */
}

static int S_order(pd_series *s, pd_err *err) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->n; i++) n += s->snap[i].added;
  /* one profile against --base is a pair: the base comes first */
  int base_in_series = n == 1 && s->has_base && s->snap[s->n].added;
  if (base_in_series) n++;
  if (n < 2)
    return pd_fail(err, "a report needs at least two readable profiles (got %u)", n);
  s->npos = n;
  s->order = pd_xmalloc(n * sizeof *s->order);
  s->t = pd_xmalloc(n * sizeof *s->t);
  int all_own = 1, all_name = 1;
  uint32_t p = 0;
  if (base_in_series) s->order[p++] = s->n;
  for (uint32_t i = 0; i <= s->n; i++) {
    if (i == s->n && !base_in_series) break;
    if (!s->snap[i].added) continue;
    if (i < s->n) s->order[p++] = i;
    all_own &= s->snap[i].time_ns != 0;
    all_name &= s->snap[i].name_ns != 0;
  }
  int64_t *keys = pd_xmalloc(s->ncols * sizeof *keys);
  if (s->opts.order_mtime) s->rule = PD_ORDER_MTIME;
  else if (all_own) s->rule = PD_ORDER_TIME_NANOS;
  else if (all_name) s->rule = PD_ORDER_FILE_NAME;
  else s->rule = PD_ORDER_ARGUMENT;
  for (uint32_t i = 0; i < s->ncols; i++) {
    const pd_snapinfo *si = &s->snap[i];
    keys[i] = s->rule == PD_ORDER_TIME_NANOS ? si->time_ns
              : s->rule == PD_ORDER_FILE_NAME ? si->name_ns
              : s->rule == PD_ORDER_MTIME     ? si->mtime_ns
                                              : (int64_t)i;
  }
  S_sort_series = s;
  S_sort_keys = keys;
  if (!base_in_series) qsort(s->order, n, sizeof *s->order, S_by_time);
  s->has_times = s->rule != PD_ORDER_ARGUMENT;
  for (uint32_t p = 1; p < n; p++) {
    if (s->rule != PD_ORDER_ARGUMENT && keys[s->order[p]] == keys[s->order[p - 1]])
      pd_series_warn(s, "%s and %s have the same time (%s); they keep their argument order",
                     s->snap[s->order[p - 1]].path, s->snap[s->order[p]].path,
                     pd_order_rule_name(s->rule));
  }
  if (s->has_times && keys[s->order[n - 1]] == keys[s->order[0]]) {
    pd_series_warn(s, "all snapshots have the same time; slopes are per snapshot, not per hour");
    s->has_times = 0;
  }
  for (uint32_t p = 0; p < n; p++)
    s->t[p] = s->has_times ? (double)(keys[s->order[p]] - keys[s->order[0]]) / 3600e9 : (double)p;
  if (!all_own && all_name == 0 && s->rule == PD_ORDER_ARGUMENT)
    pd_series_warn(s, "not every snapshot has a time of its own or in its file name: using argument order, slopes are per snapshot");
  if (s->rule == PD_ORDER_MTIME)
    pd_series_warn(s, "ordered by modification time (--order mtime), which copies and checkouts change");
  free(keys);
  return PD_OK;
}

/* Different sampling periods: values that count samples are scaled to the
 * first snapshot's period; values already in the period's unit (bytes,
 * nanoseconds) are absolute and only their noise differs. */
static void S_scale_periods(pd_series *s) {
  const pd_snapinfo *ref = &s->snap[s->order[0]];
  for (uint32_t c = 0; c < s->ncols; c++) {
    pd_snapinfo *si = &s->snap[c];
    if (!si->added || si->period == ref->period || si->period <= 0 || ref->period <= 0) continue;
    int counts = strcmp(si->unit, "count") == 0 && strcmp(si->period_unit, "count") != 0;
    if (!counts) {
      pd_series_warn(s, "%s: sampling period %.0f %s differs from %.0f; its values are absolute, only their noise differs",
                     si->path, si->period, si->period_unit, ref->period);
      continue;
    }
    si->scale = si->period / ref->period;
    s->scaled = 1;
    pd_series_warn(s, "%s: sampling period %.0f %s differs from %.0f; its sample counts were scaled by %g",
                   si->path, si->period, si->period_unit, ref->period, si->scale);
    si->total = (double)si->total * si->scale; /* as S_rows scales values */
    si->total_var *= si->scale * si->scale;
  }
}

/* A reset is a sharp drop of the total (restart, cache cleared): the series
 * is cut there, and trends are judged within the last segment. */
static void S_segments(pd_series *s) {
  uint32_t n = s->npos;
  s->total = pd_xmalloc(n * sizeof *s->total);
  s->total_sigma = pd_xmalloc(n * sizeof *s->total_sigma);
  for (uint32_t p = 0; p < n; p++) {
    s->total[p] = s->snap[s->order[p]].total;
    s->total_sigma[p] = sqrt(s->snap[s->order[p]].total_var);
  }
  s->segs = pd_xmalloc(n * sizeof *s->segs);
  s->nsegs = 0;
  uint32_t start = 0;
  for (uint32_t p = 1; p < n && n >= 3; p++) {
    double drop = s->total[p - 1] - s->total[p];
    double noise = s->opts.noise_z * hypot(s->total_sigma[p - 1], s->total_sigma[p]);
    if (s->total[p] < (1 - s->opts.reset_drop) * s->total[p - 1] && drop > noise) {
      s->segs[s->nsegs++] = (pd_segment){start, p - 1};
      start = p;
    }
  }
  s->segs[s->nsegs++] = (pd_segment){start, n - 1};
  /* the analysis window: the last segment long enough for a trend */
  s->win_first = 0;
  s->win_last = n - 1;
  if (s->nsegs > 1) {
    for (uint32_t i = s->nsegs; i-- > 0;) {
      if (s->segs[i].last - s->segs[i].first + 1 >= 3) {
        s->win_first = s->segs[i].first;
        s->win_last = s->segs[i].last;
        break;
      }
    }
    if (s->win_first != s->segs[s->nsegs - 1].first)
      pd_series_warn(s, "the last %u snapshot(s) follow a reset and are too few for a trend; trends are judged on the segment before",
                     s->segs[s->nsegs - 1].last - s->segs[s->nsegs - 1].first + 1);
  }
}

/* ---- per-function figures ------------------------------------------------------- */

/* The sampling variance of a change between two values: Var(a) + Var(b).
 * Whether the objects sampled in a are still those in b is not in their
 * in-use values: under churn every object may have been replaced, and
 * then the two values are independent draws (docs/analysis.md, section
 * 4). The trend verdicts read it from the allocations of one process's
 * snapshots (S_alloc_check, trend.c); a pair's before and after may be
 * two runs, so its delta keeps this. */
static double S_dvar(double va, double vb) { return va + vb; }

typedef struct {
  double *x, *y, *var, *av, *scratch;
  pd_val *cf, *cc; /* a function's flat and cum values by column */
  float *cv;       /* and its flat variances */
  double *cav;     /* and the variances of its cumulative allocations */
  double *cnf;     /* and its never-freed part (analyse.h) */
  float *cnfv;     /* with its variances */
  double *nf, *nfv; /* the same by position */
  pd_arena *arena; /* reasons and segment figures */
} S_work;

static void S_work_init(S_work *w, const pd_series *s, pd_arena *arena) {
  size_t n = s->npos, nc = s->ncols ? s->ncols : 1;
  w->x = pd_xmalloc(n * sizeof *w->x);
  w->y = pd_xmalloc(n * sizeof *w->y);
  w->var = pd_xmalloc(n * sizeof *w->var);
  w->av = pd_xmalloc(n * sizeof *w->av);
  w->scratch = pd_xmalloc(pd_trend_scratch(n) * sizeof *w->scratch);
  w->cf = pd_xmalloc(nc * sizeof *w->cf);
  w->cc = pd_xmalloc(nc * sizeof *w->cc);
  w->cv = pd_xmalloc(nc * sizeof *w->cv);
  w->cav = pd_xmalloc(nc * sizeof *w->cav);
  w->cnf = pd_xmalloc(nc * sizeof *w->cnf);
  w->cnfv = pd_xmalloc(nc * sizeof *w->cnfv);
  w->nf = pd_xmalloc(n * sizeof *w->nf);
  w->nfv = pd_xmalloc(n * sizeof *w->nfv);
  memcpy(w->x, s->t, n * sizeof *w->x);
  w->arena = arena;
}

static void S_work_free(S_work *w) {
  free(w->x);
  free(w->y);
  free(w->var);
  free(w->av);
  free(w->scratch);
  free(w->cf);
  free(w->cc);
  free(w->cv);
  free(w->cav);
  free(w->cnf);
  free(w->cnfv);
  free(w->nf);
  free(w->nfv);
}

static double S_share(double v, double total) { return total != 0 ? v / total * 100 : 0; }

/* Fills y with a function's flat (or cum) values over all positions, and
 * var with the flat values' variances, from its columns (w->cf, cc, cv):
 * trends and noise bands are judged on flat values; cum ones only get a
 * slope. */
static void S_values(const pd_series *s, int cum, S_work *w) {
  for (uint32_t p = 0; p < s->npos; p++) {
    uint32_t c = s->order[p];
    w->y[p] = cum ? w->cc[c] : w->cf[c];
    w->var[p] = w->cv[c];
    w->av[p] = w->cav[c];
  }
}

/* Whether positions [a, b] of w carry allocations: not for a function
 * too small for them to matter (S_alloc_cutoff) or without any. */
static int S_has_avar(const S_work *w, uint32_t a, uint32_t b) {
  for (uint32_t p = a; p <= b; p++)
    if (w->av[p] != 0) return 1;
  return 0;
}

/* Whether the window's cumulative allocations are one process's for
 * every function (pd_trend_alloc_consistent), so that the verdicts may
 * read persistence from them: snapshots of different processes, where
 * a function's allocations fall or its value's variance rises by more
 * than theirs at some step, make it 0 for all. One pass over the rows. */
static int S_alloc_check(const pd_series *s, S_work *w) {
  uint32_t a = s->win_first, b = s->win_last;
  for (uint32_t p = a; p <= b; p++)
    if (!s->snap[s->order[p]].has_alloc) return 0;
  for (uint32_t k = 0; k < s->rows; k++) {
    if (!s->seen[k]) continue;
    pd_series_columns(s, k, w->cf, w->cc, w->cv, w->cav);
    S_values(s, 0, w);
    if (S_has_avar(w, a, b) && !pd_trend_alloc_consistent(w->y + a, w->var + a, w->av + a, b - a + 1)) return 0;
  }
  return 1;
}

/* parts this short are judged without Mann-Kendall (trend.c), so their
 * certainty does not discount their score */
#define S_SHORT_PART 5

static void S_params(const pd_series *s, double material, pd_trend_params *p) {
  p->noise_z = s->opts.noise_z;
  p->alpha = s->opts.alpha;
  p->floor_function = s->opts.floor_function;
  p->floor_total = s->opts.floor_total;
  p->material = material;
  p->break_f = s->opts.break_f;
}

/* The verdict on positions [a, b] of w (trend.c); r's positions are
 * window-relative. A function's (with_total) reads its allocations within
 * the window when they are one process's (S_alloc_check); the total's
 * variances are not kept for that. */
static pd_trend S_trend(const pd_series *s, S_work *w, uint32_t a, uint32_t b, double material, int with_total,
                        pd_trend_result *r) {
  pd_trend_params p;
  S_params(s, material, &p);
  int alloc = with_total && s->alloc_ok && a >= s->win_first && b <= s->win_last && S_has_avar(w, a, b);
  return pd_trend_judge(w->x + a, w->y + a, w->var + a, alloc ? w->av + a : NULL, with_total ? s->total + a : NULL,
                        b - a + 1, &p, w->scratch, r);
}

/* The funcstats figures of a verdict on the window. */
static void S_take(pd_funcstats *f, const pd_trend_result *r, uint32_t a) {
  f->trend = r->trend;
  f->theil_sen = r->theil_sen;
  f->mk = r->mk;
  f->mk_factor = r->mk_factor;
  f->rising_steps = r->rising;
  f->steps = r->steps;
  f->since = (int32_t)(a + r->since);
  f->has_break = r->has_break;
  f->by_counts = r->by_counts;
  f->break_p = r->break_p;
  f->first_arrival = r->first_arrival;
  f->against = r->against;
  f->rate = r->rate;
  f->rate_before = r->rate_before;
  f->change = r->change;
  f->threshold = r->threshold;
  f->noise_band = r->noise_band;
  f->floor = r->floor;
  f->held_change = r->held_change;
  f->held_band = r->held_band;
  f->part = r->part;
  f->part_by_counts = r->part_by_counts;
  f->part_change = r->part_change;
  f->part_threshold = r->part_threshold;
  f->part_objects = r->part_objects;
  f->part_p = r->part_p;
}

/* A function stable or a plateau on its whole values whose never-freed
 * part grows to the end (trend.c, pd_trend_judge_part): a leak allocated
 * by a function that also churns, whose churn hides it or makes its
 * recent part look flat within the whole's wider band. Only with the
 * window's allocations (one process's). */
static void S_part_trend(const pd_series *s, S_work *w, uint32_t a, uint32_t b, double material,
                         pd_trend_result *tr) {
  if ((tr->trend != PD_TREND_STABLE && tr->trend != PD_TREND_PLATEAU) || b < a + 5 || !s->alloc_ok ||
      !S_has_avar(w, a, b))
    return;
  int any = 0;
  for (uint32_t p = 0; p < s->npos; p++) {
    uint32_t c = s->order[p];
    w->nf[p] = w->cnf[c];
    w->nfv[p] = w->cnfv[c];
    any |= w->nf[p] != 0 && w->nf[p] != w->y[p];
  }
  if (!any) return;
  pd_trend_params p;
  S_params(s, material, &p);
  pd_trend_result pr;
  if (pd_trend_judge_part(w->x + a, w->y + a, w->nf + a, w->nfv + a, s->total + a, b - a + 1, &p, w->scratch, &pr)) {
    double ts = tr->theil_sen;
    *tr = pr;
    tr->theil_sen = ts;
  }
}

static void S_function(pd_series *s, uint32_t key, pd_funcstats *f, S_work *w) {
  memset(f, 0, sizeof *f);
  f->key = key;
  uint32_t a = s->win_first, b = s->win_last;
  double tot_first = s->snap[s->first_col].total, tot_last = s->snap[s->last_col].total;
  double material = s->opts.materiality * fmax(fabs(tot_first), fabs(tot_last));
  pd_series_columns_nf(s, key, w->cf, w->cc, w->cv, w->cav, w->cnf, w->cnfv);
  /* deltas: last snapshot against the first (or the base) */
  f->first = w->cf[s->first_col];
  f->last = w->cf[s->last_col];
  f->delta = f->last - f->first;
  f->delta_pct = f->first != 0 ? (double)f->delta / fabs((double)f->first) * 100 : NAN;
  f->delta_sigma = sqrt(S_dvar(w->cv[s->first_col], w->cv[s->last_col]));
  f->significant = fabsl(f->delta) > fmax(s->opts.noise_z * f->delta_sigma, material);
  f->first_cum = w->cc[s->first_col];
  f->last_cum = w->cc[s->last_col];
  f->delta_cum = f->last_cum - f->first_cum;
  f->delta_cum_pct = f->first_cum != 0 ? (double)f->delta_cum / fabs((double)f->first_cum) * 100 : NAN;
  f->share_first = S_share(f->first, tot_first);
  f->share_last = S_share(f->last, tot_last);
  f->share_shift = f->share_last - f->share_first;
  f->share_cum_first = S_share(f->first_cum, tot_first);
  f->share_cum_last = S_share(f->last_cum, tot_last);

  S_values(s, 1, w);
  f->fit_cum = pd_least_squares(w->x + a, w->y + a, b - a + 1);
  S_values(s, 0, w);
  f->fit = pd_least_squares(w->x + a, w->y + a, b - a + 1);
  f->fit_all = pd_least_squares(w->x, w->y, s->npos);
  pd_trend_result tr;
  S_trend(s, w, a, b, material, 1, &tr);
  S_part_trend(s, w, a, b, material, &tr);
  S_take(f, &tr, a);
  int pair = s->npos == 2 || b - a + 1 < 3;
  if (pair) {
    /* a pair (before/after): the change against its noise is all there is;
     * no slope, no trend test */
    f->trend = !f->significant ? PD_TREND_STABLE : f->delta > 0 ? PD_TREND_GROWING : PD_TREND_SHRINKING;
    f->rate = f->rate_before = NAN;
    f->since = (int32_t)a;
    f->has_break = f->by_counts = f->first_arrival = f->part = 0;
    f->change = f->delta;
    f->threshold = fmax(s->opts.noise_z * f->delta_sigma, material);
  }
  /* new and gone: absent at one end, and consistently so for the first (or
   * last) third of the series, so that a function that merely drops to zero
   * at each reset of a sawtooth is not called new */
  if (f->significant && (pair || (f->trend != PD_TREND_GROWING && f->trend != PD_TREND_PLATEAU))) {
    uint32_t third = (s->npos + 2) / 3;
    int absent_early = f->first == 0, absent_late = f->last == 0;
    for (uint32_t p = 0; p < third && !s->has_base; p++) absent_early &= w->y[p] == 0;
    for (uint32_t p = s->npos - third; p < s->npos; p++) absent_late &= w->y[p] == 0;
    if (absent_early && f->last != 0) f->trend = PD_TREND_NEW;
    else if (absent_late && f->first != 0) f->trend = PD_TREND_GONE;
  }
  f->plateau_since = -1;
  if (f->trend == PD_TREND_PLATEAU) {
    int32_t k = f->since;
    f->plateau_since = k;
    f->plateau_change_pct = w->y[k] != 0 ? (w->y[b] - w->y[k]) / fabs(w->y[k]) * 100 : 0;
    f->plateau_share_from = S_share(w->y[k], s->total[k]);
    f->plateau_share_to = S_share(w->y[b], s->total[b]);
  }
  f->segs = pd_arena_alloc(w->arena, s->nsegs * sizeof *f->segs);
  for (uint32_t i = 0; i < s->nsegs; i++) {
    pd_segstats *g = &f->segs[i];
    uint32_t sa = s->segs[i].first, sb = s->segs[i].last;
    pd_fit fit = pd_least_squares(w->x + sa, w->y + sa, sb - sa + 1);
    g->slope = fit.slope;
    g->r2 = fit.r2;
    pd_trend_result sr;
    if (sa == a && sb == b) sr = tr; /* the window itself: judged above */
    else S_trend(s, w, sa, sb, material, 1, &sr);
    g->trend = sr.trend;
    g->theil_sen = sr.theil_sen;
  }
  /* suspects: the current rate, discounted when the test is not sure */
  if (f->trend == PD_TREND_GROWING)
    f->score = pair ? f->delta
                    : f->rate * fmin(1.0, fabs(f->mk.z) / 3.0 + (f->steps < S_SHORT_PART || f->by_counts ? 1 : 0));
  pd_series_reason(s, f, w->y, w->arena);
}

static const pd_series *S_rank_series;

static int S_by_score(const void *a, const void *b) {
  const pd_funcstats *x = &S_rank_series->fs[*(const uint32_t *)a];
  const pd_funcstats *y = &S_rank_series->fs[*(const uint32_t *)b];
  if (x->score != y->score) return x->score > y->score ? -1 : 1;
  /* key ids depend on which thread read what first: break ties by name so
   * that the same inputs always give the same report */
  return pd_intern_cmp(&S_rank_series->keys, x->key, y->key);
}

/* ---- the shared tree ---------------------------------------------------------------- */

/* The node of `tree` for shared node u, made (with its ancestors, root side
 * first, without recursion: stacks can be 100,000 deep) on first use.
 * Snapshots are read in column order, so the tree's ids are the same
 * whichever thread merged which snapshot first. */
static uint32_t S_canon(pd_series *s, uint32_t *canon, pd_vec *chain, uint32_t u) {
  if (canon[u] != PD_NONE) return canon[u];
  chain->n = 0;
  for (uint32_t a = u; canon[a] == PD_NONE; a = s->nodes.parent[a]) *(uint32_t *)pd_vec_push(chain) = a;
  for (size_t i = chain->n; i-- > 0;) {
    uint32_t b = PD_VEC_AT(chain, uint32_t, i);
    canon[b] = pd_tree_child(&s->tree, canon[s->nodes.parent[b]], s->nodes.key[b]);
  }
  return canon[u];
}

void pd_series_tree(pd_series *s) {
  if (s->tree.n) return; /* built */
  /* at most a node for each of the shared structure's, sized once: grown
   * from 4,096 it left each smaller copy of its eight columns behind */
  pd_tree_init(&s->tree, PD_SERIES_TREE_COLS, (size_t)s->nodes.n + 1);
  uint32_t *canon = pd_xmalloc(((size_t)s->nodes.n + 1) * sizeof *canon);
  for (uint32_t i = 0; i < s->nodes.n; i++) canon[i] = PD_NONE;
  canon[0] = 0;
  pd_vec chain;
  pd_vec_init(&chain, sizeof(uint32_t));
  uint32_t *pos_of = pd_xmalloc(s->ncols * sizeof *pos_of);
  for (uint32_t c = 0; c < s->ncols; c++) pos_of[c] = UINT32_MAX;
  for (uint32_t p = 0; p < s->npos; p++) pos_of[s->order[p]] = p;
  /* The growth graph shows the verdict's rate: a node's own value counts
   * from its function's current part on (since), and only when that
   * function is growing or shrinking (docs/analysis.md, section 8). from[key]
   * is the first position that counts, UINT32_MAX for none; ends[key]: the
   * function's rate is the slope between the two ends of that part (a rate
   * of sampled counts, trend.c), not the least-squares one. */
  uint32_t *from = pd_xmalloc(((size_t)s->rows + 1) * sizeof *from);
  uint8_t *ends = pd_xmalloc((size_t)s->rows + 1);
  for (uint32_t k = 0; k <= s->rows; k++) from[k] = UINT32_MAX, ends[k] = 0;
  for (uint32_t i = 0; i < s->nfs; i++) {
    const pd_funcstats *f = &s->fs[i];
    if (f->key < s->rows && (f->trend == PD_TREND_GROWING || f->trend == PD_TREND_SHRINKING) && !isnan(f->rate))
      from[f->key] = (uint32_t)f->since, ends[f->key] = (uint8_t)f->by_counts;
  }
  for (uint32_t c = 0; c < s->ncols; c++) {
    pd_snapinfo *si = &s->snap[c];
    if (!si->has_tree) continue;
    int first = (int32_t)c == s->first_col, last = (int32_t)c == s->last_col;
    int base = s->has_base && c == s->n;
    uint32_t p = pos_of[c];
    int in_window = p != UINT32_MAX && p >= s->win_first && p <= s->win_last;
    if (si->tree_spilled && S_unspill(s, si->tree_off, si->tree_spilled, &si->tree) != PD_OK) si->tree.len = 0;
    const uint8_t *packed = (const uint8_t *)si->tree.data;
    if (!si->tree.len) { /* unreadable spill: the snapshot adds nothing */
      pd_buf_free(&si->tree);
      si->has_tree = 0;
      continue;
    }
    for (int pass = 0; pass < 2; pass++) {
      uint32_t n = pass ? si->tree_ncut : si->tree_nself, node = 0;
      for (uint32_t i = 0; i < n; i++) {
        pd_val raw;
        S_next_node(&packed, &node, &raw);
        uint32_t m = S_canon(s, canon, &chain, node);
        pd_val v = si->scale == 1 ? raw : (double)raw * si->scale;
        if (pass) { /* the part of the node's own value cut from lighter frames */
          if (first) s->tree.col[PD_SCOL_CUT_FIRST][m] += v;
          if (last) s->tree.col[PD_SCOL_CUT_LAST][m] += v;
          if (base) s->tree.col[PD_SCOL_CUT_BASE][m] += v;
          continue;
        }
        if (first) s->tree.col[PD_SCOL_FIRST][m] += v;
        if (last) s->tree.col[PD_SCOL_LAST][m] += v;
        if (base) s->tree.col[PD_SCOL_BASE][m] += v;
        uint32_t key = s->tree.key[m], since = key < s->rows ? from[key] : UINT32_MAX;
        if (in_window && since != UINT32_MAX && ends[key]) {
          if (p == since) s->tree.col[PD_SCOL_SLOPE][m] -= v;
          if (p == s->win_last) s->tree.col[PD_SCOL_SLOPE][m] += v;
        } else if (in_window && since != UINT32_MAX && p >= since) {
          s->tree.col[PD_SCOL_SLOPE][m] += v;
          s->tree.col[PD_SCOL_STY][m] += v * s->t[p];
        }
      }
    }
    pd_buf_free(&si->tree);
    si->has_tree = 0;
  }
  free(canon);
  pd_vec_free(&chain);
  if (s->nodes.n) pd_tree_free(&s->nodes);
  memset(&s->nodes, 0, sizeof s->nodes);
  /* each node's own least-squares slope over its function's current part
   * [since, win_last] (from sums over positions that count), then a
   * frame's rate is the sum of its subtree's: rates add up */
  uint32_t nwin = s->win_last - s->win_first + 1;
  double *st = pd_xmalloc(((size_t)nwin + 1) * sizeof *st), *st2 = pd_xmalloc(((size_t)nwin + 1) * sizeof *st2);
  st[nwin] = st2[nwin] = 0; /* suffix sums: [i] over positions win_first + i .. win_last */
  for (uint32_t i = nwin; i-- > 0;) {
    double t = s->t[s->win_first + i];
    st[i] = st[i + 1] + t;
    st2[i] = st2[i + 1] + t * t;
  }
  for (uint32_t i = 0; i < s->tree.n; i++) {
    uint32_t key = s->tree.key[i], since = key < s->rows ? from[key] : UINT32_MAX;
    double sy = s->tree.col[PD_SCOL_SLOPE][i], sty = s->tree.col[PD_SCOL_STY][i], slope = 0;
    if (since != UINT32_MAX && ends[key]) { /* last - first of the part over its duration */
      double dt = s->t[s->win_last] - s->t[since];
      slope = dt > 0 ? sy / dt : 0;
    } else if (since != UINT32_MAX && since >= s->win_first && since <= s->win_last) {
      uint32_t j = since - s->win_first;
      double nw = nwin - j, den = nw * st2[j] - st[j] * st[j];
      slope = den != 0 ? (nw * sty - st[j] * sy) / den : 0;
    }
    s->tree.col[PD_SCOL_STY][i] = slope;
  }
  pd_tree_sum(&s->tree, PD_SCOL_STY, s->tree.col[PD_SCOL_SLOPE]);
  free(st);
  free(st2);
  free(from);
  free(ends);
  free(pos_of);
}

/* The functions, for the threads of pd_series_finish: each takes the next
 * S_CHUNK of them until none is left. Functions cost very different times
 * (one far below the floor skips the break search, trend.c), so halves
 * fixed in advance left one thread waiting for the other; which thread
 * judges a function changes nothing in its figures. */
typedef struct {
  pd_series *s;
  const uint32_t *keys;
  pd_arena *arena; /* the thread's, for reasons and segment figures */
  uint32_t *next;  /* shared, under s->lock */
} S_part;

/* Functions x snapshots from which two threads pay for themselves. */
#define S_SPLIT_MIN 50000
#define S_CHUNK 64

static void *S_functions(void *arg) {
  S_part *part = arg;
  pd_series *s = part->s;
  S_work w;
  S_work_init(&w, s, part->arena);
  for (;;) {
    pthread_mutex_lock(&s->lock);
    uint32_t from = *part->next, to = from + S_CHUNK < s->nfs ? from + S_CHUNK : s->nfs;
    *part->next = to;
    pthread_mutex_unlock(&s->lock);
    if (from >= to) break;
    for (uint32_t i = from; i < to; i++) S_function(s, part->keys[i], &s->fs[i], &w);
  }
  S_work_free(&w);
  return NULL;
}

/* ---- finish ---------------------------------------------------------------------------- */

int pd_series_finish(pd_series *s, pd_err *err) {
  if (S_order(s, err) != PD_OK) return PD_ERR;
  S_scale_periods(s);
  S_segments(s); /* from the totals: the window decides which rows keep allocations */
  S_rows(s);
  s->first_col = s->has_base ? (int32_t)s->n : (int32_t)s->order[0];
  s->last_col = (int32_t)s->order[s->npos - 1];
  if (s->has_base && !s->snap[s->n].added)
    return pd_fail(err, "the --base profile could not be read");

  S_work w;
  size_t n = s->npos;
  S_work_init(&w, s, &s->arena);
  s->alloc_ok = n >= 3 && S_alloc_check(s, &w);

  /* the total, analysed like a function */
  {
    pd_funcstats *f = &s->total_stats;
    memset(f, 0, sizeof *f);
    for (uint32_t p = 0; p < n; p++) {
      w.y[p] = s->total[p];
      w.var[p] = s->total_sigma[p] * s->total_sigma[p];
    }
    f->first = s->snap[s->first_col].total;
    f->last = s->snap[s->last_col].total;
    f->delta = f->last - f->first;
    f->delta_pct = f->first != 0 ? (double)f->delta / fabs((double)f->first) * 100 : NAN;
    f->delta_sigma = sqrt(S_dvar(s->snap[s->first_col].total_var, s->snap[s->last_col].total_var));
    f->fit = pd_least_squares(w.x + s->win_first, w.y + s->win_first, s->win_last - s->win_first + 1);
    f->fit_all = pd_least_squares(w.x, w.y, n);
    pd_trend_result tr;
    S_trend(s, &w, s->win_first, s->win_last, 0, 0, &tr);
    S_take(f, &tr, s->win_first);
    f->significant = fabsl(f->delta) > s->opts.noise_z * f->delta_sigma;
    if (n == 2)
      f->trend = !f->significant ? PD_TREND_STABLE : f->delta > 0 ? PD_TREND_GROWING : PD_TREND_SHRINKING;
    f->share_first = f->share_last = 100;
    f->segs = pd_arena_alloc(&s->arena, s->nsegs * sizeof *f->segs);
    for (uint32_t i = 0; i < s->nsegs; i++) {
      uint32_t sa = s->segs[i].first, sb = s->segs[i].last;
      pd_fit fit = pd_least_squares(w.x + sa, w.y + sa, sb - sa + 1);
      f->segs[i].slope = fit.slope;
      f->segs[i].r2 = fit.r2;
      pd_trend_result sr;
      if (sa == s->win_first && sb == s->win_last) sr = tr; /* the window itself: judged above */
      else S_trend(s, &w, sa, sb, 0, 0, &sr);
      f->segs[i].trend = sr.trend;
      f->segs[i].theil_sen = sr.theil_sen;
    }
  }

  /* every function with a value somewhere; each one's figures depend on
   * its own values only, so a large series splits them between two
   * threads (the second writes its strings into an arena of its own) */
  uint32_t *keys = pd_xmalloc((s->rows ? s->rows : 1) * sizeof *keys);
  s->nfs = 0;
  for (uint32_t k = 0; k < s->rows; k++) {
    /* a row holds the columns where flat or cum is not 0 */
    if (s->seen[k] || s->row_at[k + 1] > s->row_at[k]) keys[s->nfs++] = k;
  }
  s->fs = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *s->fs);
  S_work_free(&w);
  uint32_t next = 0;
  S_part first = {s, keys, &s->arena, &next}, second = {s, keys, &s->arena2, &next};
  pthread_t tid;
  int split = (size_t)s->nfs * s->npos >= S_SPLIT_MIN && pthread_create(&tid, NULL, S_functions, &second) == 0;
  S_functions(&first);
  if (split) pthread_join(tid, NULL);
  free(keys);

  s->suspects = pd_xmalloc((s->nfs ? s->nfs : 1) * sizeof *s->suspects);
  for (uint32_t i = 0; i < s->nfs; i++)
    if (s->fs[i].trend == PD_TREND_GROWING && s->fs[i].score > 0) s->suspects[s->nsuspects++] = i;
  S_rank_series = s;
  qsort(s->suspects, s->nsuspects, sizeof *s->suspects, S_by_score);

  if (!s->opts.defer_tree) pd_series_tree(s);
  return PD_OK;
}
