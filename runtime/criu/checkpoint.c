/* checkpoint.c: `cove checkpoint`: dump a running (or paused) container with CRIU into the image
 * dir, as runc does: CRIU freezes the container's cgroup, dumps the process tree rooted at the
 * init with its namespaces (those joined by path as external), the bind mounts from the host as
 * external mounts; cove adds runc's descriptors.json (what the init's stdio was, so restore
 * reconnects the pipes) and the IPv4 address of eth0 (restore claims it on the bridge).  Without
 * --leave-running (or --pre-dump) the container is then removed as by `delete`.  Also
 * `features`' view of CRIU. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "netns/netns.h"
#include "oci/json.h"
#include "runtime/criu/criu.h"
#include "runtime/internal.h"

static const char *criu_bin(const struct cove_cr_opts *cr)
{
  return cr->criu && *cr->criu ? cr->criu : "criu";
}

/* mkdir (an existing dir is fine: a container is checkpointed again and again) and open it. */
static int open_dir(const char *path, bool create, const char *what, struct cove_error *err)
{
  int fd;
  if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
    return cove_error_set(err, errno, "%s `%s`", what, path);
  fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return cove_error_set(err, errno, "%s `%s`", what, path);
  return fd;
}

/* The directory CRIU's freezer is asked to use: the one cove freezes for `pause` on a unified
 * host, the v1 freezer elsewhere; NULL lets CRIU stop the tasks with ptrace. */
static char *freezer_dir(const struct cove_container *c)
{
  struct stat st;
  char *p;
  if (!c->cgroup)
    return NULL;
  if (cgroup_mode_of(c->cgroup) == CGROUP_MODE_UNIFIED)
    return xasprintf("/sys/fs/cgroup%s", cgroup_path(c->cgroup));
  p = xasprintf("/sys/fs/cgroup/freezer%s", cgroup_path(c->cgroup));
  if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
    return p;
  free(p);
  return NULL;
}

/* runc's descriptors.json: where the init's fds 0, 1 and 2 point. */
static int write_descriptors(int image_fd, pid_t pid, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  _cleanup_free_ char *doc = NULL;

  oci_jgen_array_open(g);
  for (int fd = 0; fd < 3; fd++) {
    char path[64], target[PATH_MAX];
    ssize_t n;
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int) pid, fd);
    n = readlink(path, target, sizeof(target) - 1);
    target[n > 0 ? n : 0] = '\0';
    oci_jgen_string(g, target);
  }
  oci_jgen_array_close(g);
  if (oci_jgen_finish(g, &doc, err) < 0)
    return cove_error_wrap(err, "write %s", CRIU_DESCRIPTORS);
  if (write_file_atomic_at(image_fd, CRIU_DESCRIPTORS, doc, strlen(doc), 0600, err) < 0)
    return cove_error_wrap(err, "write %s", CRIU_DESCRIPTORS);
  return 0;
}

static int write_network(int image_fd, pid_t pid, struct cove_error *err)
{
  char path[64], addr[64];
  _cleanup_close_ int nfd = -1;

  snprintf(path, sizeof(path), "/proc/%d/ns/net", (int) pid);
  nfd = open(path, O_RDONLY | O_CLOEXEC);
  if (nfd < 0)
    return cove_error_set(err, errno, "open %s", path);
  if (netns_checkpoint_addr(nfd, addr, err) < 0)
    return cove_error_wrap(err, "read the address of eth0");
  if (!*addr)
    return 0;
  strcat(addr, "\n");
  if (write_file_atomic_at(image_fd, CRIU_COVE_NETWORK, addr, strlen(addr), 0600, err) < 0)
    return cove_error_wrap(err, "write %s", CRIU_COVE_NETWORK);
  return 0;
}

struct dump_ctx {
  int status_fd;
};

static int dump_notify(const char *script, pid_t pid, int *fd, void *arg, struct cove_error *err)
{
  struct dump_ctx *d = arg;
  (void) pid;
  (void) fd;
  (void) err;
  /* lazy pages: the page server is ready for the restoring side */
  if (!strcmp(script, "status-ready") && d->status_fd >= 0) {
    char zero = 0;
    if (write_all(d->status_fd, &zero, 1) < 0)
      cove_warn("checkpoint: write to --status-fd %d: %s", d->status_fd, strerror(errno));
    close(d->status_fd);
    d->status_fd = -1;
  }
  return 0;
}

static int parse_page_server(const char *s, CriuPageServerInfo *ps, char **addr, struct cove_error *err)
{
  const char *colon = strrchr(s, ':');
  unsigned long long port;
  if (!colon || colon == s || parse_u64(colon + 1, &port) < 0 || port == 0 || port > 65535)
    return cove_error_set(err, 0, "--page-server: expected ADDRESS:PORT, got `%s`", s);
  *addr = xasprintf("%.*s", (int) (colon - s), s);
  ps->address = *addr;
  ps->has_port = true;
  ps->port = (int32_t) port;
  return 0;
}

static int checkpoint(struct cove_container *c, const struct cove_checkpoint_opts *o, struct cove_error *err)
{
  const struct cove_cr_opts *cr = &o->cr;
  _cleanup_(oci_config_freep) struct oci_config *config = NULL;
  _cleanup_free_ char *image_path = NULL, *log = NULL, *freezer = NULL, *ps_addr = NULL;
  _cleanup_close_ int image_fd = -1, work_fd = -1;
  CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;
  struct criu_request r;
  struct dump_ctx d = {.status_fd = o->status_fd};
  struct criu_call call = {.criu = criu_bin(cr), .notify = dump_notify, .arg = &d};
  CriuResp *resp = NULL;
  CriuCgMode cg_mode;
  unsigned int empty_ns;
  char cwd[PATH_MAX];
  int ret = -1;

  if (c->status != COVE_STATUS_RUNNING && c->status != COVE_STATUS_PAUSED)
    return cove_error_set(err, 0, "the container is %s: only a running or paused container can be checkpointed",
                          cove_status_name(c->status));
  if (geteuid() != 0)
    return cove_error_set(err, EPERM, "checkpointing needs root (CRIU)");
  if (cove_container_config(c, &config, err) < 0)
    return -1;
  if (criu_check_config(config, err) < 0 || criu_cg_mode(cr->manage_cgroups_mode, &cg_mode, err) < 0 ||
      criu_empty_ns(cr->empty_ns, cr->empty_ns_len, &empty_ns, err) < 0)
    return -1;
  if (o->parent_path && o->parent_path[0] == '/')
    return cove_error_set(err, 0, "--parent-path `%s`: must be relative to --image-path (as ../pre-dump)",
                          o->parent_path);
  if (o->page_server && !*o->page_server)
    return cove_error_set(err, 0, "--page-server: empty");

  if (cr->image_path)
    image_path = xstrdup(cr->image_path);
  else if (getcwd(cwd, sizeof(cwd)))
    image_path = xasprintf("%s/checkpoint", cwd);
  else
    return cove_error_set(err, errno, "the current directory");
  image_fd = open_dir(image_path, true, "image path", err);
  if (image_fd < 0)
    return -1;
  if (cr->work_path) {
    work_fd = open_dir(cr->work_path, true, "work path", err);
    if (work_fd < 0)
      return -1;
  }
  log = xasprintf("%s/%s", cr->work_path ? cr->work_path : image_path, CRIU_DUMP_LOG);
  if (o->parent_path) {
    struct stat st;
    if (fstatat(image_fd, o->parent_path, &st, 0) < 0)
      return cove_error_set(err, errno, "--parent-path `%s` (relative to %s)", o->parent_path, image_path);
    if (!S_ISDIR(st.st_mode))
      return cove_error_set(err, ENOTDIR, "--parent-path `%s` (relative to %s)", o->parent_path, image_path);
  }
  if (o->pre_dump || o->parent_path || cr->lazy_pages) {
    bool mem_track = false, lazy = false;
    if (criu_feature_check(call.criu, &mem_track, &lazy, err) < 0)
      return -1;
    if ((o->pre_dump || o->parent_path) && !mem_track)
      return cove_error_set(err, 0, "%s: CRIU cannot track memory changes on this kernel (soft-dirty bits)",
                            o->pre_dump ? "--pre-dump" : "--parent-path");
    if (cr->lazy_pages && !lazy)
      return cove_error_set(err, 0, "--lazy-pages: CRIU has no lazy pages on this kernel (userfaultfd)");
  }

  criu_request_init(&r, o->pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP, true);
  call.what = o->pre_dump ? "pre-dump" : "dump";
  call.log = log;
  r.opts.images_dir_fd = image_fd;
  if (work_fd >= 0) {
    r.opts.has_work_dir_fd = true;
    r.opts.work_dir_fd = work_fd;
  }
  r.opts.has_log_level = true;
  r.opts.log_level = 4;
  r.opts.log_file = CRIU_DUMP_LOG;
  r.opts.has_pid = true;
  r.opts.pid = c->pid;
  r.opts.root = c->rootfs;
  r.opts.has_leave_running = true;
  r.opts.leave_running = o->leave_running;
  r.opts.has_tcp_established = true;
  r.opts.tcp_established = cr->tcp_established;
  r.opts.has_ext_unix_sk = true;
  r.opts.ext_unix_sk = cr->ext_unix_sk;
  r.opts.has_shell_job = true;
  r.opts.shell_job = cr->shell_job;
  r.opts.has_file_locks = true;
  r.opts.file_locks = cr->file_locks;
  r.opts.has_auto_dedup = true;
  r.opts.auto_dedup = cr->auto_dedup;
  r.opts.has_lazy_pages = true;
  r.opts.lazy_pages = cr->lazy_pages;
  r.opts.has_orphan_pts_master = true;
  r.opts.orphan_pts_master = true;
  r.opts.has_notify_scripts = true;
  r.opts.notify_scripts = true;
  r.opts.has_manage_cgroups = true;
  r.opts.manage_cgroups = true;
  r.opts.has_manage_cgroups_mode = true;
  r.opts.manage_cgroups_mode = cg_mode;
  if (empty_ns) {
    r.opts.has_empty_ns = true;
    r.opts.empty_ns = empty_ns;
  }
  r.opts.config_file = (char *) criu_config_file(config);
  if (o->parent_path) {
    r.opts.parent_img = (char *) o->parent_path;
    r.opts.has_track_mem = true;
    r.opts.track_mem = true;
  }
  if (o->pre_dump) {
    r.opts.has_track_mem = true;
    r.opts.track_mem = true;
  }
  if (o->page_server) {
    if (parse_page_server(o->page_server, &ps, &ps_addr, err) < 0)
      goto out;
    r.opts.ps = &ps;
  }
  freezer = freezer_dir(c);
  r.opts.freeze_cgroup = freezer;
  if (!o->pre_dump) {
    if (criu_add_ext_mounts(&r, config, c->rootfs, false, err) < 0 || criu_add_ext_namespaces_dump(&r, config, err) < 0)
      goto out;
    if (write_descriptors(image_fd, c->pid, err) < 0)
      goto out;
    if (oci_namespace_find(config, OCI_NS_NETWORK) && !oci_namespace_find(config, OCI_NS_NETWORK)->path &&
        write_network(image_fd, c->pid, err) < 0)
      goto out;
  }
  if (criu_call(&call, &r, &resp, err) < 0)
    goto out;
  ret = 0;
out:
  if (resp)
    criu_resp__free_unpacked(resp, NULL);
  criu_request_release(&r);
  return ret;
}

int cove_checkpoint(const struct cove_checkpoint_opts *o, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;

  if (cove_container_load(o->root, o->id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return cove_error_wrap(err, "checkpoint %s", o->id);
  if (checkpoint(c, o, err) < 0)
    return cove_error_wrap(err, "checkpoint %s", o->id);
  if (o->leave_running || o->pre_dump)
    return 0;
  /* CRIU killed the processes: the container is gone, as after delete */
  cove_container_refresh(c);
  if (container_remove(c, err) < 0)
    return cove_error_wrap(err, "checkpoint %s: remove the checkpointed container", o->id);
  return 0;
}

void cove_criu_features(const char *criu, struct oci_kv **out, size_t *n)
{
  struct cove_error e = COVE_ERROR_INIT;
  struct oci_kv *kv = xcalloc(5, sizeof(*kv));
  size_t len = 0;
  char text[32];
  int version = 0;
  bool mem_track = false, lazy = false, usable = false;

  if (!criu || !*criu)
    criu = "criu";
  kv[len].key = xstrdup("run.cove.checkpoint.enabled");
  kv[len++].value = xstrdup("true");
  kv[len].key = xstrdup("run.cove.checkpoint.criu.version");
  if (criu_version(criu, &version, text, sizeof(text), &e) == 0) {
    kv[len++].value = xstrdup(text);
    kv[len].key = xstrdup("run.cove.checkpoint.criu.check");
    if (criu_check(criu, &e) == 0) {
      kv[len++].value = xstrdup("ok");
      usable = true;
    } else {
      kv[len++].value = xstrdup(cove_error_msg(&e));
    }
  } else {
    kv[len++].value = xstrdup(cove_error_msg(&e));
  }
  cove_error_release(&e);
  if (usable && criu_feature_check(criu, &mem_track, &lazy, &e) < 0)
    cove_error_release(&e);
  kv[len].key = xstrdup("run.cove.checkpoint.pre-dump");
  kv[len++].value = xstrdup(mem_track ? "true" : "false");
  kv[len].key = xstrdup("run.cove.checkpoint.lazy-pages");
  kv[len++].value = xstrdup(lazy ? "true" : "false");
  *out = kv;
  *n = len;
}
