/* fuzz_folded.c: libFuzzer target for the folded-stacks reader, called
 * directly (the sniffer would send most mutations elsewhere), lenient or
 * --strict by the input's length, then reduced and rendered. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pd_ingest_opts opts = {0, (int)(size & 1)};
  uint8_t *buf = pd_fuzz_copy(data, size);
  pd_profile p;
  pd_err err;
  pd_profile_init(&p, "fuzz.folded", PD_FORMAT_FOLDED);
  if (pd_folded_read(&p, buf, size, &opts, &err) == PD_OK)
    pd_fuzz_reduce_and_render(&p, (unsigned)(size >> 1));
  pd_profile_free(&p);
  free(buf);
  return 0;
}
