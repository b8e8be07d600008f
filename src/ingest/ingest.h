/* ingest.h: turning input files into pd_profile values.
 *
 * Owns format sniffing (by content, never by file name), gzip, and one reader
 * per format. Every reader validates as it goes and fails with one line that
 * names the file and what is wrong; nothing here prints or exits.
 */
#ifndef PD_INGEST_H
#define PD_INGEST_H

#include "../model/model.h"

/* Default cap on an input's size, compressed and decompressed: generous for
 * real profiles (the largest Go heap profiles are tens of MB) while keeping a
 * gzip bomb from taking the machine's memory. */
#define PD_DEFAULT_MAX_INPUT ((size_t)1 << 30)

typedef struct pd_ingest_opts {
  size_t max_input_size; /* bytes; 0 means PD_DEFAULT_MAX_INPUT */
  int strict;            /* folded stacks: a malformed line is fatal */
} pd_ingest_opts;

/* Reads path into p (which the caller frees with pd_profile_free even on
 * error). */
int pd_ingest_file(const char *path, const pd_ingest_opts *opts, pd_profile *p,
                   pd_err *err);

/* Same, for bytes already in memory; takes ownership of data (malloc'd, with
 * one spare byte after len). name is used in messages. The fuzzers call this. */
int pd_ingest_bytes(const char *name, uint8_t *data, size_t len,
                    const pd_ingest_opts *opts, pd_profile *p, pd_err *err);

/* Inflates a gzip stream (several members allowed) into a malloc'd buffer
 * with one spare byte, refusing output over max bytes. */
int pd_gunzip(const char *name, const uint8_t *in, size_t n, size_t max,
              uint8_t **out, size_t *outlen, pd_err *err);

static inline int pd_is_gzip(const uint8_t *data, size_t len) {
  return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* The pprof protobuf reader: decodes buf (which p takes ownership of). */
int pd_pprof_read(pd_profile *p, uint8_t *buf, size_t len, pd_err *err);

#endif
