/* version.c: `profdiff --version`: profdiff's own version and the versions
 * of the shared libraries it is running with. The libraries are linked
 * dynamically, so what a bug report needs is what the loader picked at run
 * time, not what the headers said at build time; a library whose run-time
 * version differs from the one built against shows both. */
#include "cli.h"

#include <cmark-gfm.h>
#include <libxml/parser.h>
#include <libxml/xmlversion.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <protobuf-c/protobuf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* libxml2 says its run-time version as digits ("20914" for 2.9.14). */
static void S_xml_dotted(char *buf, size_t n) {
  const char *v = xmlParserVersion;
  char *end = NULL;
  long x = v ? strtol(v, &end, 10) : -1;
  if (!v || end == v || x < 0)
    snprintf(buf, n, "unknown");
  else
    snprintf(buf, n, "%ld.%ld.%ld", x / 10000, x / 100 % 100, x % 100);
}

/* PCRE2 says "10.42 2022-12-11": the release is the first word, to compare
 * with the header's MAJOR.MINOR. pcre2_config writes without a bound, so the
 * length (with its NUL) is asked first. */
static void S_pcre2(char *buf, size_t n) {
  char v[64];
  int len = pcre2_config(PCRE2_CONFIG_VERSION, NULL);
  if (len <= 0 || (size_t)len > sizeof v || pcre2_config(PCRE2_CONFIG_VERSION, v) <= 0) {
    snprintf(buf, n, "unknown");
    return;
  }
  v[strcspn(v, " ")] = '\0';
  snprintf(buf, n, "%s", v);
}

static void S_lib(FILE *f, const char *name, const char *runtime, const char *built) {
  if (strcmp(runtime, built) == 0)
    fprintf(f, "  %-14s %s\n", name, runtime);
  else
    fprintf(f, "  %-14s %s (built with %s)\n", name, runtime, built);
}

void pd_cli_version(FILE *f) {
  char xml[32], pcre[64], pcre_built[32];
  S_xml_dotted(xml, sizeof xml);
  S_pcre2(pcre, sizeof pcre);
  snprintf(pcre_built, sizeof pcre_built, "%d.%02d", PCRE2_MAJOR, PCRE2_MINOR);
  fprintf(f, "profdiff %s\n", PD_VERSION);
  fprintf(f, "libraries:\n");
  S_lib(f, "protobuf-c", protobuf_c_version(), PROTOBUF_C_VERSION);
  S_lib(f, "libxml2", xml, LIBXML_DOTTED_VERSION);
  S_lib(f, "cmark-gfm", cmark_version_string(), CMARK_GFM_VERSION_STRING);
  S_lib(f, "zlib", zlibVersion(), ZLIB_VERSION);
  S_lib(f, "pcre2", pcre, pcre_built);
}
