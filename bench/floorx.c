/* floorx.c: the floor under `cove exec`: the least a runtime must do to run /bin/true in a
 * running container, with nothing else (no state, no config, no capabilities, no sync beyond
 * waitpid).
 *
 *   floorx [-s] [-c] PID
 *
 * One setns(pidfd) into PID's pid, mount, net, ipc, uts and cgroup namespaces, a clone (the child
 * is the one in the pid namespace), the child's exec of /bin/true there, the wait.  -c: the child
 * first joins PID's cgroups, the cheapest way the kernel offers, as cove does (it writes "0" to
 * the `tasks` file of each v1 hierarchy PID is in, opened before the setns; it is cloned into
 * PID's unified cgroup: no global lock).  -s: before anything else the program re-executes itself from a write-sealed memfd copy
 * of its binary, as every runtime must protect its binary from the container (CVE-2019-5736:
 * cove's sealed memfd, crun's read-only bind mount, runc's read-only overlay), so that the floor
 * pays the same number of execs as they do: the caller's, the protected one, the container's.
 * bench/bench.sh times it beside the runtimes' `exec`. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define CGROUP2_SUPER_MAGIC 0x63677270
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static void die(const char *what)
{
  fprintf(stderr, "floorx: %s: %s\n", what, strerror(errno));
  exit(125);
}

static void reexec_sealed(char **argv)
{
  int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), mfd, seals;
  struct stat sb;
  off_t off = 0;

  if (exe < 0 || fstat(exe, &sb) < 0)
    die("open /proc/self/exe");
  seals = fcntl(exe, F_GET_SEALS);
  if (seals >= 0 && (seals & SEALS) == SEALS) {
    close(exe);
    return; /* this is the sealed copy */
  }
  if ((mfd = memfd_create("floorx", MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0)
    die("memfd_create");
  while (off < sb.st_size)
    if (sendfile(mfd, exe, &off, (size_t) (sb.st_size - off)) <= 0)
      die("copy into the memfd");
  if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
    die("seal the memfd");
  syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
  die("execveat the sealed copy");
}

static int is_cgroup2(const char *path)
{
  struct statfs sf;
  return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* "N:ctrl,ctrl:/path" lines of /proc/PID/cgroup (read on the host's side, before the setns):
 * the tasks file of each hierarchy, opened for the child to write "0" to. */
static int open_cgroups(long pid, int *fds, int max, int *unified)
{
  int n = 0;
  char p[64], line[PATH_MAX + 128];
  FILE *f;

  snprintf(p, sizeof(p), "/proc/%ld/cgroup", pid);
  if (!(f = fopen(p, "re")))
    die(p);
  while (n < max && fgets(line, sizeof(line), f)) {
    char *ctrl = strchr(line, ':'), *path = ctrl ? strchr(ctrl + 1, ':') : NULL, file[PATH_MAX + 160];
    int fd;
    if (!path)
      continue;
    *path++ = '\0';
    path[strcspn(path, "\n")] = '\0';
    ctrl++;
    if (!*ctrl) { /* the unified hierarchy, where it is mounted: the child is cloned into it */
      const char *root = is_cgroup2("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified"
                         : is_cgroup2("/sys/fs/cgroup")      ? "/sys/fs/cgroup"
                                                             : NULL;
      if (!root)
        continue;
      snprintf(file, sizeof(file), "%s%s", root, path);
      if ((*unified = open(file, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 && errno != ENOENT)
        die(file);
      continue;
    }
    if (!strncmp(ctrl, "name=", 5))
      snprintf(file, sizeof(file), "/sys/fs/cgroup/%s%s/tasks", ctrl + 5, path);
    else
      snprintf(file, sizeof(file), "/sys/fs/cgroup/%s%s/tasks", ctrl, path);
    if ((fd = open(file, O_WRONLY | O_CLOEXEC)) < 0) {
      if (errno == ENOENT) /* a hierarchy not mounted in this mount namespace */
        continue;
      die(file);
    }
    fds[n++] = fd;
  }
  fclose(f);
  return n;
}

int main(int argc, char **argv)
{
  int sealed = 0, cgroups = 0, opt, pidfd, status, fds[16], nfds = 0, unified = -1;
  struct clone_args args = {.exit_signal = SIGCHLD};
  long pid;
  pid_t child;

  while ((opt = getopt(argc, argv, "sc")) != -1) {
    if (opt == 's')
      sealed = 1;
    else if (opt == 'c')
      cgroups = 1;
    else
      return 2;
  }
  if (optind != argc - 1) {
    fprintf(stderr, "usage: floorx [-s] [-c] PID\n");
    return 2;
  }
  if (sealed)
    reexec_sealed(argv);
  pid = strtol(argv[optind], NULL, 10);
  if ((pidfd = (int) syscall(SYS_pidfd_open, (pid_t) pid, 0)) < 0)
    die("pidfd_open");
  if (cgroups)
    nfds = open_cgroups(pid, fds, 16, &unified);
  if (setns(pidfd, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP) < 0)
    die("setns");
  if (unified >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t) unified;
  }
  child = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
  if (child < 0)
    die("clone3");
  if (child == 0) {
    for (int i = 0; i < nfds; i++)
      if (write(fds[i], "0", 1) != 1)
        die("join the cgroup");
    if (chdir("/") < 0)
      die("chdir /");
    execl("/bin/true", "true", (char *) NULL);
    die("exec /bin/true");
  }
  if (waitpid(child, &status, 0) < 0)
    die("waitpid");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
