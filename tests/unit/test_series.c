/* test_series.c: series verdicts on constructed series whose answer is known
 * by construction (the real-data checks are in tests/e2e/report.sh). */
#include <stdlib.h>

#include "test.h"
#include "analyse/series.h"

static const pd_funcstats *S_find(const pd_series *s, const char *name) {
  for (uint32_t i = 0; i < s->nfs; i++)
    if (strcmp(pd_intern_str(&s->keys, s->fs[i].key), name) == 0) return &s->fs[i];
  return NULL;
}

#define MIN_NS 60000000000LL

PD_TEST(leak_plateau_and_noise) {
  /* 30 snapshots a minute apart: leak grows 4 MB a minute, warm grows 3 MB
   * a minute for 12 minutes then holds, noise wobbles around 2 MB, base is
   * constant */
  const char *names[] = {"main.leak", "main.warm", "main.noise", "main.base"};
  pd_series s;
  pd_series_init(&s, 30, 0, NULL);
  for (uint32_t i = 0; i < 30; i++) {
    double v[] = {4e6 * i, 3e6 * (i < 12 ? i : 12), 2e6 + ((i * 7919) % 5) * 1e5, 50e6};
    pd_test_series_add(&s, i, 1700000000000000000LL + (int64_t)i * MIN_NS, names, v, 4, 1e10);
  }
  pd_err err;
  CHECK_MSG(pd_series_finish(&s, &err) == PD_OK, "%s", err.msg);
  CHECK(s.rule == PD_ORDER_TIME_NANOS && s.has_times);
  CHECK(s.nsegs == 1);
  const pd_funcstats *leak = S_find(&s, "main.leak"), *warm = S_find(&s, "main.warm");
  const pd_funcstats *noise = S_find(&s, "main.noise"), *base = S_find(&s, "main.base");
  CHECK(leak && warm && noise && base);
  if (!leak || !warm || !noise || !base) return;
  CHECK_MSG(leak->trend == PD_TREND_GROWING, "leak is %s", pd_trend_name(leak->trend));
  CHECK_NEAR(leak->theil_sen, 4e6 * 60, 1); /* per hour */
  CHECK_NEAR(leak->fit.slope, 4e6 * 60, 1);
  CHECK_NEAR(leak->fit.r2, 1, 1e-9);
  CHECK_MSG(warm->trend == PD_TREND_PLATEAU, "warm is %s", pd_trend_name(warm->trend));
  CHECK(warm->plateau_since == 12);
  CHECK_NEAR(warm->plateau_change_pct, 0, 1e-9);
  CHECK(warm->plateau_share_to < warm->plateau_share_from); /* the leak grew */
  CHECK(strstr(warm->reason, "value unchanged") && strstr(warm->reason, "share of the total went down"));
  CHECK_MSG(noise->trend == PD_TREND_STABLE, "noise is %s", pd_trend_name(noise->trend));
  CHECK(base->trend == PD_TREND_STABLE);
  CHECK(s.nsuspects == 1 && s.fs[s.suspects[0]].key == leak->key);
  /* delta and shares: first 0 -> last 116 MB of 116+36+2.x+50 MB */
  CHECK(leak->delta == 4e6 * 29);
  CHECK(isnan(leak->delta_pct)); /* nothing to compare with */
  CHECK_NEAR(base->share_first, 100.0 * 50e6 / (50e6 + 2e6), 1e-9);
  CHECK(base->share_shift < -20 && base->trend == PD_TREND_STABLE);
  CHECK(strstr(base->reason, "share down"));
  pd_series_free(&s);
}

PD_TEST(hourly_reset_cycle) {
  /* the reference case: cleared every hour; "session" grows for the first
   * ten minutes of each hour, "audit" grows the whole hour. Snapshots every
   * 5 minutes for 2.5 hours: resets at 60 and 120 minutes. */
  const char *names[] = {"main.session", "main.audit", "main.static"};
  uint32_t n = 31;
  pd_series s;
  pd_series_init(&s, n, 0, NULL);
  for (uint32_t i = 0; i < n; i++) {
    int minute = (int)i * 5 % 60;
    double v[] = {20e6 * (minute < 10 ? minute : 10) / 10.0, 1e6 * minute, 5e6};
    pd_test_series_add(&s, i, 1700000000000000000LL + (int64_t)i * 5 * MIN_NS, names, v, 3, 0);
  }
  pd_err err;
  CHECK_MSG(pd_series_finish(&s, &err) == PD_OK, "%s", err.msg);
  CHECK_MSG(s.nsegs == 3, "%u segments", s.nsegs);
  CHECK(s.segs[1].first == 12 && s.segs[2].first == 24);
  CHECK(s.win_first == 24 && s.win_last == 30);
  const pd_funcstats *session = S_find(&s, "main.session"), *audit = S_find(&s, "main.audit");
  CHECK(session && audit);
  if (!session || !audit) return;
  CHECK_MSG(audit->trend == PD_TREND_GROWING, "audit is %s", pd_trend_name(audit->trend));
  CHECK_MSG(session->trend == PD_TREND_PLATEAU, "session is %s (%s)", pd_trend_name(session->trend), session->reason);
  /* in the last segment: session holds 20 MB from minute 10 while audit
   * climbs to 30 MB, so session's share falls although its value does not */
  CHECK(session->plateau_change_pct == 0);
  CHECK(session->plateau_share_from - session->plateau_share_to > 20);
  CHECK(strstr(session->reason, "value unchanged"));
  CHECK(strstr(session->reason, "share of the total went down"));
  /* every segment of audit grows; the slope over all snapshots does not say so */
  for (uint32_t i = 0; i < s.nsegs; i++) CHECK(audit->segs[i].trend == PD_TREND_GROWING);
  CHECK_NEAR(audit->segs[0].slope, 60e6, 1);
  CHECK(s.nsuspects == 1 && s.fs[s.suspects[0]].key == audit->key);
  pd_series_free(&s);
}

PD_TEST(pair_with_noise_band) {
  /* a before/after pair: +3 MB on a function whose sampling sigma is 1.4 MB
   * each side is within 3 sigma (3 * 2 MB = 6 MB): stable; +30 MB is growth */
  const char *names[] = {"a", "b", "gone", "fresh"};
  pd_series s;
  pd_series_init(&s, 2, 0, NULL);
  double v0[] = {100e6, 100e6, 10e6, 0}, v1[] = {103e6, 130e6, 0, 10e6};
  pd_test_series_add(&s, 0, 0, names, v0, 4, 2e12);
  pd_test_series_add(&s, 1, 0, names, v1, 4, 2e12);
  pd_err err;
  CHECK_MSG(pd_series_finish(&s, &err) == PD_OK, "%s", err.msg);
  CHECK(s.rule == PD_ORDER_ARGUMENT && !s.has_times);
  CHECK(S_find(&s, "a")->trend == PD_TREND_STABLE && !S_find(&s, "a")->significant);
  CHECK(strstr(S_find(&s, "a")->reason, "unchanged within \xc2\xb1") && strstr(S_find(&s, "a")->reason, "the sampling noise"));
  CHECK(S_find(&s, "b")->trend == PD_TREND_GROWING);
  CHECK(S_find(&s, "gone")->trend == PD_TREND_GONE);
  CHECK(S_find(&s, "fresh")->trend == PD_TREND_NEW);
  CHECK_NEAR(S_find(&s, "b")->delta_pct, 30, 1e-9);
  pd_series_free(&s);
}

PD_TEST(mismatched_sample_types_are_refused) {
  pd_series s;
  pd_series_init(&s, 2, 0, NULL);
  const char *names[] = {"a"};
  double v[] = {1};
  pd_test_series_add(&s, 0, 0, names, v, 1, 0);
  pd_series_set_path(&s, 1, "other.pb", 0);
  pd_snapshot snap;
  memset(&snap, 0, sizeof snap);
  snap.path = "other.pb";
  snap.sample_type = "alloc_space";
  snap.unit = "bytes";
  pd_err err;
  CHECK(pd_series_add(&s, 1, &snap, &err) == PD_ERR);
  CHECK(strstr(err.msg, "other.pb: sample type alloc_space/bytes differs from inuse_space/bytes in snap-00.pb"));
  CHECK(pd_series_finish(&s, &err) == PD_ERR && strstr(err.msg, "at least two"));
  pd_series_free(&s);
}

/* Snapshots' figures are packed until finish (series.c): every kind of
 * value must come back exactly, flat and cum apart. */
PD_TEST(packed_figures_come_back_exactly) {
  static const pd_val vals[] = {1, -1, 0.5, -2.75, 123456789012.0, 9007199254740993.0L /* 2^53+1 */,
                                1e19, -1e19, 3e-300, 4.611686018427388e18 /* 2^62 */, 7, 1e100,
                                9000000000000000001.0L, -9223372036854775807.0L, 0x1p63L,
                                18446744073709551615.0L /* 2^64-1: past int64, 10 bytes */, 0.1L};
  /* the last five only where long double is wide (not under valgrind) */
  enum { NMAX = sizeof vals / sizeof vals[0] };
  const int NV = NMAX - (pd_test_wide_values() ? 0 : 5);
  const char *names[NMAX];
  char buf[NMAX][16];
  for (int i = 0; i < NV; i++) {
    snprintf(buf[i], sizeof buf[i], "f%d", i);
    names[i] = buf[i];
  }
  pd_series s;
  pd_series_init(&s, 2, 0, NULL);
  for (uint32_t c = 0; c < 2; c++) {
    char path[32];
    snprintf(path, sizeof path, "p%u.pb", c);
    pd_series_set_path(&s, c, path, 0);
    pd_snapshot snap;
    memset(&snap, 0, sizeof snap);
    pd_arena_init(&snap.arena, 1024);
    snap.path = path;
    snap.time_ns = 1700000000000000000LL + (int64_t)c * MIN_NS;
    snap.sample_type = "inuse_space";
    snap.unit = "bytes";
    snap.period_type = "space";
    snap.period_unit = "bytes";
    uint32_t ids[NMAX + 1];
    for (int i = 0; i < NV; i++) ids[i] = pd_intern_put(&s.keys, names[i], strlen(names[i]));
    ids[NMAX] = pd_intern_put(&s.keys, "freed", 5);
    pd_functotals_init(&snap.ft, s.keys.n);
    pd_functotals_nf_alloc(&snap.ft);
    /* cumulative allocations, a double each: kept for a function with
     * nothing in use too (all its objects freed) */
    snap.has_alloc = 1;
    snap.ft.k[ids[NMAX]].seen = 1;
    snap.ft.flat_avar[ids[NMAX]] = 0.1 + c;
    for (int i = 0; i < NV; i++) {
      /* flat and cum differ in the second snapshot; cum is 0 for one */
      snap.ft.flat[ids[i]] = vals[i];
      snap.ft.k[ids[i]].cum = c ? (i == 3 ? 0 : vals[(i + 1) % NV]) : vals[i];
      snap.ft.flat_var[ids[i]] = i % 3 ? 1.5 * i : 0;
      snap.ft.flat_avar[ids[i]] = i % 2 ? 1e30 / (i + 1) + c : 0;
      /* the never-freed part: the whole value, another, or none */
      snap.ft.flat_nf[ids[i]] = i % 3 == 0 ? vals[i] : i % 3 == 1 ? (pd_val)(0.25 * (double)vals[i]) : 0;
      snap.ft.flat_nfvar[ids[i]] = i % 3 == 0 ? snap.ft.flat_var[ids[i]] : 0.5 * i;
      snap.total += fabsl(vals[i]);
    }
    pd_err err;
    CHECK_MSG(pd_series_add(&s, c, &snap, &err) == PD_OK, "%s", err.msg);
    pd_snapshot_free(&snap);
  }
  pd_err err;
  CHECK_MSG(pd_series_finish(&s, &err) == PD_OK, "%s", err.msg);
  int bad = 0;
  for (int i = 0; i < NV; i++) {
    uint32_t k = pd_intern_find(&s.keys, names[i], strlen(names[i]));
    pd_val flat[2], cumv[2];
    float var[2];
    double avar[2], nf[2];
    float nfvar[2];
    pd_series_columns_nf(&s, k, flat, cumv, var, avar, nf, nfvar);
    for (uint32_t c = 0; c < 2; c++) {
      pd_val cum = c ? (i == 3 ? 0 : vals[(i + 1) % NV]) : vals[i];
      bad += flat[c] != vals[i] || cumv[c] != cum;
      bad += var[c] != (float)(i % 3 ? 1.5 * i : 0);
      bad += avar[c] != (i % 2 ? 1e30 / (i + 1) + c : 0);
      double want_nf = i % 3 == 0 ? (double)vals[i] : i % 3 == 1 ? (double)(pd_val)(0.25 * (double)vals[i]) : 0;
      float want_nfvar = i % 3 == 0 ? var[c] : want_nf != 0 ? (float)(0.5 * i) : 0;
      bad += nf[c] != want_nf || nfvar[c] != want_nfvar;
    }
  }
  double avar[2];
  pd_series_columns(&s, pd_intern_find(&s.keys, "freed", 5), NULL, NULL, NULL, avar);
  bad += avar[0] != 0.1 || avar[1] != 1.1;
  CHECK_MSG(bad == 0, "%d figures differ after packing", bad);
  pd_series_free(&s);
}

/* A key's never-freed part (analyse.h) counts a caller's records only
 * when none of them freed a sampled object (a Go heap profile has a record
 * per stack and object size), across the two halves of a profile read
 * apart, and nothing for a key with more callers than it keeps apart. */
PD_TEST(never_freed_part_by_caller) {
  pd_functotals a, b;
  pd_functotals_init(&a, 8);
  pd_functotals_init(&b, 8);
  const uint32_t leak[] = {1, 2}, churn[] = {1, 3}, alone[] = {6};
  pd_functotals_nf_note(&a, leak, 2, 100, 10, 1);
  pd_functotals_nf_note(&a, leak, 2, 50, 5, 1);  /* another size, same caller */
  pd_functotals_nf_note(&a, churn, 2, 30, 3, 1); /* a size not freed yet ... */
  pd_functotals_nf_note(&b, churn, 2, 70, 7, 0); /* ... of a caller that frees */
  pd_functotals_nf_note(&b, leak, 2, 25, 2, 1);
  pd_functotals_nf_note(&a, alone, 1, 9, 1, 1); /* no caller: a root, and all of it */
  a.flat[6] = 9, a.flat_var[6] = 1;
  for (uint32_t c = 0; c < 5; c++) { /* key 4: five callers, one too many */
    const uint32_t k[] = {4, c};
    pd_functotals_nf_note(c % 2 ? &a : &b, k, 2, 1, 1, 1);
  }
  pd_functotals_nf_merge(&a, &b);
  pd_functotals_free(&b);
  pd_functotals_nf_finish(&a);
  CHECK((double)a.flat_nf[1] == 175 && a.flat_nfvar[1] == 17);
  CHECK(a.flat_nf[6] == a.flat[6] && a.flat_nfvar[6] == a.flat_var[6]); /* exactly: the whole */
  CHECK((double)a.flat_nf[4] == 0 && a.flat_nfvar[4] == 0);
  CHECK(a.nf_head == NULL);
  pd_functotals_free(&a);
}

static const pd_test_case S_cases[] = {
    {"never_freed_part_by_caller", never_freed_part_by_caller},
    {"packed_figures_come_back_exactly", packed_figures_come_back_exactly},
    {"leak_plateau_and_noise", leak_plateau_and_noise},
    {"hourly_reset_cycle", hourly_reset_cycle},
    {"pair_with_noise_band", pair_with_noise_band},
    {"mismatched_sample_types_are_refused", mismatched_sample_types_are_refused},
    {NULL, NULL}};
const pd_test_suite pd_suite_series = {"series", S_cases};
