/* test_pprof.c: the pprof reader.
 *
 * Real profiles are cross-checked against protobuf-c's whole-message unpack
 * (an independent decoding path); hand-built profiles, packed with the
 * generated encoder, check inlining, recursion and every validation error. */
#include <dirent.h>
#include <stdlib.h>

#include "test.h"
#include "analyse/analyse.h"
#include "ingest/ingest.h"
#include "ingest/profile.pb-c.h"

typedef Perftools__Profiles__Profile PB_Profile;

/* ---- building profiles with protobuf-c ---------------------------------------------- */

typedef struct {
  PB_Profile p;
  Perftools__Profiles__ValueType vt[4], *vtp[4];
  Perftools__Profiles__Sample s[8], *sp[8];
  uint64_t sloc[8][8];
  int64_t sval[8][4];
  Perftools__Profiles__Location l[8], *lp[8];
  Perftools__Profiles__Line ln[16], *lnp[16];
  Perftools__Profiles__Function f[8], *fp[8];
  Perftools__Profiles__Mapping m[2], *mp[2];
  char *strs[16];
} S_builder;

static void S_init(S_builder *b) {
  memset(b, 0, sizeof *b);
  perftools__profiles__profile__init(&b->p);
  static char *strs[] = {"", "space", "bytes", "main", "f", "g", "inl", "x.go", "count", "objects"};
  for (int i = 0; i < 10; i++) b->strs[i] = strs[i];
  b->p.string_table = b->strs;
  b->p.n_string_table = 10;
  perftools__profiles__value_type__init(&b->vt[0]);
  b->vt[0].type = 1;
  b->vt[0].unit = 2;
  b->vtp[0] = &b->vt[0];
  b->p.sample_type = b->vtp;
  b->p.n_sample_type = 1;
  /* functions 1..4: main f g inl */
  for (int i = 0; i < 4; i++) {
    perftools__profiles__function__init(&b->f[i]);
    b->f[i].id = (uint64_t)i + 1;
    b->f[i].name = i + 3;
    b->f[i].system_name = i + 3;
    b->f[i].filename = 7;
    b->fp[i] = &b->f[i];
  }
  b->p.function = b->fp;
  b->p.n_function = 4;
  /* locations 1..4 = one line each of functions 1..4; location 5 = g with
   * inl inlined into it (lines: inl, g) */
  for (int i = 0; i < 5; i++) {
    perftools__profiles__location__init(&b->l[i]);
    b->l[i].id = (uint64_t)i + 1;
    b->lp[i] = &b->l[i];
  }
  for (int i = 0; i < 6; i++) {
    perftools__profiles__line__init(&b->ln[i]);
    b->lnp[i] = &b->ln[i];
  }
  for (int i = 0; i < 4; i++) {
    b->ln[i].function_id = (uint64_t)i + 1;
    b->l[i].line = &b->lnp[i];
    b->l[i].n_line = 1;
  }
  b->ln[4].function_id = 4; /* inl (leaf) */
  b->ln[5].function_id = 3; /* g (caller) */
  b->l[4].line = &b->lnp[4];
  b->l[4].n_line = 2;
  b->p.location = b->lp;
  b->p.n_location = 5;
}

static void S_sample(S_builder *b, const uint64_t *locs, size_t n, int64_t v) {
  size_t i = b->p.n_sample++;
  perftools__profiles__sample__init(&b->s[i]);
  memcpy(b->sloc[i], locs, n * sizeof *locs);
  b->s[i].location_id = b->sloc[i];
  b->s[i].n_location_id = n;
  b->sval[i][0] = v;
  b->s[i].value = b->sval[i];
  b->s[i].n_value = 1;
  b->sp[i] = &b->s[i];
  b->p.sample = b->sp;
}

/* Packs, reads and reduces; returns PD_OK or PD_ERR with err filled. */
static int S_read(S_builder *b, pd_profile *p, pd_err *err) {
  size_t n = perftools__profiles__profile__get_packed_size(&b->p);
  uint8_t *buf = malloc(n + 1);
  perftools__profiles__profile__pack(&b->p, buf);
  return pd_ingest_bytes("built.pb", buf, n, NULL, p, err);
}

static int S_reduce(S_builder *b, pd_intern *keys, pd_snapshot *s, pd_err *err) {
  pd_profile p;
  int rc = S_read(b, &p, err);
  if (rc == PD_OK) {
    pd_view v;
    pd_view_opts o = {0};
    pd_view_init(&v, &o, err);
    pd_reduce_opts ro = {NULL, 1};
    rc = pd_reduce(&p, &v, keys, &ro, s, err);
    pd_view_free(&v);
  }
  pd_profile_free(&p);
  return rc;
}

static double S_flat(const pd_snapshot *s, pd_intern *k, const char *name) {
  uint32_t id = pd_intern_find(k, name, strlen(name));
  return id == UINT32_MAX ? -1 : s->ft.flat[id];
}
static double S_cum(const pd_snapshot *s, pd_intern *k, const char *name) {
  uint32_t id = pd_intern_find(k, name, strlen(name));
  return id == UINT32_MAX ? -1 : s->ft.k[id].cum;
}

PD_TEST(inline_frames_and_recursion) {
  S_builder b;
  S_init(&b);
  const uint64_t rec[] = {2, 3, 2, 1};  /* main -> f -> g -> f (leaf) */
  const uint64_t inl[] = {5, 2, 1};     /* main -> f -> g -> inl (inlined) */
  S_sample(&b, rec, 4, 100);
  S_sample(&b, inl, 3, 10);
  pd_intern keys;
  pd_intern_init(&keys, 16);
  pd_snapshot s;
  pd_err err;
  CHECK_MSG(S_reduce(&b, &keys, &s, &err) == PD_OK, "%s", err.msg);
  CHECK(s.total == 110);
  CHECK(S_flat(&s, &keys, "f") == 100);
  CHECK(S_cum(&s, &keys, "f") == 110); /* recursion counted once */
  CHECK(S_cum(&s, &keys, "main") == 110);
  CHECK(S_flat(&s, &keys, "inl") == 10); /* the inlined frame is the leaf */
  CHECK(S_cum(&s, &keys, "g") == 110);
  CHECK(S_flat(&s, &keys, "g") == 0);
  /* tree: main;f;g;f 100 and main;f;g;inl 10 */
  CHECK(s.tree.n == 6);
  pd_snapshot_free(&s);
  pd_intern_free(&keys);
}

PD_TEST(validation_errors) {
  struct {
    const char *want;
    void (*mutate)(S_builder *);
  } cases[] = {
      {"function #0 refers to string index 99 out of range (table has 10 strings)", NULL},
      {"duplicate function id 2", NULL},
      {"refers to unknown mapping id 7", NULL},
      {"a location line refers to unknown function id 42", NULL},
      {"sample #0 has 2 values but the profile has 1 sample types", NULL},
      {"string_table[0] must be the empty string", NULL},
      {"duplicate location id 3", NULL},
      {"profile has 1 samples but no sample types", NULL},
  };
  for (int c = 0; c < 8; c++) {
    S_builder b;
    S_init(&b);
    const uint64_t st[] = {2, 1};
    S_sample(&b, st, 2, 5);
    switch (c) {
    case 0: b.f[0].name = 99; break;
    case 1: b.f[0].id = 2; break;
    case 2: b.l[0].mapping_id = 7; break;
    case 3: b.ln[1].function_id = 42; break;
    case 4:
      b.s[0].n_value = 2;
      break;
    case 5: b.strs[0] = "x"; break;
    case 6: b.l[1].id = 3; break;
    case 7: b.p.n_sample_type = 0; break;
    }
    pd_profile p;
    pd_err err;
    int rc = S_read(&b, &p, &err);
    if (rc == PD_OK) {
      pd_intern keys;
      pd_intern_init(&keys, 16);
      pd_view v;
      pd_view_opts o = {0};
      pd_view_init(&v, &o, &err);
      pd_reduce_opts ro = {NULL, 0};
      pd_snapshot s;
      rc = pd_reduce(&p, &v, &keys, &ro, &s, &err);
      pd_snapshot_free(&s);
      pd_view_free(&v);
      pd_intern_free(&keys);
    }
    pd_profile_free(&p);
    CHECK_MSG(rc == PD_ERR && strstr(err.msg, cases[c].want) && strncmp(err.msg, "built.pb: ", 10) == 0,
              "case %d: got \"%s\", want \"%s\"", c, rc == PD_ERR ? err.msg : "success", cases[c].want);
  }
}

/* ---- real profiles: our reader against protobuf-c's whole unpack ------------------- */

typedef struct {
  double sums[8];
  uint32_t n, ntypes;
} S_sums;

static int S_sum_sample(void *ctx, const uint32_t *locs, uint32_t nlocs, const pd_val *values) {
  S_sums *s = ctx;
  (void)locs;
  (void)nlocs;
  for (uint32_t i = 0; i < s->ntypes && i < 8; i++) s->sums[i] += values[i];
  s->n++;
  return PD_OK;
}

PD_TEST(real_profiles_match_whole_unpack) {
  const char *dir = pd_test_data("pprof");
  if (!dir) return;
  DIR *d = opendir(dir);
  CHECK(d != NULL);
  if (!d) return;
  struct dirent *e;
  int files = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    pd_profile p;
    pd_err err;
    int rc = pd_ingest_file(path, NULL, &p, &err);
    CHECK_MSG(rc == PD_OK, "%s", err.msg);
    if (rc != PD_OK) {
      pd_profile_free(&p);
      continue;
    }
    S_sums ours;
    memset(&ours, 0, sizeof ours);
    ours.ntypes = p.ntypes;
    CHECK(p.ntypes <= 8);
    rc = pd_profile_samples(&p, S_sum_sample, &ours, &err);
    CHECK_MSG(rc == PD_OK, "%s", err.msg);
    /* independent decode */
    uint8_t *raw;
    size_t len;
    pd_read_file(path, 1 << 30, &raw, &len, &err);
    uint8_t *bytes = raw;
    size_t n = len;
    if (pd_is_gzip(raw, len)) pd_gunzip(path, raw, len, 1 << 30, &bytes, &n, &err);
    PB_Profile *whole = perftools__profiles__profile__unpack(NULL, n, bytes);
    CHECK_MSG(whole != NULL, "%s: protobuf-c cannot unpack", path);
    if (whole) {
      CHECK(whole->n_sample == p.nsamples && whole->n_sample == ours.n);
      CHECK(whole->n_location == p.nlocations);
      CHECK(whole->n_function == p.nfunctions);
      CHECK(whole->n_sample_type == p.ntypes);
      CHECK(whole->time_nanos == p.time_ns);
      for (size_t t = 0; t < whole->n_sample_type && t < 8; t++) {
        double sum = 0;
        for (size_t i = 0; i < whole->n_sample; i++) sum += (double)whole->sample[i]->value[t];
        CHECK_MSG(sum == ours.sums[t], "%s type %zu: %.0f vs %.0f", e->d_name, t, sum, ours.sums[t]);
      }
      perftools__profiles__profile__free_unpacked(whole, NULL);
    }
    if (bytes != raw) free(bytes);
    pd_file_release(raw);
    pd_profile_free(&p);
    files++;
  }
  closedir(d);
  CHECK_MSG(files >= 17, "only %d profiles read", files);
}

/* Reads bytes fed through windows of a few bytes to a few hundred, as the
 * gzip reader feeds them but with every field boundary somewhere inside a
 * window: the model must be the one a single feed gives. */
static int S_read_in_pieces(const char *name, const uint8_t *bytes, size_t n, uint64_t seed, pd_profile *p,
                            pd_err *err) {
  pd_profile_init(p, name, PD_FORMAT_PPROF);
  pd_pprof_reader *r = pd_pprof_open(p, err);
  uint8_t *win = malloc(n + 1);
  size_t have = 0, at = 0;
  int rc = PD_OK;
  for (;;) {
    seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
    size_t take = 1 + seed % 300;
    if (take > n - at) take = n - at;
    memcpy(win + have, bytes + at, take);
    have += take;
    at += take;
    size_t used;
    rc = pd_pprof_feed(r, win, have, at == n, &used);
    if (rc != PD_OK || at == n) break;
    memmove(win, win + used, have - used);
    have -= used;
  }
  free(win);
  return pd_pprof_close(r, rc == PD_OK);
}

PD_TEST(fed_in_pieces_equals_fed_whole) {
  const char *dir = pd_test_data("pprof");
  const char *leak = "samples/leak/snapshots/heap-010-2026-11-22T19:07:12Z.pb.gz";
  DIR *d = dir ? opendir(dir) : NULL;
  int files = 0;
  for (struct dirent *e = NULL;;) {
    char path[1024];
    if (files == 0) {
      snprintf(path, sizeof path, "%s", pd_test_repo(leak));
    } else {
      if (!d || !(e = readdir(d))) break;
      if (e->d_name[0] == '.') continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    }
    files++;
    pd_err err;
    uint8_t *raw, *bytes;
    size_t len, n;
    if (pd_read_file(path, 1 << 30, &raw, &len, &err) != PD_OK) {
      CHECK_MSG(0, "%s", err.msg);
      continue;
    }
    bytes = raw;
    n = len;
    if (pd_is_gzip(raw, len)) pd_gunzip(path, raw, len, 1 << 30, &bytes, &n, &err);
    pd_profile a, b;
    pd_profile_init(&a, path, PD_FORMAT_PPROF);
    int ra = pd_pprof_read(&a, bytes, n, &err);
    int rb = S_read_in_pieces(path, bytes, n, 0x9e3779b97f4a7c15ull + (uint64_t)files, &b, &err);
    CHECK_MSG(ra == PD_OK && rb == PD_OK, "%s: %s", path, err.msg);
    if (ra == PD_OK && rb == PD_OK) {
      int same = a.nsamples == b.nsamples && a.nlocations == b.nlocations && a.nfunctions == b.nfunctions &&
                 a.nstr == b.nstr && a.ntypes == b.ntypes && a.time_ns == b.time_ns;
      for (uint32_t i = 0; same && i < a.nstr; i++)
        same = pd_profile_str_len(&a, i) == pd_profile_str_len(&b, i) &&
               memcmp(pd_profile_str(&a, i), pd_profile_str(&b, i), pd_profile_str_len(&a, i)) == 0;
      S_sums sa, sb;
      memset(&sa, 0, sizeof sa);
      memset(&sb, 0, sizeof sb);
      sa.ntypes = a.ntypes;
      sb.ntypes = b.ntypes;
      pd_profile_samples(&a, S_sum_sample, &sa, &err);
      pd_profile_samples(&b, S_sum_sample, &sb, &err);
      same = same && sa.n == sb.n && memcmp(sa.sums, sb.sums, sizeof sa.sums) == 0;
      CHECK_MSG(same, "%s: read in pieces differs", path);
    }
    pd_profile_free(&a);
    pd_profile_free(&b);
    if (bytes != raw) free(bytes);
    pd_file_release(raw);
  }
  if (d) closedir(d);
  CHECK_MSG(files >= 1, "no profile read");
}

static const pd_test_case S_cases[] = {
    {"fed_in_pieces_equals_fed_whole", fed_in_pieces_equals_fed_whole},
    {"inline_frames_and_recursion", inline_frames_and_recursion},
    {"validation_errors", validation_errors},
    {"real_profiles_match_whole_unpack", real_profiles_match_whole_unpack},
    {NULL, NULL}};
const pd_test_suite pd_suite_pprof = {"pprof", S_cases};
