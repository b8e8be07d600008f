/* util.h: the small toolbox every profdiff module stands on.
 *
 * Owns: error values (pd_err), the out-of-memory policy, the arena allocator,
 * the growable byte buffer (pd_buf), hashing, the string interner, the integer
 * id map, whole-file reading and atomic file output. Nothing here knows about
 * profiles. Modelled on cmark's strbuf/arena and redis' sds/dict: explicit
 * return codes, memory with an owner, no hidden globals.
 */
#ifndef PD_UTIL_H
#define PD_UTIL_H

#include <float.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- status codes and errors -------------------------------------------- */

/* Functions that can fail return PD_OK or PD_ERR and fill a caller-owned
 * pd_err with one human line ("heap.pb.gz: string index 912 out of range"). */
enum { PD_OK = 0, PD_ERR = -1 };

typedef struct pd_err {
  char msg[1024];
} pd_err;

/* Formats the message into err (if non-NULL) and returns PD_ERR. */
int pd_fail(pd_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- allocation ------------------------------------------------------------ */

/* One out-of-memory policy. Every allocation goes through these (directly, or
 * through the arena, pd_buf, pd_vec and the interner, or a library handed
 * our allocator: protobuf-c, cmark-gfm). The budget is the process's address
 * space: `ulimit -v`, or the CLI's --max-memory, which sets that limit. When
 * an allocation fails, the handler the CLI installs (pd_mem_on_oom) prints
 * one line, "FILE: out of memory (N MB) while reading it", from what this
 * thread said it was doing (pd_mem_doing), removes any staged report and
 * exits with status 2. It does not return: an allocation can fail in any of
 * hundreds of places, inside zlib's or cmark's callbacks too, and threading
 * a status back from each would make every buffer append a branch that some
 * caller forgets (redis' zmalloc makes the same choice). What a hostile input
 * can make large is bounded before it is allocated (input size, stack depth)
 * and errors as values report those limits; this is the backstop. Without a
 * handler (the unit tests, the fuzzers) it aborts. */
void *pd_xmalloc(size_t n);
void *pd_xcalloc(size_t n, size_t size);
void *pd_xrealloc(void *p, size_t n);
char *pd_xstrdup(const char *s);
/* NULL when there is no memory (for libraries that handle it themselves). */
void *pd_try_malloc(size_t n);

/* What this thread is doing, for the message: subject is a file (or NULL)
 * and doing a phrase ("reading it"); both must outlive the setting. Set
 * returns the previous setting, to be restored when the work is done. */
typedef struct pd_mem_doing {
  const char *subject, *doing;
} pd_mem_doing;
pd_mem_doing pd_mem_doing_set(const char *subject, const char *doing);
void pd_mem_doing_restore(pd_mem_doing prev);
/* This thread's setting, for a thread it starts to take over. */
pd_mem_doing pd_mem_doing_get(void);
/* The handler: gets the failed request and this thread's doing; must not
 * return. */
typedef void (*pd_oom_fn)(size_t request, pd_mem_doing doing);
void pd_mem_on_oom(pd_oom_fn fn);
/* Formats the one-line message (no newline) into out, without allocating:
 * "SUBJECT: out of memory (N MB limit) while DOING" with the address-space
 * limit, or "(N MB in use)" with what is mapped when there is no limit. */
void pd_mem_oom_message(char *out, size_t cap, size_t request, pd_mem_doing doing);

/* Arena: a chain of chunks from which objects are bump-allocated and freed all
 * at once. Every profile, snapshot and series owns one. */
typedef struct pd_arena_chunk pd_arena_chunk;
typedef struct pd_arena {
  pd_arena_chunk *head;
  size_t chunk_size;
  size_t bytes; /* total bytes obtained from malloc, for the benchmark */
} pd_arena;

void pd_arena_init(pd_arena *a, size_t chunk_size);
void *pd_arena_alloc(pd_arena *a, size_t n);  /* 16-byte aligned */
void *pd_arena_zalloc(pd_arena *a, size_t n); /* zeroed */
/* Aligned only as an object of n bytes can need (the largest power of two
 * dividing n, at most 16), so that a 1-byte string takes 1 byte, not 16:
 * for protobuf-c, whose string table is one allocation a string. */
void *pd_arena_alloc_small(pd_arena *a, size_t n);
char *pd_arena_strndup(pd_arena *a, const char *s, size_t n);
char *pd_arena_printf(pd_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forget everything but the first chunk: a scratch arena reused per item. */
void pd_arena_reset(pd_arena *a);
void pd_arena_free(pd_arena *a);

/* ---- growable buffer ------------------------------------------------------- */

typedef struct pd_buf_sink pd_buf_sink;

typedef struct pd_buf {
  char *data; /* always NUL-terminated when non-NULL */
  size_t len, cap;
  pd_buf_sink *sink; /* set by pd_outset_open: see pd_buf_spill */
} pd_buf;

#define PD_BUF_INIT {NULL, 0, 0, NULL}
/* A buffer opened on an output (pd_outset_open) is written out in pieces:
 * at points its writer chooses (between two records, never inside one it
 * may still truncate), pd_buf_spill hands what it holds to the file once
 * that is over a megabyte, so a large output never sits whole in memory.
 * Without a sink it does nothing. */
void pd_buf_spill(pd_buf *b);
void pd_buf_reserve(pd_buf *b, size_t extra);
void pd_buf_put(pd_buf *b, const void *data, size_t n);
void pd_buf_puts(pd_buf *b, const char *s);
void pd_buf_putc(pd_buf *b, char c);
void pd_buf_printf(pd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pd_buf_vprintf(pd_buf *b, const char *fmt, va_list ap);
void pd_buf_truncate(pd_buf *b, size_t len);
void pd_buf_free(pd_buf *b);

/* Appends the base64 encoding of data (RFC 4648, with padding): how the HTML
 * report carries its SVGs inline as data: URIs. */
void pd_buf_base64(pd_buf *b, const void *data, size_t n);
/* The SHA-256 digest of data (report.html's script hashes). */
void pd_sha256(const void *data, size_t n, uint8_t out[32]);
/* Base-128 varints (protobuf's), for compact records we write ourselves:
 * pd_varint_next reads one back without bounds checks (trusted bytes). */
void pd_buf_put_varint(pd_buf *b, uint64_t v);
/* v with `decimals` digits after the point (0 to 6), exactly as
 * snprintf(out, size, "%.*f") writes it (size at least 32: a huge v is cut
 * to size - 1 bytes as snprintf cuts it); returns the length written. Most labels of a report's graphs go through here: printf's
 * exact decimal path is slow, so the digits are made by hand unless v is
 * huge or a hair from a tie, where printf decides. */
size_t pd_fmt_fixed(char *out, size_t size, double v, int decimals);
/* A sample value and every sum of them (the model's values, the stacks'
 * and the call tree's columns): long double, whose 64-bit significand
 * (x86-64's 80-bit format) holds every int64 exactly, and every sum of them
 * below 2^64 in magnitude. pprof's values are int64 and a double drops
 * digits past 2^53 (12345678901234567 read back as ...568); folded stacks
 * may also carry fractions (flamegraph.pl takes "a;b 0.5"), so an integer
 * type would not do. Statistics, shares and pixels stay double. */
typedef long double pd_val;
/* The bytes of a pd_val that hold it (x86-64's 80-bit format; the rest of
 * its 16 is padding), for the packed figures that store one. */
enum { PD_VAL_BYTES = 10 };
/* v is a whole number of magnitude below 2^63 (an int64 holds it): the
 * test every packer and writer makes first, without libm's truncl, a call
 * that took 5% of a report. */
static inline int pd_val_is_int64(pd_val v) {
  return v > -0x1p63L && v < 0x1p63L && (pd_val)(int64_t)v == v;
}
/* v is whole and its magnitude below 2^64 (a uint64 holds its digits) */
static inline int pd_val_is_whole(pd_val v) {
  pd_val m = v < 0 ? -v : v;
  return m < 0x1p64L && (pd_val)(uint64_t)m == m;
}
_Static_assert(LDBL_MANT_DIG == 64 && sizeof(pd_val) >= PD_VAL_BYTES, "pd_val: x86-64's 80-bit long double");
/* Numbers as data (num.c), the one spelling every writer uses: an integral
 * value exactly, in plain digits at any size; any other the shortest of
 * %.15g/%.16g/%.17g that reads back as the same double; "nan", "inf",
 * "-inf" (JSON writers turn those into null first). Returns the length. */
enum { PD_NUM_SIZE = 320 };
size_t pd_fmt_num(char out[PD_NUM_SIZE], pd_val v);
size_t pd_fmt_int(char out[PD_NUM_SIZE], int64_t v);
void pd_buf_num(pd_buf *b, pd_val v);
void pd_buf_int(pd_buf *b, int64_t v);
static inline uint64_t pd_varint_next(const uint8_t **p) {
  uint64_t x = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t c = *(*p)++;
    x |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) return x;
  }
}

/* A growable array of fixed-size items, for tables whose size is not known
 * up front (kept separate from pd_buf so item arithmetic is written once). */
typedef struct pd_vec {
  void *items;
  size_t n, cap, item_size;
} pd_vec;

void pd_vec_init(pd_vec *v, size_t item_size);
void *pd_vec_push(pd_vec *v); /* returns the new, zeroed item */
void pd_vec_reserve(pd_vec *v, size_t total);
/* Gives back the room past the last item (the allocator splits the block
 * in place), for blocks allocated after it to take. */
void pd_vec_shrink(pd_vec *v);
void pd_vec_free(pd_vec *v);
#define PD_VEC_AT(v, type, i) (((type *)(v)->items)[i])

/* Sorts ids with a comparator that gets a context (a name table, say):
 * stable, O(n log n). */
typedef int (*pd_cmp_u32)(const void *ctx, uint32_t a, uint32_t b);
void pd_sort_u32(uint32_t *a, size_t n, pd_cmp_u32 cmp, const void *ctx);

/* ---- hashing, interning, id maps ------------------------------------------ */

/* A fast deterministic byte hash (multiply-xorshift), for what must be the
 * same in every run: flame graph colours, the snapshot cache's content
 * keys. Not for tables keyed by input: its collisions do not depend on the
 * seed (hash.c). */
uint64_t pd_hash(const void *data, size_t n);
uint64_t pd_hash_seeded(const void *data, size_t n, uint64_t seed);
/* SipHash-1-3 under a 128-bit key: what tables of names read from input
 * hash with, under the per-process secret (pd_hash_secret_key), so that a
 * hostile profile cannot be built to make every key collide (hash
 * flooding, which turns each lookup into a scan of the whole table).
 * Nothing is ordered by hash, so the key changes no output.
 * pd_siphash24 is the reference variant, for its published test vectors. */
uint64_t pd_hash_keyed(const void *data, size_t n, const uint64_t key[2]);
uint64_t pd_siphash24(const void *data, size_t n, const uint64_t key[2]);
/* The per-process secret: 64 bits (the id map's seed) or all 128. */
uint64_t pd_hash_secret(void);
void pd_hash_secret_key(uint64_t key[2]);
static inline uint64_t pd_hash_u64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

/* String interner: equal byte strings get equal ids, ids are dense from 0,
 * and strings live as long as the interner's arena. Id 0 is always "". */
typedef struct pd_intern {
  pd_arena arena;
  const char **str; /* id -> bytes (NUL-terminated copy) */
  uint32_t *len;    /* id -> length (names may contain NUL bytes) */
  uint32_t n, cap;
  /* open addressing: the hash's upper 32 bits << 32 | id + 1 (0 = empty),
   * so a probe that misses never touches the string arrays */
  uint64_t *slots;
  uint64_t *hashes;
  size_t nslots;
  uint64_t key[2]; /* pd_hash_secret_key() */
} pd_intern;

void pd_intern_init(pd_intern *in, size_t expected);
uint32_t pd_intern_put(pd_intern *in, const char *s, size_t n);
/* ids[i] = pd_intern_put(in, s[i], n[i]) for each i, with the table lookups
 * of all of them started together: a lookup is a few cache misses, which
 * then overlap instead of queueing (the strings of one stack). */
void pd_intern_put_many(pd_intern *in, const char *const *s, const uint32_t *n, uint32_t count,
                        uint32_t *ids);
/* Returns the id, or UINT32_MAX when the string was never interned. */
uint32_t pd_intern_find(const pd_intern *in, const char *s, size_t n);
static inline const char *pd_intern_str(const pd_intern *in, uint32_t id) {
  return in->str[id];
}
static inline uint32_t pd_intern_len(const pd_intern *in, uint32_t id) {
  return in->len[id];
}
/* Orders two interned strings bytewise (memcmp, then length), as Go
 * compares strings: the tie-break every sorted output uses. */
int pd_intern_cmp(const pd_intern *in, uint32_t a, uint32_t b);
/* The probes it takes to find every interned string once (the number of
 * strings when none collides): what the hash-flooding test measures. */
uint64_t pd_intern_probes(const pd_intern *in);
void pd_intern_free(pd_intern *in);

/* Map from 64-bit ids (pprof's location, function and mapping ids) to dense
 * indexes. Keys are arbitrary, so this is an open-addressing table sized up
 * front from the expected count. */
typedef struct pd_idmap_slot {
  uint64_t key;
  uint32_t val; /* index + 1, 0 = empty */
} pd_idmap_slot;

typedef struct pd_idmap {
  pd_idmap_slot *slots; /* a key and its value share a cache line */
  size_t nslots, n;
  uint64_t seed; /* pd_hash_secret(): ids come from the input */
} pd_idmap;

void pd_idmap_init(pd_idmap *m, size_t expected);
/* Returns PD_OK, or PD_ERR if the key is already present (duplicate id). */
int pd_idmap_put(pd_idmap *m, uint64_t key, uint32_t index);
/* Returns the index, or UINT32_MAX when absent. */
uint32_t pd_idmap_get(const pd_idmap *m, uint64_t key);
void pd_idmap_free(pd_idmap *m);

/* ---- regular expressions ---------------------------------------------------- */

/* Patterns with pprof's meaning (Go's RE2 syntax; an unanchored search unless
 * anchored, which wraps the pattern as pprof wraps drop_frames, "^(...)$"),
 * run by PCRE2 within fixed bounds (regex.c): a pattern over the length or
 * nesting limits, or too large once compiled, does not compile; a match that
 * needs more than the limits fails. Messages are the predicate of a sentence
 * whose subject the caller names ("--focus regular expression \"x\" ..."). */
#define PD_REGEX_MAX_LEN 65536     /* bytes of pattern */
#define PD_REGEX_MAX_NEST 250      /* nested parentheses */
#define PD_REGEX_CHEAP_STEPS 10000 /* per match, first try */
#define PD_REGEX_MAX_STEPS 1000000  /* per match, at most PD_REGEX_MAX_EXPENSIVE times */
#define PD_REGEX_MAX_EXPENSIVE 8
#define PD_REGEX_MAX_HEAP_KIB 65536
typedef struct pd_regex pd_regex;
int pd_regex_new(pd_regex **re, const char *pattern, int anchored, pd_err *err);
/* 1 when s[0..n) holds a match, 0 when not, PD_ERR past a limit. Not for two
 * threads at once (the match data is the pattern's own). */
int pd_regex_match(pd_regex *re, const char *s, size_t n, pd_err *err);
void pd_regex_free(pd_regex *re);
/* The pattern as a message quotes it: whole when shorter than size, else
 * its start, "..." and its length (in buf). */
const char *pd_regex_excerpt(const char *pattern, char *buf, size_t size);

/* ---- files ----------------------------------------------------------------- */

/* Reads a whole file. Refuses directories, unreadable paths and files over
 * max_bytes with a message naming the path. *data is NUL-terminated and
 * writable; it may be a private mapping of the file: release it with
 * pd_file_release, never free. */
int pd_read_file(const char *path, size_t max_bytes, uint8_t **data,
                 size_t *len, pd_err *err);
/* Standard input to its end (a pipe: `-` as an input), at most max_bytes;
 * released with pd_file_release. */
int pd_read_stdin(size_t max_bytes, uint8_t **data, size_t *len, pd_err *err);
/* Unmaps a buffer pd_read_file mapped; frees any other malloc'd buffer. */
void pd_file_release(uint8_t *data);
/* The path of the mapped input holding addr, or NULL (for a SIGBUS
 * handler: async-signal-safe, no lock). */
const char *pd_file_mapped_at(const void *addr);
/* Says that the first upto bytes of data (an input from pd_read_file) will
 * not be read again: when it is mapped, their pages leave the process
 * (they stay in the page cache, a megabyte at a time), so a large gzip'd
 * input does not sit in memory whole while it is inflated. */
void pd_file_done_with(const uint8_t *data, size_t upto);

/* The last path component, for messages and reports. */
const char *pd_basename(const char *path);

/* Atomic output: everything is written to a temporary file in the target's
 * directory, fsync'ed, and renamed over the target only on commit, so a
 * failed run never leaves a half-written file. A pd_outset groups several
 * outputs that must all appear or none (a report directory). */
typedef struct pd_outset {
  char **tmp;
  char **final;
  size_t n, cap;
} pd_outset;

void pd_outset_init(pd_outset *o);
/* Stages data for path. Nothing is visible at path until pd_outset_commit. */
int pd_outset_add(pd_outset *o, const char *path, const void *data, size_t len,
                  pd_err *err);
/* Stages path to be written through b: b is emptied, and what is put in it
 * goes to the staged file at each pd_buf_spill and at pd_outset_close, which
 * finishes the file (a write error is reported there). */
int pd_outset_open(pd_outset *o, const char *path, pd_buf *b, pd_err *err);
int pd_outset_close(pd_buf *b, pd_err *err);
int pd_outset_commit(pd_outset *o, pd_err *err);
/* Removes staged temporary files; safe after commit. */
void pd_outset_free(pd_outset *o);
/* A directory published whole (util/publish.c): files are written into
 * p->staging, a fresh directory beside dir, and pd_publish_commit swaps it
 * with dir in one step, so readers see the old directory or the new one and
 * nothing of the old remains. Runs into one dir serialise on a lock; the
 * leftovers of killed runs are removed. A dir that exists may be replaced
 * only when ours() accepts each of its entries (an earlier report). */
typedef struct pd_publish {
  char *dir, *parent, *name;
  char *staging; /* write here */
  int lock_fd, exists, committed;
  char *made[16]; /* parents this run created */
  int nmade;
} pd_publish;

int pd_publish_begin(pd_publish *p, const char *dir, int (*ours)(const char *name, int is_dir),
                     pd_err *err);
int pd_publish_commit(pd_publish *p, pd_err *err);
/* Removes the staging directory (or, after commit, the old dir) and
 * unlocks; always called, after begin whatever it returned. */
void pd_publish_end(pd_publish *p);
/* Removes the staging directory of the run in progress, if any, with
 * async-signal-safe calls only: for the CLI's SIGINT/SIGTERM handler. */
void pd_publish_abort(void);

/* One file: stage and commit. */
int pd_write_file_atomic(const char *path, const void *data, size_t len,
                         pd_err *err);

#endif
