/* analyse.h: from key stacks to figures.
 *
 * Owns: the reduction of one profile to a snapshot (per-key flat and cum,
 * optionally the call tree), the sampling-noise model, pprof's top-table
 * selection, and (series.h) everything computed across snapshots.
 *
 * flat and cum follow pprof's graph rules everywhere: flat goes to the leaf
 * frame of each sample; cum goes once to every distinct key on the stack, so
 * recursion is not counted twice.
 */
#ifndef PD_ANALYSE_H
#define PD_ANALYSE_H

#include "../align/align.h"

/* ---- sampling noise ------------------------------------------------------------ */

/* How uncertain a sample's value is because the profiler sampled:
 *  - HEAP: Go's heap profiler records an allocation of s bytes with
 *    probability p = 1 - exp(-s/rate) and scales it by 1/p; for n objects of
 *    mean size s the variance of the scaled bytes is n s^2 (1-p)/p.
 *  - POISSON: time-based sampling (CPU): each sample stands for `rate` units,
 *    so a value v made of v/rate samples has variance v * rate.
 *  - NONE: values are exact (or we cannot tell). docs/analysis.md has the
 *    derivation. */
typedef enum { PD_NOISE_NONE, PD_NOISE_HEAP, PD_NOISE_POISSON } pd_noise_kind;

typedef struct pd_noise {
  pd_noise_kind kind;
  int space_index, count_index; /* HEAP: the paired value types */
  int value_is_count;           /* HEAP: the chosen type counts objects */
  /* HEAP: the profile's cumulative allocations of the same kind (Go's
   * alloc_space and alloc_objects; the chosen pair itself when it is
   * alloc_*), -1 when it has none: what makes persistence known
   * (pd_noise_alloc_variance, docs/analysis.md section 4) */
  int alloc_space_index, alloc_count_index;
  double rate;
} pd_noise;

void pd_noise_init(pd_noise *n, const pd_profile *p, int index);
double pd_noise_variance(const pd_noise *n, const pd_val *values, double value);
/* The sampling variance of a sample's cumulative allocations (of the kind
 * the value counts: bytes or objects): every object sampled since the
 * process began, freed or not. Between two snapshots of one process it
 * grows by the variance of the objects sampled in between, and the value's
 * variance by that less the variance of the sampled objects freed, so the
 * two tell how many sampled objects came and went (trend.c). 0 without. */
double pd_noise_alloc_variance(const pd_noise *n, const pd_val *values);
/* Whether a sample's record has never freed a sampled object: its
 * cumulative allocations are its in-use figures, objects and bytes
 * (a leak's record, where a churning one frees as it allocates). Only
 * for an in-use value with allocations beside it. */
int pd_noise_never_freed(const pd_noise *n, const pd_val *values);
static inline int pd_noise_has_alloc(const pd_noise *n) {
  return n->kind == PD_NOISE_HEAP && n->alloc_space_index >= 0 && n->alloc_count_index >= 0;
}

/* ---- one snapshot ------------------------------------------------------------- */

/* What every frame of a sample updates for its key, in half a cache line
 * (a sample touches a dozen keys at random among tens of thousands). */
typedef struct pd_keytotal {
  pd_val cum;
  double cum_abs;  /* sum of |value|: bounds every tree node with this key */
  uint32_t stamp;  /* last sample that added to cum, for recursion */
  uint32_t seen;   /* on some stack, even if only with zero values */
} pd_keytotal;

/* Per-key figures of one snapshot, indexed by key id. */
typedef struct pd_functotals {
  uint32_t n; /* keys covered (grows with the shared key table) */
  uint32_t cap;
  pd_keytotal *k;
  pd_val *flat;            /* only the leaf's: kept apart */
  double *flat_var;
  double *flat_avar;       /* the variance of its cumulative allocations (pd_noise_alloc_variance) */
  /* the part of flat whose records never freed a sampled object
   * (pd_noise_never_freed), and its variance: what grows in a function
   * that also churns (docs/analysis.md section 7, "never-freed part") */
  pd_val *flat_nf;   /* NULL until there is one (pd_functotals_nf_alloc) */
  double *flat_nfvar;
  /* while a snapshot is read: per key, its records by caller (a Go heap
   * profile has a record per stack and object size, and a churning
   * stack's rarely used sizes have often freed nothing yet), so that a
   * caller's records count as never freed only when all of them are
   * (pd_functotals_nf_finish makes flat_nf of them) */
  uint32_t *nf_head; /* [key]: 1 + its first slot, 0 none, UINT32_MAX too many callers */
  pd_vec nf_slots;   /* pd_nfslot */
  uint32_t gen;
} pd_functotals;

typedef struct pd_nfslot {
  uint32_t caller;
  uint32_t next;  /* 1 + the key's next slot, or 0; the top bit: some record
                   * of this caller freed a sampled object */
  double value;   /* of its never-freed records */
  float var;      /* and their variance (24 bytes a slot: a large profile
                   * has one for most of its 200,000 stacks) */
} pd_nfslot;

void pd_functotals_init(pd_functotals *f, uint32_t nkeys);
void pd_functotals_free(pd_functotals *f);
/* Adds one sample (keys leaf first). */
void pd_functotals_add(pd_functotals *f, const uint32_t *keys, uint32_t n,
                       pd_val value, double var, double avar);
/* Notes a record of a sample with allocations (keys leaf first): its
 * value and variance when it never freed a sampled object, else that its
 * caller's records did. */
void pd_functotals_nf_note(pd_functotals *f, const uint32_t *keys, uint32_t n, pd_val value, double var,
                           int never_freed);
/* Adds b's notes to a's (the halves of one profile). */
void pd_functotals_nf_merge(pd_functotals *a, const pd_functotals *b);
/* flat_nf and flat_nfvar from the notes, which it frees. */
void pd_functotals_nf_finish(pd_functotals *f);
/* flat_nf and flat_nfvar, zeroed, unless there are (a profile's tables
 * never need them: they are made only for a series). */
void pd_functotals_nf_alloc(pd_functotals *f);

/* Tree columns used by a snapshot's tree. PD_COL_CUT is the part of a
 * node's self value that a pruned tree moved there from frames too light to
 * keep, so a picture can say how much it could not show. */
enum { PD_COL_SELF = 0, PD_COL_CUT = 1, PD_SNAPSHOT_COLS = 2 };

typedef struct pd_snapshot {
  pd_arena arena;
  const char *path;
  pd_format format;
  int64_t time_ns, duration_ns;
  const char *sample_type, *unit; /* e.g. "inuse_space", "bytes" */
  const char *period_type, *period_unit;
  double period;
  int sample_index;
  pd_val total;     /* sum of |value| over kept samples */
  pd_val total_all; /* sum of |value| over all samples, filtered or not:
                     * pprof's total (percentages of the whole profile) */
  unsigned filters_matched; /* PD_MATCH_*: which filters matched a frame */
  double total_var; /* its sampling variance */
  int has_alloc;     /* ft.flat_avar holds cumulative allocations (pd_noise_has_alloc) */
  uint64_t nsamples, nkept;
  /* samples --tagfocus / --tagignore matched (pprof warns when none did) */
  uint64_t ntagfocus, ntagignore;
  pd_noise noise;
  pd_functotals ft;
  int has_tree;
  pd_tree tree;
  char **warnings;
  uint32_t nwarnings;
} pd_snapshot;

typedef struct pd_reduce_opts {
  const char *sample_index; /* --sample-index, NULL for pprof's default */
  int want_tree;
  /* When > 0, the tree keeps only frames that can be at least this fraction
   * of the total: a stack is cut at its first frame (from the root) whose
   * function is lighter than that everywhere, and what was below is
   * counted in the cut node's own value, so totals stay exact. A series
   * keeps such trees for every snapshot; 2e-5 is far below one pixel of a
   * flame graph. The whole tree is built, then cut (see reduce.c). */
  double tree_min_fraction;
  /* Serialises interning into a key table shared by threads (NULL: none). */
  void *keys_lock; /* pthread_mutex_t * */
  /* Only the tree and the total (flame graphs, folded stacks): the
   * per-function figures (ft) are left empty. */
  int tree_only;
  /* Empty p as it goes: its tables once the frame keys are made, its
   * samples once walked (pd_profile_drop_*), for a caller that holds
   * several profiles at once; it still frees p. */
  int consume;
  /* Walk a large profile's samples with two threads (a command that reads
   * one profile and builds its tree: both cores are its). */
  int split;
  /* Keep each function's never-freed part (pd_functotals.flat_nf): a
   * series' trend verdicts use it, one profile's tables do not. */
  int never_freed;
} pd_reduce_opts;

/* Reduces p (whose keys go to the shared table `keys`) to a snapshot. The
 * profile can be freed afterwards (and is only changed by consume). */
int pd_reduce(pd_profile *p, const pd_view *v, pd_intern *keys,
              const pd_reduce_opts *o, pd_snapshot *s, pd_err *err);
void pd_snapshot_free(pd_snapshot *s);
/* s becomes pprof's -diff_base profile of s against the bases (reduced
 * with the same key table, view and sample type): per-key flat and cum are
 * s's minus the bases', the totals (pprof's, of which percentages are) the
 * bases' when not zero, the time the earliest, the durations summed. s's
 * tree, if any, is left as it was. */
void pd_snapshot_subtract(pd_snapshot *s, const pd_snapshot *bases, uint32_t nbases);

/* ---- pprof's top table ------------------------------------------------------- */

typedef struct pd_topgraph pd_topgraph; /* below */

typedef struct pd_top_row {
  uint32_t key;
  pd_val flat, cum;
} pd_top_row;

typedef struct pd_top {
  pd_top_row *rows; /* sorted, after nodefraction and nodecount */
  uint32_t n;
  uint32_t nnodes;   /* keys with a value before any cut */
  uint32_t dropped;  /* cut by nodefraction */
  uint32_t kept;     /* after nodefraction, before nodecount */
  double cutoff;     /* the cum cutoff pprof prints: total * nodefraction */
  pd_val shown_flat; /* sum of flat over shown rows */
  pd_val flat_sum;   /* of every key: pprof's graph total, which cuts */
  /* per key, PD_MARK_* (pd_top_marks), NULL when not asked */
  uint8_t *marks;
  uint32_t nmarks;
} pd_top;

/* Selects and sorts rows as `go tool pprof -top` does (nodefraction cuts
 * keys whose cum is below that fraction of the flat sum; nodecount keeps the
 * first N after sorting by flat, or cum when by_cum). */
void pd_top_build(const pd_snapshot *s, const pd_intern *keys,
                  double nodefraction, uint32_t nodecount, int by_cum,
                  pd_top *out);
/* Sets t->marks from g's edges as pprof's text report has them: of the
 * graph rebuilt on the rows kept when nodefraction or nodecount dropped
 * some (else of every key), edges under edgefraction (0.001) of flat_sum
 * dropped. */
int pd_top_marks(pd_top *t, pd_topgraph *g, uint32_t nkeys, pd_err *err);
void pd_top_free(pd_top *t);

/* ---- what top reads of pprof's graph (topgraph.c) --------------------------------- */

/* One profile of the merged profile top reports: FILE (sign 1) or a base
 * (sign -1: --base, --diff-base), with its sample type's index. */
typedef struct pd_graph_input {
  pd_profile *p;
  int index;
  double sign;
} pd_graph_input;

typedef struct pd_graph_edge {
  uint32_t parent, child; /* keys */
  double weight;
  uint32_t stamp;      /* the last sample that added to it */
  uint8_t inline_only; /* every call it stands for was inlined */
} pd_graph_edge;

/* The marks of pd_topgraph_marks: calls into a key that were inlined into
 * their caller, and calls that were not. */
enum { PD_MARK_INLINE = 1, PD_MARK_CALL = 2 };

struct pd_topgraph {
  pd_graph_input *in;
  uint32_t nin;
  pd_stacks *stacks; /* per input, keys in the shared table */
  const pd_view *v;
  int merged;        /* --base: samples merged across inputs by identity */
  /* merged: per input and sample, its merged sample; per merged sample its
   * value, its first sample (input << 32 | sample), its second hash */
  uint32_t **entry;
  double *value;
  uint64_t *rep, *check;
  uint32_t nmerged, capmerged;
  pd_idmap ids;
  double total, total_all; /* merged: pprof's totals (after the filters, all) */
  pd_graph_edge *edges;
  uint32_t nedges, capedges;
  pd_idmap edge_ids;
};

/* Keeps the inputs (which must outlive g) and, with merge (--base, whose
 * profiles pprof merges), merges their samples as profile.Merge does and
 * sets total and total_all: the sums of |value| over the merged samples,
 * with and without the view's filters. Inputs with tag filters in the view
 * must have been read with their labels; merge needs them always. */
int pd_topgraph_init(pd_topgraph *g, const pd_graph_input *in, uint32_t nin, const pd_view *v, pd_intern *keys,
                     int merge, pd_err *err);
/* marks[k] (nkeys of them) gets PD_MARK_* from the edges into key k of
 * pprof's graph whose nodes are the keys kept (kept[k] != 0; NULL: every
 * key), edges lighter than edge_cutoff dropped (TrimLowFrequencyEdges). */
int pd_topgraph_marks(pd_topgraph *g, const uint8_t *kept, uint32_t nkeys, double edge_cutoff, uint8_t *marks,
                      pd_err *err);
/* "(inline)", "(partial-inline)" or NULL, as pprof's TextItems. */
const char *pd_mark_label(uint8_t mark);
void pd_topgraph_free(pd_topgraph *g);

/* ---- per-line figures (list) ------------------------------------------------ */

/* One source line of a function the pattern names: pprof's line-granularity
 * node. name and file are ids in pd_listing.str (file as the profile
 * records it; the writer trims it as pprof does). */
typedef struct pd_srcline {
  uint32_t name, file;
  int64_t line, start_line;
} pd_srcline;

typedef struct pd_listing_snap {
  const char *path;
  int64_t time_ns;
  pd_val total_all;  /* sum of |value| over all samples (pprof's total) */
  pd_val total_kept; /* the same after the filters (-relative_percentages) */
  uint32_t n;        /* nodes known when the snapshot was added */
  pd_val *flat, *cum; /* per node */
} pd_listing_snap;

typedef struct pd_listing {
  pd_arena arena;
  pd_regex *re;  /* matched against function names as shown */
  const pd_intern *names; /* without re: the names (as shown) listed */
  pd_intern str;      /* function and file names */
  pd_intern node_keys;
  pd_vec nodes;       /* pd_srcline by node id; node 0 is none */
  pd_vec snaps;       /* pd_listing_snap, in the order added */
  const char *sample_type, *unit; /* the first snapshot's */
} pd_listing;

void pd_listing_init(pd_listing *l, pd_regex *re);
/* A listing of exactly these function names (report's suspects). */
void pd_listing_init_names(pd_listing *l, const pd_intern *names);
void pd_listing_free(pd_listing *l);
/* Adds one snapshot: the lines of the matching functions in p (after the
 * view's filters; granularity does not matter). */
int pd_listing_add(pd_listing *l, pd_profile *p, const pd_view *v, const char *sample_index,
                   pd_err *err);
/* The last snapshot (a base) subtracted from the one before, and dropped:
 * pprof's -base, whose merged profile holds the base's samples negated
 * (flat and cum are sums over samples); the totals are the caller's. */
void pd_listing_subtract(pd_listing *l);
pd_val pd_listing_flat(const pd_listing *l, uint32_t snap, uint32_t node);
pd_val pd_listing_cum(const pd_listing *l, uint32_t snap, uint32_t node);
/* order[i] = the snapshot at position i: by the profiles' times when all
 * have one, else by times in file names when all have one, else as added. */
void pd_listing_order(const pd_listing *l, uint32_t *order);

/* ---- per-label totals (top --tags) ---------------------------------------------- */

/* pprof's -tags: for each label key, the sum of the chosen sample value over
 * the samples that carry each of its values (numeric values formatted as
 * pprof's ScaledLabel in label_unit, "minimum" by default), after --focus,
 * --ignore, --tagfocus and --tagignore drop samples and --tagshow /
 * --taghide drop keys. A sample with two values of one key counts for each. */
typedef struct pd_tagvalue {
  uint32_t name; /* in names */
  double total;
} pd_tagvalue;

typedef struct pd_tagkey {
  uint32_t name;
  double total;
  pd_tagvalue *values; /* sorted as pprof: |total| down, then name */
  uint32_t nvalues;
} pd_tagkey;

typedef struct pd_tagtotals {
  pd_intern names;   /* keys and values as shown */
  pd_tagkey *keys;   /* sorted by name */
  uint32_t nkeys;
  char *sample_type, *unit;
  uint64_t nsamples, ntagfocus, ntagignore;
} pd_tagtotals;

/* p must have been read with keep_labels. */
int pd_tagtotals_build(pd_profile *p, const pd_view *v, pd_intern *keys, const char *sample_index,
                       const char *label_unit, pd_tagtotals *t, pd_err *err);
void pd_tagtotals_free(pd_tagtotals *t);

/* Interns into out every value of the string label `key` in p (read with
 * keep_labels): the groups of report --group-by. */
int pd_tag_values(const pd_profile *p, const char *key, pd_intern *out, pd_err *err);

/* ---- the snapshot cache (snapcache.c, `report --cache`) ----------------------- */

/* A file's content hash (128 bits, not cryptographic). */
void pd_cache_content_hash(const uint8_t *data, size_t len, uint64_t out[2]);
/* The content hash of the input at path, from its memo in DIR when its
 * device, inode, size, mtime and ctime are those remembered (snapcache.c
 * says why that is safe), else hashed and remembered. PD_ERR when the
 * file cannot be read (the reader then says why). */
int pd_cache_input_hash(const char *dir, const char *path, size_t max_input, uint64_t content[2]);
/* DIR/CONTENT-OPTIONS.pdsnap: the entry for a content hash and the options
 * that change the reduction (opts_key, every such option's value). */
void pd_cache_entry_path(pd_buf *out, const char *dir, const uint64_t content[2], const char *opts_key);
/* Appends an entry for s (keys from the shared table, locked with keys_lock
 * when not NULL while read). PD_ERR: s is not cacheable (it has warnings,
 * which name the file). */
int pd_cache_encode(const pd_snapshot *s, const pd_intern *keys, void *keys_lock,
                    const uint64_t content[2], const char *opts_key, pd_buf *out);
/* The names blocks a run has interned, so that entries holding the same
 * block (the dumps of one program) are mapped without interning it again;
 * used under keys_lock. */
typedef struct pd_cache_names pd_cache_names;
pd_cache_names *pd_cache_names_new(void);
void pd_cache_names_free(pd_cache_names *m);
/* Rebuilds a snapshot from an entry, its keys interned into keys (through
 * memo when not NULL). PD_ERR (s left empty) for anything but an intact
 * entry of this content and these options written by this format version:
 * the caller reads the file. */
int pd_cache_decode(const uint8_t *data, size_t len, const uint64_t content[2], const char *opts_key,
                    pd_intern *keys, void *keys_lock, pd_cache_names *memo, const char *path, pd_snapshot *s);
/* Removes the oldest entries and memos (by modification time: a hit
 * touches both) until they total at most max_bytes of disk. */
int pd_cache_evict(const char *dir, uint64_t max_bytes, uint32_t *removed);

#endif
