/* publish.c: a directory of outputs published whole (a report directory).
 *
 * Files are written into a fresh staging directory beside the target
 * (PARENT/.NAME.staging-XXXXXX, made by mkdtemp, so nothing in it can be a
 * pre-placed symlink), and the staging directory is swapped with the target
 * in one step (renameat2 RENAME_EXCHANGE, or rename(2) when there is no
 * target yet); the old directory, now at the staging name, is then removed
 * without following links. A reader sees the old report or the new one, never
 * a mix, and files the new run did not write are gone with the old directory.
 *
 * Runs into one target serialise on an flock(2) of the parent directory
 * (no lock file to leave behind); holding it, a run removes the staging
 * directories of killed runs. SIGINT and SIGTERM (and the CLI's SIGBUS exit)
 * remove the staging directory through pd_publish_abort, which uses only
 * async-signal-safe calls.
 */
#define _GNU_SOURCE
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The staging directory a signal handler removes: a fixed buffer, set
 * before the directory exists and cleared after it is gone. */
static char S_abort_path[PATH_MAX];
static volatile sig_atomic_t S_abort_armed;

/* Removes the entries of directory fd (one level of subdirectories, as a
 * report has) with async-signal-safe calls only. */
static void S_sig_clear(int fd, int depth) {
  char buf[4096];
  /* a few passes at most: an entry that cannot be removed (or one created
   * meanwhile by another thread) stays for the next run to remove */
  for (int pass = 0; pass < 8; pass++) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n <= 0) break;
    int removed = 0;
    for (long at = 0; at < n;) {
      struct {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[];
      } *d = (void *)(buf + at);
      at += d->reclen;
      if (strcmp(d->name, ".") == 0 || strcmp(d->name, "..") == 0) continue;
      if (d->type == DT_DIR && depth < 2) {
        int sub = openat(fd, d->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
          S_sig_clear(sub, depth + 1); /* bounded: depth < 2 */
          close(sub);
        }
        removed += unlinkat(fd, d->name, AT_REMOVEDIR) == 0;
      } else {
        removed += unlinkat(fd, d->name, 0) == 0;
      }
    }
    if (!removed) continue; /* the next block of entries */
    lseek(fd, 0, SEEK_SET); /* entries were removed: read again from the start */
  }
}

void pd_publish_abort(void) {
  if (!S_abort_armed) return;
  S_abort_armed = 0;
  int fd = open(S_abort_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    S_sig_clear(fd, 0);
    close(fd);
  }
  rmdir(S_abort_path);
}

static int S_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag == FTW_DP) rmdir(path);
  else unlink(path);
  return 0;
}

/* rm -rf without following links (FTW_PHYS): a link is removed, never its
 * target. */
static void S_rmtree(const char *path) { nftw(path, S_rm_one, 16, FTW_DEPTH | FTW_PHYS); }

/* mkdir -p, remembering what it created (outermost first). */
static int S_mkdirs(pd_publish *p, const char *dir, pd_err *err) {
  char *path = pd_xstrdup(dir);
  size_t len = strlen(path);
  for (size_t i = 1; i <= len; i++) {
    if (path[i] != '/' && path[i] != 0) continue;
    char c = path[i];
    path[i] = 0;
    if (mkdir(path, 0777) == 0) {
      if (p->nmade < 16) p->made[p->nmade++] = pd_xstrdup(path);
    } else if (errno != EEXIST) {
      int e = errno;
      pd_fail(err, "%s: cannot create the report directory: %s", path, strerror(e));
      free(path);
      return PD_ERR;
    }
    path[i] = c;
  }
  free(path);
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return pd_fail(err, "%s: is not a directory", dir);
  return PD_OK;
}

/* Leftovers of killed runs into this target: PARENT/.NAME.staging-*. */
static void S_remove_leftovers(pd_publish *p) {
  DIR *d = opendir(p->parent);
  if (!d) return;
  pd_buf prefix = PD_BUF_INIT, path = PD_BUF_INIT;
  pd_buf_printf(&prefix, ".%s.staging-", p->name);
  for (struct dirent *e; (e = readdir(d));) {
    if (strncmp(e->d_name, prefix.data, prefix.len) != 0) continue;
    pd_buf_truncate(&path, 0);
    pd_buf_printf(&path, "%s/%s", p->parent, e->d_name);
    S_rmtree(path.data);
  }
  closedir(d);
  pd_buf_free(&prefix);
  pd_buf_free(&path);
}

/* The target may be replaced only when it holds nothing but what ours()
 * accepts (an earlier report): never a directory of the user's own files. */
static int S_check_target(pd_publish *p, int (*ours)(const char *name, int is_dir), pd_err *err) {
  struct stat st;
  if (lstat(p->dir, &st) != 0) {
    if (errno == ENOENT) return PD_OK;
    return pd_fail(err, "%s: %s", p->dir, strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) return pd_fail(err, "%s: exists and is not a directory", p->dir);
  p->exists = 1;
  DIR *d = opendir(p->dir);
  if (!d) return pd_fail(err, "%s: cannot read the report directory: %s", p->dir, strerror(errno));
  int rc = PD_OK;
  for (struct dirent *e; rc == PD_OK && (e = readdir(d));) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    int is_dir = e->d_type == DT_DIR;
    if (!ours || !ours(e->d_name, is_dir)) {
      /* a file name is untrusted: no control bytes in the message */
      char name[80];
      size_t k = 0;
      for (const char *c = e->d_name; *c && k < sizeof name - 1; c++)
        name[k++] = (unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c;
      name[k] = 0;
      rc = pd_fail(err, "%s: holds %s, which profdiff did not write; the report directory is replaced whole, "
                        "so give a new or empty directory (or remove it)", p->dir, name);
    }
  }
  closedir(d);
  return rc;
}

int pd_publish_begin(pd_publish *p, const char *dir, int (*ours)(const char *name, int is_dir),
                     pd_err *err) {
  memset(p, 0, sizeof *p);
  p->lock_fd = -1;
  /* DIR without trailing slashes; a DIR that is itself a link to a
   * directory is the user's choice: publish where it points */
  char *d = pd_xstrdup(dir);
  for (size_t n = strlen(d); n > 1 && d[n - 1] == '/'; n--) d[n - 1] = 0;
  struct stat st;
  if (lstat(d, &st) == 0 && S_ISLNK(st.st_mode)) {
    char *real = realpath(d, NULL);
    if (real) {
      free(d);
      d = real;
    }
  }
  p->dir = d;
  const char *base = pd_basename(d);
  if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(d, "/") == 0) {
    return pd_fail(err, "%s: give the report directory by name (it is replaced whole), such as -o report",
                   dir);
  }
  p->name = pd_xstrdup(base);
  if (base == d) {
    p->parent = pd_xstrdup(".");
  } else {
    size_t n = (size_t)(base - d) - 1; /* without the slash, but "/" for "/x" */
    p->parent = pd_xstrdup(d);
    p->parent[n ? n : 1] = 0;
  }
  if (S_mkdirs(p, p->parent, err) != PD_OK) return PD_ERR;
  p->lock_fd = open(p->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (p->lock_fd < 0) return pd_fail(err, "%s: cannot open: %s", p->parent, strerror(errno));
  /* another run into this directory: wait for it, then replace its report */
  while (flock(p->lock_fd, LOCK_EX) != 0)
    if (errno != EINTR) return pd_fail(err, "%s: cannot lock: %s", p->parent, strerror(errno));
  S_remove_leftovers(p);
  if (S_check_target(p, ours, err) != PD_OK) return PD_ERR;
  pd_buf staging = PD_BUF_INIT;
  pd_buf_printf(&staging, "%s/.%s.staging-XXXXXX", p->parent, p->name);
  if (staging.len >= sizeof S_abort_path) {
    pd_buf_free(&staging);
    return pd_fail(err, "%s: path too long", dir);
  }
  /* armed before the directory exists, so a signal at any moment finds it */
  memcpy(S_abort_path, staging.data, staging.len + 1);
  if (!mkdtemp(staging.data)) {
    int e = errno;
    pd_buf_free(&staging);
    return pd_fail(err, "%s: cannot create a staging directory: %s", p->parent, strerror(e));
  }
  memcpy(S_abort_path, staging.data, staging.len + 1);
  S_abort_armed = 1;
  p->staging = pd_xstrdup(staging.data);
  pd_buf_free(&staging);
  mode_t mask = umask(0);
  umask(mask);
  chmod(p->staging, 0777 & ~mask); /* mkdtemp makes 0700: a report is an ordinary directory */
  return PD_OK;
}

static void S_fsync_path(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
}

int pd_publish_commit(pd_publish *p, pd_err *err) {
  S_fsync_path(p->staging);
  if (p->exists) {
    if (renameat2(AT_FDCWD, p->staging, AT_FDCWD, p->dir, RENAME_EXCHANGE) != 0) {
      if (errno != EINVAL && errno != ENOSYS)
        return pd_fail(err, "%s: cannot replace the report directory: %s", p->dir, strerror(errno));
      /* no exchange on this file system: move the old one aside first */
      pd_buf old = PD_BUF_INIT;
      pd_buf_printf(&old, "%s/.%s.staging-old%ld", p->parent, p->name, (long)getpid());
      if (rename(p->dir, old.data) != 0 || rename(p->staging, p->dir) != 0) {
        int e = errno;
        rename(old.data, p->dir);
        pd_buf_free(&old);
        return pd_fail(err, "%s: cannot replace the report directory: %s", p->dir, strerror(e));
      }
      S_rmtree(old.data);
      pd_buf_free(&old);
      S_abort_armed = 0;
    }
    /* the old report now sits at the staging name: remove it */
  } else if (rename(p->staging, p->dir) != 0) {
    return pd_fail(err, "%s: cannot create the report directory: %s", p->dir, strerror(errno));
  } else {
    S_abort_armed = 0;
  }
  p->committed = 1;
  S_fsync_path(p->parent);
  return PD_OK;
}

void pd_publish_end(pd_publish *p) {
  if (p->staging) S_rmtree(p->staging); /* uncommitted: ours; committed: the old report */
  S_abort_armed = 0;
  /* a failed run leaves no trace: remove the parents it created */
  for (int i = p->nmade; i-- > 0;) {
    if (!p->committed) rmdir(p->made[i]);
    free(p->made[i]);
  }
  if (p->lock_fd >= 0) close(p->lock_fd); /* releases the lock */
  free(p->staging);
  free(p->dir);
  free(p->name);
  free(p->parent);
  memset(p, 0, sizeof *p);
  p->lock_fd = -1;
}
