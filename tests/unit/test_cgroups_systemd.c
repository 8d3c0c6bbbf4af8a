/* test_cgroups_systemd.c: unit tests of the systemd cgroup driver's pure half (systemd_props.c),
 * without systemd: cgroupsPath "slice:prefix:name" to slice and unit, the cpuset bitmask, the
 * CPUQuotaPerSecUSec rounding, and linux.resources to unit properties on cgroup v2 and on v1
 * (the v1/hybrid mapping is tested here only: the systemd guest lane boots pure v2), the device
 * allow list systemd can hold, systemd-version gating, and update's partial properties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroups/internal.h"
#include "cgroups/systemd.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "oci/oci.h"

static struct oci_config *parse(const char *json)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_config *c = NULL;
  if (oci_config_parse("config.json", json, strlen(json), &c, &err) < 0)
    fail_msg("parse: %s", err.msg);
  return c;
}

/* A config with the given linux.resources object. */
static struct oci_config *with_resources(const char *res)
{
  _cleanup_free_ char *json = xasprintf("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
                                        "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                                        "\"linux\":{\"resources\":%s}}",
                                        res);
  return parse(json);
}

/* The properties as "Name=value" lines joined by '\n'. */
static char *props_text(const struct cg_sd_props *p)
{
  char *out = xstrdup("");
  size_t len = 0;
  for (size_t i = 0; i < p->n; i++) {
    _cleanup_free_ char *t = cg_sd_prop_format(&p->v[i]);
    out = xrealloc(out, len + strlen(t) + 2);
    memcpy(out + len, t, strlen(t));
    len += strlen(t);
    out[len++] = '\n';
    out[len] = '\0';
  }
  return out;
}

static char *resource_props(const char *res, bool update, const struct cg_sd_opts *o)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(oci_config_freep) struct oci_config *c = with_resources(res);
  _cleanup_(cg_sd_props_freep) struct cg_sd_props p = {0};
  if (cg_sd_resource_props(c->linux_->resources, NULL, 0, update, o, &p, &err) < 0)
    fail_msg("props of %s: %s", res, err.msg);
  return props_text(&p);
}

static void expect_props(const char *res, bool update, const struct cg_sd_opts *o, const char *want)
{
  _cleanup_free_ char *got = resource_props(res, update, o);
  if (strcmp(got, want))
    fail_msg("resources %s:\n--- got\n%s--- want\n%s", res, got, want);
}

static void expect_props_error(const char *res, const struct cg_sd_opts *o, const char *needle)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(oci_config_freep) struct oci_config *c = with_resources(res);
  _cleanup_(cg_sd_props_freep) struct cg_sd_props p = {0};
  assert_int_equal(cg_sd_resource_props(c->linux_->resources, NULL, 0, false, o, &p, &err), -1);
  if (!strstr(err.msg, needle))
    fail_msg("`%s` does not mention `%s`", err.msg, needle);
  cove_error_release(&err);
}

/* runc's AllowedDevices, as cove appends them: mknod of anything, then the usual nodes */
#define DEFAULT_NODES                                                                                              \
  "/dev/char/1:3 rwm, /dev/char/1:8 rwm, /dev/char/1:7 rwm, /dev/char/5:0 rwm, /dev/char/1:5 rwm, /dev/char/1:9 rwm, " \
  "char-136 rwm, /dev/char/5:2 rwm, /dev/char/10:200 rwm\n"
#define DEFAULT_DEVICES_TAIL "char-* m, block-* m, " DEFAULT_NODES
#define DEFAULT_DEVICES "DevicePolicy=strict\nDeviceAllow=" DEFAULT_DEVICES_TAIL
#define DENY_ALL "{\"allow\":false,\"access\":\"rwm\"}"

/* ---- names ---- */

static void expect_unit(const char *path, const char *want_slice, const char *want_unit)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *slice = NULL, *unit = NULL;
  if (cg_sd_parse_path(path, "ctr", false, &slice, &unit, &err) < 0)
    fail_msg("%s: %s", path ? path : "(null)", err.msg);
  assert_string_equal(slice, want_slice);
  assert_string_equal(unit, want_unit);
}

static void expect_unit_error(const char *path, const char *id, const char *needle)
{
  struct cove_error err = COVE_ERROR_INIT;
  char *slice = (char *) 1, *unit = (char *) 1;
  assert_int_equal(cg_sd_parse_path(path, id, false, &slice, &unit, &err), -1);
  assert_null(slice);
  assert_null(unit);
  if (!strstr(err.msg, needle))
    fail_msg("`%s` does not mention `%s`", err.msg, needle);
  cove_error_release(&err);
}

static void test_unit_names(void **state)
{
  (void) state;
  /* runc's rules: an empty slice is system.slice, no prefix is name.scope, a .slice name is a slice */
  expect_unit(NULL, "system.slice", "cove-ctr.scope");
  expect_unit("", "system.slice", "cove-ctr.scope");
  expect_unit("machine.slice:libpod:abc123", "machine.slice", "libpod-abc123.scope");
  expect_unit(":cove:abc", "system.slice", "cove-abc.scope");
  expect_unit("user-1000.slice::x", "user-1000.slice", "x.scope");
  expect_unit("-.slice:p:n", "-.slice", "p-n.scope");
  expect_unit("system.slice:p:kube.slice", "system.slice", "kube.slice");
  {
    /* a user manager's default (rootless, runc's rule): user.slice, for an empty slice too */
    struct cove_error err = COVE_ERROR_INIT;
    _cleanup_free_ char *slice = NULL, *unit = NULL, *slice2 = NULL, *unit2 = NULL, *slice3 = NULL, *unit3 = NULL;
    assert_int_equal(cg_sd_parse_path(NULL, "ctr", true, &slice, &unit, &err), 0);
    assert_string_equal(slice, "user.slice");
    assert_string_equal(unit, "cove-ctr.scope");
    assert_int_equal(cg_sd_parse_path(":p:n", "ctr", true, &slice2, &unit2, &err), 0);
    assert_string_equal(slice2, "user.slice");
    assert_string_equal(unit2, "p-n.scope");
    assert_int_equal(cg_sd_parse_path("app.slice:p:n", "ctr", true, &slice3, &unit3, &err), 0);
    assert_string_equal(slice3, "app.slice");
  }
  expect_unit_error("/a/b", "ctr", "slice:prefix:name");
  expect_unit_error("a:b:c:d", "ctr", "slice:prefix:name");
  expect_unit_error("nota:p:n", "ctr", "NAME.slice");
  expect_unit_error("a--b.slice:p:n", "ctr", "empty component");
  expect_unit_error("-a.slice:p:n", "ctr", "empty component");
  expect_unit_error("a-.slice:p:n", "ctr", "empty component");
  expect_unit_error("system.slice:p:", "ctr", "bad unit name");
  expect_unit_error("system.slice:p/q:n", "ctr", "bad unit name");
  /* systemd refuses these characters in unit names: refused before anything is made */
  expect_unit_error("system.slice:p:a+b", "ctr", "is invalid");
  expect_unit_error("system.slice:p:a b", "ctr", "is invalid");
  expect_unit_error(NULL, "a+b", "from the container id");
  assert_true(cg_sd_unit_name_valid("cove-abc.scope"));
  assert_true(cg_sd_unit_name_valid("a:b_c.d\\x2d.slice"));
  assert_false(cg_sd_unit_name_valid("cove-abc.service"));
  assert_false(cg_sd_unit_name_valid(".scope"));
  assert_false(cg_sd_unit_name_valid(""));
  {
    char longname[300];
    memset(longname, 'a', sizeof(longname));
    memcpy(longname + 250, ".scope", 7);
    assert_false(cg_sd_unit_name_valid(longname));
  }
}

/* ---- conversions ---- */

static void expect_bits(const char *list, const uint8_t *want, size_t n)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ uint8_t *bits = NULL;
  size_t got = 0;
  if (cg_sd_range_to_bits(list, &bits, &got, &err) < 0)
    fail_msg("%s: %s", list, err.msg);
  assert_int_equal(got, n);
  assert_memory_equal(bits, want, n);
}

static void test_range_to_bits(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  uint8_t *bits = NULL;
  size_t n = 0;
  static const char *const bad[] = {"", ",", "3-1", "a", "1-", "1-x", "2 3", "65536"};
  (void) state;
  /* byte i holds CPUs 8i..8i+7, lowest bit first (systemd's cpu_set_from_dbus) */
  expect_bits("0", (const uint8_t[]){0x01}, 1);
  expect_bits("0-3", (const uint8_t[]){0x0f}, 1);
  expect_bits("1,3-5", (const uint8_t[]){0x3a}, 1);
  expect_bits("8", (const uint8_t[]){0x00, 0x01}, 2);
  expect_bits("0-1,9", (const uint8_t[]){0x03, 0x02}, 2);
  expect_bits(" 7 , 15,", (const uint8_t[]){0x80, 0x80}, 2);
  expect_bits("63-64", (const uint8_t[]){0, 0, 0, 0, 0, 0, 0, 0x80, 0x01}, 9);
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    assert_int_equal(cg_sd_range_to_bits(bad[i], &bits, &n, &err), -1);
    assert_null(bits);
    assert_non_null(err.msg);
    cove_error_release(&err);
  }
}

static void test_cpu_quota_per_sec(void **state)
{
  (void) state;
  assert_int_equal(cg_sd_cpu_quota_per_sec(50000, 100000), 500000);
  /* 123450 us/s is 12.345 %: rounded up to the next whole percent (10 ms), never down */
  assert_int_equal(cg_sd_cpu_quota_per_sec(12345, 100000), 130000);
  assert_int_equal(cg_sd_cpu_quota_per_sec(1, 1000000), 10000);
  /* period 0 is the kernel's default, 100 ms */
  assert_int_equal(cg_sd_cpu_quota_per_sec(20000, 0), 200000);
  assert_int_equal(cg_sd_cpu_quota_per_sec(150000, 50000), 3000000);
  /* no quota: infinity */
  assert_true(cg_sd_cpu_quota_per_sec(-1, 100000) == CG_SD_INFINITY);
  assert_true(cg_sd_cpu_quota_per_sec(0, 100000) == CG_SD_INFINITY);
  /* no overflow for a huge quota */
  assert_true(cg_sd_cpu_quota_per_sec(INT64_MAX, 1000) < CG_SD_INFINITY);
}

/* ---- the unit ---- */

static void test_unit_props(void **state)
{
  _cleanup_(cg_sd_props_freep) struct cg_sd_props p = {0}, q = {0};
  _cleanup_free_ char *scope = NULL, *slice = NULL;
  (void) state;
  cg_sd_unit_props("web", "machine.slice", "cove-web.scope", 4242, false, &p);
  scope = props_text(&p);
  assert_string_equal(scope, "Description=cove container web\n"
                             "Slice=machine.slice\n"
                             "PIDs=4242\n"
                             "Delegate=yes\n"
                             "MemoryAccounting=yes\n"
                             "CPUAccounting=yes\n"
                             "IOAccounting=yes\n"
                             "TasksAccounting=yes\n"
                             "DefaultDependencies=no\n");
  /* a slice is a dependency of its parent, is not delegated; v1 says BlockIOAccounting */
  cg_sd_unit_props("k", "system.slice", "kube.slice", 0, true, &q);
  slice = props_text(&q);
  assert_string_equal(slice, "Description=cove container k\n"
                             "Wants=system.slice\n"
                             "MemoryAccounting=yes\n"
                             "CPUAccounting=yes\n"
                             "BlockIOAccounting=yes\n"
                             "TasksAccounting=yes\n"
                             "DefaultDependencies=no\n");
}

/* The v1 hierarchies a create records as its own to make (and delete removes) beside the unit:
 * the ones systemd does not realize a scope in. */
static void test_v1_managed(void **state)
{
  (void) state;
  assert_true(cg_sd_v1_managed("memory"));
  assert_true(cg_sd_v1_managed("pids"));
  assert_true(cg_sd_v1_managed("devices"));
  assert_true(cg_sd_v1_managed("blkio"));
  assert_true(cg_sd_v1_managed("cpu,cpuacct"));
  assert_true(cg_sd_v1_managed("cpuacct,cpu"));
  assert_true(cg_sd_v1_managed("name=systemd"));
  assert_false(cg_sd_v1_managed("cpuset"));
  assert_false(cg_sd_v1_managed("freezer"));
  assert_false(cg_sd_v1_managed("net_cls,net_prio"));
  assert_false(cg_sd_v1_managed("perf_event"));
  assert_false(cg_sd_v1_managed("hugetlb"));
  assert_false(cg_sd_v1_managed("rdma"));
  assert_false(cg_sd_v1_managed("misc"));
  assert_false(cg_sd_v1_managed("unified"));
  assert_false(cg_sd_v1_managed(""));
  assert_false(cg_sd_v1_managed(NULL));
}

/* ---- resources ---- */

#define ALL_RESOURCES                                                                                               \
  "{\"devices\":[" DENY_ALL "],"                                                                                 \
  "\"memory\":{\"limit\":67108864,\"reservation\":33554432,\"swap\":100663296,\"swappiness\":10},"                 \
  "\"cpu\":{\"shares\":2048,\"quota\":12345,\"period\":100000,\"cpus\":\"0-1\",\"mems\":\"0\",\"burst\":1000},"     \
  "\"pids\":{\"limit\":77},"                                                                                       \
  "\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":254,\"minor\":0,\"weight\":100}],"                     \
  "\"throttleReadBpsDevice\":[{\"major\":254,\"minor\":0,\"rate\":1048576}],"                                      \
  "\"throttleWriteBpsDevice\":[{\"major\":254,\"minor\":0,\"rate\":2097152}],"                                     \
  "\"throttleReadIOPSDevice\":[{\"major\":254,\"minor\":0,\"rate\":100}],"                                         \
  "\"throttleWriteIOPSDevice\":[{\"major\":254,\"minor\":0,\"rate\":200}]}}"

static void test_v2_properties(void **state)
{
  struct cg_sd_opts o = {.version = 252};
  (void) state;
  /* the CPU weight is cove's shares conversion (2048 -> 174), IO weights the blkio one
   * (500 -> 4950, 100 -> 910), swap is swap - limit; swappiness and burst have no property */
  expect_props(ALL_RESOURCES, false, &o,
               DEFAULT_DEVICES "MemoryMax=67108864\n"
                               "MemoryLow=33554432\n"
                               "MemorySwapMax=33554432\n"
                               "CPUWeight=174\n"
                               "TasksMax=77\n"
                               "IOWeight=4950\n"
                               "IODeviceWeight=/dev/block/254:0 910\n"
                               "IOReadBandwidthMax=/dev/block/254:0 1048576\n"
                               "IOWriteBandwidthMax=/dev/block/254:0 2097152\n"
                               "IOReadIOPSMax=/dev/block/254:0 100\n"
                               "IOWriteIOPSMax=/dev/block/254:0 200\n"
                               "CPUQuotaPeriodUSec=100000\n"
                               "CPUQuotaPerSecUSec=130000\n"
                               "AllowedCPUs=0-1\n"
                               "AllowedMemoryNodes=0\n");
  /* "no limit" everywhere is infinity; swap == limit is MemorySwapMax=0 (no swap) */
  expect_props("{\"memory\":{\"limit\":-1,\"reservation\":-1},\"pids\":{\"limit\":0},\"cpu\":{\"quota\":-1}}", true, &o,
               "MemoryMax=infinity\nMemoryLow=infinity\nTasksMax=infinity\nCPUQuotaPerSecUSec=infinity\n");
  expect_props("{\"memory\":{\"limit\":1048576,\"swap\":1048576}}", true, &o, "MemoryMax=1048576\nMemorySwapMax=0\n");
  expect_props("{\"memory\":{\"limit\":1048576,\"swap\":-1}}", true, &o,
               "MemoryMax=1048576\nMemorySwapMax=infinity\n");
  /* a throttle rate of 0 lifts the limit */
  expect_props("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":0}]}}", true, &o,
               "IOReadBandwidthMax=/dev/block/8:0 infinity\n");
  /* errors name the field */
  expect_props_error("{\"memory\":{\"limit\":2097152,\"swap\":1048576}}", &o, "memory.swap");
  /* the parser checks the list's form; a CPU number beyond any kernel's is refused here */
  expect_props_error("{\"cpu\":{\"cpus\":\"0,70000\"}}", &o, "linux.resources.cpu.cpus");
}

static void test_v1_properties(void **state)
{
  struct cg_sd_opts o = {.v1 = true, .version = 252};
  (void) state;
  /* runc's v1 names; the blkio weights unconverted; no MemoryLow/MemorySwapMax and no IOPS
   * properties on v1: the files carry them */
  expect_props(ALL_RESOURCES, false, &o,
               DEFAULT_DEVICES "MemoryLimit=67108864\n"
                               "CPUShares=2048\n"
                               "TasksMax=77\n"
                               "BlockIOWeight=500\n"
                               "BlockIODeviceWeight=/dev/block/254:0 100\n"
                               "BlockIOReadBandwidth=/dev/block/254:0 1048576\n"
                               "BlockIOWriteBandwidth=/dev/block/254:0 2097152\n"
                               "CPUQuotaPeriodUSec=100000\n"
                               "CPUQuotaPerSecUSec=130000\n"
                               "AllowedCPUs=0-1\n"
                               "AllowedMemoryNodes=0\n");
  /* unified keys are v2 files: no properties on v1 */
  expect_props("{\"unified\":{\"memory.high\":\"1000000\"}}", true, &o, "");
}

static void test_version_gating(void **state)
{
  struct cg_sd_opts o241 = {.version = 241}, o243 = {.version = 243};
  const char *res = "{\"cpu\":{\"quota\":50000,\"period\":200000,\"cpus\":\"0\"}}";
  (void) state;
  /* CPUQuotaPeriodUSec needs 242, AllowedCPUs 244: older systemd gets the file only */
  expect_props(res, true, &o241, "CPUQuotaPerSecUSec=250000\n");
  expect_props(res, true, &o243, "CPUQuotaPeriodUSec=200000\nCPUQuotaPerSecUSec=250000\n");
}

static void test_unified_properties(void **state)
{
  struct cg_sd_opts o = {.version = 252};
  (void) state;
  /* runc's table, after the converted fields so an explicit unified value wins as in the files;
   * unknown keys (io.latency) have no property */
  expect_props("{\"memory\":{\"limit\":1000},\"unified\":{\"memory.high\":\" 5000\\n\",\"memory.max\":\"max\","
               "\"memory.min\":\"10\",\"memory.low\":\"20\",\"memory.swap.max\":\"0\",\"pids.max\":\"9\","
               "\"cpu.weight\":\"300\",\"cpu.max\":\"max 50000\",\"cpuset.cpus\":\"1\",\"cpuset.mems\":\"0\","
               "\"io.latency\":\"x\"}}",
               true, &o,
               "MemoryMax=1000\n"
               "MemoryHigh=5000\n"
               "MemoryMax=infinity\n"
               "MemoryMin=10\n"
               "MemoryLow=20\n"
               "MemorySwapMax=0\n"
               "TasksMax=9\n"
               "CPUWeight=300\n"
               "CPUQuotaPeriodUSec=50000\n"
               "CPUQuotaPerSecUSec=infinity\n"
               "AllowedCPUs=1\n"
               "AllowedMemoryNodes=0\n");
  expect_props("{\"unified\":{\"cpu.max\":\"25000\"}}", true, &o,
               "CPUQuotaPeriodUSec=100000\nCPUQuotaPerSecUSec=250000\n");
  expect_props_error("{\"unified\":{\"memory.high\":\"lots\"}}", &o, "memory.high");
  expect_props_error("{\"unified\":{\"cpu.weight\":\"0\"}}", &o, "cpu.weight");
  expect_props_error("{\"unified\":{\"cpu.max\":\"x 100\"}}", &o, "cpu.max");
}

static void test_update_properties(void **state)
{
  struct cg_sd_opts o = {.version = 252, .have_cur_limit = true, .cur_limit = 1048576,
                         .have_cur_quota = true, .cur_quota = 50000};
  (void) state;
  /* update leaves the devices as create set them; a part alone is computed with the rest in
   * force: swap with the current limit, a new period with the current quota */
  expect_props("{\"devices\":[" DENY_ALL "],\"memory\":{\"swap\":3145728},\"cpu\":{\"period\":200000}}", true, &o,
               "MemorySwapMax=2097152\nCPUQuotaPeriodUSec=200000\nCPUQuotaPerSecUSec=250000\n");
}

/* ---- devices ---- */

static void test_device_properties(void **state)
{
  struct cg_sd_opts v2 = {.version = 252}, v1 = {.v1 = true, .version = 252};
  (void) state;
  /* no devices section at all: the defaults only */
  expect_props("{}", false, &v2, DEFAULT_DEVICES);
  /* a user manager (rootless) loads no device program: no device properties at all */
  {
    struct cg_sd_opts user = {.user = true, .version = 252};
    expect_props("{\"devices\":[" DENY_ALL "],\"pids\":{\"limit\":5}}", false, &user, "TasksMax=5\n");
  }
  /* allow everything: DevicePolicy=auto and no list */
  expect_props("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}", false, &v2, "DevicePolicy=auto\nDeviceAllow=\n");
  /* a deny list (allow all, then deny one) cannot be held by systemd: everything, cove's eBPF
   * program denies the rest */
  expect_props("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"c\",\"major\":1,"
               "\"minor\":3,\"access\":\"rwm\"}]}",
               false, &v2, "DevicePolicy=auto\nDeviceAllow=\n");
  /* a deny carves access out of the entries it covers (the defaults come after it and are
   * allowed again, as in the eBPF program where the last match wins) */
  expect_props("{\"devices\":[" DENY_ALL ",{\"allow\":true,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"rwm\"},"
               "{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"w\"},"
               "{\"allow\":true,\"type\":\"c\",\"major\":10,\"access\":\"r\"},"
               "{\"allow\":true,\"type\":\"c\",\"major\":10,\"access\":\"w\"},"
               "{\"allow\":true,\"type\":\"b\",\"major\":9,\"minor\":1,\"access\":\"r\"},"
               "{\"allow\":false,\"type\":\"b\",\"access\":\"r\"}]}",
               false, &v2,
               "DevicePolicy=strict\nDeviceAllow=/dev/block/8:0 m, char-10 rw, " DEFAULT_DEVICES_TAIL);
  /* "*:5": v2 widens to every char device (cove's program is exact; one entry with the default
   * mknod of everything), v1 leaves it out */
  expect_props("{\"devices\":[" DENY_ALL ",{\"allow\":true,\"type\":\"c\",\"minor\":5,\"access\":\"r\"}]}", false,
               &v2, "DevicePolicy=strict\nDeviceAllow=char-* rm, block-* m, " DEFAULT_NODES);
  expect_props("{\"devices\":[" DENY_ALL ",{\"allow\":true,\"type\":\"c\",\"minor\":5,\"access\":\"r\"}]}", false,
               &v1, DEFAULT_DEVICES);
  /* some access to every device: both kinds */
  expect_props("{\"devices\":[" DENY_ALL ",{\"allow\":true,\"access\":\"r\"}]}", false, &v2,
               "DevicePolicy=strict\nDeviceAllow=char-* rm, block-* rm, " DEFAULT_NODES);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_unit_names),
    cmocka_unit_test(test_range_to_bits),
    cmocka_unit_test(test_cpu_quota_per_sec),
    cmocka_unit_test(test_unit_props),
    cmocka_unit_test(test_v1_managed),
    cmocka_unit_test(test_v2_properties),
    cmocka_unit_test(test_v1_properties),
    cmocka_unit_test(test_version_gating),
    cmocka_unit_test(test_unified_properties),
    cmocka_unit_test(test_update_properties),
    cmocka_unit_test(test_device_properties),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
