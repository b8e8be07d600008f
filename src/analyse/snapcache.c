/* snapcache.c: reduced snapshots kept on disk (`report --cache DIR`).
 *
 * A nightly report re-reads a thousand dumps of which one is new; what it
 * needs of each is its reduced snapshot (per-function figures, the pruned
 * tree, a few scalars), a few hundred KB instead of megabytes to inflate
 * and parse. An entry is named by the input's content hash and a hash of
 * every option that changes the reduction, and holds both again in full,
 * so a collision of names or a stale entry is a miss. Its key ids are
 * written as strings (ids belong to one run's key table) and each entry
 * ends with a checksum of the rest: a torn, truncated or altered entry is
 * a miss too, and the input is read as if there were no cache. Entries
 * are written atomically (temporary file, rename), so runs can share DIR.
 */
#include "analyse.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <math.h>
#include <zlib.h>

#define S_MAGIC "PDSNAP\0"
#define S_VERSION 5u
/* Different seeds make the two halves of the 128-bit content hash
 * independent; the hash is not cryptographic (see docs/nightly.md). */
#define S_SEED1 0x7064736e61703031ULL
#define S_SEED2 0x9b05688c2b3e6c1fULL

void pd_cache_content_hash(const uint8_t *data, size_t len, uint64_t out[2]) {
  out[0] = pd_hash_seeded(data, len, S_SEED1);
  out[1] = pd_hash_seeded(data, len, S_SEED2) ^ (uint64_t)crc32(0, data, (uInt)(len > 0xffffffffu ? 0 : len));
}

void pd_cache_entry_path(pd_buf *out, const char *dir, const uint64_t content[2], const char *opts_key) {
  uint64_t oh = pd_hash_seeded(opts_key, strlen(opts_key), S_SEED1);
  pd_buf_printf(out, "%s/%016llx%016llx-%016llx.pdsnap", dir, (unsigned long long)content[0],
                (unsigned long long)content[1], (unsigned long long)oh);
}

/* ---- the content hash of an input, remembered by its inode ------------------------
 *
 * Hashing every input's content on every run reads them all (a thousand
 * 5.5 MB dumps are 5.5 GB, most of a re-run's time). So the hash of a file
 * is remembered in DIR/<hash of the tuple>.pdstat, keyed by its device,
 * inode, size, modification and status-change times: while all five are
 * the same the file has not been written, and its content hash is the
 * one remembered. ctime is the safety: any write, truncation, rename or
 * utimensat moves it to the current time, and no call sets it back. A memo
 * is only written when the file's times are over S_RACY_NS old and the
 * tuple is the same after hashing as before (a file written during the
 * timestamp tick of its hashing could otherwise change unseen: git's
 * "racily clean" entries). The entry itself is still named and checked by
 * the content hash (docs/report.md, Caching). */

#define S_STAT_MAGIC "PDSTAT\0"
#define S_RACY_NS 2000000000LL

static int64_t S_ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static void S_stat_tuple(const struct stat *st, uint64_t t[5]) {
  t[0] = (uint64_t)st->st_dev;
  t[1] = (uint64_t)st->st_ino;
  t[2] = (uint64_t)st->st_size;
  t[3] = (uint64_t)S_ns(st->st_mtim);
  t[4] = (uint64_t)S_ns(st->st_ctim);
}

static void S_memo_path(pd_buf *out, const char *dir, const uint64_t t[5]) {
  pd_buf_printf(out, "%s/%016llx.pdstat", dir, (unsigned long long)pd_hash_seeded(t, 5 * sizeof *t, S_SEED1));
}

int pd_cache_input_hash(const char *dir, const char *path, size_t max_input, uint64_t content[2]) {
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return PD_ERR; /* the reader says why */
  uint64_t t[5], memo[9];
  S_stat_tuple(&st, t);
  pd_buf mp = PD_BUF_INIT;
  S_memo_path(&mp, dir, t);
  uint8_t *data;
  size_t len;
  pd_err e2;
  int rc = PD_ERR;
  if (pd_read_file(mp.data, 4096, &data, &len, &e2) == PD_OK) {
    /* magic, the tuple, the content hash, a checksum of them */
    if (len == 8 + sizeof memo && memcmp(data, S_STAT_MAGIC, 8) == 0) {
      memcpy(memo, data + 8, sizeof memo);
      if (memcmp(memo, t, sizeof t) == 0 && memo[8] == pd_hash_seeded(memo, 8 * sizeof *memo, S_SEED2)) {
        content[0] = memo[5];
        content[1] = memo[6];
        rc = PD_OK;
      }
    }
    pd_file_release(data);
    if (rc == PD_OK) utimensat(AT_FDCWD, mp.data, NULL, 0); /* used: kept by the eviction */
  }
  if (rc != PD_OK && pd_read_file(path, max_input, &data, &len, &e2) == PD_OK) {
    pd_cache_content_hash(data, len, content);
    pd_file_release(data);
    rc = PD_OK;
    struct stat after;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t t2[5];
    if (stat(path, &after) == 0) {
      S_stat_tuple(&after, t2);
      int64_t newest = S_ns(after.st_ctim) > S_ns(after.st_mtim) ? S_ns(after.st_ctim) : S_ns(after.st_mtim);
      if (memcmp(t, t2, sizeof t) == 0 && S_ns(now) - newest > S_RACY_NS) {
        memcpy(memo, t, sizeof t);
        memo[5] = content[0];
        memo[6] = content[1];
        memo[7] = 0;
        memo[8] = pd_hash_seeded(memo, 8 * sizeof *memo, S_SEED2);
        uint8_t out[8 + sizeof memo];
        memcpy(out, S_STAT_MAGIC, 8);
        memcpy(out + 8, memo, sizeof memo);
        (void)pd_write_file_atomic(mp.data, out, sizeof out, &e2); /* a memo not written costs a hash */
      }
    }
  }
  pd_buf_free(&mp);
  return rc;
}

/* ---- the entry's numbers -----------------------------------------------------
 *
 * Format 1 wrote every figure as 8 bytes and every name plainly: 3.3 MB
 * for a large profile (30,000 functions, a 45,000-node tree), so a
 * 1,000-dump cache was 3.3 GB and the default bound held 300 of them.
 * Format 2 writes numbers by kind (nothing for zero, a zigzag varint for a
 * whole number, 8 bytes otherwise, nothing for "same as" another figure
 * of the record), nodes as steps to their parent, and the names front-coded
 * (the bytes shared with the name before) and deflated: about 0.8 MB. Kinds
 * are exact: a negative zero, a NaN or anything not whole is written as
 * its bytes, so every figure reads back with the bits it was written
 * with. Format 3: values (pd_val, long double) that are not whole or
 * past 2^63 take their 10 significant bytes, other figures (variances)
 * stay doubles of 8. Format 4: with the variances of each function's
 * cumulative allocations (analyse.h). */

enum { S_ZERO = 0, S_INT = 1, S_RAW = 2, S_SAME = 3 };

static int S_kind(pd_val v) {
  if (v == 0 && !signbit(v)) return S_ZERO;
  return pd_val_is_int64(v) && v != 0 ? S_INT : S_RAW;
}

/* v's kind, or S_SAME when it is like, sign and all (a NaN never is) */
static int S_kind_or_same(pd_val v, pd_val like) {
  return v == like && signbit(v) == signbit(like) ? S_SAME : S_kind(v);
}

static uint64_t S_zigzag(int64_t i) { return ((uint64_t)i << 1) ^ (uint64_t)(i >> 63); }
static int64_t S_unzigzag(uint64_t z) { return (int64_t)((z >> 1) ^ (~(z & 1) + 1)); }

static void S_u64(pd_buf *b, uint64_t v) { pd_buf_put_varint(b, v); }
static void S_f64(pd_buf *b, double v) { pd_buf_put(b, &v, sizeof v); }

/* wide: v is a value (its bytes as a long double), else a double */
static void S_num(pd_buf *b, pd_val v, int kind, int wide) {
  if (kind == S_INT) S_u64(b, S_zigzag((int64_t)v));
  else if (kind == S_RAW && wide) pd_buf_put(b, &v, PD_VAL_BYTES);
  else if (kind == S_RAW) S_f64(b, (double)v);
}

static void S_str(pd_buf *b, const char *s, size_t n) {
  S_u64(b, n);
  pd_buf_put(b, s, n);
}
static void S_cstr(pd_buf *b, const char *s) { S_str(b, s ? s : "", s ? strlen(s) : 0); }

/* ---- writing ------------------------------------------------------------------ */

/* The names block: count, inflated length, deflated length, then deflate's
 * bytes of each name as (bytes shared with the name before, the rest's
 * length, the rest). Level 1: entries are written by a cold run, once per
 * input, and a better level saved a fifth for three times the time. */
static int S_put_names(pd_buf *out, const pd_intern *keys, const uint32_t *ids, uint32_t n) {
  pd_buf raw = PD_BUF_INIT;
  const char *prev = "";
  uint32_t plen = 0;
  for (uint32_t i = 0; i < n; i++) {
    const char *str = pd_intern_str(keys, ids[i]);
    uint32_t len = pd_intern_len(keys, ids[i]), c = 0;
    while (c < len && c < plen && str[c] == prev[c]) c++;
    S_u64(&raw, c);
    S_str(&raw, str + c, len - c);
    prev = str, plen = len;
  }
  uLongf zlen = compressBound((uLong)raw.len);
  uint8_t *z = pd_xmalloc(zlen ? zlen : 1);
  int ok = compress2(z, &zlen, (const Bytef *)(raw.data ? raw.data : ""), (uLong)raw.len, 1) == Z_OK;
  if (ok) {
    S_u64(out, n);
    S_u64(out, raw.len);
    S_u64(out, zlen);
    pd_buf_put(out, z, zlen);
  }
  free(z);
  pd_buf_free(&raw);
  return ok ? PD_OK : PD_ERR;
}

int pd_cache_encode(const pd_snapshot *s, const pd_intern *keys, void *keys_lock,
                    const uint64_t content[2], const char *opts_key, pd_buf *out) {
  if (s->nwarnings) return PD_ERR; /* warnings name the file: not kept */
  pd_buf_put(out, S_MAGIC, 8);
  S_u64(out, S_VERSION);
  S_u64(out, content[0]);
  S_u64(out, content[1]);
  S_cstr(out, opts_key);
  S_u64(out, (uint64_t)s->format);
  S_u64(out, (uint64_t)s->time_ns);
  S_u64(out, (uint64_t)s->duration_ns);
  S_cstr(out, s->sample_type);
  S_cstr(out, s->unit);
  S_cstr(out, s->period_type);
  S_cstr(out, s->period_unit);
  S_f64(out, s->period);
  S_u64(out, (uint64_t)(int64_t)s->sample_index);
  S_num(out, s->total, S_RAW, 1);
  S_f64(out, s->total_var);
  S_u64(out, s->nsamples);
  S_u64(out, s->nkept);
  S_u64(out, s->ntagfocus);
  S_u64(out, s->ntagignore);
  S_u64(out, (uint64_t)s->noise.kind);
  S_u64(out, (uint64_t)(int64_t)s->noise.space_index);
  S_u64(out, (uint64_t)(int64_t)s->noise.count_index);
  S_u64(out, (uint64_t)s->noise.value_is_count);
  S_f64(out, s->noise.rate);
  S_u64(out, (uint64_t)(int64_t)s->noise.alloc_space_index);
  S_u64(out, (uint64_t)(int64_t)s->noise.alloc_count_index);
  S_u64(out, (uint64_t)s->has_alloc);
  /* the keys this snapshot uses, in id order: a key's number in the entry
   * (its "entry id") is its place among them */
  const pd_functotals *f = &s->ft;
  uint32_t nk = f->n;
  if (s->has_tree)
    for (uint32_t i = 0; i < s->tree.n; i++)
      if (s->tree.key[i] >= nk) nk = s->tree.key[i] + 1;
  uint32_t *eid = pd_xmalloc((nk ? nk : 1) * sizeof *eid), *used = pd_xmalloc((nk ? nk : 1) * sizeof *used);
  for (uint32_t k = 0; k < nk; k++) eid[k] = PD_NONE;
  for (uint32_t k = 0; k < f->n; k++)
    if (f->k[k].seen || f->flat[k] != 0 || f->k[k].cum != 0) eid[k] = 0;
  if (s->has_tree)
    for (uint32_t i = 0; i < s->tree.n; i++) eid[s->tree.key[i]] = 0;
  uint32_t nused = 0;
  int rc = PD_OK;
  for (uint32_t k = 0; k < nk; k++)
    if (eid[k] != PD_NONE) used[nused] = k, eid[k] = nused++;
  if (keys_lock) pthread_mutex_lock(keys_lock); /* other threads grow the table */
  rc = S_put_names(out, keys, used, nused);
  if (keys_lock) pthread_mutex_unlock(keys_lock);
  /* per-function figures: entry id step and kinds in one varint (flat,
   * cum or S_SAME as flat, cum_abs or S_SAME as |cum|, the flat variance,
   * 2 bits each, then seen, the allocations' variance, the never-freed
   * part or S_SAME as flat and its variance or S_SAME as flat's), then
   * the numbers */
  uint32_t nft = 0;
  for (uint32_t k = 0; k < f->n; k++) nft += f->k[k].seen || f->flat[k] != 0 || f->k[k].cum != 0;
  S_u64(out, nft);
  uint32_t prev = 0;
  for (uint32_t k = 0; k < f->n && rc == PD_OK; k++) {
    const pd_keytotal *t = &f->k[k];
    if (!(t->seen || f->flat[k] != 0 || t->cum != 0)) continue;
    if (t->seen > 1) rc = PD_ERR; /* a flag: not what this format holds */
    pd_val flat = f->flat[k];
    double var = f->flat_var[k], avar = f->flat_avar[k], nfvar = f->flat_nfvar ? f->flat_nfvar[k] : 0;
    pd_val nf = f->flat_nf ? f->flat_nf[k] : 0;
    int fk = S_kind(flat), ck = S_kind_or_same(t->cum, flat), ak = S_kind_or_same(t->cum_abs, fabs((double)t->cum));
    int vk = S_kind(var), avk = S_kind(avar);
    int nk = S_kind_or_same(nf, flat), nvk = S_kind_or_same(nfvar, var);
    if (nk == S_SAME && fk == S_ZERO) nk = S_ZERO;
    if (nvk == S_SAME && vk == S_ZERO) nvk = S_ZERO;
    uint64_t kinds = (uint64_t)(fk | ck << 2 | ak << 4 | vk << 6) | (uint64_t)(t->seen != 0) << 8 | (uint64_t)avk << 9 |
                     (uint64_t)nk << 11 | (uint64_t)nvk << 13;
    S_u64(out, (uint64_t)(eid[k] - prev) << 15 | kinds);
    prev = eid[k];
    S_num(out, flat, fk, 1);
    if (ck != S_SAME) S_num(out, t->cum, ck, 1);
    if (ak != S_SAME) S_num(out, t->cum_abs, ak, 0);
    S_num(out, var, vk, 0);
    S_num(out, avar, avk, 0);
    if (nk != S_SAME) S_num(out, nf, nk, 1);
    if (nvk != S_SAME) S_num(out, nfvar, nvk, 0);
  }
  /* the tree: nodes in order, each after its parent: the step back to the
   * parent and the kinds of its two values (own, and cut or S_SAME as
   * own) in one varint, then its key's entry id and the numbers */
  S_u64(out, (uint64_t)s->has_tree);
  if (s->has_tree && rc == PD_OK) {
    const pd_tree *t = &s->tree;
    S_u64(out, t->n);
    for (uint32_t i = 0; i < t->n; i++) {
      pd_val self = t->col[PD_COL_SELF][i], cut = t->col[PD_COL_CUT][i];
      int sk = S_kind(self), ck = S_kind_or_same(cut, self);
      uint64_t kinds = (uint64_t)(sk | ck << 2);
      if (i) {
        S_u64(out, (uint64_t)(i - t->parent[i]) << 4 | kinds);
        S_u64(out, eid[t->key[i]]);
      } else {
        S_u64(out, kinds);
      }
      S_num(out, self, sk, 1);
      if (ck != S_SAME) S_num(out, cut, ck, 1);
    }
  }
  free(eid);
  free(used);
  if (rc != PD_OK) return PD_ERR;
  uint64_t sum = pd_hash_seeded(out->data, out->len, S_SEED2);
  pd_buf_put(out, &sum, sizeof sum);
  return PD_OK;
}

/* ---- reading ------------------------------------------------------------------ */

typedef struct {
  const uint8_t *p, *end;
  int bad;
} S_rd;

static uint64_t S_get_u64(S_rd *r) {
  uint64_t x = 0;
  for (int shift = 0; shift < 64 && r->p < r->end; shift += 7) {
    uint8_t c = *r->p++;
    x |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) return x;
  }
  r->bad = 1;
  return 0;
}

static double S_get_f64(S_rd *r) {
  double v = 0;
  if (r->end - r->p < 8) {
    r->bad = 1;
    return 0;
  }
  memcpy(&v, r->p, 8);
  r->p += 8;
  return v;
}

/* A number of kind (S_SAME: like), wide as S_num wrote it */
static pd_val S_get_num(S_rd *r, int kind, pd_val like, int wide) {
  switch (kind) {
  case S_ZERO: return 0;
  case S_INT: return (pd_val)S_unzigzag(S_get_u64(r));
  case S_RAW:
    if (!wide) return S_get_f64(r);
    if (r->end - r->p < PD_VAL_BYTES) {
      r->bad = 1;
      return 0;
    }
    pd_val v = 0;
    memcpy(&v, r->p, PD_VAL_BYTES);
    r->p += PD_VAL_BYTES;
    return v;
  default: return like;
  }
}

static const char *S_get_str(S_rd *r, size_t *n) {
  uint64_t len = S_get_u64(r);
  if (r->bad || len > (uint64_t)(r->end - r->p)) {
    r->bad = 1;
    *n = 0;
    return "";
  }
  const char *s = (const char *)r->p;
  r->p += len;
  *n = (size_t)len;
  return s;
}

static const char *S_get_dup(S_rd *r, pd_arena *a) {
  size_t n;
  const char *s = S_get_str(r, &n);
  return pd_arena_strndup(a, s, n);
}

/* ---- the names blocks of a run ---------------------------------------------------
 *
 * The dumps of one program mostly use the same functions, so their entries
 * mostly hold the same names block, byte for byte; interning 30,000 names
 * for each of 1,000 entries was most of a cached re-run's reading. A run
 * remembers the blocks it has interned (their deflated bytes, compared in
 * full, and the ids their names got) and maps a block it has seen without
 * inflating it. */
#define S_MEMO_BLOCKS 8

typedef struct {
  uint8_t *z; /* the deflated bytes */
  size_t zlen;
  uint32_t n, *ids;
} S_block;

struct pd_cache_names {
  S_block b[S_MEMO_BLOCKS];
  uint32_t next; /* the one replaced when all are taken */
};

pd_cache_names *pd_cache_names_new(void) { return pd_xcalloc(1, sizeof(pd_cache_names)); }

void pd_cache_names_free(pd_cache_names *m) {
  if (!m) return;
  for (int i = 0; i < S_MEMO_BLOCKS; i++) {
    free(m->b[i].z);
    free(m->b[i].ids);
  }
  free(m);
}

/* The ids of the names block at r (n names into ids, which has room for
 * them), interned into keys; lock held. */
static int S_get_names(S_rd *r, uint32_t n, pd_intern *keys, pd_cache_names *memo, uint32_t *ids) {
  uint64_t rawlen = S_get_u64(r), zlen = S_get_u64(r);
  /* deflate expands at most 1032:1; each name takes two bytes at least */
  if (r->bad || zlen > (uint64_t)(r->end - r->p) || rawlen > zlen * 1032 + 64 || (uint64_t)n * 2 > rawlen + 1)
    return PD_ERR;
  const uint8_t *z = r->p;
  r->p += zlen;
  if (memo)
    for (int i = 0; i < S_MEMO_BLOCKS; i++) {
      S_block *b = &memo->b[i];
      if (b->z && b->n == n && b->zlen == zlen && memcmp(b->z, z, zlen) == 0) {
        memcpy(ids, b->ids, n * sizeof *ids);
        return PD_OK;
      }
    }
  uint8_t *raw = pd_xmalloc(rawlen ? rawlen : 1);
  uLongf got = (uLongf)rawlen;
  int rc = uncompress(raw, &got, z, (uLong)zlen) == Z_OK && got == rawlen ? PD_OK : PD_ERR;
  S_rd nr = {raw, raw + rawlen, 0};
  pd_buf name = PD_BUF_INIT;
  for (uint32_t i = 0; i < n && rc == PD_OK; i++) {
    uint64_t common = S_get_u64(&nr);
    size_t len;
    const char *rest = S_get_str(&nr, &len);
    if (nr.bad || common > name.len) {
      rc = PD_ERR;
      break;
    }
    name.len = (size_t)common;
    pd_buf_put(&name, rest, len);
    ids[i] = pd_intern_put(keys, name.data ? name.data : "", name.len);
  }
  if (rc == PD_OK && nr.p != nr.end) rc = PD_ERR;
  pd_buf_free(&name);
  free(raw);
  if (rc == PD_OK && memo) {
    S_block *b = &memo->b[memo->next];
    memo->next = (memo->next + 1) % S_MEMO_BLOCKS;
    free(b->z);
    free(b->ids);
    b->z = pd_xmalloc(zlen ? zlen : 1);
    memcpy(b->z, z, zlen);
    b->zlen = zlen;
    b->n = n;
    b->ids = pd_xmalloc((n ? n : 1) * sizeof *b->ids);
    memcpy(b->ids, ids, n * sizeof *ids);
  }
  return rc;
}

int pd_cache_decode(const uint8_t *data, size_t len, const uint64_t content[2], const char *opts_key,
                    pd_intern *keys, void *keys_lock, pd_cache_names *memo, const char *path, pd_snapshot *s) {
  memset(s, 0, sizeof *s);
  if (len < 16 || memcmp(data, S_MAGIC, 8) != 0) return PD_ERR;
  uint64_t sum;
  memcpy(&sum, data + len - 8, 8);
  if (sum != pd_hash_seeded(data, len - 8, S_SEED2)) return PD_ERR;
  S_rd r = {data + 8, data + len - 8, 0};
  if (S_get_u64(&r) != S_VERSION || S_get_u64(&r) != content[0] || S_get_u64(&r) != content[1])
    return PD_ERR;
  size_t n;
  const char *ok = S_get_str(&r, &n);
  if (r.bad || n != strlen(opts_key) || memcmp(ok, opts_key, n) != 0) return PD_ERR;

  pd_arena_init(&s->arena, 4096);
  s->path = pd_arena_strndup(&s->arena, path, strlen(path));
  s->format = (pd_format)S_get_u64(&r);
  s->time_ns = (int64_t)S_get_u64(&r);
  s->duration_ns = (int64_t)S_get_u64(&r);
  s->sample_type = S_get_dup(&r, &s->arena);
  s->unit = S_get_dup(&r, &s->arena);
  s->period_type = S_get_dup(&r, &s->arena);
  s->period_unit = S_get_dup(&r, &s->arena);
  s->period = S_get_f64(&r);
  s->sample_index = (int)(int64_t)S_get_u64(&r);
  s->total = S_get_num(&r, S_RAW, 0, 1);
  s->total_var = S_get_f64(&r);
  s->nsamples = S_get_u64(&r);
  s->nkept = S_get_u64(&r);
  s->ntagfocus = S_get_u64(&r);
  s->ntagignore = S_get_u64(&r);
  s->noise.kind = (pd_noise_kind)S_get_u64(&r);
  s->noise.space_index = (int)(int64_t)S_get_u64(&r);
  s->noise.count_index = (int)(int64_t)S_get_u64(&r);
  s->noise.value_is_count = (int)S_get_u64(&r);
  s->noise.rate = S_get_f64(&r);
  s->noise.alloc_space_index = (int)(int64_t)S_get_u64(&r);
  s->noise.alloc_count_index = (int)(int64_t)S_get_u64(&r);
  s->has_alloc = S_get_u64(&r) != 0;
  s->warnings = pd_arena_alloc(&s->arena, sizeof(char *));

  /* keys: entry id -> this run's id */
  uint64_t nused = S_get_u64(&r);
  if (r.bad || nused > UINT32_MAX / 2 || nused > (uint64_t)(r.end - r.p) * 1032 / 2 + 1) goto bad;
  uint32_t *ids = pd_xmalloc((nused ? nused : 1) * sizeof *ids);
  if (keys_lock) pthread_mutex_lock(keys_lock);
  int named = S_get_names(&r, (uint32_t)nused, keys, memo, ids);
  if (keys_lock) pthread_mutex_unlock(keys_lock);
  if (named != PD_OK) goto bad_ids;
  uint32_t maxid = 0;
  for (uint64_t i = 0; i < nused; i++)
    if (ids[i] + 1 > maxid) maxid = ids[i] + 1;
  /* per-function figures */
  uint64_t nft = S_get_u64(&r);
  if (r.bad || nft > nused) goto bad_ids;
  pd_functotals_init(&s->ft, maxid);
  uint64_t e = 0;
  for (uint64_t i = 0; i < nft; i++) {
    uint64_t x = S_get_u64(&r), kinds = x & 0x7fff;
    e += x >> 15;
    if (r.bad || e >= nused || (i && !(x >> 15))) goto bad_ids; /* entry ids rise */
    pd_val flat = S_get_num(&r, (int)(kinds & 3), 0, 1);
    pd_val cum = S_get_num(&r, (int)(kinds >> 2 & 3), flat, 1);
    double cabs = (double)S_get_num(&r, (int)(kinds >> 4 & 3), fabs((double)cum), 0);
    double var = (double)S_get_num(&r, (int)(kinds >> 6 & 3), 0, 0);
    double avar = (double)S_get_num(&r, (int)(kinds >> 9 & 3), 0, 0);
    pd_val nf = S_get_num(&r, (int)(kinds >> 11 & 3), flat, 1);
    double nfvar = (double)S_get_num(&r, (int)(kinds >> 13 & 3), var, 0);
    if ((kinds & 3) == S_SAME || (kinds >> 6 & 3) == S_SAME || (kinds >> 9 & 3) == S_SAME) goto bad_ids;
    uint32_t id = ids[e];
    s->ft.flat[id] = flat;
    s->ft.flat_var[id] = var;
    s->ft.flat_avar[id] = avar;
    if (nf != 0 || nfvar != 0) {
      pd_functotals_nf_alloc(&s->ft);
      s->ft.flat_nf[id] = nf;
      s->ft.flat_nfvar[id] = nfvar;
    }
    s->ft.k[id].cum = cum;
    s->ft.k[id].cum_abs = cabs;
    s->ft.k[id].seen = (uint32_t)(kinds >> 8 & 1);
  }
  /* the tree */
  s->has_tree = (int)S_get_u64(&r);
  if (s->has_tree) {
    uint64_t tn = S_get_u64(&r);
    if (r.bad || tn == 0 || tn > (uint64_t)(r.end - r.p) / 2 + 1) goto bad_ids;
    pd_tree_init(&s->tree, PD_SNAPSHOT_COLS, tn);
    for (uint64_t i = 0; i < tn; i++) {
      uint64_t x = S_get_u64(&r);
      if (i) {
        uint64_t step = x >> 4, k = S_get_u64(&r);
        if (r.bad || step == 0 || step > i || k >= nused) goto bad_ids;
        uint32_t node = pd_tree_child(&s->tree, (uint32_t)(i - step), ids[k]);
        if (node != i) goto bad_ids; /* a duplicate child: not what we wrote */
      } else if (x >> 4) {
        goto bad_ids;
      }
      if ((x & 3) == S_SAME) goto bad_ids;
      pd_val self = S_get_num(&r, (int)(x & 3), 0, 1);
      s->tree.col[PD_COL_SELF][i] = self;
      s->tree.col[PD_COL_CUT][i] = S_get_num(&r, (int)(x >> 2 & 3), self, 1);
    }
  }
  if (r.bad || r.p != r.end) goto bad_ids;
  free(ids);
  return PD_OK;
bad_ids:
  free(ids);
bad:
  pd_snapshot_free(s);
  return PD_ERR;
}

/* ---- the directory ---------------------------------------------------------------- */

typedef struct {
  char *path;
  int64_t mtime_ns;
  uint64_t size;
} S_entry;

static int S_by_age(const void *a, const void *b) {
  const S_entry *x = a, *y = b;
  if (x->mtime_ns != y->mtime_ns) return x->mtime_ns < y->mtime_ns ? -1 : 1;
  return strcmp(x->path, y->path);
}

int pd_cache_evict(const char *dir, uint64_t max_bytes, uint32_t *removed) {
  *removed = 0;
  DIR *d = opendir(dir);
  if (!d) return PD_ERR;
  pd_vec v;
  pd_vec_init(&v, sizeof(S_entry));
  uint64_t total = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    int ours = n > 7 && (strcmp(e->d_name + n - 7, ".pdsnap") == 0 || strcmp(e->d_name + n - 7, ".pdstat") == 0);
    if (!ours) continue;
    pd_buf p = PD_BUF_INIT;
    pd_buf_printf(&p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p.data, &st) != 0 || !S_ISREG(st.st_mode)) {
      pd_buf_free(&p);
      continue;
    }
    S_entry *en = pd_vec_push(&v);
    en->path = p.data;
    en->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    /* a memo is tiny but takes a block of disk: counted as one */
    en->size = e->d_name[n - 1] == 't' && st.st_size < 4096 ? 4096 : (uint64_t)st.st_size;
    total += en->size;
  }
  closedir(d);
  if (total > max_bytes) {
    qsort(v.items, v.n, sizeof(S_entry), S_by_age);
    for (size_t i = 0; i < v.n && total > max_bytes; i++) {
      S_entry *en = &PD_VEC_AT(&v, S_entry, i);
      if (unlink(en->path) == 0 || errno == ENOENT) {
        total -= en->size;
        (*removed)++;
      }
    }
  }
  for (size_t i = 0; i < v.n; i++) free(PD_VEC_AT(&v, S_entry, i).path);
  pd_vec_free(&v);
  return PD_OK;
}
