/* label.c: linux.mountLabel on the mounts runc gives it to: a `context="LABEL"` option appended
 * to their data (go-selinux's FormatMountLabel).  Pure; the label itself is checked in the
 * parent before anything is made (runtime/lsm.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

/* mount(2) reads one page of data: a longer value would be applied truncated */
#define MOUNT_DATA_PAGE 4096

bool lsm_mount_takes_label(const char *type, bool bind)
{
  /* a bind shows its source with the source's labels (runc hands the option to MS_BIND, which
   * ignores it); procfs and sysfs take no context= ("SELinux kernels do not support labeling of
   * /proc or /sys"); cgroup hierarchies are mounted without it (runc labels only the tmpfs that
   * holds the v1 hierarchies, see cgroupfs.c) */
  if (bind)
    return false;
  if (!type)
    return true;
  static const char *const unlabelled[] = {"bind", "proc", "sysfs", "cgroup", "cgroup2"};
  for (size_t i = 0; i < ARRAY_SIZE(unlabelled); i++)
    if (strcmp(type, unlabelled[i]) == 0)
      return false;
  return true;
}

int lsm_format_mount_label(const char *data, const char *label, char **out, struct cove_error *err)
{
  *out = NULL;
  if (!label || !*label)
    return 0;
  if (strchr(label, '"'))
    return cove_error_set(err, 0, "mount label `%s`: has a double quote", label);
  char *s = data && *data ? xasprintf("%s,context=\"%s\"", data, label) : xasprintf("context=\"%s\"", label);
  if (strlen(s) >= MOUNT_DATA_PAGE) {
    free(s);
    return cove_error_set(err, E2BIG, "mount data with the label `%.32s...` is longer than a page", label);
  }
  *out = s;
  return 0;
}

int lsm_mount_data(const struct oci_config *c, const char *type, bool bind, const char *data, char **out,
                   struct cove_error *err)
{
  *out = NULL;
  if (!c->linux_ || !lsm_mount_takes_label(type, bind))
    return 0;
  return lsm_format_mount_label(data, c->linux_->mount_label, out, err);
}
