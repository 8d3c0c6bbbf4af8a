/* internal.h: what the cgroups module shares between its files (not part of the contract).
 *
 * A container's cgroup is one relative path (`path`, always starting with '/') placed in every
 * hierarchy in use: the v2 leaf (`unified`: at `root` on a unified host, at `root`/unified on a
 * hybrid one) and, on hybrid and legacy hosts, one directory per mounted v1 hierarchy (`v1`).
 * Every directory is opened once (O_PATH) and written relative to that fd.
 *
 * The root directory is a field so unit tests can run the drivers against a fake tree in a
 * temporary directory (cgroup_create_at / cgroup_load with a "root" line). */
#ifndef COVE_CGROUPS_INTERNAL_H
#define COVE_CGROUPS_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "common/log.h"

#define CG_DEFAULT_ROOT "/sys/fs/cgroup"
#define CG_MAX_HIER 16

/* One hierarchy's directory of the container. */
struct cg_hier {
  char *name;        /* dir under root: "memory", "cpu,cpuacct", "systemd"; "unified" or "" for v2 */
  int fd;            /* O_PATH|O_DIRECTORY fd of the container's dir, -1 when absent */
  unsigned created;  /* trailing components of path that create made (destroy removes these) */
};

struct cg_driver;

struct cove_cgroup {
  enum cgroup_mode mode;
  char *root;               /* mount point of the cgroup tree, "/sys/fs/cgroup" */
  char *path;               /* "/cove/ID", normalised, no "." or ".." components */
  struct cg_hier unified;   /* v2 leaf; fd -1 when not in use (legacy) */
  struct cg_hier v1[CG_MAX_HIER];
  size_t v1_len;
  const struct cg_driver *driver;
  /* --systemd-cgroup: the container's unit (systemd.h); until the init is placed (the unit is
   * started by the first cgroup_enter) the resources to start it with, owned by the config */
  int leaf_fd; /* cgroup_clone_fd_of()'s, -1 until asked */
  struct cg_systemd *sd;
  const struct oci_resources *sd_res;
  const struct oci_device *sd_extra;
  size_t sd_extra_len;
  bool rootless;            /* the rootless manager (rootless.c) */
  bool devices_unenforced;  /* rootless: the device rules could not be applied (rootless.c) */
};

/* The driver interface: one implementation per host kind (v2.c, v1.c, hybrid.c). */
struct cg_driver {
  const char *name;
  /* create the directories (cg->path set, fds -1) */
  int (*create)(struct cove_cgroup *cg, struct cove_error *err);
  /* write linux.resources; `update` is true for `cove update` on a live container.
   * extra: linux.devices of the config (cg_dev_rules: it only replaces defaults it names). */
  int (*apply)(struct cove_cgroup *cg, const struct oci_resources *res, const struct oci_device *extra,
               size_t extra_len, bool update, struct cove_error *err);
  int (*enter)(struct cove_cgroup *cg, pid_t pid, const char *sub, struct cove_error *err);
  int (*freeze)(struct cove_cgroup *cg, bool frozen, struct cove_error *err);
  int (*is_frozen)(struct cove_cgroup *cg, bool *frozen, struct cove_error *err);
  int (*stats)(struct cove_cgroup *cg, struct cgroup_stats *st, struct cove_error *err);
};

extern const struct cg_driver cg_driver_v2;
extern const struct cg_driver cg_driver_v1;
extern const struct cg_driver cg_driver_hybrid;

/* Test and tool entry points: the same as the public ones with an explicit root and mode. */
int cgroup_detect_mode_at(const char *root, enum cgroup_mode *mode, struct cove_error *err);
/* v1_names: the v1 hierarchies under root (NULL: discovered with statfs; tests pass their fake
 * tree's names). */
int cgroup_create_at(const char *root, enum cgroup_mode mode, const char *const *v1_names,
                     const struct oci_config *config, const char *id, bool systemd_cgroup, struct cove_cgroup **out,
                     struct cove_error *err);

int cgroup_plan_at(const char *root, enum cgroup_mode mode, const char *const *v1_names,
                   const struct oci_config *config, const char *id, bool systemd_cgroup, struct cove_cgroup **out,
                   struct cove_error *err);
/* cgroup_plan_at for the rootless manager (rootless.c): rootless marks the cgroup (device rules
 * refused to the caller are then skipped), path (normalised) replaces the resolution of
 * cgroupsPath when not NULL. */
int cg_plan_at(const char *root, enum cgroup_mode mode, const char *const *v1_names, const struct oci_config *config,
               const char *id, bool systemd_cgroup, bool rootless, const char *path, struct cove_cgroup **out,
               struct cove_error *err);
/* rootless_rules.c: the first resource of res that needs a controller ("memory", ...), NULL for none;
 * a rootless v2 cgroupsPath (empty: "cove/ID", relative) below the parent of the caller's own
 * cgroup, an absolute one as it is. */
const char *cg_rootless_limit_asked(const struct oci_resources *res);
int cg_rootless_resolve_path(const char *cgroups_path, const char *id, char **out, struct cove_error *err);
/* A limit of res whose cgroup v2 controller is not in have (a cgroup.controllers line): true,
 * with *field the OCI area ("memory", "cpu.cpus", "unified") and ctrl the controller ("cpuset"). */
bool cg_rootless_missing_controller(const struct oci_resources *res, const char *have, const char **field,
                                    char *ctrl, size_t ctrl_len);
/* A device rule write that failed (err): true, with err released and cg->devices_unenforced set,
 * when the rootless manager may go on without it (an unprivileged caller's EPERM/EACCES, as
 * runc's rootless managers ignore them); the drivers call it, rootless.c then checks the config. */
static inline bool cg_rootless_devices_unenforced(struct cove_cgroup *cg, struct cove_error *err)
{
  if (!cg->rootless || (err->errnum != EPERM && err->errnum != EACCES))
    return false;
  cove_debug("rootless: device rules not applied (%s)", cove_error_msg(err));
  cove_error_release(err);
  cg->devices_unenforced = true;
  return true;
}
/* Without device rules a linux.devices node is the host's, open to what the host allows: each
 * must then be allowed (read and write) by the rules, or the config is refused naming it. */
int cg_rootless_check_devices(const struct oci_resources *res, const struct oci_device *devs, size_t n,
                              struct cove_error *err);

/* Resolve cgroupsPath to a normalised absolute path (heap).  NULL/"" gives "/cove/ID". */
int cgroup_resolve_path(const char *cgroups_path, const char *id, bool systemd_cgroup, char **out,
                        struct cove_error *err);

/* ---- file helpers (util.c) ---- */

/* Full path of file in hierarchy h, for messages: "/sys/fs/cgroup/memory/cove/x/memory.max". */
char *cg_file_path(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file);
/* Write value to file in h: errors read "set FILE to VALUE: write PATH: reason". */
int cg_write(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, const char *value,
             struct cove_error *err);
int cg_writef(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, struct cove_error *err,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Read a whole (small) file; trailing newline kept. */
int cg_read(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, char **out,
            struct cove_error *err);
/* A single number; "max" reads as UINT64_MAX. */
int cg_read_u64(const struct cove_cgroup *cg, const struct cg_hier *h, const char *file, uint64_t *out,
                struct cove_error *err);
/* "key value" lines: the value of key (flat-keyed files such as memory.stat, cpu.stat). */
int cg_kv_get(const char *text, const char *key, uint64_t *out);
bool cg_has_file(const struct cg_hier *h, const char *file);
/* Every pid in the cgroup.procs of h and its descendants, appended to *pids. */
int cg_collect_pids(const struct cove_cgroup *cg, const struct cg_hier *h, pid_t **pids, size_t *n, size_t *cap,
                    struct cove_error *err);
/* The v1 hierarchy holding controller ctrl ("memory"), or NULL. */
struct cg_hier *cg_v1_find(struct cove_cgroup *cg, const char *ctrl);
/* Open root/hier/path components, creating the missing ones (mode 0755).  Sets h->fd, h->created.
 * init_dir is called on every directory of the path, top-down, found or created (v1 cpuset:
 * one made by a concurrent create may not have its cpus/mems yet).
 * prepare_parent (v2: enable controllers) is called on a directory before its child is made:
 * on every ancestor with all_ancestors, else only on directories this call created. */
int cg_mkdir_path(struct cove_cgroup *cg, struct cg_hier *h,
                  int (*init_dir)(int parent_fd, int dir_fd, const char *path, struct cove_error *err),
                  void (*prepare_parent)(int dir_fd), bool all_ancestors, struct cove_error *err);
/* Write each linux.resources.rdma entry to h's rdma.max (the same format on v1 and v2). */
int cg_write_rdma(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_resources *res,
                  struct cove_error *err);
/* Remove the `created` trailing directories of the first `depth` components of path in h (undo
 * of a creation that failed half-way). */
void cg_undo_mkdirs(const struct cove_cgroup *cg, const struct cg_hier *h, size_t depth, unsigned created);
/* Open the container's dir (or a sub dir) of h for reading (O_RDONLY|O_DIRECTORY). */
int cg_open_dir(const struct cg_hier *h, const char *sub, struct cove_error *err);
/* Does h's leaf hold processes (cgroup.procs non-empty)? */
int cg_has_procs(const struct cove_cgroup *cg, const struct cg_hier *h, bool *has, struct cove_error *err);
/* Write pid to cgroup.procs of h (or its sub-cgroup sub). */
int cg_enter_hier(const struct cove_cgroup *cg, const struct cg_hier *h, pid_t pid, const char *sub,
                  struct cove_error *err);
/* Sub-cgroup names must stay below the container's dir. */
int cg_check_relative(const char *what, const char *name, bool allow_slash, struct cove_error *err);

/* ---- v1 and v2 pieces the hybrid driver composes ---- */
int cg_v2_create_hybrid_leaf(struct cove_cgroup *cg, struct cove_error *err);
int cg_v1_create(struct cove_cgroup *cg, struct cove_error *err);
int cg_v1_apply(struct cove_cgroup *cg, const struct oci_resources *res, const struct oci_device *extra,
                size_t extra_len, bool update, struct cove_error *err);
int cg_v1_enter(struct cove_cgroup *cg, pid_t pid, const char *sub, struct cove_error *err);
int cg_v1_freeze(struct cove_cgroup *cg, bool frozen, struct cove_error *err);
int cg_v1_is_frozen(struct cove_cgroup *cg, bool *frozen, struct cove_error *err);
int cg_v1_stats(struct cove_cgroup *cg, struct cgroup_stats *st, struct cove_error *err);
void cg_stats_read_raw(struct cgroup_stats *st, const char *text);

int cg_v2_freeze(struct cove_cgroup *cg, struct cg_hier *h, bool frozen, struct cove_error *err);
int cg_v2_is_frozen(struct cove_cgroup *cg, struct cg_hier *h, bool *frozen, struct cove_error *err);
int cg_v2_hugetlb(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_resources *res,
                  struct cove_error *err);
int cg_v2_unified(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_resources *res,
                  struct cove_error *err);
int cg_v2_stats_hugetlb(struct cove_cgroup *cg, struct cg_hier *h, struct cgroup_stats *st);
int cg_v1_stats_hugetlb(struct cove_cgroup *cg, struct cg_hier *h, struct cgroup_stats *st);
void cg_stats_add_hugetlb(struct cgroup_stats *st, const char *size, uint64_t usage, uint64_t max,
                          uint64_t failcnt);
void cg_stats_add_blkio(struct cgroup_blkio_entry **v, size_t *len, uint64_t major, uint64_t minor,
                        const char *op, uint64_t value);

/* ---- devices (devices.c, devices_bpf.c) ---- */

/* One device rule after defaults are added: type 'a', 'b' or 'c'; -1 major/minor = wildcard;
 * access bits CG_DEV_READ|WRITE|MKNOD. */
#define CG_DEV_MKNOD 1
#define CG_DEV_READ 2
#define CG_DEV_WRITE 4
struct cg_dev_rule {
  bool allow;
  char type;
  int64_t major;
  int64_t minor;
  unsigned access;
};
/* The rules of linux.resources.devices followed by runc's default allow list (mknod of any
 * node, null, random, full, tty, zero, urandom, pts, ptmx, tun); devs (linux.devices) only drops
 * a default whose node it names again, as runc.  Heap array. */
int cg_dev_rules(const struct oci_resources *res, const struct oci_device *devs, size_t devs_len,
                 struct cg_dev_rule **rules, size_t *n, struct cove_error *err);
/* v1 text "c 1:3 rwm" for a rule. */
void cg_dev_rule_v1(const struct cg_dev_rule *r, char *buf, size_t len);

struct bpf_insn;
/* Generate the BPF_PROG_TYPE_CGROUP_DEVICE program for rules (last matching rule wins; no match
 * denies).  Heap array of instructions. */
int cg_bpf_dev_program(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **insns, size_t *len,
                       struct cove_error *err);
/* Load the program and attach it to the cgroup dir dirfd (BPF_F_ALLOW_MULTI), replacing the
 * programs a previous call attached. */
int cg_bpf_dev_apply(const struct cove_cgroup *cg, const struct cg_hier *h, const struct cg_dev_rule *rules,
                     size_t n, struct cove_error *err);

/* ---- conversions (convert.c) ---- */
uint64_t cg_convert_shares_to_weight(uint64_t shares);
uint64_t cg_convert_blkio_weight_to_io_weight(uint64_t weight);
/* v2 memory.swap.max from the OCI swap (memory+swap) and limit: swap - limit, -1 = "max". */
int cg_convert_swap_to_v2(int64_t swap, int64_t limit, bool limit_set, int64_t *out, struct cove_error *err);
/* "max" or the decimal value (negative = max) into buf. */
void cg_fmt_limit(char *buf, size_t len, int64_t v);
/* cpu.max text from quota/period (either may be unset): "max 100000", "50000 100000". */
void cg_fmt_cpu_max(char *buf, size_t len, bool quota_set, int64_t quota, bool period_set, uint64_t period);

#endif
