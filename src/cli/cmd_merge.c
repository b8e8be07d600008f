/* cmd_merge.c: `profdiff merge`, pprof profiles of one kind summed into one
 * (ingest/merge.c does the work: this parses flags and writes the file). */
#include "cli.h"

#include <math.h>
#include <string.h>

static const pd_opt S_opts[] = {
    {"output", "FILE", "write the merged profile (gzip'd pprof protobuf) to FILE, atomically; - for standard output", 0, 'o'},
    {"scale", "F", "multiply every value by F, rounded to an integer (1/N: the mean of N profiles)", 0},
    {"max-input-size", "SIZE", "refuse inputs larger than SIZE, compressed or not (default 256MiB)", 0},
    {NULL, NULL, NULL, 0}};

static int S_run(const pd_args *a) {
  pd_err err;
  const char *out_path = pd_arg(a, "output");
  if (!out_path) {
    pd_cli_error("merge needs -o OUT.pb.gz (see profdiff merge --help)");
    return PD_EXIT_ERROR;
  }
  if (a->npos < 1) {
    pd_cli_error("merge needs at least one profile (see profdiff merge --help)");
    return PD_EXIT_ERROR;
  }
  double scale;
  size_t max_input;
  if (pd_arg_double(a, "scale", 1.0, &scale, &err) != PD_OK ||
      pd_arg_size(a, "max-input-size", PD_DEFAULT_MAX_INPUT, &max_input, &err) != PD_OK)
    return pd_cli_exit(PD_ERR, &err);
  if (!isfinite(scale) || scale == 0) {
    pd_cli_error("--scale must be a finite number other than 0");
    return PD_EXIT_ERROR;
  }
  pd_merge *m = pd_merge_new();
  int rc = PD_OK;
  for (int i = 0; i < a->npos && rc == PD_OK; i++)
    rc = pd_merge_add_file(m, a->pos[i], max_input, &err);
  for (size_t i = 0; i < pd_merge_nwarnings(m); i++) pd_cli_warn(pd_merge_warning(m, i));
  pd_buf out = PD_BUF_INIT;
  if (rc == PD_OK) rc = pd_merge_encode(m, scale, &out, &err);
  pd_merge_free(m);
  if (rc == PD_OK) rc = pd_cli_emit(out_path, &out, &err);
  pd_buf_free(&out);
  return pd_cli_exit(rc, &err);
}

const pd_command pd_cmd_merge = {
    "merge",
    "sum pprof profiles of one kind into one (like go tool pprof -proto A B)",
    "merge -o OUT.pb.gz [options] FILE...",
    "Writes one gzip'd pprof protobuf profile whose samples are the sum of the\n"
    "inputs', merged as `go tool pprof -proto A B > OUT` merges them: the same\n"
    "sample types are required; samples with the same stack and labels are summed;\n"
    "mappings, functions and locations are deduplicated; the earliest time, the\n"
    "summed durations, the largest period and each comment once are kept. Labels,\n"
    "addresses, lines and drop/keep_frames survive. Merging merges gives the same\n"
    "profile figures as merging all inputs at once. Only pprof protobuf inputs are\n"
    "read (gzip'd or not); docs/merge.md says how to convert text formats.",
    S_opts,
    S_run};
