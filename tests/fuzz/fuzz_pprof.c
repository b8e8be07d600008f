/* fuzz_pprof.c: libFuzzer target for pd_ingest_bytes, the way every input
 * file enters profdiff: gzip or raw bytes, sniffed, read (pprof protobuf
 * mostly, since fuzzed bytes are binary), then reduced and rendered. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* a small limit keeps gzip bombs from spending the fuzzer's time */
  pd_ingest_opts opts = {64u << 20, 0};
  pd_profile p;
  pd_err err;
  if (pd_ingest_bytes("fuzz.pb", pd_fuzz_copy(data, size), size, &opts, &p, &err) == PD_OK)
    pd_fuzz_reduce_and_render(&p, (unsigned)size);
  pd_profile_free(&p);
  return 0;
}
