/* logsink.c: the host side of the logging tests.
 *   dgram-sink SOCKET  bind a unix datagram socket at SOCKET (a stand-in for /dev/log), then,
 *                      once stdin reaches EOF, print every datagram queued on it, one a line,
 *                      and exit.  The test closes stdin after the command under test has exited:
 *                      a datagram sent to a unix socket is queued on the receiver when sendto()
 *                      returns, so nothing is missed and nothing needs a sleep. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int helper_logsink(int argc, char **argv);

static int dgram_sink(const char *path)
{
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  char buf[65536];
  int s;

  if (strlen(path) >= sizeof(sa.sun_path)) {
    fprintf(stderr, "dgram-sink: socket path too long\n");
    return 2;
  }
  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
  s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind(s, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
    perror("dgram-sink: bind");
    return 1;
  }
  /* wait for EOF on stdin: the test's signal that the sender is done */
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
    if (n == 0)
      break;
    if (n < 0 && errno != EINTR) {
      perror("dgram-sink: read stdin");
      return 1;
    }
  }
  for (;;) {
    ssize_t n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      perror("dgram-sink: recv");
      return 1;
    }
    while (n > 0 && buf[n - 1] == '\n')
      n--;
    buf[n] = '\0';
    printf("%s\n", buf);
  }
  unlink(path);
  return 0;
}

int helper_logsink(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "dgram-sink") && argc > 2)
    return dgram_sink(argv[2]);
  return -1;
}
