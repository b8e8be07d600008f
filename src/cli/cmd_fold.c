/* cmd_fold.c: `profdiff fold`, a profile as folded stacks. */
#include "cli.h"

#include <string.h>

static const pd_opt S_opts[] = {
    PD_PROFILE_OPTS,
    {"base", "BASE", "FILE minus BASE per stack, as go tool pprof -traces -base (values below 0 where it shrank)", 0},
    {"output", "FILE", "write to FILE (atomically) instead of standard output", 0, 'o'},
    {NULL, NULL, NULL, 0}};

/* --base: pprof's merged profile of FILE and BASE's negated samples, per
 * stack: FILE's tree less BASE's (the sample type by name in both). */
static int S_subtract(const pd_args *a, const pd_view *view, pd_intern *keys, pd_snapshot *s, pd_err *err) {
  pd_snapshot base;
  if (pd_cli_load_as(pd_arg(a, "base"), a, view, keys, 1, s->sample_type, &base, err) != PD_OK) return PD_ERR;
  int rc = PD_OK;
  if (strcmp(base.unit, s->unit) != 0) {
    rc = pd_fail(err, "%s: %s is in %s there, in %s in %s: the two cannot be subtracted", pd_basename(base.path),
                 s->sample_type, base.unit, s->unit, pd_basename(s->path));
  } else {
    pd_tree t;
    pd_tree_init(&t, 2, s->tree.n + base.tree.n / 4);
    pd_tree_merge(&t, 0, &s->tree, PD_COL_SELF);
    pd_tree_merge(&t, 1, &base.tree, PD_COL_SELF);
    for (uint32_t i = 0; i < t.n; i++) t.col[0][i] -= t.col[1][i];
    pd_tree_free(&s->tree);
    s->tree = t;
    s->filters_matched |= base.filters_matched;
  }
  pd_snapshot_free(&base);
  return rc;
}

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
  if (rc == PD_OK && pd_arg(a, "base") && S_subtract(a, &view, &keys, &s, &err) != PD_OK) {
    pd_snapshot_free(&s);
    rc = PD_ERR;
  }
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
    "own. ';' and control characters inside a name are replaced by '_'.\n"
    "--base BASE prints FILE minus BASE per stack (go tool pprof -base: BASE's\n"
    "samples negated and merged in), a stack that shrank with a value below 0,\n"
    "one that did not change left out.",
    S_opts,
    S_run};
