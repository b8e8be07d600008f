/* cmd_fold.c: `profdiff fold`, a profile as folded stacks. */
#include "cli.h"

static const pd_opt S_opts[] = {
    PD_PROFILE_OPTS,
    {"output", "FILE", "write to FILE (atomically) instead of standard output", 0, 'o'},
    {NULL, NULL, NULL, 0}};

static int S_run(const pd_args *a) {
  pd_err err;
  if (a->npos != 1) {
    pd_cli_error("fold needs exactly one profile (see profdiff fold --help)");
    return PD_EXIT_ERROR;
  }
  pd_view view;
  if (pd_cli_view(a, &view, &err) != PD_OK) return pd_cli_exit(PD_ERR, &err);
  pd_intern keys;
  pd_intern_init(&keys, 4096);
  pd_snapshot s;
  int rc = pd_cli_load(a->pos[0], a, &view, &keys, 1, 0, &s, &err);
  if (rc == PD_OK) {
    pd_cli_warn_filters(a, s.filters_matched);
    /* a folded line needs a frame: samples with an empty stack (or none
     * left by --hide/--show) have no line; say so rather than lose them */
    if (s.tree.n > 0 && s.tree.col[PD_COL_SELF][0] != 0) {
      char msg[256], v[64];
      snprintf(msg, sizeof msg, "%s: samples with no frames (%s %s) are not in the folded output",
               pd_basename(s.path), pd_unit_label(s.tree.col[PD_COL_SELF][0], s.unit, "auto", v, sizeof v),
               s.sample_type);
      pd_cli_warn(msg);
    }
    pd_buf out = PD_BUF_INIT;
    pd_report_folded(&out, &s.tree, &keys, PD_COL_SELF);
    rc = pd_cli_emit(pd_arg(a, "output"), &out, &err);
    pd_buf_free(&out);
    pd_snapshot_free(&s);
  }
  pd_intern_free(&keys);
  pd_view_free(&view);
  return pd_cli_exit(rc, &err);
}

const pd_command pd_cmd_fold = {
    "fold",
    "print a profile as folded stacks (FlameGraph / inferno input)",
    "fold [options] FILE",
    "Prints one line per distinct stack, frames root first and separated by ';',\n"
    "followed by a space and the stack's summed value in the sample type's unit:\n"
    "the format flamegraph.pl and inferno read. Inlined frames are frames of their\n"
    "own. ';' and control characters inside a name are replaced by '_'.",
    S_opts,
    S_run};
