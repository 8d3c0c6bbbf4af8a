/* pause.c: `cove pause` / `cove resume`: freeze and thaw every process of the container through
 * the cgroup freezer.  The state code derives `paused` from cgroup_is_frozen(). */
#include <errno.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "runtime/runtime.h"

static int set_frozen(const char *root, const char *id, bool frozen, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;

  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return -1;
  if (!c->cgroup)
    return cove_error_set(err, 0, "container `%s` has no cgroup (rootless, and no cgroup delegated to the user)", id);
  if (frozen && c->status == COVE_STATUS_PAUSED)
    return cove_error_set(err, 0, "container `%s` is already paused", id);
  if (frozen && c->status != COVE_STATUS_RUNNING && c->status != COVE_STATUS_CREATED)
    return cove_error_set(err, 0, "container `%s` is not running (%s)", id, cove_status_name(c->status));
  if (!frozen && c->status != COVE_STATUS_PAUSED)
    return cove_error_set(err, 0, "container `%s` is not paused (%s)", id, cove_status_name(c->status));
  if (cgroup_freeze(c->cgroup, frozen, err) < 0)
    return cove_error_wrap(err, "%s `%s`", frozen ? "pause" : "resume", id);
  return 0;
}

int cove_pause(const char *root, const char *id, struct cove_error *err)
{
  return set_frozen(root, id, true, err);
}

int cove_resume(const char *root, const char *id, struct cove_error *err)
{
  return set_frozen(root, id, false, err);
}
