/* syscalls.c: system-call wrappers and the kernel's ops table behind them (see syscalls.h). */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/syscalls.h"

/* ---- the running kernel ---- */

static long k_clone3(struct clone_args *args, size_t size)
{
  return syscall(SYS_clone3, args, size);
}

static long k_clone(unsigned long flags, void *stack, int *parent_tid, int *child_tid, unsigned long tls)
{
  /* x86_64 and arm64 order: flags, stack, parent_tid, child_tid, tls */
  return syscall(SYS_clone, flags, stack, parent_tid, child_tid, tls);
}

static int k_pidfd_open(pid_t pid, unsigned int flags)
{
  return (int) syscall(SYS_pidfd_open, pid, flags);
}

static int k_pidfd_send_signal(int pidfd, int sig, void *info, unsigned int flags)
{
  return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

static int k_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
  return (int) syscall(SYS_openat2, dirfd, path, how, size);
}

static int k_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
  return (int) syscall(SYS_close_range, first, last, flags);
}

static int k_execveat(int fd, const char *path, char *const argv[], char *const envp[], int flags)
{
  return (int) syscall(SYS_execveat, fd, path, argv, envp, flags);
}

static int k_pivot_root(const char *new_root, const char *put_old)
{
  return (int) syscall(SYS_pivot_root, new_root, put_old);
}

static long k_keyctl(int op, unsigned long arg2, unsigned long arg3, unsigned long arg4)
{
  return syscall(SYS_keyctl, op, arg2, arg3, arg4);
}

static int k_ioprio_set(int which, int who, int ioprio)
{
  return (int) syscall(SYS_ioprio_set, which, who, ioprio);
}

static int k_sched_setattr(pid_t pid, void *attr, unsigned int flags)
{
  return (int) syscall(SYS_sched_setattr, pid, attr, flags);
}

static long k_seccomp(unsigned int op, unsigned int flags, void *args)
{
  return syscall(SYS_seccomp, op, flags, args);
}

static long k_bpf(int cmd, void *attr, unsigned int size)
{
  return syscall(SYS_bpf, cmd, attr, size);
}

static long k_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode)
{
  return syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

static int k_rt_sigaction(int sig, const void *act, void *oldact, size_t sigsetsize)
{
  return (int) syscall(SYS_rt_sigaction, sig, act, oldact, sigsetsize);
}

const struct sys_ops sys_kernel_ops = {
  .clone3 = k_clone3,
  .clone = k_clone,
  .pidfd_open = k_pidfd_open,
  .pidfd_send_signal = k_pidfd_send_signal,
  .openat2 = k_openat2,
  .close_range = k_close_range,
  .execveat = k_execveat,
  .pivot_root = k_pivot_root,
  .keyctl = k_keyctl,
  .ioprio_set = k_ioprio_set,
  .sched_setattr = k_sched_setattr,
  .seccomp = k_seccomp,
  .bpf = k_bpf,
  .set_mempolicy = k_set_mempolicy,
  .rt_sigaction = k_rt_sigaction,
  /* glibc 2.36's own wrappers */
  .fsopen = fsopen,
  .fsconfig = fsconfig,
  .fsmount = fsmount,
  .open_tree = open_tree,
  .move_mount = move_mount,
  .mount_setattr = mount_setattr,
};

const struct sys_ops *sys_ops = &sys_kernel_ops;

/* ---- features and their messages ---- */

static const char *const feature_names[SYS_F_KINDS] = {
  [SYS_F_PIDFD_OPEN] = "pidfd_open (Linux 5.3)",
  [SYS_F_PIDFD_SEND_SIGNAL] = "pidfd_send_signal (Linux 5.1)",
  [SYS_F_FSOPEN] = "fsopen (Linux 5.2)",
  [SYS_F_FSCONFIG] = "fsconfig (Linux 5.2)",
  [SYS_F_FSMOUNT] = "fsmount (Linux 5.2)",
  [SYS_F_OPEN_TREE] = "open_tree (Linux 5.2)",
  [SYS_F_MOVE_MOUNT] = "move_mount (Linux 5.2)",
  [SYS_F_MOUNT_SETATTR] = "mount_setattr (Linux 5.12)",
  [SYS_F_EXECVEAT] = "execveat (Linux 3.19)",
  [SYS_F_SECCOMP] = "seccomp (Linux 3.17)",
};

const char *sys_feature_name(enum sys_feature f)
{
  return (unsigned) f < SYS_F_KINDS && feature_names[f] ? feature_names[f] : "an unknown kernel feature";
}

int sys_fail(struct cove_error *err, int errnum, enum sys_feature f, const char *fmt, ...)
{
  char *what = NULL;
  va_list ap;

  va_start(ap, fmt);
  if (vasprintf(&what, fmt, ap) < 0)
    what = NULL;
  va_end(ap);
  if (errnum == ENOSYS)
    cove_error_set(err, errnum, "%s: %s is not available", what ? what : "", sys_feature_name(f));
  else
    cove_error_set(err, errnum, "%s", what ? what : "");
  free(what);
  return -1;
}

/* ---- the wrappers ---- */

long sys_clone3(struct clone_args *args)
{
  long r = sys_ops->clone3(args, sizeof(*args));
  if (r >= 0)
    return r;
  if (!(args->flags & CLONE_INTO_CGROUP)) {
    /* clone(2) takes 32 bits of flags and the exit signal in the low byte; CLONE_PIDFD and
     * CLONE_PARENT_SETTID share its parent_tid argument */
    bool fits = !(args->flags >> 32) && !(args->flags & CSIGNAL) && args->exit_signal <= CSIGNAL &&
                !args->stack && !args->set_tid_size &&
                (args->flags & (CLONE_PIDFD | CLONE_PARENT_SETTID)) != (CLONE_PIDFD | CLONE_PARENT_SETTID);
    if (errno != ENOSYS || !fits)
      return -1;
    /* kernels before 5.3, valgrind, and seccomp profiles that answer ENOSYS for clone3 so that
     * glibc falls back (Docker's, since 20.10) */
    int *parent_tid = (int *) (uintptr_t) ((args->flags & CLONE_PIDFD) ? args->pidfd : args->parent_tid);
    return sys_ops->clone(args->flags | args->exit_signal, NULL, parent_tid,
                          (int *) (uintptr_t) args->child_tid, args->tls);
  }
  /* 5.3 to 5.6 have clone3 but a struct without the cgroup field: a non-zero byte past the end
   * of the struct they know is E2BIG.  ENOSYS tells the caller to clone without the flag. */
  if (errno == E2BIG)
    errno = ENOSYS;
  return -1;
}

int sys_pidfd_open(pid_t pid)
{
  return sys_ops->pidfd_open(pid, 0);
}

int sys_pidfd_send_signal(int pidfd, int sig)
{
  return sys_ops->pidfd_send_signal(pidfd, sig, NULL, 0);
}

int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
  return sys_ops->openat2(dirfd, path, how, sizeof(*how));
}

int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
  return sys_ops->close_range(first, last, flags);
}

int sys_execveat(int fd, const char *path, char *const argv[], char *const envp[], int flags)
{
  return sys_ops->execveat(fd, path, argv, envp, flags);
}

long sys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode)
{
  return sys_ops->set_mempolicy(mode, nodemask, maxnode);
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
  return sys_ops->pivot_root(new_root, put_old);
}

long sys_keyctl_join_session(const char *name)
{
  return sys_ops->keyctl(1 /* KEYCTL_JOIN_SESSION_KEYRING */, (unsigned long) (uintptr_t) name, 0, 0);
}

long sys_keyctl_describe(long key, char *buf, size_t len)
{
  return sys_ops->keyctl(6 /* KEYCTL_DESCRIBE */, (unsigned long) key, (unsigned long) (uintptr_t) buf, len);
}

long sys_keyctl_setperm(long key, unsigned int perm)
{
  return sys_ops->keyctl(5 /* KEYCTL_SETPERM */, (unsigned long) key, perm, 0);
}

int sys_ioprio_set(int which, int who, int ioprio)
{
  return sys_ops->ioprio_set(which, who, ioprio);
}

int sys_sched_setattr(pid_t pid, void *attr, unsigned int flags)
{
  return sys_ops->sched_setattr(pid, attr, flags);
}

long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
  return sys_ops->seccomp(op, flags, args);
}

long sys_bpf(int cmd, void *attr, unsigned int size)
{
  return sys_ops->bpf(cmd, attr, size);
}

int sys_rt_sigaction_default(int sig)
{
  /* the kernel's struct sigaction: handler, flags, restorer, mask */
  struct {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
  } ksa = {SIG_DFL, 0, NULL, 0};
  return sys_ops->rt_sigaction(sig, &ksa, NULL, sizeof(ksa.mask));
}

int sys_fsopen(const char *fstype, unsigned int flags)
{
  return sys_ops->fsopen(fstype, flags);
}

int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux)
{
  return sys_ops->fsconfig(fd, cmd, key, value, aux);
}

int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags)
{
  return sys_ops->fsmount(fd, flags, attr_flags);
}

int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
  return sys_ops->open_tree(dirfd, path, flags);
}

int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned int flags)
{
  return sys_ops->move_mount(from_dirfd, from_path, to_dirfd, to_path, flags);
}

int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size)
{
  return sys_ops->mount_setattr(dirfd, path, flags, attr, size);
}
