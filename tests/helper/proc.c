/* proc.c: cove-test-helper subcommands for the process-start tests (registered in main.c):
 *   seals PATH         open PATH read-only and print its memfd seals: "seals: write shrink grow
 *                      seal" (the names present), "seals: none", or "seals: not a memfd"
 *   stall-listen SOCKET N
 *                      listen on SOCKET (backlog 0), accept N connections and read each to EOF
 *                      while holding their fds, then fill the backlog with a connection of its
 *                      own so that the next connect(2) blocks; writes "stalled" to SOCKET.ready
 *                      and waits until killed (a seccomp agent that stops answering)
 *   mempolicy          print the thread's NUMA policy as get_mempolicy(2) returns it:
 *                      "mode=N nodes=HEXMASK"
 *   session-keyring    print the serial of the process's session keyring in hex, as the first
 *                      column of /proc/keys shows it ("none" when it has none) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif

int helper_proc(int argc, char **argv);

static int seals(const char *path)
{
  static const struct {
    int bit;
    const char *name;
  } names[] = {{0x0008, "write"}, {0x0002, "shrink"}, {0x0004, "grow"}, {0x0001, "seal"}};
  int fd = open(path, O_RDONLY | O_CLOEXEC), s;
  if (fd < 0) {
    printf("seals: open %s: %s\n", path, strerror(errno));
    return 1;
  }
  s = fcntl(fd, F_GET_SEALS);
  close(fd);
  if (s < 0) {
    printf("seals: not a memfd (%s)\n", strerror(errno));
    return 1;
  }
  printf("seals:");
  if (!s)
    printf(" none");
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (s & names[i].bit)
      printf(" %s", names[i].name);
  printf("\n");
  return 0;
}

static int stall_listen(const char *path, int n)
{
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), self;
  char ready[sizeof(sa.sun_path) + 8];

  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
  unlink(path);
  if (l < 0 || bind(l, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(l, 0) < 0) {
    perror("stall-listen: listen");
    return 1;
  }
  for (int i = 0; i < n; i++) {
    int c = accept(l, NULL, NULL);
    char buf[65536];
    ssize_t r;
    if (c < 0) {
      perror("stall-listen: accept");
      return 1;
    }
    /* read the runtime's state document to EOF and keep the connection (and its fds) */
    while ((r = read(c, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
      ;
  }
  self = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (self < 0 || connect(self, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
    perror("stall-listen: fill the backlog");
    return 1;
  }
  snprintf(ready, sizeof(ready), "%s.ready", path);
  {
    FILE *f = fopen(ready, "we");
    if (!f) {
      perror(ready);
      return 1;
    }
    fputs("stalled\n", f);
    fclose(f);
  }
  for (;;)
    pause();
}

static int mempolicy(void)
{
  int mode = -1;
  unsigned long mask[16] = {0};
  if (syscall(SYS_get_mempolicy, &mode, mask, sizeof(mask) * 8, NULL, 0UL) < 0) {
    printf("get_mempolicy: %s\n", strerror(errno));
    return 1;
  }
  printf("mode=%d nodes=%lx\n", mode, mask[0]);
  return 0;
}

/* Returns the subcommand's exit status, or -1 when argv[1] is none of ours. */
static int session_keyring(void)
{
  /* KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING, create 0 */
  long id = syscall(SYS_keyctl, 0, -3, 0);
  if (id < 0) {
    printf(errno == ENOKEY ? "none\n" : "session-keyring: %s\n", strerror(errno));
    return errno == ENOKEY ? 0 : 1;
  }
  printf("%08lx\n", id);
  return 0;
}

int helper_proc(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "seals") && argc > 2)
    return seals(argv[2]);
  if (!strcmp(cmd, "stall-listen") && argc > 3)
    return stall_listen(argv[2], atoi(argv[3]));
  if (!strcmp(cmd, "mempolicy"))
    return mempolicy();
  if (!strcmp(cmd, "session-keyring"))
    return session_keyring();
  return -1;
}
