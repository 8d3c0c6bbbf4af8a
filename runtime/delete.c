/* delete.c: `delete`: refuse a live container unless --force (then kill every process and wait
 * for the init), run the poststop hooks, remove the network, the cgroup and the state dir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "netns/netns.h"
#include "runtime/internal.h"

int container_pidfd(const struct cove_container *c);

static int remove_tree_at(int dfd, const char *name, int depth)
{
  int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  DIR *d;
  struct dirent *e;

  if (fd < 0)
    return errno == ENOENT ? 0 : -1;
  d = fdopendir(fd);
  if (!d) {
    close(fd);
    return -1;
  }
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if (unlinkat(dirfd(d), e->d_name, 0) < 0 && (errno == EISDIR || errno == EPERM) && depth < 4)
      remove_tree_at(dirfd(d), e->d_name, depth + 1);
  }
  closedir(d);
  if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return -1;
  return 0;
}

int state_remove(int root_fd, const char *id, struct cove_error *err)
{
  char nb[STATE_NAME_MAX];
  if (remove_tree_at(root_fd, state_dir_name(id, nb), 0) < 0)
    return cove_error_set(err, errno, "remove state dir `%s`", id);
  return 0;
}

static void wait_gone(int pfd)
{
  struct pollfd p = {.fd = pfd, .events = POLLIN};
  while (poll(&p, 1, 10000) < 0 && errno == EINTR)
    ;
}

int container_remove(struct cove_container *c, struct cove_error *err)
{
  _cleanup_(oci_config_freep) struct oci_config *cfg = NULL;
  _cleanup_close_ int root_fd = -1;
  struct cove_error e = COVE_ERROR_INIT;

  if (cove_container_config(c, &cfg, &e) < 0) {
    cove_debug("delete %s: %s", c->id, cove_error_msg(&e));
    cove_error_release(&e);
  }
  if (c->cgroup) {
    if (cgroup_kill_all(c->cgroup, SIGKILL, &e) < 0)
      cove_error_release(&e);
    if (cgroup_destroy(c->cgroup, &e) < 0) {
      cove_error_wrap(&e, "remove cgroup");
      *err = e;
      return -1;
    }
  }
  if (netns_teardown(c->id, c->root, c->dir, &e) < 0) {
    cove_warn("delete %s: remove network: %s", c->id, cove_error_msg(&e));
    cove_error_release(&e);
  }
  if (cfg && hooks_any(cfg, OCI_HOOK_POSTSTOP)) {
    enum cove_status saved = c->status;
    _cleanup_free_ char *state = NULL;
    c->status = COVE_STATUS_STOPPED;
    state = cove_container_state_json(c, &e);
    c->status = saved;
    /* poststop failures only warn (runtime-spec) */
    if (!state || hooks_run(cfg, OCI_HOOK_POSTSTOP, state, 0, &e) < 0) {
      cove_warn("delete %s: %s", c->id, cove_error_msg(&e));
      cove_error_release(&e);
    }
  }
  {
    /* a restore killed while CRIU ran leaves its bind of the rootfs in the state dir */
    _cleanup_free_ char *criu_root = xasprintf("%s/%s", c->dir, COVE_CRIU_ROOT);
    if (umount2(criu_root, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
      cove_warn("delete %s: unmount %s: %s", c->id, criu_root, strerror(errno));
  }
  root_fd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return cove_error_set(err, errno, "open state root");
  return state_remove(root_fd, c->id, err);
}

int cove_delete(const char *root, const char *id, bool force, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;

  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return cove_error_wrap(err, "delete %s", id);
  if (c->status == COVE_STATUS_RUNNING || c->status == COVE_STATUS_PAUSED || c->status == COVE_STATUS_CREATING ||
      c->status == COVE_STATUS_CREATED) {
    _cleanup_close_ int pfd = -1;
    if (!force && c->status != COVE_STATUS_CREATED)
      return cove_error_set(err, 0, "delete %s: the container is %s: stop it first or use --force", id,
                            cove_status_name(c->status));
    pfd = container_pidfd(c);
    if (c->cgroup) {
      struct cove_error e = COVE_ERROR_INIT;
      if (c->status == COVE_STATUS_PAUSED && cgroup_freeze(c->cgroup, false, &e) < 0)
        cove_error_release(&e);
      if (cgroup_kill_all(c->cgroup, SIGKILL, &e) < 0)
        cove_error_release(&e);
    }
    if (pfd >= 0) {
      sys_pidfd_send_signal(pfd, SIGKILL);
      wait_gone(pfd);
    }
    c->status = COVE_STATUS_STOPPED;
  }
  if (container_remove(c, err) < 0)
    return cove_error_wrap(err, "delete %s", id);
  return 0;
}
