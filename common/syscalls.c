/* syscalls.c: raw system-call wrappers (see syscalls.h). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/syscalls.h"

long sys_clone3(struct clone_args *args)
{
  long r = syscall(SYS_clone3, args, sizeof(*args));
  if (r >= 0 || errno != ENOSYS || (args->flags & CLONE_INTO_CGROUP) || args->stack)
    return r;
  /* kernels before 5.3 (and valgrind) lack clone3 */
  return syscall(SYS_clone, (unsigned long) args->flags | (unsigned long) args->exit_signal, NULL,
                 (args->flags & CLONE_PIDFD) ? (void *) (uintptr_t) args->pidfd : NULL, NULL, 0);
}

int sys_pidfd_open(pid_t pid)
{
  return (int) syscall(SYS_pidfd_open, pid, 0);
}

int sys_pidfd_send_signal(int pidfd, int sig)
{
  return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
  return (int) syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

int sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
  return (int) syscall(SYS_close_range, first, last, flags);
}

int sys_execveat(int fd, const char *path, char *const argv[], char *const envp[], int flags)
{
  return (int) syscall(SYS_execveat, fd, path, argv, envp, flags);
}

long sys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode)
{
  return syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
  return (int) syscall(SYS_pivot_root, new_root, put_old);
}

long sys_keyctl_join_session(const char *name)
{
  return syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name);
}

int sys_ioprio_set(int which, int who, int ioprio)
{
  return (int) syscall(SYS_ioprio_set, which, who, ioprio);
}

int sys_sched_setattr(pid_t pid, void *attr, unsigned int flags)
{
  return (int) syscall(SYS_sched_setattr, pid, attr, flags);
}

long sys_seccomp(unsigned int op, unsigned int flags, void *args)
{
  return syscall(SYS_seccomp, op, flags, args);
}

long sys_bpf(int cmd, void *attr, unsigned int size)
{
  return syscall(SYS_bpf, cmd, attr, size);
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
  return (int) syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
}
