/* memory.c: the heap-versus-container-memory analysis as the terminal table
 * of `profdiff memstat` (its JSON form, report.json's "memory" object, is
 * written in json.c with the other JSON). Paths come from the command line
 * and pass through the escaping module like any other untrusted text. */
#include "report.h"

#include <math.h>
#include <string.h>

#include "../escape/escape.h"

/* A size in MB with two decimals, or "-" when unknown, right-aligned. */
static void S_cell(pd_buf *b, double v, int width) {
  char s[48];
  if (isnan(v)) snprintf(s, sizeof s, "-");
  else snprintf(s, sizeof s, "%.2f", v / (1024.0 * 1024.0));
  pd_buf_printf(b, "%*s", width, s);
}

static void S_slope(pd_buf *b, const char *name, const pd_memline *l) {
  char v[48];
  if (isnan(l->slope)) {
    pd_buf_printf(b, "  %-14s -\n", name);
    return;
  }
  pd_unit_label(fabs(l->growth), "bytes", "auto", v, sizeof v);
  char s[48];
  pd_unit_label(fabs(l->slope), "bytes", "auto", s, sizeof s);
  pd_buf_printf(b, "  %-14s %s%s/h, %s%s over the series%s\n", name,
                l->slope < 0 ? "-" : l->slope > 0 ? "+" : "", s, l->growth < 0 ? "-" : l->growth > 0 ? "+" : "",
                v, l->grows ? " (grows)" : "");
}

void pd_report_memory_text(pd_buf *b, const pd_memtimeline *tl, const pd_memory_result *r) {
  pd_buf_printf(b, "Memory: %u snapshots (cgroup %s), %u with a heap profile paired%s\n", tl->n,
                pd_cgroup_version_name(tl->version), tl->heaps_paired,
                tl->times_from_mtime ? "; some times are file modification times (copies change them)" : "");
  pd_buf_printf(b, "%-20s %8s %10s %10s %12s %14s %12s %10s\n", "time", "seconds", "heap MB", "anon MB",
                "active_file", "inactive_file", "working_set", "usage MB");
  for (uint32_t i = 0; i < tl->n; i++) {
    const pd_mempoint *p = &tl->points[i];
    char t[40];
    pd_buf_printf(b, "%-20s %8.1f", p->time_ns ? pd_format_time(p->time_ns, t, sizeof t) : "-",
                  (double)(p->time_ns - tl->points[0].time_ns) / 1e9);
    S_cell(b, p->heap, 11);
    S_cell(b, p->anon, 11);
    S_cell(b, p->active_file, 13);
    S_cell(b, p->inactive_file, 15);
    S_cell(b, p->working_set, 13);
    S_cell(b, p->usage, 11);
    pd_buf_puts(b, p->usage_estimated ? "*\n" : "\n");
  }
  int estimated = 0;
  for (uint32_t i = 0; i < tl->n; i++) estimated |= tl->points[i].usage_estimated;
  if (estimated)
    pd_buf_puts(b, "* usage estimated from memory.stat (no memory.current / usage_in_bytes file paired)\n");
  for (uint32_t i = 0; i < tl->nunpaired; i++) {
    pd_buf_puts(b, "not paired with any memory.stat snapshot: ");
    pd_esc_text(b, tl->unpaired[i], strlen(tl->unpaired[i]));
    pd_buf_putc(b, '\n');
  }
  pd_buf_puts(b, "\nFitted growth (Theil-Sen):\n");
  S_slope(b, "heap", &r->heap);
  S_slope(b, "anon", &r->anon);
  S_slope(b, "file cache", &r->file);
  S_slope(b, "active_file", &r->active_file);
  S_slope(b, "inactive_file", &r->inactive_file);
  S_slope(b, "working set", &r->working_set);
  S_slope(b, "usage", &r->usage);
  pd_buf_printf(b, "\nAttribution: %s\n%s\n", pd_attribution_name(r->attribution), r->sentence);
}
