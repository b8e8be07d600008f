/* cmd_list.c: `profdiff list`, pprof's annotated source per line. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const pd_opt S_opts[] = {
    PD_PROFILE_OPTS,
    {"source-path", "DIRS", "where to look for source files, ':'-separated (default: the working directory), as pprof's -source_path", 0},
    {"trim-path", "PREFIXES", "prefixes cut from the profile's file names before looking, ':'-separated, as pprof's -trim_path", 0},
    {"relative-percentages", NULL, "percentages of the total after the filters, not of the whole profile", 0},
    {"base", "BASE", "FILE minus BASE per line, as go tool pprof -list -base", 0},
    {"output", "FILE", "write to FILE (atomically) instead of standard output", 0, 'o'},
    {NULL, NULL, NULL, 0}};

/* list --base BASE FILE: FILE's lines less BASE's (the type by name), and
 * the total of pprof's merged profile, of which percentages are. */
static int S_listing_base(const pd_args *a, pd_ingest_opts *io, const pd_view *view, pd_listing *l, pd_err *err) {
  const char *path[2] = {a->pos[1], pd_arg(a, "base")};
  pd_profile p[2];
  int read = 0, rc = PD_OK;
  io->labels = 1; /* merged by their labels too */
  for (; rc == PD_OK && read < 2; read++) {
    rc = pd_ingest_file(path[read], io, &p[read], err);
    if (rc != PD_OK) {
      pd_profile_free(&p[read]);
      break;
    }
    for (uint32_t w = 0; w < p[read].nwarnings; w++) pd_cli_warn(p[read].warnings[w]);
    rc = pd_listing_add(l, &p[read], view, read ? l->sample_type : pd_arg(a, "sample-index"), err);
  }
  pd_graph_input in[2] = {{&p[0], 0, 1}, {&p[1], 0, -1}};
  for (int i = 0; rc == PD_OK && i < 2; i++) rc = pd_profile_sample_index(&p[i], l->sample_type, &in[i].index, err);
  pd_intern keys;
  pd_intern_init(&keys, 1024);
  pd_topgraph g;
  if (rc == PD_OK && (rc = pd_topgraph_init(&g, in, 2, view, &keys, 1, err)) == PD_OK) {
    pd_listing_subtract(l);
    pd_listing_snap *s = &PD_VEC_AT(&l->snaps, pd_listing_snap, 0);
    s->total_all = g.total_all;
    s->total_kept = g.total;
    pd_topgraph_free(&g);
  }
  pd_intern_free(&keys);
  for (int i = 0; i < read; i++) pd_profile_free(&p[i]);
  return rc;
}

static int S_run(const pd_args *a) {
  pd_err err;
  if (a->npos < 2) {
    pd_cli_error("list needs a regular expression and at least one profile (see profdiff list --help)");
    return PD_EXIT_ERROR;
  }
  pd_regex *re;
  if (pd_regex_compile(&re, a->pos[0], 0, "list", &err) != PD_OK) return pd_cli_exit(PD_ERR, &err);
  pd_view view;
  if (pd_cli_view(a, &view, &err) != PD_OK) {
    pd_regex_free(re);
    return pd_cli_exit(PD_ERR, &err);
  }
  pd_ingest_opts io;
  int rc = pd_cli_ingest_opts(a, &io, &err);
  pd_listing l;
  pd_listing_init(&l, re);
  if (pd_arg(a, "base") && a->npos != 2) rc = pd_fail(&err, "list --base BASE takes one profile, FILE");
  else if (pd_arg(a, "base")) rc = S_listing_base(a, &io, &view, &l, &err);
  for (int i = 1; !pd_arg(a, "base") && rc == PD_OK && i < a->npos; i++) {
    pd_profile p;
    rc = pd_ingest_file(a->pos[i], &io, &p, &err);
    if (rc != PD_OK) break;
    for (uint32_t w = 0; w < p.nwarnings; w++) pd_cli_warn(p.warnings[w]);
    rc = pd_listing_add(&l, &p, &view, pd_arg(a, "sample-index"), &err);
    pd_profile_free(&p);
  }
  if (rc == PD_OK) {
    pd_source src;
    pd_source_init(&src, pd_arg(a, "source-path"), pd_arg(a, "trim-path"), io.max_input_size);
    uint32_t *order = pd_xmalloc((l.snaps.n + 1) * sizeof *order);
    pd_listing_order(&l, order);
    pd_buf out = PD_BUF_INIT, warnings = PD_BUF_INIT;
    uint32_t n = pd_report_list_text(&out, &l, &src, order, pd_arg_flag(a, "relative-percentages"), &warnings);
    /* each warning once (a file found in no routine is named once) */
    if (warnings.len) {
      char *line = warnings.data;
      while (*line) {
        char *nl = strchr(line, '\n');
        *nl = 0;
        int seen = 0;
        for (char *q = warnings.data; q < line && !seen; q += strlen(q) + 1) seen = strcmp(q, line) == 0;
        if (!seen) pd_cli_warn(line);
        line = nl + 1;
      }
    }
    if (n == 0) rc = pd_fail(&err, "no matches found for regexp: %s", a->pos[0]);
    else rc = pd_cli_emit(pd_arg(a, "output"), &out, &err);
    pd_buf_free(&out);
    pd_buf_free(&warnings);
    free(order);
    pd_source_free(&src);
  }
  pd_listing_free(&l);
  pd_view_free(&view);
  pd_regex_free(re);
  return pd_cli_exit(rc, &err);
}

const pd_command pd_cmd_list = {
    "list",
    "flat and cum per source line of the functions REGEX names (like go tool pprof -list)",
    "list [options] REGEX FILE...",
    "For each function whose name matches REGEX (unanchored), the lines of its\n"
    "source with their flat and cum values, as `go tool pprof -list REGEX FILE`\n"
    "prints them: from the function's start line (else five lines before the\n"
    "first line with a value) to five lines after the last. Sources are found as\n"
    "pprof finds them: the profile's file name, trimmed by --trim-path (else by\n"
    "the base name of a --source-path directory found in it), looked for under\n"
    "each --source-path directory (default: the working directory) and its\n"
    "parents. When a source file is not found the lines with values are listed\n"
    "without code, and a warning says where it was looked for.\n\n"
    "With several profiles (a series, ordered as report orders it), each line\n"
    "shows flat and cum in the first and in the last snapshot and their change.\n"
    "--base BASE FILE lists FILE minus BASE, as go tool pprof -list -base: BASE's\n"
    "samples negated and merged in, percentages of what is left.",
    S_opts,
    S_run};
