/* top.c: writers for `profdiff top` (pprof's text table and our JSON). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../escape/escape.h"

void pd_json_num(pd_buf *out, pd_val v) {
  if (!isfinite(v)) pd_buf_puts(out, "null");
  else pd_buf_num(out, v);
}

char *pd_format_time(int64_t ns, char *buf, size_t n) {
  time_t t = (time_t)(ns / 1000000000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void pd_report_top_text(pd_buf *out, const pd_snapshot *s, const pd_intern *keys,
                        const pd_top *top, const char *unit, const char *const *filters,
                        size_t nfilters) {
  /* pprof picks one unit for the whole table from the smallest shown value
   * and the total (report.selectOutputUnit). */
  double min = 0;
  for (uint32_t i = 0; i < top->n; i++) {
    double v = fabs((double)top->rows[i].flat);
    if (v == 0) v = fabs((double)top->rows[i].cum);
    if (v > 0 && (min == 0 || v < min)) min = v;
  }
  const char *ounit = unit && strcmp(unit, "minimum") != 0
                          ? unit
                          : pd_unit_for_table(min, s->total, s->unit);
  char a[64], b[64], c[64], d[64], e[64];
  /* This is terminal text: the file's name, the sample type and a unit
   * pprof does not know (written after each figure) come from the input
   * and go through pd_esc_text like the names. The unit is cut to 40
   * bytes, at a character's start: a label has 64. */
  pd_buf safe_unit = PD_BUF_INIT;
  pd_esc_text(&safe_unit, ounit, strlen(ounit));
  if (safe_unit.len > 40) {
    size_t cut = 40;
    while (cut && (safe_unit.data[cut] & 0xc0) == 0x80) cut--;
    pd_buf_truncate(&safe_unit, cut);
  }
  ounit = safe_unit.len ? safe_unit.data : ""; /* an empty escape may leave data reserved, unterminated */

  const char *base = pd_basename(s->path);
  pd_buf_puts(out, "File: ");
  pd_esc_text(out, base, strlen(base));
  pd_buf_puts(out, "\nType: ");
  pd_esc_text(out, s->sample_type, strlen(s->sample_type));
  pd_buf_putc(out, '\n');
  if (s->time_ns) pd_buf_printf(out, "Time: %s\n", pd_format_time(s->time_ns, a, sizeof a));
  if (s->duration_ns) {
    /* pprof adds the share of wall time the samples cover when they are time */
    double factor;
    pd_buf_printf(out, "Duration: %s, Total samples = %s",
                  pd_unit_label((double)s->duration_ns, "nanoseconds", "auto", a, sizeof a),
                  pd_unit_label(s->total, s->unit, ounit, c, sizeof c));
    /* pprof writes "= %s %s", the second empty but for time */
    pd_buf_putc(out, ' ');
    if (pd_unit_classify(s->unit, &factor) == PD_UNIT_TIME && s->total != 0)
      pd_buf_printf(out, "(%s)", pd_percent(s->total * factor, (double)s->duration_ns, b, sizeof b));
    pd_buf_putc(out, '\n');
  }
  /* pprof's legendActiveFilters: each "name=pattern" cut at 80 bytes */
  if (nfilters) pd_buf_puts(out, "Active filters:\n");
  for (size_t i = 0; i < nfilters; i++) {
    size_t n = strlen(filters[i]);
    pd_buf_puts(out, "   ");
    pd_esc_text(out, filters[i], n > 80 ? pd_utf8_prefix(filters[i], 80, 80) : n);
    pd_buf_puts(out, n > 80 ? "\xe2\x80\xa6\n" : "\n");
  }
  pd_percent(top->shown_flat, s->total, b, sizeof b);
  const char *pct = b;
  while (*pct == ' ') pct++;
  pd_buf_printf(out, "Showing nodes accounting for %s, %s of %s total\n",
                pd_unit_label(top->shown_flat, s->unit, ounit, a, sizeof a), pct,
                pd_unit_label(s->total, s->unit, ounit, c, sizeof c));
  if (s->total != 0 && top->dropped > 0)
    pd_buf_printf(out, "Dropped %u node%s (cum <= %s)\n", top->dropped,
                  top->dropped == 1 ? "" : "s",
                  pd_unit_label(top->cutoff, s->unit, ounit, a, sizeof a));
  if (s->total != 0 && top->n > 0 && top->n < top->kept)
    pd_buf_printf(out, "Showing top %u nodes out of %u\n", top->n, top->kept);
  pd_buf_printf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
  pd_val sum = 0;
  for (uint32_t i = 0; i < top->n; i++) {
    const pd_top_row *r = &top->rows[i];
    sum += r->flat;
    pd_buf_printf(out, "%10s %s %s %10s %s  ",
                  pd_unit_label(r->flat, s->unit, ounit, a, sizeof a),
                  pd_percent(r->flat, s->total, b, sizeof b),
                  pd_percent(sum, s->total, c, sizeof c),
                  pd_unit_label(r->cum, s->unit, ounit, d, sizeof d),
                  pd_percent(r->cum, s->total, e, sizeof e));
    /* A terminal is not a markup language, but a name must not be able to
     * start a new line of the table or smuggle control sequences. */
    pd_esc_text(out, pd_intern_str(keys, r->key), pd_key_len(keys, r->key));
    const char *mark = top->marks && r->key < top->nmarks ? pd_mark_label(top->marks[r->key]) : NULL;
    if (mark) pd_buf_printf(out, " %s", mark);
    pd_buf_putc(out, '\n');
  }
  pd_buf_free(&safe_unit);
}

void pd_report_top_json(pd_buf *out, const pd_snapshot *s, const pd_intern *keys,
                        const pd_top *top) {
  pd_buf_puts(out, "{\"sample_type\":");
  pd_esc_json(out, s->sample_type, strlen(s->sample_type));
  pd_buf_puts(out, ",\"unit\":");
  pd_esc_json(out, s->unit, strlen(s->unit));
  pd_buf_puts(out, ",\"total\":");
  pd_json_num(out, s->total);
  pd_buf_puts(out, ",\"functions\":[");
  for (uint32_t i = 0; i < top->n; i++) {
    const pd_top_row *r = &top->rows[i];
    pd_buf_puts(out, i ? ",\n{\"name\":" : "\n{\"name\":");
    pd_esc_json(out, pd_intern_str(keys, r->key), pd_key_len(keys, r->key));
    pd_buf_puts(out, ",\"flat\":");
    pd_json_num(out, r->flat);
    pd_buf_puts(out, ",\"cum\":");
    pd_json_num(out, r->cum);
    pd_buf_putc(out, '}');
  }
  pd_buf_puts(out, "]}\n");
}

/* ---- top --tags ------------------------------------------------------------------- */

/* One cell of Go's text/tabwriter (AlignRight, padding 1, no minimum):
 * the widths of a column are the widest of its block of lines plus one. */
typedef struct {
  pd_buf cell[3];
} S_tagline;

static void S_pad(pd_buf *out, size_t n) {
  for (size_t i = 0; i < n; i++) pd_buf_putc(out, ' ');
}

static size_t S_width(const pd_buf *b) { return pd_utf8_width(b->data ? b->data : "", b->len); }

/* %.1f of value scaled from unit to out_unit, then the unit (pprof's
 * printTags figures). */
static void S_tag_figure(pd_buf *out, double value, const char *unit, const char *out_unit) {
  const char *u;
  double v = pd_unit_scale(value, unit, out_unit, &u);
  char num[400];
  pd_fmt_fixed(num, sizeof num, v, 1);
  pd_buf_printf(out, "%s%s", num, u);
}

void pd_report_tags_text(pd_buf *out, const pd_tagtotals *t, const char *unit) {
  const char *ounit = unit ? unit : "minimum";
  pd_buf key = PD_BUF_INIT, total = PD_BUF_INIT;
  for (uint32_t k = 0; k < t->nkeys; k++) {
    const pd_tagkey *tk = &t->keys[k];
    /* a block: the key's line, then one line per value; tabwriter's column 0
     * spans all of them, column 1 only the value lines */
    pd_buf_truncate(&key, 0);
    pd_esc_text(&key, pd_intern_str(&t->names, tk->name), pd_intern_len(&t->names, tk->name));
    pd_buf_putc(&key, ':');
    uint32_t n = tk->nvalues;
    pd_buf *fig = pd_xmalloc((n + 1) * sizeof *fig);
    size_t w0 = S_width(&key), w1 = 0;
    if (w0 < 1) w0 = 1; /* the value lines' " " */
    for (uint32_t i = 0; i < n; i++) {
      fig[i] = (pd_buf)PD_BUF_INIT;
      S_tag_figure(&fig[i], tk->values[i].total, t->unit, ounit);
      if (tk->total > 0) {
        char pct[32];
        pd_buf_printf(&fig[i], " (%s)", pd_percent(tk->values[i].total, tk->total, pct, sizeof pct));
      }
      pd_buf_putc(&fig[i], ':');
      size_t w = S_width(&fig[i]);
      if (w > w1) w1 = w;
    }
    w0 += 1;
    w1 += 1;
    S_pad(out, w0 - S_width(&key));
    pd_buf_put(out, key.data, key.len);
    pd_buf_truncate(&total, 0);
    S_tag_figure(&total, tk->total, t->unit, ounit);
    pd_buf_printf(out, " Total %s\n", total.data);
    for (uint32_t i = 0; i < n; i++) {
      S_pad(out, w0 - 1);
      pd_buf_putc(out, ' ');
      S_pad(out, w1 - S_width(&fig[i]));
      pd_buf_put(out, fig[i].data, fig[i].len);
      pd_buf_putc(out, ' ');
      const pd_tagvalue *tv = &tk->values[i];
      pd_esc_text(out, pd_intern_str(&t->names, tv->name), pd_intern_len(&t->names, tv->name));
      pd_buf_putc(out, '\n');
      pd_buf_free(&fig[i]);
    }
    free(fig);
    pd_buf_putc(out, '\n');
  }
  pd_buf_free(&key);
  pd_buf_free(&total);
}
