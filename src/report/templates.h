/* templates.h: files from templates/ compiled into the binary by build.zig
 * (report.html, report.css, flamegraph.js ...), and the lookup that lets
 * --template-dir replace them at run time. */
#ifndef PD_TEMPLATES_H
#define PD_TEMPLATES_H

#include <stddef.h>

typedef struct pd_template {
  const char *name;
  size_t len;
  const unsigned char *data;
} pd_template;

extern const pd_template pd_templates[];
extern const size_t pd_ntemplates;

struct pd_buf;
struct pd_err;
/* Appends template `name` to out: the file of that name in override_dir
 * when given and present there (--template-dir replaces templates one by
 * one), else the copy compiled into the binary. */
int pd_template_get(const char *name, const char *override_dir, struct pd_buf *out,
                    struct pd_err *err);

#endif
