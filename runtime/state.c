/* state.c: the state store: the 0700 state root, one directory per container, the stored state
 * (cove.json, written atomically), the per-container flock, and the live status derived from the
 * init process (pid + start time from /proc/PID/stat, so a reused pid reads `stopped`). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"

const char *cove_status_name(enum cove_status s)
{
  switch (s) {
  case COVE_STATUS_CREATING:
    return "creating";
  case COVE_STATUS_CREATED:
    return "created";
  case COVE_STATUS_RUNNING:
    return "running";
  case COVE_STATUS_PAUSED:
    return "paused";
  case COVE_STATUS_STOPPED:
    return "stopped";
  }
  return "unknown";
}

int cove_validate_id(const char *id, struct cove_error *err)
{
  size_t n = strlen(id);

  if (n == 0)
    return cove_error_set(err, 0, "invalid container id: empty");
  if (n > COVE_ID_MAX)
    return cove_error_set(err, 0, "invalid container id: longer than %d characters", COVE_ID_MAX);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char) id[i];
    if (isalnum(c) || c == '_' || c == '+' || c == '-' || (c == '.' && i > 0))
      continue;
    return cove_error_set(err, 0, "invalid container id `%s`: only [A-Za-z0-9_+-][A-Za-z0-9_+.-]* is allowed",
                          n > 64 ? "..." : id);
  }
  return 0;
}

const char *state_dir_name(const char *id, char buf[STATE_NAME_MAX])
{
  /* ids longer than a file name may be (NAME_MAX) live under a hash of the id; `~` cannot
   * start an id, so the two kinds never clash, and the stored id is checked on load */
  uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;
  size_t n = strlen(id);
  if (n <= 200)
    return id;
  for (size_t i = 0; i < n; i++) {
    h1 = (h1 ^ (unsigned char) id[i]) * 0x100000001b3ULL;
    h2 = (h2 ^ (unsigned char) id[n - 1 - i]) * 0x100000001b3ULL + i;
  }
  snprintf(buf, STATE_NAME_MAX, "~%016llx%016llx-%zu", (unsigned long long) h1, (unsigned long long) h2, n);
  return buf;
}

int state_root_open(const char *root, bool create, struct cove_error *err)
{
  int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0 || errno != ENOENT || !create) {
    if (fd < 0)
      return cove_error_set(err, errno, "open state root `%s`", root);
    return fd;
  }
  if (mkdir_p(root, 0700, err) < 0)
    return cove_error_wrap(err, "create state root `%s`", root);
  if (mkdir(root, 0700) < 0 && errno != EEXIST)
    return cove_error_set(err, errno, "create state root `%s`", root);
  fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return cove_error_set(err, errno, "open state root `%s`", root);
  return fd;
}

int state_lock(int dir_fd, enum cove_lock lock, struct cove_error *err)
{
  _cleanup_close_ int fd = -1;
  if (lock == COVE_LOCK_NONE)
    return -1;
  fd = openat(dir_fd, "lock", O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return cove_error_set(err, errno, "open lock file"), -2;
  while (flock(fd, lock == COVE_LOCK_SHARED ? LOCK_SH : LOCK_EX) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "lock"), -2;
  return steal_fd(fd);
}

int proc_start_time(pid_t pid, unsigned long long *start, char *state_char)
{
  char path[64], buf[1024];
  _cleanup_close_ int fd = -1;
  ssize_t n;
  char *p;
  int field;

  snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  n = read(fd, buf, sizeof(buf) - 1);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  /* comm may contain spaces and parentheses: the fields start after the last ')' */
  p = strrchr(buf, ')');
  if (!p || p[1] != ' ')
    return -1;
  p += 2;
  if (state_char)
    *state_char = *p;
  for (field = 3; field < 22 && p; field++) {
    p = strchr(p, ' ');
    if (p)
      p++;
  }
  if (!p)
    return -1;
  *start = strtoull(p, NULL, 10);
  return 0;
}

static char *json_kv_object(const struct oci_kv *kv, size_t n)
{
  char *out = xstrdup("{");
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *k = json_quote(kv[i].key), *v = json_quote(kv[i].value);
    char *next = xasprintf("%s%s%s:%s", out, i ? "," : "", k, v);
    free(out);
    out = next;
  }
  char *next = xasprintf("%s}", out);
  free(out);
  return next;
}

int state_write(const struct cove_container *c, struct cove_error *err)
{
  _cleanup_free_ char *id = json_quote(c->id), *bundle = json_quote(c->bundle), *rootfs = json_quote(c->rootfs),
                      *created = json_quote(c->created ? c->created : ""),
                      *cg = c->cgroup_text ? json_quote(c->cgroup_text) : xstrdup("null"),
                      *ann = json_kv_object(c->annotations, c->annotations_len), *doc = NULL;

  doc = xasprintf("{\"id\":%s,\"pid\":%d,\"start_time\":%llu,\"bundle\":%s,\"rootfs\":%s,\"created\":%s,"
                  "\"annotations\":%s,\"cgroup\":%s,\"systemd_cgroup\":%s}\n",
                  id, (int) c->pid, c->start_time, bundle, rootfs, created, ann, cg,
                  c->systemd_cgroup ? "true" : "false");
  if (write_file_atomic_at(c->dir_fd, "cove.json", doc, strlen(doc), 0600, err) < 0)
    return cove_error_wrap(err, "write state");
  return 0;
}

static char *dup_string(yajl_val root, const char *key)
{
  const char *path[] = {key, NULL};
  yajl_val v = yajl_tree_get(root, path, yajl_t_string);
  return v ? xstrdup(YAJL_GET_STRING(v)) : NULL;
}

static int state_read(struct cove_container *c, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  char errbuf[256];
  yajl_val root, v;
  const char *pid_path[] = {"pid", NULL}, *st_path[] = {"start_time", NULL}, *ann_path[] = {"annotations", NULL},
             *sd_path[] = {"systemd_cgroup", NULL};
  int dfd;

  dfd = openat(c->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return cove_error_set(err, errno, "open state dir");
  if (read_file_at(dfd, "cove.json", 1 << 20, &data, NULL, err) < 0) {
    close(dfd);
    if (err->errnum == ENOENT) {
      cove_error_release(err);
      c->status = COVE_STATUS_CREATING;
      return 0;
    }
    return cove_error_wrap(err, "read state");
  }
  close(dfd);
  root = yajl_tree_parse(data, errbuf, sizeof(errbuf));
  if (!root)
    return cove_error_set(err, 0, "read state: invalid JSON: %s", errbuf);
  v = yajl_tree_get(root, pid_path, yajl_t_number);
  c->pid = v ? (pid_t) YAJL_GET_INTEGER(v) : 0;
  v = yajl_tree_get(root, st_path, yajl_t_number);
  c->start_time = v ? strtoull(YAJL_GET_NUMBER(v), NULL, 10) : 0;
  c->stored_id = dup_string(root, "id");
  c->bundle = dup_string(root, "bundle");
  c->rootfs = dup_string(root, "rootfs");
  c->created = dup_string(root, "created");
  c->cgroup_text = dup_string(root, "cgroup");
  v = yajl_tree_get(root, sd_path, yajl_t_true);
  c->systemd_cgroup = v != NULL;
  v = yajl_tree_get(root, ann_path, yajl_t_object);
  if (v && YAJL_GET_OBJECT(v)->len) {
    size_t n = YAJL_GET_OBJECT(v)->len;
    c->annotations = xcalloc(n, sizeof(*c->annotations));
    for (size_t i = 0; i < n; i++) {
      yajl_val s = YAJL_GET_OBJECT(v)->values[i];
      c->annotations[c->annotations_len].key = xstrdup(YAJL_GET_OBJECT(v)->keys[i]);
      c->annotations[c->annotations_len].value = xstrdup(YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : "");
      c->annotations_len++;
    }
  }
  yajl_tree_free(root);
  c->status = COVE_STATUS_STOPPED;
  return 0;
}

bool state_pid_alive(pid_t pid, unsigned long long start_time)
{
  unsigned long long st;
  char s = 0;
  if (pid <= 0 || proc_start_time(pid, &st, &s) < 0)
    return false;
  return st == start_time && s != 'Z' && s != 'X';
}

void cove_container_refresh(struct cove_container *c)
{
  struct stat sb;

  if (c->status == COVE_STATUS_CREATING && !c->pid)
    return;
  if (!state_pid_alive(c->pid, c->start_time)) {
    c->status = COVE_STATUS_STOPPED;
    return;
  }
  if (fstatat(c->dir_fd, COVE_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
    c->status = COVE_STATUS_CREATED;
    return;
  }
  c->status = COVE_STATUS_RUNNING;
  if (c->cgroup) {
    struct cove_error e = COVE_ERROR_INIT;
    bool frozen = false;
    if (cgroup_is_frozen(c->cgroup, &frozen, &e) == 0 && frozen)
      c->status = COVE_STATUS_PAUSED;
    cove_error_release(&e);
  }
}

static int not_found(const char *id, struct cove_error *err)
{
  cove_error_set(err, 0, "container `%s` does not exist", id);
  err->errnum = ENOENT;
  return -1;
}

int cove_container_load(const char *root, const char *id, enum cove_lock lock, struct cove_container **out,
                        struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  _cleanup_close_ int root_fd = -1;
  char name[STATE_NAME_MAX];

  if (cove_validate_id(id, err) < 0)
    return -1;
  root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) {
    if (errno == ENOENT)
      return not_found(id, err);
    return cove_error_set(err, errno, "open state root `%s`", root);
  }
  c = xcalloc(1, sizeof(*c));
  c->lock_fd = -1;
  c->id = xstrdup(id);
  c->root = xstrdup(root);
  c->dir = xasprintf("%s/%s", root, state_dir_name(id, name));
  c->dir_fd = openat(root_fd, state_dir_name(id, name), O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (c->dir_fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
      return not_found(id, err);
    return cove_error_set(err, errno, "open state of `%s`", id);
  }
  c->lock_fd = state_lock(c->dir_fd, lock, err);
  if (c->lock_fd == -2) {
    c->lock_fd = -1;
    return cove_error_wrap(err, "container `%s`", id);
  }
  /* a delete may have removed the directory while we waited for the lock */
  if (lock != COVE_LOCK_NONE) {
    struct stat sb;
    if (fstatat(c->dir_fd, "cove.json", &sb, 0) < 0 && faccessat(c->dir_fd, "lock", F_OK, 0) < 0)
      return not_found(id, err);
  }
  if (state_read(c, err) < 0)
    return cove_error_wrap(err, "container `%s`", id);
  if (c->stored_id && strcmp(c->stored_id, id))
    return not_found(id, err);
  c->config_path = xasprintf("%s/config.json", c->dir);
  if (c->cgroup_text) {
    struct cove_error e = COVE_ERROR_INIT;
    if (cgroup_load(c->cgroup_text, &c->cgroup, &e) < 0)
      c->cgroup = NULL;
    cove_error_release(&e);
  }
  cove_container_refresh(c);
  *out = steal_ptr(c);
  return 0;
}

void cove_container_free(struct cove_container *c)
{
  if (!c)
    return;
  if (c->lock_fd >= 0)
    close(c->lock_fd);
  if (c->dir_fd >= 0)
    close(c->dir_fd);
  if (c->cgroup)
    cgroup_free(c->cgroup);
  for (size_t i = 0; i < c->annotations_len; i++) {
    free(c->annotations[i].key);
    free(c->annotations[i].value);
  }
  free(c->annotations);
  free(c->id);
  free(c->stored_id);
  free(c->root);
  free(c->dir);
  free(c->bundle);
  free(c->rootfs);
  free(c->created);
  free(c->cgroup_text);
  free(c->config_path);
  free(c);
}

char *cove_container_state_json(const struct cove_container *c, struct cove_error *err)
{
  struct oci_state s = {
    .oci_version = OCI_SPEC_VERSION,
    .id = c->id,
    .status = cove_status_name(c->status),
    .pid = c->status == COVE_STATUS_STOPPED ? 0 : c->pid,
    .bundle = c->bundle ? c->bundle : "",
    .annotations = c->annotations,
    .annotations_len = c->annotations_len,
  };
  return oci_state_to_json(&s, err);
}

int cove_container_config(const struct cove_container *c, struct oci_config **out, struct cove_error *err)
{
  return oci_config_load(c->config_path, out, err);
}
