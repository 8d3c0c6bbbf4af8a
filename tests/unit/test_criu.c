/* test_criu.c: unit tests of checkpoint/restore's pure logic: the one line quoted from CRIU's
 * log, the values of --manage-cgroups-mode and --empty-ns, the request builder's repeated
 * fields, and the network plan with the address saved at checkpoint. */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "netns/plan.h"
#include "runtime/criu/criu.h"

static char *log_of(const char *text)
{
  char tmpl[] = "/tmp/cove-criu-log.XXXXXX";
  int fd = mkstemp(tmpl);
  char *out;
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
  close(fd);
  out = criu_log_first_error(tmpl);
  unlink(tmpl);
  return out;
}

static void test_log_first_error(void **state)
{
  (void) state;
  _cleanup_free_ char *a = log_of("(00.000100) Version: 3.17.1\n"
                                  "(00.002000) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
                                  "(00.002010) Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\n"
                                  "(00.003000) Error (criu/cr-dump.c:2053): Dumping FAILED.\n");
  assert_string_equal(a, "vdso: Unexpected rt vDSO area bounds (criu/vdso.c:381)");
  /* a restore log prefixes the task's pid */
  _cleanup_free_ char *b = log_of("(00.1) 1: Restoring\n(00.2)      1: Error (criu/files-reg.c:2135): Can't open file x\n");
  assert_string_equal(b, "Can't open file x (criu/files-reg.c:2135)");
  /* CRIU carries on after this one: the real cause follows */
  _cleanup_free_ char *c = log_of(
      "(01.0) Error (criu/page-xfer.c:392): page-xfer: No parent image found, though parent directory is set: No such file or directory\n"
      "(02.0) Error (criu/libnetlink.c:54): -22 reported by netlink: Invalid argument\n");
  assert_string_equal(c, "-22 reported by netlink: Invalid argument (criu/libnetlink.c:54)");
  _cleanup_free_ char *d = log_of("(00.1) all fine\n");
  assert_null(d);
  assert_null(criu_log_first_error("/nonexistent/dump.log"));
}

static void test_cg_mode(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  CriuCgMode m;
  (void) state;
  assert_int_equal(criu_cg_mode(NULL, &m, &err), 0);
  assert_int_equal(m, CRIU_CG_MODE__DEFAULT);
  assert_int_equal(criu_cg_mode("soft", &m, &err), 0);
  assert_int_equal(m, CRIU_CG_MODE__SOFT);
  assert_int_equal(criu_cg_mode("full", &m, &err), 0);
  assert_int_equal(m, CRIU_CG_MODE__FULL);
  assert_int_equal(criu_cg_mode("strict", &m, &err), 0);
  assert_int_equal(m, CRIU_CG_MODE__STRICT);
  assert_int_equal(criu_cg_mode("ignore", &m, &err), 0);
  assert_int_equal(m, CRIU_CG_MODE__IGNORE);
  assert_int_equal(criu_cg_mode("props", &m, &err), -1);
  assert_string_equal(err.msg, "--manage-cgroups-mode: expected soft, full, strict or ignore, got `props`");
  cove_error_release(&err);
}

static void test_empty_ns(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  const char *net[] = {"network"}, *bad[] = {"network", "pid"};
  unsigned int flags;
  (void) state;
  assert_int_equal(criu_empty_ns(NULL, 0, &flags, &err), 0);
  assert_int_equal(flags, 0);
  assert_int_equal(criu_empty_ns(net, 1, &flags, &err), 0);
  assert_int_equal(flags, CLONE_NEWNET);
  assert_int_equal(criu_empty_ns(bad, 2, &flags, &err), -1);
  assert_string_equal(err.msg, "--empty-ns: namespace `pid` is not supported (only network)");
  cove_error_release(&err);
}

static void test_request(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct criu_request r;
  int fd = dup(0);
  uint8_t buf[4096];
  size_t len;
  CriuReq *back;
  (void) state;

  criu_request_init(&r, CRIU_REQ_TYPE__RESTORE, true);
  criu_request_add_ext_mount(&r, "/data", "/srv/data");
  criu_request_add_external(&r, "net[%lu]:%s", 4026531992UL, CRIU_EXT_NETNS);
  criu_request_add_veth(&r, "eth0", "cv0123456789ab");
  criu_request_add_cg_root(&r, NULL, "/cove/c1");
  criu_request_inherit_stdio(&r, 1, "pipe:[42]");
  assert_int_equal(criu_request_pass_fd(&r, fd, CRIU_EXT_PIDNS, &err), 0);
  len = criu_req__get_packed_size(&r.req);
  assert_true(len < sizeof(buf));
  criu_req__pack(&r.req, buf);
  back = criu_req__unpack(NULL, len, buf);
  assert_non_null(back);
  assert_int_equal(back->type, CRIU_REQ_TYPE__RESTORE);
  assert_int_equal(back->opts->n_ext_mnt, 1);
  assert_string_equal(back->opts->ext_mnt[0]->val, "/srv/data");
  assert_string_equal(back->opts->external[0], "net[4026531992]:extRootNetNS");
  assert_string_equal(back->opts->veths[0]->if_out, "cv0123456789ab");
  assert_null(back->opts->cg_root[0]->ctrl);
  /* stdio keys are criu's own fds, passed fds come after the socket (fd 3) */
  assert_int_equal(back->opts->n_inherit_fd, 2);
  assert_int_equal(back->opts->inherit_fd[0]->fd, 1);
  assert_int_equal(back->opts->inherit_fd[1]->fd, CRIU_FIRST_INHERIT_FD);
  assert_string_equal(back->opts->inherit_fd[1]->key, CRIU_EXT_PIDNS);
  criu_req__free_unpacked(back, NULL);
  criu_request_release(&r);
  /* the request owned the passed fd */
  assert_int_equal(close(fd), -1);
}

static void test_plan_with_addr(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_kv kv[] = {{"run.cove.net.bridge", "br0"},
                        {"run.cove.net.address", "auto"},
                        {"run.cove.net.gateway", "10.89.0.1/24"}};
  struct netns_plan *p = NULL, *q;
  char s[64];
  (void) state;

  assert_int_equal(netns_plan_build(kv, 3, NULL, 0, &p, &err), 0);
  assert_true(p->auto_v4);
  q = netns_plan_with_addr(p, "10.89.0.7/24", &err);
  assert_non_null(q);
  assert_false(q->auto_v4);
  assert_int_equal(q->addrs_len, p->addrs_len + 1);
  netns_format_ip(&q->addrs[q->addrs_len - 1], true, s, sizeof(s));
  assert_string_equal(s, "10.89.0.7/24");
  free(q);
  /* nothing saved: auto stays */
  q = netns_plan_with_addr(p, "", &err);
  assert_true(q->auto_v4);
  free(q);
  assert_null(netns_plan_with_addr(p, "fd00::1/64", &err));
  assert_non_null(strstr(err.msg, "not IPv4"));
  cove_error_release(&err);
  assert_null(netns_plan_with_addr(p, "garbage", &err));
  cove_error_release(&err);
  netns_plan_free(p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_log_first_error),
      cmocka_unit_test(test_cg_mode),
      cmocka_unit_test(test_empty_ns),
      cmocka_unit_test(test_request),
      cmocka_unit_test(test_plan_with_addr),
  };
  return cmocka_run_group_tests_name("criu", tests, NULL, NULL);
}
