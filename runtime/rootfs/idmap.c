/* idmap.c: idmapped bind mounts.  The user namespace a mount is mapped through:  A mount's
 * uidMappings/gidMappings (same format as the container's) are written to a throwaway child's
 * fresh user namespace; we keep an fd on it for mount_setattr(MOUNT_ATTR_IDMAP) and the child
 * exits.  The host's /proc is used before pivot_root, so the child reports its pid as that procfs
 * sees it (the init may be pid 1 of a new pid namespace).
 * Without a container user namespace the init makes them itself; with one, only the host side
 * can (the kernel wants CAP_SYS_ADMIN over the source filesystem's user namespace), so the parent
 * prepares detached idmapped clones (rootfs_prepare) that the init attaches, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

static char *format_map(const struct oci_id_mapping *m, size_t n)
{
  char *out = xstrdup("");
  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%u %u %u\n", out, m[i].container_id, m[i].host_id, m[i].size);
    free(out);
    out = next;
  }
  return out;
}

static int write_map(const char *pid, const char *file, const char *map, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("/proc/%s/%s", pid, file);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write_all(fd, map, strlen(map)) < 0)
    return cove_error_set(err, errno, "write %s", file);
  return 0;
}

int rootfs_idmap_userns(const struct oci_mount *m, struct cove_error *err)
{
  if (!m->uid_mappings_len || !m->gid_mappings_len)
    return cove_error_set(err, EINVAL, "an idmapped mount needs both uidMappings and gidMappings");
  _cleanup_free_ char *uid_map = format_map(m->uid_mappings, m->uid_mappings_len);
  _cleanup_free_ char *gid_map = format_map(m->gid_mappings, m->gid_mappings_len);
  int up[2], down[2];
  if (pipe2(up, O_CLOEXEC) < 0)
    return cove_error_set(err, errno, "pipe");
  if (pipe2(down, O_CLOEXEC) < 0) {
    close(up[0]);
    close(up[1]);
    return cove_error_set(err, errno, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(up[0]);
    close(up[1]);
    close(down[0]);
    close(down[1]);
    return cove_error_set(err, e, "fork");
  }
  if (pid == 0) {
    char self[32] = "";
    close(up[0]);
    close(down[1]);
    if (unshare(CLONE_NEWUSER) == 0) {
      ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
      if (n > 0)
        self[n] = '\0';
      else
        self[0] = '\0';
    }
    (void) !write(up[1], self, strlen(self) + 1);
    char c;
    (void) !read(down[0], &c, 1); /* EOF when the parent is done */
    _exit(0);
  }
  close(up[1]);
  close(down[0]);
  char hostpid[32] = "";
  ssize_t n = read(up[0], hostpid, sizeof(hostpid) - 1);
  close(up[0]);
  int ret = -1;
  if (n <= 1 || hostpid[0] == '\0') {
    cove_error_set(err, n < 0 ? errno : EPERM, "create a user namespace for the idmapped mount");
  } else {
    hostpid[n] = '\0';
    _cleanup_free_ char *nspath = xasprintf("/proc/%s/ns/user", hostpid);
    if (write_map(hostpid, "uid_map", uid_map, err) == 0 &&
        write_map(hostpid, "gid_map", gid_map, err) == 0) {
      ret = open(nspath, O_RDONLY | O_CLOEXEC);
      if (ret < 0)
        cove_error_set(err, errno, "open %s", nspath);
    }
  }
  close(down[1]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return ret;
}

bool rootfs_mount_is_idmapped(const struct oci_mount *m, const struct mount_opts *o)
{
  return o->idmap || m->uid_mappings_len || m->gid_mappings_len;
}

/* The filesystem type an idmap source lives on, for error messages ("filesystem 0x..." when it
 * is not one of the common ones). */
static const char *fs_name(long type, char *buf, size_t len)
{
  switch (type) {
  case TMPFS_MAGIC:
    return "tmpfs";
  case RAMFS_MAGIC:
    return "ramfs";
  case EXT4_SUPER_MAGIC:
    return "ext4";
  case XFS_SUPER_MAGIC:
    return "xfs";
  case BTRFS_SUPER_MAGIC:
    return "btrfs";
  case OVERLAYFS_SUPER_MAGIC:
    return "overlay";
  case V9FS_MAGIC:
    return "9p";
  case NFS_SUPER_MAGIC:
    return "nfs";
  case FUSE_SUPER_MAGIC:
    return "fuse";
  default:
    snprintf(buf, len, "filesystem 0x%lx", (unsigned long) type);
    return buf;
  }
}

int rootfs_idmap_clone(const struct oci_mount *m, const char *src, const struct mount_opts *o,
                       struct cove_error *err)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree = open_tree(AT_FDCWD, src, flags);
  if (tree < 0)
    return cove_error_set(err, errno, "open source %s", src);
  _cleanup_close_ int ns = rootfs_idmap_userns(m, err);
  if (ns < 0)
    return -1;
  struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) ns};
  unsigned at = AT_EMPTY_PATH | ((o->recursive_idmap || o->recursive) ? AT_RECURSIVE : 0);
  if (mount_setattr(tree, "", at, &a, sizeof(a)) < 0) {
    int e = errno;
    struct statfs sf;
    char name[40];
    /* the usual EINVAL: the source's filesystem has not opted in to idmapped mounts on this
     * kernel (ext4/xfs from 5.12, btrfs 5.15, overlay 5.19, tmpfs only from 6.3) */
    if (e == EINVAL && fstatfs(tree, &sf) == 0)
      return cove_error_set(err, e, "idmap %s: this kernel does not support idmapped mounts of %s%s",
                            src, fs_name(sf.f_type, name, sizeof(name)),
                            (at & AT_RECURSIVE) ? " (or of a submount's filesystem)" : "");
    return cove_error_set(err, e, "idmap %s", src);
  }
  return steal_fd(tree);
}

int rootfs_prepared_fd(const struct rootfs_ctx *ctx, const struct oci_mount *m)
{
  const struct rootfs_prepared *p = ctx->prepared;
  if (!p || !ctx->config->mounts || m < ctx->config->mounts)
    return -1;
  size_t i = (size_t) (m - ctx->config->mounts);
  return i < p->len ? p->mount_fds[i] : -1;
}

size_t rootfs_prepared_fds(const struct rootfs_prepared *p, int *out, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; p && i < p->len && n < max; i++)
    if (p->mount_fds[i] >= 0)
      out[n++] = p->mount_fds[i];
  if (p && p->cow_fd >= 0 && n < max)
    out[n++] = p->cow_fd;
  return n;
}

void rootfs_prepared_free(struct rootfs_prepared *p)
{
  if (!p)
    return;
  for (size_t i = 0; i < p->len; i++)
    if (p->mount_fds[i] >= 0)
      close(p->mount_fds[i]);
  if (p->cow_fd >= 0)
    close(p->cow_fd);
  free(p->mount_fds);
  free(p);
}

static struct rootfs_prepared *prepared_new(size_t len)
{
  struct rootfs_prepared *p = xcalloc(1, sizeof(*p));
  p->len = len;
  p->mount_fds = xcalloc(len ? len : 1, sizeof(int));
  for (size_t j = 0; j < len; j++)
    p->mount_fds[j] = -1;
  p->cow_fd = -1;
  return p;
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
  p->cow_fd = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (p->cow_fd < 0)
    return cove_error_set(err, errno, "clone %s", dir);
  return 0;
}

int rootfs_prepare(const struct oci_config *config, const char *bundle, const char *state_dir,
                   struct rootfs_prepared **out, struct cove_error *err)
{
  *out = NULL;
  if (!oci_namespace_find(config, OCI_NS_USER))
    return 0; /* the init can do everything itself */
  struct rootfs_prepared *p = NULL;
  const char *cow = oci_annotation(config, "run.cove.rootfs.overlay");
  if (cow && strcmp(cow, "dir") == 0 && state_dir) {
    p = prepared_new(config->mounts_len);
    if (prepare_cow_dir(config, state_dir, p, err) < 0)
      goto fail;
  }
  for (size_t i = 0; i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    struct mount_opts o;
    if (mount_opts_parse(m->options, m->options_len, &o, err) < 0)
      goto fail;
    bool bind = o.bind || (m->type && strcmp(m->type, "bind") == 0);
    if (!bind || !rootfs_mount_is_idmapped(m, &o)) {
      mount_opts_free(&o);
      continue;
    }
    if (!p)
      p = prepared_new(config->mounts_len);
    _cleanup_free_ char *src = !m->source || m->source[0] == '/' || !bundle
                                   ? xstrdup(m->source ? m->source : "")
                                   : xasprintf("%s/%s", bundle, m->source);
    p->mount_fds[i] = rootfs_idmap_clone(m, src, &o, err);
    mount_opts_free(&o);
    if (p->mount_fds[i] < 0) {
      cove_error_wrap(err, "prepare idmapped mount on %s", m->destination ? m->destination : "?");
      goto fail;
    }
  }
  *out = p;
  return 0;
fail:
  rootfs_prepared_free(p);
  return -1;
}
