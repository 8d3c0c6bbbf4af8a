/* sync.c: the message channel between the stages of container creation (see sync.h). */
#include "runtime/sync.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *const names[] = {
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
  [SYNC_EXEC_PID] = "exec-pid",
  [SYNC_ERROR] = "error",
};

const char *sync_type_name(enum sync_type t)
{
  if ((size_t) t < sizeof(names) / sizeof(names[0]) && names[t])
    return names[t];
  return "unknown";
}

int sync_send(int sock, enum sync_type type, int32_t value, const char *payload, int fd, struct cove_error *err)
{
  struct sync_msg m = {.type = type, .value = value};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  struct iovec iov;
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  size_t len = 0;

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
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR)
      return cove_error_set(err, errno, "send %s message", sync_type_name(type));
  }
  return 0;
}

void sync_send_error(int sock, const struct cove_error *e)
{
  struct cove_error ignored = COVE_ERROR_INIT;
  struct sync_msg m;
  (void) m;
  if (sync_send(sock, SYNC_ERROR, e ? e->errnum : 0, cove_error_msg(e), -1, &ignored) < 0)
    cove_error_release(&ignored);
}

int sync_recv(int sock, struct sync_msg *m, int *fd, int timeout_ms, const char *peer, struct cove_error *err)
{
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  ssize_t n;

  if (fd)
    *fd = -1;
  if (timeout_ms >= 0) {
    struct pollfd p = {.fd = sock, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
      ;
    if (r < 0)
      return cove_error_set(err, errno, "wait for %s", peer);
    if (r == 0)
      return cove_error_set(err, ETIMEDOUT, "wait for %s", peer);
  }
  while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "read from %s", peer);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int got;
      memcpy(&got, CMSG_DATA(c), sizeof(int));
      if (fd)
        *fd = got;
      else
        close(got);
    }
  }
  if (n == 0)
    return cove_error_set(err, 0, "%s exited without a word", peer);
  if ((size_t) n < offsetof(struct sync_msg, payload) || m->len > SYNC_PAYLOAD_MAX ||
      (size_t) n != offsetof(struct sync_msg, payload) + m->len)
    return cove_error_set(err, EPROTO, "bad message from %s", peer);
  if (m->len == 0)
    m->payload[0] = '\0';
  m->payload[SYNC_PAYLOAD_MAX - 1] = '\0';
  if (m->type == SYNC_ERROR) {
    cove_error_set(err, 0, "%s", m->payload);
    err->errnum = m->value;
    return -1;
  }
  return 0;
}

int sync_expect(int sock, enum sync_type want, struct sync_msg *m, int *fd, int timeout_ms, const char *peer,
                struct cove_error *err)
{
  if (sync_recv(sock, m, fd, timeout_ms, peer, err) < 0)
    return -1;
  if (m->type != want) {
    if (fd && *fd >= 0) {
      close(*fd);
      *fd = -1;
    }
    return cove_error_set(err, EPROTO, "expected %s message from %s, got %s", sync_type_name(want), peer,
                          sync_type_name((enum sync_type) m->type));
  }
  return 0;
}
