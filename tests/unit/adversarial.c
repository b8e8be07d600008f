/* adversarial.c: very large and very deep profiles, for the tests that
 * check profdiff stays linear and bounded on hostile shapes.
 *
 *   zig-out/debug/bin/profdiff-test --write-adversarial DIR [DIVISOR]
 *
 * writes raw pprof protobufs to DIR (sizes divided by DIVISOR, so that the
 * valgrind pass can use smaller ones):
 *   wide.pb     1,000,000 samples, each one distinct function
 *   deep.pb     one sample 100,000 frames deep, every frame a distinct function
 *   recurse.pb  one sample 100,000 frames deep, all the same function
 *   longname.pb one function whose name is 1 MB
 *   strings.pb  a string table of 2,000,000 strings, two of them used
 * and, with --write-robust DIR [DIVISOR], the inputs of tests/e2e/robust.sh:
 *   re-*.pb     main -> a function named "aaa...a!" (100,000 bytes) and
 *               main -> f, with hostile drop_frames / keep_frames patterns:
 *               nesting, exponential compiles, huge repetitions, backtracking
 *   shared.pb   two samples sharing a 300,000-frame prefix (one function
 *               recursing), then leaves f1 and f2: the stack sort once
 *               recursed per shared frame
 * and, with --write-memory DIR [DIVISOR], those of tests/e2e/memory.sh,
 * gzip'd (a few hundred KB each):
 *   strings.pb.gz 100,000,000 empty strings in the string table (200 MB
 *               inflated), the rest a one-sample profile: took 2.8 GB
 *   deep.pb.gz  one sample of 2,000,000 frames (over PD_MAX_STACK_DEPTH)
 *   inline.pb.gz one location of 1,000 inlined lines, 1,001 times in one
 *               sample: a million frames from 1 KB of location ids
 * The protobuf is written by hand (a few varints): protobuf-c would need a
 * struct per message, i.e. hundreds of MB for the wide profile. Generated
 * fresh by tests/e2e/limits.sh; nothing is checked in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "test.h"
#include "util/util.h"

static void S_varint(pd_buf *b, uint64_t v) {
  while (v >= 0x80) {
    pd_buf_putc(b, (char)(v | 0x80));
    v >>= 7;
  }
  pd_buf_putc(b, (char)v);
}

static void S_key(pd_buf *b, uint32_t field, int wt) { S_varint(b, (uint64_t)field << 3 | (uint64_t)wt); }

/* A length-delimited field holding msg. */
static void S_bytes(pd_buf *b, uint32_t field, const void *msg, size_t n) {
  S_key(b, field, 2);
  S_varint(b, n);
  pd_buf_put(b, msg, n);
}

static void S_string(pd_buf *b, const char *s, size_t n) { S_bytes(b, 6, s, n); }

/* Profile fields: 1 sample_type, 2 sample, 4 location, 5 function, 6 string. */
static void S_header(pd_buf *b) {
  pd_buf vt = PD_BUF_INIT;
  S_key(&vt, 1, 0), S_varint(&vt, 1); /* type "samples" */
  S_key(&vt, 2, 0), S_varint(&vt, 2); /* unit "count" */
  S_bytes(b, 1, vt.data, vt.len);
  pd_buf_free(&vt);
  S_string(b, "", 0);
  S_string(b, "samples", 7);
  S_string(b, "count", 5);
}

/* function id -> name string, location id -> one line of function id */
static void S_function(pd_buf *b, uint64_t id, uint64_t name) {
  pd_buf m = PD_BUF_INIT;
  S_key(&m, 1, 0), S_varint(&m, id);
  S_key(&m, 2, 0), S_varint(&m, name);
  S_bytes(b, 5, m.data, m.len);
  pd_buf_free(&m);
}

static void S_location(pd_buf *b, uint64_t id, uint64_t function) {
  pd_buf line = PD_BUF_INIT, m = PD_BUF_INIT;
  S_key(&line, 1, 0), S_varint(&line, function);
  S_key(&m, 1, 0), S_varint(&m, id);
  S_bytes(&m, 4, line.data, line.len);
  S_bytes(b, 4, m.data, m.len);
  pd_buf_free(&line);
  pd_buf_free(&m);
}

/* A sample with packed location ids and one value. */
static void S_sample(pd_buf *b, const uint64_t *locs, size_t n, int64_t value) {
  pd_buf ids = PD_BUF_INIT, m = PD_BUF_INIT;
  for (size_t i = 0; i < n; i++) S_varint(&ids, locs[i]);
  S_bytes(&m, 1, ids.data, ids.len);
  S_key(&m, 2, 0), S_varint(&m, (uint64_t)value);
  S_bytes(b, 2, m.data, m.len);
  pd_buf_free(&ids);
  pd_buf_free(&m);
}

static int S_save(const char *dir, const char *name, pd_buf *b) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  int ok = f && fwrite(b->data, 1, b->len, f) == b->len;
  if (f) ok &= fclose(f) == 0;
  pd_buf_free(b);
  if (!ok) fprintf(stderr, "cannot write %s\n", path);
  return ok ? 0 : -1;
}

/* n functions "f<i>" (strings 3..n+2), locations 1..n. */
static void S_functions(pd_buf *b, size_t n) {
  char name[32];
  for (size_t i = 0; i < n; i++) S_string(b, name, (size_t)snprintf(name, sizeof name, "f%zu", i));
  for (size_t i = 0; i < n; i++) {
    S_function(b, i + 1, i + 3);
    S_location(b, i + 1, i + 1);
  }
}

/* Profile fields 7 drop_frames and 8 keep_frames are string indexes. */
static int S_regex_profile(const char *dir, const char *file, const char *drop, const char *keep, size_t nlong) {
  pd_buf b = PD_BUF_INIT;
  S_header(&b);
  char *name = malloc(nlong + 1);
  memset(name, 'a', nlong);
  name[nlong - 1] = '!';
  S_string(&b, "main", 4);     /* 3 */
  S_string(&b, name, nlong);   /* 4 */
  S_string(&b, "f", 1);        /* 5 */
  S_string(&b, drop, strlen(drop)); /* 6 */
  S_string(&b, keep, strlen(keep)); /* 7 */
  free(name);
  for (uint64_t i = 1; i <= 3; i++) {
    S_function(&b, i, i + 2);
    S_location(&b, i, i);
  }
  uint64_t s1[2] = {2, 1}, s2[2] = {3, 1};
  S_sample(&b, s1, 2, 3);
  S_sample(&b, s2, 2, 2);
  S_key(&b, 7, 0), S_varint(&b, 6);
  if (*keep) S_key(&b, 8, 0), S_varint(&b, 7);
  return S_save(dir, file, &b);
}

int pd_test_write_adversarial(const char *dir, unsigned divisor) {
  if (divisor == 0) divisor = 1;
  int rc = 0;
  /* wide: a million one-frame stacks, values 1..7 */
  size_t nwide = 1000000 / divisor;
  pd_buf b = PD_BUF_INIT;
  S_header(&b);
  S_functions(&b, nwide);
  for (size_t i = 0; i < nwide; i++) {
    uint64_t loc = i + 1;
    S_sample(&b, &loc, 1, (int64_t)(i % 7 + 1));
  }
  rc |= S_save(dir, "wide.pb", &b);
  /* deep: one stack of 100,000 distinct frames (leaf first: f0 is the leaf) */
  size_t ndeep = 100000 / divisor;
  uint64_t *locs = malloc(ndeep * sizeof *locs);
  for (size_t i = 0; i < ndeep; i++) locs[i] = i + 1;
  S_header(&b);
  S_functions(&b, ndeep);
  S_sample(&b, locs, ndeep, 5);
  rc |= S_save(dir, "deep.pb", &b);
  /* recurse: the same frame 100,000 times (cum must count it once) */
  for (size_t i = 0; i < ndeep; i++) locs[i] = 1;
  S_header(&b);
  S_functions(&b, 1);
  S_sample(&b, locs, ndeep, 5);
  rc |= S_save(dir, "recurse.pb", &b);
  free(locs);
  /* longname: main -> a function named by 1 MB of 'x' */
  size_t nlong = 1 << 20;
  char *name = malloc(nlong);
  memset(name, 'x', nlong);
  memcpy(name, "long.", 5);
  S_header(&b);
  S_string(&b, "main", 4);
  S_string(&b, name, nlong);
  S_function(&b, 1, 3);
  S_function(&b, 2, 4);
  S_location(&b, 1, 1);
  S_location(&b, 2, 2);
  uint64_t two[2] = {2, 1};
  S_sample(&b, two, 2, 3);
  rc |= S_save(dir, "longname.pb", &b);
  free(name);
  /* strings: two million strings, two of them used */
  size_t nstr = 2000000 / divisor;
  S_header(&b);
  char s[32];
  for (size_t i = 0; i < nstr; i++) S_string(&b, s, (size_t)snprintf(s, sizeof s, "unused-%zu", i));
  S_function(&b, 1, 1); /* named "samples": any used string will do */
  S_location(&b, 1, 1);
  uint64_t one = 1;
  S_sample(&b, &one, 1, 9);
  rc |= S_save(dir, "strings.pb", &b);
  return rc;
}

/* The inputs of tests/e2e/robust.sh (--write-robust DIR [DIVISOR]). */
int pd_test_write_robust(const char *dir, unsigned divisor) {
  if (divisor == 0) divisor = 1;
  int rc = 0;
  pd_buf b = PD_BUF_INIT;
  /* shared: f0 x 300,000 then f1 (value 1), and the same prefix then f2
   * (value 2); leaf first */
  size_t nshared = 300000 / divisor + 1;
  uint64_t *locs = malloc(nshared * sizeof *locs);
  for (size_t i = 0; i < nshared; i++) locs[i] = 1;
  S_header(&b);
  S_functions(&b, 3);
  locs[0] = 2;
  S_sample(&b, locs, nshared, 1);
  locs[0] = 3;
  S_sample(&b, locs, nshared, 2);
  rc |= S_save(dir, "shared.pb", &b);
  free(locs);
  /* hostile patterns of the profile's own */
  size_t nre = 100000 / divisor;
  size_t nest = 20000;
  char *deep = malloc(2 * nest + 2);
  for (size_t i = 0; i < nest; i++) deep[i] = '(', deep[nest + i] = ')';
  deep[2 * nest] = 0;
  rc |= S_regex_profile(dir, "re-nest.pb", deep, "", nre);
  free(deep);
  rc |= S_regex_profile(dir, "re-exponential.pb", "(a*)*{200}", "", nre);
  rc |= S_regex_profile(dir, "re-repeat.pb", "a{1000}{1000}{1000}", "", nre);
  rc |= S_regex_profile(dir, "re-classes.pb", "([a-z]{1,100}){1,100}", "", nre);
  rc |= S_regex_profile(dir, "re-backtrack.pb", "(a|a)*[bc]", "", nre);
  rc |= S_regex_profile(dir, "re-keep-backtrack.pb", "a.*", "(a|a)*[bc]", nre);
  rc |= S_regex_profile(dir, "re-good.pb", "a+!", "", nre);
  return rc;
}

/* Writes b gzip'd to DIR/name, and empties b (a pd_buf stands for the
 * start of a stream, repeat times count copies of rep its middle, tail its
 * end: 200 MB of string table is never in memory). */
static int S_save_gz(const char *dir, const char *name, pd_buf *head, const pd_buf *rep, size_t times,
                     pd_buf *tail) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  gzFile f = gzopen(path, "wb6");
  int ok = f != NULL;
  if (ok && head->len) ok = gzwrite(f, head->data, (unsigned)head->len) == (int)head->len;
  for (size_t i = 0; ok && rep && i < times; i++) ok = gzwrite(f, rep->data, (unsigned)rep->len) == (int)rep->len;
  if (ok && tail->len) ok = gzwrite(f, tail->data, (unsigned)tail->len) == (int)tail->len;
  if (f) ok &= gzclose(f) == Z_OK;
  pd_buf_free(head);
  pd_buf_free(tail);
  if (!ok) fprintf(stderr, "cannot write %s\n", path);
  return ok ? 0 : -1;
}

/* The inputs of tests/e2e/memory.sh (--write-memory DIR [DIVISOR]). */
int pd_test_write_memory(const char *dir, unsigned divisor) {
  if (divisor == 0) divisor = 1;
  int rc = 0;
  pd_buf head = PD_BUF_INIT, tail = PD_BUF_INIT, rep = PD_BUF_INIT;
  /* strings: the table, then f0 (string 3) in one location, one sample */
  S_header(&head);
  S_string(&head, "f0", 2);
  for (int i = 0; i < 1000; i++) S_string(&rep, "", 0);
  S_function(&tail, 1, 3);
  S_location(&tail, 1, 1);
  uint64_t one = 1;
  S_sample(&tail, &one, 1, 9);
  rc |= S_save_gz(dir, "strings.pb.gz", &head, &rep, 100000 / divisor, &tail);
  pd_buf_free(&rep);
  /* deep: 2,000,000 frames of one function */
  size_t ndeep = 2000000;
  uint64_t *locs = malloc(ndeep * sizeof *locs);
  for (size_t i = 0; i < ndeep; i++) locs[i] = 1;
  S_header(&head);
  S_functions(&head, 1);
  S_sample(&head, locs, ndeep, 5);
  rc |= S_save_gz(dir, "deep.pb.gz", &head, NULL, 0, &tail);
  /* inline: location 1 has 1,000 lines (function 1), 1,001 times */
  S_header(&head);
  S_functions(&head, 1);
  pd_buf loc = PD_BUF_INIT, line = PD_BUF_INIT;
  S_key(&line, 1, 0), S_varint(&line, 1);
  S_key(&loc, 1, 0), S_varint(&loc, 2);
  for (int i = 0; i < 1000; i++) S_bytes(&loc, 4, line.data, line.len);
  S_bytes(&head, 4, loc.data, loc.len);
  pd_buf_free(&loc);
  pd_buf_free(&line);
  for (size_t i = 0; i < 1001; i++) locs[i] = 2;
  S_sample(&head, locs, 1001, 5);
  rc |= S_save_gz(dir, "inline.pb.gz", &head, NULL, 0, &tail);
  free(locs);
  return rc;
}
