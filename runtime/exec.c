/* exec.c: `exec`: a new process in a running container.  The parent (running from the sealed
 * memfd, see selfexe.c) enters the init's pid namespace for its children only, clones the
 * process into the container's cgroup, and the child joins every other namespace of the init in
 * one setns(pidfd) (user first, as the kernel orders it), then applies the process attributes
 * and execs.  The sync socket closes on a successful execve: EOF is the parent's "it runs". */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/trace.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct exec_ctx {
  const struct cove_exec_opts *o;
  struct cove_container *c;
  struct oci_config *config;
  struct oci_process *proc; /* what to run (owned when from --process, else points into config) */
  bool proc_owned;
  char **env;               /* merged */
  char **args_copy;         /* --cap additions etc. allocate: freed at the end */
  int init_pidfd;
  int ns_flags;
  bool userns;
  /* rootless: the parent may not enter the pid namespace of a user namespace it is not in, so a
   * stage child joins every namespace and clones the process (CLONE_PARENT: still our child) */
  bool via_stage, joined;
  struct cove_seccomp_prog seccomp;
  bool has_seccomp;
  int sync[2];
  struct cgroup_placement place; /* the child enters the v1 cgroups itself (cgroups.h) */
  bool go_needed;                /* the parent writes a cgroup for the child: GO says it did */
};

static void strv_free(char **v)
{
  if (!v)
    return;
  for (char **p = v; *p; p++)
    free(*p);
  free(v);
}

static const char *env_key_end(const char *kv)
{
  const char *eq = strchr(kv, '=');
  return eq ? eq : kv + strlen(kv);
}

/* container env under the given one: a key given wins */
static char **merge_env(char **base, size_t nbase, const char **given, size_t ngiven)
{
  char **out = xcalloc(nbase + ngiven + 1, sizeof(char *));
  size_t k = 0;

  for (size_t i = 0; i < nbase; i++) {
    size_t kl = (size_t) (env_key_end(base[i]) - base[i]);
    bool overridden = false;
    for (size_t j = 0; j < ngiven; j++)
      if (!strncmp(given[j], base[i], kl) && (given[j][kl] == '=' || given[j][kl] == '\0'))
        overridden = true;
    if (!overridden)
      out[k++] = xstrdup(base[i]);
  }
  for (size_t j = 0; j < ngiven; j++)
    out[k++] = xstrdup(given[j]);
  out[k] = NULL;
  return out;
}

static int parse_id(const char *s, uint32_t *out)
{
  unsigned long long v;
  if (parse_u64(s, &v) < 0 || v > 0xffffffffULL)
    return -1;
  *out = (uint32_t) v;
  return 0;
}

static char **append_names(char **names, size_t *n, const char **add, size_t nadd)
{
  /* the oci arrays are NULL-terminated heap arrays owned by the config: grow in place */
  names = xrealloc(names, (*n + nadd + 1) * sizeof(char *));
  for (size_t i = 0; i < nadd; i++)
    names[(*n)++] = xstrdup(add[i]);
  names[*n] = NULL;
  return names;
}

static void set_str(char **dst, const char *v)
{
  free(*dst);
  *dst = xstrdup(v);
}

/* The labels of the process, as runc picks them: --apparmor / --process-label, else a process
 * file's own, else the container's; refused here when this host cannot apply them.  An empty
 * flag or field is no choice (runc): it never takes the process out of the container's profile. */
static int set_labels(struct exec_ctx *e, struct cove_error *err)
{
  const struct cove_exec_opts *o = e->o;
  const struct oci_process *cp = e->config->process;
  struct oci_process *p = e->proc;
  _cleanup_free_ char *aa_what = NULL, *se_what = NULL;

  if (o->apparmor && *o->apparmor)
    set_str(&p->apparmor_profile, o->apparmor);
  else if (o->process_file && (!p->apparmor_profile || !*p->apparmor_profile) && cp->apparmor_profile)
    set_str(&p->apparmor_profile, cp->apparmor_profile);
  if (o->process_label && *o->process_label)
    set_str(&p->selinux_label, o->process_label);
  else if (o->process_file && (!p->selinux_label || !*p->selinux_label) && cp->selinux_label)
    set_str(&p->selinux_label, cp->selinux_label);
  aa_what = o->apparmor && *o->apparmor ? xstrdup("--apparmor")
            : o->process_file ? xasprintf("--process %s: .apparmorProfile", o->process_file)
                              : xstrdup("config.json: .process.apparmorProfile");
  se_what = o->process_label && *o->process_label ? xstrdup("--process-label")
            : o->process_file ? xasprintf("--process %s: .selinuxLabel", o->process_file)
                              : xstrdup("config.json: .process.selinuxLabel");
  if (lsm_check_apparmor(aa_what, p->apparmor_profile, err) < 0 ||
      lsm_check_selinux(se_what, p->selinux_label, err) < 0)
    return -1;
  return 0;
}

/* The process to run: --process FILE, or the container's process with the command line's
 * changes. */
static int build_process(struct exec_ctx *e, struct cove_error *err)
{
  const struct cove_exec_opts *o = e->o;
  struct oci_process *p;

  if (o->process_file) {
    if (oci_process_load(o->process_file, &e->proc, err) < 0)
      return -1;
    e->proc_owned = true;
  } else {
    if (!o->args || !o->args[0])
      return cove_error_set(err, 0, "no command given (COMMAND or --process is needed)");
    e->proc = e->config->process;
    /* replace the args: the config's own are freed with the config */
    for (size_t i = 0; i < e->proc->args_len; i++)
      free(e->proc->args[i]);
    free(e->proc->args);
    e->proc->args_len = 0;
    while (o->args[e->proc->args_len])
      e->proc->args_len++;
    e->proc->args = xcalloc(e->proc->args_len + 1, sizeof(char *));
    for (size_t i = 0; i < e->proc->args_len; i++)
      e->proc->args[i] = xstrdup(o->args[i]);
    e->proc->terminal = o->tty;
  }
  p = e->proc;
  if (o->process_file && o->tty)
    p->terminal = true;
  if (o->cwd) {
    free(p->cwd);
    p->cwd = xstrdup(o->cwd);
  }
  if (o->user) {
    _cleanup_free_ char *u = xstrdup(o->user);
    char *colon = strchr(u, ':');
    if (colon)
      *colon = '\0';
    if (parse_id(u, &p->user.uid) < 0 || (colon && parse_id(colon + 1, &p->user.gid) < 0))
      return cove_error_set(err, 0, "--user `%s`: expected UID[:GID] as numbers", o->user);
    if (!colon)
      p->user.gid = p->user.uid == 0 ? 0 : p->user.gid;
  }
  if (o->additional_gids_len) {
    free(p->user.additional_gids);
    p->user.additional_gids = xcalloc(o->additional_gids_len, sizeof(uint32_t));
    p->user.additional_gids_len = o->additional_gids_len;
    for (size_t i = 0; i < o->additional_gids_len; i++)
      if (parse_id(o->additional_gids[i], &p->user.additional_gids[i]) < 0)
        return cove_error_set(err, 0, "--additional-gids `%s`: expected a number", o->additional_gids[i]);
  }
  if (o->caps_len) {
    if (!p->capabilities)
      p->capabilities = xcalloc(1, sizeof(*p->capabilities));
    /* an unknown name is warned about with the config's (caps_warn_unknown) and skipped */
    p->capabilities->bounding = append_names(p->capabilities->bounding, &p->capabilities->bounding_len, o->caps, o->caps_len);
    p->capabilities->effective = append_names(p->capabilities->effective, &p->capabilities->effective_len, o->caps, o->caps_len);
    p->capabilities->permitted = append_names(p->capabilities->permitted, &p->capabilities->permitted_len, o->caps, o->caps_len);
    /* runc's rule: an ambient capability needs the inheritable bit, which --cap does not set;
     * so it is raised in the ambient set only when the config has inheritable ones at all (an
     * --cap not among them is then warned about as one that cannot be raised) */
    if (p->capabilities->inheritable_len)
      p->capabilities->ambient = append_names(p->capabilities->ambient, &p->capabilities->ambient_len, o->caps, o->caps_len);
  }
  if (o->no_new_privs)
    p->no_new_privileges = true;
  if (set_labels(e, err) < 0)
    return -1;
  if (p->terminal && o->detach && !o->console_socket)
    return cove_error_set(err, 0, "--tty with --detach needs --console-socket");
  if (!p->terminal && o->console_socket)
    return cove_error_set(err, 0, "--console-socket given without --tty");
  if (!p->args_len)
    return cove_error_set(err, 0, "process: args must not be empty");
  {
    const struct oci_process *cp = e->config->process;
    if (o->process_file)
      e->env = merge_env(cp ? cp->env : NULL, cp ? cp->env_len : 0, (const char **) p->env, p->env_len);
    else
      e->env = merge_env(p->env, p->env_len, o->env, o->env_len);
  }
  return 0;
}

/* The child: join the container, become its process.  Never returns. */
__attribute__((noreturn)) static void exec_child(struct exec_ctx *e, int sock)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_process *p = e->proc;
  struct sync_chan ch = sync_chan(sock, SYNC_EXEC, "cove exec");
  _cleanup_free_ char *exec_path = NULL;
  struct sync_msg m;
  sigset_t none;

  cove_trace("exec child: running");
  /* the lock is the parent's: a copy here (until our execve) would keep it held */
  if (e->c->lock_fd >= 0) {
    close(e->c->lock_fd);
    e->c->lock_fd = -1;
  }
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  {
    /* CVE-2024-21626: we are born in the container's pid namespace and cgroup and join the rest
     * next; no host fd of cove's (state dir, cgroup dirs, lock) or of its caller may come along.
     * Kept: stdio, the preserved fds, the sync socket, the init's pidfd until the setns, the
     * v1 cgroup `tasks` files it writes itself into right after. */
    _cleanup_free_ int *keep = xcalloc((size_t) e->o->preserve_fds + 2 + CGROUP_PLACEMENT_MAX, sizeof(int));
    size_t n = 0;
    for (int fd = 3; fd < 3 + e->o->preserve_fds; fd++)
      keep[n++] = fd;
    keep[n++] = sock;
    if (e->init_pidfd >= 0)
      keep[n++] = e->init_pidfd;
    n += cgroup_placement_fds(&e->place, keep + n);
    cove_log_close();
    if (!e->joined && fds_close_except(keep, n, &err) < 0)
      goto fail;
  }
  if (cgroup_placement_self(&e->place, &err) < 0)
    goto fail;
  cove_trace("exec child: in its cgroups");
  if (e->go_needed && sync_expect(&ch, SYNC_GO, &m, NULL, SYNC_TIMEOUT_MS, &err) < 0)
    goto fail;
  cove_trace("exec child: go");
  /* every namespace of the init at once; the kernel joins the user namespace first */
  if (!e->joined && e->ns_flags && setns(e->init_pidfd, e->ns_flags) < 0) {
    cove_error_set(&err, errno, "join the container's namespaces");
    goto fail;
  }
  if (e->init_pidfd >= 0)
    close(e->init_pidfd);
  e->init_pidfd = -1;
  cove_trace("exec child: namespaces joined");
  if (e->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
    cove_error_set(&err, errno, "become root in the container's user namespace");
    goto fail;
  }
  if (!e->c->no_new_keyring) {
    /* the container's session keyring, not the caller's (runc's exec); made with the process's
     * label when the init could not make it (it went on without one) */
    _cleanup_free_ char *name = xasprintf("_ses.%.64s", e->c->id);
    if (lsm_set_keyring_label(p->selinux_label, &err) < 0)
      goto fail;
    if (sys_keyctl_join_session(name) < 0 && errno != ENOSYS && errno != EACCES && errno != EPERM &&
        errno != EDQUOT) {
      cove_error_set(&err, errno, "join the container's session keyring");
      goto fail;
    }
  }
  if (process_apply_early(p, e->config, &err) < 0)
    goto fail;
  /* resolved inside the container's root (never through /proc/self/fd/N), checked after */
  if (process_chdir(p->cwd, false, &err) < 0)
    goto fail;
  if (process_env_home(&e->env, p->user.uid, &err) < 0)
    goto fail;
  {
    struct oci_process tmp = *p;
    tmp.env = e->env;
    if (process_find_exec(&tmp, e->env, &exec_path, &err) < 0)
      goto fail;
  }
  if (p->terminal) {
    int master = -1, slave = -1;
    _cleanup_free_ char *name = NULL;
    if (console_open_pty(&master, &slave, &name, p, &err) < 0)
      goto fail;
    if (sync_send(&ch, SYNC_CONSOLE, 0, name, master, &err) < 0)
      goto fail;
    close(master);
    if (console_make_stdio(slave, &err) < 0)
      goto fail;
    close(slave);
  } else {
    setsid();
  }
  prctl(PR_SET_PDEATHSIG, 0);
  /* the profile and label the execve below gives the process (while still root: the private
   * procfs the write goes through needs CAP_SYS_ADMIN) */
  if (lsm_apply_exec_label(p->apparmor_profile, p->selinux_label, &err) < 0)
    goto fail;
  {
    struct process_final f = {
      .p = p,
      .env = e->env,
      .exec_path = exec_path,
      .preserve = e->o->preserve_fds,
      .seccomp = e->has_seccomp ? &e->seccomp : NULL,
      .sync = &ch,
      .keep_fd = -1,
    };
    process_exec(&f, &err);
  }
fail:
  sync_send_error(&ch, &err);
  _exit(1);
}

/* The stage child (via_stage): join every namespace of the init, the pid one included (for its
 * children), clone the exec process into them as a child of `cove exec`, tell the parent its
 * pid and exit.  Never returns. */
__attribute__((noreturn)) static void exec_stage(struct exec_ctx *e, int sock)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct sync_chan ch = sync_chan(sock, SYNC_STAGE1, "cove exec");
  struct clone_args args = {.flags = CLONE_PARENT, .exit_signal = 0};
  _cleanup_free_ int *keep = xcalloc((size_t) e->o->preserve_fds + 2 + CGROUP_PLACEMENT_MAX, sizeof(int));
  size_t n = 0;
  sigset_t none;
  long pid;

  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* the host fds go before the namespaces are entered, and the cgroups are taken, as in
   * exec_child: the process it clones is born in them */
  for (int fd = 3; fd < 3 + e->o->preserve_fds; fd++)
    keep[n++] = fd;
  keep[n++] = sock;
  keep[n++] = e->init_pidfd;
  n += cgroup_placement_fds(&e->place, keep + n);
  cove_log_close();
  if (fds_close_except(keep, n, &err) < 0 || cgroup_placement_self(&e->place, &err) < 0)
    goto fail;
  if (setns(e->init_pidfd, e->ns_flags | CLONE_NEWPID) < 0) {
    cove_error_set(&err, errno, "join the container's namespaces");
    goto fail;
  }
  close(e->init_pidfd);
  e->init_pidfd = -1;
  pid = sys_clone3(&args);
  if (pid < 0) {
    cove_error_set(&err, errno, "clone the exec process");
    goto fail;
  }
  if (pid == 0) {
    e->joined = true;
    exec_child(e, sock);
  }
  if (sync_send(&ch, SYNC_INIT_PID, (int32_t) pid, NULL, -1, &err) < 0)
    _exit(1);
  _exit(0);
fail:
  sync_send_error(&ch, &err);
  _exit(1);
}

/* Parent side of via_stage: the stage's report of the process's pid; the stage is reaped. */
static int await_stage(struct exec_ctx *e, pid_t stage, int stage_fd, pid_t *pid, int *pidfd, struct cove_error *err)
{
  struct sync_chan ch = sync_chan(e->sync[0], "cove exec", SYNC_STAGE1);
  struct sync_msg m;
  int r = sync_expect(&ch, SYNC_INIT_PID, &m, NULL, SYNC_TIMEOUT_MS, err);

  if (r == 0) {
    *pid = m.value;
    *pidfd = sys_pidfd_open(*pid);
    if (*pidfd < 0)
      r = cove_error_set(err, errno, "pidfd_open of the exec process");
  }
  if (r < 0)
    sys_pidfd_send_signal(stage_fd, SIGKILL);
  while (waitpid(stage, NULL, 0) < 0 && errno == EINTR)
    ;
  close(stage_fd);
  return r;
}

static void exec_ctx_release(struct exec_ctx *e)
{
  if (e->proc_owned && e->proc)
    oci_process_free(e->proc);
  if (e->config)
    oci_config_free(e->config);
  strv_free(e->env);
  if (e->init_pidfd >= 0)
    close(e->init_pidfd);
  if (e->has_seccomp)
    cove_seccomp_prog_release(&e->seccomp);
  for (int i = 0; i < 2; i++)
    if (e->sync[i] >= 0)
      close(e->sync[i]);
  cgroup_placement_close(&e->place);
  if (e->c)
    cove_container_free(e->c);
}

static int do_exec(struct exec_ctx *e, int *exit_code, struct cove_error *err)
{
  const struct cove_exec_opts *o = e->o;
  struct clone_args args = {.exit_signal = SIGCHLD};
  int cg_fd, pidfd = -1, console = -1, r = -1;
  _cleanup_close_ int own_pidfd = -1;
  pid_t pid;

  /* before anything is opened: no fd of ours may take a number the process is to get */
  if (fds_reserve(3 + o->preserve_fds, err) < 0)
    return -1;
  if (cove_container_load(o->root, o->id, COVE_LOCK_EXCLUSIVE, &e->c, err) < 0)
    return -1;
  cove_trace("exec: state loaded");
  if (e->c->status == COVE_STATUS_STOPPED || e->c->status == COVE_STATUS_CREATING)
    return cove_error_set(err, 0, "the container is %s: cannot exec in it", cove_status_name(e->c->status));
  if (e->c->status == COVE_STATUS_PAUSED && !o->ignore_paused)
    return cove_error_set(err, 0, "the container is paused: resume it first (or --ignore-paused)");
  if (cove_container_config(e->c, &e->config, err) < 0)
    return -1;
  if (!e->config->process)
    return cove_error_set(err, 0, "the container's config has no process");
  if (build_process(e, err) < 0)
    return -1;
  cove_trace("exec: config read, process built");
  if (e->proc->capabilities)
    caps_warn_unknown(e->proc->capabilities);
  if (e->config->linux_ && e->config->linux_->seccomp) {
    _cleanup_free_ char *cache = cove_seccomp_cache_dir(o->root);
    if (cove_seccomp_prepare(e->config->linux_->seccomp, cache, &e->seccomp, err) < 0)
      return -1;
    e->has_seccomp = true;
  }
  e->init_pidfd = container_pidfd(e->c);
  if (e->init_pidfd < 0 && errno == ESRCH)
    return cove_error_set(err, 0, "the container is stopped: cannot exec in it");
  if (e->init_pidfd < 0)
    return sys_fail(err, errno, SYS_F_PIDFD_OPEN, "open the init's pidfd");
  for (size_t i = 0; e->config->linux_ && i < e->config->linux_->namespaces_len; i++) {
    enum oci_ns_type t = e->config->linux_->namespaces[i].type;
    if (t == OCI_NS_PID)
      continue;
    e->ns_flags |= ns_clone_flag(t);
    if (t == OCI_NS_USER)
      e->userns = true;
  }
  /* children of ours are born in the container's pid namespace; we stay where we are */
  if (oci_namespace_find(e->config, OCI_NS_PID) && setns(e->init_pidfd, CLONE_NEWPID) < 0) {
    if (errno != EPERM || !e->userns)
      return cove_error_set(err, errno, "enter the container's pid namespace");
    e->via_stage = true;
  }
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, e->sync) < 0)
    return cove_error_set(err, errno, "socketpair");
  /* with --cgroup the parent writes the pid where it belongs; else the clone and the child do */
  if (e->c->cgroup && !o->cgroup_sub && cgroup_placement_open(e->c->cgroup, &e->place, err) < 0)
    return cove_error_wrap(err, "cgroup");
  cg_fd = e->place.clone_fd;
  args.flags = CLONE_PIDFD;
  args.pidfd = (uint64_t) (uintptr_t) &pidfd;
  if (cg_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t) cg_fd;
  }
  e->go_needed = e->c->cgroup && (o->cgroup_sub || !cgroup_placement_complete(e->c->cgroup, &e->place, cg_fd >= 0));
  cove_trace("exec: clone");
  pid = (pid_t) sys_clone3(&args);
  if (pid < 0 && errno == ENOSYS && cg_fd >= 0) {
    cg_fd = -1;
    args.flags &= ~(uint64_t) CLONE_INTO_CGROUP;
    e->go_needed = e->go_needed || !cgroup_placement_complete(e->c->cgroup, &e->place, false);
    pid = (pid_t) sys_clone3(&args);
  }
  if (pid < 0 && errno == EBUSY && cg_fd >= 0) {
    /* the container's cgroup has controllers enabled below it (systemd as its init): the
     * init's own cgroup, a leaf inside it, as runc does */
    int leaf = cgroup_clone_fd_of(e->c->cgroup, e->c->pid);
    if (leaf >= 0) {
      args.cgroup = (uint64_t) leaf;
      pid = (pid_t) sys_clone3(&args);
    } else {
      errno = EBUSY;
    }
  }
  if (pid < 0)
    return cove_error_set(err, errno, "clone the exec process");
  if (pid == 0) {
    close(e->sync[0]);
    if (e->via_stage)
      exec_stage(e, e->sync[1]);
    exec_child(e, e->sync[1]);
  }
  close(e->sync[1]);
  e->sync[1] = -1;
  if (e->via_stage && await_stage(e, pid, pidfd, &pid, &pidfd, err) < 0)
    return -1;
  own_pidfd = pidfd;
  cove_trace("exec: cloned");
  if (e->c->cgroup &&
      (o->cgroup_sub ? cgroup_enter(e->c->cgroup, pid, o->cgroup_sub, err)
                     : cgroup_placement_finish(e->c->cgroup, &e->place, pid, cg_fd >= 0, err)) < 0) {
    cove_error_wrap(err, "cgroup");
    goto kill;
  }
  cgroup_placement_close(&e->place);
  {
    struct sync_chan ch = sync_chan(e->sync[0], "cove exec", SYNC_EXEC);
    bool at_execve = false;

    if (e->go_needed && sync_send(&ch, SYNC_GO, 0, NULL, -1, err) < 0)
      goto kill;
    /* the process is in the container's cgroup: what follows waits on it, and a frozen one (exec
     * --ignore-paused) only answers after `resume`, which needs the lock */
    state_unlock(&e->c->lock_fd);
    /* the pty, the seccomp fd, then EXECVE and the hangup of the execve; or an error */
    for (;;) {
      struct sync_msg m;
      int fd = -1;
      if (sync_recv(&ch, &m, &fd, SYNC_TIMEOUT_MS, err) < 0)
        goto kill;
      if (m.type == SYNC_HANGUP && at_execve)
        break;
      if (m.type == SYNC_EXECVE && !at_execve) {
        at_execve = true;
      } else if (m.type == SYNC_CONSOLE && fd >= 0 && !at_execve) {
        if (o->console_socket) {
          int cr = console_send(o->console_socket, fd, m.payload, err);
          close(fd);
          if (cr < 0)
            goto kill;
        } else {
          console = fd;
        }
      } else if (m.type == SYNC_SECCOMP_FD && fd >= 0) {
        _cleanup_free_ char *state = cove_container_state_json(e->c, err);
        int sr = state ? seccomp_hand_to_listener(e->config, fd, pid, state, err) : -1;
        close(fd);
        if (sr < 0 || sync_send(&ch, SYNC_SECCOMP_ACK, 0, NULL, -1, err) < 0)
          goto kill;
      } else {
        sync_unexpected(&ch, &m, &fd, at_execve ? "seccomp-fd" : "console, seccomp-fd or execve", err);
        goto kill;
      }
    }
  }
  cove_trace("exec: process execed");
  if (o->pid_file && state_write_pid_file(o->pid_file, pid, err) < 0)
    goto kill;
  /* runc 1.2's --pidfd-socket: "setns" names a process joined to a running container */
  if (o->pidfd_socket && unix_send_fd("pidfd socket", o->pidfd_socket, own_pidfd, "setns", err) < 0)
    goto kill;
  if (o->detach) {
    *exit_code = 0;
    if (console >= 0)
      close(console);
    return 0;
  }
  r = signals_wait_forward(pid, own_pidfd, console, exit_code, err);
  cove_trace("exec: process exited");
  if (console >= 0)
    close(console);
  return r;

kill:
  signals_name_death(own_pidfd, e->c->cgroup, "the exec'd process", err);
  sys_pidfd_send_signal(own_pidfd, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  if (console >= 0)
    close(console);
  return -1;
}

int cove_exec(const struct cove_exec_opts *o, int *exit_code, struct cove_error *err)
{
  struct exec_ctx e = {.o = o, .init_pidfd = -1, .sync = {-1, -1}, .place = CGROUP_PLACEMENT_INIT};
  sigset_t all;
  int r;

  *exit_code = 1;
  if (!o->detach) {
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
  }
  r = do_exec(&e, exit_code, err);
  exec_ctx_release(&e);
  if (r < 0)
    return cove_error_wrap(err, "exec %s", o->id);
  return 0;
}
