/* gates.h: regression gates for CI (`--fail-on EXPR`).
 *
 * A gate is METRIC OP THRESHOLD, e.g. `total>10%`, `function>5MB`,
 * `slope>1MB/h`, `share>10`. Gates only fire on figures that are beyond the
 * sampling noise (docs/analysis.md): a CI job must not fail because a
 * transient allocation happened to be sampled. The grammar is in
 * PD_GATE_GRAMMAR and docs/ci.md.
 */
#ifndef PD_GATES_H
#define PD_GATES_H

#include "series.h"

#define PD_GATE_GRAMMAR                                                               \
  "gate grammar: METRIC OP VALUE\n"                                                   \
  "  METRIC  total     growth of the total (last - first, or - base)\n"               \
  "          function  growth of any single function's flat value\n"                 \
  "          slope     growth rate of any growing function (needs snapshot times)\n"  \
  "          share     rise of any function's share of the total, in points\n"        \
  "  OP      >  or  >=\n"                                                             \
  "  VALUE   a number with a unit of the sample type (B kB MB GB TB KiB MiB GiB TiB,\n" \
  "          ns us ms s m h, count), or a percentage of the first value (total,\n"    \
  "          function), or points (share, no unit); slope takes UNIT/h\n"             \
  "  e.g.    total>10%  total>50MB  function>5MB  function>20%  slope>1MB/h  share>10\n" \
  "  (as in pprof's output, kB MB GB are 1024-based; KiB MiB GiB are the same)"

typedef enum { PD_GATE_TOTAL, PD_GATE_FUNCTION, PD_GATE_SLOPE, PD_GATE_SHARE } pd_gate_metric;

typedef struct pd_gate {
  const char *expr;        /* as written */
  pd_gate_metric metric;
  int or_equal;            /* >= instead of > */
  int percent;             /* threshold is a percentage of the first value */
  double threshold;        /* base units (bytes, ns, count), percent or points */
  pd_unit_kind kind;       /* the threshold's unit kind (for absolute ones) */
  /* result of pd_gates_eval */
  int failed;
  double observed;         /* the largest figure the gate looked at */
  char detail[512];        /* why it failed or passed, in words */
} pd_gate;

/* Parses one expression; on error the message ends with the grammar. */
int pd_gate_parse(const char *expr, pd_gate *g, pd_err *err);

/* Evaluates gates against a finished series. Returns the number that
 * failed, or -1 with err filled when a gate cannot apply (a byte threshold
 * on a CPU profile, a slope gate without snapshot times). */
int pd_gates_eval(pd_gate *gates, size_t n, const pd_series *s, pd_err *err);

#endif
