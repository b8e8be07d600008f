/* source.c: finding a profile's source files as pprof does, for `list`.
 *
 * A profile records file names as the build saw them (often absolute paths
 * of another machine). pprof (internal/report/source.go) trims them
 * (--trim-path, else a heuristic: the base name of a search directory found
 * inside the path), then looks for the rest under each directory of the
 * search path (--source-path, else the working directory) and each of its
 * parents. The same rules here, with Go's path cleaning, so a listing finds
 * the files pprof finds. Files are read once and kept split into lines.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Go's filepath.Clean. */
static void S_clean(const char *path, size_t n, pd_buf *out) {
  pd_buf_truncate(out, 0);
  int rooted = n > 0 && path[0] == '/';
  if (rooted) pd_buf_putc(out, '/');
  size_t base = out->len; /* ".." cannot go above this when rooted */
  size_t dotdot = base;   /* nor above leading ".." elements when not */
  for (size_t i = 0; i < n;) {
    while (i < n && path[i] == '/') i++;
    size_t j = i;
    while (j < n && path[j] != '/') j++;
    size_t len = j - i;
    if (len == 0) break;
    if (len == 1 && path[i] == '.') {
    } else if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
      if (out->len > dotdot) {
        size_t k = out->len;
        while (k > dotdot && out->data[k - 1] != '/') k--;
        if (k > dotdot) k--; /* the slash before the element */
        pd_buf_truncate(out, k);
      } else if (!rooted) {
        if (out->len > base) pd_buf_putc(out, '/');
        pd_buf_puts(out, "..");
        dotdot = out->len;
      }
    } else {
      if (out->len > base) pd_buf_putc(out, '/');
      pd_buf_put(out, path + i, len);
    }
    i = j;
  }
  if (out->len == 0) pd_buf_putc(out, '.');
}

/* Go's filepath.Base. */
static void S_base(const char *path, pd_buf *out) {
  size_t n = strlen(path);
  pd_buf_truncate(out, 0);
  if (n == 0) {
    pd_buf_putc(out, '.');
    return;
  }
  while (n > 0 && path[n - 1] == '/') n--;
  size_t i = n;
  while (i > 0 && path[i - 1] != '/') i--;
  if (n == 0) pd_buf_putc(out, '/');
  else pd_buf_put(out, path + i, n - i);
}

/* The next element of a ':'-separated list (filepath.SplitList); *s moves
 * past it. Returns 0 at the end. */
static int S_next_dir(const char **s, const char **dir, size_t *len) {
  if (!*s) return 0;
  const char *c = strchr(*s, ':');
  *dir = *s;
  *len = c ? (size_t)(c - *s) : strlen(*s);
  *s = c ? c + 1 : NULL;
  return 1;
}

/* pprof's trimPath: what is left of path once a configured prefix (or the
 * heuristic's) is cut. Returns the offset into path where it starts. */
static size_t S_trim(const char *path, const char *trim, const char *search) {
  pd_buf tmp = PD_BUF_INIT, want = PD_BUF_INIT;
  size_t cut = 0;
  int found = 0;
  const char *list, *dir;
  size_t len;
  /* no --trim-path: the base name of a search directory, found inside the
   * path ("/remote/my-project/foo.c" with "/local/my-project" -> "foo.c") */
  list = (!trim || !*trim) && search && *search ? search : NULL;
  while (!found && S_next_dir(&list, &dir, &len)) {
    char *d = pd_xmalloc(len + 1);
    memcpy(d, dir, len);
    d[len] = 0;
    S_base(d, &tmp);
    free(d);
    pd_buf_truncate(&want, 0);
    pd_buf_putc(&want, '/');
    pd_buf_put(&want, tmp.data, tmp.len);
    pd_buf_putc(&want, '/');
    const char *at = strstr(path, want.data);
    if (at) cut = (size_t)(at - path) + want.len, found = 1;
  }
  /* the configured prefixes, then the ones Bazel-built binaries carry */
  list = trim && *trim ? trim : NULL;
  while (!found && S_next_dir(&list, &dir, &len)) {
    pd_buf_truncate(&want, 0);
    pd_buf_put(&want, dir, len);
    if (want.len == 0 || want.data[want.len - 1] != '/') pd_buf_putc(&want, '/');
    if (strncmp(path, want.data, want.len) == 0) cut = want.len, found = 1;
  }
  static const char *const fixed[] = {"/proc/self/cwd/./", "/proc/self/cwd/"};
  for (size_t f = 0; !found && f < 2; f++)
    if (strncmp(path, fixed[f], strlen(fixed[f])) == 0) cut = strlen(fixed[f]), found = 1;
  pd_buf_free(&tmp);
  pd_buf_free(&want);
  return cut;
}

void pd_source_init(pd_source *s, const char *search_path, const char *trim_path, size_t max_bytes) {
  memset(s, 0, sizeof *s);
  s->search_opt = search_path;
  s->trim = trim_path;
  s->max_bytes = max_bytes;
  pd_arena_init(&s->arena, 16 * 1024);
  pd_intern_init(&s->names, 64);
  pd_vec_init(&s->files, sizeof(pd_source_file));
  char *cwd = getcwd(NULL, 0);
  s->search = search_path && *search_path ? search_path
                                          : pd_arena_strndup(&s->arena, cwd ? cwd : ".", strlen(cwd ? cwd : "."));
  free(cwd);
}

void pd_source_free(pd_source *s) {
  for (size_t i = 0; i < s->files.n; i++) pd_file_release(PD_VEC_AT(&s->files, pd_source_file, i).data);
  pd_vec_free(&s->files);
  pd_intern_free(&s->names);
  pd_arena_free(&s->arena);
  memset(s, 0, sizeof *s);
}

void pd_source_display(const pd_source *s, const char *file, size_t n, pd_buf *out) {
  /* the name pprof prints: trimmed with the search path only when one was
   * given (report.newGraph), then cleaned (graph.nodeInfo); an empty name
   * stays empty */
  char *f = pd_xmalloc(n + 1);
  memcpy(f, file, n);
  f[n] = 0;
  size_t cut = S_trim(f, s->trim, s->search_opt);
  if (n == cut) pd_buf_truncate(out, 0);
  else S_clean(f + cut, n - cut, out);
  free(f);
}

static int S_try(pd_source *s, const char *path, pd_source_file *sf) {
  pd_err e;
  uint8_t *data;
  size_t len;
  if (access(path, R_OK) != 0) return 0;
  if (pd_read_file(path, s->max_bytes, &data, &len, &e) != PD_OK) return 0; /* a directory, say */
  sf->data = data;
  sf->len = len;
  sf->found = pd_arena_strndup(&s->arena, path, strlen(path));
  return 1;
}

/* pprof's openSourceFile. */
static void S_open(pd_source *s, const char *display, pd_source_file *sf) {
  size_t cut = S_trim(display, s->trim, s->search);
  const char *rel = display + cut;
  sf->tried = pd_arena_strndup(&s->arena, rel, strlen(rel));
  if (rel[0] == '/') {
    S_try(s, rel, sf);
    return;
  }
  pd_buf dir = PD_BUF_INIT, join = PD_BUF_INIT, tmp = PD_BUF_INIT;
  const char *list = s->search, *d;
  size_t len;
  while (!sf->data && S_next_dir(&list, &d, &len)) {
    S_clean(d, len, &dir);
    for (;;) {
      pd_buf_truncate(&tmp, 0);
      pd_buf_put(&tmp, dir.data, dir.len);
      pd_buf_putc(&tmp, '/');
      pd_buf_puts(&tmp, rel);
      S_clean(tmp.data, tmp.len, &join);
      if (S_try(s, join.data, sf)) break;
      /* the parent (filepath.Dir): up to the last slash, cleaned */
      size_t k = dir.len;
      while (k > 0 && dir.data[k - 1] != '/') k--;
      pd_buf_truncate(&tmp, 0);
      pd_buf_put(&tmp, dir.data, k);
      S_clean(tmp.data, tmp.len, &join);
      if (join.len == dir.len && memcmp(join.data, dir.data, dir.len) == 0) break;
      pd_buf_truncate(&dir, 0);
      pd_buf_put(&dir, join.data, join.len);
    }
  }
  pd_buf_free(&dir);
  pd_buf_free(&join);
  pd_buf_free(&tmp);
}

const pd_source_file *pd_source_get(pd_source *s, const char *display) {
  uint32_t id = pd_intern_put(&s->names, display, strlen(display));
  while (s->files.n <= id) pd_vec_push(&s->files);
  pd_source_file *sf = &PD_VEC_AT(&s->files, pd_source_file, id);
  if (!sf->opened) {
    sf->opened = 1;
    S_open(s, display, sf);
    if (sf->data) {
      /* line starts, as bufio.ScanLines splits: "\n" ends a line, a "\r"
       * before it is dropped, a last line without "\n" counts */
      pd_vec starts;
      pd_vec_init(&starts, sizeof(size_t));
      size_t at = 0;
      while (at < sf->len) {
        *(size_t *)pd_vec_push(&starts) = at;
        const char *nl = memchr(sf->data + at, '\n', sf->len - at);
        at = nl ? (size_t)((const uint8_t *)nl - sf->data) + 1 : sf->len;
      }
      *(size_t *)pd_vec_push(&starts) = sf->len;
      sf->nlines = (uint32_t)(starts.n - 1);
      sf->start = pd_arena_alloc(&s->arena, starts.n * sizeof(size_t));
      memcpy(sf->start, starts.items, starts.n * sizeof(size_t));
      pd_vec_free(&starts);
    }
  }
  return sf;
}

int pd_source_line(const pd_source_file *sf, int64_t line, const char **text, size_t *len) {
  if (!sf->data || line < 1 || line > (int64_t)sf->nlines) return 0;
  size_t a = sf->start[line - 1], b = sf->start[line];
  if (b > a && sf->data[b - 1] == '\n') b--;
  if (b > a && sf->data[b - 1] == '\r') b--;
  *text = (const char *)sf->data + a;
  *len = b - a;
  return 1;
}
