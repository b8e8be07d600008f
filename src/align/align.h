/* align.h: from a profile's locations to frame keys, and the call tree.
 *
 * Alignment is by symbol, never by address: a frame's key is a string (the
 * function name, the file, or "function file:line", depending on the
 * granularity) interned in a table that all snapshots of a series share, so
 * the same key id means the same frame in every snapshot. Frames without
 * symbols fall back to "[mapping file]+0xoffset" (stable across runs of the
 * same binary, unlike an address), then to the raw address.
 *
 * Owns: granularity and pprof-style filters (focus, ignore, hide, show,
 * the tag filters on sample labels, and the profile's own
 * drop_frames/keep_frames), the per-profile expansion
 * of samples into key stacks, and pd_tree, the call tree keyed by frame key.
 */
#ifndef PD_ALIGN_H
#define PD_ALIGN_H

#include "../model/model.h"

typedef enum {
  PD_GRAN_FUNCTION,
  PD_GRAN_FILE,
  PD_GRAN_LINE,
  PD_GRAN_FILEFUNCTION, /* pprof's -filefunctions: "name file" */
  PD_GRAN_ADDRESS       /* pprof's -addresses: "%016x name file:line" */
} pd_granularity;

int pd_granularity_parse(const char *s, pd_granularity *g);

/* How C++/Rust names are shown, as pprof's -symbolize=demangle=MODE: by
 * default names that look demangled lose their parameter and template lists
 * ("<Foo as Bar>::call" -> "::call"), which merges instantiations. */
typedef enum {
  PD_DEMANGLE_DEFAULT,   /* no parameters, no template arguments */
  PD_DEMANGLE_TEMPLATES, /* no parameters */
  PD_DEMANGLE_FULL       /* names exactly as recorded */
} pd_demangle;

int pd_demangle_parse(const char *s, pd_demangle *d);
/* Applies the mode to one name (pprof's demangleSingleFunction heuristics
 * for already-demangled names). */
void pd_demangle_name(pd_demangle mode, const char *name, size_t n, pd_buf *out);

/* What a key shows. At file granularity pprof keeps the functions of one
 * file apart (by start line) under the file's one name: such a key is the
 * name, then "\0@" and the start line, which no writer shows. Writers show
 * pd_key_shown_len bytes of a key; a real name that happens to end so is
 * only shown shorter. */
static inline void pd_key_mark(pd_buf *b, int64_t start_line) {
  pd_buf_put(b, "\0@", 2);
  pd_buf_printf(b, "%lld", (long long)start_line);
}
static inline uint32_t pd_key_shown_len(const char *s, uint32_t n) {
  uint32_t i = n;
  while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') i--;
  if (i < n && i >= 2 && s[i - 1] == '@' && s[i - 2] == '\0') return i - 2;
  return n;
}
static inline uint32_t pd_key_len(const pd_intern *keys, uint32_t id) {
  return pd_key_shown_len(pd_intern_str(keys, id), pd_intern_len(keys, id));
}

typedef struct pd_view_opts {
  pd_granularity granularity;
  pd_demangle demangle;
  /* Regular expressions with pprof's meaning; NULL for none. Matched
   * (unanchored) against function names, file names and mapping files. */
  const char *focus;  /* keep only samples with a matching frame */
  const char *ignore; /* drop samples with a matching frame */
  const char *hide;   /* remove matching frames from stacks */
  const char *show;   /* keep only matching frames in stacks */
  /* pprof's tag filters on sample labels (see pd_tagfilter); NULL for none */
  const char *tagfocus, *tagignore, *tagshow, *taghide;
} pd_view_opts;

/* ---- tag filters: pprof's -tagfocus / -tagignore (tags.c) ------------------- */

/* One compiled filter, as pprof's compileTagFilter reads it: "[KEY=]VALUE"
 * where VALUE is a numeric range ("64", "1MB:", ":64kB", "1kB:1MB", a
 * number and a unit each) or else comma-separated regular expressions.
 * Without KEY a regular expression matches "key:value" of any string label
 * (all of them must match some label), a range any numeric label; with KEY
 * only that key's values (any expression). */
typedef struct pd_tagfilter {
  char *key;      /* NULL: any key */
  int numeric;    /* a range: op, lo, hi, unit below */
  int op;         /* PD_TAG_EQ, _GE, _LE, _RANGE */
  double lo, hi;  /* scaled to unit */
  char unit[40];
  pd_regex **re;  /* else these, any of which may match */
  uint32_t nre;
} pd_tagfilter;

enum { PD_TAG_EQ, PD_TAG_GE, PD_TAG_LE, PD_TAG_RANGE };

/* what names the option in messages ("--tagfocus"). */
int pd_tagfilter_compile(pd_tagfilter *f, const char *spec, const char *what, pd_err *err);
void pd_tagfilter_free(pd_tagfilter *f);
/* Whether a sample with these labels (strings from p) passes f. */
int pd_tagfilter_match(const pd_tagfilter *f, const pd_profile *p, const pd_label *l, uint32_t n);

/* The view's patterns, in this order (pd_view_option names them). */
enum { PD_VIEW_FOCUS, PD_VIEW_IGNORE, PD_VIEW_HIDE, PD_VIEW_SHOW, PD_VIEW_NRE };
extern const char *const pd_view_option[PD_VIEW_NRE];

typedef struct pd_view {
  pd_granularity granularity;
  pd_demangle demangle;
  pd_regex *re[PD_VIEW_NRE]; /* --focus, --ignore, --hide, --show; NULL when not given */
  const char *pattern[PD_VIEW_NRE];
  pd_tagfilter tagfocus, tagignore;
  int has_tagfocus, has_tagignore;
  /* --tagshow / --taghide: which label keys `top --tags` lists */
  pd_regex *tagshow, *taghide;
  int has_tagshow, has_taghide;
  /* report --group-by: keep only samples whose string label group_key is
   * exactly group_value (pd_view_set_group) */
  char *group_key, *group_value;
} pd_view;

/* The tag half of pd_view_init / pd_view_free. */
int pd_view_init_tags(pd_view *v, const pd_view_opts *o, pd_err *err);
void pd_view_free_tags(pd_view *v);
/* Whether the view drops samples by their labels (they must then be read). */
static inline int pd_view_has_tag_filters(const pd_view *v) {
  return v->has_tagfocus || v->has_tagignore || v->group_key;
}
/* Keeps only samples with the string label key = value, exactly. */
void pd_view_set_group(pd_view *v, const char *key, const char *value);
/* Whether a sample with these labels passes --tagfocus and --tagignore. */
int pd_view_tags_keep(const pd_view *v, const pd_profile *p, const pd_label *l, uint32_t n);
/* Whether --tagshow / --taghide let label key k (a string) be shown. */
int pd_view_tag_shown(const pd_view *v, const char *k);

/* Compiles the expressions (Go's RE2 syntax, run by PCRE2 within limits:
 * util.h). The view is used by one thread at a time (reduce holds the keys
 * lock while it makes a profile's stacks). */
int pd_view_init(pd_view *v, const pd_view_opts *o, pd_err *err);
void pd_view_free(pd_view *v);

/* Compiles one user regular expression the same way (for other modules):
 * the message names it by what ("--tagshow regular expression ..."). */
int pd_regex_compile(pd_regex **re, const char *pattern, int anchored,
                     const char *what, pd_err *err);

/* Per-profile expansion: each location becomes its list of keys (leaf first)
 * once, so a sample costs a copy per location, not a regex or a hash. */
typedef struct pd_stacks {
  const pd_profile *p;
  const char **fname; /* per function: its name as shown (demangle mode) */
  uint32_t *fname_len;
  uint32_t *key_start; /* per location: keys[key_start[l] .. key_start[l+1]) */
  uint32_t *keys;
  uint32_t *key_line;   /* per entry of keys: the pd_line it names, or PD_NONE */
  uint32_t *key_inline; /* per entry of keys: 1 when inlined into the next
                         * (not its location's last line left), else 0 */
  uint32_t *trim_start; /* drop_frames: keys kept when pruning beneath l */
  uint8_t *flags;       /* PD_LOC_* */
  int has_filters, has_prune;
  unsigned matched;     /* PD_MATCH_*: filters that matched some location */
  uint32_t *out;        /* scratch for one expanded sample */
  uint32_t out_cap;
  pd_arena arena;
} pd_stacks;

enum {
  PD_LOC_FOCUS = 1,        /* matches --focus (or no --focus given) */
  PD_LOC_IGNORE = 2,       /* matches --ignore */
  PD_LOC_PRUNE = 4,        /* drop_frames matched its outermost line */
  PD_LOC_PRUNE_BENEATH = 8 /* drop_frames matched an inner line */
};

/* Which filters matched at least one location (pprof warns "Focus
 * expression matched no samples" for the others). */
enum { PD_MATCH_FOCUS = 1, PD_MATCH_IGNORE = 2, PD_MATCH_HIDE = 4, PD_MATCH_SHOW = 8 };

/* A profile's own drop_frames/keep_frames that do not compile or exceed a
 * limit are a warning in p and are ignored; a view pattern that exceeds a
 * limit on one of p's names is an error. */
int pd_stacks_init(pd_stacks *s, pd_profile *p, const pd_view *v,
                   pd_intern *keys, pd_err *err);
/* Expands a sample's locations into keys, leaf first. Returns the number of
 * keys, -1 when the filters drop the sample, or PD_STACK_TOO_DEEP past
 * PD_MAX_STACK_DEPTH frames (then pd_stacks_too_deep says so). *out stays
 * valid until the next call. */
enum { PD_STACK_TOO_DEEP = -2 };
int pd_stacks_too_deep(const pd_stacks *s, pd_err *err);
int32_t pd_stacks_expand(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                         const uint32_t **out);
/* The same walk, giving for each kept frame the index of its pd_line in
 * p->lines (PD_NONE for a frame without line information): for `list`,
 * which needs a frame's function, file and line apart, not its key. */
int32_t pd_stacks_expand_lines(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                               const uint32_t **out);
/* The same walk, giving for each kept frame 1 when it was inlined into
 * its caller (a line of a location but its outermost), else 0: pprof's
 * inline edges, for top's "(inline)" marks. */
int32_t pd_stacks_expand_inline(pd_stacks *s, const uint32_t *locs, uint32_t nlocs,
                                const uint32_t **out);
void pd_stacks_free(pd_stacks *s);

/* ---- the call tree ----------------------------------------------------------- */

/* Nodes are numbered in creation order, so a parent always has a smaller id
 * than its children and totals are one backwards sweep. Node 0 is the root
 * (key 0, the empty string). Each node has PD_TREE_COLS pd_val columns that
 * callers give meaning to (self value, variance, per-snapshot figures...). */
#define PD_TREE_MAX_COLS 10

typedef struct pd_tree {
  uint32_t n, cap;
  uint32_t *parent, *key;
  int ncols;
  pd_val *col[PD_TREE_MAX_COLS];
  uint64_t *slots; /* (parent, key) -> hash tag | node + 1 */
  size_t nslots;
  uint64_t seed; /* pd_hash_secret(): which children meet is up to the input */
  uint32_t *path_keys, *path_nodes; /* the last inserted path, root first */
  uint32_t path_len, path_cap;
} pd_tree;

void pd_tree_init(pd_tree *t, int ncols, size_t expected_nodes);
void pd_tree_free(pd_tree *t);
/* Finds or creates the child of parent with key. */
uint32_t pd_tree_child(pd_tree *t, uint32_t parent, uint32_t key);
/* Finds a child without creating it; PD_NONE when absent. */
uint32_t pd_tree_find(const pd_tree *t, uint32_t parent, uint32_t key);
/* Walks/creates the path for a leaf-first key stack; returns the leaf node
 * (the root for an empty stack). Consecutive similar stacks are cheap: the
 * shared prefix with the previous path is reused without hashing. */
uint32_t pd_tree_insert(pd_tree *t, const uint32_t *keys_leaf_first, uint32_t n);
/* A flame chart's tree (flamegraph.pl's --flamechart): stacks in the
 * order they come, each merged only with the one before it, frame by frame
 * from the root while the two agree; past that its frames are new nodes,
 * even where a child of that key exists. Returns the leaf node. One parent
 * can then have several children of one key: such a tree is built by
 * pd_tree_flow alone (never pd_tree_child, _find, _insert or _merge), and
 * its children are in time order (pd_tree_kids_in_order). */
uint32_t pd_tree_flow(pd_tree *t, const uint32_t *keys_leaf_first, uint32_t n);
/* out[i] = col[c][i] + sum over descendants (node totals from self values). */
void pd_tree_sum(const pd_tree *t, int c, pd_val *out);
/* Adds src's column src_col into dst's column dst_col node by node (matching
 * paths by key, creating nodes in dst as needed). Both trees must use the
 * same key table. This is how two snapshots (base and head of a diff) or a
 * series come to share one tree. */
void pd_tree_merge(pd_tree *dst, int dst_col, const pd_tree *src, int src_col);

/* Every node's children in name order (bytewise, as folded stacks and flame
 * graphs sort them): children of node i are kids[start[i] .. start[i+1]). */
typedef struct pd_tree_kids {
  uint32_t *start, *kids;
} pd_tree_kids;

void pd_tree_kids_build(const pd_tree *t, const pd_intern *keys, pd_tree_kids *k);
/* Children in the order they were made (a flame chart's: time). */
void pd_tree_kids_in_order(const pd_tree *t, pd_tree_kids *k);
void pd_tree_kids_free(pd_tree_kids *k);

/* dst (initialised by the caller with src's column count) gets every stack
 * of src reversed, leaf first from the root, with each self-value column
 * carried (flamegraph.pl's --reverse). */
void pd_tree_reverse(pd_tree *dst, const pd_tree *src);

#endif
