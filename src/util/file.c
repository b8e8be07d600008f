/* file.c: reading inputs whole and writing outputs atomically.
 *
 * Inputs are read into one buffer because every reader makes a single pass
 * over the bytes; the size cap is checked before the buffer grows past it, so
 * a huge or endless input (a FIFO, /dev/zero) cannot exhaust memory. A large
 * regular file is mapped instead of read: copying it out of the page cache
 * and faulting in fresh pages for the copy took a quarter of `flame` on a
 * 68 MB folded file. Mappings are listed here so that pd_file_release knows
 * to unmap them, and so that the CLI's SIGBUS handler (a mapped file
 * truncated by someone else while we read it) can name the file.
 * Outputs go to a temporary file beside the target (written and fsync'ed) and
 * are renamed into place only when everything a command writes is ready; the
 * directory is fsync'ed after the renames. A set of outputs is all-or-none
 * for every failure before the renames (bad input, full disk); a crash in
 * the middle of the renames themselves can still leave a mix of old and new
 * files, as rename(2) makes one file atomic, not several.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *pd_basename(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash && slash[1] ? slash + 1 : path;
}

/* ---- mapped inputs ------------------------------------------------------------ */

#define S_MAX_MAPS 64
#define S_MAP_MIN (1u << 20) /* smaller files: read() is as cheap */

static struct {
  uint8_t *volatile ptr; /* read by the signal handler without the lock */
  size_t len;
  size_t done; /* bytes from the start given back (pd_file_done_with) */
  char path[256];
} S_maps[S_MAX_MAPS];
static pthread_mutex_t S_maps_lock = PTHREAD_MUTEX_INITIALIZER;

/* Maps fd's size bytes, or returns NULL (then the caller reads). Only when
 * the size is not a multiple of the page size: the rest of the last page
 * reads as zeros, so the buffer is NUL-terminated like a read one. */
static uint8_t *S_map(const char *path, int fd, size_t size) {
  long page = sysconf(_SC_PAGESIZE);
  if (size < S_MAP_MIN || page <= 0 || size % (size_t)page == 0) return NULL;
  pthread_mutex_lock(&S_maps_lock);
  int slot = -1;
  for (int i = 0; i < S_MAX_MAPS && slot < 0; i++)
    if (!S_maps[i].ptr) slot = i;
  uint8_t *m = NULL;
  if (slot >= 0) {
    /* not populated up front (MAP_POPULATE took a tenth of a flame graph's
     * time on one thread, before the two that parse a large folded file
     * could start faulting in their halves); mapped read-only, then made
     * writable: a reader that patches its buffer copies that page only */
    void *v = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (v != MAP_FAILED && mprotect(v, size, PROT_READ | PROT_WRITE) != 0) {
      munmap(v, size);
      v = MAP_FAILED;
    }
    if (v != MAP_FAILED) {
      m = v;
      snprintf(S_maps[slot].path, sizeof S_maps[slot].path, "%s", path);
      S_maps[slot].len = size;
      S_maps[slot].done = 0;
      S_maps[slot].ptr = m;
    }
  }
  pthread_mutex_unlock(&S_maps_lock);
  return m;
}

void pd_file_release(uint8_t *data) {
  if (!data) return;
  pthread_mutex_lock(&S_maps_lock);
  for (int i = 0; i < S_MAX_MAPS; i++)
    if (S_maps[i].ptr == data) {
      munmap(data, S_maps[i].len);
      S_maps[i].ptr = NULL;
      pthread_mutex_unlock(&S_maps_lock);
      return;
    }
  pthread_mutex_unlock(&S_maps_lock);
  free(data);
}

/* Pages go back a megabyte at a time at least: each madvise flushes the
 * other CPUs' TLBs (an interrupt to every thread of the process running),
 * which a page at a time made a report's reader threads stall each other,
 * while keeping them all held 5.7 MB per large gzip'd input in flight. */
#define S_GIVE_STEP ((size_t)1 << 20)

void pd_file_done_with(const uint8_t *data, size_t upto) {
  long page = sysconf(_SC_PAGESIZE);
  if (!data || page <= 0) return;
  pthread_mutex_lock(&S_maps_lock);
  for (int i = 0; i < S_MAX_MAPS; i++) {
    if (S_maps[i].ptr != data) continue;
    size_t whole = upto / (size_t)page * (size_t)page; /* the pages wholly behind */
    if (whole > S_maps[i].len) whole = S_maps[i].len / (size_t)page * (size_t)page;
    /* a private mapping not written to: the pages come back from the file
     * if touched again, and stay in the page cache meanwhile */
    if (whole >= S_maps[i].done + S_GIVE_STEP) {
      madvise((uint8_t *)data + S_maps[i].done, whole - S_maps[i].done, MADV_DONTNEED);
      S_maps[i].done = whole;
    }
    break;
  }
  pthread_mutex_unlock(&S_maps_lock);
}

const char *pd_file_mapped_at(const void *addr) {
  const uint8_t *a = addr;
  for (int i = 0; i < S_MAX_MAPS; i++) {
    const uint8_t *p = S_maps[i].ptr;
    if (p && a >= p && a < p + S_maps[i].len + 4096) return S_maps[i].path;
  }
  return NULL;
}

/* Reads fd (closed here) to its end into a malloc'd buffer, at most
 * max_bytes: a regular file a mapping could not take, or standard input. */
static int S_read_fd(int fd, const char *path, size_t cap, size_t max_bytes, uint8_t **data, size_t *len,
                     pd_err *err) {
  if (fd < 0) return pd_fail(err, "%s: cannot read: %s", path, strerror(errno));
  uint8_t *buf = pd_xmalloc(cap);
  size_t n = 0;
  for (;;) {
    if (n + 1 >= cap) {
      if (cap > max_bytes) {
        free(buf);
        close(fd);
        return pd_fail(err, "%s: input is over the limit of %zu bytes (--max-input-size)",
                       path, max_bytes);
      }
      cap *= 2;
      buf = pd_xrealloc(buf, cap);
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      free(buf);
      close(fd);
      return pd_fail(err, "%s: read error: %s", path, strerror(e));
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  if (n > max_bytes) {
    free(buf);
    return pd_fail(err, "%s: input is over the limit of %zu bytes (--max-input-size)",
                   path, max_bytes);
  }
  buf[n] = 0;
  *data = buf;
  *len = n;
  return PD_OK;
}

int pd_read_file(const char *path, size_t max_bytes, uint8_t **data,
                 size_t *len, pd_err *err) {
  *data = NULL;
  *len = 0;
  /* O_NONBLOCK: opening a FIFO nobody writes to must not hang (it is
   * refused below, as is every file that is not a regular one) */
  int fd = open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) return pd_fail(err, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return pd_fail(err, "%s: cannot stat: %s", path, strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return pd_fail(err, "%s: is a directory, not a profile", path);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return pd_fail(err, "%s: not a regular file (a pipe, device or socket), not a profile", path);
  }
  if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_bytes) {
    close(fd);
    return pd_fail(err, "%s: file is %lld bytes, over the input limit of %zu bytes (--max-input-size)",
                   path, (long long)st.st_size, max_bytes);
  }
  if (S_ISREG(st.st_mode)) {
    uint8_t *m = S_map(path, fd, (size_t)st.st_size);
    if (m) {
      close(fd);
      *data = m;
      *len = (size_t)st.st_size;
      return PD_OK;
    }
  }
  return S_read_fd(fd, path, (size_t)st.st_size + 1, max_bytes, data, len, err);
}

int pd_read_stdin(size_t max_bytes, uint8_t **data, size_t *len, pd_err *err) {
  *data = NULL;
  *len = 0;
  /* a pipe or a terminal: read to its end, bounded; the caller names it */
  return S_read_fd(dup(0), "standard input", 64 * 1024, max_bytes, data, len, err);
}

/* ---- atomic output ------------------------------------------------------------ */

void pd_outset_init(pd_outset *o) { memset(o, 0, sizeof *o); }

static int S_write_all(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Creates path's temporary file and lists it in o (so pd_outset_free
 * removes it whatever happens next); returns its descriptor or -1. */
static int S_stage(pd_outset *o, const char *path, pd_err *err) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    pd_fail(err, "%s: is a directory, cannot write output there", path);
    return -1;
  }
  const char *base = pd_basename(path);
  size_t dirlen = (size_t)(base - path);
  size_t n = strlen(path) + 32;
  char *tmp = pd_xmalloc(n);
  snprintf(tmp, n, "%.*s.%s.tmp-XXXXXX", (int)dirlen, path, base);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    free(tmp);
    pd_fail(err, "%s: cannot create output: %s", path, strerror(e));
    return -1;
  }
  if (o->n == o->cap) {
    o->cap = o->cap ? o->cap * 2 : 8;
    o->tmp = pd_xrealloc(o->tmp, o->cap * sizeof *o->tmp);
    o->final = pd_xrealloc(o->final, o->cap * sizeof *o->final);
  }
  o->tmp[o->n] = tmp;
  o->final[o->n] = pd_xstrdup(path);
  o->n++;
  return fd;
}

/* Writes the rest, syncs and closes a staged file; errno_seen is the error
 * of an earlier spill, if any. */
static int S_finish(int fd, const char *path, const void *data, size_t len, int errno_seen,
                    pd_err *err) {
  int e = errno_seen;
  if (!e && (S_write_all(fd, data, len) != 0 || fsync(fd) != 0)) e = errno;
  /* mkstemp creates 0600; outputs are ordinary files, so honour the umask. */
  mode_t mask = umask(0);
  umask(mask);
  if (!e) fchmod(fd, 0666 & ~mask);
  if (close(fd) != 0 && !e) e = errno;
  if (e) return pd_fail(err, "%s: write failed: %s", path, strerror(e));
  return PD_OK;
}

int pd_outset_add(pd_outset *o, const char *path, const void *data, size_t len,
                  pd_err *err) {
  int fd = S_stage(o, path, err);
  if (fd < 0) return PD_ERR;
  return S_finish(fd, path, data, len, 0, err);
}

struct pd_buf_sink {
  int fd;
  int err; /* errno of a failed spill: reported at close */
  char *path;
};

int pd_outset_open(pd_outset *o, const char *path, pd_buf *b, pd_err *err) {
  int fd = S_stage(o, path, err);
  if (fd < 0) return PD_ERR;
  b->sink = pd_xcalloc(1, sizeof *b->sink);
  b->sink->fd = fd;
  b->sink->path = pd_xstrdup(path);
  pd_buf_truncate(b, 0);
  return PD_OK;
}

void pd_buf_spill(pd_buf *b) {
  if (!b->sink || b->len < (1u << 20)) return;
  if (!b->sink->err && S_write_all(b->sink->fd, b->data, b->len) != 0) b->sink->err = errno ? errno : EIO;
  pd_buf_truncate(b, 0);
}

int pd_outset_close(pd_buf *b, pd_err *err) {
  pd_buf_sink *k = b->sink;
  b->sink = NULL;
  int rc = S_finish(k->fd, k->path, b->data ? b->data : "", b->len, k->err, err);
  pd_buf_truncate(b, 0);
  free(k->path);
  free(k);
  return rc;
}

/* Makes the renames into path's directory durable: the files' bytes were
 * fsync'ed before the rename, but the new directory entries are data of the
 * directory. Failure is not reported: the outputs are already in place, and
 * some file systems refuse fsync on a directory (EINVAL). */
static void S_fsync_dir_of(const char *path) {
  const char *base = pd_basename(path);
  size_t n = (size_t)(base - path);
  char *dir = pd_xmalloc(n + 2);
  if (n == 0) strcpy(dir, ".");
  else {
    memcpy(dir, path, n);
    dir[n] = 0;
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  free(dir);
}

int pd_outset_commit(pd_outset *o, pd_err *err) {
  for (size_t i = 0; i < o->n; i++) {
    if (rename(o->tmp[i], o->final[i]) != 0)
      return pd_fail(err, "%s: cannot move output into place: %s", o->final[i],
                     strerror(errno));
    free(o->tmp[i]);
    o->tmp[i] = NULL;
  }
  /* outputs of one set share a directory in practice: sync each distinct one */
  for (size_t i = 0; i < o->n; i++) {
    size_t di = (size_t)(pd_basename(o->final[i]) - o->final[i]);
    int seen = 0;
    for (size_t k = 0; k < i && !seen; k++)
      seen = (size_t)(pd_basename(o->final[k]) - o->final[k]) == di &&
             memcmp(o->final[k], o->final[i], di) == 0;
    if (!seen) S_fsync_dir_of(o->final[i]);
  }
  return PD_OK;
}

void pd_outset_free(pd_outset *o) {
  for (size_t i = 0; i < o->n; i++) {
    if (o->tmp[i]) {
      unlink(o->tmp[i]);
      free(o->tmp[i]);
    }
    free(o->final[i]);
  }
  free(o->tmp);
  free(o->final);
  memset(o, 0, sizeof *o);
}

int pd_write_file_atomic(const char *path, const void *data, size_t len,
                         pd_err *err) {
  pd_outset o;
  pd_outset_init(&o);
  int rc = pd_outset_add(&o, path, data, len, err);
  if (rc == PD_OK) rc = pd_outset_commit(&o, err);
  pd_outset_free(&o);
  return rc;
}
