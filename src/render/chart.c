/* chart.c: the small charts reports embed: a sparkline per function and
 * line charts over time (the series total with its resets, a container's
 * memory lines).
 *
 * Each is a complete SVG document on its own (so it can be a file, an <img>
 * or a data: URI), static, with no script. The y axis of a line chart starts
 * at zero: a chart of memory that starts anywhere else makes small growth
 * look like a leak.
 */
#include "render.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "../escape/escape.h"

static void S_num(pd_buf *b, double v) {
  long long c = llround(v * 10);
  if (c < 0) {
    pd_buf_putc(b, '-');
    c = -c;
  }
  pd_buf_printf(b, "%lld", c / 10);
  if (c % 10) pd_buf_printf(b, ".%d", (int)(c % 10));
}

static void S_label(pd_buf *b, double v, const char *unit) {
  char buf[64];
  pd_esc_xml(b, pd_unit_label(v, unit, "auto", buf, sizeof buf), strlen(buf));
}

/* ---- sparkline ------------------------------------------------------------------ */

enum { S_SPARK_W = 100, S_SPARK_H = 20, S_SPARK_PAD = 3 };

void pd_render_sparkline(pd_buf *out, const double *v, uint32_t n, const char *unit,
                         const char *name, size_t name_len) {
  double lo = INFINITY, hi = -INFINITY;
  uint32_t first = n, last = n;
  for (uint32_t i = 0; i < n; i++) {
    if (!isfinite(v[i])) continue;
    if (first == n) first = i;
    last = i;
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  pd_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
                S_SPARK_W, S_SPARK_H, S_SPARK_W, S_SPARK_H);
  pd_buf_puts(out, "<title>");
  if (name) {
    pd_esc_xml(out, name, pd_utf8_prefix(name, name_len, 200));
    pd_buf_puts(out, ": ");
  }
  if (first == n) {
    pd_buf_puts(out, "no values</title></svg>\n");
    return;
  }
  S_label(out, v[first], unit);
  pd_buf_puts(out, " -> ");
  S_label(out, v[last], unit);
  pd_buf_printf(out, " over %u snapshots</title>", n);
  double w = S_SPARK_W - 2 * S_SPARK_PAD, h = S_SPARK_H - 2 * S_SPARK_PAD;
  double step = n > 1 ? w / (n - 1) : 0;
  double xs[2], ys[2];
  int open = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (!isfinite(v[i])) {
      if (open) pd_buf_puts(out, "\"/>");
      open = 0;
      continue;
    }
    double x = S_SPARK_PAD + (n > 1 ? i * step : w / 2);
    double y = hi > lo ? S_SPARK_PAD + h - (v[i] - lo) / (hi - lo) * h : S_SPARK_PAD + h / 2;
    if (i == first) xs[0] = x, ys[0] = y;
    if (i == last) xs[1] = x, ys[1] = y;
    if (!open) pd_buf_puts(out, "<polyline fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" points=\"");
    else pd_buf_putc(out, ' ');
    open = 1;
    S_num(out, x);
    pd_buf_putc(out, ',');
    S_num(out, y);
  }
  if (open) pd_buf_puts(out, "\"/>");
  const char *end = v[last] > v[first] ? "#d62728" : v[last] < v[first] ? "#1f77b4" : "#777";
  for (int i = 0; i < 2; i++) {
    pd_buf_puts(out, "<circle cx=\"");
    S_num(out, xs[i]);
    pd_buf_puts(out, "\" cy=\"");
    S_num(out, ys[i]);
    pd_buf_printf(out, "\" r=\"2\" fill=\"%s\"/>", i ? end : "#777");
  }
  pd_buf_puts(out, "</svg>\n");
}

/* ---- line charts ---------------------------------------------------------------- */

/* A round step that cuts [0, max] into about `parts` intervals, round in
 * the unit labels are printed in (so bytes step by 25MB, not 23.84MB). */
static double S_nice_step(double max, int parts, const char *unit) {
  double factor, raw = max / parts, base = 1;
  pd_unit_kind kind = pd_unit_classify(unit, &factor);
  raw *= factor; /* in bytes or nanoseconds */
  double step = kind == PD_UNIT_BYTES ? 1024 : kind == PD_UNIT_TIME ? 1000 : 0;
  if (step)
    while (raw / base >= step && base < 1e15) base *= step;
  double r = raw / base, mag = pow(10, floor(log10(r))), f = r / mag;
  double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * mag * base / factor;
}

/* detail: 0 seconds, 1 minutes, 2 minutes with the date */
static void S_time_label(pd_buf *b, int64_t ns, int detail) {
  time_t secs = (time_t)(ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, detail == 0 ? "%H:%M:%S" : detail == 1 ? "%H:%M" : "%m-%d %H:%M", &tm);
  pd_buf_puts(b, buf);
}

void pd_render_chart(pd_buf *out, const pd_chart *c) {
  int W = c->width > 200 ? c->width : 720, H = c->height > 120 ? c->height : 240;
  double left = 72, right = 16, top = 30, bottom = 62;
  double pw = W - left - right, ph = H - top - bottom;
  double xmin = INFINITY, xmax = -INFINITY, ymax = 0, ymin = 0;
  for (uint32_t i = 0; i < c->n; i++) {
    if (!isfinite(c->x[i])) continue;
    if (c->x[i] < xmin) xmin = c->x[i];
    if (c->x[i] > xmax) xmax = c->x[i];
  }
  for (uint32_t l = 0; l < c->nlines; l++)
    for (uint32_t i = 0; i < c->n; i++) {
      double y = c->lines[l].y[i];
      if (!isfinite(y)) continue;
      if (y > ymax) ymax = y;
      if (y < ymin) ymin = y;
    }
  if (!(xmax > xmin)) xmin -= 0.5, xmax += 0.5;
  if (!(xmin < xmax)) xmin = 0, xmax = 1;
  double ystep = S_nice_step(ymax - ymin > 0 ? ymax - ymin : 1, 4, c->unit);
  double ylo = floor(ymin / ystep) * ystep, yhi = ceil(ymax / ystep) * ystep;
  if (yhi <= ylo) yhi = ylo + ystep;
#define S_X(v) (left + ((v) - xmin) / (xmax - xmin) * pw)
#define S_Y(v) (top + ph - ((v) - ylo) / (yhi - ylo) * ph)
  pd_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                     "font-family=\"Verdana,sans-serif\" font-size=\"11\">\n", W, H, W, H);
  pd_buf_puts(out, "<title>");
  if (c->title) pd_esc_xml(out, c->title, strlen(c->title));
  pd_buf_puts(out, "</title>\n");
  pd_buf_printf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
  if (c->title) {
    pd_buf_printf(out, "<text x=\"%d\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">", W / 2);
    pd_esc_xml(out, c->title, strlen(c->title));
    pd_buf_puts(out, "</text>\n");
  }
  /* y grid and labels */
  for (double y = ylo; y <= yhi + ystep / 2; y += ystep) {
    pd_buf_puts(out, "<line x1=\"");
    S_num(out, left);
    pd_buf_puts(out, "\" x2=\"");
    S_num(out, left + pw);
    pd_buf_puts(out, "\" y1=\"");
    S_num(out, S_Y(y));
    pd_buf_puts(out, "\" y2=\"");
    S_num(out, S_Y(y));
    pd_buf_printf(out, "\" stroke=\"%s\"/><text x=\"", y == ylo ? "#999" : "#e4e4e4");
    S_num(out, left - 6);
    pd_buf_puts(out, "\" y=\"");
    S_num(out, S_Y(y) + 4);
    pd_buf_puts(out, "\" text-anchor=\"end\">");
    S_label(out, y, c->unit);
    pd_buf_puts(out, "</text>\n");
  }
  /* x labels: about five, at points of the series */
  uint32_t nlab = c->n < 6 ? c->n : 6;
  int detail = (xmax - xmin) > 20 ? 2 : (xmax - xmin) > 1 ? 1 : 0;
  for (uint32_t k = 0; k < nlab; k++) {
    uint32_t i = nlab > 1 ? (uint32_t)((double)k * (c->n - 1) / (nlab - 1) + 0.5) : 0;
    if (!isfinite(c->x[i])) continue;
    pd_buf_puts(out, "<text x=\"");
    S_num(out, S_X(c->x[i]));
    pd_buf_puts(out, "\" y=\"");
    S_num(out, top + ph + 16);
    pd_buf_printf(out, "\" text-anchor=\"%s\">", k == 0 && nlab > 1 ? "start" : k + 1 == nlab && nlab > 1 ? "end" : "middle");
    if (c->x_is_time) S_time_label(out, c->t0_ns + (int64_t)(c->x[i] * 3600e9), detail);
    else pd_buf_printf(out, "#%u", i + 1);
    pd_buf_puts(out, "</text>\n");
  }
  /* reset markers */
  for (uint32_t m = 0; m < c->nmarks; m++) {
    double x = S_X(c->marks[m]);
    pd_buf_puts(out, "<line x1=\"");
    S_num(out, x);
    pd_buf_puts(out, "\" x2=\"");
    S_num(out, x);
    pd_buf_puts(out, "\" y1=\"");
    S_num(out, top);
    pd_buf_puts(out, "\" y2=\"");
    S_num(out, top + ph);
    pd_buf_puts(out, "\" stroke=\"#999\" stroke-dasharray=\"4,3\"/>");
    if (c->mark_label) {
      pd_buf_puts(out, "<text x=\"");
      S_num(out, x + 3);
      pd_buf_puts(out, "\" y=\"");
      S_num(out, top + 10);
      pd_buf_puts(out, "\" fill=\"#666\">");
      pd_esc_xml(out, c->mark_label, strlen(c->mark_label));
      pd_buf_puts(out, "</text>");
    }
    pd_buf_putc(out, '\n');
  }
  /* the lines, a point per value when there are few */
  for (uint32_t l = 0; l < c->nlines; l++) {
    const pd_chart_line *ln = &c->lines[l];
    int open = 0;
    for (uint32_t i = 0; i < c->n; i++) {
      if (!isfinite(ln->y[i]) || !isfinite(c->x[i])) {
        if (open) pd_buf_puts(out, "\"/>\n");
        open = 0;
        continue;
      }
      if (!open) pd_buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" points=\"", ln->color);
      else pd_buf_putc(out, ' ');
      open = 1;
      S_num(out, S_X(c->x[i]));
      pd_buf_putc(out, ',');
      S_num(out, S_Y(ln->y[i]));
    }
    if (open) pd_buf_puts(out, "\"/>\n");
    if (c->n <= 60)
      for (uint32_t i = 0; i < c->n; i++) {
        if (!isfinite(ln->y[i]) || !isfinite(c->x[i])) continue;
        pd_buf_puts(out, "<circle cx=\"");
        S_num(out, S_X(c->x[i]));
        pd_buf_puts(out, "\" cy=\"");
        S_num(out, S_Y(ln->y[i]));
        pd_buf_printf(out, "\" r=\"2.2\" fill=\"%s\"/>", ln->color);
      }
    pd_buf_putc(out, '\n');
  }
  /* legend */
  double lx = left;
  for (uint32_t l = 0; l < c->nlines; l++) {
    const char *label = c->lines[l].label ? c->lines[l].label : "";
    pd_buf_puts(out, "<rect x=\"");
    S_num(out, lx);
    pd_buf_puts(out, "\" y=\"");
    S_num(out, H - 16);
    pd_buf_printf(out, "\" width=\"14\" height=\"4\" fill=\"%s\"/><text x=\"", c->lines[l].color);
    S_num(out, lx + 18);
    pd_buf_puts(out, "\" y=\"");
    S_num(out, H - 11);
    pd_buf_puts(out, "\">");
    pd_esc_xml(out, label, strlen(label));
    pd_buf_puts(out, "</text>\n");
    lx += 30 + 6.5 * (double)pd_utf8_width(label, strlen(label));
  }
  if (c->x_is_time) {
    pd_buf_puts(out, "<text x=\"");
    S_num(out, W - right);
    pd_buf_puts(out, "\" y=\"");
    S_num(out, top + ph + 30);
    pd_buf_puts(out, "\" text-anchor=\"end\" fill=\"#666\">time (UTC)</text>\n");
  }
#undef S_X
#undef S_Y
  pd_buf_puts(out, "</svg>\n");
}

/* ---- colour legend of a differential or growth graph ------------------------------ */

void pd_render_change_legend(pd_buf *out, double max, const char *unit, const char *per) {
  enum { N = 9, SW = 40, SH = 12, W = N * SW, H = 30 };
  pd_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pd-legend\" width=\"%d\" height=\"%d\" "
                     "viewBox=\"0 0 %d %d\" font-family=\"Verdana,sans-serif\" font-size=\"10\">",
                W, H, W, H);
  pd_buf_puts(out, "<title>colour: each frame's own change, from the largest shrink (blue) through none (grey) "
                   "to the largest growth (red)</title>");
  char color[8];
  for (int i = 0; i < N; i++) {
    double v = max * (double)(i - N / 2) / (N / 2);
    pd_change_color(v, max, color);
    pd_buf_printf(out, "<rect x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", i * SW, SW, SH, color);
  }
  /* the ends and the middle, in the graph's unit (and per hour or snapshot) */
  const char *pu = per ? per : "";
  const struct { double x; const char *anchor, *word; } lab[] = {
      {0, "start", "shrank"}, {W / 2.0, "middle", "unchanged"}, {W, "end", "grew"}};
  for (size_t i = 0; i < 3; i++) {
    pd_buf_puts(out, "<text x=\"");
    S_num(out, lab[i].x);
    pd_buf_printf(out, "\" y=\"%d\" text-anchor=\"%s\">", SH + 12, lab[i].anchor);
    if (i != 1 && max > 0) {
      pd_buf_puts(out, i ? "+" : "\xe2\x88\x92");
      S_label(out, max, unit);
      pd_esc_xml(out, pu, strlen(pu));
      pd_buf_putc(out, ' ');
    }
    pd_esc_xml(out, lab[i].word, strlen(lab[i].word));
    pd_buf_puts(out, "</text>");
  }
  pd_buf_puts(out, "</svg>");
}
