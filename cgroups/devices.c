/* devices.c: the device access rules of a container, shared by the v1 devices controller and
 * the v2 eBPF program: linux.resources.devices in order, then the devices every container gets
 * (as runc's AllowedDevices: null, zero, full, random, urandom, tty, ptmx, /dev/pts/N) and the
 * nodes of linux.devices, which the runtime creates and the container must be able to open. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/util.h"

static const struct cg_dev_rule default_rules[] = {
  {true, 'c', 1, 3, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD},   /* /dev/null */
  {true, 'c', 1, 5, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD},   /* /dev/zero */
  {true, 'c', 1, 7, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD},   /* /dev/full */
  {true, 'c', 1, 8, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD},   /* /dev/random */
  {true, 'c', 1, 9, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD},   /* /dev/urandom */
  {true, 'c', 5, 0, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD},   /* /dev/tty */
  {true, 'c', 5, 2, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD},   /* /dev/ptmx */
  {true, 'c', 136, -1, CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD}, /* /dev/pts/N */
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

int cg_dev_rules(const struct oci_resources *res, const struct oci_device *extra, size_t extra_len,
                 struct cg_dev_rule **rules, size_t *n, struct cove_error *err)
{
  size_t cfg = res ? res->devices_len : 0, k = 0;
  struct cg_dev_rule *v = xcalloc(cfg + ARRAY_SIZE(default_rules) + extra_len + 1, sizeof(*v));

  for (size_t i = 0; i < cfg; i++) {
    const struct oci_device_cgroup *d = &res->devices[i];
    struct cg_dev_rule *r = &v[k];
    const char *t = d->type ? d->type : "a";
    if (strlen(t) != 1 || (t[0] != 'a' && t[0] != 'b' && t[0] != 'c')) {
      free(v);
      return cove_error_set(err, EINVAL, "devices[%zu]: type `%s`: expected a, b or c", i, t);
    }
    r->allow = d->allow;
    r->type = t[0];
    r->major = d->major.set ? d->major.v : -1;
    r->minor = d->minor.set ? d->minor.v : -1;
    if ((d->major.set && d->major.v < 0) || (d->minor.set && d->minor.v < 0)) {
      free(v);
      return cove_error_set(err, EINVAL, "devices[%zu]: negative major or minor", i);
    }
    if (parse_access(d->access, &r->access, err) < 0) {
      free(v);
      return cove_error_wrap(err, "devices[%zu]", i);
    }
    k++;
  }
  for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
    v[k++] = default_rules[i];
  for (size_t i = 0; i < extra_len; i++) {
    const struct oci_device *d = &extra[i];
    if (!d->type || (strcmp(d->type, "c") && strcmp(d->type, "b") && strcmp(d->type, "u")))
      continue; /* fifos need no rule */
    v[k++] = (struct cg_dev_rule){true, d->type[0] == 'b' ? 'b' : 'c', d->major, d->minor,
                                  CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD};
  }
  *rules = v;
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
