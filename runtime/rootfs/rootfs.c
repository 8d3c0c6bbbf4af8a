/* rootfs.c: the filesystem module's entry points (runtime/rootfs.h): the order of the work in
 * the init's new mount namespace, and the parent-side validation that lets a bad config fail
 * before anything is created.  The work itself lives in mounts.c, cgroupfs.c, devices.c,
 * pivot.c, masked.c, overlay.c, idmap.c, procfs.c, resolve.c; the fd primitives they stand on in
 * mountfd.c (no two files of the module call each other). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/trace.h"
#include "common/util.h"
#include "common/syscalls.h"
#include "runtime/rootfs/internal.h"

static unsigned long root_propagation(const struct oci_config *c)
{
  const char *p = c->linux_ ? c->linux_->rootfs_propagation : NULL;
  unsigned long f = p ? mount_propagation_parse(p) : 0;
  return f ? f : MS_PRIVATE | MS_REC;
}

/* Once every mount is made: /proc and /sys, when a mount put something there, still are procfs
 * and sysfs (a later mount on "/" or over them may have covered what was checked). */
static int check_proc_sys(struct rootfs_run *run, struct cove_error *err)
{
  static const struct {
    const char *path;
    enum rootfs_mount_kind kind;
  } fs[] = {{"/proc", ROOTFS_MOUNT_PROC}, {"/sys", ROOTFS_MOUNT_SYS}};
  for (size_t i = 0; i < ARRAY_SIZE(fs); i++) {
    if (!(fs[i].kind == ROOTFS_MOUNT_PROC ? run->proc_mounted : run->sys_mounted))
      continue;
    _cleanup_close_ int fd = rootfs_resolve(run->root_fd, fs[i].path, O_PATH | O_NOFOLLOW, err);
    if (fd < 0 || rootfs_check_mounted(fd, fs[i].kind, err) < 0)
      return cove_error_wrap(err, "after the mounts");
  }
  return 0;
}

/* runc's finalizeRootfs: a read-only /dev (not a bind) was mounted writable so that its nodes,
 * pts, shm, mqueue and the console could be made in it; now it turns read-only. */
static int dev_readonly(const struct oci_config *config, int root, struct cove_error *err)
{
  const struct oci_mount *dev = NULL;
  for (size_t i = 0; i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    _cleanup_free_ char *d = m->destination ? rootfs_path_clean(m->destination) : NULL;
    if (d && strcmp(d, "dev") == 0)
      dev = m;
  }
  if (!dev)
    return 0;
  struct mount_opts o;
  if (mount_opts_parse(dev->options, dev->options_len, &o, err) < 0)
    return -1;
  const bool ro = !o.bind && !(dev->type && strcmp(dev->type, "bind") == 0) && (o.flags & MS_RDONLY) &&
                  !(o.flags & MS_REMOUNT);
  mount_opts_free(&o);
  if (!ro)
    return 0;
  _cleanup_close_ int fd = openat(root, "dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return cove_error_set(err, errno, "open /dev");
  if (rootfs_set_attr(fd, false, MOUNT_ATTR_RDONLY, 0, 0, err) < 0)
    return cove_error_wrap(err, "make /dev read-only");
  return 0;
}

int rootfs_setup(const struct rootfs_ctx *ctx, struct cove_error *err)
{
  const struct oci_config *config = ctx->config;
  if (!config || !ctx->rootfs)
    return cove_error_set(err, EINVAL, "rootfs setup: no config or rootfs");
  unsigned long prop = root_propagation(config);
  /* Nothing we mount may reach the host: first every mount becomes a slave (host mounts still
   * flow in, ours never flow out), then what rootfsPropagation asks for.  A shared root comes
   * after pivot_root, which refuses shared mounts. */
  if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return cove_error_set(err, errno, "make / a slave");

  struct rootfs_overlay_req req;
  if (rootfs_overlay_parse(config, ctx->bundle, &req, err) < 0)
    return -1;
  int r = 0;
  if (req.mode)
    r = rootfs_overlay_root(ctx, &req, err);
  else if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    r = cove_error_set(err, errno, "bind the rootfs %s onto itself", ctx->rootfs);
  rootfs_overlay_req_free(&req);
  if (r < 0)
    return -1;
  /* rootfsPropagation applies to the container's root mount (host mounts elsewhere stay slaves,
   * so a bind mount asking for rslave still receives the host's mounts) */
  if (!(prop & MS_SHARED) && mount(NULL, ctx->rootfs, NULL, prop, NULL) < 0)
    return cove_error_set(err, errno, "set the propagation of the rootfs");

  struct rootfs_run run = {.ctx = ctx, .root_fd = -1};
  run.root_fd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (run.root_fd < 0)
    return cove_error_set(err, errno, "open rootfs %s", ctx->rootfs);
  run.deferred_ro = xcalloc(config->mounts_len ? config->mounts_len : 1, sizeof(*run.deferred_ro));
  cove_trace("rootfs: root bound");
  for (size_t i = 0; r == 0 && i < config->mounts_len; i++) {
    r = rootfs_do_mount(&run, &config->mounts[i], err);
    cove_trace("rootfs: mount %s", config->mounts[i].destination);
  }
  if (r == 0)
    r = check_proc_sys(&run, err);
  if (r == 0)
    r = rootfs_setup_dev(&run, err);
  cove_trace("rootfs: /dev");
  /* the createRuntime/createContainer hooks' moment (runtime-spec): the environment is built,
   * pivot_root has not happened */
  if (r == 0 && ctx->before_pivot)
    r = ctx->before_pivot(ctx->before_pivot_arg, err);
  if (r == 0)
    r = rootfs_apply_deferred_ro(&run, err);
  if (r == 0)
    r = rootfs_pivot(ctx, run.root_fd, err);
  cove_trace("rootfs: pivot_root");
  close(run.root_fd);
  for (size_t i = 0; i < run.deferred_ro_len; i++)
    close(run.deferred_ro[i].fd);
  free(run.deferred_ro);
  if (r < 0)
    return -1;
  if ((prop & MS_SHARED) && mount(NULL, "/", NULL, prop, NULL) < 0)
    return cove_error_set(err, errno, "make / shared");
  return 0;
}

int rootfs_finalize(const struct rootfs_ctx *ctx, struct cove_error *err)
{
  const struct oci_config *config = ctx->config;
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return cove_error_set(err, errno, "open /");
  if (rootfs_mask_paths(config, root, err) < 0)
    return -1;
  cove_trace("rootfs: masked paths");
  if (rootfs_readonly_paths(config, root, err) < 0 || dev_readonly(config, root, err) < 0)
    return -1;
  if (config->root && config->root->readonly) {
    struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
    if (sys_mount_setattr(root, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0) {
      if (errno != ENOSYS)
        return cove_error_set(err, errno, "make / read-only");
      if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | rootfs_remount_flags(root), NULL) < 0)
        return cove_error_set(err, errno, "make / read-only");
    }
  }
  return 0;
}

int rootfs_chdir(const char *cwd, struct cove_error *err)
{
  if (!cwd || cwd[0] != '/')
    return cove_error_set(err, EINVAL, "cwd %s: not an absolute path", cwd ? cwd : "(none)");
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return cove_error_set(err, errno, "open /");
  _cleanup_close_ int fd = rootfs_mkpath(root, cwd, true, 0755, err);
  if (fd < 0)
    return cove_error_wrap(err, "cwd %s", cwd);
  if (fchdir(fd) < 0)
    return cove_error_set(err, errno, "cwd %s", cwd);
  return 0;
}

static bool valid_fstype(const char *t)
{
  if (!*t || strlen(t) > 64)
    return false;
  for (; *t; t++)
    if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
          strchr("._-", *t)))
      return false;
  return true;
}

/* path lies under dir, lexically (".." taken back). */
static bool path_under(const char *path, const char *dir)
{
  _cleanup_free_ char *rel = rootfs_path_within(path, dir);
  return rel != NULL;
}

static int validate_mount(const struct oci_mount *m, const char *bundle, const char *root,
                          struct cove_error *err)
{
  if (!m->destination || !*m->destination)
    return cove_error_set(err, EINVAL, "no destination");
  if (m->type && !valid_fstype(m->type))
    return cove_error_set(err, EINVAL, "bad type %s", m->type);
  struct mount_opts o;
  if (mount_opts_parse(m->options, m->options_len, &o, err) < 0)
    return -1;
  bool bind = o.bind || (m->type && strcmp(m->type, "bind") == 0);
  bool idmap = o.idmap || m->uid_mappings_len || m->gid_mappings_len;
  mount_opts_free(&o);
  if (idmap && !bind)
    return cove_error_set(err, EINVAL, "idmapped mounts must be bind mounts");
  if (idmap && (!m->uid_mappings_len || !m->gid_mappings_len))
    return cove_error_set(err, EINVAL, "an idmapped mount needs both uidMappings and gidMappings");
  if (bind) {
    if (!m->source)
      return cove_error_set(err, EINVAL, "bind mount without a source");
    _cleanup_free_ char *src =
        m->source[0] == '/' || !bundle ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
    struct stat st;
    /* a source inside the rootfs may be made by an earlier mount (it exists only in the
     * container's mount namespace, at its turn); one the mapped root cannot reach here is
     * opened by the parent then: both are judged when the mount is made */
    if (stat(src, &st) < 0 && !(errno == EACCES || (errno == ENOENT && path_under(src, root))))
      return cove_error_set(err, errno, "source %s", src);
  }
  return 0;
}

int rootfs_validate(const struct oci_config *config, const char *bundle, struct cove_error *err)
{
  if (!config->root || !config->root->path)
    return cove_error_set(err, EINVAL, "config: root.path is required");
  _cleanup_free_ char *root = config->root->path[0] == '/' || !bundle
                                  ? xstrdup(config->root->path)
                                  : xasprintf("%s/%s", bundle, config->root->path);
  struct stat st;
  if (stat(root, &st) < 0)
    return cove_error_set(err, errno, "rootfs %s", root);
  if (!S_ISDIR(st.st_mode))
    return cove_error_set(err, ENOTDIR, "rootfs %s", root);
  for (size_t i = 0; i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    if (validate_mount(m, bundle, root, err) < 0)
      return cove_error_wrap(err, "mounts[%zu] (%s)", i, m->destination ? m->destination : "?");
  }
  const struct oci_linux *l = config->linux_;
  if (l && l->rootfs_propagation && !mount_propagation_parse(l->rootfs_propagation))
    return cove_error_set(err, EINVAL, "linux.rootfsPropagation: unknown value %s", l->rootfs_propagation);
  for (size_t i = 0; l && i < l->masked_paths_len; i++)
    if (!l->masked_paths[i] || l->masked_paths[i][0] != '/')
      return cove_error_set(err, EINVAL, "linux.maskedPaths[%zu]: not an absolute path", i);
  for (size_t i = 0; l && i < l->readonly_paths_len; i++)
    if (!l->readonly_paths[i] || l->readonly_paths[i][0] != '/')
      return cove_error_set(err, EINVAL, "linux.readonlyPaths[%zu]: not an absolute path", i);
  if (rootfs_devices_validate(config, err) < 0)
    return -1;
  struct rootfs_overlay_req req;
  if (rootfs_overlay_parse(config, bundle, &req, err) < 0)
    return -1;
  rootfs_overlay_req_free(&req);
  return 0;
}
