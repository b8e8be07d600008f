/* fixtures.c: profiles with hostile function names, for the escaping tests.
 *
 *   zig-out/debug/bin/profdiff-test --write-fixtures DIR
 *
 * writes DIR/hostile-before.pb.gz and DIR/hostile-after.pb.gz: Go-style heap
 * profiles (inuse_space, inuse_objects) whose functions are named with every
 * kind of trouble: markup, Markdown, pipes, backticks, CDATA ends, script
 * ends, quotes, control bytes, newlines, invalid UTF-8, a very long name. In
 * the "after" profile every hostile function has grown, so each lands in
 * every table of a report. The e2e tests (tests/e2e/hostile.sh) generate
 * them fresh on every run; nothing is checked in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ingest/profile.pb-c.h"
#include "test.h"

static const char *S_names[] = {
    "<img src=x onerror=alert(1)>",
    "pipes|in|the|name",
    "`code` and ``double`` ticks`",
    "]]><!-- not a comment -->",
    "</script><script>alert(1)</script>",
    "<alloc::Global as core::Alloc>::allocate",
    "ctl\x01\x1b[31mred\x7f",
    "line1\nline2\r\n| --- |",
    "bad utf8 \xff\xfe\xc3( end",
    "it's \"quoted\" & <b>bold</b>",
    "[click](javascript:alert(1)) **bold** # heading",
    "&amp; &lt;entity&gt; &#x3C; &nbsp;",
    "NUL\0inside",
    NULL /* the long name, built below */
};
#define S_NNAMES 14

static int S_write(const char *path, int after) {
  char longname[3100];
  memset(longname, 'L', sizeof longname - 1);
  memcpy(longname, "long.", 5);
  longname[sizeof longname - 1] = 0;
  /* strings: "", types, units, main, names... */
  char *strs[4 + 2 + S_NNAMES + 2];
  size_t ns = 0;
  strs[ns++] = "";
  strs[ns++] = "inuse_objects";
  strs[ns++] = "count";
  strs[ns++] = "inuse_space";
  strs[ns++] = "bytes";
  strs[ns++] = "space";
  strs[ns++] = "main.main";
  size_t first_name = ns;
  for (int i = 0; i < S_NNAMES; i++) strs[ns++] = (char *)(S_names[i] ? S_names[i] : longname);
  Perftools__Profiles__Profile p;
  perftools__profiles__profile__init(&p);
  p.string_table = strs;
  p.n_string_table = ns;
  Perftools__Profiles__ValueType vt[3], *vtp[2];
  for (int i = 0; i < 3; i++) perftools__profiles__value_type__init(&vt[i]);
  vt[0].type = 1, vt[0].unit = 2, vt[1].type = 3, vt[1].unit = 4;
  vt[2].type = 5, vt[2].unit = 4;
  vtp[0] = &vt[0], vtp[1] = &vt[1];
  p.sample_type = vtp;
  p.n_sample_type = 2;
  p.period_type = &vt[2];
  p.period = 524288;
  p.time_nanos = after ? 1795374194000000000LL : 1795370594000000000LL; /* one hour apart */
  /* function i+1 is names[i]; function S_NNAMES+1 is main.main */
  Perftools__Profiles__Function f[S_NNAMES + 1], *fp[S_NNAMES + 1];
  Perftools__Profiles__Line ln[S_NNAMES + 1], *lnp[S_NNAMES + 1];
  Perftools__Profiles__Location l[S_NNAMES + 1], *lp[S_NNAMES + 1];
  for (int i = 0; i <= S_NNAMES; i++) {
    perftools__profiles__function__init(&f[i]);
    f[i].id = (uint64_t)i + 1;
    f[i].name = f[i].system_name = i < S_NNAMES ? (int64_t)(first_name + (size_t)i) : 6;
    fp[i] = &f[i];
    perftools__profiles__line__init(&ln[i]);
    ln[i].function_id = (uint64_t)i + 1;
    lnp[i] = &ln[i];
    perftools__profiles__location__init(&l[i]);
    l[i].id = (uint64_t)i + 1;
    l[i].line = &lnp[i];
    l[i].n_line = 1;
    lp[i] = &l[i];
  }
  p.function = fp;
  p.n_function = S_NNAMES + 1;
  p.location = lp;
  p.n_location = S_NNAMES + 1;
  /* one sample per name: main.main -> name; values large enough to be
   * beyond sampling noise (objects of 1 MiB are always sampled) */
  Perftools__Profiles__Sample s[S_NNAMES], *sp[S_NNAMES];
  uint64_t locs[S_NNAMES][2];
  int64_t vals[S_NNAMES][2];
  for (int i = 0; i < S_NNAMES; i++) {
    perftools__profiles__sample__init(&s[i]);
    locs[i][0] = (uint64_t)i + 1;
    locs[i][1] = S_NNAMES + 1;
    int64_t mib = after ? 8 + i : 2; /* every one grows */
    vals[i][0] = mib;
    vals[i][1] = mib * 1048576;
    s[i].location_id = locs[i];
    s[i].n_location_id = 2;
    s[i].value = vals[i];
    s[i].n_value = 2;
    sp[i] = &s[i];
  }
  p.sample = sp;
  p.n_sample = S_NNAMES;
  /* The NUL inside a name: protobuf strings may hold it, but C strings
   * cannot, so the string table entry for it is truncated at the NUL. That
   * still tests names whose bytes C code could mishandle elsewhere. */
  size_t n = perftools__profiles__profile__get_packed_size(&p);
  uint8_t *buf = malloc(n);
  perftools__profiles__profile__pack(&p, buf);
  gzFile gz = gzopen(path, "wb");
  int ok = gz && gzwrite(gz, buf, (unsigned)n) == (int)n;
  if (gz) ok &= gzclose(gz) == Z_OK;
  free(buf);
  return ok ? 0 : -1;
}

int pd_test_write_fixtures(const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/hostile-before.pb.gz", dir);
  if (S_write(path, 0)) return -1;
  snprintf(path, sizeof path, "%s/hostile-after.pb.gz", dir);
  return S_write(path, 1);
}
