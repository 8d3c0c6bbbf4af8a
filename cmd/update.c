/* update.c: `cove update [--resources FILE|-] [--memory N] ... ID`: runc's (1.2) update flags.
 * The flags become a linux.resources object laid over the file's (flags win); runtime/update.c
 * validates it with the config parser, applies it and records it in the container's config. */
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
#include "oci/json.h"
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

struct update_args {
  const char *resources, *memory, *reservation, *swap, *kmem, *kmem_tcp;
  const char *shares, *shares_old, *quota, *burst, *period, *rt_period, *rt_runtime, *idle, *cpus, *mems;
  const char *l3, *membw;
  long long pids, blkio;
};

#define F(name, sh, kind, field, arg, help) CMD_FLAG(name, sh, kind, struct update_args, field, arg, help)
/* runc 1.2's update flags, in its order */
static const struct cmd_flag flags[] = {
  F("resources", 'r', FLAG_STRING, resources, "FILE", "linux.resources JSON (- for stdin); the flags win over it"),
  F("blkio-weight", 0, FLAG_INT, blkio, "N", "block io weight, 10 to 1000"),
  F("cpu-period", 0, FLAG_STRING, period, "N", "cfs period in microseconds"),
  F("cpu-quota", 0, FLAG_STRING, quota, "N", "cpu time in microseconds per period (-1 unlimited)"),
  F("cpu-burst", 0, FLAG_STRING, burst, "N", "cfs burst in microseconds: unused quota a period may accumulate"),
  F("cpu-share", 0, FLAG_STRING, shares, "N", "relative cpu share (v2: converted to cpu.weight)"),
  F("cpu-rt-period", 0, FLAG_STRING, rt_period, "N", "realtime period in microseconds"),
  F("cpu-rt-runtime", 0, FLAG_STRING, rt_runtime, "N", "realtime runtime in microseconds"),
  F("cpuset-cpus", 0, FLAG_STRING, cpus, "LIST", "cpus to run on (0-3,5)"),
  F("cpuset-mems", 0, FLAG_STRING, mems, "LIST", "memory nodes to use"),
  F("kernel-memory", 0, FLAG_STRING, kmem, "N", "kernel memory limit (v1 only; v2 has none and warns)"),
  F("kernel-memory-tcp", 0, FLAG_STRING, kmem_tcp, "N", "kernel TCP buffer limit (v1 only)"),
  F("memory", 'm', FLAG_STRING, memory, "N", "memory limit in bytes (k, m, g suffixes; -1 unlimited)"),
  F("cpu-idle", 0, FLAG_STRING, idle, "0|1", "1: the cgroup's tasks get SCHED_IDLE"),
  F("memory-reservation", 0, FLAG_STRING, reservation, "N", "memory soft limit"),
  F("memory-swap", 0, FLAG_STRING, swap, "N", "memory+swap limit (-1 unlimited)"),
  F("pids-limit", 0, FLAG_INT, pids, "N", "maximum number of tasks (<= 0 unlimited)"),
  F("l3-cache-schema", 0, FLAG_STRING, l3, "S", "Intel RDT L3 cache schema (refused: no RDT support)"),
  F("mem-bw-schema", 0, FLAG_STRING, membw, "S", "Intel RDT memory bandwidth schema (refused: no RDT support)"),
  /* cove's first spelling, before runc's */
  CMD_HIDDEN("cpu-shares", FLAG_STRING, struct update_args, shares_old),
  CMD_FLAGS_END,
};

static int flag_u64(const struct cmd_verb *verb, const char *name, const char *s, uint64_t *v)
{
  unsigned long long n;
  if (parse_u64(s, &n) < 0)
    return cmd_usage_error(verb, "--%s: expected a non-negative integer, got `%s`", name, s);
  *v = n;
  return 0;
}

static int flag_i64(const struct cmd_verb *verb, const char *name, const char *s, int64_t *v)
{
  char *end;
  long long n;
  errno = 0;
  n = strtoll(s, &end, 10);
  if (errno || !*s || *end)
    return cmd_usage_error(verb, "--%s: expected an integer, got `%s`", name, s);
  *v = n;
  return 0;
}

/* The flags as a linux.resources object (NULL text when no flag was given). */
static int flags_json(const struct cmd_verb *verb, const struct update_args *a, char **out)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  struct cove_error err = COVE_ERROR_INIT;
  const struct {
    const char *flag, *key, *val;
  } mem[] = {
    {"memory", "limit", a->memory},
    {"memory-reservation", "reservation", a->reservation},
    {"memory-swap", "swap", a->swap},
    {"kernel-memory", "kernel", a->kmem},
    {"kernel-memory-tcp", "kernelTCP", a->kmem_tcp},
  };
  const struct {
    const char *flag, *key, *val;
    bool is_signed;
  } cpu[] = {
    {"cpu-share", "shares", a->shares ? a->shares : a->shares_old, false},
    {"cpu-quota", "quota", a->quota, true},
    {"cpu-burst", "burst", a->burst, false},
    {"cpu-period", "period", a->period, false},
    {"cpu-rt-runtime", "realtimeRuntime", a->rt_runtime, true},
    {"cpu-rt-period", "realtimePeriod", a->rt_period, false},
    {"cpu-idle", "idle", a->idle, true},
  };
  bool any_mem = false, any_cpu = a->cpus || a->mems;
  int r;

  *out = NULL;
  for (size_t i = 0; i < ARRAY_SIZE(mem); i++)
    any_mem |= mem[i].val != NULL;
  for (size_t i = 0; i < ARRAY_SIZE(cpu); i++)
    any_cpu |= cpu[i].val != NULL;
  if (!any_mem && !any_cpu && a->pids == LLONG_MIN && a->blkio == LLONG_MIN)
    return 0;
  oci_jgen_map_open(g);
  if (any_mem) {
    oci_jgen_string(g, "memory");
    oci_jgen_map_open(g);
    for (size_t i = 0; i < ARRAY_SIZE(mem); i++) {
      int64_t v;
      if (!mem[i].val)
        continue;
      if (parse_bytes(mem[i].val, &v) < 0)
        return cmd_usage_error(verb, "--%s: expected a byte count such as 512m, got `%s`", mem[i].flag, mem[i].val);
      oci_jgen_kint(g, mem[i].key, v);
    }
    oci_jgen_map_close(g);
  }
  if (any_cpu) {
    oci_jgen_string(g, "cpu");
    oci_jgen_map_open(g);
    for (size_t i = 0; i < ARRAY_SIZE(cpu); i++) {
      if (!cpu[i].val)
        continue;
      if (cpu[i].is_signed) {
        int64_t v = 0;
        if ((r = flag_i64(verb, cpu[i].flag, cpu[i].val, &v)))
          return r;
        oci_jgen_kint(g, cpu[i].key, v);
      } else {
        uint64_t v = 0;
        if ((r = flag_u64(verb, cpu[i].flag, cpu[i].val, &v)))
          return r;
        oci_jgen_kuint(g, cpu[i].key, v);
      }
    }
    if (a->cpus)
      oci_jgen_kstring(g, "cpus", a->cpus);
    if (a->mems)
      oci_jgen_kstring(g, "mems", a->mems);
    oci_jgen_map_close(g);
  }
  if (a->pids != LLONG_MIN) {
    oci_jgen_string(g, "pids");
    oci_jgen_map_open(g);
    oci_jgen_kint(g, "limit", a->pids);
    oci_jgen_map_close(g);
  }
  if (a->blkio != LLONG_MIN) {
    if (a->blkio < 10 || a->blkio > 1000)
      return cmd_usage_error(verb, "--blkio-weight: expected 10 to 1000, got %lld", a->blkio);
    oci_jgen_string(g, "blockIO");
    oci_jgen_map_open(g);
    oci_jgen_kuint(g, "weight", (uint64_t) a->blkio);
    oci_jgen_map_close(g);
  }
  oci_jgen_map_close(g);
  if (oci_jgen_finish(g, out, &err) < 0) {
    r = cmd_usage_error(verb, "%s", cove_error_msg(&err));
    cove_error_release(&err);
    return r;
  }
  return 0;
}

/* The file's object with the flags' laid over it. */
static int merged_resources(const char *file, const char *flag_doc, char **out, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  _cleanup_(oci_json_freep) struct oci_json *base = NULL, *over = NULL;
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = NULL;
  const char *name = file && strcmp(file, "-") ? file : "resources from stdin";
  size_t len = 0;

  if (file) {
    if (read_file(strcmp(file, "-") ? file : "/dev/stdin", OCI_CONFIG_MAX_BYTES, &data, &len, err) < 0)
      return -1;
    if (oci_json_parse(name, data, len, &base, err) < 0)
      return -1;
    if (base->type != OCI_JSON_OBJECT)
      return cove_error_set(err, 0, "%s: expected a linux.resources object, got %s", name,
                            oci_json_type_name(base->type));
  }
  if (flag_doc && oci_json_parse("flags", flag_doc, strlen(flag_doc), &over, err) < 0)
    return -1;
  if (!base && !over)
    return cove_error_set(err, 0, "nothing to update: give --resources or a resource flag");
  g = oci_jgen_new(false);
  oci_jgen_merge(g, base ? base : over, base ? over : NULL);
  return oci_jgen_finish(g, out, err);
}

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct update_args a = {.pids = LLONG_MIN, .blkio = LLONG_MIN};
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *flags_doc = NULL, *res = NULL;
  int first, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (a.l3 || a.membw) {
    fprintf(stderr, "cove: update %s: --%s: Intel RDT (linux.intelRdt) is not supported by cove\n", argv[first],
            a.l3 ? "l3-cache-schema" : "mem-bw-schema");
    return 1;
  }
  if ((r = flags_json(verb, &a, &flags_doc)))
    return r;
  if (merged_resources(a.resources, flags_doc, &res, &err) < 0 || cove_update(g->root, argv[first], res, &err) < 0) {
    cove_error_wrap(&err, "update %s", argv[first]);
    return cmd_fail(&err);
  }
  return 0;
}

const struct cmd_verb cmd_verb_update = {
  .name = "update",
  .run = run,
  .usage = "[OPTIONS] ID",
  .summary = "change a running container's resource limits (and record them in its config)",
  .flags = flags,
  .args = ARGS_ID,
};
