/* floor.c: the floor under `cove run`: the least a runtime must do to run a program in a
 * container of the benchmark's shape, with nothing else (no config parsing, no state, no
 * protection of its own binary, no sync between processes beyond waitpid).
 *
 *   floor ROOTFS [CGROUP]
 *
 * clone3 into new pid, net, ipc, uts and mount namespaces; in the child: make the mounts
 * private, bind the rootfs onto itself, mount proc and a tmpfs /dev, pivot_root, exec /bin/true.
 * The parent waits and exits with the child's status.  With CGROUP (a name, e.g. "floor-1"), the
 * child is first placed in a new cgroup of that name in every v1 hierarchy mounted under
 * /sys/fs/cgroup (what a runtime does on a v1 or hybrid host), or of the unified one on a pure v2
 * host, and the cgroups are removed after the wait; the cheapest way the kernel offers, as cove
 * does it (cgroups/cgroups.h): the child writes "0" to each v1 `tasks` file itself (no global
 * lock), a v2 child is cloned into its cgroup.  bench/bench.sh times it beside the runtimes. */
#include <dirent.h>
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define CGROUP2_SUPER_MAGIC 0x63677270

static void die(const char *what)
{
  fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
  exit(125);
}

/* The cgroup directories the child goes into: every v1 hierarchy (named by its mount point
 * under /sys/fs/cgroup), or the unified root on a pure v2 host. */
static int cgroup_dirs(const char *name, char dirs[][PATH_MAX], int max)
{
  struct statfs sf;
  int n = 0;

  if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
    snprintf(dirs[n++], PATH_MAX, "/sys/fs/cgroup/%s", name);
    return n;
  }
  DIR *d = opendir("/sys/fs/cgroup");
  if (!d)
    die("open /sys/fs/cgroup");
  for (struct dirent *e; (e = readdir(d)) && n < max;) {
    char p[PATH_MAX];
    struct stat sb;
    if (e->d_name[0] == '.' || !strcmp(e->d_name, "unified"))
      continue;
    if (snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", e->d_name) >= (int) sizeof(p))
      continue;
    /* co-mounted controllers show up once as a directory and again as symlinks */
    if (lstat(p, &sb) < 0 || !S_ISDIR(sb.st_mode) || statfs(p, &sf) < 0 || sf.f_type == CGROUP2_SUPER_MAGIC)
      continue;
    if (snprintf(dirs[n++], PATH_MAX, "%s/%s", p, name) >= PATH_MAX)
      die("cgroup path too long");
  }
  closedir(d);
  return n;
}

/* A new v1 cpuset starts empty (no task may join it): copy the parent's, as a runtime must. */
static int copy_cpuset(const char *dir, const char *file)
{
  char p[PATH_MAX + 32], v[256];
  ssize_t n;
  int fd;

  if (snprintf(p, sizeof(p), "%.*s/%s", (int) (strrchr(dir, '/') - dir), dir, file) >= (int) sizeof(p))
    return -1;
  if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
    return -1;
  n = read(fd, v, sizeof(v));
  close(fd);
  if (n <= 0)
    return -1;
  if (snprintf(p, sizeof(p), "%s/%s", dir, file) >= (int) sizeof(p))
    return -1;
  if ((fd = open(p, O_WRONLY | O_CLOEXEC)) < 0)
    return -1;
  n = write(fd, v, (size_t) n);
  close(fd);
  return n < 0 ? -1 : 0;
}

static void child(const char *rootfs, const int *tasks, int ntasks)
{
  for (int i = 0; i < ntasks; i++)
    if (write(tasks[i], "0", 1) != 1)
      die("enter the cgroup");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    die("make / private");
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    die("bind the rootfs");
  if (chdir(rootfs) < 0)
    die("chdir rootfs");
  if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    die("mount proc");
  if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID, "mode=755,size=65536k") < 0)
    die("mount /dev");
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    die("pivot_root");
  if (umount2(".", MNT_DETACH) < 0)
    die("detach the old root");
  if (chdir("/") < 0)
    die("chdir /");
  execl("/bin/true", "true", (char *) NULL);
  die("exec /bin/true");
}

int main(int argc, char **argv)
{
  char dirs[16][PATH_MAX];
  int ndirs = 0, tasks[16], ntasks = 0, v2 = -1, status;
  struct clone_args args = {
    .flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS,
    .exit_signal = SIGCHLD,
  };
  struct statfs sf;
  long pid;

  if (argc < 2) {
    fprintf(stderr, "usage: floor ROOTFS [CGROUP]\n");
    return 2;
  }
  if (argc > 2) {
    ndirs = cgroup_dirs(argv[2], dirs, 16);
    for (int i = 0; i < ndirs; i++) {
      if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
        die(dirs[i]);
      if (strstr(dirs[i], "/cpuset/") && (copy_cpuset(dirs[i], "cpuset.cpus") < 0 || copy_cpuset(dirs[i], "cpuset.mems") < 0))
        die("cpuset");
    }
    if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
      if ((v2 = open(dirs[0], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
        die(dirs[0]);
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t) v2;
    } else {
      for (int i = 0; i < ndirs; i++) {
        char p[PATH_MAX + 32];
        if (snprintf(p, sizeof(p), "%s/tasks", dirs[i]) >= (int) sizeof(p))
          die("cgroup path too long");
        if ((tasks[ntasks++] = open(p, O_WRONLY | O_CLOEXEC)) < 0)
          die(p);
      }
    }
  }
  pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0)
    die("clone3");
  if (pid == 0)
    child(argv[1], tasks, ntasks);
  for (int i = 0; i < ntasks; i++)
    close(tasks[i]);
  if (waitpid((pid_t) pid, &status, 0) < 0)
    die("waitpid");
  for (int i = 0; i < ndirs; i++)
    rmdir(dirs[i]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
