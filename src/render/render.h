/* render.h: pictures of profiles, as static SVG.
 *
 * Owns: flame graph layout and drawing (plain, differential, growth), the
 * palettes that colour frames, and the small charts reports embed
 * (sparklines, the total's timeline with its resets, the memory lines).
 * Drawing follows Brendan Gregg's flamegraph.pl, the conventions users know:
 * a <g> per frame with a <title> tooltip, a <rect> and a label cut with "..",
 * root at the bottom (or the top, inverted), children in name order, red for
 * growth and blue for reduction. Output is built in a pd_buf with every name
 * cut first and escaped second (escape/escape.h), so it is well-formed XML
 * whatever the name; the tests check it with libxml2.
 *
 * Renderers read no files: the interactive script (templates/flamegraph.js)
 * is handed in by the caller, which also decides where the bytes go.
 */
#ifndef PD_RENDER_H
#define PD_RENDER_H

#include "../align/align.h"

/* ---- palettes ---------------------------------------------------------------- */

typedef enum {
  PD_PALETTE_HOT,     /* flamegraph.pl's default: reds, oranges, yellows */
  PD_PALETTE_MEM,     /* flamegraph.pl's memory palette: greens and blues */
  PD_PALETTE_PACKAGE  /* one hue per package (Go import path, C++ namespace) */
} pd_palette;

int pd_palette_parse(const char *s, pd_palette *p);

/* A frame's colour, "#rrggbb". Derived from the name alone (a hash, never
 * a random number), so a function has the same colour in every graph of a
 * report and in every run. */
void pd_palette_color(pd_palette p, const char *name, size_t n, char out[8]);
/* flamegraph.pl's frame annotations, a suffix some collapsers write (perf's
 * "_[k]"): _[k] kernel, _[j] JIT, _[i] inlined, _[w] waker. Returns the
 * kind's letter (0: none); *shown is the name's length without it, which
 * labels and tooltips show, as flamegraph.pl strips it. */
char pd_annotation(const char *name, size_t n, size_t *shown);
/* The colour of an annotated frame, by kind as flamegraph.pl's java, js and
 * chain palettes colour them: kernel orange, JIT green, inlined and waker
 * aqua (the name's hash as their random value). */
void pd_annotation_color(char kind, const char *name, size_t n, char out[8]);

/* The package part of a symbol: "github.com/a/b/pkg.(*T).M" -> "github.com/
 * a/b/pkg", "std::vector<int>::push_back" -> "std", "java.util.HashMap.put"
 * -> "java.util.HashMap", "malloc" -> "malloc". Returns its length. */
size_t pd_symbol_package(const char *name, size_t n);

/* Colour of a change: grey at 0, saturating to red (change > 0) or blue
 * (< 0) at |change| = max, linearly (flamegraph.pl's difference scale). */
void pd_change_color(double change, double max, char out[8]);

/* ---- flame graphs ----------------------------------------------------------------- */

typedef enum {
  PD_FLAME_PLAIN,  /* widths and colours from one profile */
  PD_FLAME_DIFF,   /* widths from head (or base), colour by head - base */
  PD_FLAME_GROWTH  /* widths from the last snapshot, colour by growth slope */
} pd_flame_mode;

/* What a graph is drawn from: columns of a call tree whose nodes share the
 * key table `keys`. Columns hold self values; totals are summed here. */
typedef struct pd_flame_src {
  const pd_tree *tree;
  const pd_intern *keys;
  int head_col;         /* widths (plain, growth; diff unless negate) */
  int cut_col;          /* the part of each self value that a pruned tree
                         * moved there from frames too light to keep; -1 */
  int base_col;         /* diff: the baseline's self values */
  double base_scale;    /* diff: base values are multiplied by this (--normalize) */
  int negate;           /* diff: widths from the base, to see what disappeared */
  const pd_val *slope;   /* growth: per node, the total's slope per hour */
  const char *slope_per; /* growth: "h" (slope per hour) or "snapshot" */
  int chart;            /* a flame chart's tree (pd_tree_flow): children in
                         * time order, not name order, each where it starts */
  const pd_val *start;  /* chart: per node, the time (the values before it)
                         * it starts at: a frame's own time can come before,
                         * between and after its children's */
} pd_flame_src;

typedef struct pd_flame_opts {
  pd_flame_mode mode;
  const char *title;      /* NULL: "Flame Graph" / "Differential ..." / "Growth ..." */
  const char *subtitle;   /* NULL for none */
  const char *unit;       /* pprof unit of the values: "bytes", "nanoseconds", "count" */
  int width;              /* image width in px (1200) */
  int frame_height;       /* px (16) */
  double min_width;       /* frames narrower than this many px are not drawn (0.1) */
  double min_width_frac;  /* ... or than this fraction of the total, when > 0 */
  int inverted;           /* icicle: root at the top */
  pd_palette palette;
  const char *script;     /* templates/flamegraph.js, or NULL for a static image */
  /* A graph inside an HTML page (report.html): no XML prolog, no script of
   * its own (the page runs flamegraph.js once for all its graphs), its
   * <style> scoped to it, and every id prefixed with id_prefix (letters,
   * digits, - and _), so that several graphs share one document. */
  int embedded;
  const char *id_prefix;  /* "" or NULL in a file of its own */
  /* flamegraph.pl's --countname (after each tooltip value), --fonttype
   * (letters, digits, space , - _ . only: it is CSS), --bgcolors (the two
   * gradient stops, "#rrggbb" each) and --notes (a comment; no < > or
   * "--"): NULL for profdiff's own */
  const char *countname, *fonttype, *bg[2], *notes;
  /* flamegraph.pl's --fontsize (labels in px, default 12: how many
   * characters fit a frame follows it) and --nametype (the details line's
   * word before a frame's name, "Function:" in flamegraph.pl; NULL: none) */
  int font_size;
  const char *nametype;
} pd_flame_opts;

void pd_flame_opts_default(pd_flame_opts *o);
/* The text of a flame graph's <script> element for script (inside its
 * CDATA section): what a page that embeds the graph hashes for its
 * Content-Security-Policy (report.html). */
void pd_flame_script_text(pd_buf *out, const char *script);

/* What was drawn, for the command's summary and the tests. */
typedef struct pd_flame_stats {
  uint32_t frames;      /* <g> frames drawn, the root included */
  uint32_t pruned;      /* nodes of the tree left out for being too narrow */
  double pruned_value;  /* the width value not drawn (still inside the parents),
                         * including what a pruned tree had folded away */
  uint32_t depth;       /* deepest drawn frame (root = 0) */
  double total;         /* the root's width value */
  double max_change;    /* diff: largest |delta|; growth: largest |slope| */
} pd_flame_stats;

/* Appends the SVG to out. Fails only on options it cannot honour (a
 * script that would end its own CDATA section). */
int pd_render_flame(pd_buf *out, const pd_flame_src *src, const pd_flame_opts *o,
                    pd_flame_stats *stats, pd_err *err);

/* ---- small charts ------------------------------------------------------------------ */

/* A sparkline: values over the series as a small polyline with the first
 * and last values marked, a tooltip giving both. NAN values are gaps. */
void pd_render_sparkline(pd_buf *out, const double *v, uint32_t n, const char *unit,
                         const char *name, size_t name_len);

typedef struct pd_chart_line {
  const char *label;
  const double *y;   /* n values; NAN for no point */
  const char *color; /* "#rrggbb" */
} pd_chart_line;

/* A line chart over time: the total of a series with its resets, or the
 * memory lines of a container. */
typedef struct pd_chart {
  const char *title;
  const char *unit;          /* pprof unit of every y */
  uint32_t n;
  const double *x;           /* hours since the first point, or positions */
  int x_is_time;             /* label the axis with times (t0_ns + x hours) */
  int64_t t0_ns;
  const pd_chart_line *lines;
  uint32_t nlines;
  const double *marks;       /* x of vertical markers (resets) */
  uint32_t nmarks;
  const char *mark_label;    /* "reset" */
  int width, height;         /* px (0: 720 x 240) */
} pd_chart;

void pd_render_chart(pd_buf *out, const pd_chart *c);

/* The colour scale of a differential or growth graph (pd_change_color) as
 * a small SVG: swatches from -max (blue) through 0 (grey) to +max (red),
 * the ends labelled with max in unit, followed by per ("/h" or "").
 * For inside an HTML page: no XML prolog, no ids. */
void pd_render_change_legend(pd_buf *out, double max, const char *unit, const char *per);

#endif
