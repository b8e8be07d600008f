/* test_ingest.c: the text readers (folded stacks, Go's and gperftools' text
 * heap profiles, cgroup memory files) and sniffing by content.
 *
 * Folded files are checked against hand counts (awk over the same files,
 * commands in the comments), the legacy heap profiles against google/pprof's
 * own reading of them (the expected-string files in ../shared/data/legacy: every
 * sample's values and every frame's address and mapping). */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>

#include "test.h"
#include "analyse/analyse.h"
#include "ingest/ingest.h"

/* ---- helpers ------------------------------------------------------------------- */

static int S_read_text(const char *name, const char *text, const pd_ingest_opts *o, pd_profile *p,
                       pd_err *err) {
  size_t n = strlen(text);
  uint8_t *buf = malloc(n + 1);
  memcpy(buf, text, n + 1);
  return pd_ingest_bytes(name, buf, n, o, p, err);
}

static double S_total(const pd_profile *p, int index) {
  double t = 0;
  for (uint32_t i = 0; i < p->nsamples; i++) t += p->values[(size_t)i * p->ntypes + index];
  return t;
}

/* The frame names of sample i, root first, joined with ';' (one line per
 * location, the way folded files name frames). */
static void S_stack(const pd_profile *p, uint32_t i, pd_buf *out) {
  pd_buf_truncate(out, 0);
  uint32_t a = p->stack_start[i], b = p->stack_start[i + 1];
  for (uint32_t k = b; k > a; k--) {
    const pd_location *l = &p->locations[p->stack[k - 1]];
    const pd_line *ln = &p->lines[l->first_line];
    if (k != b) pd_buf_putc(out, ';');
    pd_buf_puts(out, pd_profile_str(p, p->functions[ln->function].name));
  }
  if (!out->data) pd_buf_puts(out, "");
}

/* ---- folded ---------------------------------------------------------------------- */

/* awk 'NF>1 && $NF ~ /^[0-9]+(\.[0-9]+)?$/ {s+=$NF; n++} END {print n, s}' FILE */
PD_TEST(folded_totals_equal_hand_counts) {
  static const struct {
    const char *file;
    uint32_t lines;
    double total;
    uint32_t warnings;
  } want[] = {
      {"folded/inferno-base-flames.txt", 427, 598400, 0},
      {"folded/inferno-bad-lines-bad-lines.txt", 7, 607, 2},
      {"folded/inferno-colors-async-profiler-collapsed-part.txt", 30, 3279, 0},
      {"folded/inferno-fractional-samples-fractional.txt", 6, 334.618, 0},
      {"folded/inferno-fractional-samples-with-space.txt", 6, 334.618, 0},
      {"folded/inferno-multiple-inputs-perf-vertx-stacks-01-collapsed-all-unsorted-1.txt", 100, 147, 0},
      {"folded/inferno-multiple-inputs-perf-vertx-stacks-01-collapsed-all-unsorted-2.txt", 100, 139, 0},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const char *path = pd_test_data(want[i].file);
    if (!path) return;
    pd_profile p;
    pd_err err;
    int rc = pd_ingest_file(path, NULL, &p, &err);
    CHECK_MSG(rc == PD_OK, "%s: %s", path, err.msg);
    if (rc == PD_OK) {
      CHECK(p.format == PD_FORMAT_FOLDED);
      CHECK_MSG(p.nsamples == want[i].lines, "%s: %u samples, want %u", path, p.nsamples, want[i].lines);
      CHECK_NEAR(S_total(&p, 0), want[i].total, 1e-9);
      CHECK(p.nwarnings == want[i].warnings);
      CHECK_STR(pd_profile_str(&p, p.types[0].type), "samples");
      CHECK_STR(pd_profile_str(&p, p.types[0].unit), "count");
    }
    pd_profile_free(&p);
  }
}

PD_TEST(folded_fractions_and_spaces) {
  const char *path = pd_test_data("folded/inferno-fractional-samples-with-space.txt");
  if (!path) return;
  pd_profile p;
  pd_err err;
  CHECK(pd_ingest_file(path, NULL, &p, &err) == PD_OK);
  double want[] = {31.23, 6.1, 1.4, 19.0, 2.567, 274.321};
  CHECK(p.nsamples == 6);
  for (uint32_t i = 0; i < 6 && i < p.nsamples; i++) CHECK(p.values[i] == want[i]);
  /* the frame with spaces (and a ';' inside brackets, which splits it, as in
   * FlameGraph and inferno) */
  pd_buf b = PD_BUF_INIT;
  S_stack(&p, 3, &b);
  CHECK_STR(b.data, "cksum;main;core::array::<impl core::default::Default for [T; _]>::default::h67c9877e6f2a615c");
  pd_buf_free(&b);
  pd_profile_free(&p);
}

PD_TEST(folded_bad_lines_warn_or_fail) {
  const char *path = pd_test_data("folded/inferno-bad-lines-bad-lines.txt");
  if (!path) return;
  pd_profile p;
  pd_err err;
  CHECK(pd_ingest_file(path, NULL, &p, &err) == PD_OK);
  CHECK(p.nwarnings == 2);
  if (p.nwarnings == 2) {
    CHECK(strstr(p.warnings[0], "bad-lines.txt: line 3: count \"LINE\" is not a number") != NULL);
    CHECK(strstr(p.warnings[1], "bad-lines.txt: line 6: count \"12V.43\" is not a number") != NULL);
  }
  pd_profile_free(&p);
  pd_ingest_opts strict = {0, 1};
  CHECK(pd_ingest_file(path, &strict, &p, &err) == PD_ERR);
  CHECK_MSG(strstr(err.msg, "bad-lines.txt:3: count \"LINE\" is not a number") != NULL, "%s", err.msg);
  pd_profile_free(&p);
}

PD_TEST(folded_errors_name_the_line) {
  static const struct {
    const char *text, *msg;
  } cases[] = {
      {"main;a 5\nmain;b\n", "x.folded:2: line has no count"},
      {"main;a 5\n\nmain;b -3\n", "x.folded:3: count \"-3\" is negative"},
      {"main;a 5\nmain;b 1O\n", "x.folded:2: count \"1O\" is not a number"},
      {"main;a 5\nmain;b nan\n", "x.folded:2: count \"nan\" is not a number"},
  };
  pd_ingest_opts strict = {0, 1};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pd_profile p;
    pd_err err;
    CHECK(S_read_text("x.folded", cases[i].text, &strict, &p, &err) == PD_ERR);
    CHECK_MSG(strstr(err.msg, cases[i].msg) != NULL, "\"%s\" lacks \"%s\"", err.msg, cases[i].msg);
    pd_profile_free(&p);
    /* without --strict: one warning, the good line kept */
    CHECK(S_read_text("x.folded", cases[i].text, NULL, &p, &err) == PD_OK);
    CHECK(p.nsamples == 1 && p.nwarnings == 1);
    pd_profile_free(&p);
  }
  /* nothing good at all is an error either way */
  pd_profile p;
  pd_err err;
  CHECK(S_read_text("x.folded", "a;b x\na;c y\n", NULL, &p, &err) == PD_ERR);
  CHECK(strstr(err.msg, "x.folded: no line of the file is a folded stack") != NULL);
  pd_profile_free(&p);
}

/* The prefix reuse must give the same frames as splitting every line: random
 * stacks over a tiny alphabet (so that prefixes, frames that are prefixes of
 * frames, and lines that are prefixes of lines are common), sorted. */
static int S_cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

PD_TEST(folded_prefix_reuse_matches_naive_split) {
  enum { N = 400 };
  static const char *frames[] = {"a", "ab", "b", "a b", "", "abc"};
  char *lines[N];
  unsigned seed = 12345;
  for (int i = 0; i < N; i++) {
    pd_buf l = PD_BUF_INIT;
    seed = seed * 1103515245 + 12345;
    int depth = 1 + (int)((seed >> 16) % 5);
    for (int d = 0; d < depth; d++) {
      seed = seed * 1103515245 + 12345;
      if (d) pd_buf_putc(&l, ';');
      pd_buf_puts(&l, frames[(seed >> 16) % 6]);
    }
    lines[i] = l.data;
  }
  qsort(lines, N, sizeof *lines, S_cmp_str);
  pd_buf text = PD_BUF_INIT;
  for (int i = 0; i < N; i++) pd_buf_printf(&text, "%s %d\n", lines[i], i + 1);
  pd_profile p;
  pd_err err;
  int rc = S_read_text("r.folded", text.data, NULL, &p, &err);
  CHECK_MSG(rc == PD_OK, "%s", err.msg);
  CHECK(p.nsamples == N);
  pd_buf got = PD_BUF_INIT;
  int bad = 0;
  for (uint32_t i = 0; i < p.nsamples && i < N; i++) {
    S_stack(&p, i, &got);
    if (strcmp(got.data, lines[i]) != 0 || p.values[i] != i + 1) bad++;
  }
  CHECK_MSG(bad == 0, "%d of %d stacks differ", bad, N);
  pd_buf_free(&got);
  pd_buf_free(&text);
  pd_profile_free(&p);
  for (int i = 0; i < N; i++) free(lines[i]);
}

/* ---- legacy heap profiles ------------------------------------------------------------ */

/* pprof's String() form: "Samples:" then a type line, then per sample
 * "v1 v2 ...: loc loc ..." (and label lines); "Locations" with
 * "id: 0xaddr M=m"; "Mappings" with "id: start/limit/offset file". */
typedef struct {
  uint32_t nsamples;
  double values[200][4];
  uint32_t locs[200][64], nlocs[200];
  uint64_t loc_addr[512];
  uint32_t loc_map[512];
  char map_file[16][128];
} S_expected;

static int S_parse_expected(const char *path, S_expected *e, uint32_t ntypes) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  memset(e, 0, sizeof *e);
  char line[4096];
  int section = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "Samples:", 8) == 0) {
      section = 1;
      if (!fgets(line, sizeof line, f)) break; /* the types line */
      continue;
    }
    if (strncmp(line, "Locations", 9) == 0) {
      section = 2;
      continue;
    }
    if (strncmp(line, "Mappings", 8) == 0) {
      section = 3;
      continue;
    }
    if (section == 1 && strchr(line, ':') && !strstr(line, "bytes:[")) {
      uint32_t s = e->nsamples++;
      char *p = line;
      for (uint32_t t = 0; t < ntypes; t++) e->values[s][t] = strtod(p, &p);
      p = strchr(p, ':') + 1;
      char *end;
      for (unsigned long id; (id = strtoul(p, &end, 10)), end != p; p = end) e->locs[s][e->nlocs[s]++] = (uint32_t)id;
    } else if (section == 2) {
      unsigned long id, m;
      unsigned long long a;
      if (sscanf(line, " %lu: %llx M=%lu", &id, &a, &m) == 3 && id < 512) {
        e->loc_addr[id] = a;
        e->loc_map[id] = (uint32_t)m;
      }
    } else if (section == 3) {
      unsigned long id;
      char file[128] = "";
      if (sscanf(line, "%lu: %*s %127s", &id, file) >= 1 && id < 16) strcpy(e->map_file[id], file);
    }
  }
  fclose(f);
  return 1;
}

static void S_check_legacy(const char *name, pd_format format, uint32_t ntypes) {
  char rel[256], exp[256];
  snprintf(rel, sizeof rel, "legacy/%s.txt", name);
  snprintf(exp, sizeof exp, "legacy/%s.expected-string.txt", name);
  const char *path = pd_test_data(rel);
  if (!path) return;
  static S_expected e;
  CHECK(S_parse_expected(pd_test_data(exp), &e, ntypes));
  pd_profile p;
  pd_err err;
  int rc = pd_ingest_file(path, NULL, &p, &err);
  CHECK_MSG(rc == PD_OK, "%s", err.msg);
  if (rc != PD_OK) {
    pd_profile_free(&p);
    return;
  }
  CHECK(p.format == format);
  CHECK(p.ntypes == ntypes);
  CHECK_MSG(p.nsamples == e.nsamples, "%s: %u samples, pprof has %u", name, p.nsamples, e.nsamples);
  int bad_values = 0, bad_frames = 0;
  for (uint32_t s = 0; s < p.nsamples && s < e.nsamples; s++) {
    for (uint32_t t = 0; t < ntypes; t++)
      if (p.values[(size_t)s * ntypes + t] != e.values[s][t]) bad_values++;
    uint32_t a = p.stack_start[s], n = p.stack_start[s + 1] - a;
    if (n != e.nlocs[s]) {
      bad_frames++;
      continue;
    }
    for (uint32_t k = 0; k < n; k++) {
      const pd_location *l = &p.locations[p.stack[a + k]];
      uint32_t id = e.locs[s][k];
      const char *want_file = e.map_file[e.loc_map[id]];
      const char *file = l->mapping == PD_NONE ? "" : pd_profile_str(&p, p.mappings[l->mapping].filename);
      /* unsymbolized frames are named by their address */
      char addr[32];
      snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)e.loc_addr[id]);
      const char *fname = pd_profile_str(&p, p.functions[p.lines[l->first_line].function].name);
      if (l->address != e.loc_addr[id] || strcmp(file, want_file) != 0 || strcmp(fname, addr) != 0)
        bad_frames++;
    }
  }
  CHECK_MSG(bad_values == 0, "%s: %d values differ from pprof's", name, bad_values);
  CHECK_MSG(bad_frames == 0, "%s: %d frames differ from pprof's", name, bad_frames);
  pd_profile_free(&p);
}

PD_TEST(legacy_matches_pprof_expected_strings) {
  S_check_legacy("pprof-gobench.heap", PD_FORMAT_GO_HEAP_TEXT, 4);
  S_check_legacy("pprof-cppbench.heap", PD_FORMAT_GPERF_HEAP, 2);
  S_check_legacy("pprof-cppbench.growth", PD_FORMAT_GPERF_HEAP, 2);
}

/* A hand-made debug=1 profile: symbols from the comments, hidden frames
 * (runtime.goexit, here 0x1001) dropped, values unsampled with rate =
 * 1024/2. */
PD_TEST(go_text_symbols_from_comments) {
  const char *text =
      "heap profile: 3: 3072 [5: 5120] @ heap/1024\n"
      "2: 2048 [4: 4096] @ 0x2001 0x3001 0x1001\n"
      "#\t0x2000\tmain.leak+0x20\t\t/src/main.go:14\n"
      "#\t0x3000\tmain.main+0x30\t\t/src/main.go:20\n"
      "\n"
      "1: 1024 [1: 1024] @ 0x3001 0x1001\n"
      "#\t0x3000\tmain.main+0x30\t\t/src/main.go:20\n"
      "\n"
      "# runtime.MemStats\n"
      "# Alloc = 1234\n";
  pd_profile p;
  pd_err err;
  int rc = S_read_text("heap.txt", text, NULL, &p, &err);
  CHECK_MSG(rc == PD_OK, "%s", err.msg);
  if (rc == PD_OK) {
    CHECK(p.format == PD_FORMAT_GO_HEAP_TEXT);
    CHECK(p.ntypes == 4 && p.nsamples == 2 && p.period == 512);
    CHECK_STR(pd_profile_str(&p, p.types[3].type), "inuse_space");
    pd_buf b = PD_BUF_INIT;
    S_stack(&p, 0, &b);
    CHECK_STR(b.data, "main.main;main.leak");
    S_stack(&p, 1, &b);
    CHECK_STR(b.data, "main.main");
    pd_buf_free(&b);
    /* scaleHeapSample: 1/(1-exp(-1024/512)) = 1.1565..., truncated */
    double scale = 1 / (1 - exp(-2.0));
    CHECK(p.values[3] == (double)(int64_t)(2048 * scale));
    CHECK(p.values[2] == (double)(int64_t)(2 * scale));
    CHECK(p.values[1] == (double)(int64_t)(4096 * scale));
    const pd_location *l = &p.locations[p.stack[0]];
    CHECK(l->address == 0x2000 && p.lines[l->first_line].line == 14);
    CHECK_STR(pd_profile_str(&p, p.functions[p.lines[l->first_line].function].filename), "/src/main.go");
  }
  pd_profile_free(&p);
}

/* samples/leak writes every heap snapshot twice at the same moment, as
 * protobuf and as debug=1 text: both must give the same total and the same
 * flat and cum for every function, for all four sample types. */
static int S_reduce_file(const char *path, const char *index, pd_intern *keys, pd_snapshot *s) {
  pd_reduce_opts ro = {index, 0};
  return pd_test_reduce_file(path, &ro, keys, s);
}

PD_TEST(go_text_equals_protobuf_of_the_same_moment) {
  const char *dir = pd_test_repo("samples/leak/snapshots");
  DIR *d = opendir(dir);
  CHECK_MSG(d != NULL, "%s is missing", dir);
  if (!d) return;
  int pairs = 0, differ = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 4, ".txt") != 0) continue;
    char txt[1024], pb[1024];
    snprintf(txt, sizeof txt, "%s/%s", dir, e->d_name);
    snprintf(pb, sizeof pb, "%s/%.*s.pb.gz", dir, (int)(n - 4), e->d_name);
    pairs++;
    for (int i = 0; i < 4; i++) {
      char index[2] = {(char)('0' + i), 0};
      pd_intern keys;
      pd_intern_init(&keys, 256);
      pd_snapshot a, b;
      if (S_reduce_file(txt, index, &keys, &a) != PD_OK) {
        pd_intern_free(&keys);
        continue;
      }
      if (S_reduce_file(pb, index, &keys, &b) == PD_OK) {
        CHECK_STR(a.sample_type, b.sample_type);
        if (a.total != b.total) differ++;
        for (uint32_t k = 0; k < keys.n; k++) {
          double fa = k < a.ft.n ? a.ft.flat[k] : 0, fb = k < b.ft.n ? b.ft.flat[k] : 0;
          double ca = k < a.ft.n ? a.ft.k[k].cum : 0, cb = k < b.ft.n ? b.ft.k[k].cum : 0;
          if (fa != fb || ca != cb) {
            differ++;
            fprintf(stderr, "    %s %s: %s flat %g/%g cum %g/%g\n", e->d_name, index,
                    pd_intern_str(&keys, k), fa, fb, ca, cb);
          }
        }
        pd_snapshot_free(&b);
      }
      pd_snapshot_free(&a);
      pd_intern_free(&keys);
    }
  }
  closedir(d);
  CHECK_MSG(pairs >= 10, "only %d debug=1/protobuf pairs in %s", pairs, dir);
  CHECK_MSG(differ == 0, "%d figures differ between the text and the protobuf", differ);
}

PD_TEST(legacy_errors_name_the_line) {
  static const struct {
    const char *text, *msg;
  } cases[] = {
      {"heap profile: 1: 2 [x\n", "h.txt:1: heap profile header does not parse"},
      {"heap profile: 1: 2 [3: 4] @ banana/2\n", "h.txt:1: heap profile header: unknown profile kind"},
      {"heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 [3: 4] @ 0x1\ngarbage\n", "h.txt:3: not a heap profile sample"},
      {"heap profile: 1: 2 [3: 4] @ heap/2\n0: 2 [3: 4] @ 0x1\n", "h.txt:2: inuse count was 0 but inuse bytes was 2"},
      {"heap profile: 1: 2 [3: 4] @ heap/2\n1: 2 [3: 4] @ 0x11112222333344445\n", "h.txt:2: address is not a 64-bit number"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pd_profile p;
    pd_err err;
    CHECK(S_read_text("h.txt", cases[i].text, NULL, &p, &err) == PD_ERR);
    CHECK_MSG(strstr(err.msg, cases[i].msg) != NULL, "\"%s\" lacks \"%s\"", err.msg, cases[i].msg);
    pd_profile_free(&p);
  }
}

/* ---- sniffing ------------------------------------------------------------------------- */

PD_TEST(sniff_by_content) {
  static const struct {
    const char *text;
    pd_format f;
  } cases[] = {
      {"heap profile: 1: 2 [3: 4] @ heap/1048576\n", PD_FORMAT_GO_HEAP_TEXT},
      {"heap profile:    1:  2 [   1:  2] @ heapz_v2/524288\n", PD_FORMAT_GPERF_HEAP},
      {"heap profile:  1: 2 [ 1: 2] @ growthz\n", PD_FORMAT_GPERF_HEAP},
      {"cache 1\nrss 2\nmapped_file 3\n", PD_FORMAT_MEMSTAT},
      {"anon 1\nfile 2\nkernel 3\nsome_future_key 4\n", PD_FORMAT_MEMSTAT},
      {"123456789\n", PD_FORMAT_MEMSTAT},
      {"main;foo 3\nmain;bar 4\n", PD_FORMAT_FOLDED},
      {"main 3\nfoo 4\n", PD_FORMAT_FOLDED},
      {"anon 3\n", PD_FORMAT_FOLDED},
      {"main;foo\n", PD_FORMAT_FOLDED},
      {"\n\nmain;foo 1.5\n", PD_FORMAT_FOLDED},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pd_format f = PD_FORMAT_PPROF;
    pd_err err;
    int rc = pd_sniff("x", (const uint8_t *)cases[i].text, strlen(cases[i].text), 1, &f, &err);
    CHECK_MSG(rc == PD_OK && f == cases[i].f, "case %zu: rc %d format %s", i, rc, pd_format_name(f));
  }
  pd_format f;
  pd_err err;
  const char *prose = "this is not a profile\n";
  CHECK(pd_sniff("t.txt", (const uint8_t *)prose, strlen(prose), 1, &f, &err) == PD_ERR);
  CHECK(strstr(err.msg, "t.txt: not a recognised profile format") != NULL);
  const uint8_t bin[] = {0x0a, 0x04, 0x08, 0x01, 0x10, 0x02};
  CHECK(pd_sniff("b", bin, sizeof bin, 1, &f, &err) == PD_OK && f == PD_FORMAT_PPROF);
  /* by structure, not by a first byte: text whose names hold control
   * bytes or NUL is folded, a byte order mark says text */
  static const struct {
    const char *text;
    size_t len;
  } folded[] = {
#define S_T(s) {s, sizeof s - 1}
      S_T("main;\x01" "ctl 3\n"), S_T("\x1b[31mred;b 1\n"), S_T("main;a\0b 3\n"), S_T("2;x\x01 1\n"),
      S_T("\xef\xbb\xbfmain;a 1\n"), S_T("\n\x01main;b 5\n"), S_T("main;a\0b\0 3\nmain;\x7f 1\n")
#undef S_T
  };
  for (size_t i = 0; i < sizeof folded / sizeof folded[0]; i++) {
    f = PD_FORMAT_PPROF;
    int rc = pd_sniff("x", (const uint8_t *)folded[i].text, folded[i].len, 1, &f, &err);
    CHECK_MSG(rc == PD_OK && f == PD_FORMAT_FOLDED, "folded case %zu: rc %d format %s", i, rc, pd_format_name(f));
  }
  /* binary that is neither: the protobuf reader says where it is corrupt */
  const uint8_t junk[] = {0x0a, 0x7f, 0x01, 0x02};
  CHECK(pd_sniff("j", junk, sizeof junk, 1, &f, &err) == PD_OK && f == PD_FORMAT_PPROF);
  /* the BOM is not part of the first frame's name */
  pd_profile bp;
  CHECK(S_read_text("bom.folded", "\xef\xbb\xbfmain;a 3\n", NULL, &bp, &err) == PD_OK);
  pd_buf st = PD_BUF_INIT;
  S_stack(&bp, 0, &st);
  CHECK_STR(st.data, "main;a");
  pd_buf_free(&st);
  pd_profile_free(&bp);
  /* a profile reader refuses a memory file, and says what it is */
  pd_profile p;
  CHECK(S_read_text("memory.stat", "cache 1\nrss 2\n", NULL, &p, &err) == PD_ERR);
  CHECK(p.format == PD_FORMAT_MEMSTAT && strstr(err.msg, "a cgroup memory file") != NULL);
  pd_profile_free(&p);
}

/* ---- cgroup memory files --------------------------------------------------------------- */

static int S_memstat(const char *name, const char *text, pd_memstat *m, pd_err *err) {
  pd_memstat_init(m, name);
  return pd_memstat_parse(m, (const uint8_t *)text, strlen(text), err);
}

PD_TEST(memstat_v1_and_v2) {
  /* a cgroup v1 memory.stat as this kernel writes it (abridged) */
  const char *v1 =
      "cache 9551872\nrss 7835648\nrss_huge 0\nshmem 9097216\nmapped_file 7680000\n"
      "inactive_anon 0\nactive_anon 1531904\ninactive_file 16384\nactive_file 438272\n"
      "unevictable 15400960\nhierarchical_memory_limit 9223372036854771712\n"
      "total_cache 460435456\ntotal_rss 727691264\ntotal_inactive_file 206868480\n"
      "total_active_file 244469760\ntotal_shmem 9097216\n";
  pd_memstat m;
  pd_err err;
  CHECK(S_memstat("memory.stat", v1, &m, &err) == PD_OK);
  CHECK(m.kind == PD_MEMFILE_STAT && m.version == PD_CGROUP_V1 && m.n == 16);
  uint64_t v;
  CHECK(pd_memstat_get(&m, "hierarchical_memory_limit", &v) && v == 9223372036854771712ULL);
  pd_memfigures f;
  pd_memstat_figures(&m, &f);
  /* the hierarchical total_* counters win */
  CHECK(f.anon == 727691264 && f.file == 460435456);
  CHECK(f.active_file == 244469760 && f.inactive_file == 206868480);
  CHECK(f.usage < 0 && f.usage_estimate == 727691264.0 + 460435456.0);
  pd_memstat_free(&m);

  const char *v2 =
      "anon 104857600\nfile 52428800\nkernel 4194304\nkernel_stack 16384\nshmem 0\n"
      "file_mapped 1048576\nactive_anon 104857600\ninactive_file 41943040\nactive_file 10485760\n"
      "pgfault 1234\n";
  CHECK(S_memstat("memory.stat", v2, &m, &err) == PD_OK);
  CHECK(m.version == PD_CGROUP_V2);
  pd_memstat_figures(&m, &f);
  CHECK(f.anon == 104857600 && f.file == 52428800 && f.inactive_file == 41943040);
  CHECK(f.usage_estimate == 104857600.0 + 52428800 + 4194304);
  pd_memstat_free(&m);

  CHECK(S_memstat("memory.current", "161480704\n", &m, &err) == PD_OK);
  CHECK(m.kind == PD_MEMFILE_USAGE && m.version == PD_CGROUP_V2);
  pd_memstat_figures(&m, &f);
  CHECK(f.usage == 161480704);
  pd_memstat_free(&m);
}

PD_TEST(memstat_errors_name_file_and_line) {
  static const struct {
    const char *text, *msg;
  } cases[] = {
      {"cache 1\nrss x\n", "m.stat:2: not a \"key value\" line of memory.stat: \"rss x\""},
      {"foo 1\nbar 2\n", "m.stat:1: no line holds a memory.stat key"},
      {"12\n13\n", "m.stat:2: a memory.current or usage_in_bytes file holds one number"},
      {"\n\n", "m.stat: empty file"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pd_memstat m;
    pd_err err;
    CHECK(S_memstat("m.stat", cases[i].text, &m, &err) == PD_ERR);
    CHECK_MSG(strstr(err.msg, cases[i].msg) != NULL, "\"%s\" lacks \"%s\"", err.msg, cases[i].msg);
    pd_memstat_free(&m);
  }
}

static const pd_test_case S_cases[] = {
    {"folded_totals_equal_hand_counts", folded_totals_equal_hand_counts},
    {"folded_fractions_and_spaces", folded_fractions_and_spaces},
    {"folded_bad_lines_warn_or_fail", folded_bad_lines_warn_or_fail},
    {"folded_errors_name_the_line", folded_errors_name_the_line},
    {"folded_prefix_reuse_matches_naive_split", folded_prefix_reuse_matches_naive_split},
    {"legacy_matches_pprof_expected_strings", legacy_matches_pprof_expected_strings},
    {"go_text_symbols_from_comments", go_text_symbols_from_comments},
    {"go_text_equals_protobuf_of_the_same_moment", go_text_equals_protobuf_of_the_same_moment},
    {"legacy_errors_name_the_line", legacy_errors_name_the_line},
    {"sniff_by_content", sniff_by_content},
    {"memstat_v1_and_v2", memstat_v1_and_v2},
    {"memstat_errors_name_file_and_line", memstat_errors_name_file_and_line},
    {NULL, NULL}};
const pd_test_suite pd_suite_ingest = {"ingest", S_cases};
