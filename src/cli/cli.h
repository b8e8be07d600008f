/* cli.h: the command line. The only code that parses flags, prints to the
 * terminal and chooses exit codes: 0 success, 1 a CI gate failed, 2 an error
 * (bad input, bad usage). */
#ifndef PD_CLI_H
#define PD_CLI_H

#include "../ingest/ingest.h"
#include "../report/report.h"

#define PD_VERSION "0.1.0"

enum { PD_EXIT_OK = 0, PD_EXIT_GATE = 1, PD_EXIT_ERROR = 2 };

/* ---- flags --------------------------------------------------------------------- */

typedef struct pd_opt {
  const char *name;    /* long name without "--" */
  const char *metavar; /* NULL for a switch */
  const char *help;
  int repeatable;
  char short_name; /* e.g. 'o' for -o; 0 for none */
} pd_opt;

#define PD_MAX_OPTS 48

typedef struct pd_args {
  const pd_opt *opts;
  int nopts;
  const char **vals[PD_MAX_OPTS]; /* all values given, in order */
  int nvals[PD_MAX_OPTS];
  const char **pos; /* positional arguments */
  int npos;
  int help;
} pd_args;

int pd_args_parse(pd_args *a, const pd_opt *opts, int argc, char **argv, pd_err *err);
void pd_args_free(pd_args *a);
/* The name among names closest to word (edit distance, or word a prefix of
 * it), or NULL when none is close: "did you mean". */
const char *pd_closest(const char *const *names, size_t count, const char *word, size_t len);
/* The last value of an option, or NULL. */
const char *pd_arg(const pd_args *a, const char *name);
int pd_arg_count(const pd_args *a, const char *name);
const char *pd_arg_at(const pd_args *a, const char *name, int i);
int pd_arg_flag(const pd_args *a, const char *name);
int pd_arg_uint(const pd_args *a, const char *name, unsigned long dflt,
                unsigned long *out, pd_err *err);
int pd_arg_double(const pd_args *a, const char *name, double dflt, double *out,
                  pd_err *err);
/* Parses "10MB"-style sizes for --max-input-size. */
int pd_arg_size(const pd_args *a, const char *name, size_t dflt, size_t *out,
                pd_err *err);

/* ---- shared by commands ----------------------------------------------------------- */

/* Options every command that reads profiles accepts. */
#define PD_PROFILE_OPTS                                                                  \
  {"sample-index", "NAME|N", "sample type to use (default: the profile's default type, else the last)", 0}, \
  {"granularity", "G", "function (default), file, line, filefunction or address (pprof's -functions, -files, -lines, -filefunctions, -addresses)", 0},                            \
  {"demangle", "MODE", "C++/Rust names: default (no parameter or template lists, as pprof), templates, full", 0}, \
  {"focus", "REGEX", "keep only samples with a frame matching REGEX", 0},                \
  {"ignore", "REGEX", "drop samples with a frame matching REGEX", 0},                    \
  {"hide", "REGEX", "remove frames matching REGEX from stacks", 0},                      \
  {"show", "REGEX", "keep only frames matching REGEX in stacks", 0},                     \
  {"tagfocus", "[KEY=]VALUE", "keep only samples with a label matching: regex(es, comma-separated) or a range such as bytes=1MB: (docs/labels.md)", 0}, \
  {"tagignore", "[KEY=]VALUE", "drop samples with a label matching, as --tagfocus", 0},  \
  {"tagshow", "REGEX", "list only label keys matching REGEX (top --tags)", 0},          \
  {"taghide", "REGEX", "do not list label keys matching REGEX (top --tags)", 0},        \
  {"max-input-size", "SIZE", "refuse inputs larger than SIZE, compressed or not (default 256MiB)", 0}, \
  {"strict", NULL, "a malformed line of folded stacks is an error (default: skipped with a warning)", 0}

int pd_cli_view(const pd_args *a, pd_view *v, pd_err *err);
/* The filters given, as pprof's "Active filters:" lines ("focus=REGEX"),
 * in pprof's order; returns how many (at most 8). */
size_t pd_cli_active_filters(const pd_args *a, const char *out[8], pd_buf bufs[8]);
/* pprof's warnings for filters that matched no frame ("Focus expression
 * matched no samples"); matched is a snapshot's filters_matched. */
void pd_cli_warn_filters(const pd_args *a, unsigned matched);
int pd_cli_ingest_opts(const pd_args *a, pd_ingest_opts *o, pd_err *err);

/* Reads and reduces one file; prints its warnings to stderr. With
 * want_tree, tree_min_fraction > 0 prunes the tree as pd_reduce_opts says
 * (for a picture that cannot show frames that narrow). */
int pd_cli_load(const char *path, const pd_args *a, const pd_view *v,
                pd_intern *keys, int want_tree, double tree_min_fraction,
                pd_snapshot *s, pd_err *err);
/* The same, with the sample type sample_type (by name) whatever
 * --sample-index says, the whole tree when want_tree: a base profile,
 * read for the type of the profile it is subtracted from. */
int pd_cli_load_as(const char *path, const pd_args *a, const pd_view *v, pd_intern *keys, int want_tree,
                   const char *sample_type, pd_snapshot *s, pd_err *err);

/* Whether the options ask for sample labels (tag filters, --tags,
 * --group-by): only then do the readers keep them. */
int pd_cli_wants_labels(const pd_args *a);
/* pprof's notes on tag filters, on stderr: a value read as a numeric range,
 * and a filter that matched no sample of s (NULL: only the first). */
void pd_cli_tag_notes(const pd_args *a, const pd_view *v, const pd_snapshot *s);

/* A command's exit status from a status code: PD_EXIT_OK, or the error
 * printed once and PD_EXIT_ERROR. */
int pd_cli_exit(int rc, const pd_err *err);

/* Prints prefix and text as one terminal-safe line (pd_esc_text: no
 * control characters, no line breaks) to f. */
void pd_cli_line(FILE *f, const char *prefix, const char *text);
/* Prints "profdiff: message" to stderr, terminal-safe. */
void pd_cli_error(const char *msg);
/* `profdiff --version`: the version and the run-time library versions. */
void pd_cli_version(FILE *f);
void pd_cli_warn(const char *msg);
/* Writes buf to stdout, or atomically to path when path is not NULL/"-". */
int pd_cli_emit(const char *path, const pd_buf *buf, pd_err *err);

/* ---- progress (progress.c) ---------------------------------------------------------- */

/* One line on stderr while a long report works. mode: 1 --progress (also
 * into a file or pipe, one line per step), -1 --no-progress, 0 the default
 * (on a terminal only, once the run has taken a second). */
void pd_progress_start(int mode, uint32_t total);
/* One more input read (thread-safe). */
void pd_progress_file_done(void);
/* The step the run is on ("analysing", "writing report.html"); its shape is
 * pd_report_config's progress callback. */
void pd_progress_step(void *ctx, const char *what);
/* Erases the line before another line on stderr (pd_cli_line calls it). */
void pd_progress_clear(void);
/* Erases the line for good. */
void pd_progress_end(void);

/* ---- commands ---------------------------------------------------------------------- */

typedef struct pd_command {
  const char *name;
  const char *summary;
  const char *usage;
  const char *description;
  const pd_opt *opts;
  int (*run)(const pd_args *a);
} pd_command;

void pd_cli_usage(FILE *f, const pd_command *c);

extern const pd_command pd_cmd_top;
extern const pd_command pd_cmd_fold;
extern const pd_command pd_cmd_report;
extern const pd_command pd_cmd_memstat;
extern const pd_command pd_cmd_flame;
extern const pd_command pd_cmd_list;
extern const pd_command pd_cmd_merge;

#endif
