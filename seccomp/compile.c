/* compile.c: linux.seccomp → libseccomp filter → a ready sock_filter array.
 *
 * Runs in the parent before the init is cloned, so the init only hands the finished program to
 * seccomp(2).  Rules follow runc and crun where the spec is silent:
 *  - an unknown syscall name is skipped with a debug message (profiles list syscalls of newer
 *    kernels and other arches);
 *  - a rule whose action equals the default action is dropped (libseccomp refuses it, and it
 *    changes nothing);
 *  - errnoRet (and defaultErrnoRet) is only valid for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, and
 *    defaults to EPERM there;
 *  - the conditions of an entry are ANDed, except when two name the same argument: libseccomp
 *    cannot AND those, and runc (whose behaviour Docker-era profiles were written against) then
 *    adds one rule per condition, ORing them; cove does the same;
 *  - every listed architecture is added next to the native one;
 *  - SECCOMP_FILTER_FLAG_TSYNC is dropped with a notify listener (the kernel refuses the pair
 *    and the init is single threaded, so there is nothing to synchronize), and
 *    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is dropped without one (it only qualifies the
 *    listener; the kernel refuses it alone).  A flag this kernel lacks is an error. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <seccomp.h>

#include "common/syscalls.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "seccomp/internal.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define PATH ".linux.seccomp"


const char *cove_seccomp_action_name(enum oci_seccomp_action a)
{
  return oci_seccomp_action_name(a);
}

/* 0 and *out set; -1 when the action is unknown; -2 when errnoRet is given to an action that
 * takes none; -3 when errnoRet does not fit the 16 bits of SECCOMP_RET_DATA. */
int cove_seccomp_action_value(enum oci_seccomp_action a, bool errno_set, uint64_t errno_ret, uint32_t *out)
{
  uint32_t data = EPERM;

  if (errno_set) {
    if (a != OCI_SECCOMP_ACT_ERRNO && a != OCI_SECCOMP_ACT_TRACE)
      return (size_t) a <= OCI_SECCOMP_ACT_NOTIFY ? -2 : -1;
    if (errno_ret > 0xffff)
      return -3;
    data = (uint32_t) errno_ret;
  }
  switch (a) {
  case OCI_SECCOMP_ACT_KILL:
    *out = SCMP_ACT_KILL;
    return 0;
  case OCI_SECCOMP_ACT_KILL_PROCESS:
    *out = SCMP_ACT_KILL_PROCESS;
    return 0;
  case OCI_SECCOMP_ACT_KILL_THREAD:
    *out = SCMP_ACT_KILL_THREAD;
    return 0;
  case OCI_SECCOMP_ACT_TRAP:
    *out = SCMP_ACT_TRAP;
    return 0;
  case OCI_SECCOMP_ACT_ERRNO:
    *out = SCMP_ACT_ERRNO(data);
    return 0;
  case OCI_SECCOMP_ACT_TRACE:
    *out = SCMP_ACT_TRACE(data);
    return 0;
  case OCI_SECCOMP_ACT_ALLOW:
    *out = SCMP_ACT_ALLOW;
    return 0;
  case OCI_SECCOMP_ACT_LOG:
    *out = SCMP_ACT_LOG;
    return 0;
  case OCI_SECCOMP_ACT_NOTIFY:
    *out = SCMP_ACT_NOTIFY;
    return 0;
  }
  return -1;
}

int cove_seccomp_op_value(enum oci_seccomp_op op)
{
  switch (op) {
  case OCI_SECCOMP_OP_NE:
    return SCMP_CMP_NE;
  case OCI_SECCOMP_OP_LT:
    return SCMP_CMP_LT;
  case OCI_SECCOMP_OP_LE:
    return SCMP_CMP_LE;
  case OCI_SECCOMP_OP_EQ:
    return SCMP_CMP_EQ;
  case OCI_SECCOMP_OP_GE:
    return SCMP_CMP_GE;
  case OCI_SECCOMP_OP_GT:
    return SCMP_CMP_GT;
  case OCI_SECCOMP_OP_MASKED_EQ:
    return SCMP_CMP_MASKED_EQ;
  }
  return -1;
}

/* The spec's names are libseccomp's constants; libseccomp resolves the lower-case suffix. */
uint32_t cove_seccomp_arch_token(const char *oci_name)
{
  static const char prefix[] = "SCMP_ARCH_";
  char lower[32];
  size_t n;

  if (!oci_name || strncmp(oci_name, prefix, sizeof prefix - 1) != 0)
    return 0;
  oci_name += sizeof prefix - 1;
  n = strlen(oci_name);
  if (n == 0 || n >= sizeof lower)
    return 0;
  for (size_t i = 0; i <= n; i++) {
    char c = oci_name[i];
    lower[i] = (char) (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  /* libseccomp has no "native" in the spec's list */
  if (strcmp(lower, "native") == 0)
    return 0;
  return seccomp_arch_resolve_name(lower);
}

/* The filter flags the spec names, with the kernel release that added each (docs/kernel.md). */
static const struct {
  const char *name;
  unsigned int flag;
  const char *since;
} filter_flags[] = {
  {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC, "3.17"},
  {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG, "4.14"},
  {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW, "4.17"},
  {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "5.19"},
};

static const char *flag_since(unsigned int flag)
{
  for (size_t i = 0; i < ARRAY_SIZE(filter_flags); i++)
    if (filter_flags[i].flag == flag)
      return filter_flags[i].since;
  return "?";
}

int cove_seccomp_flag_value(const char *oci_name, unsigned int *out)
{
  for (size_t i = 0; oci_name && i < ARRAY_SIZE(filter_flags); i++) {
    if (strcmp(oci_name, filter_flags[i].name) == 0) {
      *out = filter_flags[i].flag;
      return 0;
    }
  }
  return -1;
}

bool cove_seccomp_uses_notify(const struct oci_seccomp *sc)
{
  if (sc->default_action == OCI_SECCOMP_ACT_NOTIFY)
    return true;
  for (size_t i = 0; i < sc->syscalls_len; i++)
    if (sc->syscalls[i].action == OCI_SECCOMP_ACT_NOTIFY)
      return true;
  return false;
}

/* Whether the running kernel accepts a seccomp(2) filter flag: with a NULL program the kernel
 * validates the flags first (EINVAL) and only then faults on the pointer (EFAULT). */
static bool kernel_has_flag(unsigned int flag)
{
  unsigned int probe = flag;
  if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return sys_seccomp(SECCOMP_SET_MODE_FILTER, probe, NULL) < 0 && errno == EFAULT;
}

bool cove_seccomp_flag_supported(const char *oci_name)
{
  unsigned int f;
  return cove_seccomp_flag_value(oci_name, &f) == 0 && kernel_has_flag(f);
}

static int compile_flags(const struct oci_seccomp *sc, bool notify, unsigned int *out, struct cove_error *err)
{
  unsigned int flags = 0;

  for (size_t i = 0; i < sc->flags_len; i++) {
    unsigned int f;
    if (cove_seccomp_flag_value(sc->flags[i], &f) < 0)
      return cove_error_set(err, 0, PATH ".flags[%zu]: unknown flag `%s`", i, sc->flags[i]);
    if (f == SECCOMP_FILTER_FLAG_TSYNC && notify) {
      cove_debug("seccomp: %s dropped: the kernel refuses it with a notify listener", sc->flags[i]);
      continue;
    }
    if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !notify) {
      cove_debug("seccomp: %s ignored: no rule uses SCMP_ACT_NOTIFY", sc->flags[i]);
      continue;
    }
    if (!kernel_has_flag(f))
      return cove_error_set(err, 0, PATH ".flags[%zu]: `%s` is not supported by this kernel (it needs Linux %s)", i,
                            sc->flags[i], flag_since(f));
    flags |= f;
  }
  *out = flags;
  return 0;
}

static const char *action_error(int rc)
{
  switch (rc) {
  case -2:
    return "errnoRet is only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE";
  case -3:
    return "errnoRet must be at most 65535";
  default:
    return "unknown action";
  }
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release(*ctx);
}

static int add_syscall_rules(scmp_filter_ctx ctx, const struct oci_seccomp_syscall *s, size_t idx,
                             uint32_t default_action, struct cove_error *err)
{
  _cleanup_free_ struct scmp_arg_cmp *cmps = NULL;
  uint32_t action;
  bool split = false;
  int rc;

  rc = cove_seccomp_action_value(s->action, s->errno_ret.set, s->errno_ret.v, &action);
  if (rc == -1)
    return cove_error_set(err, 0, PATH ".syscalls[%zu].action: unknown action %d", idx, (int) s->action);
  if (rc < 0)
    return cove_error_set(err, 0, PATH ".syscalls[%zu].errnoRet: %s", idx, action_error(rc));
  if (s->names_len == 0)
    return cove_error_set(err, 0, PATH ".syscalls[%zu].names: must list at least one syscall", idx);
  cmps = xcalloc(s->args_len, sizeof *cmps);
  for (size_t j = 0; j < s->args_len; j++) {
    const struct oci_seccomp_arg *a = &s->args[j];
    int op = cove_seccomp_op_value(a->op);
    if (op < 0)
      return cove_error_set(err, 0, PATH ".syscalls[%zu].args[%zu].op: unknown operator %d", idx, j, (int) a->op);
    if (a->index >= 6)
      return cove_error_set(err, 0, PATH ".syscalls[%zu].args[%zu].index: %u is not below 6", idx, j, a->index);
    cmps[j] = (struct scmp_arg_cmp){
      .arg = a->index,
      .op = (enum scmp_compare) op,
      .datum_a = a->value,
      .datum_b = a->value_two.set ? a->value_two.v : 0,
    };
  }
  for (size_t j = 0; j < s->args_len && !split; j++)
    for (size_t k = j + 1; k < s->args_len; k++)
      if (s->args[j].index == s->args[k].index)
        split = true;
  if (action == default_action) {
    cove_debug("seccomp: " PATH ".syscalls[%zu]: same action as the default, skipped", idx);
    return 0;
  }
  for (size_t n = 0; n < s->names_len; n++) {
    const char *name = s->names[n];
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) {
      cove_debug("seccomp: " PATH ".syscalls[%zu].names[%zu]: unknown syscall `%s`, skipped", idx, n, name);
      continue;
    }
    if (split) {
      for (size_t j = 0; j < s->args_len && rc >= 0; j++)
        rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmps[j]);
    } else {
      rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int) s->args_len, cmps);
    }
    if (rc < 0)
      return cove_error_set(err, -rc, PATH ".syscalls[%zu].names[%zu]: add rule for `%s`", idx, n, name);
  }
  return 0;
}

/* seccomp_export_bpf() writes the raw sock_filter array to an fd: a memfd keeps it in memory. */
static int export_bpf(scmp_filter_ctx ctx, struct cove_seccomp_prog *out, struct cove_error *err)
{
  _cleanup_close_ int fd = memfd_create("cove-seccomp-bpf", MFD_CLOEXEC);
  _cleanup_free_ struct sock_filter *filter = NULL;
  struct stat st;
  size_t size, done = 0;
  int rc;

  if (fd < 0)
    return cove_error_set(err, errno, "seccomp: memfd_create");
  rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0)
    return cove_error_set(err, -rc, "seccomp: export the bpf program");
  if (fstat(fd, &st) < 0)
    return cove_error_set(err, errno, "seccomp: fstat the bpf program");
  size = (size_t) st.st_size;
  if (size == 0 || size % sizeof(struct sock_filter) != 0)
    return cove_error_set(err, 0, "seccomp: exported program has a bad size %zu", size);
  if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
    return cove_error_set(err, 0, "seccomp: the program has %zu instructions, the kernel takes at most %d",
                          size / sizeof(struct sock_filter), BPF_MAXINSNS);
  filter = xmalloc(size);
  while (done < size) {
    ssize_t n = pread(fd, (char *) filter + done, size - done, (off_t) done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return cove_error_set(err, n < 0 ? errno : EIO, "seccomp: read the bpf program back");
    done += (size_t) n;
  }
  out->filter = steal_ptr(filter);
  out->len = size / sizeof(struct sock_filter);
  return 0;
}

int cove_seccomp_compile(const struct oci_seccomp *sc, struct cove_seccomp_prog *out, struct cove_error *err)
{
  __attribute__((cleanup(ctx_releasep))) scmp_filter_ctx ctx = NULL;
  uint32_t default_action;
  bool notify = cove_seccomp_uses_notify(sc);
  unsigned int flags = 0;
  int rc;

  *out = (struct cove_seccomp_prog){0};
  rc = cove_seccomp_action_value(sc->default_action, sc->default_errno_ret.set, sc->default_errno_ret.v,
                                 &default_action);
  if (rc == -1)
    return cove_error_set(err, 0, PATH ".defaultAction: unknown action %d", (int) sc->default_action);
  if (rc < 0)
    return cove_error_set(err, 0, PATH ".defaultErrnoRet: %s", action_error(rc));
  if (sc->default_action == OCI_SECCOMP_ACT_NOTIFY)
    return cove_error_set(err, 0, PATH ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  if (notify && !sc->listener_path)
    return cove_error_set(err, 0, PATH ".listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
  if (compile_flags(sc, notify, &flags, err) < 0)
    return -1;

  ctx = seccomp_init(default_action);
  if (!ctx)
    return cove_error_set(err, 0, "seccomp: initialize the filter for %s",
                          cove_seccomp_action_name(sc->default_action));
  /* we load the program ourselves: libseccomp must not touch no_new_privs; a binary tree keeps
   * a 400-rule profile to a handful of comparisons per syscall */
  if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
      (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
    return cove_error_set(err, -rc, "seccomp: set filter attributes");

  for (size_t i = 0; i < sc->architectures_len; i++) {
    uint32_t arch = cove_seccomp_arch_token(sc->architectures[i]);
    if (arch == 0)
      return cove_error_set(err, 0, PATH ".architectures[%zu]: unknown architecture `%s`", i,
                            sc->architectures[i]);
    rc = seccomp_arch_add(ctx, arch);
    if (rc < 0 && rc != -EEXIST)
      return cove_error_set(err, -rc, PATH ".architectures[%zu]: add `%s`", i, sc->architectures[i]);
  }

  for (size_t i = 0; i < sc->syscalls_len; i++)
    if (add_syscall_rules(ctx, &sc->syscalls[i], i, default_action, err) < 0)
      return -1;

  if (export_bpf(ctx, out, err) < 0)
    return -1;
  out->flags = flags;
  out->notify = notify;
  return 0;
}
