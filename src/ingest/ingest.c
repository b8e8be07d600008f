/* ingest.c: reading a file, undoing gzip, and picking the reader by content.
 *
 * The file name never decides the format: profiles are saved as .pb.gz, .pb,
 * .pprof, .prof, .txt, .folded or with no extension at all, and gzip is
 * optional. Binary content is pprof protobuf; text content is matched against
 * each text format's signature (pd_sniff, documented in ingest.h and
 * docs/inputs.md).
 */
#include "ingest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

int pd_is_text(const uint8_t *data, size_t len) {
  size_t n = len < 4096 ? len : 4096;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = data[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return 0;
  }
  return 1;
}

const char *pd_excerpt(const char *s, size_t n, char out[PD_EXCERPT_SIZE]) {
  size_t k = n;
  if (k > 60) {
    k = 60;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
  }
  for (size_t i = 0; i < k; i++) {
    unsigned char c = (unsigned char)s[i];
    out[i] = c < 0x20 || c == 0x7f || c == '"' ? '?' : (char)c;
  }
  strcpy(out + k, k < n ? "..." : "");
  return out;
}

/* Inflates *data in place of itself when it is gzip (taking it). */
static int S_inflate(const char *name, uint8_t **data, size_t *len, size_t max, pd_err *err) {
  if (!pd_is_gzip(*data, *len)) return PD_OK;
  uint8_t *inflated;
  size_t n;
  int rc = pd_gunzip(name, *data, *len, max, &inflated, &n, err);
  pd_file_release(*data);
  *data = NULL;
  if (rc != PD_OK) return rc;
  if (n == 0) {
    free(inflated);
    return pd_fail(err, "%s: gzip stream holds no data", name);
  }
  *data = inflated;
  *len = n;
  return PD_OK;
}

int pd_read_input(const char *path, size_t max, uint8_t **data, size_t *len, pd_err *err) {
  if (pd_read_file(path, max, data, len, err) != PD_OK) return PD_ERR;
  if (*len == 0) {
    pd_file_release(*data);
    *data = NULL;
    return pd_fail(err, "%s: empty file", path);
  }
  return S_inflate(path, data, len, max, err);
}

void pd_ingest_flat_samples(pd_profile *p, const pd_vec *stack_start, pd_vec *stack,
                            pd_vec *values) {
  p->nsamples = (uint32_t)stack_start->n;
  p->stack_start = pd_arena_alloc(&p->arena, (p->nsamples + 1) * sizeof(uint32_t));
  p->stack_start[0] = 0;
  if (p->nsamples) memcpy(p->stack_start + 1, stack_start->items, p->nsamples * sizeof(uint32_t));
  /* the two large ones change hands: no copy, no fresh pages to fault in */
  pd_vec_reserve(stack, 1);
  pd_vec_reserve(values, 1);
  p->stack = stack->items;
  p->values = values->items;
  p->adopted[0] = stack->items;
  p->adopted[1] = values->items;
  stack->items = values->items = NULL;
  stack->n = stack->cap = values->n = values->cap = 0;
}

/* The first non-blank line, without its trailing blanks (leading ones stay:
 * " 42" is a folded line with an empty stack). */
static int S_first_line(const uint8_t *data, size_t len, const char **line, size_t *n) {
  const char *p = (const char *)data, *end = p + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *s = p, *e = nl ? nl : end;
    p = nl ? nl + 1 : end;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) e--;
    if (e > s) {
      *line = s;
      *n = (size_t)(e - s);
      return 1;
    }
  }
  return 0;
}

static int S_contains(const char *s, size_t n, const char *what) {
  size_t k = strlen(what);
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(s + i, what, k) == 0) return 1;
  return 0;
}

/* Whether a folded line's last blank-separated field looks like a count
 * (digits, with a sign, a point or an exponent; bad counts still make the
 * file folded so that the reader can say which line is wrong). */
static int S_ends_in_number(const char *s, size_t n) {
  size_t i = n;
  while (i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t') i--;
  if (i == 0) return 0;
  int digit = 0;
  for (size_t k = i; k < n; k++) {
    char c = s[k];
    if (c >= '0' && c <= '9') digit = 1;
    else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') return 0;
  }
  return digit;
}

size_t pd_bom_len(const uint8_t *data, size_t len) {
  return len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
}

/* Reads a varint at *p (before end); 0 when it is cut off or too long. */
static int S_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  uint64_t x = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t c = *(*p)++;
    x |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *v = x;
      return 1;
    }
  }
  return 0;
}

/* Whether data is shaped as a pprof Profile message: the top-level fields
 * it holds, one after the other, each with the wire type profile.proto
 * gives its number (or, for a number past 15, a valid one: a newer
 * writer's field), each length within the bytes (within the file when
 * `complete`; a field may run past a cut-off head). Text practically never
 * passes: its letters, blanks and ';' are field tags of the wrong wire type
 * or numbers no writer uses, within a byte or two. */
static int S_pprof_shaped(const uint8_t *data, size_t len, int complete) {
  /* wire type per field number 1..15: 2 length-delimited, 0 varint;
   * comment (13) is either (packed or not) */
  static const int8_t wire[16] = {-1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2, 0, -2, 0, 0};
  const uint8_t *p = data, *end = data + len;
  int fields = 0;
  while (p < end) {
    uint64_t key, v;
    if (!S_varint(&p, end, &key)) return !complete && fields > 0;
    uint64_t field = key >> 3;
    int wt = (int)(key & 7);
    if (field == 0 || field > 536870911) return 0;
    if (field <= 15 ? !(wire[field] == wt || (wire[field] == -2 && (wt == 0 || wt == 2)))
                    : !(wt == 0 || wt == 1 || wt == 2 || wt == 5))
      return 0;
    fields++;
    switch (wt) {
    case 0:
      if (!S_varint(&p, end, &v)) return !complete;
      break;
    case 1:
    case 5:
      if ((size_t)(end - p) < (wt == 1 ? 8u : 4u)) return !complete;
      p += wt == 1 ? 8 : 4;
      break;
    case 2:
      if (!S_varint(&p, end, &v)) return !complete;
      if (v > (uint64_t)(end - p)) return !complete;
      p += v;
      break;
    }
  }
  return fields > 0;
}

int pd_sniff(const char *name, const uint8_t *data, size_t len, int complete,
             pd_format *f, pd_err *err) {
  /* a UTF-8 byte order mark says text (it is no protobuf tag: wire type
   * 7); the text readers skip it (S_read_whole) */
  size_t bom = pd_bom_len(data, len);
  data += bom;
  len -= bom;
  if (len == 0) return pd_fail(err, "%s: empty file", name);
  /* Binary content is protobuf, unless it is not shaped as a Profile and
   * reads as one of the text formats below: folded stacks whose names hold
   * control bytes (ESC from a coloured symbol, \x01, NUL) are folded
   * stacks. What is neither goes to the protobuf reader, which says where
   * it is corrupt. */
  int binary = !pd_is_text(data, len);
  if (binary && S_pprof_shaped(data, len, complete)) {
    *f = PD_FORMAT_PPROF;
    return PD_OK;
  }
  /* pprof's legacy parsers look at the very first line */
  const char *nl = memchr(data, '\n', len);
  size_t first = nl ? (size_t)(nl - (const char *)data) : len;
  if (S_contains((const char *)data, first, "heap profile:")) {
    *f = S_contains((const char *)data, first, "@ heap/") ||
                 (first >= 7 && memcmp((const char *)data + first - 6, "@ heap", 6) == 0)
             ? PD_FORMAT_GO_HEAP_TEXT
             : PD_FORMAT_GPERF_HEAP;
    return PD_OK;
  }
  if (!binary && pd_memstat_sniff(data, len, complete)) {
    *f = PD_FORMAT_MEMSTAT;
    return PD_OK;
  }
  const char *line;
  size_t n;
  if (S_first_line(data, len, &line, &n) &&
      (S_ends_in_number(line, n) || memchr(line, ';', n))) {
    *f = PD_FORMAT_FOLDED;
    return PD_OK;
  }
  if (binary) {
    *f = PD_FORMAT_PPROF;
    return PD_OK;
  }
  return pd_fail(err,
                 "%s: not a recognised profile format (text that is neither folded stacks, a Go or "
                 "gperftools heap profile, nor a cgroup memory.stat)",
                 name);
}

/* Inflates at most max bytes of a gzip stream's start (a cut-off stream is
 * fine here: only the beginning is wanted). */
static size_t S_gunzip_head(const uint8_t *in, size_t n, uint8_t *out, size_t max) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return 0;
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)n;
  zs.next_out = out;
  zs.avail_out = (uInt)max;
  int rc;
  do rc = inflate(&zs, Z_SYNC_FLUSH);
  while (rc == Z_OK && zs.avail_out > 0 && zs.avail_in > 0);
  size_t got = max - zs.avail_out;
  inflateEnd(&zs);
  return got;
}

int pd_sniff_file(const char *path, pd_format *f, pd_err *err) {
  enum { HEAD = 64 * 1024 };
  /* pd_read_file refuses files over its limit; read the head by hand */
  struct stat st;
  if (stat(path, &st) != 0) return pd_fail(err, "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode)) return pd_fail(err, "%s: is a directory, not a profile", path);
  if (!S_ISREG(st.st_mode))
    return pd_fail(err, "%s: not a regular file (a pipe, device or socket), not a profile", path);
  FILE *fp = fopen(path, "rb");
  if (!fp) return pd_fail(err, "%s: cannot open: %s", path, strerror(errno));
  uint8_t *buf = pd_xmalloc(HEAD + 1);
  size_t n = fread(buf, 1, HEAD, fp);
  int whole = n < HEAD && feof(fp);
  int bad = ferror(fp);
  fclose(fp);
  if (bad) {
    free(buf);
    return pd_fail(err, "%s: cannot read", path);
  }
  int rc;
  if (pd_is_gzip(buf, n)) {
    uint8_t *text = pd_xmalloc(HEAD + 1);
    size_t got = S_gunzip_head(buf, n, text, HEAD);
    if (got == 0 && n > 0) rc = pd_fail(err, "%s: corrupt gzip data", path);
    else rc = pd_sniff(path, text, got, whole && got < HEAD, f, err);
    free(text);
  } else {
    rc = pd_sniff(path, buf, n, whole, f, err);
  }
  free(buf);
  return rc;
}

/* The text readers and anything not gzip'd: the whole input in memory. */
static int S_read_whole(const char *name, uint8_t *data, size_t len, const pd_ingest_opts *opts,
                        pd_profile *p, pd_err *err) {
  pd_format f;
  int rc = pd_sniff(name, data, len, 1, &f, err);
  if (rc == PD_OK) {
    p->format = f;
    if (f != PD_FORMAT_PPROF) { /* a text format: the BOM is not part of the first line */
      size_t bom = pd_bom_len(data, len);
      data += bom;
      len -= bom;
    }
    switch (f) {
    case PD_FORMAT_PPROF: rc = pd_pprof_read(p, data, len, err); break;
    case PD_FORMAT_FOLDED: rc = pd_folded_read(p, data, len, opts, err); break;
    case PD_FORMAT_GO_HEAP_TEXT:
    case PD_FORMAT_GPERF_HEAP: rc = pd_legacy_heap_read(p, data, len, err); break;
    case PD_FORMAT_MEMSTAT:
      rc = pd_fail(err, "%s: a cgroup memory file (memory.stat or memory.current), not a profile: "
                        "give it to `profdiff memstat` or `profdiff report`",
                   name);
      break;
    default: rc = pd_fail(err, "%s: unsupported format", name);
    }
  }
  return rc;
}

/* A gzip'd pprof profile is inflated a window at a time and fed to the
 * reader as it comes, so it is never whole in memory (the window grows
 * only for a field larger than itself). Anything else is inflated whole. */
static int S_read_gzip(const char *name, const uint8_t *in, size_t n, size_t max, const pd_ingest_opts *opts,
                       pd_profile *p, pd_err *err) {
  enum { WINDOW = 256 * 1024 };
  pd_gz g;
  if (pd_gz_open(&g, name, in, n, max, err) != PD_OK) return PD_ERR;
  size_t cap = WINDOW, have = 0, got;
  uint8_t *win = pd_xmalloc(cap + 1);
  int rc = pd_gz_read(&g, win, cap, &have, err);
  pd_format f = PD_FORMAT_PPROF;
  if (rc == PD_OK && have == 0) rc = pd_fail(err, "%s: gzip stream holds no data", name);
  if (rc == PD_OK) rc = pd_sniff(name, win, have, g.ended, &f, err);
  if (rc == PD_OK && f == PD_FORMAT_PPROF) {
    pd_pprof_reader *r = pd_pprof_open(p, err);
    for (;;) {
      size_t used;
      rc = pd_pprof_feed(r, win, have, g.ended, &used);
      if (rc != PD_OK || g.ended) break;
      memmove(win, win + used, have - used);
      have -= used;
      if (have == cap) { /* one field larger than the window */
        cap *= 2;
        win = pd_xrealloc(win, cap + 1);
      }
      rc = pd_gz_read(&g, win + have, cap - have, &got, err);
      have += got;
      pd_file_done_with(in, g.n - g.in_left);
      if (rc != PD_OK) break;
    }
    rc = pd_pprof_close(r, rc == PD_OK);
  }
  pd_gz_close(&g);
  free(win);
  if (rc != PD_OK || f == PD_FORMAT_PPROF) return rc;
  /* a text format: its readers want it all, inflated again from the start
   * in one buffer sized from the gzip trailer (the window was a sniff) */
  uint8_t *data;
  size_t len;
  rc = pd_gunzip(name, in, n, max, &data, &len, err);
  if (rc == PD_OK) rc = S_read_whole(name, data, len, opts, p, err);
  free(data);
  return rc;
}

int pd_ingest_bytes(const char *name, uint8_t *data, size_t len,
                    const pd_ingest_opts *opts, pd_profile *p, pd_err *err) {
  size_t max = opts && opts->max_input_size ? opts->max_input_size : PD_DEFAULT_MAX_INPUT;
  pd_profile_init(p, name, PD_FORMAT_PPROF);
  p->keep_labels = opts && opts->labels;
  pd_mem_doing was = pd_mem_doing_set(name, "reading it");
  int rc;
  if (len == 0) rc = pd_fail(err, "%s: empty file", name);
  else if (pd_is_gzip(data, len)) rc = S_read_gzip(name, data, len, max, opts, p, err);
  else rc = S_read_whole(name, data, len, opts, p, err);
  pd_file_release(data);
  pd_mem_doing_restore(was);
  return rc;
}

int pd_ingest_file(const char *path, const pd_ingest_opts *opts, pd_profile *p,
                   pd_err *err) {
  size_t max = opts && opts->max_input_size ? opts->max_input_size : PD_DEFAULT_MAX_INPUT;
  uint8_t *data;
  size_t len;
  /* "-": standard input, read whole (a pipe from a collapser, as
   * flamegraph.pl reads it) */
  int is_stdin = strcmp(path, "-") == 0;
  if (is_stdin) path = "standard input";
  if ((is_stdin ? pd_read_stdin(max, &data, &len, err) : pd_read_file(path, max, &data, &len, err)) != PD_OK) {
    pd_profile_init(p, path, PD_FORMAT_PPROF);
    return PD_ERR;
  }
  return pd_ingest_bytes(path, data, len, opts, p, err);
}
