/* cmd_top.c: `profdiff top`, the per-function table of one profile. */
#include "cli.h"

#include <string.h>

static const pd_opt S_opts[] = {
    PD_PROFILE_OPTS,
    {"nodecount", "N", "show at most N functions (default: all kept by --nodefraction)", 0},
    {"nodefraction", "F", "drop functions whose cum is below F of the total (default 0.005, as pprof)", 0},
    {"cum", NULL, "sort by cumulative value instead of flat", 0},
    {"tags", NULL, "print per-label totals instead (go tool pprof -tags; --tagshow/--taghide pick keys)", 0},
    {"diff-base", "BASE", "print FILE minus BASE, percentages of BASE's total (go tool pprof -diff_base)", 0},
    {"base", "BASE", "print FILE minus BASE, percentages of what is left (go tool pprof -base)", 0},
    {"relative-percentages", NULL, "percentages of the total after the filters (default: of the whole profile, as pprof)", 0},
    {"unit", "UNIT", "print values in UNIT (B, kB, MB, ns, ms, s ...) instead of one chosen for the table", 0},
    {"format", "FMT", "text (default, go tool pprof -top's layout) or json", 0},
    {"output", "FILE", "write to FILE (atomically) instead of standard output", 0, 'o'},
    {NULL, NULL, NULL, 0}};

/* top --tags: the profile with its labels, to per-label totals. */
static int S_run_tags(const pd_args *a, const pd_view *view) {
  pd_err err;
  pd_ingest_opts io;
  if (pd_cli_ingest_opts(a, &io, &err) != PD_OK) return pd_cli_exit(PD_ERR, &err);
  pd_profile p;
  int rc = pd_ingest_file(a->pos[0], &io, &p, &err);
  pd_intern keys;
  pd_intern_init(&keys, 1024);
  pd_tagtotals t;
  memset(&t, 0, sizeof t);
  if (rc == PD_OK) {
    for (uint32_t i = 0; i < p.nwarnings; i++) pd_cli_warn(p.warnings[i]);
    rc = pd_tagtotals_build(&p, view, &keys, pd_arg(a, "sample-index"), pd_arg(a, "unit"), &t, &err);
  }
  if (rc == PD_OK) {
    pd_snapshot hits;
    memset(&hits, 0, sizeof hits);
    hits.ntagfocus = t.ntagfocus;
    hits.ntagignore = t.ntagignore;
    pd_cli_tag_notes(a, view, &hits);
    pd_buf out = PD_BUF_INIT;
    pd_report_tags_text(&out, &t, pd_arg(a, "unit"));
    rc = pd_cli_emit(pd_arg(a, "output"), &out, &err);
    pd_buf_free(&out);
  }
  pd_tagtotals_free(&t);
  pd_intern_free(&keys);
  pd_profile_free(&p);
  return pd_cli_exit(rc, &err);
}

/* FILE, and BASE with --diff-base or --base: both profiles read first, as
 * pprof merges them before it picks the sample type (the merged profile's
 * default is FILE's, else BASE's), then each reduced with that type by
 * name and BASE subtracted. The profiles stay read (p[0 .. *nread)): the
 * "(inline)" marks and --base's totals walk their samples again. */
static int S_load(const pd_args *a, const pd_view *view, pd_intern *keys, pd_profile p[2], int *nread,
                  pd_snapshot *s, pd_err *err) {
  const char *base_path = pd_arg(a, "diff-base") ? pd_arg(a, "diff-base") : pd_arg(a, "base");
  const char *path[2] = {a->pos[0], base_path};
  int want = base_path ? 2 : 1, read = 0, rc;
  pd_snapshot base;
  pd_ingest_opts io;
  rc = pd_cli_ingest_opts(a, &io, err);
  /* --base merges samples by their labels too */
  if (pd_arg(a, "base")) io.labels = 1;
  /* its reduction is part of reading it, for an out-of-memory message */
  pd_mem_doing was = pd_mem_doing_set(path[0], "reading it");
  for (; rc == PD_OK && read < want; read++) {
    rc = pd_ingest_file(path[read], &io, &p[read], err);
    if (rc != PD_OK) {
      pd_profile_free(&p[read]);
      break;
    }
  }
  const char *index = pd_arg(a, "sample-index");
  for (int i = 0; rc == PD_OK && want == 2 && !index && i < 2; i++)
    if (p[i].default_type >= 0) index = pd_profile_str(&p[i], p[i].types[p[i].default_type].type);
  pd_reduce_opts ro = {index, 0, 0, NULL, 0, 0, 0};
  if (rc == PD_OK && (rc = pd_reduce(&p[0], view, keys, &ro, s, err)) == PD_OK && want == 2) {
    ro.sample_index = s->sample_type;
    rc = pd_reduce(&p[1], view, keys, &ro, &base, err);
    if (rc == PD_OK && strcmp(base.unit, s->unit) != 0)
      rc = pd_fail(err, "%s: %s is in %s there, in %s in %s: the two cannot be subtracted", pd_basename(path[1]),
                   s->sample_type, base.unit, s->unit, pd_basename(s->path));
    if (rc == PD_OK) pd_snapshot_subtract(s, &base, 1);
    pd_snapshot_free(&base);
  }
  if (rc != PD_OK && read == want) pd_snapshot_free(s); /* reduced, or its reduction failed */
  for (int i = 0; rc == PD_OK && i < read; i++)
    for (uint32_t w = 0; w < p[i].nwarnings; w++) pd_cli_warn(p[i].warnings[w]);
  if (rc != PD_OK) {
    for (int i = 0; i < read; i++) pd_profile_free(&p[i]);
    read = 0;
  }
  pd_mem_doing_restore(was);
  *nread = read;
  return rc;
}

static int S_run(const pd_args *a) {
  pd_err err;
  unsigned long nodecount;
  double nodefraction;
  const char *format = pd_arg(a, "format");
  if (!format) format = "text";
  if (a->npos != 1) {
    pd_cli_error("top needs exactly one profile (see profdiff top --help)");
    return PD_EXIT_ERROR;
  }
  if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
    pd_cli_error("--format must be text or json");
    return PD_EXIT_ERROR;
  }
  if (pd_arg_uint(a, "nodecount", 0, &nodecount, &err) != PD_OK ||
      pd_arg_double(a, "nodefraction", 0.005, &nodefraction, &err) != PD_OK) {
    pd_cli_error(err.msg);
    return PD_EXIT_ERROR;
  }
  if (pd_arg_count(a, "diff-base") && pd_arg_count(a, "base")) {
    pd_cli_error("--base and --diff-base do not go together (one base: profdiff top --help)");
    return PD_EXIT_ERROR;
  }
  pd_view view;
  if (pd_cli_view(a, &view, &err) != PD_OK) return pd_cli_exit(PD_ERR, &err);
  if (pd_arg_flag(a, "tags")) {
    if (pd_arg_count(a, "diff-base") || pd_arg_count(a, "base")) {
      pd_view_free(&view);
      pd_cli_error("--tags and --diff-base or --base do not go together (profdiff top --help)");
      return PD_EXIT_ERROR;
    }
    int ex = S_run_tags(a, &view);
    pd_view_free(&view);
    return ex;
  }
  pd_intern keys;
  pd_intern_init(&keys, 4096);
  pd_snapshot s;
  pd_profile prof[2];
  int nprof = 0, text = strcmp(format, "text") == 0, merge = pd_arg_count(a, "base") > 0;
  int rc = S_load(a, &view, &keys, prof, &nprof, &s, &err);
  pd_topgraph graph;
  int has_graph = 0;
  if (rc == PD_OK && (text || merge)) {
    /* pprof's graph: FILE's samples and the base's negated */
    pd_graph_input in[2] = {{&prof[0], s.sample_index, 1}, {&prof[nprof - 1], 0, -1}};
    if (nprof == 2) pd_profile_sample_index(&prof[1], s.sample_type, &in[1].index, &err);
    rc = pd_topgraph_init(&graph, in, (uint32_t)nprof, &view, &keys, merge, &err);
    has_graph = rc == PD_OK;
    if (has_graph && merge) {
      s.total = graph.total;
      s.total_all = graph.total_all;
    }
  }
  if (rc != PD_OK && nprof) pd_snapshot_free(&s);
  if (rc == PD_OK) {
    pd_cli_tag_notes(a, &view, &s);
    pd_cli_warn_filters(a, s.filters_matched);
    /* pprof computes the total before it filters (percentages of the
     * whole profile), unless -relative_percentages */
    if (!pd_arg_flag(a, "relative-percentages")) s.total = s.total_all;
    const char *filters[8];
    pd_buf fbufs[8];
    size_t nfilters = pd_cli_active_filters(a, filters, fbufs);
    pd_top top;
    pd_top_build(&s, &keys, nodefraction, (uint32_t)nodecount, pd_arg_flag(a, "cum"), &top);
    if (text) rc = pd_top_marks(&top, &graph, keys.n, &err);
    pd_buf out = PD_BUF_INIT;
    if (strcmp(format, "json") == 0) pd_report_top_json(&out, &s, &keys, &top);
    else pd_report_top_text(&out, &s, &keys, &top, pd_arg(a, "unit"), filters, nfilters);
    for (size_t i = 0; i < nfilters; i++) pd_buf_free(&fbufs[i]);
    if (rc == PD_OK) rc = pd_cli_emit(pd_arg(a, "output"), &out, &err);
    pd_buf_free(&out);
    pd_top_free(&top);
    pd_snapshot_free(&s);
  }
  if (has_graph) pd_topgraph_free(&graph);
  for (int i = 0; i < nprof; i++) pd_profile_free(&prof[i]);
  pd_intern_free(&keys);
  pd_view_free(&view);
  return pd_cli_exit(rc, &err);
}

const pd_command pd_cmd_top = {
    "top",
    "per-function flat and cum table of one profile (like go tool pprof -top)",
    "top [options] FILE",
    "Prints pprof's columns flat, flat%, sum%, cum, cum% and the function name for\n"
    "one profile, with the same values and units as `go tool pprof -top`. flat is\n"
    "the value of samples whose leaf frame is the function; cum counts every sample\n"
    "the function appears in, once even when it recurses. --format json prints\n"
    "{\"sample_type\",\"unit\",\"total\",\"functions\":[{\"name\",\"flat\",\"cum\"}]} with raw\n"
    "numbers in the sample type's unit.\n"
    "--diff-base BASE prints pprof's diff table (go tool pprof -top -diff_base\n"
    "BASE FILE): each function's FILE value minus its BASE value, negative where\n"
    "it shrank, percentages of BASE's total; the sample type is picked by name in\n"
    "both.\n"
    "--base BASE prints FILE minus BASE as go tool pprof -top -base BASE FILE:\n"
    "BASE's samples negated and merged into FILE's, so the total (and every\n"
    "percentage) is of what is left.\n"
    "A function is marked (inline) when every call into it was inlined into its\n"
    "caller, (partial-inline) when some were, as pprof marks it.\n"
    "--tags prints, instead, each label key's values and the total of the samples\n"
    "that carry each (go tool pprof -tags): Go heap profiles carry a numeric bytes\n"
    "label (the allocation's size), CPU profiles the labels set with pprof.Do.",
    S_opts,
    S_run};
