/* seccomp_parse.c: .linux.seccomp: actions, architectures, flags, syscall rules and their
 * argument conditions.  Syscall names are not checked here (unknown names are the seccomp
 * module's business: libseccomp skips them as runc does). */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci/parse.h"

/* Indexed by enum oci_seccomp_action. */
static const char *const actions[] = {
  [OCI_SECCOMP_ACT_KILL] = "SCMP_ACT_KILL",
  [OCI_SECCOMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
  [OCI_SECCOMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
  [OCI_SECCOMP_ACT_TRAP] = "SCMP_ACT_TRAP",
  [OCI_SECCOMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
  [OCI_SECCOMP_ACT_TRACE] = "SCMP_ACT_TRACE",
  [OCI_SECCOMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
  [OCI_SECCOMP_ACT_LOG] = "SCMP_ACT_LOG",
  [OCI_SECCOMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
  NULL,
};

/* Indexed by enum oci_seccomp_op. */
static const char *const ops[] = {
  [OCI_SECCOMP_OP_NE] = "SCMP_CMP_NE", [OCI_SECCOMP_OP_LT] = "SCMP_CMP_LT",
  [OCI_SECCOMP_OP_LE] = "SCMP_CMP_LE", [OCI_SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
  [OCI_SECCOMP_OP_GE] = "SCMP_CMP_GE", [OCI_SECCOMP_OP_GT] = "SCMP_CMP_GT",
  [OCI_SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ", NULL,
};

static const char *const arches[] = {
  "SCMP_ARCH_X86",       "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",       "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64",   "SCMP_ARCH_MIPS",      "SCMP_ARCH_MIPS64",    "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",    "SCMP_ARCH_MIPSEL64",  "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE",   "SCMP_ARCH_S390",      "SCMP_ARCH_S390X",
  "SCMP_ARCH_PARISC",    "SCMP_ARCH_PARISC64",  "SCMP_ARCH_RISCV64",   "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",      "SCMP_ARCH_SH",        "SCMP_ARCH_SHEB",      NULL,
};

static const char *const filter_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                           "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                           "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};

const char *const *oci_seccomp_action_names(void)
{
  return actions;
}

const char *oci_seccomp_action_name(enum oci_seccomp_action a)
{
  return (size_t) a < ARRAY_SIZE(actions) - 1 && actions[a] ? actions[a] : "unknown action";
}
const char *const *oci_seccomp_op_names(void)
{
  return ops;
}
const char *const *oci_seccomp_arch_names(void)
{
  return arches;
}
const char *const *oci_seccomp_flag_names(void)
{
  return filter_flags;
}

static int parse_enum(struct pctx *c, const struct oci_json *o, const char *key, const char *const *table, int *out)
{
  _cleanup_free_ char *s = NULL;

  if (pm_string(c, o, key, &s, true) < 0)
    return -1;
  *out = pc_lookup(table, s);
  if (*out < 0) {
    size_t m = pc_push(c, key);
    pc_fail_enum(c, table, s);
    pc_pop(c, m);
    return -1;
  }
  return 0;
}

/* runtime-spec: errnoRet only means something for SCMP_ACT_ERRNO and SCMP_ACT_TRACE. */
static int check_errno_ret(struct pctx *c, const char *key, enum oci_seccomp_action a, const struct oci_opt_u64 *ret)
{
  if (ret->set && a != OCI_SECCOMP_ACT_ERRNO && a != OCI_SECCOMP_ACT_TRACE)
    return pc_fail_key(c, key, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not %s", actions[a]);
  return 0;
}

static int parse_arg(struct pctx *c, const struct oci_json *o, struct oci_seccomp_arg *arg)
{
  int op;

  if (pv_expect(c, o, OCI_JSON_OBJECT) < 0 || pm_req_u32(c, o, "index", &arg->index) < 0)
    return -1;
  if (arg->index > 5)
    return pc_fail_key(c, "index", "expected an integer in 0..5, got %u", arg->index);
  if (pm_req_u64(c, o, "value", UINT64_MAX, &arg->value) < 0 ||
      pm_u64(c, o, "valueTwo", UINT64_MAX, &arg->value_two) < 0 || parse_enum(c, o, "op", ops, &op) < 0)
    return -1;
  arg->op = (enum oci_seccomp_op) op;
  return 0;
}

static int parse_syscall(struct pctx *c, const struct oci_json *o, struct oci_seccomp_syscall *sc)
{
  const struct oci_json *a;
  int act;

  if (pv_expect(c, o, OCI_JSON_OBJECT) < 0 || pm_strv(c, o, "names", &sc->names, &sc->names_len) < 0)
    return -1;
  if (!sc->names)
    return pc_fail_key(c, "names", "missing required field");
  if (sc->names_len == 0)
    return pc_fail_key(c, "names", "must not be empty");
  for (size_t i = 0; i < sc->names_len; i++) {
    if (!*sc->names[i]) {
      size_t m = pc_push(c, "names");
      pc_push_idx(c, i);
      pc_fail(c, "empty syscall name");
      pc_pop(c, m);
      return -1;
    }
  }
  if (parse_enum(c, o, "action", actions, &act) < 0)
    return -1;
  sc->action = (enum oci_seccomp_action) act;
  /* A notify filter is loaded before its listener has the fd: the runtime itself still writes
   * (runc refuses `write` for this reason) and cove passes the fd to its parent with sendmsg,
   * which under SCMP_ACT_NOTIFY would wait for a listener that never gets the fd. */
  for (size_t i = 0; sc->action == OCI_SECCOMP_ACT_NOTIFY && i < sc->names_len; i++) {
    if (!strcmp(sc->names[i], "write") || !strcmp(sc->names[i], "sendmsg")) {
      size_t m = pc_push(c, "names");
      pc_push_idx(c, i);
      pc_fail(c, "SCMP_ACT_NOTIFY cannot be used for `%s`: the runtime needs it to hand the notify fd over",
              sc->names[i]);
      pc_pop(c, m);
      return -1;
    }
  }
  if (pm_u64(c, o, "errnoRet", UINT32_MAX, &sc->errno_ret) < 0 ||
      check_errno_ret(c, "errnoRet", sc->action, &sc->errno_ret) < 0 || pm_array(c, o, "args", &a) < 0)
    return -1;
  if (a) {
    size_t mark = pc_push(c, "args");
    sc->args = xcalloc(a->len + 1, sizeof(*sc->args));
    sc->args_len = a->len;
    for (size_t i = 0; i < a->len; i++) {
      size_t m = pc_push_idx(c, i);
      if (parse_arg(c, a->items[i], &sc->args[i]) < 0)
        return -1;
      pc_pop(c, m);
    }
    pc_pop(c, mark);
  }
  return 0;
}

static int parse_seccomp(struct pctx *c, const struct oci_json *o, struct oci_seccomp *s)
{
  const struct oci_json *a;
  bool notify;
  int act;

  if (parse_enum(c, o, "defaultAction", actions, &act) < 0)
    return -1;
  s->default_action = (enum oci_seccomp_action) act;
  /* the notify fd would have to answer every syscall, including the runtime's own */
  if (s->default_action == OCI_SECCOMP_ACT_NOTIFY)
    return pc_fail_key(c, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  if (pm_u64(c, o, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret) < 0 ||
      check_errno_ret(c, "defaultErrnoRet", s->default_action, &s->default_errno_ret) < 0 ||
      pm_strv(c, o, "architectures", &s->architectures, &s->architectures_len) < 0 ||
      pc_check_names(c, "architectures", s->architectures, s->architectures_len, arches) < 0 ||
      pm_strv(c, o, "flags", &s->flags, &s->flags_len) < 0 ||
      pc_check_names(c, "flags", s->flags, s->flags_len, filter_flags) < 0 ||
      pm_string(c, o, "listenerPath", &s->listener_path, false) < 0 ||
      pm_string(c, o, "listenerMetadata", &s->listener_metadata, false) < 0 || pm_array(c, o, "syscalls", &a) < 0)
    return -1;
  /* runtime-spec: listenerMetadata MUST NOT be set without listenerPath */
  if (s->listener_metadata && !s->listener_path)
    return pc_fail_key(c, "listenerMetadata", "set without listenerPath");
  if (s->listener_path) {
    size_t m = pc_push(c, "listenerPath");
    if (pc_check_abs(c, s->listener_path) < 0)
      return -1;
    pc_pop(c, m);
  }
  notify = false;
  if (a) {
    size_t mark = pc_push(c, "syscalls");
    s->syscalls = xcalloc(a->len + 1, sizeof(*s->syscalls));
    s->syscalls_len = a->len;
    for (size_t i = 0; i < a->len; i++) {
      size_t m = pc_push_idx(c, i);
      if (parse_syscall(c, a->items[i], &s->syscalls[i]) < 0)
        return -1;
      notify |= s->syscalls[i].action == OCI_SECCOMP_ACT_NOTIFY;
      pc_pop(c, m);
    }
    pc_pop(c, mark);
  }
  /* runtime-spec: listenerPath MUST be set when SCMP_ACT_NOTIFY is used */
  if (notify && !s->listener_path)
    return pc_fail_key(c, "listenerPath", "required when a rule uses SCMP_ACT_NOTIFY");
  return 0;
}

int oci_parse_seccomp(struct pctx *c, const struct oci_json *v, struct oci_seccomp **out)
{
  *out = xcalloc(1, sizeof(**out));
  return parse_seccomp(c, v, *out);
}
