/* merge.c: pprof profiles summed into one, as google/pprof's profile.Merge.
 *
 * The merge works on the protobuf itself, not on profdiff's reduced model,
 * so that everything pprof keeps survives (labels, mappings, addresses,
 * line numbers, comments): each input is unpacked by protobuf-c (into an
 * arena that dies with it), checked whole, then its mappings, functions,
 * locations and samples are remapped into the output's tables. Equality is
 * merge.go's: a function by (start line, name, system name, file), a
 * mapping by (size rounded up to 4 KiB, offset, build id or else file), a
 * location by (mapping, address relative to the mapping's start, folded
 * flag, lines), a sample by (locations, labels). Keys are byte strings of
 * output ids in a string interner each, so a key lookup is one hash probe
 * and equal content means equal id. Only the output's tables and one input
 * are in memory at a time, whatever the number of inputs.
 */
#include "ingest.h"
#include "profile.pb-c.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t start, limit, offset;
  uint32_t file, build_id;
  uint8_t flags[4];
} S_mapping;

typedef struct {
  uint32_t name, system_name, filename;
  int64_t start_line;
} S_function;

typedef struct {
  uint32_t function; /* output function id (1-based), 0 for none */
  int64_t line, column;
} S_line;

typedef struct {
  uint32_t mapping; /* output mapping id (1-based), 0 for none */
  int is_folded;
  uint64_t address;
  size_t line0;
  uint32_t nlines;
} S_location;

typedef struct {
  uint32_t key, str, unit; /* output string ids */
  int64_t num;
} S_label;

typedef struct {
  size_t loc0, lab0, val0;
  uint32_t nloc, nlab;
} S_sample;

struct pd_merge {
  pd_intern strs; /* the output's string table: id 0 is "" */
  uint32_t ntypes;
  uint32_t *types; /* (type, unit) pairs */
  uint32_t period_type[2];
  char *first; /* the first input's name, for messages */
  int ninputs;
  int64_t time_nanos, duration_nanos, period;
  uint32_t drop_frames, keep_frames, default_type, doc_url;
  pd_vec comments;   /* uint32_t string ids, first seen first */
  pd_idmap comment_seen;
  pd_vec mappings, functions, locations, lines, samples, sample_locs, labels, values;
  pd_intern map_keys, func_keys, loc_keys, sample_keys;
  pd_buf key; /* scratch */
  pd_vec warnings; /* char *, malloc'd */
};

pd_merge *pd_merge_new(void) {
  pd_merge *m = pd_xcalloc(1, sizeof *m);
  pd_intern_init(&m->strs, 1 << 12);
  pd_intern_init(&m->map_keys, 64);
  pd_intern_init(&m->func_keys, 1 << 12);
  pd_intern_init(&m->loc_keys, 1 << 12);
  pd_intern_init(&m->sample_keys, 1 << 12);
  pd_idmap_init(&m->comment_seen, 16);
  pd_vec_init(&m->comments, sizeof(uint32_t));
  pd_vec_init(&m->mappings, sizeof(S_mapping));
  pd_vec_init(&m->functions, sizeof(S_function));
  pd_vec_init(&m->locations, sizeof(S_location));
  pd_vec_init(&m->lines, sizeof(S_line));
  pd_vec_init(&m->samples, sizeof(S_sample));
  pd_vec_init(&m->sample_locs, sizeof(uint32_t));
  pd_vec_init(&m->labels, sizeof(S_label));
  pd_vec_init(&m->values, sizeof(int64_t));
  pd_vec_init(&m->warnings, sizeof(char *));
  return m;
}

void pd_merge_free(pd_merge *m) {
  if (!m) return;
  pd_intern_free(&m->strs);
  pd_intern_free(&m->map_keys);
  pd_intern_free(&m->func_keys);
  pd_intern_free(&m->loc_keys);
  pd_intern_free(&m->sample_keys);
  pd_idmap_free(&m->comment_seen);
  pd_vec_free(&m->comments);
  pd_vec_free(&m->mappings);
  pd_vec_free(&m->functions);
  pd_vec_free(&m->locations);
  pd_vec_free(&m->lines);
  pd_vec_free(&m->samples);
  pd_vec_free(&m->sample_locs);
  pd_vec_free(&m->labels);
  pd_vec_free(&m->values);
  pd_buf_free(&m->key);
  for (size_t i = 0; i < m->warnings.n; i++) free(PD_VEC_AT(&m->warnings, char *, i));
  pd_vec_free(&m->warnings);
  free(m->types);
  free(m->first);
  free(m);
}

int pd_merge_count(const pd_merge *m) { return m->ninputs; }

size_t pd_merge_nwarnings(const pd_merge *m) { return m->warnings.n; }
const char *pd_merge_warning(const pd_merge *m, size_t i) {
  return PD_VEC_AT(&m->warnings, char *, i);
}

static void S_warn(pd_merge *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void S_warn(pd_merge *m, const char *fmt, ...) {
  pd_buf b = PD_BUF_INIT;
  va_list ap;
  va_start(ap, fmt);
  pd_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  *(char **)pd_vec_push(&m->warnings) = b.data;
}

/* ---- the string table ----------------------------------------------------------- */

/* protobuf-c holds strings NUL-terminated, so a name with a NUL byte in it
 * would be cut short: the string table (field 6) is read here with its
 * lengths, by a walk of the message's top level, and written the same way. */
static int S_rd_varint(const uint8_t **p, const uint8_t *end, uint64_t *out) {
  uint64_t x = 0;
  for (int shift = 0; shift < 64 && *p < end; shift += 7) {
    uint8_t b = *(*p)++;
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = x;
      return PD_OK;
    }
  }
  return PD_ERR;
}

/* Splits the top level of a Profile message (data, len < 4 GiB) into its
 * string table, whose entries are left in data (offs: the offset of each
 * one's length, uint32), and the rest, copied into rest for protobuf-c.
 * protobuf-c unpacks a string table as one allocation a string and a
 * pointer, after a 32-byte record per field while it scans: 100 million
 * empty strings (200 MB) took 5 GB; here they take 4 bytes each.
 * PD_ERR when the framing is broken. */
static int S_string_table(const uint8_t *data, size_t len, pd_vec *offs, pd_buf *rest) {
  const uint8_t *p = data, *end = data + len;
  while (p < end) {
    const uint8_t *field = p;
    uint64_t tag, v;
    if (S_rd_varint(&p, end, &tag) != PD_OK) return PD_ERR;
    switch (tag & 7) {
    case 0:
      if (S_rd_varint(&p, end, &v) != PD_OK) return PD_ERR;
      break;
    case 1:
      if (end - p < 8) return PD_ERR;
      p += 8;
      break;
    case 5:
      if (end - p < 4) return PD_ERR;
      p += 4;
      break;
    case 2:
      if (tag >> 3 == 6) *(uint32_t *)pd_vec_push(offs) = (uint32_t)(p - data);
      if (S_rd_varint(&p, end, &v) != PD_OK || v > (uint64_t)(end - p)) return PD_ERR;
      p += v;
      if (tag >> 3 == 6) continue;
      break;
    default: return PD_ERR;
    }
    pd_buf_put(rest, field, (size_t)(p - field));
  }
  return PD_OK;
}

/* String i of the table S_string_table left in data. */
static const char *S_entry(const uint8_t *data, const uint32_t *offs, size_t i, uint32_t *n) {
  const uint8_t *p = data + offs[i];
  uint64_t v = pd_varint_next(&p); /* checked by S_string_table */
  *n = (uint32_t)v;
  return (const char *)p;
}

/* ---- one input -------------------------------------------------------------------- */

/* protobuf-c allocates each small field on its own (a sample's packed
 * ids, a label): at its own alignment each takes what it needs, not 16
 * bytes. (The string table does not go through it: S_string_table.) */
static void *S_arena_alloc(void *data, size_t n) { return pd_arena_alloc_small(data, n ? n : 1); }
static void S_arena_nofree(void *data, void *p) {
  (void)data;
  (void)p;
}

/* One input while it is merged: the unpacked message, its ids indexed, and
 * what each of its entries became in the output (0: not mapped yet; pprof
 * maps lazily, so entries no sample uses are left out). */
typedef struct {
  pd_merge *m;
  const char *name;
  Perftools__Profiles__Profile *pb;
  const uint8_t *data;  /* the input, which holds the string table ... */
  const uint32_t *offs; /* ... entry i's length at data + offs[i] */
  size_t nstr;
  uint32_t *str_out; /* input string index -> output string id, UINT32_MAX: not yet */
  pd_idmap map_ids, func_ids, loc_ids;
  uint32_t *map_out, *func_out, *loc_out;
  int64_t *map_shift; /* output mapping start - input mapping start */
  pd_err *err;
} S_input;

static uint32_t S_str(S_input *in, int64_t i) {
  if (in->str_out[i] == UINT32_MAX) {
    uint32_t n;
    const char *s = S_entry(in->data, in->offs, (size_t)i, &n);
    in->str_out[i] = pd_intern_put(&in->m->strs, s, n);
  }
  return in->str_out[i];
}

/* Some writers (.NET's, in ../shared/data) leave every id of a table unset
 * while referring to the entries as 1..n in file order: number them that
 * way, with a warning, as profdiff's reader does (go tool pprof refuses). */
static void S_number_unset(S_input *in, const char *what) {
  Perftools__Profiles__Profile *pb = in->pb;
  size_t n = what[0] == 'm' ? pb->n_mapping : what[0] == 'f' ? pb->n_function : pb->n_location;
  if (n < 2) return;
  for (size_t i = 0; i < n; i++) {
    uint64_t id = what[0] == 'm' ? pb->mapping[i]->id
                  : what[0] == 'f' ? pb->function[i]->id : pb->location[i]->id;
    if (id) return;
  }
  S_warn(in->m, "%s: no %s has an id (go tool pprof rejects this file); numbering them 1..%zu in file order",
         in->name, what, n);
  for (size_t i = 0; i < n; i++) {
    if (what[0] == 'm') pb->mapping[i]->id = i + 1;
    else if (what[0] == 'f') pb->function[i]->id = i + 1;
    else pb->location[i]->id = i + 1;
  }
}

/* Every string index in range, every id unique, every reference defined,
 * one value per sample type: what pprof's decoder and CheckValid refuse,
 * checked before anything is merged so that a bad input changes nothing. */
static int S_check(S_input *in) {
  Perftools__Profiles__Profile *pb = in->pb;
  const char *name = in->name;
  pd_err *err = in->err;
  size_t ns = in->nstr;
  uint32_t first;
  if (ns == 0 || (S_entry(in->data, in->offs, 0, &first), first != 0))
    return pd_fail(err, "%s: string_table[0] must be the empty string", name);
#define S_IDX(v, what, i)                                                                   \
  do {                                                                                      \
    if ((v) < 0 || (uint64_t)(v) >= ns)                                                     \
      return pd_fail(err, "%s: %s #%zu refers to string index %" PRId64 " out of range (table has %zu strings)", \
                     name, what, (size_t)(i), (int64_t)(v), ns);                            \
  } while (0)
  if (pb->n_sample_type == 0) return pd_fail(err, "%s: not a pprof profile: no sample types", name);
  for (size_t i = 0; i < pb->n_sample_type; i++) {
    S_IDX(pb->sample_type[i]->type, "sample_type", i);
    S_IDX(pb->sample_type[i]->unit, "sample_type", i);
  }
  if (pb->period_type) {
    S_IDX(pb->period_type->type, "period_type", 0);
    S_IDX(pb->period_type->unit, "period_type", 0);
  }
  S_IDX(pb->drop_frames, "drop_frames", 0);
  S_IDX(pb->keep_frames, "keep_frames", 0);
  S_IDX(pb->default_sample_type, "default_sample_type", 0);
  S_IDX(pb->doc_url, "doc_url", 0);
  for (size_t i = 0; i < pb->n_comment; i++) S_IDX(pb->comment[i], "comment", i);
  S_number_unset(in, "mapping");
  S_number_unset(in, "function");
  S_number_unset(in, "location");
  pd_idmap_init(&in->map_ids, pb->n_mapping);
  pd_idmap_init(&in->func_ids, pb->n_function);
  pd_idmap_init(&in->loc_ids, pb->n_location);
  for (size_t i = 0; i < pb->n_mapping; i++) {
    Perftools__Profiles__Mapping *mp = pb->mapping[i];
    S_IDX(mp->filename, "mapping", i);
    S_IDX(mp->build_id, "mapping", i);
    if (pd_idmap_put(&in->map_ids, mp->id, (uint32_t)i) != PD_OK)
      return pd_fail(err, "%s: duplicate mapping id %" PRIu64, name, mp->id);
  }
  for (size_t i = 0; i < pb->n_function; i++) {
    Perftools__Profiles__Function *f = pb->function[i];
    S_IDX(f->name, "function", i);
    S_IDX(f->system_name, "function", i);
    S_IDX(f->filename, "function", i);
    if (pd_idmap_put(&in->func_ids, f->id, (uint32_t)i) != PD_OK)
      return pd_fail(err, "%s: duplicate function id %" PRIu64, name, f->id);
  }
  for (size_t i = 0; i < pb->n_location; i++) {
    Perftools__Profiles__Location *l = pb->location[i];
    if (pd_idmap_put(&in->loc_ids, l->id, (uint32_t)i) != PD_OK)
      return pd_fail(err, "%s: duplicate location id %" PRIu64, name, l->id);
    if (l->mapping_id && pd_idmap_get(&in->map_ids, l->mapping_id) == UINT32_MAX)
      return pd_fail(err, "%s: location id %" PRIu64 " refers to unknown mapping id %" PRIu64, name,
                     l->id, l->mapping_id);
    for (size_t j = 0; j < l->n_line; j++) {
      uint64_t fid = l->line[j]->function_id;
      if (fid && pd_idmap_get(&in->func_ids, fid) == UINT32_MAX)
        return pd_fail(err, "%s: location id %" PRIu64 " refers to unknown function id %" PRIu64,
                       name, l->id, fid);
    }
  }
  for (size_t i = 0; i < pb->n_sample; i++) {
    Perftools__Profiles__Sample *s = pb->sample[i];
    if (s->n_value != pb->n_sample_type)
      return pd_fail(err, "%s: sample #%zu has %zu values but the profile has %zu sample types", name,
                     i, s->n_value, pb->n_sample_type);
    for (size_t j = 0; j < s->n_location_id; j++)
      if (pd_idmap_get(&in->loc_ids, s->location_id[j]) == UINT32_MAX)
        return pd_fail(err, "%s: sample #%zu refers to unknown location id %" PRIu64, name, i,
                       s->location_id[j]);
    for (size_t j = 0; j < s->n_label; j++) {
      S_IDX(s->label[j]->key, "label", i);
      S_IDX(s->label[j]->str, "label", i);
      S_IDX(s->label[j]->num_unit, "label", i);
    }
  }
#undef S_IDX
  return PD_OK;
}

/* "type/unit, type/unit" for a message, at most a line's worth and with
 * control bytes replaced (the names come from the input). */
static void S_types_text(const pd_intern *strs, const uint32_t *pairs, uint32_t n, char *out,
                         size_t size) {
  pd_buf b = PD_BUF_INIT;
  for (uint32_t i = 0; i < n; i++)
    pd_buf_printf(&b, "%s%s/%s", i ? ", " : "", pd_intern_str(strs, pairs[2 * i]),
                  pd_intern_str(strs, pairs[2 * i + 1]));
  char ex[PD_EXCERPT_SIZE];
  snprintf(out, size, "%s", pd_excerpt(b.data ? b.data : "", b.len, ex));
  pd_buf_free(&b);
}

/* Sample and period types must be those of the first input (pprof's
 * compatible()); the first input sets them and the other header fields are
 * combined as combineHeaders does. */
static int S_header(S_input *in) {
  pd_merge *m = in->m;
  Perftools__Profiles__Profile *pb = in->pb;
  uint32_t n = (uint32_t)pb->n_sample_type;
  uint32_t *types = pd_xmalloc(2 * (size_t)n * sizeof *types);
  for (uint32_t i = 0; i < n; i++) {
    types[2 * i] = S_str(in, pb->sample_type[i]->type);
    types[2 * i + 1] = S_str(in, pb->sample_type[i]->unit);
  }
  uint32_t pt[2] = {0, 0};
  if (pb->period_type) {
    pt[0] = S_str(in, pb->period_type->type);
    pt[1] = S_str(in, pb->period_type->unit);
  }
  if (m->ninputs == 0) {
    m->ntypes = n;
    m->types = types;
    m->period_type[0] = pt[0];
    m->period_type[1] = pt[1];
    m->drop_frames = S_str(in, pb->drop_frames);
    m->keep_frames = S_str(in, pb->keep_frames);
  } else {
    int same = n == m->ntypes && memcmp(types, m->types, 2 * (size_t)n * sizeof *types) == 0;
    if (!same) {
      char a[PD_EXCERPT_SIZE], b[PD_EXCERPT_SIZE];
      S_types_text(&m->strs, types, n, a, sizeof a);
      S_types_text(&m->strs, m->types, m->ntypes, b, sizeof b);
      free(types);
      return pd_fail(in->err, "%s: sample types (%s) differ from those of %s (%s): merge sums profiles of one kind",
                     in->name, a, m->first, b);
    }
    free(types);
    if (pt[0] != m->period_type[0] || pt[1] != m->period_type[1]) {
      char a[PD_EXCERPT_SIZE], b[PD_EXCERPT_SIZE];
      S_types_text(&m->strs, pt, 1, a, sizeof a);
      S_types_text(&m->strs, m->period_type, 1, b, sizeof b);
      return pd_fail(in->err, "%s: period type %s differs from that of %s (%s)", in->name, a,
                     m->first, b);
    }
  }
  /* combineHeaders: the earliest time (as its loop has it), durations
   * summed, the largest period, comments once each, the first default
   * sample type and doc URL */
  if (m->time_nanos == 0 || pb->time_nanos < m->time_nanos) m->time_nanos = pb->time_nanos;
  m->duration_nanos = (int64_t)((uint64_t)m->duration_nanos + (uint64_t)pb->duration_nanos);
  if (m->period == 0 || m->period < pb->period) m->period = pb->period;
  for (size_t i = 0; i < pb->n_comment; i++) {
    uint32_t c = S_str(in, pb->comment[i]);
    if (pd_idmap_get(&m->comment_seen, c) != UINT32_MAX) continue;
    pd_idmap_put(&m->comment_seen, c, 0);
    *(uint32_t *)pd_vec_push(&m->comments) = c;
  }
  if (m->default_type == 0) m->default_type = S_str(in, pb->default_sample_type);
  if (m->doc_url == 0) m->doc_url = S_str(in, pb->doc_url);
  return PD_OK;
}

/* Looks key up in keys; returns the 1-based id and whether it is new. */
static uint32_t S_key_id(pd_intern *keys, const pd_buf *key, int *is_new) {
  uint32_t before = keys->n;
  uint32_t id = pd_intern_put(keys, key->data ? key->data : "", key->len);
  *is_new = keys->n != before;
  return id; /* id 0 is the empty key, which no key of ours is */
}

static void S_put_u64(pd_buf *b, uint64_t v) { pd_buf_put_varint(b, v); }
static void S_put_i64(pd_buf *b, int64_t v) {
  pd_buf_put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* mapMapping: returns the output mapping id (0 for none). */
static uint32_t S_map_mapping(S_input *in, uint32_t idx) {
  if (in->map_out[idx]) return in->map_out[idx];
  pd_merge *m = in->m;
  Perftools__Profiles__Mapping *src = in->pb->mapping[idx];
  uint32_t file = S_str(in, src->filename), build = S_str(in, src->build_id);
  uint64_t size = src->memory_limit - src->memory_start;
  size = size + 0xfff;
  size -= size % 0x1000;
  pd_buf_truncate(&m->key, 0);
  S_put_u64(&m->key, size);
  S_put_u64(&m->key, src->file_offset);
  S_put_u64(&m->key, build ? build : file);
  int is_new;
  uint32_t id = S_key_id(&m->map_keys, &m->key, &is_new);
  if (is_new) {
    S_mapping *o = pd_vec_push(&m->mappings);
    o->start = src->memory_start;
    o->limit = src->memory_limit;
    o->offset = src->file_offset;
    o->file = file;
    o->build_id = build;
    o->flags[0] = (uint8_t)src->has_functions;
    o->flags[1] = (uint8_t)src->has_filenames;
    o->flags[2] = (uint8_t)src->has_line_numbers;
    o->flags[3] = (uint8_t)src->has_inline_frames;
  }
  const S_mapping *o = &PD_VEC_AT(&m->mappings, S_mapping, id - 1);
  in->map_shift[idx] = (int64_t)(o->start - src->memory_start);
  in->map_out[idx] = id;
  return id;
}

static uint32_t S_map_function(S_input *in, uint32_t idx) {
  if (in->func_out[idx]) return in->func_out[idx];
  pd_merge *m = in->m;
  Perftools__Profiles__Function *src = in->pb->function[idx];
  S_function f = {S_str(in, src->name), S_str(in, src->system_name), S_str(in, src->filename),
                  src->start_line};
  pd_buf_truncate(&m->key, 0);
  S_put_i64(&m->key, f.start_line);
  S_put_u64(&m->key, f.name);
  S_put_u64(&m->key, f.system_name);
  S_put_u64(&m->key, f.filename);
  int is_new;
  uint32_t id = S_key_id(&m->func_keys, &m->key, &is_new);
  if (is_new) *(S_function *)pd_vec_push(&m->functions) = f;
  in->func_out[idx] = id;
  return id;
}

static uint32_t S_map_location(S_input *in, uint32_t idx) {
  if (in->loc_out[idx]) return in->loc_out[idx];
  pd_merge *m = in->m;
  Perftools__Profiles__Location *src = in->pb->location[idx];
  uint32_t mapping = 0;
  uint64_t address = src->address, rel = src->address;
  if (src->mapping_id) {
    uint32_t mi = pd_idmap_get(&in->map_ids, src->mapping_id);
    mapping = S_map_mapping(in, mi);
    address = src->address + (uint64_t)in->map_shift[mi];
    rel = address - PD_VEC_AT(&m->mappings, S_mapping, mapping - 1).start;
  }
  /* the lines' functions first: they use m->key too */
  size_t line0 = m->lines.n;
  for (size_t j = 0; j < src->n_line; j++) {
    Perftools__Profiles__Line *ln = src->line[j];
    uint32_t f = 0;
    if (ln->function_id || pd_idmap_get(&in->func_ids, 0) != UINT32_MAX) {
      uint32_t fi = pd_idmap_get(&in->func_ids, ln->function_id);
      if (fi != UINT32_MAX) f = S_map_function(in, fi);
    }
    S_line *o = pd_vec_push(&m->lines);
    o->function = f;
    o->line = ln->line;
    o->column = ln->column;
  }
  pd_buf_truncate(&m->key, 0);
  S_put_u64(&m->key, mapping);
  S_put_u64(&m->key, rel);
  S_put_u64(&m->key, src->is_folded ? 1 : 0);
  for (size_t j = line0; j < m->lines.n; j++) {
    const S_line *ln = &PD_VEC_AT(&m->lines, S_line, j);
    S_put_u64(&m->key, ln->function);
    S_put_i64(&m->key, ln->line);
    S_put_i64(&m->key, ln->column);
  }
  int is_new;
  uint32_t id = S_key_id(&m->loc_keys, &m->key, &is_new);
  if (is_new) {
    S_location *o = pd_vec_push(&m->locations);
    o->mapping = mapping;
    o->is_folded = src->is_folded != 0;
    o->address = address;
    o->line0 = line0;
    o->nlines = (uint32_t)(m->lines.n - line0);
  } else {
    m->lines.n = line0; /* already there: drop the copy */
  }
  in->loc_out[idx] = id;
  return id;
}

static int S_label_cmp(const void *ctx, uint32_t a, uint32_t b) {
  const void *const *c = ctx;
  const pd_intern *strs = c[0];
  const S_label *labs = c[1];
  return pd_intern_cmp(strs, labs[a].key, labs[b].key);
}

/* mapSample: the sample's locations remapped and its labels in pprof's
 * canonical order (string labels, then numeric ones, each by key, values of
 * a key in their order), which is both the key and what is written. */
static void S_map_sample(S_input *in, Perftools__Profiles__Sample *src, pd_vec *scratch,
                         pd_vec *order) {
  pd_merge *m = in->m;
  size_t loc0 = m->sample_locs.n;
  for (size_t j = 0; j < src->n_location_id; j++) {
    uint32_t li = pd_idmap_get(&in->loc_ids, src->location_id[j]);
    uint32_t id = S_map_location(in, li);
    *(uint32_t *)pd_vec_push(&m->sample_locs) = id;
  }
  scratch->n = 0;
  size_t nstr = 0;
  for (int pass = 0; pass < 2; pass++) {
    size_t first = scratch->n;
    for (size_t j = 0; j < src->n_label; j++) {
      Perftools__Profiles__Label *l = src->label[j];
      int is_str = l->str != 0;
      /* pprof's decoder drops a label with neither a string nor a number */
      if (!is_str && l->num == 0 && l->num_unit == 0) continue;
      if (is_str != (pass == 0)) continue;
      S_label *o = pd_vec_push(scratch);
      o->key = S_str(in, l->key);
      o->str = is_str ? S_str(in, l->str) : 0;
      o->num = is_str ? 0 : l->num;
      o->unit = is_str ? 0 : S_str(in, l->num_unit);
    }
    if (pass == 0) nstr = scratch->n - first;
  }
  order->n = 0;
  pd_vec_reserve(order, scratch->n);
  for (size_t j = 0; j < scratch->n; j++) *(uint32_t *)pd_vec_push(order) = (uint32_t)j;
  const void *ctx[2] = {&m->strs, scratch->items};
  uint32_t *ord = order->items;
  if (scratch->n) {
    pd_sort_u32(ord, nstr, S_label_cmp, ctx);
    pd_sort_u32(ord + nstr, scratch->n - nstr, S_label_cmp, ctx);
  }

  pd_buf_truncate(&m->key, 0);
  S_put_u64(&m->key, src->n_location_id);
  for (size_t j = loc0; j < m->sample_locs.n; j++)
    S_put_u64(&m->key, PD_VEC_AT(&m->sample_locs, uint32_t, j));
  S_put_u64(&m->key, nstr);
  for (size_t j = 0; j < scratch->n; j++) {
    const S_label *l = &PD_VEC_AT(scratch, S_label, ord[j]);
    S_put_u64(&m->key, l->key);
    S_put_u64(&m->key, l->str);
    S_put_i64(&m->key, l->num);
    S_put_u64(&m->key, l->unit);
  }
  int is_new;
  uint32_t id = S_key_id(&m->sample_keys, &m->key, &is_new);
  if (!is_new) {
    m->sample_locs.n = loc0;
    int64_t *v = &PD_VEC_AT(&m->values, int64_t, PD_VEC_AT(&m->samples, S_sample, id - 1).val0);
    for (size_t i = 0; i < src->n_value; i++)
      v[i] = (int64_t)((uint64_t)v[i] + (uint64_t)src->value[i]); /* wraps, as Go's += */
    return;
  }
  S_sample *s = pd_vec_push(&m->samples);
  s->loc0 = loc0;
  s->nloc = (uint32_t)(m->sample_locs.n - loc0);
  s->lab0 = m->labels.n;
  s->nlab = (uint32_t)scratch->n;
  for (size_t j = 0; j < scratch->n; j++)
    *(S_label *)pd_vec_push(&m->labels) = PD_VEC_AT(scratch, S_label, ord[j]);
  s->val0 = m->values.n;
  for (size_t i = 0; i < src->n_value; i++) *(int64_t *)pd_vec_push(&m->values) = src->value[i];
}

int pd_merge_add(pd_merge *m, const char *name, const uint8_t *data, size_t len, pd_err *err) {
  pd_arena arena;
  pd_arena_init(&arena, 1 << 20);
  ProtobufCAllocator alloc = {S_arena_alloc, S_arena_nofree, &arena};
  S_input in;
  memset(&in, 0, sizeof in);
  in.m = m;
  in.name = name;
  in.err = err;
  int rc = PD_OK;
  pd_vec strings;
  pd_vec_init(&strings, sizeof(uint32_t));
  pd_buf rest = PD_BUF_INIT;
  if (len >= UINT32_MAX) {
    rc = pd_fail(err, "%s: over 4 GiB: merge reads smaller profiles", name);
    goto done;
  }
  if (S_string_table(data, len, &strings, &rest) == PD_OK)
    in.pb = perftools__profiles__profile__unpack(&alloc, rest.len, rest.data ? (const uint8_t *)rest.data : data);
  pd_buf_free(&rest); /* protobuf-c copied what it keeps */
  if (!in.pb) {
    rc = pd_fail(err, "%s: corrupt protobuf: not a pprof profile message", name);
    goto done;
  }
  in.data = data;
  in.offs = strings.items;
  in.nstr = strings.n;
  if ((rc = S_check(&in)) != PD_OK) goto done;
  Perftools__Profiles__Profile *pb = in.pb;
  in.str_out = pd_arena_alloc(&arena, (in.nstr ? in.nstr : 1) * sizeof(uint32_t));
  memset(in.str_out, 0xff, in.nstr * sizeof(uint32_t));
  in.map_out = pd_arena_zalloc(&arena, (pb->n_mapping + 1) * sizeof(uint32_t));
  in.map_shift = pd_arena_zalloc(&arena, (pb->n_mapping + 1) * sizeof(int64_t));
  in.func_out = pd_arena_zalloc(&arena, (pb->n_function + 1) * sizeof(uint32_t));
  in.loc_out = pd_arena_zalloc(&arena, (pb->n_location + 1) * sizeof(uint32_t));
  if ((rc = S_header(&in)) != PD_OK) goto done;
  if (m->ninputs == 0) m->first = pd_xstrdup(name);
  /* "the first mapping represents the main binary": take it first */
  if (m->mappings.n == 0 && pb->n_mapping > 0) S_map_mapping(&in, 0);
  pd_vec scratch, order;
  pd_vec_init(&scratch, sizeof(S_label));
  pd_vec_init(&order, sizeof(uint32_t));
  for (size_t i = 0; i < pb->n_sample; i++) {
    Perftools__Profiles__Sample *s = pb->sample[i];
    int zero = 1;
    for (size_t j = 0; j < s->n_value && zero; j++) zero = s->value[j] == 0;
    if (!zero) S_map_sample(&in, s, &scratch, &order);
  }
  pd_vec_free(&scratch);
  pd_vec_free(&order);
  m->ninputs++;
done:
  pd_vec_free(&strings);
  pd_idmap_free(&in.map_ids);
  pd_idmap_free(&in.func_ids);
  pd_idmap_free(&in.loc_ids);
  pd_arena_free(&arena);
  return rc;
}

static int S_add_file(pd_merge *m, const char *path, size_t max_input, pd_err *err) {
  uint8_t *data;
  size_t len;
  if (pd_read_input(path, max_input ? max_input : PD_DEFAULT_MAX_INPUT, &data, &len, err) != PD_OK)
    return PD_ERR;
  if (pd_is_text(data, len)) {
    pd_format f = PD_FORMAT_FOLDED;
    pd_err e2;
    const char *what = "a text file";
    if (pd_sniff(path, data, len, 1, &f, &e2) == PD_OK) what = pd_format_name(f);
    free(data);
    return pd_fail(err, "%s: merge reads pprof protobuf profiles only, and this is %s "
                        "(docs/merge.md says how to convert one)",
                   path, what);
  }
  int rc = pd_merge_add(m, path, data, len, err);
  free(data);
  return rc;
}

int pd_merge_add_file(pd_merge *m, const char *path, size_t max_input, pd_err *err) {
  pd_mem_doing was = pd_mem_doing_set(path, "reading it");
  int rc = S_add_file(m, path, max_input, err);
  pd_mem_doing_restore(was);
  return rc;
}

/* ---- the output ------------------------------------------------------------------- */

static int64_t S_scaled(int64_t v, double scale) {
  if (scale == 1) return v;
  double x = round((double)v * scale);
  if (!(x >= -9.2233720368547758e18)) return INT64_MIN; /* NaN cannot happen: scale is finite */
  if (x >= 9.2233720368547758e18) return INT64_MAX;
  return (int64_t)x;
}

int pd_merge_encode(pd_merge *m, double scale, pd_buf *out, pd_err *err) {
  if (m->ninputs == 0) return pd_fail(err, "no profiles to merge");
  pd_arena a;
  pd_arena_init(&a, 1 << 20);
  Perftools__Profiles__Profile pb = PERFTOOLS__PROFILES__PROFILE__INIT;
  Perftools__Profiles__ValueType period = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
  /* sample types */
  pb.n_sample_type = m->ntypes;
  pb.sample_type = pd_arena_alloc(&a, m->ntypes * sizeof *pb.sample_type);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    Perftools__Profiles__ValueType *t = pd_arena_alloc(&a, sizeof *t);
    perftools__profiles__value_type__init(t);
    t->type = m->types[2 * i];
    t->unit = m->types[2 * i + 1];
    pb.sample_type[i] = t;
  }
  /* samples: the zero ones left out (pprof's Merge collects them away) */
  size_t nsamples = m->samples.n;
  pb.sample = pd_arena_alloc(&a, (nsamples ? nsamples : 1) * sizeof *pb.sample);
  Perftools__Profiles__Sample *ss = pd_arena_alloc(&a, (nsamples ? nsamples : 1) * sizeof *ss);
  size_t nlab = m->labels.n;
  Perftools__Profiles__Label *labs = pd_arena_alloc(&a, (nlab ? nlab : 1) * sizeof *labs);
  Perftools__Profiles__Label **labp = pd_arena_alloc(&a, (nlab ? nlab : 1) * sizeof *labp);
  uint64_t *locids = pd_arena_alloc(&a, (m->sample_locs.n ? m->sample_locs.n : 1) * sizeof *locids);
  for (size_t j = 0; j < m->sample_locs.n; j++) locids[j] = PD_VEC_AT(&m->sample_locs, uint32_t, j);
  int64_t *vals = m->values.items;
  for (size_t i = 0; i < nsamples; i++) {
    const S_sample *s = &PD_VEC_AT(&m->samples, S_sample, i);
    int zero = 1;
    for (uint32_t t = 0; t < m->ntypes; t++) {
      vals[s->val0 + t] = S_scaled(vals[s->val0 + t], scale);
      zero = zero && vals[s->val0 + t] == 0;
    }
    if (zero) continue;
    Perftools__Profiles__Sample *o = &ss[pb.n_sample];
    perftools__profiles__sample__init(o);
    o->n_location_id = s->nloc;
    o->location_id = locids + s->loc0;
    o->n_value = m->ntypes;
    o->value = vals + s->val0;
    o->n_label = s->nlab;
    o->label = labp + s->lab0;
    for (uint32_t j = 0; j < s->nlab; j++) {
      const S_label *l = &PD_VEC_AT(&m->labels, S_label, s->lab0 + j);
      Perftools__Profiles__Label *ol = &labs[s->lab0 + j];
      perftools__profiles__label__init(ol);
      ol->key = l->key;
      ol->str = l->str;
      ol->num = l->num;
      ol->num_unit = l->unit;
      labp[s->lab0 + j] = ol;
    }
    pb.sample[pb.n_sample++] = o;
  }
  /* mappings */
  size_t nm = m->mappings.n;
  pb.n_mapping = nm;
  pb.mapping = pd_arena_alloc(&a, (nm ? nm : 1) * sizeof *pb.mapping);
  for (size_t i = 0; i < nm; i++) {
    const S_mapping *s = &PD_VEC_AT(&m->mappings, S_mapping, i);
    Perftools__Profiles__Mapping *o = pd_arena_alloc(&a, sizeof *o);
    perftools__profiles__mapping__init(o);
    o->id = i + 1;
    o->memory_start = s->start;
    o->memory_limit = s->limit;
    o->file_offset = s->offset;
    o->filename = s->file;
    o->build_id = s->build_id;
    o->has_functions = s->flags[0];
    o->has_filenames = s->flags[1];
    o->has_line_numbers = s->flags[2];
    o->has_inline_frames = s->flags[3];
    pb.mapping[i] = o;
  }
  /* locations and their lines */
  size_t nl = m->locations.n, nlines = m->lines.n;
  pb.n_location = nl;
  pb.location = pd_arena_alloc(&a, (nl ? nl : 1) * sizeof *pb.location);
  Perftools__Profiles__Line *lines = pd_arena_alloc(&a, (nlines ? nlines : 1) * sizeof *lines);
  Perftools__Profiles__Line **linep = pd_arena_alloc(&a, (nlines ? nlines : 1) * sizeof *linep);
  for (size_t i = 0; i < nlines; i++) {
    const S_line *s = &PD_VEC_AT(&m->lines, S_line, i);
    perftools__profiles__line__init(&lines[i]);
    lines[i].function_id = s->function;
    lines[i].line = s->line;
    lines[i].column = s->column;
    linep[i] = &lines[i];
  }
  for (size_t i = 0; i < nl; i++) {
    const S_location *s = &PD_VEC_AT(&m->locations, S_location, i);
    Perftools__Profiles__Location *o = pd_arena_alloc(&a, sizeof *o);
    perftools__profiles__location__init(o);
    o->id = i + 1;
    o->mapping_id = s->mapping;
    o->address = s->address;
    o->is_folded = s->is_folded;
    o->n_line = s->nlines;
    o->line = linep + s->line0;
    pb.location[i] = o;
  }
  /* functions */
  size_t nf = m->functions.n;
  pb.n_function = nf;
  pb.function = pd_arena_alloc(&a, (nf ? nf : 1) * sizeof *pb.function);
  for (size_t i = 0; i < nf; i++) {
    const S_function *s = &PD_VEC_AT(&m->functions, S_function, i);
    Perftools__Profiles__Function *o = pd_arena_alloc(&a, sizeof *o);
    perftools__profiles__function__init(o);
    o->id = i + 1;
    o->name = s->name;
    o->system_name = s->system_name;
    o->filename = s->filename;
    o->start_line = s->start_line;
    pb.function[i] = o;
  }
  /* header */
  pb.n_string_table = 0; /* appended below, with lengths */
  pb.drop_frames = m->drop_frames;
  pb.keep_frames = m->keep_frames;
  pb.time_nanos = m->time_nanos;
  pb.duration_nanos = m->duration_nanos;
  period.type = m->period_type[0];
  period.unit = m->period_type[1];
  pb.period_type = &period;
  pb.period = m->period;
  pb.n_comment = m->comments.n;
  int64_t *comments = pd_arena_alloc(&a, (m->comments.n ? m->comments.n : 1) * sizeof *comments);
  for (size_t i = 0; i < m->comments.n; i++) comments[i] = PD_VEC_AT(&m->comments, uint32_t, i);
  pb.comment = comments;
  pb.default_sample_type = m->default_type;
  pb.doc_url = m->doc_url;

  size_t body = perftools__profiles__profile__get_packed_size(&pb), size = body;
  for (uint32_t i = 0; i < m->strs.n; i++) {
    uint32_t n = pd_intern_len(&m->strs, i);
    size += 1 + 5 + n;
  }
  uint8_t *packed = pd_xmalloc(size);
  perftools__profiles__profile__pack(&pb, packed);
  pd_arena_free(&a);
  /* the string table, field 6, last (any field order is valid protobuf,
   * and profdiff's streaming reader likes the strings after the samples) */
  uint8_t *w = packed + body;
  for (uint32_t i = 0; i < m->strs.n; i++) {
    uint32_t n = pd_intern_len(&m->strs, i);
    *w++ = (6 << 3) | 2;
    uint32_t v = n;
    while (v >= 0x80) {
      *w++ = (uint8_t)(v | 0x80);
      v >>= 7;
    }
    *w++ = (uint8_t)v;
    if (n) memcpy(w, pd_intern_str(&m->strs, i), n);
    w += n;
  }
  size = (size_t)(w - packed);

  /* gzip'd, as Go writes profiles; level 1 as Go's runtime/pprof uses */
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    free(packed);
    return pd_fail(err, "cannot start gzip compression");
  }
  size_t done_in = 0;
  int zrc = Z_OK;
  do {
    /* zlib counts in 32 bits: at most 1 GiB in and out per call */
    size_t chunk = size - done_in < ((size_t)1 << 30) ? size - done_in : ((size_t)1 << 30);
    int flush = done_in + chunk == size ? Z_FINISH : Z_NO_FLUSH;
    zs.next_in = packed + done_in;
    zs.avail_in = (uInt)chunk;
    do {
      pd_buf_reserve(out, chunk / 2 + (1 << 16));
      size_t room = out->cap - out->len - 1;
      if (room > ((size_t)1 << 30)) room = (size_t)1 << 30;
      zs.next_out = (Bytef *)out->data + out->len;
      zs.avail_out = (uInt)room;
      zrc = deflate(&zs, flush);
      out->len += room - zs.avail_out;
    } while (zrc == Z_OK && zs.avail_out == 0);
    done_in += chunk - zs.avail_in;
  } while ((zrc == Z_OK || zrc == Z_BUF_ERROR) && done_in < size);
  deflateEnd(&zs);
  free(packed);
  if (zrc != Z_STREAM_END) return pd_fail(err, "gzip compression failed");
  out->data[out->len] = '\0';
  return PD_OK;
}
