/* mounts.c: cove-test-helper's mount namespace probes.
 *   userns-mount FSTYPE DIR [ro]
 *                            in a new user and mount namespace (and a new pid namespace for proc,
 *                            network namespace for sysfs, which those filesystems belong to),
 *                            mount a fresh FSTYPE nosuid,nodev,noexec on DIR (and read-only with
 *                            "ro": the kernel wants no fewer restrictions than the visible mount
 *                            has, as an attacker would know): prints
 *                            "mounted FSTYPE" and exits 0,
 *                            or "mount FSTYPE: <error>" and exits 1.  The kernel allows it only
 *                            when the mount namespace holds a fully visible mount of that
 *                            filesystem (the "mount_too_revealing" rule), so inside a container
 *                            with masked paths it must fail.
 *   hidden-mounts PID        run on the host: join PID's mount namespace and print, one a line,
 *                            the filesystem type of every mount of that namespace that PID's
 *                            root cannot reach (statmount/listmount, Linux 6.8): what a chroot
 *                            leaves of the host below the container's root.  mountinfo cannot
 *                            show them: the kernel skips mounts outside the reader's root. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int userns_mount(const char *fstype, const char *dir, unsigned long flags)
{
  int extra = !strcmp(fstype, "proc") ? CLONE_NEWPID : !strcmp(fstype, "sysfs") ? CLONE_NEWNET : 0;
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS | extra) < 0) {
    printf("unshare: %s\n", strerror(errno));
    return 2;
  }
  /* a new pid namespace takes effect for children: procfs is mounted for the mounter's own */
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    printf("fork: %s\n", strerror(errno));
    return 2;
  }
  if (pid == 0) {
    (void) !mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    if (mount(fstype, dir, fstype, flags, NULL) < 0) {
      printf("mount %s: %s\n", fstype, strerror(errno));
      fflush(stdout);
      _exit(1);
    }
    printf("mounted %s\n", fstype);
    fflush(stdout);
    _exit(0);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

/* The 6.8 uapi (glibc 2.36's headers predate it). */
#define H_SYS_statmount 457
#define H_SYS_listmount 458
#define H_STATX_MNT_ID_UNIQUE 0x4000U
#define H_STATMOUNT_MNT_BASIC 0x2U
#define H_STATMOUNT_FS_TYPE 0x20U
#define H_LSMT_ROOT 0xffffffffffffffffULL

struct h_mnt_id_req {
  uint32_t size, spare;
  uint64_t mnt_id, param;
};

struct h_statmount {
  uint32_t size, spare1;
  uint64_t mask;
  uint32_t sb_dev_major, sb_dev_minor;
  uint64_t sb_magic;
  uint32_t sb_flags, fs_type;
  uint64_t mnt_id, mnt_parent_id;
  uint32_t mnt_id_old, mnt_parent_id_old;
  uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
  uint32_t mnt_root, mnt_point;
  uint64_t spare2[50];
  char str[];
};

static long h_statmount(uint64_t id, uint64_t mask, struct h_statmount *buf, size_t len)
{
  struct h_mnt_id_req req = {.size = sizeof(req), .mnt_id = id, .param = mask};
  return syscall(H_SYS_statmount, &req, buf, len, 0);
}

/* The ids of the mounts below mount `id` (its whole subtree), at most max. */
static long h_listmount(uint64_t id, uint64_t *ids, size_t max)
{
  struct h_mnt_id_req req = {.size = sizeof(req), .mnt_id = id};
  return syscall(H_SYS_listmount, &req, ids, max, 0);
}

#define MAX_MOUNTS 4096

static int hidden_mounts(const char *pid)
{
  char path[64];
  snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
  int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNS) < 0) {
    fprintf(stderr, "join %s: %s\n", path, strerror(errno));
    return 2;
  }
  /* setns starts at the namespace's root and follows mounts stacked on it down to the top one:
   * with --no-pivot, the container's root, stacked on what the host had at / */
  struct statx sx;
  if (statx(AT_FDCWD, "/", 0, H_STATX_MNT_ID_UNIQUE, &sx) < 0 || !(sx.stx_mask & H_STATX_MNT_ID_UNIQUE)) {
    fprintf(stderr, "statx /: unique mount ids need Linux 6.8 (%s)\n", strerror(errno));
    return 2;
  }
  static char buf[1 << 16];
  struct h_statmount *sm = (struct h_statmount *) buf;
  uint64_t top = sx.stx_mnt_id, id = top;
  /* down to the namespace's root mount: the one that is its own parent */
  for (int hops = 0; hops < 64; hops++) {
    if (h_statmount(id, H_STATMOUNT_MNT_BASIC, sm, sizeof(buf)) < 0) {
      fprintf(stderr, "statmount: %s\n", strerror(errno));
      return 2;
    }
    if (sm->mnt_parent_id == id)
      break;
    id = sm->mnt_parent_id;
  }
  static uint64_t all[MAX_MOUNTS], seen[MAX_MOUNTS];
  long n_all = h_listmount(id, all, MAX_MOUNTS);
  long n_seen = h_listmount(H_LSMT_ROOT, seen, MAX_MOUNTS);
  if (n_all < 0 || n_seen < 0) {
    fprintf(stderr, "listmount: %s\n", strerror(errno));
    return 2;
  }
  /* the namespace's root itself when the container's root is stacked on it */
  if (id != top && n_all < MAX_MOUNTS)
    all[n_all++] = id;
  for (long i = 0; i < n_all; i++) {
    if (all[i] == top)
      continue;
    int reachable = 0;
    for (long j = 0; j < n_seen && !reachable; j++)
      reachable = seen[j] == all[i];
    if (reachable)
      continue;
    if (h_statmount(all[i], H_STATMOUNT_FS_TYPE, sm, sizeof(buf)) < 0) {
      fprintf(stderr, "statmount: %s\n", strerror(errno));
      return 2;
    }
    printf("%s\n", sm->str + sm->fs_type);
  }
  return 0;
}

/* Returns the exit status, or -1 when argv names no subcommand of this file. */
int helper_mounts(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "userns-mount") && argc > 3)
    return userns_mount(argv[2], argv[3], MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                              (argc > 4 && !strcmp(argv[4], "ro") ? MS_RDONLY : 0));
  if (!strcmp(cmd, "hidden-mounts") && argc > 2)
    return hidden_mounts(argv[2]);
  return -1;
}
