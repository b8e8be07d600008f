/* templates_stub.c: an empty template table for the fuzz targets, which
 * render no HTML (build.zig generates the real one from templates/). */
#include <stddef.h>

#include "report/templates.h"

const pd_template pd_templates[] = {{NULL, 0, NULL}};
const size_t pd_ntemplates = 0;
