/* rootfs.h: the container's filesystem, built inside its new mount namespace by the init process
 * before it execs: mounts, devices, masked/readonly paths, pivot_root, overlay rootfs, and the
 * safe in-rootfs path resolution every one of them uses.
 *
 * Dependencies: runtime/ (init.c, create.c for what the parent prepares) and runtime/criu/ call
 * this module; it calls only oci/ and common/ (its system calls through common/syscalls.h).
 * Inside (internal.h): rootfs.c orders the work over mounts.c, devices.c, masked.c, overlay.c,
 * pivot.c and procfs.c; mounts.c over cgroupfs.c and idmap.c; parent.c (what the parent opens),
 * restore.c and devnull.c beside them; all stand on label.c, resolve.c, mount_opts.c and
 * mountfd.c, the bottom layer.
 *
 * The init process (runtime/init.c) calls
 * these in this order:
 *   rootfs_setup()     after unshare/clone of the mount ns: propagation, rootfs bind (or overlay),
 *                      every config mount, /dev and its nodes, /dev/console, pivot_root (or
 *                      --no-pivot: MS_MOVE + chroot); afterwards "/" is the container's root.
 *   ... the init sets hostname, sysctls (via rootfs_open_procfs_file) ...
 *   rootfs_finalize()  masked paths, readonly paths, root.readonly.
 * Both run in the child: they must not allocate unboundedly nor leave anything on the host. */
#ifndef COVE_RUNTIME_ROOTFS_H
#define COVE_RUNTIME_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/oci.h"

struct rootfs_ctx {
  const struct oci_config *config;
  const char *bundle;    /* absolute bundle dir */
  const char *rootfs;    /* absolute root.path, resolved against the bundle */
  const char *state_dir; /* the container's state dir (for run.cove.rootfs.overlay=dir) */
  bool no_pivot;         /* --no-pivot */
  bool userns;           /* the init is in a new user namespace: bind devices instead of mknod */
  bool new_cgroupns;     /* a new cgroup namespace was asked for */
  int console_fd;        /* pty slave to bind on /dev/console, or -1 */
  /* From rootfs_prepare() in the parent, or NULL: the overlay=dir layer of a container with its
   * own user namespace, which only the host side may make. */
  const struct rootfs_prepared *prepared;
  /* With a user namespace, what only the parent (the host's root, outside it) can do, asked for
   * at the mount's turn (NULL: the init is on its own, as without a user namespace):
   * open_source   an O_PATH fd of the source of config mount `index` the init could not open
   *               itself (a 0700 directory on the way), resolved in the init's mount namespace
   *               as it is now, so a source an earlier mount made is found (runc's mount fds);
   * idmap_source  idmap the detached clone tree_fd of config mount `index` (MOUNT_ATTR_IDMAP
   *               wants CAP_SYS_ADMIN over the source filesystem's user namespace).
   * The parent side of both is rootfs_parent_open_source / rootfs_parent_idmap_source. */
  int (*open_source)(void *arg, size_t index, struct cove_error *err);
  int (*idmap_source)(void *arg, size_t index, int tree_fd, struct cove_error *err);
  void *parent_arg;
  /* Called once the mounts and /dev are made, right before pivot_root (the runtime runs the
   * prestart/createRuntime/createContainer hooks there); NULL for none. */
  int (*before_pivot)(void *arg, struct cove_error *err);
  void *before_pivot_arg;
};

int rootfs_setup(const struct rootfs_ctx *ctx, struct cove_error *err);
int rootfs_finalize(const struct rootfs_ctx *ctx, struct cove_error *err);

/* Validate the config's filesystem part (mount types/options, overlay annotations, device
 * entries) in the parent before anything is created, so bad input fails with nothing made. */
int rootfs_validate(const struct oci_config *config, const char *bundle, struct cove_error *err);

/* Open a file under a private, verified procfs instance (fsopen("proc") + fstatfs check) for
 * writing: sysctls, oom_score_adj, attr/... path is relative to /proc ("sys/net/ipv4/ip_forward").
 * Returns an fd or -1 with err set. */
int rootfs_open_procfs_file(const char *path, int flags, struct cove_error *err);

/* Resolve path inside the directory root_fd without ever leaving it (openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS, or the same by hand where openat2 is missing).  Returns an fd opened with
 * flags (O_PATH allowed) or -1 with err set. */
int rootfs_resolve(int root_fd, const char *path, int flags, struct cove_error *err);

/* Parent side, before the init is cloned (its fds must reach the init), for a container with a
 * user namespace: what only the host side can make.  For run.cove.rootfs.overlay=dir,
 * <state_dir>/rootfs-cow is made and owned by the container's root (the 0700 state dir itself
 * stays closed to it: the init reaches the layer through the fd), which rootfs_setup attaches.
 * *out is NULL when there is nothing to prepare; free with rootfs_prepared_free in both
 * processes. */
struct rootfs_prepared;
int rootfs_prepare(const struct oci_config *config, const char *bundle, const char *state_dir,
                   struct rootfs_prepared **out, struct cove_error *err);
void rootfs_prepared_free(struct rootfs_prepared *p);
/* The fds p holds (at most max of them into out; one at most, the overlay=dir layer): the init
 * keeps them through its fd sweep until rootfs_setup has attached them.  The fds the parent
 * sends at a mount's turn (rootfs_ctx.open_source) come after the sweep, and go once used. */
size_t rootfs_prepared_fds(const struct rootfs_prepared *p, int *out, size_t max);

/* Parent side, while the init `pid` sets up its rootfs (see rootfs_ctx.open_source): the source
 * of config mount `index` opened with the host's credentials, resolved inside the init's mount
 * namespace (through /proc/PID/root), as an O_PATH fd for the init.  Only bind mounts. */
int rootfs_parent_open_source(const struct oci_config *config, const char *bundle, pid_t pid,
                              size_t index, struct cove_error *err);
/* Parent side: idmap tree_fd, the init's detached clone of config mount `index`, with the
 * mount's uidMappings/gidMappings.  The kernel takes it only while detached. */
int rootfs_parent_idmap_source(const struct oci_config *config, size_t index, int tree_fd,
                               struct cove_error *err);

/* After rootfs_setup (the process's root is the container's): chdir to cwd resolved inside the
 * root, creating it (and any missing parent, also through a dangling in-image symlink, inside
 * the root) as runc does.  Never follows a magic link. */
int rootfs_chdir(const char *cwd, struct cove_error *err);

/* After rootfs_setup: bind console_fd (a pty slave of the container's own devpts, opened through
 * its /dev/ptmx as runc does) onto a /dev/console made fresh (CVE-2025-52565). */
int rootfs_bind_console(int console_fd, struct cove_error *err);

/* After rootfs_setup: stdio fds that are the host's /dev/null are reopened on the container's
 * /dev/null (checked to be char 1:3), as runc does: no host mount stays reachable through them,
 * and CRIU can checkpoint the process. */
int rootfs_reopen_dev_null(struct cove_error *err);

/* Before CRIU restores a checkpointed container into rootfs (it mounts everything itself): make
 * the mount points of config's mounts that are missing, inside the rootfs, as create would;
 * none under a tmpfs of the config (CRIU restores its content) nor for cgroup mounts. */
int rootfs_make_mountpoints(const struct oci_config *config, const char *bundle, const char *rootfs,
                            struct cove_error *err);

#endif
