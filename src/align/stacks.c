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
}

/* Go's RE2 has \d \w \s (and upper-case negations) that POSIX ERE lacks;
 * people type them in --focus, so translate them. */
static void S_translate_re(const char *in, pd_buf *out) {
  for (const char *c = in; *c; c++) {
    if (c[0] == '\\' && c[1]) {
      const char *rep = NULL;
      switch (c[1]) {
      case 'd': rep = "[0-9]"; break;
      case 'D': rep = "[^0-9]"; break;
      case 'w': rep = "[[:alnum:]_]"; break;
      case 'W': rep = "[^[:alnum:]_]"; break;
      case 's': rep = "[[:space:]]"; break;
      case 'S': rep = "[^[:space:]]"; break;
      }
      if (rep) {
        pd_buf_puts(out, rep);
        c++;
        continue;
      }
      pd_buf_put(out, c, 2);
      c++;
      continue;
    }
    pd_buf_putc(out, *c);
  }
}

int pd_regex_compile(regex_t *re, const char *pattern, int anchored,
                     const char *what, pd_err *err) {
  pd_buf b = PD_BUF_INIT;
  if (anchored) pd_buf_puts(&b, "^(");
  S_translate_re(pattern, &b);
  if (anchored) pd_buf_puts(&b, ")$");
  int rc = regcomp(re, b.data, REG_EXTENDED | REG_NOSUB);
  pd_buf_free(&b);
  if (rc != 0) {
    char msg[256];
    regerror(rc, re, msg, sizeof msg);
    regfree(re);
    return pd_fail(err, "invalid %s regular expression \"%s\": %s", what, pattern, msg);
  }
  return PD_OK;
}

int pd_view_init(pd_view *v, const pd_view_opts *o, pd_err *err) {
  memset(v, 0, sizeof *v);
  v->granularity = o->granularity;
  v->demangle = o->demangle;
  struct {
    const char *pat;
    regex_t *re;
    int *has;
    const char *what;
  } f[] = {{o->focus, &v->focus, &v->has_focus, "--focus"},
           {o->ignore, &v->ignore, &v->has_ignore, "--ignore"},
           {o->hide, &v->hide, &v->has_hide, "--hide"},
           {o->show, &v->show, &v->has_show, "--show"}};
  for (size_t i = 0; i < 4; i++) {
    if (!f[i].pat) continue;
    if (pd_regex_compile(f[i].re, f[i].pat, 0, f[i].what, err) != PD_OK) {
      pd_view_free(v);
      return PD_ERR;
    }
    *f[i].has = 1;
  }
  if (pd_view_init_tags(v, o, err) != PD_OK) {
    pd_view_free(v);
    return PD_ERR;
  }
  return PD_OK;
}

void pd_view_free(pd_view *v) {
  if (v->has_focus) regfree(&v->focus);
  if (v->has_ignore) regfree(&v->ignore);
  if (v->has_hide) regfree(&v->hide);
  if (v->has_show) regfree(&v->show);
  v->has_focus = v->has_ignore = v->has_hide = v->has_show = 0;
  pd_view_free_tags(v);
}

static int S_match(const regex_t *re, const char *s) {
  return regexec(re, s, 0, NULL, 0) == 0;
}

int pd_regex_match(const regex_t *re, const char *s) { return S_match(re, s); }

/* ---- naming ---------------------------------------------------------------------- */

/* A frame without a symbol is named by the file it was mapped from, never by
 * its address (which moves from run to run): "[libfoo.so]" at function and
 * file granularity, where pprof merges them the same way, and
 * "[libfoo.so]+0x1a2b" (the offset in that file, stable across runs of the
 * binary) at line granularity. Without a mapping file the address is all
 * there is. */
static void S_fallback_name(const pd_profile *p, const pd_location *l,
                            pd_granularity g, pd_buf *b) {
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
  if (l->address) pd_buf_printf(b, "0x%" PRIx64, l->address);
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
  uint32_t file_len = f ? p->str_len[f->filename] : 0;
  switch (g) {
  case PD_GRAN_FUNCTION:
    if (name_len) pd_buf_put(b, name, name_len);
    else S_fallback_name(p, l, g, b);
    break;
  case PD_GRAN_FILE:
    if (file_len) pd_buf_put(b, file, file_len);
    else S_fallback_name(p, l, g, b);
    break;
  case PD_GRAN_LINE:
    if (!name_len && !file_len) {
      S_fallback_name(p, l, g, b);
      break;
    }
    if (name_len) pd_buf_put(b, name, name_len);
    if (file_len) {
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

/* Returns the index of the outermost line matching drop (and not keep), or
 * -1. */
static int32_t S_prune_line(const pd_stacks *s, const pd_location *l,
                            const regex_t *drop, const regex_t *keep, pd_buf *tmp) {
  for (int32_t i = (int32_t)l->nlines - 1; i >= 0; i--) {
    const pd_line *ln = &s->p->lines[l->first_line + (uint32_t)i];
    if (ln->function == PD_NONE) continue;
    const char *name = s->fname[ln->function];
    if (!s->fname_len[ln->function]) continue;
    S_simplify(name, tmp);
    if (S_match(drop, tmp->data) && !(keep && S_match(keep, tmp->data))) return i;
  }
  return -1;
}

/* ---- per-location expansion ----------------------------------------------------------- */

static int S_line_matches(const pd_stacks *s, const pd_line *ln, const regex_t *re) {
  if (ln->function == PD_NONE) return 0;
  const pd_function *f = &s->p->functions[ln->function];
  return S_match(re, s->fname[ln->function]) || S_match(re, pd_profile_str(s->p, f->filename));
}

static int S_mapping_matches(const pd_profile *p, const pd_location *l, const regex_t *re) {
  return l->mapping != PD_NONE &&
         S_match(re, pd_profile_str(p, p->mappings[l->mapping].filename));
}

int pd_stacks_init(pd_stacks *s, const pd_profile *p, const pd_view *v,
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

  /* Names as shown: pprof uses system_name when name is empty, and
   * simplifies names that look like demangled C++/Rust (demangle mode). */
  s->fname = pd_arena_alloc(&s->arena, (p->nfunctions + 1) * sizeof *s->fname);
  s->fname_len = pd_arena_alloc(&s->arena, (p->nfunctions + 1) * sizeof *s->fname_len);
  for (uint32_t fi = 0; fi < p->nfunctions; fi++) {
    const pd_function *f = &p->functions[fi];
    uint32_t id = f->name, sys = f->system_name;
    if (!p->str_len[id]) id = sys;
    const char *raw = pd_profile_str(p, id);
    /* pprof: a name that differs from its system name was already
     * demangled by the profiler and is kept as is */
    if (v->demangle == PD_DEMANGLE_FULL || (id != sys && strcmp(raw, pd_profile_str(p, sys)) != 0)) {
      s->fname[fi] = raw;
      s->fname_len[fi] = p->str_len[id];
      continue;
    }
    pd_demangle_name(v->demangle, raw, p->str_len[id], &tmp);
    s->fname[fi] = pd_arena_strndup(&s->arena, tmp.data, tmp.len);
    s->fname_len[fi] = (uint32_t)tmp.len;
  }

  regex_t drop, keep;
  int has_drop = 0, has_keep = 0;
  const char *drop_s = pd_profile_str(p, p->drop_frames);
  if (*drop_s) {
    if (pd_regex_compile(&drop, drop_s, 1, "drop_frames", err) != PD_OK) {
      /* pprof fails the same way; say which file. */
      char msg[sizeof err->msg];
      snprintf(msg, sizeof msg, "%s: %s", p->path, err->msg);
      snprintf(err->msg, sizeof err->msg, "%s", msg);
      goto fail;
    }
    has_drop = 1;
    const char *keep_s = pd_profile_str(p, p->keep_frames);
    if (*keep_s && pd_regex_compile(&keep, keep_s, 1, "keep_frames", NULL) == PD_OK)
      has_keep = 1;
  }
  s->has_filters = v->has_focus || v->has_ignore || v->has_hide || v->has_show;

  for (uint32_t li = 0; li < nloc; li++) {
    const pd_location *l = &p->locations[li];
    uint32_t first = 0, nlines = l->nlines;
    if (has_drop) {
      int32_t cut = S_prune_line(s, l, &drop, has_keep ? &keep : NULL, &tmp);
      if (cut >= 0) {
        s->flags[li] |= PD_LOC_PRUNE_BENEATH;
        s->has_prune = 1;
        if ((uint32_t)cut == nlines - 1) s->flags[li] |= PD_LOC_PRUNE;
        else first = (uint32_t)cut + 1, nlines -= (uint32_t)cut + 1;
      }
    }
    const pd_line *lines = p->lines + l->first_line + first;
    /* focus / ignore: the location as a whole */
    int focus = !v->has_focus, ignore = 0;
    for (uint32_t k = 0; k < nlines; k++) {
      if (v->has_focus && S_line_matches(s, &lines[k], &v->focus)) focus = 1;
      if (v->has_ignore && S_line_matches(s, &lines[k], &v->ignore)) ignore = 1;
    }
    if (v->has_focus && S_mapping_matches(p, l, &v->focus)) focus = 1;
    if (v->has_ignore && S_mapping_matches(p, l, &v->ignore)) ignore = 1;
    if (ignore) s->flags[li] |= PD_LOC_IGNORE;
    else if (focus) s->flags[li] |= PD_LOC_FOCUS;

    s->key_start[li] = (uint32_t)kv.n;
    int hide_all = v->has_hide && S_mapping_matches(p, l, &v->hide);
    int show_all = v->has_show && S_mapping_matches(p, l, &v->show);
    if (hide_all) continue;
    if (nlines == 0) {
      /* A location with no line info is one frame named by its address;
       * like pprof, --show hides it unless its mapping matches. */
      if (v->has_show && !show_all) continue;
      S_line_name(s, l, NULL, v->granularity, &name);
      *(uint32_t *)pd_vec_push(&kv) = pd_intern_put(keys, name.data, name.len);
      *(uint32_t *)pd_vec_push(&lv) = PD_NONE;
      continue;
    }
    for (uint32_t k = 0; k < nlines; k++) {
      const pd_line *ln = &lines[k];
      if (v->has_hide && S_line_matches(s, ln, &v->hide)) continue;
      if (v->has_show && !show_all && ln->function != PD_NONE &&
          !S_line_matches(s, ln, &v->show))
        continue;
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
  s->out_cap = 256;
  s->out = pd_xmalloc(s->out_cap * sizeof *s->out);
  pd_vec_free(&kv);
  pd_vec_free(&lv);
  pd_buf_free(&name);
  pd_buf_free(&tmp);
  if (has_drop) regfree(&drop);
  if (has_keep) regfree(&keep);
  return PD_OK;
fail:
  pd_vec_free(&kv);
  pd_vec_free(&lv);
  pd_buf_free(&name);
  pd_buf_free(&tmp);
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

int32_t pd_stacks_expand(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                         const uint32_t **out) {
  return S_expand(s, s->keys, locs, nlocs, out);
}

int32_t pd_stacks_expand_lines(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                               const uint32_t **out) {
  return S_expand(s, s->key_line, locs, nlocs, out);
}

void pd_stacks_free(pd_stacks *s) {
  free(s->out);
  pd_arena_free(&s->arena);
  memset(s, 0, sizeof *s);
}
