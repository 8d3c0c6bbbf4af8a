/* create.c: the parent side of `create` (and the first half of `run`): validate the bundle
 * before touching the system, make the state dir and cgroup, clone the init straight into its
 * namespaces, write its id maps, answer its messages, write state.json and the pid file.  Any
 * failure undoes everything. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/trace.h"
#include "common/util.h"
#include "netns/netns.h"
#include "runtime/internal.h"
#include "runtime/notify.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/sync.h"

char *now_rfc3339(void)
{
  struct timespec ts;
  char buf[64];
  clock_gettime(CLOCK_REALTIME, &ts);
  if (rfc3339_utc((long long) ts.tv_sec, ts.tv_nsec, buf, sizeof(buf)) < 0)
    buf[0] = '\0'; /* a clock past the year 9999 */
  return xstrdup(buf);
}

static const char *verb(const struct create_ctx *x)
{
  return x->run_mode ? "run" : "create";
}

void create_ctx_free(struct create_ctx *x)
{
  if (!x)
    return;
  if (x->config)
    oci_config_free(x->config);
  free(x->config_data);
  free(x->bundle);
  free(x->rootfs);
  free(x->dir);
  free(x->created);
  cove_closep(&x->root_fd);
  cove_closep(&x->dir_fd);
  state_unlock(&x->lock_fd);
  cove_closep(&x->sync_parent);
  cove_closep(&x->sync_child);
  cove_closep(&x->fifo_fd);
  cove_closep(&x->done_fd);
  cove_closep(&x->pidfd);
  cove_closep(&x->console_master);
  ns_plan_release(&x->ns);
  userns_writer_release(&x->userns);
  rootfs_prepared_free(x->prepared);
  cgroup_placement_close(&x->place);
  if (x->cg)
    cgroup_free(x->cg);
  if (x->has_seccomp)
    cove_seccomp_prog_release(&x->seccomp);
  if (x->net)
    netns_plan_free(x->net);
  if (x->env) {
    for (char **e = x->env; *e; e++)
      free(*e);
    free(x->env);
  }
  free(x);
}

/* Undo what create made, in reverse order; best effort, errors only logged.  Once hooks ran (a
 * failing prestart, createRuntime, createContainer or startContainer hook included) the
 * runtime-spec goes on with destroying the container and the poststop hooks.  The state dir,
 * the record of it all, goes last and only when everything else is gone, so that `delete -f`
 * can finish what failed here. */
void container_destroy_created(struct create_ctx *x)
{
  struct cove_error e = COVE_ERROR_INIT;
  bool left = false;

  if (x->pidfd >= 0) {
    sys_pidfd_send_signal(x->pidfd, SIGKILL);
    while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR)
      ;
  }
  x->pid = 0;
  if (x->cg) {
    if (cgroup_kill_all(x->cg, SIGKILL, &e) < 0)
      cove_error_release(&e);
    if (cgroup_destroy(x->cg, &e) < 0) {
      cove_warn("%s %s: remove cgroup: %s", verb(x), x->o->id, cove_error_msg(&e));
      cove_error_release(&e);
      left = true;
    }
  }
  if (x->net_made && netns_teardown(x->o->id, x->o->root, x->dir, &e) < 0) {
    cove_warn("%s %s: remove network: %s", verb(x), x->o->id, cove_error_msg(&e));
    cove_error_release(&e);
    left = true;
  }
  if (x->hooks_started && hooks_any(x->config, OCI_HOOK_POSTSTOP)) {
    _cleanup_free_ char *state = create_state_json(x, "stopped", &e);
    _cleanup_free_ char *who = xasprintf("%s %s", verb(x), x->o->id);
    if (!state || hooks_run(x->config, OCI_HOOK_POSTSTOP, state, 0, who, &e) < 0) {
      cove_warn("%s: %s", who, cove_error_msg(&e));
      cove_error_release(&e);
    }
  }
  if (left) {
    cove_warn("%s %s: its state is kept: `delete --force %s` removes the rest", verb(x), x->o->id, x->o->id);
    return;
  }
  if (x->dir_made && state_remove(x->root_fd, x->o->id, &e) < 0) {
    cove_warn("%s %s: remove state: %s", verb(x), x->o->id, cove_error_msg(&e));
    cove_error_release(&e);
  }
}

/* Everything that can be checked without touching the system. */
int bundle_open(const char *bundle, const char *purpose, char **abs_bundle, char **rootfs, char **data, size_t *len,
                struct oci_config **config, struct cove_error *err)
{
  _cleanup_free_ char *cfg_path = NULL;
  const struct oci_config *c;
  struct stat sb;
  char buf[PATH_MAX];

  if (!realpath(bundle ? bundle : ".", buf))
    return cove_error_set(err, errno, "bundle `%s`", bundle ? bundle : ".");
  *abs_bundle = xstrdup(buf);
  cfg_path = xasprintf("%s/config.json", *abs_bundle);
  if (read_file(cfg_path, OCI_CONFIG_MAX_BYTES, data, len, err) < 0)
    return cove_error_wrap(err, "bundle `%s`", *abs_bundle);
  if (oci_config_parse("config.json", *data, *len, config, err) < 0)
    return -1;
  c = *config;
  if (!c->process)
    return cove_error_set(err, 0, "config.json: .process: required to %s a container", purpose);
  if (!c->root || !c->root->path)
    return cove_error_set(err, 0, "config.json: .root.path: required");
  *rootfs = c->root->path[0] == '/' ? xstrdup(c->root->path) : xasprintf("%s/%s", *abs_bundle, c->root->path);
  if (stat(*rootfs, &sb) < 0)
    return cove_error_set(err, errno, "rootfs `%s`", *rootfs);
  if (!S_ISDIR(sb.st_mode))
    return cove_error_set(err, ENOTDIR, "rootfs `%s`", *rootfs);
  return 0;
}

int state_dir_make(const char *root, const char *id, int *root_fd, char **dir, int *dir_fd, int *lock_fd, bool *made,
                   struct cove_error *err)
{
  char nb[STATE_NAME_MAX], abs_root[PATH_MAX];
  const char *name = state_dir_name(id, nb);

  *root_fd = state_root_open(root, true, err);
  if (*root_fd < 0)
    return -1;
  if (mkdirat(*root_fd, name, 0700) < 0) {
    if (errno == EEXIST)
      return cove_error_set(err, 0, "container `%s` already exists", id);
    return cove_error_set(err, errno, "create state dir");
  }
  *made = true;
  /* absolute: the init and the rootfs code use it after chdir/pivot decisions of their own */
  *dir = xasprintf("%s/%s", realpath(root, abs_root) ? abs_root : root, name);
  *dir_fd = openat(*root_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (*dir_fd < 0)
    return cove_error_set(err, errno, "open state dir");
  *lock_fd = state_lock(*dir_fd, COVE_LOCK_EXCLUSIVE, err);
  return *lock_fd < 0 ? -1 : 0;
}

static int validate(struct create_ctx *x, struct cove_error *err)
{
  const struct cove_create_opts *o = x->o;
  struct oci_config *c;

  if (bundle_open(o->bundle, "create", &x->bundle, &x->rootfs, &x->config_data, &x->config_len, &x->config, err) < 0)
    return -1;
  c = x->config;
  if (!c->process->args_len)
    return cove_error_set(err, 0, "config.json: .process.args: must not be empty");
  if (c->process->terminal && !o->console_socket && (!x->run_mode || o->detach))
    return cove_error_set(err, 0, "process.terminal needs --console-socket when cove does not stay in the foreground");
  if (!c->process->terminal && o->console_socket)
    return cove_error_set(err, 0, "--console-socket given but process.terminal is false");
  if (ns_plan_make(c, &x->ns, err) < 0)
    return -1;
  if (!x->ns.has_mount && o->no_pivot)
    return cove_error_set(err, 0, "--no-pivot needs a mount namespace (without one cove uses chroot anyway)");
  if (rootfs_validate(c, x->bundle, err) < 0)
    return -1;
  if (lsm_check_config(c, err) < 0)
    return -1;
  if (netns_plan_from_config(c, &x->net, err) < 0)
    return -1;
  if (rootless_check_config(c, &x->ns, x->net != NULL, err) < 0 ||
      (x->ns.new_user && userns_plan(c, &x->userns, err) < 0))
    return -1;
  if (x->net && !x->ns.new_net) {
    netns_plan_free(x->net);
    x->net = NULL;
  }
  if (c->process->capabilities)
    caps_warn_unknown(c->process->capabilities);
  x->preserve = o->preserve_fds + process_listen_fds();
  x->env = process_env(c->process, process_listen_fds());
  if (c->linux_ && c->linux_->seccomp) {
    _cleanup_free_ char *cache = cove_seccomp_cache_dir(o->root);
    if (cove_seccomp_prepare(c->linux_->seccomp, cache, &x->seccomp, err) < 0)
      return -1;
    x->has_seccomp = true;
  }
  return 0;
}

/* The container's record.  Written first right after the state dir is made, and again before
 * each host object is made (cgroup dirs, the init), so that a `create` killed at any moment
 * leaves a record naming everything `delete` must remove; until `done` it names this process
 * as the creator, so the container reads `creating` while we live and `stopped` once we die. */
static int write_state(struct create_ctx *x, bool done, struct cove_error *err)
{
  struct cove_container c = {
    .creator_pid = done ? 0 : x->creator_pid,
    .creator_start = x->creator_start,
    .id = (char *) x->o->id,
    .dir_fd = x->dir_fd,
    .bundle = x->bundle,
    .rootfs = x->rootfs,
    .pid = x->pid,
    .start_time = x->start_time,
    .created = x->created,
    .annotations = x->config->annotations,
    .annotations_len = x->config->annotations_len,
    .systemd_cgroup = x->o->systemd_cgroup,
    .no_new_keyring = x->o->no_new_keyring,
  };
  _cleanup_free_ char *cg = x->cg ? cgroup_serialize(x->cg) : NULL;
  c.cgroup_text = cg;
  return state_write(&c, err);
}

static int make_state_dir(struct create_ctx *x, struct cove_error *err)
{
  if (state_dir_make(x->o->root, x->o->id, &x->root_fd, &x->dir, &x->dir_fd, &x->lock_fd, &x->dir_made, err) < 0)
    return -1;
  if (write_state(x, false, err) < 0)
    return -1;
  if (write_file_atomic_at(x->dir_fd, COVE_CONFIG_COPY, x->config_data, x->config_len, 0600, err) < 0)
    return -1;
  if (!x->run_mode) {
    if (mkfifoat(x->dir_fd, COVE_EXEC_FIFO, 0600) < 0)
      return cove_error_set(err, errno, "create exec fifo");
    x->fifo_fd = openat(x->dir_fd, COVE_EXEC_FIFO, O_RDWR | O_CLOEXEC);
    if (x->fifo_fd < 0)
      return cove_error_set(err, errno, "open exec fifo");
    if (mkfifoat(x->dir_fd, COVE_EXEC_DONE, 0600) < 0)
      return cove_error_set(err, errno, "create exec-done fifo");
    x->done_fd = openat(x->dir_fd, COVE_EXEC_DONE, O_RDWR | O_CLOEXEC);
    if (x->done_fd < 0)
      return cove_error_set(err, errno, "open exec-done fifo");
  }
  return 0;
}

static int clone_init(struct create_ctx *x, struct cove_error *err)
{
  int sp[2], cg_fd, pidfd = -1;
  struct clone_args args = {.exit_signal = SIGCHLD};
  long pid;

  if (cgroup_placement_open(x->cg, &x->place, err) < 0)
    return cove_error_wrap(err, "cgroup");
  cg_fd = x->place.clone_fd;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    return cove_error_set(err, errno, "socketpair");
  x->sync_parent = sp[0];
  x->sync_child = sp[1];
  /* One clone straight into every new namespace; joining a pid namespace (or creating one owned
   * by a joined user namespace) needs the stage1 detour, see sync.h. */
  args.flags = CLONE_PIDFD | (x->ns.joins ? 0 : x->ns.new_flags);
  args.pidfd = (uint64_t) (uintptr_t) &pidfd;
  if (cg_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t) cg_fd;
  }
  if ((cg_fd < 0 || x->place.n) && !x->ns.joins && (args.flags & CLONE_NEWCGROUP)) {
    /* the cgroup namespace is rooted where the init is when it is made: unless the clone puts
     * it in every hierarchy (pure v2), the init makes it once it is in its cgroups */
    args.flags &= ~(uint64_t) CLONE_NEWCGROUP;
    x->cgroupns_late = true;
  }
  /* Without id maps, a network, an oom_score_adj or a cgroup write to do for the init, the parent
   * has nothing to finish before the init's setup: the init goes on without waiting for GO. */
  x->go_needed = x->ns.joins || x->ns.new_user || x->net || x->config->process->oom_score_adj.set ||
                 !cgroup_placement_complete(x->cg, &x->place, cg_fd >= 0);
  cove_trace("clone");
  pid = sys_clone3(&args);
  if (pid < 0 && errno == ENOSYS && cg_fd >= 0) {
    cg_fd = -1;
    args.flags &= ~(uint64_t) CLONE_INTO_CGROUP;
    if (args.flags & CLONE_NEWCGROUP) {
      args.flags &= ~(uint64_t) CLONE_NEWCGROUP;
      x->cgroupns_late = true;
    }
    x->go_needed = x->go_needed || !cgroup_placement_complete(x->cg, &x->place, false);
    pid = sys_clone3(&args);
  }
  if (pid < 0)
    return cove_error_set(err, errno, "clone the container init");
  if (pid == 0) {
    close(x->sync_parent);
    x->sync_parent = -1;
    if (x->ns.joins)
      stage1_main(x);
    init_main(x);
  }
  close(x->sync_child);
  x->sync_child = -1;
  x->pid = (pid_t) pid;
  x->pidfd = pidfd;
  cove_trace("cloned");
  /* the child writes itself into the v1 hierarchies; we place it where neither it nor the clone did */
  {
    int r = cgroup_placement_finish(x->cg, &x->place, x->pid, cg_fd >= 0, err);
    cgroup_placement_close(&x->place);
    if (r < 0)
      return -1;
  }
  if (!x->ns.joins) {
    if (x->ns.new_user && userns_write_maps(x->pid, x->config, &x->userns, err) < 0)
      return -1;
    return 0;
  }
  /* stage1: let it join, map its user namespace, and tell us the init's pid */
  {
    pid_t stage1 = x->pid;
    int stage1_fd = x->pidfd;
    struct sync_chan ch = sync_chan(x->sync_parent, x->run_mode ? "cove run" : "cove create", SYNC_STAGE1);
    struct sync_msg m;
    int r = -1;

    x->pid = 0;
    x->pidfd = -1;
    if (sync_send(&ch, SYNC_GO, 0, NULL, -1, err) < 0)
      goto stage1_out;
    for (;;) {
      if (sync_recv(&ch, &m, NULL, SYNC_TIMEOUT_MS, err) < 0)
        goto stage1_out;
      if (m.type == SYNC_USERMAP_REQ) {
        if (userns_write_maps(stage1, x->config, &x->userns, err) < 0)
          goto stage1_out;
        if (sync_send(&ch, SYNC_USERMAP_ACK, 0, NULL, -1, err) < 0)
          goto stage1_out;
        continue;
      }
      if (m.type != SYNC_INIT_PID) {
        sync_unexpected(&ch, &m, NULL, "usermap-request or init-pid", err);
        goto stage1_out;
      }
      x->pid = m.value;
      x->pidfd = sys_pidfd_open(x->pid);
      if (x->pidfd < 0) {
        cove_error_set(err, errno, "pidfd_open of the init");
        goto stage1_out;
      }
      r = 0;
      break;
    }
  stage1_out:
    if (r < 0)
      sys_pidfd_send_signal(stage1_fd, SIGKILL);
    while (waitpid(stage1, NULL, 0) < 0 && errno == EINTR)
      ;
    close(stage1_fd);
    return r;
  }
}

int seccomp_hand_to_listener(const struct oci_config *c, int notify_fd, pid_t pid, const char *state_json,
                             struct cove_error *err)
{
  const struct oci_seccomp *sc = c->linux_ ? c->linux_->seccomp : NULL;
  if (notify_fd < 0 || !sc || !sc->listener_path)
    return cove_error_set(err, EPROTO, "seccomp notify fd without a listenerPath");
  if (cove_seccomp_send_listener_full(sc->listener_path, notify_fd, (int) pid, sc->listener_metadata, state_json,
                                      err) < 0)
    return cove_error_wrap(err, "seccomp listener");
  return 0;
}

static int run_create_hooks(struct create_ctx *x, struct cove_error *err)
{
  _cleanup_free_ char *state = create_state_json(x, "creating", err);
  _cleanup_free_ char *who = xasprintf("%s %s", verb(x), x->o->id);
  if (!state)
    return -1;
  x->hooks_started = true;
  if (hooks_run(x->config, OCI_HOOK_PRESTART, state, 0, who, err) < 0 ||
      hooks_run(x->config, OCI_HOOK_CREATE_RUNTIME, state, 0, who, err) < 0 ||
      hooks_run(x->config, OCI_HOOK_CREATE_CONTAINER, state, x->pid, who, err) < 0)
    return -1;
  return 0;
}

static struct sync_chan parent_chan(const struct create_ctx *x)
{
  return sync_chan(x->sync_parent, x->run_mode ? "cove run" : "cove create", SYNC_INIT);
}

/* Answer the init until it reports ready. */
static int serve_init(struct create_ctx *x, struct cove_error *err)
{
  struct sync_chan ch = parent_chan(x);

  for (;;) {
    struct sync_msg m;
    int fd = -1;

    if (sync_recv(&ch, &m, &fd, SYNC_TIMEOUT_MS, err) < 0)
      return -1;
    switch ((enum sync_type) m.type) {
    case SYNC_HOOKS:
      if (run_create_hooks(x, err) < 0)
        return -1;
      if (sync_send(&ch, SYNC_HOOKS_DONE, 0, NULL, -1, err) < 0)
        return -1;
      break;
    case SYNC_CONSOLE:
      if (fd < 0)
        return cove_error_set(err, EPROTO, "%s sent `console` without a pty", ch.peer);
      if (x->o->console_socket) {
        int r = console_send(x->o->console_socket, fd, m.payload, err);
        close(fd);
        if (r < 0)
          return -1;
      } else {
        x->console_master = fd;
      }
      break;
    case SYNC_SECCOMP_FD: {
      _cleanup_free_ char *state = NULL;
      int r;
      if (fd < 0)
        return cove_error_set(err, EPROTO, "%s sent `seccomp-fd` without an fd", ch.peer);
      state = create_state_json(x, "creating", err);
      r = state ? seccomp_hand_to_listener(x->config, fd, x->pid, state, err) : -1;
      close(fd);
      if (r < 0 || sync_send(&ch, SYNC_SECCOMP_ACK, 0, NULL, -1, err) < 0)
        return -1;
      break;
    }
    case SYNC_MOUNT_SOURCE:
    case SYNC_MOUNT_IDMAP: {
      /* the init, in its user namespace, needs the host's root for a mount (rootfs.h) */
      struct cove_error e = COVE_ERROR_INIT;
      size_t index = m.value >= 0 ? (size_t) m.value : SIZE_MAX;
      int r;
      if (m.type == SYNC_MOUNT_SOURCE) {
        int src = rootfs_parent_open_source(x->config, x->bundle, x->pid, index, &e);
        r = src < 0 ? -1 : sync_send(&ch, SYNC_MOUNT_SOURCE_FD, 0, NULL, src, err);
        if (src >= 0)
          close(src);
      } else {
        r = fd < 0 ? cove_error_set(&e, EPROTO, "idmap request from the init without a mount")
                   : rootfs_parent_idmap_source(x->config, index, fd, &e);
        if (fd >= 0)
          close(fd);
        if (r == 0)
          r = sync_send(&ch, SYNC_MOUNT_IDMAP_DONE, 0, NULL, -1, err);
      }
      if (e.msg) {
        /* the init names the mount and sends the whole story back */
        sync_send_error(&ch, &e);
        cove_error_release(&e);
      } else if (r < 0) {
        return -1;
      }
      break;
    }
    case SYNC_READY:
      return 0;
    default:
      return sync_unexpected(&ch, &m, &fd, "hooks, console, seccomp-fd, mount-source, mount-idmap or ready",
                             err);
    }
  }
}

int container_create(const struct cove_create_opts *o, bool run_mode, struct create_ctx **out,
                     struct cove_error *err)
{
  _cleanup_(create_ctx_freep) struct create_ctx *x = xcalloc(1, sizeof(*x));

  x->o = o;
  x->run_mode = run_mode;
  /* every fd field first: the cleanup closes what is >= 0, and calloc made them all 0 */
  x->root_fd = x->dir_fd = x->lock_fd = -1;
  x->sync_parent = x->sync_child = -1;
  x->fifo_fd = x->done_fd = -1;
  x->pidfd = -1;
  x->console_master = -1;
  x->place = (struct cgroup_placement) CGROUP_PLACEMENT_INIT;
  for (int i = 0; i < OCI_NS_KINDS; i++)
    x->ns.join_fd[i] = -1;
  /* before anything is opened: no fd of ours may take a number the container is to get */
  if (fds_reserve(3 + o->preserve_fds + process_listen_fds(), err) < 0)
    return -1;
  x->created = now_rfc3339();

  if (cove_validate_id(o->id, err) < 0)
    return -1;
  if (validate(x, err) < 0)
    return -1;
  cove_trace("config read and validated");
  x->creator_pid = getpid();
  if (proc_start_time(x->creator_pid, &x->creator_start, NULL) < 0)
    return cove_error_set(err, errno, "read our own start time");
  if (make_state_dir(x, err) < 0)
    goto fail;
  cove_trace("state dir made");
  if (notify_prepare(x, err) < 0)
    goto fail;
  if ((o->rootless ? cgroup_plan_rootless(x->config, o->id, o->systemd_cgroup, &x->cg, err)
                   : cgroup_plan(x->config, o->id, o->systemd_cgroup, &x->cg, err)) < 0) {
    x->cg = NULL;
    cove_error_wrap(err, "cgroup");
    goto fail;
  }
  if (write_state(x, false, err) < 0)
    goto fail;
  if ((o->rootless ? cgroup_make_rootless(&x->cg, x->config, o->systemd_cgroup, err)
                   : cgroup_make(x->cg, x->config, err)) < 0) {
    cove_error_wrap(err, "cgroup");
    goto fail;
  }
  /* rootless without a cgroup to be had: the record names none */
  if (!x->cg && write_state(x, false, err) < 0)
    goto fail;
  cove_trace("cgroup made");
  /* before the clone: its fds (idmapped clones, the overlay=dir layer) must reach the init */
  if (rootfs_prepare(x->config, x->bundle, x->dir, &x->prepared, err) < 0) {
    cove_error_wrap(err, "prepare the rootfs");
    goto fail;
  }
  if (clone_init(x, err) < 0)
    goto fail;
  cove_trace("init cloned and placed");
  /* record it (and the cgroup's real dirs) at once: a cove killed from here on leaves a record that
   * delete -f acts on, and the init dies with its creator */
  if (proc_start_time(x->pid, &x->start_time, NULL) < 0) {
    cove_error_set(err, errno, "read the start time of the init");
    goto fail;
  }
  if (write_state(x, false, err) < 0)
    goto fail;
  if (x->net) {
    char path[64];
    _cleanup_close_ int nfd = -1;
    snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) x->pid);
    nfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nfd < 0) {
      cove_error_set(err, errno, "open %s", path);
      goto fail;
    }
    x->net_made = true;
    if (netns_setup(x->net, o->id, nfd, o->root, x->dir, err) < 0)
      goto fail;
  }
  if (x->config->process->oom_score_adj.set) {
    char path[64], val[32];
    snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int) x->pid);
    snprintf(val, sizeof(val), "%lld", (long long) x->config->process->oom_score_adj.v);
    /* from the host's procfs, before the init runs anything of the container */
    if (write_file_at(AT_FDCWD, path, val, strlen(val), err) < 0) {
      cove_error_wrap(err, "oomScoreAdj");
      goto fail;
    }
  }
  if (x->go_needed) {
    struct sync_chan ch = parent_chan(x);
    if (sync_send(&ch, SYNC_GO, 0, NULL, -1, err) < 0)
      goto fail;
    cove_trace("init released (go)");
  }
  if (serve_init(x, err) < 0)
    goto fail;
  cove_trace("init ready");
  if (write_state(x, true, err) < 0)
    goto fail;
  cove_trace("state written");
  if (o->pid_file && state_write_pid_file(o->pid_file, x->pid, err) < 0)
    goto fail;
  /* runc 1.2's --pidfd-socket: the payload names the kind of process, "standard" for an init */
  if (o->pidfd_socket && unix_send_fd("pidfd socket", o->pidfd_socket, x->pidfd, "standard", err) < 0)
    goto fail;
  if (!run_mode) {
    struct sync_chan ch = parent_chan(x);
    if (sync_send(&ch, SYNC_CREATED, x->pid, NULL, -1, err) < 0)
      goto fail;
    close(x->sync_parent);
    x->sync_parent = -1;
  }
  *out = steal_ptr(x);
  return 0;

fail:
  signals_name_death(x->pidfd, x->cg, "the container init", err);
  container_destroy_created(x);
  return -1;
}

int cove_create(const struct cove_create_opts *o, struct cove_error *err)
{
  _cleanup_(create_ctx_freep) struct create_ctx *x = NULL;

  if (container_create(o, false, &x, err) < 0)
    return cove_error_wrap(err, "create %s", o->id);
  return 0;
}
