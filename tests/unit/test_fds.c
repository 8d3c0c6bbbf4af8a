/* test_fds.c: the fd sweep (runtime/fds.c) that runs as the first thing in every process that
 * enters a container: one close_range per gap between the fds kept; where close_range is
 * missing (kernels before 5.9) or denied (a seccomp profile that lacks it), the fds /proc lists;
 * where /proc is not there either, every number up to the fd limit.  Each case works on fds
 * 100..111 of the test process only (first = 100), so the runner's own fds stay. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/syscalls.h"
#include "runtime/internal.h"

#define FIRST 100
#define LAST 111

static int calls;
static int refuse_errno;
static struct sys_ops fake; /* the kernel, but for close_range */

static int counting_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
  calls++;
  return sys_kernel_ops.close_range(first, last, flags);
}

static int refusing_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
  (void) first;
  (void) last;
  (void) flags;
  calls++;
  errno = refuse_errno;
  return -1;
}

static int no_proc(unsigned int first, int **out, size_t *n)
{
  (void) first;
  (void) out;
  (void) n;
  errno = ENOENT;
  return -1;
}

static void open_range(void)
{
  int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
  assert_true(nul >= 0);
  for (int fd = FIRST; fd <= LAST; fd++)
    assert_int_equal(dup2(nul, fd), fd);
  close(nul);
}

static void assert_only_kept(void)
{
  for (int fd = FIRST; fd <= LAST; fd++) {
    bool open_now = fcntl(fd, F_GETFD) >= 0;
    if (fd == 103 || fd == 107)
      assert_true(open_now);
    else
      assert_false(open_now);
  }
  close(103);
  close(107);
}

static const int keep[] = {107, 2, 103}; /* unsorted, and one below `first` that is ignored */

static int use_fake(void **state)
{
  (void) state;
  fake = sys_kernel_ops;
  fake.close_range = counting_close_range;
  sys_ops = &fake;
  return 0;
}

static int use_kernel(void **state)
{
  (void) state;
  sys_ops = &sys_kernel_ops;
  return 0;
}

static void test_close_range_one_call_per_gap(void **state)
{
  struct fds_ops ops = {.list = no_proc};
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;
  open_range();
  calls = 0;
  assert_int_equal(fds_close_except_ops(&ops, FIRST, keep, 3, &err), 0);
  /* [100,102] [104,106] [108,~0] */
  assert_int_equal(calls, 3);
  assert_only_kept();
}

static void check_refused(int e)
{
  struct fds_ops ops = {.list = fds_default_ops()->list};
  struct cove_error err = COVE_ERROR_INIT;
  fake.close_range = refusing_close_range;
  refuse_errno = e;
  open_range();
  calls = 0;
  assert_int_equal(fds_close_except_ops(&ops, FIRST, keep, 3, &err), 0);
  assert_true(calls >= 1);
  assert_only_kept();
}

static void test_close_range_denied(void **state)
{
  (void) state;
  check_refused(EPERM); /* a seccomp profile without close_range (SCMP_ACT_ERRNO) */
}

static void test_close_range_missing(void **state)
{
  (void) state;
  check_refused(ENOSYS); /* kernels before 5.9 */
}

static void test_no_close_range_no_proc(void **state)
{
  struct fds_ops ops = {.list = no_proc};
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;
  refuse_errno = ENOSYS;
  fake.close_range = refusing_close_range;
  open_range();
  assert_int_equal(fds_close_except_ops(&ops, FIRST, keep, 3, &err), 0);
  assert_only_kept();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_close_range_one_call_per_gap, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_close_range_denied, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_close_range_missing, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_no_close_range_no_proc, use_fake, use_kernel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
