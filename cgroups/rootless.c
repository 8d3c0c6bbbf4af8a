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
 *  - with --systemd-cgroup the slice:prefix:name path is an asked-for path: its refusal stands. */
#include <errno.h>
#include <string.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

/* The first resource of res that needs a controller ("memory", "pids", ...), NULL for none. */
const char *cg_rootless_limit_asked(const struct oci_resources *res)
{
  if (!res)
    return NULL;
  if (res->memory) {
    const struct oci_memory *m = res->memory;
    if (m->limit.set || m->reservation.set || m->swap.set || m->kernel.set || m->kernel_tcp.set ||
        m->swappiness.set || m->disable_oom_killer.set || m->use_hierarchy.set)
      return "memory";
  }
  if (res->cpu) {
    const struct oci_cpu *c = res->cpu;
    if (c->shares.set || c->quota.set || c->burst.set || c->period.set || c->realtime_runtime.set ||
        c->realtime_period.set || (c->cpus && *c->cpus) || (c->mems && *c->mems) || c->idle.set)
      return "cpu";
  }
  if (res->pids_limit.set)
    return "pids";
  if (res->block_io) {
    const struct oci_blkio *b = res->block_io;
    if (b->weight.set || b->leaf_weight.set || b->weight_device_len || b->throttle_read_bps_len ||
        b->throttle_write_bps_len || b->throttle_read_iops_len || b->throttle_write_iops_len)
      return "blockIO";
  }
  if (res->hugepage_limits_len)
    return "hugepageLimits";
  if (res->network && (res->network->class_id.set || res->network->priorities_len))
    return "network";
  if (res->rdma_len)
    return "rdma";
  if (res->unified_len)
    return "unified";
  return NULL;
}

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

/* Whether the rules (last match wins, per access bit) grant access to the node. */
static bool rules_grant(const struct cg_dev_rule *r, size_t n, char type, int64_t major, int64_t minor,
                        unsigned access)
{
  bool allowed = false;
  for (size_t i = 0; i < n; i++)
    if ((r[i].type == 'a' || r[i].type == type) && (r[i].major < 0 || r[i].major == major) &&
        (r[i].minor < 0 || r[i].minor == minor) && (r[i].access & access))
      allowed = r[i].allow;
  return allowed;
}

int cg_rootless_check_devices(const struct oci_resources *res, const struct oci_device *devs, size_t n,
                              struct cove_error *err)
{
  _cleanup_free_ struct cg_dev_rule *rules = NULL;
  size_t nr = 0;

  if (cg_dev_rules(res, devs, n, &rules, &nr, err) < 0)
    return cove_error_wrap(err, "linux.resources");
  for (size_t i = 0; i < n; i++) {
    const struct oci_device *d = &devs[i];
    char type = d->type && !strcmp(d->type, "b") ? 'b' : 'c';
    if (!d->type || !strcmp(d->type, "p"))
      continue; /* a fifo is no device the rules speak of */
    if (rules_grant(rules, nr, type, d->major, d->minor, CG_DEV_READ) &&
        rules_grant(rules, nr, type, d->major, d->minor, CG_DEV_WRITE))
      continue;
    return cove_error_set(err, 0,
                          "linux.devices[%zu] (%s, %c %lld:%lld): linux.resources.devices does not allow it, and a "
                          "rootless container cannot enforce device rules (its nodes are the host's, bind-mounted): "
                          "allow it (rw) or leave it out",
                          i, d->path ? d->path : "?", type, (long long) d->major, (long long) d->minor);
  }
  return 0;
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
  /* a systemd path is one asked for (made as a path: no user manager is asked for a scope);
   * other failures are no permission question */
  if (systemd_cgroup)
    return cove_error_wrap(err,
                           "rootless: --systemd-cgroup path `%s` (made as a path: the user manager's "
                           "bus is not used)",
                           path ? path : "system.slice:cove:ID");
  if (!permission_error(err->errnum))
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
