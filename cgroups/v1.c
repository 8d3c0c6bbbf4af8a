/* v1.c: the cgroup v1 (legacy) driver: one directory per mounted hierarchy, every
 * linux.resources field in its v1 file (Documentation/admin-guide/cgroup-v1/), the devices
 * controller's allow/deny lists, the freezer, and stats.  hybrid.c reuses it for the v1 half of a
 * hybrid host. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

static void sleep_ms(unsigned ms)
{
  struct timespec ts = {0, (long) ms * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* A new v1 cpuset cgroup starts with empty cpus and mems and admits no task (ENOSPC): give
 * every directory of the path that has none its parent's, as runc does.  Found directories too:
 * a concurrent create of a container sharing the parent may have made it an instant ago and
 * not filled it in yet (both then write the same value).  Walked top-down, so the parent is
 * filled when its child is. */
static int init_cpuset(int parent_fd, int dir_fd, const char *name, struct cove_error *err)
{
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
    _cleanup_free_ char *have = NULL, *v = NULL;
    if (read_file_at(dir_fd, files[i], 65536, &have, NULL, err) < 0)
      return cove_error_wrap(err, "initialise cpuset cgroup `%s`", name);
    if (have[0] && have[0] != '\n')
      continue;
    if (read_file_at(parent_fd, files[i], 65536, &v, NULL, err) < 0)
      return cove_error_wrap(err, "initialise cpuset cgroup `%s`", name);
    if (!v[0] || v[0] == '\n')
      continue;
    if (write_file_at(dir_fd, files[i], v, strlen(v), err) < 0)
      return cove_error_wrap(err, "initialise cpuset cgroup `%s`", name);
  }
  return 0;
}

int cg_v1_create(struct cove_cgroup *cg, struct cove_error *err)
{
  for (size_t i = 0; i < cg->v1_len; i++) {
    struct cg_hier *h = &cg->v1[i];
    bool cpuset = cg_v1_find(cg, "cpuset") == h;
    if (cg_mkdir_path(cg, h, cpuset ? init_cpuset : NULL, NULL, false, err) < 0)
      return -1;
  }
  return 0;
}

/* The hierarchy of ctrl, or an error naming the resource that needs it. */
static struct cg_hier *need(struct cove_cgroup *cg, const char *ctrl, const char *what, struct cove_error *err)
{
  struct cg_hier *h = cg_v1_find(cg, ctrl);
  if (!h || h->fd < 0) {
    cove_error_set(err, ENOENT, "%s: the %s controller is not mounted on this host", what, ctrl);
    return NULL;
  }
  return h;
}

static int v1_devices(struct cove_cgroup *cg, const struct oci_resources *res, const struct oci_device *extra,
                      size_t extra_len, struct cove_error *err)
{
  _cleanup_free_ struct cg_dev_rule *rules = NULL;
  struct cg_hier *h = cg_v1_find(cg, "devices");
  size_t n = 0;

  if (!h || h->fd < 0) {
    if (res && res->devices_len)
      return cove_error_set(err, ENOENT, "linux.resources.devices: the devices controller is not mounted");
    return 0;
  }
  if (cg_dev_rules(res, extra, extra_len, &rules, &n, err) < 0)
    return cove_error_wrap(err, "linux.resources");
  /* start from deny-all, then the rules in order: the kernel's list ends as the rules say */
  if (cg_write(cg, h, "devices.deny", "a", err) < 0)
    return cg_rootless_devices_unenforced(cg, err) ? 0 : -1;
  for (size_t i = 0; i < n; i++) {
    char buf[64];
    cg_dev_rule_v1(&rules[i], buf, sizeof(buf));
    if (cg_write(cg, h, rules[i].allow ? "devices.allow" : "devices.deny", buf, err) < 0)
      return cove_error_wrap(err, "linux.resources.devices");
  }
  return 0;
}

static int v1_memory(struct cove_cgroup *cg, const struct oci_memory *m, bool update, struct cove_error *err)
{
  struct cg_hier *h = need(cg, "memory", "linux.resources.memory", err);
  char buf[32];

  if (!h)
    return -1;
  if (m->kernel.set)
    cove_warn("linux.resources.memory.kernel is ignored: kernel memory limits are obsolete (Linux 5.4)");
  if (update && m->check_before_update.set && m->check_before_update.v && m->limit.set && m->limit.v > 0) {
    uint64_t cur = 0;
    if (cg_read_u64(cg, h, "memory.usage_in_bytes", &cur, err) < 0)
      return -1;
    if (cur > (uint64_t) m->limit.v)
      return cove_error_set(err, EBUSY,
                            "linux.resources.memory.limit %" PRId64 " is below the current usage %" PRIu64
                            " (checkBeforeUpdate)",
                            m->limit.v, cur);
  }
  if (m->limit.set || m->swap.set) {
    bool memsw = cg_has_file(h, "memory.memsw.limit_in_bytes");
    bool set_swap = m->swap.set && m->swap.v != 0;
    int64_t swap = m->swap.v;
    uint64_t cur = 0;

    if (m->swap.set && m->swap.v != 0 && !memsw)
      return cove_error_set(err, ENOENT,
                            "linux.resources.memory.swap: memory.memsw.limit_in_bytes missing (swap accounting "
                            "is off on this host)");
    /* an unlimited memory limit lifts the swap limit too (runc does the same) */
    if (m->limit.set && m->limit.v == -1 && !m->swap.set && memsw) {
      set_swap = true;
      swap = -1;
    }
    if (m->limit.set && set_swap && m->limit.v > 0 && swap > 0 && swap < m->limit.v)
      return cove_error_set(err, EINVAL,
                            "linux.resources.memory.swap %" PRId64 " is less than memory.limit %" PRId64, swap,
                            m->limit.v);
    /* memsw must stay >= the memory limit at every step: order the two writes */
    if (cg_read_u64(cg, h, "memory.limit_in_bytes", &cur, err) < 0)
      return -1;
    if (set_swap && (swap == -1 || (uint64_t) swap > cur)) {
      if (cg_writef(cg, h, "memory.memsw.limit_in_bytes", err, "%" PRId64, swap) < 0)
        return -1;
      set_swap = false;
    }
    if (m->limit.set && cg_writef(cg, h, "memory.limit_in_bytes", err, "%" PRId64, m->limit.v) < 0)
      return -1;
    if (set_swap && cg_writef(cg, h, "memory.memsw.limit_in_bytes", err, "%" PRId64, swap) < 0)
      return -1;
  }
  if (m->reservation.set && cg_writef(cg, h, "memory.soft_limit_in_bytes", err, "%" PRId64, m->reservation.v) < 0)
    return -1;
  if (m->kernel_tcp.set && cg_writef(cg, h, "memory.kmem.tcp.limit_in_bytes", err, "%" PRId64, m->kernel_tcp.v) < 0)
    return -1;
  if (m->swappiness.set) {
    if (m->swappiness.v > 100)
      return cove_error_set(err, EINVAL, "linux.resources.memory.swappiness %" PRIu64 ": expected 0 to 100",
                            m->swappiness.v);
    if (cg_writef(cg, h, "memory.swappiness", err, "%" PRIu64, m->swappiness.v) < 0)
      return -1;
  }
  if (m->disable_oom_killer.set && (m->disable_oom_killer.v || update) &&
      cg_write(cg, h, "memory.oom_control", m->disable_oom_killer.v ? "1" : "0", err) < 0)
    return -1;
  if (m->use_hierarchy.set) {
    snprintf(buf, sizeof(buf), "%d", m->use_hierarchy.v ? 1 : 0);
    if (cg_write(cg, h, "memory.use_hierarchy", buf, err) < 0)
      return -1;
  }
  return 0;
}

static int v1_cpu(struct cove_cgroup *cg, const struct oci_cpu *c, struct cove_error *err)
{
  bool any_cpu = (c->shares.set && c->shares.v) || c->quota.set || c->period.set || c->burst.set ||
                 c->realtime_runtime.set || c->realtime_period.set || c->idle.set;
  struct cg_hier *h = NULL;

  if (any_cpu && !(h = need(cg, "cpu", "linux.resources.cpu", err)))
    return -1;
  if (c->shares.set && c->shares.v && cg_writef(cg, h, "cpu.shares", err, "%" PRIu64, c->shares.v) < 0)
    return -1;
  if (c->period.set && c->period.v && cg_writef(cg, h, "cpu.cfs_period_us", err, "%" PRIu64, c->period.v) < 0)
    return -1;
  if (c->quota.set && cg_writef(cg, h, "cpu.cfs_quota_us", err, "%" PRId64, c->quota.v > 0 ? c->quota.v : -1) < 0)
    return -1;
  if (c->burst.set && cg_writef(cg, h, "cpu.cfs_burst_us", err, "%" PRIu64, c->burst.v) < 0)
    return -1;
  if (c->realtime_period.set && c->realtime_period.v &&
      cg_writef(cg, h, "cpu.rt_period_us", err, "%" PRIu64, c->realtime_period.v) < 0)
    return -1;
  if (c->realtime_runtime.set && cg_writef(cg, h, "cpu.rt_runtime_us", err, "%" PRId64, c->realtime_runtime.v) < 0)
    return -1;
  if (c->idle.set && cg_writef(cg, h, "cpu.idle", err, "%" PRId64, c->idle.v) < 0)
    return -1;
  if ((c->cpus && *c->cpus) || (c->mems && *c->mems)) {
    struct cg_hier *cs = need(cg, "cpuset", "linux.resources.cpu.cpus/mems", err);
    if (!cs)
      return -1;
    if (c->cpus && *c->cpus && cg_write(cg, cs, "cpuset.cpus", c->cpus, err) < 0)
      return -1;
    if (c->mems && *c->mems && cg_write(cg, cs, "cpuset.mems", c->mems, err) < 0)
      return -1;
  }
  return 0;
}

static int throttle(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_throttle_device *d, size_t n,
                    const char *file, struct cove_error *err)
{
  for (size_t i = 0; i < n; i++)
    if (cg_writef(cg, h, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor, d[i].rate) < 0)
      return -1;
  return 0;
}

static int v1_blkio(struct cove_cgroup *cg, const struct oci_blkio *b, struct cove_error *err)
{
  struct cg_hier *h = need(cg, "blkio", "linux.resources.blockIO", err);
  const char *wfile, *wdev;

  if (!h)
    return -1;
  /* CFQ's blkio.weight, or BFQ's blkio.bfq.weight (same 10..1000 range) */
  if (cg_has_file(h, "blkio.weight")) {
    wfile = "blkio.weight";
    wdev = "blkio.weight_device";
  } else {
    wfile = "blkio.bfq.weight";
    wdev = "blkio.bfq.weight_device";
  }
  if (b->weight.set && b->weight.v) {
    if (!cg_has_file(h, wfile)) {
      _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
      return cove_error_set(err, ENOENT,
                            "linux.resources.blockIO.weight: neither blkio.weight nor blkio.bfq.weight in %s (no "
                            "proportional-weight I/O scheduler)",
                            p);
    }
    if (cg_writef(cg, h, wfile, err, "%" PRIu64, b->weight.v) < 0)
      return -1;
  }
  if (b->leaf_weight.set && b->leaf_weight.v) {
    if (!cg_has_file(h, "blkio.leaf_weight"))
      return cove_error_set(err, ENOENT, "linux.resources.blockIO.leafWeight: blkio.leaf_weight missing on this host");
    if (cg_writef(cg, h, "blkio.leaf_weight", err, "%" PRIu64, b->leaf_weight.v) < 0)
      return -1;
  }
  for (size_t i = 0; i < b->weight_device_len; i++) {
    const struct oci_weight_device *d = &b->weight_device[i];
    if (d->weight.set) {
      if (!cg_has_file(h, wdev))
        return cove_error_set(err, ENOENT, "linux.resources.blockIO.weightDevice[%zu]: %s missing on this host", i,
                              wdev);
      if (cg_writef(cg, h, wdev, err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->weight.v) < 0)
        return -1;
    }
    if (d->leaf_weight.set) {
      if (!cg_has_file(h, "blkio.leaf_weight_device"))
        return cove_error_set(err, ENOENT,
                              "linux.resources.blockIO.weightDevice[%zu].leafWeight: blkio.leaf_weight_device "
                              "missing on this host",
                              i);
      if (cg_writef(cg, h, "blkio.leaf_weight_device", err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
                    d->minor, d->leaf_weight.v) < 0)
        return -1;
    }
  }
  if (throttle(cg, h, b->throttle_read_bps, b->throttle_read_bps_len, "blkio.throttle.read_bps_device", err) < 0 ||
      throttle(cg, h, b->throttle_write_bps, b->throttle_write_bps_len, "blkio.throttle.write_bps_device", err) < 0 ||
      throttle(cg, h, b->throttle_read_iops, b->throttle_read_iops_len, "blkio.throttle.read_iops_device", err) < 0 ||
      throttle(cg, h, b->throttle_write_iops, b->throttle_write_iops_len, "blkio.throttle.write_iops_device", err) < 0)
    return -1;
  return 0;
}

static int v1_hugetlb(struct cove_cgroup *cg, const struct oci_resources *res, struct cove_error *err)
{
  struct cg_hier *h;

  if (!res->hugepage_limits_len)
    return 0;
  if (!(h = need(cg, "hugetlb", "linux.resources.hugepageLimits", err)))
    return -1;
  for (size_t i = 0; i < res->hugepage_limits_len; i++) {
    const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
    _cleanup_free_ char *f = NULL, *rsvd = NULL;
    if (!l->page_size || !*l->page_size || strchr(l->page_size, '/') || strchr(l->page_size, '.'))
      return cove_error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu]: bad page size", i);
    f = xasprintf("hugetlb.%s.limit_in_bytes", l->page_size);
    if (!cg_has_file(h, f))
      return cove_error_set(err, ENOENT, "linux.resources.hugepageLimits[%zu]: no page size %s on this host", i,
                            l->page_size);
    if (cg_writef(cg, h, f, err, "%" PRIu64, l->limit) < 0)
      return -1;
    rsvd = xasprintf("hugetlb.%s.rsvd.limit_in_bytes", l->page_size);
    if (cg_has_file(h, rsvd) && cg_writef(cg, h, rsvd, err, "%" PRIu64, l->limit) < 0)
      return -1;
  }
  return 0;
}

static int v1_network(struct cove_cgroup *cg, const struct oci_network_res *n, struct cove_error *err)
{
  if (n->class_id.set) {
    struct cg_hier *h = need(cg, "net_cls", "linux.resources.network.classID", err);
    if (!h || cg_writef(cg, h, "net_cls.classid", err, "%" PRIu64, n->class_id.v) < 0)
      return -1;
  }
  for (size_t i = 0; i < n->priorities_len; i++) {
    struct cg_hier *h = need(cg, "net_prio", "linux.resources.network.priorities", err);
    const struct oci_net_priority *p = &n->priorities[i];
    if (!h)
      return -1;
    if (!p->name || !*p->name || strpbrk(p->name, " \n"))
      return cove_error_set(err, EINVAL, "linux.resources.network.priorities[%zu]: bad interface name", i);
    if (cg_writef(cg, h, "net_prio.ifpriomap", err, "%s %" PRIu32, p->name, p->priority) < 0)
      return -1;
  }
  return 0;
}

static int v1_rdma(struct cove_cgroup *cg, const struct oci_resources *res, struct cove_error *err)
{
  struct cg_hier *h;
  if (!res->rdma_len)
    return 0;
  if (!(h = need(cg, "rdma", "linux.resources.rdma", err)))
    return -1;
  return cg_write_rdma(cg, h, res, err);
}

int cg_v1_apply(struct cove_cgroup *cg, const struct oci_resources *res, const struct oci_device *extra,
                size_t extra_len, bool update, struct cove_error *err)
{
  bool hybrid = cg->mode == CGROUP_MODE_HYBRID;

  if (!update && v1_devices(cg, res, extra, extra_len, err) < 0)
    return -1;
  if (!res)
    return 0;
  if (res->cpu && v1_cpu(cg, res->cpu, err) < 0)
    return -1;
  if (res->memory && v1_memory(cg, res->memory, update, err) < 0)
    return -1;
  if (res->pids_limit.set) {
    struct cg_hier *h = need(cg, "pids", "linux.resources.pids", err);
    char buf[32];
    if (!h)
      return -1;
    cg_fmt_limit(buf, sizeof(buf), res->pids_limit.v > 0 ? res->pids_limit.v : -1);
    if (cg_write(cg, h, "pids.max", buf, err) < 0)
      return -1;
  }
  if (res->block_io && v1_blkio(cg, res->block_io, err) < 0)
    return -1;
  /* on a hybrid host hugetlb may be bound to the unified hierarchy instead: hybrid.c */
  if (!(hybrid && !cg_v1_find(cg, "hugetlb")) && v1_hugetlb(cg, res, err) < 0)
    return -1;
  if (res->network && v1_network(cg, res->network, err) < 0)
    return -1;
  if (v1_rdma(cg, res, err) < 0)
    return -1;
  if (!hybrid && res->unified_len)
    return cove_error_set(err, EOPNOTSUPP,
                          "linux.resources.unified: needs cgroup v2 (this host has only v1 hierarchies)");
  return 0;
}

int cg_v1_enter(struct cove_cgroup *cg, pid_t pid, const char *sub, struct cove_error *err)
{
  for (size_t i = 0; i < cg->v1_len; i++) {
    if (cg->v1[i].fd < 0)
      continue;
    if (cg_enter_hier(cg, &cg->v1[i], pid, sub, err) < 0)
      return -1;
  }
  return 0;
}

int cg_v1_freeze(struct cove_cgroup *cg, bool frozen, struct cove_error *err)
{
  struct cg_hier *h = need(cg, "freezer", frozen ? "freeze" : "thaw", err);
  const char *want = frozen ? "FROZEN" : "THAWED";

  if (!h)
    return -1;
  /* FREEZING can stall on a task in an uninterruptible sleep: re-ask now and then, bounded */
  for (int i = 0; i < 1000; i++) {
    _cleanup_free_ char *s = NULL;
    if (i % 50 == 0 && cg_write(cg, h, "freezer.state", want, err) < 0)
      return -1;
    if (cg_read(cg, h, "freezer.state", &s, err) < 0)
      return -1;
    if (!strncmp(s, want, strlen(want)))
      return 0;
    sleep_ms(i < 20 ? 1 : 5);
  }
  if (frozen) {
    struct cove_error e = COVE_ERROR_INIT;
    cg_write(cg, h, "freezer.state", "THAWED", &e);
    cove_error_release(&e);
  }
  {
    _cleanup_free_ char *p = cg_file_path(cg, h, "freezer.state");
    return cove_error_set(err, ETIMEDOUT, "%s cgroup: %s did not reach %s", frozen ? "freeze" : "thaw", p, want);
  }
}

int cg_v1_is_frozen(struct cove_cgroup *cg, bool *frozen, struct cove_error *err)
{
  struct cg_hier *h = need(cg, "freezer", "freezer state", err);
  _cleanup_free_ char *s = NULL;

  if (!h || cg_read(cg, h, "freezer.state", &s, err) < 0)
    return -1;
  *frozen = strncmp(s, "THAWED", 6) != 0;
  return 0;
}

static void blkio_stats(struct cove_cgroup *cg, struct cg_hier *h, const char *file, struct cgroup_blkio_entry **v,
                        size_t *len)
{
  _cleanup_free_ char *s = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  char *save = NULL;

  if (cg_read(cg, h, file, &s, &e) < 0) {
    cove_error_release(&e);
    return;
  }
  for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    unsigned long maj, min;
    char op[16];
    unsigned long long val;
    if (sscanf(line, "%lu:%lu %15s %llu", &maj, &min, op, &val) == 4)
      cg_stats_add_blkio(v, len, maj, min, op, val);
  }
}

int cg_v1_stats_hugetlb(struct cove_cgroup *cg, struct cg_hier *h, struct cgroup_stats *st)
{
  static const char *const sizes[] = {"64KB", "2MB", "32MB", "512MB", "1GB", "16GB"};
  struct cove_error e = COVE_ERROR_INIT;
  for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
    char f[64];
    uint64_t usage = 0, max = 0, fail = 0;
    snprintf(f, sizeof(f), "hugetlb.%s.usage_in_bytes", sizes[i]);
    if (cg_read_u64(cg, h, f, &usage, &e) < 0) {
      cove_error_release(&e);
      continue;
    }
    snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", sizes[i]);
    cg_read_u64(cg, h, f, &max, &e);
    snprintf(f, sizeof(f), "hugetlb.%s.failcnt", sizes[i]);
    cg_read_u64(cg, h, f, &fail, &e);
    cove_error_release(&e);
    cg_stats_add_hugetlb(st, sizes[i], usage, max, fail);
  }
  return 0;
}

int cg_v1_stats(struct cove_cgroup *cg, struct cgroup_stats *st, struct cove_error *err)
{
  struct cove_error e = COVE_ERROR_INIT;
  struct cg_hier *h;
  uint64_t v;

  (void) err;
  if ((h = cg_v1_find(cg, "cpuacct")) && h->fd >= 0) {
    _cleanup_free_ char *percpu = NULL;
    cg_read_u64(cg, h, "cpuacct.usage", &st->cpu_total, &e);
    cg_read_u64(cg, h, "cpuacct.usage_user", &st->cpu_user, &e);
    cg_read_u64(cg, h, "cpuacct.usage_sys", &st->cpu_kernel, &e);
    if (cg_read(cg, h, "cpuacct.usage_percpu", &percpu, &e) == 0) {
      char *p = percpu, *end;
      for (;;) {
        unsigned long long x = strtoull(p, &end, 10);
        if (end == p)
          break;
        st->cpu_percpu = xrealloc(st->cpu_percpu, (st->cpu_percpu_len + 1) * sizeof(uint64_t));
        st->cpu_percpu[st->cpu_percpu_len++] = x;
        p = end;
      }
    }
    cove_error_release(&e);
  }
  if ((h = cg_v1_find(cg, "cpu")) && h->fd >= 0) {
    _cleanup_free_ char *s = NULL;
    if (cg_read(cg, h, "cpu.stat", &s, &e) == 0) {
      cg_kv_get(s, "nr_periods", &st->throttle_periods);
      cg_kv_get(s, "nr_throttled", &st->throttle_throttled_periods);
      cg_kv_get(s, "throttled_time", &st->throttle_throttled_time);
    }
    cove_error_release(&e);
  }
  if ((h = cg_v1_find(cg, "memory")) && h->fd >= 0) {
    _cleanup_free_ char *s = NULL, *oom = NULL;
    cg_read_u64(cg, h, "memory.usage_in_bytes", &st->mem_usage, &e);
    cg_read_u64(cg, h, "memory.max_usage_in_bytes", &st->mem_max_usage, &e);
    cg_read_u64(cg, h, "memory.limit_in_bytes", &st->mem_limit, &e);
    cg_read_u64(cg, h, "memory.failcnt", &st->mem_failcnt, &e);
    cg_read_u64(cg, h, "memory.memsw.usage_in_bytes", &st->swap_usage, &e);
    cg_read_u64(cg, h, "memory.memsw.max_usage_in_bytes", &st->swap_max_usage, &e);
    cg_read_u64(cg, h, "memory.memsw.limit_in_bytes", &st->swap_limit, &e);
    cg_read_u64(cg, h, "memory.memsw.failcnt", &st->swap_failcnt, &e);
    cg_read_u64(cg, h, "memory.kmem.usage_in_bytes", &st->kernel_usage, &e);
    cg_read_u64(cg, h, "memory.kmem.tcp.usage_in_bytes", &st->kernel_tcp_usage, &e);
    cove_error_release(&e);
    if (cg_read(cg, h, "memory.stat", &s, &e) == 0) {
      cg_stats_read_raw(st, s);
      if (cg_kv_get(s, "total_cache", &st->mem_cache) < 0)
        cg_kv_get(s, "cache", &st->mem_cache);
    }
    if (cg_read(cg, h, "memory.oom_control", &oom, &e) == 0)
      cg_kv_get(oom, "oom_kill", &st->oom_kill);
    cove_error_release(&e);
  }
  if ((h = cg_v1_find(cg, "pids")) && h->fd >= 0) {
    cg_read_u64(cg, h, "pids.current", &st->pids_current, &e);
    if (cg_read_u64(cg, h, "pids.max", &v, &e) == 0)
      st->pids_limit = v == UINT64_MAX ? 0 : v;
    cove_error_release(&e);
  }
  if ((h = cg_v1_find(cg, "blkio")) && h->fd >= 0) {
    /* CFQ/BFQ counters when present, else the throttle layer's (always there) */
    const char *bytes = cg_has_file(h, "blkio.io_service_bytes_recursive") ? "blkio.io_service_bytes_recursive"
                                                                           : "blkio.throttle.io_service_bytes_recursive";
    const char *ios = cg_has_file(h, "blkio.io_serviced_recursive") ? "blkio.io_serviced_recursive"
                                                                    : "blkio.throttle.io_serviced_recursive";
    blkio_stats(cg, h, bytes, &st->io_service_bytes, &st->io_service_bytes_len);
    blkio_stats(cg, h, ios, &st->io_serviced, &st->io_serviced_len);
  }
  if ((h = cg_v1_find(cg, "hugetlb")) && h->fd >= 0)
    cg_v1_stats_hugetlb(cg, h, st);
  return 0;
}

const struct cg_driver cg_driver_v1 = {
  .name = "v1",
  .create = cg_v1_create,
  .apply = cg_v1_apply,
  .enter = cg_v1_enter,
  .freeze = cg_v1_freeze,
  .is_frozen = cg_v1_is_frozen,
  .stats = cg_v1_stats,
};
