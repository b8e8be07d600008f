/* hash.c: the byte hashes, the string interner and the id map.
 *
 * Both tables use open addressing with linear probing, a power-of-two slot
 * count and a load factor of at most one half: profiles tell us their table
 * sizes up front, so growth is rare and probing stays short. Their keys
 * (names, pprof ids, addresses) come from the input, so both are keyed
 * with a secret drawn once per process: without it a crafted profile of
 * 40,000 function ids all landing in one slot took half a second, and a
 * million of them hours. A secret seed is not enough for names: the fast
 * multiply-xorshift hash has differentials that hold for every seed (flip
 * bit 63 of one word and bits 63 and 32 of the next: the same hash), so
 * names are hashed with SipHash-1-3 (Rust's and Python's choice for the same
 * problem) under a 128-bit key. Nothing is ordered by hash, so the key
 * changes no output.
 */
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static inline uint64_t S_load64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* A multiply-xorshift hash over 8-byte words: fast on the short names that
 * dominate profiles and good enough for tables we size ourselves. */
uint64_t pd_hash(const void *data, size_t n) { return pd_hash_seeded(data, n, 0); }

uint64_t pd_hash_seeded(const void *data, size_t n, uint64_t seed) {
  const unsigned char *p = data;
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL) ^ pd_hash_u64(seed);
  while (n >= 8) {
    h = (h ^ S_load64(p)) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  memcpy(&tail, p, n);
  h = (h ^ tail) * 0x94d049bb133111ebULL;
  return pd_hash_u64(h);
}

/* SipHash (Aumasson and Bernstein) with c compression and d finalisation
 * rounds; 2-4 is the reference (checked against its published vectors in
 * test_util.c), 1-3 what the tables use. */
#define S_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define S_SIPROUND                                                                                 \
  do {                                                                                             \
    v0 += v1, v1 = S_ROTL(v1, 13), v1 ^= v0, v0 = S_ROTL(v0, 32);                                  \
    v2 += v3, v3 = S_ROTL(v3, 16), v3 ^= v2;                                                       \
    v0 += v3, v3 = S_ROTL(v3, 21), v3 ^= v0;                                                       \
    v2 += v1, v1 = S_ROTL(v1, 17), v1 ^= v2, v2 = S_ROTL(v2, 32);                                  \
  } while (0)

static inline uint64_t S_siphash(const void *data, size_t n, const uint64_t key[2], int c, int d) {
  const unsigned char *p = data;
  uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1];
  uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
  uint64_t b = (uint64_t)n << 56;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t m = S_load64(p); /* little-endian, as the reference reads it */
    v3 ^= m;
    for (int i = 0; i < c; i++) S_SIPROUND;
    v0 ^= m;
  }
  uint64_t tail = 0;
  memcpy(&tail, p, n);
  b |= tail;
  v3 ^= b;
  for (int i = 0; i < c; i++) S_SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  for (int i = 0; i < d; i++) S_SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t pd_siphash24(const void *data, size_t n, const uint64_t key[2]) {
  return S_siphash(data, n, key, 2, 4);
}

uint64_t pd_hash_keyed(const void *data, size_t n, const uint64_t key[2]) {
  return S_siphash(data, n, key, 1, 3);
}

static uint64_t S_secret[2];
static pthread_once_t S_secret_once = PTHREAD_ONCE_INIT;

static void S_secret_init(void) {
  uint64_t s[2] = {0, 0};
  if (getrandom(s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s) {
    /* no entropy yet (early boot): the clock and ASLR still vary */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&s;
    s[1] = pd_hash_u64(s[0] ^ (uint64_t)(uintptr_t)&S_secret_init);
  }
  S_secret[0] = s[0];
  S_secret[1] = s[1];
}

uint64_t pd_hash_secret(void) {
  pthread_once(&S_secret_once, S_secret_init);
  return S_secret[0];
}

void pd_hash_secret_key(uint64_t key[2]) {
  pthread_once(&S_secret_once, S_secret_init);
  key[0] = S_secret[0];
  key[1] = S_secret[1];
}

static size_t S_slots_for(size_t expected) {
  size_t n = 16;
  while (n < expected * 2) n *= 2;
  return n;
}

/* ---- interner --------------------------------------------------------------- */

void pd_intern_init(pd_intern *in, size_t expected) {
  pd_arena_init(&in->arena, 64 * 1024);
  in->cap = expected < 16 ? 16 : (uint32_t)expected;
  in->n = 0;
  in->str = pd_xmalloc(in->cap * sizeof *in->str);
  in->len = pd_xmalloc(in->cap * sizeof *in->len);
  in->hashes = pd_xmalloc(in->cap * sizeof *in->hashes);
  in->nslots = S_slots_for(in->cap);
  in->slots = pd_xcalloc(in->nslots, sizeof *in->slots);
  pd_hash_secret_key(in->key);
  pd_intern_put(in, "", 0);
}

static void S_intern_grow(pd_intern *in) {
  size_t nslots = in->nslots * 2;
  uint64_t *slots = pd_xcalloc(nslots, sizeof *slots);
  for (uint32_t id = 0; id < in->n; id++) {
    size_t i = in->hashes[id] & (nslots - 1);
    while (slots[i]) i = (i + 1) & (nslots - 1);
    slots[i] = (in->hashes[id] >> 32 << 32) | (id + 1);
  }
  free(in->slots);
  in->slots = slots;
  in->nslots = nslots;
}

/* Equality of two n-byte strings, a word at a time: names are short, and
 * a call to memcmp cost more than the compare (a tenth of reading a large
 * folded file). */
static inline int S_same(const char *a, const char *b, size_t n) {
  while (n >= 8) {
    if (S_load64((const unsigned char *)a) != S_load64((const unsigned char *)b)) return 0;
    a += 8;
    b += 8;
    n -= 8;
  }
  while (n--)
    if (*a++ != *b++) return 0;
  return 1;
}

static uint32_t S_intern_lookup(const pd_intern *in, const char *s, size_t n,
                                uint64_t h, size_t *slot) {
  size_t i = h & (in->nslots - 1);
  uint64_t tag = h >> 32 << 32;
  for (;;) {
    uint64_t v = in->slots[i];
    if (!v) break;
    if ((v & ~UINT64_C(0xffffffff)) == tag) {
      uint32_t id = (uint32_t)v - 1;
      if (in->len[id] == n && S_same(in->str[id], s, n)) return id;
    }
    i = (i + 1) & (in->nslots - 1);
  }
  *slot = i;
  return UINT32_MAX;
}

static uint32_t S_intern_put_hashed(pd_intern *in, const char *s, size_t n, uint64_t h) {
  size_t slot;
  uint32_t id = S_intern_lookup(in, s, n, h, &slot);
  if (id != UINT32_MAX) return id;
  if (in->n == in->cap) {
    in->cap *= 2;
    in->str = pd_xrealloc(in->str, in->cap * sizeof *in->str);
    in->len = pd_xrealloc(in->len, in->cap * sizeof *in->len);
    in->hashes = pd_xrealloc(in->hashes, in->cap * sizeof *in->hashes);
  }
  id = in->n++;
  in->str[id] = pd_arena_strndup(&in->arena, s, n);
  in->len[id] = (uint32_t)n;
  in->hashes[id] = h;
  in->slots[slot] = (h >> 32 << 32) | (id + 1);
  if ((size_t)in->n * 2 > in->nslots) S_intern_grow(in);
  return id;
}

uint64_t pd_intern_probes(const pd_intern *in) {
  uint64_t total = 0;
  size_t mask = in->nslots - 1;
  for (size_t i = 0; i < in->nslots; i++) {
    uint64_t v = in->slots[i];
    if (v) total += ((i - (in->hashes[(uint32_t)v - 1] & mask)) & mask) + 1;
  }
  return total;
}

uint32_t pd_intern_put(pd_intern *in, const char *s, size_t n) {
  return S_intern_put_hashed(in, s, n, pd_hash_keyed(s, n, in->key));
}

void pd_intern_put_many(pd_intern *in, const char *const *s, const uint32_t *n, uint32_t count,
                        uint32_t *ids) {
  enum { BATCH = 32 };
  uint64_t h[BATCH];
  for (uint32_t at = 0; at < count; at += BATCH) {
    uint32_t m = count - at < BATCH ? count - at : BATCH;
    size_t mask = in->nslots - 1;
    /* each stage's loads were requested by the stage before, all at once */
    for (uint32_t i = 0; i < m; i++) {
      h[i] = pd_hash_keyed(s[at + i], n[at + i], in->key);
      __builtin_prefetch(&in->slots[h[i] & mask]);
    }
    for (uint32_t i = 0; i < m; i++) {
      uint64_t v = in->slots[h[i] & mask];
      if (v && v >> 32 == h[i] >> 32) {
        __builtin_prefetch(&in->len[(uint32_t)v - 1]);
        __builtin_prefetch(&in->str[(uint32_t)v - 1]);
      }
    }
    for (uint32_t i = 0; i < m; i++) {
      uint64_t v = in->slots[h[i] & mask];
      if (v && v >> 32 == h[i] >> 32) __builtin_prefetch(in->str[(uint32_t)v - 1]);
    }
    for (uint32_t i = 0; i < m; i++) ids[at + i] = S_intern_put_hashed(in, s[at + i], n[at + i], h[i]);
  }
}

uint32_t pd_intern_find(const pd_intern *in, const char *s, size_t n) {
  size_t slot;
  return S_intern_lookup(in, s, n, pd_hash_keyed(s, n, in->key), &slot);
}

int pd_intern_cmp(const pd_intern *in, uint32_t a, uint32_t b) {
  uint32_t la = in->len[a], lb = in->len[b];
  int c = memcmp(in->str[a], in->str[b], la < lb ? la : lb);
  return c ? c : (la < lb ? -1 : la > lb);
}

void pd_intern_free(pd_intern *in) {
  pd_arena_free(&in->arena);
  free(in->str);
  free(in->len);
  free(in->hashes);
  free(in->slots);
  memset(in, 0, sizeof *in);
}

/* ---- id map ------------------------------------------------------------------- */

void pd_idmap_init(pd_idmap *m, size_t expected) {
  m->nslots = S_slots_for(expected);
  m->n = 0;
  m->slots = pd_xcalloc(m->nslots, sizeof *m->slots);
  m->seed = pd_hash_secret();
}

static inline size_t S_idmap_slot(const pd_idmap *m, uint64_t key) {
  return pd_hash_u64(key ^ m->seed) & (m->nslots - 1);
}

/* The slot holding key, or the empty slot where it would go. */
static inline pd_idmap_slot *S_idmap_find(const pd_idmap *m, uint64_t key) {
  size_t i = S_idmap_slot(m, key);
  while (m->slots[i].val && m->slots[i].key != key) i = (i + 1) & (m->nslots - 1);
  return &m->slots[i];
}

static void S_idmap_grow(pd_idmap *m) {
  pd_idmap bigger = *m;
  bigger.nslots = m->nslots * 2;
  bigger.slots = pd_xcalloc(bigger.nslots, sizeof *bigger.slots);
  for (size_t i = 0; i < m->nslots; i++)
    if (m->slots[i].val) *S_idmap_find(&bigger, m->slots[i].key) = m->slots[i];
  free(m->slots);
  *m = bigger;
}

int pd_idmap_put(pd_idmap *m, uint64_t key, uint32_t index) {
  if ((m->n + 1) * 2 > m->nslots) S_idmap_grow(m);
  pd_idmap_slot *s = S_idmap_find(m, key);
  if (s->val) return PD_ERR;
  s->key = key;
  s->val = index + 1;
  m->n++;
  return PD_OK;
}

uint32_t pd_idmap_get(const pd_idmap *m, uint64_t key) {
  return S_idmap_find(m, key)->val - 1; /* empty: 0 - 1 = UINT32_MAX */
}

void pd_idmap_free(pd_idmap *m) {
  free(m->slots);
  m->slots = NULL;
  m->n = m->nslots = 0;
}
