/* test_cgroups_v2.c: the cgroup v2 driver run against a fake tree (a temporary directory with
 * the cgroup files pre-created), asserting exactly what it writes for each OCI resource, the
 * controllers it enables in the ancestors, freeze, update, stats and the refusals (resources v2
 * cannot apply, unified keys escaping the cgroup). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroups/cgroups.h"
#include "cgroups/internal.h"
#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"

struct fake {
  char root[64];
};

static const char *const leaf_files[] = {
  "cgroup.procs", "cgroup.controllers", "cgroup.subtree_control", "cgroup.freeze", "cgroup.events",
  "cgroup.kill", "memory.max", "memory.low", "memory.high", "memory.swap.max", "memory.current",
  "memory.events", "memory.stat", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpu.stat",
  "cpuset.cpus", "cpuset.mems", "pids.max", "pids.current", "io.weight", "io.max", "io.stat",
  "hugetlb.2MB.max", "hugetlb.2MB.rsvd.max", "hugetlb.2MB.current", "hugetlb.2MB.events", "rdma.max",
};

static void put(const char *root, const char *rel, const char *content)
{
  char p[512];
  int fd;
  snprintf(p, sizeof(p), "%s/%s", root, rel);
  fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write_all(fd, content, strlen(content)), 0);
  close(fd);
}

/* content of a file of the fake tree, without its trailing newline if any */
static char *get(const char *root, const char *rel)
{
  char p[512];
  char *s = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  snprintf(p, sizeof(p), "%s/%s", root, rel);
  if (read_file(p, 65536, &s, NULL, &err) < 0)
    fail_msg("%s", err.msg);
  return s;
}

#define assert_file(f, rel, want)                    \
  do {                                               \
    _cleanup_free_ char *got_ = get((f)->root, rel); \
    assert_string_equal(got_, want);                 \
  } while (0)

static int setup(void **state)
{
  struct fake *f = xcalloc(1, sizeof(*f));
  char p[512];
  snprintf(f->root, sizeof(f->root), "/tmp/cove-cgv2-XXXXXX");
  if (!mkdtemp(f->root))
    return -1;
  put(f->root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n");
  put(f->root, "cgroup.subtree_control", "");
  snprintf(p, sizeof(p), "%s/t", f->root);
  mkdir(p, 0755);
  put(f->root, "t/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n");
  put(f->root, "t/cgroup.subtree_control", "");
  snprintf(p, sizeof(p), "%s/t/c", f->root);
  mkdir(p, 0755);
  for (size_t i = 0; i < ARRAY_SIZE(leaf_files); i++) {
    snprintf(p, sizeof(p), "t/c/%s", leaf_files[i]);
    put(f->root, p, "");
  }
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  struct fake *f = *state;
  char cmd[128];
  signal(SIGCHLD, SIG_DFL); /* a kill test that failed half-way left it ignored: system() needs it */
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
  if (system(cmd) != 0)
    return -1;
  free(f);
  return 0;
}

static struct oci_config *cfg(struct oci_resources *res)
{
  static struct oci_linux lx;
  static struct oci_config c;
  memset(&lx, 0, sizeof(lx));
  memset(&c, 0, sizeof(c));
  lx.cgroups_path = "/t/c";
  lx.resources = res;
  c.linux_ = &lx;
  return &c;
}

static int create(struct fake *f, struct oci_resources *res, struct cove_cgroup **cg, struct cove_error *err)
{
  return cgroup_create_at(f->root, CGROUP_MODE_UNIFIED, NULL, cfg(res), "c", false, cg, err);
}

static void create_ok(struct fake *f, struct oci_resources *res, struct cove_cgroup **cg)
{
  struct cove_error err = COVE_ERROR_INIT;
  if (create(f, res, cg, &err) < 0)
    fail_msg("create: %s", err.msg);
}

static void create_fails(struct fake *f, struct oci_resources *res, const char *needle)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_cgroup *cg = NULL;
  assert_int_equal(create(f, res, &cg, &err), -1);
  assert_null(cg);
  if (!strstr(err.msg, needle))
    fail_msg("error `%s` does not mention `%s`", err.msg, needle);
  cove_error_release(&err);
}

static void test_enables_controllers_in_ancestors(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  create_ok(f, NULL, &cg);
  assert_file(f, "cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma");
  assert_file(f, "t/cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma");
  /* never in the leaf, which holds the processes */
  assert_file(f, "t/c/cgroup.subtree_control", "");
  assert_true(cgroup_clone_fd(cg) >= 0);
}

static void test_only_missing_controllers_enabled(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  put(f->root, "cgroup.subtree_control", "cpuset cpu io memory\n");
  create_ok(f, NULL, &cg);
  assert_file(f, "cgroup.subtree_control", "+hugetlb +pids +rdma");
}

static void test_memory(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_memory m = {.limit = {true, 1000}, .reservation = {true, 500}, .swap = {true, 3000}};
  struct oci_resources res = {.memory = &m};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/memory.max", "1000");
  assert_file(f, "t/c/memory.low", "500");
  /* OCI swap is memory+swap: v2 swap alone is 3000 - 1000 */
  assert_file(f, "t/c/memory.swap.max", "2000");
}

static void test_memory_unlimited(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_memory m = {.limit = {true, -1}, .swap = {true, -1}, .reservation = {true, -1}};
  struct oci_resources res = {.memory = &m};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/memory.max", "max");
  assert_file(f, "t/c/memory.swap.max", "max");
  assert_file(f, "t/c/memory.low", "max");
}

static void test_memory_swap_equal_limit_writes_zero(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_memory m = {.limit = {true, 4096}, .swap = {true, 4096}};
  struct oci_resources res = {.memory = &m};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/memory.swap.max", "0");
}

static void test_memory_refusals(void **state)
{
  struct fake *f = *state;
  struct oci_memory m1 = {.swap = {true, 3000}};
  struct oci_memory m2 = {.limit = {true, 1000}, .swappiness = {true, 10}};
  struct oci_memory m3 = {.limit = {true, 1000}, .kernel_tcp = {true, 10}};
  struct oci_memory m4 = {.disable_oom_killer = {true, true}};
  struct oci_memory m5 = {.limit = {true, 1000}, .swap = {true, 500}};
  struct oci_memory m6 = {.use_hierarchy = {true, false}};
  struct oci_resources r1 = {.memory = &m1}, r2 = {.memory = &m2}, r3 = {.memory = &m3}, r4 = {.memory = &m4},
                       r5 = {.memory = &m5}, r6 = {.memory = &m6};
  /* memory.max of the fake leaf reads "max": a swap limit then needs a memory limit */
  put(f->root, "t/c/memory.max", "max\n");
  create_fails(f, &r1, "needs a memory limit");
  create_fails(f, &r2, "swappiness");
  create_fails(f, &r3, "kernelTCP");
  create_fails(f, &r4, "disableOOMKiller");
  create_fails(f, &r5, "less than memory.limit");
  create_fails(f, &r6, "useHierarchy");
}

static void test_memory_kernel_is_ignored(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_memory m = {.kernel = {true, 1 << 20}, .limit = {true, 1 << 20}};
  struct oci_resources res = {.memory = &m};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/memory.max", "1048576");
}

static void test_cpu(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_cpu c = {.shares = {true, 1024}, .quota = {true, 50000}, .period = {true, 100000},
                      .burst = {true, 1000}, .idle = {true, 1}, .cpus = "0-1", .mems = "0"};
  struct oci_resources res = {.cpu = &c};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/cpu.weight", "100");
  assert_file(f, "t/c/cpu.max", "50000 100000");
  assert_file(f, "t/c/cpu.max.burst", "1000");
  assert_file(f, "t/c/cpu.idle", "1");
  assert_file(f, "t/c/cpuset.cpus", "0-1");
  assert_file(f, "t/c/cpuset.mems", "0");
}

static void test_cpu_quota_forms(void **state)
{
  struct fake *f = *state;
  struct oci_cpu c1 = {.quota = {true, 20000}};
  struct oci_cpu c2 = {.period = {true, 250000}};
  struct oci_cpu c3 = {.quota = {true, -1}, .period = {true, 100000}};
  struct oci_cpu c4 = {.shares = {true, 2}};
  struct oci_resources r1 = {.cpu = &c1}, r2 = {.cpu = &c2}, r3 = {.cpu = &c3}, r4 = {.cpu = &c4};
  struct cove_cgroup *cg = NULL;
  create_ok(f, &r1, &cg);
  assert_file(f, "t/c/cpu.max", "20000"); /* the kernel keeps the period */
  cgroup_free(cg);
  create_ok(f, &r2, &cg);
  assert_file(f, "t/c/cpu.max", "max 250000");
  cgroup_free(cg);
  create_ok(f, &r3, &cg);
  assert_file(f, "t/c/cpu.max", "max 100000");
  cgroup_free(cg);
  create_ok(f, &r4, &cg);
  assert_file(f, "t/c/cpu.weight", "1");
  cgroup_free(cg);
}

static void test_cpu_realtime_refused(void **state)
{
  struct fake *f = *state;
  struct oci_cpu c = {.realtime_runtime = {true, 1000}, .realtime_period = {true, 100000}};
  struct oci_resources res = {.cpu = &c};
  create_fails(f, &res, "realtimeRuntime");
}

static void test_pids(void **state)
{
  struct fake *f = *state;
  struct oci_resources r1 = {.pids_limit = {true, 100}}, r2 = {.pids_limit = {true, 0}},
                       r3 = {.pids_limit = {true, -1}};
  struct cove_cgroup *cg = NULL;
  create_ok(f, &r1, &cg);
  assert_file(f, "t/c/pids.max", "100");
  cgroup_free(cg);
  create_ok(f, &r2, &cg);
  assert_file(f, "t/c/pids.max", "max");
  cgroup_free(cg);
  create_ok(f, &r3, &cg);
  assert_file(f, "t/c/pids.max", "max");
  cgroup_free(cg);
}

static void test_io_weight_converted(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_throttle_device rbps = {8, 0, 1048576};
  struct oci_blkio b = {.weight = {true, 500}, .throttle_read_bps = &rbps, .throttle_read_bps_len = 1};
  struct oci_resources res = {.block_io = &b};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/io.weight", "default 4950");
  assert_file(f, "t/c/io.max", "8:0 rbps=1048576");
}

static void test_io_bfq_weight_unconverted(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_weight_device wd = {.major = 8, .minor = 16, .weight = {true, 300}};
  struct oci_throttle_device wiops = {8, 0, 0};
  struct oci_blkio b = {.weight = {true, 500}, .weight_device = &wd, .weight_device_len = 1,
                        .throttle_write_iops = &wiops, .throttle_write_iops_len = 1};
  struct oci_resources res = {.block_io = &b};
  put(f->root, "t/c/io.bfq.weight", "");
  create_ok(f, &res, &cg);
  /* the device line is the last write */
  assert_file(f, "t/c/io.bfq.weight", "8:16 300");
  assert_file(f, "t/c/io.weight", "");
  /* rate 0: no limit */
  assert_file(f, "t/c/io.max", "8:0 wiops=max");
}

static void test_io_refusals(void **state)
{
  struct fake *f = *state;
  struct oci_blkio b = {.leaf_weight = {true, 100}};
  struct oci_resources res = {.block_io = &b};
  char p[512];
  struct oci_blkio b2 = {.weight = {true, 100}};
  struct oci_resources res2 = {.block_io = &b2};
  create_fails(f, &res, "leafWeight");
  snprintf(p, sizeof(p), "%s/t/c/io.weight", f->root);
  unlink(p);
  create_fails(f, &res2, "blockIO.weight");
}

static void test_hugetlb(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_hugepage_limit l = {"2MB", 4194304};
  struct oci_hugepage_limit bad = {"1GB", 1073741824};
  struct oci_hugepage_limit esc = {"../x", 1};
  struct oci_resources res = {.hugepage_limits = &l, .hugepage_limits_len = 1};
  struct oci_resources r2 = {.hugepage_limits = &bad, .hugepage_limits_len = 1};
  struct oci_resources r3 = {.hugepage_limits = &esc, .hugepage_limits_len = 1};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/hugetlb.2MB.max", "4194304");
  assert_file(f, "t/c/hugetlb.2MB.rsvd.max", "4194304");
  create_fails(f, &r2, "1GB");
  create_fails(f, &r3, "bad page size");
}

static void test_unified_keys(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_kv ok[] = {{"memory.high", "5000"}, {"pids.max", "7"}};
  struct oci_resources res = {.unified = ok, .unified_len = 2, .pids_limit = {true, 100}};
  struct oci_kv up = {"../cgroup.procs", "1"}, sl = {"t/c", "1"}, core = {"cgroup.procs", "1"},
                dot = {"..", "1"}, missing = {"memory.nope", "1"};
  struct oci_resources r1 = {.unified = &up, .unified_len = 1}, r2 = {.unified = &sl, .unified_len = 1},
                       r3 = {.unified = &core, .unified_len = 1}, r4 = {.unified = &dot, .unified_len = 1},
                       r5 = {.unified = &missing, .unified_len = 1};
  create_ok(f, &res, &cg);
  assert_file(f, "t/c/memory.high", "5000");
  /* unified is written last and wins over the converted value */
  assert_file(f, "t/c/pids.max", "7");
  create_fails(f, &r1, "escapes");
  create_fails(f, &r2, "escapes");
  create_fails(f, &r3, "not settable");
  create_fails(f, &r4, "escapes");
  create_fails(f, &r5, "does not exist");
}

static void test_network_refused_rdma_written(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_network_res n = {.class_id = {true, 0x100001}};
  struct oci_resources r1 = {.network = &n};
  struct oci_rdma rd = {"mlx5_0", {true, 3}, {false, 0}};
  struct oci_resources r2 = {.rdma = &rd, .rdma_len = 1};
  create_fails(f, &r1, "net_cls");
  create_ok(f, &r2, &cg);
  assert_file(f, "t/c/rdma.max", "mlx5_0 hca_handle=3 hca_object=max");
}

static void test_update(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_cpu c = {.period = {true, 50000}};
  struct oci_memory m = {.limit = {true, 1000}, .check_before_update = {true, true}};
  struct oci_memory m2 = {.swap = {true, 8192}};
  struct oci_resources up = {.cpu = &c}, up2 = {.memory = &m}, up3 = {.memory = &m2};
  create_ok(f, NULL, &cg);
  /* only the period changes: the quota in force stays */
  put(f->root, "t/c/cpu.max", "20000 100000\n");
  assert_int_equal(cgroup_update(cg, &up, &err), 0);
  assert_file(f, "t/c/cpu.max", "20000 50000");
  /* checkBeforeUpdate: refuse a limit below the usage */
  put(f->root, "t/c/memory.current", "5000\n");
  assert_int_equal(cgroup_update(cg, &up2, &err), -1);
  assert_non_null(strstr(err.msg, "below the current usage"));
  cove_error_release(&err);
  /* swap alone: the limit in force is read back */
  put(f->root, "t/c/memory.max", "4096\n");
  assert_int_equal(cgroup_update(cg, &up3, &err), 0);
  assert_file(f, "t/c/memory.swap.max", "4096");
}

static void test_freeze(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  bool frozen = false;
  create_ok(f, NULL, &cg);
  put(f->root, "t/c/cgroup.events", "populated 1\nfrozen 1\n");
  assert_int_equal(cgroup_freeze(cg, true, &err), 0);
  assert_file(f, "t/c/cgroup.freeze", "1");
  assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
  assert_true(frozen);
  put(f->root, "t/c/cgroup.events", "populated 1\nfrozen 0\n");
  assert_int_equal(cgroup_freeze(cg, false, &err), 0);
  assert_file(f, "t/c/cgroup.freeze", "0");
}

static void test_kill_uses_cgroup_kill(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  create_ok(f, NULL, &cg);
  assert_int_equal(cgroup_kill_all(cg, 9, &err), 0);
  assert_file(f, "t/c/cgroup.kill", "1");
}

/* issue 13: a kernel without cgroup.kill (before 5.14): freeze, signal every process, thaw,
 * until none is left */
static void test_kill_without_cgroup_kill_freezes_signals_thaws(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  struct sigaction ign = {.sa_handler = SIG_IGN}, old;
  struct pollfd pf = {.events = POLLIN};
  char p[512];
  pid_t child;
  snprintf(p, sizeof(p), "%s/t/c/cgroup.kill", f->root);
  assert_int_equal(unlink(p), 0);
  create_ok(f, NULL, &cg);
  /* SIGCHLD ignored: the kernel reaps the child at once, its pid then answers ESRCH as a
   * killed process leaves cgroup.procs */
  assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
  child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    alarm(20); /* never outlives a failed test for long */
    for (;;)
      pause();
  }
  pf.fd = (int) sys_pidfd_open(child);
  assert_true(pf.fd >= 0);
  snprintf(p, sizeof(p), "%d\n", (int) child);
  put(f->root, "t/c/cgroup.procs", p);
  put(f->root, "t/c/cgroup.freeze", "0\n");
  if (cgroup_kill_all(cg, SIGKILL, &err) < 0)
    fail_msg("kill: %s", err.msg);
  assert_int_equal(poll(&pf, 1, 5000), 1);
  close(pf.fd);
  assert_file(f, "t/c/cgroup.freeze", "0"); /* frozen for the kill, then thawed */
  assert_int_equal(sigaction(SIGCHLD, &old, NULL), 0);
}

/* The files of a busy container, read back as stats: each test below checks one group of them,
 * so a failure names what broke. */
static void read_stats(struct fake *f, struct cove_cgroup **cg, struct cgroup_stats *st)
{
  struct cove_error err = COVE_ERROR_INIT;
  create_ok(f, NULL, cg);
  put(f->root, "t/c/cpu.stat",
      "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 10\nnr_throttled 4\nthrottled_usec 77\n");
  put(f->root, "t/c/memory.current", "8192\n");
  put(f->root, "t/c/memory.max", "65536\n");
  put(f->root, "t/c/memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n");
  put(f->root, "t/c/memory.stat", "anon 4096\nfile 2048\nkernel 100\n");
  put(f->root, "t/c/memory.swap.current", "0\n");
  put(f->root, "t/c/memory.swap.max", "max\n");
  put(f->root, "t/c/pids.current", "3\n");
  put(f->root, "t/c/pids.max", "max\n");
  put(f->root, "t/c/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
  put(f->root, "t/c/hugetlb.2MB.current", "2097152\n");
  put(f->root, "t/c/hugetlb.2MB.events", "max 5\n");
  if (cgroup_stats(*cg, st, &err) < 0)
    fail_msg("stats: %s", err.msg);
}

static void test_stats_cpu(void **state)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cgroup_stats st;
  read_stats(*state, &cg, &st);
  assert_int_equal(st.cpu_total, 1500000); /* usec in the file, nsec in the stats */
  assert_int_equal(st.cpu_user, 1000000);
  assert_int_equal(st.cpu_kernel, 500000);
  assert_int_equal(st.throttle_periods, 10);
  assert_int_equal(st.throttle_throttled_periods, 4);
  assert_int_equal(st.throttle_throttled_time, 77000);
  cgroup_stats_free(&st);
}

static void test_stats_memory(void **state)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cgroup_stats st;
  read_stats(*state, &cg, &st);
  assert_int_equal(st.mem_usage, 8192);
  assert_int_equal(st.mem_limit, 65536);
  assert_int_equal(st.mem_failcnt, 3); /* memory.events max */
  assert_int_equal(st.oom_kill, 1);
  assert_int_equal(st.mem_cache, 2048); /* memory.stat file */
  assert_int_equal(st.mem_raw_len, 3);
  assert_string_equal(st.mem_raw_keys[0], "anon");
  cgroup_stats_free(&st);
}

/* as runc: v2 swap figures are reported as memory+swap, the v1 meaning */
static void test_stats_swap_is_memory_plus_swap(void **state)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cgroup_stats st;
  read_stats(*state, &cg, &st);
  assert_int_equal(st.swap_usage, 8192);
  assert_true(st.swap_limit == UINT64_MAX);
  cgroup_stats_free(&st);
}

static void test_stats_pids(void **state)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cgroup_stats st;
  read_stats(*state, &cg, &st);
  assert_int_equal(st.pids_current, 3);
  assert_int_equal(st.pids_limit, 0); /* max: unlimited */
  cgroup_stats_free(&st);
}

static void test_stats_io(void **state)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cgroup_stats st;
  read_stats(*state, &cg, &st);
  assert_int_equal(st.io_service_bytes_len, 3);
  assert_string_equal(st.io_service_bytes[0].op, "Read");
  assert_int_equal(st.io_service_bytes[0].value, 4096);
  assert_int_equal(st.io_service_bytes[1].value, 8192);
  assert_int_equal(st.io_serviced_len, 3);
  assert_int_equal(st.io_serviced[1].value, 2);
  cgroup_stats_free(&st);
}

static void test_stats_hugetlb(void **state)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cgroup_stats st;
  read_stats(*state, &cg, &st);
  assert_int_equal(st.hugetlb_len, 1);
  assert_string_equal(st.hugetlb[0].page_size, "2MB");
  assert_int_equal(st.hugetlb[0].usage, 2097152);
  assert_int_equal(st.hugetlb[0].failcnt, 5); /* hugetlb.2MB.events max */
  cgroup_stats_free(&st);
}

static void test_oom_count(void **state)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  struct cgroup_stats st;
  uint64_t oom = 0;
  read_stats(*state, &cg, &st);
  cgroup_stats_free(&st);
  assert_int_equal(cgroup_oom_count(cg, &oom, &err), 0);
  assert_int_equal(oom, 1);
}

static void test_enter_and_sub_cgroup(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  char p[512];
  create_ok(f, NULL, &cg);
  assert_int_equal(cgroup_enter(cg, 4242, NULL, &err), 0);
  assert_file(f, "t/c/cgroup.procs", "4242");
  snprintf(p, sizeof(p), "%s/t/c/sub", f->root);
  mkdir(p, 0755);
  put(f->root, "t/c/sub/cgroup.procs", "");
  assert_int_equal(cgroup_enter(cg, 4343, "sub", &err), 0);
  assert_file(f, "t/c/sub/cgroup.procs", "4343");
  assert_int_equal(cgroup_enter(cg, 1, "../c", &err), -1);
  assert_non_null(strstr(err.msg, "escapes"));
  cove_error_release(&err);
}

static void test_serialize_roundtrip(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL, *back = NULL;
  _cleanup_free_ char *text = NULL, *again = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  create_ok(f, NULL, &cg);
  text = cgroup_serialize(cg);
  assert_int_equal(cgroup_load(text, &back, &err), 0);
  again = cgroup_serialize(back);
  assert_string_equal(text, again);
  assert_int_equal(cgroup_mode_of(back), CGROUP_MODE_UNIFIED);
  assert_string_equal(cgroup_path(back), "/t/c");
  /* the reloaded one writes to the same files */
  assert_int_equal(cgroup_enter(back, 77, NULL, &err), 0);
  assert_file(f, "t/c/cgroup.procs", "77");
}

int main(void)
{
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_enables_controllers_in_ancestors),
    T(test_only_missing_controllers_enabled),
    T(test_memory),
    T(test_memory_unlimited),
    T(test_memory_swap_equal_limit_writes_zero),
    T(test_memory_refusals),
    T(test_memory_kernel_is_ignored),
    T(test_cpu),
    T(test_cpu_quota_forms),
    T(test_cpu_realtime_refused),
    T(test_pids),
    T(test_io_weight_converted),
    T(test_io_bfq_weight_unconverted),
    T(test_io_refusals),
    T(test_hugetlb),
    T(test_unified_keys),
    T(test_network_refused_rdma_written),
    T(test_update),
    T(test_freeze),
    T(test_kill_uses_cgroup_kill),
    T(test_kill_without_cgroup_kill_freezes_signals_thaws),
    T(test_stats_cpu),
    T(test_stats_memory),
    T(test_stats_swap_is_memory_plus_swap),
    T(test_stats_pids),
    T(test_stats_io),
    T(test_stats_hugetlb),
    T(test_oom_count),
    T(test_enter_and_sub_cgroup),
    T(test_serialize_roundtrip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
