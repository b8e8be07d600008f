/* hostile_fields.c: profiles in which one string field at a time holds a
 * hostile payload, for tests/e2e/hostile_fields.sh and tests/browser.
 *
 *   zig-out/bin/profdiff-test --write-hostile-fields DIR
 *
 * writes, for each string field of a pprof profile (sample and period types
 * and units, comment, doc URL, mapping file and build id, function name,
 * system name and file name, label key, value and unit, drop/keep frames,
 * default sample type) and for "all" of them at once (but the patterns,
 * which may make a profile unreadable), a pair
 * DIR/FIELD-1.pb.gz and DIR/FIELD-2.pb.gz (an hour apart, the hostile frame
 * grown from 20 to 200 MiB so that it lands in every table), and DIR/payload
 * (the payload itself, for the checks). The payload packs every kind of
 * trouble into one string, the long part last so that a cut name still
 * carries the rest: markup and script ends, attribute breakers, comment
 * ends, Markdown fences and tables, ESC sequences (a screen clear, a
 * window title, a C1 CSI), CR and newlines, invalid UTF-8, the C0 controls
 * XML forbids, NUL, a template placeholder, printf conversions, and 3,000
 * characters. The protobuf is written by hand (protobuf-c cannot write a
 * string holding NUL). Nothing is checked in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "test.h"
#include "util/util.h"

static const char S_payload_head[] =
    "<script>alert('s')</script></script><img src=x onerror=alert('i')>\"'><svg onload=alert('v')>"
    "--><!-- ]]> ```\n~~~\n| a | b |\n|---|---|\n# heading **bold** [link](javascript:alert('l')) "
    "\x1b[2J\x1b[H\x1b]0;pwned\x07\xc2\x9b" "31m\rprofdiff: forged line\r\n"
    "\xff\xfe\xc3(\xed\xa0\x80 \x01\x02\x0b\x0c\x1f\x7f \xef\xbf\xbe NUL[\0] {{title}} {{script}} %s%n%x "
    "&amp;&nbsp;&#0; \\ ` * _ ~ \xe2\x80\xae" "evil\xe2\x80\xac \xe2\x80\xa8 end ";

static const char *S_fields[] = {"sample_type", "sample_unit", "period_type", "period_unit",
                                 "comment", "doc_url", "mapping_file", "build_id",
                                 "function_name", "system_name", "file_name", "label_key",
                                 "label_value", "label_unit", "drop_frames", "keep_frames",
                                 "default_sample_type", "all", NULL};

static void S_varint(pd_buf *b, uint64_t v) {
  while (v >= 0x80) {
    pd_buf_putc(b, (char)(v | 0x80));
    v >>= 7;
  }
  pd_buf_putc(b, (char)v);
}

static void S_key(pd_buf *b, uint32_t field, int wt) { S_varint(b, (uint64_t)field << 3 | (uint64_t)wt); }
static void S_int(pd_buf *b, uint32_t field, uint64_t v) { S_key(b, field, 0), S_varint(b, v); }

static void S_msg(pd_buf *b, uint32_t field, pd_buf *m) {
  S_key(b, field, 2);
  S_varint(b, m->len);
  pd_buf_put(b, m->data ? m->data : "", m->len);
  pd_buf_truncate(m, 0);
}

/* The string table: fixed entries, then the payload (index S_H). */
enum { S_EMPTY, S_OBJECTS, S_COUNT, S_SPACE, S_BYTES, S_MAIN, S_GROW, S_GO, S_LIB, S_BUILD, S_NOTE, S_DOC,
       S_KEY, S_VAL, S_NKEY, S_UNIT, S_DROP, S_H, S_NSTR };
static const char *S_fixed[] = {"", "inuse_objects", "count", "inuse_space", "bytes", "main.main",
                                "main.grow", "main.go", "/usr/lib/app", "abc123", "a comment",
                                "https://example.org/doc", "region", "eu", "bytes_label", "bytes",
                                "^runtime\\.", NULL};

static int S_write(const char *path, const char *field, int after, const char *h, size_t hlen) {
  int all = strcmp(field, "all") == 0;
#define S_(f, dflt) (all || strcmp(field, f) == 0 ? S_H : (dflt))
  pd_buf b = PD_BUF_INIT, m = PD_BUF_INIT, sub = PD_BUF_INIT;
  /* sample types: objects, then space (the default: the last) */
  S_int(&m, 1, S_OBJECTS), S_int(&m, 2, S_COUNT);
  S_msg(&b, 1, &m);
  S_int(&m, 1, S_("sample_type", S_SPACE)), S_int(&m, 2, S_("sample_unit", S_BYTES));
  S_msg(&b, 1, &m);
  /* samples: main.main -> main.grow (grows), main.main alone (flat) */
  for (int i = 0; i < 2; i++) {
    int64_t mib = i == 0 ? (after ? 200 : 20) : 40;
    S_varint(&sub, 1);
    if (i == 0) S_varint(&sub, 2);
    S_msg(&m, 1, &sub);
    S_varint(&sub, (uint64_t)mib * 64), S_varint(&sub, (uint64_t)mib << 20);
    S_msg(&m, 2, &sub);
    S_int(&sub, 1, S_("label_key", S_KEY)), S_int(&sub, 2, S_("label_value", S_VAL));
    S_msg(&m, 3, &sub);
    S_int(&sub, 1, S_NKEY), S_int(&sub, 3, 4096), S_int(&sub, 4, S_("label_unit", S_UNIT));
    S_msg(&m, 3, &sub);
    S_msg(&b, 2, &m);
  }
  /* one mapping */
  S_int(&m, 1, 1), S_int(&m, 2, 0x400000), S_int(&m, 3, 0x800000);
  S_int(&m, 5, S_("mapping_file", S_LIB)), S_int(&m, 6, S_("build_id", S_BUILD));
  S_int(&m, 7, 1), S_int(&m, 8, 1), S_int(&m, 9, 1);
  S_msg(&b, 3, &m);
  /* locations 1 (main.grow), 2 (main.main) */
  for (uint64_t id = 1; id <= 2; id++) {
    S_int(&m, 1, id), S_int(&m, 2, 1), S_int(&m, 3, 0x401000 + id * 16);
    S_int(&sub, 1, id), S_int(&sub, 2, 10 + id);
    S_msg(&m, 4, &sub);
    S_msg(&b, 4, &m);
  }
  /* functions 1 (main.grow or the payload), 2 (main.main) */
  S_int(&m, 1, 1), S_int(&m, 2, S_("function_name", S_GROW)), S_int(&m, 3, S_("system_name", S_GROW));
  S_int(&m, 4, S_("file_name", S_GO)), S_int(&m, 5, 9);
  S_msg(&b, 5, &m);
  S_int(&m, 1, 2), S_int(&m, 2, S_MAIN), S_int(&m, 3, S_MAIN), S_int(&m, 4, S_("file_name", S_GO));
  S_msg(&b, 5, &m);
  for (int i = 0; S_fixed[i]; i++) {
    S_key(&b, 6, 2);
    S_varint(&b, strlen(S_fixed[i]));
    pd_buf_puts(&b, S_fixed[i]);
  }
  S_key(&b, 6, 2);
  S_varint(&b, hlen);
  pd_buf_put(&b, h, hlen);
  /* keep_frames only means something beside a drop_frames */
  if (!strcmp(field, "drop_frames")) S_int(&b, 7, S_H);
  else if (!strcmp(field, "keep_frames")) S_int(&b, 7, S_DROP), S_int(&b, 8, S_H);
  S_int(&b, 9, after ? 1795374194000000000ULL : 1795370594000000000ULL);
  S_int(&b, 10, 30000000000ULL);
  S_int(&m, 1, S_("period_type", S_SPACE)), S_int(&m, 2, S_("period_unit", S_BYTES));
  S_msg(&b, 11, &m);
  S_int(&b, 12, 524288);
  S_int(&b, 13, S_("comment", S_NOTE));
  if (all || !strcmp(field, "default_sample_type")) S_int(&b, 14, S_H);
  S_int(&b, 15, S_("doc_url", S_DOC));
#undef S_
  gzFile gz = gzopen(path, "wb");
  int ok = gz && gzwrite(gz, b.data, (unsigned)b.len) == (int)b.len;
  if (gz) ok &= gzclose(gz) == Z_OK;
  pd_buf_free(&b);
  pd_buf_free(&m);
  pd_buf_free(&sub);
  if (!ok) fprintf(stderr, "cannot write %s\n", path);
  return ok ? 0 : -1;
}

int pd_test_write_hostile_fields(const char *dir) {
  pd_buf h = PD_BUF_INIT;
  pd_buf_put(&h, S_payload_head, sizeof S_payload_head - 1);
  for (int i = 0; i < 3000; i++) pd_buf_putc(&h, "Long<>&\"'"[i % 9]);
  char path[4096];
  snprintf(path, sizeof path, "%s/payload", dir);
  FILE *f = fopen(path, "wb");
  int rc = f && fwrite(h.data, 1, h.len, f) == h.len ? 0 : -1;
  if (f && fclose(f) != 0) rc = -1;
  for (int i = 0; S_fields[i] && rc == 0; i++)
    for (int after = 0; after < 2 && rc == 0; after++) {
      snprintf(path, sizeof path, "%s/%s-%d.pb.gz", dir, S_fields[i], after + 1);
      rc = S_write(path, S_fields[i], after, h.data, h.len);
    }
  pd_buf_free(&h);
  return rc;
}
