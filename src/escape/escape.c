/* escape.c: see escape.h. Modelled on cmark's houdini: one table-driven loop
 * per target, and nothing else in profdiff escapes. */
#include "escape.h"

#include <string.h>

size_t pd_utf8_next(const unsigned char *s, size_t n, int32_t *cp) {
  unsigned char c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  int32_t v, min;
  if (c >= 0xc2 && c <= 0xdf) len = 2, v = c & 0x1f, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef) len = 3, v = c & 0x0f, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4) len = 4, v = c & 0x07, min = 0x10000;
  else {
    *cp = -1;
    return 1;
  }
  if (n < len) {
    *cp = -1;
    return 1;
  }
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) {
      *cp = -1;
      return 1;
    }
    v = (v << 6) | (s[i] & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
    *cp = -1;
    return 1;
  }
  *cp = v;
  return len;
}

static const char S_replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

void pd_esc_utf8(pd_buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  pd_buf_reserve(out, n);
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    if (cp < 0) pd_buf_put(out, S_replacement, 3);
    else pd_buf_put(out, p + i, len);
    i += len;
  }
}

void pd_esc_json(pd_buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  pd_buf_reserve(out, n + 2);
  pd_buf_putc(out, '"');
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    if (cp < 0) {
      pd_buf_put(out, S_replacement, 3);
    } else if (cp == '"') {
      pd_buf_put(out, "\\\"", 2);
    } else if (cp == '\\') {
      pd_buf_put(out, "\\\\", 2);
    } else if (cp == '\n') {
      pd_buf_put(out, "\\n", 2);
    } else if (cp == '\t') {
      pd_buf_put(out, "\\t", 2);
    } else if (cp == '\r') {
      pd_buf_put(out, "\\r", 2);
    } else if (cp < 0x20 || cp == 0x7f || cp == 0x2028 || cp == 0x2029) {
      /* U+2028/9 are valid JSON but end a line in JavaScript: escape them so
       * the JSON can also be embedded in an HTML <script>. */
      pd_buf_printf(out, "\\u%04x", (unsigned)cp);
    } else if (cp == '<' || cp == '>' || cp == '&') {
      /* same reason: "</script>" inside an inline script would end it */
      pd_buf_printf(out, "\\u%04x", (unsigned)cp);
    } else {
      pd_buf_put(out, p + i, len);
    }
    i += len;
  }
  pd_buf_putc(out, '"');
}

static int S_xml_forbidden(int32_t cp) {
  return cp < 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xfffe ||
         cp == 0xffff;
}

static void S_xml(pd_buf *out, const char *s, size_t n, int entities) {
  const unsigned char *p = (const unsigned char *)s;
  pd_buf_reserve(out, n);
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    if (S_xml_forbidden(cp)) pd_buf_put(out, S_replacement, 3);
    else if (!entities) pd_buf_put(out, p + i, len);
    else if (cp == '&') pd_buf_put(out, "&amp;", 5);
    else if (cp == '<') pd_buf_put(out, "&lt;", 4);
    else if (cp == '>') pd_buf_put(out, "&gt;", 4);
    else if (cp == '"') pd_buf_put(out, "&quot;", 6);
    else if (cp == '\'') pd_buf_put(out, "&#39;", 5);
    else pd_buf_put(out, p + i, len);
    i += len;
  }
}

void pd_esc_xml(pd_buf *out, const char *s, size_t n) { S_xml(out, s, n, 1); }
void pd_xml_clean(pd_buf *out, const char *s, size_t n) { S_xml(out, s, n, 0); }

void pd_esc_folded_frame(pd_buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  pd_buf_reserve(out, n);
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    if (cp < 0) pd_buf_put(out, S_replacement, 3);
    else if (cp == ';' || cp < 0x20 || cp == 0x7f) pd_buf_putc(out, '_');
    else pd_buf_put(out, p + i, len);
    i += len;
  }
}

/* What a terminal must not receive: C0 and C1 controls and DEL (a new line,
 * a carriage return over a log line, the start of an escape sequence; C1's
 * U+009B is a CSI by itself on some terminals), the line and paragraph
 * separators, and the bidirectional overrides and isolates, which reorder
 * what is shown after them (a forged log line). */
static int S_term_bad(int32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void pd_esc_text(pd_buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  pd_buf_reserve(out, n);
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    if (S_term_bad(cp)) pd_buf_put(out, S_replacement, 3);
    else pd_buf_put(out, p + i, len);
    i += len;
  }
}

size_t pd_esc_text_to(char *out, size_t cap, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t o = 0;
  if (cap == 0) return 0;
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    const void *src = S_term_bad(cp) ? (const void *)S_replacement : (const void *)(p + i);
    size_t k = S_term_bad(cp) ? 3 : len;
    if (o + k >= cap) break;
    memcpy(out + o, src, k);
    o += k;
    i += len;
  }
  out[o] = 0;
  return o;
}

size_t pd_utf8_width(const char *s, size_t n) {
  size_t w = 0;
  int32_t cp;
  for (size_t i = 0; i < n; w++) i += pd_utf8_next((const unsigned char *)s + i, n - i, &cp);
  return w;
}

size_t pd_utf8_prefix(const char *s, size_t n, size_t max) {
  size_t i = 0, w = 0;
  int32_t cp;
  while (i < n && w < max) {
    i += pd_utf8_next((const unsigned char *)s + i, n - i, &cp);
    w++;
  }
  return i;
}

void pd_esc_md_code(pd_buf *out, const char *s, size_t n, int in_table) {
  size_t run = 0, longest = 0;
  for (size_t i = 0; i < n; i++) {
    run = s[i] == '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  int pad = n == 0 || s[0] == '`' || s[n - 1] == '`' || s[0] == ' ' || s[n - 1] == ' ';
  for (size_t i = 0; i <= longest; i++) pd_buf_putc(out, '`');
  if (pad) pd_buf_putc(out, ' ');
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    if (cp < 0 || cp < 0x20 || cp == 0x7f) pd_buf_put(out, S_replacement, 3);
    else if (cp == '|' && in_table) pd_buf_put(out, "\\|", 2);
    else pd_buf_put(out, p + i, len);
    i += len;
  }
  if (pad) pd_buf_putc(out, ' ');
  for (size_t i = 0; i <= longest; i++) pd_buf_putc(out, '`');
}

void pd_md_blockquote(pd_buf *out, const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    const char *nl = memchr(s + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - s) : n, e = end;
    if (e > i && s[e - 1] == '\r') e--;
    /* a lone CR is a line break to CommonMark too: it would end the quote
     * line and start an unquoted one */
    pd_buf_putc(out, '>');
    if (e > i) pd_buf_putc(out, ' ');
    for (size_t k = i; k < e; k++) {
      if (s[k] == '\r') pd_buf_puts(out, "\n> ");
      else pd_buf_putc(out, s[k]);
    }
    pd_buf_putc(out, '\n');
    i = end + 1;
  }
  pd_buf_putc(out, '\n'); /* a blank line: the quote, and all it holds, ends */
}

void pd_esc_md_url(pd_buf *out, const char *s, size_t n) {
  static const char safe[] = "-._~:/?#@!$+,;=%";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr(safe, c)))
      pd_buf_putc(out, (char)c);
    else
      pd_buf_printf(out, "%%%02X", c);
  }
}

void pd_esc_md_text(pd_buf *out, const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    int32_t cp;
    size_t len = pd_utf8_next(p + i, n - i, &cp);
    if (cp == '\n' || cp == '\r' || cp == '\t') pd_buf_putc(out, ' ');
    else if (cp < 0 || cp < 0x20 || cp == 0x7f) pd_buf_put(out, S_replacement, 3);
    else if (cp < 0x80 && strchr("\\`*_[]<>&|~!", cp)) {
      pd_buf_putc(out, '\\');
      pd_buf_putc(out, (char)cp);
    } else pd_buf_put(out, p + i, len);
    i += len;
  }
}
