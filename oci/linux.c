/* linux.c: config.json's .linux object except resources and seccomp: namespaces, id mappings,
 * time offsets, devices, sysctl, masked/readonly paths, propagation, intelRdt, personality,
 * netDevices and memoryPolicy. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci/parse.h"

static const char *const ns_types[] = {
  [OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount", [OCI_NS_IPC] = "ipc",
  [OCI_NS_UTS] = "uts",       [OCI_NS_USER] = "user",       [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
  NULL,
};
static const char *const device_types[] = {"c", "b", "u", "p", NULL};
static const char *const propagations[] = {"private", "rprivate", "shared",     "rshared", "slave",
                                           "rslave",  "unbindable", "runbindable", NULL};
static const char *const personality_domains[] = {"LINUX", "LINUX32", NULL};
static const char *const mpol_modes[] = {"MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE",
                                         "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY",
                                         "MPOL_LOCAL", NULL};
static const char *const mpol_flags[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
                                         NULL};
/* personality(2)'s flags by their <sys/personality.h> names; the spec lists none yet, the kernel
 * takes these */
static const char *const personality_flags[] = {"UNAME26",           "ADDR_NO_RANDOMIZE", "FDPIC_FUNCPTRS",
                                                "MMAP_PAGE_ZERO",    "ADDR_COMPAT_LAYOUT", "READ_IMPLIES_EXEC",
                                                "ADDR_LIMIT_32BIT",  "SHORT_INODE",       "WHOLE_SECONDS",
                                                "STICKY_TIMEOUTS",   "ADDR_LIMIT_3GB",    NULL};

const char *const *oci_mpol_mode_names(void)
{
  return mpol_modes;
}

const char *const *oci_mpol_flag_names(void)
{
  return mpol_flags;
}

/* Fail at .key with "expected one of ..." when s is not in table. */
static int check_enum(struct pctx *c, const char *key, const char *const *table, const char *s)
{
  if (pc_lookup(table, s) >= 0)
    return 0;
  size_t m = pc_push(c, key);
  pc_fail_enum(c, table, s);
  pc_pop(c, m);
  return -1;
}

static int parse_namespaces(struct pctx *c, const struct oci_json *o, struct oci_linux *l)
{
  const struct oci_json *a;
  size_t mark;

  if (pm_array(c, o, "namespaces", &a) < 0)
    return -1;
  if (!a)
    return 0;
  l->namespaces = xcalloc(a->len + 1, sizeof(*l->namespaces));
  l->namespaces_len = a->len;
  mark = pc_push(c, "namespaces");
  for (size_t i = 0; i < a->len; i++) {
    struct oci_namespace *ns = &l->namespaces[i];
    _cleanup_free_ char *type = NULL;
    size_t m = pc_push_idx(c, i);
    int t;

    if (pv_expect(c, a->items[i], OCI_JSON_OBJECT) < 0 || pm_string(c, a->items[i], "type", &type, true) < 0)
      return -1;
    t = pc_lookup(ns_types, type);
    if (t < 0)
      return check_enum(c, "type", ns_types, type);
    ns->type = (enum oci_ns_type) t;
    for (size_t j = 0; j < i; j++)
      if (l->namespaces[j].type == ns->type)
        return pc_fail_key(c, "type", "namespace %s is given more than once", type);
    if (pm_string(c, a->items[i], "path", &ns->path, false) < 0)
      return -1;
    if (ns->path) {
      size_t pm = pc_push(c, "path");
      if (pc_check_abs(c, ns->path) < 0)
        return -1;
      pc_pop(c, pm);
    }
    pc_pop(c, m);
  }
  pc_pop(c, mark);
  return 0;
}

static int parse_time_offsets(struct pctx *c, const struct oci_json *o, struct oci_linux *l)
{
  const struct oci_json *t;
  size_t mark;

  if (pm_object(c, o, "timeOffsets", &t) < 0)
    return -1;
  if (!t)
    return 0;
  mark = pc_push(c, "timeOffsets");
  for (size_t i = 0; i < t->len; i++) {
    struct oci_time_offset *off;
    struct oci_opt_i64 secs = {0};
    struct oci_opt_u64 ns = {0};
    size_t m = pc_push(c, t->keys[i]);

    if (!strcmp(t->keys[i], "monotonic"))
      off = &l->time_monotonic;
    else if (!strcmp(t->keys[i], "boottime"))
      off = &l->time_boottime;
    else
      return pc_fail(c, "unknown clock (expected monotonic or boottime)");
    if (pv_expect(c, t->items[i], OCI_JSON_OBJECT) < 0 ||
        pm_i64(c, t->items[i], "secs", INT64_MIN, INT64_MAX, &secs) < 0 ||
        pm_u64(c, t->items[i], "nanosecs", 999999999, &ns) < 0)
      return -1;
    off->set = true;
    off->secs = secs.v;
    off->nanosecs = (uint32_t) ns.v;
    pc_pop(c, m);
  }
  pc_pop(c, mark);
  return 0;
}

static int parse_device(struct pctx *c, const struct oci_json *o, struct oci_device *d)
{
  size_t m;

  if (pv_expect(c, o, OCI_JSON_OBJECT) < 0 || pm_string(c, o, "type", &d->type, true) < 0 ||
      check_enum(c, "type", device_types, d->type) < 0 || pm_string(c, o, "path", &d->path, true) < 0)
    return -1;
  m = pc_push(c, "path");
  if (pc_check_abs(c, d->path) < 0)
    return -1;
  pc_pop(c, m);
  if (strcmp(d->type, "p")) {
    if (pm_req_i64(c, o, "major", 0, UINT32_MAX, &d->major) < 0 ||
        pm_req_i64(c, o, "minor", 0, UINT32_MAX, &d->minor) < 0)
      return -1;
  } else {
    struct oci_opt_i64 x = {0};
    if (pm_i64(c, o, "major", 0, UINT32_MAX, &x) < 0)
      return -1;
    d->major = x.v;
    x.v = 0;
    if (pm_i64(c, o, "minor", 0, UINT32_MAX, &x) < 0)
      return -1;
    d->minor = x.v;
  }
  /* Engines (podman) put the whole st_mode here, file-type bits included, and runc accepts it:
   * take any 16-bit mode; the runtime uses only the permission bits. */
  if (pm_u64(c, o, "fileMode", 0177777, &d->file_mode) < 0 || pm_u64(c, o, "uid", UINT32_MAX, &d->uid) < 0 ||
      pm_u64(c, o, "gid", UINT32_MAX, &d->gid) < 0)
    return -1;
  return 0;
}

static int parse_devices(struct pctx *c, const struct oci_json *o, struct oci_linux *l)
{
  const struct oci_json *a;
  size_t mark;

  if (pm_array(c, o, "devices", &a) < 0)
    return -1;
  if (!a)
    return 0;
  l->devices = xcalloc(a->len + 1, sizeof(*l->devices));
  l->devices_len = a->len;
  mark = pc_push(c, "devices");
  for (size_t i = 0; i < a->len; i++) {
    size_t m = pc_push_idx(c, i);
    if (parse_device(c, a->items[i], &l->devices[i]) < 0)
      return -1;
    pc_pop(c, m);
  }
  pc_pop(c, mark);
  return 0;
}

static int check_abs_list(struct pctx *c, const char *key, char **v, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    size_t m = pc_push(c, key);
    pc_push_idx(c, i);
    if (pc_check_abs(c, v[i]) < 0)
      return -1;
    pc_pop(c, m);
  }
  return 0;
}

/* schemata is an array of lines in runtime-spec 1.3; earlier drafts had one string with
 * newlines, which is read as its lines. */
static int parse_schemata(struct pctx *c, const struct oci_json *o, struct oci_intel_rdt *r)
{
  const struct oci_json *v = oci_json_get(o, "schemata");
  _cleanup_free_ char *s = NULL;
  size_t n = 0, m;
  char *save = NULL;

  if (!pv_present(v) || v->type != OCI_JSON_STRING)
    return pm_strv(c, o, "schemata", &r->schemata, &r->schemata_len);
  m = pc_push(c, "schemata");
  if (pv_string(c, v, &s) < 0)
    return -1;
  pc_pop(c, m);
  r->schemata = xcalloc(strlen(s) / 2 + 2, sizeof(*r->schemata));
  for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
    r->schemata[n++] = xstrdup(line);
  r->schemata_len = n;
  return 0;
}

static int parse_intel_rdt(struct pctx *c, const struct oci_json *o, struct oci_intel_rdt *r)
{
  if (pm_string(c, o, "closID", &r->clos_id, false) < 0 ||
      pm_string(c, o, "l3CacheSchema", &r->l3_cache_schema, false) < 0 ||
      pm_string(c, o, "memBwSchema", &r->mem_bw_schema, false) < 0 || parse_schemata(c, o, r) < 0 ||
      pm_bool(c, o, "enableMonitoring", &r->enable_monitoring) < 0 ||
      pm_bool(c, o, "enableCMT", &r->enable_cmt) < 0 || pm_bool(c, o, "enableMBM", &r->enable_mbm) < 0)
    return -1;
  /* runtime-spec: memBwSchema MUST start with "MB:" and MUST NOT contain newlines */
  if (r->mem_bw_schema && (strncmp(r->mem_bw_schema, "MB:", 3) || strchr(r->mem_bw_schema, '\n')))
    return pc_fail_key(c, "memBwSchema", "expected one line starting with \"MB:\"");
  /* closID names a directory under /sys/fs/resctrl */
  if (r->clos_id && (!*r->clos_id || strchr(r->clos_id, '/') || !strcmp(r->clos_id, ".") || !strcmp(r->clos_id, "..")))
    return pc_fail_key(c, "closID", "must be a plain directory name");
  return 0;
}

static int parse_personality(struct pctx *c, const struct oci_json *o, struct oci_personality *p)
{
  if (pm_string(c, o, "domain", &p->domain, true) < 0 || check_enum(c, "domain", personality_domains, p->domain) < 0 ||
      pm_strv(c, o, "flags", &p->flags, &p->flags_len) < 0 ||
      pc_check_names(c, "flags", p->flags, p->flags_len, personality_flags) < 0)
    return -1;
  return 0;
}

static bool is_ifname(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
    return false;
  for (; *s; s++)
    if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t' || *s == '\n')
      return false;
  return true;
}

static int parse_net_devices(struct pctx *c, const struct oci_json *o, struct oci_linux *l)
{
  _cleanup_free_ size_t *idx = NULL;
  const struct oci_json *m;
  size_t mark;

  if (pm_object(c, o, "netDevices", &m) < 0)
    return -1;
  if (!m)
    return 0;
  l->net_devices_len = pc_map_members(m, &idx);
  l->net_devices = xcalloc(l->net_devices_len + 1, sizeof(*l->net_devices));
  mark = pc_push(c, "netDevices");
  for (size_t k = 0; k < l->net_devices_len; k++) {
    size_t i = idx[k];
    struct oci_net_device *d = &l->net_devices[k];
    size_t km = pc_push(c, m->keys[i]);
    if (!is_ifname(m->keys[i]))
      return pc_fail(c, "not a valid interface name");
    d->host_name = xstrdup(m->keys[i]);
    if (pv_expect(c, m->items[i], OCI_JSON_OBJECT) < 0 || pm_string(c, m->items[i], "name", &d->name, false) < 0)
      return -1;
    if (d->name && !is_ifname(d->name))
      return pc_fail_key(c, "name", "not a valid interface name");
    pc_pop(c, km);
  }
  pc_pop(c, mark);
  return 0;
}

static int parse_memory_policy(struct pctx *c, const struct oci_json *o, struct oci_memory_policy *p)
{
  if (pm_string(c, o, "mode", &p->mode, true) < 0 || check_enum(c, "mode", mpol_modes, p->mode) < 0 ||
      pm_string(c, o, "nodes", &p->nodes, false) < 0 || pm_strv(c, o, "flags", &p->flags, &p->flags_len) < 0)
    return -1;
  for (size_t i = 0; i < p->flags_len; i++) {
    if (pc_lookup(mpol_flags, p->flags[i]) < 0) {
      size_t m = pc_push(c, "flags");
      pc_push_idx(c, i);
      pc_fail_enum(c, mpol_flags, p->flags[i]);
      pc_pop(c, m);
      return -1;
    }
  }
  if (p->nodes && *p->nodes) {
    size_t m = pc_push(c, "nodes");
    if (pc_check_cpulist(c, p->nodes) < 0)
      return -1;
    pc_pop(c, m);
  }
  /* set_mempolicy(2): MPOL_DEFAULT and MPOL_LOCAL take no nodes; BIND, INTERLEAVE and their
   * kin need some; PREFERRED without nodes means local allocation */
  {
    bool has_nodes = p->nodes && *p->nodes;
    bool no_nodes = !strcmp(p->mode, "MPOL_DEFAULT") || !strcmp(p->mode, "MPOL_LOCAL");
    bool needs = !no_nodes && strcmp(p->mode, "MPOL_PREFERRED");
    if (no_nodes && has_nodes)
      return pc_fail_key(c, "nodes", "%s takes no nodes", p->mode);
    if (needs && !has_nodes)
      return pc_fail_key(c, "nodes", "%s needs nodes", p->mode);
    if (no_nodes && p->flags_len)
      return pc_fail_key(c, "flags", "%s takes no flags", p->mode);
  }
  return 0;
}

static int parse_linux(struct pctx *c, const struct oci_json *o, struct oci_linux *l)
{
  const struct oci_json *sub;

  if (parse_namespaces(c, o, l) < 0 || pm_idmaps(c, o, "uidMappings", &l->uid_mappings, &l->uid_mappings_len) < 0 ||
      pm_idmaps(c, o, "gidMappings", &l->gid_mappings, &l->gid_mappings_len) < 0 ||
      parse_time_offsets(c, o, l) < 0 || parse_devices(c, o, l) < 0 ||
      pm_string(c, o, "cgroupsPath", &l->cgroups_path, false) < 0)
    return -1;
  if (pm_object(c, o, "resources", &sub) < 0)
    return -1;
  if (sub) {
    size_t m = pc_push(c, "resources");
    if (oci_parse_resources(c, sub, &l->resources) < 0)
      return -1;
    pc_pop(c, m);
  }
  PC_SUBOBJECT(c, o, "intelRdt", &l->intel_rdt, parse_intel_rdt);
  if (pm_kv(c, o, "sysctl", &l->sysctl, &l->sysctl_len) < 0)
    return -1;
  if (pm_object(c, o, "seccomp", &sub) < 0)
    return -1;
  if (sub) {
    size_t m = pc_push(c, "seccomp");
    if (oci_parse_seccomp(c, sub, &l->seccomp) < 0)
      return -1;
    pc_pop(c, m);
  }
  if (pm_string(c, o, "rootfsPropagation", &l->rootfs_propagation, false) < 0)
    return -1;
  if (l->rootfs_propagation && check_enum(c, "rootfsPropagation", propagations, l->rootfs_propagation) < 0)
    return -1;
  if (pm_strv(c, o, "maskedPaths", &l->masked_paths, &l->masked_paths_len) < 0 ||
      check_abs_list(c, "maskedPaths", l->masked_paths, l->masked_paths_len) < 0 ||
      pm_strv(c, o, "readonlyPaths", &l->readonly_paths, &l->readonly_paths_len) < 0 ||
      check_abs_list(c, "readonlyPaths", l->readonly_paths, l->readonly_paths_len) < 0 ||
      pm_string(c, o, "mountLabel", &l->mount_label, false) < 0)
    return -1;
  PC_SUBOBJECT(c, o, "personality", &l->personality, parse_personality);
  if (parse_net_devices(c, o, l) < 0)
    return -1;
  PC_SUBOBJECT(c, o, "memoryPolicy", &l->memory_policy, parse_memory_policy);
  return 0;
}

int oci_parse_linux(struct pctx *c, const struct oci_json *v, struct oci_linux **out)
{
  /* attached at once so that a failure half-way is freed with the config */
  *out = xcalloc(1, sizeof(**out));
  return parse_linux(c, v, *out);
}
