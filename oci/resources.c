/* resources.c: .linux.resources: the device cgroup rules, memory, cpu, pids, blockIO,
 * hugepageLimits, network, rdma and unified. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci/parse.h"

static const char *const cgroup_device_types[] = {"a", "c", "b", NULL};

static int parse_device_rule(struct pctx *c, const struct oci_json *o, struct oci_device_cgroup *d)
{
  bool allow = false;
  const struct oci_json *v = oci_json_get(o, "allow");

  if (!pv_present(v))
    return pc_fail_key(c, "allow", "missing required field");
  if (pm_bool(c, o, "allow", &allow) < 0)
    return -1;
  d->allow = allow;
  if (pm_string(c, o, "type", &d->type, false) < 0)
    return -1;
  if (d->type && pc_lookup(cgroup_device_types, d->type) < 0) {
    size_t m = pc_push(c, "type");
    pc_fail_enum(c, cgroup_device_types, d->type);
    pc_pop(c, m);
    return -1;
  }
  if (pm_i64(c, o, "major", -1, UINT32_MAX, &d->major) < 0 || pm_i64(c, o, "minor", -1, UINT32_MAX, &d->minor) < 0 ||
      pm_string(c, o, "access", &d->access, false) < 0)
    return -1;
  /* -1 is how some engines write a wildcard */
  if (d->major.set && d->major.v < 0)
    d->major.set = false;
  if (d->minor.set && d->minor.v < 0)
    d->minor.set = false;
  if (d->access) {
    const char *p = d->access;
    bool seen[3] = {false, false, false};
    for (; *p; p++) {
      const char *k = strchr("rwm", *p);
      if (!k || seen[k - "rwm"])
        break;
      seen[k - "rwm"] = true;
    }
    if (*p) {
      _cleanup_free_ char *q = json_quote(d->access);
      return pc_fail_key(c, "access", "expected a combination of r, w and m, got %s", q);
    }
  }
  return 0;
}

/* Memory limits are int64 in the spec (-1 = unlimited); some engines write 2^64-1 for
 * "unlimited", so values above INT64_MAX read as -1. */
static int mem_value(struct pctx *c, const struct oci_json *o, const char *key, struct oci_opt_i64 *out)
{
  const struct oci_json *v = oci_json_get(o, key);
  size_t m;
  int r;

  if (!pv_present(v))
    return 0;
  m = pc_push(c, key);
  if (v->type == OCI_JSON_NUMBER && v->s[0] != '-') {
    uint64_t u;
    r = pv_uint(c, v, UINT64_MAX, &u);
    if (r == 0)
      *out = (struct oci_opt_i64){true, u > INT64_MAX ? -1 : (int64_t) u};
  } else {
    r = pv_int(c, v, -1, INT64_MAX, &out->v);
    out->set = r == 0;
  }
  pc_pop(c, m);
  return r;
}

static int parse_memory(struct pctx *c, const struct oci_json *o, struct oci_memory *mem)
{
  if (mem_value(c, o, "limit", &mem->limit) < 0 || mem_value(c, o, "reservation", &mem->reservation) < 0 ||
      mem_value(c, o, "swap", &mem->swap) < 0 || mem_value(c, o, "kernel", &mem->kernel) < 0 ||
      mem_value(c, o, "kernelTCP", &mem->kernel_tcp) < 0 || pm_u64(c, o, "swappiness", 100, &mem->swappiness) < 0 ||
      pm_optbool(c, o, "disableOOMKiller", &mem->disable_oom_killer) < 0 ||
      pm_optbool(c, o, "useHierarchy", &mem->use_hierarchy) < 0 ||
      pm_optbool(c, o, "checkBeforeUpdate", &mem->check_before_update) < 0)
    return -1;
  return 0;
}

static int parse_cpu(struct pctx *c, const struct oci_json *o, struct oci_cpu *cpu)
{
  size_t m;

  if (pm_u64(c, o, "shares", UINT64_MAX, &cpu->shares) < 0 ||
      pm_i64(c, o, "quota", INT64_MIN, INT64_MAX, &cpu->quota) < 0 ||
      pm_u64(c, o, "burst", UINT64_MAX, &cpu->burst) < 0 || pm_u64(c, o, "period", UINT64_MAX, &cpu->period) < 0 ||
      pm_i64(c, o, "realtimeRuntime", INT64_MIN, INT64_MAX, &cpu->realtime_runtime) < 0 ||
      pm_u64(c, o, "realtimePeriod", UINT64_MAX, &cpu->realtime_period) < 0 ||
      pm_string(c, o, "cpus", &cpu->cpus, false) < 0 || pm_string(c, o, "mems", &cpu->mems, false) < 0 ||
      pm_i64(c, o, "idle", INT64_MIN, INT64_MAX, &cpu->idle) < 0)
    return -1;
  /* runtime-spec: burst MUST be no larger than a positive quota */
  if (cpu->burst.set && cpu->quota.set && cpu->quota.v > 0 && cpu->burst.v > (uint64_t) cpu->quota.v)
    return pc_fail_key(c, "burst", "%llu is larger than quota %lld", (unsigned long long) cpu->burst.v,
                       (long long) cpu->quota.v);
  if (cpu->cpus) {
    m = pc_push(c, "cpus");
    if (pc_check_cpulist(c, cpu->cpus) < 0)
      return -1;
    pc_pop(c, m);
  }
  if (cpu->mems) {
    m = pc_push(c, "mems");
    if (pc_check_cpulist(c, cpu->mems) < 0)
      return -1;
    pc_pop(c, m);
  }
  return 0;
}

static int parse_weight_device(struct pctx *c, const struct oci_json *o, struct oci_weight_device *d)
{
  if (pm_req_i64(c, o, "major", 0, UINT32_MAX, &d->major) < 0 ||
      pm_req_i64(c, o, "minor", 0, UINT32_MAX, &d->minor) < 0 || pm_u64(c, o, "weight", UINT16_MAX, &d->weight) < 0 ||
      pm_u64(c, o, "leafWeight", UINT16_MAX, &d->leaf_weight) < 0)
    return -1;
  /* runtime-spec: at least one of weight or leafWeight */
  if (!d->weight.set && !d->leaf_weight.set)
    return pc_fail(c, "needs weight or leafWeight");
  return 0;
}

static int parse_throttle_device(struct pctx *c, const struct oci_json *o, struct oci_throttle_device *d)
{
  if (pm_req_i64(c, o, "major", 0, UINT32_MAX, &d->major) < 0 ||
      pm_req_i64(c, o, "minor", 0, UINT32_MAX, &d->minor) < 0 || pm_req_u64(c, o, "rate", UINT64_MAX, &d->rate) < 0)
    return -1;
  return 0;
}

static int parse_blkio(struct pctx *c, const struct oci_json *o, struct oci_blkio *b)
{
  if (pm_u64(c, o, "weight", UINT16_MAX, &b->weight) < 0 || pm_u64(c, o, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0)
    return -1;
  PC_ARRAY(c, o, "weightDevice", b->weight_device, b->weight_device_len, parse_weight_device);
  PC_ARRAY(c, o, "throttleReadBpsDevice", b->throttle_read_bps, b->throttle_read_bps_len, parse_throttle_device);
  PC_ARRAY(c, o, "throttleWriteBpsDevice", b->throttle_write_bps, b->throttle_write_bps_len, parse_throttle_device);
  PC_ARRAY(c, o, "throttleReadIOPSDevice", b->throttle_read_iops, b->throttle_read_iops_len, parse_throttle_device);
  PC_ARRAY(c, o, "throttleWriteIOPSDevice", b->throttle_write_iops, b->throttle_write_iops_len,
              parse_throttle_device);
  return 0;
}

/* "2MB", "1GB", "64KB": what the hugetlb controller names its files after. */
static bool is_page_size(const char *s)
{
  if (!isdigit((unsigned char) *s))
    return false;
  while (isdigit((unsigned char) *s))
    s++;
  return !strcmp(s, "KB") || !strcmp(s, "MB") || !strcmp(s, "GB") || !strcmp(s, "TB") || !strcmp(s, "PB");
}

static int parse_hugepage(struct pctx *c, const struct oci_json *o, struct oci_hugepage_limit *h)
{
  if (pm_string(c, o, "pageSize", &h->page_size, true) < 0)
    return -1;
  if (!is_page_size(h->page_size)) {
    _cleanup_free_ char *q = json_quote(h->page_size);
    return pc_fail_key(c, "pageSize", "expected a size like \"2MB\", got %s", q);
  }
  return pm_req_u64(c, o, "limit", UINT64_MAX, &h->limit);
}

static int parse_net_priority(struct pctx *c, const struct oci_json *o, struct oci_net_priority *p)
{
  if (pm_string(c, o, "name", &p->name, true) < 0 || pm_req_u32(c, o, "priority", &p->priority) < 0)
    return -1;
  return 0;
}

static int parse_network(struct pctx *c, const struct oci_json *o, struct oci_network_res *n)
{
  if (pm_u64(c, o, "classID", UINT32_MAX, &n->class_id) < 0)
    return -1;
  PC_ARRAY(c, o, "priorities", n->priorities, n->priorities_len, parse_net_priority);
  return 0;
}

static int parse_rdma(struct pctx *c, const struct oci_json *o, struct oci_resources *r)
{
  _cleanup_free_ size_t *idx = NULL;
  const struct oci_json *m;
  size_t mark;

  if (pm_object(c, o, "rdma", &m) < 0)
    return -1;
  if (!m)
    return 0;
  r->rdma_len = pc_map_members(m, &idx);
  r->rdma = xcalloc(r->rdma_len + 1, sizeof(*r->rdma));
  mark = pc_push(c, "rdma");
  for (size_t k = 0; k < r->rdma_len; k++) {
    size_t i = idx[k];
    struct oci_rdma *d = &r->rdma[k];
    size_t km = pc_push(c, m->keys[i]);
    d->device = xstrdup(m->keys[i]);
    if (!*m->keys[i])
      return pc_fail(c, "empty device name");
    if (pv_expect(c, m->items[i], OCI_JSON_OBJECT) < 0 ||
        pm_u64(c, m->items[i], "hcaHandles", UINT32_MAX, &d->hca_handles) < 0 ||
        pm_u64(c, m->items[i], "hcaObjects", UINT32_MAX, &d->hca_objects) < 0)
      return -1;
    /* runtime-spec: at least one of the two limits */
    if (!d->hca_handles.set && !d->hca_objects.set)
      return pc_fail(c, "needs hcaHandles or hcaObjects");
    pc_pop(c, km);
  }
  pc_pop(c, mark);
  return 0;
}

static int parse_pids(struct pctx *c, const struct oci_json *o, struct oci_resources *r)
{
  const struct oci_json *p;
  size_t m;

  if (pm_object(c, o, "pids", &p) < 0)
    return -1;
  if (!p)
    return 0;
  m = pc_push(c, "pids");
  if (pm_i64(c, p, "limit", INT64_MIN, INT64_MAX, &r->pids_limit) < 0)
    return -1;
  pc_pop(c, m);
  return 0;
}

static int parse_unified(struct pctx *c, const struct oci_json *o, struct oci_resources *r)
{
  if (pm_kv(c, o, "unified", &r->unified, &r->unified_len) < 0)
    return -1;
  /* keys name files in the container's cgroup directory: no way out of it */
  for (size_t i = 0; i < r->unified_len; i++) {
    const char *k = r->unified[i].key;
    if (strchr(k, '/') || !strcmp(k, ".") || !strcmp(k, "..")) {
      size_t m = pc_push(c, "unified");
      pc_push(c, k);
      pc_fail(c, "not a cgroup file name");
      pc_pop(c, m);
      return -1;
    }
  }
  return 0;
}

static int parse_resources(struct pctx *c, const struct oci_json *o, struct oci_resources *r)
{
  PC_ARRAY(c, o, "devices", r->devices, r->devices_len, parse_device_rule);
  PC_SUBOBJECT(c, o, "memory", &r->memory, parse_memory);
  PC_SUBOBJECT(c, o, "cpu", &r->cpu, parse_cpu);
  if (parse_pids(c, o, r) < 0)
    return -1;
  PC_SUBOBJECT(c, o, "blockIO", &r->block_io, parse_blkio);
  PC_ARRAY(c, o, "hugepageLimits", r->hugepage_limits, r->hugepage_limits_len, parse_hugepage);
  PC_SUBOBJECT(c, o, "network", &r->network, parse_network);
  if (parse_rdma(c, o, r) < 0 || parse_unified(c, o, r) < 0)
    return -1;
  return 0;
}

int oci_parse_resources(struct pctx *c, const struct oci_json *v, struct oci_resources **out)
{
  *out = xcalloc(1, sizeof(**out));
  return parse_resources(c, v, *out);
}
