/* gzip.c: inflating gzip input with zlib, within a size limit.
 *
 * The output buffer is sized from the gzip trailer's ISIZE (the uncompressed
 * size mod 2^32 of the last member) when that is plausible, so the common case
 * inflates into one allocation; it doubles otherwise, and never past max.
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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
  uint8_t *buf = pd_xmalloc(cap + 1);
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    free(buf);
    return pd_fail(err, "%s: cannot initialise zlib", name);
  }
  zs.next_in = (Bytef *)in;
  size_t in_left = n, used = 0;
  int rc = Z_OK;
  for (;;) {
    if (used == cap) {
      if (cap >= max) {
        inflateEnd(&zs);
        free(buf);
        return pd_fail(err, "%s: decompresses to more than %zu bytes, over the input limit (--max-input-size)",
                       name, max);
      }
      cap = cap > max / 2 ? max : cap * 2;
      buf = pd_xrealloc(buf, cap + 1);
    }
    /* zlib counts in uInt; feed at most 1 GiB per call. */
    uInt in_chunk = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
    uInt out_chunk = cap - used > (1u << 30) ? (1u << 30) : (uInt)(cap - used);
    zs.avail_in = in_chunk;
    zs.next_out = buf + used;
    zs.avail_out = out_chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    size_t progress = (in_chunk - zs.avail_in) + (out_chunk - zs.avail_out);
    in_left -= in_chunk - zs.avail_in;
    used += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      /* Another member may follow (gzip files can be concatenated); anything
       * else after the end is ignored, as gzip(1) does with trailing zeros. */
      if (in_left >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR ||
        rc == Z_MEM_ERROR) {
      const char *msg = zs.msg ? zs.msg : "invalid data";
      pd_fail(err, "%s: corrupt gzip data: %s (at compressed byte %zu)", name,
              msg, n - in_left);
      inflateEnd(&zs);
      free(buf);
      return PD_ERR;
    }
    if ((in_left == 0 && zs.avail_out != 0) || (rc == Z_BUF_ERROR && !progress)) {
      inflateEnd(&zs);
      free(buf);
      return pd_fail(err, "%s: truncated gzip stream (ends after %zu compressed bytes, %zu inflated)",
                     name, n, used);
    }
  }
  inflateEnd(&zs);
  buf[used] = 0;
  *out = buf;
  *outlen = used;
  return PD_OK;
}
