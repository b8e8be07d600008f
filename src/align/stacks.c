/* stacks.c: frame keys, filters, and the expansion of samples into key
 * stacks.
 *
 * All per-frame work (naming by granularity, regular expressions, pprof's
 * drop_frames pruning) is done once per location when a profile is opened;
 * expanding a sample is then a copy of each location's key list. The rules
 * follow pprof: filters match function names, file names and mapping files
 * (profile/filter.go); drop_frames prunes as profile/prune.go does.
 */
#include "align.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int pd_granularity_parse(const char *s, pd_granularity *g) {
  if (strcmp(s, "function") == 0 || strcmp(s, "functions") == 0) *g = PD_GRAN_FUNCTION;
  else if (strcmp(s, "file") == 0 || strcmp(s, "files") == 0) *g = PD_GRAN_FILE;
  else if (strcmp(s, "line") == 0 || strcmp(s, "lines") == 0) *g = PD_GRAN_LINE;
  else if (strcmp(s, "filefunction") == 0 || strcmp(s, "filefunctions") == 0) *g = PD_GRAN_FILEFUNCTION;
  else if (strcmp(s, "address") == 0 || strcmp(s, "addresses") == 0) *g = PD_GRAN_ADDRESS;
  else return PD_ERR;
  return PD_OK;
}

int pd_demangle_parse(const char *s, pd_demangle *d) {
  if (strcmp(s, "default") == 0) *d = PD_DEMANGLE_DEFAULT;
  else if (strcmp(s, "templates") == 0) *d = PD_DEMANGLE_TEMPLATES;
  else if (strcmp(s, "full") == 0 || strcmp(s, "none") == 0) *d = PD_DEMANGLE_FULL;
  else return PD_ERR;
  return PD_OK;
}

/* pprof's looksLikeDemangledCPlusPlus: not Java "class.<init>", not a Go
 * generic "pkg.(*T[...]).M", and has <>[] or "::". */
static int S_looks_demangled(const char *s) {
  if (strstr(s, ".<") || strstr(s, "]).")) return 0;
  return strpbrk(s, "<>[]") != NULL || strstr(s, "::") != NULL;
}

/* pprof's removeMatching: drops each balanced outermost open..close group,
 * in place; an unmatched close stops it (what was removed so far stays
 * removed), an unclosed group stays. */
static void S_remove_matching(pd_buf *b, char open, char close) {
  char *s = b->data;
  size_t w = 0, first = 0, n = b->len;
  int nesting = 0;
  for (size_t r = 0; r < n; r++) {
    char c = s[r];
    if (c == open) {
      if (++nesting == 1) first = w;
    } else if (c == close) {
      if (--nesting < 0) {
        memmove(s + w, s + r, n - r);
        w += n - r;
        break;
      }
      if (nesting == 0) {
        w = first;
        continue;
      }
    }
    s[w++] = c;
  }
  pd_buf_truncate(b, w);
}

void pd_demangle_name(pd_demangle mode, const char *name, size_t n, pd_buf *out) {
  pd_buf_truncate(out, 0);
  pd_buf_put(out, name, n);
  if (mode == PD_DEMANGLE_FULL || !S_looks_demangled(out->data)) return;
  S_remove_matching(out, '(', ')');
  if (mode == PD_DEMANGLE_DEFAULT) S_remove_matching(out, '<', '>');
  /* a name that is all one group ("<listcomp>", "<module>": Python's) is
   * kept whole rather than left empty */
  if (out->len == 0) pd_buf_put(out, name, n);
}

/* The view's patterns: CLI options, so one that does not compile, or
 * exceeds a limit later, is an error naming the option. */
int pd_view_init(pd_view *v, const pd_view_opts *o, pd_err *err) {
  memset(v, 0, sizeof *v);
  v->granularity = o->granularity;
  v->demangle = o->demangle;
  const char *pat[PD_VIEW_NRE] = {o->focus, o->ignore, o->hide, o->show};
  for (int i = 0; i < PD_VIEW_NRE; i++) {
    if (!pat[i]) continue;
    v->pattern[i] = pat[i];
    pd_err why;
    if (pd_regex_new(&v->re[i], pat[i], 0, &why) != PD_OK) {
      char ex[96];
      pd_fail(err, "%s regular expression \"%s\" %s", pd_view_option[i], pd_regex_excerpt(pat[i], ex, sizeof ex),
              why.msg);
      pd_view_free(v);
      return PD_ERR;
    }
  }
  if (pd_view_init_tags(v, o, err) != PD_OK) {
    pd_view_free(v);
    return PD_ERR;
  }
  return PD_OK;
}

const char *const pd_view_option[PD_VIEW_NRE] = {"--focus", "--ignore", "--hide", "--show"};

void pd_view_free(pd_view *v) {
  for (int i = 0; i < PD_VIEW_NRE; i++) {
    pd_regex_free(v->re[i]);
    v->re[i] = NULL;
  }
  pd_view_free_tags(v);
}

int pd_regex_compile(pd_regex **re, const char *pattern, int anchored, const char *what, pd_err *err) {
  pd_err why;
  if (pd_regex_new(re, pattern, anchored, &why) == PD_OK) return PD_OK;
  char ex[96];
  return pd_fail(err, "%s regular expression \"%s\" %s", what, pd_regex_excerpt(pattern, ex, sizeof ex), why.msg);
}

/* ---- naming ---------------------------------------------------------------------- */

/* A frame without a symbol is named by the file it was mapped from, never by
 * its address (which moves from run to run): "[libfoo.so]" at function and
 * file granularity, where pprof merges them the same way, and
 * "[libfoo.so]+0x1a2b" (the offset in that file, stable across runs of the
 * binary) at line granularity. Without a mapping file the address is all
 * there is. */
static void S_fallback_name(const pd_profile *p, const pd_location *l,
                            pd_granularity g, pd_buf *b) {
  /* pprof's -files zeroes addresses: "[objfile]" or "<unknown>", as the
   * frames of a file without a name merge there */
  int by_address = g != PD_GRAN_FILE;
  if (l->mapping != PD_NONE) {
    const pd_mapping *m = &p->mappings[l->mapping];
    const char *file = pd_profile_str(p, m->filename);
    if (*file) {
      pd_buf_printf(b, "[%s]", pd_basename(file));
      if (g == PD_GRAN_LINE && l->address)
        pd_buf_printf(b, "+0x%" PRIx64,
                      l->address >= m->start ? l->address - m->start + m->offset : l->address);
      return;
    }
  }
  if (l->address && by_address) pd_buf_printf(b, "0x%" PRIx64, l->address);
  else pd_buf_puts(b, "<unknown>");
}

static void S_line_name(const pd_stacks *s, const pd_location *l,
                        const pd_line *ln, pd_granularity g, pd_buf *b) {
  const pd_profile *p = s->p;
  pd_buf_truncate(b, 0);
  uint32_t fi = ln ? ln->function : PD_NONE;
  const char *name = fi != PD_NONE ? s->fname[fi] : "";
  uint32_t name_len = fi != PD_NONE ? s->fname_len[fi] : 0;
  const pd_function *f = fi != PD_NONE ? &p->functions[fi] : NULL;
  const char *file = f ? pd_profile_str(p, f->filename) : "";
  uint32_t file_len = f ? pd_profile_str_len(p, f->filename) : 0;
  switch (g) {
  case PD_GRAN_FUNCTION:
    if (name_len) pd_buf_put(b, name, name_len);
    else S_fallback_name(p, l, g, b);
    break;
  case PD_GRAN_FILE:
    if (file_len) pd_buf_put(b, file, file_len);
    else S_fallback_name(p, l, g, b);
    /* pprof's nodeInfo keys a nameless node by its function's start line
     * too: one row per function of the file, each named by the file */
    if (f && f->start_line) pd_key_mark(b, f->start_line);
    break;
  case PD_GRAN_FILEFUNCTION:
    /* pprof's NameComponents: "name file" */
    if (!name_len && !file_len) {
      S_fallback_name(p, l, PD_GRAN_FILE, b);
      break;
    }
    pd_buf_put(b, name, name_len);
    if (name_len && file_len) pd_buf_putc(b, ' ');
    pd_buf_put(b, file, file_len);
    if (!name_len && f->start_line) pd_key_mark(b, f->start_line);
    break;
  case PD_GRAN_ADDRESS:
    /* "%016x name file:line", the address first; "[objfile]" or
     * "<unknown>" after it when there is no name */
    if (l->address) pd_buf_printf(b, "%016" PRIx64 " ", l->address);
    if (!name_len && !file_len) {
      S_fallback_name(p, l, PD_GRAN_FILE, b);
      break;
    }
    /* fall through */
  case PD_GRAN_LINE:
    if (!name_len && !file_len) {
      S_fallback_name(p, l, g, b);
      break;
    }
    /* pprof's NameComponents: "name file:line", and ":line" even without
     * a file name, so two lines of one function stay two rows */
    if (name_len) pd_buf_put(b, name, name_len);
    if (file_len || ln->line) {
      if (name_len) pd_buf_putc(b, ' ');
      pd_buf_put(b, file, file_len);
      if (ln->line) pd_buf_printf(b, ":%" PRId64, ln->line);
    }
    break;
  }
}

/* ---- drop_frames ------------------------------------------------------------------- */

/* pprof's simplifyFunc: drop a leading '.', and an argument list from the
 * first '(' that is not part of "(anonymous namespace)" or "operator()". */
static void S_simplify(const char *name, pd_buf *b) {
  if (*name == '.') name++;
  pd_buf_truncate(b, 0);
  const char *c = name;
  while (*c) {
    if (strncmp(c, "(anonymous namespace)", 21) == 0) c += 21;
    else if (strncmp(c, "operator()", 10) == 0) c += 10;
    else if (*c == '(') break;
    else c++;
  }
  pd_buf_put(b, name, (size_t)(c - name));
}

/* ---- matching, once per distinct name ------------------------------------------------

 * A location's lines name functions and files, and a function's name and
 * file are strings that many functions may share: each pattern runs once
 * per distinct string (and demangling once per distinct name), so a profile
 * of a million locations naming one 1 MB function costs one match, not a
 * terabyte of them. Bits per subject: */
enum {
  S_DONE = 1,               /* the view's patterns have run */
  S_VIEW = 2,               /* << PD_VIEW_*: the view's pattern matches */
  S_DROP_DONE = 1 << 6,     /* drop/keep have run (function names only) */
  S_DROP = 1 << 7           /* drop_frames matches and keep_frames does not */
};

typedef struct {
  pd_idmap ids;  /* subject key -> index in bits */
  pd_vec bits;   /* uint8 */
} S_memo;

/* The subject's slot: key is a string id, or a string id | 1 << 32 for a
 * function name demangled. */
static uint8_t *S_memo_slot(S_memo *m, uint64_t key) {
  uint32_t i = pd_idmap_get(&m->ids, key);
  if (i == UINT32_MAX) {
    i = (uint32_t)m->bits.n;
    pd_vec_push(&m->bits);
    pd_idmap_put(&m->ids, key, i);
  }
  return &PD_VEC_AT(&m->bits, uint8_t, i);
}

/* The view's bits of one subject; PD_ERR (err set) past a limit. */
static int S_view_bits(const pd_profile *p, const pd_view *v, uint8_t *bits, const char *str, size_t n,
                       pd_err *err) {
  if (*bits & S_DONE) return PD_OK;
  for (int r = 0; r < PD_VIEW_NRE; r++) {
    if (!v->re[r]) continue;
    pd_err why;
    int m = pd_regex_match(v->re[r], str, n, &why);
    if (m < 0) {
      char ex[96];
      return pd_fail(err, "%s: %s regular expression \"%s\" %s", p->path, pd_view_option[r],
                     pd_regex_excerpt(v->pattern[r], ex, sizeof ex), why.msg);
    }
    if (m) *bits |= (uint8_t)(S_VIEW << r);
  }
  *bits |= S_DONE;
  return PD_OK;
}

/* Per function and per mapping: which of the view's patterns match (bit
 * PD_VIEW_* set; a function's line matches by its name or its file). */
typedef struct {
  uint8_t *func, *map;
} S_matches;

static int S_match_all(pd_stacks *s, const pd_view *v, S_memo *memo, const uint64_t *name_key,
                       S_matches *out, pd_err *err) {
  const pd_profile *p = s->p;
  out->func = pd_arena_zalloc(&s->arena, p->nfunctions + 1);
  out->map = pd_arena_zalloc(&s->arena, p->nmappings + 1);
  for (uint32_t fi = 0; fi < p->nfunctions; fi++) {
    uint8_t *b = S_memo_slot(memo, name_key[fi]);
    if (S_view_bits(p, v, b, s->fname[fi], s->fname_len[fi], err) != PD_OK) return PD_ERR;
    uint8_t name = *b;
    uint32_t file = p->functions[fi].filename;
    b = S_memo_slot(memo, file);
    if (S_view_bits(p, v, b, pd_profile_str(p, file), pd_profile_str_len(p, file), err) != PD_OK) return PD_ERR;
    out->func[fi] = (uint8_t)((name | *b) / S_VIEW & 15);
  }
  for (uint32_t mi = 0; mi < p->nmappings; mi++) {
    uint32_t file = p->mappings[mi].filename;
    uint8_t *b = S_memo_slot(memo, file);
    if (S_view_bits(p, v, b, pd_profile_str(p, file), pd_profile_str_len(p, file), err) != PD_OK) return PD_ERR;
    out->map[mi] = (uint8_t)(*b / S_VIEW & 15);
  }
  return PD_OK;
}

/* drop_frames (and keep_frames) per function, as pprof's Prune tests them:
 * on the simplified name. Returns the per-function flags, or NULL when the
 * profile has no drop_frames or it cannot be used (a warning in p). */
static uint8_t *S_drop_all(pd_stacks *s, pd_profile *p, S_memo *memo, const uint64_t *name_key) {
  const char *drop_s = pd_profile_str(p, p->drop_frames), *keep_s = pd_profile_str(p, p->keep_frames);
  if (!*drop_s) return NULL;
  pd_regex *drop = NULL, *keep = NULL;
  pd_err why;
  char dex[96], kex[96];
  const char *dshow = pd_regex_excerpt(drop_s, dex, sizeof dex), *kshow = pd_regex_excerpt(keep_s, kex, sizeof kex);
  if (pd_regex_new(&drop, drop_s, 1, &why) != PD_OK) {
    pd_profile_warn(p, "drop_frames regular expression \"%s\" %s; it is ignored", dshow, why.msg);
    return NULL;
  }
  if (*keep_s && pd_regex_new(&keep, keep_s, 1, &why) != PD_OK) {
    pd_profile_warn(p, "keep_frames regular expression \"%s\" %s; it is ignored", kshow, why.msg);
    keep = NULL;
  }
  uint8_t *out = pd_arena_zalloc(&s->arena, p->nfunctions + 1);
  pd_buf tmp = PD_BUF_INIT;
  for (uint32_t fi = 0; fi < p->nfunctions && drop; fi++) {
    if (!s->fname_len[fi]) continue;
    uint8_t *b = S_memo_slot(memo, name_key[fi]);
    if (!(*b & S_DROP_DONE)) {
      S_simplify(s->fname[fi], &tmp);
      int d = pd_regex_match(drop, tmp.data, tmp.len, &why);
      if (d < 0) {
        pd_profile_warn(p, "drop_frames regular expression \"%s\" %s; it is ignored", dshow, why.msg);
        out = NULL;
        break;
      }
      if (d && keep) {
        int k = pd_regex_match(keep, tmp.data, tmp.len, &why);
        if (k < 0) {
          pd_profile_warn(p, "keep_frames regular expression \"%s\" %s; it is ignored", kshow, why.msg);
          pd_regex_free(keep);
          keep = NULL;
          for (uint32_t i = 0; i < memo->bits.n; i++) PD_VEC_AT(&memo->bits, uint8_t, i) &= (uint8_t)~(S_DROP_DONE | S_DROP);
          fi = (uint32_t)-1; /* again from the first, without keep_frames */
          continue;
        }
        d = !k;
      }
      *b |= (uint8_t)(S_DROP_DONE | (d ? S_DROP : 0));
    }
    out[fi] = (*b & S_DROP) != 0;
  }
  pd_buf_free(&tmp);
  pd_regex_free(drop);
  pd_regex_free(keep);
  return out;
}

/* Returns the index of the outermost line whose function drop_frames
 * prunes, or -1. */
static int32_t S_prune_line(const pd_stacks *s, const pd_location *l, const uint8_t *dropped) {
  for (int32_t i = (int32_t)l->nlines - 1; i >= 0; i--) {
    const pd_line *ln = &s->p->lines[l->first_line + (uint32_t)i];
    if (ln->function != PD_NONE && dropped[ln->function]) return i;
  }
  return -1;
}

/* ---- per-location expansion ----------------------------------------------------------- */

static int S_line_matches(const S_matches *m, const pd_line *ln, int r) {
  return ln->function != PD_NONE && (m->func[ln->function] >> r & 1);
}

static int S_mapping_matches(const S_matches *m, const pd_location *l, int r) {
  return l->mapping != PD_NONE && (m->map[l->mapping] >> r & 1);
}

int pd_stacks_init(pd_stacks *s, pd_profile *p, const pd_view *v,
                   pd_intern *keys, pd_err *err) {
  memset(s, 0, sizeof *s);
  s->p = p;
  pd_arena_init(&s->arena, 64 * 1024);
  uint32_t nloc = p->nlocations;
  s->key_start = pd_arena_alloc(&s->arena, (nloc + 1) * sizeof *s->key_start);
  s->flags = pd_arena_zalloc(&s->arena, nloc + 1);
  pd_vec kv, lv;
  pd_vec_init(&kv, sizeof(uint32_t));
  pd_vec_reserve(&kv, p->nlines + nloc);
  pd_vec_init(&lv, sizeof(uint32_t));
  pd_vec_reserve(&lv, p->nlines + nloc);
  pd_buf name = PD_BUF_INIT, tmp = PD_BUF_INIT;
  S_memo memo;
  pd_idmap_init(&memo.ids, p->nfunctions + p->nmappings);
  pd_vec_init(&memo.bits, 1);
  pd_idmap demangled; /* name string id -> index in dm */
  pd_idmap_init(&demangled, 16);
  typedef struct {
    const char *s;
    uint32_t n;
  } S_shown;
  pd_vec dm;
  pd_vec_init(&dm, sizeof(S_shown));
  uint64_t *name_key = pd_arena_alloc(&s->arena, (p->nfunctions + 1) * sizeof *name_key);

  /* Names as shown: pprof uses system_name when name is empty, and
   * simplifies names that look like demangled C++/Rust (demangle mode),
   * once per distinct name; a name demangling leaves as it was is not
   * copied. */
  s->fname = pd_arena_alloc(&s->arena, (p->nfunctions + 1) * sizeof *s->fname);
  s->fname_len = pd_arena_alloc(&s->arena, (p->nfunctions + 1) * sizeof *s->fname_len);
  for (uint32_t fi = 0; fi < p->nfunctions; fi++) {
    const pd_function *f = &p->functions[fi];
    uint32_t id = f->name, sys = f->system_name;
    if (!pd_profile_str_len(p, id)) id = sys;
    const char *raw = pd_profile_str(p, id);
    s->fname[fi] = raw;
    s->fname_len[fi] = pd_profile_str_len(p, id);
    name_key[fi] = id;
    /* pprof: a name that differs from its system name was already
     * demangled by the profiler and is kept as is */
    if (v->demangle == PD_DEMANGLE_FULL || (id != sys && strcmp(raw, pd_profile_str(p, sys)) != 0)) continue;
    uint32_t d = pd_idmap_get(&demangled, id);
    if (d == UINT32_MAX) {
      pd_demangle_name(v->demangle, raw, pd_profile_str_len(p, id), &tmp);
      S_shown *sh = pd_vec_push(&dm);
      sh->s = raw, sh->n = pd_profile_str_len(p, id);
      if (tmp.len != sh->n) sh->s = pd_arena_strndup(&s->arena, tmp.data, tmp.len), sh->n = (uint32_t)tmp.len;
      d = (uint32_t)dm.n - 1;
      pd_idmap_put(&demangled, id, d);
    }
    const S_shown *sh = &PD_VEC_AT(&dm, S_shown, d);
    if (sh->s != raw) {
      s->fname[fi] = sh->s;
      s->fname_len[fi] = sh->n;
      name_key[fi] = (uint64_t)id | (uint64_t)1 << 32;
    }
  }
  pd_idmap_free(&demangled);
  pd_vec_free(&dm);

  uint8_t *dropped = S_drop_all(s, p, &memo, name_key);
  S_matches m = {NULL, NULL};
  int any_view = 0;
  for (int r = 0; r < PD_VIEW_NRE; r++) any_view |= v->re[r] != NULL;
  if (any_view && S_match_all(s, v, &memo, name_key, &m, err) != PD_OK) goto fail;
  int has_focus = v->re[PD_VIEW_FOCUS] != NULL, has_ignore = v->re[PD_VIEW_IGNORE] != NULL;
  int has_hide = v->re[PD_VIEW_HIDE] != NULL, has_show = v->re[PD_VIEW_SHOW] != NULL;
  s->has_filters = any_view;

  for (uint32_t li = 0; li < nloc; li++) {
    const pd_location *l = &p->locations[li];
    uint32_t first = 0, nlines = l->nlines;
    if (dropped) {
      int32_t cut = S_prune_line(s, l, dropped);
      if (cut >= 0) {
        s->flags[li] |= PD_LOC_PRUNE_BENEATH;
        s->has_prune = 1;
        if ((uint32_t)cut == nlines - 1) s->flags[li] |= PD_LOC_PRUNE;
        else first = (uint32_t)cut + 1, nlines -= (uint32_t)cut + 1;
      }
    }
    const pd_line *lines = p->lines + l->first_line + first;
    /* focus / ignore: the location as a whole */
    int focus = !has_focus, ignore = 0;
    for (uint32_t k = 0; k < nlines && any_view; k++) {
      if (has_focus && S_line_matches(&m, &lines[k], PD_VIEW_FOCUS)) focus = 1;
      if (has_ignore && S_line_matches(&m, &lines[k], PD_VIEW_IGNORE)) ignore = 1;
    }
    if (has_focus && S_mapping_matches(&m, l, PD_VIEW_FOCUS)) focus = 1;
    if (has_ignore && S_mapping_matches(&m, l, PD_VIEW_IGNORE)) ignore = 1;
    if (ignore) s->flags[li] |= PD_LOC_IGNORE;
    else if (focus) s->flags[li] |= PD_LOC_FOCUS;
    if (ignore) s->matched |= PD_MATCH_IGNORE;
    else if (has_focus && focus) s->matched |= PD_MATCH_FOCUS;

    s->key_start[li] = (uint32_t)kv.n;
    int hide_all = has_hide && S_mapping_matches(&m, l, PD_VIEW_HIDE);
    int show_all = has_show && S_mapping_matches(&m, l, PD_VIEW_SHOW);
    if (hide_all || show_all) s->matched |= hide_all ? PD_MATCH_HIDE : PD_MATCH_SHOW;
    if (hide_all) continue;
    if (nlines == 0) {
      /* A location with no line info is one frame named by its address;
       * like pprof, --show hides it unless its mapping matches. */
      if (has_show && !show_all) continue;
      S_line_name(s, l, NULL, v->granularity, &name);
      *(uint32_t *)pd_vec_push(&kv) = pd_intern_put(keys, name.data, name.len);
      *(uint32_t *)pd_vec_push(&lv) = PD_NONE;
      continue;
    }
    for (uint32_t k = 0; k < nlines; k++) {
      const pd_line *ln = &lines[k];
      if (has_hide && S_line_matches(&m, ln, PD_VIEW_HIDE)) {
        s->matched |= PD_MATCH_HIDE;
        continue;
      }
      if (has_show && !show_all && ln->function != PD_NONE && !S_line_matches(&m, ln, PD_VIEW_SHOW))
        continue;
      if (has_show && !show_all && ln->function != PD_NONE) s->matched |= PD_MATCH_SHOW;
      S_line_name(s, l, ln, v->granularity, &name);
      *(uint32_t *)pd_vec_push(&kv) = pd_intern_put(keys, name.data, name.len);
      *(uint32_t *)pd_vec_push(&lv) = (uint32_t)(ln - p->lines);
    }
  }
  s->key_start[nloc] = (uint32_t)kv.n;
  s->keys = pd_arena_alloc(&s->arena, (kv.n ? kv.n : 1) * sizeof(uint32_t));
  if (kv.n) memcpy(s->keys, kv.items, kv.n * sizeof(uint32_t));
  s->key_line = pd_arena_alloc(&s->arena, (lv.n ? lv.n : 1) * sizeof(uint32_t));
  if (lv.n) memcpy(s->key_line, lv.items, lv.n * sizeof(uint32_t));
  /* a location's lines after the filters, leaf first: all but the last
   * (its outermost) were inlined into the next */
  s->key_inline = pd_arena_alloc(&s->arena, (kv.n ? kv.n : 1) * sizeof(uint32_t));
  for (uint32_t li = 0; li < nloc; li++)
    for (uint32_t j = s->key_start[li]; j < s->key_start[li + 1]; j++) s->key_inline[j] = j + 1 < s->key_start[li + 1];
  s->out_cap = 256;
  s->out = pd_xmalloc(s->out_cap * sizeof *s->out);
  pd_vec_free(&kv);
  pd_vec_free(&lv);
  pd_buf_free(&name);
  pd_buf_free(&tmp);
  pd_idmap_free(&memo.ids);
  pd_vec_free(&memo.bits);
  return PD_OK;
fail:
  pd_vec_free(&kv);
  pd_vec_free(&lv);
  pd_buf_free(&name);
  pd_buf_free(&tmp);
  pd_idmap_free(&memo.ids);
  pd_vec_free(&memo.bits);
  pd_arena_free(&s->arena);
  return PD_ERR;
}

/* Expands into the entries of from (keys, or the lines keys came from). */
static int32_t S_expand(pd_stacks *s, const uint32_t *from, const uint32_t *locs, uint32_t nlocs,
                        const uint32_t **out) {
  uint32_t start = 0;
  if (s->has_prune) {
    /* pprof's Prune: from the root, past the first user frame, cut at the
     * first pruned location (dropping it, or keeping its trimmed lines). */
    int found_user = 0;
    for (int64_t i = (int64_t)nlocs - 1; i >= 0; i--) {
      uint8_t f = s->flags[locs[i]];
      if (!(f & (PD_LOC_PRUNE | PD_LOC_PRUNE_BENEATH))) {
        found_user = 1;
        continue;
      }
      if (!found_user) continue;
      start = (uint32_t)i + ((f & PD_LOC_PRUNE) ? 1 : 0);
      break;
    }
  }
  if (s->has_filters) {
    int focused = 0;
    for (uint32_t i = start; i < nlocs; i++) {
      uint8_t f = s->flags[locs[i]];
      if (f & PD_LOC_IGNORE) return -1;
      if (f & PD_LOC_FOCUS) focused = 1;
    }
    if (!focused) return -1;
  }
  uint32_t n = 0;
  for (uint32_t i = start; i < nlocs; i++) {
    uint32_t a = s->key_start[locs[i]], b = s->key_start[locs[i] + 1];
    /* inlined calls count: a location of many lines, repeated, is deep */
    if (b - a > PD_MAX_STACK_DEPTH - n) return PD_STACK_TOO_DEEP;
    if (n + (b - a) > s->out_cap) {
      while (n + (b - a) > s->out_cap) s->out_cap *= 2;
      s->out = pd_xrealloc(s->out, s->out_cap * sizeof *s->out);
    }
    if (b - a == 1) s->out[n] = from[a]; /* most locations: no call */
    else memcpy(s->out + n, from + a, (b - a) * sizeof *s->out);
    n += b - a;
  }
  /* With filters active, a sample left without frames is dropped (pprof's
   * FilterSamplesByName). */
  if (s->has_filters && n == 0) return -1;
  *out = s->out;
  return (int32_t)n;
}

int pd_stacks_too_deep(const pd_stacks *s, pd_err *err) {
  return pd_fail(err, "%s: a sample's stack is deeper than %u frames, the limit (docs/inputs.md)", s->p->path,
                 PD_MAX_STACK_DEPTH);
}

int32_t pd_stacks_expand(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                         const uint32_t **out) {
  return S_expand(s, s->keys, locs, nlocs, out);
}

int32_t pd_stacks_expand_lines(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                               const uint32_t **out) {
  return S_expand(s, s->key_line, locs, nlocs, out);
}

int32_t pd_stacks_expand_inline(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                                const uint32_t **out) {
  return S_expand(s, s->key_inline, locs, nlocs, out);
}

void pd_stacks_free(pd_stacks *s) {
  free(s->out);
  pd_arena_free(&s->arena);
  memset(s, 0, sizeof *s);
}
