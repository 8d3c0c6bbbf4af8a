/* devices.c: the container's /dev: the default nodes (null, zero, full, random, urandom, tty),
 * linux.devices (c/b/u/p with fileMode, uid, gid), /dev/ptmx -> pts/ptmx, /dev/fd and the std
 * links, and /dev/console bound to the pty.  Nodes are made with mknod, or bind-mounted from the
 * host when the init is in a user namespace (mknod is not allowed there).  Every node path is
 * resolved in the rootfs and created relative to its parent's fd, so a hostile /dev/net -> /etc
 * symlink in the image cannot place a device on the host.  And a node is made only in a
 * directory of the container's own (the rootfs, or a config mount that is not a bind nor a
 * devtmpfs): cove replaces what is at a node's path, so in a directory of the host's it would
 * unlink and remake (chmod, chown) the host's file. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

struct dev_node {
  const char *path;
  mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct dev_node default_devices[] = {
    {"/dev/null", S_IFCHR, 1, 3, 0666, 0, 0},    {"/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0},
    {"/dev/full", S_IFCHR, 1, 7, 0666, 0, 0},    {"/dev/random", S_IFCHR, 1, 8, 0666, 0, 0},
    {"/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0}, {"/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0},
};

static const struct {
  const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

/* Remove whatever non-directory the image has at parent/base, so the node we make is ours. */
static int clear_entry(int parent, const char *base)
{
  struct stat st;
  if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -1;
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    return -1;
  }
  return unlinkat(parent, base, 0);
}

static int bind_host_device(const struct dev_node *d, int parent, const char *base,
                            struct cove_error *err)
{
  int r = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
  if (r < 0 && errno == EEXIST) {
    if (clear_entry(parent, base) < 0)
      return cove_error_set(err, errno, "replace %s", d->path);
    r = openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
  }
  if (r < 0)
    return cove_error_set(err, errno, "create %s", d->path);
  close(r);
  _cleanup_close_ int target = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return cove_error_set(err, errno, "open %s", d->path);
  /* the host's node at the same path; check it is the device asked for before exposing it */
  _cleanup_close_ int src = open(d->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (src < 0 || fstat(src, &st) < 0)
    return cove_error_set(err, errno, "host device %s", d->path);
  if ((st.st_mode & S_IFMT) != d->type ||
      (d->type != S_IFIFO && st.st_rdev != makedev(d->major, d->minor)))
    return cove_error_set(err, ENODEV, "host %s is not device %u:%u", d->path, d->major, d->minor);
  return rootfs_bind(NULL, src, target, false, 0, 0, err);
}

static int make_node(const struct dev_node *d, int parent, const char *base, struct cove_error *err)
{
  dev_t dev = d->type == S_IFIFO ? 0 : makedev(d->major, d->minor);
  if (mknodat(parent, base, d->type | (d->mode & 07777), dev) < 0) {
    if (errno != EEXIST || clear_entry(parent, base) < 0 ||
        mknodat(parent, base, d->type | (d->mode & 07777), dev) < 0)
      return cove_error_set(err, errno, "mknod %s", d->path);
  }
  _cleanup_close_ int fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0)
    return cove_error_set(err, errno, "open %s", d->path);
  if ((st.st_mode & S_IFMT) != d->type || st.st_rdev != dev)
    return cove_error_set(err, EEXIST, "%s was replaced while being created", d->path);
  /* mknod's mode went through the umask: set it exactly, on the node we just checked */
  char p[64];
  if (chmod(rootfs_fd_path(fd, p, sizeof(p)), d->mode & 07777) < 0)
    return cove_error_set(err, errno, "chmod %s", d->path);
  if ((d->uid || d->gid) && fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
    return cove_error_set(err, errno, "chown %s", d->path);
  return 0;
}

/* The id of the mount fd is on (statx's STATX_MNT_ID, 5.8: below the 5.10 floor). */
static int mount_id(int fd, uint64_t *id)
{
  struct statx stx;
  if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
    return -1;
  if (!(stx.stx_mask & STATX_MNT_ID)) {
    errno = ENOSYS;
    return -1;
  }
  *id = stx.stx_mnt_id;
  return 0;
}

/* Whether dir is on the rootfs's own mount or on a config mount that is not a bind (a tmpfs such
 * as /dev): what a bind brings (or a host mount the rootfs directory carries, a chroot's /dev)
 * is the host's, and so is a devtmpfs (the kernel has one, the host's /dev). */
static int dir_is_own(struct rootfs_run *run, int dir, bool *own, struct cove_error *err)
{
  uint64_t id, other;
  if (mount_id(dir, &id) < 0 || mount_id(run->root_fd, &other) < 0)
    return cove_error_set(err, errno, "statx the mount of a device's directory");
  *own = id == other;
  const struct oci_config *config = run->ctx->config;
  for (size_t i = 0; !*own && i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    struct mount_opts o;
    struct cove_error e = COVE_ERROR_INIT;
    if (!m->destination || (m->type && (!strcmp(m->type, "bind") || !strcmp(m->type, "devtmpfs"))) ||
        mount_opts_parse(m->options, m->options_len, &o, &e) < 0) {
      cove_error_release(&e);
      continue;
    }
    bool bind = o.bind;
    mount_opts_free(&o);
    if (bind)
      continue;
    _cleanup_close_ int fd = rootfs_resolve(run->root_fd, m->destination, O_PATH | O_NOFOLLOW, &e);
    cove_error_release(&e);
    *own = fd >= 0 && mount_id(fd, &other) == 0 && other == id;
  }
  return 0;
}

/* Refuse a node whose directory (path's nearest existing ancestor: one that is missing would be
 * made there) is not the container's own. */
static int check_own_dir(struct rootfs_run *run, const char *path, struct cove_error *err)
{
  _cleanup_free_ char *dir = rootfs_path_normalize(path);
  char *slash;
  while ((slash = strrchr(dir, '/'))) {
    *slash = '\0';
    struct cove_error e = COVE_ERROR_INIT;
    _cleanup_close_ int fd = rootfs_resolve(run->root_fd, dir, O_PATH | O_DIRECTORY, &e);
    int errnum = e.errnum;
    cove_error_release(&e);
    if (fd < 0 && errnum == ENOENT)
      continue;
    /* any other failure is the creation's to report, with its own reason */
    if (fd < 0)
      return 0;
    bool own;
    if (dir_is_own(run, fd, &own, err) < 0)
      return -1;
    if (!own)
      return cove_error_set(err, 0,
                            "/%s is not the container's own (a bind mount, or a host mount under "
                            "the rootfs): a node made there would replace the host's",
                            dir);
    return 0;
  }
  /* directly in the root: the rootfs's own */
  return 0;
}

/* devfd: the container's /dev, reused for nodes directly in it (the common case: one resolution
 * for the whole default set) */
static int create_device(struct rootfs_run *run, int devfd, const struct dev_node *d,
                         struct cove_error *err)
{
  _cleanup_free_ char *base = NULL;
  _cleanup_close_ int parent = -1;
  _cleanup_free_ char *clean = rootfs_path_clean(d->path);
  if (strncmp(clean, "dev/", 4) == 0 && !strchr(clean + 4, '/') && strcmp(clean + 4, "..") &&
      clean[4]) {
    base = xstrdup(clean + 4);
    parent = fcntl(devfd, F_DUPFD_CLOEXEC, 3);
    if (parent < 0)
      return cove_error_set(err, errno, "dup the /dev fd");
  } else {
    if (check_own_dir(run, d->path, err) < 0)
      return -1;
    parent = rootfs_resolve_parent(run->root_fd, d->path, true, &base, err);
    if (parent < 0)
      return -1;
  }
  if (run->ctx->userns)
    return bind_host_device(d, parent, base, err);
  return make_node(d, parent, base, err);
}

static int device_from_config(const struct oci_device *c, struct dev_node *d, struct cove_error *err)
{
  memset(d, 0, sizeof(*d));
  d->path = c->path;
  if (!c->type || !c->path)
    return cove_error_set(err, EINVAL, "device without type or path");
  if (strcmp(c->type, "c") == 0 || strcmp(c->type, "u") == 0)
    d->type = S_IFCHR;
  else if (strcmp(c->type, "b") == 0)
    d->type = S_IFBLK;
  else if (strcmp(c->type, "p") == 0)
    d->type = S_IFIFO;
  else
    return cove_error_set(err, EINVAL, "device %s: unknown type %s", c->path, c->type);
  if (d->type != S_IFIFO && (c->major < 0 || c->minor < 0 || c->major > 0xfff || c->minor > 0xfffff))
    return cove_error_set(err, EINVAL, "device %s: bad major/minor %lld:%lld", c->path,
                          (long long) c->major, (long long) c->minor);
  d->major = (unsigned) c->major;
  d->minor = (unsigned) c->minor;
  d->mode = c->file_mode.set ? (mode_t) (c->file_mode.v & 07777) : 0666;
  d->uid = c->uid.set ? (uid_t) c->uid.v : 0;
  d->gid = c->gid.set ? (gid_t) c->gid.v : 0;
  return 0;
}

int rootfs_devices_validate(const struct oci_config *config, struct cove_error *err)
{
  const struct oci_linux *l = config->linux_;
  for (size_t i = 0; l && i < l->devices_len; i++) {
    struct dev_node d;
    if (device_from_config(&l->devices[i], &d, err) < 0)
      return cove_error_wrap(err, "linux.devices[%zu]", i);
    if (d.path[0] != '/')
      return cove_error_set(err, EINVAL, "linux.devices[%zu]: path %s is not absolute", i, d.path);
  }
  return 0;
}

static bool config_has_device(const struct oci_config *config, const char *path)
{
  const struct oci_linux *l = config->linux_;
  for (size_t i = 0; l && i < l->devices_len; i++) {
    if (!l->devices[i].path)
      continue;
    _cleanup_free_ char *a = rootfs_path_clean(l->devices[i].path);
    _cleanup_free_ char *b = rootfs_path_clean(path);
    if (strcmp(a, b) == 0)
      return true;
  }
  return false;
}

static int setup_console(int console_fd, int devfd, struct cove_error *err)
{
  /* CVE-2025-52565: /dev/console must be a file we made, not an image symlink to somewhere
   * the bind would then cover */
  if (clear_entry(devfd, "console") < 0)
    return cove_error_set(err, errno, "replace /dev/console");
  int r = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (r < 0)
    return cove_error_set(err, errno, "create /dev/console");
  close(r);
  _cleanup_close_ int target = openat(devfd, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return cove_error_set(err, errno, "open /dev/console");
  if (rootfs_bind(NULL, console_fd, target, false, 0, 0, err) < 0)
    return cove_error_wrap(err, "bind the console on /dev/console");
  return 0;
}

int rootfs_setup_dev(struct rootfs_run *run, struct cove_error *err)
{
  const struct oci_config *config = run->ctx->config;
  /* a /dev bound from the host already has its nodes: leave them (runc does the same); so has
   * the devtmpfs, the host's own /dev (one per kernel): a node remade there is remade on the host */
  if (run->dev_is_bound)
    return 0;
  _cleanup_close_ int devfd = rootfs_mkpath(run->root_fd, "/dev", true, 0755, err);
  if (devfd < 0)
    return cove_error_wrap(err, "/dev");
  /* a /dev of the config's (not a bind: that returned above) is the container's own; without
   * one, the rootfs's /dev must be on the rootfs itself (a chroot's bound /dev is the host's) */
  bool own = run->dev_mounted;
  if (!own && dir_is_own(run, devfd, &own, err) < 0)
    return -1;
  if (!own)
    return cove_error_set(err, 0, "/dev is not the container's own (a bind mount, or a host mount "
                                  "under the rootfs): a node made there would replace the host's");
  for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
    if (config_has_device(config, default_devices[i].path))
      continue;
    if (create_device(run, devfd, &default_devices[i], err) < 0)
      return cove_error_wrap(err, "create device %s", default_devices[i].path);
  }
  const struct oci_linux *l = config->linux_;
  for (size_t i = 0; l && i < l->devices_len; i++) {
    struct dev_node d;
    if (device_from_config(&l->devices[i], &d, err) < 0 || create_device(run, devfd, &d, err) < 0)
      return cove_error_wrap(err, "linux.devices[%zu] (%s)", i, l->devices[i].path ? l->devices[i].path : "?");
  }

  for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++) {
    if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0 && errno != EEXIST)
      return cove_error_set(err, errno, "link /dev/%s", dev_links[i].name);
  }
  /* ptmx must be the container's devpts instance, not a host node (newinstance semantics) */
  if (!config_has_device(config, "/dev/ptmx")) {
    if (clear_entry(devfd, "ptmx") < 0 || symlinkat("pts/ptmx", devfd, "ptmx") < 0)
      return cove_error_set(err, errno, "link /dev/ptmx");
  }
  if (run->ctx->console_fd >= 0 && setup_console(run->ctx->console_fd, devfd, err) < 0)
    return -1;
  return 0;
}

int rootfs_bind_console(int console_fd, struct cove_error *err)
{
  /* the process's root is the container's: its /dev, never through an image symlink */
  _cleanup_close_ int devfd = open("/dev", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (devfd < 0)
    return cove_error_set(err, errno, "open /dev in the container");
  return setup_console(console_fd, devfd, err);
}
