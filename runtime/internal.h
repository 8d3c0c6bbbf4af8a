/* internal.h: what runtime/ files share among themselves (not for other modules, but for
 * runtime/criu/, which builds on the lifecycle).  Grouped by the file that defines each part;
 * runtime.h says which side of the process model each file is on. */
#ifndef COVE_RUNTIME_INTERNAL_H
#define COVE_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroups/cgroups.h"
#include "common/error.h"
#include "common/syscalls.h"
#include "oci/oci.h"
#include "runtime/runtime.h"
#include "seccomp/seccomp.h"

struct cove_cgroup;
struct netns_plan;
struct sync_chan;

#define COVE_EXEC_FIFO "exec.fifo"
/* The init holds this fifo open for writing (close-on-exec) until its execve: `start` reads it to
 * EOF so that poststart hooks run after the process is executed, as the runtime-spec says. */
#define COVE_EXEC_DONE "exec.done"
/* What the init writes there (one write, then its error text) when it dies before its execve. */
#define EXEC_DONE_FAILED '!'
#define EXEC_DONE_HOOK_FAILED 'h'
#define COVE_CONFIG_COPY "config.json"
/* restore binds the rootfs here for CRIU (runtime/criu/restore.c); delete unmounts a bind that a
 * restore killed mid-way left */
#define COVE_CRIU_ROOT "criu-root"
/* Bound on every wait for the other stage of creation. */
#define SYNC_TIMEOUT_MS 60000

/* ---- state.c ---- */
#define STATE_NAME_MAX 64
#define COVE_STATE_FILE "cove.json"
/* The reader's bound on the state file.  The state holds the config's annotations and paths, so
 * it is never larger than config.json (OCI_CONFIG_MAX_BYTES, the one limit create checks) plus
 * the few fields of its own: whatever create accepts, state, list and delete read back. */
#define COVE_STATE_MAX_BYTES (OCI_CONFIG_MAX_BYTES + (1u << 20))
/* The state dir name of id (id itself unless it is too long for a file name). */
const char *state_dir_name(const char *id, char buf[STATE_NAME_MAX]);
int state_root_open(const char *root, bool create, struct cove_error *err);
/* Returns the lock fd, -1 for COVE_LOCK_NONE, -2 on error (err set). */
int state_lock(int dir_fd, enum cove_lock lock, struct cove_error *err);
/* Release a lock state_lock took (LOCK_UN, then close; *lock_fd = -1).  Only the process that
 * took it: a child drops its copy with close() alone, which leaves the parent's lock held. */
void state_unlock(int *lock_fd);
int proc_start_time(pid_t pid, unsigned long long *start, char *state_char);
bool state_pid_alive(pid_t pid, unsigned long long start_time);
/* A pidfd of the container's init (kill.c), checked against its recorded start time; -1 with
 * errno ESRCH when the init is gone (its pid may have been reused), else pidfd_open's errno. */
int container_pidfd(const struct cove_container *c);
int state_write(const struct cove_container *c, struct cove_error *err);
/* The id stored in the state of dir `name` under the state root (hashed long-id dirs). */
int state_stored_id(int root_fd, const char *name, char **id, struct cove_error *err);
struct create_ctx;
/* State JSON for hooks of a container being created. */
char *create_state_json(const struct create_ctx *x, const char *status, struct cove_error *err);
/* --pid-file of create, run and exec: the pid as text, written atomically. */
int state_write_pid_file(const char *path, pid_t pid, struct cove_error *err);
/* Remove the container's state dir (its files, then the dir). */
int state_remove(int root_fd, const char *id, struct cove_error *err);

/* ---- namespaces.c ---- */
/* The CLONE_NEW* flag of an OCI namespace type. */
int ns_clone_flag(enum oci_ns_type t);
const char *ns_proc_name(enum oci_ns_type t); /* "pid", "net", ... as in /proc/PID/ns */

struct ns_plan {
  unsigned long new_flags; /* CLONE_NEW* to create (CLONE_NEWTIME never here: see new_time) */
  bool new_time;
  bool new_user, has_user, new_net, new_uts, new_cgroup, new_pid;
  bool has_mount, has_uts; /* listed (new or joined by path); unlisted: the runtime's own */
  int join_fd[OCI_NS_KINDS]; /* opened `path` of joined namespaces, -1 */
  bool joins;                /* any join_fd >= 0 */
};
int ns_plan_make(const struct oci_config *c, struct ns_plan *p, struct cove_error *err);
void ns_plan_release(struct ns_plan *p);
/* setns() into every joined namespace, user first (and mount last).  skip_user: already done. */
int ns_join(struct ns_plan *p, bool skip_user, struct cove_error *err);
/* Create the time namespace with offsets and enter it (the init itself becomes a member). */
int ns_setup_time(const struct oci_config *c, struct cove_error *err);

/* ---- userns.c ---- */
/* How the parent writes the maps: directly (root; a rootless caller's own single id), or through
 * newuidmap/newgidmap (absolute paths) for what only /etc/subuid and /etc/subgid allow. */
struct userns_writer {
  char *uid_tool, *gid_tool; /* NULL: write the map directly */
  bool deny_setgroups;       /* an unprivileged direct gid_map needs setgroups denied first */
};
/* Decide for c's maps, checking an unprivileged caller's entries against its subordinate ranges
 * and finding the helpers: every refusal before anything is created. */
int userns_plan(const struct oci_config *c, struct userns_writer *w, struct cove_error *err);
void userns_writer_release(struct userns_writer *w);
int userns_write_maps(pid_t pid, const struct oci_config *c, const struct userns_writer *w, struct cove_error *err);
/* One user's ranges in the text of /etc/subuid or /etc/subgid (owner given by name or uid), and
 * whether they cover [start, start+count) (pure, for the unit tests). */
struct subid_range {
  unsigned long long start, count;
};
int subid_parse(const char *text, const char *user, unsigned long long uid, struct subid_range **out, size_t *n);
bool subid_covers(const struct subid_range *r, size_t n, unsigned long long start, unsigned long long count);

/* ---- members.c ---- */
/* A container without a cgroup: the processes of its init's pid namespace (and the ones nested
 * in it); an error when it shares the caller's.  Signal each of them through a pidfd. */
int container_pidns_pids(const struct cove_container *c, pid_t **pids, size_t *n, struct cove_error *err);
int container_pidns_signal(const struct cove_container *c, int sig, struct cove_error *err);

/* ---- rootless.c ---- */
/* What an unprivileged caller cannot have (no user namespace, host networking, mount uid=/gid=
 * options the maps do not cover): one line each, before anything is created. */
int rootless_check_config(const struct oci_config *c, const struct ns_plan *ns, bool host_network,
                          struct cove_error *err);

/* ---- caps.c ---- */
/* Apply the five capability sets (warn for names the kernel lacks).  Called after the uid
 * change, with PR_SET_KEEPCAPS set before it. */
int caps_apply(const struct oci_capabilities *caps, struct cove_error *err);
/* Drop the bounding set to caps->bounding; must run while CAP_SETPCAP is held. */
int caps_drop_bounding(const struct oci_capabilities *caps, struct cove_error *err);
/* Warn once, in the parent, about names the kernel does not know (runtime-spec asks for it) and
 * about ambient capabilities the kernel will refuse to raise (not permitted, not inheritable or
 * not in the bounding set), naming each. */
void caps_warn_unknown(const struct oci_capabilities *caps);
/* Parse "CAP_X" or "X". */
int caps_from_name(const char *name, int *cap);
/* Whether caps (may be NULL) lists cap in its effective set. */
bool caps_has_effective(const struct oci_capabilities *caps, int cap);

/* ---- process.c ---- */
/* rlimits, ioPriority, scheduler, personality (domain and flags), execCPUAffinity.initial and
 * linux.memoryPolicy: while the init (or exec's child) is still root. */
int process_apply_early(const struct oci_process *p, const struct oci_config *c, struct cove_error *err);
/* Resolve args[0] against PATH in env; *out heap. */
int process_find_exec(const struct oci_process *p, char *const *env, char **out, struct cove_error *err);
/* The last steps: the fd sweep, dispositions, groups, caps, umask, nnp, seccomp, execve.
 * Returns only on failure. */
struct process_final {
  const struct oci_process *p;
  char *const *env;
  const char *exec_path;
  int preserve; /* fds 3..3+preserve-1 stay */
  const struct cove_seccomp_prog *seccomp; /* NULL: none */
  const struct sync_chan *sync; /* the parent, told SYNC_EXECVE and given a notify fd; or NULL */
  int keep_fd; /* one more fd of ours that stays until the execve (the exec-done fifo), or -1 */
};
int process_exec(const struct process_final *f, struct cove_error *err);
/* Load a seccomp filter; with a notify listener, hand its fd to the parent over sync and wait
 * for the parent's ack. */
int process_install_seccomp(const struct cove_seccomp_prog *prog, const struct sync_chan *sync,
                            struct cove_error *err);
/* chdir to cwd (NULL or "": "/") resolved inside the process's root without magic links
 * (created when missing with create), then check that it is under the root (CVE-2024-21626). */
int process_chdir(const char *cwd, bool create, struct cove_error *err);
/* The check process_chdir ends with: the cwd (named cwd in the error) lies under the root and is
 * the directory its getcwd() path leads to there; EXDEV otherwise. */
int process_check_cwd(const char *cwd, struct cove_error *err);
/* When env has no HOME (or an empty one): HOME from the container's /etc/passwd entry of uid,
 * "/" without one, as runc.  *env is a heap NULL-terminated array, grown in place. */
int process_env_home(char ***env, uid_t uid, struct cove_error *err);
/* In the parent: pass a notify fd to linux.seccomp.listenerPath with the state. */
int seccomp_hand_to_listener(const struct oci_config *c, int notify_fd, pid_t pid, const char *state_json,
                             struct cove_error *err);
/* The env of the container process: process env plus LISTEN_FDS/LISTEN_PID when cove got them. */
char **process_env(const struct oci_process *p, int listen_fds);
int process_set_cpu_affinity(const char *list, struct cove_error *err);
int process_listen_fds(void);

/* ---- fds.c ---- */
/* How the sweep lists open fds where close_range is missing; a table so the unit tests can hide
 * /proc (close_range itself they refuse through the syscall ops table, common/syscalls.h). */
struct fds_ops {
  /* The open fds >= first, heap array in *out (the listing's own fd excluded); -1 when unknown. */
  int (*list)(unsigned int first, int **out, size_t *n);
};
const struct fds_ops *fds_default_ops(void);
/* Close every fd >= 3 except those in keep (numbers < 3 in keep are ignored). */
int fds_close_except(const int *keep, size_t nkeep, struct cove_error *err);
int fds_close_except_ops(const struct fds_ops *ops, unsigned int first, const int *keep, size_t nkeep,
                         struct cove_error *err);
/* Make sure fds 0..count-1 are open (/dev/null where the caller left one closed) and that the
 * log fd is not among them: before cove opens anything that must not reach a container. */
int fds_reserve(int count, struct cove_error *err);

/* ---- lsm.c: AppArmor profiles and SELinux labels ---- */
/* Whether the host has the LSM on: AppArmor (/sys/module/apparmor/parameters/enabled is Y),
 * SELinux (selinuxfs on /sys/fs/selinux). */
bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
/* In the parent, before anything is made: refuse a malformed label, or one this host cannot
 * apply (what names the field or flag).  NULL or "" is no label, accepted everywhere. */
int lsm_check_apparmor(const char *what, const char *profile, struct cove_error *err);
int lsm_check_selinux(const char *what, const char *label, struct cove_error *err);
/* The config's three: process.apparmorProfile, process.selinuxLabel, linux.mountLabel. */
int lsm_check_config(const struct oci_config *c, struct cove_error *err);
/* In the init or the exec child, while it is still root and before seccomp: the AppArmor profile
 * and SELinux label the next execve puts the process in (through a verified private procfs). */
int lsm_apply_exec_label(const char *apparmor, const char *selinux, struct cove_error *err);
/* The init, before it joins its session keyring: the keyring gets the process's SELinux label. */
int lsm_set_keyring_label(const char *selinux, struct cove_error *err);

/* ---- hooks.c ---- */
/* Run hooks of kind k, in order, each with state JSON on stdin; in_pid > 0: setns into that
 * process's namespaces first (createContainer).  prestart, createRuntime, createContainer and
 * startContainer stop at the first failing hook (-1, err set); poststart and poststop run every
 * hook and only warn, prefixed with `who` ("start ID"), returning 0 (runtime-spec). */
int hooks_run(const struct oci_config *c, enum oci_hook_kind k, const char *state_json, pid_t in_pid,
              const char *who, struct cove_error *err);
static inline bool hooks_any(const struct oci_config *c, enum oci_hook_kind k)
{
  return c->hooks.len[k] > 0;
}
/* A bound for a wait on the other side while it runs the hooks of kinds[0..n-1]: their timeouts
 * plus SYNC_TIMEOUT_MS, or -1 (no bound) when one of them has no timeout (the spec lets a hook
 * run as long as it likes). */
static inline int hooks_wait_bound_ms(const struct oci_config *c, const enum oci_hook_kind *kinds, size_t n)
{
  long long ms = SYNC_TIMEOUT_MS;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < c->hooks.len[kinds[i]]; j++) {
      const struct oci_hook *h = &c->hooks.hooks[kinds[i]][j];
      if (!h->timeout.set)
        return -1;
      ms += h->timeout.v * 1000;
      if (ms > INT32_MAX)
        return -1;
    }
  return (int) ms;
}

/* ---- console.c ---- */
/* Open a new pty pair from /dev/ptmx of the caller's root (the container's devpts); master and
 * slave O_CLOEXEC; the slave without ONLCR and owned by p->user.uid, as runc's. */
int console_open_pty(int *master, int *slave, char **slave_name, const struct oci_process *p,
                     struct cove_error *err);
/* Make slave the controlling tty and stdio of the calling process. */
int console_make_stdio(int slave, struct cove_error *err);
/* Send the pty master to --console-socket (runc's recvtty protocol). */
int console_send(const char *socket_path, int master, const char *name, struct cove_error *err);

/* ---- signals.c ---- */
/* Wait for child `pid` (pidfd) while forwarding signals to it; with tty_master >= 0, proxy our
 * stdio to it (raw mode, SIGWINCH).  *exit_code: status or 128+N. */
int signals_wait_forward(pid_t pid, int pidfd, int tty_master, int *exit_code, struct cove_error *err);
/* The same, relaying the container's sd_notify messages meanwhile (relay NULL: none). */
struct notify_relay;
int signals_wait_forward_notify(pid_t pid, int pidfd, int tty_master, struct notify_relay *relay, int *exit_code,
                                struct cove_error *err);
/* A child of ours that hung up before its word (err holds sync's EPIPE, "exited without a
 * word", or ECONNRESET, gone with a message of ours unread): how it died, read from pidfd
 * without reaping it, goes before the message: its exit status, its signal, or the OOM killer
 * of cg (its memory limit too low for the setup).  err stays as it is for any other error, or
 * a child not dead a second later. */
void signals_name_death(int pidfd, struct cove_cgroup *cg, const char *who, struct cove_error *err);

/* ---- create.c / init.c ---- */
/* What create, run and restore do alike before anything is made.  bundle_open: the bundle's
 * absolute path, its config.json read and parsed (.process required "to PURPOSE a container",
 * .root.path required), the rootfs path, checked to be a directory.  state_dir_make: the state
 * root opened (made if missing), the container's directory made (`already exists` when it is),
 * its absolute path, an O_PATH fd of it and its exclusive lock; *made says the directory is
 * ours to remove. */
int bundle_open(const char *bundle, const char *purpose, char **abs_bundle, char **rootfs, char **data, size_t *len,
                struct oci_config **config, struct cove_error *err);
int state_dir_make(const char *root, const char *id, int *root_fd, char **dir, int *dir_fd, int *lock_fd, bool *made,
                   struct cove_error *err);

/* Everything `create` knows; the init is a clone of the parent, so it reads the same struct. */
struct create_ctx {
  const struct cove_create_opts *o;
  bool run_mode; /* run: no exec fifo, the parent sends SYNC_START */
  struct oci_config *config;
  char *config_data;
  size_t config_len;
  char *bundle, *rootfs, *dir;
  int root_fd, dir_fd, lock_fd;
  int sync_parent, sync_child;
  int fifo_fd, done_fd;
  struct ns_plan ns;
  struct userns_writer userns;
  struct cove_cgroup *cg;
  struct cgroup_placement place; /* the init (or stage1) enters its v1 cgroups itself */
  struct rootfs_prepared *prepared; /* rootfs_prepare(): what only the parent can make */
  struct cove_seccomp_prog seccomp;
  bool has_seccomp;
  struct netns_plan *net;
  int preserve; /* --preserve-fds + LISTEN_FDS */
  char **env;
  pid_t pid;
  int pidfd;
  unsigned long long start_time;
  int console_master; /* run in the foreground with a terminal */
  bool dir_made, net_made;
  char *created;
  pid_t creator_pid; /* this `cove`, named in the record until create is done */
  unsigned long long creator_start;
  bool cgroupns_late; /* the init unshares its cgroup ns once it is in its cgroup */
  bool go_needed; /* the parent has work between the clone and the init's setup: GO ends it */
  bool seccomp_done; /* loaded before `start` (notify with create) */
  bool started; /* the init was released: errors go to stderr, nobody reads the socket */
  bool hooks_started; /* create's hooks ran (or the init was released): undoing runs poststop */
  bool start_hook_failed; /* the init: a startContainer hook failed (start then destroys) */
};

/* Validate, create the cgroup and the init, wait until it is ready, write the state.  On
 * failure nothing is left behind. */
int container_create(const struct cove_create_opts *o, bool run_mode, struct create_ctx **out,
                     struct cove_error *err);
/* Undo everything create made (kill the init, cgroup, network, state dir). */
void container_destroy_created(struct create_ctx *x);
void create_ctx_free(struct create_ctx *x);
static inline void create_ctx_freep(struct create_ctx **x)
{
  if (*x)
    create_ctx_free(*x);
}
/* The init's and stage1's entry points (init.c); never return. */
__attribute__((noreturn)) void init_main(struct create_ctx *x);
__attribute__((noreturn)) void stage1_main(struct create_ctx *x);

/* The current time as RFC 3339 with nanoseconds (heap), for the state's `created`. */
char *now_rfc3339(void);

/* ---- delete.c ---- */
/* Remove everything of a stopped container (hooks, cgroup, network, state). */
int container_remove(struct cove_container *c, struct cove_error *err);

#endif
