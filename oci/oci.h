/* oci.h: the typed model of an OCI runtime-spec v1.3 bundle config (Linux part), the process
 * object used by `exec --process`, and the state/features documents cove emits.
 *
 * This is the contract between oci/ (which parses and validates) and everything else (which only
 * reads these structs).  oci/ does no system call beyond reading files.
 *
 * Dependencies: every module above common/ reads this model; oci/ calls only common/ and yajl
 * (behind json.h).  Inside, in layers: config.c (the top level, the load/parse entry points) over
 * linux.c, process.c and validate.c (checks across sections, with lookup.c); linux.c over
 * resources.c and seccomp_parse.c; all of them over parse.c (typed readers, parse.h), free.c and
 * json.c.  spec.c, state.c and features.c write documents.
 *
 * Conventions:
 *  - arrays are a pointer plus a count (`x` and `x_len`); string arrays are also NULL-terminated;
 *  - an optional scalar is a struct with `.set` (see oci_opt_*); an optional object is a pointer
 *    that is NULL when absent;
 *  - maps (annotations, sysctl, unified, ...) are arrays of oci_kv in document order;
 *  - uint64 values (memory limits, seccomp values) cover the full range: parsed from the number's
 *    text, never through int64. */
#ifndef COVE_OCI_OCI_H
#define COVE_OCI_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define OCI_SPEC_VERSION "1.3.0"
/* Hard bound on config.json / process.json size: the parser treats the file as hostile. */
#define OCI_CONFIG_MAX_BYTES (16u * 1024u * 1024u)

struct oci_opt_i64 {
  bool set;
  int64_t v;
};
struct oci_opt_u64 {
  bool set;
  uint64_t v;
};
struct oci_opt_bool {
  bool set;
  bool v;
};

struct oci_kv {
  char *key;
  char *value;
};

struct oci_id_mapping {
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

/* ---- root, mounts ---- */

struct oci_root {
  char *path; /* as written; relative paths are relative to the bundle */
  bool readonly;
};

struct oci_mount {
  char *destination;
  char *source; /* may be NULL */
  char *type;   /* may be NULL */
  char **options;
  size_t options_len;
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
};

/* ---- process ---- */

struct oci_rlimit {
  char *type; /* "RLIMIT_NOFILE", ... validated against the known names */
  int resource; /* RLIMIT_* number resolved from type */
  uint64_t soft;
  uint64_t hard;
};

struct oci_capabilities {
  /* each NULL when the set is absent; names as written ("CAP_CHOWN") */
  char **bounding;
  size_t bounding_len;
  char **effective;
  size_t effective_len;
  char **inheritable;
  size_t inheritable_len;
  char **permitted;
  size_t permitted_len;
  char **ambient;
  size_t ambient_len;
};

struct oci_user {
  uint32_t uid;
  uint32_t gid;
  struct oci_opt_u64 umask; /* mode_t value, validated <= 0777 */
  uint32_t *additional_gids;
  size_t additional_gids_len;
  char *username; /* Windows only; kept for completeness */
};

struct oci_scheduler {
  char *policy; /* SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE */
  int policy_num; /* the kernel's SCHED_* value (0..6) */
  struct oci_opt_i64 nice;
  struct oci_opt_i64 priority;
  char **flags; /* SCHED_FLAG_* names */
  size_t flags_len;
  struct oci_opt_u64 runtime;
  struct oci_opt_u64 deadline;
  struct oci_opt_u64 period;
};

struct oci_io_priority {
  char *class; /* IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
  int class_num;    /* the kernel's IOPRIO_CLASS_* value: RT 1, BE 2, IDLE 3 */
  int64_t priority; /* 0..7 */
};

struct oci_cpu_affinity {
  char *initial; /* cpu list "0-3,7" or NULL */
  char *final;
};

struct oci_process {
  bool terminal;
  struct oci_opt_u64 console_height;
  struct oci_opt_u64 console_width;
  struct oci_user user;
  char **args;
  size_t args_len;
  char *command_line; /* Windows only */
  char **env;
  size_t env_len;
  char *cwd;
  struct oci_capabilities *capabilities; /* NULL when absent */
  struct oci_rlimit *rlimits;
  size_t rlimits_len;
  bool no_new_privileges;
  char *apparmor_profile;
  struct oci_opt_i64 oom_score_adj; /* -1000..1000 */
  char *selinux_label;
  struct oci_io_priority *io_priority;
  struct oci_scheduler *scheduler;
  struct oci_cpu_affinity *exec_cpu_affinity;
};

/* ---- hooks ---- */

struct oci_hook {
  char *path;
  char **args;
  size_t args_len;
  char **env;
  size_t env_len;
  struct oci_opt_i64 timeout; /* seconds, > 0 */
};

enum oci_hook_kind {
  OCI_HOOK_PRESTART,
  OCI_HOOK_CREATE_RUNTIME,
  OCI_HOOK_CREATE_CONTAINER,
  OCI_HOOK_START_CONTAINER,
  OCI_HOOK_POSTSTART,
  OCI_HOOK_POSTSTOP,
  OCI_HOOK_KINDS
};

struct oci_hooks {
  struct oci_hook *hooks[OCI_HOOK_KINDS];
  size_t len[OCI_HOOK_KINDS];
};

/* ---- linux ---- */

enum oci_ns_type {
  OCI_NS_PID,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS_KINDS
};

struct oci_namespace {
  enum oci_ns_type type;
  char *path; /* NULL: create a new one */
};

struct oci_time_offset {
  bool set;
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_device {
  char *type; /* "c", "b", "u", "p" */
  char *path; /* absolute */
  int64_t major; /* 0..2^32-1; 0 for "p" when absent */
  int64_t minor;
  struct oci_opt_u64 file_mode;
  struct oci_opt_u64 uid;
  struct oci_opt_u64 gid;
};

struct oci_device_cgroup {
  bool allow;
  char *type;                /* "a", "c", "b" or NULL (= all) */
  struct oci_opt_i64 major;  /* unset = wildcard (-1 in the file reads as unset) */
  struct oci_opt_i64 minor;
  char *access;              /* subset of "rwm" or NULL (= rwm) */
};

struct oci_memory {
  /* -1 = unlimited.  The five limits below accept the full uint64 range in the file: values
   * above INT64_MAX (engines write 18446744073709551615 for "no limit") read as -1. */
  struct oci_opt_i64 limit;
  struct oci_opt_i64 reservation;
  struct oci_opt_i64 swap;
  struct oci_opt_i64 kernel;
  struct oci_opt_i64 kernel_tcp;
  struct oci_opt_u64 swappiness;
  struct oci_opt_bool disable_oom_killer;
  struct oci_opt_bool use_hierarchy;
  struct oci_opt_bool check_before_update;
};

struct oci_cpu {
  struct oci_opt_u64 shares;
  struct oci_opt_i64 quota;
  struct oci_opt_u64 burst;
  struct oci_opt_u64 period;
  struct oci_opt_i64 realtime_runtime;
  struct oci_opt_u64 realtime_period;
  char *cpus;
  char *mems;
  struct oci_opt_i64 idle;
};

struct oci_weight_device {
  int64_t major;
  int64_t minor;
  struct oci_opt_u64 weight;
  struct oci_opt_u64 leaf_weight;
};

struct oci_throttle_device {
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct oci_blkio {
  struct oci_opt_u64 weight;
  struct oci_opt_u64 leaf_weight;
  struct oci_weight_device *weight_device;
  size_t weight_device_len;
  struct oci_throttle_device *throttle_read_bps;
  size_t throttle_read_bps_len;
  struct oci_throttle_device *throttle_write_bps;
  size_t throttle_write_bps_len;
  struct oci_throttle_device *throttle_read_iops;
  size_t throttle_read_iops_len;
  struct oci_throttle_device *throttle_write_iops;
  size_t throttle_write_iops_len;
};

struct oci_hugepage_limit {
  char *page_size; /* "2MB", "1GB", ... */
  uint64_t limit;
};

struct oci_net_priority {
  char *name;
  uint32_t priority;
};

struct oci_network_res {
  struct oci_opt_u64 class_id;
  struct oci_net_priority *priorities;
  size_t priorities_len;
};

struct oci_rdma {
  char *device;
  struct oci_opt_u64 hca_handles;
  struct oci_opt_u64 hca_objects;
};

struct oci_resources {
  struct oci_device_cgroup *devices;
  size_t devices_len;
  struct oci_memory *memory;
  struct oci_cpu *cpu;
  struct oci_opt_i64 pids_limit; /* set when .pids.limit is present; <= 0 means unlimited */
  struct oci_blkio *block_io;
  struct oci_hugepage_limit *hugepage_limits;
  size_t hugepage_limits_len;
  struct oci_network_res *network;
  struct oci_rdma *rdma;
  size_t rdma_len;
  struct oci_kv *unified;
  size_t unified_len;
};

struct oci_intel_rdt {
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  char **schemata;
  size_t schemata_len;
  bool enable_monitoring;
  bool enable_cmt;
  bool enable_mbm;
};

enum oci_seccomp_action {
  OCI_SECCOMP_ACT_KILL, /* SCMP_ACT_KILL (= kill thread) */
  OCI_SECCOMP_ACT_KILL_PROCESS,
  OCI_SECCOMP_ACT_KILL_THREAD,
  OCI_SECCOMP_ACT_TRAP,
  OCI_SECCOMP_ACT_ERRNO,
  OCI_SECCOMP_ACT_TRACE,
  OCI_SECCOMP_ACT_ALLOW,
  OCI_SECCOMP_ACT_LOG,
  OCI_SECCOMP_ACT_NOTIFY,
};

enum oci_seccomp_op {
  OCI_SECCOMP_OP_NE,
  OCI_SECCOMP_OP_LT,
  OCI_SECCOMP_OP_LE,
  OCI_SECCOMP_OP_EQ,
  OCI_SECCOMP_OP_GE,
  OCI_SECCOMP_OP_GT,
  OCI_SECCOMP_OP_MASKED_EQ,
};

struct oci_seccomp_arg {
  uint32_t index;
  uint64_t value;
  struct oci_opt_u64 value_two;
  enum oci_seccomp_op op;
};

struct oci_seccomp_syscall {
  char **names;
  size_t names_len;
  enum oci_seccomp_action action;
  struct oci_opt_u64 errno_ret;
  struct oci_seccomp_arg *args;
  size_t args_len;
};

struct oci_seccomp {
  enum oci_seccomp_action default_action;
  struct oci_opt_u64 default_errno_ret;
  char **architectures; /* "SCMP_ARCH_X86_64", ... validated */
  size_t architectures_len;
  char **flags; /* "SECCOMP_FILTER_FLAG_LOG", ... validated */
  size_t flags_len;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t syscalls_len;
};

struct oci_personality {
  char *domain; /* "LINUX" or "LINUX32" */
  char **flags;
  size_t flags_len;
};

struct oci_net_device {
  char *host_name; /* the map key: the interface on the host */
  char *name;      /* the name inside the container (defaults to host_name) */
};

struct oci_memory_policy {
  char *mode; /* MPOL_DEFAULT, MPOL_BIND, ... */
  char *nodes;
  char **flags;
  size_t flags_len;
};

struct oci_linux {
  struct oci_namespace *namespaces;
  size_t namespaces_len;
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
  struct oci_time_offset time_monotonic;
  struct oci_time_offset time_boottime;
  struct oci_device *devices;
  size_t devices_len;
  char *cgroups_path;
  struct oci_resources *resources;
  struct oci_intel_rdt *intel_rdt;
  struct oci_kv *sysctl;
  size_t sysctl_len;
  struct oci_seccomp *seccomp;
  char *rootfs_propagation;
  char **masked_paths;
  size_t masked_paths_len;
  char **readonly_paths;
  size_t readonly_paths_len;
  char *mount_label;
  struct oci_personality *personality;
  struct oci_net_device *net_devices;
  size_t net_devices_len;
  struct oci_memory_policy *memory_policy;
};

struct oci_config {
  char *oci_version;
  struct oci_root *root;       /* required on Linux */
  struct oci_mount *mounts;
  size_t mounts_len;
  struct oci_process *process; /* required for create/run */
  char *hostname;
  char *domainname;
  struct oci_hooks hooks;
  struct oci_kv *annotations;
  size_t annotations_len;
  struct oci_linux *linux_; /* NULL when absent */
};

/* ---- parsing ---- */

/* Load and validate a bundle's config.json.  Errors name the file and the JSON path:
 * "config.json: .linux.resources.memory.limit: expected an integer, got \"1G\"";
 * invalid JSON names line and column. */
int oci_config_load(const char *path, struct oci_config **out, struct cove_error *err);
/* The same from memory; `name` prefixes messages ("config.json"). */
int oci_config_parse(const char *name, const char *data, size_t len, struct oci_config **out,
                     struct cove_error *err);
void oci_config_free(struct oci_config *c);
static inline void oci_config_freep(struct oci_config **c)
{
  if (*c)
    oci_config_free(*c);
}

/* A process object, as read by `exec --process FILE`. */
int oci_process_load(const char *path, struct oci_process **out, struct cove_error *err);
int oci_process_parse(const char *name, const char *data, size_t len, struct oci_process **out,
                      struct cove_error *err);
void oci_process_free(struct oci_process *p);
static inline void oci_process_freep(struct oci_process **p)
{
  if (*p)
    oci_process_free(*p);
}

/* Lookups on a parsed config. */
const char *oci_annotation(const struct oci_config *c, const char *key);
/* The namespace entry of that type, or NULL when the config does not ask for it. */
const struct oci_namespace *oci_namespace_find(const struct oci_config *c, enum oci_ns_type t);
const char *oci_ns_type_name(enum oci_ns_type t); /* "pid", "network", ... */
/* "SCMP_ACT_ERRNO", ...; "unknown action" for a value outside the enum. */
const char *oci_seccomp_action_name(enum oci_seccomp_action a);

/* ---- emitting ---- */

/* runtime-spec state; status is "creating", "created", "running", "stopped" (or "paused"). */
struct oci_state {
  const char *oci_version;
  const char *id;
  const char *status;
  int pid; /* 0: omitted */
  const char *bundle;
  const struct oci_kv *annotations;
  size_t annotations_len;
};

/* Compact, byte-stable JSON (hooks read it on stdin).  Returns a heap string or NULL on error. */
char *oci_state_to_json(const struct oci_state *s, struct cove_error *err);

/* What the features document says about the host it runs on, beside what cove implements: the
 * annotations run.cove.host.apparmor and run.cove.host.selinux ("enabled" / "disabled"), and
 * more annotations as they are (what checkpoint/restore's CRIU can do here). */
struct oci_features_host {
  bool apparmor, selinux;
  const struct oci_kv *annotations;
  size_t annotations_len;
};
/* The features document (runtime-spec features.md) of what cove implements; host NULL: no host
 * annotations. */
char *oci_features_json(const struct oci_features_host *host, struct cove_error *err);

/* The default config.json `cove spec` writes (pretty printed).  rootless adapts it as runc's
 * `spec --rootless` does. */
char *oci_default_spec_json(bool rootless, struct cove_error *err);
/* `cove spec --system`: a system container's config (systemd as its init, see spec.c). */
char *oci_system_spec_json(struct cove_error *err);

#endif
