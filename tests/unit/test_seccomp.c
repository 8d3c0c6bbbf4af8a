/* test_seccomp.c: the OCI → libseccomp translation (actions, errnoRet defaulting, operators,
 * architectures, flags, skipped names, errors naming the entry) and the installed filter's
 * behaviour, observed in forked children: each action, each operator, several arches, the notify
 * hand-off round trip, and the default `cove spec` profile parsed with oci_config_parse. */
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci/spec_seccomp.h"
#include "seccomp/internal.h"

/* ---- building sections by hand ---- */

struct rule_spec {
  const char *names[4];
  enum oci_seccomp_action action;
  bool errno_set;
  uint64_t errno_ret;
  size_t nargs;
  struct oci_seccomp_arg args[3];
};

struct section {
  struct oci_seccomp sc;
  struct oci_seccomp_syscall rules[8];
  char *name_ptrs[8][5];
  char *arch_ptrs[8];
  char *flag_ptrs[8];
};

static void section_init(struct section *s, enum oci_seccomp_action def)
{
  memset(s, 0, sizeof *s);
  s->sc.default_action = def;
  s->sc.syscalls = s->rules;
}

static void section_add(struct section *s, const struct rule_spec *r)
{
  size_t i = s->sc.syscalls_len++, n = 0;
  struct oci_seccomp_syscall *out = &s->rules[i];

  for (; n < 4 && r->names[n]; n++)
    s->name_ptrs[i][n] = (char *) r->names[n];
  out->names = s->name_ptrs[i];
  out->names_len = n;
  out->action = r->action;
  out->errno_ret = (struct oci_opt_u64){r->errno_set, r->errno_ret};
  out->args = (struct oci_seccomp_arg *) r->args;
  out->args_len = r->nargs;
}

static void section_arches(struct section *s, const char *a0, const char *a1, const char *a2)
{
  const char *v[] = {a0, a1, a2};
  for (size_t i = 0; i < 3 && v[i]; i++)
    s->arch_ptrs[s->sc.architectures_len++] = (char *) v[i];
  s->sc.architectures = s->arch_ptrs;
}

static void section_flag(struct section *s, const char *f)
{
  s->flag_ptrs[s->sc.flags_len++] = (char *) f;
  s->sc.flags = s->flag_ptrs;
}

static int compile_err(struct section *s, char **msg)
{
  struct cove_seccomp_prog p;
  struct cove_error err = COVE_ERROR_INIT;
  int rc = cove_seccomp_compile(&s->sc, &p, &err);
  if (rc == 0)
    cove_seccomp_prog_release(&p);
  *msg = err.msg; /* caller frees */
  return rc;
}

/* Run fn in a child that sets no_new_privs, installs s, then calls fn; returns the wait status. */
static int run_filtered(struct section *s, int (*fn)(void *), void *arg)
{
  struct cove_seccomp_prog p;
  struct cove_error err = COVE_ERROR_INIT;
  pid_t pid;
  int status;

  if (cove_seccomp_compile(&s->sc, &p, &err) < 0)
    fail_msg("compile: %s", cove_error_msg(&err));
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int nfd;
    signal(SIGSYS, SIG_DFL); /* cmocka catches it; TRAP must kill */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
      _exit(120);
    if (cove_seccomp_install(&p, &nfd, &err) < 0) {
      fprintf(stderr, "install: %s\n", cove_error_msg(&err));
      _exit(121);
    }
    /* exit_group directly: LeakSanitizer's exit-time scan clones, which a filter may deny */
    syscall(SYS_exit_group, fn(arg));
  }
  cove_seccomp_prog_release(&p);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  return status;
}

static void assert_exit(int status, int code)
{
  if (!WIFEXITED(status))
    fail_msg("child died of signal %d, wanted exit %d", WTERMSIG(status), code);
  assert_int_equal(WEXITSTATUS(status), code);
}

/* ---- mapping ---- */

static void test_action_mapping(void **state)
{
  static const struct {
    enum oci_seccomp_action a;
    uint32_t want;
  } cases[] = {
    {OCI_SECCOMP_ACT_KILL, SCMP_ACT_KILL},
    {OCI_SECCOMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_PROCESS},
    {OCI_SECCOMP_ACT_KILL_THREAD, SCMP_ACT_KILL_THREAD},
    {OCI_SECCOMP_ACT_TRAP, SCMP_ACT_TRAP},
    {OCI_SECCOMP_ACT_ERRNO, SCMP_ACT_ERRNO(EPERM)},
    {OCI_SECCOMP_ACT_TRACE, SCMP_ACT_TRACE(EPERM)},
    {OCI_SECCOMP_ACT_ALLOW, SCMP_ACT_ALLOW},
    {OCI_SECCOMP_ACT_LOG, SCMP_ACT_LOG},
    {OCI_SECCOMP_ACT_NOTIFY, SCMP_ACT_NOTIFY},
  };
  uint32_t v;
  (void) state;

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    assert_int_equal(cove_seccomp_action_value(cases[i].a, false, 0, &v), 0);
    assert_int_equal(v, cases[i].want);
  }
  /* errnoRet: taken by ERRNO and TRACE, refused elsewhere, bounded */
  assert_int_equal(cove_seccomp_action_value(OCI_SECCOMP_ACT_ERRNO, true, ENOSYS, &v), 0);
  assert_int_equal(v, SCMP_ACT_ERRNO(ENOSYS));
  assert_int_equal(cove_seccomp_action_value(OCI_SECCOMP_ACT_TRACE, true, 7, &v), 0);
  assert_int_equal(v, SCMP_ACT_TRACE(7));
  assert_int_equal(cove_seccomp_action_value(OCI_SECCOMP_ACT_ERRNO, true, 0, &v), 0);
  assert_int_equal(v, SCMP_ACT_ERRNO(0));
  assert_int_equal(cove_seccomp_action_value(OCI_SECCOMP_ACT_ALLOW, true, 1, &v), -2);
  assert_int_equal(cove_seccomp_action_value(OCI_SECCOMP_ACT_KILL, true, 1, &v), -2);
  assert_int_equal(cove_seccomp_action_value(OCI_SECCOMP_ACT_ERRNO, true, 0x10000, &v), -3);
  assert_int_equal(cove_seccomp_action_value((enum oci_seccomp_action) 99, false, 0, &v), -1);
  assert_string_equal(cove_seccomp_action_name(OCI_SECCOMP_ACT_KILL_PROCESS), "SCMP_ACT_KILL_PROCESS");
}

static void test_op_mapping(void **state)
{
  (void) state;
  assert_int_equal(cove_seccomp_op_value(OCI_SECCOMP_OP_NE), SCMP_CMP_NE);
  assert_int_equal(cove_seccomp_op_value(OCI_SECCOMP_OP_LT), SCMP_CMP_LT);
  assert_int_equal(cove_seccomp_op_value(OCI_SECCOMP_OP_LE), SCMP_CMP_LE);
  assert_int_equal(cove_seccomp_op_value(OCI_SECCOMP_OP_EQ), SCMP_CMP_EQ);
  assert_int_equal(cove_seccomp_op_value(OCI_SECCOMP_OP_GE), SCMP_CMP_GE);
  assert_int_equal(cove_seccomp_op_value(OCI_SECCOMP_OP_GT), SCMP_CMP_GT);
  assert_int_equal(cove_seccomp_op_value(OCI_SECCOMP_OP_MASKED_EQ), SCMP_CMP_MASKED_EQ);
  assert_int_equal(cove_seccomp_op_value((enum oci_seccomp_op) 42), -1);
}

static void test_arch_and_flag_mapping(void **state)
{
  unsigned int f;
  (void) state;

  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_X86"), SCMP_ARCH_X86);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_X32"), SCMP_ARCH_X32);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_ARM"), SCMP_ARCH_ARM);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_MIPSEL64N32"), SCMP_ARCH_MIPSEL64N32);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_S390X"), SCMP_ARCH_S390X);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_RISCV64"), SCMP_ARCH_RISCV64);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_VAX"), 0);
  assert_int_equal(cove_seccomp_arch_token("x86_64"), 0);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_NATIVE"), 0);
  assert_int_equal(cove_seccomp_arch_token("SCMP_ARCH_"), 0);

  assert_int_equal(cove_seccomp_flag_value("SECCOMP_FILTER_FLAG_LOG", &f), 0);
  assert_int_equal(f, SECCOMP_FILTER_FLAG_LOG);
  assert_int_equal(cove_seccomp_flag_value("SECCOMP_FILTER_FLAG_SPEC_ALLOW", &f), 0);
  assert_int_equal(f, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  assert_int_equal(cove_seccomp_flag_value("SECCOMP_FILTER_FLAG_TSYNC", &f), 0);
  assert_int_equal(f, SECCOMP_FILTER_FLAG_TSYNC);
  assert_int_equal(cove_seccomp_flag_value("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", &f), 0);
  assert_int_equal(f, 1u << 5);
  assert_int_equal(cove_seccomp_flag_value("SECCOMP_FILTER_FLAG_NEW_LISTENER", &f), -1);
  assert_true(cove_seccomp_flag_supported("SECCOMP_FILTER_FLAG_LOG")); /* kernel >= 4.14 */
  assert_false(cove_seccomp_flag_supported("SECCOMP_FILTER_FLAG_NEW_LISTENER"));
  assert_false(cove_seccomp_flag_supported("bogus"));
}

/* ---- compile: errors and skips ---- */

static void test_unknown_syscall_skipped(void **state)
{
  struct section s;
  char *msg = NULL;
  (void) state;

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"no_such_syscall_cove", "getppid"}, .action = OCI_SECCOMP_ACT_ERRNO});
  assert_int_equal(compile_err(&s, &msg), 0);
  assert_null(msg);
}

static void expect_error(struct section *s, const char *needle)
{
  char *msg = NULL;
  assert_int_equal(compile_err(s, &msg), -1);
  assert_non_null(msg);
  if (!strstr(msg, needle))
    fail_msg("error `%s` does not contain `%s`", msg, needle);
  free(msg);
}

static void test_bad_inputs_name_the_entry(void **state)
{
  struct section s;
  (void) state;

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO});
  section_add(&s, &(struct rule_spec){.names = {"getpid"}, .action = OCI_SECCOMP_ACT_LOG, .errno_set = true, .errno_ret = 5});
  expect_error(&s, ".linux.seccomp.syscalls[1].errnoRet: errnoRet is only valid");

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = (enum oci_seccomp_action) 77});
  expect_error(&s, ".linux.seccomp.syscalls[0].action: unknown action");

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO, .nargs = 1,
                                      .args = {{.index = 6, .op = OCI_SECCOMP_OP_EQ}}});
  expect_error(&s, ".linux.seccomp.syscalls[0].args[0].index: 6 is not below 6");

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO, .nargs = 2,
                                      .args = {{.index = 0}, {.index = 1, .op = (enum oci_seccomp_op) 9}}});
  expect_error(&s, ".linux.seccomp.syscalls[0].args[1].op: unknown operator");

  /* more than six conditions can only mean a repeated argument: split, not an error */
  {
    struct oci_seccomp_arg many[8];
    char *msg = NULL;
    for (size_t j = 0; j < ARRAY_SIZE(many); j++)
      many[j] = (struct oci_seccomp_arg){.index = 0, .value = j, .op = OCI_SECCOMP_OP_EQ};
    section_init(&s, OCI_SECCOMP_ACT_ALLOW);
    section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO});
    s.rules[0].args = many;
    s.rules[0].args_len = ARRAY_SIZE(many);
    assert_int_equal(compile_err(&s, &msg), 0);
    assert_null(msg);
  }

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_arches(&s, "SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11", NULL);
  expect_error(&s, ".linux.seccomp.architectures[1]: unknown architecture `SCMP_ARCH_PDP11`");

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_flag(&s, "SECCOMP_FILTER_FLAG_BOGUS");
  expect_error(&s, ".linux.seccomp.flags[0]: unknown flag");

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  s.sc.default_errno_ret = (struct oci_opt_u64){true, 1};
  expect_error(&s, ".linux.seccomp.defaultErrnoRet: errnoRet is only valid");

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_NOTIFY});
  expect_error(&s, ".linux.seccomp.listenerPath: required");

  section_init(&s, OCI_SECCOMP_ACT_NOTIFY);
  s.sc.listener_path = "/x";
  expect_error(&s, ".linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default");

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {NULL}, .action = OCI_SECCOMP_ACT_ERRNO});
  expect_error(&s, ".linux.seccomp.syscalls[0].names: must list");
}

static void test_flags_compiled(void **state)
{
  struct section s;
  struct cove_seccomp_prog p;
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO});
  section_flag(&s, "SECCOMP_FILTER_FLAG_LOG");
  section_flag(&s, "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  section_flag(&s, "SECCOMP_FILTER_FLAG_TSYNC");
  section_flag(&s, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"); /* no notify: ignored */
  assert_int_equal(cove_seccomp_compile(&s.sc, &p, &err), 0);
  assert_int_equal(p.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_TSYNC);
  assert_false(p.notify);
  cove_seccomp_prog_release(&p);

  /* with a listener: TSYNC dropped, WAIT_KILLABLE_RECV kept (kernel >= 5.19) */
  section_add(&s, &(struct rule_spec){.names = {"mkdir"}, .action = OCI_SECCOMP_ACT_NOTIFY});
  s.sc.listener_path = "/run/agent.sock";
  assert_int_equal(cove_seccomp_compile(&s.sc, &p, &err), 0);
  assert_true(p.notify);
  assert_int_equal(p.flags & SECCOMP_FILTER_FLAG_TSYNC, 0);
  assert_int_not_equal(p.flags & (1u << 5), 0);
  cove_seccomp_prog_release(&p);
}

/* ---- installed behaviour ---- */

static int call_getppid_errno(void *arg)
{
  long want = (long) (intptr_t) arg;
  errno = 0;
  if (syscall(SYS_getppid) != -1)
    return 1;
  return errno == want ? 0 : 2;
}

static void test_errno_action_and_default_errno(void **state)
{
  struct section s;
  (void) state;

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO, .errno_set = true, .errno_ret = 42});
  assert_exit(run_filtered(&s, call_getppid_errno, (void *) (intptr_t) 42), 0);

  /* errnoRet absent: EPERM */
  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO});
  assert_exit(run_filtered(&s, call_getppid_errno, (void *) (intptr_t) EPERM), 0);

  /* the default action with defaultErrnoRet, everything needed to exit allowed */
  section_init(&s, OCI_SECCOMP_ACT_ERRNO);
  s.sc.default_errno_ret = (struct oci_opt_u64){true, ENOSYS};
  section_add(&s, &(struct rule_spec){.names = {"exit_group", "exit"}, .action = OCI_SECCOMP_ACT_ALLOW});
  assert_exit(run_filtered(&s, call_getppid_errno, (void *) (intptr_t) ENOSYS), 0);
}

static int call_getppid(void *arg)
{
  (void) arg;
  syscall(SYS_getppid);
  return 0;
}

static void test_kill_trap_actions(void **state)
{
  static const enum oci_seccomp_action acts[] = {OCI_SECCOMP_ACT_KILL, OCI_SECCOMP_ACT_KILL_THREAD,
                                                 OCI_SECCOMP_ACT_KILL_PROCESS, OCI_SECCOMP_ACT_TRAP};
  (void) state;

  for (size_t i = 0; i < ARRAY_SIZE(acts); i++) {
    struct section s;
    int st;
    section_init(&s, OCI_SECCOMP_ACT_ALLOW);
    section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = acts[i]});
    st = run_filtered(&s, call_getppid, NULL);
    if (!WIFSIGNALED(st))
      fail_msg("%s: child was not killed (status %#x)", cove_seccomp_action_name(acts[i]), st);
    assert_int_equal(WTERMSIG(st), SIGSYS);
  }
}

static int call_getppid_ok(void *arg)
{
  (void) arg;
  return syscall(SYS_getppid) > 0 ? 0 : 1;
}

static void test_log_and_trace_actions(void **state)
{
  struct section s;
  (void) state;

  /* LOG allows (the audit record is checked by the bats suite) */
  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_LOG});
  assert_exit(run_filtered(&s, call_getppid_ok, NULL), 0);

  /* TRACE without a tracer: the kernel fails the call with ENOSYS */
  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_TRACE, .errno_set = true, .errno_ret = 9});
  assert_exit(run_filtered(&s, call_getppid_errno, (void *) (intptr_t) ENOSYS), 0);
}

struct op_case {
  enum oci_seccomp_op op;
  uint64_t value, value_two;
  uint64_t hit, miss; /* arg0 that matches / does not */
};

static int call_op_case(void *arg)
{
  const struct op_case *c = arg;
  errno = 0;
  if (syscall(SYS_getppid, c->hit) != -1 || errno != 77)
    return 1;
  if (syscall(SYS_getppid, c->miss) <= 0)
    return 2;
  return 0;
}

static void test_every_operator(void **state)
{
  static const struct op_case cases[] = {
    {OCI_SECCOMP_OP_NE, 5, 0, 6, 5},
    {OCI_SECCOMP_OP_LT, 5, 0, 4, 5},
    {OCI_SECCOMP_OP_LE, 5, 0, 5, 6},
    {OCI_SECCOMP_OP_EQ, 5, 0, 5, 4},
    {OCI_SECCOMP_OP_GE, 5, 0, 5, 4},
    {OCI_SECCOMP_OP_GT, 5, 0, 6, 5},
    {OCI_SECCOMP_OP_MASKED_EQ, 0xf0, 0x30, 0x1234, 0x1244},
    /* the full 64-bit range survives (values above INT64_MAX) */
    {OCI_SECCOMP_OP_EQ, 0xfffffffffffffff0ull, 0, 0xfffffffffffffff0ull, 0xfffffffffffffff1ull},
  };
  (void) state;

  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct section s;
    section_init(&s, OCI_SECCOMP_ACT_ALLOW);
    section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO, .errno_set = true, .errno_ret = 77, .nargs = 1, .args =
                                        {{.index = 0,
                                          .value = cases[i].value,
                                          .value_two = {cases[i].op == OCI_SECCOMP_OP_MASKED_EQ, cases[i].value_two},
                                          .op = cases[i].op}}});
    int st = run_filtered(&s, call_op_case, (void *) &cases[i]);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
      fail_msg("operator case %zu failed (status %#x)", i, st);
  }
}

struct two_args {
  uint64_t a0, a1;
  int want_errno; /* 0: allowed */
};

static int call_two_args(void *arg)
{
  const struct two_args *t = arg;
  long r;
  errno = 0;
  r = syscall(SYS_getppid, t->a0, t->a1);
  if (t->want_errno)
    return r == -1 && errno == t->want_errno ? 0 : 1;
  return r > 0 ? 0 : 2;
}

/* Conditions of one entry are ANDed (runtime-spec; libseccomp's semantics). */
static void test_conditions_are_anded(void **state)
{
  static const struct two_args cases[] = {{1, 2, 77}, {1, 3, 0}, {0, 2, 0}};
  (void) state;
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct section s;
    section_init(&s, OCI_SECCOMP_ACT_ALLOW);
    section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO, .errno_set = true, .errno_ret = 77, .nargs = 2, .args =
                                        {{.index = 0, .value = 1, .op = OCI_SECCOMP_OP_EQ},
                                         {.index = 1, .value = 2, .op = OCI_SECCOMP_OP_EQ}}});
    assert_exit(run_filtered(&s, call_two_args, (void *) &cases[i]), 0);
  }
}

/* Two conditions on one argument cannot be ANDed by libseccomp: as runc does, each becomes its
 * own rule (OR). */
static void test_same_argument_twice_is_ored(void **state)
{
  static const struct two_args cases[] = {{3, 0, 77}, {9, 0, 77}, {5, 0, 0}};
  (void) state;
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    struct section s;
    section_init(&s, OCI_SECCOMP_ACT_ALLOW);
    section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO, .errno_set = true,
                                        .errno_ret = 77, .nargs = 2,
                                        .args = {{.index = 0, .value = 3, .op = OCI_SECCOMP_OP_EQ},
                                                 {.index = 0, .value = 9, .op = OCI_SECCOMP_OP_EQ}}});
    assert_exit(run_filtered(&s, call_two_args, (void *) &cases[i]), 0);
  }
}

static void test_multiple_arches(void **state)
{
  struct section s;
  struct cove_seccomp_prog one, three;
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid", "socketcall"}, .action = OCI_SECCOMP_ACT_ERRNO, .errno_set = true, .errno_ret = 42});
  assert_int_equal(cove_seccomp_compile(&s.sc, &one, &err), 0);
  section_arches(&s, "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
  assert_int_equal(cove_seccomp_compile(&s.sc, &three, &err), 0);
  /* the other arches add their own sections to the program */
  assert_true(three.len > one.len);
  cove_seccomp_prog_release(&one);
  cove_seccomp_prog_release(&three);
  assert_exit(run_filtered(&s, call_getppid_errno, (void *) (intptr_t) 42), 0);
}

static int call_install_without_nnp(void *arg)
{
  (void) arg;
  return 0;
}

static void test_install_needs_nnp_or_sys_admin(void **state)
{
  struct section s;
  struct cove_seccomp_prog p;
  struct cove_error err = COVE_ERROR_INIT;
  pid_t pid;
  int st;
  (void) state;

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_ERRNO});
  assert_int_equal(cove_seccomp_compile(&s.sc, &p, &err), 0);
  pid = fork();
  if (pid == 0) {
    int nfd;
    /* root here: CAP_SYS_ADMIN stands in for no_new_privs */
    if (cove_seccomp_install(&p, &nfd, &err) < 0)
      _exit(1);
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
      _exit(2); /* and install did not set nnp behind our back */
    _exit(call_getppid_errno((void *) (intptr_t) EPERM) == 0 ? call_install_without_nnp(NULL) : 3);
  }
  cove_seccomp_prog_release(&p);
  assert_int_equal(waitpid(pid, &st, 0), pid);
  if (geteuid() != 0)
    skip();
  assert_exit(st, 0);
}

/* ---- notify round trip: the child installs, sends its fd to us, then blocks in getppid ---- */

struct notify_ctx {
  struct cove_seccomp_prog *prog;
  const char *path;
};

static void test_notify_round_trip(void **state)
{
  struct section s;
  struct cove_seccomp_prog p;
  struct cove_error err = COVE_ERROR_INIT;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  char dir[] = "/tmp/cove-notify.XXXXXX", buf[4096];
  _cleanup_close_ int lsock = -1, conn = -1, nfd = -1;
  pid_t pid;
  int st;
  (void) state;

  assert_non_null(mkdtemp(dir));
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s/agent.sock", dir);
  lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(lsock >= 0);
  assert_int_equal(bind(lsock, (struct sockaddr *) &addr, sizeof addr), 0);
  assert_int_equal(listen(lsock, 1), 0);

  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  section_add(&s, &(struct rule_spec){.names = {"getppid"}, .action = OCI_SECCOMP_ACT_NOTIFY});
  s.sc.listener_path = addr.sun_path;
  assert_int_equal(cove_seccomp_compile(&s.sc, &p, &err), 0);
  assert_true(p.notify);

  pid = fork();
  if (pid == 0) {
    int fd;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || cove_seccomp_install(&p, &fd, &err) < 0 || fd < 0)
      _exit(10);
    if (cove_seccomp_send_listener_full(addr.sun_path, fd, getpid(), "meta=1",
                                        "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":1}",
                                        &err) < 0)
      _exit(11);
    close(fd);
    _exit(syscall(SYS_getppid) == 4242 ? 0 : 12);
  }
  cove_seccomp_prog_release(&p);

  conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
  assert_true(conn >= 0);
  {
    union {
      char b[CMSG_SPACE(sizeof(int))];
      struct cmsghdr a;
    } u;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf - 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(c);
    assert_int_equal(c->cmsg_type, SCM_RIGHTS);
    memcpy(&nfd, CMSG_DATA(c), sizeof nfd);
  }
  assert_non_null(strstr(buf, "\"fds\":[\"seccompFd\"]"));
  assert_non_null(strstr(buf, "\"metadata\":\"meta=1\""));
  assert_non_null(strstr(buf, "\"state\":{\"ociVersion\":\"1.3.0\",\"id\":\"c1\""));
  {
    struct seccomp_notif req;
    struct seccomp_notif_resp resp;
    memset(&req, 0, sizeof req);
    assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
    assert_int_equal(req.pid, pid);
    assert_int_equal(req.data.nr, SYS_getppid);
    memset(&resp, 0, sizeof resp);
    resp.id = req.id;
    resp.val = 4242;
    assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
  }
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_exit(st, 0);
  unlink(addr.sun_path);
  rmdir(dir);
}

static void test_send_listener_errors(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;
  assert_int_equal(cove_seccomp_send_listener("/nonexistent/cove.sock", 0, "{\"pid\":3}", &err), -1);
  assert_non_null(strstr(err.msg, "seccomp listener `/nonexistent/cove.sock`: connect"));
  cove_error_release(&err);
}

/* ---- the default profile of `cove spec` ---- */

static int default_profile_workload(void *arg)
{
  (void) arg;
  /* ordinary calls work */
  if (syscall(SYS_getppid) <= 0 || getpid() <= 0)
    return 1;
  pid_t c = fork(); /* clone without namespace flags */
  if (c < 0)
    return 2;
  if (c == 0)
    _exit(0);
  waitpid(c, NULL, 0);
  /* the container escapes are EPERM */
  errno = 0;
  if (unshare(CLONE_NEWNS) != -1 || errno != EPERM)
    return 3;
  errno = 0;
  if (mount("none", "/tmp", "tmpfs", 0, NULL) != -1 || errno != EPERM)
    return 4;
  errno = 0;
  if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, 0) != -1 || errno != EPERM)
    return 5;
  errno = 0;
  if (syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0) != -1 || errno != EPERM)
    return 6;
  /* clone3 is ENOSYS so libc falls back to clone, whose flags seccomp can see */
  errno = 0;
  if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
    return 7;
  errno = 0;
  if (syscall(SYS_unshare, CLONE_NEWUSER) != -1 || errno != EPERM)
    return 8;
  return 0;
}

static void test_default_profile_parses_and_compiles(void **state)
{
  const char *profile = oci_default_seccomp_profile();
  _cleanup_free_ char *doc = NULL;
  struct oci_config *cfg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_seccomp_prog p;
  struct section s;
  (void) state;

  assert_non_null(profile);
  doc = xasprintf("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
                  "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
                  "\"linux\":{\"seccomp\":%s}}",
                  profile);
  if (oci_config_parse("config.json", doc, strlen(doc), &cfg, &err) < 0)
    fail_msg("parse: %s", cove_error_msg(&err));
  assert_non_null(cfg->linux_);
  assert_non_null(cfg->linux_->seccomp);
  assert_int_equal(cfg->linux_->seccomp->default_action, OCI_SECCOMP_ACT_ERRNO);
  assert_true(cfg->linux_->seccomp->default_errno_ret.set);
  assert_int_equal(cfg->linux_->seccomp->default_errno_ret.v, EPERM);
  if (cove_seccomp_compile(cfg->linux_->seccomp, &p, &err) < 0)
    fail_msg("compile: %s", cove_error_msg(&err));
  cove_seccomp_prog_release(&p);

  /* run a workload under it (struct copy: run_filtered compiles again) */
  section_init(&s, OCI_SECCOMP_ACT_ALLOW);
  s.sc = *cfg->linux_->seccomp;
  assert_exit(run_filtered(&s, default_profile_workload, NULL), 0);
  oci_config_free(cfg);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_action_mapping),
    cmocka_unit_test(test_op_mapping),
    cmocka_unit_test(test_arch_and_flag_mapping),
    cmocka_unit_test(test_unknown_syscall_skipped),
    cmocka_unit_test(test_bad_inputs_name_the_entry),
    cmocka_unit_test(test_flags_compiled),
    cmocka_unit_test(test_errno_action_and_default_errno),
    cmocka_unit_test(test_kill_trap_actions),
    cmocka_unit_test(test_log_and_trace_actions),
    cmocka_unit_test(test_every_operator),
    cmocka_unit_test(test_conditions_are_anded),
    cmocka_unit_test(test_same_argument_twice_is_ored),
    cmocka_unit_test(test_multiple_arches),
    cmocka_unit_test(test_install_needs_nnp_or_sys_admin),
    cmocka_unit_test(test_notify_round_trip),
    cmocka_unit_test(test_send_listener_errors),
    cmocka_unit_test(test_default_profile_parses_and_compiles),
  };
  return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
