/* mounts.c: one config.json mount at a time (bind, proc, sysfs, tmpfs, devpts, mqueue, overlay,
 * any filesystem by name), always onto an fd resolved inside the rootfs, never onto a path the
 * kernel would walk from the host's root.  Bind mounts are cloned with open_tree and given their
 * attributes (ro, nosuid, recursive rro..., idmap) with mount_setattr while still detached, then
 * attached with move_mount onto the target fd; filesystems are mounted onto /proc/self/fd/N of
 * the target fd (the host's procfs, before pivot_root), as the kernel parses their data options
 * there exactly as mount(8) would.  cgroup mounts live in cgroupfs.c, the fd primitives in
 * mountfd.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/rootfs/internal.h"

#define COPYUP_MAX_DEPTH 64

/* ---- tmpcopyup: copy what the image had under a tmpfs target into the fresh tmpfs ---- */

static int copy_file(int sfd, int dfd)
{
  for (;;) {
    ssize_t n = copy_file_range(sfd, NULL, dfd, NULL, 1 << 30, 0);
    if (n == 0)
      return 0;
    if (n > 0)
      continue;
    if (errno != EXDEV && errno != ENOSYS && errno != EINVAL)
      return -1;
    break;
  }
  for (;;) {
    ssize_t n = sendfile(dfd, sfd, NULL, 1 << 30);
    if (n == 0)
      return 0;
    if (n < 0)
      return -1;
  }
}

static void copy_meta(int dst_dir, const char *name, const struct stat *st)
{
  /* best effort: the copy stays usable if ownership cannot be kept */
  (void) !fchownat(dst_dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
  if (!S_ISLNK(st->st_mode))
    (void) !fchmodat(dst_dir, name, st->st_mode & 07777, 0);
  struct timespec ts[2] = {st->st_atim, st->st_mtim};
  (void) !utimensat(dst_dir, name, ts, AT_SYMLINK_NOFOLLOW);
}

/* Symlinks are copied as links, never followed: an image's /run -> /etc link cannot make us read
 * (or write) a host file. */
static int copy_tree(int src, int dst, int depth, struct cove_error *err)
{
  if (depth > COPYUP_MAX_DEPTH)
    return cove_error_set(err, ELOOP, "tmpcopyup: tree deeper than %d", COPYUP_MAX_DEPTH);
  int dfd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return cove_error_set(err, errno, "tmpcopyup: open source");
  DIR *d = fdopendir(dfd);
  if (!d) {
    close(dfd);
    return cove_error_set(err, errno, "tmpcopyup: read source");
  }
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (errno = 0, de = readdir(d))) {
    const char *n = de->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(src, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      ret = cove_error_set(err, errno, "tmpcopyup: stat %s", n);
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(dst, n, 0700) < 0 && errno != EEXIST) {
        ret = cove_error_set(err, errno, "tmpcopyup: mkdir %s", n);
        break;
      }
      _cleanup_close_ int s2 = openat(src, n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int d2 = openat(dst, n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (s2 < 0 || d2 < 0) {
        ret = cove_error_set(err, errno, "tmpcopyup: open %s", n);
        break;
      }
      ret = copy_tree(s2, d2, depth + 1, err);
    } else if (S_ISREG(st.st_mode)) {
      _cleanup_close_ int s2 = openat(src, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      _cleanup_close_ int d2 = openat(dst, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (s2 < 0 || d2 < 0 || copy_file(s2, d2) < 0)
        ret = cove_error_set(err, errno, "tmpcopyup: copy %s", n);
    } else if (S_ISLNK(st.st_mode)) {
      char t[PATH_MAX];
      ssize_t l = readlinkat(src, n, t, sizeof(t) - 1);
      if (l < 0 || (t[l] = '\0', symlinkat(t, dst, n) < 0))
        ret = cove_error_set(err, errno, "tmpcopyup: copy link %s", n);
    } else if (mknodat(dst, n, st.st_mode, st.st_rdev) < 0) {
      ret = cove_error_set(err, errno, "tmpcopyup: copy node %s", n);
    }
    if (ret == 0)
      copy_meta(dst, n, &st);
  }
  if (ret == 0 && errno)
    ret = cove_error_set(err, errno, "tmpcopyup: read source");
  closedir(d);
  return ret;
}

/* ---- the mount itself ---- */

static bool is_type(const struct oci_mount *m, const char *t)
{
  return m->type && strcmp(m->type, t) == 0;
}

static char *resolve_source(const struct rootfs_ctx *ctx, const char *src)
{
  if (!src || src[0] == '/' || !ctx->bundle)
    return xstrdup(src ? src : "none");
  return xasprintf("%s/%s", ctx->bundle, src);
}

static size_t mount_index(const struct rootfs_ctx *ctx, const struct oci_mount *m)
{
  return (size_t) (m - ctx->config->mounts);
}

/* The source of a bind mount, opened now that the earlier mounts are made (one may have made
 * it).  One inside the rootfs is resolved inside it, as a destination is: a symlink in the
 * image must not turn a bind of the container's own directory into one of a host file.  A
 * mapped root may not reach it (a 0700 directory on the way): the parent, the host's root,
 * opens it in our mount namespace then, the same way. */
static int open_source(struct rootfs_run *run, const struct oci_mount *m, const char *src,
                       struct cove_error *err)
{
  const struct rootfs_ctx *ctx = run->ctx;
  _cleanup_free_ char *rel = rootfs_path_within(src, ctx->rootfs);
  int fd;
  if (rel) {
    struct cove_error e = COVE_ERROR_INIT;
    fd = rootfs_resolve(run->root_fd, rel, O_PATH, &e);
    errno = e.errnum;
    cove_error_release(&e);
  } else {
    fd = open(src, O_PATH | O_CLOEXEC);
  }
  if (fd >= 0)
    return fd;
  int e = errno;
  if ((e == EACCES || e == EPERM) && ctx->userns && ctx->open_source)
    return ctx->open_source(ctx->parent_arg, mount_index(ctx, m), err);
  return cove_error_set(err, e, "source %s", src);
}

/* The flags a bind mount gets when any per-mount flag is given: exactly those, as
 * `mount --bind -o` means (runc's rule), so a read-only source without "ro" turns rw.  With no
 * flag at all the source's own are kept.  The atime mode is only changed when asked for. */
#define IMPLIED_CLEAR (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | \
                       MOUNT_ATTR_NOSYMFOLLOW)

static int bind_flags(int tree, const char *src, const struct mount_opts *o, struct cove_error *err)
{
  uint64_t atime_clr = 0;
  uint64_t set = mount_flags_to_attr(o->flags, &atime_clr);
  uint64_t clr = mount_flags_to_attr(o->clear_flags, &(uint64_t) {0}) | atime_clr;
  clr &= ~set | MOUNT_ATTR__ATIME;
  uint64_t implied = (o->flags & ~MS_REMOUNT) || o->clear_flags ? IMPLIED_CLEAR & ~set & ~clr : 0;
  struct cove_error e = COVE_ERROR_INIT;
  if (rootfs_set_attr(tree, false, set, clr | implied, 0, &e) == 0)
    return 0;
  if (e.errnum == EPERM && implied) {
    /* a user namespace locks the flags the host's mount has (ro, nosuid...): keep them, as runc
     * does, and clear only what was asked for */
    cove_error_release(&e);
    if (rootfs_set_attr(tree, false, set, clr, 0, &e) == 0)
      return 0;
  }
  struct statvfs sv;
  if (e.errnum == EPERM && (clr & MOUNT_ATTR_RDONLY) && fstatvfs(tree, &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
    cove_error_release(&e);
    return cove_error_set(err, 0, "%s is read-only and the user namespace has it locked: rw cannot be had",
                          src);
  }
  *err = e;
  return -1;
}

static int do_bind(struct rootfs_run *run, const struct oci_mount *m, const char *src, int src_fd,
                   int target_fd, const struct mount_opts *o, struct cove_error *err)
{
  const struct rootfs_ctx *ctx = run->ctx;
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (o->recursive ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree = sys_open_tree(src_fd, "", flags);
  if (tree < 0)
    return sys_fail(err, errno, SYS_F_OPEN_TREE, "clone source %s", src);
  if (rootfs_mount_is_idmapped(m, o)) {
    /* in a user namespace only the host side may idmap (CAP_SYS_ADMIN over the source's
     * filesystem); the clone is detached, which is all the kernel asks of it */
    int r;
    if (!ctx->userns)
      r = rootfs_idmap_apply(tree, m, o, src, err);
    else if (ctx->idmap_source)
      r = ctx->idmap_source(ctx->parent_arg, mount_index(ctx, m), tree, err);
    else
      r = cove_error_set(err, EPERM, "idmap %s: in a user namespace only the parent can", src);
    if (r < 0)
      return -1;
  }
  if (o->rec_attr_set || o->rec_attr_clr) {
    struct mount_attr a = {.attr_set = o->rec_attr_set, .attr_clr = o->rec_attr_clr};
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
      return sys_fail(err, errno, SYS_F_MOUNT_SETATTR, "set recursive attributes on %s", src);
  }
  if (rootfs_move_mount(tree, target_fd, err) < 0)
    return -1;
  /* ro/nosuid/... apply to the top mount only, as runc and crun do (rro is the recursive one) */
  if (bind_flags(tree, src, o, err) < 0)
    return -1;
  /* The clone is a slave of the host's mount (/ was made rslave): without a propagation option
   * it becomes rprivate, so host mounts under the source do not show up unasked */
  if (!o->propagation_len && rootfs_set_attr(tree, true, 0, 0, MS_PRIVATE, err) < 0)
    return -1;
  for (size_t i = 0; i < o->propagation_len; i++) {
    unsigned long p = o->propagation[i];
    if (rootfs_set_attr(tree, p & MS_REC, 0, 0, p & ~MS_REC, err) < 0)
      return -1;
  }
  return 0;
}

static bool is_root_dest(const char *d)
{
  for (; *d; d++)
    if (*d != '/' && *d != '.')
      return false;
  return true;
}

/* Reopen the mount just stacked on dest (the old target fd still names what is under it). */
static int reopen_top(struct rootfs_run *run, const struct oci_mount *m, struct cove_error *err)
{
  if (is_root_dest(m->destination)) {
    int fd = open(run->ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fd >= 0 ? fd : cove_error_set(err, errno, "reopen rootfs %s", run->ctx->rootfs);
  }
  return rootfs_resolve(run->root_fd, m->destination, O_PATH | O_DIRECTORY, err);
}

static int do_fs_mount(struct rootfs_run *run, const struct oci_mount *m, const char *src,
                       int target_fd, const struct mount_opts *o, int *top_out, struct cove_error *err)
{
  char p[64];
  const char *type = m->type ? m->type : "none";
  _cleanup_close_ int old_dir = -1;
  if (o->tmpcopyup) {
    old_dir = openat(target_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (old_dir < 0)
      return cove_error_set(err, errno, "tmpcopyup: open target");
  }
  /* linux.mountLabel: a context= option, on the filesystems runc gives it to */
  _cleanup_free_ char *labelled = NULL;
  if (lsm_mount_data(run->ctx->config, m->type, false, o->data, &labelled, err) < 0)
    return -1;
  if (mount(src, rootfs_fd_path(target_fd, p, sizeof(p)), type, o->flags, labelled ? labelled : o->data) < 0) {
    int e = errno;
    if ((e == EPERM || e == EBUSY) && run->ctx->userns &&
        (is_type(m, "sysfs") || is_type(m, "mqueue"))) {
      /* sysfs needs the user namespace to own the network namespace, mqueue the IPC one: show
       * the host's, with the flags asked for, like runc does for rootless containers */
      uint64_t atime_clr = 0;
      uint64_t set = mount_flags_to_attr(o->flags, &atime_clr);
      if (rootfs_bind(is_type(m, "sysfs") ? "/sys" : "/dev/mqueue", -1, target_fd,
                      is_type(m, "sysfs"), set, atime_clr, err) < 0)
        return -1;
      if (top_out && (*top_out = reopen_top(run, m, err)) < 0)
        return -1;
      return 0;
    }
    return cove_error_set(err, e, "mount %s", type);
  }
  if (!top_out && !o->tmpcopyup && !o->propagation_len && !o->rec_attr_set && !o->rec_attr_clr)
    return 0;
  _cleanup_close_ int top = reopen_top(run, m, err);
  if (top < 0)
    return -1;
  if (o->tmpcopyup) {
    struct stat st;
    if (fstat(old_dir, &st) == 0) {
      (void) !fchownat(top, "", st.st_uid, st.st_gid, AT_EMPTY_PATH);
      (void) !chmod(rootfs_fd_path(top, p, sizeof(p)), st.st_mode & 07777);
    }
    if (copy_tree(old_dir, top, 0, err) < 0)
      return -1;
  }
  if (rootfs_set_attr(top, true, o->rec_attr_set, o->rec_attr_clr, 0, err) < 0)
    return -1;
  for (size_t i = 0; i < o->propagation_len; i++) {
    unsigned long pr = o->propagation[i];
    if (rootfs_set_attr(top, pr & MS_REC, 0, 0, pr & ~MS_REC, err) < 0)
      return -1;
  }
  if (top_out)
    *top_out = steal_fd(top);
  return 0;
}

static bool dest_is(const char *d, const char *want)
{
  _cleanup_free_ char *c = rootfs_path_clean(d);
  return strcmp(c, want) == 0;
}

/* CVE-2019-19921: a /proc or /sys that is a symlink in the image would let a later mount land
 * on the real procfs; refuse rather than follow.  -1 with ENOENT in err when it is missing. */
static int open_fs_target(struct rootfs_run *run, const struct oci_mount *m, struct cove_error *err)
{
  int fd = rootfs_resolve(run->root_fd, m->destination, O_PATH | O_NOFOLLOW, err);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) < 0) {
    close(fd);
    return cove_error_set(err, errno, "stat %s", m->destination);
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    close(fd);
    return cove_error_set(err, S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR, "resolve %s in rootfs%s",
                          m->destination, S_ISLNK(st.st_mode) ? ": it is a symlink" : "");
  }
  return fd;
}

static int mount_one(struct rootfs_run *run, const struct oci_mount *m, struct cove_error *err)
{
  _cleanup_(mount_opts_free) struct mount_opts o;
  if (mount_opts_parse(m->options, m->options_len, &o, err) < 0)
    return -1;
  const bool bind = o.bind || is_type(m, "bind");
  const bool remount = o.flags & MS_REMOUNT;
  _cleanup_free_ char *src = bind ? resolve_source(run->ctx, m->source) : xstrdup(m->source ? m->source : "none");

  if (is_root_dest(m->destination)) {
    /* a mount on "/" (an overlay root): stack it on the rootfs and carry on from its top */
    if (bind)
      return cove_error_set(err, EINVAL, "a bind mount onto / is not supported: use root.path");
    int nfd = -1;
    if (do_fs_mount(run, m, src, run->root_fd, &o, &nfd, err) < 0)
      return -1;
    close(run->root_fd);
    run->root_fd = nfd;
    return 0;
  }

  _cleanup_close_ int src_fd = -1;
  struct stat src_st = {.st_mode = S_IFDIR};
  if (bind && !remount) {
    src_fd = open_source(run, m, src, err);
    if (src_fd < 0)
      return -1;
    if (fstat(src_fd, &src_st) < 0)
      return cove_error_set(err, errno, "stat source %s", src);
  }
  const struct rootfs_mount_use use = {.dest = m->destination,
                                       .type = m->type,
                                       .bind = bind,
                                       .remount = remount,
                                       .src_fd = src_fd,
                                       .src_st = &src_st};
  /* what may go on /proc and /sys, judged on the path as written before anything is created,
   * then on where the destination really leads */
  if (rootfs_check_mount_path(&use, -1, -1, err) < 0)
    return -1;
  const bool want_dir = S_ISDIR(src_st.st_mode);
  _cleanup_close_ int target = -1;
  if (is_type(m, "proc") || is_type(m, "sysfs")) {
    struct cove_error e = COVE_ERROR_INIT;
    target = open_fs_target(run, m, &e);
    if (target < 0 && e.errnum != ENOENT) {
      *err = e;
      return -1;
    }
    cove_error_release(&e);
  }
  if (target < 0)
    target = rootfs_mkpath(run->root_fd, m->destination, want_dir, want_dir ? 0755 : 0644, err);
  if (target < 0)
    return -1;
  int kind = rootfs_check_mount_path(&use, run->root_fd, target, err);
  if (kind < 0)
    return -1;
  run->proc_mounted |= kind == ROOTFS_MOUNT_PROC;
  run->sys_mounted |= kind == ROOTFS_MOUNT_SYS;

  if (bind && remount) {
    /* "bind,remount,ro": change the flags of what is already mounted there */
    uint64_t atime_clr = 0;
    uint64_t set = mount_flags_to_attr(o.flags, &atime_clr);
    uint64_t clr = mount_flags_to_attr(o.clear_flags, &(uint64_t) {0}) | atime_clr;
    if (rootfs_set_attr(target, false, set, clr & (~set | MOUNT_ATTR__ATIME), 0, err) < 0)
      return -1;
    return rootfs_set_attr(target, true, o.rec_attr_set, o.rec_attr_clr, 0, err);
  }
  if (bind)
    return do_bind(run, m, src, src_fd, target, &o, err);
  if ((is_type(m, "cgroup") || is_type(m, "cgroup2")) && !remount)
    return rootfs_mount_cgroup(run, m, target, &o, err);
  /* a read-only tmpfs (or /dev) turns read-only once what goes in or under it is made: the
   * copied-up files, later mounts, /dev's nodes (runc does the same) */
  const bool dev = dest_is(m->destination, "dev");
  const bool defer_ro = !remount && (o.flags & MS_RDONLY) && (dev || is_type(m, "tmpfs"));
  if (defer_ro)
    o.flags &= ~MS_RDONLY;
  const bool need_top = kind != ROOTFS_MOUNT_OTHER || (defer_ro && !dev);
  int top = -1;
  if (do_fs_mount(run, m, src, target, &o, need_top ? &top : NULL, err) < 0)
    return -1;
  if (kind != ROOTFS_MOUNT_OTHER && rootfs_check_mounted(top, (enum rootfs_mount_kind) kind, err) < 0) {
    close(top);
    return -1;
  }
  if (defer_ro && !dev) {
    run->deferred_ro[run->deferred_ro_len++] = (struct rootfs_deferred_ro){top, m->destination};
    return 0;
  }
  if (top >= 0)
    close(top);
  return 0;
}

int rootfs_do_mount(struct rootfs_run *run, const struct oci_mount *m, struct cove_error *err)
{
  if (!m->destination)
    return cove_error_set(err, EINVAL, "mount without a destination");
  if (mount_one(run, m, err) < 0)
    return cove_error_wrap(err, "mount %s on %s", m->type ? m->type : (m->source ? m->source : "none"),
                           m->destination);
  if (dest_is(m->destination, "dev")) {
    run->dev_mounted = true;
    struct mount_opts o;
    struct cove_error e = COVE_ERROR_INIT;
    if (mount_opts_parse(m->options, m->options_len, &o, &e) == 0)
      run->dev_is_bound = o.bind || is_type(m, "bind") || is_type(m, "devtmpfs");
    mount_opts_free(&o);
    cove_error_release(&e);
  }
  return 0;
}

int rootfs_apply_deferred_ro(struct rootfs_run *run, struct cove_error *err)
{
  for (size_t i = 0; i < run->deferred_ro_len; i++)
    if (rootfs_set_attr(run->deferred_ro[i].fd, false, MOUNT_ATTR_RDONLY, 0, 0, err) < 0)
      return cove_error_wrap(err, "make the tmpfs on %s read-only", run->deferred_ro[i].dest);
  return 0;
}
