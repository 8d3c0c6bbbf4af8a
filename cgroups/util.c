/* util.c: file helpers of the cgroups module: reads and writes relative to a hierarchy's
 * directory fd, error messages naming the full path, directory creation, pid collection. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/trace.h"
#include "common/util.h"

#define CG_READ_MAX (4u * 1024u * 1024u)

static const char *hier_dir(const struct cg_hier *h)
{
  return h->name && *h->name ? h->name : NULL;
}

char *cg_file_path(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file)
{
  const char *d = hier_dir(h);
  return xasprintf("%s%s%s%s%s%s", cg->root, d ? "/" : "", d ? d : "", strcmp(cg->path, "/") ? cg->path : "",
                   file ? "/" : "", file ? file : "");
}

int cg_write(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, const char *value,
             struct cove_error *err)
{
  _cleanup_close_ int fd = -1;
  size_t len = strlen(value);
  ssize_t n;

  if (h->fd < 0) {
    _cleanup_free_ char *p = cg_file_path(cg, h, file);
    return cove_error_set(err, ENOENT, "set %s to %s: open %s", file, value, p);
  }
  fd = openat(h->fd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int e = errno;
    _cleanup_free_ char *p = cg_file_path(cg, h, file);
    return cove_error_set(err, e, "set %s to %s: open %s", file, value, p);
  }
  /* cgroupfs takes a value in one write; a short write is an error of the kernel's */
  do
    n = write(fd, value, len);
  while (n < 0 && errno == EINTR);
  if (n < 0 || (size_t) n != len) {
    int e = n < 0 ? errno : EIO;
    _cleanup_free_ char *p = cg_file_path(cg, h, file);
    return cove_error_set(err, e, "set %s to %s: write %s", file, value, p);
  }
  return 0;
}

int cg_writef(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, struct cove_error *err,
              const char *fmt, ...)
{
  _cleanup_free_ char *v = NULL;
  va_list ap;
  int r;

  va_start(ap, fmt);
  r = vasprintf(&v, fmt, ap);
  va_end(ap);
  if (r < 0)
    return cove_error_set(err, ENOMEM, "set %s", file);
  return cg_write(cg, h, file, v, err);
}

int cg_read(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, char **out,
            struct cove_error *err)
{
  if (h->fd < 0 || read_file_at(h->fd, file, CG_READ_MAX, out, NULL, err) < 0) {
    _cleanup_free_ char *p = cg_file_path(cg, h, file);
    if (h->fd < 0)
      return cove_error_set(err, ENOENT, "read %s", p);
    int e = err->errnum ? err->errnum : EIO;
    cove_error_release(err);
    return cove_error_set(err, e, "read %s", p);
  }
  return 0;
}

int cg_read_u64(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, uint64_t *out,
                struct cove_error *err)
{
  _cleanup_free_ char *s = NULL;
  unsigned long long v;
  char *nl;

  if (cg_read(cg, h, file, &s, err) < 0)
    return -1;
  nl = strchr(s, '\n');
  if (nl)
    *nl = '\0';
  if (!strcmp(s, "max")) {
    *out = UINT64_MAX;
    return 0;
  }
  if (parse_u64(s, &v) < 0) {
    _cleanup_free_ char *p = cg_file_path(cg, h, file);
    return cove_error_set(err, EINVAL, "read %s: not a number: `%s`", p, s);
  }
  *out = v;
  return 0;
}

int cg_kv_get(const char *text, const char *key, uint64_t *out)
{
  size_t klen = strlen(key);
  const char *p = text;

  while (p && *p) {
    if (!strncmp(p, key, klen) && p[klen] == ' ') {
      unsigned long long v;
      char *end;
      errno = 0;
      v = strtoull(p + klen + 1, &end, 10);
      if (errno || end == p + klen + 1)
        return -1;
      *out = v;
      return 0;
    }
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  return -1;
}

bool cg_has_file(const struct cg_hier *h, const char *file)
{
  return h && h->fd >= 0 && faccessat(h->fd, file, F_OK, 0) == 0;
}

struct cg_hier *cg_v1_find(struct cove_cgroup *cg, const char *ctrl)
{
  size_t clen = strlen(ctrl);
  for (size_t i = 0; i < cg->v1_len; i++) {
    const char *p = cg->v1[i].name;
    while (p && *p) {
      const char *c = strchr(p, ',');
      size_t n = c ? (size_t) (c - p) : strlen(p);
      if (n == clen && !strncmp(p, ctrl, n))
        return &cg->v1[i];
      p = c ? c + 1 : NULL;
    }
  }
  return NULL;
}

int cg_check_relative(const char *what, const char *name, bool allow_slash, struct cove_error *err)
{
  const char *p = name;

  if (!*name)
    return cove_error_set(err, EINVAL, "%s: empty name", what);
  if (name[0] == '/')
    return cove_error_set(err, EINVAL, "%s `%s`: must be relative to the container's cgroup", what, name);
  while (*p) {
    const char *s = strchr(p, '/');
    size_t n = s ? (size_t) (s - p) : strlen(p);
    if ((s && !allow_slash) || n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
      return cove_error_set(err, EINVAL, "%s `%s`: escapes the container's cgroup directory", what, name);
    p = s ? s + 1 : p + n;
  }
  return 0;
}

int cg_open_dir(const struct cg_hier *h, const char *sub, struct cove_error *err)
{
  int fd;
  if (h->fd < 0)
    return cove_error_set(err, ENOENT, "open cgroup %s", h->name ? h->name : "");
  fd = openat(h->fd, sub ? sub : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cove_error_set(err, errno, "open cgroup directory %s%s%s", h->name ? h->name : "", sub ? "/" : "",
                          sub ? sub : "");
  return fd;
}

void cg_undo_mkdirs(const struct cove_cgroup *cg, const struct cg_hier *h, size_t depth, unsigned created)
{
  _cleanup_free_ char *p = NULL;
  size_t len;
  const char *c = cg->path;

  if (!created)
    return;
  /* root/hier followed by the first `depth` components of path */
  for (size_t i = 0; i < depth && c; i++) {
    c = strchr(c + 1, '/');
  }
  len = c ? (size_t) (c - cg->path) : strlen(cg->path);
  p = xasprintf("%s%s%s%.*s", cg->root, hier_dir(h) ? "/" : "", hier_dir(h) ? h->name : "", (int) len, cg->path);
  for (unsigned i = 0; i < created; i++) {
    char *slash;
    if (rmdir(p) < 0 && errno != ENOENT)
      return;
    slash = strrchr(p, '/');
    if (!slash)
      return;
    *slash = '\0';
  }
}

int cg_mkdir_path(struct cove_cgroup *cg, struct cg_hier *h,
                  int (*init_dir)(int parent_fd, int dir_fd, const char *path, struct cove_error *err),
                  void (*prepare_parent)(int dir_fd), bool all_ancestors, struct cove_error *err)
{
  _cleanup_free_ char *base = NULL, *copy = xstrdup(cg->path);
  _cleanup_close_ int cur = -1;
  char *save = NULL;
  unsigned created = 0;
  size_t depth = 0;

  base = xasprintf("%s%s%s", cg->root, hier_dir(h) ? "/" : "", hier_dir(h) ? h->name : "");
  cur = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return cove_error_set(err, errno, "open cgroup hierarchy %s", base);
  for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
    int next;
    bool made;

    if (prepare_parent && (all_ancestors || created)) {
      _cleanup_close_ int rd = openat(cur, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (rd >= 0)
        prepare_parent(rd);
    }
    /* a concurrent delete may remove a shared parent between our mkdir and open: retry */
    for (int tries = 0;; tries++) {
      made = mkdirat(cur, comp, 0755) == 0;
      if (!made && errno != EEXIST) {
        int e = errno;
        _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
        cg_undo_mkdirs(cg, h, depth, created);
        return cove_error_set(err, e, "create cgroup %s: mkdir `%s`", p, comp);
      }
      next = openat(cur, comp, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (next >= 0 || errno != ENOENT || tries == 5)
        break;
    }
    /* only the trailing run of created components is ours to remove */
    created = made ? created + 1 : 0;
    depth++;
    if (next < 0) {
      int e = errno;
      _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
      cg_undo_mkdirs(cg, h, depth, created);
      return cove_error_set(err, e, "create cgroup %s: open `%s`", p, comp);
    }
    if (init_dir && init_dir(cur, next, comp, err) < 0) {
      close(next);
      cg_undo_mkdirs(cg, h, depth, created);
      return -1;
    }
    close(cur);
    cur = next;
  }
  h->fd = steal_fd(cur);
  h->created = created;
  return 0;
}

int cg_has_procs(const struct cove_cgroup *cg, const struct cg_hier *h, bool *has, struct cove_error *err)
{
  _cleanup_free_ char *s = NULL;
  if (cg_read(cg, h, "cgroup.procs", &s, err) < 0)
    return -1;
  *has = s[0] != '\0';
  return 0;
}

/* Does the comma-separated list a share a name with list b ("cpu,cpuacct" and "memory,cpu")? */
static bool lists_meet(const char *a, size_t alen, const char *b)
{
  for (const char *p = a; p < a + alen;) {
    const char *c = memchr(p, ',', (size_t) (a + alen - p));
    size_t n = c ? (size_t) (c - p) : (size_t) (a + alen - p);
    for (const char *q = b; q && *q;) {
      const char *d = strchr(q, ',');
      size_t m = d ? (size_t) (d - q) : strlen(q);
      if (n == m && n && !strncmp(p, q, n))
        return true;
      q = d ? d + 1 : NULL;
    }
    p += n + 1;
  }
  return false;
}

int cg_enter_hier(const struct cove_cgroup *cg, const struct cg_hier *h, pid_t pid, const char *sub,
                  struct cove_error *err)
{
  char buf[32];
  const char *colon = sub ? strchr(sub, ':') : NULL;

  snprintf(buf, sizeof(buf), "%d", (int) pid);
  /* `exec --cgroup CONTROLLER[,CONTROLLER]:PATH` (runc): PATH in those hierarchies only, the
   * container's own cgroup in the others; on a unified host the controller list is moot */
  if (colon) {
    bool v2_leaf = h == &cg->unified;
    const char *name = v2_leaf ? (cg->mode == CGROUP_MODE_UNIFIED ? NULL : "unified") : h->name;
    if (!name || lists_meet(sub, (size_t) (colon - sub), name))
      sub = colon + 1;
    else
      sub = NULL;
  }
  if (sub) {
    struct cg_hier s = {.name = h->name, .fd = -1};
    int r;
    if (cg_check_relative("sub-cgroup", sub, true, err) < 0)
      return -1;
    s.fd = openat(h->fd, sub, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (s.fd < 0) {
      _cleanup_free_ char *p = cg_file_path(cg, h, sub);
      return cove_error_set(err, errno, "enter sub-cgroup %s", p);
    }
    r = cg_write(cg, &s, "cgroup.procs", buf, err);
    close(s.fd);
    return r;
  }
  {
    int r = cg_write(cg, h, "cgroup.procs", buf, err);
    cove_trace("cgroup: entered %s", h->name ? h->name : "unified");
    return r;
  }
}

static int collect_at(const struct cove_cgroup *cg, const struct cg_hier *h, int dirfd, const char *rel,
                      pid_t **pids, size_t *n, size_t *cap, unsigned depth, struct cove_error *err)
{
  _cleanup_free_ char *procs = NULL;
  DIR *d;
  int fd;

  if (depth > 64)
    return 0;
  if (read_file_at(dirfd, "cgroup.procs", CG_READ_MAX, &procs, NULL, err) < 0) {
    int e = err->errnum;
    _cleanup_free_ char *p = NULL;
    cove_error_release(err);
    if (e == ENOENT || e == ENODEV) /* removed while we walked */
      return 0;
    p = cg_file_path(cg, h, rel);
    return cove_error_set(err, e, "read %s/cgroup.procs", p);
  }
  for (char *p = procs, *save = NULL, *t = strtok_r(p, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
    unsigned long long v;
    if (parse_u64(t, &v) < 0 || v == 0 || v > INT32_MAX)
      continue;
    if (*n == *cap) {
      *cap = *cap ? *cap * 2 : 32;
      *pids = xrealloc(*pids, *cap * sizeof(**pids));
    }
    (*pids)[(*n)++] = (pid_t) v;
  }
  fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  d = fdopendir(fd);
  if (!d) {
    close(fd);
    return 0;
  }
  for (struct dirent *e; (e = readdir(d));) {
    _cleanup_close_ int sub = -1;
    _cleanup_free_ char *r = NULL;
    if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    sub = openat(dirfd, e->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (sub < 0)
      continue;
    r = rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
    if (collect_at(cg, h, sub, r, pids, n, cap, depth + 1, err) < 0) {
      closedir(d);
      return -1;
    }
  }
  closedir(d);
  return 0;
}

int cg_collect_pids(const struct cove_cgroup *cg, const struct cg_hier *h, pid_t **pids, size_t *n, size_t *cap,
                    struct cove_error *err)
{
  if (h->fd < 0)
    return 0;
  return collect_at(cg, h, h->fd, NULL, pids, n, cap, 0, err);
}

int cg_write_rdma(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_resources *res,
                  struct cove_error *err)
{
  for (size_t i = 0; i < res->rdma_len; i++) {
    const struct oci_rdma *r = &res->rdma[i];
    char hh[32], ho[32];
    if (!r->device || !*r->device || strpbrk(r->device, " \n="))
      return cove_error_set(err, EINVAL, "linux.resources.rdma[%zu]: bad device name", i);
    if (r->hca_handles.set)
      snprintf(hh, sizeof(hh), "%" PRIu64, r->hca_handles.v);
    else
      snprintf(hh, sizeof(hh), "max");
    if (r->hca_objects.set)
      snprintf(ho, sizeof(ho), "%" PRIu64, r->hca_objects.v);
    else
      snprintf(ho, sizeof(ho), "max");
    if (cg_writef(cg, h, "rdma.max", err, "%s hca_handle=%s hca_object=%s", r->device, hh, ho) < 0)
      return -1;
  }
  return 0;
}
