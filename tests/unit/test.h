/* test.h: the unit-test harness. Each test_*.c file defines tests with
 * PD_TEST(name) { ... } and registers them in its suite table; test_main.c
 * runs every suite and prints "N passed, N failed".
 *
 * Tests that need ../shared/data call pd_test_data() and skip (with a
 * message) when the folder is absent, as in a plain clone. */
#ifndef PD_TEST_H
#define PD_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct pd_test_case {
  const char *name;
  void (*fn)(void);
} pd_test_case;

typedef struct pd_test_suite {
  const char *name;
  const pd_test_case *cases;
} pd_test_suite;

extern int pd_test_failed_checks; /* failures in the running test */
extern int pd_test_skipped;

#define PD_TEST(name) static void name(void)

/* Whether long double arithmetic has its 64-bit significand here: valgrind
 * computes it in double precision (its manual, "Limitations"), so checks of
 * values past 2^53 run only where 1 + 2^-60 is not 1. */
static inline int pd_test_wide_values(void) {
  volatile long double one = 1;
  return one + 0x1p-60L != 1;
}

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      pd_test_failed_checks++;                                                   \
    }                                                                            \
  } while (0)

#define CHECK_MSG(cond, ...)                                        \
  do {                                                              \
    if (!(cond)) {                                                  \
      fprintf(stderr, "    %s:%d: ", __FILE__, __LINE__);           \
      fprintf(stderr, __VA_ARGS__);                                 \
      fputc('\n', stderr);                                          \
      pd_test_failed_checks++;                                      \
    }                                                               \
  } while (0)

#define CHECK_STR(a, b)                                                        \
  do {                                                                         \
    const char *a_ = (a), *b_ = (b);                                           \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                   \
      fprintf(stderr, "    %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,     \
              a_ ? a_ : "(null)", b_ ? b_ : "(null)");                         \
      pd_test_failed_checks++;                                                 \
    }                                                                          \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                  \
  do {                                                                         \
    double a_ = (a), b_ = (b);                                                 \
    if (!(fabs(a_ - b_) <= (tol))) {                                           \
      fprintf(stderr, "    %s:%d: %s = %.10g, expected %.10g (tolerance %g)\n", \
              __FILE__, __LINE__, #a, a_, b_, (double)(tol));                  \
      pd_test_failed_checks++;                                                 \
    }                                                                          \
  } while (0)

/* Path of ../shared/data/<rel>, or NULL (and the test is marked skipped)
 * when the shared data folder is absent. */
const char *pd_test_data(const char *rel);
/* Path of a file inside the repository (tests run from the repo root). */
const char *pd_test_repo(const char *rel);

/* Reads and reduces a file with default view options (a failure is a
 * failed check); returns PD_OK or PD_ERR. */
struct pd_intern;
struct pd_snapshot;
struct pd_reduce_opts;
int pd_test_reduce_file(const char *path, const struct pd_reduce_opts *ro, struct pd_intern *keys,
                        struct pd_snapshot *s);

/* Adds a hand-built snapshot (inuse_space in bytes, path snap-NN.pb) at
 * column col of a series: values[i] is the flat (= cum) value of function
 * names[i]; var is each value's sampling variance. */
struct pd_series;
void pd_test_series_add(struct pd_series *s, unsigned col, long long time_ns, const char **names,
                        const double *values, int nf, double var);

#endif
