/* fuzz.h: what every libFuzzer target in tests/fuzz/ shares.
 *
 * The readers are only half of what untrusted bytes reach: a profile that
 * parses is then reduced to a snapshot, turned into a top table (text and
 * JSON) and into folded stacks. pd_fuzz_reduce_and_render runs those later
 * stages on whatever a reader accepted, so the fuzzers cover them too.
 * Built by tests/fuzz.sh with clang -fsanitize=fuzzer,address,undefined;
 * never part of the zig build (which compiles tests/unit only).
 */
#ifndef PD_FUZZ_H
#define PD_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyse/analyse.h"
#include "ingest/ingest.h"
#include "report/report.h"

/* A malloc'd copy of the input with one spare NUL byte, as pd_ingest_bytes
 * and the text readers expect. */
static inline uint8_t *pd_fuzz_copy(const uint8_t *data, size_t size) {
  uint8_t *buf = pd_xmalloc(size + 1);
  if (size) memcpy(buf, data, size);
  buf[size] = 0;
  return buf;
}

/* Reduces p at the granularity picked by `which` (so the fuzzer reaches all
 * three without a separate target), then renders a top table and folded
 * stacks. An error from a later stage is fine; a crash is not. */
static inline void pd_fuzz_reduce_and_render(pd_profile *p, unsigned which) {
  pd_err err;
  pd_view_opts o = {(pd_granularity)(which % 3), (pd_demangle)((which / 3) % 3), NULL, NULL, NULL, NULL};
  pd_view v;
  if (pd_view_init(&v, &o, &err) != PD_OK) abort();
  pd_intern keys;
  pd_intern_init(&keys, 64);
  pd_snapshot s;
  pd_reduce_opts ro = {NULL, 1};
  if (pd_reduce(p, &v, &keys, &ro, &s, &err) == PD_OK) {
    pd_top top;
    pd_top_build(&s, &keys, which & 1 ? 0 : 0.005, (which >> 1) & 7, (which >> 4) & 1, &top);
    pd_buf out = PD_BUF_INIT;
    pd_report_top_text(&out, &s, &keys, &top, NULL, NULL, 0);
    pd_report_top_json(&out, &s, &keys, &top);
    pd_report_folded(&out, &s.tree, &keys, PD_COL_SELF);
    pd_buf_free(&out);
    pd_top_free(&top);
  }
  pd_snapshot_free(&s);
  pd_intern_free(&keys);
  pd_view_free(&v);
}

#endif
