/* test_tags.c: pprof's tag filter forms (driver_focus.go's compileTagFilter
 * and parseTagFilterRange), matched against hand-made labels. */
#include "test.h"
#include "align/align.h"

#include <string.h>

/* A profile with only a string table: "" k v bytes size ms */
static void S_profile(pd_profile *p) {
  static const char *str[] = {"", "version", "v2", "bytes", "size", "ms", "environment", "prod-1"};
  static uint32_t len[8];
  for (int i = 0; i < 8; i++) len[i] = (uint32_t)strlen(str[i]);
  pd_profile_init(p, "t.pb", PD_FORMAT_PPROF);
  p->str = str;
  p->str_len = len;
  p->nstr = 8;
}

static int S_match(const char *spec, const pd_profile *p, const pd_label *l, uint32_t n) {
  pd_tagfilter f;
  pd_err err;
  if (pd_tagfilter_compile(&f, spec, "--tagfocus", &err) != PD_OK) return -1;
  int m = pd_tagfilter_match(&f, p, l, n);
  pd_tagfilter_free(&f);
  return m;
}

PD_TEST(tag_filter_forms) {
  pd_profile p;
  S_profile(&p);
  pd_label l[3] = {{1, 2, 0, 0}, {3, 0, 0, 1536}, {6, 7, 0, 0}}; /* version=v2, bytes=1536, environment=prod-1 */
  pd_tagfilter f;
  pd_err err;
  CHECK(pd_tagfilter_compile(&f, "bytes=1MB:", "--tagfocus", &err) == PD_OK && f.numeric && f.op == PD_TAG_GE &&
        f.lo == 1 && strcmp(f.unit, "MB") == 0 && strcmp(f.key, "bytes") == 0);
  pd_tagfilter_free(&f);
  CHECK(pd_tagfilter_compile(&f, "1kb:1MB", "--tagfocus", &err) == PD_OK && f.op == PD_TAG_RANGE && f.lo == 1 &&
        f.hi == 1024 && !f.key);
  pd_tagfilter_free(&f);
  /* not a range: "1.5kB" has two numbers that are not N:M, so a regex */
  CHECK(pd_tagfilter_compile(&f, "1.5kB", "--tagfocus", &err) == PD_OK && !f.numeric && f.nre == 1);
  pd_tagfilter_free(&f);
  CHECK(S_match("bytes=1kB:", &p, l, 3) == 1);
  CHECK(S_match("bytes=:1kB", &p, l, 3) == 0);
  CHECK(S_match("bytes=1kB:2kB", &p, l, 3) == 1);
  CHECK(S_match("bytes=1536B", &p, l, 3) == 1);
  CHECK(S_match("bytes=1536", &p, l, 3) == 0); /* no unit: never a byte label */
  CHECK(S_match("size=1kB:", &p, l, 3) == 0);  /* another key */
  CHECK(S_match(":2kB", &p, l, 3) == 1);       /* any numeric key */
  CHECK(S_match("version=v2", &p, l, 3) == 1);
  CHECK(S_match("version=v1,v2", &p, l, 3) == 1); /* with a key: any expression */
  CHECK(S_match("version=^2", &p, l, 3) == 0);
  CHECK(S_match("version:v2", &p, l, 3) == 1);    /* without: "key:value" */
  CHECK(S_match("version:v2,environment:prod", &p, l, 3) == 1); /* all must match */
  CHECK(S_match("version:v2,environment:staging", &p, l, 3) == 0);
  CHECK(S_match("environment=prod-1", &p, l, 3) == 1); /* digits inside a name: not a range */
  CHECK(S_match("environment=(", &p, l, 3) == -1);
  CHECK(S_match("bytes=99999999999999999999:", &p, l, 3) == -1);
  p.str = NULL; /* not the profile's to free */
  p.str_len = NULL;
  pd_profile_free(&p);
}

static const pd_test_case S_cases[] = {{"tag_filter_forms", tag_filter_forms}, {NULL, NULL}};
const pd_test_suite pd_suite_tags = {"tags", S_cases};
