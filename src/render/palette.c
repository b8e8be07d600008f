/* palette.c: frame colours.
 *
 * flamegraph.pl picks colours at random unless told --hash; profdiff always
 * derives them from the name, so base and head graphs of a report can be
 * compared side by side and two runs give byte-identical files. The hot and
 * mem formulas are flamegraph.pl's, with the name's hash in place of rand().
 */
#include "render.h"

#include <math.h>
#include <string.h>

int pd_palette_parse(const char *s, pd_palette *p) {
  if (strcmp(s, "hot") == 0) *p = PD_PALETTE_HOT;
  else if (strcmp(s, "mem") == 0) *p = PD_PALETTE_MEM;
  else if (strcmp(s, "package") == 0 || strcmp(s, "pkg") == 0) *p = PD_PALETTE_PACKAGE;
  else return PD_ERR;
  return PD_OK;
}

static void S_hex(int r, int g, int b, char out[8]) {
  static const char digits[] = "0123456789abcdef";
  int c[3] = {r, g, b};
  out[0] = '#';
  for (int i = 0; i < 3; i++) {
    int v = c[i] < 0 ? 0 : c[i] > 255 ? 255 : c[i];
    out[1 + 2 * i] = digits[v >> 4];
    out[2 + 2 * i] = digits[v & 15];
  }
  out[7] = 0;
}

size_t pd_symbol_package(const char *name, size_t n) {
  /* Go: the import path ends at the first '.' after the last '/' (a '/'
   * inside parentheses or brackets belongs to a type, not the path) */
  size_t start = 0;
  for (size_t i = 0; i < n && name[i] != '(' && name[i] != '['; i++)
    if (name[i] == '/') start = i + 1;
  if (start == 0) {
    /* C++ and Rust: the outermost namespace */
    for (size_t i = 0; i + 1 < n && name[i] != '('; i++)
      if (name[i] == ':' && name[i + 1] == ':' && i > 0) return i;
    /* Java and Go without a path: up to the first segment that starts with
     * a capital (a class or an exported name), else the first segment */
    size_t first_dot = 0;
    for (size_t i = 0; i + 1 < n && name[i] != '('; i++) {
      if (name[i] != '.') continue;
      if (!first_dot) first_dot = i;
      if (name[i + 1] >= 'A' && name[i + 1] <= 'Z') return i;
    }
    return first_dot ? first_dot : n;
  }
  for (size_t i = start; i < n; i++)
    if (name[i] == '.') return i;
  return n;
}

/* HSL with h in turns, s and l in [0, 1]. */
static void S_hsl(double h, double s, double l, char out[8]) {
  double q = l < 0.5 ? l * (1 + s) : l + s - l * s, p = 2 * l - q;
  double rgb[3];
  for (int i = 0; i < 3; i++) {
    double t = h + (1 - i) / 3.0;
    t -= floor(t);
    double v;
    if (t < 1 / 6.0) v = p + (q - p) * 6 * t;
    else if (t < 0.5) v = q;
    else if (t < 2 / 3.0) v = p + (q - p) * (2 / 3.0 - t) * 6;
    else v = p;
    rgb[i] = v;
  }
  S_hex((int)(rgb[0] * 255 + 0.5), (int)(rgb[1] * 255 + 0.5), (int)(rgb[2] * 255 + 0.5), out);
}

void pd_palette_color(pd_palette p, const char *name, size_t n, char out[8]) {
  uint64_t h = pd_hash(name, n);
  double v1 = (double)(h & 0xffff) / 65536, v2 = (double)((h >> 16) & 0xffff) / 65536,
         v3 = (double)((h >> 32) & 0xffff) / 65536;
  switch (p) {
  case PD_PALETTE_MEM:
    S_hex(0, 190 + (int)(50 * v2), (int)(210 * v1), out);
    return;
  case PD_PALETTE_PACKAGE: {
    size_t pkg = pd_symbol_package(name, n);
    uint64_t ph = pd_hash(name, pkg);
    double hue = (double)(ph & 0xffffff) / 16777216.0;
    /* the package sets the hue; the function moves lightness a little so
     * that neighbours of one package stay apart */
    S_hsl(hue, 0.55 + 0.2 * v2, 0.62 + 0.12 * v1, out);
    return;
  }
  case PD_PALETTE_HOT:
  default:
    S_hex(205 + (int)(50 * v3), (int)(230 * v1), (int)(55 * v2), out);
    return;
  }
}

char pd_annotation(const char *name, size_t n, size_t *shown) {
  *shown = n;
  if (n < 4 || name[n - 4] != '_' || name[n - 3] != '[' || name[n - 1] != ']') return 0;
  char k = name[n - 2];
  if (k != 'k' && k != 'j' && k != 'i' && k != 'w') return 0;
  *shown = n - 4;
  return k;
}

void pd_annotation_color(char kind, const char *name, size_t n, char out[8]) {
  double v1 = (double)(pd_hash(name, n) & 0xffff) / 65536;
  switch (kind) {
  case 'k': S_hex(190 + (int)(65 * v1), 90 + (int)(65 * v1), 0, out); return;               /* orange */
  case 'j': S_hex(50 + (int)(60 * v1), 200 + (int)(55 * v1), 50 + (int)(60 * v1), out); return; /* green */
  default: S_hex(50 + (int)(60 * v1), 165 + (int)(55 * v1), 165 + (int)(55 * v1), out); return; /* aqua */
  }
}

void pd_change_color(double change, double max, char out[8]) {
  double f = max > 0 && isfinite(change) ? fabs(change) / max : 0;
  if (f > 1) f = 1;
  int strong = 220 + (int)(35 * f + 0.5), weak = (int)(220 * (1 - f) + 0.5);
  if (change > 0 && f > 0) S_hex(strong, weak, weak, out);
  else if (change < 0 && f > 0) S_hex(weak, weak, strong, out);
  else S_hex(220, 220, 220, out);
}
