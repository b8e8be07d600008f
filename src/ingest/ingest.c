/* ingest.c: reading a file, undoing gzip, and picking the reader by content.
 *
 * The file name never decides the format: profiles are saved as .pb.gz, .pb,
 * .pprof, .prof or with no extension at all, and gzip is optional. Binary
 * content is pprof protobuf; text content is matched against each text
 * format's signature.
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>

/* Text formats have no NUL or C0 control bytes other than tab, newline and
 * carriage return in their first kilobytes; pprof protobuf practically always
 * does (small lengths and ids are such bytes). */
static int S_is_text(const uint8_t *data, size_t len) {
  size_t n = len < 4096 ? len : 4096;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = data[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return 0;
  }
  return 1;
}

int pd_ingest_bytes(const char *name, uint8_t *data, size_t len,
                    const pd_ingest_opts *opts, pd_profile *p, pd_err *err) {
  size_t max = opts && opts->max_input_size ? opts->max_input_size : PD_DEFAULT_MAX_INPUT;
  pd_profile_init(p, name, PD_FORMAT_PPROF);
  if (len == 0) {
    free(data);
    return pd_fail(err, "%s: empty file", name);
  }
  if (pd_is_gzip(data, len)) {
    uint8_t *inflated;
    size_t n;
    int rc = pd_gunzip(name, data, len, max, &inflated, &n, err);
    free(data);
    if (rc != PD_OK) return rc;
    if (n == 0) {
      free(inflated);
      return pd_fail(err, "%s: gzip stream holds no data", name);
    }
    data = inflated;
    len = n;
  }
  if (S_is_text(data, len)) {
    free(data);
    return pd_fail(err, "%s: not a recognised profile format (text that is not a known profile format)",
                   name);
  }
  return pd_pprof_read(p, data, len, err);
}

int pd_ingest_file(const char *path, const pd_ingest_opts *opts, pd_profile *p,
                   pd_err *err) {
  size_t max = opts && opts->max_input_size ? opts->max_input_size : PD_DEFAULT_MAX_INPUT;
  uint8_t *data;
  size_t len;
  if (pd_read_file(path, max, &data, &len, err) != PD_OK) {
    pd_profile_init(p, path, PD_FORMAT_PPROF);
    return PD_ERR;
  }
  return pd_ingest_bytes(path, data, len, opts, p, err);
}
