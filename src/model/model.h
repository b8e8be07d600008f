/* model.h: the in-memory profile every reader produces and every later stage
 * reads, plus the units its values are measured in.
 *
 * The shape follows pprof's own model (profile/profile.go): a string table,
 * functions, mappings, locations made of lines (several lines = inlined
 * frames, leaf first), and samples that point at locations, leaf first, with
 * one value per sample type. Every input format (pprof protobuf, folded
 * stacks, Go's legacy text heap profile, gperftools) is read into this one
 * shape, so alignment and analysis never care where a profile came from.
 *
 * Samples are not stored as structs: a 10 MB profile has hundreds of thousands
 * of them and they are only ever visited in order, so each reader keeps them
 * in whatever form is cheapest (pprof: the encoded bytes, decoded on the fly;
 * text formats: flat arrays) and pd_profile_samples() walks them.
 */
#ifndef PD_MODEL_H
#define PD_MODEL_H

#include "../util/util.h"

#define PD_NONE UINT32_MAX

typedef enum {
  PD_FORMAT_PPROF,
  PD_FORMAT_FOLDED,
  PD_FORMAT_GO_HEAP_TEXT,   /* /debug/pprof/heap?debug=1 */
  PD_FORMAT_GPERF_HEAP,     /* gperftools heap / growth profiles */
  PD_FORMAT_MEMSTAT         /* cgroup memory.stat, memory.current */
} pd_format;

const char *pd_format_name(pd_format f);

/* The deepest stack any reader or stage takes, in frames (inlined calls
 * counted): deeper is an error naming the file. Real stacks stop far
 * sooner (Go records 128 frames at most, perf 127 by default and never
 * more than 65,535, async-profiler 2,048), and each frame costs tens of
 * bytes in a call tree and a flame graph: a 100 MB line of 50 million
 * one-letter frames took 1.3 GB to `top` and more than 2 GB to `fold`
 * (docs/inputs.md). */
#define PD_MAX_STACK_DEPTH 1000000u

/* String ids index pd_profile.str; 0 is always "". */
typedef struct pd_value_type {
  uint32_t type, unit;
} pd_value_type;

typedef struct pd_function {
  uint32_t name, system_name, filename;
  int64_t start_line;
} pd_function;

typedef struct pd_mapping {
  uint64_t start, limit, offset;
  uint32_t filename, build_id;
} pd_mapping;

typedef struct pd_line {
  uint32_t function; /* index into functions, or PD_NONE */
  int64_t line;
} pd_line;

typedef struct pd_location {
  uint64_t address;
  uint32_t mapping;    /* index into mappings, or PD_NONE */
  uint32_t first_line; /* lines[first_line .. first_line+nlines), leaf first */
  uint32_t nlines;
} pd_location;

/* Called once per sample with its location indexes (leaf first) and its
 * values (one per sample type). Returning PD_ERR stops the walk, which
 * returns PD_ERR with the walk's err as the function left it (it says
 * why: a stack over PD_MAX_STACK_DEPTH). */
typedef int (*pd_sample_fn)(void *ctx, const uint32_t *locs, uint32_t nlocs,
                            const pd_val *values);

/* A sample label, as pprof's Label message: key = string id; a string
 * label has str != 0, a numeric one has str == 0 and a value num in unit
 * (a string id, 0 when the writer gave none: see pd_profile_num_unit).
 * Labels with neither a string nor a number nor a unit are not kept
 * (pprof drops them too). */
typedef struct pd_label {
  uint32_t key, str, unit;
  int64_t num;
} pd_label;

/* Like pd_sample_fn, with the sample's labels in file order. */
typedef int (*pd_labeled_fn)(void *ctx, const uint32_t *locs, uint32_t nlocs,
                             const pd_val *values, const pd_label *labels, uint32_t nlabels);

typedef struct pd_profile pd_profile;
/* Visits samples from..to-1 in file order. */
typedef int (*pd_sample_walker)(const pd_profile *p, uint32_t from, uint32_t to, pd_sample_fn fn,
                                void *ctx, pd_err *err);
typedef int (*pd_labeled_walker)(const pd_profile *p, uint32_t from, uint32_t to, pd_labeled_fn fn,
                                 void *ctx, pd_err *err);

struct pd_profile {
  pd_arena arena;  /* owns the tables below, but those in `tables` */
  pd_arena tables; /* pprof: strings' pointers, functions, mappings, lines,
                    * locations, comments (pd_profile_drop_tables) */
  const char *path;
  pd_format format;

  /* The string table, read through pd_profile_str and pd_profile_str_len.
   * Text readers: the interner's arrays (str, str_len). pprof: str_off,
   * one offset per string into str_blob, where each string is followed by
   * its NUL (and str_off[nstr] is the blob's end): 4 bytes a string, since
   * a table of 100 million empty strings is 200 MB of protobuf, and a
   * pointer and a length each (12 bytes) made it 1.2 GB. */
  const char **str;
  uint32_t *str_len;
  const char *str_blob;
  const uint32_t *str_off;
  uint32_t nstr;

  pd_value_type *types;
  uint32_t ntypes;
  int32_t default_type; /* index into types, or -1 */
  pd_value_type period_type;
  int64_t period;
  int64_t time_ns;     /* 0 when the profile does not say */
  int64_t duration_ns;
  uint32_t drop_frames, keep_frames; /* string ids, 0 when absent */
  uint32_t *comments;
  uint32_t ncomments;

  pd_function *functions;
  uint32_t nfunctions;
  pd_mapping *mappings;
  uint32_t nmappings;
  pd_line *lines;
  uint32_t nlines;
  pd_location *locations;
  uint32_t nlocations;

  uint32_t nsamples;
  pd_sample_walker walk; /* set by the reader */
  pd_labeled_walker walk_labeled;
  /* Sample labels are kept only when asked (keep_labels, set from
   * pd_ingest_opts.labels before reading): a Go heap profile has a
   * numeric "bytes" label on every sample, which nothing but a tag filter
   * or `top --tags` reads. Text readers keep sample i's labels as
   * labels[label_start[i] .. label_start[i+1]) (NULL: none); pprof keeps
   * them encoded with the sample. */
  int keep_labels;
  pd_label *labels;
  uint32_t *label_start;
  /* Units of numeric label keys as the file gives them (string ids, the
   * first non-empty unit seen per key), for pd_profile_num_unit. */
  uint32_t *num_unit_key, *num_unit;
  uint32_t nnum_units;
  /* storage for readers that keep samples as flat arrays (text formats):
   * sample i has locations stack[stack_start[i] .. stack_start[i+1]) and
   * values[i*ntypes .. (i+1)*ntypes). */
  uint32_t *stack_start;
  uint32_t *stack;
  pd_val *values;
  /* storage for readers that decode samples lazily (pprof): raw holds the
   * encoded Sample messages one after the other, each after its length,
   * whose location ids loc_ids maps to location indexes. */
  const uint8_t *raw;
  uint32_t *loc_by_id;   /* dense id -> index table when ids are small ... */
  uint64_t nloc_by_id;
  pd_idmap loc_ids;      /* ... else a hash map */

  uint8_t *owned; /* input bytes the tables point into, freed with the profile */
  void *adopted[4]; /* malloc'd, freed with it: text readers' stack and
                     * values, pprof's string bytes and offsets */
  pd_intern *strings; /* text readers: the interner str/str_len point into,
                       * freed with the profile (NULL for pprof) */

  char **warnings; /* arena strings, "path: what" */
  uint32_t nwarnings, capwarnings;
};

void pd_profile_init(pd_profile *p, const char *path, pd_format format);
void pd_profile_free(pd_profile *p);
/* Frees what only naming frames needs (strings, functions, mappings, lines,
 * locations, comments): a pprof profile's samples can still be walked, and
 * its sample types, warnings, path and nlocations (the samples' location
 * indexes run below it) stay; the tables read as empty. For
 * whoever has made its frame keys and holds more than one profile (report). */
void pd_profile_drop_tables(pd_profile *p);
/* Frees the samples (after their last walk): nsamples reads 0. */
void pd_profile_drop_samples(pd_profile *p);
/* Makes the interner (already owned by p->strings) the string table. Text
 * readers call it once the table is complete, since interning moves it. */
void pd_profile_adopt_strings(pd_profile *p, pd_intern *in);
void pd_profile_warn(pd_profile *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline const char *pd_profile_str(const pd_profile *p, uint32_t id) {
  return p->str_off ? p->str_blob + p->str_off[id] : p->str[id];
}
static inline uint32_t pd_profile_str_len(const pd_profile *p, uint32_t id) {
  return p->str_off ? p->str_off[id + 1] - p->str_off[id] - 1 : p->str_len[id];
}

/* Visits samples from..to-1 with their labels (none unless the profile
 * was read with keep_labels). */
int pd_profile_samples_labeled(const pd_profile *p, uint32_t from, uint32_t to, pd_labeled_fn fn,
                               void *ctx, pd_err *err);
/* The unit of numeric label `key` (a string id) as pprof's NumLabelUnits
 * infers it: the first unit the file gives for that key, else "bytes" for
 * the keys "alignment" and "request", else the key's own name (so Go's
 * "bytes" label is in bytes). */
const char *pd_profile_num_unit(const pd_profile *p, uint32_t key);

/* Visits every sample in file order. */
int pd_profile_samples(const pd_profile *p, pd_sample_fn fn, void *ctx,
                       pd_err *err);
/* Visits samples from..to-1 (two threads can walk two ranges at once). */
int pd_profile_samples_range(const pd_profile *p, uint32_t from, uint32_t to, pd_sample_fn fn, void *ctx,
                             pd_err *err);

/* Resolves --sample-index the way pprof does: "" means the profile's
 * default_sample_type, else the last type; a number is an index; a name
 * matches a type (an "inuse_" prefix may be left off). */
int pd_profile_sample_index(const pd_profile *p, const char *spec, int *index,
                            pd_err *err);

/* The type paired with a space type (alloc_space -> alloc_objects,
 * inuse_space -> inuse_objects, space -> objects), or -1. Used to estimate
 * sampling noise from the mean object size. */
int pd_profile_count_index(const pd_profile *p, int index);

/* ---- container memory (cgroup memory.stat) ------------------------------------ */

/* A cgroup memory file is not a profile: it is a set of counters at one
 * moment. memory.stat holds "key value" lines (cgroup v1: cache, rss,
 * total_*...; v2: anon, file, active_file...); memory.current (v2) and
 * memory.usage_in_bytes (v1) hold one number, the cgroup's usage. Values are
 * bytes except the event counters (pgfault...), which are kept as read. */
typedef enum {
  PD_CGROUP_UNKNOWN, /* only keys both versions have */
  PD_CGROUP_V1,
  PD_CGROUP_V2
} pd_cgroup_version;

typedef enum {
  PD_MEMFILE_STAT, /* memory.stat */
  PD_MEMFILE_USAGE /* memory.current or memory.usage_in_bytes */
} pd_memfile_kind;

/* Where a snapshot's time came from: a time in the file name, else the
 * file's modification time (which copies change: reports say so). */
typedef enum { PD_TIME_NONE, PD_TIME_FILE_NAME, PD_TIME_MTIME, PD_TIME_PROFILE } pd_time_source;

const char *pd_time_source_name(pd_time_source s);

typedef struct pd_memstat {
  pd_arena arena; /* owns keys and values */
  const char *path;
  pd_memfile_kind kind;
  pd_cgroup_version version;
  int64_t time_ns;
  pd_time_source time_source;
  uint32_t n;
  const char **keys; /* in file order */
  uint64_t *values;
  uint32_t nknown;   /* keys that memory.stat documents */
} pd_memstat;

/* "v1", "v2", "unknown". */
const char *pd_cgroup_version_name(pd_cgroup_version v);

void pd_memstat_init(pd_memstat *m, const char *path);
void pd_memstat_free(pd_memstat *m);
/* Returns 1 and sets *v when key is present. */
int pd_memstat_get(const pd_memstat *m, const char *key, uint64_t *v);

/* The figures the heap-versus-page-cache analysis uses, taken from either
 * version (docs/inputs.md has the table): v1 prefers the hierarchical
 * total_* counters when present, as cAdvisor does. A field is -1 when the
 * file does not have it. */
typedef struct pd_memfigures {
  double anon;          /* v2 anon; v1 total_rss (else rss) */
  double file;          /* v2 file; v1 total_cache (else cache) */
  double active_file, inactive_file;
  double shmem;
  double usage;         /* memory.current / usage_in_bytes; -1 in memory.stat */
  /* memory.stat's own estimate of usage, for when no usage file is given:
   * v1 rss + cache (memory.rst 5.5 recommends RSS+CACHE over the fuzzy
   * usage_in_bytes); v2 anon + file + kernel (or, before "kernel" existed,
   * kernel_stack + pagetables + percpu + sock + vmalloc + slab). */
  double usage_estimate;
} pd_memfigures;

void pd_memstat_figures(const pd_memstat *m, pd_memfigures *f);

/* ---- times ------------------------------------------------------------------- */

/* Finds a time in a file name: ISO-8601 ("2026-11-22T18:03:14Z", with '-'
 * for ':' as file names often have, '_' or ' ' for 'T', fractions, a zone
 * offset or none = UTC, or the basic "20261122T180314Z") or Unix seconds
 * (10 digits, 2001-2286) or milliseconds (13 digits) standing alone. Looks
 * at the last path component only. Returns 1 and sets *ns when found. */
int pd_time_from_name(const char *path, int64_t *ns);

/* ---- units ------------------------------------------------------------------- */

typedef enum { PD_UNIT_COUNT, PD_UNIT_BYTES, PD_UNIT_TIME } pd_unit_kind;

/* Classifies a pprof unit name ("bytes", "nanoseconds", "count", ...) and
 * returns how many base units (bytes, nanoseconds, 1) one of it is. */
pd_unit_kind pd_unit_classify(const char *unit, double *factor);

/* pprof's measurement.Scale: value in unit `from` expressed in `to`
 * ("auto"/"minimum" pick per value); *unit_out gets the unit's name ("" for
 * plain counts, `to` itself for a unit pprof does not know). */
double pd_unit_scale(double value, const char *from, const char *to, const char **unit_out);

/* pprof's measurement.ScaledLabel: value in `unit`, scaled to out_unit
 * ("auto" picks per value), "%.2f" with a trailing ".00" trimmed, "0" for 0.
 * Writes to buf and returns it. */
char *pd_unit_label(pd_val value, const char *unit, const char *out_unit,
                    char *buf, size_t n);

/* The unit pprof's text reports use for a whole table: the one that suits
 * the smallest non-zero value, unless the largest is over 100 times bigger,
 * in which case the smallest is allowed to scale down to 0.01
 * (report.selectOutputUnit). Returns a static string. */
const char *pd_unit_for_table(double min_value, double max_value,
                              const char *unit);

/* pprof's measurement.Percentage ("  100%", "12.34%", "0.052%"). */
char *pd_percent(double value, double total, char *buf, size_t n);

/* Parses a quantity with a unit suffix ("50MB", "1.5GiB", "200ms", "42") into
 * the base unit of kind (bytes, nanoseconds or a plain number). Returns PD_OK
 * and sets *kind to the kind the suffix implies (PD_UNIT_COUNT for none). */
int pd_unit_parse(const char *text, double *value, pd_unit_kind *kind);

#endif
