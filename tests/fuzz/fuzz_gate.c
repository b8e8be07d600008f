/* fuzz_gate.c: libFuzzer target for the --fail-on expression parser. The
 * expression arrives NUL-terminated, as argv does. */
#include "fuzz.h"

#include "analyse/gates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *expr = (char *)pd_fuzz_copy(data, size);
  pd_gate g;
  pd_err err;
  (void)pd_gate_parse(expr, &g, &err);
  free(expr);
  return 0;
}
