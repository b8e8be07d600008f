/* mem.c: error values, the out-of-memory policy, the arena, buffers and vectors.
 *
 * These are the only places in profdiff that call malloc/realloc directly; the
 * rest allocates from an arena whose lifetime matches the data (a profile, a
 * snapshot, a series) or grows a pd_buf/pd_vec that its owner frees.
 */
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

int pd_fail(pd_err *err, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return PD_ERR;
}

static pd_oom_fn S_oom_fn;
static _Thread_local pd_mem_doing S_doing;

void pd_mem_on_oom(pd_oom_fn fn) { S_oom_fn = fn; }

pd_mem_doing pd_mem_doing_set(const char *subject, const char *doing) {
  pd_mem_doing prev = S_doing;
  S_doing.subject = subject;
  S_doing.doing = doing;
  return prev;
}

void pd_mem_doing_restore(pd_mem_doing prev) { S_doing = prev; }

pd_mem_doing pd_mem_doing_get(void) { return S_doing; }

/* The address space mapped now, from /proc/self/statm (pages), read with
 * plain system calls: there is no memory to spare. 0 if unknown. */
static size_t S_mapped(void) {
  char buf[64];
  int fd = open("/proc/self/statm", O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  size_t pages = 0;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) pages = pages * 10 + (size_t)(buf[i] - '0');
  return pages * (size_t)sysconf(_SC_PAGESIZE);
}

void pd_mem_oom_message(char *out, size_t cap, size_t request, pd_mem_doing doing) {
  struct rlimit rl;
  size_t mb;
  const char *what;
  if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    mb = (size_t)(rl.rlim_cur >> 20), what = " limit";
  else
    mb = S_mapped() >> 20, what = " in use";
  (void)request;
  snprintf(out, cap, "%s%sout of memory (%zu MB%s)%s%s", doing.subject ? doing.subject : "",
           doing.subject ? ": " : "", mb, what, doing.doing ? " while " : "", doing.doing ? doing.doing : "");
}

static void S_oom(size_t n) {
  if (S_oom_fn) S_oom_fn(n, S_doing);
  char msg[1200];
  pd_mem_oom_message(msg, sizeof msg, n, S_doing);
  fprintf(stderr, "profdiff: %s\n", msg);
  abort();
}

void *pd_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) S_oom(n);
  return p;
}

void *pd_try_malloc(size_t n) { return malloc(n ? n : 1); }

void *pd_xcalloc(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) S_oom(SIZE_MAX);
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) S_oom(n * size);
  return p;
}

void *pd_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) S_oom(n);
  return q;
}

char *pd_xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(pd_xmalloc(n), s, n);
}

/* ---- arena ---------------------------------------------------------------- */

struct pd_arena_chunk {
  pd_arena_chunk *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
};

void pd_arena_init(pd_arena *a, size_t chunk_size) {
  a->head = NULL;
  a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
  a->bytes = 0;
}

static pd_arena_chunk *S_new_chunk(pd_arena *a, size_t min) {
  size_t size = a->chunk_size > min ? a->chunk_size : min;
  pd_arena_chunk *c = pd_xmalloc(sizeof *c + size);
  c->size = size;
  c->used = 0;
  a->bytes += sizeof *c + size;
  return c;
}

void *pd_arena_alloc(pd_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  pd_arena_chunk *c = a->head;
  if (c) c->used = (c->used + 15) & ~(size_t)15; /* after pd_arena_alloc_small */
  if (!c || c->size - c->used < n) {
    /* A request bigger than a quarter chunk gets a chunk of its own behind the
     * head, so the head's free space is not thrown away. */
    if (c && n > a->chunk_size / 4) {
      pd_arena_chunk *big = S_new_chunk(a, n);
      big->next = c->next;
      c->next = big;
      big->used = n;
      return big->data;
    }
    c = S_new_chunk(a, n);
    c->next = a->head;
    a->head = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  return p;
}

void *pd_arena_alloc_small(pd_arena *a, size_t n) {
  size_t align = n & (~n + 1); /* the lowest set bit of n */
  if (n == 0 || align > 16) align = n ? 16 : 1;
  pd_arena_chunk *c = a->head;
  if (c) {
    size_t at = (c->used + align - 1) & ~(align - 1);
    if (at <= c->size && c->size - at >= n) {
      c->used = at + n;
      return c->data + at;
    }
  }
  return pd_arena_alloc(a, n);
}

void *pd_arena_zalloc(pd_arena *a, size_t n) {
  return memset(pd_arena_alloc(a, n), 0, n);
}

char *pd_arena_strndup(pd_arena *a, const char *s, size_t n) {
  char *p = pd_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *pd_arena_printf(pd_arena *a, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = pd_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
  vsnprintf(p, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap2);
  va_end(ap2);
  return p;
}

void pd_arena_reset(pd_arena *a) {
  pd_arena_chunk *c = a->head;
  if (!c) return;
  pd_arena_chunk *rest = c->next;
  while (rest) {
    pd_arena_chunk *next = rest->next;
    a->bytes -= sizeof *rest + rest->size;
    free(rest);
    rest = next;
  }
  c->next = NULL;
  c->used = 0;
}

void pd_arena_free(pd_arena *a) {
  pd_arena_chunk *c = a->head;
  while (c) {
    pd_arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->head = NULL;
  a->bytes = 0;
}

/* ---- pd_buf ----------------------------------------------------------------- */

void pd_buf_reserve(pd_buf *b, size_t extra) {
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return;
  if (extra > SIZE_MAX / 4 - b->len) S_oom(extra); /* no doubling reaches it */
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) cap *= 2;
  b->data = pd_xrealloc(b->data, cap);
  b->cap = cap;
}

void pd_buf_put(pd_buf *b, const void *data, size_t n) {
  pd_buf_reserve(b, n);
  if (n) memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = 0;
}

void pd_buf_puts(pd_buf *b, const char *s) { pd_buf_put(b, s, strlen(s)); }

void pd_buf_putc(pd_buf *b, char c) {
  pd_buf_reserve(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = 0;
}

void pd_buf_vprintf(pd_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  pd_buf_reserve(b, 64);
  int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
  if (n >= 0 && (size_t)n >= b->cap - b->len) {
    pd_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
  }
  va_end(ap2);
  if (n > 0) b->len += (size_t)n;
}

void pd_buf_printf(pd_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  pd_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void pd_buf_truncate(pd_buf *b, size_t len) {
  if (len < b->len) {
    b->len = len;
    b->data[len] = 0;
  }
}

void pd_buf_free(pd_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void pd_buf_put_varint(pd_buf *b, uint64_t v) {
  pd_buf_reserve(b, 10);
  uint8_t *o = (uint8_t *)b->data + b->len;
  size_t n = 0;
  while (v > 0x7f) {
    o[n++] = (uint8_t)(v & 0x7f) | 0x80;
    v >>= 7;
  }
  o[n++] = (uint8_t)v;
  b->len += n;
  b->data[b->len] = 0;
}

size_t pd_fmt_fixed(char *out, size_t size, double v, int decimals) {
  static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  double a = fabs(v), scaled = a * pow10[decimals], r = nearbyint(scaled);
  /* below 1e9 the product is within 1e-7 of the exact one, so away from a
   * tie by more than that the nearest integer is the one printf's exact
   * rounding picks */
  if (!(scaled < 1e9) || fabs(fabs(scaled - r) - 0.5) < 1e-6) {
    int n = snprintf(out, size, "%.*f", decimals, v);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1; /* what was written */
  }
  uint64_t u = (uint64_t)r;
  char digits[32], *p = digits + sizeof digits;
  for (int d = 0; d < decimals; d++) {
    *--p = (char)('0' + u % 10);
    u /= 10;
  }
  if (decimals) *--p = '.';
  do *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (signbit(v)) *--p = '-';
  size_t n = (size_t)(digits + sizeof digits - p);
  memcpy(out, p, n);
  out[n] = 0;
  return n;
}

void pd_buf_base64(pd_buf *b, const void *data, size_t n) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char *p = data;
  pd_buf_reserve(b, (n + 2) / 3 * 4);
  char *o = b->data + b->len;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    *o++ = tab[v >> 18];
    *o++ = tab[(v >> 12) & 63];
    *o++ = tab[(v >> 6) & 63];
    *o++ = tab[v & 63];
  }
  if (i < n) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
    *o++ = tab[v >> 18];
    *o++ = tab[(v >> 12) & 63];
    *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  b->len = (size_t)(o - b->data);
  b->data[b->len] = 0;
}

/* ---- pd_vec ------------------------------------------------------------------ */

void pd_vec_init(pd_vec *v, size_t item_size) {
  v->items = NULL;
  v->n = v->cap = 0;
  v->item_size = item_size;
}

void pd_vec_reserve(pd_vec *v, size_t total) {
  if (total <= v->cap) return;
  if (total > SIZE_MAX / 4 / v->item_size) S_oom(SIZE_MAX);
  size_t cap = v->cap ? v->cap : 16;
  while (cap < total) cap *= 2;
  v->items = pd_xrealloc(v->items, cap * v->item_size);
  v->cap = cap;
}

void pd_vec_shrink(pd_vec *v) {
  if (!v->items || v->n == v->cap) return;
  size_t cap = v->n ? v->n : 1;
  v->items = pd_xrealloc(v->items, cap * v->item_size);
  v->cap = cap;
}

void *pd_vec_push(pd_vec *v) {
  pd_vec_reserve(v, v->n + 1);
  void *p = (char *)v->items + v->n * v->item_size;
  memset(p, 0, v->item_size);
  v->n++;
  return p;
}

void pd_vec_free(pd_vec *v) {
  free(v->items);
  v->items = NULL;
  v->n = v->cap = 0;
}

/* ---- sorting ---------------------------------------------------------------- */

/* A stable merge sort with a context argument, which C11's qsort lacks:
 * without it every comparator that needs a table (names by interned id)
 * would need a global. */
static void S_merge(uint32_t *a, uint32_t *tmp, size_t n, pd_cmp_u32 cmp, const void *ctx) {
  if (n < 2) return;
  if (n <= 16) { /* insertion sort: cheaper for short runs */
    for (size_t i = 1; i < n; i++) {
      uint32_t v = a[i];
      size_t j = i;
      while (j > 0 && cmp(ctx, a[j - 1], v) > 0) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = v;
    }
    return;
  }
  size_t h = n / 2;
  S_merge(a, tmp, h, cmp, ctx);
  S_merge(a + h, tmp, n - h, cmp, ctx);
  if (cmp(ctx, a[h - 1], a[h]) <= 0) return; /* already in order */
  memcpy(tmp, a, h * sizeof *a);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) a[k++] = cmp(ctx, a[j], tmp[i]) < 0 ? a[j++] : tmp[i++];
  while (i < h) a[k++] = tmp[i++];
}

void pd_sort_u32(uint32_t *a, size_t n, pd_cmp_u32 cmp, const void *ctx) {
  if (n < 2) return;
  uint32_t *tmp = pd_xmalloc((n / 2 + 1) * sizeof *tmp);
  S_merge(a, tmp, n, cmp, ctx);
  free(tmp);
}
