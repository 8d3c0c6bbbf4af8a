/* main.c: cove-test-helper, a static binary placed at /bin/cove-test-helper in test rootfs
 * bundles (like crun's tests/init.c), so checks inside containers do not depend on busybox.
 * Subcommands (others may add theirs in their own file of tests/helper/ and register below):
 *   ns                 print "TYPE INODE" for each /proc/self/ns entry
 *   fds                print the open fd numbers of the process, one a line
 *   caps               print the Cap*, NoNewPrivs and Seccomp lines of /proc/self/status
 *   ids                print uid, gid, groups and umask
 *   rlimit NAME        print "soft hard" of RLIMIT_NAME (NOFILE, NPROC, CORE)
 *   exe-attack PID     try to open /proc/PID/exe for writing (directly and by reopening an
 *                      O_PATH fd); prints "blocked: ..." or "WROTE" and exits 0 / 1
 *   recvtty SOCKET [INPUT]
 *                      listen on SOCKET, receive one pty master (runc's recvtty protocol),
 *                      write INPUT to it, copy what comes out to stdout until EOF
 *   sleep-forever      pause until killed
 *   exit N             exit with status N
 *   cwd                print the working directory */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int cmd_ns(void)
{
  static const char *const ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
  for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
    char path[64];
    struct stat sb;
    snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
    if (stat(path, &sb) == 0)
      printf("%s %lu\n", ns[i], (unsigned long) sb.st_ino);
  }
  return 0;
}

static int cmd_fds(void)
{
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int self;
  if (!d) {
    perror("opendir /proc/self/fd");
    return 1;
  }
  self = dirfd(d);
  while ((e = readdir(d)))
    if (e->d_name[0] != '.' && atoi(e->d_name) != self)
      printf("%s\n", e->d_name);
  closedir(d);
  return 0;
}

static int cmd_caps(void)
{
  FILE *f = fopen("/proc/self/status", "re");
  char line[512];
  if (!f) {
    perror("/proc/self/status");
    return 1;
  }
  while (fgets(line, sizeof(line), f))
    if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Seccomp:", 8))
      fputs(line, stdout);
  fclose(f);
  return 0;
}

static int cmd_ids(void)
{
  gid_t g[64];
  int n = getgroups(64, g);
  mode_t m = umask(0);
  printf("uid=%u gid=%u groups=", getuid(), getgid());
  for (int i = 0; i < n; i++)
    printf("%s%u", i ? "," : "", g[i]);
  printf(" umask=%04o\n", m);
  return 0;
}

static int cmd_rlimit(const char *name)
{
  struct rlimit rl;
  int r = !strcmp(name, "NOFILE") ? RLIMIT_NOFILE : !strcmp(name, "NPROC") ? RLIMIT_NPROC
        : !strcmp(name, "CORE")   ? RLIMIT_CORE    : -1;
  if (r < 0 || getrlimit(r, &rl) < 0)
    return 2;
  printf("%llu %llu\n", (unsigned long long) rl.rlim_cur, (unsigned long long) rl.rlim_max);
  return 0;
}

static int cmd_exe_attack(const char *pid)
{
  char path[64], re[64];
  int fd, pfd;
  snprintf(path, sizeof(path), "/proc/%s/exe", pid);
  {
    char target[256] = "";
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n > 0)
      target[n] = '\0';
    printf("exe: %s\n", target);
  }
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    /* opening may succeed on a sealed memfd: the write itself must fail */
    if (pwrite(fd, "X", 1, 0) == 1) {
      printf("WROTE: wrote into %s\n", path);
      return 1;
    }
    printf("blocked: write %s: %s\n", path, strerror(errno));
    close(fd);
  } else {
    printf("blocked: open %s for writing: %s\n", path, strerror(errno));
  }
  pfd = open(path, O_PATH | O_CLOEXEC);
  if (pfd < 0) {
    printf("blocked: open %s O_PATH: %s\n", path, strerror(errno));
    return 0;
  }
  snprintf(re, sizeof(re), "/proc/self/fd/%d", pfd);
  fd = open(re, O_WRONLY | O_CLOEXEC);
  if (fd >= 0 && pwrite(fd, "X", 1, 0) == 1) {
    printf("WROTE: reopened %s and wrote\n", path);
    return 1;
  }
  printf("blocked: reopen for writing: %s\n", strerror(errno));
  return 0;
}

static int cmd_recvtty(const char *sock, const char *input)
{
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  int l = socket(AF_UNIX, SOCK_STREAM, 0), c, master = -1;
  char name[256];
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  struct iovec iov = {.iov_base = name, .iov_len = sizeof(name) - 1};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  ssize_t n;

  snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
  unlink(sock);
  if (l < 0 || bind(l, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(l, 1) < 0) {
    perror("recvtty: listen");
    return 1;
  }
  /* tell the test we listen: it waits for this file */
  {
    char ready[300];
    snprintf(ready, sizeof(ready), "%s.ready", sock);
    close(open(ready, O_CREAT | O_WRONLY, 0600));
  }
  c = accept(l, NULL, NULL);
  if (c < 0) {
    perror("recvtty: accept");
    return 1;
  }
  n = recvmsg(c, &mh, 0);
  if (n < 0) {
    perror("recvtty: recvmsg");
    return 1;
  }
  name[n] = '\0';
  for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
      memcpy(&master, CMSG_DATA(h), sizeof(int));
  if (master < 0) {
    fprintf(stderr, "recvtty: no fd received\n");
    return 1;
  }
  fprintf(stderr, "recvtty: got %s\n", name);
  if (input)
    (void) !write(master, input, strlen(input));
  for (;;) {
    char buf[4096];
    n = read(master, buf, sizeof(buf));
    if (n <= 0)
      break;
    (void) !write(1, buf, (size_t) n);
  }
  return 0;
}

int helper_cgroups(int argc, char **argv); /* cgroups.c: memhog, forks, spin, spin-cpu, opendev */
int helper_logsink(int argc, char **argv); /* logsink.c: dgram-sink */
int helper_proc(int argc, char **argv);    /* proc.c: seals, stall-listen, mempolicy */
int helper_mounts(int argc, char **argv);  /* mounts.c: userns-mount, hidden-mounts */
int helper_crash(int argc, char **argv);   /* crash.c: kill-at */
int helper_notify(int argc, char **argv);  /* notify.c: notify, notify-barrier, notify-listen, accept, connect */

int main(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  int hr = helper_cgroups(argc, argv);
  if (hr >= 0)
    return hr;
  hr = helper_logsink(argc, argv);
  if (hr >= 0)
    return hr;
  hr = helper_proc(argc, argv);
  if (hr >= 0)
    return hr;
  hr = helper_mounts(argc, argv);
  if (hr >= 0)
    return hr;
  hr = helper_crash(argc, argv);
  hr = helper_notify(argc, argv);
  if (hr >= 0)
    return hr;
  if (!strcmp(cmd, "ns"))
    return cmd_ns();
  if (!strcmp(cmd, "fds"))
    return cmd_fds();
  if (!strcmp(cmd, "caps"))
    return cmd_caps();
  if (!strcmp(cmd, "ids"))
    return cmd_ids();
  if (!strcmp(cmd, "rlimit") && argc > 2)
    return cmd_rlimit(argv[2]);
  if (!strcmp(cmd, "exe-attack") && argc > 2)
    return cmd_exe_attack(argv[2]);
  if (!strcmp(cmd, "recvtty") && argc > 2)
    return cmd_recvtty(argv[2], argc > 3 ? argv[3] : NULL);
  if (!strcmp(cmd, "sleep-forever")) {
    for (;;)
      pause();
  }
  if (!strcmp(cmd, "exit") && argc > 2)
    return atoi(argv[2]);
  if (!strcmp(cmd, "cwd")) {
    char buf[4096];
    if (!getcwd(buf, sizeof(buf)))
      return 1;
    printf("%s\n", buf);
    return 0;
  }
  fprintf(stderr, "usage: cove-test-helper ns|fds|caps|ids|rlimit N|exe-attack PID|recvtty SOCK [IN]|"
                  "sleep-forever|exit N|cwd\n");
  return 2;
}
