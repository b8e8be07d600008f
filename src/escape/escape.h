/* escape.h: the one place where untrusted names become output syntax.
 *
 * A module of its own, below render/ and report/ (which both include it) and
 * above util/ only: cmark's houdini, one escaper per output language.
 *
 * Function names come from the profiled program and can hold anything:
 * C++ templates (<>&), Rust impls (backticks, quotes), `|`, control bytes,
 * invalid UTF-8 (../shared/data/pprof/pyroscope-og-invalid_utf8.pb.gz has a
 * name made of every byte 0..255). Every writer (JSON, XML/SVG, HTML,
 * Markdown, folded text) passes names through these functions and never
 * builds markup from a raw name.
 *
 * All escapers first make the text valid UTF-8 (each invalid byte becomes
 * U+FFFD) and then apply the target's rules.
 */
#ifndef PD_ESCAPE_H
#define PD_ESCAPE_H

#include "../util/util.h"

/* Decodes one UTF-8 code point at s (n bytes left). Returns its length and
 * sets *cp, or returns 1 and sets *cp = -1 for an invalid byte. */
size_t pd_utf8_next(const unsigned char *s, size_t n, int32_t *cp);

/* Valid UTF-8 copy: invalid bytes -> U+FFFD. */
void pd_esc_utf8(pd_buf *out, const char *s, size_t n);

/* A JSON string literal, quotes included. */
void pd_esc_json(pd_buf *out, const char *s, size_t n);

/* XML 1.0 text or attribute value (SVG, HTML, JUnit): & < > " ' become
 * entities; characters XML forbids (C0 controls but tab/newline/CR,
 * U+FFFE/U+FFFF) become U+FFFD, since XML cannot carry them even escaped. */
void pd_esc_xml(pd_buf *out, const char *s, size_t n);

/* Text for an XML writer that escapes entities itself (libxml2's
 * xmlTextWriter): valid UTF-8, and the characters XML 1.0 cannot carry even
 * escaped (C0 controls but tab, newline, CR; U+FFFE, U+FFFF) as U+FFFD. */
void pd_xml_clean(pd_buf *out, const char *s, size_t n);

/* One line of folded-stack text: ';' would split the frame and a newline the
 * record, so both (and other C0 controls) become '_' ... documented in
 * docs/fold.md. */
void pd_esc_folded_frame(pd_buf *out, const char *s, size_t n);

/* Terminal text, the one rule for everything profdiff prints (`top`'s
 * table, errors, warnings, the summary line): valid UTF-8, and what could
 * start a new row, move the cursor, begin an escape sequence or reorder the
 * line (C0 and C1 controls, DEL, U+2028/9, bidirectional overrides and
 * isolates) becomes U+FFFD, so no input can rewrite the screen or forge a
 * log line. */
void pd_esc_text(pd_buf *out, const char *s, size_t n);
/* The same into out[0..cap), NUL-terminated, cut at a whole character when
 * it does not fit; allocates nothing (for a signal handler). Returns the
 * length written. */
size_t pd_esc_text_to(char *out, size_t cap, const char *s, size_t n);

/* A name as a Markdown code span: a backtick fence longer than any run of
 * backticks in the name (so the name cannot end the span), padded with a
 * space when the name starts or ends with a backtick or space, line breaks
 * and control characters as U+FFFD. In a GFM table cell (in_table), '|' is
 * written '\|' so it cannot end the cell (GFM unescapes it inside the
 * span). The rendered HTML of a code span is escaped text, so no name can
 * add markup. */
void pd_esc_md_code(pd_buf *out, const char *s, size_t n, int in_table);

/* Plain Markdown text inside a paragraph or a table cell (titles, paths,
 * reasons, warnings; never at the start of a line, where # - + 1. would
 * matter): the characters inline Markdown reads as syntax (\ ` * _ [ ] < >
 * & | ~ !) are backslash-escaped, line breaks become spaces, controls
 * U+FFFD. No text can add markup, a link, an entity or a table cell. */
void pd_esc_md_text(pd_buf *out, const char *s, size_t n);

/* The user's own Markdown (report --notes) kept whole but contained: every
 * line becomes a line of one block quote ("> " + line), then a blank line
 * ends the quote. Whatever the notes leave open (a code fence, an HTML
 * block such as "<!--", a list, a table) is a child of the quote and is
 * closed when the quote ends, so the generated sections after it parse as
 * written. Link reference definitions stay global in CommonMark, so the
 * generated Markdown uses inline links only and escapes its brackets. */
void pd_md_blockquote(pd_buf *out, const char *s, size_t n);

/* A URL as a Markdown link destination (--link-base): every byte but
 * letters, digits and -._~:/?#@!$+,;=% is percent-encoded, so no URL can
 * end the link, start an entity or carry a space or a control character
 * (a '%' already there is kept: the URL may be encoded). */
void pd_esc_md_url(pd_buf *out, const char *s, size_t n);

/* Number of code points (after U+FFFD substitution) in s. */
size_t pd_utf8_width(const char *s, size_t n);

/* Byte length of the longest prefix of s holding at most max code points,
 * so a label can be cut before it is escaped (cutting after escaping can
 * split an entity in half). */
size_t pd_utf8_prefix(const char *s, size_t n, size_t max);

#endif
