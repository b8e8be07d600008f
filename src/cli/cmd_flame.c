/* cmd_flame.c: `profdiff flame`, one profile (or a base/head pair) as an SVG
 * flame graph. Reading, options and output live here; layout and drawing in
 * render/flame.c. */
#include "cli.h"
#include "../render/render.h"
#include "../report/templates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const pd_opt S_opts[] = {
    {"output", "FILE", "write the SVG to FILE (atomically) instead of standard output", 0, 'o'},
    {"diff", NULL, "differential graph of two profiles: BASE HEAD (red grew, blue shrank)", 0},
    {"base", "BASE", "FILE against BASE, as go tool pprof -base: the differential graph of --diff BASE FILE", 0},
    {"negate", NULL, "with --diff: draw the base's shape, so what disappeared can be seen", 0},
    {"normalize", NULL, "with --diff: scale the base to the head's total first", 0},
    {"title", "TEXT", "title (default: Flame Graph, Differential Flame Graph)", 0},
    {"subtitle", "TEXT", "second line under the title (default: profile, sample type and total)", 0},
    {"width", "PX", "image width (default 1200)", 0},
    {"height", "PX", "frame height (default 16)", 0},
    {"minwidth", "PX|PCT%", "leave out frames narrower than PX pixels or PCT% of the total (default 0.1)", 0},
    {"inverted", NULL, "icicle graph: root at the top", 0},
    {"reverse", NULL, "reverse stacks: leaf functions at the root, callers above", 0},
    {"palette", "NAME", "hot (default), mem or package (one hue per package)", 0},
    {"colors", "NAME", "flamegraph.pl's spelling of --palette (hot, mem)", 0},
    {"countname", "TEXT", "what the values count, after each in the tooltips (flamegraph.pl's --countname)", 0},
    {"fonttype", "FONT", "the labels' font family (default Verdana)", 0},
    {"fontsize", "PX", "the labels' font size (default 12; flamegraph.pl's --fontsize)", 0},
    {"nametype", "TEXT", "the word before a frame's name on the details line (flamegraph.pl's --nametype)", 0},
    {"bgcolors", "COLOR", "background: yellow, blue, green, grey or #rrggbb (flamegraph.pl's --bgcolors)", 0},
    {"notes", "TEXT", "a comment in the SVG (flamegraph.pl's --notes)", 0},
    {"flamechart", NULL, "a flame chart: stacks in input order, merged only with the one before (flamegraph.pl's --flamechart)", 0},
    {"static", NULL, "no script: a plain image without zoom or search", 0},
    {"template-dir", "DIR", "use flamegraph.js from DIR when present", 0},
    PD_PROFILE_OPTS,
    {NULL, NULL, NULL, 0}};

/* "0.1" (pixels) or "0.5%" (of the total, i.e. of the drawable width). */
static int S_minwidth(const char *v, double span, double *px, pd_err *err) {
  char *end;
  double d = strtod(v, &end);
  if (end == v || (*end && strcmp(end, "%") != 0) || !isfinite(d) || d < 0)
    return pd_fail(err, "--minwidth wants pixels (0.1) or a percentage (0.5%%), not \"%s\"", v);
  *px = *end == '%' ? d / 100 * span : d;
  return PD_OK;
}

/* how: "added" (a graph of their sum) or "in turn" (a chart of one after
 * the other) */
static void S_subtitle(pd_buf *b, const pd_snapshot *s, int ninputs, const char *how) {
  char t[64];
  pd_buf_puts(b, pd_basename(s->path));
  if (ninputs > 1) pd_buf_printf(b, " and %d other input%s, %s", ninputs - 1, ninputs > 2 ? "s" : "", how);
  pd_buf_printf(b, ": %s, total %s", s->sample_type, pd_unit_label(s->total, s->unit, "auto", t, sizeof t));
}

/* flamegraph.pl's --countname, --fonttype, --fontsize, --nametype,
 * --bgcolors and --notes, checked where they would reach CSS or end an XML
 * comment. */
static int S_flamegraph_pl(const pd_args *a, pd_flame_opts *o, pd_err *err) {
  o->countname = pd_arg(a, "countname");
  const char *font = pd_arg(a, "fonttype");
  if (font && (!*font || strspn(font, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,-_.") !=
                             strlen(font)))
    return pd_fail(err, "--fonttype wants a font name (letters, digits, spaces, commas, - _ .)");
  o->fonttype = font;
  const char *size = pd_arg(a, "fontsize");
  if (size) {
    char *end;
    long v = strtol(size, &end, 10);
    if (end == size || *end || v < 4 || v > 100) return pd_fail(err, "--fontsize wants whole pixels from 4 to 100");
    o->font_size = (int)v;
  }
  o->nametype = pd_arg(a, "nametype");
  const char *bg = pd_arg(a, "bgcolors");
  /* flamegraph.pl's gradients */
  static const char *const themes[][3] = {{"yellow", "#eeeeee", "#eeeeb0"}, {"blue", "#eeeeee", "#e0e0ff"},
                                          {"green", "#eef2ee", "#e0ffe0"}, {"grey", "#f8f8f8", "#e8e8e8"}};
  for (size_t i = 0; bg && i < sizeof themes / sizeof themes[0]; i++)
    if (strcmp(bg, themes[i][0]) == 0) o->bg[0] = themes[i][1], o->bg[1] = themes[i][2];
  if (bg && !o->bg[0]) {
    if (strlen(bg) != 7 || bg[0] != '#' || strspn(bg + 1, "0123456789abcdefABCDEF") != 6)
      return pd_fail(err, "--bgcolors must be yellow, blue, green, grey or #rrggbb");
    o->bg[0] = o->bg[1] = bg;
  }
  const char *notes = pd_arg(a, "notes");
  if (notes && (strpbrk(notes, "<>") || strstr(notes, "--") || (*notes && notes[strlen(notes) - 1] == '-')))
    return pd_fail(err, "--notes cannot hold < or > (as flamegraph.pl's), nor \"--\" or end with -: it is an XML comment");
  o->notes = notes;
  return PD_OK;
}

/* Everything about the picture that the options say, before any input is
 * read (so a bad option costs nothing). */
static int S_options(const pd_args *a, int diff, pd_flame_opts *o, pd_err *err) {
  pd_flame_opts_default(o);
  unsigned long width = 1200, height = 16;
  if (pd_arg_uint(a, "width", 1200, &width, err) != PD_OK || pd_arg_uint(a, "height", 16, &height, err) != PD_OK)
    return PD_ERR;
  if (width < 100 || width > 100000 || height < 4 || height > 200)
    return pd_fail(err, "--width wants 100 to 100000 pixels and --height 4 to 200");
  o->width = (int)width;
  o->frame_height = (int)height;
  if (pd_arg(a, "minwidth") && S_minwidth(pd_arg(a, "minwidth"), o->width - 20.0, &o->min_width, err) != PD_OK)
    return PD_ERR;
  if (pd_arg(a, "palette") && pd_palette_parse(pd_arg(a, "palette"), &o->palette) != PD_OK)
    return pd_fail(err, "--palette must be hot, mem or package, not \"%s\"", pd_arg(a, "palette"));
  const char *colors = pd_arg(a, "colors");
  if (colors && pd_arg(a, "palette"))
    return pd_fail(err, "--colors and --palette say the same thing: give one");
  if (colors && pd_palette_parse(colors, &o->palette) != PD_OK)
    return pd_fail(err, "--colors %s: flamegraph.pl's palette is not one profdiff draws; --palette has hot, mem and package",
                   colors);
  if (S_flamegraph_pl(a, o, err) != PD_OK) return PD_ERR;
  o->inverted = pd_arg_flag(a, "inverted");
  o->mode = diff ? PD_FLAME_DIFF : PD_FLAME_PLAIN;
  o->title = pd_arg(a, "title");
  /* flamegraph.pl's --flamechart titles a chart "Flame Chart", inverted or not */
  if (o->title == NULL && o->inverted && !pd_arg_flag(a, "flamechart"))
    o->title = diff ? "Differential Icicle Graph" : "Icicle Graph";
  return PD_OK;
}

static int S_render(const pd_args *a, pd_flame_opts *o, pd_snapshot *snaps, int nsnaps, const pd_intern *keys,
                    pd_buf *svg, pd_err *err) {
  int diff = nsnaps == 2;
  pd_snapshot *head = &snaps[nsnaps - 1], *base = diff ? &snaps[0] : NULL;
  if (diff && (strcmp(head->sample_type, base->sample_type) != 0 || strcmp(head->unit, base->unit) != 0))
    return pd_fail(err, "%s measures %s (%s) but %s measures %s (%s): nothing to compare", base->path,
                   base->sample_type, base->unit, head->path, head->sample_type, head->unit);
  o->unit = head->unit;
  /* a diff needs one tree with the head in column 0 and the base in
   * column 1; a single profile's own tree is drawn as it is */
  pd_tree tree, *drawn = &head->tree;
  int owned = diff || pd_arg_flag(a, "reverse");
  if (diff) {
    pd_tree_init(&tree, 2, head->tree.n + base->tree.n / 4);
    pd_tree_merge(&tree, 0, &head->tree, PD_COL_SELF);
    pd_tree_merge(&tree, 1, &base->tree, PD_COL_SELF);
    drawn = &tree;
  }
  if (pd_arg_flag(a, "reverse")) {
    pd_tree rev;
    pd_tree_init(&rev, 2, drawn->n);
    pd_tree_reverse(&rev, drawn);
    if (diff) pd_tree_free(&tree);
    tree = rev;
    drawn = &tree;
  }
  pd_flame_src src;
  memset(&src, 0, sizeof src);
  src.tree = drawn;
  src.keys = keys;
  src.head_col = owned ? 0 : PD_COL_SELF;
  src.cut_col = owned ? -1 : PD_COL_CUT; /* only a single profile's tree is pruned */
  src.base_col = 1;
  src.base_scale = 1;
  src.negate = diff && pd_arg_flag(a, "negate");
  if (diff && pd_arg_flag(a, "normalize") && base->total > 0) src.base_scale = head->total / base->total;

  pd_buf sub = PD_BUF_INIT;
  if (pd_arg(a, "subtitle")) {
    pd_buf_puts(&sub, pd_arg(a, "subtitle"));
  } else if (diff) {
    char x[64], y[64], d[64];
    pd_buf_printf(&sub, "%s -> %s: %s %s -> %s (%s%s)%s%s", pd_basename(base->path), pd_basename(head->path),
                  head->sample_type, pd_unit_label(base->total, base->unit, "auto", x, sizeof x),
                  pd_unit_label(head->total, head->unit, "auto", y, sizeof y),
                  head->total > base->total ? "+" : "",
                  pd_unit_label(head->total - base->total, head->unit, "auto", d, sizeof d),
                  src.negate ? "; widths from the base" : "",
                  src.base_scale != 1 ? "; base normalized to the head's total" : "");
  } else {
    S_subtitle(&sub, head, a->npos, "added");
  }
  o->subtitle = sub.data;
  pd_buf script = PD_BUF_INIT;
  int rc = PD_OK;
  if (!pd_arg_flag(a, "static")) {
    rc = pd_template_get("flamegraph.js", pd_arg(a, "template-dir"), &script, err);
    o->script = script.data ? script.data : "";
  }
  if (rc == PD_OK) rc = pd_render_flame(svg, &src, o, NULL, err);
  pd_buf_free(&script);
  pd_buf_free(&sub);
  if (owned) pd_tree_free(&tree);
  return rc;
}

/* ---- --flamechart ------------------------------------------------------------------ */

typedef struct {
  pd_tree *tree;
  pd_stacks *stacks;
  const pd_view *view;
  int index, reverse, tagged;
  uint32_t *rev;
  uint32_t rev_cap;
  double total, time; /* time: the values so far, where the next frame starts */
  pd_err *err;
} S_chart;

static int S_chart_sample(void *vctx, const uint32_t *locs, uint32_t nlocs, const pd_val *values,
                          const pd_label *labels, uint32_t nlabels) {
  S_chart *c = vctx;
  if (c->tagged && !pd_view_tags_keep(c->view, c->stacks->p, labels, nlabels)) return PD_OK;
  const uint32_t *keys;
  int32_t n = pd_stacks_expand(c->stacks, locs, nlocs, &keys);
  if (n == PD_STACK_TOO_DEEP) return pd_stacks_too_deep(c->stacks, c->err);
  if (n < 0) return PD_OK; /* the filters dropped it: as if it were not there */
  if (c->reverse && n > 1) {
    if ((uint32_t)n > c->rev_cap) {
      c->rev_cap = (uint32_t)n * 2;
      c->rev = pd_xrealloc(c->rev, c->rev_cap * sizeof *c->rev);
    }
    for (int32_t i = 0; i < n; i++) c->rev[i] = keys[n - 1 - i];
    keys = c->rev;
  }
  /* a sample of no value still ends the frames it does not share, as a
   * line of count 0 does in flamegraph.pl */
  pd_val v = values[c->index];
  uint32_t made = c->tree->n;
  uint32_t leaf = pd_tree_flow(c->tree, keys, (uint32_t)n);
  for (uint32_t i = made; i < c->tree->n; i++) c->tree->col[1][i] = c->time; /* the frames it opened */
  c->tree->col[0][leaf] += v;
  c->time += v;
  if (v > 0) c->total += v;
  return PD_OK;
}

/* flamegraph.pl's --flamechart: every input's samples in the order the
 * file has them (folded stacks: its lines; pprof: its samples), one input
 * after the other as flamegraph.pl reads its files, into a tree where a
 * stack merges only with the one before it. */
static int S_chart_run(const pd_args *a, pd_flame_opts *o, const pd_view *view, pd_buf *svg, pd_err *err) {
  pd_intern keys;
  pd_intern_init(&keys, 4096);
  pd_tree tree;
  pd_tree_init(&tree, 2, 1024); /* own values; where each node starts */
  tree.col[1][0] = 0;
  S_chart c;
  memset(&c, 0, sizeof c);
  c.tree = &tree;
  c.view = view;
  c.reverse = pd_arg_flag(a, "reverse");
  c.tagged = pd_view_has_tag_filters(view);
  c.err = err;
  pd_snapshot first; /* what the subtitle says: the first input's name, type and unit */
  memset(&first, 0, sizeof first);
  char type[128] = "", unit[64] = "";
  int rc = PD_OK;
  pd_ingest_opts io;
  rc = pd_cli_ingest_opts(a, &io, err);
  for (int i = 0; rc == PD_OK && i < a->npos; i++) {
    pd_profile p;
    pd_mem_doing was = pd_mem_doing_set(a->pos[i], "reading it");
    rc = pd_ingest_file(a->pos[i], &io, &p, err);
    int index = 0;
    if (rc == PD_OK) rc = pd_profile_sample_index(&p, pd_arg(a, "sample-index"), &index, err);
    if (rc == PD_OK) {
      const char *t = pd_profile_str(&p, p.types[index].type), *u = pd_profile_str(&p, p.types[index].unit);
      if (i == 0) {
        snprintf(type, sizeof type, "%s", t);
        snprintf(unit, sizeof unit, "%s", u);
      } else if (strcmp(type, t) != 0 || strcmp(unit, u) != 0) {
        rc = pd_fail(err, "%s measures %s (%s) but %s measures %s (%s): one chart cannot add them", a->pos[0], type,
                     unit, a->pos[i], t, u);
      }
    }
    pd_stacks stacks;
    if (rc == PD_OK) rc = pd_stacks_init(&stacks, &p, view, &keys, err);
    if (rc == PD_OK) {
      c.stacks = &stacks;
      c.index = index;
      rc = pd_profile_samples_labeled(&p, 0, p.nsamples, S_chart_sample, &c, err);
      pd_stacks_free(&stacks);
    }
    if (rc == PD_OK)
      for (uint32_t w = 0; w < p.nwarnings; w++) pd_cli_warn(p.warnings[w]);
    pd_profile_free(&p);
    pd_mem_doing_restore(was);
  }
  if (rc == PD_OK) {
    first.path = a->pos[0];
    first.sample_type = type;
    first.unit = unit;
    first.total = c.total;
    o->unit = unit;
    pd_flame_src src;
    memset(&src, 0, sizeof src);
    src.tree = &tree;
    src.keys = &keys;
    src.head_col = 0;
    src.cut_col = -1;
    src.base_scale = 1;
    src.chart = 1;
    src.start = tree.col[1];
    pd_buf sub = PD_BUF_INIT, script = PD_BUF_INIT;
    if (pd_arg(a, "subtitle")) pd_buf_puts(&sub, pd_arg(a, "subtitle"));
    else S_subtitle(&sub, &first, a->npos, "in turn");
    o->subtitle = sub.data;
    if (!pd_arg_flag(a, "static")) {
      rc = pd_template_get("flamegraph.js", pd_arg(a, "template-dir"), &script, err);
      o->script = script.data ? script.data : "";
    }
    if (rc == PD_OK) rc = pd_render_flame(svg, &src, o, NULL, err);
    pd_buf_free(&script);
    pd_buf_free(&sub);
  }
  free(c.rev);
  pd_tree_free(&tree);
  pd_intern_free(&keys);
  return rc;
}

/* Adds input s to the graph of sum (the first input): the same sample
 * type (by name and unit), trees merged, totals and widths added. */
static int S_add(pd_snapshot *sum, const pd_snapshot *s, pd_err *err) {
  if (strcmp(sum->sample_type, s->sample_type) != 0 || strcmp(sum->unit, s->unit) != 0)
    return pd_fail(err, "%s measures %s (%s) but %s measures %s (%s): one graph cannot add them", sum->path,
                   sum->sample_type, sum->unit, s->path, s->sample_type, s->unit);
  pd_tree_merge(&sum->tree, PD_COL_SELF, &s->tree, PD_COL_SELF);
  pd_tree_merge(&sum->tree, PD_COL_CUT, &s->tree, PD_COL_CUT);
  sum->total += s->total;
  sum->total_all += s->total_all;
  return PD_OK;
}

static int S_run(const pd_args *args) {
  pd_err err;
  const pd_args *a = args;
  /* --base BASE FILE: pprof draws a profile less its base as a diff (its
   * flame graph shows each frame's change), which --diff BASE FILE is */
  pd_args with_base;
  const char *pos[2];
  if (pd_arg(args, "base")) {
    if (pd_arg_flag(args, "diff") || args->npos != 1) {
      pd_cli_error("flame --base BASE takes one profile, FILE, and no --diff (see profdiff flame --help)");
      return PD_EXIT_ERROR;
    }
    with_base = *args;
    pos[0] = pd_arg(args, "base");
    pos[1] = args->pos[0];
    with_base.pos = pos;
    with_base.npos = 2;
    a = &with_base;
  }
  int diff = pd_arg_flag(a, "diff") || pd_arg(a, "base");
  if (diff && a->npos != 2) {
    pd_cli_error("flame --diff needs two profiles: BASE HEAD (see profdiff flame --help)");
    return PD_EXIT_ERROR;
  }
  if (!diff && a->npos < 1) {
    pd_cli_error("flame needs a profile (or several, or - for standard input), or --diff BASE HEAD (see profdiff flame --help)");
    return PD_EXIT_ERROR;
  }
  if (!diff && (pd_arg_flag(a, "negate") || pd_arg_flag(a, "normalize"))) {
    pd_cli_error("--negate and --normalize only apply with --diff");
    return PD_EXIT_ERROR;
  }
  if (diff && pd_arg_flag(a, "flamechart")) {
    pd_cli_error("--flamechart draws one chart of its inputs in order; --diff and --base compare two graphs (see profdiff flame --help)");
    return PD_EXIT_ERROR;
  }
  pd_flame_opts o;
  pd_view view;
  if (S_options(a, diff, &o, &err) != PD_OK || pd_cli_view(a, &view, &err) != PD_OK) return pd_cli_exit(PD_ERR, &err);
  if (pd_arg_flag(a, "flamechart")) {
    pd_buf svg = PD_BUF_INIT;
    int rc = S_chart_run(a, &o, &view, &svg, &err);
    if (rc == PD_OK) rc = pd_cli_emit(pd_arg(a, "output"), &svg, &err);
    pd_buf_free(&svg);
    pd_view_free(&view);
    return pd_cli_exit(rc, &err);
  }
  /* A single profile's tree is pruned while it is built: a frame whose
   * function is lighter everywhere than min_width px can never be drawn, so
   * its subtree is never made (totals stay exact; reduce.c). A diff keeps
   * whole trees: a frame too light to draw in the base can be wide in the
   * head, and its base value must stay where it is. So does --reverse,
   * which regroups stacks by their leaves. */
  double min_fraction = diff || pd_arg_flag(a, "reverse") || a->npos > 1 ? 0 : o.min_width / (o.width - 20.0);
  pd_intern keys;
  pd_intern_init(&keys, 4096);
  /* several inputs (flamegraph.pl reads its files as one): one graph of
   * their sum, each read in turn and added to the first's tree */
  pd_snapshot snaps[2];
  int loaded = 0, rc = PD_OK;
  if (a == &with_base) {
    /* FILE first: BASE is read for its sample type, by name (pprof's) */
    rc = pd_cli_load(a->pos[1], a, &view, &keys, 1, 0, &snaps[1], &err);
    if (rc == PD_OK && (rc = pd_cli_load_as(a->pos[0], a, &view, &keys, 1, snaps[1].sample_type, &snaps[0], &err)) != PD_OK)
      pd_snapshot_free(&snaps[1]);
    if (rc == PD_OK) loaded = 2;
  }
  for (int i = 0; a != &with_base && i < a->npos && rc == PD_OK; i++) {
    pd_snapshot *s = &snaps[i < 2 ? i : 1];
    rc = pd_cli_load(a->pos[i], a, &view, &keys, 1, min_fraction, s, &err);
    if (rc != PD_OK) break;
    if (diff || i == 0) {
      loaded++;
      continue;
    }
    rc = S_add(&snaps[0], s, &err);
    pd_snapshot_free(s);
  }
  pd_buf svg = PD_BUF_INIT;
  if (rc == PD_OK) rc = S_render(a, &o, snaps, loaded, &keys, &svg, &err);
  if (rc == PD_OK) rc = pd_cli_emit(pd_arg(a, "output"), &svg, &err);
  pd_buf_free(&svg);
  for (int i = 0; i < loaded; i++) pd_snapshot_free(&snaps[i]);
  pd_intern_free(&keys);
  pd_view_free(&view);
  return pd_cli_exit(rc, &err);
}

const pd_command pd_cmd_flame = {
    "flame",
    "draw an SVG flame graph of a profile, or a differential one of two",
    "flame [options] [-o OUT.svg] FILE... | flame --diff [options] [-o OUT.svg] BASE HEAD",
    "Draws a flame graph in flamegraph.pl's conventions: one box per frame, its\n"
    "width the frame's share of the total, callers below callees (--inverted for\n"
    "an icicle), children in name order, a tooltip with the value and percent.\n"
    "The SVG carries a small script: click to zoom, Reset Zoom, Search (a regular\n"
    "expression; shows the matched share) and Ctrl-F; with scripting off (or\n"
    "--static) it is a plain picture; \"ic\" (Ctrl-I) makes the search ignore\n"
    "case. Inputs are any profile profdiff reads, folded stacks included;\n"
    "several are drawn as one graph of their sum, and - is standard input (as\n"
    "flamegraph.pl reads them). Frame annotations _[k] _[j] _[i] _[w] are cut\n"
    "from labels and colour the frame by kind (kernel orange, JIT green,\n"
    "inlined and waker aqua), as flamegraph.pl does.\n\n"
    "--diff BASE HEAD draws HEAD's shape coloured by the change of every frame\n"
    "from BASE: red grew, blue shrank, saturation proportional to the change\n"
    "relative to the largest one, grey unchanged. --negate draws BASE's shape\n"
    "instead (to see frames that disappeared), --normalize scales BASE to HEAD's\n"
    "total first. --base BASE FILE (pprof's -base) is --diff BASE FILE.\n\n"
    "--flamechart draws flamegraph.pl's flame chart instead: the x axis is the\n"
    "input's order (folded lines as they come; a pprof file's samples in the\n"
    "order it stores them, which is not a time; several inputs one after the\n"
    "other), each stack merged only with the one before it, title \"Flame Chart\".\n"
    "See docs/flame.md.",
    S_opts,
    S_run};
