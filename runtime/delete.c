/* delete.c: `delete`: refuse a live container unless --force (then kill every process and wait
 * for the init), run the poststop hooks, remove the network, the cgroup and the state dir. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "netns/netns.h"
#include "runtime/internal.h"

int container_pidfd(const struct cove_container *c);

static bool is_dir_entry(int dfd, const struct dirent *e)
{
  struct stat sb;
  if (e->d_type != DT_UNKNOWN)
    return e->d_type == DT_DIR;
  return fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
}

/* Remove dfd/name and everything below it, however deep: the container's writable layer
 * (overlay=dir) lives in the state dir and holds whatever the container wrote.  One directory
 * fd open at a time and the names of the way down on the heap, so neither the fd limit nor the
 * stack bounds the depth; symlinks are removed, never followed. */
static int remove_tree_at(int dfd, const char *name)
{
  char **path = NULL;
  size_t depth = 0;
  int cur = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r = -1;

  if (cur < 0)
    return errno == ENOENT ? 0 : -1;
  for (;;) {
    DIR *d = fdopendir(cur);
    struct dirent *e;
    char *down = NULL;

    if (!d) {
      close(cur);
      goto out;
    }
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
        continue;
      if (is_dir_entry(dirfd(d), e)) {
        down = xstrdup(e->d_name);
        break;
      }
      if (unlinkat(dirfd(d), e->d_name, 0) < 0 && errno != ENOENT) {
        closedir(d);
        goto out;
      }
    }
    if (down) {
      cur = openat(dirfd(d), down, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      closedir(d);
      if (cur < 0) {
        free(down);
        goto out;
      }
      path = xrealloc(path, (depth + 1) * sizeof(*path));
      path[depth++] = down;
      continue;
    }
    /* empty now: remove it from its parent and go on there */
    if (depth == 0) {
      closedir(d);
      r = unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
      goto out;
    }
    cur = openat(dirfd(d), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    closedir(d);
    if (cur < 0)
      goto out;
    depth--;
    if (unlinkat(cur, path[depth], AT_REMOVEDIR) < 0 && errno != ENOENT) {
      free(path[depth]);
      close(cur);
      goto out;
    }
    free(path[depth]);
  }
out:
  {
    int saved = errno;
    for (size_t i = 0; i < depth; i++)
      free(path[i]);
    free(path);
    errno = saved;
  }
  return r;
}

int state_remove(int root_fd, const char *id, struct cove_error *err)
{
  char nb[STATE_NAME_MAX];
  if (remove_tree_at(root_fd, state_dir_name(id, nb)) < 0)
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
    _cleanup_free_ char *who = xasprintf("delete %s", c->id);
    /* every poststop hook runs; failures only warn (runtime-spec) */
    if (!state || hooks_run(cfg, OCI_HOOK_POSTSTOP, state, 0, who, &e) < 0) {
      cove_warn("%s: %s", who, cove_error_msg(&e));
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
  /* a create that died half-way may have left its init on its way out: kill it like a live one */
  if (c->status == COVE_STATUS_RUNNING || c->status == COVE_STATUS_PAUSED || c->status == COVE_STATUS_CREATING ||
      c->status == COVE_STATUS_CREATED || c->incomplete) {
    _cleanup_close_ int pfd = -1;
    if (!force && c->status != COVE_STATUS_CREATED && !c->incomplete)
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
