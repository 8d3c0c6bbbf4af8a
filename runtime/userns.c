/* userns.c: the id maps of a new user namespace, written by the parent (as root: direct writes,
 * no newuidmap), with setgroups denied when the writer is not privileged. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n, struct cove_error *err)
{
  char path[64];
  _cleanup_free_ char *buf = xstrdup("");
  _cleanup_close_ int fd = -1;

  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%u %u %u\n", buf, m[i].container_id, m[i].host_id, m[i].size);
    free(buf);
    buf = next;
  }
  snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return cove_error_set(err, errno, "open %s", path);
  /* the kernel takes the whole map in one write */
  if (write(fd, buf, strlen(buf)) != (ssize_t) strlen(buf))
    return cove_error_set(err, errno, "write %s `%s`", file, buf);
  return 0;
}

int userns_write_maps(pid_t pid, const struct oci_config *c, struct cove_error *err)
{
  const struct oci_linux *l = c->linux_;

  if (!l)
    return 0;
  if (geteuid() != 0) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
    if (write_file_at(AT_FDCWD, path, "deny", 4, err) < 0 && err->errnum != ENOENT)
      return cove_error_wrap(err, "user namespace");
    cove_error_release(err);
  }
  if (write_map(pid, "uid_map", l->uid_mappings, l->uid_mappings_len, err) < 0 ||
      write_map(pid, "gid_map", l->gid_mappings, l->gid_mappings_len, err) < 0)
    return cove_error_wrap(err, "user namespace");
  return 0;
}
