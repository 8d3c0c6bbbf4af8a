/* internal.h: what the filesystem files (mounts, devices, pivot, masked paths, overlay,
 * procfs, resolution) share among themselves.  Nothing here is a contract with other modules:
 * that is runtime/rootfs/rootfs.h. */
#ifndef COVE_RUNTIME_ROOTFS_ROOTFS_INTERNAL_H
#define COVE_RUNTIME_ROOTFS_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/oci.h"
#include "runtime/rootfs/rootfs.h"

/* ---- mount_opts.c: the option table (pure logic, unit tested) ---- */

enum mount_opt_kind {
  MOPT_FLAG,        /* an MS_* flag set (or cleared) on this mount */
  MOPT_PROPAGATION, /* MS_SHARED/MS_PRIVATE/... possibly with MS_REC */
  MOPT_REC_ATTR,    /* a MOUNT_ATTR_* applied recursively with mount_setattr */
  MOPT_BIND,        /* bind / rbind */
  MOPT_TMPCOPYUP,
  MOPT_IDMAP,       /* idmap / ridmap */
};

struct mount_opt_def {
  const char *name;
  enum mount_opt_kind kind;
  bool clear;          /* MOPT_FLAG / MOPT_REC_ATTR: the option clears the flag */
  unsigned long flag;  /* MS_* */
  uint64_t attr;       /* MOUNT_ATTR_* for MOPT_REC_ATTR; the matching attr for MOPT_FLAG */
};

#define MOUNT_OPTS_MAX_PROPAGATION 4

struct mount_opts {
  unsigned long flags;       /* MS_* to set on the mount */
  unsigned long clear_flags; /* MS_* explicitly cleared (rw, suid, dev, exec, ...) */
  unsigned long propagation[MOUNT_OPTS_MAX_PROPAGATION]; /* applied in order after the mount */
  size_t propagation_len;
  uint64_t rec_attr_set; /* MOUNT_ATTR_* set recursively (rro, rnosuid, ...) */
  uint64_t rec_attr_clr;
  bool bind;
  bool recursive; /* rbind */
  bool tmpcopyup;
  bool idmap;
  bool recursive_idmap;
  char *data; /* the options the kernel parses (mode=755,size=64k), comma-joined; NULL if none */
};

/* Look an option up; NULL when it is a data option for the filesystem. */
const struct mount_opt_def *mount_opt_lookup(const char *name);
/* Parse a mount's option list.  Never fails on unknown names (they are filesystem data), only
 * on conflicting propagation counts. */
int mount_opts_parse(char *const *options, size_t len, struct mount_opts *out, struct cove_error *err);
void mount_opts_free(struct mount_opts *o);
/* MS_* per-mount flags -> MOUNT_ATTR_* (ro, nosuid, nodev, noexec, atime modes, nodiratime). */
uint64_t mount_flags_to_attr(unsigned long flags, uint64_t *atime_clear);
/* "rshared" -> MS_SHARED|MS_REC; 0 when unknown. */
unsigned long mount_propagation_parse(const char *s);

/* ---- path helpers (pure) ---- */

/* Lexically clean an in-rootfs path: collapse "//" and ".", keep ".." (resolution clamps it),
 * drop the leading "/".  Returns a heap string ("" for the root). */
char *rootfs_path_clean(const char *path);
/* The last component of a cleaned path and its parent (heap strings; parent "" for the root). */
int rootfs_path_split(const char *clean, char **parent, char **base);
/* rootfs_path_clean with ".." taken back lexically, clamped at the root ("a/../../b" -> "b"):
 * where a path names before any symlink is followed. */
char *rootfs_path_normalize(const char *path);
/* path (absolute, on the host) relative to dir when it lies in it, lexically: a heap string,
 * "" for dir itself; NULL when it is elsewhere. */
char *rootfs_path_within(const char *path, const char *dir);
/* A statfs f_type by name ("ext4", "procfs"...), "filesystem 0x..." (in buf) otherwise. */
const char *rootfs_fs_name(long type, char *buf, size_t len);

/* ---- resolve.c ---- */

/* Resolve path in root_fd, creating what is missing: directories for every component, and the
 * last one as a directory (want_dir) or an empty file.  Returns an O_PATH fd of the target. */
int rootfs_mkpath(int root_fd, const char *path, bool want_dir, mode_t mode, struct cove_error *err);
/* Resolve the parent of path (creating directories) and return its fd plus the last component. */
int rootfs_resolve_parent(int root_fd, const char *path, bool create, char **base,
                          struct cove_error *err);

/* ---- mounts.c ---- */

struct rootfs_deferred_ro {
  int fd;           /* the tmpfs mount (O_PATH of its root) */
  const char *dest; /* its destination, for errors */
};

struct rootfs_run {
  const struct rootfs_ctx *ctx;
  int root_fd;        /* the container's root (O_PATH), in the new mount */
  bool dev_is_bound;  /* /dev is a bind mount from the host (or the devtmpfs): leave its nodes alone */
  bool dev_mounted;   /* a config mount provides /dev */
  bool proc_mounted;  /* a config mount is on /proc: checked again once all are made */
  bool sys_mounted;   /* the same for /sys */
  /* read-only tmpfs mounts made writable until everything under them is made (one slot per
   * config mount) */
  struct rootfs_deferred_ro *deferred_ro;
  size_t deferred_ro_len;
};

/* Do one config mount. */
int rootfs_do_mount(struct rootfs_run *run, const struct oci_mount *m, struct cove_error *err);
/* Make the read-only tmpfs mounts read-only now (after the last mount, before pivot_root). */
int rootfs_apply_deferred_ro(struct rootfs_run *run, struct cove_error *err);

/* ---- label.c: linux.mountLabel (pure, unit tested by test_lsm.c) ---- */
/* Whether a mount of type gets the label, and its data with `context="LABEL"` appended (*out
 * NULL: no label, keep data). */
bool lsm_mount_takes_label(const char *type, bool bind);
int lsm_format_mount_label(const char *data, const char *label, char **out, struct cove_error *err);
/* Both at once for a mount of config c. */
int lsm_mount_data(const struct oci_config *c, const char *type, bool bind, const char *data, char **out,
                   struct cove_error *err);

/* ---- mountfd.c: mount primitives on fds (the bottom layer: calls no other file here) ---- */
/* Attach a detached mount (open_tree/fsmount fd) onto target_fd. */
int rootfs_move_mount(int mnt_fd, int target_fd, struct cove_error *err);
/* Bind a host path (or an fd when src_fd >= 0) onto target_fd with the given attributes. */
int rootfs_bind(const char *src, int src_fd, int target_fd, bool recursive, uint64_t attr_set,
                uint64_t attr_clr, struct cove_error *err);
/* Set MOUNT_ATTR_* and a propagation (MS_SHARED...) on the mount mnt_fd is the root of. */
int rootfs_set_attr(int mnt_fd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation,
                    struct cove_error *err);
/* The MS_* flags a bind remount of fd's mount must repeat to change nothing but what it asks
 * (before 5.12, where mount_setattr is missing): the mount's own, locked or not. */
unsigned long rootfs_remount_flags(int fd);
/* "/proc/self/fd/N" into buf. */
const char *rootfs_fd_path(int fd, char *buf, size_t len);

/* ---- idmap.c: idmapped mounts ---- */
bool rootfs_mount_is_idmapped(const struct oci_mount *m, const struct mount_opts *o);
/* Idmap the detached mount tree (a clone of src, named in errors) with the mount's mappings,
 * recursively for ridmap/rbind. */
int rootfs_idmap_apply(int tree, const struct oci_mount *m, const struct mount_opts *o,
                       const char *src, struct cove_error *err);

/* ---- parent.c: what the parent makes or opens for the init ---- */
struct rootfs_prepared {
  int cow_fd; /* a detached bind of <state dir>/rootfs-cow for overlay=dir, or -1 */
};

/* ---- cgroupfs.c ---- */
int rootfs_mount_cgroup(struct rootfs_run *run, const struct oci_mount *m, int target_fd,
                        const struct mount_opts *o, struct cove_error *err);

/* ---- idmap.c ---- */
/* A user namespace fd whose maps are the given mappings (for MOUNT_ATTR_IDMAP). */
int rootfs_idmap_userns(const struct oci_mount *m, struct cove_error *err);

/* ---- devices.c ---- */
int rootfs_setup_dev(struct rootfs_run *run, struct cove_error *err);
int rootfs_devices_validate(const struct oci_config *config, struct cove_error *err);

/* ---- pivot.c ---- */
int rootfs_pivot(const struct rootfs_ctx *ctx, int root_fd, struct cove_error *err);

/* ---- masked.c ---- */
int rootfs_mask_paths(const struct oci_config *config, int root_fd, struct cove_error *err);
int rootfs_readonly_paths(const struct oci_config *config, int root_fd, struct cove_error *err);

/* ---- overlay.c ---- */
struct rootfs_overlay_req {
  int mode;     /* 0 none, 1 tmpfs, 2 dir */
  char *size;   /* tmpfs size ("64m") or NULL */
  char **layers; /* NULL-terminated extra lower dirs, topmost first, or NULL */
};
int rootfs_overlay_parse(const struct oci_config *config, const char *bundle,
                         struct rootfs_overlay_req *out, struct cove_error *err);
void rootfs_overlay_req_free(struct rootfs_overlay_req *r);
/* Mount the copy-on-write root over ctx->rootfs (in the container's mount ns). */
int rootfs_overlay_root(const struct rootfs_ctx *ctx, const struct rootfs_overlay_req *req,
                        struct cove_error *err);
/* The string for overlay's lowerdir/upperdir: escapes ',' ':' and '\'. */
char *rootfs_overlay_escape(const char *path);

/* ---- procfs.c ---- */
/* A detached, private procfs (fsopen) checked to be procfs; -1 with err set. */
int rootfs_procfs_open(struct cove_error *err);
int rootfs_procfs_openat(int proc_fd, const char *path, int flags, struct cove_error *err);
/* fstatfs check: the fd lives on a real procfs (CVE-2019-16884, CVE-2025-52881). */
int rootfs_check_procfs(int fd, const char *what, struct cove_error *err);

/* What may be mounted on /proc and /sys (CVE-2019-19921, CVE-2023-27561; runc's
 * checkProcMount): on /proc only procfs (a fresh one, or a bind whose source is procfs); under
 * it only a bind of a regular file onto the entries lxcfs-style tools replace (cpuinfo,
 * meminfo, ...); nothing onto any other procfs file; on /sys only sysfs. */
enum rootfs_mount_kind {
  ROOTFS_MOUNT_OTHER = 0,
  ROOTFS_MOUNT_PROC, /* the mount goes on /proc: what is there afterwards must be procfs */
  ROOTFS_MOUNT_SYS,  /* on /sys: sysfs */
};
struct rootfs_mount_use {
  const char *dest;           /* as the config writes it */
  const char *type;           /* the config's type, or NULL */
  bool bind;
  bool remount;               /* changes flags only: never checked */
  int src_fd;                 /* a bind's source, or -1 */
  const struct stat *src_st;  /* fstat of src_fd */
};
/* With root_fd < 0 the destination as written (".." taken lexically), before anything is
 * created; else target_fd, where it resolved inside root_fd.  Returns the kind or -1. */
int rootfs_check_mount_path(const struct rootfs_mount_use *u, int root_fd, int target_fd,
                            struct cove_error *err);
/* After the mount: top_fd (the mount now on the destination) is procfs / sysfs for the kind. */
int rootfs_check_mounted(int top_fd, enum rootfs_mount_kind kind, struct cove_error *err);

#endif
