/* templates.c: finding a template, compiled in or from --template-dir. */
#include "templates.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/util.h"

int pd_template_get(const char *name, const char *override_dir, pd_buf *out, pd_err *err) {
  if (override_dir) {
    pd_buf path = PD_BUF_INIT;
    pd_buf_printf(&path, "%s/%s", override_dir, name);
    struct stat st;
    if (stat(path.data, &st) == 0) {
      uint8_t *data;
      size_t len;
      int rc = pd_read_file(path.data, 16 << 20, &data, &len, err);
      pd_buf_free(&path);
      if (rc != PD_OK) return rc;
      pd_buf_put(out, data, len);
      pd_file_release(data);
      return PD_OK;
    }
    pd_buf_free(&path);
  }
  for (size_t i = 0; i < pd_ntemplates; i++) {
    if (strcmp(pd_templates[i].name, name) == 0) {
      pd_buf_put(out, pd_templates[i].data, pd_templates[i].len);
      return PD_OK;
    }
  }
  return pd_fail(err, "template %s is missing (not compiled in%s)", name,
                 override_dir ? " and not in --template-dir" : "");
}
