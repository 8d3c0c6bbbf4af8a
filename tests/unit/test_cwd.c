/* test_cwd.c: the check process_chdir ends with (CVE-2024-21626: the cwd must lie under the
 * root after the chdir).  No bats test reaches it: every cwd an attacker can name is refused
 * earlier by the resolver, so a cwd outside the root after a successful resolution needs a race
 * (a directory moved out or mounted over between the resolve and the chdir).  Here each child
 * makes that end state directly, in its own mount namespace and chroot (root; skipped
 * otherwise), and the check must refuse it. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "runtime/internal.h"

struct box {
  char base[64];
  char root[96];
  char out[96];
  char sub[96];
};

static int box_setup(void **state)
{
  struct box *b = calloc(1, sizeof(*b));
  if (!b)
    return -1;
  snprintf(b->base, sizeof(b->base), "/tmp/cove-cwd-XXXXXX");
  if (!mkdtemp(b->base))
    return -1;
  snprintf(b->root, sizeof(b->root), "%s/root", b->base);
  snprintf(b->out, sizeof(b->out), "%s/out", b->base);
  snprintf(b->sub, sizeof(b->sub), "%s/root/a", b->base);
  if (mkdir(b->root, 0755) < 0 || mkdir(b->out, 0755) < 0 || mkdir(b->sub, 0755) < 0)
    return -1;
  *state = b;
  return 0;
}

static int box_teardown(void **state)
{
  struct box *b = *state;
  rmdir(b->sub);
  rmdir(b->root);
  rmdir(b->out);
  rmdir(b->base);
  free(b);
  return 0;
}

enum how { CWD_INSIDE, CWD_OUTSIDE, CWD_SHADOWED };

/* In a child: put the cwd where `how` says, chroot to the box's root, run the check, and send
 * back its result and message on fd. */
static int child(const struct box *b, enum how how, int fd)
{
  struct cove_error err = COVE_ERROR_INIT;
  char line[1024];
  int r;

  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 2;
  if (chdir(how == CWD_OUTSIDE ? b->out : b->sub) < 0)
    return 3;
  /* the cwd stays the directory under the mount, which the path /a no longer leads to */
  if (how == CWD_SHADOWED && mount("tmpfs", b->sub, "tmpfs", 0, "size=16k") < 0)
    return 4;
  if (chroot(b->root) < 0)
    return 5;
  r = process_check_cwd("/a", &err);
  snprintf(line, sizeof(line), "%d %d %s", r, r < 0 ? err.errnum : 0, r < 0 ? cove_error_msg(&err) : "");
  if (write(fd, line, strlen(line)) < 0)
    return 6;
  return 0;
}

/* The check's result in a child set up as how says; *msg gets its message (or ""). */
static int check_in_child(const struct box *b, enum how how, int *errnum, char *msg, size_t len)
{
  int p[2], status, r = -9;
  char buf[1024] = "";
  ssize_t n;
  pid_t pid;

  assert_int_equal(pipe(p), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(p[0]);
    _exit(child(b, how, p[1]));
  }
  close(p[1]);
  n = read(p[0], buf, sizeof(buf) - 1);
  close(p[0]);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_true(n > 0);
  buf[n] = '\0';
  int off = 0;
  assert_int_equal(sscanf(buf, "%d %d %n", &r, errnum, &off), 2);
  snprintf(msg, len, "%s", buf + off);
  return r;
}

static void test_cwd_inside_root_passes(void **state)
{
  char msg[1024];
  int e = 0;
  if (geteuid() != 0)
    skip();
  assert_int_equal(check_in_child(*state, CWD_INSIDE, &e, msg, sizeof(msg)), 0);
}

/* a cwd the chroot left outside: the kernel's getcwd says "(unreachable)", glibc ENOENT */
static void test_cwd_outside_root_refused(void **state)
{
  char msg[1024];
  int e = 0;
  if (geteuid() != 0)
    skip();
  assert_int_equal(check_in_child(*state, CWD_OUTSIDE, &e, msg, sizeof(msg)), -1);
  assert_int_equal(e, EXDEV);
  assert_string_equal(msg, "cwd `/a` is outside the container's root: Invalid cross-device link");
}

/* a cwd whose path inside the root now leads to another directory (a mount on top of it) */
static void test_cwd_shadowed_refused(void **state)
{
  char msg[1024];
  int e = 0;
  if (geteuid() != 0)
    skip();
  assert_int_equal(check_in_child(*state, CWD_SHADOWED, &e, msg, sizeof(msg)), -1);
  assert_int_equal(e, EXDEV);
  assert_string_equal(msg, "cwd `/a` is not reachable from the container's root (it is at `/a`): Invalid cross-device link");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_cwd_inside_root_passes, box_setup, box_teardown),
    cmocka_unit_test_setup_teardown(test_cwd_outside_root_refused, box_setup, box_teardown),
    cmocka_unit_test_setup_teardown(test_cwd_shadowed_refused, box_setup, box_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
