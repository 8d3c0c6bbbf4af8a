/* restore.c: `cove restore`: make container ID from a bundle and an image dir written by
 * `cove checkpoint` (or runc's, or crun's: the same CRIU images and descriptors.json).  cove makes
 * what create makes on the host (state dir, cgroup, the bridge side of run.cove.net.*), CRIU
 * makes the rest: the process tree with its namespaces and mounts, rooted at a bind of the
 * rootfs, its pipes reconnected to cove's stdio, its TCP connections.  The restored init is
 * cove's child (CRIU's rst_sibling), so a foreground restore waits for it as `run` does; with
 * --detach cove exits and the container is a normal one: state, exec, kill, delete. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "netns/netns.h"
#include "oci/json.h"
#include "runtime/criu/criu.h"
#include "runtime/internal.h"
#include "runtime/rootfs/rootfs.h"

struct restore_ctx {
  const struct cove_restore_opts *o;
  struct oci_config *config;
  char *config_data;
  size_t config_len;
  char *bundle, *rootfs, *dir, *criu_root, *image_path, *log, *created;
  int root_fd, dir_fd, lock_fd, image_fd, work_fd;
  bool dir_made, criu_root_mounted, fresh_net, attached;
  struct cove_cgroup *cg;
  struct netns_plan *net; /* the plan with the address saved at checkpoint */
  char veth[16];
  unsigned int empty_ns;
  CriuCgMode cg_mode;
  pid_t pid;
  int pidfd;
  unsigned long long start_time;
  int console_master;
  struct cove_error late; /* a failure inside a notification that CRIU does not relay */
};

static void restore_ctx_free(struct restore_ctx *x)
{
  if (x->config)
    oci_config_free(x->config);
  free(x->config_data);
  free(x->bundle);
  free(x->rootfs);
  free(x->dir);
  free(x->criu_root);
  free(x->image_path);
  free(x->log);
  free(x->created);
  cove_closep(&x->root_fd);
  cove_closep(&x->dir_fd);
  state_unlock(&x->lock_fd);
  cove_closep(&x->image_fd);
  cove_closep(&x->work_fd);
  cove_closep(&x->pidfd);
  cove_closep(&x->console_master);
  if (x->cg)
    cgroup_free(x->cg);
  free(x->net);
  cove_error_release(&x->late);
  free(x);
}

static void restore_ctx_freep(struct restore_ctx **x)
{
  if (*x)
    restore_ctx_free(*x);
}

static const char *criu_bin(const struct cove_cr_opts *cr)
{
  return cr->criu && *cr->criu ? cr->criu : "criu";
}

/* Everything that can be checked before anything is made. */
static int validate(struct restore_ctx *x, struct cove_error *err)
{
  const struct cove_restore_opts *o = x->o;
  const struct cove_cr_opts *cr = &o->cr;
  struct netns_plan *plan = NULL;

  if (cove_validate_id(o->id, err) < 0)
    return -1;
  if (geteuid() != 0)
    return cove_error_set(err, EPERM, "restoring needs root (CRIU)");
  if (bundle_open(o->bundle, "restore", &x->bundle, &x->rootfs, &x->config_data, &x->config_len, &x->config, err) < 0)
    return -1;
  if (x->config->process->terminal && !o->console_socket && o->detach)
    return cove_error_set(err, 0, "process.terminal needs --console-socket with --detach");
  if (!x->config->process->terminal && o->console_socket)
    return cove_error_set(err, 0, "--console-socket given but process.terminal is false");
  if (criu_check_config(x->config, err) < 0 || criu_cg_mode(cr->manage_cgroups_mode, &x->cg_mode, err) < 0 ||
      criu_empty_ns(cr->empty_ns, cr->empty_ns_len, &x->empty_ns, err) < 0)
    return -1;
  if (rootfs_validate(x->config, x->bundle, err) < 0)
    return -1;

  x->image_path = xstrdup(cr->image_path ? cr->image_path : "checkpoint");
  x->image_fd = open(x->image_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (x->image_fd < 0)
    return cove_error_set(err, errno, "image path `%s`", x->image_path);
  if (faccessat(x->image_fd, "inventory.img", F_OK, 0) < 0)
    return cove_error_set(err, errno, "image path `%s`: no CRIU images (inventory.img)", x->image_path);
  if (cr->work_path) {
    if (mkdir(cr->work_path, 0700) < 0 && errno != EEXIST)
      return cove_error_set(err, errno, "work path `%s`", cr->work_path);
    x->work_fd = open(cr->work_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (x->work_fd < 0)
      return cove_error_set(err, errno, "work path `%s`", cr->work_path);
  }
  x->log = xasprintf("%s/%s", cr->work_path ? cr->work_path : x->image_path, CRIU_RESTORE_LOG);

  if (netns_plan_from_config(x->config, &plan, err) < 0)
    return -1;
  if (plan) {
    const struct oci_namespace *ns = oci_namespace_find(x->config, OCI_NS_NETWORK);
    _cleanup_free_ char *saved = NULL;
    if (ns && !ns->path) {
      struct cove_error e = COVE_ERROR_INIT;
      if (read_file_at(x->image_fd, CRIU_COVE_NETWORK, 256, &saved, NULL, &e) < 0)
        cove_error_release(&e);
      if (saved)
        saved[strcspn(saved, "\n")] = '\0';
      x->net = netns_plan_with_addr(plan, saved, err);
    }
    netns_plan_free(plan);
    if (ns && !ns->path && !x->net)
      return -1;
  }
  x->fresh_net = x->net && (x->empty_ns & CLONE_NEWNET);
  return 0;
}

static int make_state_dir(struct restore_ctx *x, struct cove_error *err)
{
  if (state_dir_make(x->o->root, x->o->id, &x->root_fd, &x->dir, &x->dir_fd, &x->lock_fd, &x->dir_made, err) < 0)
    return -1;
  return write_file_atomic_at(x->dir_fd, COVE_CONFIG_COPY, x->config_data, x->config_len, 0600, err);
}

/* CRIU wants its root to be a mount point whose parent is not overmounted: a recursive bind of
 * the rootfs in the state dir (as runc), private so nothing of it reaches the host's peers. */
static int mount_criu_root(struct restore_ctx *x, struct cove_error *err)
{
  x->criu_root = xasprintf("%s/%s", x->dir, COVE_CRIU_ROOT);
  if (mkdir(x->criu_root, 0755) < 0)
    return cove_error_set(err, errno, "create %s", x->criu_root);
  if (mount(x->rootfs, x->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
    return cove_error_set(err, errno, "bind the rootfs on %s", x->criu_root);
  x->criu_root_mounted = true;
  if (mount(NULL, x->criu_root, NULL, MS_PRIVATE | MS_REC, NULL) < 0)
    return cove_error_set(err, errno, "make %s private", x->criu_root);
  return 0;
}

static void umount_criu_root(struct restore_ctx *x)
{
  if (x->criu_root_mounted && umount2(x->criu_root, MNT_DETACH) < 0)
    cove_warn("restore %s: unmount %s: %s", x->o->id, x->criu_root, strerror(errno));
  x->criu_root_mounted = false;
  if (x->criu_root)
    rmdir(x->criu_root);
}

/* descriptors.json: the init's stdio pipes become cove's own fds 0-2 in the restored process. */
static int add_descriptors(struct restore_ctx *x, struct criu_request *r, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  _cleanup_(oci_json_freep) struct oci_json *root = NULL;
  size_t len = 0;

  if (read_file_at(x->image_fd, CRIU_DESCRIPTORS, 1 << 16, &data, &len, err) < 0)
    return cove_error_wrap(err, "image path `%s`", x->image_path);
  if (oci_json_parse(CRIU_DESCRIPTORS, data, len, &root, err) < 0)
    return cove_error_wrap(err, "image path `%s`", x->image_path);
  if (root->type != OCI_JSON_ARRAY)
    return cove_error_set(err, 0, "%s/%s: expected a JSON array of strings", x->image_path, CRIU_DESCRIPTORS);
  for (size_t i = 0; i < root->len && i < 3; i++) {
    const struct oci_json *v = root->items[i];
    if (v->type == OCI_JSON_STRING && !strncmp(v->s, "pipe:", 5))
      criu_request_inherit_stdio(r, (int) i, v->s);
  }
  return 0;
}

/* The criu process is placed in the container's cgroup, which CRIU then uses as the root of the
 * restored tasks' cgroups (runc's criuApplyCgroups). */
static int spawned(pid_t criu_pid, struct criu_request *r, void *arg, struct cove_error *err)
{
  struct restore_ctx *x = arg;
  _cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int) criu_pid), *data = NULL;
  char *line, *save = NULL;
  size_t lines = 0;

  if (!x->cg)
    return 0;
  if (cgroup_enter(x->cg, criu_pid, NULL, err) < 0)
    return cove_error_wrap(err, "put criu in the container's cgroup");
  if (read_file(path, 1 << 16, &data, NULL, err) < 0)
    return -1;
  for (char *p = data; *p; p++)
    lines += *p == '\n';
  for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *ctrls = strchr(line, ':'), *cgpath, *c, *csave = NULL;
    if (!ctrls || !(cgpath = strchr(ctrls + 1, ':')))
      continue;
    *cgpath++ = '\0';
    ctrls++;
    if (!*ctrls) {
      /* the unified hierarchy: on a pure v2 host the root of every controller */
      criu_request_add_cg_root(r, lines == 1 ? NULL : "", cgpath);
      continue;
    }
    for (c = strtok_r(ctrls, ",", &csave); c; c = strtok_r(NULL, ",", &csave))
      criu_request_add_cg_root(r, c, cgpath);
  }
  return 0;
}

static char *state_json(const struct restore_ctx *x, pid_t pid, const char *status, struct cove_error *err)
{
  struct oci_state s = {
    .oci_version = OCI_SPEC_VERSION,
    .id = x->o->id,
    .status = status,
    .pid = pid,
    .bundle = x->bundle,
    .annotations = x->config->annotations,
    .annotations_len = x->config->annotations_len,
  };
  return oci_state_to_json(&s, err);
}

/* The host end of the veth pair is attached as soon as CRIU has made it. */
static void try_attach(struct restore_ctx *x, pid_t pid)
{
  char path[64];
  _cleanup_close_ int nfd = -1;
  if (!x->net || x->fresh_net || x->attached || !netns_restore_link_ready(x->veth) || pid <= 0)
    return;
  snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
  nfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nfd < 0)
    return;
  if (netns_restore_finish(x->net, x->veth, nfd, &x->late) < 0) {
    cove_error_wrap(&x->late, "restore network of %s", x->o->id);
    return;
  }
  x->attached = true;
}

static int restore_notify(const char *script, pid_t pid, int *fd, void *arg, struct cove_error *err)
{
  struct restore_ctx *x = arg;

  if (!strcmp(script, "setup-namespaces")) {
    /* the namespaces exist, no task runs yet: runc runs prestart and createRuntime here */
    if (hooks_any(x->config, OCI_HOOK_PRESTART) || hooks_any(x->config, OCI_HOOK_CREATE_RUNTIME)) {
      _cleanup_free_ char *state = state_json(x, pid, "creating", err);
      _cleanup_free_ char *who = xasprintf("restore %s", x->o->id);
      if (!state || hooks_run(x->config, OCI_HOOK_PRESTART, state, 0, who, err) < 0 ||
          hooks_run(x->config, OCI_HOOK_CREATE_RUNTIME, state, 0, who, err) < 0)
        return -1;
    }
    if (x->empty_ns & CLONE_NEWNET) {
      /* CRIU made the namespace empty: cove's networking is set up in it as create does */
      char path[64];
      _cleanup_close_ int nfd = -1;
      snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
      nfd = open(path, O_RDONLY | O_CLOEXEC);
      if (nfd < 0)
        return cove_error_set(err, errno, "open %s", path);
      if (netns_lo_up_in(nfd, err) < 0)
        return -1;
      if (x->net && netns_setup(x->net, x->o->id, nfd, x->o->root, x->dir, err) < 0)
        return -1;
    }
  }
  if (!strcmp(script, "orphan-pts-master")) {
    char name[64];
    if (*fd < 0)
      return cove_error_set(err, EPROTO, "orphan-pts-master without the pty master");
    if (ptsname_r(*fd, name, sizeof(name)) != 0)
      snprintf(name, sizeof(name), "orphan-pts-master");
    if (x->o->console_socket)
      return console_send(x->o->console_socket, *fd, name, err);
    if (x->console_master >= 0)
      close(x->console_master);
    x->console_master = *fd;
    *fd = -1;
  }
  if (!strcmp(script, "post-restore"))
    x->pid = pid;
  try_attach(x, pid > 0 ? pid : x->pid);
  if (x->late.msg) {
    *err = x->late;
    x->late = (struct cove_error) COVE_ERROR_INIT;
    return -1;
  }
  return 0;
}

static int build_request(struct restore_ctx *x, struct criu_request *r, struct cove_error *err)
{
  const struct cove_cr_opts *cr = &x->o->cr;

  r->opts.images_dir_fd = x->image_fd;
  if (x->work_fd >= 0) {
    r->opts.has_work_dir_fd = true;
    r->opts.work_dir_fd = x->work_fd;
  }
  r->opts.has_log_level = true;
  r->opts.log_level = 4;
  r->opts.log_file = CRIU_RESTORE_LOG;
  r->opts.root = x->criu_root;
  r->opts.has_rst_sibling = true;
  r->opts.rst_sibling = true;
  r->opts.has_evasive_devices = true;
  r->opts.evasive_devices = true;
  r->opts.has_notify_scripts = true;
  r->opts.notify_scripts = true;
  r->opts.has_orphan_pts_master = true;
  r->opts.orphan_pts_master = true;
  r->opts.has_manage_cgroups = true;
  r->opts.manage_cgroups = true;
  r->opts.has_manage_cgroups_mode = true;
  r->opts.manage_cgroups_mode = x->cg_mode;
  r->opts.has_tcp_established = true;
  r->opts.tcp_established = cr->tcp_established;
  r->opts.has_ext_unix_sk = true;
  r->opts.ext_unix_sk = cr->ext_unix_sk;
  r->opts.has_shell_job = true;
  r->opts.shell_job = cr->shell_job;
  r->opts.has_file_locks = true;
  r->opts.file_locks = cr->file_locks;
  r->opts.has_auto_dedup = true;
  r->opts.auto_dedup = cr->auto_dedup;
  r->opts.has_lazy_pages = true;
  r->opts.lazy_pages = cr->lazy_pages;
  if (x->empty_ns) {
    r->opts.has_empty_ns = true;
    r->opts.empty_ns = x->empty_ns;
  }
  r->opts.config_file = (char *) criu_config_file(x->config);
  r->opts.lsm_profile = (char *) x->o->lsm_profile;
  r->opts.lsm_mount_context = (char *) x->o->lsm_mount_context;
  if (add_descriptors(x, r, err) < 0 || criu_add_ext_mounts(r, x->config, x->rootfs, true, err) < 0 ||
      criu_add_ext_namespaces_restore(r, x->config, err) < 0)
    return -1;
  if (x->net && !x->fresh_net && x->veth[0])
    criu_request_add_veth(r, "eth0", x->veth);
  return 0;
}

static int write_state(struct restore_ctx *x, struct cove_error *err)
{
  _cleanup_free_ char *cg = x->cg ? cgroup_serialize(x->cg) : NULL;
  struct cove_container c = {
    .id = (char *) x->o->id,
    .dir_fd = x->dir_fd,
    .bundle = x->bundle,
    .rootfs = x->rootfs,
    .pid = x->pid,
    .start_time = x->start_time,
    .created = x->created,
    .annotations = x->config->annotations,
    .annotations_len = x->config->annotations_len,
    .cgroup_text = cg,
    .systemd_cgroup = x->o->systemd_cgroup,
  };
  return state_write(&c, err);
}

/* Undo everything restore made, in reverse order; best effort. */
static void destroy(struct restore_ctx *x)
{
  struct cove_error e = COVE_ERROR_INIT;
  bool left = false;

  if (x->pidfd >= 0)
    sys_pidfd_send_signal(x->pidfd, SIGKILL);
  if (x->cg) {
    if (cgroup_kill_all(x->cg, SIGKILL, &e) < 0)
      cove_error_release(&e);
  }
  umount_criu_root(x);
  if (x->dir && netns_teardown(x->o->id, x->o->root, x->dir, &e) < 0) {
    cove_warn("restore %s: remove network: %s", x->o->id, cove_error_msg(&e));
    cove_error_release(&e);
    left = true;
  }
  if (x->cg && cgroup_destroy(x->cg, &e) < 0) {
    cove_warn("restore %s: remove cgroup: %s", x->o->id, cove_error_msg(&e));
    cove_error_release(&e);
    left = true;
  }
  if (left) {
    /* as create: the record names what is left, for `delete --force` */
    cove_warn("restore %s: its state is kept: `delete --force %s` removes the rest", x->o->id, x->o->id);
    return;
  }
  if (x->dir_made && state_remove(x->root_fd, x->o->id, &e) < 0) {
    cove_warn("restore %s: remove state: %s", x->o->id, cove_error_msg(&e));
    cove_error_release(&e);
  }
}

static int restore(struct restore_ctx *x, struct cove_error *err)
{
  const struct cove_restore_opts *o = x->o;
  struct criu_request r;
  struct criu_call call = {
    .criu = criu_bin(&o->cr), .what = "restore", .spawned = spawned, .notify = restore_notify, .arg = x};
  CriuResp *resp = NULL;
  int ret = -1;

  if (make_state_dir(x, err) < 0)
    return -1;
  if (cgroup_create(x->config, o->id, o->systemd_cgroup, &x->cg, err) < 0) {
    x->cg = NULL;
    return cove_error_wrap(err, "cgroup");
  }
  /* recorded before CRIU puts anything in it: should cove be killed from here on, the state
   * reads `stopped` with its cgroup, and `delete` removes the tasks, the cgroup and the network */
  x->created = now_rfc3339();
  if (write_state(x, err) < 0)
    return -1;
  if (x->net && !x->fresh_net) {
    /* x->net claims the address saved at checkpoint already */
    if (netns_restore_prepare(x->net, NULL, o->id, o->root, x->dir, x->veth, err) < 0)
      return -1;
  }
  if (mount_criu_root(x, err) < 0)
    return -1;
  if (rootfs_make_mountpoints(x->config, x->bundle, x->criu_root, err) < 0)
    return -1;
  criu_request_init(&r, CRIU_REQ_TYPE__RESTORE, true);
  call.log = x->log;
  if (build_request(x, &r, err) < 0)
    goto out;
  if (criu_call(&call, &r, &resp, err) < 0)
    goto out;
  if (!resp->restore || resp->restore->pid <= 0) {
    cove_error_set(err, EPROTO, "criu restore: no pid in criu's answer");
    goto out;
  }
  x->pid = resp->restore->pid;
  x->pidfd = sys_pidfd_open(x->pid);
  if (x->pidfd < 0) {
    sys_fail(err, errno, SYS_F_PIDFD_OPEN, "the restored init %d", (int) x->pid);
    goto out;
  }
  if (proc_start_time(x->pid, &x->start_time, NULL) < 0) {
    cove_error_set(err, errno, "read the start time of the restored init");
    goto out;
  }
  try_attach(x, x->pid);
  if (x->late.msg) {
    *err = x->late;
    x->late = (struct cove_error) COVE_ERROR_INIT;
    goto out;
  }
  if (x->net && !x->fresh_net && !x->attached) {
    cove_error_set(err, ENODEV, "restore network of %s: CRIU made no veth %s", o->id, x->veth);
    goto out;
  }
  if (write_state(x, err) < 0)
    goto out;
  if (o->pid_file && state_write_pid_file(o->pid_file, x->pid, err) < 0)
    goto out;
  ret = 0;
out:
  if (resp)
    criu_resp__free_unpacked(resp, NULL);
  criu_request_release(&r);
  umount_criu_root(x);
  return ret;
}

int cove_restore(const struct cove_restore_opts *o, int *exit_code, struct cove_error *err)
{
  _cleanup_(restore_ctx_freep) struct restore_ctx *x = NULL;
  sigset_t all, old;
  int r;

  *exit_code = 1;
  x = xcalloc(1, sizeof(*x));
  x->o = o;
  /* every fd field first: the cleanup closes what is >= 0, and calloc made them all 0 */
  x->root_fd = x->dir_fd = x->lock_fd = x->image_fd = x->work_fd = -1;
  x->pidfd = -1;
  x->console_master = -1;
  if (validate(x, err) < 0)
    return cove_error_wrap(err, "restore %s", o->id);
  /* signals that arrive while CRIU restores are forwarded once the container runs */
  sigfillset(&all);
  sigemptyset(&old);
  if (!o->detach) {
    sigprocmask(SIG_BLOCK, &all, &old);
    if (!o->no_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
      cove_warn("restore %s: become a subreaper: %s", o->id, strerror(errno));
  }
  if (restore(x, err) < 0) {
    destroy(x);
    if (!o->detach)
      sigprocmask(SIG_SETMASK, &old, NULL);
    return cove_error_wrap(err, "restore %s", o->id);
  }
  state_unlock(&x->lock_fd);
  if (o->detach) {
    *exit_code = 0;
    return 0;
  }
  r = signals_wait_forward(x->pid, x->pidfd, x->console_master, exit_code, err);
  {
    struct cove_error e = COVE_ERROR_INIT;
    if (cove_delete(o->root, o->id, true, &e) < 0 && e.errnum != ENOENT)
      cove_warn("%s", cove_error_msg(&e));
    cove_error_release(&e);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (r < 0)
    return cove_error_wrap(err, "restore %s", o->id);
  return 0;
}
