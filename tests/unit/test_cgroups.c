/* test_cgroups.c: unit tests of the cgroups module's pure logic (v1->v2 conversions, cgroupsPath
 * resolution, the state text, device rules, the generated eBPF device program run through a
 * small interpreter) and of the v1 driver against a fake tree of hierarchies. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
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

/* ---- conversions ---- */

static void test_shares_to_weight(void **state)
{
  (void) state;
  /* the ends and the default align (crun >= 1.23, runc >= 1.3.2) */
  assert_int_equal(cg_convert_shares_to_weight(2), 1);
  assert_int_equal(cg_convert_shares_to_weight(1024), 100);
  assert_int_equal(cg_convert_shares_to_weight(262144), 10000);
  /* values computed with libm's log2/pow and ceil */
  assert_int_equal(cg_convert_shares_to_weight(3), 2);
  assert_int_equal(cg_convert_shares_to_weight(100), 17);
  assert_int_equal(cg_convert_shares_to_weight(512), 59);
  assert_int_equal(cg_convert_shares_to_weight(2048), 174);
  assert_int_equal(cg_convert_shares_to_weight(4096), 303);
  /* out of range clamps; 0 is unset */
  assert_int_equal(cg_convert_shares_to_weight(1), 1);
  assert_int_equal(cg_convert_shares_to_weight(1000000), 10000);
  assert_int_equal(cg_convert_shares_to_weight(0), 0);
  /* monotonic over the whole range */
  for (uint64_t s = 2, prev = 0; s <= 262144; s += 97) {
    uint64_t w = cg_convert_shares_to_weight(s);
    assert_true(w >= prev);
    assert_true(w >= 1 && w <= 10000);
    prev = w;
  }
}

static void test_blkio_weight_to_io_weight(void **state)
{
  (void) state;
  assert_int_equal(cg_convert_blkio_weight_to_io_weight(10), 1);
  assert_int_equal(cg_convert_blkio_weight_to_io_weight(1000), 10000);
  assert_int_equal(cg_convert_blkio_weight_to_io_weight(500), 4950);
  assert_int_equal(cg_convert_blkio_weight_to_io_weight(100), 910);
  assert_int_equal(cg_convert_blkio_weight_to_io_weight(0), 0);
}

static void test_swap_conversion(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  int64_t out = 42;
  (void) state;
  assert_int_equal(cg_convert_swap_to_v2(3000, 1000, true, &out, &err), 0);
  assert_int_equal(out, 2000);
  assert_int_equal(cg_convert_swap_to_v2(1000, 1000, true, &out, &err), 0);
  assert_int_equal(out, 0);
  assert_int_equal(cg_convert_swap_to_v2(-1, 1000, true, &out, &err), 0);
  assert_int_equal(out, -1);
  assert_int_equal(cg_convert_swap_to_v2(0, 1000, true, &out, &err), 0);
  assert_int_equal(out, 0);
  assert_int_equal(cg_convert_swap_to_v2(500, 1000, true, &out, &err), -1);
  assert_non_null(strstr(err.msg, "less than memory.limit"));
  cove_error_release(&err);
  assert_int_equal(cg_convert_swap_to_v2(500, -1, true, &out, &err), -1);
  assert_non_null(strstr(err.msg, "needs a memory limit"));
  cove_error_release(&err);
  assert_int_equal(cg_convert_swap_to_v2(500, 0, false, &out, &err), -1);
  cove_error_release(&err);
  assert_int_equal(cg_convert_swap_to_v2(-5, 100, true, &out, &err), -1);
  cove_error_release(&err);
}

static void test_formats(void **state)
{
  char b[64];
  (void) state;
  cg_fmt_limit(b, sizeof(b), -1);
  assert_string_equal(b, "max");
  cg_fmt_limit(b, sizeof(b), 123);
  assert_string_equal(b, "123");
  cg_fmt_cpu_max(b, sizeof(b), true, 50000, true, 100000);
  assert_string_equal(b, "50000 100000");
  cg_fmt_cpu_max(b, sizeof(b), true, -1, true, 100000);
  assert_string_equal(b, "max 100000");
  cg_fmt_cpu_max(b, sizeof(b), true, 7000, false, 0);
  assert_string_equal(b, "7000");
  cg_fmt_cpu_max(b, sizeof(b), false, 0, false, 0);
  assert_string_equal(b, "max");
}

/* ---- cgroupsPath ---- */

static void expect_path(const char *in, bool systemd, const char *want)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *p = NULL;
  if (cgroup_resolve_path(in, "ctr", systemd, &p, &err) < 0)
    fail_msg("%s: %s", in ? in : "(null)", err.msg);
  assert_string_equal(p, want);
}

static void expect_path_error(const char *in, bool systemd, const char *needle)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *p = NULL;
  assert_int_equal(cgroup_resolve_path(in, "ctr", systemd, &p, &err), -1);
  if (!strstr(err.msg, needle))
    fail_msg("`%s` does not mention `%s`", err.msg, needle);
  cove_error_release(&err);
}

static void test_paths(void **state)
{
  (void) state;
  expect_path(NULL, false, "/cove/ctr");
  expect_path("", false, "/cove/ctr");
  expect_path("/a/b", false, "/a/b");
  expect_path("a/b", false, "/a/b"); /* relative: below each hierarchy's root */
  expect_path("//a/./b/", false, "/a/b");
  expect_path_error("/a/../b", false, "..");
  expect_path_error("/", false, "root cgroup");
  expect_path_error("/a\nb", false, "newline");
}

static void test_systemd_paths(void **state)
{
  (void) state;
  expect_path(NULL, true, "/system.slice/cove-ctr.scope");
  expect_path("system.slice:cove:abc", true, "/system.slice/cove-abc.scope");
  expect_path(":cove:abc", true, "/system.slice/cove-abc.scope");
  expect_path("machine-app.slice:docker:x1", true, "/machine.slice/machine-app.slice/docker-x1.scope");
  expect_path("user.slice::x", true, "/user.slice/x.scope");
  expect_path("system.slice:p:my.slice", true, "/system.slice/my.slice");
  expect_path("-.slice:p:n", true, "/p-n.scope");
  expect_path_error("/a/b", true, "slice:prefix:name");
  expect_path_error("nota:p:n", true, "NAME.slice");
  expect_path_error("a--b.slice:p:n", true, "empty component");
  expect_path_error("system.slice:p:", true, "bad unit name");
}

/* ---- state text ---- */

static void test_load_refuses_bad_text(void **state)
{
  static const char *const bad[] = {
    "",
    "something else\n",
    "cove-cgroup 1\nmode weird\npath /a\n",
    "cove-cgroup 1\nmode unified\n",
    "cove-cgroup 1\nmode unified\npath /a/../b\n",
    "cove-cgroup 1\nmode unified\npath /a\nfoo bar\n",
    "cove-cgroup 1\nmode legacy\npath /a\nv1 0 ../etc\n",
    "cove-cgroup 1\nmode legacy\npath /a\nv1 x memory\n",
  };
  (void) state;
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    struct cove_error err = COVE_ERROR_INIT;
    struct cove_cgroup *cg = (struct cove_cgroup *) 1;
    assert_int_equal(cgroup_load(bad[i], &cg, &err), -1);
    assert_null(cg);
    assert_non_null(err.msg);
    cove_error_release(&err);
  }
}

static void test_load_missing_dirs_is_fine(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  _cleanup_free_ pid_t *pids = NULL;
  _cleanup_free_ char *text = NULL;
  size_t n = 3;
  (void) state;
  assert_int_equal(cgroup_load("cove-cgroup 1\nmode hybrid\nroot /nonexistent-cove\npath /x/y\nhier 2 unified\n"
                               "v1 2 memory\nv1 1 cpu,cpuacct\n",
                               &cg, &err),
                   0);
  assert_int_equal(cgroup_mode_of(cg), CGROUP_MODE_HYBRID);
  assert_int_equal(cgroup_pids(cg, &pids, &n, &err), 0);
  assert_int_equal(n, 0);
  text = cgroup_serialize(cg);
  assert_string_equal(text, "cove-cgroup 1\nmode hybrid\nroot /nonexistent-cove\npath /x/y\nhier 2 unified\n"
                            "v1 2 memory\nv1 1 cpu,cpuacct\n");
  /* destroy of directories that are gone: no error */
  assert_int_equal(cgroup_destroy(cg, &err), 0);
}

/* ---- devices ---- */

static void assert_rules(const struct cg_dev_rule *rules, size_t n, const char *const *want, size_t want_len)
{
  char b[64];
  for (size_t i = 0; i < n && i < want_len; i++) {
    cg_dev_rule_v1(&rules[i], b, sizeof(b));
    if (strcmp(b, want[i]))
      fail_msg("rule %zu: `%s`, want `%s`", i, b, want[i]);
  }
  assert_int_equal(n, want_len);
}

static void test_device_rules(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ struct cg_dev_rule *rules = NULL;
  struct oci_device_cgroup cfg[] = {
    {.allow = false, .access = "rwm"},
    {.allow = true, .type = "c", .major = {true, 10}, .minor = {true, 200}, .access = "rw"},
    {.allow = true, .type = "b", .major = {true, 8}, .access = "r"},
  };
  struct oci_resources res = {.devices = cfg, .devices_len = 3};
  struct oci_device extra[] = {{.type = "c", .path = "/dev/fuse", .major = 10, .minor = 229},
                               {.type = "p", .path = "/dev/fifo"}};
  /* the config's rules in order, then runc's AllowedDevices; linux.devices adds none */
  static const char *const want[] = {"a *:* rwm",  "c 10:200 rw", "b 8:* r",   "c *:* m",     "b *:* m",
                                     "c 1:3 rwm",  "c 1:8 rwm",   "c 1:7 rwm", "c 5:0 rwm",   "c 1:5 rwm",
                                     "c 1:9 rwm",  "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm"};
  size_t n = 0;
  (void) state;
  assert_int_equal(cg_dev_rules(&res, extra, 2, &rules, &n, &err), 0);
  assert_rules(rules, n, want, ARRAY_SIZE(want));
  assert_false(rules[0].allow);
  assert_true(rules[1].allow);
}

static void test_device_rules_linux_devices_node_replaces_its_default(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ struct cg_dev_rule *rules = NULL;
  /* runc: a linux.devices entry for a default's path drops that default (its numbers win) */
  struct oci_device extra[] = {{.type = "c", .path = "/dev/null", .major = 1, .minor = 7}};
  static const char *const want[] = {"c *:* m",   "b *:* m",     "c 1:8 rwm", "c 1:7 rwm",   "c 5:0 rwm",
                                     "c 1:5 rwm", "c 1:9 rwm",   "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm"};
  size_t n = 0;
  (void) state;
  assert_int_equal(cg_dev_rules(NULL, extra, 1, &rules, &n, &err), 0);
  assert_rules(rules, n, want, ARRAY_SIZE(want));
}

static void test_device_rules_refused(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct cg_dev_rule *rules = NULL;
  struct oci_device_cgroup bad_type = {.allow = true, .type = "x"};
  struct oci_device_cgroup bad_access = {.allow = true, .type = "c", .access = "rwx"};
  struct oci_resources r1 = {.devices = &bad_type, .devices_len = 1};
  struct oci_resources r2 = {.devices = &bad_access, .devices_len = 1};
  size_t n;
  (void) state;
  assert_int_equal(cg_dev_rules(&r1, NULL, 0, &rules, &n, &err), -1);
  assert_non_null(strstr(err.msg, "type"));
  cove_error_release(&err);
  assert_int_equal(cg_dev_rules(&r2, NULL, 0, &rules, &n, &err), -1);
  assert_non_null(strstr(err.msg, "access"));
  cove_error_release(&err);
}

/* Run a BPF_PROG_TYPE_CGROUP_DEVICE program the way the kernel would, for the instructions the
 * generator emits.  Returns the verdict, or -1 on an instruction it does not know. */
static int run_bpf(const struct bpf_insn *p, size_t len, unsigned type, unsigned access, uint32_t major,
                   uint32_t minor)
{
  uint32_t ctx[3] = {type | (access << 16), major, minor};
  uint64_t r[11] = {0};
  size_t pc = 0, steps = 0;

  while (pc < len && steps++ < 100000) {
    const struct bpf_insn *i = &p[pc++];
    switch (i->code) {
    case BPF_LDX | BPF_MEM | BPF_W:
      r[i->dst_reg] = ctx[i->off / 4];
      break;
    case BPF_ALU64 | BPF_AND | BPF_K:
      r[i->dst_reg] &= (uint64_t) (int64_t) i->imm;
      break;
    case BPF_ALU64 | BPF_RSH | BPF_K:
      r[i->dst_reg] >>= i->imm;
      break;
    case BPF_ALU64 | BPF_MOV | BPF_X:
      r[i->dst_reg] = r[i->src_reg];
      break;
    case BPF_ALU64 | BPF_MOV | BPF_K:
      r[i->dst_reg] = (uint64_t) (int64_t) i->imm;
      break;
    case BPF_JMP | BPF_JNE | BPF_K:
      if (r[i->dst_reg] != (uint64_t) (int64_t) i->imm)
        pc += i->off;
      break;
    case BPF_JMP | BPF_JNE | BPF_X:
      if (r[i->dst_reg] != r[i->src_reg])
        pc += i->off;
      break;
    case BPF_JMP | BPF_EXIT:
      return (int) r[0];
    default:
      return -1;
    }
  }
  return -1;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_bpf_program(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ struct cg_dev_rule *rules = NULL;
  _cleanup_free_ struct bpf_insn *prog = NULL;
  struct oci_device_cgroup cfg[] = {
    {.allow = false, .access = "rwm"},
    {.allow = true, .type = "c", .major = {true, 10}, .minor = {true, 200}, .access = "rw"},
    {.allow = true, .type = "b", .major = {true, 8}, .access = "r"},
    {.allow = false, .type = "c", .major = {true, 1}, .minor = {true, 9}, .access = "w"},
  };
  struct oci_resources res = {.devices = cfg, .devices_len = 4};
  size_t n = 0, len = 0;
  (void) state;
  assert_int_equal(cg_dev_rules(&res, NULL, 0, &rules, &n, &err), 0);
  assert_int_equal(cg_bpf_dev_program(rules, n, &prog, &len, &err), 0);
  /* the rules' own effect */
  assert_int_equal(run_bpf(prog, len, C, R | W, 10, 200), 1);
  assert_int_equal(run_bpf(prog, len, B, R, 8, 1), 1);
  assert_int_equal(run_bpf(prog, len, B, W, 8, 1), 0);
  assert_int_equal(run_bpf(prog, len, C, R, 4, 1), 0); /* everything else denied */
  assert_int_equal(run_bpf(prog, len, B, R, 7, 0), 0);
  /* defaults come after the config: the later allow of /dev/urandom wins over the deny */
  assert_int_equal(run_bpf(prog, len, C, W, 1, 9), 1);
  assert_int_equal(run_bpf(prog, len, C, R | W, 1, 3), 1);
  assert_int_equal(run_bpf(prog, len, C, R | W, 136, 5), 1);
  assert_int_equal(run_bpf(prog, len, C, R | W, 5, 1), 0); /* /dev/console is not a default */
  /* mknod of any node is a default; opening what was made is not */
  assert_int_equal(run_bpf(prog, len, C, M, 5, 1), 1);
  assert_int_equal(run_bpf(prog, len, B, M, 7, 0), 1);
  assert_int_equal(run_bpf(prog, len, B, M | R, 7, 0), 0);
}

/* issue 12: deny-all with a node in linux.devices: the node stays closed, tun is open */
static void test_bpf_linux_devices_node_stays_denied(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ struct cg_dev_rule *rules = NULL;
  _cleanup_free_ struct bpf_insn *prog = NULL;
  struct oci_device_cgroup deny_all = {.allow = false, .access = "rwm"};
  struct oci_resources res = {.devices = &deny_all, .devices_len = 1};
  struct oci_device kmsg = {.type = "c", .path = "/dev/kmsg", .major = 1, .minor = 11};
  size_t n = 0, len = 0;
  (void) state;
  assert_int_equal(cg_dev_rules(&res, &kmsg, 1, &rules, &n, &err), 0);
  assert_int_equal(cg_bpf_dev_program(rules, n, &prog, &len, &err), 0);
  assert_int_equal(run_bpf(prog, len, C, W, 1, 11), 0);
  assert_int_equal(run_bpf(prog, len, C, R, 1, 11), 0);
  assert_int_equal(run_bpf(prog, len, C, M, 1, 11), 1);
  assert_int_equal(run_bpf(prog, len, C, R | W, 10, 200), 1);
}

static void test_bpf_last_rule_wins(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ struct bpf_insn *prog = NULL;
  struct cg_dev_rule allow_all_then_deny[] = {
    {true, 'a', -1, -1, 7},
    {false, 'c', 1, 3, 7},
  };
  struct cg_dev_rule deny_after_allow[] = {
    {true, 'c', 1, 3, 7},
    {false, 'a', -1, -1, 7},
  };
  size_t len = 0;
  (void) state;
  assert_int_equal(cg_bpf_dev_program(allow_all_then_deny, 2, &prog, &len, &err), 0);
  assert_int_equal(run_bpf(prog, len, C, R, 1, 3), 0);
  assert_int_equal(run_bpf(prog, len, C, R, 1, 5), 1);
  assert_int_equal(run_bpf(prog, len, B, W, 8, 0), 1);
  free(prog);
  prog = NULL;
  assert_int_equal(cg_bpf_dev_program(deny_after_allow, 2, &prog, &len, &err), 0);
  /* a final catch-all decides everything: nothing after it may be emitted (the verifier
   * refuses unreachable instructions) */
  assert_int_equal(len, 6 + 2);
  assert_int_equal(run_bpf(prog, len, C, R, 1, 3), 0);
  free(prog);
  prog = NULL;
  assert_int_equal(cg_bpf_dev_program(NULL, 0, &prog, &len, &err), 0);
  assert_int_equal(run_bpf(prog, len, C, R, 1, 3), 0);
}

/* ---- v1 driver on a fake tree ---- */

static const char *const hiers[] = {"cpu,cpuacct", "cpuset", "memory", "pids", "blkio", "devices", "freezer",
                                    "hugetlb", "net_cls,net_prio", "rdma", NULL};

struct fake {
  char root[64];
};

static void put(const char *root, const char *rel, const char *content)
{
  char p[512];
  int fd;
  snprintf(p, sizeof(p), "%s/%s", root, rel);
  fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    fail_msg("create %s: %s", p, strerror(errno));
  assert_int_equal(write_all(fd, content, strlen(content)), 0);
  close(fd);
}

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

static const char *const v1_files[] = {
  "cpu,cpuacct/cpu.shares", "cpu,cpuacct/cpu.cfs_quota_us", "cpu,cpuacct/cpu.cfs_period_us",
  "cpu,cpuacct/cpu.cfs_burst_us", "cpu,cpuacct/cpu.rt_runtime_us", "cpu,cpuacct/cpu.rt_period_us",
  "cpu,cpuacct/cpu.idle", "cpu,cpuacct/cpu.stat", "cpu,cpuacct/cpuacct.usage", "cpu,cpuacct/cpuacct.usage_percpu",
  "cpuset/cpuset.cpus", "cpuset/cpuset.mems", "memory/memory.limit_in_bytes", "memory/memory.memsw.limit_in_bytes",
  "memory/memory.soft_limit_in_bytes", "memory/memory.kmem.tcp.limit_in_bytes", "memory/memory.swappiness",
  "memory/memory.oom_control", "memory/memory.use_hierarchy", "memory/memory.usage_in_bytes",
  "memory/memory.stat", "pids/pids.max", "pids/pids.current", "blkio/blkio.bfq.weight",
  "blkio/blkio.bfq.weight_device", "blkio/blkio.throttle.read_bps_device", "blkio/blkio.throttle.write_bps_device",
  "blkio/blkio.throttle.read_iops_device", "blkio/blkio.throttle.write_iops_device", "devices/devices.allow",
  "devices/devices.deny", "freezer/freezer.state", "hugetlb/hugetlb.2MB.limit_in_bytes",
  "net_cls,net_prio/net_cls.classid", "net_cls,net_prio/net_prio.ifpriomap", "rdma/rdma.max",
};

static int v1_setup(void **state)
{
  struct fake *f = xcalloc(1, sizeof(*f));
  char p[512];
  snprintf(f->root, sizeof(f->root), "/tmp/cove-cgv1-XXXXXX");
  if (!mkdtemp(f->root))
    return -1;
  for (size_t i = 0; hiers[i]; i++) {
    snprintf(p, sizeof(p), "%s/%s", f->root, hiers[i]);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/%s/t", f->root, hiers[i]);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/%s/t/c", f->root, hiers[i]);
    mkdir(p, 0755);
    snprintf(p, sizeof(p), "%s/t/c/cgroup.procs", hiers[i]);
    put(f->root, p, "");
  }
  for (size_t i = 0; i < ARRAY_SIZE(v1_files); i++) {
    const char *slash = strchr(v1_files[i], '/');
    snprintf(p, sizeof(p), "%.*s/t/c%s", (int) (slash - v1_files[i]), v1_files[i], slash);
    put(f->root, p, "");
  }
  put(f->root, "memory/t/c/memory.limit_in_bytes", "9223372036854771712\n");
  /* as the kernel has them: the root's cpuset set, a new cgroup's empty */
  put(f->root, "cpuset/cpuset.cpus", "0-3\n");
  put(f->root, "cpuset/cpuset.mems", "0\n");
  put(f->root, "cpuset/t/cpuset.cpus", "\n");
  put(f->root, "cpuset/t/cpuset.mems", "\n");
  *state = f;
  return 0;
}

static int v1_teardown(void **state)
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

static struct oci_config *cfg_with(struct oci_resources *res)
{
  static struct oci_linux lx;
  static struct oci_config c;
  memset(&lx, 0, sizeof(lx));
  memset(&c, 0, sizeof(c));
  lx.cgroups_path = "t/c";
  lx.resources = res;
  c.linux_ = &lx;
  return &c;
}

static int v1_create(struct fake *f, struct oci_resources *res, struct cove_cgroup **cg, struct cove_error *err)
{
  return cgroup_create_at(f->root, CGROUP_MODE_LEGACY, hiers, cfg_with(res), "c", false, cg, err);
}

static void v1_create_ok(struct fake *f, struct oci_resources *res, struct cove_cgroup **cg)
{
  struct cove_error err = COVE_ERROR_INIT;
  if (v1_create(f, res, cg, &err) < 0)
    fail_msg("create: %s", err.msg);
}

static void test_v1_resources(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_memory m = {.limit = {true, 1 << 20}, .swap = {true, 2 << 20}, .reservation = {true, 4096},
                         .kernel_tcp = {true, 65536}, .swappiness = {true, 10}, .disable_oom_killer = {true, true},
                         .use_hierarchy = {true, true}};
  struct oci_cpu c = {.shares = {true, 512}, .quota = {true, 25000}, .period = {true, 100000}, .burst = {true, 5},
                      .realtime_runtime = {true, 950}, .realtime_period = {true, 1000}, .idle = {true, 0},
                      .cpus = "1", .mems = "0"};
  struct oci_throttle_device wbps = {8, 0, 2048};
  struct oci_weight_device wd = {.major = 8, .minor = 0, .weight = {true, 200}};
  struct oci_blkio b = {.weight = {true, 300}, .weight_device = &wd, .weight_device_len = 1,
                        .throttle_write_bps = &wbps, .throttle_write_bps_len = 1};
  struct oci_hugepage_limit hl = {"2MB", 2097152};
  struct oci_net_priority prio = {"eth0", 5};
  struct oci_network_res net = {.class_id = {true, 0x100001}, .priorities = &prio, .priorities_len = 1};
  struct oci_rdma rd = {"mlx4_0", {true, 2}, {true, 3}};
  struct oci_device_cgroup dev = {.allow = true, .type = "c", .major = {true, 10}, .minor = {true, 200}, .access = "rw"};
  struct oci_resources res = {.memory = &m, .cpu = &c, .pids_limit = {true, 64}, .block_io = &b,
                              .hugepage_limits = &hl, .hugepage_limits_len = 1, .network = &net, .rdma = &rd,
                              .rdma_len = 1, .devices = &dev, .devices_len = 1};
  v1_create_ok(f, &res, &cg);
  assert_file(f, "memory/t/c/memory.limit_in_bytes", "1048576");
  assert_file(f, "memory/t/c/memory.memsw.limit_in_bytes", "2097152");
  assert_file(f, "memory/t/c/memory.soft_limit_in_bytes", "4096");
  assert_file(f, "memory/t/c/memory.kmem.tcp.limit_in_bytes", "65536");
  assert_file(f, "memory/t/c/memory.swappiness", "10");
  assert_file(f, "memory/t/c/memory.oom_control", "1");
  assert_file(f, "memory/t/c/memory.use_hierarchy", "1");
  assert_file(f, "cpu,cpuacct/t/c/cpu.shares", "512");
  assert_file(f, "cpu,cpuacct/t/c/cpu.cfs_quota_us", "25000");
  assert_file(f, "cpu,cpuacct/t/c/cpu.cfs_period_us", "100000");
  assert_file(f, "cpu,cpuacct/t/c/cpu.cfs_burst_us", "5");
  assert_file(f, "cpu,cpuacct/t/c/cpu.rt_runtime_us", "950");
  assert_file(f, "cpu,cpuacct/t/c/cpu.rt_period_us", "1000");
  assert_file(f, "cpu,cpuacct/t/c/cpu.idle", "0");
  assert_file(f, "cpuset/t/c/cpuset.cpus", "1");
  assert_file(f, "cpuset/t/c/cpuset.mems", "0");
  assert_file(f, "pids/t/c/pids.max", "64");
  /* no CFQ here: BFQ's files, same range, the device line last */
  assert_file(f, "blkio/t/c/blkio.bfq.weight", "300");
  assert_file(f, "blkio/t/c/blkio.bfq.weight_device", "8:0 200");
  assert_file(f, "blkio/t/c/blkio.throttle.write_bps_device", "8:0 2048");
  assert_file(f, "hugetlb/t/c/hugetlb.2MB.limit_in_bytes", "2097152");
  assert_file(f, "net_cls,net_prio/t/c/net_cls.classid", "1048577");
  assert_file(f, "net_cls,net_prio/t/c/net_prio.ifpriomap", "eth0 5");
  assert_file(f, "rdma/t/c/rdma.max", "mlx4_0 hca_handle=2 hca_object=3");
  /* devices: deny-all first, then the rules; the last allow is the last default (tun) */
  assert_file(f, "devices/t/c/devices.deny", "a");
  assert_file(f, "devices/t/c/devices.allow", "c 10:200 rwm");
}

static void test_v1_unlimited_memory_lifts_swap(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct oci_memory m = {.limit = {true, -1}};
  struct oci_resources res = {.memory = &m};
  v1_create_ok(f, &res, &cg);
  assert_file(f, "memory/t/c/memory.limit_in_bytes", "-1");
  assert_file(f, "memory/t/c/memory.memsw.limit_in_bytes", "-1");
}

static void test_v1_refusals(void **state)
{
  struct fake *f = *state;
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_cgroup *cg = NULL;
  struct oci_kv kv = {"memory.high", "1"};
  struct oci_resources r1 = {.unified = &kv, .unified_len = 1};
  struct oci_memory m = {.swappiness = {true, 101}};
  struct oci_resources r2 = {.memory = &m};
  struct oci_blkio b = {.leaf_weight = {true, 100}};
  struct oci_resources r3 = {.block_io = &b};
  struct oci_hugepage_limit hl = {"1GB", 1};
  struct oci_resources r4 = {.hugepage_limits = &hl, .hugepage_limits_len = 1};
  assert_int_equal(v1_create(f, &r1, &cg, &err), -1);
  assert_non_null(strstr(err.msg, "unified"));
  cove_error_release(&err);
  assert_int_equal(v1_create(f, &r2, &cg, &err), -1);
  assert_non_null(strstr(err.msg, "swappiness"));
  cove_error_release(&err);
  assert_int_equal(v1_create(f, &r3, &cg, &err), -1);
  assert_non_null(strstr(err.msg, "leafWeight"));
  cove_error_release(&err);
  assert_int_equal(v1_create(f, &r4, &cg, &err), -1);
  assert_non_null(strstr(err.msg, "1GB"));
  cove_error_release(&err);
}

static void test_v1_freeze_and_enter(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  bool frozen = false;
  v1_create_ok(f, NULL, &cg);
  assert_int_equal(cgroup_freeze(cg, true, &err), 0); /* the fake file reads back what was written */
  assert_file(f, "freezer/t/c/freezer.state", "FROZEN");
  assert_int_equal(cgroup_is_frozen(cg, &frozen, &err), 0);
  assert_true(frozen);
  assert_int_equal(cgroup_freeze(cg, false, &err), 0);
  assert_file(f, "freezer/t/c/freezer.state", "THAWED");
  assert_int_equal(cgroup_enter(cg, 1234, NULL, &err), 0);
  for (size_t i = 0; hiers[i]; i++) {
    char rel[128];
    snprintf(rel, sizeof(rel), "%s/t/c/cgroup.procs", hiers[i]);
    assert_file(f, rel, "1234");
  }
  assert_int_equal(cgroup_clone_fd(cg), -1);
}

static void test_v1_enter_controller_sub(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  char p[256];
  v1_create_ok(f, NULL, &cg);
  snprintf(p, sizeof(p), "%s/memory/t/c/sub", f->root);
  mkdir(p, 0755);
  snprintf(p, sizeof(p), "%s/pids/t/c/sub", f->root);
  mkdir(p, 0755);
  put(f->root, "memory/t/c/sub/cgroup.procs", "");
  put(f->root, "pids/t/c/sub/cgroup.procs", "");
  /* exec --cgroup memory,pids:sub: those two get the sub-cgroup, the rest the container's */
  assert_int_equal(cgroup_enter(cg, 99, "memory,pids:sub", &err), 0);
  assert_file(f, "memory/t/c/sub/cgroup.procs", "99");
  assert_file(f, "pids/t/c/sub/cgroup.procs", "99");
  assert_file(f, "cpu,cpuacct/t/c/cgroup.procs", "99");
  assert_file(f, "freezer/t/c/cgroup.procs", "99");
  /* a plain sub must exist in every hierarchy */
  assert_int_equal(cgroup_enter(cg, 98, "sub", &err), -1);
  cove_error_release(&err);
  assert_int_equal(cgroup_enter(cg, 97, "memory:../x", &err), -1);
  assert_non_null(strstr(err.msg, "escapes"));
  cove_error_release(&err);
}

static void test_v1_stats(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  struct cgroup_stats st;
  v1_create_ok(f, NULL, &cg);
  put(f->root, "cpu,cpuacct/t/c/cpuacct.usage", "123456\n");
  put(f->root, "cpu,cpuacct/t/c/cpuacct.usage_percpu", "100000 23456 \n");
  put(f->root, "cpu,cpuacct/t/c/cpu.stat", "nr_periods 5\nnr_throttled 2\nthrottled_time 999\n");
  put(f->root, "memory/t/c/memory.usage_in_bytes", "4096\n");
  put(f->root, "memory/t/c/memory.stat", "cache 1024\nrss 2048\ntotal_cache 1536\n");
  put(f->root, "memory/t/c/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 4\n");
  put(f->root, "pids/t/c/pids.current", "2\n");
  put(f->root, "pids/t/c/pids.max", "10\n");
  put(f->root, "blkio/t/c/blkio.throttle.io_service_bytes_recursive", "8:0 Read 512\n8:0 Write 1024\nTotal 1536\n");
  assert_int_equal(cgroup_stats(cg, &st, &err), 0);
  assert_int_equal(st.cpu_total, 123456);
  assert_int_equal(st.cpu_percpu_len, 2);
  assert_int_equal(st.cpu_percpu[1], 23456);
  assert_int_equal(st.throttle_throttled_time, 999);
  assert_int_equal(st.mem_usage, 4096);
  assert_int_equal(st.mem_cache, 1536);
  assert_int_equal(st.oom_kill, 4);
  assert_int_equal(st.pids_current, 2);
  assert_int_equal(st.pids_limit, 10);
  assert_int_equal(st.io_service_bytes_len, 2);
  assert_string_equal(st.io_service_bytes[1].op, "Write");
  assert_int_equal(st.io_service_bytes[1].value, 1024);
  cgroup_stats_free(&st);
}

/* issue 13: found directories with empty cpus/mems (a concurrent create made the shared parent
 * and has not filled it in yet) get their parent's, top-down, so the leaf admits tasks */
static void test_v1_cpuset_fills_empty_found_parents(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  v1_create_ok(f, NULL, &cg);
  assert_file(f, "cpuset/t/cpuset.cpus", "0-3\n");
  assert_file(f, "cpuset/t/cpuset.mems", "0\n");
  assert_file(f, "cpuset/t/c/cpuset.cpus", "0-3\n");
  assert_file(f, "cpuset/t/c/cpuset.mems", "0\n");
}

/* values already there are left alone (an admin's narrower parent, the config's own cpus) */
static void test_v1_cpuset_keeps_values(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  put(f->root, "cpuset/t/cpuset.cpus", "1\n");
  put(f->root, "cpuset/t/cpuset.mems", "0\n");
  v1_create_ok(f, NULL, &cg);
  assert_file(f, "cpuset/t/cpuset.cpus", "1\n");
  assert_file(f, "cpuset/t/c/cpuset.cpus", "1\n");
}

/* A child that waits to be killed.  SIGCHLD is ignored meanwhile, so the kernel reaps it at
 * once: its pid then answers ESRCH, as a killed process leaves cgroup.procs. */
static pid_t start_sleeper(int *pidfd)
{
  pid_t p = fork();
  assert_true(p >= 0);
  if (p == 0) {
    alarm(20); /* never outlives a failed test for long */
    for (;;)
      pause();
  }
  *pidfd = (int) sys_pidfd_open(p);
  assert_true(*pidfd >= 0);
  return p;
}

static void assert_dies(int pidfd)
{
  struct pollfd pf = {.fd = pidfd, .events = POLLIN};
  assert_int_equal(poll(&pf, 1, 5000), 1);
  close(pidfd);
}

/* issue 13: without cgroup.kill (v1, or v2 before 5.14) every process of every hierarchy is
 * killed by freeze, signal, thaw: here one that is in a single hierarchy of the container */
static void test_v1_kill_freezes_signals_thaws(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  struct sigaction ign = {.sa_handler = SIG_IGN}, old;
  char pid[32];
  int pfd;
  pid_t p;
  v1_create_ok(f, NULL, &cg);
  assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
  p = start_sleeper(&pfd);
  snprintf(pid, sizeof(pid), "%d\n", (int) p);
  put(f->root, "memory/t/c/cgroup.procs", pid);
  put(f->root, "freezer/t/c/freezer.state", "THAWED\n");
  if (cgroup_kill_all(cg, SIGKILL, &err) < 0)
    fail_msg("kill: %s", err.msg);
  assert_dies(pfd);
  assert_file(f, "freezer/t/c/freezer.state", "THAWED"); /* frozen for the kill, then thawed */
  assert_int_equal(sigaction(SIGCHLD, &old, NULL), 0);
}

/* a process listed in two hierarchies is one process: signalled once, counted once */
static void test_v1_pids_are_the_union_of_the_hierarchies(void **state)
{
  struct fake *f = *state;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  _cleanup_free_ pid_t *pids = NULL;
  struct cove_error err = COVE_ERROR_INIT;
  size_t n = 0;
  v1_create_ok(f, NULL, &cg);
  put(f->root, "memory/t/c/cgroup.procs", "30\n10\n");
  put(f->root, "pids/t/c/cgroup.procs", "10\n20\n");
  assert_int_equal(cgroup_pids(cg, &pids, &n, &err), 0);
  assert_int_equal(n, 3);
  assert_int_equal(pids[0], 10);
  assert_int_equal(pids[1], 20);
  assert_int_equal(pids[2], 30);
}

/* a creation failing half-way removes the directories it made (and only those) */
static void test_v1_failed_create_leaves_nothing(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_cgroup *cg = NULL;
  static const char *const only[] = {"memory", "cpuset", NULL};
  char root[64], p[256];
  struct stat st;
  struct oci_config *c = cfg_with(NULL);
  (void) state;
  snprintf(root, sizeof(root), "/tmp/cove-cgundo-XXXXXX");
  assert_non_null(mkdtemp(root));
  snprintf(p, sizeof(p), "%s/memory", root);
  mkdir(p, 0755);
  snprintf(p, sizeof(p), "%s/cpuset", root); /* no cpuset.cpus to copy: init of t fails */
  mkdir(p, 0755);
  c->linux_->cgroups_path = "/t/c";
  assert_int_equal(cgroup_create_at(root, CGROUP_MODE_LEGACY, only, c, "c", false, &cg, &err), -1);
  assert_non_null(strstr(err.msg, "cpuset"));
  cove_error_release(&err);
  snprintf(p, sizeof(p), "%s/cpuset/t", root);
  assert_int_equal(stat(p, &st), -1);
  /* memory's t/c was made before cpuset failed: create's failure path removed it too */
  snprintf(p, sizeof(p), "%s/memory/t", root);
  assert_int_equal(stat(p, &st), -1);
  snprintf(p, sizeof(p), "rm -rf '%s'", root);
  assert_int_equal(system(p), 0);
}

/* Record before make: a plan touches nothing, names what make will create, and its description
 * alone (a create killed half-way) lets destroy remove what was made, never what existed. */
static void test_plan_records_before_make(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_cgroup *cg = NULL, *loaded = NULL;
  static const char *const only[] = {"memory", "pids", NULL};
  char root[64], p[256];
  struct stat st;
  struct oci_config *c = cfg_with(NULL);
  _cleanup_free_ char *text = NULL;
  (void) state;
  snprintf(root, sizeof(root), "/tmp/cove-cgplan-XXXXXX");
  assert_non_null(mkdtemp(root));
  snprintf(p, sizeof(p), "%s/memory", root);
  mkdir(p, 0755);
  snprintf(p, sizeof(p), "%s/memory/t", root); /* someone else's parent */
  mkdir(p, 0755);
  snprintf(p, sizeof(p), "%s/pids", root);
  mkdir(p, 0755);
  c->linux_->cgroups_path = "/t/c";
  assert_int_equal(cgroup_plan_at(root, CGROUP_MODE_LEGACY, only, c, "c", false, &cg, &err), 0);
  text = cgroup_serialize(cg);
  assert_non_null(strstr(text, "v1 1 memory\n"));
  assert_non_null(strstr(text, "v1 2 pids\n"));
  snprintf(p, sizeof(p), "%s/pids/t", root);
  assert_int_equal(stat(p, &st), -1);
  /* create got as far as making these, then died */
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof(p), "%s/pids/t/c", root);
  assert_int_equal(mkdir(p, 0755), 0);
  snprintf(p, sizeof(p), "%s/memory/t/c", root);
  assert_int_equal(mkdir(p, 0755), 0);
  assert_int_equal(cgroup_load(text, &loaded, &err), 0);
  assert_int_equal(cgroup_destroy(loaded, &err), 0);
  snprintf(p, sizeof(p), "%s/pids/t", root);
  assert_int_equal(stat(p, &st), -1);
  snprintf(p, sizeof(p), "%s/memory/t/c", root);
  assert_int_equal(stat(p, &st), -1);
  snprintf(p, sizeof(p), "%s/memory/t", root);
  assert_int_equal(stat(p, &st), 0);
  cgroup_free(loaded);
  cgroup_free(cg);
  snprintf(p, sizeof(p), "rm -rf '%s'", root);
  assert_int_equal(system(p), 0);
}

int main(void)
{
#define V1(x) cmocka_unit_test_setup_teardown(x, v1_setup, v1_teardown)
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_shares_to_weight),
    cmocka_unit_test(test_blkio_weight_to_io_weight),
    cmocka_unit_test(test_swap_conversion),
    cmocka_unit_test(test_formats),
    cmocka_unit_test(test_paths),
    cmocka_unit_test(test_systemd_paths),
    cmocka_unit_test(test_load_refuses_bad_text),
    cmocka_unit_test(test_load_missing_dirs_is_fine),
    cmocka_unit_test(test_device_rules),
    cmocka_unit_test(test_device_rules_linux_devices_node_replaces_its_default),
    cmocka_unit_test(test_bpf_linux_devices_node_stays_denied),
    cmocka_unit_test(test_device_rules_refused),
    cmocka_unit_test(test_bpf_program),
    cmocka_unit_test(test_bpf_last_rule_wins),
    cmocka_unit_test(test_v1_failed_create_leaves_nothing),
    cmocka_unit_test(test_plan_records_before_make),
    V1(test_v1_resources),
    V1(test_v1_unlimited_memory_lifts_swap),
    V1(test_v1_refusals),
    V1(test_v1_freeze_and_enter),
    V1(test_v1_enter_controller_sub),
    V1(test_v1_stats),
    V1(test_v1_cpuset_fills_empty_found_parents),
    V1(test_v1_cpuset_keeps_values),
    V1(test_v1_kill_freezes_signals_thaws),
    V1(test_v1_pids_are_the_union_of_the_hierarchies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
