/* synth.c: profdiff-synth, the deterministic generator of synthetic Go heap
 * profiles that bench/run times profdiff on.
 *
 * It writes what Go's runtime/pprof writes for a heap profile (gzip'd pprof
 * protobuf, sample types alloc_objects/count, alloc_space/bytes,
 * inuse_objects/count, inuse_space/bytes, period space/bytes 524288, a
 * "bytes" label per sample, values scaled up the way Go unsamples them), for
 * a made-up program: a call graph of Go-named functions in which a few are
 * hot (Zipf), stacks run from runtime.goexit to the allocating frame (leaf
 * runtime frames hidden, as runtime/pprof hides them), and some
 * locations carry inlined frames. Everything comes from a seeded PRNG (no
 * clock, no rand()), so the same options give the same bytes on any machine.
 * Protobuf is encoded by hand: it is a few varints, and the generator must be
 * much faster than what it feeds. `profdiff-synth --help` lists the shapes:
 * one profile, a series with known leaks, folded stacks, and adversarial
 * inputs (a million one-frame stacks, one very deep stack).
 */
#include "ingest/ingest.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define S_PERIOD 524288
#define S_HOUR_NS 3600000000000LL
#define S_MAX_DEPTH 4096

/* ---- deterministic randomness ----------------------------------------------- */

typedef struct {
  uint64_t s;
} S_rng;

static uint64_t S_next(S_rng *r) { /* splitmix64 */
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double S_unit(S_rng *r) { return (double)(S_next(r) >> 11) * 0x1.0p-53; }
static uint32_t S_below(S_rng *r, uint32_t n) { return n ? (uint32_t)(S_next(r) % n) : 0; }
/* An independent stream for (seed, a, b): samples stay the same whichever
 * snapshot or order they are generated in. */
static S_rng S_stream(uint64_t seed, uint64_t a, uint64_t b) {
  S_rng r = {pd_hash_u64(seed ^ pd_hash_u64(a * 0x100000001b3ULL + b + 1))};
  return r;
}

/* Zipf-ish choice over n items (item 0 hottest): inverse CDF of 1/(i+1)^s. */
typedef struct {
  double *cdf;
  uint32_t n;
} S_zipf;

static void S_zipf_init(S_zipf *z, uint32_t n, double s) {
  z->n = n;
  z->cdf = pd_xmalloc((n ? n : 1) * sizeof *z->cdf);
  double sum = 0;
  for (uint32_t i = 0; i < n; i++) z->cdf[i] = sum += 1.0 / pow(i + 1.0, s);
  for (uint32_t i = 0; i < n; i++) z->cdf[i] /= sum;
}
static uint32_t S_zipf_pick(const S_zipf *z, S_rng *r) {
  double u = S_unit(r);
  uint32_t lo = 0, hi = z->n - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (z->cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* ---- protobuf wire encoding ---------------------------------------------------- */

static inline void S_varint(pd_buf *b, uint64_t v) {
  if (b->len + 11 > b->cap) pd_buf_reserve(b, 11);
  char *p = b->data + b->len;
  while (v >= 0x80) {
    *p++ = (char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (char)v;
  b->len = (size_t)(p - b->data);
  *p = 0;
}
static inline void S_key(pd_buf *b, uint32_t field, int wt) { S_varint(b, (uint64_t)field << 3 | (unsigned)wt); }
static inline void S_int(pd_buf *b, uint32_t field, uint64_t v) {
  if (!v) return; /* proto3: zero is the default and is not written */
  S_key(b, field, 0);
  S_varint(b, v);
}
static inline void S_bytes(pd_buf *b, uint32_t field, const void *data, size_t n) {
  S_key(b, field, 2);
  S_varint(b, n);
  pd_buf_put(b, data, n);
}
/* Appends sub as field `field` of b and empties sub. */
static inline void S_msg(pd_buf *b, uint32_t field, pd_buf *sub) {
  S_bytes(b, field, sub->data ? sub->data : "", sub->len);
  pd_buf_truncate(sub, 0);
}

/* ---- the profile being built ------------------------------------------------------ */

typedef struct {
  uint32_t name, file;
  int64_t start_line;
} S_func;

typedef struct {
  uint32_t func, inl; /* inl: a function inlined at this site, or PD_NONE */
  uint64_t addr;
  int64_t line, inl_line;
} S_loc;

typedef struct {
  pd_buf blob; /* every string, NUL-separated */
  pd_vec off;  /* uint64 offset into blob per string id */
  uint32_t n;
} S_strtab;

static uint32_t S_str(S_strtab *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static uint32_t S_str(S_strtab *t, const char *fmt, ...) {
  *(uint64_t *)pd_vec_push(&t->off) = t->blob.len;
  va_list ap;
  va_start(ap, fmt);
  pd_buf_vprintf(&t->blob, fmt, ap);
  va_end(ap);
  pd_buf_putc(&t->blob, 0);
  return t->n++;
}
static const char *S_strat(const S_strtab *t, uint32_t id) {
  return t->blob.data + PD_VEC_AT(&t->off, uint64_t, id);
}

/* Sample types as Go writes them; string ids fixed by S_strtab_init. */
enum { S_STR_ALLOC_OBJECTS = 1, S_STR_COUNT, S_STR_ALLOC_SPACE, S_STR_BYTES, S_STR_INUSE_OBJECTS,
       S_STR_INUSE_SPACE, S_STR_SPACE, S_STR_EXE, S_STR_EXE_ID, S_STR_LIBC, S_STR_LIBC_ID, S_STR_VDSO };

static void S_strtab_init(S_strtab *t) {
  memset(t, 0, sizeof *t);
  pd_vec_init(&t->off, sizeof(uint64_t));
  S_str(t, "%s", "");
  S_str(t, "alloc_objects");
  S_str(t, "count");
  S_str(t, "alloc_space");
  S_str(t, "bytes");
  S_str(t, "inuse_objects");
  S_str(t, "inuse_space");
  S_str(t, "space");
  S_str(t, "/usr/local/bin/acme-server");
  S_str(t, "4f1c2b9e7d3a5c6b8e0f1a2b3c4d5e6f7a8b9c0d");
  S_str(t, "/usr/lib/x86_64-linux-gnu/libc.so.6");
  S_str(t, "b2f3c5a1d4e6f7081929a3b4c5d6e7f8091a2b3c");
  S_str(t, "[vdso]");
}

typedef struct {
  S_strtab str;
  S_func *funcs;
  uint32_t nfunc;
  S_loc *locs;
  uint32_t nloc;
  int64_t time_ns;
} S_prof;

#define S_EXE_BASE 0x400000ULL
/* 1 KiB of text per function and 32 bytes per call site: addresses look like
 * a real binary's and map back to their function. */
static uint64_t S_addr(uint32_t f, uint32_t site) { return S_EXE_BASE + 0x1000 + (uint64_t)f * 0x400 + site * 0x20 + 0x13; }

/* Writes the header, locations, functions: everything before the samples. */
static void S_write_head(const S_prof *p, pd_buf *out, pd_buf *m, pd_buf *m2) {
  S_int(m, 1, S_STR_SPACE);
  S_int(m, 2, S_STR_BYTES);
  S_msg(out, 11, m);
  S_int(out, 12, S_PERIOD);
  static const uint32_t types[4][2] = {{S_STR_ALLOC_OBJECTS, S_STR_COUNT},
                                       {S_STR_ALLOC_SPACE, S_STR_BYTES},
                                       {S_STR_INUSE_OBJECTS, S_STR_COUNT},
                                       {S_STR_INUSE_SPACE, S_STR_BYTES}};
  for (int i = 0; i < 4; i++) {
    S_int(m, 1, types[i][0]);
    S_int(m, 2, types[i][1]);
    S_msg(out, 1, m);
  }
  for (uint32_t i = 0; i < p->nloc; i++) {
    const S_loc *l = &p->locs[i];
    S_int(m, 1, i + 1);
    S_int(m, 2, 1); /* the executable's mapping */
    S_int(m, 3, l->addr);
    if (l->inl != PD_NONE) { /* inlined frames come first: leaf first */
      S_int(m2, 1, l->inl + 1);
      S_int(m2, 2, (uint64_t)l->inl_line);
      S_msg(m, 4, m2);
    }
    S_int(m2, 1, l->func + 1);
    S_int(m2, 2, (uint64_t)l->line);
    S_msg(m, 4, m2);
    S_msg(out, 4, m);
  }
  for (uint32_t i = 0; i < p->nfunc; i++) {
    const S_func *f = &p->funcs[i];
    S_int(m, 1, i + 1);
    S_int(m, 2, f->name);
    S_int(m, 3, f->name); /* Go writes the name as system_name too */
    S_int(m, 4, f->file);
    S_int(m, 5, (uint64_t)f->start_line);
    S_msg(out, 5, m);
  }
}

/* Everything after the samples: time, mappings, the string table. */
static void S_write_tail(const S_prof *p, pd_buf *out, pd_buf *m) {
  S_int(out, 9, (uint64_t)p->time_ns);
  uint64_t text_end = S_addr(p->nfunc, 0) + 0x10000;
  text_end = (text_end + 0xfff) & ~0xfffULL;
  struct {
    uint64_t start, limit, offset;
    uint32_t file, id;
  } maps[3] = {{S_EXE_BASE, text_end, 0, S_STR_EXE, S_STR_EXE_ID},
               {0x7f3a1c000000ULL, 0x7f3a1c195000ULL, 0x28000, S_STR_LIBC, S_STR_LIBC_ID},
               {0x7ffd5e9f2000ULL, 0x7ffd5e9f4000ULL, 0, S_STR_VDSO, 0}};
  for (int i = 0; i < 3; i++) {
    S_int(m, 1, (uint64_t)i + 1);
    S_int(m, 2, maps[i].start);
    S_int(m, 3, maps[i].limit);
    S_int(m, 4, maps[i].offset);
    S_int(m, 5, maps[i].file);
    S_int(m, 6, maps[i].id);
    S_int(m, 7, i == 0); /* has_functions */
    S_int(m, 8, i == 0); /* has_filenames */
    S_int(m, 9, i == 0); /* has_line_numbers */
    S_msg(out, 3, m);
  }
  for (uint32_t i = 0; i < p->str.n; i++) {
    const char *s = S_strat(&p->str, i);
    S_bytes(out, 6, s, strlen(s));
  }
}

/* Go's scaleHeapSample: a sampled count c of blocks of size s stands for
 * c / (1 - exp(-s/rate)) blocks. */
static void S_scale(double c, double s, int64_t *objects, int64_t *bytes) {
  if (c <= 0) {
    *objects = *bytes = 0;
    return;
  }
  double scale = 1 / (1 - exp(-s / S_PERIOD));
  *objects = (int64_t)(c * scale);
  *bytes = (int64_t)(c * s * scale);
}

/* One Sample message: locations leaf first, the four values, the bytes label. */
static void S_write_sample(pd_buf *out, pd_buf *m, pd_buf *pk, const uint32_t *loc_ids, uint32_t n,
                           double alloc_c, double inuse_c, double size, uint32_t bytes_key) {
  for (uint32_t i = 0; i < n; i++) S_varint(pk, loc_ids[i]);
  S_msg(m, 1, pk);
  int64_t v[4];
  S_scale(alloc_c, size, &v[0], &v[1]);
  S_scale(inuse_c, size, &v[2], &v[3]);
  for (int i = 0; i < 4; i++) S_varint(pk, (uint64_t)v[i]);
  S_msg(m, 2, pk);
  S_int(pk, 1, bytes_key);
  S_int(pk, 3, (uint64_t)size);
  S_msg(m, 3, pk);
  S_msg(out, 2, m);
}

/* ---- output ------------------------------------------------------------------------ */

static int S_write(const char *path, const pd_buf *raw, int gzip, pd_err *err) {
  const uint8_t *data = (const uint8_t *)(raw->data ? raw->data : "");
  size_t len = raw->len;
  uint8_t *z = NULL;
  if (gzip) { /* level 1, as Go's profile writer (gzip.BestSpeed) */
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      return pd_fail(err, "%s: zlib: deflateInit2 failed", path);
    size_t cap = deflateBound(&s, len);
    z = pd_xmalloc(cap);
    s.next_in = (Bytef *)data;
    s.avail_in = (uInt)len;
    s.next_out = z;
    s.avail_out = (uInt)cap;
    int zr = deflate(&s, Z_FINISH);
    len = cap - s.avail_out;
    deflateEnd(&s);
    if (zr != Z_STREAM_END) {
      free(z);
      return pd_fail(err, "%s: zlib: deflate failed (%d)", path, zr);
    }
    data = z;
  }
  int rc = PD_OK;
  if (strcmp(path, "-") == 0) {
    if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
      rc = pd_fail(err, "standard output: write failed");
  } else {
    rc = pd_write_file_atomic(path, data, len, err);
  }
  free(z);
  return rc;
}

/* ---- a made-up Go program ------------------------------------------------------------ */

typedef struct {
  const char *name, *file;
  int line;
} S_fixed;

/* Fixed functions first; their order gives the S_F_* indexes below. */
static const S_fixed S_fixed_funcs[] = {
    {"runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s", 1650},
    {"runtime.main", "/usr/local/go/src/runtime/proc.go", 144},
    {"main.main", "/home/build/src/github.com/acme/server/main.go", 31},
    {"runtime.mallocgc", "/usr/local/go/src/runtime/malloc.go", 948},
    {"runtime.newobject", "/usr/local/go/src/runtime/malloc.go", 1323},
    {"runtime.makeslice", "/usr/local/go/src/runtime/slice.go", 88},
    {"runtime.growslice", "/usr/local/go/src/runtime/slice.go", 155},
    {"runtime.makemap", "/usr/local/go/src/runtime/map.go", 304},
    {"runtime.mapassign_faststr", "/usr/local/go/src/runtime/map_faststr.go", 203},
    {"runtime.rawstring", "/usr/local/go/src/runtime/string.go", 262},
    {"runtime.slicebytetostring", "/usr/local/go/src/runtime/string.go", 81},
    {"runtime.concatstrings", "/usr/local/go/src/runtime/string.go", 21},
    {"net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go", 1878},
    {"net/http.serverHandler.ServeHTTP", "/usr/local/go/src/net/http/server.go", 2926},
    {"net/http.(*ServeMux).ServeHTTP", "/usr/local/go/src/net/http/server.go", 2499},
    {"net/http.HandlerFunc.ServeHTTP", "/usr/local/go/src/net/http/server.go", 2121},
    {"google.golang.org/grpc.(*Server).handleStream", "/home/build/go/pkg/mod/google.golang.org/grpc@v1.59.0/server.go", 1705},
    {"google.golang.org/grpc.(*Server).processUnaryRPC", "/home/build/go/pkg/mod/google.golang.org/grpc@v1.59.0/server.go", 1295},
    {"encoding/json.Unmarshal", "/usr/local/go/src/encoding/json/decode.go", 97},
    {"encoding/json.(*decodeState).object", "/usr/local/go/src/encoding/json/decode.go", 614},
    {"encoding/json.Marshal", "/usr/local/go/src/encoding/json/encode.go", 158},
    {"bytes.(*Buffer).grow", "/usr/local/go/src/bytes/buffer.go", 118},
    {"bytes.growSlice", "/usr/local/go/src/bytes/buffer.go", 229},
    {"bufio.NewReaderSize", "/usr/local/go/src/bufio/bufio.go", 57},
    {"compress/flate.NewWriter", "/usr/local/go/src/compress/flate/deflate.go", 666},
    {"strings.(*Builder).grow", "/usr/local/go/src/strings/builder.go", 66},
    /* the known trends of a series (docs/performance.md names them) */
    {"github.com/acme/leaky/cache.(*LRU).Put", "/home/build/src/github.com/acme/leaky/cache/lru.go", 88},
    {"github.com/acme/leaky/session.(*Store).Save", "/home/build/src/github.com/acme/leaky/session/store.go", 141},
    {"github.com/acme/leaky/metrics.(*Registry).register", "/home/build/src/github.com/acme/leaky/metrics/registry.go", 57},
    {"github.com/acme/leaky/pool.(*BufferPool).grow", "/home/build/src/github.com/acme/leaky/pool/pool.go", 203},
};
enum {
  S_F_GOEXIT, S_F_RUNTIME_MAIN, S_F_MAIN, S_F_MALLOCGC, S_F_NEWOBJECT, S_F_MAKESLICE, S_F_GROWSLICE,
  S_F_MAKEMAP, S_F_MAPASSIGN, S_F_RAWSTRING, S_F_SLICEBYTETOSTRING, S_F_CONCATSTRINGS,
  S_F_HTTP_SERVE, S_F_HTTP_HANDLER, S_F_HTTP_MUX, S_F_HTTP_FUNC, S_F_GRPC_STREAM, S_F_GRPC_UNARY,
  S_F_JSON_UNMARSHAL, S_F_JSON_OBJECT, S_F_JSON_MARSHAL, S_F_BUF_GROW, S_F_GROWSLICE_BYTES,
  S_F_BUFIO, S_F_FLATE, S_F_BUILDER_GROW, S_F_LEAK0, S_F_LEAK1, S_F_LEAK2, S_F_PLATEAU,
  S_NFIXED
};
#define S_NLEAKS 3

/* How a heap allocation is reached below the program's own frames, root
 * first; each chain ends in runtime.mallocgc. */
static const int S_alloc_chains[][5] = {
    {S_F_NEWOBJECT, S_F_MALLOCGC, -1},
    {S_F_MAKESLICE, S_F_MALLOCGC, -1},
    {S_F_GROWSLICE, S_F_MALLOCGC, -1},
    {S_F_MAKEMAP, S_F_NEWOBJECT, S_F_MALLOCGC, -1},
    {S_F_SLICEBYTETOSTRING, S_F_MALLOCGC, -1},
    {S_F_CONCATSTRINGS, S_F_RAWSTRING, S_F_MALLOCGC, -1},
    {S_F_JSON_UNMARSHAL, S_F_JSON_OBJECT, S_F_MAPASSIGN, S_F_NEWOBJECT, S_F_MALLOCGC},
    {S_F_JSON_MARSHAL, S_F_GROWSLICE, S_F_MALLOCGC, -1},
    {S_F_BUF_GROW, S_F_GROWSLICE_BYTES, S_F_MAKESLICE, S_F_MALLOCGC, -1},
    {S_F_BUFIO, S_F_MAKESLICE, S_F_MALLOCGC, -1},
    {S_F_FLATE, S_F_NEWOBJECT, S_F_MALLOCGC, -1},
    {S_F_BUILDER_GROW, S_F_GROWSLICE, S_F_MALLOCGC, -1},
};
#define S_NCHAINS (sizeof S_alloc_chains / sizeof S_alloc_chains[0])

static const char *S_pkgs[] = {"api", "cache", "codec", "config", "db", "auth", "billing", "queue",
                               "render", "search", "store", "stream", "sync", "task", "trace", "user",
                               "index", "ledger", "mail", "media", "order", "policy", "rpc", "shard"};
static const char *S_types[] = {"Server", "Client", "Handler", "Decoder", "Encoder", "Pool", "Builder",
                                "Reader", "Writer", "Cache", "Index", "Batch", "Cursor", "Session",
                                "Manager", "Registry", "Worker", "Queue", "Table", "Tree", "Buffer",
                                "Router", "Scanner", "Snapshot", "Ledger", "Account", "Record",
                                "Request", "Response", "Stream", "Conn", "Txn"};
static const char *S_methods[] = {"Get", "Put", "Load", "Store", "Decode", "Encode", "Handle", "Serve",
                                  "Read", "Write", "Flush", "Next", "Scan", "Apply", "Commit", "Open",
                                  "Close", "Merge", "Split", "Build", "Parse", "Render", "Lookup",
                                  "Insert", "Delete", "Update", "Validate", "Resolve", "Dispatch",
                                  "Process", "Marshal", "Unmarshal", "Append", "Grow", "Reset", "Clone",
                                  "Sort", "Filter", "Visit", "Walk", "Emit", "Collect", "Compact",
                                  "Snapshot", "Restore", "Refresh", "Notify", "Sync"};
#define S_N(a) (sizeof a / sizeof a[0])

/* Names function `app` of the program: github.com/acme/svcNN/pkg.(*Type).Method
 * and its variants. The (service, package, type, method) tuple is a bijection
 * of app < 40*24*32*48, so names never repeat; past that a counter is added. */
static void S_name_app(S_prof *p, uint32_t app, S_func *f, uint32_t *file_ids) {
  const uint64_t tuples = 40 * S_N(S_pkgs) * S_N(S_types) * S_N(S_methods);
  /* 1000003 is prime, so this permutes [0, tuples): neighbours differ in
   * every part of the name */
  uint32_t x = (uint32_t)((uint64_t)(app % tuples) * 1000003 % tuples);
  uint32_t round = (uint32_t)(app / tuples);
  uint32_t svc = x % 40;
  x /= 40;
  uint32_t pkg = x % S_N(S_pkgs);
  x /= S_N(S_pkgs);
  uint32_t typ = x % S_N(S_types);
  x /= S_N(S_types);
  uint32_t meth = x % S_N(S_methods);
  x = round;
  /* a package's types share 8 files */
  uint32_t file_key = (svc * S_N(S_pkgs) + pkg) * 8 + typ % 8;
  if (file_ids[file_key] == 0)
    file_ids[file_key] = S_str(&p->str, "/home/build/src/github.com/acme/svc%02u/%s/%c%s.go", svc,
                               S_pkgs[pkg], S_types[typ % 8][0] + 32, S_types[typ % 8] + 1);
  f->file = file_ids[file_key];
  char extra[24] = "";
  if (x) snprintf(extra, sizeof extra, "%u", x);
  const char *pk = S_pkgs[pkg], *ty = S_types[typ], *me = S_methods[meth];
  switch (pd_hash_u64(app) % 8) {
  case 0: f->name = S_str(&p->str, "github.com/acme/svc%02u/%s.%s.%s%s", svc, pk, ty, me, extra); break;
  case 1: f->name = S_str(&p->str, "github.com/acme/svc%02u/%s.(*%s).%s%s.func1", svc, pk, ty, me, extra); break;
  case 2: f->name = S_str(&p->str, "github.com/acme/svc%02u/%s.new%s%s%s", svc, pk, ty, me, extra); break;
  default: f->name = S_str(&p->str, "github.com/acme/svc%02u/%s.(*%s).%s%s", svc, pk, ty, me, extra); break;
  }
  f->start_line = 20 + (int64_t)(pd_hash_u64(app + 7) % 900);
}

typedef struct {
  S_prof p;
  uint32_t *first_loc; /* function -> its first call site's location index */
  uint8_t *nsites;
  uint32_t *child;     /* function -> S_MAXCHILD callees (app functions) */
  uint8_t *nchild;
  S_zipf hot;          /* over app functions: which allocate most */
  S_zipf pick_child;
  uint32_t app0;       /* first app function */
  uint32_t depth;
  uint64_t stride;
  uint32_t *rank;      /* app function -> hotness rank */
} S_prog;

static uint64_t S_gcd(uint64_t a, uint64_t b) {
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}
/* The function of hotness rank `rank` (0 hottest), and back. */
static uint32_t S_hot_app(const S_prog *g, uint32_t rank) {
  return S_NFIXED + (uint32_t)(((uint64_t)rank * g->stride + 13) % g->hot.n);
}
static uint32_t S_app_rank(const S_prog *g, uint32_t f) {
  return g->rank[f - S_NFIXED];
}

#define S_MAXCHILD 8

static void S_prog_build(S_prog *g, uint64_t seed, uint32_t nfunc, uint32_t depth) {
  memset(g, 0, sizeof *g);
  S_prof *p = &g->p;
  S_strtab_init(&p->str);
  if (nfunc < S_NFIXED + 16) nfunc = S_NFIXED + 16;
  g->depth = depth < 8 ? 8 : depth;
  g->app0 = S_NFIXED;
  uint32_t napp = nfunc - S_NFIXED;
  p->nfunc = nfunc;
  p->funcs = pd_xcalloc(nfunc, sizeof *p->funcs);
  for (uint32_t i = 0; i < S_NFIXED; i++) {
    p->funcs[i].name = S_str(&p->str, "%s", S_fixed_funcs[i].name);
    p->funcs[i].file = S_str(&p->str, "%s", S_fixed_funcs[i].file);
    p->funcs[i].start_line = S_fixed_funcs[i].line;
  }
  uint32_t nfiles = 40 * S_N(S_pkgs) * 8;
  uint32_t *file_ids = pd_xcalloc(nfiles, sizeof *file_ids);
  for (uint32_t a = 0; a < napp; a++) S_name_app(p, a, &p->funcs[S_NFIXED + a], file_ids);
  free(file_ids);

  S_rng r = S_stream(seed, 0xfeed, 0);
  /* call sites: 1 to 3 per function, a tenth with an inlined callee */
  g->first_loc = pd_xmalloc(nfunc * sizeof *g->first_loc);
  g->nsites = pd_xmalloc(nfunc);
  uint32_t nloc = 0;
  for (uint32_t f = 0; f < nfunc; f++) {
    g->first_loc[f] = nloc;
    g->nsites[f] = (uint8_t)(1 + S_below(&r, 3));
    nloc += g->nsites[f];
  }
  p->nloc = nloc;
  p->locs = pd_xcalloc(nloc, sizeof *p->locs);
  for (uint32_t f = 0; f < nfunc; f++)
    for (uint32_t s = 0; s < g->nsites[f]; s++) {
      S_loc *l = &p->locs[g->first_loc[f] + s];
      l->func = f;
      l->addr = S_addr(f, s);
      l->line = p->funcs[f].start_line + 3 + s * 7 + S_below(&r, 5);
      l->inl = PD_NONE;
      if (f >= S_NFIXED && S_below(&r, 10) == 0) { /* a small helper inlined here */
        l->inl = S_NFIXED + S_below(&r, napp);
        l->inl_line = p->funcs[l->inl].start_line + 1 + S_below(&r, 4);
      }
    }
  /* the call graph: each function calls a few others, half of them chosen
   * among the hot ones, so paths converge on hot code as in real programs */
  S_zipf_init(&g->hot, napp, 1.05);
  S_zipf_init(&g->pick_child, S_MAXCHILD, 0.3);
  g->child = pd_xmalloc((size_t)nfunc * S_MAXCHILD * sizeof *g->child);
  g->nchild = pd_xmalloc(nfunc);
  /* hotness rank -> function: a stride coprime with napp, so the hot
   * functions are spread over services and packages */
  uint64_t stride = 7919;
  while (S_gcd(stride, napp) != 1) stride += 2;
  g->stride = stride;
  g->rank = pd_xmalloc(napp * sizeof *g->rank);
  for (uint32_t k = 0; k < napp; k++) g->rank[S_hot_app(g, k) - S_NFIXED] = k;
  for (uint32_t f = 0; f < nfunc; f++) {
    g->nchild[f] = (uint8_t)(2 + S_below(&r, S_MAXCHILD - 1));
    for (uint32_t c = 0; c < g->nchild[f]; c++)
      g->child[(size_t)f * S_MAXCHILD + c] =
          S_hot_app(g, S_below(&r, 4) == 0 ? S_zipf_pick(&g->hot, &r) : S_below(&r, napp));
  }
}

static void S_prog_free(S_prog *g) {
  free(g->p.funcs);
  free(g->p.locs);
  pd_buf_free(&g->p.str.blob);
  pd_vec_free(&g->p.str.off);
  free(g->first_loc);
  free(g->nsites);
  free(g->child);
  free(g->nchild);
  free(g->rank);
  free(g->hot.cdf);
  free(g->pick_child.cdf);
}

/* Go's small size classes and a few large allocations. */
static const uint32_t S_sizes[] = {8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240,
                                   256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896,
                                   1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456,
                                   4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
                                   10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
                                   27264, 28672, 32768, 65536, 131072, 1048576};

enum { S_KIND_PLAIN, S_KIND_LEAK0, S_KIND_LEAK1, S_KIND_LEAK2, S_KIND_PLATEAU };

typedef struct {
  uint32_t frames[S_MAX_DEPTH]; /* functions, root first */
  uint32_t n;
  int kind;
  double count; /* sampled blocks, before any trend */
  int live;     /* plain stacks: some of its blocks are still in use */
  double size;
} S_stack;

/* Sample i's stack: the same in every snapshot of a series. */
static void S_make_stack(const S_prog *g, uint64_t seed, uint64_t i, S_stack *st) {
  S_rng r = S_stream(seed, 1, i);
  uint32_t *fr = st->frames, n = 0;
  fr[n++] = S_F_GOEXIT;
  uint32_t entry = S_below(&r, 10);
  if (entry < 3) {
    fr[n++] = S_F_RUNTIME_MAIN;
    fr[n++] = S_F_MAIN;
  } else if (entry < 7) {
    fr[n++] = S_F_HTTP_SERVE;
    fr[n++] = S_F_HTTP_HANDLER;
    fr[n++] = S_F_HTTP_MUX;
    fr[n++] = S_F_HTTP_FUNC;
  } else if (entry < 9) {
    fr[n++] = S_F_GRPC_STREAM;
    fr[n++] = S_F_GRPC_UNARY;
  } else { /* a goroutine started by the program */
    fr[n++] = S_hot_app(g, S_zipf_pick(&g->hot, &r) % 64);
  }
  /* half the stacks allocate through the runtime (or a library, then the
   * runtime), half in the program's own frame. runtime/pprof hides the
   * runtime frames at the leaf end of a heap stack (protomem.go: mallocgc,
   * newobject, growslice, ... never show), so the chain stops at its last
   * library frame, and a runtime-only chain leaves the program's frame as
   * the leaf, as in real Go heap profiles. */
  int chain = (int)S_below(&r, 2 * S_NCHAINS);
  int chain_len = 0;
  if (chain < (int)S_NCHAINS)
    while (chain_len < 5 && S_alloc_chains[chain][chain_len] >= 0) chain_len++;
  while (chain_len > 0 &&
         strncmp(S_fixed_funcs[S_alloc_chains[chain][chain_len - 1]].name, "runtime.", 8) == 0)
    chain_len--;
  st->kind = S_KIND_PLAIN;
  uint32_t u = S_below(&r, 100);
  if (u < 4) st->kind = S_KIND_LEAK0 + (int)u;
  /* depth: mostly 8 to 14 frames, a tail up to the limit; at least four
   * of them the program's own, so that (as in a Go heap profile, one record
   * per distinct stack) nearly every sample is a different call path */
  double x = S_unit(&r);
  uint32_t total = 8 + (uint32_t)((g->depth - 8) * x * x * x * x * x);
  if (total > g->depth) total = g->depth;
  uint32_t fixed = n + (uint32_t)chain_len + (st->kind != 0);
  uint32_t room = total > fixed + 4 ? total - fixed : 4;
  uint32_t cur = fr[n - 1];
  for (uint32_t k = 0; k < room; k++) {
    uint32_t c = S_zipf_pick(&g->pick_child, &r);
    uint32_t nc = g->nchild[cur];
    cur = g->child[(size_t)cur * S_MAXCHILD + (c % nc)];
    fr[n++] = cur;
  }
  if (st->kind != S_KIND_PLAIN) fr[n++] = S_F_LEAK0 + (uint32_t)(st->kind - S_KIND_LEAK0);
  for (int k = 0; k < chain_len; k++) fr[n++] = (uint32_t)S_alloc_chains[chain][k];
  st->n = n;
  /* hot allocation sites hold more: the rank of the last program frame */
  uint32_t owner = fr[n - 1 - (uint32_t)chain_len];
  double rank = owner >= S_NFIXED ? (double)S_app_rank(g, owner) : 50;
  st->count = 1 + floor(-log(1 - S_unit(&r)) * (1 + 40 / pow(1 + rank, 0.7)));
  /* most sampled blocks have been freed by the time of the profile */
  st->live = S_below(&r, 10) < 4;
  uint32_t si = S_below(&r, S_N(S_sizes));
  if (si >= S_N(S_sizes) - 3 && S_below(&r, 8)) si = S_below(&r, 40); /* large ones are rare */
  st->size = S_sizes[si];
}

/* The location ids of a stack, leaf first: each frame's call site is picked
 * by its callee, so the same caller/callee pair always has the same site. */
static uint32_t S_stack_locs(const S_prog *g, const S_stack *st, uint32_t *ids) {
  for (uint32_t k = 0; k < st->n; k++) {
    uint32_t f = st->frames[st->n - 1 - k];
    uint32_t below = k ? st->frames[st->n - k] : 0;
    ids[k] = g->first_loc[f] + (k ? pd_hash_u64(below) % g->nsites[f] : 0) + 1;
  }
  return st->n;
}

/* How many sampled blocks are live at snapshot t of n: leaks grow linearly
 * (at different rates), the plateau grows for the first third then holds,
 * the rest fluctuates by +-20%. */
static double S_inuse(const S_stack *st, uint64_t seed, uint64_t i, uint32_t t, uint32_t n) {
  static const double rate[S_NLEAKS] = {1.0, 0.5, 0.25};
  switch (st->kind) {
  case S_KIND_LEAK0:
  case S_KIND_LEAK1:
  case S_KIND_LEAK2: return st->count * (1 + t * rate[st->kind - S_KIND_LEAK0]);
  case S_KIND_PLATEAU: {
    uint32_t hold = n / 3 ? n / 3 : 1;
    return st->count * (1 + (t < hold ? t : hold));
  }
  default: {
    if (!st->live) return 0;
    S_rng r = S_stream(seed, 2 + t, i);
    return floor(st->count * (0.8 + 0.4 * S_unit(&r)) + 0.5);
  }
  }
}

typedef struct {
  uint64_t seed;
  uint32_t samples, functions, depth;
  int64_t time_ns;
  int folded, raw;
  const char *out;
} S_opts;

/* Writes snapshot t of n (n = 1 for a single profile). */
static int S_emit_snapshot(const S_prog *g, const S_opts *o, uint32_t t, uint32_t n, const char *path,
                           pd_err *err) {
  S_prof p = g->p;
  p.time_ns = o->time_ns + (int64_t)t * S_HOUR_NS;
  pd_buf out = PD_BUF_INIT, m = PD_BUF_INIT, m2 = PD_BUF_INIT, pk = PD_BUF_INIT;
  S_stack *st = pd_xmalloc(sizeof *st);
  uint32_t *ids = pd_xmalloc(S_MAX_DEPTH * sizeof *ids);
  pd_buf_reserve(&out, (size_t)o->samples * 64 + (size_t)p.nloc * 24 + p.str.blob.len + (size_t)p.nfunc * 16);
  if (!o->folded) S_write_head(&p, &out, &m, &m2);
  for (uint32_t i = 0; i < o->samples; i++) {
    S_make_stack(g, o->seed, i, st);
    double inuse = S_inuse(st, o->seed, i, t, n);
    double alloc = inuse + st->count * (1 + t);
    uint32_t nids = S_stack_locs(g, st, ids);
    if (o->folded) { /* root first; an inlined frame follows its caller */
      int64_t objs, bytes;
      S_scale(inuse, st->size, &objs, &bytes);
      if (!bytes) continue;
      for (uint32_t k = 0; k < nids; k++) {
        const S_loc *l = &p.locs[ids[nids - 1 - k] - 1];
        if (k) pd_buf_putc(&out, ';');
        pd_buf_puts(&out, S_strat(&p.str, p.funcs[l->func].name));
        if (l->inl != PD_NONE) {
          pd_buf_putc(&out, ';');
          pd_buf_puts(&out, S_strat(&p.str, p.funcs[l->inl].name));
        }
      }
      pd_buf_printf(&out, " %" PRId64 "\n", bytes);
      continue;
    }
    S_write_sample(&out, &m, &pk, ids, nids, alloc, inuse, st->size, S_STR_BYTES);
  }
  if (!o->folded) S_write_tail(&p, &out, &m);
  int rc = S_write(path, &out, !o->folded && !o->raw, err);
  pd_buf_free(&out);
  pd_buf_free(&m);
  pd_buf_free(&m2);
  pd_buf_free(&pk);
  free(st);
  free(ids);
  return rc;
}

/* ---- adversarial shapes ---------------------------------------------------------------- */

/* N distinct one-frame stacks (`--wide`), or one stack N frames deep of N
 * distinct functions (`--deep`): inputs that punish anything quadratic in
 * the number of stacks or in the depth of one. */
static int S_emit_adversarial(const S_opts *o, uint32_t wide, uint32_t deep, pd_err *err) {
  uint32_t n = wide ? wide : deep;
  S_prof p;
  memset(&p, 0, sizeof p);
  S_strtab_init(&p.str);
  p.time_ns = o->time_ns;
  p.nfunc = p.nloc = n;
  p.funcs = pd_xcalloc(n, sizeof *p.funcs);
  p.locs = pd_xcalloc(n, sizeof *p.locs);
  uint32_t file = S_str(&p.str, "/home/build/src/github.com/acme/%s/gen.go", wide ? "wide" : "deep");
  for (uint32_t i = 0; i < n; i++) {
    p.funcs[i].name = wide ? S_str(&p.str, "github.com/acme/wide.f%07u", i)
                           : S_str(&p.str, "github.com/acme/deep.level%07u", i);
    p.funcs[i].file = file;
    p.funcs[i].start_line = 10 + i % 1000;
    p.locs[i].func = i;
    p.locs[i].addr = S_addr(i, 0);
    p.locs[i].line = p.funcs[i].start_line + 2;
    p.locs[i].inl = PD_NONE;
  }
  pd_buf out = PD_BUF_INIT, m = PD_BUF_INIT, m2 = PD_BUF_INIT, pk = PD_BUF_INIT;
  if (o->folded) {
    if (wide) {
      S_rng r = S_stream(o->seed, 3, 0);
      for (uint32_t i = 0; i < n; i++)
        pd_buf_printf(&out, "%s %u\n", S_strat(&p.str, p.funcs[i].name), 1 + S_below(&r, 1000) * 16);
    } else {
      for (uint32_t i = 0; i < n; i++) {
        if (i) pd_buf_putc(&out, ';');
        pd_buf_puts(&out, S_strat(&p.str, p.funcs[i].name));
      }
      pd_buf_puts(&out, " 1048576\n");
    }
  } else {
    S_write_head(&p, &out, &m, &m2);
    if (wide) {
      S_rng r = S_stream(o->seed, 3, 0);
      for (uint32_t i = 0; i < n; i++) {
        uint32_t id = i + 1;
        double c = 1 + S_below(&r, 8);
        S_write_sample(&out, &m, &pk, &id, 1, 2 * c, c, 16 * (1 + S_below(&r, 64)), S_STR_BYTES);
      }
    } else {
      uint32_t *ids = pd_xmalloc(n * sizeof *ids);
      for (uint32_t k = 0; k < n; k++) ids[k] = n - k; /* leaf first: the deepest level */
      S_write_sample(&out, &m, &pk, ids, n, 4, 2, 524288, S_STR_BYTES);
      free(ids);
    }
    S_write_tail(&p, &out, &m);
  }
  int rc = S_write(o->out, &out, !o->folded && !o->raw, err);
  pd_buf_free(&out);
  pd_buf_free(&m);
  pd_buf_free(&m2);
  pd_buf_free(&pk);
  pd_buf_free(&p.str.blob);
  pd_vec_free(&p.str.off);
  free(p.funcs);
  free(p.locs);
  return rc;
}

/* ---- command line --------------------------------------------------------------------- */

static void S_usage(FILE *f) {
  fprintf(f,
          "usage: profdiff-synth [options] [-o FILE]\n"
          "       profdiff-synth [options] --series N DIR\n\n"
          "Writes a synthetic Go heap profile (gzip'd pprof protobuf, as runtime/pprof\n"
          "writes it) to FILE (default: standard output). Same options, same bytes.\n\n"
          "options:\n"
          "  --samples N       samples, i.e. distinct stacks (default 200000)\n"
          "  --functions N     functions in the program (default 30000)\n"
          "  --depth N         deepest stack, in frames (default 32)\n"
          "  --seed S          PRNG seed (default 1)\n"
          "  --time-ns T       the profile's time_nanos (default 1763798400000000000,\n"
          "                    2025-11-22T08:00:00Z)\n"
          "  --series N DIR    write DIR/heap-000.pb.gz ... heap-(N-1).pb.gz, one hour\n"
          "                    apart: github.com/acme/leaky/{cache,session,metrics}\n"
          "                    functions grow (the leaks), leaky/pool.(*BufferPool).grow\n"
          "                    grows for the first third then holds, the rest\n"
          "                    fluctuates by +-20%%\n"
          "  --folded          write folded stacks (inuse_space) instead of pprof\n"
          "  --raw             do not gzip the protobuf\n"
          "  --wide N          adversarial: N distinct one-frame stacks\n"
          "  --deep N          adversarial: one stack N frames deep\n"
          "  -o, --output FILE where to write (- for standard output)\n"
          "  --inflate FILE    only read FILE and inflate it with zlib, through the\n"
          "                    reader profdiff uses, and print its size: the floor\n"
          "                    bench/run compares profdiff with\n");
}

static int S_num(const char *opt, const char *v, uint64_t max, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long x = v ? strtoull(v, &end, 10) : 0;
  if (!v || !*v || *end || errno || x > max) {
    fprintf(stderr, "profdiff-synth: %s wants a number up to %" PRIu64 "\n", opt, max);
    return PD_ERR;
  }
  *out = x;
  return PD_OK;
}

int main(int argc, char **argv) {
  S_opts o = {1, 200000, 30000, 32, 1763798400000000000LL, 0, 0, "-"};
  uint64_t series = 0, wide = 0, deep = 0, v;
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
    int rc = PD_OK;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      S_usage(stdout);
      return 0;
    } else if (!strcmp(a, "--samples")) {
      if ((rc = S_num(a, next, 100000000, &v)) == PD_OK) o.samples = (uint32_t)v, i++;
    } else if (!strcmp(a, "--functions")) {
      if ((rc = S_num(a, next, 10000000, &v)) == PD_OK) o.functions = (uint32_t)v, i++;
    } else if (!strcmp(a, "--depth")) {
      if ((rc = S_num(a, next, S_MAX_DEPTH, &v)) == PD_OK) o.depth = (uint32_t)v, i++;
    } else if (!strcmp(a, "--seed")) {
      if ((rc = S_num(a, next, UINT64_MAX, &v)) == PD_OK) o.seed = v, i++;
    } else if (!strcmp(a, "--time-ns")) {
      if ((rc = S_num(a, next, INT64_MAX, &v)) == PD_OK) o.time_ns = (int64_t)v, i++;
    } else if (!strcmp(a, "--series")) {
      if ((rc = S_num(a, next, 100000, &series)) == PD_OK && series && i + 2 < argc) dir = argv[i + 2], i += 2;
      else rc = PD_ERR;
    } else if (!strcmp(a, "--wide")) {
      if ((rc = S_num(a, next, 100000000, &wide)) == PD_OK) i++;
    } else if (!strcmp(a, "--deep")) {
      if ((rc = S_num(a, next, 10000000, &deep)) == PD_OK) i++;
    } else if (!strcmp(a, "--inflate") && next) {
      pd_err err;
      uint8_t *data;
      size_t len;
      if (pd_read_input(next, PD_DEFAULT_MAX_INPUT, &data, &len, &err) != PD_OK) {
        fprintf(stderr, "profdiff-synth: %s\n", err.msg);
        return 1;
      }
      printf("%zu\n", len);
      pd_file_release(data);
      return 0;
    } else if (!strcmp(a, "--folded")) {
      o.folded = 1;
    } else if (!strcmp(a, "--raw")) {
      o.raw = 1;
    } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && next) {
      o.out = next, i++;
    } else {
      fprintf(stderr, "profdiff-synth: unknown option %s (see --help)\n", a);
      rc = PD_ERR;
    }
    if (rc != PD_OK) {
      if (!strcmp(a, "--series")) fprintf(stderr, "profdiff-synth: --series wants N DIR\n");
      return 2;
    }
  }
  pd_err err;
  if (wide || deep) {
    if ((wide && deep) || series) {
      fprintf(stderr, "profdiff-synth: --wide, --deep and --series do not combine\n");
      return 2;
    }
    if (S_emit_adversarial(&o, (uint32_t)wide, (uint32_t)deep, &err) != PD_OK) {
      fprintf(stderr, "profdiff-synth: %s\n", err.msg);
      return 1;
    }
    return 0;
  }
  S_prog g;
  S_prog_build(&g, o.seed, o.functions, o.depth);
  int rc = PD_OK;
  if (series) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
      fprintf(stderr, "profdiff-synth: %s: %s\n", dir, strerror(errno));
      S_prog_free(&g);
      return 1;
    }
    pd_buf path = PD_BUF_INIT;
    for (uint32_t t = 0; t < series && rc == PD_OK; t++) {
      pd_buf_truncate(&path, 0);
      pd_buf_printf(&path, "%s/heap-%03u.%s", dir, t, o.folded ? "folded" : o.raw ? "pb" : "pb.gz");
      rc = S_emit_snapshot(&g, &o, t, (uint32_t)series, path.data, &err);
    }
    pd_buf_free(&path);
  } else {
    rc = S_emit_snapshot(&g, &o, 0, 1, o.out, &err);
  }
  S_prog_free(&g);
  if (rc != PD_OK) {
    fprintf(stderr, "profdiff-synth: %s\n", err.msg);
    return 1;
  }
  return 0;
}
