/* cache.c: compiled seccomp programs on disk, so a second container with the same profile skips
 * libseccomp entirely.
 *
 * One file per program, named by the hex SHA-256 cache key (key.c) plus ".bpf":
 *   header (struct entry_header: magic, format version, seccomp(2) flags, notify, instruction
 *   count, the key again, SHA-256 of the instructions) followed by the sock_filter array.
 * Writers create a private temp file and rename() it into place, so readers see a whole entry or
 * none; two writers of one key write identical bytes, the last rename wins.  Readers trust
 * nothing: size, magic, version, key and checksum are checked, and a bad entry is removed and
 * treated as a miss.  Stores evict the least recently used entries (a hit refreshes the mtime)
 * beyond COVE_SECCOMP_CACHE_MAX_ENTRIES or _MAX_BYTES, and temp files a crashed writer left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "seccomp/internal.h"

#define ENTRY_MAGIC "COVEBPF"
#define ENTRY_VERSION 1u
#define ENTRY_SUFFIX ".bpf"
#define TMP_PREFIX ".tmp."
#define STALE_TMP_SECONDS 60

struct entry_header {
  char magic[8];
  uint32_t version;
  uint32_t flags;
  uint32_t notify;
  uint32_t len;
  uint8_t key[COVE_SHA256_LEN];
  uint8_t sum[COVE_SHA256_LEN];
};

void cove_seccomp_cache_entry_name(const uint8_t key[COVE_SHA256_LEN], char *out, size_t out_len)
{
  char hex[2 * COVE_SHA256_LEN + 1];
  cove_sha256_hex(key, hex);
  snprintf(out, out_len, "%s" ENTRY_SUFFIX, hex);
}

static int read_full(int fd, void *buf, size_t len)
{
  size_t done = 0;
  while (done < len) {
    ssize_t n = read(fd, (char *) buf + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    done += (size_t) n;
  }
  return 0;
}

static int drop_entry(int dirfd, const char *name, const char *why)
{
  cove_debug("seccomp cache: entry %s %s, removed", name, why);
  unlinkat(dirfd, name, 0);
  return 0;
}

int cove_seccomp_cache_load(const char *dir, const uint8_t key[COVE_SHA256_LEN], struct cove_seccomp_prog *out,
                            struct cove_error *err)
{
  char name[96];
  _cleanup_close_ int dirfd = -1, fd = -1;
  _cleanup_free_ struct sock_filter *filter = NULL;
  struct entry_header h;
  uint8_t sum[COVE_SHA256_LEN];
  struct stat st;
  size_t bytes;

  (void) err;
  cove_seccomp_cache_entry_name(key, name, sizeof name);
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return 0;
  fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return 0;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
    return 0;
  if ((size_t) st.st_size < sizeof h || (size_t) st.st_size > sizeof h + BPF_MAXINSNS * sizeof(struct sock_filter))
    return drop_entry(dirfd, name, "has a bad size");
  if (read_full(fd, &h, sizeof h) < 0)
    return drop_entry(dirfd, name, "is truncated");
  if (memcmp(h.magic, ENTRY_MAGIC, sizeof h.magic) != 0 || h.version != ENTRY_VERSION)
    return drop_entry(dirfd, name, "has a bad header");
  if (memcmp(h.key, key, COVE_SHA256_LEN) != 0)
    return drop_entry(dirfd, name, "belongs to another key");
  bytes = (size_t) h.len * sizeof(struct sock_filter);
  if (h.len == 0 || h.len > BPF_MAXINSNS || (size_t) st.st_size != sizeof h + bytes)
    return drop_entry(dirfd, name, "has a bad length");
  filter = xmalloc(bytes);
  if (read_full(fd, filter, bytes) < 0)
    return drop_entry(dirfd, name, "is truncated");
  cove_sha256(filter, bytes, sum);
  if (memcmp(sum, h.sum, sizeof sum) != 0)
    return drop_entry(dirfd, name, "fails its checksum");

  futimens(fd, NULL); /* LRU: a hit makes the entry the newest */
  out->filter = steal_ptr(filter);
  out->len = h.len;
  out->flags = h.flags;
  out->notify = h.notify != 0;
  return 1;
}

struct victim {
  char name[96];
  struct timespec mtime;
  size_t size;
};

static int victim_cmp(const void *a, const void *b)
{
  const struct victim *x = a, *y = b;
  if (x->mtime.tv_sec != y->mtime.tv_sec)
    return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
  if (x->mtime.tv_nsec != y->mtime.tv_nsec)
    return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
  return strcmp(x->name, y->name);
}

static void closedirp(DIR **d)
{
  if (*d)
    closedir(*d);
}

/* Entries may vanish under us (another container evicting): every step tolerates ENOENT. */
static void evict(int dirfd, const char *keep)
{
  __attribute__((cleanup(closedirp))) DIR *d = NULL;
  _cleanup_free_ struct victim *v = NULL;
  size_t n = 0, cap = 0, total = 0;
  struct dirent *de;
  int fd = dup(dirfd);
  time_t now = time(NULL);

  if (fd < 0)
    return;
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  d = fdopendir(fd);
  if (!d) {
    close(fd);
    return;
  }
  while ((de = readdir(d))) {
    struct stat st;
    size_t nl = strlen(de->d_name);
    if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
      continue;
    if (strncmp(de->d_name, TMP_PREFIX, sizeof TMP_PREFIX - 1) == 0) {
      if (now - st.st_mtim.tv_sec > STALE_TMP_SECONDS)
        unlinkat(dirfd, de->d_name, 0);
      continue;
    }
    if (nl < sizeof ENTRY_SUFFIX || strcmp(de->d_name + nl - (sizeof ENTRY_SUFFIX - 1), ENTRY_SUFFIX) != 0 ||
        nl >= sizeof v->name)
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      v = xrealloc(v, cap * sizeof *v);
    }
    memcpy(v[n].name, de->d_name, nl + 1);
    v[n].mtime = st.st_mtim;
    v[n].size = (size_t) st.st_size;
    total += v[n].size;
    n++;
  }
  if (n <= COVE_SECCOMP_CACHE_MAX_ENTRIES && total <= COVE_SECCOMP_CACHE_MAX_BYTES)
    return;
  qsort(v, n, sizeof *v, victim_cmp);
  for (size_t i = 0, left = n; i < n; i++) {
    if (left <= COVE_SECCOMP_CACHE_MAX_ENTRIES && total <= COVE_SECCOMP_CACHE_MAX_BYTES)
      break;
    if (strcmp(v[i].name, keep) == 0)
      continue;
    if (unlinkat(dirfd, v[i].name, 0) == 0 || errno == ENOENT) {
      cove_debug("seccomp cache: evicted %s", v[i].name);
      left--;
      total -= v[i].size;
    }
  }
}

int cove_seccomp_cache_store(const char *dir, const uint8_t key[COVE_SHA256_LEN],
                             const struct cove_seccomp_prog *prog, struct cove_error *err)
{
  char name[96], tmp[160];
  _cleanup_close_ int dirfd = -1, fd = -1;
  struct entry_header h = {.version = ENTRY_VERSION};
  size_t bytes = prog->len * sizeof(struct sock_filter);
  uint64_t nonce = 0;

  if (prog->len == 0 || prog->len > BPF_MAXINSNS)
    return cove_error_set(err, EINVAL, "seccomp cache: refusing a program of %zu instructions", prog->len);
  if (mkdir_p(dir, 0700, err) < 0)
    return cove_error_wrap(err, "seccomp cache");
  dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return cove_error_set(err, errno, "seccomp cache: open `%s`", dir);

  cove_seccomp_cache_entry_name(key, name, sizeof name);
  if (getrandom(&nonce, sizeof nonce, GRND_NONBLOCK) != sizeof nonce)
    nonce = (uint64_t) clock();
  snprintf(tmp, sizeof tmp, TMP_PREFIX "%.16s.%d.%016llx", name, (int) getpid(), (unsigned long long) nonce);

  memcpy(h.magic, ENTRY_MAGIC, sizeof h.magic);
  h.flags = prog->flags;
  h.notify = prog->notify;
  h.len = (uint32_t) prog->len;
  memcpy(h.key, key, COVE_SHA256_LEN);
  cove_sha256(prog->filter, bytes, h.sum);

  fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return cove_error_set(err, errno, "seccomp cache: create `%s/%s`", dir, tmp);
  if (write_all(fd, &h, sizeof h) < 0 || write_all(fd, prog->filter, bytes) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return cove_error_set(err, e, "seccomp cache: write `%s/%s`", dir, tmp);
  }
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return cove_error_set(err, e, "seccomp cache: rename `%s` into place", tmp);
  }
  evict(dirfd, name);
  return 0;
}
