/* args.c: a small long-option parser ("--name value", "--name=value", "--"
 * ends options) and the helpers commands share to read profiles. */
#include "cli.h"
#include "../escape/escape.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Finds an option by name; '_' stands for '-' (pprof spells
 * -sample_index, -relative_percentages). */
static int S_find(const pd_opt *opts, const char *name, size_t len) {
  for (int i = 0; opts[i].name; i++) {
    const char *o = opts[i].name;
    if (strlen(o) != len) continue;
    size_t k = 0;
    while (k < len && (name[k] == o[k] || (name[k] == '_' && o[k] == '-'))) k++;
    if (k == len) return i;
  }
  return -1;
}

/* pprof's switches that stand for an option with a value: -inuse_space is
 * -sample_index=inuse_space, -lines is -granularity=lines. */
static const struct {
  const char *name, *option, *value;
} S_aliases[] = {
    {"inuse_space", "sample-index", "inuse_space"},   {"inuse_objects", "sample-index", "inuse_objects"},
    {"alloc_space", "sample-index", "alloc_space"},   {"alloc_objects", "sample-index", "alloc_objects"},
    {"total_delay", "sample-index", "delay"},         {"contentions", "sample-index", "contentions"},
    {"functions", "granularity", "function"},         {"files", "granularity", "file"},
    {"lines", "granularity", "line"},                 {"filefunctions", "granularity", "filefunction"},
    {"addresses", "granularity", "address"},
};

/* Levenshtein distance of two short strings, '_' and '-' alike (for "did
 * you mean"); more than 9 is 9. */
static size_t S_distance(const char *a, size_t n, const char *b, size_t m) {
  if (n > 40 || m > 40) return 9;
  size_t d[41][41];
  for (size_t i = 0; i <= n; i++) d[i][0] = i;
  for (size_t j = 0; j <= m; j++) d[0][j] = j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      char x = a[i - 1] == '_' ? '-' : a[i - 1], y = b[j - 1] == '_' ? '-' : b[j - 1];
      size_t c = d[i - 1][j - 1] + (x != y);
      if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
      d[i][j] = c;
    }
  return d[n][m] > 9 ? 9 : d[n][m];
}

const char *pd_closest(const char *const *names, size_t count, const char *word, size_t len) {
  const char *best = NULL;
  size_t bd = 9;
  for (size_t i = 0; i < count; i++) {
    size_t m = strlen(names[i]);
    size_t d = S_distance(word, len, names[i], m);
    /* a prefix counts as close ("--node" for --nodecount) */
    if (len >= 3 && len < m && strncmp(word, names[i], len) == 0) d = 1;
    if (d < bd) bd = d, best = names[i];
  }
  size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
  return bd <= limit ? best : NULL;
}

/* "unknown option -x", with the closest option the command has, and the
 * flags of other tools that mean one of ours. */
static int S_unknown(pd_err *err, const pd_opt *opts, const char *dashes, const char *name, size_t len) {
  if (len == 6 && strncmp(name, "colors", 6) == 0)
    return pd_fail(err, "unknown option %s%.*s: profdiff's colours are --palette hot|mem|package (flame)", dashes,
                   (int)len, name);
  const char *names[PD_MAX_OPTS + 1];
  size_t n = 0;
  for (int i = 0; opts[i].name && n < PD_MAX_OPTS; i++) names[n++] = opts[i].name;
  const char *best = pd_closest(names, n, name, len);
  if (best) return pd_fail(err, "unknown option %s%.*s; did you mean --%s?", dashes, (int)len, name, best);
  return pd_fail(err, "unknown option %s%.*s", dashes, (int)len, name);
}

static void S_add(pd_args *a, int o, const char *val) {
  a->vals[o] = pd_xrealloc(a->vals[o], (size_t)(a->nvals[o] + 1) * sizeof(char *));
  a->vals[o][a->nvals[o]++] = val;
}

int pd_args_parse(pd_args *a, const pd_opt *opts, int argc, char **argv, pd_err *err) {
  memset(a, 0, sizeof *a);
  a->opts = opts;
  while (opts[a->nopts].name) a->nopts++;
  a->pos = pd_xmalloc((size_t)(argc + 1) * sizeof *a->pos);
  int only_pos = 0;
  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (only_pos || arg[0] != '-' || strcmp(arg, "-") == 0) {
      a->pos[a->npos++] = arg;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      only_pos = 1;
      continue;
    }
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0 || strcmp(arg, "-help") == 0) {
      a->help = 1;
      continue;
    }
    const char *name, *eq = NULL;
    size_t len;
    int o = -1;
    int single = arg[1] != '-';
    name = arg + (single ? 1 : 2);
    eq = strchr(name, '=');
    len = eq ? (size_t)(eq - name) : strlen(name);
    o = S_find(opts, name, len);
    if (o < 0) {
      /* pprof's switches that name a value: -inuse_space, -lines */
      int done = 0;
      for (size_t k = 0; k < sizeof S_aliases / sizeof S_aliases[0] && !eq; k++) {
        const pd_opt one[2] = {{S_aliases[k].name, NULL, NULL, 0, 0}, {NULL, NULL, NULL, 0, 0}};
        if (S_find(one, name, len) < 0) continue;
        int t = S_find(opts, S_aliases[k].option, strlen(S_aliases[k].option));
        if (t < 0) break;
        if (a->nvals[t] && !opts[t].repeatable)
          return pd_fail(err, "option %s and --%s say the same thing twice", arg, opts[t].name);
        S_add(a, t, S_aliases[k].value);
        done = 1;
      }
      if (done) continue;
    }
    if (o < 0 && single) {
      /* a one-letter alias: -o FILE or -oFILE */
      eq = NULL;
      for (int k = 0; opts[k].name; k++)
        if (opts[k].short_name && opts[k].short_name == arg[1]) o = k;
      if (o < 0) return S_unknown(err, opts, "-", name, strcspn(name, "="));
      name = opts[o].name;
      len = strlen(name);
      if (arg[2]) {
        if (!opts[o].metavar) return S_unknown(err, opts, "-", arg + 1, strcspn(arg + 1, "="));
        eq = arg + 1; /* the value starts after "-o" */
      }
    } else if (o < 0) {
      return S_unknown(err, opts, "--", name, len);
    }
    const char *val = NULL;
    if (opts[o].metavar) {
      if (eq) val = eq + 1; /* "--name=value", or "-ovalue" */
      else if (i + 1 < argc) val = argv[++i];
      else return pd_fail(err, "option --%s needs a value (%s)", opts[o].name, opts[o].metavar);
    } else if (eq) {
      return pd_fail(err, "option --%s takes no value", opts[o].name);
    } else {
      val = "1";
    }
    if (a->nvals[o] && !opts[o].repeatable && opts[o].metavar)
      return pd_fail(err, "option --%s given more than once", opts[o].name);
    S_add(a, o, val);
  }
  return PD_OK;
}

void pd_args_free(pd_args *a) {
  for (int i = 0; i < a->nopts; i++) free(a->vals[i]);
  free(a->pos);
  memset(a, 0, sizeof *a);
}

static int S_index(const pd_args *a, const char *name) {
  return S_find(a->opts, name, strlen(name));
}

const char *pd_arg(const pd_args *a, const char *name) {
  int o = S_index(a, name);
  return o >= 0 && a->nvals[o] ? a->vals[o][a->nvals[o] - 1] : NULL;
}

int pd_arg_count(const pd_args *a, const char *name) {
  int o = S_index(a, name);
  return o >= 0 ? a->nvals[o] : 0;
}

const char *pd_arg_at(const pd_args *a, const char *name, int i) {
  int o = S_index(a, name);
  return o >= 0 && i < a->nvals[o] ? a->vals[o][i] : NULL;
}

int pd_arg_flag(const pd_args *a, const char *name) { return pd_arg(a, name) != NULL; }

int pd_arg_uint(const pd_args *a, const char *name, unsigned long dflt,
                unsigned long *out, pd_err *err) {
  const char *v = pd_arg(a, name);
  *out = dflt;
  if (!v) return PD_OK;
  char *end;
  errno = 0;
  unsigned long n = strtoul(v, &end, 10);
  if (*v == '-' || end == v || *end || errno)
    return pd_fail(err, "--%s wants a non-negative integer, not \"%s\"", name, v);
  *out = n;
  return PD_OK;
}

int pd_arg_double(const pd_args *a, const char *name, double dflt, double *out,
                  pd_err *err) {
  const char *v = pd_arg(a, name);
  *out = dflt;
  if (!v) return PD_OK;
  char *end;
  double d = strtod(v, &end);
  if (end == v || *end || !isfinite(d))
    return pd_fail(err, "--%s wants a number, not \"%s\"", name, v);
  *out = d;
  return PD_OK;
}

int pd_arg_size(const pd_args *a, const char *name, size_t dflt, size_t *out,
                pd_err *err) {
  const char *v = pd_arg(a, name);
  *out = dflt;
  if (!v) return PD_OK;
  double d;
  pd_unit_kind k;
  if (pd_unit_parse(v, &d, &k) != PD_OK || k == PD_UNIT_TIME || d < 1 || d > 1e15)
    return pd_fail(err, "--%s wants a size such as 200MB or 2GiB, not \"%s\"", name, v);
  *out = (size_t)d;
  return PD_OK;
}

/* ---- shared helpers --------------------------------------------------------------- */

/* Every line profdiff prints to stderr goes through here: messages carry
 * input strings (file names, sample types, a profile's patterns) and the
 * terminal gets them only as pd_esc_text makes them. */
void pd_cli_line(FILE *f, const char *prefix, const char *text) {
  if (f == stderr) pd_progress_clear(); /* a progress line is redrawn by its next step */
  pd_buf b = PD_BUF_INIT;
  pd_buf_puts(&b, prefix);
  pd_esc_text(&b, text, strlen(text));
  pd_buf_putc(&b, '\n');
  fwrite(b.data, 1, b.len, f);
  pd_buf_free(&b);
}

void pd_cli_error(const char *msg) { pd_cli_line(stderr, "profdiff: ", msg); }
void pd_cli_warn(const char *msg) { pd_cli_line(stderr, "profdiff: warning: ", msg); }

int pd_cli_view(const pd_args *a, pd_view *v, pd_err *err) {
  pd_view_opts o = {PD_GRAN_FUNCTION, PD_DEMANGLE_DEFAULT, pd_arg(a, "focus"),
                    pd_arg(a, "ignore"), pd_arg(a, "hide"), pd_arg(a, "show")};
  /* as pprof: an empty filter is no filter */
  const char **tags[] = {&o.tagfocus, &o.tagignore, &o.tagshow, &o.taghide};
  const char *tag_names[] = {"tagfocus", "tagignore", "tagshow", "taghide"};
  for (int i = 0; i < 4; i++) {
    const char *t = pd_arg(a, tag_names[i]);
    *tags[i] = t && *t ? t : NULL;
  }
  const char *d = pd_arg(a, "demangle");
  if (d && pd_demangle_parse(d, &o.demangle) != PD_OK)
    return pd_fail(err, "--demangle must be default, templates or full, not \"%s\"", d);
  const char *g = pd_arg(a, "granularity");
  if (g && pd_granularity_parse(g, &o.granularity) != PD_OK)
    return pd_fail(err, "--granularity must be function, file, line, filefunction or address, not \"%s\"", g);
  return pd_view_init(v, &o, err);
}

static const struct {
  const char *name, *word;
  unsigned bit;
} S_filters[] = {{"focus", "Focus", PD_MATCH_FOCUS},
                 {"ignore", "Ignore", PD_MATCH_IGNORE},
                 {"hide", "Hide", PD_MATCH_HIDE},
                 {"show", "Show", PD_MATCH_SHOW},
                 /* tag filters: listed; their warnings are pd_cli_tag_notes' */
                 {"tagfocus", NULL, 0},
                 {"tagignore", NULL, 0},
                 {"tagshow", NULL, 0},
                 {"taghide", NULL, 0}};

size_t pd_cli_active_filters(const pd_args *a, const char *out[8], pd_buf bufs[8]) {
  size_t n = 0;
  for (size_t i = 0; i < sizeof S_filters / sizeof S_filters[0]; i++) {
    const char *v = pd_arg(a, S_filters[i].name);
    if (!v || !*v) continue;
    bufs[n] = (pd_buf)PD_BUF_INIT;
    pd_buf_printf(&bufs[n], "%s=%s", S_filters[i].name, v);
    out[n] = bufs[n].data;
    n++;
  }
  return n;
}

void pd_cli_warn_filters(const pd_args *a, unsigned matched) {
  for (size_t i = 0; i < 4; i++) {
    const char *v = pd_arg(a, S_filters[i].name);
    if (v && *v && S_filters[i].bit && !(matched & S_filters[i].bit)) {
      char msg[128];
      snprintf(msg, sizeof msg, "%s expression matched no samples (--%s)", S_filters[i].word,
               S_filters[i].name);
      pd_cli_warn(msg);
    }
  }
}

int pd_cli_ingest_opts(const pd_args *a, pd_ingest_opts *o, pd_err *err) {
  memset(o, 0, sizeof *o);
  o->strict = pd_arg_flag(a, "strict");
  o->split = 1; /* one file at a time: it may use both cores */
  o->labels = pd_cli_wants_labels(a);
  return pd_arg_size(a, "max-input-size", PD_DEFAULT_MAX_INPUT, &o->max_input_size, err);
}

int pd_cli_wants_labels(const pd_args *a) {
  static const char *const want[] = {"tagfocus", "tagignore", "tags", "group-by"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const char *v = pd_arg(a, want[i]);
    if (v && *v) return 1;
  }
  return 0;
}

void pd_cli_tag_notes(const pd_args *a, const pd_view *v, const pd_snapshot *s) {
  /* pprof's words, on stderr as pprof prints them */
  const char *names[] = {"tagfocus", "tagignore"};
  const pd_tagfilter *f[] = {&v->tagfocus, &v->tagignore};
  int has[] = {v->has_tagfocus, v->has_tagignore};
  uint64_t hits[] = {s ? s->ntagfocus : 1, s ? s->ntagignore : 1};
  const char *label[] = {"TagFocus", "TagIgnore"};
  for (int i = 0; i < 2; i++) {
    if (!has[i]) continue;
    if (f[i]->numeric) {
      const char *val = pd_arg(a, names[i]), *eq = strchr(val, '=');
      const char *shown = eq ? eq + 1 : val;
      pd_buf clean = PD_BUF_INIT;
      pd_esc_text(&clean, shown, strlen(shown));
      fprintf(stderr, "profdiff: --%s: interpreted '%s' as a range, not a regular expression\n", names[i],
              clean.data ? clean.data : "");
      pd_buf_free(&clean);
    }
    if (s && hits[i] == 0) fprintf(stderr, "profdiff: warning: %s expression matched no samples\n", label[i]);
  }
}

static int S_load(const char *path, const pd_args *a, const pd_view *v, pd_intern *keys, int want_tree,
                  double tree_min_fraction, const char *sample_index, pd_snapshot *s, pd_err *err) {
  pd_ingest_opts io;
  if (pd_cli_ingest_opts(a, &io, err) != PD_OK) return PD_ERR;
  pd_profile p;
  /* its reduction is part of reading it, for an out-of-memory message */
  pd_mem_doing was = pd_mem_doing_set(path, "reading it");
  int rc = pd_ingest_file(path, &io, &p, err);
  if (rc == PD_OK) {
    /* two threads walk the samples only when a tree is built from them
     * (flame, fold): for top's table the walk is too short to pay */
    pd_reduce_opts ro = {sample_index, want_tree, tree_min_fraction, NULL, want_tree, 0, want_tree};
    rc = pd_reduce(&p, v, keys, &ro, s, err);
    if (rc != PD_OK) pd_snapshot_free(s);
  }
  if (rc == PD_OK)
    for (uint32_t i = 0; i < p.nwarnings; i++) pd_cli_warn(p.warnings[i]);
  pd_profile_free(&p);
  pd_mem_doing_restore(was);
  return rc;
}

int pd_cli_load(const char *path, const pd_args *a, const pd_view *v,
                pd_intern *keys, int want_tree, double tree_min_fraction,
                pd_snapshot *s, pd_err *err) {
  return S_load(path, a, v, keys, want_tree, tree_min_fraction, pd_arg(a, "sample-index"), s, err);
}

int pd_cli_load_as(const char *path, const pd_args *a, const pd_view *v, pd_intern *keys, int want_tree,
                   const char *sample_type, pd_snapshot *s, pd_err *err) {
  return S_load(path, a, v, keys, want_tree, 0, sample_type, s, err);
}

int pd_cli_exit(int rc, const pd_err *err) {
  if (rc == PD_OK) return PD_EXIT_OK;
  pd_cli_error(err->msg);
  return PD_EXIT_ERROR;
}

int pd_cli_emit(const char *path, const pd_buf *buf, pd_err *err) {
  if (!path || strcmp(path, "-") == 0) {
    errno = 0;
    size_t n = buf->len ? fwrite(buf->data, 1, buf->len, stdout) : 0;
    if (n != buf->len || fflush(stdout) != 0)
      return pd_fail(err, "standard output: %s", errno ? strerror(errno) : "write error");
    return PD_OK;
  }
  return pd_write_file_atomic(path, buf->data ? buf->data : "", buf->len, err);
}
