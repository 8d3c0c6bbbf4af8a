/* test_runtime.c: unit tests for runtime/'s pure logic: container ids, signal names, long-id
 * state dir names, status names, the container process env, capability names, the state store
 * round trip (the sync channel: test_sync.c). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/runtime.h"

static void test_ids(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  char long_id[1026];
  (void) state;
  assert_int_equal(cove_validate_id("web", &err), 0);
  assert_int_equal(cove_validate_id("a-b_c+d.e", &err), 0);
  assert_int_equal(cove_validate_id("9", &err), 0);
  assert_int_equal(cove_validate_id("", &err), -1);
  cove_error_release(&err);
  assert_int_equal(cove_validate_id("a/b", &err), -1);
  assert_non_null(strstr(err.msg, "invalid container id"));
  cove_error_release(&err);
  assert_int_equal(cove_validate_id("..", &err), -1);
  cove_error_release(&err);
  assert_int_equal(cove_validate_id(".x", &err), -1);
  cove_error_release(&err);
  assert_int_equal(cove_validate_id("a b", &err), -1);
  cove_error_release(&err);
  memset(long_id, 'x', 1024);
  long_id[1024] = '\0';
  assert_int_equal(cove_validate_id(long_id, &err), 0);
  long_id[1024] = 'x';
  long_id[1025] = '\0';
  assert_int_equal(cove_validate_id(long_id, &err), -1);
  assert_non_null(strstr(err.msg, "longer than 1024"));
  cove_error_release(&err);
}

static void test_signals(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  int sig = 0;
  (void) state;
  assert_int_equal(cove_parse_signal("KILL", &sig, &err), 0);
  assert_int_equal(sig, SIGKILL);
  assert_int_equal(cove_parse_signal("SIGTERM", &sig, &err), 0);
  assert_int_equal(sig, SIGTERM);
  assert_int_equal(cove_parse_signal("sigusr1", &sig, &err), 0);
  assert_int_equal(sig, SIGUSR1);
  assert_int_equal(cove_parse_signal("9", &sig, &err), 0);
  assert_int_equal(sig, 9);
  assert_int_equal(cove_parse_signal("RTMIN+2", &sig, &err), 0);
  assert_int_equal(sig, SIGRTMIN + 2);
  /* kill(2)'s probe: `kill ID 0` */
  assert_int_equal(cove_parse_signal("0", &sig, &err), 0);
  assert_int_equal(sig, 0);
  assert_int_equal(cove_parse_signal("SIGFOO", &sig, &err), -1);
  assert_string_equal(err.msg, "invalid signal `SIGFOO`");
  cove_error_release(&err);
  assert_int_equal(cove_parse_signal("999", &sig, &err), -1);
  cove_error_release(&err);
}

static void test_state_dir_names(void **state)
{
  char buf[STATE_NAME_MAX], buf2[STATE_NAME_MAX], a[1025], b[1025];
  (void) state;
  assert_string_equal(state_dir_name("web", buf), "web");
  memset(a, 'a', 1024);
  a[1024] = '\0';
  memcpy(b, a, sizeof(a));
  b[500] = 'b';
  assert_int_equal(state_dir_name(a, buf)[0], '~');
  assert_true(strlen(state_dir_name(a, buf)) < 64);
  assert_string_not_equal(state_dir_name(a, buf), state_dir_name(b, buf2));
  /* stable */
  assert_string_equal(state_dir_name(a, buf), state_dir_name(a, buf2));
}

static void test_status_names(void **state)
{
  (void) state;
  assert_string_equal(cove_status_name(COVE_STATUS_CREATING), "creating");
  assert_string_equal(cove_status_name(COVE_STATUS_CREATED), "created");
  assert_string_equal(cove_status_name(COVE_STATUS_RUNNING), "running");
  assert_string_equal(cove_status_name(COVE_STATUS_PAUSED), "paused");
  assert_string_equal(cove_status_name(COVE_STATUS_STOPPED), "stopped");
}

static void test_process_env_listen_fds(void **state)
{
  char *env_in[] = {"PATH=/bin", "LISTEN_FDS=9", "A=b", NULL};
  struct oci_process p = {.env = env_in, .env_len = 3};
  char **env;
  (void) state;
  env = process_env(&p, 2);
  assert_string_equal(env[0], "PATH=/bin");
  assert_string_equal(env[1], "A=b");
  assert_string_equal(env[2], "LISTEN_FDS=2");
  assert_string_equal(env[3], "LISTEN_PID=1");
  assert_null(env[4]);
  for (char **e = env; *e; e++)
    free(*e);
  free(env);
  env = process_env(&p, 0);
  assert_string_equal(env[1], "LISTEN_FDS=9");
  for (char **e = env; *e; e++)
    free(*e);
  free(env);
}

static void test_caps_names(void **state)
{
  int cap = -1;
  (void) state;
  assert_int_equal(caps_from_name("CAP_CHOWN", &cap), 0);
  assert_int_equal(cap, 0);
  assert_int_equal(caps_from_name("cap_sys_admin", &cap), 0);
  assert_int_equal(cap, 21);
  assert_int_equal(caps_from_name("NET_RAW", &cap), 0);
  assert_int_equal(cap, 13);
  assert_int_equal(caps_from_name("CAP_NOT_A_THING", &cap), -1);
}

static void test_state_round_trip(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  char root[] = "/tmp/cove-unit-XXXXXX";
  struct oci_kv ann[] = {{"k", "v \"quoted\""}};
  struct cove_container *c = NULL;
  _cleanup_free_ char *dir = NULL;
  int root_fd, dir_fd;
  (void) state;

  assert_non_null(mkdtemp(root));
  dir = xasprintf("%s/box", root);
  assert_int_equal(mkdir(dir, 0700), 0);
  root_fd = state_root_open(root, false, &err);
  assert_true(root_fd >= 0);
  dir_fd = openat(root_fd, "box", O_PATH | O_DIRECTORY | O_CLOEXEC);
  {
    struct cove_container w = {
      .id = "box", .dir_fd = dir_fd, .bundle = "/b", .rootfs = "/b/rootfs", .pid = 999999,
      .start_time = 12345, .created = "2026-01-01T00:00:00Z", .annotations = ann, .annotations_len = 1,
    };
    assert_int_equal(state_write(&w, &err), 0);
  }
  assert_int_equal(cove_container_load(root, "box", COVE_LOCK_EXCLUSIVE, &c, &err), 0);
  assert_string_equal(c->bundle, "/b");
  assert_int_equal(c->pid, 999999);
  assert_int_equal(c->start_time, 12345);
  assert_int_equal(c->annotations_len, 1);
  assert_string_equal(c->annotations[0].value, "v \"quoted\"");
  /* no such process: stopped */
  assert_int_equal(c->status, COVE_STATUS_STOPPED);
  cove_container_free(c);
  assert_int_equal(cove_container_load(root, "nope", COVE_LOCK_NONE, &c, &err), -1);
  assert_int_equal(err.errnum, ENOENT);
  assert_string_equal(err.msg, "container `nope` does not exist");
  cove_error_release(&err);
  assert_int_equal(state_remove(root_fd, "box", &err), 0);
  close(dir_fd);
  close(root_fd);
  rmdir(root);
}

/* A record naming its creator: `creating` while it lives, `stopped` (incomplete) once it is gone;
 * a state dir without a state file reads the same way from its lock. */
static void test_state_creator(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  char root[] = "/tmp/cove-unit-XXXXXX";
  struct cove_container *c = NULL;
  unsigned long long me_start, dead_start;
  int root_fd, dir_fd, lock_fd, status;
  pid_t dead;
  (void) state;

  assert_non_null(mkdtemp(root));
  root_fd = state_root_open(root, false, &err);
  assert_int_equal(mkdirat(root_fd, "box", 0700), 0);
  dir_fd = openat(root_fd, "box", O_PATH | O_DIRECTORY | O_CLOEXEC);
  assert_int_equal(proc_start_time(getpid(), &me_start, NULL), 0);
  {
    struct cove_container w = {.id = "box", .dir_fd = dir_fd, .bundle = "/b", .creator_pid = getpid(),
                               .creator_start = me_start};
    assert_int_equal(state_write(&w, &err), 0);
  }
  assert_int_equal(cove_container_load(root, "box", COVE_LOCK_NONE, &c, &err), 0);
  assert_int_equal(c->status, COVE_STATUS_CREATING);
  assert_false(c->incomplete);
  cove_container_free(c);

  dead = fork();
  if (dead == 0)
    _exit(0);
  assert_int_equal(proc_start_time(dead, &dead_start, NULL), 0);
  assert_int_equal(waitpid(dead, &status, 0), dead);
  {
    struct cove_container w = {.id = "box", .dir_fd = dir_fd, .bundle = "/b", .pid = 0, .creator_pid = dead,
                               .creator_start = dead_start};
    assert_int_equal(state_write(&w, &err), 0);
  }
  assert_int_equal(cove_container_load(root, "box", COVE_LOCK_NONE, &c, &err), 0);
  assert_int_equal(c->status, COVE_STATUS_STOPPED);
  assert_true(c->incomplete);
  cove_container_free(c);

  /* no state file: creating while someone holds the lock, stopped once nobody does */
  assert_int_equal(unlinkat(dir_fd, COVE_STATE_FILE, 0), 0);
  lock_fd = state_lock(dir_fd, COVE_LOCK_EXCLUSIVE, &err);
  assert_true(lock_fd >= 0);
  assert_int_equal(cove_container_load(root, "box", COVE_LOCK_NONE, &c, &err), 0);
  assert_int_equal(c->status, COVE_STATUS_CREATING);
  cove_container_free(c);
  close(lock_fd);
  assert_int_equal(cove_container_load(root, "box", COVE_LOCK_NONE, &c, &err), 0);
  assert_int_equal(c->status, COVE_STATUS_STOPPED);
  assert_true(c->incomplete);
  cove_container_free(c);

  assert_int_equal(state_remove(root_fd, "box", &err), 0);
  close(dir_fd);
  close(root_fd);
  rmdir(root);
}

/* The state dir goes however deep the container's writable layer in it is. */
static void test_state_remove_deep(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  char root[] = "/tmp/cove-unit-XXXXXX";
  int root_fd, fd;
  (void) state;

  assert_non_null(mkdtemp(root));
  root_fd = state_root_open(root, false, &err);
  assert_int_equal(mkdirat(root_fd, "box", 0700), 0);
  fd = openat(root_fd, "box", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int i = 0; i < 3000; i++) {
    int next;
    assert_int_equal(mkdirat(fd, "d", 0700), 0);
    if (i % 100 == 0) {
      int f = openat(fd, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
      close(f);
      assert_int_equal(symlinkat("/", fd, "link-to-root"), 0);
    }
    next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(fd);
    fd = next;
  }
  close(fd);
  assert_int_equal(state_remove(root_fd, "box", &err), 0);
  assert_int_equal(faccessat(root_fd, "box", F_OK, AT_SYMLINK_NOFOLLOW), -1);
  close(root_fd);
  assert_int_equal(rmdir(root), 0);
}

static void test_state_live_pid(void **state)
{
  unsigned long long st;
  (void) state;
  assert_int_equal(proc_start_time(getpid(), &st, NULL), 0);
  assert_true(state_pid_alive(getpid(), st));
  assert_false(state_pid_alive(getpid(), st + 1)); /* a reused pid reads dead */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ids),
    cmocka_unit_test(test_signals),
    cmocka_unit_test(test_state_dir_names),
    cmocka_unit_test(test_status_names),
    cmocka_unit_test(test_process_env_listen_fds),
    cmocka_unit_test(test_caps_names),
    cmocka_unit_test(test_state_round_trip),
    cmocka_unit_test(test_state_creator),
    cmocka_unit_test(test_state_remove_deep),
    cmocka_unit_test(test_state_live_pid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
