/* test_sync.c: the typed channel between cove and the init / exec's child (runtime/sync.h):
 * every message type round-trips, an error travels as text with its errno, an unexpected
 * message, a hangup and a timeout are errors naming both ends, malformed and unknown packets
 * are refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/error.h"
#include "runtime/sync.h"

struct pair {
  int sp[2];
  struct sync_chan parent, child;
};

static int setup(void **state)
{
  static struct pair p;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p.sp) < 0)
    return -1;
  p.parent = sync_chan(p.sp[0], "cove create", SYNC_INIT);
  p.child = sync_chan(p.sp[1], SYNC_INIT, "cove create");
  *state = &p;
  return 0;
}

static int teardown(void **state)
{
  struct pair *p = *state;
  for (int i = 0; i < 2; i++)
    if (p->sp[i] >= 0)
      close(p->sp[i]);
  return 0;
}

static void test_round_trip(void **state)
{
  struct pair *p = *state;
  struct cove_error err = COVE_ERROR_INIT;
  struct sync_msg m;
  int fd = -1;

  assert_int_equal(sync_send(&p->child, SYNC_CONSOLE, 7, "/dev/pts/3", 0, &err), 0);
  assert_int_equal(sync_recv(&p->parent, &m, &fd, 1000, &err), 0);
  assert_int_equal(m.type, SYNC_CONSOLE);
  assert_int_equal(m.value, 7);
  assert_string_equal(m.payload, "/dev/pts/3");
  assert_true(fd >= 0);
  close(fd);
  for (int t = SYNC_GO; t < SYNC_ERROR; t++) {
    assert_int_equal(sync_send(&p->parent, (enum sync_type) t, t, NULL, -1, &err), 0);
    assert_int_equal(sync_expect(&p->child, (enum sync_type) t, &m, NULL, 1000, &err), 0);
    assert_int_equal(m.value, t);
    assert_string_not_equal(sync_type_name((enum sync_type) t), "unknown");
  }
}

static void test_error_is_text(void **state)
{
  struct pair *p = *state;
  struct cove_error err = COVE_ERROR_INIT;
  struct sync_msg m;

  cove_error_set(&err, ENOENT, "exec `x`");
  sync_send_error(&p->child, &err);
  cove_error_release(&err);
  assert_int_equal(sync_recv(&p->parent, &m, NULL, 1000, &err), -1);
  assert_string_equal(err.msg, "exec `x`: No such file or directory");
  assert_int_equal(err.errnum, ENOENT);
  cove_error_release(&err);
}

static void test_unexpected_names_both_ends(void **state)
{
  struct pair *p = *state;
  struct cove_error err = COVE_ERROR_INIT;
  struct sync_msg m;

  assert_int_equal(sync_send(&p->child, SYNC_READY, 0, NULL, -1, &err), 0);
  assert_int_equal(sync_expect(&p->parent, SYNC_INIT_PID, &m, NULL, 1000, &err), -1);
  assert_string_equal(err.msg, "the container init sent `ready` where cove create waited for `init-pid`: Protocol error");
  cove_error_release(&err);
}

static void test_timeout_names_both_ends(void **state)
{
  struct pair *p = *state;
  struct cove_error err = COVE_ERROR_INIT;
  struct sync_msg m;

  assert_int_equal(sync_recv(&p->parent, &m, NULL, 10, &err), -1);
  assert_int_equal(err.errnum, ETIMEDOUT);
  assert_non_null(strstr(err.msg, "cove create: no word from the container init within 10 ms"));
  cove_error_release(&err);
}

static void test_hangup_is_typed(void **state)
{
  struct pair *p = *state;
  struct cove_error err = COVE_ERROR_INIT;
  struct sync_msg m;

  assert_int_equal(sync_send(&p->child, SYNC_EXECVE, 0, NULL, -1, &err), 0);
  close(p->sp[1]);
  p->sp[1] = -1;
  /* a hangup is a result the caller decides on, by its type, not an error text to match */
  assert_int_equal(sync_expect(&p->parent, SYNC_EXECVE, &m, NULL, 1000, &err), 0);
  assert_int_equal(sync_recv(&p->parent, &m, NULL, 1000, &err), 0);
  assert_int_equal(m.type, SYNC_HANGUP);
  /* where a message was wanted it is an error naming both ends */
  assert_int_equal(sync_expect(&p->parent, SYNC_READY, &m, NULL, 1000, &err), -1);
  assert_int_equal(err.errnum, EPIPE);
  assert_string_equal(err.msg, "the container init exited without a word (cove create waited for `ready`): Broken pipe");
  cove_error_release(&err);
}

static void test_malformed_refused(void **state)
{
  struct pair *p = *state;
  struct cove_error err = COVE_ERROR_INIT;
  struct sync_msg m;
  struct sync_msg bad = {.type = 999};
  char shortpkt[3] = {1, 2, 3};

  /* an unknown type */
  assert_int_equal(send(p->sp[1], &bad, offsetof(struct sync_msg, payload), 0), (ssize_t) offsetof(struct sync_msg, payload));
  assert_int_equal(sync_recv(&p->parent, &m, NULL, 1000, &err), -1);
  assert_int_equal(err.errnum, EPROTO);
  assert_non_null(strstr(err.msg, "cove create: malformed message from the container init"));
  cove_error_release(&err);
  /* a short packet */
  assert_int_equal(send(p->sp[1], shortpkt, sizeof(shortpkt), 0), 3);
  assert_int_equal(sync_recv(&p->parent, &m, NULL, 1000, &err), -1);
  assert_int_equal(err.errnum, EPROTO);
  cove_error_release(&err);
  /* a length that does not match the packet */
  bad = (struct sync_msg){.type = SYNC_READY, .len = 10};
  assert_int_equal(send(p->sp[1], &bad, offsetof(struct sync_msg, payload), 0), (ssize_t) offsetof(struct sync_msg, payload));
  assert_int_equal(sync_recv(&p->parent, &m, NULL, 1000, &err), -1);
  cove_error_release(&err);
  /* a hangup is never sent */
  assert_int_equal(sync_send(&p->child, SYNC_HANGUP, 0, NULL, -1, &err), -1);
  cove_error_release(&err);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
    cmocka_unit_test_setup_teardown(test_error_is_text, setup, teardown),
    cmocka_unit_test_setup_teardown(test_unexpected_names_both_ends, setup, teardown),
    cmocka_unit_test_setup_teardown(test_timeout_names_both_ends, setup, teardown),
    cmocka_unit_test_setup_teardown(test_hangup_is_typed, setup, teardown),
    cmocka_unit_test_setup_teardown(test_malformed_refused, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
