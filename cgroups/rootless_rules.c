/* rootless_rules.c: the pure rules of the rootless cgroup manager, shared by the cgroupfs side
 * (rootless.c) and the user manager's systemd driver (systemd.c): which limits a config asks
 * for, which cgroup v2 controller each needs, and which linux.devices nodes stay open without
 * device rules. */
#include <stdio.h>
#include <string.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"

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

/* Is name a word of the space-separated list? */
static bool has_word(const char *list, const char *name)
{
  size_t n = strlen(name);
  for (const char *p = list; (p = strstr(p, name)); p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0' || p[n] == '\n'))
      return true;
  return false;
}

bool cg_rootless_missing_controller(const struct oci_resources *res, const char *have, const char **field,
                                    char *ctrl, size_t ctrl_len)
{
  const struct oci_cpu *c = res ? res->cpu : NULL;
  struct oci_cpu cpu_only = {0};
  /* each area alone, with the cgroup v2 controller it needs (cpu.cpus and cpu.mems are the
   * cpuset's); network (net_cls, net_prio) has none on v2, the v2 driver refuses it itself */
  struct {
    const char *field, *controller;
    struct oci_resources one;
  } need[] = {
    {"memory", "memory", {.memory = res ? res->memory : NULL}},
    {"cpu", "cpu", {.cpu = &cpu_only}},
    {"cpu.cpus", "cpuset", {0}},
    {"cpu.mems", "cpuset", {0}},
    {"pids", "pids", {.pids_limit = res ? res->pids_limit : (struct oci_opt_i64) {0}}},
    {"blockIO", "io", {.block_io = res ? res->block_io : NULL}},
    {"hugepageLimits", "hugetlb", {.hugepage_limits_len = res ? res->hugepage_limits_len : 0}},
    {"rdma", "rdma", {.rdma_len = res ? res->rdma_len : 0}},
  };

  *field = NULL;
  if (!res)
    return false;
  if (c) {
    cpu_only = *c;
    cpu_only.cpus = cpu_only.mems = NULL;
  }
  for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
    bool asked;
    if (!strcmp(need[i].field, "cpu.cpus"))
      asked = c && c->cpus && *c->cpus;
    else if (!strcmp(need[i].field, "cpu.mems"))
      asked = c && c->mems && *c->mems;
    else
      asked = cg_rootless_limit_asked(&need[i].one) != NULL;
    if (asked && !has_word(have, need[i].controller)) {
      *field = need[i].field;
      snprintf(ctrl, ctrl_len, "%s", need[i].controller);
      return true;
    }
  }
  /* unified keys name their controller ("memory.high"); cgroup.* keys are the core's */
  for (size_t i = 0; i < res->unified_len; i++) {
    const char *key = res->unified[i].key, *dot = key ? strchr(key, '.') : NULL;
    if (!dot || !strncmp(key, "cgroup.", 7))
      continue;
    snprintf(ctrl, ctrl_len, "%.*s", (int) (dot - key), key);
    if (!has_word(have, ctrl)) {
      *field = "unified";
      return true;
    }
  }
  return false;
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
