/* cmd_list.c: `profdiff list`, pprof's annotated source per line. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const pd_opt S_opts[] = {
    PD_PROFILE_OPTS,
    {"source-path", "DIRS", "where to look for source files, ':'-separated (default: the working directory), as pprof's -source_path", 0},
    {"trim-path", "PREFIXES", "prefixes cut from the profile's file names before looking, ':'-separated, as pprof's -trim_path", 0},
    {"relative-percentages", NULL, "percentages of the total after the filters, not of the whole profile", 0},
    {"output", "FILE", "write to FILE (atomically) instead of standard output", 0, 'o'},
    {NULL, NULL, NULL, 0}};

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
  for (int i = 1; rc == PD_OK && i < a->npos; i++) {
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
    "shows flat and cum in the first and in the last snapshot and their change.",
    S_opts,
    S_run};
