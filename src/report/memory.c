/* memory.c: writing the heap-versus-container-memory analysis, as the JSON
 * object report.json embeds under "memory" (fields in docs/inputs.md) and as
 * the terminal table of `profdiff memstat`. Paths come from the command line
 * and pass through the escaping module like any other untrusted text. */
#include "report.h"

#include <math.h>
#include <string.h>

#include "../render/escape.h"

static const char *S_version(pd_cgroup_version v) {
  return v == PD_CGROUP_V1 ? "v1" : v == PD_CGROUP_V2 ? "v2" : "unknown";
}

static void S_key(pd_buf *b, const char *k) {
  pd_buf_putc(b, '"');
  pd_buf_puts(b, k);
  pd_buf_puts(b, "\":");
}

static void S_str(pd_buf *b, const char *k, const char *v) {
  S_key(b, k);
  if (v) pd_esc_json(b, v, strlen(v));
  else pd_buf_puts(b, "null");
}

static void S_num(pd_buf *b, const char *k, double v) {
  S_key(b, k);
  pd_json_num(b, v);
}

static void S_line_json(pd_buf *b, const char *k, const pd_memline *l) {
  S_key(b, k);
  pd_buf_putc(b, '{');
  S_num(b, "points", l->n);
  pd_buf_putc(b, ',');
  S_num(b, "first", l->first);
  pd_buf_putc(b, ',');
  S_num(b, "last", l->last);
  pd_buf_putc(b, ',');
  S_num(b, "min", l->min);
  pd_buf_putc(b, ',');
  S_num(b, "max", l->max);
  pd_buf_putc(b, ',');
  S_num(b, "slope_per_hour", l->slope);
  pd_buf_putc(b, ',');
  S_num(b, "growth", l->growth);
  pd_buf_puts(b, ",\"grows\":");
  pd_buf_puts(b, l->grows ? "true" : "false");
  pd_buf_putc(b, '}');
}

void pd_report_memory_json(pd_buf *b, const pd_memtimeline *tl, const pd_memory_result *r) {
  pd_buf_putc(b, '{');
  S_str(b, "attribution", pd_attribution_name(r->attribution));
  pd_buf_putc(b, ',');
  S_str(b, "explanation", r->sentence);
  pd_buf_putc(b, ',');
  S_str(b, "cgroup_version", S_version(tl->version));
  pd_buf_putc(b, ',');
  S_num(b, "span_seconds", r->span_s);
  pd_buf_putc(b, ',');
  S_num(b, "threshold_bytes", r->threshold);
  pd_buf_putc(b, ',');
  S_num(b, "heap_share", r->heap_share);
  pd_buf_puts(b, ",\"times_from_mtime\":");
  pd_buf_puts(b, tl->times_from_mtime ? "true" : "false");
  pd_buf_putc(b, ',');
  S_num(b, "heap_profiles_paired", tl->heaps_paired);
  pd_buf_putc(b, ',');
  S_key(b, "lines");
  pd_buf_putc(b, '{');
  S_line_json(b, "heap", &r->heap);
  pd_buf_putc(b, ',');
  S_line_json(b, "anon", &r->anon);
  pd_buf_putc(b, ',');
  S_line_json(b, "file_cache", &r->file);
  pd_buf_putc(b, ',');
  S_line_json(b, "active_file", &r->active_file);
  pd_buf_putc(b, ',');
  S_line_json(b, "inactive_file", &r->inactive_file);
  pd_buf_putc(b, ',');
  S_line_json(b, "usage", &r->usage);
  pd_buf_putc(b, ',');
  S_line_json(b, "working_set", &r->working_set);
  pd_buf_puts(b, "},");
  S_key(b, "snapshots");
  pd_buf_putc(b, '[');
  for (uint32_t i = 0; i < tl->n; i++) {
    const pd_mempoint *p = &tl->points[i];
    char t[40];
    if (i) pd_buf_putc(b, ',');
    pd_buf_putc(b, '{');
    S_str(b, "time", p->time_ns ? pd_format_time(p->time_ns, t, sizeof t) : NULL);
    pd_buf_putc(b, ',');
    S_num(b, "time_ns", (double)p->time_ns);
    pd_buf_putc(b, ',');
    S_num(b, "seconds", (double)(p->time_ns - tl->points[0].time_ns) / 1e9);
    pd_buf_putc(b, ',');
    S_str(b, "time_source", pd_time_source_name(p->time_source));
    pd_buf_putc(b, ',');
    S_str(b, "memory_stat", p->memstat);
    pd_buf_putc(b, ',');
    S_str(b, "usage_file", p->usage_file);
    pd_buf_putc(b, ',');
    S_str(b, "heap_profile", p->heap_profile);
    pd_buf_putc(b, ',');
    S_num(b, "heap", p->heap);
    pd_buf_putc(b, ',');
    S_num(b, "anon", p->anon);
    pd_buf_putc(b, ',');
    S_num(b, "file", p->file);
    pd_buf_putc(b, ',');
    S_num(b, "active_file", p->active_file);
    pd_buf_putc(b, ',');
    S_num(b, "inactive_file", p->inactive_file);
    pd_buf_putc(b, ',');
    S_num(b, "shmem", p->shmem);
    pd_buf_putc(b, ',');
    S_num(b, "usage", p->usage);
    pd_buf_puts(b, ",\"usage_estimated\":");
    pd_buf_puts(b, p->usage_estimated ? "true" : "false");
    pd_buf_putc(b, ',');
    S_num(b, "working_set", p->working_set);
    pd_buf_putc(b, '}');
  }
  pd_buf_puts(b, "],");
  S_key(b, "unpaired");
  pd_buf_putc(b, '[');
  for (uint32_t i = 0; i < tl->nunpaired; i++) {
    if (i) pd_buf_putc(b, ',');
    pd_esc_json(b, tl->unpaired[i], strlen(tl->unpaired[i]));
  }
  pd_buf_puts(b, "]}");
}

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
                S_version(tl->version), tl->heaps_paired,
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
