/* test_cgroups_host.c: driver-level tests of cgroups/ against the real /sys/fs/cgroup of the
 * machine running them (needs root; skipped otherwise).  Every cgroup is made under a parent of
 * the test's own ("/cove-unit-PID") and removed; nothing else is written.
 *
 * Covers create (default, absolute, systemd paths), placement of a forked child (seen in
 * /proc/PID/cgroup), serialize/load round trips on live directories, pids, freeze/thaw, kill,
 * memory and pids limits landing in the files, the v2 eBPF device filter (on a unified leaf,
 * which hybrid hosts have too), and destroy leaving no directory in any hierarchy. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroups/cgroups.h"
#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/util.h"

static char parent[64];

static bool dir_exists(const char *p)
{
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* true when no hierarchy under /sys/fs/cgroup holds path */
static bool gone_everywhere(const char *path)
{
  static const char *const hs[] = {"", "/unified", "/memory", "/cpu", "/cpuacct", "/cpuset", "/pids",
                                   "/freezer", "/devices", "/blkio", "/systemd"};
  for (size_t i = 0; i < ARRAY_SIZE(hs); i++) {
    char p[512];
    snprintf(p, sizeof(p), "/sys/fs/cgroup%s%s", hs[i], path);
    if (dir_exists(p)) {
      fprintf(stderr, "# left behind: %s\n", p);
      return false;
    }
  }
  return true;
}

static pid_t spawn_sleeper(void)
{
  pid_t p = fork();
  if (p == 0) {
    /* busy enough to be seen, quiet enough to be cheap */
    for (;;)
      pause();
  }
  return p;
}

static void reap(pid_t p)
{
  kill(p, SIGKILL);
  waitpid(p, NULL, 0);
}

static struct oci_config *config_with(const char *cgpath, struct oci_resources *res)
{
  static struct oci_linux lx;
  static struct oci_config c;
  memset(&lx, 0, sizeof(lx));
  memset(&c, 0, sizeof(c));
  lx.cgroups_path = (char *) cgpath;
  lx.resources = res;
  c.linux_ = &lx;
  return &c;
}

static int setup(void **state)
{
  (void) state;
  if (geteuid() != 0)
    skip();
  snprintf(parent, sizeof(parent), "/cove-unit-%d", (int) getpid());
  return 0;
}

static void cleanup_parent(void)
{
  static const char *const hs[] = {"", "/unified", "/memory", "/cpu", "/cpuacct", "/cpuset", "/pids",
                                   "/freezer", "/devices", "/blkio", "/systemd"};
  for (size_t i = 0; i < ARRAY_SIZE(hs); i++) {
    char p[512];
    snprintf(p, sizeof(p), "/sys/fs/cgroup%s%s", hs[i], parent);
    rmdir(p);
  }
}

static void test_lifecycle(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL, *loaded = NULL;
  _cleanup_free_ char *text = NULL, *path = NULL, *procself = NULL, *want = NULL;
  _cleanup_free_ pid_t *pids = NULL;
  struct oci_memory mem = {.limit = {true, 64 << 20}};
  struct oci_resources res = {.memory = &mem, .pids_limit = {true, 50}};
  enum cgroup_mode mode;
  bool frozen = true;
  size_t n = 0;
  pid_t child;
  (void) state;

  if (geteuid() != 0)
    skip();
  path = xasprintf("%s/lifecycle", parent);
  assert_int_equal(cgroup_detect_mode(&mode, &err), 0);
  if (cgroup_create(config_with(path, &res), "lifecycle", false, &cg, &err) < 0)
    fail_msg("create: %s", err.msg);
  assert_string_equal(cgroup_path(cg), path);
  if (mode == CGROUP_MODE_UNIFIED)
    assert_true(cgroup_clone_fd(cg) >= 0);
  else
    assert_int_equal(cgroup_clone_fd(cg), -1);

  child = spawn_sleeper();
  assert_true(child > 0);
  if (cgroup_enter(cg, child, NULL, &err) < 0) {
    reap(child);
    fail_msg("enter: %s", err.msg);
  }
  /* placement as the kernel reports it */
  {
    char f[64];
    snprintf(f, sizeof(f), "/proc/%d/cgroup", (int) child);
    assert_int_equal(read_file(f, 65536, &procself, NULL, &err), 0);
    want = xasprintf("0::%s\n", path);
    if (mode != CGROUP_MODE_LEGACY)
      assert_non_null(strstr(procself, want));
    if (mode != CGROUP_MODE_UNIFIED) {
      free(want);
      want = xasprintf(":memory:%s\n", path);
      assert_non_null(strstr(procself, want));
    }
  }
  /* serialize / load reopen the same directories */
  text = cgroup_serialize(cg);
  assert_non_null(text);
  if (cgroup_load(text, &loaded, &err) < 0)
    fail_msg("load: %s", err.msg);
  assert_int_equal(cgroup_pids(loaded, &pids, &n, &err), 0);
  assert_int_equal(n, 1);
  assert_int_equal(pids[0], child);
  /* limits in the files */
  {
    _cleanup_free_ char *p = NULL, *v = NULL;
    p = mode == CGROUP_MODE_UNIFIED ? xasprintf("/sys/fs/cgroup%s/memory.max", path)
                                    : xasprintf("/sys/fs/cgroup/memory%s/memory.limit_in_bytes", path);
    assert_int_equal(read_file(p, 4096, &v, NULL, &err), 0);
    assert_string_equal(v, "67108864\n");
    free(p);
    free(v);
    p = mode == CGROUP_MODE_UNIFIED ? xasprintf("/sys/fs/cgroup%s/pids.max", path)
                                    : xasprintf("/sys/fs/cgroup/pids%s/pids.max", path);
    assert_int_equal(read_file(p, 4096, &v, NULL, &err), 0);
    assert_string_equal(v, "50\n");
  }
  /* freeze / thaw */
  if (cgroup_freeze(loaded, true, &err) < 0)
    fail_msg("freeze: %s", err.msg);
  assert_int_equal(cgroup_is_frozen(loaded, &frozen, &err), 0);
  assert_true(frozen);
  assert_int_equal(cgroup_freeze(loaded, false, &err), 0);
  assert_int_equal(cgroup_is_frozen(loaded, &frozen, &err), 0);
  assert_false(frozen);
  /* kill everything; the cgroup empties */
  if (cgroup_kill_all(loaded, SIGKILL, &err) < 0)
    fail_msg("kill: %s", err.msg);
  waitpid(child, NULL, 0);
  free(pids);
  pids = NULL;
  assert_int_equal(cgroup_pids(loaded, &pids, &n, &err), 0);
  assert_int_equal(n, 0);
  if (cgroup_destroy(loaded, &err) < 0)
    fail_msg("destroy: %s", err.msg);
  /* the parent was made by create too, and goes with it */
  assert_true(gone_everywhere(path));
  assert_true(gone_everywhere(parent));
  /* destroying again (cgroup removed behind cove's back) is no error */
  assert_int_equal(cgroup_destroy(cg, &err), 0);
  cleanup_parent();
}

static void test_default_and_systemd_paths(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *p = NULL;
  (void) state;
  assert_int_equal(cgroup_resolve_path(NULL, "abc", false, &p, &err), 0);
  assert_string_equal(p, "/cove/abc");
}

static void test_removed_behind_back(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL, *loaded = NULL;
  _cleanup_free_ char *text = NULL, *path = NULL;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 5;
  (void) state;

  if (geteuid() != 0)
    skip();
  path = xasprintf("%s/gone", parent);
  if (cgroup_create(config_with(path, NULL), "gone", false, &cg, &err) < 0)
    fail_msg("create: %s", err.msg);
  text = cgroup_serialize(cg);
  assert_int_equal(cgroup_destroy(cg, &err), 0);
  /* the state still describes it: load, pids, kill and destroy must not fail or crash */
  assert_int_equal(cgroup_load(text, &loaded, &err), 0);
  assert_int_equal(cgroup_pids(loaded, &pids, &n, &err), 0);
  assert_int_equal(n, 0);
  assert_int_equal(cgroup_kill_all(loaded, SIGKILL, &err), 0);
  assert_int_equal(cgroup_destroy(loaded, &err), 0);
  cleanup_parent();
}

static void test_existing_with_processes_refused(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL, *again = NULL;
  _cleanup_free_ char *path = NULL;
  pid_t child;
  (void) state;

  if (geteuid() != 0)
    skip();
  path = xasprintf("%s/busy", parent);
  if (cgroup_create(config_with(path, NULL), "busy", false, &cg, &err) < 0)
    fail_msg("create: %s", err.msg);
  child = spawn_sleeper();
  assert_int_equal(cgroup_enter(cg, child, NULL, &err), 0);
  assert_int_equal(cgroup_create(config_with(path, NULL), "busy", false, &again, &err), -1);
  assert_non_null(strstr(err.msg, "already exists with processes"));
  cove_error_release(&err);
  reap(child);
  assert_int_equal(cgroup_destroy(cg, &err), 0);
  assert_true(gone_everywhere(path));
  cleanup_parent();
}

/* The v2 device filter, on a unified leaf (present on unified and hybrid hosts): /dev/null is
 * denied by a rule, /dev/zero still allowed by the defaults. */
static void test_bpf_device_filter(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  _cleanup_free_ char *path = NULL;
  enum cgroup_mode mode;
  (void) state;

  if (geteuid() != 0)
    skip();
  assert_int_equal(cgroup_detect_mode(&mode, &err), 0);
  if (mode == CGROUP_MODE_LEGACY)
    skip();
  path = xasprintf("%s/bpf", parent);
  if (cgroup_create(config_with(path, NULL), "bpf", false, &cg, &err) < 0)
    fail_msg("create: %s", err.msg);
  {
    /* rules: deny all; (defaults allow null, zero, ...); then deny c 1:3 again at the end */
    struct cg_dev_rule rules[] = {
      {false, 'a', -1, -1, 7},
      {true, 'c', 1, 5, 7},
      {true, 'c', 1, 3, 7},
      {false, 'c', 1, 3, CG_DEV_WRITE | CG_DEV_READ},
    };
    int pipefd[2], go[2];
    pid_t child;
    char res[2] = {0};
    assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
    assert_int_equal(pipe2(go, O_CLOEXEC), 0);
    if (cg_bpf_dev_apply(cg, &cg->unified, rules, ARRAY_SIZE(rules), &err) < 0)
      fail_msg("bpf: %s", err.msg);
    /* the child waits until it is placed, then tries both devices */
    child = fork();
    if (child == 0) {
      char c;
      if (read(go[0], &c, 1) != 1)
        _exit(1);
      res[0] = open("/dev/null", O_RDONLY | O_CLOEXEC) < 0 && errno == EPERM ? 'D' : 'A';
      res[1] = open("/dev/zero", O_RDONLY | O_CLOEXEC) >= 0 ? 'A' : 'D';
      if (write(pipefd[1], res, 2) != 2)
        _exit(1);
      _exit(0);
    }
    if (cg_enter_hier(cg, &cg->unified, child, NULL, &err) < 0)
      fail_msg("enter: %s", err.msg);
    assert_int_equal(write(go[1], "x", 1), 1);
    waitpid(child, NULL, 0);
    close(go[0]);
    close(go[1]);
    assert_int_equal(read(pipefd[0], res, 2), 2);
    assert_int_equal(res[0], 'D');
    assert_int_equal(res[1], 'A');
    close(pipefd[0]);
    close(pipefd[1]);
  }
  assert_int_equal(cgroup_destroy(cg, &err), 0);
  cleanup_parent();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_default_and_systemd_paths),
    cmocka_unit_test(test_lifecycle),
    cmocka_unit_test(test_removed_behind_back),
    cmocka_unit_test(test_existing_with_processes_refused),
    cmocka_unit_test(test_bpf_device_filter),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
