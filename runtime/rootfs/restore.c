/* restore.c: the rootfs side of a restore by CRIU.  CRIU rebuilds the container's mounts itself,
 * onto mount points that must exist in the rootfs: make the missing ones as create would (runc
 * and crun do the same, even for a read-only rootfs), resolved inside the rootfs. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

static bool is_bind(const struct oci_mount *m)
{
  if (m->type && !strcmp(m->type, "bind"))
    return true;
  for (size_t i = 0; i < m->options_len; i++)
    if (!strcmp(m->options[i], "bind") || !strcmp(m->options[i], "rbind"))
      return true;
  return false;
}

/* Under a tmpfs of the config: CRIU restores the tmpfs with its content, mount points included. */
static bool on_tmpfs(const struct oci_config *config, const char *dest)
{
  for (size_t i = 0; i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    size_t n = strlen(m->destination);
    if (!m->type || strcmp(m->type, "tmpfs"))
      continue;
    if (n > 1 && m->destination[n - 1] == '/')
      n--;
    if (!strncmp(dest, m->destination, n) && dest[n] == '/')
      return true;
  }
  return false;
}

int rootfs_make_mountpoints(const struct oci_config *config, const char *bundle, const char *rootfs,
                            struct cove_error *err)
{
  _cleanup_close_ int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (root_fd < 0)
    return cove_error_set(err, errno, "rootfs `%s`", rootfs);
  for (size_t i = 0; i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    bool want_dir = true;
    int fd;
    if (m->type && (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2")))
      continue;
    if (on_tmpfs(config, m->destination))
      continue;
    if (is_bind(m) && m->source) {
      _cleanup_free_ char *src = m->source[0] == '/' || !bundle ? xstrdup(m->source)
                                                               : xasprintf("%s/%s", bundle, m->source);
      struct stat st;
      if (stat(src, &st) < 0)
        return cove_error_set(err, errno, "mount %s: source %s", m->destination, src);
      want_dir = S_ISDIR(st.st_mode);
    }
    fd = rootfs_mkpath(root_fd, m->destination, want_dir, 0755, err);
    if (fd < 0)
      return cove_error_wrap(err, "mount point %s", m->destination);
    close(fd);
  }
  return 0;
}
