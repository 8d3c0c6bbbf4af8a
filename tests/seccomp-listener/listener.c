/* listener.c: a minimal seccomp agent for the integration tests (host side).
 *
 *   cove-seccomp-listener SOCKET STATE_OUT
 *
 * Listens on the unix socket SOCKET, accepts one connection from the runtime, writes the
 * "container process state" JSON it receives to STATE_OUT, takes the seccomp notify fd from
 * SCM_RIGHTS and answers notifications until the container's filter goes away:
 *   getppid          → returns 4242 (busybox sh reads it into $PPID)
 *   mkdir, mkdirat   → fails with ENOTSUP without creating anything
 *   anything else    → continues the call (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
 * Built by tests/integration/seccomp.bats with the host compiler. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
  fprintf(stderr, "cove-seccomp-listener: %s: %s\n", what, strerror(errno));
  return 1;
}

static int receive(int conn, const char *state_out)
{
  char buf[65536];
  size_t used = 0;
  int fd = -1;
  FILE *f;

  for (;;) {
    union {
      char b[CMSG_SPACE(sizeof(int) * 4)];
      struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = buf + used, .iov_len = sizeof buf - 1 - used};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof u.b};
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return die("recvmsg");
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && fd < 0)
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
    if (n == 0 || used + (size_t) n >= sizeof buf - 1)
      break;
    used += (size_t) n;
  }
  buf[used] = '\0';
  f = fopen(state_out, "we");
  if (!f)
    return die(state_out);
  fputs(buf, f);
  fclose(f);
  if (fd < 0) {
    fprintf(stderr, "cove-seccomp-listener: no fd received\n");
    return -1;
  }
  return fd;
}

static void answer(int nfd)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;

  memset(&req, 0, sizeof req);
  if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return; /* the task went away (ENOENT) or a signal: poll again */
  memset(&resp, 0, sizeof resp);
  resp.id = req.id;
  switch (req.data.nr) {
  case SYS_getppid:
    resp.val = 4242;
    break;
#ifdef SYS_mkdir
  case SYS_mkdir:
#endif
  case SYS_mkdirat:
    resp.error = -ENOTSUP;
    break;
  default:
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  }
  ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int main(int argc, char **argv)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  int lsock, conn, nfd;

  if (argc != 3 || strlen(argv[1]) >= sizeof addr.sun_path) {
    fprintf(stderr, "usage: cove-seccomp-listener SOCKET STATE_OUT\n");
    return 2;
  }
  memcpy(addr.sun_path, argv[1], strlen(argv[1]) + 1);
  lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lsock < 0 || bind(lsock, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(lsock, 1) < 0)
    return die(argv[1]);
  conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return die("accept");
  nfd = receive(conn, argv[2]);
  close(conn);
  close(lsock);
  if (nfd < 0)
    return 1;
  for (;;) {
    struct pollfd p = {.fd = nfd, .events = POLLIN};
    if (poll(&p, 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      return die("poll");
    }
    if (p.revents & POLLIN)
      answer(nfd);
    else if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
      break; /* no task uses the filter any more */
  }
  return 0;
}
