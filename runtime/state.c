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

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "oci/json.h"
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

void state_unlock(int *lock_fd)
{
  if (*lock_fd < 0)
    return;
  /* explicitly: a child of ours (frozen at birth by CLONE_INTO_CGROUP into a paused container's
   * cgroup) may still hold a copy of the fd, and a copy holds the flock until it is closed */
  (void) flock(*lock_fd, LOCK_UN);
  close(*lock_fd);
  *lock_fd = -1;
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

int state_write_pid_file(const char *path, pid_t pid, struct cove_error *err)
{
  char buf[32];
  _cleanup_free_ char *copy = xstrdup(path), *base = NULL;
  _cleanup_close_ int dfd = -1;
  char *slash = strrchr(copy, '/');
  const char *dir = ".";

  if (slash) {
    *slash = '\0';
    dir = slash == copy ? "/" : copy;
    base = xstrdup(slash + 1);
  } else {
    base = xstrdup(path);
  }
  dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return cove_error_set(err, errno, "pid file `%s`", path);
  snprintf(buf, sizeof(buf), "%d", (int) pid);
  if (write_file_atomic_at(dfd, base, buf, strlen(buf), 0644, err) < 0)
    return cove_error_wrap(err, "pid file `%s`", path);
  return 0;
}

int state_write(const struct cove_container *c, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  _cleanup_free_ char *doc = NULL;
  size_t len;

  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "id", c->id);
  oci_jgen_kint(g, "pid", c->pid);
  oci_jgen_kuint(g, "start_time", c->start_time);
  oci_jgen_kstring(g, "bundle", c->bundle ? c->bundle : "");
  oci_jgen_kstring(g, "rootfs", c->rootfs ? c->rootfs : "");
  oci_jgen_kstring(g, "created", c->created ? c->created : "");
  oci_jgen_string(g, "annotations");
  oci_jgen_map_open(g);
  for (size_t i = 0; i < c->annotations_len; i++)
    oci_jgen_kstring(g, c->annotations[i].key, c->annotations[i].value);
  oci_jgen_map_close(g);
  oci_jgen_string(g, "cgroup");
  if (c->cgroup_text)
    oci_jgen_string(g, c->cgroup_text);
  else
    oci_jgen_null(g);
  oci_jgen_kbool(g, "systemd_cgroup", c->systemd_cgroup);
  if (c->no_new_keyring)
    oci_jgen_kbool(g, "no_new_keyring", true);
  if (c->creator_pid > 0) {
    oci_jgen_string(g, "creator");
    oci_jgen_map_open(g);
    oci_jgen_kint(g, "pid", c->creator_pid);
    oci_jgen_kuint(g, "start_time", c->creator_start);
    oci_jgen_map_close(g);
  }
  oci_jgen_map_close(g);
  if (oci_jgen_finish(g, &doc, err) < 0)
    return cove_error_wrap(err, "write state");
  len = strlen(doc);
  /* the reader's bound: whatever is written here must read back (state, list, delete) */
  if (len > COVE_STATE_MAX_BYTES)
    return cove_error_set(err, EFBIG, "write state: %zu bytes, more than the %u a state may hold", len,
                          COVE_STATE_MAX_BYTES);
  if (write_file_atomic_at(c->dir_fd, COVE_STATE_FILE, doc, len, 0600, err) < 0)
    return cove_error_wrap(err, "write state");
  return 0;
}

static char *dup_string(const struct oci_json *root, const char *key)
{
  const struct oci_json *v = oci_json_get(root, key);
  return v && v->type == OCI_JSON_STRING ? xstrdup(v->s) : NULL;
}

static unsigned long long get_u64(const struct oci_json *root, const char *key)
{
  const struct oci_json *v = oci_json_get(root, key);
  unsigned long long n = 0;
  if (!v || v->type != OCI_JSON_NUMBER || parse_u64(v->s, &n) < 0)
    return 0;
  return n;
}

/* The stored state of the container in dir_fd, parsed (NULL with ENOENT when there is none). */
static int state_parse(int dir_fd, struct oci_json **out, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  _cleanup_close_ int dfd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  size_t len;

  *out = NULL;
  if (dfd < 0)
    return cove_error_set(err, errno, "open state dir");
  if (read_file_at(dfd, COVE_STATE_FILE, COVE_STATE_MAX_BYTES, &data, &len, err) < 0)
    return cove_error_wrap(err, "read state");
  return oci_json_parse("state", data, len, out, err);
}

int state_stored_id(int root_fd, const char *name, char **id, struct cove_error *err)
{
  _cleanup_(oci_json_freep) struct oci_json *root = NULL;
  _cleanup_close_ int dir_fd = openat(root_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

  *id = NULL;
  if (dir_fd < 0)
    return cove_error_set(err, errno, "open state dir `%s`", name);
  if (state_parse(dir_fd, &root, err) < 0)
    return -1;
  *id = dup_string(root, "id");
  if (!*id)
    return cove_error_set(err, EINVAL, "state in `%s` names no id", name);
  return 0;
}

/* A state dir without its state file: `create` died before writing it, or is about to.  Its
 * creator holds the lock while it lives. */
static bool creator_holds_lock(const struct cove_container *c)
{
  _cleanup_close_ int fd = -1;

  if (c->lock_fd >= 0)
    return false; /* we hold it: nobody is creating */
  fd = openat(c->dir_fd, "lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

static int state_read(struct cove_container *c, struct cove_error *err)
{
  _cleanup_(oci_json_freep) struct oci_json *root = NULL;
  const struct oci_json *v;

  if (state_parse(c->dir_fd, &root, err) < 0) {
    if (err->errnum != ENOENT)
      return -1;
    cove_error_release(err);
    c->incomplete = !creator_holds_lock(c);
    c->status = c->incomplete ? COVE_STATUS_STOPPED : COVE_STATUS_CREATING;
    return 0;
  }
  if (root->type != OCI_JSON_OBJECT)
    return cove_error_set(err, 0, "read state: not a JSON object");
  c->pid = (pid_t) get_u64(root, "pid");
  c->start_time = get_u64(root, "start_time");
  c->stored_id = dup_string(root, "id");
  c->bundle = dup_string(root, "bundle");
  c->rootfs = dup_string(root, "rootfs");
  c->created = dup_string(root, "created");
  c->cgroup_text = dup_string(root, "cgroup");
  v = oci_json_get(root, "systemd_cgroup");
  c->systemd_cgroup = v && v->type == OCI_JSON_BOOL && v->b;
  v = oci_json_get(root, "no_new_keyring");
  c->no_new_keyring = v && v->type == OCI_JSON_BOOL && v->b;
  v = oci_json_get(root, "creator");
  if (v && v->type == OCI_JSON_OBJECT) {
    c->creator_pid = (pid_t) get_u64(v, "pid");
    c->creator_start = get_u64(v, "start_time");
  }
  v = oci_json_get(root, "annotations");
  if (v && v->type == OCI_JSON_OBJECT && v->len) {
    c->annotations = xcalloc(v->len, sizeof(*c->annotations));
    for (size_t i = 0; i < v->len; i++) {
      const struct oci_json *s = v->items[i];
      c->annotations[c->annotations_len].key = xstrdup(v->keys[i]);
      c->annotations[c->annotations_len].value = xstrdup(s->type == OCI_JSON_STRING ? s->s : "");
      c->annotations_len++;
    }
  }
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

  if (!c->stored_id) {
    /* no state file: see state_read */
    c->incomplete = !creator_holds_lock(c);
    c->status = c->incomplete ? COVE_STATUS_STOPPED : COVE_STATUS_CREATING;
    return;
  }
  if (c->creator_pid > 0) {
    /* a create in progress, or one that died before it finished: never `creating` for ever */
    c->incomplete = !state_pid_alive(c->creator_pid, c->creator_start);
    c->status = c->incomplete ? COVE_STATUS_STOPPED : COVE_STATUS_CREATING;
    return;
  }
  if (!state_pid_alive(c->pid, c->start_time)) {
    c->status = COVE_STATUS_STOPPED;
    return;
  }
  c->status = fstatat(c->dir_fd, COVE_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0 ? COVE_STATUS_CREATED
                                                                                 : COVE_STATUS_RUNNING;
  /* a created container can be paused too (runc): `start` must see it, not wait on a frozen init */
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
    if (fstatat(c->dir_fd, COVE_STATE_FILE, &sb, 0) < 0 && faccessat(c->dir_fd, "lock", F_OK, 0) < 0)
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
  state_unlock(&c->lock_fd);
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

/* The state document of a container being created (hooks, the seccomp listener): from the
 * create context, before anything is stored.  Here, not in create.c, so the init (init.c) and the
 * parent (create.c) both build on the state layer instead of on each other. */
char *create_state_json(const struct create_ctx *x, const char *status, struct cove_error *err)
{
  struct oci_state s = {
    .oci_version = OCI_SPEC_VERSION,
    .id = x->o->id,
    .status = status,
    .pid = x->pid,
    .bundle = x->bundle,
    .annotations = x->config->annotations,
    .annotations_len = x->config->annotations_len,
  };
  return oci_state_to_json(&s, err);
}
