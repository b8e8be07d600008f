/* memstat.c: reading cgroup memory files: memory.stat ("key value" lines,
 * cgroup v1 or v2) and the single-number memory.current (v2) or
 * memory.usage_in_bytes (v1).
 *
 * The key lists are the kernel's documentation (cgroup-v2.rst "Memory
 * Interface Files" memory.stat; cgroup-v1/memory.rst "5.2 stat file"). They
 * serve two purposes: telling memory.stat from folded stacks, which also
 * look like "word number", and telling the two versions apart. Keys not
 * listed (a newer kernel's) are kept and carried along, not refused.
 */
#include "ingest.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Keys only cgroup v1 writes (its hierarchical total_<key> forms are
 * recognised from these). */
static const char *S_v1[] = {
    "cache", "rss", "rss_huge", "mapped_file", "pgpgin", "pgpgout", "swap", "dirty", "writeback",
    "hierarchical_memory_limit", "hierarchical_memsw_limit", "recent_rotated_anon",
    "recent_rotated_file", "recent_scanned_anon", "recent_scanned_file", NULL};

/* Keys only cgroup v2 writes. */
static const char *S_v2[] = {
    "anon", "file", "kernel", "kernel_stack", "pagetables", "sec_pagetables", "percpu", "sock",
    "vmalloc", "zswap", "zswapped", "file_mapped", "file_dirty", "file_writeback", "anon_thp",
    "file_thp", "shmem_thp", "slab_reclaimable", "slab_unreclaimable", "slab", "pgscan", "pgsteal",
    "pgscan_kswapd", "pgscan_direct", "pgscan_khugepaged", "pgsteal_kswapd", "pgsteal_direct",
    "pgsteal_khugepaged", "pgrefill", "pgactivate", "pgdeactivate", "pglazyfree", "pglazyfreed",
    "swpin_zero", "swpout_zero", "zswpin", "zswpout", "zswpwb", "thp_fault_alloc",
    "thp_collapse_alloc", "thp_swpout", "thp_swpout_fallback", "numa_pages_migrated",
    "numa_pte_updates", "numa_hint_faults", "pgdemote_kswapd", "pgdemote_direct",
    "pgdemote_khugepaged", "pgpromote_success", "hugetlb", "unaccepted", NULL};

/* Keys both write. */
static const char *S_both[] = {
    "shmem", "swapcached", "inactive_anon", "active_anon", "inactive_file", "active_file",
    "unevictable", "pgfault", "pgmajfault", "workingset_refault", "workingset_refault_anon",
    "workingset_refault_file", "workingset_activate", "workingset_activate_anon",
    "workingset_activate_file", "workingset_restore", "workingset_restore_anon",
    "workingset_restore_file", "workingset_nodereclaim", NULL};

static int S_in(const char *const *list, const char *key, size_t n) {
  for (; *list; list++)
    if (strlen(*list) == n && memcmp(*list, key, n) == 0) return 1;
  return 0;
}

int pd_memstat_key(const char *key, size_t n, pd_cgroup_version *v) {
  pd_cgroup_version which = PD_CGROUP_UNKNOWN;
  int known = 1;
  if (S_in(S_v1, key, n)) which = PD_CGROUP_V1;
  else if (S_in(S_v2, key, n)) which = PD_CGROUP_V2;
  else if (S_in(S_both, key, n)) which = PD_CGROUP_UNKNOWN;
  else if (n > 6 && memcmp(key, "total_", 6) == 0 &&
           (S_in(S_v1, key + 6, n - 6) || S_in(S_both, key + 6, n - 6)))
    which = PD_CGROUP_V1;
  else known = 0;
  if (v) *v = which;
  return known;
}

/* A "key value" line: key of [a-z0-9_], one or more blanks, an unsigned
 * decimal value. Sets the key's and the value's extent. Returns 1 for such
 * a line, 0 for any other, 2 for one whose value does not fit in 64 bits. */
static int S_kv(const char *line, size_t n, size_t *keylen, uint64_t *value) {
  size_t i = 0;
  while (i < n && ((line[i] >= 'a' && line[i] <= 'z') || (line[i] >= '0' && line[i] <= '9') ||
                   line[i] == '_'))
    i++;
  if (i == 0 || i == n || (line[i] != ' ' && line[i] != '\t')) return 0;
  *keylen = i;
  while (i < n && (line[i] == ' ' || line[i] == '\t')) i++;
  if (i == n) return 0;
  uint64_t v = 0;
  for (; i < n; i++) {
    if (line[i] < '0' || line[i] > '9') return 0;
    if (v > (UINT64_MAX - (uint64_t)(line[i] - '0')) / 10) {
      while (++i < n)
        if (line[i] < '0' || line[i] > '9') return 0;
      return 2;
    }
    v = v * 10 + (uint64_t)(line[i] - '0');
  }
  *value = v;
  return 1;
}

/* Calls fn for each non-blank line (trimmed), with its number. */
#define S_EACH_LINE(data, len, line, n, lineno, body)                      \
  do {                                                                     \
    const char *p_ = (const char *)(data), *end_ = p_ + (len);             \
    uint64_t lineno = 0;                                                   \
    while (p_ < end_) {                                                    \
      const char *nl_ = memchr(p_, '\n', (size_t)(end_ - p_));             \
      const char *line = p_, *le_ = nl_ ? nl_ : end_;                      \
      p_ = nl_ ? nl_ + 1 : end_;                                           \
      lineno++;                                                            \
      while (line < le_ && (*line == ' ' || *line == '\t')) line++;        \
      while (le_ > line && (le_[-1] == ' ' || le_[-1] == '\t' || le_[-1] == '\r')) le_--; \
      size_t n = (size_t)(le_ - line);                                     \
      if (n == 0) continue;                                                \
      body;                                                                \
    }                                                                      \
  } while (0)

int pd_memstat_sniff(const uint8_t *data, size_t len, int complete) {
  size_t lines = 0, known = 0, digits_only = 0;
  int kv = 1;
  /* a truncated buffer's last line may be cut: judge complete lines only */
  if (!complete)
    while (len > 0 && data[len - 1] != '\n') len--;
  S_EACH_LINE(data, len, line, n, lineno, {
    (void)lineno;
    lines++;
    size_t kl;
    uint64_t v;
    if (lines == 1) digits_only = strspn(line, "0123456789") >= n && n <= 20;
    if (S_kv(line, n, &kl, &v) != 1) {
      kv = 0;
      if (lines > 1) break;
      continue;
    }
    known += (size_t)pd_memstat_key(line, kl, NULL);
  });
  if (lines == 1 && digits_only) return 1; /* memory.current */
  /* one "word 1" line alone is more likely a folded stack */
  return kv && lines >= 2 && known > 0 && known * 2 >= lines;
}

int pd_memstat_parse(pd_memstat *m, const uint8_t *data, size_t len, pd_err *err) {
  pd_vec keys, vals;
  pd_vec_init(&keys, sizeof(const char *));
  pd_vec_init(&vals, sizeof(uint64_t));
  int rc = PD_OK, v1 = 0, v2 = 0;
  size_t lines = 0;
  S_EACH_LINE(data, len, line, n, lineno, {
    if (rc != PD_OK) break;
    lines++;
    size_t kl;
    uint64_t v;
    if (lines == 1 && n <= 20 && strspn(line, "0123456789") >= n) {
      /* memory.current / memory.usage_in_bytes: the whole file is a number */
      v = 0;
      int over = 0;
      for (size_t i = 0; i < n; i++) {
        if (v > (UINT64_MAX - (uint64_t)(line[i] - '0')) / 10) over = 1;
        v = v * 10 + (uint64_t)(line[i] - '0');
      }
      if (over) {
        rc = pd_fail(err, "%s:%llu: value is larger than 64 bits", m->path, (unsigned long long)lineno);
        break;
      }
      m->kind = PD_MEMFILE_USAGE;
      *(const char **)pd_vec_push(&keys) = "usage";
      *(uint64_t *)pd_vec_push(&vals) = v;
      continue;
    }
    if (m->kind == PD_MEMFILE_USAGE) {
      rc = pd_fail(err, "%s:%llu: a memory.current or usage_in_bytes file holds one number; this line is extra",
                   m->path, (unsigned long long)lineno);
      break;
    }
    int kv = S_kv(line, n, &kl, &v);
    if (kv == 2) {
      rc = pd_fail(err, "%s:%llu: value is larger than 64 bits", m->path, (unsigned long long)lineno);
      break;
    }
    if (kv != 1) {
      char shown[PD_EXCERPT_SIZE];
      rc = pd_fail(err, "%s:%llu: not a \"key value\" line of memory.stat: \"%s\"", m->path,
                   (unsigned long long)lineno, pd_excerpt(line, n, shown));
      break;
    }
    pd_cgroup_version which;
    if (pd_memstat_key(line, kl, &which)) {
      m->nknown++;
      v1 |= which == PD_CGROUP_V1;
      v2 |= which == PD_CGROUP_V2;
    }
    *(const char **)pd_vec_push(&keys) = pd_arena_strndup(&m->arena, line, kl);
    *(uint64_t *)pd_vec_push(&vals) = v;
  });
  if (rc == PD_OK && lines == 0) rc = pd_fail(err, "%s: empty file", m->path);
  if (rc == PD_OK && m->kind == PD_MEMFILE_STAT && m->nknown == 0)
    rc = pd_fail(err, "%s:1: no line holds a memory.stat key (cgroup v1: cache, rss, active_file, "
                      "inactive_file...; v2: anon, file, active_file, inactive_file...)",
                 m->path);
  if (rc == PD_OK) {
    m->n = (uint32_t)keys.n;
    m->keys = pd_arena_alloc(&m->arena, (m->n ? m->n : 1) * sizeof *m->keys);
    m->values = pd_arena_alloc(&m->arena, (m->n ? m->n : 1) * sizeof *m->values);
    if (m->n) {
      memcpy(m->keys, keys.items, m->n * sizeof *m->keys);
      memcpy(m->values, vals.items, m->n * sizeof *m->values);
    }
    if (m->kind == PD_MEMFILE_USAGE) {
      /* the file name is the only hint of the version */
      const char *base = pd_basename(m->path);
      if (strstr(base, "usage_in_bytes")) m->version = PD_CGROUP_V1;
      else if (strstr(base, "memory.current")) m->version = PD_CGROUP_V2;
    } else {
      m->version = v2 && !v1 ? PD_CGROUP_V2 : v1 && !v2 ? PD_CGROUP_V1 : PD_CGROUP_UNKNOWN;
    }
  }
  pd_vec_free(&keys);
  pd_vec_free(&vals);
  return rc;
}

int pd_memstat_read_file(const char *path, const pd_ingest_opts *opts, pd_memstat *m,
                         pd_err *err) {
  size_t max = opts && opts->max_input_size ? opts->max_input_size : PD_DEFAULT_MAX_INPUT;
  pd_memstat_init(m, path);
  uint8_t *data;
  size_t len;
  pd_mem_doing was = pd_mem_doing_set(path, "reading it");
  int rc = pd_read_input(path, max, &data, &len, err);
  if (rc == PD_OK) {
    if (!pd_is_text(data, len))
      rc = pd_fail(err, "%s: binary data, not a cgroup memory file (memory.stat, memory.current)", path);
    else
      rc = pd_memstat_parse(m, data, len, err);
    pd_file_release(data);
  }
  pd_mem_doing_restore(was);
  if (rc != PD_OK) return rc;
  if (pd_time_from_name(path, &m->time_ns)) {
    m->time_source = PD_TIME_FILE_NAME;
  } else {
    struct stat st;
    if (stat(path, &st) == 0) {
      m->time_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
      m->time_source = PD_TIME_MTIME;
    }
  }
  return PD_OK;
}
