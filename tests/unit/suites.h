/* suites.h: every unit-test suite, one line each (one test_<name>.c per
 * module). */
PD_SUITE(util)
PD_SUITE(units)
PD_SUITE(pprof)
PD_SUITE(tree)
PD_SUITE(stats)
PD_SUITE(series)
PD_SUITE(ingest)
PD_SUITE(memory)
PD_SUITE(render)
PD_SUITE(tags)
PD_SUITE(report)
