/* test_lsm.c: the pure part of runtime/lsm.c: which mounts get linux.mountLabel (runc's rules),
 * the `context="..."` option as go-selinux's FormatMountLabel writes it, and the checks every
 * label goes through before it reaches the kernel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "runtime/internal.h"
#include "runtime/rootfs/internal.h"

static char *fmt(const char *data, const char *label)
{
  struct cove_error err = COVE_ERROR_INIT;
  char *out = (char *) 1;
  assert_int_equal(lsm_format_mount_label(data, label, &out, &err), 0);
  assert_null(err.msg);
  return out;
}

static void test_format_mount_label(void **state)
{
  (void) state;
  /* no data: the option alone; data: appended after a comma; the label quoted (MCS categories
   * have commas of their own) */
  _cleanup_free_ char *a = fmt(NULL, "system_u:object_r:container_file_t:s0:c1,c2");
  assert_string_equal(a, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  _cleanup_free_ char *b = fmt("", "system_u:object_r:container_file_t:s0");
  assert_string_equal(b, "context=\"system_u:object_r:container_file_t:s0\"");
  _cleanup_free_ char *c = fmt("mode=755,size=65536k", "system_u:object_r:container_file_t:s0:c1,c2");
  assert_string_equal(c, "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  /* no label: nothing to add, the caller keeps its data */
  assert_null(fmt("mode=755", NULL));
  assert_null(fmt("mode=755", ""));
  assert_null(fmt(NULL, NULL));
}

static void test_format_mount_label_refuses(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  char *out = NULL;
  (void) state;
  /* a quote would end the option early and let the rest through as options of their own */
  assert_int_equal(lsm_format_mount_label("mode=755", "a:b:c:s0\",rw", &out, &err), -1);
  assert_null(out);
  assert_non_null(strstr(err.msg, "double quote"));
  cove_error_release(&err);
  /* mount(2) reads one page of data: a longer string would be cut silently */
  char *big = calloc(1, 5000);
  assert_non_null(big);
  memset(big, 'x', 4090);
  assert_int_equal(lsm_format_mount_label("mode=755", big, &out, &err), -1);
  assert_null(out);
  assert_non_null(strstr(err.msg, "page"));
  cove_error_release(&err);
  free(big);
}

static void test_mount_takes_label(void **state)
{
  (void) state;
  /* what runc labels: filesystems it mounts itself */
  assert_true(lsm_mount_takes_label("tmpfs", false));
  assert_true(lsm_mount_takes_label("devpts", false));
  assert_true(lsm_mount_takes_label("mqueue", false));
  assert_true(lsm_mount_takes_label("overlay", false));
  assert_true(lsm_mount_takes_label("fuse.sshfs", false));
  /* and what it does not: procfs and sysfs cannot be labelled, cgroup hierarchies keep their
   * own labels (runc labels only the tmpfs of a v1 /sys/fs/cgroup), a bind keeps its source's */
  assert_false(lsm_mount_takes_label("proc", false));
  assert_false(lsm_mount_takes_label("sysfs", false));
  assert_false(lsm_mount_takes_label("cgroup", false));
  assert_false(lsm_mount_takes_label("cgroup2", false));
  assert_false(lsm_mount_takes_label("bind", true));
  assert_false(lsm_mount_takes_label("tmpfs", true));
  assert_false(lsm_mount_takes_label(NULL, true));
  assert_true(lsm_mount_takes_label(NULL, false));
}

static void test_mount_data(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_linux l = {.mount_label = (char *) "system_u:object_r:container_file_t:s0:c1,c2"};
  struct oci_config c = {.linux_ = &l};
  char *out = NULL;
  (void) state;
  /* /dev of runc's default spec, and a v1 host's /sys/fs/cgroup tmpfs */
  assert_int_equal(lsm_mount_data(&c, "tmpfs", false, "mode=755,size=65536k", &out, &err), 0);
  assert_string_equal(out, "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  free(out);
  assert_int_equal(lsm_mount_data(&c, "devpts", false, NULL, &out, &err), 0);
  assert_string_equal(out, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  free(out);
  assert_int_equal(lsm_mount_data(&c, "proc", false, NULL, &out, &err), 0);
  assert_null(out);
  assert_int_equal(lsm_mount_data(&c, "tmpfs", true, "mode=755", &out, &err), 0);
  assert_null(out);
  /* no linux section, or no label: the data stays as it is */
  struct oci_config bare = {0};
  assert_int_equal(lsm_mount_data(&bare, "tmpfs", false, "mode=755", &out, &err), 0);
  assert_null(out);
  l.mount_label = NULL;
  assert_int_equal(lsm_mount_data(&c, "tmpfs", false, "mode=755", &out, &err), 0);
  assert_null(out);
}

static void test_check_values(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;
  /* no label: nothing to check, on any host */
  assert_int_equal(lsm_check_apparmor("x", NULL, &err), 0);
  assert_int_equal(lsm_check_apparmor("x", "", &err), 0);
  assert_int_equal(lsm_check_selinux("x", NULL, &err), 0);
  assert_int_equal(lsm_check_selinux("x", "", &err), 0);
  /* malformed values are refused before the host is asked */
  assert_int_equal(lsm_check_apparmor("config.json: .process.apparmorProfile", "a\nb", &err), -1);
  assert_string_equal(err.msg, "config.json: .process.apparmorProfile: has a control character");
  cove_error_release(&err);
  assert_int_equal(lsm_check_selinux("--process-label", "a:b:c:s0\"", &err), -1);
  assert_string_equal(err.msg, "--process-label: has a double quote");
  cove_error_release(&err);
  char *big = calloc(1, 5000);
  assert_non_null(big);
  memset(big, 'p', 4500);
  assert_int_equal(lsm_check_apparmor("--apparmor", big, &err), -1);
  assert_non_null(strstr(err.msg, "--apparmor: 4500 bytes"));
  cove_error_release(&err);
  free(big);
  /* a good value is refused only where the host lacks the LSM, with the field named */
  int r = lsm_check_apparmor("--apparmor", "cove-test", &err);
  if (lsm_apparmor_enabled()) {
    assert_int_equal(r, 0);
  } else {
    assert_int_equal(r, -1);
    assert_string_equal(err.msg, "--apparmor `cove-test`: AppArmor is not enabled on this host");
    cove_error_release(&err);
  }
  r = lsm_check_selinux("config.json: .linux.mountLabel", "system_u:object_r:container_file_t:s0", &err);
  if (lsm_selinux_enabled()) {
    assert_int_equal(r, 0);
  } else {
    assert_int_equal(r, -1);
    assert_string_equal(err.msg, "config.json: .linux.mountLabel `system_u:object_r:container_file_t:s0`: "
                                 "SELinux is not enabled on this host");
    cove_error_release(&err);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_mount_label),
      cmocka_unit_test(test_format_mount_label_refuses),
      cmocka_unit_test(test_mount_takes_label),
      cmocka_unit_test(test_mount_data),
      cmocka_unit_test(test_check_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
