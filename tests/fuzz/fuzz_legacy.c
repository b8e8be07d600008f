/* fuzz_legacy.c: libFuzzer target for the legacy text heap reader (Go's
 * debug=1 and gperftools' heap/growth profiles), called directly, then
 * reduced and rendered. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *buf = pd_fuzz_copy(data, size);
  pd_profile p;
  pd_err err;
  pd_profile_init(&p, "fuzz.heap", PD_FORMAT_GO_HEAP_TEXT);
  if (pd_legacy_heap_read(&p, buf, size, &err) == PD_OK)
    pd_fuzz_reduce_and_render(&p, (unsigned)size);
  pd_profile_free(&p);
  free(buf);
  return 0;
}
