/* gzip.c: inflating gzip input with zlib, within a size limit.
 *
 * pd_gz is a stream: the pprof reader takes a profile a window at a time and
 * never holds all of it inflated. pd_gunzip inflates a whole stream into one
 * buffer sized from the gzip trailer's ISIZE (the uncompressed size mod 2^32
 * of the last member) when that is plausible, for the readers that want all
 * of it; it doubles otherwise, and never past max.
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

int pd_gz_open(pd_gz *g, const char *name, const uint8_t *in, size_t n, size_t max, pd_err *err) {
  memset(g, 0, sizeof *g);
  g->name = name;
  g->in_left = n;
  g->n = n;
  g->max = max;
  if (inflateInit2(&g->zs, 16 + MAX_WBITS) != Z_OK) return pd_fail(err, "%s: cannot initialise zlib", name);
  g->zs.next_in = (Bytef *)in;
  g->open = 1;
  return PD_OK;
}

void pd_gz_close(pd_gz *g) {
  if (g->open) inflateEnd(&g->zs);
  g->open = 0;
}

int pd_gz_read(pd_gz *g, uint8_t *out, size_t cap, size_t *got, pd_err *err) {
  *got = 0;
  while (*got < cap && !g->ended) {
    /* one byte past the limit is let through, so that reaching the limit
     * exactly is not mistaken for going over it */
    size_t room = cap - *got;
    if (room > g->max + 1 - g->total) room = g->max + 1 - g->total;
    /* zlib counts in uInt; feed at most 1 GiB per call */
    uInt in_chunk = g->in_left > (1u << 30) ? (1u << 30) : (uInt)g->in_left;
    uInt out_chunk = room > (1u << 30) ? (1u << 30) : (uInt)room;
    g->zs.avail_in = in_chunk;
    g->zs.next_out = out + *got;
    g->zs.avail_out = out_chunk;
    int rc = inflate(&g->zs, Z_NO_FLUSH);
    size_t produced = out_chunk - g->zs.avail_out, consumed = in_chunk - g->zs.avail_in;
    g->in_left -= consumed;
    g->total += produced;
    *got += produced;
    if (g->total > g->max)
      return pd_fail(err, "%s: decompresses to more than %zu bytes, over the input limit (--max-input-size)",
                     g->name, g->max);
    if (rc == Z_STREAM_END) {
      /* Another member may follow (gzip files can be concatenated); anything
       * else after the end is ignored, as gzip(1) does with trailing zeros. */
      if (g->in_left >= 2 && g->zs.next_in[0] == 0x1f && g->zs.next_in[1] == 0x8b) inflateReset(&g->zs);
      else g->ended = 1;
      continue;
    }
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR || rc == Z_MEM_ERROR)
      return pd_fail(err, "%s: corrupt gzip data: %s (at compressed byte %zu)", g->name,
                     g->zs.msg ? g->zs.msg : "invalid data", g->n - g->in_left);
    if ((g->in_left == 0 && g->zs.avail_out != 0) || (rc == Z_BUF_ERROR && !produced && !consumed))
      return pd_fail(err, "%s: truncated gzip stream (ends after %zu compressed bytes, %zu inflated)", g->name,
                     g->n, g->total);
  }
  return PD_OK;
}

int pd_gunzip(const char *name, const uint8_t *in, size_t n, size_t max,
              uint8_t **out, size_t *outlen, pd_err *err) {
  *out = NULL;
  *outlen = 0;
  size_t cap = 64 * 1024;
  if (n >= 18) {
    uint32_t isize = (uint32_t)in[n - 4] | (uint32_t)in[n - 3] << 8 |
                     (uint32_t)in[n - 2] << 16 | (uint32_t)in[n - 1] << 24;
    /* Deflate cannot do better than about 1032:1, so a larger ISIZE is a lie. */
    if (isize > cap && (uint64_t)isize <= (uint64_t)n * 1040) cap = isize;
  }
  if (cap > max) cap = max;
  pd_gz g;
  if (pd_gz_open(&g, name, in, n, max, err) != PD_OK) return PD_ERR;
  uint8_t *buf = pd_xmalloc(cap + 2);
  size_t used = 0;
  int rc = PD_OK;
  for (;;) {
    size_t got;
    /* room for the one byte past the limit that tells "over" from "at" */
    rc = pd_gz_read(&g, buf + used, cap + 1 - used, &got, err);
    used += got;
    if (rc != PD_OK || g.ended) break;
    cap = cap > max / 2 ? max : cap * 2;
    buf = pd_xrealloc(buf, cap + 2);
  }
  pd_gz_close(&g);
  if (rc != PD_OK) {
    free(buf);
    return PD_ERR;
  }
  buf[used] = 0;
  *out = buf;
  *outlen = used;
  return PD_OK;
}
