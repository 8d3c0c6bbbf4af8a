/* test_common.c: unit tests for common/: error wrapping, JSON quoting, integer and CPU-list parsing,
 * files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"

static void test_error_set_appends_strerror(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;
  assert_int_equal(cove_error_set(&err, ENOENT, "open `%s`", "/x"), -1);
  assert_string_equal(err.msg, "open `/x`: No such file or directory");
  assert_int_equal(err.errnum, ENOENT);
  cove_error_release(&err);
  assert_null(err.msg);
}

static void test_error_wrap_prefixes_context(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;
  cove_error_set(&err, 0, "it is a symlink");
  cove_error_wrap(&err, "resolve %s in rootfs", "/proc");
  cove_error_wrap(&err, "mount proc on /proc");
  assert_string_equal(err.msg, "mount proc on /proc: resolve /proc in rootfs: it is a symlink");
  assert_int_equal(err.errnum, 0);
  cove_error_release(&err);
}

static void test_error_set_replaces_previous(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;
  cove_error_set(&err, 0, "first");
  cove_error_set(&err, EPERM, "second");
  assert_string_equal(err.msg, "second: Operation not permitted");
  cove_error_release(&err);
}

static void test_json_quote_escapes(void **state)
{
  (void) state;
  _cleanup_free_ char *q = json_quote("a\"b\\c\nd\x01");
  assert_string_equal(q, "\"a\\\"b\\\\c\\nd\\u0001\"");
  _cleanup_free_ char *e = json_quote("");
  assert_string_equal(e, "\"\"");
}

/* the calendar arithmetic against the C library's, over leap days, centuries and the epoch */
static void test_rfc3339_utc(void **state)
{
  static const long long t[] = {0, 59, 86399, 86400, 68169599, 951782400, 951868799, 4107542399LL, 4107542400LL,
                                1709164800, 1735689599, 253402300799LL, -1, -86401, 1796120324};
  char got_small[30];
  (void) state;
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    char got[64], want[64];
    struct tm tm;
    time_t s = (time_t) t[i];
    assert_non_null(gmtime_r(&s, &tm));
    strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
    strcat(want, ".000000123Z");
    assert_int_equal(rfc3339_utc(t[i], 123, got, sizeof(got)), 0);
    assert_string_equal(got, want);
  }
  assert_int_equal(rfc3339_utc(0, 0, got_small, sizeof(got_small)), -1);
}

static void test_parse_u64(void **state)
{
  unsigned long long v;
  (void) state;
  assert_int_equal(parse_u64("18446744073709551615", &v), 0);
  assert_true(v == UINT64_MAX);
  assert_int_equal(parse_u64("18446744073709551616", &v), -1);
  assert_int_equal(parse_u64("-1", &v), -1);
  assert_int_equal(parse_u64("12x", &v), -1);
  assert_int_equal(parse_u64("", &v), -1);
  assert_int_equal(parse_u64("0", &v), 0);
  assert_true(v == 0);
}

static void test_atomic_write_and_read(void **state)
{
  char dir[] = "/tmp/cove-unit.XXXXXX";
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *data = NULL;
  _cleanup_free_ char *path = NULL;
  size_t len = 0;
  (void) state;

  assert_non_null(mkdtemp(dir));
  path = xasprintf("%s/a/b/c", dir);
  assert_int_equal(mkdir_p(path, 0700, &err), 0);
  free(path);
  path = xasprintf("%s/a", dir);
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(fd >= 0);
  assert_int_equal(write_file_atomic_at(fd, "state.json", "{}", 2, 0600, &err), 0);
  assert_int_equal(read_file_at(fd, "state.json", 1024, &data, &len, &err), 0);
  assert_string_equal(data, "{}");
  assert_int_equal(len, 2);
  free(data);
  data = NULL;
  assert_int_equal(read_file_at(fd, "state.json", 1, &data, &len, &err), -1);
  assert_non_null(strstr(err.msg, "larger than 1 bytes"));
  cove_error_release(&err);
  assert_int_equal(read_file_at(fd, "missing", 1024, &data, &len, &err), -1);
  assert_string_equal(err.msg, "open `missing`: No such file or directory");
  cove_error_release(&err);
  close(fd);
  free(path);
  path = xasprintf("rm -rf %s", dir);
  assert_int_equal(system(path), 0);
}

static void test_log_target_parse(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_log_target t;
  (void) state;

  assert_int_equal(cove_log_parse_target(NULL, &t, &err), 0);
  assert_int_equal(t.kind, COVE_LOG_TO_STDERR);
  assert_int_equal(cove_log_parse_target("", &t, &err), 0);
  assert_int_equal(t.kind, COVE_LOG_TO_STDERR);
  /* a path is a file, colons and all (as runc takes it) */
  assert_int_equal(cove_log_parse_target("/run/b:x/log.json", &t, &err), 0);
  assert_int_equal(t.kind, COVE_LOG_TO_FILE);
  assert_string_equal(t.arg, "/run/b:x/log.json");
  assert_int_equal(cove_log_parse_target("file:log.json", &t, &err), 0);
  assert_int_equal(t.kind, COVE_LOG_TO_FILE);
  assert_string_equal(t.arg, "log.json");
  assert_int_equal(cove_log_parse_target("syslog:web", &t, &err), 0);
  assert_int_equal(t.kind, COVE_LOG_TO_SYSLOG);
  assert_string_equal(t.arg, "web");
  assert_int_equal(cove_log_parse_target("journald:", &t, &err), 0);
  assert_int_equal(t.kind, COVE_LOG_TO_JOURNALD);
  assert_string_equal(t.arg, "cove");

  assert_int_equal(cove_log_parse_target("file:", &t, &err), -1);
  assert_string_equal(err.msg, "file: needs a path");
  assert_int_equal(cove_log_parse_target("syslog:a\nb", &t, &err), -1);
  assert_string_equal(err.msg, "syslog identifier `a\nb`: only printable characters, no spaces");
  assert_int_equal(cove_log_parse_target("journald:0123456789012345678901234567890123456789012345678901234567890123", &t, &err), 0);
  assert_int_equal(cove_log_parse_target("journald:01234567890123456789012345678901234567890123456789012345678901234", &t, &err), -1);
  assert_non_null(strstr(err.msg, "longer than 64 characters"));
  cove_error_release(&err);
}

struct ranges {
  char text[128];
  size_t len;
};

static int record_range(unsigned long first, unsigned long last, void *ctx)
{
  struct ranges *r = ctx;
  r->len += (size_t) snprintf(r->text + r->len, sizeof(r->text) - r->len, "[%lu,%lu]", first, last);
  return 0;
}

static int refuse_range(unsigned long first, unsigned long last, void *ctx)
{
  (void) first;
  (void) last;
  (void) ctx;
  return -1;
}

/* one parser for cpuset.cpus/mems, execCPUAffinity and memoryPolicy nodes (issue 19) */
static void test_parse_cpu_list(void **state)
{
  static const struct {
    const char *in;
    const char *ranges;
  } good[] = {
    {"", ""},          {"0", "[0,0]"},           {"0-3", "[0,3]"},     {"0-3,7", "[0,3][7,7]"},
    {"5,1-2", "[5,5][1,2]"}, {"4-4", "[4,4]"}, {"1048576", "[1048576,1048576]"},
  };
  static const char *const bad[] = {"1,", ",1", "1,,2", "3-1", "a", "1-", "-1", "1--2", "1 2", " 1", "+1",
                                    "1048577", "0-1048577", "99999999999999999999", "1\n"};
  (void) state;
  for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
    struct ranges r = {.len = 0};
    if (parse_cpu_list(good[i].in, CPU_LIST_MAX, record_range, &r) < 0)
      fail_msg("`%s` refused", good[i].in);
    assert_string_equal(r.text, good[i].ranges);
    assert_int_equal(parse_cpu_list(good[i].in, CPU_LIST_MAX, NULL, NULL), 0);
  }
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
    if (parse_cpu_list(bad[i], CPU_LIST_MAX, NULL, NULL) == 0)
      fail_msg("`%s` accepted", bad[i]);
  assert_int_equal(parse_cpu_list("3", 2, NULL, NULL), -1); /* above max */
  assert_int_equal(parse_cpu_list("0", 0, refuse_range, NULL), -1); /* fn's refusal */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_error_set_appends_strerror),
    cmocka_unit_test(test_error_wrap_prefixes_context),
    cmocka_unit_test(test_error_set_replaces_previous),
    cmocka_unit_test(test_json_quote_escapes),
    cmocka_unit_test(test_parse_u64),
    cmocka_unit_test(test_rfc3339_utc),
    cmocka_unit_test(test_parse_cpu_list),
    cmocka_unit_test(test_atomic_write_and_read),
    cmocka_unit_test(test_log_target_parse),
  };
  return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
