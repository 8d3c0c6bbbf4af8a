/* parent.c: the rootfs work only the parent (`cove create`, the host's root) can do for an init
 * in a user namespace.  Before the clone: the overlay=dir layer in the state dir
 * (rootfs_prepare).  While the init sets up its rootfs, at each mount's turn as the init asks
 * (runc's mount-fd requests): open a bind source the mapped root cannot reach, and idmap the
 * init's detached clone of a source.  Sources are resolved inside the init's mount namespace
 * through /proc/PID/root, never in the parent's own: a source that an earlier mount made exists
 * only there, and what the parent opens is what the init would have seen with the host's
 * credentials. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

void rootfs_prepared_free(struct rootfs_prepared *p)
{
  if (!p)
    return;
  if (p->cow_fd >= 0)
    close(p->cow_fd);
  free(p);
}

/* The host uid/gid the container's root maps to (0 when unmapped). */
static uint32_t root_host_id(const struct oci_id_mapping *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (m[i].container_id == 0 && m[i].size > 0)
      return m[i].host_id;
  return 0;
}

static int prepare_cow_dir(const struct oci_config *config, const char *state_dir,
                           struct rootfs_prepared *p, struct cove_error *err)
{
  _cleanup_free_ char *dir = xasprintf("%s/rootfs-cow", state_dir);
  if (mkdir(dir, 0700) < 0 && errno != EEXIST)
    return cove_error_set(err, errno, "mkdir %s", dir);
  const struct oci_linux *l = config->linux_;
  uid_t uid = l ? root_host_id(l->uid_mappings, l->uid_mappings_len) : 0;
  gid_t gid = l ? root_host_id(l->gid_mappings, l->gid_mappings_len) : 0;
  if (lchown(dir, uid, gid) < 0)
    return cove_error_set(err, errno, "chown %s", dir);
  /* a detached bind of it: the init attaches it in its own mount namespace (overlayfs wants
   * its upper layer there), reaching it without walking the 0700 state dir */
  p->cow_fd = sys_open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (p->cow_fd < 0)
    return sys_fail(err, errno, SYS_F_OPEN_TREE, "clone %s", dir);
  return 0;
}

int rootfs_prepare(const struct oci_config *config, const char *bundle, const char *state_dir,
                   struct rootfs_prepared **out, struct cove_error *err)
{
  (void) bundle;
  *out = NULL;
  if (!oci_namespace_find(config, OCI_NS_USER))
    return 0; /* the init can do everything itself */
  const char *cow = oci_annotation(config, "run.cove.rootfs.overlay");
  if (!cow || strcmp(cow, "dir") != 0 || !state_dir)
    return 0;
  struct rootfs_prepared *p = xcalloc(1, sizeof(*p));
  p->cow_fd = -1;
  if (prepare_cow_dir(config, state_dir, p, err) < 0) {
    rootfs_prepared_free(p);
    return -1;
  }
  *out = p;
  return 0;
}

/* Config mount `index`, which must be a bind mount (the only kind with a source to open). */
static const struct oci_mount *bind_mount_at(const struct oci_config *config, size_t index,
                                             struct mount_opts *o, struct cove_error *err)
{
  if (index >= config->mounts_len)
    return cove_error_set(err, EINVAL, "no mounts[%zu] in the config", index), NULL;
  const struct oci_mount *m = &config->mounts[index];
  if (mount_opts_parse(m->options, m->options_len, o, err) < 0)
    return NULL;
  if (!o->bind && !(m->type && strcmp(m->type, "bind") == 0)) {
    mount_opts_free(o);
    return cove_error_set(err, EINVAL, "mounts[%zu] is not a bind mount", index), NULL;
  }
  return m;
}

int rootfs_parent_open_source(const struct oci_config *config, const char *bundle, pid_t pid,
                              size_t index, struct cove_error *err)
{
  _cleanup_(mount_opts_free) struct mount_opts o = {0};
  const struct oci_mount *m = bind_mount_at(config, index, &o, err);
  if (!m)
    return -1;
  if (!m->source)
    return cove_error_set(err, EINVAL, "mounts[%zu]: bind mount without a source", index);
  _cleanup_free_ char *src =
      m->source[0] == '/' || !bundle ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/root", (int) pid);
  /* the init's root before pivot_root: "/" of its mount namespace, with its earlier mounts */
  _cleanup_close_ int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return cove_error_set(err, errno, "open the init's root %s", path);
  struct cove_error e = COVE_ERROR_INIT;
  int fd;
  /* inside the rootfs, resolved inside it, as the init does: an image symlink must not lead the
   * host's root to a host file */
  const char *rp = config->root ? config->root->path : NULL;
  _cleanup_free_ char *rootfs =
      !rp ? NULL : rp[0] == '/' || !bundle ? xstrdup(rp) : xasprintf("%s/%s", bundle, rp);
  _cleanup_free_ char *rel = rootfs ? rootfs_path_within(src, rootfs) : NULL;
  if (rel) {
    _cleanup_close_ int rfd = rootfs_resolve(root, rootfs, O_PATH | O_DIRECTORY, &e);
    fd = rfd < 0 ? -1 : rootfs_resolve(rfd, rel, O_PATH, &e);
  } else {
    fd = rootfs_resolve(root, src, O_PATH, &e);
  }
  if (fd < 0) {
    int errnum = e.errnum;
    cove_error_release(&e);
    return cove_error_set(err, errnum, "source %s (opened as the host's root)", src);
  }
  return fd;
}

int rootfs_parent_idmap_source(const struct oci_config *config, size_t index, int tree_fd,
                               struct cove_error *err)
{
  _cleanup_(mount_opts_free) struct mount_opts o = {0};
  const struct oci_mount *m = bind_mount_at(config, index, &o, err);
  if (!m)
    return -1;
  if (!rootfs_mount_is_idmapped(m, &o))
    return cove_error_set(err, EINVAL, "mounts[%zu] is not an idmapped mount", index);
  return rootfs_idmap_apply(tree_fd, m, &o, m->source ? m->source : "?", err);
}

size_t rootfs_prepared_fds(const struct rootfs_prepared *p, int *out, size_t max)
{
  size_t n = 0;
  if (p && p->cow_fd >= 0 && n < max)
    out[n++] = p->cow_fd;
  return n;
}
