/* pprof.c: the pprof protobuf reader.
 *
 * We walk the top level of the Profile message ourselves instead of letting
 * protobuf-c unpack it whole: a whole-message unpack of a 10 MB profile builds
 * ~70 MB of small structs, most of them samples we only need to visit once.
 * So the walk hands each ValueType, Mapping, Location and Function to
 * protobuf-c's generated per-message unpacker (into a scratch arena reset
 * per message) and copies out what the model needs, copies the strings, and
 * keeps each Sample still encoded but without its labels (unless asked to
 * keep them: pd_profile.keep_labels), one after the
 * other in one buffer (8 of the 13 MB of a large Go heap profile); samples
 * are decoded as they are visited (S_walk), which is the one hot loop and is
 * written by hand. Nothing points into the input, so it is fed a window at
 * a time (pd_pprof_feed) while it inflates, and never held whole: string
 * tables come last, after the samples that need them, so this is how a
 * stream can be reduced with the file no bigger in memory than its parts.
 *
 * Validation follows pprof's CheckValid and decoder: every string index in
 * range, string 0 empty, ids unique, every referenced id defined, one value
 * per sample type, no length past the end of its buffer. Where pprof refuses
 * a file whose meaning is still clear (an id of 0, which proto3 reserves but
 * real writers such as .NET's emit), we read it and warn.
 */
#include "ingest.h"
#include "profile.pb-c.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const uint8_t *p, *end;
} S_rd;

static inline int S_varint(S_rd *r, uint64_t *out) {
  const uint8_t *p = r->p;
  if (p < r->end && !(*p & 0x80)) { /* the common one-byte case */
    *out = *p;
    r->p = p + 1;
    return PD_OK;
  }
  uint64_t x = 0;
  for (int shift = 0; shift < 64 && p < r->end; shift += 7) {
    uint8_t b = *p++;
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = x;
      r->p = p;
      return PD_OK;
    }
  }
  return PD_ERR;
}

/* Skips a field of wire type wt; PD_ERR if it runs past the end. */
static int S_skip(S_rd *r, int wt) {
  uint64_t v;
  switch (wt) {
  case 0: return S_varint(r, &v);
  case 1:
    if (r->end - r->p < 8) return PD_ERR;
    r->p += 8;
    return PD_OK;
  case 2:
    if (S_varint(r, &v) != PD_OK || v > (uint64_t)(r->end - r->p)) return PD_ERR;
    r->p += v;
    return PD_OK;
  case 5:
    if (r->end - r->p < 4) return PD_ERR;
    r->p += 4;
    return PD_OK;
  default: return PD_ERR; /* groups (3, 4) are not used by pprof */
  }
}

typedef struct {
  pd_profile *p;
  pd_err *err;
  pd_arena scratch;
  ProtobufCAllocator alloc;
  pd_vec types;        /* int64 pairs (type, unit) as read */
  pd_vec mappings;     /* Perftools mapping copies: pd_mapping + raw string idx */
  pd_vec map_raw;      /* int64 pairs (filename, build_id) */
  pd_vec map_ids;      /* uint64 */
  pd_vec locs;         /* pd_location */
  pd_vec loc_ids;      /* uint64 */
  pd_vec loc_map_ids;  /* uint64 mapping id per location */
  pd_vec lines;        /* pd_line, function index resolved later */
  pd_vec line_fids;    /* uint64 function id per line */
  pd_vec funcs_raw;    /* int64 quads (name, system_name, filename, start_line) */
  pd_vec func_ids;     /* uint64 */
  pd_vec str_off;      /* uint32 start of each string in strdata */
  pd_buf strdata;      /* every string, each followed by a NUL */
  pd_buf samples;      /* each sample: varint length, then its fields but labels */
  uint32_t nsamples;
  size_t base;         /* input offset of the buffer being fed */
  pd_vec comments;     /* int64 */
  pd_idmap num_units;  /* kept labels: numeric key -> its first unit (string indexes) */
  pd_vec num_unit_keys; /* uint64, the keys of num_units in the order first seen */
  uint64_t label_max_str; /* the largest string index a kept label uses */
  uint64_t label_bad_sample; /* 1 + a sample whose labels do not decode */
  int64_t drop, keep, default_type, period_type[2];
  int has_period_type;
} S_dec;

static void *S_pc_alloc(void *arena, size_t n) { return pd_arena_alloc(arena, n); }
static void S_pc_free(void *arena, void *ptr) {
  (void)arena;
  (void)ptr;
}

static void S_dec_init(S_dec *d, pd_profile *p, pd_err *err) {
  memset(d, 0, sizeof *d);
  d->p = p;
  d->err = err;
  pd_arena_init(&d->scratch, 16 * 1024);
  d->alloc.alloc = S_pc_alloc;
  d->alloc.free = S_pc_free;
  d->alloc.allocator_data = &d->scratch;
  pd_vec_init(&d->types, 2 * sizeof(int64_t));
  pd_vec_init(&d->mappings, sizeof(pd_mapping));
  pd_vec_init(&d->map_raw, 2 * sizeof(int64_t));
  pd_vec_init(&d->map_ids, sizeof(uint64_t));
  pd_vec_init(&d->locs, sizeof(pd_location));
  pd_vec_init(&d->loc_ids, sizeof(uint64_t));
  pd_vec_init(&d->loc_map_ids, sizeof(uint64_t));
  pd_vec_init(&d->lines, sizeof(pd_line));
  pd_vec_init(&d->line_fids, sizeof(uint64_t));
  pd_vec_init(&d->funcs_raw, 4 * sizeof(int64_t));
  pd_vec_init(&d->func_ids, sizeof(uint64_t));
  pd_vec_init(&d->str_off, sizeof(uint32_t));
  pd_vec_init(&d->comments, sizeof(int64_t));
  pd_vec_init(&d->num_unit_keys, sizeof(uint64_t));
  pd_idmap_init(&d->num_units, 8);
}

static void S_dec_free(S_dec *d) {
  pd_arena_free(&d->scratch);
  pd_vec *all[] = {&d->types,    &d->mappings,  &d->map_raw,   &d->map_ids,
                   &d->locs,     &d->loc_ids,   &d->loc_map_ids, &d->lines,
                   &d->line_fids, &d->funcs_raw, &d->func_ids,  &d->str_off,
                   &d->comments, &d->num_unit_keys};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) pd_vec_free(all[i]);
  pd_buf_free(&d->strdata);
  pd_buf_free(&d->samples);
  pd_idmap_free(&d->num_units);
}

/* Copies a vector's items into the profile's arena, exactly sized. An
 * empty table is still a valid pointer (as the text readers make it):
 * later stages index it with offset 0, and NULL + 0 is undefined in C. */
static void *S_to_arena(pd_profile *p, const pd_vec *v) {
  void *dst = pd_arena_alloc(&p->tables, (v->n ? v->n : 1) * v->item_size);
  if (v->n) memcpy(dst, v->items, v->n * v->item_size);
  return dst;
}

/* ---- top-level fields --------------------------------------------------------- */

static int S_bad_message(S_dec *d, const char *what, size_t index, size_t at) {
  return pd_fail(d->err, "%s: corrupt protobuf: %s #%zu at byte %zu does not decode",
                 d->p->path, what, index, at);
}

static int S_read_value_type(S_dec *d, const uint8_t *msg, size_t len, size_t at,
                             int64_t out[2], const char *what, size_t index) {
  pd_arena_reset(&d->scratch);
  Perftools__Profiles__ValueType *vt =
      perftools__profiles__value_type__unpack(&d->alloc, len, msg);
  if (!vt) return S_bad_message(d, what, index, at);
  out[0] = vt->type;
  out[1] = vt->unit;
  return PD_OK;
}

static int S_read_mapping(S_dec *d, const uint8_t *msg, size_t len, size_t at) {
  pd_arena_reset(&d->scratch);
  Perftools__Profiles__Mapping *m =
      perftools__profiles__mapping__unpack(&d->alloc, len, msg);
  if (!m) return S_bad_message(d, "mapping", d->mappings.n, at);
  pd_mapping *pm = pd_vec_push(&d->mappings);
  pm->start = m->memory_start;
  pm->limit = m->memory_limit;
  pm->offset = m->file_offset;
  int64_t *raw = pd_vec_push(&d->map_raw);
  raw[0] = m->filename;
  raw[1] = m->build_id;
  *(uint64_t *)pd_vec_push(&d->map_ids) = m->id;
  return PD_OK;
}

static int S_read_location(S_dec *d, const uint8_t *msg, size_t len, size_t at) {
  pd_arena_reset(&d->scratch);
  Perftools__Profiles__Location *l =
      perftools__profiles__location__unpack(&d->alloc, len, msg);
  if (!l) return S_bad_message(d, "location", d->locs.n, at);
  pd_location *pl = pd_vec_push(&d->locs);
  pl->address = l->address;
  pl->first_line = (uint32_t)d->lines.n;
  pl->nlines = (uint32_t)l->n_line;
  *(uint64_t *)pd_vec_push(&d->loc_ids) = l->id;
  *(uint64_t *)pd_vec_push(&d->loc_map_ids) = l->mapping_id;
  pd_vec_reserve(&d->lines, d->lines.n + l->n_line);
  pd_vec_reserve(&d->line_fids, d->line_fids.n + l->n_line);
  for (size_t i = 0; i < l->n_line; i++) {
    pd_line *ln = pd_vec_push(&d->lines);
    ln->line = l->line[i]->line;
    *(uint64_t *)pd_vec_push(&d->line_fids) = l->line[i]->function_id;
  }
  return PD_OK;
}

static int S_read_function(S_dec *d, const uint8_t *msg, size_t len, size_t at) {
  pd_arena_reset(&d->scratch);
  Perftools__Profiles__Function *f =
      perftools__profiles__function__unpack(&d->alloc, len, msg);
  if (!f) return S_bad_message(d, "function", d->func_ids.n, at);
  int64_t *raw = pd_vec_push(&d->funcs_raw);
  raw[0] = f->name;
  raw[1] = f->system_name;
  raw[2] = f->filename;
  raw[3] = f->start_line;
  *(uint64_t *)pd_vec_push(&d->func_ids) = f->id;
  return PD_OK;
}

static const char *S_field_name(uint32_t field) {
  static const char *names[] = {
      "?",           "sample_type", "sample",         "mapping",
      "location",    "function",    "string_table",   "drop_frames",
      "keep_frames", "time_nanos",  "duration_nanos", "period_type",
      "period",      "comment",     "default_sample_type", "doc_url"};
  return field < sizeof names / sizeof names[0] ? names[field] : "unknown";
}

/* Whether the field at p is whole before end (1), cut off by it (0), or
 * undecodable whatever follows (-1, for the caller to say why). */
static int S_whole(const uint8_t *p, const uint8_t *end) {
  S_rd r = {p, end};
  uint64_t key, v;
  if (S_varint(&r, &key) != PD_OK) return end - p < 10 ? 0 : -1;
  switch (key & 7) {
  case 0:
    if (S_varint(&r, &v) != PD_OK) return r.end - r.p < 10 ? 0 : -1;
    return 1;
  case 1: return r.end - r.p >= 8;
  case 5: return r.end - r.p >= 4;
  case 2:
    if (S_varint(&r, &v) != PD_OK) return r.end - r.p < 10 ? 0 : -1;
    return v <= (uint64_t)(r.end - r.p);
  default: return -1;
  }
}

/* A kept Label message (key 1, str 2, num 3, num_unit 4, all varints):
 * notes the largest string index (checked once the table is read) and the
 * first unit of each numeric key (pprof's NumLabelUnits). */
static int S_note_label(S_dec *d, const uint8_t *msg, size_t n) {
  S_rd r = {msg, msg + n};
  uint64_t key = 0, str = 0, num = 0, unit = 0;
  while (r.p < r.end) {
    uint64_t tag, v;
    if (S_varint(&r, &tag) != PD_OK) return PD_ERR;
    if ((tag & 7) != 0) {
      if (S_skip(&r, (int)(tag & 7)) != PD_OK) return PD_ERR;
      continue;
    }
    if (S_varint(&r, &v) != PD_OK) return PD_ERR;
    switch (tag >> 3) {
    case 1: key = v; break;
    case 2: str = v; break;
    case 3: num = v; break;
    case 4: unit = v; break;
    default: break;
    }
  }
  uint64_t m = key > str ? key : str;
  if (unit > m) m = unit;
  if (m > d->label_max_str) d->label_max_str = m;
  if (str == 0 && unit != 0 && pd_idmap_get(&d->num_units, key) == PD_NONE) {
    pd_idmap_put(&d->num_units, key, (uint32_t)(unit > UINT32_MAX ? UINT32_MAX : unit));
    *(uint64_t *)pd_vec_push(&d->num_unit_keys) = key;
  }
  (void)num;
  return PD_OK;
}

/* With keep_labels: the whole message is kept, and its labels noted. */
static void S_keep_labeled_sample(S_dec *d, const uint8_t *msg, size_t n) {
  S_rd r = {msg, msg + n};
  while (r.p < r.end) {
    uint64_t key, len;
    if (S_varint(&r, &key) != PD_OK) break;
    if (key == (3 << 3 | 2)) {
      if (S_varint(&r, &len) != PD_OK || len > (uint64_t)(r.end - r.p)) break;
      if (S_note_label(d, r.p, (size_t)len) != PD_OK && !d->label_bad_sample)
        d->label_bad_sample = d->nsamples + 1;
      r.p += len;
    } else if (S_skip(&r, (int)(key & 7)) != PD_OK) {
      break; /* S_walk reports it */
    }
  }
  pd_buf_put_varint(&d->samples, n);
  pd_buf_put(&d->samples, msg, n);
  d->nsamples++;
}

/* Keeps a Sample message for S_walk: its length, then every field but the
 * labels (field 3), which nothing reads unless keep_labels asks for them.
 * One that does not decode is kept whole, for S_walk to report in order. */
static void S_keep_sample(S_dec *d, const uint8_t *msg, size_t n) {
  if (d->p->keep_labels) {
    S_keep_labeled_sample(d, msg, n);
    return;
  }
  S_rd r = {msg, msg + n};
  size_t kept = 0;
  int whole = 0;
  while (r.p < r.end) {
    const uint8_t *f = r.p;
    uint64_t key;
    if (S_varint(&r, &key) != PD_OK || S_skip(&r, (int)(key & 7)) != PD_OK) {
      whole = 1;
      break;
    }
    if (key >> 3 != 3) kept += (size_t)(r.p - f);
  }
  if (whole || kept == n) {
    pd_buf_put_varint(&d->samples, n);
    pd_buf_put(&d->samples, msg, n);
  } else {
    pd_buf_put_varint(&d->samples, kept);
    r.p = msg;
    while (r.p < r.end) {
      const uint8_t *f = r.p;
      uint64_t key;
      S_varint(&r, &key);
      S_skip(&r, (int)(key & 7));
      if (key >> 3 != 3) pd_buf_put(&d->samples, f, (size_t)(r.p - f));
    }
  }
  d->nsamples++;
}

static int S_walk_top(S_dec *d, const uint8_t *buf, size_t len, int final, size_t *used) {
  S_rd r = {buf, buf + len};
  pd_profile *p = d->p;
  *used = 0;
  while (r.p < r.end) {
    if (!final && S_whole(r.p, r.end) == 0) break; /* the rest comes with the next piece */
    size_t at = d->base + (size_t)(r.p - buf);
    uint64_t key;
    if (S_varint(&r, &key) != PD_OK)
      return pd_fail(d->err, "%s: corrupt protobuf: truncated field tag at byte %zu",
                     p->path, at);
    uint64_t field64 = key >> 3;
    int wt = (int)(key & 7);
    if (field64 == 0 || field64 > 536870911)
      return pd_fail(d->err, "%s: corrupt protobuf: invalid field number %" PRIu64 " at byte %zu",
                     p->path, field64, at);
    uint32_t field = (uint32_t)field64;
    int known = field >= 1 && field <= 15;
    if (wt == 2) {
      uint64_t n;
      if (S_varint(&r, &n) != PD_OK)
        return pd_fail(d->err, "%s: corrupt protobuf: truncated length of field %u (%s) at byte %zu",
                       p->path, field, S_field_name(field), at);
      if (n > (uint64_t)(r.end - r.p))
        return pd_fail(d->err,
                       "%s: corrupt protobuf: field %u (%s) at byte %zu claims %" PRIu64
                       " bytes but only %zu remain",
                       p->path, field, S_field_name(field), at, n, (size_t)(r.end - r.p));
      const uint8_t *msg = r.p;
      r.p += n;
      int rc = PD_OK;
      switch (field) {
      case 1:
        rc = S_read_value_type(d, msg, n, at, pd_vec_push(&d->types), "sample_type", d->types.n - 1);
        break;
      case 2:
        if (d->nsamples == UINT32_MAX)
          return pd_fail(d->err, "%s: more than %u samples", p->path, UINT32_MAX - 1);
        S_keep_sample(d, msg, n);
        break;
      case 3: rc = S_read_mapping(d, msg, n, at); break;
      case 4: rc = S_read_location(d, msg, n, at); break;
      case 5: rc = S_read_function(d, msg, n, at); break;
      case 6: /* 4 bytes of offset a string (see pd_profile.str_off) */
        if (d->strdata.len + n + 1 >= UINT32_MAX)
          return pd_fail(d->err, "%s: the string table holds more than 4 GiB", p->path);
        *(uint32_t *)pd_vec_push(&d->str_off) = (uint32_t)d->strdata.len;
        pd_buf_put(&d->strdata, msg, n); /* with the NUL pd_buf adds */
        d->strdata.len++;
        break;
      case 11:
        rc = S_read_value_type(d, msg, n, at, d->period_type, "period_type", 0);
        d->has_period_type = 1;
        break;
      case 13: { /* packed comments */
        S_rd c = {msg, msg + n};
        while (c.p < c.end) {
          uint64_t v;
          if (S_varint(&c, &v) != PD_OK)
            return pd_fail(d->err, "%s: corrupt protobuf: truncated packed comment at byte %zu",
                           p->path, at);
          *(int64_t *)pd_vec_push(&d->comments) = (int64_t)v;
        }
        break;
      }
      default:
        if (known)
          return pd_fail(d->err, "%s: corrupt protobuf: field %u (%s) at byte %zu has wire type 2, expected 0",
                         p->path, field, S_field_name(field), at);
        break; /* an unknown field from a newer writer: skipped */
      }
      if (rc != PD_OK) return rc;
    } else if (wt == 0) {
      uint64_t v;
      if (S_varint(&r, &v) != PD_OK)
        return pd_fail(d->err, "%s: corrupt protobuf: truncated varint in field %u (%s) at byte %zu",
                       p->path, field, S_field_name(field), at);
      switch (field) {
      case 7: d->drop = (int64_t)v; break;
      case 8: d->keep = (int64_t)v; break;
      case 9: p->time_ns = (int64_t)v; break;
      case 10: p->duration_ns = (int64_t)v; break;
      case 12: p->period = (int64_t)v; break;
      case 13: *(int64_t *)pd_vec_push(&d->comments) = (int64_t)v; break;
      case 14: d->default_type = (int64_t)v; break;
      case 15: break; /* doc_url: not used */
      default:
        if (known)
          return pd_fail(d->err, "%s: corrupt protobuf: field %u (%s) at byte %zu has wire type 0, expected 2",
                         p->path, field, S_field_name(field), at);
      }
    } else {
      if (known)
        return pd_fail(d->err, "%s: corrupt protobuf: field %u (%s) at byte %zu has wire type %d",
                       p->path, field, S_field_name(field), at, wt);
      if (S_skip(&r, wt) != PD_OK)
        return pd_fail(d->err, "%s: corrupt protobuf: field %u at byte %zu (wire type %d) runs past the end",
                       p->path, field, at, wt);
    }
  }
  *used = (size_t)(r.p - buf);
  return PD_OK;
}

/* ---- building the model -------------------------------------------------------- */

static int S_str(S_dec *d, int64_t idx, uint32_t *out, const char *what,
                 size_t index) {
  if (idx < 0 || (uint64_t)idx >= d->p->nstr)
    return pd_fail(d->err, "%s: %s #%zu refers to string index %" PRId64
                           " out of range (table has %u strings)",
                   d->p->path, what, index, idx, d->p->nstr);
  *out = (uint32_t)idx;
  return PD_OK;
}

static int S_build_strings(S_dec *d) {
  pd_profile *p = d->p;
  size_t n = d->str_off.n;
  if (n == 0) {
    /* An empty string table is only acceptable for an empty profile. */
    static const char *empty = "";
    static uint32_t zero = 0;
    p->str = &empty;
    p->str_len = &zero;
    p->nstr = 1;
    return PD_OK;
  }
  if (n >= UINT32_MAX)
    return pd_fail(d->err, "%s: the string table holds more than %u strings", p->path, UINT32_MAX - 1);
  /* the end of the last string; then the profile takes both buffers as
   * they are, the offsets cut to their size */
  *(uint32_t *)pd_vec_push(&d->str_off) = (uint32_t)d->strdata.len;
  uint32_t *off = pd_xrealloc(d->str_off.items, (n + 1) * sizeof *off);
  pd_vec_init(&d->str_off, sizeof(uint32_t));
  if (off[1] != 1) {
    free(off);
    return pd_fail(d->err, "%s: string_table[0] must be the empty string", p->path);
  }
  p->adopted[2] = d->strdata.data;
  p->adopted[3] = off;
  p->str_blob = d->strdata.data;
  p->str_off = off;
  d->strdata.data = NULL;
  d->strdata.len = d->strdata.cap = 0;
  p->nstr = (uint32_t)n;
  return PD_OK;
}

/* Builds an id -> index map, rejecting duplicates. A zero id is accepted
 * with a warning (see the file comment). */
/* Some writers (.NET's, in ../shared/data) leave every id of a table unset
 * while referring to the entries as 1..n in file order: the only reading that
 * makes the references resolve, so number them that way, with a warning. */
static void S_number_unset_ids(S_dec *d, pd_vec *ids, const char *what) {
  uint64_t *v = ids->items;
  for (size_t i = 0; i < ids->n; i++)
    if (v[i] != 0) return;
  if (ids->n < 2) return;
  pd_profile_warn(d->p, "no %s has an id (go tool pprof rejects this file); numbering them 1..%zu in file order",
                  what, ids->n);
  for (size_t i = 0; i < ids->n; i++) v[i] = i + 1;
}

/* Builds an id -> index map, rejecting duplicates. A single zero id is
 * accepted with a warning: references to 0 can only mean that entry. */
static int S_index_ids(S_dec *d, const pd_vec *ids, pd_idmap *map, const char *what) {
  const uint64_t *v = ids->items;
  pd_idmap_init(map, ids->n);
  int warned = 0;
  for (size_t i = 0; i < ids->n; i++) {
    if (v[i] == 0 && !warned) {
      pd_profile_warn(d->p, "%s with reserved id 0 (go tool pprof rejects this file; read anyway)",
                      what);
      warned = 1;
    }
    if (pd_idmap_put(map, v[i], (uint32_t)i) != PD_OK)
      return pd_fail(d->err, "%s: duplicate %s id %" PRIu64, d->p->path, what, v[i]);
  }
  return PD_OK;
}

static int S_build_tables(S_dec *d) {
  pd_profile *p = d->p;
  int rc;
  /* sample types */
  p->ntypes = (uint32_t)d->types.n;
  p->types = pd_arena_alloc(&p->arena, (p->ntypes ? p->ntypes : 1) * sizeof *p->types);
  for (uint32_t i = 0; i < p->ntypes; i++) {
    int64_t *t = (int64_t *)d->types.items + 2 * (size_t)i;
    if ((rc = S_str(d, t[0], &p->types[i].type, "sample_type", i)) ||
        (rc = S_str(d, t[1], &p->types[i].unit, "sample_type", i)))
      return rc;
  }
  if (d->has_period_type &&
      ((rc = S_str(d, d->period_type[0], &p->period_type.type, "period_type", 0)) ||
       (rc = S_str(d, d->period_type[1], &p->period_type.unit, "period_type", 0))))
    return rc;
  if ((rc = S_str(d, d->drop, &p->drop_frames, "drop_frames", 0)) ||
      (rc = S_str(d, d->keep, &p->keep_frames, "keep_frames", 0)))
    return rc;
  uint32_t dflt;
  if ((rc = S_str(d, d->default_type, &dflt, "default_sample_type", 0))) return rc;
  if (dflt) {
    for (uint32_t i = 0; i < p->ntypes; i++)
      if (p->types[i].type == dflt ||
          strcmp(pd_profile_str(p, p->types[i].type), pd_profile_str(p, dflt)) == 0)
        p->default_type = (int32_t)i;
    if (p->default_type < 0)
      pd_profile_warn(p, "default_sample_type \"%s\" is not one of the sample types; using the last",
                      pd_profile_str(p, dflt));
  }
  p->ncomments = (uint32_t)d->comments.n;
  p->comments = pd_arena_alloc(&p->tables, (p->ncomments ? p->ncomments : 1) * sizeof(uint32_t));
  for (uint32_t i = 0; i < p->ncomments; i++)
    if ((rc = S_str(d, ((int64_t *)d->comments.items)[i], &p->comments[i], "comment", i)))
      return rc;

  /* functions */
  pd_idmap fmap, mmap;
  memset(&fmap, 0, sizeof fmap);
  memset(&mmap, 0, sizeof mmap);
  rc = PD_OK;
  p->nfunctions = (uint32_t)d->func_ids.n;
  p->functions = pd_arena_alloc(&p->tables, (p->nfunctions ? p->nfunctions : 1) * sizeof *p->functions);
  for (uint32_t i = 0; i < p->nfunctions && rc == PD_OK; i++) {
    int64_t *f = (int64_t *)d->funcs_raw.items + 4 * (size_t)i;
    pd_function *pf = &p->functions[i];
    if ((rc = S_str(d, f[0], &pf->name, "function", i)) ||
        (rc = S_str(d, f[1], &pf->system_name, "function", i)) ||
        (rc = S_str(d, f[2], &pf->filename, "function", i)))
      break;
    pf->start_line = f[3];
  }
  /* mappings */
  p->nmappings = (uint32_t)d->mappings.n;
  p->mappings = S_to_arena(p, &d->mappings);
  for (uint32_t i = 0; i < p->nmappings && rc == PD_OK; i++) {
    int64_t *m = (int64_t *)d->map_raw.items + 2 * (size_t)i;
    if ((rc = S_str(d, m[0], &p->mappings[i].filename, "mapping", i)) ||
        (rc = S_str(d, m[1], &p->mappings[i].build_id, "mapping", i)))
      break;
  }
  S_number_unset_ids(d, &d->func_ids, "function");
  S_number_unset_ids(d, &d->map_ids, "mapping");
  S_number_unset_ids(d, &d->loc_ids, "location");
  if (rc == PD_OK) rc = S_index_ids(d, &d->func_ids, &fmap, "function");
  if (rc == PD_OK) rc = S_index_ids(d, &d->map_ids, &mmap, "mapping");

  /* locations and their lines */
  p->nlocations = (uint32_t)d->locs.n;
  p->locations = S_to_arena(p, &d->locs);
  p->nlines = (uint32_t)d->lines.n;
  p->lines = S_to_arena(p, &d->lines);
  const uint64_t *fids = d->line_fids.items;
  for (uint32_t i = 0; i < p->nlines && rc == PD_OK; i++) {
    uint32_t idx = pd_idmap_get(&fmap, fids[i]);
    if (idx == PD_NONE) {
      if (fids[i] != 0) {
        rc = pd_fail(d->err, "%s: a location line refers to unknown function id %" PRIu64,
                     p->path, fids[i]);
        break;
      }
      /* function_id 0 with no function 0 defined: a line without a symbol */
    }
    p->lines[i].function = idx;
  }
  const uint64_t *mids = d->loc_map_ids.items;
  for (uint32_t i = 0; i < p->nlocations && rc == PD_OK; i++) {
    p->locations[i].mapping = PD_NONE;
    if (mids[i] == 0) continue;
    uint32_t idx = pd_idmap_get(&mmap, mids[i]);
    if (idx == PD_NONE)
      rc = pd_fail(d->err, "%s: location id %" PRIu64 " refers to unknown mapping id %" PRIu64,
                   p->path, ((uint64_t *)d->loc_ids.items)[i], mids[i]);
    p->locations[i].mapping = idx;
  }
  pd_idmap_free(&fmap);
  pd_idmap_free(&mmap);
  if (rc != PD_OK) return rc;

  /* location ids: a dense table when ids are small (Go numbers them 1..n),
   * else a hash map. Duplicates are rejected either way. */
  const uint64_t *lids = d->loc_ids.items;
  uint64_t max_id = 0;
  int zero_warned = 0;
  for (uint32_t i = 0; i < p->nlocations; i++)
    if (lids[i] > max_id) max_id = lids[i];
  if (max_id < 4 * (uint64_t)p->nlocations + 1024) {
    p->nloc_by_id = max_id + 1;
    p->loc_by_id = pd_arena_alloc(&p->arena, p->nloc_by_id * sizeof(uint32_t));
    memset(p->loc_by_id, 0xff, p->nloc_by_id * sizeof(uint32_t));
    for (uint32_t i = 0; i < p->nlocations; i++) {
      if (p->loc_by_id[lids[i]] != PD_NONE)
        return pd_fail(d->err, "%s: duplicate location id %" PRIu64, p->path, lids[i]);
      if (lids[i] == 0 && !zero_warned++)
        pd_profile_warn(p, "location with reserved id 0 (go tool pprof rejects this file; read anyway)");
      p->loc_by_id[lids[i]] = i;
    }
  } else if ((rc = S_index_ids(d, &d->loc_ids, &p->loc_ids, "location")) != PD_OK) {
    return rc;
  }

  if (d->label_bad_sample)
    return pd_fail(d->err, "%s: corrupt protobuf: a label of sample #%" PRIu64 " does not decode", p->path,
                   d->label_bad_sample - 1);
  if (d->label_max_str >= p->nstr)
    return pd_fail(d->err, "%s: a sample label refers to string index %" PRIu64
                           " out of range (table has %u strings)",
                   p->path, d->label_max_str, p->nstr);
  p->nnum_units = (uint32_t)d->num_unit_keys.n;
  p->num_unit_key = pd_arena_alloc(&p->arena, (p->nnum_units + 1) * sizeof(uint32_t));
  p->num_unit = pd_arena_alloc(&p->arena, (p->nnum_units + 1) * sizeof(uint32_t));
  for (uint32_t i = 0; i < p->nnum_units; i++) {
    uint64_t k = ((uint64_t *)d->num_unit_keys.items)[i];
    p->num_unit_key[i] = (uint32_t)k;
    p->num_unit[i] = pd_idmap_get(&d->num_units, k);
  }

  p->nsamples = d->nsamples;
  pd_buf_reserve(&d->samples, 1);
  p->raw = (const uint8_t *)d->samples.data;
  p->owned = (uint8_t *)d->samples.data;
  d->samples.data = NULL;
  d->samples.len = d->samples.cap = 0;
  if (p->ntypes == 0 && p->nsamples)
    return pd_fail(d->err, "%s: profile has %u samples but no sample types", p->path,
                   p->nsamples);
  if (p->ntypes == 0)
    return pd_fail(d->err, "%s: not a pprof profile: no sample types", p->path);
  return PD_OK;
}

/* ---- samples -------------------------------------------------------------------- */

static inline uint32_t S_loc_index(const pd_profile *p, uint64_t id) {
  if (p->loc_by_id) return id < p->nloc_by_id ? p->loc_by_id[id] : PD_NONE;
  return pd_idmap_get(&p->loc_ids, id);
}

/* Reads one repeated integer field, packed or not, calling push per value. */
#define S_REPEATED(r, wt, v, body)                                        \
  do {                                                                    \
    if ((wt) == 0) {                                                      \
      if (S_varint((r), &(v)) != PD_OK) goto corrupt;                     \
      body;                                                               \
    } else if ((wt) == 2) {                                               \
      uint64_t n_;                                                        \
      if (S_varint((r), &n_) != PD_OK || n_ > (uint64_t)((r)->end - (r)->p)) \
        goto corrupt;                                                     \
      S_rd pk_ = {(r)->p, (r)->p + n_};                                   \
      (r)->p += n_;                                                       \
      while (pk_.p < pk_.end) {                                           \
        if (S_varint(&pk_, &(v)) != PD_OK) goto corrupt;                  \
        body;                                                             \
      }                                                                   \
    } else {                                                              \
      goto corrupt;                                                       \
    }                                                                     \
  } while (0)

/* Decodes a Label message (checked by S_note_label when read). Returns 0
 * for one pprof drops (no string, number or unit). */
static int S_label(const uint8_t *msg, size_t n, pd_label *out) {
  S_rd r = {msg, msg + n};
  uint64_t f[5] = {0, 0, 0, 0, 0};
  while (r.p < r.end) {
    uint64_t tag, v;
    if (S_varint(&r, &tag) != PD_OK) return 0;
    if ((tag & 7) != 0) {
      if (S_skip(&r, (int)(tag & 7)) != PD_OK) return 0;
      continue;
    }
    if (S_varint(&r, &v) != PD_OK) return 0;
    if ((tag >> 3) >= 1 && (tag >> 3) <= 4) f[tag >> 3] = v;
  }
  out->key = (uint32_t)f[1];
  out->str = (uint32_t)f[2];
  out->num = (int64_t)f[3];
  out->unit = f[2] ? 0 : (uint32_t)f[4];
  return f[2] != 0 || f[3] != 0 || f[4] != 0;
}

/* One walker for both callbacks: labels are decoded only for lfn. */
static int S_walk_any(const pd_profile *p, uint32_t from, uint32_t to, pd_sample_fn fn, pd_labeled_fn lfn,
                      void *ctx, pd_err *err) {
  uint32_t cap = 64, nloc = 0, nval = 0, lcap = 8, nlab = 0;
  uint32_t *locs = pd_xmalloc(cap * sizeof *locs);
  pd_label *labs = lfn ? pd_xmalloc(lcap * sizeof *labs) : NULL;
  pd_val *vals = pd_xmalloc((p->ntypes + 1) * sizeof *vals);
  uint32_t i = 0;
  uint64_t bad_id = 0;
  const uint8_t *next = p->raw; /* S_keep_sample's records, one after the other */
  for (i = 0; i < from; i++) { /* to the first one asked for: lengths only */
    uint64_t len = pd_varint_next(&next);
    next += len;
  }
  for (i = from; i < to; i++) {
    uint64_t len = pd_varint_next(&next); /* written by us: always whole */
    S_rd r = {next, next + len};
    next = r.end;
    nloc = nval = nlab = 0;
    while (r.p < r.end) {
      uint64_t key, v;
      if (S_varint(&r, &key) != PD_OK) goto corrupt;
      int wt = (int)(key & 7);
      switch (key >> 3) {
      case 1:
        S_REPEATED(&r, wt, v, {
          uint32_t idx = S_loc_index(p, v);
          if (idx == PD_NONE) {
            bad_id = v;
            goto bad_location;
          }
          if (nloc == cap) {
            cap *= 2;
            locs = pd_xrealloc(locs, cap * sizeof *locs);
          }
          locs[nloc++] = idx;
        });
        break;
      case 2:
        S_REPEATED(&r, wt, v, {
          if (nval < p->ntypes) vals[nval] = (pd_val)(int64_t)v;
          nval++;
        });
        break;
      case 3:
        if (lfn && wt == 2) {
          uint64_t ln;
          if (S_varint(&r, &ln) != PD_OK || ln > (uint64_t)(r.end - r.p)) goto corrupt;
          if (nlab == lcap) {
            lcap *= 2;
            labs = pd_xrealloc(labs, lcap * sizeof *labs);
          }
          nlab += (uint32_t)S_label(r.p, (size_t)ln, &labs[nlab]);
          r.p += ln;
          break;
        }
        if (S_skip(&r, wt) != PD_OK) goto corrupt;
        break;
      default:
        if (S_skip(&r, wt) != PD_OK) goto corrupt;
      }
    }
    if (nval != p->ntypes) {
      pd_fail(err, "%s: sample #%u has %u values but the profile has %u sample types",
              p->path, i, nval, p->ntypes);
      goto fail;
    }
    if (lfn ? lfn(ctx, locs, nloc, vals, labs, nlab) != PD_OK : fn(ctx, locs, nloc, vals) != PD_OK) {
      goto fail; /* err says why */
    }
  }
  free(locs);
  free(vals);
  free(labs);
  return PD_OK;
corrupt:
  pd_fail(err, "%s: corrupt protobuf: sample #%u does not decode", p->path, i);
  goto fail;
bad_location:
  pd_fail(err, "%s: sample #%u refers to unknown location id %" PRIu64, p->path, i, bad_id);
fail:
  free(locs);
  free(vals);
  free(labs);
  return PD_ERR;
}

static int S_walk(const pd_profile *p, uint32_t from, uint32_t to, pd_sample_fn fn, void *ctx, pd_err *err) {
  return S_walk_any(p, from, to, fn, NULL, ctx, err);
}

static int S_walk_labeled(const pd_profile *p, uint32_t from, uint32_t to, pd_labeled_fn fn, void *ctx,
                          pd_err *err) {
  return S_walk_any(p, from, to, NULL, fn, ctx, err);
}

struct pd_pprof_reader {
  S_dec d; /* its err is the caller's */
};

pd_pprof_reader *pd_pprof_open(pd_profile *p, pd_err *err) {
  p->format = PD_FORMAT_PPROF;
  p->walk = S_walk;
  p->walk_labeled = S_walk_labeled;
  pd_pprof_reader *r = pd_xmalloc(sizeof *r);
  S_dec_init(&r->d, p, err);
  return r;
}

int pd_pprof_feed(pd_pprof_reader *r, const uint8_t *buf, size_t len, int final, size_t *used) {
  int rc = S_walk_top(&r->d, buf, len, final, used);
  r->d.base += *used;
  return rc;
}

int pd_pprof_close(pd_pprof_reader *r, int ok) {
  int rc = ok ? PD_OK : PD_ERR;
  if (rc == PD_OK) rc = S_build_strings(&r->d);
  if (rc == PD_OK) rc = S_build_tables(&r->d);
  S_dec_free(&r->d);
  free(r);
  return rc;
}

int pd_pprof_read(pd_profile *p, const uint8_t *buf, size_t len, pd_err *err) {
  pd_pprof_reader *r = pd_pprof_open(p, err);
  size_t used;
  return pd_pprof_close(r, pd_pprof_feed(r, buf, len, 1, &used) == PD_OK);
}
