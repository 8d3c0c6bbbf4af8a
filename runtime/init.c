/* init.c: the container's side of creation: stage1 (only when namespaces are joined by path)
 * and the init itself, from the clone to the execve of process.args.  Every failure before the
 * init reports ready goes back to the parent as text (sync.h); later ones go to stderr. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/syscalls.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/trace.h"
#include "common/util.h"
#include "netns/netns.h"
#include "runtime/internal.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/sync.h"

static struct sync_chan init_chan(const struct create_ctx *x)
{
  return sync_chan(x->sync_child, SYNC_INIT, x->run_mode ? "cove run" : "cove create");
}

/* Report err and exit.  Until `create` returned the parent reads the sync socket (`run` reads it
 * until the execve); after that only the container's stderr is left, and `start` learns of the
 * failure from a byte on the exec-done fifo. */
__attribute__((noreturn)) static void die(struct create_ctx *x, struct cove_error *err)
{
  struct sync_chan ch = init_chan(x);
  struct cove_error e = COVE_ERROR_INIT;

  if (x->sync_child < 0 || sync_send(&ch, SYNC_ERROR, err->errnum, cove_error_msg(err), -1, &e) < 0) {
    _cleanup_free_ char *line = xasprintf("cove: %s %s: %s\n", x->run_mode ? "run" : "start", x->o->id,
                                          cove_error_msg(err));
    (void) !write(STDERR_FILENO, line, strlen(line));
    cove_error_release(&e);
  }
  /* tell a waiting `start` that the process never ran, and why: a failing startContainer hook
   * makes it destroy the container (runtime-spec) */
  if (x->started && x->done_fd >= 0) {
    _cleanup_free_ char *why = xasprintf("%c%.3000s", x->start_hook_failed ? EXEC_DONE_HOOK_FAILED : EXEC_DONE_FAILED,
                                         cove_error_msg(err));
    (void) !write(x->done_fd, why, strlen(why));
  }
  _exit(1);
}

static void close_parent_only(struct create_ctx *x)
{
  sigset_t none;

  /* `run` blocks every signal to forward them: the container starts with none blocked */
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  /* the lock is the parent's: a copy here would keep it held after `create` exits */
  if (x->lock_fd >= 0) {
    close(x->lock_fd);
    x->lock_fd = -1;
  }
}

/* The fd sweep, the first thing stage1 and the init do (CVE-2024-21626): from the clone on they
 * are in the container's namespaces, and a host fd they hold (the state dir, the cgroup dirs,
 * whatever the caller of cove left open) would be reachable through /proc/self/fd as a cwd, or
 * through /proc/PID/fd by a process that joins the container.  Kept: stdio, the preserved fds,
 * the sync socket, the exec fifos (fifos, not directories), the detached mounts rootfs_prepare
 * made (closed once attached), the v1 cgroup `tasks` files it writes itself into right after
 * (files, not directories; see cgroups.h), and in stage1 the namespaces it joins. */
static void sweep_fds(struct create_ctx *x, bool stage1)
{
  size_t cap = 3 + (size_t) x->preserve + x->config->mounts_len + 1 + OCI_NS_KINDS + CGROUP_PLACEMENT_MAX, n = 0;
  _cleanup_free_ int *keep = xcalloc(cap, sizeof(int));
  struct cove_error err = COVE_ERROR_INIT;

  for (int fd = 3; fd < 3 + x->preserve; fd++)
    keep[n++] = fd;
  keep[n++] = x->sync_child;
  keep[n++] = x->fifo_fd;
  keep[n++] = x->done_fd;
  n += rootfs_prepared_fds(x->prepared, keep + n, x->config->mounts_len + 1);
  n += cgroup_placement_fds(&x->place, keep + n);
  for (int i = 0; stage1 && i < OCI_NS_KINDS; i++)
    if (x->ns.join_fd[i] >= 0)
      keep[n++] = x->ns.join_fd[i];
  /* the log file is the host's too: from here errors travel on the sync socket or to stderr */
  cove_log_close();
  if (fds_close_except(keep, n, &err) < 0)
    die(x, &err);
  x->root_fd = x->dir_fd = x->pidfd = x->console_master = -1;
  x->cg = NULL; /* its directory fds are gone with the rest; the init never uses it */
  x->place.clone_fd = -1;
  for (int i = 0; !stage1 && i < OCI_NS_KINDS; i++)
    x->ns.join_fd[i] = -1;
}

/* Until it is released, the init (and stage1) must not outlive the `cove` creating it: a killed
 * create leaves nothing running.  The parent-death signal covers a death from now on; a parent
 * already gone shows as a hang-up on the sync socket (getppid() cannot tell in a new pid
 * namespace). */
static void die_with_creator(struct create_ctx *x)
{
  struct pollfd p = {.fd = x->sync_child, .events = POLLIN};

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)))
    _exit(1);
}

/* The container's session keyring gets the user's search permission, as runc's init gives it:
 * `exec` finds it by name and joins it (without it, the join makes a new keyring of that name). */
static int keyring_make_searchable(long key, struct cove_error *err)
{
  char desc[512];
  unsigned int perm;
  long n = sys_keyctl_describe(key, desc, sizeof(desc));

  if (n < 0)
    return cove_error_set(err, errno, "describe the session keyring");
  desc[(size_t) n < sizeof(desc) ? (size_t) n : sizeof(desc) - 1] = '\0';
  {
    /* type;uid;gid;perm;description */
    const char *f = desc;
    for (int i = 0; i < 3 && f; i++) {
      f = strchr(f, ';');
      if (f)
        f++;
    }
    if (!f || sscanf(f, "%x", &perm) != 1)
      return cove_error_set(err, 0, "the session keyring's description `%s` has no permission field", desc);
  }
  if (sys_keyctl_setperm(key, perm | 0x00080000 /* KEY_USR_SEARCH */) < 0)
    return cove_error_set(err, errno, "make the session keyring searchable");
  return 0;
}

__attribute__((noreturn)) void stage1_main(struct create_ctx *x)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct clone_args args = {.flags = CLONE_PARENT, .exit_signal = 0};
  struct sync_chan ch = sync_chan(x->sync_child, SYNC_STAGE1, x->run_mode ? "cove run" : "cove create");
  struct sync_msg m;
  long pid;

  close_parent_only(x);
  die_with_creator(x);
  sweep_fds(x, true);
  /* the init, our child, inherits the cgroups */
  if (cgroup_placement_self(&x->place, &err) < 0)
    die(x, &err);
  if (sync_expect(&ch, SYNC_GO, &m, NULL, SYNC_TIMEOUT_MS, &err) < 0)
    die(x, &err);
  if (ns_join(&x->ns, false, &err) < 0)
    die(x, &err);
  if (x->ns.has_user && !x->ns.new_user && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
    /* files we create must belong to a mapped id (else EOVERFLOW) */
    cove_error_set(&err, errno, "become root in the joined user namespace");
    die(x, &err);
  }
  if (x->ns.new_user) {
    if (unshare(CLONE_NEWUSER) < 0) {
      cove_error_set(&err, errno, "create user namespace");
      die(x, &err);
    }
    if (sync_send(&ch, SYNC_USERMAP_REQ, 0, NULL, -1, &err) < 0 ||
        sync_expect(&ch, SYNC_USERMAP_ACK, &m, NULL, SYNC_TIMEOUT_MS, &err) < 0)
      die(x, &err);
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
      cove_error_set(&err, errno, "become root in the user namespace");
      die(x, &err);
    }
  }
  if ((x->ns.new_flags & ~(unsigned long) CLONE_NEWUSER) && unshare((int) (x->ns.new_flags & ~(unsigned long) CLONE_NEWUSER)) < 0) {
    cove_error_set(&err, errno, "create namespaces");
    die(x, &err);
  }
  /* CLONE_PARENT: the init is the child of `cove create`, which waits for it */
  pid = sys_clone3(&args);
  if (pid < 0) {
    cove_error_set(&err, errno, "clone the container init");
    die(x, &err);
  }
  if (pid == 0)
    init_main(x);
  if (sync_send(&ch, SYNC_INIT_PID, (int32_t) pid, NULL, -1, &err) < 0)
    _exit(1);
  _exit(0);
}

static int set_hostname(const struct oci_config *c, struct cove_error *err)
{
  if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
    return cove_error_set(err, errno, "set hostname `%s`", c->hostname);
  if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
    return cove_error_set(err, errno, "set domainname `%s`", c->domainname);
  return 0;
}

static int set_sysctls(const struct oci_config *c, struct cove_error *err)
{
  if (!c->linux_)
    return 0;
  for (size_t i = 0; i < c->linux_->sysctl_len; i++) {
    const struct oci_kv *kv = &c->linux_->sysctl[i];
    _cleanup_free_ char *rel = xasprintf("sys/%s", kv->key);
    _cleanup_close_ int fd = -1;

    for (char *p = rel + 4; *p; p++)
      if (*p == '.')
        *p = '/';
    fd = rootfs_open_procfs_file(rel, O_WRONLY | O_TRUNC, err);
    if (fd < 0)
      return cove_error_wrap(err, "sysctl `%s`", kv->key);
    if (write_all(fd, kv->value, strlen(kv->value)) < 0)
      return cove_error_set(err, errno, "sysctl `%s` = `%s`", kv->key, kv->value);
  }
  return 0;
}

static int wait_for_start(struct create_ctx *x, struct cove_error *err)
{
  struct sync_chan ch = init_chan(x);
  struct sync_msg m;

  if (x->run_mode) {
    if (sync_expect(&ch, SYNC_START, &m, NULL, SYNC_TIMEOUT_MS, err) < 0)
      return -1;
    x->pid = m.value;
    return 0;
  }
  if (sync_expect(&ch, SYNC_CREATED, &m, NULL, SYNC_TIMEOUT_MS, err) < 0)
    return -1;
  x->pid = m.value;
  /* `create` exits now: nobody reads the socket any more, `start` talks through the fifos */
  close(x->sync_child);
  x->sync_child = -1;
  for (;;) {
    char b;
    ssize_t n = read(x->fifo_fd, &b, 1);
    if (n == 1)
      break;
    if (n < 0 && errno == EINTR)
      continue;
    return cove_error_set(err, n < 0 ? errno : EPIPE, "wait on the exec fifo");
  }
  close(x->fifo_fd);
  x->fifo_fd = -1;
  return 0;
}

/* The parent runs prestart, createRuntime and createContainer hooks (entering our namespaces
 * for the last) while we wait: the mounts exist, pivot_root is still to come. */
static int hooks_before_pivot(void *arg, struct cove_error *err)
{
  struct create_ctx *x = arg;
  const struct oci_config *c = x->config;
  struct sync_chan ch = init_chan(x);
  struct sync_msg m;

  if (!hooks_any(c, OCI_HOOK_PRESTART) && !hooks_any(c, OCI_HOOK_CREATE_RUNTIME) &&
      !hooks_any(c, OCI_HOOK_CREATE_CONTAINER))
    return 0;
  if (sync_send(&ch, SYNC_HOOKS, 0, NULL, -1, err) < 0)
    return -1;
  /* bounded by the hooks' own timeouts (none when one has none: a parent that dies shows as a
   * hangup, and PR_SET_PDEATHSIG kills us first anyway); a failing hook is reported by the
   * parent itself, which then kills us */
  {
    static const enum oci_hook_kind kinds[] = {OCI_HOOK_PRESTART, OCI_HOOK_CREATE_RUNTIME, OCI_HOOK_CREATE_CONTAINER};
    if (sync_expect(&ch, SYNC_HOOKS_DONE, &m, NULL, hooks_wait_bound_ms(c, kinds, ARRAY_SIZE(kinds)), err) < 0)
      _exit(1);
  }
  return 0;
}

/* In a user namespace, the parent does what the mapped root may not (rootfs_ctx.open_source):
 * open a bind source, idmap a clone.  A failure comes back as its message. */
static int ask_mount_source(void *arg, size_t index, struct cove_error *err)
{
  struct create_ctx *x = arg;
  struct sync_chan ch = init_chan(x);
  struct sync_msg m;
  int fd = -1;

  if (sync_send(&ch, SYNC_MOUNT_SOURCE, (int32_t) index, NULL, -1, err) < 0 ||
      sync_expect(&ch, SYNC_MOUNT_SOURCE_FD, &m, &fd, SYNC_TIMEOUT_MS, err) < 0)
    return -1;
  if (fd < 0)
    return cove_error_set(err, EPROTO, "cove create sent no fd for the mount source");
  return fd;
}

static int ask_mount_idmap(void *arg, size_t index, int tree_fd, struct cove_error *err)
{
  struct create_ctx *x = arg;
  struct sync_chan ch = init_chan(x);
  struct sync_msg m;

  if (sync_send(&ch, SYNC_MOUNT_IDMAP, (int32_t) index, NULL, tree_fd, err) < 0 ||
      sync_expect(&ch, SYNC_MOUNT_IDMAP_DONE, &m, NULL, SYNC_TIMEOUT_MS, err) < 0)
    return -1;
  return 0;
}

/* The runtime's own mount namespace (none listed): nothing may be mounted in it, so the
 * hooks' moment comes at once and the root is entered with chroot (pivot_root would move the
 * host's root), as runc does; create.c refused what would need a mount. */
static int enter_root_without_mount_ns(struct create_ctx *x, struct cove_error *err)
{
  if (hooks_before_pivot(x, err) < 0)
    return -1;
  if (chroot(x->rootfs) < 0)
    return cove_error_set(err, errno, "chroot into %s", x->rootfs);
  if (chdir("/") < 0)
    return cove_error_set(err, errno, "chdir / in %s", x->rootfs);
  return 0;
}

__attribute__((noreturn)) void init_main(struct create_ctx *x)
{
  struct cove_error err = COVE_ERROR_INIT;
  const struct oci_config *c = x->config;
  const struct oci_process *p = c->process;
  struct sync_chan ch = init_chan(x);
  _cleanup_free_ char *exec_path = NULL;
  _cleanup_free_ char *slave_name = NULL;
  int slave = -1;
  struct sync_msg m;

  cove_trace("init: running");
  close_parent_only(x);
  die_with_creator(x);
  sweep_fds(x, false);
  cove_trace("init: fds swept");
  if (cgroup_placement_self(&x->place, &err) < 0)
    die(x, &err);
  cove_trace("init: in its cgroups");
  if (x->go_needed && sync_expect(&ch, SYNC_GO, &m, NULL, SYNC_TIMEOUT_MS, &err) < 0)
    die(x, &err);
  cove_trace("init: go");
  if (x->cgroupns_late && unshare(CLONE_NEWCGROUP) < 0) {
    cove_error_set(&err, errno, "create cgroup namespace");
    die(x, &err);
  }
  /* before the uid change below: it would make /proc/self/timens_offsets root's (not dumpable) */
  if (x->ns.new_time && ns_setup_time(c, &err) < 0)
    die(x, &err);
  if (x->ns.new_user && !x->ns.joins) {
    /* the parent mapped us: become root of the new user namespace */
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
      cove_error_set(&err, errno, "become root in the user namespace (is uid/gid 0 mapped?)");
      die(x, &err);
    }
  }
  if (!x->o->no_new_keyring) {
    /* a session keyring of the container's own, so keys never leak between containers (runc);
     * kernels without keyrings, or a user namespace that may not make one, go on without */
    _cleanup_free_ char *name = xasprintf("_ses.%.64s", x->o->id);
    /* the keyring is made with the container's SELinux label, not cove's (runc) */
    if (lsm_set_keyring_label(p->selinux_label, &err) < 0)
      die(x, &err);
    long key = sys_keyctl_join_session(name);
    if (key < 0 && errno != ENOSYS && errno != EACCES && errno != EPERM && errno != EDQUOT) {
      cove_error_set(&err, errno, "join a new session keyring");
      die(x, &err);
    }
    if (key >= 0 && keyring_make_searchable(key, &err) < 0)
      die(x, &err);
  }
  cove_trace("init: keyring");
  if (x->ns.new_net && netns_lo_up(&err) < 0) {
    cove_error_wrap(&err, "bring lo up");
    die(x, &err);
  }
  cove_trace("init: lo up");
  /* a uts namespace joined by path is the container's too: runc sets the name there as well */
  if (x->ns.has_uts && set_hostname(c, &err) < 0)
    die(x, &err);
  {
    struct rootfs_ctx rc = {
      .config = c,
      .bundle = x->bundle,
      .rootfs = x->rootfs,
      .state_dir = x->dir,
      .no_pivot = x->o->no_pivot,
      .userns = x->ns.has_user || x->o->in_userns, /* no mknod in either (runc's rule) */
      .new_cgroupns = x->ns.new_cgroup,
      .console_fd = slave,
      .prepared = x->prepared,
      .before_pivot = hooks_before_pivot,
      .before_pivot_arg = x,
      .open_source = x->ns.has_user ? ask_mount_source : NULL,
      .idmap_source = x->ns.has_user ? ask_mount_idmap : NULL,
      .parent_arg = x,
    };
    if (x->ns.has_mount ? rootfs_setup(&rc, &err) < 0 : enter_root_without_mount_ns(x, &err) < 0)
      die(x, &err);
    cove_trace("init: rootfs set up");
    /* the detached mounts are attached: their fds (host trees) go */
    rootfs_prepared_free(x->prepared);
    x->prepared = NULL;
    rc.prepared = NULL;
    /* without a mount namespace the container has no /dev of cove's making: stdio stays */
    if (x->ns.has_mount && rootfs_reopen_dev_null(&err) < 0)
      die(x, &err);
    if (p->terminal) {
      /* the pty comes from the container's own devpts (its /dev/ptmx), as with runc: the
       * process sees /dev/pts/N with the mount's mode and gid, and /dev/console is bound to it */
      int master = -1;
      if (console_open_pty(&master, &slave, &slave_name, p, &err) < 0)
        die(x, &err);
      if (sync_send(&ch, SYNC_CONSOLE, 0, slave_name, master, &err) < 0)
        die(x, &err);
      close(master);
      if (x->ns.has_mount && rootfs_bind_console(slave, &err) < 0)
        die(x, &err);
    }
    if (set_sysctls(c, &err) < 0)
      die(x, &err);
    /* resolved in the new root, never through a magic link, and checked after the chdir */
    if (process_chdir(p->cwd, true, &err) < 0)
      die(x, &err);
    cove_trace("init: sysctls, cwd");
    if (x->ns.has_mount && rootfs_finalize(&rc, &err) < 0)
      die(x, &err);
    cove_trace("init: masked and readonly paths");
  }
  if (process_env_home(&x->env, p->user.uid, &err) < 0)
    die(x, &err);
  if (process_apply_early(p, c, &err) < 0)
    die(x, &err);
  if (process_find_exec(p, x->env, &exec_path, &err) < 0)
    die(x, &err);
  if (slave >= 0) {
    if (console_make_stdio(slave, &err) < 0)
      die(x, &err);
    close(slave);
  } else if (x->ns.new_pid) {
    setsid();
  }
  /* the AppArmor profile and SELinux label of process.args come with its execve; set now, before
   * `create` returns, so that a profile the kernel does not know fails `create`, as in runc */
  if (lsm_apply_exec_label(p->apparmor_profile, p->selinux_label, &err) < 0)
    die(x, &err);
  if (x->has_seccomp && x->seccomp.notify) {
    /* a notify filter is loaded before READY, in `create` and `run` alike: `create` exits before
     * the init execs, so the listener gets the fd now, through it, as runc does; startContainer
     * hooks then run under the filter, as with runc */
    if (process_install_seccomp(&x->seccomp, &ch, &err) < 0)
      die(x, &err);
    x->seccomp_done = true;
  }
  /* from here a parent that dies shows as a hangup on the sync socket; the init must outlive a
   * `create` or `run --detach` that exits right after releasing it */
  prctl(PR_SET_PDEATHSIG, 0);
  cove_trace("init: ready");
  if (sync_send(&ch, SYNC_READY, 0, NULL, -1, &err) < 0)
    _exit(1);
  if (wait_for_start(x, &err) < 0)
    die(x, &err);
  cove_trace("init: started");
  x->started = true;
  if (hooks_any(c, OCI_HOOK_START_CONTAINER)) {
    _cleanup_free_ char *state = create_state_json(x, "running", &err);
    if (!state || hooks_run(c, OCI_HOOK_START_CONTAINER, state, 0, "start", &err) < 0) {
      x->start_hook_failed = true;
      die(x, &err);
    }
  }
  {
    struct sync_chan rch = init_chan(x);
    struct process_final f = {
      .p = p,
      .env = x->env,
      .exec_path = exec_path,
      .preserve = x->preserve,
      .seccomp = x->has_seccomp && !x->seccomp_done ? &x->seccomp : NULL,
      .sync = x->sync_child >= 0 ? &rch : NULL,
      .keep_fd = x->done_fd,
    };
    process_exec(&f, &err);
    die(x, &err);
  }
}
