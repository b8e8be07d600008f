/* report.h: turning analysed figures into text for people and programs.
 *
 * Owns the writers: `top` tables (pprof's text layout and JSON), folded
 * stacks, and (as they are added) the series report in JSON, Markdown, HTML
 * and JUnit XML. Writers append to a pd_buf; the CLI decides where the bytes
 * go (stdout, or an atomically written file). Names always pass through
 * render/escape.h.
 */
#ifndef PD_REPORT_H
#define PD_REPORT_H

#include "../analyse/series.h"

/* A JSON number: integers without a fraction, others with enough digits to
 * round-trip; non-finite values become null. */
void pd_json_num(pd_buf *out, double v);

/* `profdiff top` as text, in `go tool pprof -top`'s layout. unit is pprof's
 * -unit: NULL or "minimum" picks one unit for the table as pprof does; a unit
 * name ("B", "ns", "MB") prints every value in it. */
void pd_report_top_text(pd_buf *out, const pd_snapshot *s, const pd_intern *keys,
                        const pd_top *top, const char *unit);
/* `profdiff top --format json`. */
void pd_report_top_json(pd_buf *out, const pd_snapshot *s, const pd_intern *keys,
                        const pd_top *top);

/* Folded stacks from a snapshot's tree: one line per stack with a non-zero
 * self value, root first, children in name order. */
void pd_report_folded(pd_buf *out, const pd_tree *t, const pd_intern *keys,
                      int self_col);

/* What a report says about itself. */
typedef struct pd_report_meta {
  const char *version;
  const char *title;
} pd_report_meta;

/* report.json (docs/report-json.md). */
void pd_report_json(pd_buf *out, const pd_series *s, const pd_report_meta *m);

/* Indexes into s->fs in the order reports list functions: suspects first,
 * then by |delta|, by last value, by name. The caller frees. */
uint32_t *pd_report_function_order(const pd_series *s);

/* Formats a Unix time in nanoseconds as ISO-8601 UTC ("2026-11-22T18:03:14Z"). */
char *pd_format_time(int64_t ns, char *buf, size_t n);

#endif
