/* devices.c: the device access rules of a container, shared by the v1 devices controller and
 * the v2 eBPF program.  As runc's specconv: linux.resources.devices in order, then runc's
 * AllowedDevices appended (mknod of any node, null, random, full, tty, zero, urandom, /dev/pts/N,
 * ptmx, tun).  Nothing else: a node of linux.devices is created by the runtime but reaches the
 * device cgroup only through a resources.devices rule (runtime-spec config-linux.md, "Allowed
 * Device Nodes"), so a deny-all config keeps it closed. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/util.h"

#define RWM (CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD)

/* runc's AllowedDevices, in its order (libcontainer/specconv); path: the node it stands for,
 * NULL for the rules that name no node */
static const struct {
  const char *path;
  struct cg_dev_rule rule;
} default_rules[] = {
  {NULL, {true, 'c', -1, -1, CG_DEV_MKNOD}}, /* mknod of any node: opening it is a later rule's */
  {NULL, {true, 'b', -1, -1, CG_DEV_MKNOD}},
  {"/dev/null", {true, 'c', 1, 3, RWM}},
  {"/dev/random", {true, 'c', 1, 8, RWM}},
  {"/dev/full", {true, 'c', 1, 7, RWM}},
  {"/dev/tty", {true, 'c', 5, 0, RWM}},
  {"/dev/zero", {true, 'c', 1, 5, RWM}},
  {"/dev/urandom", {true, 'c', 1, 9, RWM}},
  {NULL, {true, 'c', 136, -1, RWM}}, /* /dev/pts/N */
  {NULL, {true, 'c', 5, 2, RWM}},    /* /dev/ptmx */
  {NULL, {true, 'c', 10, 200, RWM}}, /* /dev/net/tun (podman and rootless networking use it) */
};

static int parse_access(const char *s, unsigned *out, struct cove_error *err)
{
  unsigned a = 0;
  if (!s) {
    *out = CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD;
    return 0;
  }
  for (const char *p = s; *p; p++) {
    switch (*p) {
    case 'r': a |= CG_DEV_READ; break;
    case 'w': a |= CG_DEV_WRITE; break;
    case 'm': a |= CG_DEV_MKNOD; break;
    default: return cove_error_set(err, EINVAL, "devices: access `%s`: expected letters of rwm", s);
    }
  }
  *out = a;
  return 0;
}

/* runc drops a default whose node linux.devices names again: that entry's numbers win */
static bool named_by(const struct oci_device *devs, size_t n, const char *path)
{
  for (size_t i = 0; path && i < n; i++)
    if (devs[i].path && !strcmp(devs[i].path, path))
      return true;
  return false;
}

int cg_dev_rules(const struct oci_resources *res, const struct oci_device *devs, size_t devs_len,
                 struct cg_dev_rule **rules, size_t *n, struct cove_error *err)
{
  size_t cfg = res ? res->devices_len : 0, k = 0;
  _cleanup_free_ struct cg_dev_rule *v = xcalloc(cfg + ARRAY_SIZE(default_rules) + 1, sizeof(*v));

  for (size_t i = 0; i < cfg; i++) {
    const struct oci_device_cgroup *d = &res->devices[i];
    struct cg_dev_rule *r = &v[k];
    const char *t = d->type ? d->type : "a";
    if (strlen(t) != 1 || (t[0] != 'a' && t[0] != 'b' && t[0] != 'c'))
      return cove_error_set(err, EINVAL, "devices[%zu]: type `%s`: expected a, b or c", i, t);
    r->allow = d->allow;
    r->type = t[0];
    r->major = d->major.set ? d->major.v : -1;
    r->minor = d->minor.set ? d->minor.v : -1;
    if ((d->major.set && d->major.v < 0) || (d->minor.set && d->minor.v < 0))
      return cove_error_set(err, EINVAL, "devices[%zu]: negative major or minor", i);
    if (parse_access(d->access, &r->access, err) < 0)
      return cove_error_wrap(err, "devices[%zu]", i);
    k++;
  }
  for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
    if (!named_by(devs, devs_len, default_rules[i].path))
      v[k++] = default_rules[i].rule;
  *rules = steal_ptr(v);
  *n = k;
  return 0;
}

void cg_dev_rule_v1(const struct cg_dev_rule *r, char *buf, size_t len)
{
  char maj[24], min[24], acc[4];
  size_t a = 0;

  if (r->type == 'a') {
    /* "a" alone: everything (the kernel reads any "a ..." as all devices, all access) */
    snprintf(buf, len, "a *:* rwm");
    return;
  }
  if (r->major < 0)
    snprintf(maj, sizeof(maj), "*");
  else
    snprintf(maj, sizeof(maj), "%" PRId64, r->major);
  if (r->minor < 0)
    snprintf(min, sizeof(min), "*");
  else
    snprintf(min, sizeof(min), "%" PRId64, r->minor);
  if (r->access & CG_DEV_READ)
    acc[a++] = 'r';
  if (r->access & CG_DEV_WRITE)
    acc[a++] = 'w';
  if (r->access & CG_DEV_MKNOD)
    acc[a++] = 'm';
  acc[a] = '\0';
  snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
}
