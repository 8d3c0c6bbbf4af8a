/* cgroups.h: the cgroup driver interface (v2 unified, v1 legacy, hybrid).
 *
 * runtime/ uses only this header.  The driver is picked at run time from what is mounted at
 * /sys/fs/cgroup.  A container's cgroup is created before its init runs, receives the init
 * (CLONE_INTO_CGROUP on v2 where the kernel allows, else an explicit write), and is destroyed by
 * delete.  Its description is stored in the container's state dir so later commands (kill --all,
 * delete, pause, ps, events, update) reopen the same directories without scanning mountinfo.
 *
 * Dependencies: runtime/ (and runtime/criu/) call this module; it calls only common/.  Inside
 * (internal.h), cgroups.c dispatches to the drivers: hybrid.c over v1.c and v2.c (v1.c borrows
 * from v2.c); they stand on convert.c, devices.c, devices_bpf.c and util.c. */
#ifndef COVE_CGROUPS_CGROUPS_H
#define COVE_CGROUPS_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/oci.h"

enum cgroup_mode { CGROUP_MODE_UNIFIED, CGROUP_MODE_HYBRID, CGROUP_MODE_LEGACY };

struct cove_cgroup; /* opaque */

/* What is mounted at /sys/fs/cgroup (statfs, no mountinfo parsing). */
int cgroup_detect_mode(enum cgroup_mode *mode, struct cove_error *err);

/* Resolve linux.cgroupsPath (absolute, relative, or systemd "slice:prefix:name" with
 * systemd_cgroup) or the default for id, create the directories in every hierarchy in use, and
 * apply config's linux.resources (NULL resources: none).  Fails if the cgroup already exists
 * with processes in it. */
int cgroup_create(const struct oci_config *config, const char *id, bool systemd_cgroup,
                  struct cove_cgroup **out, struct cove_error *err);

/* cgroup_create() in two steps, so that what will be made is recorded before it is made (a
 * `create` killed half-way leaves nothing `delete` cannot find): cgroup_plan() resolves the
 * path and hierarchies and counts the directories that are missing, without touching the host
 * (cgroup_serialize() of the plan names them); cgroup_make() creates them and applies the
 * resources, removing what it made on failure. */
int cgroup_plan(const struct oci_config *config, const char *id, bool systemd_cgroup, struct cove_cgroup **out,
                struct cove_error *err);
int cgroup_make(struct cove_cgroup *cg, const struct oci_config *config, struct cove_error *err);

/* cgroup_plan and cgroup_make for a rootless caller (runc's rootless manager, cgroups/rootless.c):
 * the plan's v2 path is below the parent of the caller's own cgroup; cgroup_make_rootless frees
 * *cg and sets it NULL, with the result 0, when no cgroup may be made and the config asks for no
 * limits and no cgroupsPath (the caller records that); device rules refused to the caller are
 * skipped (and a linux.devices node they would keep closed refused). */
int cgroup_plan_rootless(const struct oci_config *config, const char *id, bool systemd_cgroup,
                         struct cove_cgroup **out, struct cove_error *err);
int cgroup_make_rootless(struct cove_cgroup **cg, const struct oci_config *config, bool systemd_cgroup,
                         struct cove_error *err);

/* An O_PATH|O_DIRECTORY fd of the v2 leaf for clone3(CLONE_INTO_CGROUP), or -1 when the init
 * must be placed with cgroup_enter() after clone.  Owned by cg. */
int cgroup_clone_fd(struct cove_cgroup *cg);

/* The v2 cgroup process pid is in, when that lies inside the container's cgroup (an
 * O_PATH|O_DIRECTORY fd owned by cg), or -1: the leaf `exec` joins instead when the container's
 * own cgroup takes no process because controllers are enabled below it (systemd in a system
 * container moved itself to init.scope), as runc joins the init's cgroup. */
int cgroup_clone_fd_of(struct cove_cgroup *cg, pid_t pid);

/* Place pid in every hierarchy of the container (sub: a sub-cgroup for `exec --cgroup`, or NULL). */
int cgroup_enter(struct cove_cgroup *cg, pid_t pid, const char *sub, struct cove_error *err);

/* Apply (again) a resources object: `update` calls this on a live container. */
int cgroup_update(struct cove_cgroup *cg, const struct oci_resources *res, struct cove_error *err);

/* The text to store in the state dir, and its inverse.  Heap string. */
char *cgroup_serialize(const struct cove_cgroup *cg);
int cgroup_load(const char *serialized, struct cove_cgroup **out, struct cove_error *err);

/* Every pid in the container's cgroup (recursively), heap array. */
int cgroup_pids(struct cove_cgroup *cg, pid_t **pids, size_t *n, struct cove_error *err);

/* Signal every process (v2 cgroup.kill for SIGKILL where present, else a loop over the pids). */
int cgroup_kill_all(struct cove_cgroup *cg, int sig, struct cove_error *err);

/* Freeze / thaw, waiting until the kernel reports the new state. */
int cgroup_freeze(struct cove_cgroup *cg, bool frozen, struct cove_error *err);
int cgroup_is_frozen(struct cove_cgroup *cg, bool *frozen, struct cove_error *err);

/* Remove every directory create made, retrying while the kernel reports EBUSY; a cgroup removed
 * behind cove's back is not an error. */
int cgroup_destroy(struct cove_cgroup *cg, struct cove_error *err);
void cgroup_free(struct cove_cgroup *cg);
static inline void cgroup_freep(struct cove_cgroup **cg)
{
  if (*cg)
    cgroup_free(*cg);
}

/* ---- stats, OOM, introspection ---- */

struct cgroup_blkio_entry {
  uint64_t major;
  uint64_t minor;
  char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
  uint64_t value;
};

struct cgroup_hugetlb_stat {
  char page_size[16]; /* "2MB" */
  uint64_t usage;
  uint64_t max;       /* max usage seen (v1), 0 where the kernel does not track it */
  uint64_t failcnt;
};

/* What `events` reports (runc's types.Stats).  Unknown values are 0. */
struct cgroup_stats {
  /* cpu, nanoseconds */
  uint64_t cpu_total, cpu_user, cpu_kernel;
  uint64_t *cpu_percpu; /* v1 cpuacct.usage_percpu; NULL on v2 */
  size_t cpu_percpu_len;
  uint64_t throttle_periods, throttle_throttled_periods, throttle_throttled_time;
  /* memory, bytes; limits UINT64_MAX when unlimited */
  uint64_t mem_usage, mem_max_usage, mem_limit, mem_failcnt;
  uint64_t swap_usage, swap_max_usage, swap_limit, swap_failcnt;
  uint64_t kernel_usage, kernel_tcp_usage;
  uint64_t mem_cache;
  char **mem_raw_keys; /* memory.stat, in file order */
  uint64_t *mem_raw_values;
  size_t mem_raw_len;
  uint64_t oom_kill; /* memory.events oom_kill / v1 memory.oom_control oom_kill */
  /* pids */
  uint64_t pids_current, pids_limit; /* limit 0 = unlimited */
  /* io */
  struct cgroup_blkio_entry *io_service_bytes;
  size_t io_service_bytes_len;
  struct cgroup_blkio_entry *io_serviced;
  size_t io_serviced_len;
  /* hugetlb */
  struct cgroup_hugetlb_stat *hugetlb;
  size_t hugetlb_len;
};

/* Fill st (zeroed first); controllers absent from the host are left at 0. */
int cgroup_stats(struct cove_cgroup *cg, struct cgroup_stats *st, struct cove_error *err);
void cgroup_stats_free(struct cgroup_stats *st);

/* OOM kills so far in the container (memory.events oom_kill, v1 memory.oom_control oom_kill). */
int cgroup_oom_count(struct cove_cgroup *cg, uint64_t *count, struct cove_error *err);
/* A pollable fd (POLLIN) that fires on memory events: v1 an eventfd registered for
 * memory.oom_control, v2 an inotify watch on memory.events.  Caller closes it; re-check
 * cgroup_oom_count after each wake-up (v2 fires for every memory.events change). */
int cgroup_oom_fd(struct cove_cgroup *cg, int *fd, struct cove_error *err);

/* ---- placement without the kernel's global lock ----
 * Moving another process, by writing its pid to cgroup.procs (v1 or v2), write-locks the
 * kernel's cgroup threadgroup rwsem, which waits for an RCU grace period unless another move
 * came just before: milliseconds on an idle host, tens of them on a loaded one, the largest
 * single cost of `run` and `exec` on a v1 or hybrid host.  Two ways in skip that lock:
 * clone3(CLONE_INTO_CGROUP) for the v2 leaf (pure v2 or the unified side of hybrid), and, for
 * each v1 hierarchy, a single-threaded process writing "0" to `tasks`, which moves itself
 * (Linux 6.0 and later take no global lock for it; older kernels take it as for cgroup.procs).
 * So the parent prepares the placement before the clone, the child writes itself into the v1
 * hierarchies first thing (after its fd sweep, which keeps these fds) and closes the files, and
 * the parent writes only what neither covered. */
#define CGROUP_PLACEMENT_MAX 16
struct cgroup_placement {
  int clone_fd; /* the v2 leaf for CLONE_INTO_CGROUP, or -1; owned by the cgroup */
  size_t n;     /* v1 `tasks` files the child writes "0" to, O_WRONLY|O_CLOEXEC */
  int fd[CGROUP_PLACEMENT_MAX];
  char name[CGROUP_PLACEMENT_MAX][32];
};
#define CGROUP_PLACEMENT_INIT {.clone_fd = -1}
/* Before the clone.  Drivers that place otherwise leave p empty (cgroup_enter after the clone). */
int cgroup_placement_open(struct cove_cgroup *cg, struct cgroup_placement *p, struct cove_error *err);
/* In the child: "0" to every v1 `tasks` file of p, which it closes (p->n becomes 0). */
int cgroup_placement_self(struct cgroup_placement *p, struct cove_error *err);
/* In the parent after the clone of pid: the hierarchies neither the clone (cloned_into: it took
 * p->clone_fd) nor the child covers. */
int cgroup_placement_finish(struct cove_cgroup *cg, const struct cgroup_placement *p, pid_t pid, bool cloned_into,
                            struct cove_error *err);
/* Whether cgroup_placement_finish would write nothing: the child then needs no word from the
 * parent about its cgroups before it goes on. */
bool cgroup_placement_complete(const struct cove_cgroup *cg, const struct cgroup_placement *p, bool cloned_into);
/* The fds the child keeps through its sweep (at most CGROUP_PLACEMENT_MAX into out). */
size_t cgroup_placement_fds(const struct cgroup_placement *p, int *out);
void cgroup_placement_close(struct cgroup_placement *p);

enum cgroup_mode cgroup_mode_of(const struct cove_cgroup *cg);
/* The container's path inside each hierarchy ("/cove/ID"). */
const char *cgroup_path(const struct cove_cgroup *cg);

#endif
