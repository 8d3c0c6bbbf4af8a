/* rootless.c: the rootless cgroup manager (runc's rules, libcontainer/cgroups/fs and fs2).
 *
 * An unprivileged user may create cgroups only in a subtree delegated to it (systemd's
 * user@.service chowns the user's own; an administrator may chown one).  So, rootless:
 *  - on cgroup v2 an empty or relative linux.cgroupsPath is placed below the parent of the
 *    caller's own cgroup (the caller's cgroup has processes, so controllers cannot be enabled for
 *    its children; its parent, in a delegated tree, is the user's): "cove/ID" by default;
 *  - a cgroup the user may not create (EACCES, EPERM, EROFS) is no error when the config asks
 *    for no limits and names no cgroupsPath: the container runs in the caller's cgroup, and the
 *    commands that need one (pause, update, stats) say so;
 *  - asked-for limits, or a cgroupsPath, that cannot be had are an error naming what was asked;
 *  - device rules that cannot be applied (an unprivileged user may not load the eBPF device
 *    program nor write a v1 devices.deny) are no error, as runc's: in a user namespace no node
 *    can be made, the container's are bind mounts of the host's with the host's permissions.
 *    But a linux.devices node the rules keep closed would then be open: that is refused.
 *  - with --systemd-cgroup the container's cgroup is a scope of the user's own systemd manager
 *    (systemd.c: its bus, "user.slice:cove:ID" by default, cgroup v2 only), and a limit needs a
 *    controller delegated to that manager (cg_rootless_missing_controller). */
#include <errno.h>
#include <string.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

/* The parent of the caller's own cgroup2 path ("0::/a/b/c" gives "/a/b"); "/" at the top. */
static int own_parent(char **out, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  char *l, *slash;

  if (read_file("/proc/self/cgroup", 1 << 16, &data, NULL, err) < 0)
    return cove_error_wrap(err, "rootless cgroup: find the caller's cgroup");
  for (l = data; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
    if (!strncmp(l, "0::", 3))
      break;
  if (!l)
    return cove_error_set(err, ENOENT, "rootless cgroup: /proc/self/cgroup has no cgroup2 line");
  l += 3;
  l[strcspn(l, "\n")] = '\0';
  slash = strrchr(l, '/');
  if (slash)
    *slash = '\0';
  *out = xstrdup(*l == '/' ? l : "/");
  return 0;
}

int cg_rootless_resolve_path(const char *cgroups_path, const char *id, char **out, struct cove_error *err)
{
  _cleanup_free_ char *parent = NULL, *joined = NULL;

  if (cgroups_path && cgroups_path[0] == '/')
    return cgroup_resolve_path(cgroups_path, id, false, out, err);
  if (own_parent(&parent, err) < 0)
    return -1;
  if (cgroups_path && *cgroups_path)
    joined = xasprintf("%s/%s", parent, cgroups_path);
  else
    joined = xasprintf("%s/cove/%s", parent, id);
  return cgroup_resolve_path(joined, id, false, out, err);
}

static bool permission_error(int e)
{
  return e == EACCES || e == EPERM || e == EROFS;
}

int cgroup_plan_rootless(const struct oci_config *config, const char *id, bool systemd_cgroup,
                         struct cove_cgroup **out, struct cove_error *err)
{
  const struct oci_linux *lx = config ? config->linux_ : NULL;
  _cleanup_free_ char *v2_path = NULL;
  enum cgroup_mode mode;

  *out = NULL;
  if (cgroup_detect_mode(&mode, err) < 0)
    return -1;
  /* v2: below the caller's own; v1 and hybrid hierarchies keep cove's paths from their roots */
  if (mode == CGROUP_MODE_UNIFIED && !systemd_cgroup &&
      cg_rootless_resolve_path(lx ? lx->cgroups_path : NULL, id, &v2_path, err) < 0)
    return -1;
  return cg_plan_at(CG_DEFAULT_ROOT, mode, NULL, config, id, systemd_cgroup, true, v2_path, out, err);
}

int cgroup_make_rootless(struct cove_cgroup **cg, const struct oci_config *config, bool systemd_cgroup,
                         struct cove_error *err)
{
  const struct oci_linux *lx = config ? config->linux_ : NULL;
  const char *asked = cg_rootless_limit_asked(lx ? lx->resources : NULL);
  const char *path = lx && lx->cgroups_path && *lx->cgroups_path ? lx->cgroups_path : NULL;

  if (cgroup_make(*cg, config, err) == 0) {
    /* a failure here leaves the made cgroup to the caller's undo, as any later one */
    if (!(*cg)->devices_unenforced || !lx)
      return 0;
    return cg_rootless_check_devices(lx->resources, lx->devices, lx->devices_len, err);
  }
  /* (--systemd-cgroup makes nothing here: the user manager makes the unit when the init is
   * placed, systemd.c) other failures are no permission question */
  if (systemd_cgroup || !permission_error(err->errnum))
    return -1;
  if (!asked && !path) {
    cove_debug("rootless: no cgroup (%s): the container stays in the caller's", cove_error_msg(err));
    cove_error_release(err);
    cgroup_free(*cg);
    *cg = NULL;
    if (lx && cg_rootless_check_devices(lx->resources, lx->devices, lx->devices_len, err) < 0)
      return -1;
    return 0;
  }
  if (asked)
    return cove_error_wrap(err,
                           "rootless: linux.resources.%s needs a cgroup the user may write (a delegated "
                           "subtree, as systemd's user@.service gives)",
                           asked);
  return cove_error_wrap(err, "rootless: linux.cgroupsPath `%s`", path);
}
