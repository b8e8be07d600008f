/* test_util.c: arena, buffers, interner, id map, atomic output. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <math.h>

#include "test.h"
#include "util/util.h"

PD_TEST(arena_aligns_and_frees) {
  pd_arena a;
  pd_arena_init(&a, 1024);
  for (int i = 0; i < 1000; i++) {
    char *p = pd_arena_alloc(&a, (size_t)(i % 37) + 1);
    CHECK(((uintptr_t)p & 15) == 0);
    memset(p, 0xab, (size_t)(i % 37) + 1);
  }
  char *big = pd_arena_alloc(&a, 100000); /* bigger than a chunk */
  memset(big, 1, 100000);
  CHECK_STR(pd_arena_printf(&a, "%d-%s", 42, "x"), "42-x");
  pd_arena_reset(&a);
  CHECK(pd_arena_alloc(&a, 10) != NULL);
  pd_arena_free(&a);
}

PD_TEST(buf_grows_and_formats) {
  pd_buf b = PD_BUF_INIT;
  for (int i = 0; i < 1000; i++) pd_buf_printf(&b, "%d,", i);
  CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
  CHECK(b.data[b.len] == 0);
  pd_buf_truncate(&b, 2);
  CHECK_STR(b.data, "0,");
  pd_buf_free(&b);
}

PD_TEST(vec_shrink_keeps_the_items) {
  pd_vec v;
  pd_vec_init(&v, sizeof(uint32_t));
  pd_vec_shrink(&v); /* nothing allocated: nothing to do */
  CHECK(v.items == NULL);
  pd_vec_reserve(&v, 100000);
  for (uint32_t i = 0; i < 1000; i++) *(uint32_t *)pd_vec_push(&v) = i * 7;
  pd_vec_shrink(&v);
  CHECK(v.cap == 1000 && v.n == 1000);
  int same = 1;
  for (uint32_t i = 0; i < 1000; i++) same &= PD_VEC_AT(&v, uint32_t, i) == i * 7;
  CHECK(same);
  *(uint32_t *)pd_vec_push(&v) = 1; /* and it grows again */
  CHECK(v.n == 1001 && v.cap >= 1001);
  v.n = 0;
  pd_vec_shrink(&v); /* empty: one item's room, never NULL */
  CHECK(v.items != NULL && v.cap == 1);
  pd_vec_free(&v);
}

PD_TEST(intern_dedupes_with_embedded_nul) {
  pd_intern in;
  pd_intern_init(&in, 4);
  CHECK(pd_intern_put(&in, "", 0) == 0);
  uint32_t a = pd_intern_put(&in, "main.leak", 9);
  uint32_t b = pd_intern_put(&in, "a\0b", 3);
  uint32_t c = pd_intern_put(&in, "a\0c", 3);
  CHECK(a != b && b != c);
  char name[32];
  for (int i = 0; i < 5000; i++) {
    snprintf(name, sizeof name, "fn%d", i);
    pd_intern_put(&in, name, strlen(name));
  }
  CHECK(pd_intern_put(&in, "main.leak", 9) == a);
  CHECK(pd_intern_find(&in, "a\0b", 3) == b);
  CHECK(pd_intern_find(&in, "nope", 4) == UINT32_MAX);
  CHECK(pd_intern_find(&in, "fn4999", 6) != UINT32_MAX);
  CHECK_STR(pd_intern_str(&in, a), "main.leak");
  pd_intern_free(&in);
}

PD_TEST(idmap_rejects_duplicates) {
  pd_idmap m;
  pd_idmap_init(&m, 2);
  for (uint32_t i = 0; i < 1000; i++) CHECK(pd_idmap_put(&m, (uint64_t)i * 7919 + 1, i) == PD_OK);
  CHECK(pd_idmap_put(&m, 1, 5) == PD_ERR);
  CHECK(pd_idmap_get(&m, 7919 * 10 + 1) == 10);
  CHECK(pd_idmap_get(&m, 2) == UINT32_MAX);
  pd_idmap_free(&m);
}

PD_TEST(outset_is_all_or_nothing) {
  mkdir("tests/tmp", 0777);
  unlink("tests/tmp/a.txt");
  pd_outset o;
  pd_err err;
  pd_outset_init(&o);
  CHECK(pd_outset_add(&o, "tests/tmp/a.txt", "hello", 5, &err) == PD_OK);
  struct stat st;
  CHECK(stat("tests/tmp/a.txt", &st) != 0); /* not visible before commit */
  pd_outset_free(&o);                       /* abandoned: temp removed */
  CHECK(stat("tests/tmp/a.txt", &st) != 0);
  CHECK(pd_write_file_atomic("tests/tmp/a.txt", "hello", 5, &err) == PD_OK);
  CHECK(stat("tests/tmp/a.txt", &st) == 0 && st.st_size == 5);
  CHECK(pd_write_file_atomic("tests/tmp", "x", 1, &err) == PD_ERR);
  CHECK(strstr(err.msg, "is a directory") != NULL);
  unlink("tests/tmp/a.txt");
}

/* An output written in pieces: spilled past a megabyte, still invisible
 * until commit, byte for byte what was put. */
PD_TEST(outset_streams_large_outputs) {
  mkdir("tests/tmp", 0777);
  const char *path = "tests/tmp/big.txt";
  unlink(path);
  pd_outset o;
  pd_err err;
  pd_outset_init(&o);
  pd_buf b = PD_BUF_INIT;
  pd_buf_puts(&b, "dropped: open empties the buffer");
  CHECK(pd_outset_open(&o, path, &b, &err) == PD_OK);
  size_t max_held = 0;
  for (int i = 0; i < 200000; i++) {
    pd_buf_printf(&b, "line %d\n", i);
    if (b.len > max_held) max_held = b.len;
    pd_buf_spill(&b);
  }
  CHECK(max_held < (2u << 20));
  CHECK(pd_outset_close(&b, &err) == PD_OK);
  CHECK(b.sink == NULL && b.len == 0);
  struct stat st;
  CHECK(stat(path, &st) != 0);
  CHECK(pd_outset_commit(&o, &err) == PD_OK);
  pd_outset_free(&o);
  uint8_t *data;
  size_t len;
  CHECK(pd_read_file(path, 1 << 30, &data, &len, &err) == PD_OK);
  pd_buf want = PD_BUF_INIT;
  for (int i = 0; i < 200000; i++) pd_buf_printf(&want, "line %d\n", i);
  CHECK(len == want.len && memcmp(data, want.data, len) == 0);
  pd_file_release(data);
  pd_buf_free(&want);
  pd_buf_free(&b);
  unlink(path);
}

PD_TEST(read_file_errors_name_the_path) {
  uint8_t *data;
  size_t len;
  pd_err err;
  CHECK(pd_read_file("tests/no-such-file", 100, &data, &len, &err) == PD_ERR);
  CHECK(strstr(err.msg, "tests/no-such-file") && strstr(err.msg, "No such file"));
  CHECK(pd_read_file("tests", 100, &data, &len, &err) == PD_ERR);
  CHECK(strstr(err.msg, "is a directory") != NULL);
  CHECK(pd_read_file("build.zig", 10, &data, &len, &err) == PD_ERR);
  CHECK(strstr(err.msg, "limit") != NULL);
  CHECK(pd_read_file("build.zig", 1 << 20, &data, &len, &err) == PD_OK);
  CHECK(len > 100 && data[len] == 0);
  pd_file_release(data);
}

/* A large file is mapped, not copied: still NUL-terminated and writable
 * (readers may patch their buffer; the file must not change), and a file
 * whose size is a multiple of the page size is read the old way. */
PD_TEST(read_file_maps_large_files) {
  const char *paths[] = {"tests/tmp/map-odd.bin", "tests/tmp/map-page.bin"};
  size_t sizes[] = {(3u << 20) + 123, 3u << 20};
  for (int f = 0; f < 2; f++) {
    FILE *fp = fopen(paths[f], "wb");
    CHECK(fp != NULL);
    if (!fp) return;
    for (size_t i = 0; i < sizes[f]; i++) fputc('a' + (int)(i % 26), fp);
    fclose(fp);
    uint8_t *data;
    size_t len;
    pd_err err;
    CHECK(pd_read_file(paths[f], 1 << 30, &data, &len, &err) == PD_OK);
    CHECK(len == sizes[f] && data[len] == 0 && data[len - 1] == (uint8_t)('a' + (len - 1) % 26));
    CHECK((pd_file_mapped_at(data + len / 2) != NULL) == (f == 0));
    /* pages given back (a megabyte at a time) come back from the file */
    pd_file_done_with(data, len / 3);
    pd_file_done_with(data, len);
    int same = 1;
    for (size_t i = 0; i < len; i += 4093) same &= data[i] == (uint8_t)('a' + i % 26);
    CHECK(same);
    data[0] = 'X'; /* a private copy of the page */
    pd_file_release(data);
    CHECK(pd_file_mapped_at(data + len / 2) == NULL);
    CHECK(pd_read_file(paths[f], 1 << 30, &data, &len, &err) == PD_OK);
    CHECK(data[0] == 'a');
    pd_file_release(data);
    remove(paths[f]);
  }
}

PD_TEST(base64_rfc4648_vectors) {
  const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; i++) {
    pd_buf b = PD_BUF_INIT;
    pd_buf_base64(&b, in[i], strlen(in[i]));
    CHECK_STR(b.data ? b.data : "", out[i]);
    pd_buf_free(&b);
  }
}

PD_TEST(intern_put_many_equals_put) {
  pd_intern a, b;
  pd_intern_init(&a, 4); /* grows inside a batch */
  pd_intern_init(&b, 4);
  char store[3000][12];
  const char *s[3000];
  uint32_t n[3000], ids[3000];
  for (int i = 0; i < 3000; i++) {
    /* repeats within a batch and across batches, and the empty string */
    int k = (i * 7919) % 1100;
    n[i] = (uint32_t)snprintf(store[i], sizeof store[i], "f%d", k);
    if (k == 3) n[i] = 0;
    s[i] = store[i];
  }
  int bad = 0;
  for (int at = 0; at < 3000; at += 37 + at % 50) {
    uint32_t m = 3000 - at < 90 ? (uint32_t)(3000 - at) : 90;
    pd_intern_put_many(&a, s + at, n + at, m, ids + at);
    for (uint32_t i = 0; i < m; i++) bad += ids[at + i] != pd_intern_put(&b, s[at + i], n[at + i]);
  }
  CHECK_MSG(bad == 0, "%d ids differ", bad);
  CHECK(a.n == b.n);
  pd_intern_free(&a);
  pd_intern_free(&b);
}

PD_TEST(fmt_fixed_equals_printf) {
  /* ties (0.125, 2.5), near ties, negatives and -0, huge, tiny, NaN and
   * pseudo-random values of every magnitude: byte for byte printf's */
  double fixed[] = {0, -0.0, 0.125, 0.375, 2.5, 3.5, -2.5, 1.005, 1.015, 0.045, 99.995, 1e15, 1e16,
                    -1e20, 1e-7, 123456.789, 0.5, 1.5, NAN, INFINITY, -INFINITY, 4503599627370495.5,
                    1e100, -1.7976931348623157e308 /* longer than the buffer: cut as snprintf cuts */};
  int bad = 0;
  char a[64], b[64];
  uint64_t x = 0x2545f4914f6cdd1dull;
  for (int i = 0; i < 30000; i++) {
    double v;
    if (i < (int)(sizeof fixed / sizeof fixed[0])) {
      v = fixed[i];
    } else {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      double m = (double)(x >> 11) / 9007199254740992.0; /* [0, 1) */
      v = (m - 0.3) * pow(10, (double)(x % 19) - 6);
      if (i % 7 == 0) v = nearbyint(v * 1000) / 1000; /* decimals that look round */
    }
    for (int d = 0; d <= 6; d++) {
      size_t n = pd_fmt_fixed(a, sizeof a, v, d);
      snprintf(b, sizeof b, "%.*f", d, v);
      if (strcmp(a, b) != 0 || n != strlen(b)) {
        if (bad++ < 5) fprintf(stderr, "    %.17g %d: %s != %s\n", v, d, a, b);
      }
    }
  }
  CHECK(bad == 0);
}

/* Numbers as data: integers digit for digit at any size (a folded count
 * in exponent form is refused by flamegraph.pl and inferno), others the
 * shortest of 15, 16, 17 significant digits that reads back. */
PD_TEST(fmt_num_exact_and_shortest) {
  static const struct {
    double v;
    const char *s;
  } cases[] = {{0, "0"}, {-0.0, "0"}, {42, "42"}, {-7, "-7"}, {9007199254740992.0, "9007199254740992"},
               {12345678901234568.0, "12345678901234568"}, {1e21, "1000000000000000000000"},
               {9223372036854775808.0, "9223372036854775808"}, {0.1, "0.1"}, {0.5, "0.5"},
               {1.0 / 3, "0.3333333333333333"}, {2.0 / 3, "0.6666666666666666"}, {1e-7, "1e-07"},
               {274.321, "274.321"}, {0.1 + 0.2, "0.30000000000000004"}, {NAN, "nan"}, {-INFINITY, "-inf"}};
  char out[PD_NUM_SIZE];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = pd_fmt_num(out, cases[i].v);
    CHECK_STR(out, cases[i].s);
    CHECK(n == strlen(cases[i].s));
  }
  pd_fmt_num(out, -1.7976931348623157e308);
  CHECK(strlen(out) == 310 && out[0] == '-'); /* every digit of the largest double */
  CHECK(pd_fmt_int(out, INT64_MAX) == 19 && strcmp(out, "9223372036854775807") == 0);
  pd_fmt_int(out, INT64_MIN);
  CHECK_STR(out, "-9223372036854775808");
  /* values (pd_val) past 2^53: every digit, up to 2^64 */
  if (pd_test_wide_values()) {
    static const struct {
      pd_val v;
      const char *s;
    } wide[] = {{9000000000000000001.0L, "9000000000000000001"}, {-12345678901234567.0L, "-12345678901234567"},
                {18446744073709551615.0L, "18446744073709551615"}, {18446744073709551616.0L, "18446744073709551616"},
                {0.1L, "0.1"}, {(pd_val)0.1 + (pd_val)0.2, "0.30000000000000004"}};
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
      pd_fmt_num(out, wide[i].v);
      CHECK_STR(out, wide[i].s);
    }
  }
  pd_buf b = PD_BUF_INIT;
  pd_buf_int(&b, 1700000000123456789LL);
  pd_buf_putc(&b, ' ');
  pd_buf_num(&b, 1.5);
  CHECK_STR(b.data, "1700000000123456789 1.5");
  pd_buf_free(&b);
  /* pseudo-random doubles of every magnitude read back bit for bit, and no
   * shorter precision would have */
  uint64_t x = 0x9e3779b97f4a7c15ull;
  int bad = 0;
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double m = (double)(x >> 11) / 9007199254740992.0;
    double v = (m - 0.3) * pow(10, (double)(x % 40) - 20);
    pd_fmt_num(out, v);
    char shorter[64];
    int ok = strtod(out, NULL) == v;
    for (int p = 15; ok && v != trunc(v) && p < 17; p++) {
      snprintf(shorter, sizeof shorter, "%.*g", p, v);
      if (strtod(shorter, NULL) == v) ok = strlen(out) <= strlen(shorter);
    }
    if (!ok && bad++ < 5) fprintf(stderr, "    %.17g -> %s\n", v, out);
  }
  CHECK(bad == 0);
}

/* Hash flooding: names built so that the old multiply-xorshift hash gives
 * them all one value under every seed (per word pair, flip bit 63 of the
 * first word and bits 63 and 32 of the second: the multiply carries the
 * first flip to bit 63, the xorshift copies it to bit 32, the second word
 * cancels both). 12 pairs make 4096 such names; interned, they must cost
 * about one probe each, not a scan of all the others (counted, not timed). */
PD_TEST(intern_resists_hash_flooding) {
  enum { PAIRS = 12, N = 1 << PAIRS, LEN = PAIRS * 16 };
  static char names[N][LEN];
  for (uint32_t i = 0; i < N; i++) {
    for (int j = 0; j < PAIRS; j++) {
      uint64_t a = 0x6162636465666768ULL + (uint64_t)j, b = 0x6867666564636261ULL + (uint64_t)j;
      if (i >> j & 1) {
        a ^= UINT64_C(1) << 63;
        b ^= UINT64_C(1) << 63 | UINT64_C(1) << 32;
      }
      memcpy(names[i] + j * 16, &a, 8);
      memcpy(names[i] + j * 16 + 8, &b, 8);
    }
  }
  /* the set does what it claims against the old hash, whatever the seed */
  int same = 1;
  for (uint32_t i = 1; i < N; i++)
    same &= pd_hash_seeded(names[i], LEN, 12345) == pd_hash_seeded(names[0], LEN, 12345) &&
            pd_hash_seeded(names[i], LEN, 0) == pd_hash_seeded(names[0], LEN, 0);
  CHECK(same);
  pd_intern in;
  pd_intern_init(&in, 16);
  for (uint32_t i = 0; i < N; i++) CHECK(pd_intern_put(&in, names[i], LEN) == i + 1);
  for (uint32_t i = 0; i < N; i += 97) CHECK(pd_intern_find(&in, names[i], LEN) == i + 1);
  uint64_t probes = pd_intern_probes(&in);
  CHECK_MSG(probes < 3 * (uint64_t)in.n, "%llu probes for %u strings", (unsigned long long)probes, in.n);
  pd_intern_free(&in);
  /* SipHash-2-4's published vectors (key 00..0f, message 00 01 02 ...),
   * for the code SipHash-1-3 shares */
  uint64_t key[2] = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  unsigned char msg[15];
  for (int i = 0; i < 15; i++) msg[i] = (unsigned char)i;
  CHECK(pd_siphash24(msg, 0, key) == 0x726fdb47dd0e0e31ULL);
  CHECK(pd_siphash24(msg, 1, key) == 0x74f839c593dc67fdULL);
  CHECK(pd_siphash24(msg, 15, key) == 0xa129ca6149be45e5ULL);
  /* the tables' key is secret and the same for the whole process */
  uint64_t k1[2], k2[2];
  pd_hash_secret_key(k1);
  pd_hash_secret_key(k2);
  CHECK(k1[0] == k2[0] && k1[1] == k2[1] && (k1[0] | k1[1]) != 0);
}

static const pd_test_case S_cases[] = {
    {"intern_resists_hash_flooding", intern_resists_hash_flooding},
    {"fmt_num_exact_and_shortest", fmt_num_exact_and_shortest},
    {"fmt_fixed_equals_printf", fmt_fixed_equals_printf},
    {"intern_put_many_equals_put", intern_put_many_equals_put},
    {"base64_rfc4648_vectors", base64_rfc4648_vectors},
    {"arena_aligns_and_frees", arena_aligns_and_frees},
    {"vec_shrink_keeps_the_items", vec_shrink_keeps_the_items},
    {"buf_grows_and_formats", buf_grows_and_formats},
    {"intern_dedupes_with_embedded_nul", intern_dedupes_with_embedded_nul},
    {"idmap_rejects_duplicates", idmap_rejects_duplicates},
    {"outset_is_all_or_nothing", outset_is_all_or_nothing},
    {"outset_streams_large_outputs", outset_streams_large_outputs},
    {"read_file_errors_name_the_path", read_file_errors_name_the_path},
    {"read_file_maps_large_files", read_file_maps_large_files},
    {NULL, NULL}};
const pd_test_suite pd_suite_util = {"util", S_cases};
