/* update.c: `cove update`: apply a resources object to a live container's cgroup (runc's update:
 * devices are left as create set them). */
#include <errno.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "runtime/runtime.h"

int cove_update(const char *root, const char *id, const struct oci_resources *res, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;

  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return -1;
  if (c->status == COVE_STATUS_STOPPED)
    return cove_error_set(err, 0, "container `%s` is stopped", id);
  if (!c->cgroup)
    return cove_error_set(err, ENOENT, "container `%s` has no cgroup", id);
  if (cgroup_update(c->cgroup, res, err) < 0)
    return cove_error_wrap(err, "update `%s`", id);
  return 0;
}
