/* process.c: the process object (config.json's .process and `exec --process` files): user,
 * args, env, cwd, capabilities, rlimits, scheduler, I/O priority, CPU affinity. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci/parse.h"

static const struct {
  const char *name;
  int resource;
} rlimits[] = {
  {"RLIMIT_AS", RLIMIT_AS},
  {"RLIMIT_CORE", RLIMIT_CORE},
  {"RLIMIT_CPU", RLIMIT_CPU},
  {"RLIMIT_DATA", RLIMIT_DATA},
  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
  {"RLIMIT_LOCKS", RLIMIT_LOCKS},
  {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
  {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
  {"RLIMIT_NICE", RLIMIT_NICE},
  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
  {"RLIMIT_NPROC", RLIMIT_NPROC},
  {"RLIMIT_RSS", RLIMIT_RSS},
  {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
  {"RLIMIT_STACK", RLIMIT_STACK},
};

static const char *const sched_policies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
                                             "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL};
static const char *const sched_flags[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
                                          "SCHED_FLAG_KEEP_POLICY",   "SCHED_FLAG_KEEP_PARAMS",
                                          "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX", NULL};
static const char *const ioprio_classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL};
/* the kernel's IOPRIO_CLASS_* values for the table above */
static const int ioprio_class_nums[] = {1, 2, 3};

static int parse_user(struct pctx *c, const struct oci_json *o, struct oci_user *u)
{
  const struct oci_json *a;

  struct oci_opt_u64 gid = {0};

  /* a user without gid is gid 0, as runc reads it */
  if (pm_req_u32(c, o, "uid", &u->uid) < 0 || pm_u64(c, o, "gid", UINT32_MAX, &gid) < 0 ||
      pm_u64(c, o, "umask", 0777, &u->umask) < 0 || pm_string(c, o, "username", &u->username, false) < 0 ||
      pm_array(c, o, "additionalGids", &a) < 0)
    return -1;
  u->gid = gid.set ? (uint32_t) gid.v : 0;
  if (a) {
    size_t mark = pc_push(c, "additionalGids");
    u->additional_gids = xcalloc(a->len + 1, sizeof(*u->additional_gids));
    u->additional_gids_len = a->len;
    for (size_t i = 0; i < a->len; i++) {
      size_t m = pc_push_idx(c, i);
      uint64_t g = 0;
      if (pv_uint(c, a->items[i], UINT32_MAX, &g) < 0)
        return -1;
      u->additional_gids[i] = (uint32_t) g;
      pc_pop(c, m);
    }
    pc_pop(c, mark);
  }
  return 0;
}

/* Any string is accepted: a name the runtime cannot map to a capability is a warning, and is
 * skipped, when the container is made (runtime-spec: "MUST be logged as a warning"). */
static int parse_cap_set(struct pctx *c, const struct oci_json *o, const char *key, char ***set, size_t *len)
{
  return pm_strv(c, o, key, set, len);
}

static int parse_caps(struct pctx *c, const struct oci_json *o, struct oci_capabilities *caps)
{
  return parse_cap_set(c, o, "bounding", &caps->bounding, &caps->bounding_len) < 0 ||
                 parse_cap_set(c, o, "effective", &caps->effective, &caps->effective_len) < 0 ||
                 parse_cap_set(c, o, "inheritable", &caps->inheritable, &caps->inheritable_len) < 0 ||
                 parse_cap_set(c, o, "permitted", &caps->permitted, &caps->permitted_len) < 0 ||
                 parse_cap_set(c, o, "ambient", &caps->ambient, &caps->ambient_len) < 0
             ? -1
             : 0;
}

static int parse_rlimit(struct pctx *c, const struct oci_json *o, struct oci_rlimit *rl)
{
  size_t i;

  if (pv_expect(c, o, OCI_JSON_OBJECT) < 0 || pm_string(c, o, "type", &rl->type, true) < 0)
    return -1;
  for (i = 0; i < ARRAY_SIZE(rlimits); i++)
    if (!strcmp(rlimits[i].name, rl->type))
      break;
  if (i == ARRAY_SIZE(rlimits)) {
    _cleanup_free_ char *q = json_quote(rl->type);
    return pc_fail_key(c, "type", "unknown resource limit %s", q);
  }
  rl->resource = rlimits[i].resource;
  if (pm_req_u64(c, o, "soft", UINT64_MAX, &rl->soft) < 0 || pm_req_u64(c, o, "hard", UINT64_MAX, &rl->hard) < 0)
    return -1;
  if (rl->soft > rl->hard)
    return pc_fail(c, "soft limit %llu is greater than hard limit %llu", (unsigned long long) rl->soft,
                   (unsigned long long) rl->hard);
  return 0;
}

static int parse_rlimits(struct pctx *c, const struct oci_json *o, struct oci_process *p)
{
  const struct oci_json *a;
  size_t mark;

  if (pm_array(c, o, "rlimits", &a) < 0)
    return -1;
  if (!a)
    return 0;
  p->rlimits = xcalloc(a->len + 1, sizeof(*p->rlimits));
  p->rlimits_len = a->len;
  mark = pc_push(c, "rlimits");
  for (size_t i = 0; i < a->len; i++) {
    size_t m = pc_push_idx(c, i);
    if (parse_rlimit(c, a->items[i], &p->rlimits[i]) < 0)
      return -1;
    /* runtime-spec: duplicated types MUST be an error */
    for (size_t j = 0; j < i; j++)
      if (p->rlimits[j].resource == p->rlimits[i].resource)
        return pc_fail_key(c, "type", "%s is given more than once", p->rlimits[i].type);
    pc_pop(c, m);
  }
  pc_pop(c, mark);
  return 0;
}

static int parse_io_priority(struct pctx *c, const struct oci_json *o, struct oci_io_priority *io)
{
  int i;
  struct oci_opt_i64 prio = {0};

  if (pm_string(c, o, "class", &io->class, true) < 0)
    return -1;
  i = pc_lookup(ioprio_classes, io->class);
  if (i < 0) {
    size_t m = pc_push(c, "class");
    pc_fail_enum(c, ioprio_classes, io->class);
    pc_pop(c, m);
    return -1;
  }
  io->class_num = ioprio_class_nums[i];
  if (pm_i64(c, o, "priority", 0, 7, &prio) < 0)
    return -1;
  io->priority = prio.v;
  return 0;
}

static int parse_scheduler(struct pctx *c, const struct oci_json *o, struct oci_scheduler *s)
{
  if (pm_string(c, o, "policy", &s->policy, true) < 0)
    return -1;
  s->policy_num = pc_lookup(sched_policies, s->policy);
  if (s->policy_num < 0) {
    size_t m = pc_push(c, "policy");
    pc_fail_enum(c, sched_policies, s->policy);
    pc_pop(c, m);
    return -1;
  }
  if (pm_i64(c, o, "nice", -20, 19, &s->nice) < 0 || pm_i64(c, o, "priority", INT32_MIN, INT32_MAX, &s->priority) < 0 ||
      pm_strv(c, o, "flags", &s->flags, &s->flags_len) < 0 ||
      pc_check_names(c, "flags", s->flags, s->flags_len, sched_flags) < 0 ||
      pm_u64(c, o, "runtime", UINT64_MAX, &s->runtime) < 0 || pm_u64(c, o, "deadline", UINT64_MAX, &s->deadline) < 0 ||
      pm_u64(c, o, "period", UINT64_MAX, &s->period) < 0)
    return -1;
  return 0;
}

static int parse_affinity(struct pctx *c, const struct oci_json *o, struct oci_cpu_affinity *a)
{
  size_t m;

  if (pm_string(c, o, "initial", &a->initial, false) < 0 || pm_string(c, o, "final", &a->final, false) < 0)
    return -1;
  if (a->initial) {
    m = pc_push(c, "initial");
    if (pc_check_cpulist(c, a->initial) < 0)
      return -1;
    pc_pop(c, m);
  }
  if (a->final) {
    m = pc_push(c, "final");
    if (pc_check_cpulist(c, a->final) < 0)
      return -1;
    pc_pop(c, m);
  }
  return 0;
}

static int parse_env(struct pctx *c, const struct oci_json *o, struct oci_process *p)
{
  if (pm_strv(c, o, "env", &p->env, &p->env_len) < 0)
    return -1;
  for (size_t i = 0; i < p->env_len; i++) {
    const char *eq = strchr(p->env[i], '=');
    if (!eq || eq == p->env[i]) {
      _cleanup_free_ char *q = json_quote(p->env[i]);
      size_t m = pc_push(c, "env");
      pc_push_idx(c, i);
      pc_fail(c, "expected NAME=VALUE, got %s", q);
      pc_pop(c, m);
      return -1;
    }
  }
  return 0;
}

/* Sub-objects of the process: each is type-checked, allocated into *slot, then filled. */
static int parse_process(struct pctx *c, const struct oci_json *o, struct oci_process *p)
{
  const struct oci_json *sub;
  size_t m;

  if (pm_bool(c, o, "terminal", &p->terminal) < 0 || pm_object(c, o, "consoleSize", &sub) < 0)
    return -1;
  if (sub) {
    uint64_t h = 0, w = 0;
    m = pc_push(c, "consoleSize");
    if (pm_req_u64(c, sub, "height", UINT16_MAX, &h) < 0 || pm_req_u64(c, sub, "width", UINT16_MAX, &w) < 0)
      return -1;
    p->console_height = (struct oci_opt_u64){true, h};
    p->console_width = (struct oci_opt_u64){true, w};
    pc_pop(c, m);
  }
  if (pm_object(c, o, "user", &sub) < 0)
    return -1;
  if (sub) {
    m = pc_push(c, "user");
    if (parse_user(c, sub, &p->user) < 0)
      return -1;
    pc_pop(c, m);
  }
  if (pm_strv(c, o, "args", &p->args, &p->args_len) < 0 ||
      pm_string(c, o, "commandLine", &p->command_line, false) < 0)
    return -1;
  if (!p->args)
    return pc_fail_key(c, "args", "missing required field");
  if (p->args_len == 0)
    return pc_fail_key(c, "args", "must not be empty");
  if (parse_env(c, o, p) < 0 || pm_string(c, o, "cwd", &p->cwd, true) < 0)
    return -1;
  m = pc_push(c, "cwd");
  if (pc_check_abs(c, p->cwd) < 0)
    return -1;
  pc_pop(c, m);
  PC_SUBOBJECT(c, o, "capabilities", &p->capabilities, parse_caps);
  if (parse_rlimits(c, o, p) < 0 || pm_bool(c, o, "noNewPrivileges", &p->no_new_privileges) < 0 ||
      pm_string(c, o, "apparmorProfile", &p->apparmor_profile, false) < 0 ||
      pm_i64(c, o, "oomScoreAdj", -1000, 1000, &p->oom_score_adj) < 0 ||
      pm_string(c, o, "selinuxLabel", &p->selinux_label, false) < 0)
    return -1;
  PC_SUBOBJECT(c, o, "ioPriority", &p->io_priority, parse_io_priority);
  PC_SUBOBJECT(c, o, "scheduler", &p->scheduler, parse_scheduler);
  PC_SUBOBJECT(c, o, "execCPUAffinity", &p->exec_cpu_affinity, parse_affinity);
  return 0;
}

int oci_parse_process(struct pctx *c, const struct oci_json *v, struct oci_process **out)
{
  _cleanup_(oci_process_freep) struct oci_process *p = xcalloc(1, sizeof(*p));

  if (pv_expect(c, v, OCI_JSON_OBJECT) < 0 || parse_process(c, v, p) < 0)
    return -1;
  *out = steal_ptr(p);
  return 0;
}
