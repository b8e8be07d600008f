/* fuzz_memstat.c: libFuzzer target for the cgroup memory file parser and
 * the sniffers that must tell memory.stat from folded stacks. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *buf = pd_fuzz_copy(data, size);
  pd_err err;
  pd_format f;
  (void)pd_memstat_sniff(buf, size, (int)(size & 1));
  (void)pd_sniff("fuzz.stat", buf, size, 1, &f, &err);
  pd_memstat m;
  pd_memstat_init(&m, (size & 2) ? "memory.current" : "memory.stat");
  if (pd_memstat_parse(&m, buf, size, &err) == PD_OK) {
    pd_memfigures fig;
    pd_memstat_figures(&m, &fig);
  }
  pd_memstat_free(&m);
  free(buf);
  return 0;
}
