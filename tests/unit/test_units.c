/* test_units.c: unit formatting matches pprof's measurement package. */
#include "test.h"
#include "model/model.h"

PD_TEST(labels_like_pprof) {
  char b[64];
  CHECK_STR(pd_unit_label(480279640, "bytes", "MB", b, sizeof b), "458.03MB");
  CHECK_STR(pd_unit_label(59768832, "bytes", "MB", b, sizeof b), "57MB");
  CHECK_STR(pd_unit_label(0, "bytes", "MB", b, sizeof b), "0");
  CHECK_STR(pd_unit_label(1536, "bytes", "auto", b, sizeof b), "1.50kB");
  CHECK_STR(pd_unit_label(-1536, "bytes", "auto", b, sizeof b), "-1.50kB");
  CHECK_STR(pd_unit_label(2500000, "nanoseconds", "auto", b, sizeof b), "2.50ms");
  CHECK_STR(pd_unit_label(7504329, "count", "count", b, sizeof b), "7504329");
  CHECK_STR(pd_unit_label(10, "seconds", "ms", b, sizeof b), "10000ms");
}

PD_TEST(table_unit_rule) {
  /* smallest shown value 10 MB, total 1.5 GB: MB (pprof showed 458.03MB) */
  CHECK_STR(pd_unit_for_table(10.0 * 1048576, 1528.4 * 1048576, "bytes"), "MB");
  /* smallest 512 kB, total 1.5 GB: min*100 < max, so 100*min picks MB */
  CHECK_STR(pd_unit_for_table(512.0 * 1024, 1528.4 * 1048576, "bytes"), "MB");
  CHECK_STR(pd_unit_for_table(10, 20000, "count"), "count");
  CHECK_STR(pd_unit_for_table(10000000, 3e10, "nanoseconds"), "s");
}

PD_TEST(percentages_like_pprof) {
  char b[32];
  CHECK_STR(pd_percent(1, 1, b, sizeof b), "  100%");
  CHECK_STR(pd_percent(29.97, 100, b, sizeof b), "29.97%");
  CHECK_STR(pd_percent(0.052, 100, b, sizeof b), "0.052%");
  CHECK_STR(pd_percent(0, 100, b, sizeof b), "    0%");
}

PD_TEST(parse_quantities) {
  double v;
  pd_unit_kind k;
  CHECK(pd_unit_parse("50MB", &v, &k) == PD_OK && v == 50 * 1048576.0 && k == PD_UNIT_BYTES);
  CHECK(pd_unit_parse("50MiB", &v, &k) == PD_OK && v == 50 * 1048576.0);
  CHECK(pd_unit_parse("2kB", &v, &k) == PD_OK && v == 2048);
  CHECK(pd_unit_parse("1.5GiB", &v, &k) == PD_OK && v == 1.5 * 1073741824.0);
  CHECK(pd_unit_parse("200ms", &v, &k) == PD_OK && v == 2e8 && k == PD_UNIT_TIME);
  CHECK(pd_unit_parse("42", &v, &k) == PD_OK && v == 42 && k == PD_UNIT_COUNT);
  CHECK(pd_unit_parse("12 parsecs", &v, &k) == PD_ERR);
  CHECK(pd_unit_parse("MB", &v, &k) == PD_ERR);
}

PD_TEST(times_in_file_names) {
  int64_t ns;
  /* 2026-11-22T18:03:14Z = 1795370594 (date -u -d 2026-11-22T18:03:14Z +%s) */
  CHECK(pd_time_from_name("snap/heap-007-2026-11-22T18:03:14Z.pb.gz", &ns) && ns == 1795370594LL * 1000000000);
  CHECK(pd_time_from_name("heap-2026-11-22T18-03-14Z.pb.gz", &ns) && ns == 1795370594LL * 1000000000);
  CHECK(pd_time_from_name("heap_2026-11-22_18:03:14.250.pb", &ns) && ns == 1795370594LL * 1000000000 + 250000000);
  CHECK(pd_time_from_name("heap.20261122T180314Z", &ns) && ns == 1795370594LL * 1000000000);
  CHECK(pd_time_from_name("heap-2026-11-22T20:03:14+02:00", &ns) && ns == 1795370594LL * 1000000000);
  CHECK(pd_time_from_name("memory.stat.1795370594", &ns) && ns == 1795370594LL * 1000000000);
  CHECK(pd_time_from_name("x-1795370594123.pb", &ns) && ns == 1795370594123LL * 1000000);
  CHECK(!pd_time_from_name("heap-007.pb.gz", &ns));
  CHECK(!pd_time_from_name("2026-11-22T18:03:14Z/heap.pb", &ns)); /* directories do not count */
  CHECK(!pd_time_from_name("build-12345678901.pb", &ns));         /* 11 digits */
}

static const pd_test_case S_cases[] = {
    {"times_in_file_names", times_in_file_names},
    {"labels_like_pprof", labels_like_pprof},
    {"table_unit_rule", table_unit_rule},
    {"percentages_like_pprof", percentages_like_pprof},
    {"parse_quantities", parse_quantities},
    {NULL, NULL}};
const pd_test_suite pd_suite_units = {"units", S_cases};
