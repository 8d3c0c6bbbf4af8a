/* record.c: the per-container record of what netns_setup made (appended before each step, so a
 * cove killed mid-create leaves a record that teardown can act on), the state root's network
 * lock, and the bridge databases' files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "netns/record.h"

#define NET_DIR COVE_ROOT_PRIVATE "/net"
#define DB_MAX (1u << 20)

int record_append(const char *state_dir, const char *line, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, RECORD_FILE);
  _cleanup_free_ char *text = xasprintf("%s\n", line);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cove_error_set(err, errno, "open network record `%s`", path);
  if (write_all(fd, text, strlen(text)) < 0)
    return cove_error_set(err, errno, "write network record `%s`", path);
  return 0;
}

int record_read(const char *state_dir, char ***out, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, RECORD_FILE);
  _cleanup_free_ char *text = NULL;
  char **lines = NULL, *save = NULL;
  size_t n = 0;

  *out = NULL;
  if (read_file(path, DB_MAX, &text, NULL, err) < 0) {
    if (err && err->errnum == ENOENT) {
      cove_error_release(err);
      return 0;
    }
    return -1;
  }
  lines = xcalloc(1, sizeof(char *));
  for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    lines = xrealloc(lines, (n + 2) * sizeof(char *));
    lines[n++] = xstrdup(l);
    lines[n] = NULL;
  }
  *out = lines;
  return 0;
}

int record_remove(const char *state_dir, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, RECORD_FILE);

  if (unlink(path) < 0 && errno != ENOENT)
    return cove_error_set(err, errno, "remove network record `%s`", path);
  return 0;
}

int netlock_take(const char *state_root, int *fd_out, struct cove_error *err)
{
  _cleanup_free_ char *dir = xasprintf("%s/%s", state_root, NET_DIR);
  _cleanup_free_ char *path = xasprintf("%s/lock", dir);
  _cleanup_close_ int fd = -1;

  if (mkdir_p(dir, 0700, err) < 0)
    return -1;
  fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return cove_error_set(err, errno, "open network lock `%s`", path);
  while (flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR)
      return cove_error_set(err, errno, "lock `%s`", path);
  }
  *fd_out = steal_fd(fd);
  return 0;
}

int bridge_db_load(const char *state_root, const char *name, struct bridge_db *db, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s/bridge-%s", state_root, NET_DIR, name);
  _cleanup_free_ char *text = NULL;

  memset(db, 0, sizeof(*db));
  if (read_file(path, DB_MAX, &text, NULL, err) < 0) {
    if (err && err->errnum == ENOENT) {
      cove_error_release(err);
      return 0;
    }
    return -1;
  }
  if (ipam_db_parse(text, db, err) < 0)
    return cove_error_wrap(err, "read bridge database `%s`", path);
  return 0;
}

int bridge_db_save(const char *state_root, const char *name, const struct bridge_db *db,
                   struct cove_error *err)
{
  _cleanup_free_ char *dir = xasprintf("%s/%s", state_root, NET_DIR);
  _cleanup_free_ char *file = xasprintf("bridge-%s", name);
  _cleanup_free_ char *text = NULL;
  _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dfd < 0)
    return cove_error_set(err, errno, "open `%s`", dir);
  if (db->users_len == 0 && !db->created) {
    if (unlinkat(dfd, file, 0) < 0 && errno != ENOENT)
      return cove_error_set(err, errno, "remove `%s/%s`", dir, file);
    return 0;
  }
  text = ipam_db_format(db);
  return write_file_atomic_at(dfd, file, text, strlen(text), 0600, err);
}
