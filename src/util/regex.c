/* regex.c: regular expressions with bounded time and memory, on PCRE2.
 *
 * Every pattern profdiff runs is untrusted: --focus and friends come from a
 * command line that CI scripts assemble, and drop_frames/keep_frames come from
 * the profile itself. glibc's regcomp crashed on 20,000 nested parentheses,
 * compiled (a*)*{200} for ever and took gigabytes on bounded repetitions, so
 * the engine is PCRE2 with every limit it has set (docs/filters.md says why
 * not RE2): the pattern's length, its nesting, its compiled size (LINK_SIZE 2
 * caps it at 64K code units) and, per match, its backtracking steps, depth
 * and heap. A match that needs more is an error, never a slow answer.
 */
#include "util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pd_regex {
  pcre2_code *code;
  pcre2_match_data *md;
  pcre2_match_context *cheap, *full;
  uint32_t expensive; /* matches that needed the full limits */
};

/* Memory comes from the same place as the rest (mem.c's budget). */
static void *S_malloc(PCRE2_SIZE n, void *ctx) {
  (void)ctx;
  return pd_try_malloc(n);
}
static void S_free(void *p, void *ctx) {
  (void)ctx;
  free(p);
}

static pcre2_general_context *S_general(void) {
  static pcre2_general_context *g; /* no state of its own: one for all */
  if (!g) g = pcre2_general_context_create(S_malloc, S_free, NULL);
  return g;
}

static pcre2_match_context *S_match_context(uint32_t steps, uint32_t heap_kib) {
  pcre2_match_context *m = pcre2_match_context_create(S_general());
  if (!m) return NULL;
  pcre2_set_match_limit(m, steps);
  pcre2_set_depth_limit(m, steps);
  pcre2_set_heap_limit(m, heap_kib);
  return m;
}

void pd_regex_free(pd_regex *re) {
  if (!re) return;
  pcre2_code_free(re->code);
  pcre2_match_data_free(re->md);
  pcre2_match_context_free(re->cheap);
  pcre2_match_context_free(re->full);
  free(re);
}

int pd_regex_new(pd_regex **out, const char *pattern, int anchored, pd_err *err) {
  *out = NULL;
  size_t n = strlen(pattern);
  if (n > PD_REGEX_MAX_LEN)
    return pd_fail(err, "is %zu bytes long, over the limit of %d", n, PD_REGEX_MAX_LEN);
  pd_buf b = PD_BUF_INIT;
  /* pprof's own wrapping of drop_frames: "^(" + pattern + ")$" */
  if (anchored) pd_buf_puts(&b, "^(");
  pd_buf_put(&b, pattern, n);
  if (anchored) pd_buf_puts(&b, ")$");
  pcre2_compile_context *cc = pcre2_compile_context_create(S_general());
  pd_regex *re = pd_try_malloc(sizeof *re);
  if (!cc || !re) {
    pcre2_compile_context_free(cc);
    free(re);
    pd_buf_free(&b);
    return pd_fail(err, "cannot be compiled: out of memory");
  }
  memset(re, 0, sizeof *re);
  pcre2_set_max_pattern_length(cc, PD_REGEX_MAX_LEN + 4);
  pcre2_set_parens_nest_limit(cc, PD_REGEX_MAX_NEST);
  /* Go's regexp (pprof's): UTF-8, $ only at the very end, \d \w \s ASCII
   * (PCRE2 without UCP); names that are not UTF-8 still match byte by byte
   * where they are valid. \C could split a character: refused. */
  int ecode;
  PCRE2_SIZE eoff;
  re->code = pcre2_compile((PCRE2_SPTR)b.data, b.len,
                           PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY |
                               PCRE2_NEVER_BACKSLASH_C | PCRE2_NO_AUTO_CAPTURE,
                           &ecode, &eoff, cc);
  pcre2_compile_context_free(cc);
  pd_buf_free(&b);
  if (!re->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(ecode, msg, sizeof msg);
    size_t at = anchored ? (eoff >= 2 ? eoff - 2 : 0) : eoff;
    if (at > n) at = n;
    pd_regex_free(re);
    return pd_fail(err, "is invalid: %s (at byte %zu)", (const char *)msg, at);
  }
  re->md = pcre2_match_data_create(1, S_general());
  re->cheap = S_match_context(PD_REGEX_CHEAP_STEPS, 1024);
  re->full = S_match_context(PD_REGEX_MAX_STEPS, PD_REGEX_MAX_HEAP_KIB);
  if (!re->md || !re->cheap || !re->full) {
    pd_regex_free(re);
    return pd_fail(err, "cannot be compiled: out of memory");
  }
  *out = re;
  return PD_OK;
}

static int S_over_limit(int rc) {
  return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
         rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_NOMEMORY;
}

/* Every match first runs with a small budget (what a real pattern on a real
 * name needs, a hundred times over); one that needs more gets the full
 * limits, but only PD_REGEX_MAX_EXPENSIVE times a pattern: so a pattern
 * costs at most its cheap budget per subject plus a fixed sum, however the
 * subjects were crafted to stay just under a limit. */
int pd_regex_match(pd_regex *re, const char *s, size_t n, pd_err *err) {
  int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md, re->cheap);
  if (S_over_limit(rc)) {
    if (re->expensive >= PD_REGEX_MAX_EXPENSIVE)
      return pd_fail(err, "needs more than %d steps on each of %d names (the last of %zu bytes)",
                     PD_REGEX_CHEAP_STEPS, PD_REGEX_MAX_EXPENSIVE + 1, n);
    re->expensive++;
    rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, re->md, re->full);
  }
  if (rc >= 0) return 1;
  if (rc == PCRE2_ERROR_NOMATCH) return 0;
  if (S_over_limit(rc))
    return pd_fail(err, "needs more than %d %s to match a name of %zu bytes",
                   rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ? PD_REGEX_MAX_STEPS
                                                                                : PD_REGEX_MAX_HEAP_KIB / 1024,
                   rc == PCRE2_ERROR_MATCHLIMIT   ? "steps"
                   : rc == PCRE2_ERROR_DEPTHLIMIT ? "levels of backtracking"
                                                  : "MB of memory",
                   n);
  PCRE2_UCHAR msg[256];
  pcre2_get_error_message(rc, msg, sizeof msg);
  return pd_fail(err, "cannot match a name of %zu bytes: %s", n, (const char *)msg);
}

const char *pd_regex_excerpt(const char *pattern, char *buf, size_t size) {
  size_t n = strlen(pattern), keep = size > 32 ? size - 32 : 0;
  if (n < size) return pattern;
  while (keep > 0 && ((unsigned char)pattern[keep] & 0xc0) == 0x80) keep--; /* whole UTF-8 characters */
  snprintf(buf, size, "%.*s... (%zu bytes)", (int)keep, pattern, n);
  return buf;
}
