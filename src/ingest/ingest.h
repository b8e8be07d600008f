/* ingest.h: turning input files into pd_profile values.
 *
 * Owns format sniffing (by content, never by file name), gzip, and one reader
 * per format. Every reader validates as it goes and fails with one line that
 * names the file and what is wrong; nothing here prints or exits.
 */
#ifndef PD_INGEST_H
#define PD_INGEST_H

#include <zlib.h>

#include "../model/model.h"

/* Default cap on an input's size, compressed and decompressed: 256 MiB is
 * several times the largest real profiles (big Go heap and CPU profiles
 * inflate to tens of MB), while a gzip bomb costs at most that much memory
 * and a fraction of a second per input before it is refused; `report`
 * reads up to 8 inputs at once, so 1 GiB each could ask for 8 GiB.
 * --max-input-size raises it (docs/fuzzing.md). */
#define PD_DEFAULT_MAX_INPUT ((size_t)256 << 20)

typedef struct pd_ingest_opts {
  size_t max_input_size; /* bytes; 0 means PD_DEFAULT_MAX_INPUT */
  int strict;            /* folded stacks: a malformed line is fatal */
  int split;             /* a large folded file is parsed by two threads */
  int labels;            /* keep sample labels (tag filters, top --tags, --group-by) */
} pd_ingest_opts;

/* Reads path into p (which the caller frees with pd_profile_free even on
 * error). A cgroup memory file is refused with p->format set to
 * PD_FORMAT_MEMSTAT, so a caller can tell it from a broken profile (or ask
 * pd_sniff_file first). */
int pd_ingest_file(const char *path, const pd_ingest_opts *opts, pd_profile *p,
                   pd_err *err);

/* Same, for bytes already in memory; takes ownership of data (malloc'd or pd_read_file's, with
 * one spare byte after len). name is used in messages. The fuzzers call this. */
int pd_ingest_bytes(const char *name, uint8_t *data, size_t len,
                    const pd_ingest_opts *opts, pd_profile *p, pd_err *err);

/* A gzip stream (several members allowed) inflated a piece at a time,
 * refusing more than max bytes in all. */
typedef struct pd_gz {
  z_stream zs;
  const char *name;
  size_t n, in_left; /* compressed bytes: all, not yet read */
  size_t total, max; /* inflated so far; the limit */
  int open, ended;
} pd_gz;

int pd_gz_open(pd_gz *g, const char *name, const uint8_t *in, size_t n, size_t max, pd_err *err);
/* Inflates up to cap bytes into out (*got of them); fewer only at the end
 * of the stream (g->ended). Errors: corrupt or truncated data, over max. */
int pd_gz_read(pd_gz *g, uint8_t *out, size_t cap, size_t *got, pd_err *err);
void pd_gz_close(pd_gz *g);

/* Inflates a whole gzip stream into a malloc'd buffer with one spare byte,
 * refusing output over max bytes. */
int pd_gunzip(const char *name, const uint8_t *in, size_t n, size_t max,
              uint8_t **out, size_t *outlen, pd_err *err);

static inline int pd_is_gzip(const uint8_t *data, size_t len) {
  return len >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

/* The pprof protobuf reader, fed a piece at a time (a window of an
 * inflating stream) or all at once. It keeps what the model needs as it
 * goes (tables, strings, and each sample without its labels), so the bytes
 * fed can be dropped once fed. */
typedef struct pd_pprof_reader pd_pprof_reader;
pd_pprof_reader *pd_pprof_open(pd_profile *p, pd_err *err);
/* Reads the whole fields at the start of buf and sets *used to their size:
 * the caller feeds the rest again, with what follows it. With final, buf is
 * the rest of the input and must be used up. */
int pd_pprof_feed(pd_pprof_reader *r, const uint8_t *buf, size_t len, int final, size_t *used);
/* Checks and builds the model (when ok, i.e. every feed succeeded) and
 * frees the reader; returns PD_OK or the first error. */
int pd_pprof_close(pd_pprof_reader *r, int ok);
/* Reads a whole buffer (not taken: the caller frees it). */
int pd_pprof_read(pd_profile *p, const uint8_t *buf, size_t len, pd_err *err);

/* A piece of input as error messages quote it: at most 60 bytes (cut at a
 * UTF-8 boundary, "..." added), control bytes and '"' as '?'. Returns out. */
#define PD_EXCERPT_SIZE 72
const char *pd_excerpt(const char *s, size_t n, char out[PD_EXCERPT_SIZE]);

/* Reads a whole input file and inflates it when it is gzip; refuses an empty
 * one. *data is malloc'd with a spare byte. */
int pd_read_input(const char *path, size_t max, uint8_t **data, size_t *len, pd_err *err);

/* ---- sniffing ------------------------------------------------------------------ */

/* Text formats have no NUL or C0 control bytes other than tab, newline and
 * carriage return in their first 4 KiB; pprof protobuf practically always
 * does (small lengths and ids are such bytes). */
int pd_is_text(const uint8_t *data, size_t len);
/* 3 when data starts with a UTF-8 byte order mark, else 0. */
size_t pd_bom_len(const uint8_t *data, size_t len);

/* What (already inflated) bytes hold, judged by content and structure (a
 * leading UTF-8 byte order mark is skipped and says text):
 *   binary and shaped as a Profile message
 *   (S_pprof_shaped: known fields, their
 *   wire types, lengths that fit)             -> PD_FORMAT_PPROF
 *   first line holds "heap profile:"          -> PD_FORMAT_GO_HEAP_TEXT ("@ heap/")
 *                                                or PD_FORMAT_GPERF_HEAP
 *   one number alone (memory.current), or
 *   "key value" lines, half or more of them
 *   documented memory.stat keys               -> PD_FORMAT_MEMSTAT
 *   first non-blank line ends in a number
 *   or holds a ';' (control bytes or not)     -> PD_FORMAT_FOLDED
 *   any other binary                          -> PD_FORMAT_PPROF (whose
 *                                                reader says what is corrupt)
 * complete is 0 when data is only the start of the file (the last, cut line
 * is then not judged). Returns PD_ERR (with a message naming `name`) for
 * text that matches none. */
int pd_sniff(const char *name, const uint8_t *data, size_t len, int complete,
             pd_format *f, pd_err *err);

/* Sniffs a file from its first 64 KiB (inflated when gzip), without reading
 * all of it: how `report` routes memory.stat files away from the profile
 * readers. */
int pd_sniff_file(const char *path, pd_format *f, pd_err *err);

/* ---- text readers ---------------------------------------------------------------- */

/* Folded stacks ("a;b;c 42"): one sample type, samples/count. Malformed
 * lines are warnings in p, or errors with opts->strict. Does not take data. */
int pd_folded_read(pd_profile *p, const uint8_t *data, size_t len,
                   const pd_ingest_opts *opts, pd_err *err);

/* Go's debug=1 heap profile and gperftools' heap/growth profiles, by
 * google/pprof's legacy_profile.go rules. Does not take data. */
int pd_legacy_heap_read(pd_profile *p, const uint8_t *data, size_t len, pd_err *err);

/* Moves samples gathered in vectors (stack_start: the end of each sample's
 * stack; stack: location indexes, leaf first; values: ntypes per sample)
 * into p's flat arrays. The text readers' last step: p takes stack's and
 * values' memory (they are left empty). */
void pd_ingest_flat_samples(pd_profile *p, const pd_vec *stack_start, pd_vec *stack,
                            pd_vec *values);

/* ---- cgroup memory files ------------------------------------------------------------ */

/* Whether key (n bytes) is a documented memory.stat key, and of which cgroup
 * version (PD_CGROUP_UNKNOWN for keys both have). */
int pd_memstat_key(const char *key, size_t n, pd_cgroup_version *v);
/* 1 when data looks like memory.stat or memory.current (see pd_sniff). */
int pd_memstat_sniff(const uint8_t *data, size_t len, int complete);
/* Parses memory.stat / memory.current bytes into m (pd_memstat_init'ed with
 * the file's name). Errors name the file and line: a line that is not
 * "key value", a file with no documented key. */
int pd_memstat_parse(pd_memstat *m, const uint8_t *data, size_t len, pd_err *err);
/* Reads and parses a file (gzip allowed); its time comes from the file name,
 * else its modification time (m->time_source says which). The caller frees m
 * with pd_memstat_free even on error. */
int pd_memstat_read_file(const char *path, const pd_ingest_opts *opts, pd_memstat *m,
                         pd_err *err);

/* ---- merging pprof profiles (merge.c) --------------------------------------------- */

/* Profiles of one kind summed into one, as google/pprof's profile.Merge
 * (what `go tool pprof -proto A B` writes): same sample and period types
 * required; samples with the same locations and labels summed; mappings,
 * functions and locations deduplicated; the earliest time, durations
 * summed, the largest period, each comment once. Inputs are added one at a
 * time, so only the merged tables and one input are in memory. */
typedef struct pd_merge pd_merge;
pd_merge *pd_merge_new(void);
/* Adds inflated protobuf bytes (not taken). An input that fails changes
 * nothing; the error names it. */
int pd_merge_add(pd_merge *m, const char *name, const uint8_t *data, size_t len, pd_err *err);
/* Reads (gzip or not) and adds a file; text formats are refused. */
int pd_merge_add_file(pd_merge *m, const char *path, size_t max_input, pd_err *err);
int pd_merge_count(const pd_merge *m);
/* What was read anyway, with a warning (ids numbered): one line each. */
size_t pd_merge_nwarnings(const pd_merge *m);
const char *pd_merge_warning(const pd_merge *m, size_t i);
/* Appends the merged profile, each value multiplied by scale (rounded, as
 * pprof's Scale) and all-zero samples left out, gzip'd, to out. */
int pd_merge_encode(pd_merge *m, double scale, pd_buf *out, pd_err *err);
void pd_merge_free(pd_merge *m);

#endif
