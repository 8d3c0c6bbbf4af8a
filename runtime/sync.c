/* sync.c: the message channel between the stages of container creation and exec (see sync.h). */
#include "runtime/sync.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *const names[SYNC_TYPES] = {
  [SYNC_NONE] = "none",
  [SYNC_GO] = "go",
  [SYNC_USERMAP_REQ] = "usermap-request",
  [SYNC_USERMAP_ACK] = "usermap-ack",
  [SYNC_INIT_PID] = "init-pid",
  [SYNC_HOOKS] = "hooks",
  [SYNC_HOOKS_DONE] = "hooks-done",
  [SYNC_CONSOLE] = "console",
  [SYNC_READY] = "ready",
  [SYNC_CREATED] = "created",
  [SYNC_START] = "start",
  [SYNC_SECCOMP_FD] = "seccomp-fd",
  [SYNC_SECCOMP_ACK] = "seccomp-ack",
  [SYNC_EXECVE] = "execve",
  [SYNC_MOUNT_SOURCE] = "mount-source",
  [SYNC_MOUNT_SOURCE_FD] = "mount-source-fd",
  [SYNC_MOUNT_IDMAP] = "mount-idmap",
  [SYNC_MOUNT_IDMAP_DONE] = "mount-idmap-done",
  [SYNC_ERROR] = "error",
  [SYNC_HANGUP] = "hangup",
};

const char *sync_type_name(enum sync_type t)
{
  if ((size_t) t < SYNC_TYPES && names[t])
    return names[t];
  return "unknown";
}

int sync_send(const struct sync_chan *c, enum sync_type type, int32_t value, const char *payload, int fd,
              struct cove_error *err)
{
  struct sync_msg m = {.type = type, .value = value};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  struct iovec iov;
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  size_t len = 0;

  if (type == SYNC_NONE || type == SYNC_HANGUP || type >= SYNC_TYPES)
    return cove_error_set(err, EINVAL, "%s: no such message to send to %s", c->self, c->peer);
  if (payload) {
    len = strnlen(payload, SYNC_PAYLOAD_MAX - 1);
    memcpy(m.payload, payload, len);
    m.payload[len] = '\0';
    len++;
  }
  m.len = (uint32_t) len;
  iov.iov_base = &m;
  iov.iov_len = offsetof(struct sync_msg, payload) + len;
  if (fd >= 0) {
    memset(&u, 0, sizeof(u));
    mh.msg_control = u.buf;
    mh.msg_controllen = sizeof(u.buf);
    struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof(int));
  }
  while (sendmsg(c->fd, &mh, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR)
      return cove_error_set(err, errno, "%s: send `%s` to %s", c->self, sync_type_name(type), c->peer);
  }
  return 0;
}

void sync_send_error(const struct sync_chan *c, const struct cove_error *e)
{
  struct cove_error ignored = COVE_ERROR_INIT;
  if (sync_send(c, SYNC_ERROR, e ? e->errnum : 0, cove_error_msg(e), -1, &ignored) < 0)
    cove_error_release(&ignored);
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sync_recv(const struct sync_chan *c, struct sync_msg *m, int *fd, int timeout_ms, struct cove_error *err)
{
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
  int got = -1;
  ssize_t n;

  if (fd)
    *fd = -1;
  for (;;) {
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int left = -1, r;
    if (deadline >= 0) {
      long long l = deadline - now_ms();
      left = l > 0 ? (int) l : 0;
    }
    r = poll(&p, 1, left);
    if (r > 0)
      break;
    if (r == 0 && timeout_ms % 1000)
      return cove_error_set(err, ETIMEDOUT, "%s: no word from %s within %d ms", c->self, c->peer, timeout_ms);
    if (r == 0)
      return cove_error_set(err, ETIMEDOUT, "%s: no word from %s within %d s", c->self, c->peer, timeout_ms / 1000);
    if (errno != EINTR)
      return cove_error_set(err, errno, "%s: wait for %s", c->self, c->peer);
  }
  while ((n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC)) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "%s: read from %s", c->self, c->peer);
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
      int one;
      memcpy(&one, CMSG_DATA(h), sizeof(int));
      if (got < 0)
        got = one;
      else
        close(one); /* one fd per message: more is a peer we do not trust */
    }
  }
  if (n == 0) {
    m->type = SYNC_HANGUP;
    m->value = 0;
    m->len = 0;
    m->payload[0] = '\0';
    return 0;
  }
  if ((size_t) n < offsetof(struct sync_msg, payload) || m->len > SYNC_PAYLOAD_MAX ||
      (size_t) n != offsetof(struct sync_msg, payload) + m->len || m->type == SYNC_NONE ||
      m->type == SYNC_HANGUP || m->type >= SYNC_TYPES || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    if (got >= 0)
      close(got);
    return cove_error_set(err, EPROTO, "%s: malformed message from %s", c->self, c->peer);
  }
  if (m->len == 0)
    m->payload[0] = '\0';
  m->payload[SYNC_PAYLOAD_MAX - 1] = '\0';
  if (m->type == SYNC_ERROR) {
    if (got >= 0)
      close(got);
    cove_error_set(err, 0, "%s", m->payload);
    err->errnum = m->value;
    return -1;
  }
  if (fd)
    *fd = got;
  else if (got >= 0)
    close(got);
  return 0;
}

int sync_unexpected(const struct sync_chan *c, const struct sync_msg *m, int *fd, const char *expected,
                    struct cove_error *err)
{
  if (fd && *fd >= 0) {
    close(*fd);
    *fd = -1;
  }
  if (m->type == SYNC_HANGUP)
    return cove_error_set(err, EPIPE, "%s exited without a word (%s waited for `%s`)", c->peer, c->self, expected);
  return cove_error_set(err, EPROTO, "%s sent `%s` where %s waited for `%s`", c->peer,
                        sync_type_name((enum sync_type) m->type), c->self, expected);
}

int sync_expect(const struct sync_chan *c, enum sync_type want, struct sync_msg *m, int *fd, int timeout_ms,
                struct cove_error *err)
{
  if (sync_recv(c, m, fd, timeout_ms, err) < 0)
    return -1;
  if (m->type != want)
    return sync_unexpected(c, m, fd, sync_type_name(want), err);
  return 0;
}
