/* runtime.h: the container lifecycle that cmd/ drives: create, start, run, state, kill, delete,
 * list, exec, and the state store (one 0700 directory per container under --root, state written
 * atomically, a per-container flock).
 *
 * Dependencies: cmd/ and runtime/criu/ call this module; it calls runtime/rootfs/, cgroups/,
 * netns/, seccomp/, oci/ and common/, none of which calls back.  Its files, by process: the
 * parent side (the cove process run by the user or the engine: create.c, start.c, run.c,
 * exec.c, delete.c, kill.c, state.c, list.c, pause.c, ps.c, events.c, update.c, hooks.c,
 * signals.c, userns.c's map writes), the init's side (init.c, process.c, namespaces.c, caps.c,
 * console.c, lsm.c), and what every process entering the container does (fds.c, selfexe.c);
 * sync.h names the stages and messages between them; internal.h is what they share.
 *
 * Other modules' verbs (ps, pause, resume, events, update) reach a container through
 * cove_container_load(): it validates the id, takes the container's lock, reads the stored state
 * and derives the live status from the init process (pid + start time, so a reused pid reads
 * `stopped`). */
#ifndef COVE_RUNTIME_RUNTIME_H
#define COVE_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/oci.h"

struct cove_cgroup;

/* Longest container id accepted (runc and crun use the same bound). */
#define COVE_ID_MAX 1024

enum cove_status {
  COVE_STATUS_CREATING,
  COVE_STATUS_CREATED,
  COVE_STATUS_RUNNING,
  COVE_STATUS_PAUSED,
  COVE_STATUS_STOPPED,
};

/* "creating", "created", "running", "paused", "stopped". */
const char *cove_status_name(enum cove_status s);

enum cove_lock {
  COVE_LOCK_NONE,      /* read the state without locking (state, list) */
  COVE_LOCK_SHARED,    /* readers that must not race a delete (ps, events) */
  COVE_LOCK_EXCLUSIVE, /* start, kill, delete, pause, resume, update, exec */
};

/* A loaded container.  Everything is owned by the struct; cove_container_free() also releases
 * the lock. */
struct cove_container {
  char *id;
  char *root;       /* the state root (--root) */
  char *dir;        /* root/id */
  int dir_fd;       /* O_PATH|O_DIRECTORY of dir */
  int lock_fd;      /* the flock'ed lock file, -1 with COVE_LOCK_NONE */
  char *bundle;     /* absolute */
  char *rootfs;     /* absolute */
  pid_t pid;        /* the init, as seen from the host; 0 when none */
  unsigned long long start_time; /* field 22 of /proc/PID/stat when created */
  enum cove_status status;       /* derived from the live process */
  char *created;    /* RFC 3339 creation time */
  struct oci_kv *annotations;
  size_t annotations_len;
  char *cgroup_text;          /* what cgroup_serialize() returned at create, or NULL */
  struct cove_cgroup *cgroup; /* cgroup_load(cgroup_text), NULL when none or not loadable */
  char *config_path;          /* the copy of config.json kept in the state dir */
  char *stored_id;            /* the id recorded in the state (checked against id) */
  bool systemd_cgroup;
  bool no_new_keyring; /* created with --no-new-keyring: exec keeps its caller's keyring too */
  /* While `create` runs, the state names the cove process making the container; a record that
   * still names one that is gone (or a state dir without its state file) is a create that died
   * half-way: it reads `stopped` and delete removes whatever the record names. */
  pid_t creator_pid;
  unsigned long long creator_start;
  bool incomplete;
};

/* Load container id under root with the given lock.  A missing container is ENOENT with the
 * message "container `ID` does not exist". */
int cove_container_load(const char *root, const char *id, enum cove_lock lock, struct cove_container **out,
                        struct cove_error *err);
void cove_container_free(struct cove_container *c);
static inline void cove_container_freep(struct cove_container **c)
{
  if (*c)
    cove_container_free(*c);
}

/* Re-derive c->status from the live init (and the cgroup freezer for `paused`). */
void cove_container_refresh(struct cove_container *c);

/* The runtime-spec state document of c (heap). */
char *cove_container_state_json(const struct cove_container *c, struct cove_error *err);

/* The container's config (the copy kept in the state dir at create time). */
int cove_container_config(const struct cove_container *c, struct oci_config **out, struct cove_error *err);

/* Validate a container id: [A-Za-z0-9_+-][A-Za-z0-9_+.-]*, at most COVE_ID_MAX chars. */
int cove_validate_id(const char *id, struct cove_error *err);

/* Signal names ("KILL", "SIGKILL", "9") to numbers. */
int cove_parse_signal(const char *s, int *sig, struct cove_error *err);

/* ---- rootless (rootless.c) ---- */

/* runc's userns.RunningInUserNS: /proc/self/uid_map is not the identity map of every id. */
bool cove_running_in_userns(void);
/* --rootless true|false|auto (NULL = auto): whether the cgroup manager is rootless.  auto: the
 * euid is not 0, or cove runs as root of a user namespace (runc's rule).  in_userns:
 * cove_running_in_userns(), needed only when the euid is 0 (read once by the caller). */
int cove_rootless_resolve(const char *flag, bool in_userns, bool *rootless, struct cove_error *err);
/* The state root when --root is not given: $XDG_RUNTIME_DIR/cove for a user (runc's rule; made
 * 1700 when missing), system_root otherwise.  Heap. */
char *cove_default_state_root(const char *system_root, bool in_userns);

/* ---- lifecycle ---- */

struct cove_create_opts {
  const char *root;
  const char *id;
  const char *bundle;         /* NULL: the current directory */
  const char *pid_file;       /* --pid-file */
  const char *console_socket; /* --console-socket */
  const char *pidfd_socket;   /* --pidfd-socket: gets a pidfd of the init (runc 1.2) */
  int preserve_fds;           /* --preserve-fds N: fds 3..3+N-1 pass through */
  bool no_pivot;
  bool no_new_keyring;
  bool systemd_cgroup;
  bool rootless; /* the rootless cgroup manager (cove_rootless_resolve) */
  bool in_userns; /* cove runs as root of a user namespace: no mknod (devices are bind-mounted) */
  bool detach; /* run only: return once started */
  bool keep;   /* run only: keep the stopped container until `delete` */
};

int cove_create(const struct cove_create_opts *o, struct cove_error *err);
int cove_start(const char *root, const char *id, struct cove_error *err);
/* create + start; in the foreground waits for the init, forwarding signals and proxying the
 * terminal; *exit_code is the status cove should exit with (128+N for signal N). */
int cove_run(const struct cove_create_opts *o, int *exit_code, struct cove_error *err);
int cove_kill(const char *root, const char *id, int sig, bool all, struct cove_error *err);
int cove_delete(const char *root, const char *id, bool force, struct cove_error *err);

struct cove_list_entry {
  char *id;
  pid_t pid;
  enum cove_status status;
  char *bundle;
  char *created;
  char *owner;
};
int cove_list(const char *root, struct cove_list_entry **out, size_t *n, struct cove_error *err);
void cove_list_free(struct cove_list_entry *l, size_t n);

struct cove_exec_opts {
  const char *root;
  const char *id;
  const char *process_file; /* --process */
  char **args;              /* COMMAND [ARG...] when no --process */
  bool tty;
  const char *console_socket;
  const char *pidfd_socket; /* --pidfd-socket: gets a pidfd of the process (runc 1.2) */
  bool detach;
  const char *pid_file;
  const char *cwd;
  const char **env; size_t env_len;
  const char *user; /* UID[:GID] */
  const char **additional_gids; size_t additional_gids_len;
  const char **caps; size_t caps_len;
  bool no_new_privs;
  int preserve_fds;
  const char *cgroup_sub; /* --cgroup SUB (or CONTROLLER:SUB) */
  bool ignore_paused;
  const char *apparmor;      /* --apparmor: replaces the process's AppArmor profile */
  const char *process_label; /* --process-label: replaces its SELinux label */
};
int cove_exec(const struct cove_exec_opts *o, int *exit_code, struct cove_error *err);

/* Whether this host has AppArmor and SELinux enabled (runtime/lsm.c), for `features`. */
void cove_lsm_host(struct oci_features_host *h);

/* Ensure the running cove executes from a sealed memfd copy of itself before it enters a
 * container (CVE-2019-5736).  Re-execs once when needed; returns only on failure. */
int cove_selfexe_protect(int argc, char **argv, struct cove_error *err);

/* ---- ps, pause/resume, events, update: runtime/ps.c, pause.c, events.c and update.c, over
 * cgroups/ ---- */

/* The pids of the container's cgroup (recursively). */
int cove_ps_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct cove_error *err);
/* Run `ps ARGS...` (default -ef) and keep its header and the container's lines; heap text. */
int cove_ps_table(const char *root, const char *id, char *const *args, size_t nargs, char **out,
                  struct cove_error *err);
/* Freeze / thaw every process (cgroup freezer); the status then reads `paused` / `running`. */
int cove_pause(const char *root, const char *id, struct cove_error *err);
int cove_resume(const char *root, const char *id, struct cove_error *err);
/* JSON lines as runc's `events`: {"type":"stats",...} every interval_ms (once with stats_once)
 * and {"type":"oom","id":...} on OOM kills, written to out_fd until the container stops. */
int cove_events(const char *root, const char *id, bool stats_once, unsigned interval_ms, int out_fd,
                struct cove_error *err);
/* Apply a linux.resources JSON object to the live container's cgroup and record it in the
 * container's stored config (devices excepted: update leaves them as create set them). */
int cove_update(const char *root, const char *id, const char *resources_json, struct cove_error *err);

/* ---- checkpoint and restore through CRIU (runtime/criu/, which builds on this module) ---- */

/* What checkpoint and restore share (runc's flags of the same names). */
struct cove_cr_opts {
  const char *criu;       /* the criu binary (--criu); NULL: "criu" on PATH */
  const char *image_path; /* --image-path; NULL: ./checkpoint */
  const char *work_path;  /* --work-path (CRIU's log goes there); NULL: the image path */
  bool tcp_established, ext_unix_sk, shell_job, file_locks, auto_dedup, lazy_pages;
  const char *manage_cgroups_mode; /* soft, full, strict, ignore; NULL: CRIU's default (soft) */
  const char *const *empty_ns;     /* --empty-ns (network) */
  size_t empty_ns_len;
};

struct cove_checkpoint_opts {
  const char *root;
  const char *id;
  struct cove_cr_opts cr;
  const char *parent_path; /* --parent-path: an earlier (pre-)dump, relative to the image path */
  bool leave_running;
  bool pre_dump;           /* memory only, the container keeps running */
  const char *page_server; /* --page-server ADDRESS:PORT */
  int status_fd;           /* --status-fd (lazy pages ready), -1 for none */
};

struct cove_restore_opts {
  const char *root;
  const char *id;
  struct cove_cr_opts cr;
  const char *bundle;         /* NULL: the current directory */
  const char *pid_file;
  const char *console_socket;
  const char *lsm_profile;       /* TYPE:NAME */
  const char *lsm_mount_context;
  bool detach;
  bool no_subreaper;
  bool systemd_cgroup;
};

/* Dump a running (or paused) container into the image dir; without --leave-running or
 * --pre-dump the container is then gone, as after `delete`. */
int cove_checkpoint(const struct cove_checkpoint_opts *o, struct cove_error *err);
/* Create container id from a bundle and an image dir: a normal container afterwards (state,
 * exec, kill, delete).  In the foreground it waits for the init as `run` does (*exit_code). */
int cove_restore(const struct cove_restore_opts *o, int *exit_code, struct cove_error *err);
/* What checkpoint/restore can do on this host, for `features` (annotations, heap). */
void cove_criu_features(const char *criu, struct oci_kv **out, size_t *n);

#endif
