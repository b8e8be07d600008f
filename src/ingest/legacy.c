/* legacy.c: the text heap profiles pprof reads besides protobuf: Go's
 * /debug/pprof/heap?debug=1 ("heap profile: N: N [N: N] @ heap/RATE") and
 * gperftools' heap, growth and fragmentation profiles ("@ heapz_v2/RATE",
 * "@ growthz", with a "--- Memory map: ---" or "MAPPED_LIBRARIES:" section).
 *
 * The rules are google/pprof's profile/legacy_profile.go (parseHeap,
 * parseHeapHeader, parseHeapSample, scaleHeapSample, the memory map parser),
 * so that the figures are pprof's: sampled values are unsampled by
 * 1/(1-exp(-mean size/rate)) and truncated to integers as pprof does, and
 * every address is moved back one byte onto its call instruction.
 *
 * Two departures, both to make the text agree with the protobuf the Go
 * runtime writes at the same moment (runtime/pprof/protomem.go): Go's
 * "# 0x... function+0x.. file:line" comment lines are read as symbols (pprof
 * skips them as comments and symbolizes from the binary, which we do not
 * have), and the addresses such a sample's comments leave out (runtime.goexit
 * and the allocator's own runtime frames, which the protobuf writer hides
 * too) are dropped from its stack. A Go text profile always has the four
 * types alloc_objects, alloc_space, inuse_objects, inuse_space, as its
 * protobuf does. Frames without a symbol are named by their address.
 */
#include "ingest.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint32_t loc, func;
  int64_t line;
} S_sym;

typedef struct {
  pd_profile *p;
  pd_err *err;
  pd_intern *in;
  int go, v2, has_alloc;
  int64_t rate;
  uint32_t nvals;
  pd_idmap addrs;       /* address -> location index */
  pd_vec loc_addr;      /* uint64 per location */
  pd_vec loc_block;     /* uint32 per location: the comment block that named it, 0 = none */
  /* per location, the serial number of the last sample that listed it and
   * of the last one whose comments named it: membership tests in O(1), so
   * a stack of 100,000 frames with as many comment lines stays linear */
  pd_vec loc_listed, loc_named;
  uint32_t serial;      /* samples seen so far */
  pd_vec syms;          /* S_sym, in the order read */
  pd_idmap funcs;       /* (name id << 32 | file id) -> function index */
  pd_vec func_raw;      /* pd_function */
  pd_vec stack, stack_start, values;
  /* the sample whose comment lines are being read */
  int pending;
  pd_vec pend_locs;     /* uint32, leaf first */
  size_t pend_named;    /* comment lines that named one of its frames */
  pd_val pend_vals[4];
  int64_t pend_size;    /* its block size: pprof's "bytes" label */
  pd_vec sizes;         /* int64 per sample, with keep_labels */
  uint32_t block;       /* comment blocks seen so far */
  pd_vec maps;          /* pd_mapping (filename = string id) */
} S_leg;

/* ---- small scanners --------------------------------------------------------- */

typedef struct {
  const char *p, *end;
} S_cur;

static void S_spaces(S_cur *c) {
  while (c->p < c->end && (*c->p == ' ' || *c->p == '\t')) c->p++;
}

static int S_lit(S_cur *c, char ch) {
  if (c->p < c->end && *c->p == ch) {
    c->p++;
    return 1;
  }
  return 0;
}

/* An optionally negative decimal integer that fits in int64. */
static int S_int(S_cur *c, int allow_neg, int64_t *out) {
  const char *p = c->p;
  int neg = 0;
  if (allow_neg && p < c->end && *p == '-') {
    neg = 1;
    p++;
  }
  if (p >= c->end || *p < '0' || *p > '9') return 0;
  uint64_t v = 0;
  for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
    if (v > (UINT64_C(9223372036854775807) - (uint64_t)(*p - '0')) / 10) return 0;
    v = v * 10 + (uint64_t)(*p - '0');
  }
  c->p = p;
  *out = neg ? -(int64_t)v : (int64_t)v;
  return 1;
}

static int S_hexdigit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Hex digits (no prefix) into a uint64; 0 when none or when it overflows. */
static int S_hex(S_cur *c, uint64_t *out) {
  const char *p = c->p;
  uint64_t v = 0;
  int d, n = 0;
  while (p < c->end && (d = S_hexdigit(*p)) >= 0) {
    if (v >> 60) return 0;
    v = v << 4 | (uint64_t)d;
    p++;
    n++;
  }
  if (!n) return 0;
  c->p = p;
  *out = v;
  return 1;
}

static int S_fail_line(S_leg *l, uint64_t lineno, const char *what, const char *line, size_t n) {
  char shown[PD_EXCERPT_SIZE];
  return pd_fail(l->err, "%s:%" PRIu64 ": %s: \"%s\"", l->p->path, lineno, what,
                 pd_excerpt(line, n, shown));
}

/* ---- the header ---------------------------------------------------------------- */

/* pprof's heapHeaderRE, growthHeaderRE and fragmentationHeaderRE:
 * "heap profile: N: N [N: N] @ heap_v2/524288", "... @ growthz". */
static int S_header(S_leg *l, const char *line, size_t n) {
  const char *at = NULL;
  for (size_t i = 0; i + 13 <= n; i++)
    if (memcmp(line + i, "heap profile:", 13) == 0) {
      at = line + i + 13;
      break;
    }
  if (!at) return S_fail_line(l, 1, "not a heap profile header", line, n);
  S_cur c = {at, line + n};
  int64_t v[4];
  S_spaces(&c);
  int ok = S_int(&c, 0, &v[0]) && (S_spaces(&c), S_lit(&c, ':')) && (S_spaces(&c), S_int(&c, 0, &v[1])) &&
           (S_spaces(&c), S_lit(&c, '[')) && (S_spaces(&c), S_int(&c, 0, &v[2])) &&
           (S_spaces(&c), S_lit(&c, ':')) && (S_spaces(&c), S_int(&c, 0, &v[3])) &&
           (S_spaces(&c), S_lit(&c, ']')) && (S_spaces(&c), S_lit(&c, '@'));
  if (!ok)
    return S_fail_line(l, 1, "heap profile header does not parse (expected \"heap profile: N: N [N: N] @ heap/RATE\")",
                       line, n);
  S_spaces(&c);
  const char *w = c.p;
  while (c.p < c.end && ((*c.p >= 'a' && *c.p <= 'z') || (*c.p >= '0' && *c.p <= '9') || *c.p == '_'))
    c.p++;
  size_t wn = (size_t)(c.p - w);
  l->p->format = PD_FORMAT_GPERF_HEAP;
  if (wn >= 4 && memcmp(w, "heap", 4) == 0) {
    int64_t rate = 0;
    if (S_lit(&c, '/') && c.p < c.end && *c.p >= '0' && *c.p <= '9' && !S_int(&c, 0, &rate))
      return S_fail_line(l, 1, "heap profile header: sampling rate out of range", line, n);
    l->has_alloc = (v[2] != v[0] && v[2] != 0) || (v[3] != v[1] && v[3] != 0);
    if ((wn == 8 && memcmp(w, "heapz_v2", 8) == 0) || (wn == 7 && memcmp(w, "heap_v2", 7) == 0)) {
      l->v2 = 1;
      l->rate = rate;
    } else if (wn == 11 && memcmp(w, "heapprofile", 11) == 0) {
      l->rate = 1;
    } else if (wn == 4) {
      /* Go's runtime writes 2*MemProfileRate here */
      l->v2 = 1;
      l->rate = rate / 2;
      l->go = 1;
      l->has_alloc = 1;
      l->p->format = PD_FORMAT_GO_HEAP_TEXT;
    } else {
      return S_fail_line(l, 1, "heap profile header: unknown sampling kind", line, n);
    }
  } else if ((wn == 6 && memcmp(w, "growth", 6) == 0) || (wn == 7 && memcmp(w, "growthz", 7) == 0) ||
             (wn == 13 && memcmp(w, "fragmentation", 13) == 0) ||
             (wn == 14 && memcmp(w, "fragmentationz", 14) == 0)) {
    l->rate = 1;
  } else {
    return S_fail_line(l, 1, "heap profile header: unknown profile kind after \"@\"", line, n);
  }
  return PD_OK;
}

/* ---- samples ------------------------------------------------------------------- */

static uint32_t S_location(S_leg *l, uint64_t addr) {
  uint32_t idx = pd_idmap_get(&l->addrs, addr);
  if (idx != PD_NONE) return idx;
  idx = (uint32_t)l->loc_addr.n;
  pd_idmap_put(&l->addrs, addr, idx);
  *(uint64_t *)pd_vec_push(&l->loc_addr) = addr;
  *(uint32_t *)pd_vec_push(&l->loc_block) = 0;
  *(uint32_t *)pd_vec_push(&l->loc_listed) = 0;
  *(uint32_t *)pd_vec_push(&l->loc_named) = 0;
  return idx;
}

/* pprof's scaleHeapSample, truncating as it does. */
static void S_scale(int64_t count, int64_t size, int64_t rate, pd_val *c, pd_val *s) {
  if (count == 0 || size == 0) {
    *c = *s = 0;
    return;
  }
  if (rate <= 1) {
    *c = (pd_val)count;
    *s = (pd_val)size;
    return;
  }
  double avg = (double)size / (double)count;
  double scale = 1 / (1 - exp(-avg / (double)rate));
  /* trunc() is pprof's int64() conversion for every value that fits; a
   * cast would be undefined for the ones that do not (a size near 2^63
   * scaled up by a fraction of a byte) */
  *c = trunc((double)count * scale);
  *s = trunc((double)size * scale);
}

static int S_values(S_leg *l, uint64_t lineno, const char *line, size_t n, int64_t count,
                    int64_t size, const char *label, pd_val *out) {
  if (count == 0 && size != 0) {
    char what[96];
    snprintf(what, sizeof what, "%s count was 0 but %s bytes was %" PRId64, label, label, size);
    return S_fail_line(l, lineno, what, line, n);
  }
  if (l->v2) {
    S_scale(count, size, l->rate, &out[0], &out[1]);
  } else {
    out[0] = (pd_val)count;
    out[1] = (pd_val)size;
  }
  return PD_OK;
}

static void S_commit(S_leg *l) {
  if (!l->pending) return;
  l->pending = 0;
  const uint32_t *locs = l->pend_locs.items;
  const uint32_t *named = l->loc_named.items;
  uint32_t n = (uint32_t)l->pend_locs.n;
  pd_vec_reserve(&l->stack, l->stack.n + n);
  for (uint32_t i = 0; i < n; i++) {
    /* keep only the frames the sample's comments show */
    if (l->pend_named && named[locs[i]] != l->serial) continue;
    *(uint32_t *)pd_vec_push(&l->stack) = locs[i];
  }
  *(uint32_t *)pd_vec_push(&l->stack_start) = (uint32_t)l->stack.n;
  for (uint32_t k = 0; k < l->nvals; k++) *(pd_val *)pd_vec_push(&l->values) = l->pend_vals[k];
  if (l->p->keep_labels) *(int64_t *)pd_vec_push(&l->sizes) = l->pend_size;
}

/* size / count as Go's int64 division (0 for no objects; the one quotient
 * that overflows is kept as the size). */
static int64_t S_block_size(int64_t count, int64_t size) {
  if (count == 0) return 0;
  if (count == -1) return size == INT64_MIN ? size : -size;
  return size / count;
}

/* pprof's heapSampleRE: "N: N [N: N] @ 0x... 0x...". */
static int S_sample(S_leg *l, uint64_t lineno, const char *line, size_t n) {
  S_cur c = {line, line + n};
  int64_t v[4];
  int ok = S_int(&c, 1, &v[0]) && S_lit(&c, ':') && (S_spaces(&c), S_int(&c, 1, &v[1])) &&
           (S_spaces(&c), S_lit(&c, '[')) && (S_spaces(&c), S_int(&c, 0, &v[2])) &&
           S_lit(&c, ':') && (S_spaces(&c), S_int(&c, 0, &v[3])) && (S_spaces(&c), S_lit(&c, ']')) &&
           S_lit(&c, ' ') && S_lit(&c, '@');
  if (!ok)
    return S_fail_line(l, lineno, "not a heap profile sample (expected \"N: N [N: N] @ 0x... 0x...\")", line, n);
  pd_val vals[4];
  uint32_t k = 0;
  if (l->has_alloc) {
    if (S_values(l, lineno, line, n, v[2], v[3], "allocation", vals) != PD_OK) return PD_ERR;
    k = 2;
  }
  if (S_values(l, lineno, line, n, v[0], v[1], "inuse", vals + k) != PD_OK) return PD_ERR;
  S_commit(l);
  l->pending = 1;
  l->serial++;
  memcpy(l->pend_vals, vals, sizeof vals);
  /* pprof's parseHeapSample: the in-use block size, else the allocated one */
  l->pend_size = v[0] != 0 ? S_block_size(v[0], v[1]) : l->has_alloc ? S_block_size(v[2], v[3]) : 0;
  l->pend_locs.n = 0;
  l->pend_named = 0;
  /* the addresses: pprof takes every 0x[0-9a-f]+ in the run of [ x0-9a-f]
   * after the "@" */
  while (c.p < c.end) {
    S_spaces(&c);
    if (c.p + 1 < c.end && c.p[0] == '0' && c.p[1] == 'x') {
      c.p += 2;
      uint64_t a;
      const char *start = c.p;
      while (c.p < c.end && ((*c.p >= '0' && *c.p <= '9') || (*c.p >= 'a' && *c.p <= 'f'))) c.p++;
      S_cur h = {start, c.p};
      if (c.p == start) continue;
      if (!S_hex(&h, &a)) return S_fail_line(l, lineno, "address is not a 64-bit number", line, n);
      /* addresses are return addresses: step back onto the call */
      uint32_t loc = S_location(l, a - 1);
      *(uint32_t *)pd_vec_push(&l->pend_locs) = loc;
      ((uint32_t *)l->loc_listed.items)[loc] = l->serial;
    } else {
      break;
    }
  }
  return PD_OK;
}

/* ---- Go's symbol comments -------------------------------------------------------- */

static uint32_t S_function(S_leg *l, const char *name, size_t nn, const char *file, size_t fn) {
  uint32_t nid = pd_intern_put(l->in, name, nn), fid = pd_intern_put(l->in, file, fn);
  uint64_t key = (uint64_t)nid << 32 | fid;
  uint32_t idx = pd_idmap_get(&l->funcs, key);
  if (idx != PD_NONE) return idx;
  idx = (uint32_t)l->func_raw.n;
  pd_idmap_put(&l->funcs, key, idx);
  pd_function *f = pd_vec_push(&l->func_raw);
  f->name = f->system_name = nid;
  f->filename = fid;
  return idx;
}

/* "#\t0x4b3d2e\tmain.leak+0x2e\t\t/tmp/main.go:14" (tabwriter pads with
 * tabs), or "#\t0x4b3d2e" for a frame without a symbol. Other comments
 * (the "# runtime.MemStats" trailer) are not frames. */
static void S_comment(S_leg *l, const char *line, size_t n) {
  S_cur c = {line + 1, line + n};
  S_spaces(&c);
  uint64_t pc;
  if (!(S_lit(&c, '0') && S_lit(&c, 'x') && S_hex(&c, &pc))) return;
  if (c.p < c.end && *c.p != ' ' && *c.p != '\t') return;
  if (!l->pending) return;
  /* the frame belongs to one of the pending sample's addresses */
  uint32_t loc = pd_idmap_get(&l->addrs, pc);
  if (loc == PD_NONE || ((uint32_t *)l->loc_listed.items)[loc] != l->serial) return;
  if (l->pend_named == 0) l->block++;
  l->pend_named++;
  ((uint32_t *)l->loc_named.items)[loc] = l->serial;
  S_spaces(&c);
  if (c.p == c.end) return; /* no symbol: the frame keeps its address */
  const char *name = c.p;
  while (c.p < c.end && *c.p != ' ' && *c.p != '\t') c.p++;
  size_t nn = (size_t)(c.p - name);
  for (size_t i = nn; i >= 3; i--) /* drop the "+0x2e" offset */
    if (name[i - 3] == '+' && name[i - 2] == '0' && name[i - 1] == 'x') {
      nn = i - 3;
      break;
    }
  S_spaces(&c);
  const char *file = c.p;
  size_t fn = (size_t)(c.end - c.p);
  int64_t lineno = 0;
  for (size_t i = fn; i > 0; i--)
    if (file[i - 1] == ':') {
      S_cur lc = {file + i, file + fn};
      if (S_int(&lc, 0, &lineno) && lc.p == lc.end) fn = i - 1;
      else lineno = 0;
      break;
    }
  uint32_t *blk = (uint32_t *)l->loc_block.items + loc;
  /* a location is named by the first block that names it; inlined frames
   * sharing one address arrive as consecutive lines of that block */
  if (*blk != 0 && *blk != l->block) return;
  *blk = l->block;
  S_sym *s = pd_vec_push(&l->syms);
  s->loc = loc;
  s->func = S_function(l, name, nn, file, fn);
  s->line = lineno;
}

/* ---- gperftools' memory map --------------------------------------------------------- */

/* One mapping line, in /proc/self/maps form
 * ("00400000-00fcb000 r-xp 00000000 08:01 1234 /path") or pprof's brief form
 * ("00400000-00fcb000: /path" with optional perms, "(@offset)" and build
 * id). Non-executable entries are skipped, as pprof does. */
static void S_mapping(S_leg *l, const char *line, size_t n) {
  S_cur c = {line, line + n};
  S_spaces(&c);
  uint64_t start, limit, offset = 0;
  if (S_lit(&c, '0')) {
    if (!S_lit(&c, 'x')) c.p--;
  }
  if (!S_hex(&c, &start)) return;
  if (!S_lit(&c, '-')) S_spaces(&c);
  S_spaces(&c);
  if (S_lit(&c, '0') && !S_lit(&c, 'x')) c.p--;
  if (!S_hex(&c, &limit)) return;
  S_lit(&c, ':');
  /* the remaining whitespace-separated fields */
  const char *f[8];
  size_t fl[8];
  int nf = 0;
  while (nf < 8) {
    S_spaces(&c);
    if (c.p == c.end) break;
    f[nf] = c.p;
    while (c.p < c.end && *c.p != ' ' && *c.p != '\t') c.p++;
    fl[nf] = (size_t)(c.p - f[nf]);
    nf++;
  }
  int i = 0;
  if (nf > 0 && strspn(f[0], "-rwxps") >= fl[0] && fl[0] >= 3 && fl[0] <= 5) {
    if (!memchr(f[0], 'x', fl[0])) return;
    i = 1;
  }
  const char *file = "";
  size_t filen = 0;
  if (i > 0 && nf >= i + 4 && memchr(f[i + 1], ':', fl[i + 1])) {
    /* /proc/self/maps: offset dev inode file */
    S_cur o = {f[i], f[i] + fl[i]};
    S_hex(&o, &offset);
    if (nf > i + 3) {
      file = f[i + 3];
      filen = fl[i + 3];
    }
  } else if (nf > i) {
    file = f[i];
    filen = fl[i];
    if (nf > i + 1 && fl[i + 1] > 3 && f[i + 1][0] == '(' && f[i + 1][1] == '@') {
      S_cur o = {f[i + 1] + 2, f[i + 1] + fl[i + 1]};
      S_hex(&o, &offset);
    }
  }
  pd_mapping *m = pd_vec_push(&l->maps);
  m->start = start;
  m->limit = limit;
  m->offset = offset;
  m->filename = pd_intern_put(l->in, file, filen);
}

/* Substitution limits. pprof replaces "$name" with a value defined by an
 * earlier "name=value" line, in one left-to-right pass (Go's
 * strings.Replacer; the first definition wins). gperftools defines one or
 * two such names; we keep that, and bound what a hostile file can make of
 * it: names are identifiers ([A-Za-z0-9_], so the text after each '$' is
 * compared at most once per name), at most S_MAX_VARS of them, and a line
 * grows by at most S_MAX_GROWTH bytes (past that it is kept as written). */
enum { S_MAX_VARS = 64, S_MAX_GROWTH = 1 << 20 };

typedef struct {
  size_t name, name_len, value, value_len; /* offsets into the vars buffer */
} S_var;

static int S_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Appends line (n bytes) to out with every "$name" replaced. */
static void S_substitute(const char *line, size_t n, const pd_buf *store, const pd_vec *vars,
                         pd_buf *out) {
  pd_buf_truncate(out, 0);
  pd_buf_reserve(out, n);
  const S_var *v = vars->items;
  size_t grown = 0;
  for (size_t i = 0; i < n;) {
    const S_var *hit = NULL;
    if (line[i] == '$' && grown <= S_MAX_GROWTH) {
      size_t run = 0; /* the identifier after the '$' */
      while (i + 1 + run < n && S_ident(line[i + 1 + run])) run++;
      for (size_t k = 0; k < vars->n && !hit; k++)
        if (v[k].name_len <= run && memcmp(line + i + 1, store->data + v[k].name, v[k].name_len) == 0)
          hit = &v[k];
    }
    if (!hit) {
      pd_buf_putc(out, line[i++]);
      continue;
    }
    pd_buf_put(out, store->data + hit->value, hit->value_len);
    grown += hit->value_len;
    i += 1 + hit->name_len;
  }
}

/* Reads the memory map section, with pprof's "name=value" lines whose
 * "$name" later lines use ("source=/home" then "$source/binary"). */
static void S_memory_map(S_leg *l, const char *p, const char *end) {
  pd_buf store = PD_BUF_INIT, line = PD_BUF_INIT;
  pd_vec vars;
  pd_vec_init(&vars, sizeof(S_var));
  int warned = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *le = nl ? nl : end;
    S_substitute(p, (size_t)(le - p), &store, &vars, &line);
    p = nl ? nl + 1 : end;
    size_t before = l->maps.n;
    S_mapping(l, line.data ? line.data : "", line.len);
    if (l->maps.n != before) continue;
    char *eq = line.data ? memchr(line.data, '=', line.len) : NULL;
    if (!eq) continue;
    char *a = line.data, *b = eq;
    while (*a == ' ' || *a == '\t') a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
    char *v = eq + 1, *ve = line.data + line.len;
    while (v < ve && (*v == ' ' || *v == '\t')) v++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r')) ve--;
    int ident = b > a;
    for (const char *c = a; c < b && ident; c++) ident = S_ident(*c);
    if (!ident) continue;
    if (vars.n == S_MAX_VARS) {
      if (!warned++)
        pd_profile_warn(l->p, "memory map defines more than %d $variables; later ones are ignored",
                        S_MAX_VARS);
      continue;
    }
    S_var *nv = pd_vec_push(&vars);
    nv->name = store.len;
    nv->name_len = (size_t)(b - a);
    pd_buf_put(&store, a, nv->name_len);
    nv->value = store.len;
    nv->value_len = (size_t)(ve - v);
    pd_buf_put(&store, v, nv->value_len);
  }
  pd_vec_free(&vars);
  pd_buf_free(&store);
  pd_buf_free(&line);
}

/* ---- building the profile ----------------------------------------------------------- */

/* Sorting helpers: (value, index) pairs ordered by value, then index. */
typedef struct {
  uint64_t v;
  uint32_t i;
} S_pair;

static int S_pair_cmp(const void *a, const void *b) {
  const S_pair *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* Gives each location the first mapping (in file order) that holds its
 * address, as pprof does, without pprof's locations x mappings loop: one
 * sweep over addresses and mapping starts in ascending order, with a heap
 * of the mappings begun so far ordered by file position. A mapping that
 * has ended is popped when it reaches the top; it can never hold a later
 * (larger) address again. O((locations + mappings) log). */
static void S_assign_mappings(pd_profile *p, const uint64_t *addr, uint32_t nloc) {
  uint32_t nm = p->nmappings;
  if (!nm || !nloc) return;
  S_pair *locs = pd_xmalloc(nloc * sizeof *locs), *maps = pd_xmalloc(nm * sizeof *maps);
  uint32_t *heap = pd_xmalloc(nm * sizeof *heap);
  for (uint32_t i = 0; i < nloc; i++) locs[i] = (S_pair){addr[i], i};
  for (uint32_t k = 0; k < nm; k++) maps[k] = (S_pair){p->mappings[k].start, k};
  qsort(locs, nloc, sizeof *locs, S_pair_cmp);
  qsort(maps, nm, sizeof *maps, S_pair_cmp);
  uint32_t nh = 0, next = 0;
  for (uint32_t i = 0; i < nloc; i++) {
    uint64_t a = locs[i].v;
    while (next < nm && maps[next].v <= a) { /* push: sift up */
      uint32_t at = nh++, m = maps[next++].i;
      while (at && heap[(at - 1) / 2] > m) {
        heap[at] = heap[(at - 1) / 2];
        at = (at - 1) / 2;
      }
      heap[at] = m;
    }
    while (nh && p->mappings[heap[0]].limit <= a) { /* pop: sift down */
      uint32_t m = heap[--nh], at = 0;
      for (;;) {
        uint32_t c = 2 * at + 1;
        if (c >= nh) break;
        if (c + 1 < nh && heap[c + 1] < heap[c]) c++;
        if (heap[c] >= m) break;
        heap[at] = heap[c];
        at = c;
      }
      if (nh) heap[at] = m;
    }
    if (nh) p->locations[locs[i].i].mapping = heap[0];
  }
  free(locs);
  free(maps);
  free(heap);
}

static void S_build(S_leg *l) {
  pd_profile *p = l->p;
  uint32_t nloc = (uint32_t)l->loc_addr.n;
  const uint64_t *addr = l->loc_addr.items;
  /* lines grouped by location (a counting sort keeps their order) */
  uint32_t *count = pd_xcalloc(nloc + 1, sizeof *count);
  const S_sym *syms = l->syms.items;
  for (size_t i = 0; i < l->syms.n; i++) count[syms[i].loc + 1]++;
  /* frames without a symbol: a function named by the address */
  for (uint32_t i = 0; i < nloc; i++)
    if (count[i + 1] == 0) {
      char name[24];
      int nn = snprintf(name, sizeof name, "0x%" PRIx64, addr[i]);
      S_sym *s = pd_vec_push(&l->syms);
      s->loc = i;
      s->func = S_function(l, name, (size_t)nn, "", 0);
      s->line = 0;
      count[i + 1] = 1;
    }
  syms = l->syms.items;
  for (uint32_t i = 0; i < nloc; i++) count[i + 1] += count[i];
  p->nlines = (uint32_t)l->syms.n;
  p->lines = pd_arena_alloc(&p->arena, (p->nlines ? p->nlines : 1) * sizeof *p->lines);
  p->nlocations = nloc;
  p->locations = pd_arena_alloc(&p->arena, (nloc ? nloc : 1) * sizeof *p->locations);
  for (uint32_t i = 0; i < nloc; i++) {
    p->locations[i].address = addr[i];
    p->locations[i].mapping = PD_NONE;
    p->locations[i].first_line = count[i];
    p->locations[i].nlines = count[i + 1] - count[i];
  }
  for (size_t i = 0; i < l->syms.n; i++) {
    uint32_t at = count[syms[i].loc]++;
    p->lines[at].function = syms[i].func;
    p->lines[at].line = syms[i].line;
  }
  free(count);
  p->nfunctions = (uint32_t)l->func_raw.n;
  p->functions = pd_arena_alloc(&p->arena, (p->nfunctions ? p->nfunctions : 1) * sizeof *p->functions);
  if (p->nfunctions) memcpy(p->functions, l->func_raw.items, p->nfunctions * sizeof *p->functions);

  /* mappings: adjacent pieces of one file merge (pprof's massageMappings);
   * each location goes to the mapping that holds its address */
  pd_mapping *m = l->maps.items;
  uint32_t nm = 0;
  for (size_t i = 0; i < l->maps.n; i++) {
    if (nm && m[nm - 1].limit == m[i].start && m[nm - 1].filename == m[i].filename &&
        (m[nm - 1].offset == 0 || m[nm - 1].offset + (m[nm - 1].limit - m[nm - 1].start) == m[i].offset)) {
      m[nm - 1].limit = m[i].limit;
      continue;
    }
    m[nm++] = m[i];
  }
  p->nmappings = nm;
  p->mappings = pd_arena_alloc(&p->arena, (nm ? nm : 1) * sizeof *p->mappings);
  if (nm) memcpy(p->mappings, m, nm * sizeof *m);
  S_assign_mappings(p, addr, nloc);

  /* types, as pprof names them */
  static const char *four[] = {"alloc_objects", "count", "alloc_space", "bytes",
                               "inuse_objects", "count", "inuse_space", "bytes"};
  static const char *two[] = {"objects", "count", "space", "bytes"};
  const char **names = l->has_alloc ? four : two;
  p->ntypes = l->nvals;
  p->types = pd_arena_alloc(&p->arena, p->ntypes * sizeof *p->types);
  for (uint32_t i = 0; i < p->ntypes; i++) {
    p->types[i].type = pd_intern_put(l->in, names[2 * i], strlen(names[2 * i]));
    p->types[i].unit = pd_intern_put(l->in, names[2 * i + 1], strlen(names[2 * i + 1]));
  }
  p->period_type.type = pd_intern_put(l->in, "space", 5);
  p->period_type.unit = pd_intern_put(l->in, "bytes", 5);
  p->period = l->rate > 0 ? l->rate : 1;

  if (p->keep_labels) {
    /* every sample has one numeric label, "bytes" = its block size, as
     * pprof's legacy parser gives it (even 0) */
    uint32_t n = (uint32_t)l->sizes.n, key = pd_intern_put(l->in, "bytes", 5);
    p->labels = pd_arena_alloc(&p->arena, (n ? n : 1) * sizeof *p->labels);
    p->label_start = pd_arena_alloc(&p->arena, (n + 1) * sizeof *p->label_start);
    for (uint32_t i = 0; i < n; i++) {
      p->labels[i] = (pd_label){key, 0, 0, ((int64_t *)l->sizes.items)[i]};
      p->label_start[i] = i;
    }
    p->label_start[n] = n;
  }
  pd_ingest_flat_samples(p, &l->stack_start, &l->stack, &l->values);
  pd_profile_adopt_strings(p, l->in);
}

static int S_is_sentinel(const char *line, size_t n) {
  static const char *s[] = {"--- Memory map: ---", "MAPPED_LIBRARIES:"};
  for (int k = 0; k < 2; k++) {
    size_t sl = strlen(s[k]);
    for (size_t i = 0; i + sl <= n; i++)
      if (memcmp(line + i, s[k], sl) == 0) return 1;
  }
  return 0;
}

static int S_parse(S_leg *l, const char *data, size_t size) {
  const char *p = data, *end = data + size;
  uint64_t lineno = 0;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *line = p, *le = nl ? nl : end;
    p = nl ? nl + 1 : end;
    lineno++;
    if (lineno == 1) {
      while (le > line && (le[-1] == '\r')) le--;
      if (S_header(l, line, (size_t)(le - line)) != PD_OK) return PD_ERR;
      l->nvals = l->has_alloc ? 4 : 2;
      continue;
    }
    /* strings.TrimSpace */
    while (line < le && (*line == ' ' || *line == '\t' || *line == '\r')) line++;
    while (le > line && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r')) le--;
    size_t n = (size_t)(le - line);
    if (n == 0) continue;
    if (*line == '#') {
      if (l->go) S_comment(l, line, n);
      continue;
    }
    if (S_is_sentinel(line, n)) {
      S_commit(l);
      S_memory_map(l, p, end);
      break;
    }
    if (S_sample(l, lineno, line, n) != PD_OK) return PD_ERR;
  }
  S_commit(l);
  return PD_OK;
}

int pd_legacy_heap_read(pd_profile *p, const uint8_t *data, size_t len, pd_err *err) {
  S_leg l;
  memset(&l, 0, sizeof l);
  l.p = p;
  l.err = err;
  l.in = pd_xmalloc(sizeof *l.in);
  pd_intern_init(l.in, 1024);
  p->strings = l.in; /* freed with the profile, even on error */
  pd_idmap_init(&l.addrs, 1024);
  pd_idmap_init(&l.funcs, 1024);
  pd_vec_init(&l.loc_addr, sizeof(uint64_t));
  pd_vec_init(&l.loc_block, sizeof(uint32_t));
  pd_vec_init(&l.syms, sizeof(S_sym));
  pd_vec_init(&l.func_raw, sizeof(pd_function));
  pd_vec_init(&l.stack, sizeof(uint32_t));
  pd_vec_init(&l.stack_start, sizeof(uint32_t));
  pd_vec_init(&l.values, sizeof(pd_val));
  pd_vec_init(&l.pend_locs, sizeof(uint32_t));
  pd_vec_init(&l.loc_listed, sizeof(uint32_t));
  pd_vec_init(&l.loc_named, sizeof(uint32_t));
  pd_vec_init(&l.maps, sizeof(pd_mapping));
  pd_vec_init(&l.sizes, sizeof(int64_t));
  int rc = S_parse(&l, (const char *)data, len);
  if (rc == PD_OK) S_build(&l);
  pd_idmap_free(&l.addrs);
  pd_idmap_free(&l.funcs);
  pd_vec *all[] = {&l.loc_addr, &l.loc_block, &l.syms, &l.func_raw, &l.stack, &l.stack_start,
                   &l.values, &l.pend_locs, &l.loc_listed, &l.loc_named, &l.maps, &l.sizes};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pd_vec_free(all[i]);
  return rc;
}
