/* report.h: turning analysed figures into text for people and programs.
 *
 * Owns the writers: `top` tables (pprof's text layout and JSON), folded
 * stacks, the series report in JSON, Markdown, HTML
 * and JUnit XML, and pd_report_write, the one entry point that writes a
 * whole report directory. Writers append to a pd_buf; for `top` and `fold`
 * the CLI decides where the bytes go. Names always pass through
 * escape/escape.h.
 */
#ifndef PD_REPORT_H
#define PD_REPORT_H

#include "../analyse/gates.h"
#include "../analyse/memory.h"

/* A JSON number as pd_fmt_num spells it (whole values digit for digit,
 * others the shortest round trip); non-finite values become null. */
void pd_json_num(pd_buf *out, pd_val v);

/* `profdiff top` as text, in `go tool pprof -top`'s layout (filters:
 * "focus=REGEX" lines for its "Active filters:" block). unit is pprof's
 * -unit: NULL or "minimum" picks one unit for the table as pprof does; a unit
 * name ("B", "ns", "MB") prints every value in it. */
void pd_report_top_text(pd_buf *out, const pd_snapshot *s, const pd_intern *keys,
                        const pd_top *top, const char *unit, const char *const *filters,
                        size_t nfilters);
/* `profdiff top --format json`. */
/* `top --tags`: go tool pprof -tags's layout (a block per label key, its
 * values right-aligned as text/tabwriter aligns them), figures in unit
 * (NULL: pprof's "minimum", per figure). */
void pd_report_tags_text(pd_buf *out, const pd_tagtotals *t, const char *unit);
void pd_report_top_json(pd_buf *out, const pd_snapshot *s, const pd_intern *keys,
                        const pd_top *top);

/* ---- `list`: source files and the annotated listing --------------------------- */

/* A source file as found (or not) by pprof's rules (source.c). */
typedef struct pd_source_file {
  int opened;
  uint8_t *data; /* NULL when not found */
  size_t len;
  uint32_t nlines;
  size_t *start;     /* line i (from 1) is data[start[i-1] .. start[i]) */
  const char *found; /* the path read */
  const char *tried; /* the name looked for, once trimmed */
} pd_source_file;

typedef struct pd_source {
  pd_arena arena;
  const char *search_opt; /* --source-path as given, or NULL */
  const char *search;     /* it, else the working directory */
  const char *trim;       /* --trim-path, or NULL */
  size_t max_bytes;       /* a source file larger than this is not read */
  pd_intern names;        /* displayed name -> files[id] */
  pd_vec files;
} pd_source;

void pd_source_init(pd_source *s, const char *search_path, const char *trim_path, size_t max_bytes);
void pd_source_free(pd_source *s);
/* The file name pprof prints for a profile's file name: trimmed (with the
 * search path only when --source-path was given), then cleaned as Go's
 * filepath.Clean; "" stays "". */
void pd_source_display(const pd_source *s, const char *file, size_t n, pd_buf *out);
/* The file for a displayed name, read on first use (pprof's
 * openSourceFile: trimmed, then looked for under each search directory and
 * its parents). */
const pd_source_file *pd_source_get(pd_source *s, const char *display);
/* Line `line` (from 1) without its line break; 0 past the end. */
int pd_source_line(const pd_source_file *sf, int64_t line, const char **text, size_t *len);

/* `profdiff list` as text: `go tool pprof -list`'s layout for one
 * snapshot; over a series (order: positions -> snapshots) the first and
 * last snapshot's flat and cum and their change per line. Percentages are
 * of the unfiltered total unless relative (-relative_percentages). A file
 * that cannot be found adds a line to warnings and is listed without code.
 * Returns the number of functions listed (0: the pattern matched none). */
uint32_t pd_report_list_text(pd_buf *out, const pd_listing *l, pd_source *src, const uint32_t *order,
                             int relative, pd_buf *warnings);

/* ---- where the leading suspects grow (suspects.c) ------------------------------ */

/* One source line of a suspect: its value (flat, or cum) in the first (or
 * base) and the last snapshot, and its code when the source was found. */
typedef struct pd_growing_line {
  const char *file; /* as pprof displays it */
  int64_t line;
  pd_val first, last;
  const char *code; /* without its indentation, cut (code_cut) at 100 code points; NULL: not found */
  int code_cut;
} pd_growing_line;

typedef struct pd_suspect_lines_fn {
  uint32_t key; /* the suspect, in the series' keys */
  int cum;      /* no line grew in flat: the lines' cum */
  pd_growing_line *lines; /* fastest-growing first */
  uint32_t n;
} pd_suspect_lines_fn;

typedef struct pd_suspect_lines {
  pd_arena arena;
  const char *unit;
  const char *path[2]; /* the snapshots compared */
  pd_suspect_lines_fn *fns; /* the suspects with a growing line, in the order given */
  uint32_t nfns;
} pd_suspect_lines;

/* From a listing of exactly the suspects' names over two snapshots (the
 * first, or base, then the last): per suspect key, its per_fn lines that
 * grew most, their code read through src. */
void pd_suspect_lines_build(pd_suspect_lines *out, const pd_listing *l, pd_source *src, const pd_series *s,
                            const uint32_t *keys, uint32_t nkeys, uint32_t per_fn);
void pd_suspect_lines_free(pd_suspect_lines *sl);
/* Their Markdown section, "### Where the suspects grow": a table per
 * suspect (line, first, last, change, code); nothing when sl is NULL or
 * holds no line. report.md writes it after the suspects, and report.html
 * renders it from there. */
void pd_report_suspect_lines_md(pd_buf *out, const pd_suspect_lines *sl, const pd_series *s);

/* Folded stacks from a snapshot's tree: one line per stack with a non-zero
 * self value, root first, children in name order. */
void pd_report_folded(pd_buf *out, const pd_tree *t, const pd_intern *keys,
                      int self_col);

/* Which files a report writes (--output-format). */
enum {
  PD_REPORT_JSON = 1 << 0,  /* report.json */
  PD_REPORT_MD = 1 << 1,    /* report.md */
  PD_REPORT_HTML = 1 << 2,  /* report.html */
  PD_REPORT_JUNIT = 1 << 3, /* junit.xml */
  PD_REPORT_SVG = 1 << 4,   /* the graphs as .svg files, and sparklines/ */
};

/* What a report contains and where it goes: the one configuration every
 * writer reads (the shape of pprof's report.Options). The CLI fills it from
 * the flags; pd_report_write does the rest. */
/* report --group-by KEY: the series again for one value of the label. */
typedef struct pd_report_group {
  const char *value;
  const pd_series *series;
} pd_report_group;

/* How much of each function report.json holds (--json-detail; the rule is
 * docs/report-json.md's "Detail"): every function's summary figures always;
 * its per-snapshot values (flat, cum, flat_sigma) for all (full), none
 * (summary) or, by default, the functions that matter: the suspects, the
 * PD_JSON_VALUES_LARGEST largest, then the changed beyond the noise, at most
 * PD_JSON_VALUES_MAX in all. */
typedef enum { PD_JSON_DETAIL_DEFAULT, PD_JSON_DETAIL_SUMMARY, PD_JSON_DETAIL_FULL } pd_json_detail;
enum { PD_JSON_VALUES_MAX = 100, PD_JSON_VALUES_LARGEST = 20 };
/* "default", "summary", "full" */
const char *pd_json_detail_name(pd_json_detail d);
/* The level a name says; PD_ERR for another name. */
int pd_json_detail_parse(const char *name, pd_json_detail *d);

typedef struct pd_report_config {
  const char *dir;                 /* the report directory (pd_report_write) */
  unsigned formats;                /* PD_REPORT_* (pd_report_write) */
  const char *version;             /* profdiff's version */
  const char *title;               /* --title, or NULL */
  const char *notes;               /* --notes: the user's Markdown, placed first */
  uint32_t max_rows;               /* rows per table (0: 20) */
  const pd_gate *gates;            /* evaluated --fail-on gates */
  size_t ngates;
  const pd_memtimeline *memory_tl; /* heap versus container memory, or NULL */
  const pd_memory_result *memory;
  const char *template_dir;        /* --template-dir, or NULL */
  const char *group_key;           /* --group-by, or NULL */
  const pd_report_group *groups;   /* one per value of it, by value */
  uint32_t ngroups;
  const pd_suspect_lines *suspect_lines; /* where the leading suspects grow, or NULL */
  /* the written series' functions in report order (pd_report_function_order),
   * sorted once for every writer (pd_report_write), or NULL: each sorts */
  const uint32_t *order;
  pd_json_detail json_detail;      /* --json-detail */
  const char *comment_id;          /* --comment-id: report.md's <!-- profdiff:ID --> marker, or NULL */
  const char *link_base;           /* --link-base: report.md links to graphs and sparklines under this
                                    * URL (where DIR is published), or NULL: no links */
  /* the step being written ("writing report.html"), for a progress line
   * (cli/progress.c); NULL: none. Called from the calling thread only. */
  void (*progress)(void *ctx, const char *step);
  void *progress_ctx;
} pd_report_config;

/* Whether ID may name a comment (--comment-id): 1 to 100 letters, digits,
 * '.', '_', '-' (it goes into an HTML comment; scripts/action.sh's rule). */
int pd_report_comment_id_valid(const char *id);

/* Writes the whole report of an analysed series into c->dir: the formats
 * asked for, the graphs and sparklines they need, report.json on a thread
 * of its own. Everything is staged and appears together on success; on an
 * error nothing in the directory changes and err says why. */
int pd_report_write(const pd_series *s, const pd_report_config *c, pd_err *err);

/* The writers, each usable on its own (the unit tests do). */

/* report.json (docs/report-json.md). */
void pd_report_json(pd_buf *out, const pd_series *s, const pd_report_config *c);

/* Indexes into s->fs in the order reports list functions: suspects first,
 * then by |delta|, by last value, by name. The caller frees. */
uint32_t *pd_report_function_order(const pd_series *s);

/* What pd_report_write made beside the text, for the Markdown and HTML
 * writers to link to or draw inline: the graphs and the sparklines. A
 * writer called on its own passes NULL (no links, no graphs). */
typedef struct pd_report_link {
  const char *label, *href; /* href: a file profdiff wrote into the report directory */
} pd_report_link;

/* Draws sparkline `index` (a function in report order) into svg. */
typedef int (*pd_report_sparkline_fn)(void *ctx, uint32_t index, pd_buf *svg);
/* What drawing a graph for report.html found: what its legend says. */
typedef struct pd_report_drawn {
  double max_change; /* diff: largest |self change|; growth: largest |self slope| */
} pd_report_drawn;
/* Draws flame graph (or chart) i into svg for report.html to inline, its
 * ids prefixed with id_prefix (pd_flame_opts.embedded). */
typedef int (*pd_report_graph_fn)(void *ctx, size_t index, const char *id_prefix, pd_buf *svg,
                                  pd_report_drawn *drawn, pd_err *err);
struct pd_report_file;

typedef struct pd_report_parts {
  const char *sparkline_dir;   /* sparkline SVGs are <dir>/fNNNNN.svg, or NULL */
  uint8_t *sparkline_used;     /* when non-NULL (one byte per function, in report
                                * order), the Markdown writer marks each
                                * sparkline it links to */
  const pd_report_link *links; /* the graph files */
  size_t nlinks;
  const struct pd_report_file *graphs; /* report.html's graphs, drawn by graph() */
  size_t ngraphs;
  pd_report_graph_fn graph;
  pd_report_sparkline_fn sparkline; /* makes the SVG of sparkline fNNNNN */
  void *ctx;
  const char *graph_script;    /* the graphs' flamegraph.js, run once by report.html; NULL: none */
  int html;                    /* the Markdown is for report.html, which draws
                                * its own gate badge and figure links */
} pd_report_parts;

/* report.md: GitHub-flavoured Markdown under 65,536 characters, written as
 * a pull-request comment: the verdict on the first line, at most six
 * columns, <details> blocks, links only under c->link_base, the marker of
 * c->comment_id. With p->html, the plain Markdown report.html renders (a
 * # title, ### sections, no raw HTML). */
void pd_report_markdown(pd_buf *out, const pd_series *s, const pd_report_config *c,
                        const pd_report_parts *p);

/* A function's values over the series as block characters (a text
 * sparkline for tables), at most max_bars (1 to 24; 0: 24) of them. */
void pd_report_sparkline_text(pd_buf *out, const pd_series *s, uint32_t key, uint32_t max_bars);

/* report.html: the Markdown report rendered with cmark-gfm into
 * templates/report.html, graphs and sparklines inline. */
int pd_report_html(pd_buf *out, const pd_series *s, const pd_report_config *c,
                   const pd_report_parts *p, pd_err *err);

/* The SVG files of a report (render/): flame graphs of the first (or base)
 * and the last snapshot, the differential graph between them, the growth
 * graph and the timeline of the total (with three or more snapshots), and
 * the memory chart when memory.stat files were given. script is
 * templates/flamegraph.js, embedded in each flame graph (NULL: static). */
enum { PD_REPORT_GRAPH_FLAME, PD_REPORT_GRAPH_TIMELINE, PD_REPORT_GRAPH_MEMORY };
typedef struct pd_report_file {
  const char *name;    /* file name in the report directory */
  const char *id;      /* the name without .svg: report.html's anchor and id prefix */
  const char *caption;
  int kind;            /* PD_REPORT_GRAPH_* */
  int mode, col;       /* a flame graph's pd_flame_mode and tree column */
} pd_report_file;

typedef struct pd_report_graphs {
  pd_report_file files[8];
  size_t n;
  const pd_series *series;
  const pd_memtimeline *timeline;
  const char *script;
} pd_report_graphs;

/* The parts for planned graphs g: links[] (room for g->n) to the graph
 * files, the graphs report.html draws through graph(ctx, ...), its script,
 * and, when sparkline_used is not NULL, the sparklines under "sparklines"
 * through sparkline(ctx, ...). What write.c and the report fuzz target share. */
void pd_report_parts_for(pd_report_parts *p, const pd_report_graphs *g, pd_report_link *links,
                         uint8_t *sparkline_used, pd_report_graph_fn graph, pd_report_sparkline_fn sparkline,
                         void *ctx, const char *script);

/* Lists the graphs of the series (nothing is drawn yet). */
void pd_report_graphs_plan(pd_report_graphs *g, const pd_series *s, const pd_memtimeline *tl,
                           const char *script);
/* Draws graph i into out (emptied first): a file of its own when id_prefix
 * is NULL, else for inside report.html (pd_flame_opts.embedded). drawn, if
 * not NULL, gets what the legend needs. */
int pd_report_graph_render(const pd_report_graphs *g, size_t i, const char *id_prefix, pd_buf *out,
                           pd_report_drawn *drawn, pd_err *err);

/* The sparkline SVG of function s->fs[fs_index]: its flat value over the
 * series. */
void pd_report_sparkline_svg(pd_buf *out, const pd_series *s, uint32_t fs_index);

/* junit.xml: one test case per gate (c->gates), <failure> for each that
 * failed. */
int pd_report_junit(pd_buf *out, const pd_series *s, const pd_report_config *c, pd_err *err);

/* Heap versus container memory (docs/inputs.md): the object report.json
 * carries as "memory" and `profdiff memstat --format json` prints:
 * {"attribution", "explanation", the lines' figures and slopes, the
 * snapshots}, and "skipped" (the inputs --keep-going skipped) when skipped
 * is not NULL. */
void pd_report_memory_json(pd_buf *out, const pd_memtimeline *tl, const pd_memory_result *r,
                           const char *const *skipped, size_t nskipped);
/* The same as a terminal table (`profdiff memstat`): one row per snapshot
 * (heap, anon, active and inactive file cache, working set, usage), the
 * slopes, and the attribution with its sentence. */
void pd_report_memory_text(pd_buf *out, const pd_memtimeline *tl, const pd_memory_result *r);

/* Formats a Unix time in nanoseconds as ISO-8601 UTC ("2026-11-22T18:03:14Z"). */
char *pd_format_time(int64_t ns, char *buf, size_t n);

#endif
