/* test_main.c: runs every unit-test suite; prints "N passed, N failed". */
#include <stdlib.h>
#include <sys/stat.h>

#include "test.h"
#include "analyse/analyse.h"
#include "analyse/series.h"
#include "ingest/ingest.h"

int pd_test_failed_checks;
int pd_test_skipped;

#define PD_SUITE(n) extern const pd_test_suite pd_suite_##n;
#include "suites.h"
#undef PD_SUITE

const char *pd_test_data(const char *rel) {
  static char path[4][1024];
  static int slot;
  struct stat st;
  if (stat("../shared/data", &st) != 0) {
    if (!pd_test_skipped) fprintf(stderr, "    skipped: ../shared/data is absent\n");
    pd_test_skipped = 1;
    return NULL;
  }
  slot = (slot + 1) % 4;
  snprintf(path[slot], sizeof path[slot], "../shared/data/%s", rel);
  return path[slot];
}

const char *pd_test_repo(const char *rel) { return rel; }

void pd_test_series_add(pd_series *s, unsigned col, long long time_ns, const char **names,
                        const double *values, int nf, double var) {
  char path[64];
  snprintf(path, sizeof path, "snap-%02u.pb", col);
  pd_series_set_path(s, col, path, 0);
  pd_snapshot snap;
  memset(&snap, 0, sizeof snap);
  pd_arena_init(&snap.arena, 1024);
  snap.path = path;
  snap.time_ns = time_ns;
  snap.sample_type = "inuse_space";
  snap.unit = "bytes";
  snap.period_type = "space";
  snap.period_unit = "bytes";
  snap.period = 524288;
  uint32_t *ids = malloc((nf ? (size_t)nf : 1) * sizeof *ids);
  for (int i = 0; i < nf; i++) ids[i] = pd_intern_put(&s->keys, names[i], strlen(names[i]));
  pd_functotals_init(&snap.ft, s->keys.n);
  for (int i = 0; i < nf; i++) {
    snap.ft.flat[ids[i]] = snap.ft.k[ids[i]].cum = values[i];
    snap.ft.flat_var[ids[i]] = var;
    snap.total += values[i];
    snap.total_var += var;
  }
  free(ids);
  pd_err err;
  CHECK_MSG(pd_series_add(s, col, &snap, &err) == PD_OK, "%s", err.msg);
  pd_snapshot_free(&snap);
}

int pd_test_reduce_file(const char *path, const pd_reduce_opts *ro, pd_intern *keys, pd_snapshot *s) {
  pd_profile p;
  pd_err err;
  int rc = pd_ingest_file(path, NULL, &p, &err);
  if (rc == PD_OK) {
    pd_view v;
    pd_view_opts o = {0};
    pd_view_init(&v, &o, &err);
    rc = pd_reduce(&p, &v, keys, ro, s, &err);
    pd_view_free(&v);
  }
  CHECK_MSG(rc == PD_OK, "%s: %s", path, err.msg);
  pd_profile_free(&p);
  return rc;
}

int pd_test_write_fixtures(const char *dir);
int pd_test_write_adversarial(const char *dir, unsigned divisor);
int pd_test_write_robust(const char *dir, unsigned divisor);
int pd_test_write_hostile_fields(const char *dir);
int pd_test_write_memory(const char *dir, unsigned divisor);

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--write-fixtures") == 0)
    return pd_test_write_fixtures(argv[2]) ? 1 : 0;
  if ((argc == 3 || argc == 4) && strcmp(argv[1], "--write-adversarial") == 0)
    return pd_test_write_adversarial(argv[2], argc == 4 ? (unsigned)atoi(argv[3]) : 1) ? 1 : 0;
  if ((argc == 3 || argc == 4) && strcmp(argv[1], "--write-robust") == 0)
    return pd_test_write_robust(argv[2], argc == 4 ? (unsigned)atoi(argv[3]) : 1) ? 1 : 0;
  if ((argc == 3 || argc == 4) && strcmp(argv[1], "--write-memory") == 0)
    return pd_test_write_memory(argv[2], argc == 4 ? (unsigned)atoi(argv[3]) : 1) ? 1 : 0;
  if (argc == 3 && strcmp(argv[1], "--write-hostile-fields") == 0)
    return pd_test_write_hostile_fields(argv[2]) ? 1 : 0;
  const pd_test_suite *suites[] = {
#define PD_SUITE(n) &pd_suite_##n,
#include "suites.h"
#undef PD_SUITE
  };
  int passed = 0, failed = 0, skipped = 0;
  const char *only = argc > 1 ? argv[1] : NULL;
  for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
    for (const pd_test_case *c = suites[s]->cases; c->name; c++) {
      if (only && !strstr(c->name, only) && !strstr(suites[s]->name, only)) continue;
      pd_test_failed_checks = 0;
      pd_test_skipped = 0;
      c->fn();
      if (pd_test_failed_checks) {
        fprintf(stderr, "FAIL %s/%s\n", suites[s]->name, c->name);
        failed++;
      } else if (pd_test_skipped) {
        printf("skip %s/%s\n", suites[s]->name, c->name);
        skipped++;
        passed++;
      } else {
        printf("ok   %s/%s\n", suites[s]->name, c->name);
        passed++;
      }
    }
  }
  printf("unit: %d passed, %d failed (%d skipped for missing data)\n", passed, failed, skipped);
  return failed ? 1 : 0;
}
