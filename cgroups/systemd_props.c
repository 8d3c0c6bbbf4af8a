/* systemd_props.c: the pure half of the systemd cgroup driver: runc's "slice:prefix:name"
 * cgroupsPath as a slice and a unit name, and linux.resources as systemd unit properties, the
 * way runc's systemd driver maps them (libcontainer/cgroups/systemd: common.go, v1.go, v2.go,
 * devices/systemd.go) plus the block IO properties systemd also has:
 *
 *   OCI                      cgroup v2 (unified)              cgroup v1 / hybrid
 *   memory.limit             MemoryMax                        MemoryLimit
 *   memory.reservation       MemoryLow                        -
 *   memory.swap              MemorySwapMax (swap - limit)     -
 *   cpu.shares               CPUWeight (cove's conversion)    CPUShares
 *   cpu.quota, cpu.period    CPUQuotaPerSecUSec (rounded up to 10 ms), CPUQuotaPeriodUSec (242+)
 *   cpu.cpus, cpu.mems       AllowedCPUs, AllowedMemoryNodes (244+, bitmasks)
 *   pids.limit               TasksMax
 *   blockIO.weight           IOWeight (converted)             BlockIOWeight
 *   blockIO.weightDevice     IODeviceWeight                   BlockIODeviceWeight
 *   blockIO.throttle*Bps     IORead/WriteBandwidthMax         BlockIORead/WriteBandwidth
 *   blockIO.throttle*IOPS    IORead/WriteIOPSMax              -
 *   devices (+ defaults)     DevicePolicy=strict + DeviceAllow (an allow-all or deny-list set:
 *                            DevicePolicy=auto, no list; cove's own rules enforce the rest)
 *   unified cpu.max, cpu.weight, cpuset.*, memory.{high,low,min,max,swap.max}, pids.max: the
 *   matching property (v2)
 *
 * Everything else (kernel memory, swappiness, burst, idle, hugetlb, rdma, iops on v1, other
 * unified keys) has no property: the cgroup driver writes the files after systemd made the
 * unit, as it also writes those above (the same values), exactly as runc does. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroups/internal.h"
#include "cgroups/systemd.h"
#include "common/cleanup.h"
#include "common/util.h"

#define DEFAULT_SLICE "system.slice"
/* a user manager's (rootless), as runc's: its units go to user@UID.service/user.slice */
#define DEFAULT_USER_SLICE "user.slice"
#define UNIT_NAME_MAX 255

/* ---- names ---- */

bool cg_sd_unit_name_valid(const char *name)
{
  size_t n = name ? strlen(name) : 0;
  const char *dot;

  if (n == 0 || n > UNIT_NAME_MAX)
    return false;
  for (const char *p = name; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(":-_.\\", *p)))
      return false;
  dot = strrchr(name, '.');
  if (!dot || dot == name)
    return false;
  return !strcmp(dot, ".scope") || !strcmp(dot, ".slice");
}

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

bool cg_sd_v1_managed(const char *hierarchy)
{
  /* the v1 controllers systemd realizes a unit in (its cgroup-util.h CGROUP_CONTROLLER_*
   * of the legacy hierarchies), and its own named hierarchy */
  static const char *const managed[] = {"cpu", "cpuacct", "blkio", "memory", "devices", "pids", "name=systemd"};
  _cleanup_free_ char *copy = xstrdup(hierarchy ? hierarchy : "");
  char *save = NULL;

  for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save))
    for (size_t i = 0; i < ARRAY_SIZE(managed); i++)
      if (!strcmp(c, managed[i]))
        return true;
  return false;
}

/* systemd's slice naming: "a-b.slice" is b below a; no empty component. */
static int check_slice(const char *slice, struct cove_error *err)
{
  size_t n = strlen(slice);

  if (!strcmp(slice, "-.slice"))
    return 0;
  if (n < 7 || !ends_with(slice, ".slice") || strchr(slice, '/') || !cg_sd_unit_name_valid(slice))
    return cove_error_set(err, EINVAL, "systemd slice `%s`: expected NAME.slice", slice);
  for (size_t i = 0; i < n - 6; i++)
    if (slice[i] == '-' && (i == 0 || slice[i - 1] == '-' || i + 1 == n - 6))
      return cove_error_set(err, EINVAL, "systemd slice `%s`: empty component", slice);
  return 0;
}

int cg_sd_parse_path(const char *cgroups_path, const char *id, bool user, char **slice, char **unit,
                     struct cove_error *err)
{
  const char *default_slice = user ? DEFAULT_USER_SLICE : DEFAULT_SLICE, *sl;
  _cleanup_free_ char *copy = NULL, *u = NULL;
  char *s, *prefix, *name;

  *slice = NULL;
  *unit = NULL;
  if (!cgroups_path || !*cgroups_path) {
    /* runc's default is ":runc:ID" */
    u = xasprintf("cove-%s.scope", id);
    if (!cg_sd_unit_name_valid(u))
      return cove_error_set(err, EINVAL,
                            "systemd unit name `%s` (from the container id) is invalid: systemd allows letters, "
                            "digits and :-_.\\ only",
                            u);
    *slice = xstrdup(default_slice);
    *unit = steal_ptr(u);
    return 0;
  }
  copy = xstrdup(cgroups_path);
  s = copy;
  prefix = strchr(s, ':');
  name = prefix ? strchr(prefix + 1, ':') : NULL;
  if (!prefix || !name || strchr(name + 1, ':'))
    return cove_error_set(err, EINVAL, "cgroupsPath `%s`: expected slice:prefix:name with --systemd-cgroup",
                          cgroups_path);
  *prefix++ = '\0';
  *name++ = '\0';
  if (!*name || strchr(name, '/') || strchr(prefix, '/'))
    return cove_error_set(err, EINVAL, "cgroupsPath `%s`: bad unit name", cgroups_path);
  sl = *s ? s : default_slice;
  if (check_slice(sl, err) < 0)
    return cove_error_wrap(err, "cgroupsPath `%s`", cgroups_path);
  if (ends_with(name, ".slice"))
    u = xstrdup(name);
  else if (*prefix)
    u = xasprintf("%s-%s.scope", prefix, name);
  else
    u = xasprintf("%s.scope", name);
  if (!cg_sd_unit_name_valid(u))
    return cove_error_set(err, EINVAL,
                          "cgroupsPath `%s`: systemd unit name `%s` is invalid: systemd allows letters, digits and "
                          ":-_.\\ only",
                          cgroups_path, u);
  *slice = xstrdup(sl);
  *unit = steal_ptr(u);
  return 0;
}

/* ---- value conversions ---- */

int cg_sd_range_to_bits(const char *list, uint8_t **bits, size_t *n, struct cove_error *err)
{
  _cleanup_free_ uint8_t *v = NULL;
  size_t len = 0;
  const char *p = list;

  *bits = NULL;
  *n = 0;
  while (p && *p) {
    char *end;
    unsigned long lo, hi;
    while (*p == ' ' || *p == ',')
      p++;
    if (!*p)
      break;
    if (*p < '0' || *p > '9')
      return cove_error_set(err, EINVAL, "cpu list `%s`: expected numbers and ranges", list);
    lo = strtoul(p, &end, 10);
    hi = lo;
    if (*end == '-') {
      if (end[1] < '0' || end[1] > '9')
        return cove_error_set(err, EINVAL, "cpu list `%s`: bad range", list);
      hi = strtoul(end + 1, &end, 10);
    }
    if (hi < lo)
      return cove_error_set(err, EINVAL, "cpu list `%s`: range %lu-%lu is reversed", list, lo, hi);
    /* the kernel's NR_CPUS upper bound (8192) and MAX_NUMNODES are far below this */
    if (hi >= 65536)
      return cove_error_set(err, EINVAL, "cpu list `%s`: %lu is too large", list, hi);
    if (hi / 8 + 1 > len) {
      v = xrealloc(v, hi / 8 + 1);
      memset(v + len, 0, hi / 8 + 1 - len);
      len = hi / 8 + 1;
    }
    for (unsigned long i = lo; i <= hi; i++)
      v[i / 8] |= (uint8_t) (1u << (i % 8));
    p = end;
    while (*p == ' ')
      p++;
    if (*p && *p != ',')
      return cove_error_set(err, EINVAL, "cpu list `%s`: expected numbers and ranges", list);
  }
  if (len == 0)
    return cove_error_set(err, EINVAL, "cpu list `%s`: empty", list ? list : "");
  *bits = steal_ptr(v);
  *n = len;
  return 0;
}

uint64_t cg_sd_cpu_quota_per_sec(int64_t quota, uint64_t period)
{
  unsigned __int128 v;

  if (quota <= 0)
    return CG_SD_INFINITY;
  if (period == 0)
    period = 100000;
  v = (unsigned __int128) (uint64_t) quota * 1000000u / period;
  /* systemd stores CPUQuota= as a percentage: round up to the next 10 ms so the kernel's quota
   * is never below the one asked for */
  if (v % 10000)
    v = (v / 10000 + 1) * 10000;
  return v >= CG_SD_INFINITY ? CG_SD_INFINITY - 1 : (uint64_t) v;
}

/* ---- the property list ---- */

void cg_sd_props_free(struct cg_sd_props *p)
{
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++) {
    struct cg_sd_prop *q = &p->v[i];
    free(q->s);
    free(q->bytes);
    for (size_t j = 0; j < q->nentries; j++) {
      free(q->entries[j].path);
      free(q->entries[j].perms);
    }
    free(q->entries);
  }
  free(p->v);
  p->v = NULL;
  p->n = 0;
}

static struct cg_sd_prop *add(struct cg_sd_props *p, const char *name, enum cg_sd_kind kind)
{
  struct cg_sd_prop *q;
  p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
  q = &p->v[p->n++];
  memset(q, 0, sizeof(*q));
  q->name = name;
  q->kind = kind;
  return q;
}

static void add_bool(struct cg_sd_props *p, const char *name, bool b)
{
  add(p, name, CG_SD_BOOL)->b = b;
}

static void add_u64(struct cg_sd_props *p, const char *name, uint64_t u)
{
  add(p, name, CG_SD_U64)->u = u;
}

static void add_str(struct cg_sd_props *p, const char *name, enum cg_sd_kind kind, const char *s)
{
  add(p, name, kind)->s = xstrdup(s);
}

static void add_entry(struct cg_sd_prop *q, char *path, const char *perms, uint64_t value)
{
  struct cg_sd_entry *e;
  q->entries = xrealloc(q->entries, (q->nentries + 1) * sizeof(*q->entries));
  e = &q->entries[q->nentries++];
  e->path = path;
  e->perms = perms ? xstrdup(perms) : NULL;
  e->value = value;
}

void cg_sd_unit_props(const char *id, const char *slice, const char *unit, pid_t pid, bool v1,
                      struct cg_sd_props *out)
{
  bool is_slice = ends_with(unit, ".slice");
  _cleanup_free_ char *desc = xasprintf("cove container %s", id);

  add_str(out, "Description", CG_SD_STR, desc);
  /* a slice's parent is a dependency, a scope's is its Slice= */
  if (is_slice)
    add_str(out, "Wants", CG_SD_STRS, slice);
  else
    add_str(out, "Slice", CG_SD_STR, slice);
  if (pid > 0)
    add(out, "PIDs", CG_SD_PIDS)->u = (uint64_t) pid;
  if (!is_slice)
    add_bool(out, "Delegate", true);
  /* always on, as runc: the same accounting as the cgroupfs driver, whatever is limited */
  add_bool(out, "MemoryAccounting", true);
  add_bool(out, "CPUAccounting", true);
  add_bool(out, v1 ? "BlockIOAccounting" : "IOAccounting", true);
  add_bool(out, "TasksAccounting", true);
  add_bool(out, "DefaultDependencies", false);
}

/* ---- devices ---- */

/* The allow list systemd can hold for the rules (in order, the last matching rule wins, no
 * match denies: the semantics of cove's eBPF program and of the v1 controller's list).
 * systemd keeps an allow list only.  A deny-by-default set becomes DevicePolicy=strict and the
 * allowed entries; a deny carves access out of the entries it covers.  A deny inside a wider
 * allow entry, a "*:N" wildcard-major rule and an allow-by-default set cannot be expressed:
 *   - v2: the list is widened (the wider entry stays, "*:N" becomes "char-*"), since cove's own
 *     eBPF program, attached next to systemd's, enforces the exact rules (both must allow);
 *   - v1: systemd rewrites the devices controller's list on reload, so it is narrowed
 *     ("*:N" is left out, as runc does) rather than opened up.
 * An allow-by-default set (rare: "allow all" first, then denies) is DevicePolicy=auto and no list
 * (everything), with cove's rules on top. */
struct dev_entry {
  char type;
  int64_t major, minor;
  unsigned access;
};

static bool covers(const struct cg_dev_rule *r, const struct dev_entry *e)
{
  if (r->type != 'a' && r->type != e->type)
    return false;
  if (r->type == 'a')
    return true;
  if (r->major >= 0 && r->major != e->major)
    return false;
  return r->minor < 0 || r->minor == e->minor;
}

static void access_text(unsigned a, char buf[4])
{
  size_t k = 0;
  if (a & CG_DEV_READ)
    buf[k++] = 'r';
  if (a & CG_DEV_WRITE)
    buf[k++] = 'w';
  if (a & CG_DEV_MKNOD)
    buf[k++] = 'm';
  buf[k] = '\0';
}

static void device_props(const struct cg_dev_rule *rules, size_t n, bool v1, struct cg_sd_props *out)
{
  _cleanup_free_ struct dev_entry *list = xcalloc(2 * n + 2, sizeof(*list));
  size_t len = 0;
  bool allow_all = false;
  struct cg_sd_prop *q;

  for (size_t i = 0; i < n; i++) {
    const struct cg_dev_rule *r = &rules[i];
    const unsigned all = CG_DEV_READ | CG_DEV_WRITE | CG_DEV_MKNOD;
    if (r->type == 'a' && (r->access & all) == all) {
      /* everything: resets the set either way */
      allow_all = r->allow;
      len = 0;
      continue;
    }
    if (!r->allow) {
      if (allow_all)
        continue; /* a deny list: systemd cannot hold it (see above) */
      for (size_t j = 0; j < len;) {
        if (covers(r, &list[j]))
          list[j].access &= ~r->access;
        if (!list[j].access)
          memmove(&list[j], &list[j + 1], (--len - j) * sizeof(*list));
        else
          j++;
      }
      continue;
    }
    if (allow_all)
      continue;
    if (r->type == 'a') {
      /* some access to every device: both kinds, any number */
      list[len++] = (struct dev_entry){'c', -1, -1, r->access};
      list[len++] = (struct dev_entry){'b', -1, -1, r->access};
      continue;
    }
    {
      bool merged = false;
      for (size_t j = 0; j < len && !merged; j++)
        if (list[j].type == r->type && list[j].major == r->major && list[j].minor == r->minor) {
          list[j].access |= r->access;
          merged = true;
        }
      if (!merged)
        list[len++] = (struct dev_entry){r->type, r->major, r->minor, r->access};
    }
  }
  if (allow_all) {
    add_str(out, "DevicePolicy", CG_SD_STR, "auto");
    add(out, "DeviceAllow", CG_SD_DEVICES);
    return;
  }
  add_str(out, "DevicePolicy", CG_SD_STR, "strict");
  q = add(out, "DeviceAllow", CG_SD_DEVICES);
  for (size_t i = 0; i < len; i++) {
    const struct dev_entry *e = &list[i];
    const char *kind = e->type == 'b' ? "block" : "char";
    char acc[4];
    char *path;
    access_text(e->access, acc);
    if (e->major < 0 && e->minor >= 0 && v1)
      continue;
    if (e->major < 0)
      path = xasprintf("%s-*", kind); /* every device group of that kind */
    else if (e->minor < 0)
      path = xasprintf("%s-%" PRId64, kind, e->major); /* systemd 240+: a major number as a group */
    else
      path = xasprintf("/dev/%s/%" PRId64 ":%" PRId64, kind, e->major, e->minor);
    /* the same path twice (two "*:N" rules widened): one entry with both accesses */
    {
      bool dup = false;
      for (size_t j = 0; j < q->nentries && !dup; j++)
        if (!strcmp(q->entries[j].path, path)) {
          char both[4];
          unsigned a = e->access;
          for (const char *c = q->entries[j].perms; *c; c++)
            a |= *c == 'r' ? CG_DEV_READ : *c == 'w' ? CG_DEV_WRITE : CG_DEV_MKNOD;
          access_text(a, both);
          free(q->entries[j].perms);
          q->entries[j].perms = xstrdup(both);
          dup = true;
        }
      if (dup) {
        free(path);
        continue;
      }
    }
    add_entry(q, path, acc, 0);
  }
}

/* ---- resources ---- */

static uint64_t limit_value(int64_t v)
{
  return v < 0 ? CG_SD_INFINITY : (uint64_t) v;
}

static void add_bits(struct cg_sd_props *p, const char *name, uint8_t *bits, size_t n)
{
  struct cg_sd_prop *q = add(p, name, CG_SD_BYTES);
  q->bytes = bits;
  q->nbytes = n;
}

static int cpuset_prop(struct cg_sd_props *p, const char *name, const char *list, const char *what, int version,
                       struct cove_error *err)
{
  uint8_t *bits = NULL;
  size_t n = 0;
  if (cg_sd_range_to_bits(list, &bits, &n, err) < 0)
    return cove_error_wrap(err, "%s", what);
  if (version < 244) {
    free(bits); /* older systemd: the cgroup file only */
    return 0;
  }
  add_bits(p, name, bits, n);
  return 0;
}

static void quota_props(struct cg_sd_props *p, bool quota_set, int64_t quota, bool period_set, uint64_t period,
                        int version)
{
  if (period_set && period != 0 && version >= 242)
    add_u64(p, "CPUQuotaPeriodUSec", period);
  if (quota_set || period_set)
    add_u64(p, "CPUQuotaPerSecUSec", cg_sd_cpu_quota_per_sec(quota_set ? quota : -1, period_set ? period : 0));
}

static void io_devices(struct cg_sd_props *p, const char *name, const struct oci_throttle_device *d, size_t n)
{
  struct cg_sd_prop *q;
  if (!n)
    return;
  q = add(p, name, CG_SD_IODEVS);
  for (size_t i = 0; i < n; i++)
    add_entry(q, xasprintf("/dev/block/%" PRId64 ":%" PRId64, d[i].major, d[i].minor), NULL,
              d[i].rate ? d[i].rate : CG_SD_INFINITY);
}

static int parse_limit(const char *key, const char *v, uint64_t *out, struct cove_error *err)
{
  unsigned long long n;
  if (!strcmp(v, "max")) {
    *out = CG_SD_INFINITY;
    return 0;
  }
  if (parse_u64(v, &n) < 0)
    return cove_error_set(err, EINVAL, "linux.resources.unified key `%s`: value `%s`: expected a number or max", key,
                          v);
  *out = n;
  return 0;
}

/* The unified keys systemd has a property for (runc's unifiedResToSystemdProps); the others
 * are written to their files only. */
static int unified_props(const struct oci_resources *res, const struct cg_sd_opts *o, struct cg_sd_props *p,
                         struct cove_error *err)
{
  static const struct {
    const char *key, *prop;
  } memory[] = {{"memory.high", "MemoryHigh"}, {"memory.low", "MemoryLow"}, {"memory.min", "MemoryMin"},
                {"memory.max", "MemoryMax"},   {"memory.swap.max", "MemorySwapMax"}, {"pids.max", "TasksMax"}};

  for (size_t i = 0; i < res->unified_len; i++) {
    const char *key = res->unified[i].key;
    _cleanup_free_ char *v = xstrdup(res->unified[i].value ? res->unified[i].value : "");
    char *s = v, *e;
    uint64_t n = 0;
    bool done = false;

    /* the kernel ignores whitespace around the value, so does this */
    while (*s == ' ' || *s == '\t' || *s == '\n')
      s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
      *--e = '\0';
    for (size_t k = 0; k < ARRAY_SIZE(memory) && !done; k++)
      if (!strcmp(key, memory[k].key)) {
        if (parse_limit(key, s, &n, err) < 0)
          return -1;
        add_u64(p, memory[k].prop, n);
        done = true;
      }
    if (done)
      continue;
    if (!strcmp(key, "cpu.weight")) {
      unsigned long long w;
      if (parse_u64(s, &w) < 0 || w < 1 || w > 10000)
        return cove_error_set(err, EINVAL, "linux.resources.unified key `cpu.weight`: value `%s`: expected 1-10000", s);
      add_u64(p, "CPUWeight", w);
    } else if (!strcmp(key, "cpu.max")) {
      char *period_s = strchr(s, ' ');
      unsigned long long q = 0, per = 100000;
      bool qset = false;
      if (period_s) {
        *period_s++ = '\0';
        while (*period_s == ' ')
          period_s++;
        if (parse_u64(period_s, &per) < 0 || per == 0)
          return cove_error_set(err, EINVAL, "linux.resources.unified key `cpu.max`: period `%s`: expected a number",
                                period_s);
      }
      if (strcmp(s, "max")) {
        if (parse_u64(s, &q) < 0 || q > INT64_MAX)
          return cove_error_set(err, EINVAL, "linux.resources.unified key `cpu.max`: quota `%s`: expected a number or max",
                                s);
        qset = q > 0;
      }
      quota_props(p, qset, (int64_t) q, true, per, o->version);
    } else if (!strcmp(key, "cpuset.cpus") || !strcmp(key, "cpuset.mems")) {
      if (cpuset_prop(p, key[7] == 'c' ? "AllowedCPUs" : "AllowedMemoryNodes", s, "linux.resources.unified", o->version,
                      err) < 0)
        return -1;
    }
  }
  return 0;
}

static int v2_props(const struct oci_resources *res, const struct cg_sd_opts *o, struct cg_sd_props *p,
                    struct cove_error *err)
{
  const struct oci_memory *m = res->memory;
  const struct oci_cpu *c = res->cpu;
  const struct oci_blkio *b = res->block_io;

  if (m) {
    if (m->limit.set && m->limit.v != 0)
      add_u64(p, "MemoryMax", limit_value(m->limit.v));
    if (m->reservation.set && m->reservation.v != 0)
      add_u64(p, "MemoryLow", limit_value(m->reservation.v));
    if (m->swap.set) {
      int64_t limit = m->limit.v, swap = 0;
      bool limit_set = m->limit.set;
      if (!limit_set && o->have_cur_limit) {
        limit = o->cur_limit;
        limit_set = true;
      }
      if (cg_convert_swap_to_v2(m->swap.v, limit, limit_set, &swap, err) < 0)
        return cove_error_wrap(err, "linux.resources");
      /* swap == limit is "no swap": MemorySwapMax=0, not left to systemd's default */
      if (swap != 0 || m->swap.v > 0)
        add_u64(p, "MemorySwapMax", limit_value(swap));
    }
  }
  if (c) {
    if (c->shares.set && c->shares.v != 0)
      add_u64(p, "CPUWeight", cg_convert_shares_to_weight(c->shares.v));
  }
  if (res->pids_limit.set)
    add_u64(p, "TasksMax", res->pids_limit.v > 0 ? (uint64_t) res->pids_limit.v : CG_SD_INFINITY);
  if (b) {
    struct cg_sd_prop *q = NULL;
    if (b->weight.set && b->weight.v != 0)
      add_u64(p, "IOWeight", cg_convert_blkio_weight_to_io_weight(b->weight.v));
    for (size_t i = 0; i < b->weight_device_len; i++) {
      const struct oci_weight_device *d = &b->weight_device[i];
      if (!d->weight.set)
        continue;
      if (!q)
        q = add(p, "IODeviceWeight", CG_SD_IODEVS);
      add_entry(q, xasprintf("/dev/block/%" PRId64 ":%" PRId64, d->major, d->minor), NULL,
                cg_convert_blkio_weight_to_io_weight(d->weight.v));
    }
    io_devices(p, "IOReadBandwidthMax", b->throttle_read_bps, b->throttle_read_bps_len);
    io_devices(p, "IOWriteBandwidthMax", b->throttle_write_bps, b->throttle_write_bps_len);
    io_devices(p, "IOReadIOPSMax", b->throttle_read_iops, b->throttle_read_iops_len);
    io_devices(p, "IOWriteIOPSMax", b->throttle_write_iops, b->throttle_write_iops_len);
  }
  return 0;
}

static int v1_props(const struct oci_resources *res, struct cg_sd_props *p)
{
  const struct oci_memory *m = res->memory;
  const struct oci_cpu *c = res->cpu;
  const struct oci_blkio *b = res->block_io;

  if (m && m->limit.set && m->limit.v != 0)
    add_u64(p, "MemoryLimit", limit_value(m->limit.v));
  if (c && c->shares.set && c->shares.v != 0)
    add_u64(p, "CPUShares", c->shares.v);
  if (res->pids_limit.set)
    add_u64(p, "TasksMax", res->pids_limit.v > 0 ? (uint64_t) res->pids_limit.v : CG_SD_INFINITY);
  if (b) {
    struct cg_sd_prop *q = NULL;
    if (b->weight.set && b->weight.v != 0)
      add_u64(p, "BlockIOWeight", b->weight.v);
    for (size_t i = 0; i < b->weight_device_len; i++) {
      const struct oci_weight_device *d = &b->weight_device[i];
      if (!d->weight.set)
        continue;
      if (!q)
        q = add(p, "BlockIODeviceWeight", CG_SD_IODEVS);
      add_entry(q, xasprintf("/dev/block/%" PRId64 ":%" PRId64, d->major, d->minor), NULL, d->weight.v);
    }
    io_devices(p, "BlockIOReadBandwidth", b->throttle_read_bps, b->throttle_read_bps_len);
    io_devices(p, "BlockIOWriteBandwidth", b->throttle_write_bps, b->throttle_write_bps_len);
  }
  return 0;
}

int cg_sd_resource_props(const struct oci_resources *res, const struct oci_device *extra, size_t extra_len,
                         bool update, const struct cg_sd_opts *o, struct cg_sd_props *out, struct cove_error *err)
{
  const struct oci_cpu *c = res ? res->cpu : NULL;

  /* a user manager cannot load a device program (nor can cove for a user): rootless, the
   * container's nodes are the host's, bind-mounted, and rootless.c checks linux.devices */
  if (!update && !o->user) {
    _cleanup_free_ struct cg_dev_rule *rules = NULL;
    size_t n = 0;
    if (cg_dev_rules(res, extra, extra_len, &rules, &n, err) < 0)
      return cove_error_wrap(err, "linux.resources");
    device_props(rules, n, o->v1, out);
  }
  if (!res)
    return 0;
  if (o->v1 ? v1_props(res, out) < 0 : v2_props(res, o, out, err) < 0)
    return -1;
  if (c) {
    bool qset = c->quota.set;
    int64_t q = c->quota.v;
    if (!qset && o->have_cur_quota) {
      q = o->cur_quota;
      qset = true;
    }
    if (c->quota.set || c->period.set)
      quota_props(out, qset, q, c->period.set, c->period.v, o->version);
    if (c->cpus && *c->cpus &&
        cpuset_prop(out, "AllowedCPUs", c->cpus, "linux.resources.cpu.cpus", o->version, err) < 0)
      return -1;
    if (c->mems && *c->mems &&
        cpuset_prop(out, "AllowedMemoryNodes", c->mems, "linux.resources.cpu.mems", o->version, err) < 0)
      return -1;
  }
  /* last, so an explicit unified value wins, as in the files; v1 has no unified properties */
  if (!o->v1 && unified_props(res, o, out, err) < 0)
    return -1;
  return 0;
}

/* ---- text ---- */

static void bits_text(const uint8_t *bits, size_t n, char **buf, size_t *len)
{
  size_t cap = n * 8 * 12 + 2;
  long start = -1;
  size_t k = 0;
  char *s = xmalloc(cap);

  s[0] = '\0';
  for (size_t i = 0; i <= n * 8; i++) {
    bool on = i < n * 8 && (bits[i / 8] & (1u << (i % 8)));
    if (on && start < 0)
      start = (long) i;
    if (!on && start >= 0) {
      if ((long) i - 1 == start)
        k += (size_t) snprintf(s + k, cap - k, "%s%ld", k ? "," : "", start);
      else
        k += (size_t) snprintf(s + k, cap - k, "%s%ld-%ld", k ? "," : "", start, (long) i - 1);
      start = -1;
    }
  }
  *buf = s;
  *len = k;
}

char *cg_sd_prop_format(const struct cg_sd_prop *p)
{
  _cleanup_free_ char *v = NULL;

  switch (p->kind) {
  case CG_SD_BOOL: return xasprintf("%s=%s", p->name, p->b ? "yes" : "no");
  case CG_SD_U64:
    if (p->u == CG_SD_INFINITY)
      return xasprintf("%s=infinity", p->name);
    return xasprintf("%s=%" PRIu64, p->name, p->u);
  case CG_SD_STR:
  case CG_SD_STRS: return xasprintf("%s=%s", p->name, p->s);
  case CG_SD_PIDS: return xasprintf("%s=%" PRIu64, p->name, p->u);
  case CG_SD_BYTES: {
    size_t len;
    bits_text(p->bytes, p->nbytes, &v, &len);
    return xasprintf("%s=%s", p->name, v);
  }
  case CG_SD_DEVICES:
  case CG_SD_IODEVS: {
    size_t len = 0;
    v = xstrdup("");
    for (size_t i = 0; i < p->nentries; i++) {
      _cleanup_free_ char *e = NULL;
      if (p->kind == CG_SD_DEVICES)
        e = xasprintf("%s%s %s", i ? ", " : "", p->entries[i].path, p->entries[i].perms);
      else if (p->entries[i].value == CG_SD_INFINITY)
        e = xasprintf("%s%s infinity", i ? ", " : "", p->entries[i].path);
      else
        e = xasprintf("%s%s %" PRIu64, i ? ", " : "", p->entries[i].path, p->entries[i].value);
      v = xrealloc(v, len + strlen(e) + 1);
      memcpy(v + len, e, strlen(e) + 1);
      len += strlen(e);
    }
    return xasprintf("%s=%s", p->name, v);
  }
  }
  return xasprintf("%s=?", p->name);
}
