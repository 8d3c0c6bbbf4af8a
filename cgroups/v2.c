/* v2.c: the cgroup v2 (unified) driver: creating the leaf with the controllers enabled in its
 * ancestors' cgroup.subtree_control, writing every linux.resources field in its v2 form
 * (Documentation/admin-guide/cgroup-v2.rst), freezing with cgroup.freeze, and stats.
 *
 * The v2 pieces a hybrid host uses for its unified hierarchy (hugetlb, unified keys, freeze) are
 * exported to hybrid.c through internal.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void sleep_ms(unsigned ms)
{
  struct timespec ts = {0, (long) ms * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

/* True when dirfd's cgroup itself (not a descendant) holds a process. */
static bool has_own_processes(int dirfd)
{
  _cleanup_free_ char *procs = NULL;
  struct cove_error e = COVE_ERROR_INIT;

  if (read_file_at(dirfd, "cgroup.procs", 1 << 20, &procs, NULL, &e) < 0) {
    cove_error_release(&e);
    return false;
  }
  return procs[0] != '\0';
}

/* Enable in dirfd's cgroup.subtree_control every controller its cgroup.controllers offers and
 * that is not on yet.  One write for all; on failure (a controller the kernel refuses, e.g. cpu
 * with realtime tasks) each on its own, ignoring refusals: the resource needing it fails later,
 * naming itself. */
static void enable_controllers(int dirfd)
{
  _cleanup_free_ char *avail = NULL, *on = NULL, *req = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  size_t len = 0, cap;
  char *save = NULL;

  if (read_file_at(dirfd, "cgroup.controllers", 4096, &avail, NULL, &e) < 0 ||
      read_file_at(dirfd, "cgroup.subtree_control", 4096, &on, NULL, &e) < 0) {
    cove_error_release(&e);
    return;
  }
  cap = strlen(avail) * 2 + 2;
  req = xcalloc(1, cap);
  for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
    const char *p = on;
    bool have = false;
    size_t n = strlen(c);
    while ((p = strstr(p, c))) {
      if ((p == on || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0')) {
        have = true;
        break;
      }
      p += n;
    }
    if (!have)
      len += (size_t) snprintf(req + len, cap - len, "%s+%s", len ? " " : "", c);
  }
  if (!len)
    return;
  if (write_file_at(dirfd, "cgroup.subtree_control", req, len, &e) == 0)
    return;
  cove_error_release(&e);
  /* A cgroup with processes of its own (cove itself inside a Delegate=yes service) refuses
   * domain controllers, and enabling a threaded one (cpu, cpuset, pids) there would turn it
   * "domain threaded": every new child would be "domain invalid" and the clone into it fails
   * (cgroup-v2.rst, "Threads").  Enable nothing; a limit needing a controller fails naming it. */
  if (has_own_processes(dirfd)) {
    cove_debug("cgroup: controllers not enabled below a cgroup with processes of its own");
    return;
  }
  save = NULL;
  for (char *c = strtok_r(req, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
    if (write_file_at(dirfd, "cgroup.subtree_control", c, strlen(c), &e) < 0) {
      cove_debug("cgroup: enable %s: %s", c + 1, cove_error_msg(&e));
      cove_error_release(&e);
    }
  }
}

/* Create root[/name]/path with controllers enabled down to the leaf's parent.  A hybrid host's
 * unified hierarchy belongs to the host's manager: there (all_ancestors false) only directories
 * cove creates get controllers enabled. */
static int v2_mkdir(struct cove_cgroup *cg, struct cg_hier *h, bool all_ancestors, struct cove_error *err)
{
  return cg_mkdir_path(cg, h, NULL, enable_controllers, all_ancestors, err);
}

static int v2_create(struct cove_cgroup *cg, struct cove_error *err)
{
  return v2_mkdir(cg, &cg->unified, true, err);
}

/* hybrid.c uses this for the unified hierarchy at root/unified */
int cg_v2_create_hybrid_leaf(struct cove_cgroup *cg, struct cove_error *err)
{
  if (!cg->unified.name)
    cg->unified.name = xstrdup("unified");
  return v2_mkdir(cg, &cg->unified, false, err);
}

/* ---- resources ---- */

static int v2_memory(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_memory *m, bool update,
                     struct cove_error *err)
{
  char buf[32];

  if (m->kernel.set)
    cove_warn("linux.resources.memory.kernel is ignored: kernel memory limits do not exist in cgroup v2");
  if (m->kernel_tcp.set)
    return cove_error_set(err, EOPNOTSUPP, "linux.resources.memory.kernelTCP: not supported by cgroup v2");
  if (m->swappiness.set)
    return cove_error_set(err, EOPNOTSUPP, "linux.resources.memory.swappiness: not supported by cgroup v2");
  if (m->disable_oom_killer.set && m->disable_oom_killer.v)
    return cove_error_set(err, EOPNOTSUPP, "linux.resources.memory.disableOOMKiller: not supported by cgroup v2");
  if (m->use_hierarchy.set && !m->use_hierarchy.v)
    return cove_error_set(err, EOPNOTSUPP,
                          "linux.resources.memory.useHierarchy false: cgroup v2 is always hierarchical");
  if (update && m->check_before_update.set && m->check_before_update.v && m->limit.set && m->limit.v > 0) {
    uint64_t cur = 0;
    if (cg_read_u64(cg, h, "memory.current", &cur, err) < 0)
      return -1;
    if (cur > (uint64_t) m->limit.v)
      return cove_error_set(err, EBUSY,
                            "linux.resources.memory.limit %" PRId64 " is below the current usage %" PRIu64
                            " (checkBeforeUpdate)",
                            m->limit.v, cur);
  }
  if (m->limit.set) {
    cg_fmt_limit(buf, sizeof(buf), m->limit.v);
    if (cg_write(cg, h, "memory.max", buf, err) < 0)
      return -1;
  }
  if (m->reservation.set) {
    cg_fmt_limit(buf, sizeof(buf), m->reservation.v);
    if (cg_write(cg, h, "memory.low", buf, err) < 0)
      return -1;
  }
  if (m->swap.set) {
    int64_t limit = m->limit.v, swap = 0;
    bool limit_set = m->limit.set;
    if (!limit_set) {
      uint64_t cur;
      if (cg_read_u64(cg, h, "memory.max", &cur, err) < 0)
        return -1;
      limit = cur == UINT64_MAX ? -1 : (int64_t) cur;
      limit_set = true;
    }
    if (cg_convert_swap_to_v2(m->swap.v, limit, limit_set, &swap, err) < 0)
      return -1;
    if (swap != 0 || m->swap.v > 0) {
      cg_fmt_limit(buf, sizeof(buf), swap);
      if (cg_write(cg, h, "memory.swap.max", buf, err) < 0)
        return -1;
    }
  }
  return 0;
}

static int v2_cpu(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_cpu *c, bool update,
                  struct cove_error *err)
{
  char buf[64];

  if ((c->realtime_runtime.set && c->realtime_runtime.v != 0) || (c->realtime_period.set && c->realtime_period.v != 0))
    return cove_error_set(err, EOPNOTSUPP,
                          "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported by cgroup v2");
  if (c->shares.set && c->shares.v != 0) {
    if (cg_writef(cg, h, "cpu.weight", err, "%" PRIu64, cg_convert_shares_to_weight(c->shares.v)) < 0)
      return -1;
  }
  if (c->quota.set || c->period.set) {
    bool qset = c->quota.set;
    int64_t quota = c->quota.v;
    if (!qset && update) {
      /* only the period changes: keep the quota in force */
      _cleanup_free_ char *cur = NULL;
      if (cg_read(cg, h, "cpu.max", &cur, err) < 0)
        return -1;
      if (strncmp(cur, "max", 3)) {
        quota = strtoll(cur, NULL, 10);
        qset = true;
      }
    }
    cg_fmt_cpu_max(buf, sizeof(buf), qset, quota, c->period.set, c->period.v);
    if (cg_write(cg, h, "cpu.max", buf, err) < 0)
      return -1;
  }
  if (c->burst.set && cg_writef(cg, h, "cpu.max.burst", err, "%" PRIu64, c->burst.v) < 0)
    return -1;
  if (c->idle.set && cg_writef(cg, h, "cpu.idle", err, "%" PRId64, c->idle.v) < 0)
    return -1;
  if (c->cpus && *c->cpus && cg_write(cg, h, "cpuset.cpus", c->cpus, err) < 0)
    return -1;
  if (c->mems && *c->mems && cg_write(cg, h, "cpuset.mems", c->mems, err) < 0)
    return -1;
  return 0;
}

static int io_throttle(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_throttle_device *d, size_t n,
                       const char *key, struct cove_error *err)
{
  for (size_t i = 0; i < n; i++) {
    char v[32];
    if (d[i].rate == 0)
      snprintf(v, sizeof(v), "max");
    else
      snprintf(v, sizeof(v), "%" PRIu64, d[i].rate);
    if (cg_writef(cg, h, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%s", d[i].major, d[i].minor, key, v) < 0)
      return -1;
  }
  return 0;
}

static int v2_io(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_blkio *b, struct cove_error *err)
{
  bool bfq = cg_has_file(h, "io.bfq.weight");

  if (b->leaf_weight.set)
    return cove_error_set(err, EOPNOTSUPP, "linux.resources.blockIO.leafWeight: not supported by cgroup v2");
  if (b->weight.set && b->weight.v != 0) {
    /* io.bfq.weight takes the v1 range as is; io.weight gets the converted value */
    if (bfq) {
      if (cg_writef(cg, h, "io.bfq.weight", err, "%" PRIu64, b->weight.v) < 0)
        return -1;
    } else if (cg_has_file(h, "io.weight")) {
      if (cg_writef(cg, h, "io.weight", err, "default %" PRIu64, cg_convert_blkio_weight_to_io_weight(b->weight.v)) < 0)
        return -1;
    } else {
      _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
      return cove_error_set(err, ENOENT, "linux.resources.blockIO.weight: neither io.bfq.weight nor io.weight in %s",
                            p);
    }
  }
  for (size_t i = 0; i < b->weight_device_len; i++) {
    const struct oci_weight_device *d = &b->weight_device[i];
    if (d->leaf_weight.set)
      return cove_error_set(err, EOPNOTSUPP,
                            "linux.resources.blockIO.weightDevice[%zu].leafWeight: not supported by cgroup v2", i);
    if (!d->weight.set)
      continue;
    if (bfq) {
      if (cg_writef(cg, h, "io.bfq.weight", err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                    d->weight.v) < 0)
        return -1;
    } else if (cg_writef(cg, h, "io.weight", err, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                         cg_convert_blkio_weight_to_io_weight(d->weight.v)) < 0)
      return -1;
  }
  if (io_throttle(cg, h, b->throttle_read_bps, b->throttle_read_bps_len, "rbps", err) < 0 ||
      io_throttle(cg, h, b->throttle_write_bps, b->throttle_write_bps_len, "wbps", err) < 0 ||
      io_throttle(cg, h, b->throttle_read_iops, b->throttle_read_iops_len, "riops", err) < 0 ||
      io_throttle(cg, h, b->throttle_write_iops, b->throttle_write_iops_len, "wiops", err) < 0)
    return -1;
  return 0;
}

int cg_v2_hugetlb(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_resources *res, struct cove_error *err)
{
  for (size_t i = 0; i < res->hugepage_limits_len; i++) {
    const struct oci_hugepage_limit *l = &res->hugepage_limits[i];
    _cleanup_free_ char *f = NULL, *rsvd = NULL;
    if (!l->page_size || !*l->page_size || strchr(l->page_size, '/') || strchr(l->page_size, '.'))
      return cove_error_set(err, EINVAL, "linux.resources.hugepageLimits[%zu]: bad page size", i);
    f = xasprintf("hugetlb.%s.max", l->page_size);
    if (!cg_has_file(h, f)) {
      _cleanup_free_ char *p = cg_file_path(cg, h, f);
      return cove_error_set(err, ENOENT,
                            "linux.resources.hugepageLimits[%zu] (%s): %s missing (hugetlb controller not "
                            "enabled for this cgroup, or no such page size)",
                            i, l->page_size, p);
    }
    if (cg_writef(cg, h, f, err, "%" PRIu64, l->limit) < 0)
      return -1;
    /* reservations are limited alike where the kernel accounts them (5.7+) */
    rsvd = xasprintf("hugetlb.%s.rsvd.max", l->page_size);
    if (cg_has_file(h, rsvd) && cg_writef(cg, h, rsvd, err, "%" PRIu64, l->limit) < 0)
      return -1;
  }
  return 0;
}

int cg_v2_unified(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_resources *res, struct cove_error *err)
{
  for (size_t i = 0; i < res->unified_len; i++) {
    const struct oci_kv *kv = &res->unified[i];
    if (cg_check_relative("linux.resources.unified key", kv->key, false, err) < 0)
      return -1;
    if (!strncmp(kv->key, "cgroup.", 7) && strcmp(kv->key, "cgroup.max.depth") &&
        strcmp(kv->key, "cgroup.max.descendants") && strcmp(kv->key, "cgroup.freeze"))
      return cove_error_set(err, EINVAL, "linux.resources.unified key `%s`: cgroup core files are not settable",
                            kv->key);
    if (!cg_has_file(h, kv->key)) {
      _cleanup_free_ char *p = cg_file_path(cg, h, kv->key);
      return cove_error_set(err, ENOENT, "linux.resources.unified key `%s`: %s does not exist (controller not enabled?)",
                            kv->key, p);
    }
    if (cg_write(cg, h, kv->key, kv->value ? kv->value : "", err) < 0)
      return -1;
  }
  return 0;
}

static int v2_rdma(struct cove_cgroup *cg, struct cg_hier *h, const struct oci_resources *res, struct cove_error *err)
{
  return cg_write_rdma(cg, h, res, err);
}

static bool on_cgroup2(int fd)
{
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && (unsigned long) fs.f_type == CGROUP2_SUPER_MAGIC;
}

static int v2_apply(struct cove_cgroup *cg, const struct oci_resources *res, const struct oci_device *extra,
                    size_t extra_len, bool update, struct cove_error *err)
{
  struct cg_hier *h = &cg->unified;

  if (h->fd < 0) {
    _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
    return cove_error_set(err, ENOENT, "cgroup %s", p);
  }
  /* devices are set at create only (as runc's update leaves them) */
  if (!update) {
    _cleanup_free_ struct cg_dev_rule *rules = NULL;
    size_t n = 0;
    if (cg_dev_rules(res, extra, extra_len, &rules, &n, err) < 0)
      return cove_error_wrap(err, "linux.resources");
    /* a unit test's fake tree is no cgroupfs: the program is tested on its own there */
    if (on_cgroup2(h->fd) && cg_bpf_dev_apply(cg, h, rules, n, err) < 0 && !cg_rootless_devices_unenforced(cg, err))
      return cove_error_wrap(err, "linux.resources.devices");
  }
  if (!res)
    return 0;
  if (res->cpu && v2_cpu(cg, h, res->cpu, update, err) < 0)
    return -1;
  if (res->memory && v2_memory(cg, h, res->memory, update, err) < 0)
    return -1;
  if (res->pids_limit.set) {
    char buf[32];
    cg_fmt_limit(buf, sizeof(buf), res->pids_limit.v > 0 ? res->pids_limit.v : -1);
    if (cg_write(cg, h, "pids.max", buf, err) < 0)
      return -1;
  }
  if (res->block_io && v2_io(cg, h, res->block_io, err) < 0)
    return -1;
  if (cg_v2_hugetlb(cg, h, res, err) < 0)
    return -1;
  if (res->network && (res->network->class_id.set || res->network->priorities_len))
    return cove_error_set(err, EOPNOTSUPP,
                          "linux.resources.network (classID, priorities): net_cls and net_prio do not exist in "
                          "cgroup v2");
  if (v2_rdma(cg, h, res, err) < 0)
    return -1;
  /* last, so an explicit unified value wins over a converted one */
  return cg_v2_unified(cg, h, res, err);
}

static int v2_enter(struct cove_cgroup *cg, pid_t pid, const char *sub, struct cove_error *err)
{
  return cg_enter_hier(cg, &cg->unified, pid, sub, err);
}

/* ---- freezer ---- */

int cg_v2_freeze(struct cove_cgroup *cg, struct cg_hier *h, bool frozen, struct cove_error *err)
{
  const char *want = frozen ? "frozen 1" : "frozen 0";

  if (cg_write(cg, h, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
    return -1;
  /* the kernel reports completion in cgroup.events; bounded wait (5 s) */
  for (int i = 0; i < 1000; i++) {
    _cleanup_free_ char *ev = NULL;
    const char *p;
    if (cg_read(cg, h, "cgroup.events", &ev, err) < 0)
      return -1;
    p = strstr(ev, "frozen ");
    if (!p || !strncmp(p, want, strlen(want)))
      return 0;
    sleep_ms(i < 20 ? 1 : 5);
  }
  {
    _cleanup_free_ char *p = cg_file_path(cg, h, "cgroup.events");
    return cove_error_set(err, ETIMEDOUT, "%s cgroup: %s did not report `%s`", frozen ? "freeze" : "thaw", p, want);
  }
}

int cg_v2_is_frozen(struct cove_cgroup *cg, struct cg_hier *h, bool *frozen, struct cove_error *err)
{
  uint64_t v = 0;
  if (cg_read_u64(cg, h, "cgroup.freeze", &v, err) < 0)
    return -1;
  *frozen = v == 1;
  return 0;
}

static int v2_freeze(struct cove_cgroup *cg, bool frozen, struct cove_error *err)
{
  return cg_v2_freeze(cg, &cg->unified, frozen, err);
}

static int v2_is_frozen(struct cove_cgroup *cg, bool *frozen, struct cove_error *err)
{
  return cg_v2_is_frozen(cg, &cg->unified, frozen, err);
}

/* ---- stats ---- */

void cg_stats_add_hugetlb(struct cgroup_stats *st, const char *size, uint64_t usage, uint64_t max, uint64_t failcnt)
{
  struct cgroup_hugetlb_stat *e;
  st->hugetlb = xrealloc(st->hugetlb, (st->hugetlb_len + 1) * sizeof(*st->hugetlb));
  e = &st->hugetlb[st->hugetlb_len++];
  memset(e, 0, sizeof(*e));
  snprintf(e->page_size, sizeof(e->page_size), "%s", size);
  e->usage = usage;
  e->max = max;
  e->failcnt = failcnt;
}

void cg_stats_add_blkio(struct cgroup_blkio_entry **v, size_t *len, uint64_t major, uint64_t minor, const char *op,
                        uint64_t value)
{
  struct cgroup_blkio_entry *e;
  *v = xrealloc(*v, (*len + 1) * sizeof(**v));
  e = &(*v)[(*len)++];
  memset(e, 0, sizeof(*e));
  e->major = major;
  e->minor = minor;
  snprintf(e->op, sizeof(e->op), "%s", op);
  e->value = value;
}

int cg_v2_stats_hugetlb(struct cove_cgroup *cg, struct cg_hier *h, struct cgroup_stats *st)
{
  _cleanup_close_ int fd = -1;
  struct cove_error e = COVE_ERROR_INIT;
  DIR *d;

  if (h->fd < 0 || (fd = openat(h->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return 0;
  d = fdopendir(fd);
  if (!d)
    return 0;
  fd = -1;
  for (struct dirent *de; (de = readdir(d));) {
    char size[16], file[64];
    size_t n = strlen(de->d_name);
    uint64_t usage = 0, failcnt = 0;
    _cleanup_free_ char *ev = NULL;
    if (strncmp(de->d_name, "hugetlb.", 8) || n < 16 || strcmp(de->d_name + n - 8, ".current") ||
        strstr(de->d_name, ".rsvd.") || n - 16 >= sizeof(size))
      continue;
    memcpy(size, de->d_name + 8, n - 16);
    size[n - 16] = '\0';
    cg_read_u64(cg, h, de->d_name, &usage, &e);
    snprintf(file, sizeof(file), "hugetlb.%s.events", size);
    if (cg_read(cg, h, file, &ev, &e) == 0)
      cg_kv_get(ev, "max", &failcnt);
    cove_error_release(&e);
    cg_stats_add_hugetlb(st, size, usage, 0, failcnt);
  }
  closedir(d);
  return 0;
}

static void v2_io_stats(struct cove_cgroup *cg, struct cg_hier *h, struct cgroup_stats *st)
{
  _cleanup_free_ char *s = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  char *save = NULL;

  if (cg_read(cg, h, "io.stat", &s, &e) < 0) {
    cove_error_release(&e);
    return;
  }
  for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    unsigned long maj, min;
    uint64_t v;
    if (sscanf(line, "%lu:%lu", &maj, &min) != 2)
      continue;
    for (char *f = strchr(line, ' '); f; f = strchr(f + 1, ' ')) {
      static const struct {
        const char *key;
        const char *op;
        bool bytes;
      } keys[] = {{"rbytes=", "Read", true}, {"wbytes=", "Write", true}, {"dbytes=", "Discard", true},
                  {"rios=", "Read", false},  {"wios=", "Write", false},  {"dios=", "Discard", false}};
      for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
        size_t kl = strlen(keys[k].key);
        if (strncmp(f + 1, keys[k].key, kl))
          continue;
        v = strtoull(f + 1 + kl, NULL, 10);
        if (keys[k].bytes)
          cg_stats_add_blkio(&st->io_service_bytes, &st->io_service_bytes_len, maj, min, keys[k].op, v);
        else
          cg_stats_add_blkio(&st->io_serviced, &st->io_serviced_len, maj, min, keys[k].op, v);
      }
    }
  }
}

static void read_raw(struct cgroup_stats *st, const char *text)
{
  char *copy = xstrdup(text), *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *sp = strchr(line, ' ');
    if (!sp)
      continue;
    *sp = '\0';
    st->mem_raw_keys = xrealloc(st->mem_raw_keys, (st->mem_raw_len + 1) * sizeof(char *));
    st->mem_raw_values = xrealloc(st->mem_raw_values, (st->mem_raw_len + 1) * sizeof(uint64_t));
    st->mem_raw_keys[st->mem_raw_len] = xstrdup(line);
    st->mem_raw_values[st->mem_raw_len] = strtoull(sp + 1, NULL, 10);
    st->mem_raw_len++;
  }
  free(copy);
}

void cg_stats_read_raw(struct cgroup_stats *st, const char *text)
{
  read_raw(st, text);
}

static int v2_stats(struct cove_cgroup *cg, struct cgroup_stats *st, struct cove_error *err)
{
  struct cg_hier *h = &cg->unified;
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_free_ char *cpu = NULL, *mem = NULL, *ev = NULL;
  uint64_t v;

  if (h->fd < 0) {
    _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
    return cove_error_set(err, ENOENT, "stats of cgroup %s", p);
  }
  if (cg_read(cg, h, "cpu.stat", &cpu, &e) == 0) {
    if (!cg_kv_get(cpu, "usage_usec", &v))
      st->cpu_total = v * 1000;
    if (!cg_kv_get(cpu, "user_usec", &v))
      st->cpu_user = v * 1000;
    if (!cg_kv_get(cpu, "system_usec", &v))
      st->cpu_kernel = v * 1000;
    cg_kv_get(cpu, "nr_periods", &st->throttle_periods);
    cg_kv_get(cpu, "nr_throttled", &st->throttle_throttled_periods);
    if (!cg_kv_get(cpu, "throttled_usec", &v))
      st->throttle_throttled_time = v * 1000;
  }
  cove_error_release(&e);
  cg_read_u64(cg, h, "memory.current", &st->mem_usage, &e);
  cg_read_u64(cg, h, "memory.peak", &st->mem_max_usage, &e);
  cg_read_u64(cg, h, "memory.max", &st->mem_limit, &e);
  cove_error_release(&e);
  if (cg_read(cg, h, "memory.events", &ev, &e) == 0) {
    cg_kv_get(ev, "max", &st->mem_failcnt);
    cg_kv_get(ev, "oom_kill", &st->oom_kill);
  }
  cove_error_release(&e);
  if (cg_read(cg, h, "memory.stat", &mem, &e) == 0) {
    read_raw(st, mem);
    cg_kv_get(mem, "file", &st->mem_cache);
    cg_kv_get(mem, "kernel", &st->kernel_usage);
    cg_kv_get(mem, "sock", &st->kernel_tcp_usage);
  }
  cove_error_release(&e);
  /* as runc: v2 swap figures are reported as memory+swap, the v1 meaning */
  if (cg_read_u64(cg, h, "memory.swap.current", &v, &e) == 0)
    st->swap_usage = v + st->mem_usage;
  if (cg_read_u64(cg, h, "memory.swap.max", &v, &e) == 0)
    st->swap_limit = v == UINT64_MAX || st->mem_limit == UINT64_MAX ? UINT64_MAX : v + st->mem_limit;
  if (cg_read_u64(cg, h, "memory.swap.peak", &v, &e) == 0)
    st->swap_max_usage = v;
  cove_error_release(&e);
  cg_read_u64(cg, h, "pids.current", &st->pids_current, &e);
  if (cg_read_u64(cg, h, "pids.max", &v, &e) == 0)
    st->pids_limit = v == UINT64_MAX ? 0 : v;
  cove_error_release(&e);
  v2_io_stats(cg, h, st);
  cg_v2_stats_hugetlb(cg, h, st);
  return 0;
}

const struct cg_driver cg_driver_v2 = {
  .name = "v2",
  .create = v2_create,
  .apply = v2_apply,
  .enter = v2_enter,
  .freeze = v2_freeze,
  .is_frozen = v2_is_frozen,
  .stats = v2_stats,
};
