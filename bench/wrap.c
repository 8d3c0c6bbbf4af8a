/* wrap.c: wrap RUNTIME ARGS...: run RUNTIME in a private mount namespace with the unified cgroup
 * hierarchy of a hybrid host unmounted, so that crun (1.8.1 refuses hybrid hosts) and cove see
 * the same cgroup tree when bench/bench.sh times them side by side.  It does what
 * `unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec "$0" "$@"'` does, without the shell
 * and without making every mount private (only /sys/fs/cgroup, so that the unmount does not
 * propagate to the host): both runtimes pay the same, smaller, constant. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: wrap RUNTIME [ARGS...]\n");
    return 2;
  }
  if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/sys/fs/cgroup", NULL, MS_PRIVATE, NULL) < 0 ||
      umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0) {
    fprintf(stderr, "wrap: hide /sys/fs/cgroup/unified: %s\n", strerror(errno));
    return 125;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "wrap: exec %s: %s\n", argv[1], strerror(errno));
  return 127;
}
