/* notify.c: cove-test-helper's sd_notify and socket-activation subcommands (the systemd tests):
 *   notify MSG...        send each MSG as one datagram to $NOTIFY_SOCKET (a path or @abstract)
 *   notify-barrier       send BARRIER=1 with a pipe to $NOTIFY_SOCKET and wait (10 s) until the
 *                        receiver closes it; prints "barrier ok"
 *   notify-listen SOCK N stand-in for systemd's notify socket: bind SOCK (a path or @abstract),
 *                        print "listening", then for each datagram "pid=PID MSG" (lines of MSG
 *                        joined by " | ", PID from the sender's credentials), answering barriers
 *                        by closing their fd (BARRIER=1 alone is not printed); it stays after
 *                        the N expected (the barrier cove sends after READY=1 comes later, and
 *                        any message too many shows) until 60 s pass without one
 *   accept               socket activation: accept connections on fd 3 until SIGTERM, answering
 *                        each with "activated LISTEN_FDS=N LISTEN_PID=P pid=PID"
 *   connect SOCK         connect to the unix stream socket SOCK and copy what it sends to stdout */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static socklen_t make_addr(const char *name, struct sockaddr_un *sa)
{
  size_t n = strlen(name);
  memset(sa, 0, sizeof(*sa));
  sa->sun_family = AF_UNIX;
  if (n >= sizeof(sa->sun_path))
    return 0;
  memcpy(sa->sun_path, name, n);
  /* "@name": the abstract namespace, as sd_notify reads NOTIFY_SOCKET */
  if (name[0] == '@')
    sa->sun_path[0] = '\0';
  return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '@' ? 0 : 1));
}

static int notify_fd(struct sockaddr_un *sa, socklen_t *len)
{
  const char *s = getenv("NOTIFY_SOCKET");
  int fd;
  if (!s || !*s || !(*len = make_addr(s, sa))) {
    fprintf(stderr, "notify: no usable NOTIFY_SOCKET\n");
    return -1;
  }
  fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    perror("socket");
  return fd;
}

static int cmd_notify(int argc, char **argv)
{
  struct sockaddr_un sa;
  socklen_t len;
  int fd = notify_fd(&sa, &len);
  if (fd < 0)
    return 1;
  for (int i = 0; i < argc; i++)
    if (sendto(fd, argv[i], strlen(argv[i]), 0, (struct sockaddr *) &sa, len) < 0) {
      fprintf(stderr, "notify: send `%s`: %s\n", argv[i], strerror(errno));
      return 1;
    }
  return 0;
}

static int cmd_notify_barrier(void)
{
  struct sockaddr_un sa;
  socklen_t len;
  int fd = notify_fd(&sa, &len), p[2];
  char msg[] = "BARRIER=1", c;
  union {
    struct cmsghdr h;
    char b[CMSG_SPACE(sizeof(int))];
  } ctl;
  struct iovec iov = {msg, strlen(msg)};
  struct msghdr mh = {.msg_name = &sa, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1,
                      .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
  struct cmsghdr *cm;
  struct pollfd pf;

  if (fd < 0 || pipe2(p, O_CLOEXEC) < 0)
    return 1;
  memset(&ctl, 0, sizeof(ctl));
  cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
  if (sendmsg(fd, &mh, 0) < 0) {
    perror("notify-barrier: sendmsg");
    return 1;
  }
  close(p[1]);
  pf = (struct pollfd){.fd = p[0], .events = POLLIN};
  if (poll(&pf, 1, 10000) != 1 || read(p[0], &c, 1) != 0) {
    fprintf(stderr, "notify-barrier: the receiver kept the barrier's fd\n");
    return 1;
  }
  printf("barrier ok\n");
  return 0;
}

static int cmd_notify_listen(const char *name, int count)
{
  struct sockaddr_un sa;
  socklen_t len = make_addr(name, &sa);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

  if (!len || fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
      bind(fd, (struct sockaddr *) &sa, len) < 0) {
    fprintf(stderr, "notify-listen %s: %s\n", name, strerror(errno));
    return 1;
  }
  printf("listening\n");
  fflush(stdout);
  for (;;) {
    char buf[4097];
    union {
      struct cmsghdr h;
      char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
    } ctl;
    struct iovec iov = {buf, sizeof(buf) - 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    pid_t pid = 0;
    ssize_t n;

    if (poll(&pf, 1, 60000) != 1) {
      if (count <= 0)
        return 0;
      fprintf(stderr, "notify-listen: no message within 60 s\n");
      return 1;
    }
    n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    if (n < 0)
      return 1;
    buf[n] = '\0';
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
      if (c->cmsg_type == SCM_CREDENTIALS) {
        struct ucred u;
        memcpy(&u, CMSG_DATA(c), sizeof(u));
        pid = u.pid;
      } else if (c->cmsg_type == SCM_RIGHTS) {
        /* a barrier: closing the fd is the answer */
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
          int pfd;
          memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
          close(pfd);
        }
      }
    }
    if (!strcmp(buf, "BARRIER=1"))
      continue;
    for (char *p = buf; *p; p++)
      if (*p == '\n')
        *p = '|';
    printf("pid=%d %s\n", (int) pid, buf);
    fflush(stdout);
    count--;
  }
  return 0;
}

static void on_term(int sig)
{
  (void) sig;
  _exit(0);
}

static int cmd_accept(void)
{
  const char *fds = getenv("LISTEN_FDS"), *lpid = getenv("LISTEN_PID");
  /* as a container's pid 1 SIGTERM is ignored unless handled: `systemctl stop` must work */
  signal(SIGTERM, on_term);
  for (;;) {
    char msg[128];
    int c = accept4(3, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR)
        continue;
      perror("accept on fd 3");
      return 1;
    }
    snprintf(msg, sizeof(msg), "activated LISTEN_FDS=%s LISTEN_PID=%s pid=%d\n", fds ? fds : "-", lpid ? lpid : "-",
             (int) getpid());
    if (write(c, msg, strlen(msg)) < 0)
      perror("write");
    close(c);
  }
}

static int cmd_connect(const char *name)
{
  struct sockaddr_un sa;
  socklen_t len = make_addr(name, &sa);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  char buf[4096];
  ssize_t n;

  if (!len || fd < 0 || connect(fd, (struct sockaddr *) &sa, len) < 0) {
    fprintf(stderr, "connect %s: %s\n", name, strerror(errno));
    return 1;
  }
  while ((n = read(fd, buf, sizeof(buf))) > 0)
    if (write(STDOUT_FILENO, buf, (size_t) n) < 0)
      return 1;
  return n < 0;
}

/* The subcommands of this file, or -1 when argv[1] is none of them. */
int helper_notify(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "notify"))
    return cmd_notify(argc - 2, argv + 2);
  if (!strcmp(cmd, "notify-barrier"))
    return cmd_notify_barrier();
  if (!strcmp(cmd, "notify-listen") && argc > 3)
    return cmd_notify_listen(argv[2], atoi(argv[3]));
  if (!strcmp(cmd, "accept"))
    return cmd_accept();
  if (!strcmp(cmd, "connect") && argc > 2)
    return cmd_connect(argv[2]);
  return -1;
}
