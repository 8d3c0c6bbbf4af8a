/* test_rootless.c: unit tests of the rootless pieces: /etc/subuid parsing and range cover
 * (runtime/userns.c), which resources count as asked-for limits and where a rootless cgroup
 * goes (cgroups/rootless.c), the rootless flag in the cgroup state text, and the linux.devices
 * check for when device rules cannot be applied. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroups/cgroups.h"
#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"

/* ---- /etc/subuid ---- */

static void test_subid_parse(void **state)
{
  static const char text[] = "alice:100000:65536\n"
                             "bob:165536:65536\n"
                             "# a comment line is no entry\n"
                             "1000:300000:10\n"
                             "alice:400000:5\n"
                             "alice:bad:5\n"
                             "alice:500000:0\n"
                             "alice:1:2:3\n"
                             "alice:4294967295:2\n";
  _cleanup_free_ struct subid_range *r = NULL;
  size_t n = 9;
  (void) state;
  /* by name and by uid; malformed, empty, extra-field and overflowing lines are skipped */
  assert_int_equal(subid_parse(text, "alice", 1000, &r, &n), 0);
  assert_int_equal(n, 3);
  assert_int_equal(r[0].start, 100000);
  assert_int_equal(r[0].count, 65536);
  assert_int_equal(r[1].start, 300000);
  assert_int_equal(r[1].count, 10);
  assert_int_equal(r[2].start, 400000);
  free(r);
  r = NULL;
  /* a nameless caller (no passwd entry) matches by uid only */
  assert_int_equal(subid_parse(text, NULL, 1000, &r, &n), 0);
  assert_int_equal(n, 1);
  free(r);
  r = NULL;
  assert_int_equal(subid_parse(text, "carol", 1002, &r, &n), 0);
  assert_int_equal(n, 0);
  assert_null(r);
  assert_int_equal(subid_parse(NULL, "alice", 1000, &r, &n), 0);
  assert_int_equal(n, 0);
}

static void test_subid_covers(void **state)
{
  /* two lines that meet, one apart */
  const struct subid_range r[] = {{100000, 1000}, {101000, 1000}, {200000, 10}};
  (void) state;
  assert_true(subid_covers(r, 3, 100000, 1000));
  assert_true(subid_covers(r, 3, 100000, 2000)); /* across the two that meet */
  assert_true(subid_covers(r, 3, 100500, 1500));
  assert_false(subid_covers(r, 3, 100000, 2001));
  assert_false(subid_covers(r, 3, 99999, 2));
  assert_true(subid_covers(r, 3, 200009, 1));
  assert_false(subid_covers(r, 3, 200009, 2));
  assert_false(subid_covers(r, 3, 101999, 198002)); /* the gap */
  assert_false(subid_covers(NULL, 0, 1, 1));
}

/* ---- limits asked for ---- */

static void test_limit_asked(void **state)
{
  struct oci_memory empty_mem = {0}, mem = {.limit = {true, -1}};
  struct oci_cpu empty_cpu = {0}, cpus = {.cpus = "0"};
  struct oci_blkio empty_io = {0}, io = {.weight = {true, 100}};
  struct oci_device_cgroup dev = {.allow = false, .access = "rwm"};
  struct oci_kv kv = {"memory.high", "max"};
  struct oci_resources r = {0};
  (void) state;
  assert_null(cg_rootless_limit_asked(NULL));
  assert_null(cg_rootless_limit_asked(&r));
  /* device rules and empty objects ask for nothing (engines send both) */
  r.devices = &dev;
  r.devices_len = 1;
  r.memory = &empty_mem;
  r.cpu = &empty_cpu;
  r.block_io = &empty_io;
  assert_null(cg_rootless_limit_asked(&r));
  r.block_io = &io;
  assert_string_equal(cg_rootless_limit_asked(&r), "blockIO");
  r.cpu = &cpus;
  assert_string_equal(cg_rootless_limit_asked(&r), "cpu");
  /* "unlimited" is still a value for the controller */
  r.memory = &mem;
  assert_string_equal(cg_rootless_limit_asked(&r), "memory");
  memset(&r, 0, sizeof(r));
  r.pids_limit = (struct oci_opt_i64){true, 0};
  assert_string_equal(cg_rootless_limit_asked(&r), "pids");
  memset(&r, 0, sizeof(r));
  r.unified = &kv;
  r.unified_len = 1;
  assert_string_equal(cg_rootless_limit_asked(&r), "unified");
}

static void expect_missing(const struct oci_resources *r, const char *have, const char *field, const char *ctrl)
{
  const char *f = NULL;
  char c[64] = "";
  bool missing = cg_rootless_missing_controller(r, have, &f, c, sizeof(c));
  if (!field) {
    if (missing)
      fail_msg("with `%s`: %s (%s) reported missing", have, c, f);
    return;
  }
  if (!missing)
    fail_msg("with `%s`: nothing missing, expected %s", have, ctrl);
  assert_string_equal(f, field);
  assert_string_equal(c, ctrl);
}

static void test_missing_controller(void **state)
{
  struct oci_memory mem = {.limit = {true, 64 << 20}};
  struct oci_cpu shares = {.shares = {true, 512}}, cpus = {.cpus = "0"};
  struct oci_blkio io = {.weight = {true, 100}};
  struct oci_kv kv[] = {{"cgroup.max.depth", "4"}, {"hugetlb.2MB.max", "0"}};
  struct oci_resources r = {0};
  (void) state;
  /* what a user's manager gets by default (runc's doc: memory pids) */
  expect_missing(NULL, "memory pids", NULL, NULL);
  expect_missing(&r, "", NULL, NULL);
  r.memory = &mem;
  r.pids_limit = (struct oci_opt_i64){true, 32};
  expect_missing(&r, "memory pids", NULL, NULL);
  /* a word, not a substring: "pids" is not in "xpids" */
  expect_missing(&r, "memory xpids", "pids", "pids");
  expect_missing(&r, "pids", "memory", "memory");
  /* cpu.cpus and cpu.mems are the cpuset's, the rest of cpu is cpu's */
  r.cpu = &cpus;
  expect_missing(&r, "cpu memory pids", "cpu.cpus", "cpuset");
  expect_missing(&r, "cpuset memory pids", NULL, NULL);
  r.cpu = &shares;
  expect_missing(&r, "cpuset memory pids", "cpu", "cpu");
  r.cpu = NULL;
  r.block_io = &io;
  expect_missing(&r, "memory pids", "blockIO", "io");
  r.block_io = NULL;
  /* unified keys by their prefix; cgroup.* is the core's */
  r.unified = kv;
  r.unified_len = 1;
  expect_missing(&r, "memory pids", NULL, NULL);
  r.unified_len = 2;
  expect_missing(&r, "memory pids", "unified", "hugetlb");
}

/* ---- where a rootless v2 cgroup goes ---- */

static char *own_parent(void)
{
  _cleanup_free_ char *data = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  char *l, *slash;
  if (read_file("/proc/self/cgroup", 65536, &data, NULL, &err) < 0)
    fail_msg("%s", err.msg);
  l = strstr(data, "0::");
  assert_non_null(l);
  l += 3;
  l[strcspn(l, "\n")] = '\0';
  slash = strrchr(l, '/');
  *slash = '\0';
  return xstrdup(l);
}

static void test_rootless_path(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *parent = own_parent(), *p = NULL, *want = NULL;
  (void) state;
  assert_int_equal(cg_rootless_resolve_path(NULL, "web", &p, &err), 0);
  want = xasprintf("%s/cove/web", parent);
  assert_string_equal(p, want);
  free(p);
  free(want);
  assert_int_equal(cg_rootless_resolve_path("a//b/", "web", &p, &err), 0);
  want = xasprintf("%s/a/b", parent);
  assert_string_equal(p, want);
  free(p);
  p = NULL;
  /* absolute: from the hierarchy's root, as for root */
  assert_int_equal(cg_rootless_resolve_path("/x/y", "web", &p, &err), 0);
  assert_string_equal(p, "/x/y");
  free(p);
  p = NULL;
  assert_int_equal(cg_rootless_resolve_path("a/../b", "web", &p, &err), -1);
  assert_non_null(strstr(err.msg, "`..`"));
  cove_error_release(&err);
}

static void test_state_text(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL, *plain = NULL;
  _cleanup_free_ char *text = NULL, *text2 = NULL;
  (void) state;
  assert_int_equal(cgroup_load("cove-cgroup 1\nmode unified\nroot /nonexistent-cove\npath /u/cove/x\nhier 2 -\n"
                               "rootless 1\n", &cg, &err),
                   0);
  assert_true(cg->rootless);
  text = cgroup_serialize(cg);
  assert_non_null(strstr(text, "\nrootless 1\n"));
  assert_int_equal(cgroup_load("cove-cgroup 1\nmode unified\nroot /nonexistent-cove\npath /u/cove/x\nhier 2 -\n",
                               &plain, &err),
                   0);
  assert_false(plain->rootless);
  text2 = cgroup_serialize(plain);
  assert_null(strstr(text2, "rootless"));
}

/* ---- linux.devices without device rules ---- */

static void test_check_devices(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_device kmsg = {.type = "c", .path = "/dev/kmsg", .major = 1, .minor = 11};
  struct oci_device tun = {.type = "c", .path = "/dev/net/tun", .major = 10, .minor = 200};
  struct oci_device fifo = {.type = "p", .path = "/dev/myfifo"};
  struct oci_device_cgroup rules[] = {
    {.allow = false, .access = "rwm"},
    {.allow = true, .type = "c", .major = {true, 1}, .minor = {true, 11}, .access = "r"},
    {.allow = true, .type = "c", .major = {true, 1}, .minor = {true, 11}, .access = "w"},
  };
  struct oci_resources res = {.devices = rules, .devices_len = 1};
  (void) state;
  /* runc's default list has tun; a fifo is no device of the rules */
  assert_int_equal(cg_rootless_check_devices(NULL, &tun, 1, &err), 0);
  assert_int_equal(cg_rootless_check_devices(&res, &fifo, 1, &err), 0);
  /* deny-all keeps /dev/kmsg closed under root: rootless cannot, so it is refused */
  assert_int_equal(cg_rootless_check_devices(&res, &kmsg, 1, &err), -1);
  assert_non_null(strstr(err.msg, "linux.devices[0] (/dev/kmsg, c 1:11)"));
  assert_non_null(strstr(err.msg, "cannot enforce device rules"));
  cove_error_release(&err);
  /* read only: still not what the host's node gives */
  res.devices_len = 2;
  assert_int_equal(cg_rootless_check_devices(&res, &kmsg, 1, &err), -1);
  cove_error_release(&err);
  res.devices_len = 3;
  assert_int_equal(cg_rootless_check_devices(&res, &kmsg, 1, &err), 0);
  /* no rules at all: only the defaults */
  assert_int_equal(cg_rootless_check_devices(NULL, &kmsg, 1, &err), -1);
  cove_error_release(&err);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_subid_parse),      cmocka_unit_test(test_subid_covers),
    cmocka_unit_test(test_limit_asked),      cmocka_unit_test(test_missing_controller),
    cmocka_unit_test(test_rootless_path),
    cmocka_unit_test(test_state_text),       cmocka_unit_test(test_check_devices),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
