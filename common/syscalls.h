/* syscalls.h: the one home of cove's raw system-call wrappers (the calls glibc 2.36 has no
 * wrapper for).  Every module includes this header instead of calling syscall(2) itself, so a
 * fallback for an older kernel lives in one place.  Each returns what the kernel returns: -1 with
 * errno set on failure. */
#ifndef COVE_COMMON_SYSCALLS_H
#define COVE_COMMON_SYSCALLS_H

#include <linux/openat2.h>
#include <linux/sched.h>
#include <stdint.h>
#include <sys/types.h>

/* clone3 (5.3); on ENOSYS, clone(2) when the arguments allow it (no CLONE_INTO_CGROUP, no
 * stack): CLONE_PIDFD then returns the pidfd through parent_tid, as clone3 does. */
long sys_clone3(struct clone_args *args);
int sys_pidfd_open(pid_t pid);                 /* 5.3 */
int sys_pidfd_send_signal(int pidfd, int sig); /* 5.1 */
int sys_openat2(int dirfd, const char *path, struct open_how *how); /* 5.6 */
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags); /* 5.9; CLOEXEC 5.11 */
int sys_execveat(int fd, const char *path, char *const argv[], char *const envp[], int flags);
int sys_pivot_root(const char *new_root, const char *put_old);
long sys_keyctl_join_session(const char *name);
int sys_ioprio_set(int which, int who, int ioprio);
int sys_sched_setattr(pid_t pid, void *attr, unsigned int flags);
long sys_seccomp(unsigned int op, unsigned int flags, void *args);
long sys_bpf(int cmd, void *attr, unsigned int size);
/* set_mempolicy (2.6.7; glibc leaves it to libnuma): nodemask of maxnode - 1 bits, as the kernel
 * counts them. */
long sys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode);
/* rt_sigaction straight to the kernel (glibc refuses its own internal signals 32 and 33). */
int sys_rt_sigaction_default(int sig);

#endif
