/* test_kernel.c: cove on a kernel older than the one it runs on.  Each test points the syscall
 * ops table (common/syscalls.h) at a copy whose entry for one feature fails as an older kernel or
 * a filtering seccomp profile would (ENOSYS, E2BIG, EINVAL), drives the real caller, and checks
 * the fallback's result, or the one-line error naming the missing feature (docs/kernel.md).
 * Tests that mount work in a child in a private mount namespace (root; skipped otherwise), so
 * nothing they mount outlives them. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/rootfs/internal.h"
#include "runtime/rootfs/rootfs.h"
#include "seccomp/internal.h"

/* ---- the stand-in kernel ---- */

static struct sys_ops fake;
static int calls_clone3, calls_clone, calls_openat2, calls_close_range, calls_mount_setattr, calls_seccomp;
static int clone3_errno = ENOSYS;

static int use_fake(void **state)
{
  (void) state;
  fake = sys_kernel_ops;
  sys_ops = &fake;
  calls_clone3 = calls_clone = calls_openat2 = calls_close_range = calls_mount_setattr = calls_seccomp = 0;
  clone3_errno = ENOSYS;
  return 0;
}

static int use_kernel(void **state)
{
  (void) state;
  sys_ops = &sys_kernel_ops;
  return 0;
}

static long no_clone3(struct clone_args *args, size_t size)
{
  (void) args;
  (void) size;
  calls_clone3++;
  errno = clone3_errno;
  return -1;
}

static long counting_clone(unsigned long flags, void *stack, int *parent_tid, int *child_tid, unsigned long tls)
{
  calls_clone++;
  return sys_kernel_ops.clone(flags, stack, parent_tid, child_tid, tls);
}

static int no_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
  (void) dirfd;
  (void) path;
  (void) how;
  (void) size;
  calls_openat2++;
  errno = ENOSYS;
  return -1;
}

static int close_range_errno;
static int no_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
  (void) first;
  (void) last;
  (void) flags;
  calls_close_range++;
  errno = close_range_errno;
  return -1;
}

static int no_mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size)
{
  (void) dirfd;
  (void) path;
  (void) flags;
  (void) attr;
  (void) size;
  calls_mount_setattr++;
  errno = ENOSYS;
  return -1;
}

/* 5.12 and 5.13: mount_setattr without MOUNT_ATTR_NOSYMFOLLOW */
static int no_nosymfollow_attr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size)
{
  calls_mount_setattr++;
  if ((attr->attr_set | attr->attr_clr) & MOUNT_ATTR_NOSYMFOLLOW) {
    errno = EINVAL;
    return -1;
  }
  return sys_kernel_ops.mount_setattr(dirfd, path, flags, attr, size);
}

static int no_fsopen(const char *fstype, unsigned int flags)
{
  (void) fstype;
  (void) flags;
  errno = ENOSYS;
  return -1;
}

static int no_open_tree(int dirfd, const char *path, unsigned int flags)
{
  (void) dirfd;
  (void) path;
  (void) flags;
  errno = ENOSYS;
  return -1;
}

static int no_pidfd_open(pid_t pid, unsigned int flags)
{
  (void) pid;
  (void) flags;
  errno = ENOSYS;
  return -1;
}

static int no_pidfd_send_signal(int pidfd, int sig, void *info, unsigned int flags)
{
  (void) pidfd;
  (void) sig;
  (void) info;
  (void) flags;
  errno = ENOSYS;
  return -1;
}

static long seccomp_errno;
static long no_seccomp(unsigned int op, unsigned int flags, void *args)
{
  (void) op;
  (void) flags;
  (void) args;
  calls_seccomp++;
  errno = (int) seccomp_errno;
  return -1;
}

static void assert_contains(const char *msg, const char *want)
{
  if (!msg || !strstr(msg, want))
    fail_msg("message `%s` does not contain `%s`", msg ? msg : "(none)", want);
}

/* Run fn in a child process (which may mount, close fds, load filters) and assert it exited 0;
 * fn reports what went wrong on stderr. */
static void in_child(int (*fn)(void *), void *arg)
{
  int status;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    _exit(fn(arg) == 0 ? 0 : 1);
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);                                   \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

static bool need_root(void)
{
  if (geteuid() == 0)
    return true;
  print_message("needs root (mount namespaces)\n");
  return false;
}

/* ---- clone3 ---- */

/* clone3 missing (before 5.3, or Docker's profile): clone(2) makes the same child, and the pidfd
 * CLONE_PIDFD asked for comes back where clone3 puts it. */
static void test_clone3_enosys_clones(void **state)
{
  int pidfd = -1, status;
  struct clone_args args = {.flags = CLONE_PIDFD, .pidfd = (uint64_t) (uintptr_t) &pidfd, .exit_signal = SIGCHLD};
  (void) state;
  fake.clone3 = no_clone3;
  fake.clone = counting_clone;
  long pid = sys_clone3(&args);
  if (pid == 0)
    _exit(7);
  assert_true(pid > 0);
  assert_int_equal(calls_clone3, 1);
  assert_int_equal(calls_clone, 1);
  assert_true(pidfd >= 0);
  /* the pidfd is the child's */
  {
    char path[64], line[64];
    bool found = false;
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
    FILE *f = fopen(path, "re");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
      if (strncmp(line, "Pid:", 4) == 0)
        found = atol(line + 4) == pid;
    fclose(f);
    assert_true(found);
  }
  assert_int_equal(waitpid((pid_t) pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 7);
  close(pidfd);
}

/* sys_clone3 for a test that expects no child: one made anyway exits at once, so that it never
 * runs the rest of the tests */
static long clone3_no_child(struct clone_args *args)
{
  long r = sys_clone3(args);
  if (r == 0)
    _exit(0);
  if (r > 0)
    waitpid((pid_t) r, NULL, 0);
  return r;
}

/* With CLONE_INTO_CGROUP, no silent clone(2) (which would drop the flag and leave the child in
 * cove's cgroup): ENOSYS, so create and exec clone without it and move the child themselves.
 * 5.3 to 5.6 have clone3 without the cgroup field and answer E2BIG: ENOSYS as well. */
static void test_clone3_into_cgroup_reports_enosys(void **state)
{
  struct clone_args args = {.flags = CLONE_INTO_CGROUP, .cgroup = 42, .exit_signal = SIGCHLD};
  (void) state;
  fake.clone3 = no_clone3;
  fake.clone = counting_clone;
  errno = 0;
  assert_int_equal(clone3_no_child(&args), -1);
  assert_int_equal(errno, ENOSYS);
  clone3_errno = E2BIG;
  errno = 0;
  assert_int_equal(clone3_no_child(&args), -1);
  assert_int_equal(errno, ENOSYS);
  /* other failures are the caller's to report as they are */
  clone3_errno = EBUSY;
  assert_int_equal(clone3_no_child(&args), -1);
  assert_int_equal(errno, EBUSY);
  assert_int_equal(calls_clone3, 3);
  assert_int_equal(calls_clone, 0);
}

/* clone(2) takes 32 bits of flags: a clone3-only flag is never truncated away. */
static void test_clone3_only_flags_not_truncated(void **state)
{
  struct clone_args args = {.flags = CLONE_CLEAR_SIGHAND, .exit_signal = SIGCHLD};
  (void) state;
  fake.clone3 = no_clone3;
  fake.clone = counting_clone;
  assert_int_equal(clone3_no_child(&args), -1);
  assert_int_equal(errno, ENOSYS);
  args.flags = 0;
  args.stack = 4096;
  args.stack_size = 4096;
  assert_int_equal(clone3_no_child(&args), -1);
  assert_int_equal(errno, ENOSYS);
  assert_int_equal(calls_clone, 0);
}

/* ---- openat2 ---- */

struct tree {
  char dir[64];
  int root;
};

static int tree_setup(void **state)
{
  struct tree *t = calloc(1, sizeof(*t));
  char cmd[512], root[128];
  use_fake(state);
  snprintf(t->dir, sizeof(t->dir), "/tmp/cove-test-kernel.XXXXXX");
  if (!mkdtemp(t->dir))
    return -1;
  snprintf(cmd, sizeof(cmd),
           "cd %s && mkdir -p root/etc root/a && echo inside >root/etc/passwd && ln -s / root/abs && "
           "ln -s ../../../../.. root/a/up && echo outside >etc-passwd",
           t->dir);
  if (system(cmd) != 0)
    return -1;
  snprintf(root, sizeof(root), "%s/root", t->dir);
  t->root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  *state = t;
  return t->root < 0 ? -1 : 0;
}

static int tree_teardown(void **state)
{
  struct tree *t = *state;
  char cmd[128];
  use_kernel(state);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
  close(t->root);
  int r = system(cmd);
  free(t);
  return r;
}

/* openat2 missing (before 5.6): the by-hand walker resolves inside the root, symlinks to / and
 * .. above it included. */
static void test_openat2_enosys_resolves_by_hand(void **state)
{
  struct tree *t = *state;
  static const char *paths[] = {"/etc/passwd", "abs/etc/passwd", "a/up/etc/passwd"};
  fake.openat2 = no_openat2;
  for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
    struct cove_error err = COVE_ERROR_INIT;
    char buf[16] = "";
    int fd = rootfs_resolve(t->root, paths[i], O_RDONLY, &err);
    if (fd < 0)
      fail_msg("%s: %s", paths[i], cove_error_msg(&err));
    assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
    assert_string_equal(buf, "inside\n");
    close(fd);
  }
  assert_int_equal(calls_openat2, (int) ARRAY_SIZE(paths));
}

/* openat2 missing: the private procfs is opened with openat, and still checked to be procfs. */
static void test_openat2_enosys_procfs(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  char buf[16] = "";
  (void) state;
  if (!need_root())
    skip();
  fake.openat2 = no_openat2;
  int proc = rootfs_procfs_open(&err);
  if (proc < 0)
    fail_msg("%s", cove_error_msg(&err));
  int fd = rootfs_procfs_openat(proc, "sys/kernel/ostype", O_RDONLY, &err);
  if (fd < 0)
    fail_msg("%s", cove_error_msg(&err));
  assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
  assert_string_equal(buf, "Linux\n");
  assert_int_equal(calls_openat2, 1);
  close(fd);
  close(proc);
}

/* ---- close_range ---- */

/* close_range missing (before 5.9) or denied by a profile (EPERM): the sweep still leaves only
 * the fds kept.  In a child: the sweep closes every fd above stdio it does not keep. */
static int sweep_child(void *arg)
{
  const int keep[] = {103, 107};
  struct cove_error err = COVE_ERROR_INIT;
  close_range_errno = *(int *) arg;
  fake.close_range = no_close_range;
  int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
  CHECK(nul >= 0, "open /dev/null");
  for (int fd = 100; fd <= 111; fd++)
    CHECK(dup2(nul, fd) == fd, "dup2 %d", fd);
  CHECK(fds_close_except(keep, ARRAY_SIZE(keep), &err) == 0, "%s", cove_error_msg(&err));
  CHECK(calls_close_range >= 1, "close_range was not tried");
  CHECK(fcntl(nul, F_GETFD) < 0, "fd %d survived", nul);
  for (int fd = 100; fd <= 111; fd++) {
    bool open_now = fcntl(fd, F_GETFD) >= 0;
    CHECK(open_now == (fd == 103 || fd == 107), "fd %d is %s", fd, open_now ? "open" : "closed");
  }
  return 0;
}

static void test_close_range_enosys_sweeps(void **state)
{
  int e = ENOSYS;
  (void) state;
  in_child(sweep_child, &e);
}

static void test_close_range_eperm_sweeps(void **state)
{
  int e = EPERM;
  (void) state;
  in_child(sweep_child, &e);
}

/* ---- mount_setattr and the mount API ---- */

struct mnt_dirs {
  char dir[64];
  char src[96];
  char dst[96];
};

static int mnt_setup(void **state)
{
  struct mnt_dirs *m = calloc(1, sizeof(*m));
  use_fake(state);
  snprintf(m->dir, sizeof(m->dir), "/tmp/cove-test-kernel.XXXXXX");
  if (!mkdtemp(m->dir))
    return -1;
  snprintf(m->src, sizeof(m->src), "%s/src", m->dir);
  snprintf(m->dst, sizeof(m->dst), "%s/dst", m->dir);
  if (mkdir(m->src, 0755) < 0 || mkdir(m->dst, 0755) < 0)
    return -1;
  *state = m;
  return 0;
}

static int mnt_teardown(void **state)
{
  struct mnt_dirs *m = *state;
  char cmd[128];
  use_kernel(state);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", m->dir);
  int r = system(cmd);
  free(m);
  return r;
}

/* A private mount namespace with a tmpfs on src holding the file "f". */
static int private_tmpfs(const struct mnt_dirs *m)
{
  char f[128];
  CHECK(unshare(CLONE_NEWNS) == 0, "unshare: %s", strerror(errno));
  CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0, "make / private: %s", strerror(errno));
  CHECK(mount("tmpfs", m->src, "tmpfs", 0, "size=64k") == 0, "mount tmpfs: %s", strerror(errno));
  snprintf(f, sizeof(f), "%s/f", m->src);
  int fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  CHECK(fd >= 0, "create %s: %s", f, strerror(errno));
  close(fd);
  return 0;
}

static bool is_rdonly(const char *path)
{
  struct statvfs sv;
  return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static bool can_create(const char *dir)
{
  char p[128];
  snprintf(p, sizeof(p), "%s/new", dir);
  int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return false;
  close(fd);
  unlink(p);
  return true;
}

/* mount_setattr missing (before 5.12): a read-only bind is still read-only, by a bind remount of
 * the attached mount; the source stays writable. */
static int bind_ro_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  if (private_tmpfs(m))
    return 1;
  fake.mount_setattr = no_mount_setattr;
  _cleanup_close_ int target = open(m->dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(target >= 0, "open %s", m->dst);
  CHECK(rootfs_bind(m->src, -1, target, false, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, &err) == 0, "%s",
        cove_error_msg(&err));
  CHECK(calls_mount_setattr >= 1, "mount_setattr was not tried");
  CHECK(is_rdonly(m->dst), "%s is writable", m->dst);
  CHECK(!can_create(m->dst) && errno == EROFS, "create under %s: %s", m->dst, strerror(errno));
  CHECK(can_create(m->src), "the source %s became read-only", m->src);
  {
    struct statvfs sv;
    CHECK(statvfs(m->dst, &sv) == 0 && (sv.f_flag & ST_NOSUID), "%s is not nosuid", m->dst);
  }
  return 0;
}

static void test_mount_setattr_enosys_bind_remount(void **state)
{
  if (!need_root())
    skip();
  in_child(bind_ro_child, *state);
}

/* mount_setattr missing: a bind remount replaces every flag of the mount, so the fallback keeps
 * what the source has: a bind of a read-only mount asked only for nosuid stays read-only. */
static int keep_ro_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  if (private_tmpfs(m))
    return 1;
  /* read-only as a mount, not as a filesystem: a bind of it is writable unless kept read-only */
  CHECK(mount(NULL, m->src, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) == 0, "make %s read-only: %s", m->src,
        strerror(errno));
  fake.mount_setattr = no_mount_setattr;
  _cleanup_close_ int target = open(m->dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(target >= 0, "open %s", m->dst);
  CHECK(rootfs_bind(m->src, -1, target, false, MOUNT_ATTR_NOSUID, 0, &err) == 0, "%s", cove_error_msg(&err));
  CHECK(calls_mount_setattr >= 1, "mount_setattr was not tried");
  CHECK(is_rdonly(m->dst), "the bind of the read-only %s is writable", m->src);
  return 0;
}

static void test_mount_setattr_enosys_keeps_source_flags(void **state)
{
  if (!need_root())
    skip();
  in_child(keep_ro_child, *state);
}

/* 5.12 and 5.13 have mount_setattr but not MOUNT_ATTR_NOSYMFOLLOW (EINVAL): nosymfollow is set
 * by a bind remount (MS_NOSYMFOLLOW, 5.10). */
static int nosymfollow_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  struct statvfs sv;
  if (private_tmpfs(m))
    return 1;
  fake.mount_setattr = no_nosymfollow_attr;
  _cleanup_close_ int target = open(m->dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(target >= 0, "open %s", m->dst);
  CHECK(rootfs_bind(m->src, -1, target, false, MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NODEV, 0, &err) == 0, "%s",
        cove_error_msg(&err));
  CHECK(calls_mount_setattr >= 1, "mount_setattr was not tried");
  CHECK(statvfs(m->dst, &sv) == 0 && (sv.f_flag & 0x2000 /* ST_NOSYMFOLLOW */) && (sv.f_flag & ST_NODEV),
        "%s: flags %#lx", m->dst, sv.f_flag);
  /* and for every mount of a tree it cannot be had: one line says so */
  _cleanup_close_ int mnt = open(m->dst, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(rootfs_set_attr(mnt, true, MOUNT_ATTR_NOSYMFOLLOW, 0, 0, &err) == -1, "recursive nosymfollow accepted");
  if (!strstr(cove_error_msg(&err), "nosymfollow on every mount needs Linux 5.14"))
    CHECK(false, "message: %s", cove_error_msg(&err));
  return 0;
}

static void test_mount_setattr_without_nosymfollow(void **state)
{
  if (!need_root())
    skip();
  in_child(nosymfollow_child, *state);
}

/* mount_setattr missing: attributes for every mount of a tree (rro, rnosuid...) cannot be had
 * with a bind remount, which reaches one mount: refused, naming the feature; propagation of a
 * whole tree still works through mount(2). */
static int recursive_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  if (private_tmpfs(m))
    return 1;
  fake.mount_setattr = no_mount_setattr;
  _cleanup_close_ int mnt = open(m->src, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(mnt >= 0, "open %s", m->src);
  CHECK(rootfs_set_attr(mnt, true, MOUNT_ATTR_RDONLY, 0, 0, &err) == -1, "recursive ro was accepted");
  if (!strstr(cove_error_msg(&err), "set recursive mount attributes: mount_setattr (Linux 5.12) is not available"))
    CHECK(false, "message: %s", cove_error_msg(&err));
  cove_error_release(&err);
  CHECK(can_create(m->src), "%s turned read-only anyway", m->src);
  CHECK(rootfs_set_attr(mnt, true, 0, 0, MS_PRIVATE, &err) == 0, "%s", cove_error_msg(&err));
  return 0;
}

static void test_mount_setattr_enosys_recursive_refused(void **state)
{
  if (!need_root())
    skip();
  in_child(recursive_child, *state);
}

/* mount_setattr missing: the rro option of a bind mount is refused with the feature's name. */
static int rro_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  if (private_tmpfs(m))
    return 1;
  fake.mount_setattr = no_mount_setattr;
  char *opts[] = {"rbind", "rro"};
  struct oci_mount om = {.destination = "/dst", .source = m->src, .type = "bind", .options = opts, .options_len = 2};
  struct oci_config cfg = {.mounts = &om, .mounts_len = 1};
  struct rootfs_ctx ctx = {.config = &cfg, .rootfs = m->dir};
  struct rootfs_run run = {.ctx = &ctx, .root_fd = open(m->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)};
  CHECK(run.root_fd >= 0, "open %s", m->dir);
  CHECK(rootfs_do_mount(&run, &om, &err) == -1, "rro was accepted");
  if (!strstr(cove_error_msg(&err), "mount_setattr (Linux 5.12) is not available"))
    CHECK(false, "message: %s", cove_error_msg(&err));
  return 0;
}

static void test_mount_setattr_enosys_rro_refused(void **state)
{
  if (!need_root())
    skip();
  in_child(rro_child, *state);
}

/* mount_setattr missing: root.readonly still makes / read-only (a bind remount of /), and keeps
 * the flags the root had (nosuid, nodev: a user namespace locks them, and dropping them there
 * is EPERM). */
static int readonly_root_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  if (private_tmpfs(m))
    return 1;
  fake.mount_setattr = no_mount_setattr;
  struct oci_root root = {.path = m->src, .readonly = true};
  struct oci_config cfg = {.root = &root};
  struct rootfs_ctx ctx = {.config = &cfg, .rootfs = m->src};
  CHECK(mount(NULL, m->src, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV, NULL) == 0, "nosuid,nodev: %s",
        strerror(errno));
  CHECK(chroot(m->src) == 0 && chdir("/") == 0, "chroot %s: %s", m->src, strerror(errno));
  CHECK(rootfs_finalize(&ctx, &err) == 0, "%s", cove_error_msg(&err));
  CHECK(calls_mount_setattr == 1, "mount_setattr tried %d times", calls_mount_setattr);
  CHECK(is_rdonly("/"), "/ is writable");
  CHECK(!can_create("/") && errno == EROFS, "create under /: %s", strerror(errno));
  struct statvfs sv;
  CHECK(statvfs("/", &sv) == 0 && (sv.f_flag & ST_NOSUID) && (sv.f_flag & ST_NODEV), "/ lost nosuid or nodev: %#lx",
        sv.f_flag);
  return 0;
}

static void test_mount_setattr_enosys_readonly_root(void **state)
{
  if (!need_root())
    skip();
  in_child(readonly_root_child, *state);
}

/* mount_setattr missing: the read-only cgroup mount of runc's default config is read-only and
 * keeps nosuid, noexec and nodev. */
static int cgroup_ro_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  struct statvfs sv;
  char *opts[] = {"nosuid", "noexec", "nodev", "relatime", "ro"};
  struct oci_mount om = {.destination = "/cg", .source = "cgroup", .type = "cgroup", .options = opts,
                         .options_len = ARRAY_SIZE(opts)};
  struct oci_config cfg = {.mounts = &om, .mounts_len = 1};
  struct rootfs_ctx ctx = {.config = &cfg, .rootfs = m->dir};
  char cg[128];
  if (private_tmpfs(m))
    return 1;
  fake.mount_setattr = no_mount_setattr;
  struct rootfs_run run = {.ctx = &ctx, .root_fd = open(m->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)};
  CHECK(run.root_fd >= 0, "open %s", m->dir);
  CHECK(rootfs_do_mount(&run, &om, &err) == 0, "%s", cove_error_msg(&err));
  CHECK(calls_mount_setattr >= 1, "mount_setattr was not tried");
  snprintf(cg, sizeof(cg), "%s/cg", m->dir);
  CHECK(statvfs(cg, &sv) == 0, "statvfs %s: %s", cg, strerror(errno));
  CHECK((sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOSUID) && (sv.f_flag & ST_NOEXEC) && (sv.f_flag & ST_NODEV),
        "%s: flags %#lx", cg, sv.f_flag);
  return 0;
}

static void test_mount_setattr_enosys_cgroup_ro(void **state)
{
  if (!need_root())
    skip();
  in_child(cgroup_ro_child, *state);
}

/* mount_setattr missing: an idmapped mount cannot be made; the line says why. */
static int idmap_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  if (private_tmpfs(m))
    return 1;
  fake.mount_setattr = no_mount_setattr;
  struct oci_id_mapping map = {.container_id = 0, .host_id = 100000, .size = 65536};
  struct oci_mount om = {.destination = "/dst", .source = m->src, .type = "bind",
                         .uid_mappings = &map, .uid_mappings_len = 1, .gid_mappings = &map, .gid_mappings_len = 1};
  struct mount_opts o = {.bind = true};
  _cleanup_close_ int tree = sys_open_tree(AT_FDCWD, m->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  CHECK(tree >= 0, "open_tree %s: %s", m->src, strerror(errno));
  CHECK(rootfs_idmap_apply(tree, &om, &o, m->src, &err) == -1, "the idmap was applied");
  if (!strstr(cove_error_msg(&err), "mount_setattr (Linux 5.12) is not available"))
    CHECK(false, "message: %s", cove_error_msg(&err));
  return 0;
}

static void test_mount_setattr_enosys_idmap_refused(void **state)
{
  if (!need_root())
    skip();
  in_child(idmap_child, *state);
}

/* fsopen missing (a profile that lacks the mount API): the private procfs is a clone of /proc;
 * with open_tree missing too, one line names it. */
static void test_fsopen_enosys_procfs_clone(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct statfs sf;
  (void) state;
  if (!need_root())
    skip();
  fake.fsopen = no_fsopen;
  int proc = rootfs_procfs_open(&err);
  if (proc < 0)
    fail_msg("%s", cove_error_msg(&err));
  assert_int_equal(fstatfs(proc, &sf), 0);
  assert_int_equal(sf.f_type, PROC_SUPER_MAGIC);
  close(proc);
  fake.open_tree = no_open_tree;
  assert_int_equal(rootfs_procfs_open(&err), -1);
  assert_contains(err.msg, "open a private procfs: open_tree (Linux 5.2) is not available: Function not implemented");
  cove_error_release(&err);
}

/* fsopen missing: masking a directory needs a fresh tmpfs; the line names fsopen. */
static int masked_child(void *arg)
{
  struct mnt_dirs *m = arg;
  struct cove_error err = COVE_ERROR_INIT;
  if (private_tmpfs(m))
    return 1;
  fake.fsopen = no_fsopen;
  char *masked[] = {"/dst"};
  struct oci_linux l = {.masked_paths = masked, .masked_paths_len = 1};
  struct oci_config cfg = {.linux_ = &l};
  _cleanup_close_ int root = open(m->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(root >= 0, "open %s", m->dir);
  CHECK(rootfs_mask_paths(&cfg, root, &err) == -1, "masked without a tmpfs");
  if (!strstr(cove_error_msg(&err), "mask /dst: fsopen tmpfs: fsopen (Linux 5.2) is not available"))
    CHECK(false, "message: %s", cove_error_msg(&err));
  return 0;
}

static void test_fsopen_enosys_masked_refused(void **state)
{
  if (!need_root())
    skip();
  in_child(masked_child, *state);
}

/* ---- pidfds ---- */

struct box {
  char root[64];
  pid_t pid;
  int hold[2]; /* the child blocks reading hold[0] */
};

static int box_setup(void **state)
{
  struct box *b = calloc(1, sizeof(*b));
  struct cove_error err = COVE_ERROR_INIT;
  unsigned long long start;
  use_fake(state);
  snprintf(b->root, sizeof(b->root), "/tmp/cove-test-kernel.XXXXXX");
  if (!mkdtemp(b->root) || pipe2(b->hold, O_CLOEXEC) < 0)
    return -1;
  b->pid = fork();
  if (b->pid < 0)
    return -1;
  if (b->pid == 0) {
    char c;
    close(b->hold[1]);
    (void) !read(b->hold[0], &c, 1);
    _exit(0);
  }
  close(b->hold[0]);
  _cleanup_free_ char *dir = xasprintf("%s/box", b->root);
  if (mkdir(dir, 0700) < 0 || proc_start_time(b->pid, &start, NULL) < 0)
    return -1;
  int root_fd = state_root_open(b->root, false, &err);
  int dir_fd = openat(root_fd, "box", O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct cove_container w = {.id = "box", .dir_fd = dir_fd, .bundle = "/b", .rootfs = "/b/rootfs", .pid = b->pid,
                             .start_time = start, .created = "2026-01-01T00:00:00Z"};
  int r = state_write(&w, &err);
  close(dir_fd);
  close(root_fd);
  *state = b;
  return r;
}

static int box_teardown(void **state)
{
  struct box *b = *state;
  struct cove_error err = COVE_ERROR_INIT;
  char cmd[128];
  use_kernel(state);
  close(b->hold[1]);
  kill(b->pid, SIGKILL);
  waitpid(b->pid, NULL, 0);
  int root_fd = state_root_open(b->root, false, &err);
  state_remove(root_fd, "box", &err);
  close(root_fd);
  snprintf(cmd, sizeof(cmd), "rm -rf %s", b->root);
  int r = system(cmd);
  free(b);
  return r;
}

static bool alive(pid_t pid)
{
  siginfo_t si = {0};
  return waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

/* pidfd_open missing (a profile without it): cove never signals a bare pid that may have been
 * reused, so kill fails with one line naming the call, and does not say the container stopped. */
static void test_pidfd_open_enosys_kill_refused(void **state)
{
  struct box *b = *state;
  struct cove_error err = COVE_ERROR_INIT;
  fake.pidfd_open = no_pidfd_open;
  assert_int_equal(cove_kill(b->root, "box", SIGTERM, false, &err), -1);
  assert_string_equal(err.msg, "kill box: open the init's pidfd: pidfd_open (Linux 5.3) is not available: "
                               "Function not implemented");
  cove_error_release(&err);
  assert_true(alive(b->pid));
  /* with pidfds, the same kill lands */
  fake.pidfd_open = sys_kernel_ops.pidfd_open;
  assert_int_equal(cove_kill(b->root, "box", SIGTERM, false, &err), 0);
  int status;
  assert_int_equal(waitpid(b->pid, &status, 0), b->pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGTERM);
  /* and once the init is gone, it is "not running", whatever the kernel has */
  assert_int_equal(cove_kill(b->root, "box", SIGTERM, false, &err), -1);
  assert_string_equal(err.msg, "kill box: the container is not running");
  cove_error_release(&err);
}

static void test_pidfd_send_signal_enosys_kill_refused(void **state)
{
  struct box *b = *state;
  struct cove_error err = COVE_ERROR_INIT;
  fake.pidfd_send_signal = no_pidfd_send_signal;
  assert_int_equal(cove_kill(b->root, "box", SIGTERM, false, &err), -1);
  assert_string_equal(err.msg, "kill box: pidfd_send_signal (Linux 5.1) is not available: Function not implemented");
  cove_error_release(&err);
  assert_true(alive(b->pid));
}

/* ---- seccomp ---- */

/* seccomp(2) missing (before 3.17): a filter without flags goes in through prctl. */
static int prctl_child(void *arg)
{
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 77),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct cove_seccomp_prog prog = {.filter = f, .len = ARRAY_SIZE(f)};
  struct cove_error err = COVE_ERROR_INIT;
  int nfd;
  (void) arg;
  seccomp_errno = ENOSYS;
  fake.seccomp = no_seccomp;
  CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "no_new_privs");
  CHECK(cove_seccomp_install(&prog, &nfd, &err) == 0, "%s", cove_error_msg(&err));
  CHECK(calls_seccomp == 1, "seccomp(2) tried %d times", calls_seccomp);
  CHECK(syscall(SYS_getppid) == -1 && errno == 77, "the filter is not loaded");
  /* a notify listener needs seccomp(2): refused, naming it */
  prog.notify = true;
  CHECK(cove_seccomp_install(&prog, &nfd, &err) == -1, "a listener without seccomp(2)");
  if (!strstr(cove_error_msg(&err), "seccomp (Linux 3.17) is not available"))
    CHECK(false, "message: %s", cove_error_msg(&err));
  return 0;
}

static void test_seccomp_enosys_prctl(void **state)
{
  (void) state;
  in_child(prctl_child, NULL);
}

/* A filter flag the kernel does not know: refused, naming the release that added it. */
static void test_seccomp_flag_unknown_to_kernel(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_seccomp_prog prog;
  char *flags[] = {"SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  struct oci_seccomp sc = {.default_action = OCI_SECCOMP_ACT_ALLOW, .flags = flags, .flags_len = 1};
  (void) state;
  seccomp_errno = EINVAL; /* how a kernel refuses a flag it lacks */
  fake.seccomp = no_seccomp;
  assert_int_equal(cove_seccomp_compile(&sc, &prog, &err), -1);
  assert_contains(err.msg, "`SECCOMP_FILTER_FLAG_SPEC_ALLOW` is not supported by this kernel (it needs Linux 4.17)");
  cove_error_release(&err);
}

/* ---- the documentation ---- */

/* docs/kernel.md lists every feature a call site can name. */
static void test_docs_list_every_feature(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ char *doc = NULL;
  (void) state;
  if (read_file("docs/kernel.md", 1 << 20, &doc, NULL, &err) < 0)
    fail_msg("%s (run from the repository's top directory)", cove_error_msg(&err));
  for (int f = 0; f < SYS_F_KINDS; f++) {
    const char *name = sys_feature_name((enum sys_feature) f);
    char call[64], since[16], row[96];
    /* "open_tree (Linux 5.2)" -> a table row "| `open_tree` | 5.2 |" */
    const char *paren = strstr(name, " (Linux ");
    assert_non_null(paren);
    snprintf(call, sizeof(call), "%.*s", (int) (paren - name), name);
    snprintf(since, sizeof(since), "%.*s", (int) strcspn(paren + 8, ")"), paren + 8);
    snprintf(row, sizeof(row), "| %s | %s |", call, since);
    if (!strstr(doc, row))
      fail_msg("docs/kernel.md has no row `%s`", row);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_clone3_enosys_clones, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_clone3_into_cgroup_reports_enosys, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_clone3_only_flags_not_truncated, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_openat2_enosys_resolves_by_hand, tree_setup, tree_teardown),
    cmocka_unit_test_setup_teardown(test_openat2_enosys_procfs, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_close_range_enosys_sweeps, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_close_range_eperm_sweeps, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_mount_setattr_enosys_bind_remount, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_mount_setattr_enosys_keeps_source_flags, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_mount_setattr_without_nosymfollow, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_mount_setattr_enosys_recursive_refused, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_mount_setattr_enosys_rro_refused, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_mount_setattr_enosys_readonly_root, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_mount_setattr_enosys_cgroup_ro, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_mount_setattr_enosys_idmap_refused, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_fsopen_enosys_procfs_clone, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_fsopen_enosys_masked_refused, mnt_setup, mnt_teardown),
    cmocka_unit_test_setup_teardown(test_pidfd_open_enosys_kill_refused, box_setup, box_teardown),
    cmocka_unit_test_setup_teardown(test_pidfd_send_signal_enosys_kill_refused, box_setup, box_teardown),
    cmocka_unit_test_setup_teardown(test_seccomp_enosys_prctl, use_fake, use_kernel),
    cmocka_unit_test_setup_teardown(test_seccomp_flag_unknown_to_kernel, use_fake, use_kernel),
    cmocka_unit_test(test_docs_list_every_feature),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
