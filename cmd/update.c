/* update.c: `cove update [--resources FILE|-] [--memory N] ... ID`: runc's update flags.  The
 * resources file (linux.resources JSON) goes through the config parser, then the flags are laid
 * over it. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "oci/oci.h"
#include "runtime/runtime.h"

/* "-1", "1024", "512k", "64m", "1g" (binary units, as runc's --memory) */
static int parse_bytes(const char *s, int64_t *out)
{
  char *end;
  long long v;
  int64_t mult = 1;

  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno || end == s)
    return -1;
  if (*end) {
    switch (*end | 0x20) {
    case 'b': mult = 1; break;
    case 'k': mult = 1LL << 10; break;
    case 'm': mult = 1LL << 20; break;
    case 'g': mult = 1LL << 30; break;
    case 't': mult = 1LL << 40; break;
    default: return -1;
    }
    end++;
    if ((*end | 0x20) == 'b' || (*end | 0x20) == 'i')
      end++;
    if ((*end | 0x20) == 'b')
      end++;
    if (*end || v < 0)
      return -1;
  }
  if (v == -1 && mult == 1) {
    *out = -1;
    return 0;
  }
  if (v < 0 || v > INT64_MAX / mult)
    return -1;
  *out = v * mult;
  return 0;
}

static int read_resources(const char *file, struct oci_config **cfg, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL, *doc = NULL;
  size_t len = 0;

  if (read_file(strcmp(file, "-") ? file : "/dev/stdin", OCI_CONFIG_MAX_BYTES, &data, &len, err) < 0)
    return -1;
  doc = xasprintf("{\"ociVersion\":\"" OCI_SPEC_VERSION "\",\"root\":{\"path\":\"rootfs\"},"
                  "\"linux\":{\"resources\":%s}}",
                  data);
  return oci_config_parse(strcmp(file, "-") ? file : "resources", doc, strlen(doc), cfg, err);
}

int cmd_update(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("update");
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(oci_config_freep) struct oci_config *cfg = NULL;
  const char *resources = NULL, *memory = NULL, *reservation = NULL, *swap = NULL, *cpus = NULL, *mems = NULL,
             *l3 = NULL, *membw = NULL, *kmem = NULL, *kmem_tcp = NULL;
  long long shares = -1, quota = LLONG_MIN, period = -1, rt_period = -1, rt_runtime = LLONG_MIN, pids = LLONG_MIN,
            blkio = -1;
  const struct cmd_flag flags[] = {
    {"resources", 'r', FLAG_STRING, &resources, "FILE", "linux.resources JSON (- for stdin)"},
    {"memory", 'm', FLAG_STRING, &memory, "N", "memory limit in bytes (k, m, g suffixes; -1 unlimited)"},
    {"memory-reservation", 0, FLAG_STRING, &reservation, "N", "memory soft limit"},
    {"memory-swap", 0, FLAG_STRING, &swap, "N", "memory+swap limit (-1 unlimited)"},
    {"kernel-memory", 0, FLAG_STRING, &kmem, "N", "deprecated, ignored"},
    {"kernel-memory-tcp", 0, FLAG_STRING, &kmem_tcp, "N", "kernel TCP buffer limit (v1 only)"},
    {"cpu-shares", 0, FLAG_INT, &shares, "N", "relative cpu share"},
    {"cpu-quota", 0, FLAG_INT, &quota, "N", "cpu time in microseconds per period (-1 unlimited)"},
    {"cpu-period", 0, FLAG_INT, &period, "N", "cfs period in microseconds"},
    {"cpu-rt-period", 0, FLAG_INT, &rt_period, "N", "realtime period in microseconds"},
    {"cpu-rt-runtime", 0, FLAG_INT, &rt_runtime, "N", "realtime runtime in microseconds"},
    {"cpuset-cpus", 0, FLAG_STRING, &cpus, "LIST", "cpus to run on (0-3,5)"},
    {"cpuset-mems", 0, FLAG_STRING, &mems, "LIST", "memory nodes to use"},
    {"pids-limit", 0, FLAG_INT, &pids, "N", "maximum number of tasks (<= 0 unlimited)"},
    {"blkio-weight", 0, FLAG_INT, &blkio, "N", "block io weight, 10 to 1000"},
    {"l3-cache-schema", 0, FLAG_STRING, &l3, "S", "Intel RDT L3 cache schema"},
    {"mem-bw-schema", 0, FLAG_STRING, &membw, "S", "Intel RDT memory bandwidth schema"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  struct oci_resources res = {0};
  struct oci_memory mem = {0};
  struct oci_cpu cpu = {0};
  struct oci_blkio bio = {0};
  int first, r = cmd_parse_flags(verb, flags, argc, argv, &first);
  int64_t v;

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (l3 || membw) {
    fprintf(stderr, "cove: update %s: --%s: Intel RDT (linux.intelRdt) is not supported by cove\n", argv[first],
            l3 ? "l3-cache-schema" : "mem-bw-schema");
    return 1;
  }
  if (resources) {
    if (read_resources(resources, &cfg, &err) < 0)
      goto fail;
    if (cfg->linux_ && cfg->linux_->resources)
      res = *cfg->linux_->resources;
  }
  /* the flags are laid over the file, on copies of its objects */
  if (res.memory)
    mem = *res.memory;
  if (res.cpu)
    cpu = *res.cpu;
  if (res.block_io)
    bio = *res.block_io;
#define BYTES(s, field, name)                                                              \
  if (s) {                                                                                 \
    if (parse_bytes(s, &v) < 0)                                                            \
      return cmd_usage_error(verb, "--%s: expected a byte count such as 512m, got `%s`", name, s); \
    mem.field.set = true;                                                                  \
    mem.field.v = v;                                                                       \
    res.memory = &mem;                                                                     \
  }
  BYTES(memory, limit, "memory")
  BYTES(reservation, reservation, "memory-reservation")
  BYTES(swap, swap, "memory-swap")
  BYTES(kmem, kernel, "kernel-memory")
  BYTES(kmem_tcp, kernel_tcp, "kernel-memory-tcp")
#undef BYTES
  if (shares != -1) {
    if (shares < 0)
      return cmd_usage_error(verb, "--cpu-shares: expected a positive number");
    cpu.shares = (struct oci_opt_u64){true, (uint64_t) shares};
    res.cpu = &cpu;
  }
  if (quota != LLONG_MIN) {
    cpu.quota = (struct oci_opt_i64){true, quota};
    res.cpu = &cpu;
  }
  if (period != -1) {
    if (period <= 0)
      return cmd_usage_error(verb, "--cpu-period: expected a positive number");
    cpu.period = (struct oci_opt_u64){true, (uint64_t) period};
    res.cpu = &cpu;
  }
  if (rt_period != -1) {
    if (rt_period <= 0)
      return cmd_usage_error(verb, "--cpu-rt-period: expected a positive number");
    cpu.realtime_period = (struct oci_opt_u64){true, (uint64_t) rt_period};
    res.cpu = &cpu;
  }
  if (rt_runtime != LLONG_MIN) {
    cpu.realtime_runtime = (struct oci_opt_i64){true, rt_runtime};
    res.cpu = &cpu;
  }
  if (cpus) {
    cpu.cpus = (char *) cpus;
    res.cpu = &cpu;
  }
  if (mems) {
    cpu.mems = (char *) mems;
    res.cpu = &cpu;
  }
  if (pids != LLONG_MIN)
    res.pids_limit = (struct oci_opt_i64){true, pids};
  if (blkio != -1) {
    if (blkio < 10 || blkio > 1000)
      return cmd_usage_error(verb, "--blkio-weight: expected 10 to 1000, got %lld", blkio);
    bio.weight = (struct oci_opt_u64){true, (uint64_t) blkio};
    res.block_io = &bio;
  }
  if (cove_update(g->root, argv[first], &res, &err) < 0)
    goto fail;
  return 0;
fail:
  r = cove_fail(&err);
  cove_error_release(&err);
  return r;
}
