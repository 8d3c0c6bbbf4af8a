/* syscalls.h: the one home of cove's system-call wrappers: the calls glibc 2.36 has no wrapper
 * for, and the mount API (fsopen, fsconfig, fsmount, open_tree, move_mount, mount_setattr),
 * which glibc wraps but which is as new as the rest.  Every module includes this header instead
 * of calling syscall(2) or those functions itself, so what an older kernel lacks is met in one
 * place.  Each wrapper returns what the kernel returns: -1 with errno set on failure.
 *
 * The kernels cove supports, what each feature needs and what cove does without it:
 * docs/kernel.md.  A feature below the floor (5.10) can still be missing when a seccomp filter
 * cove runs under answers ENOSYS for it (runc does for every call newer than its profile);
 * ENOSYS is what a fallback keys on, not EPERM, which a real refusal gives too (the fd sweep
 * takes both: closing fds is never refused for a good reason).
 *
 * This header depends on nothing but the kernel's and libc's headers and common/error.h. */
#ifndef COVE_COMMON_SYSCALLS_H
#define COVE_COMMON_SYSCALLS_H

#include <linux/openat2.h>
#include <linux/sched.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

struct mount_attr; /* <sys/mount.h>; not included here: it clashes with <linux/mount.h> (glibc 2.36) */

/* The kernel's side of every wrapper: one function pointer per system call, called by the
 * wrappers below and by nothing else.  It exists so that a unit test can stand in for an older
 * kernel or a filtering seccomp profile (ENOSYS, E2BIG, EINVAL, EPERM from one entry) and drive
 * the real callers through their fallbacks (tests/unit/test_kernel.c).  `sys_ops` is cove's one
 * piece of global mutable state outside main's context: it points at sys_kernel_ops, and only
 * tests point it elsewhere (and back). */
struct sys_ops {
  long (*clone3)(struct clone_args *args, size_t size);
  long (*clone)(unsigned long flags, void *stack, int *parent_tid, int *child_tid, unsigned long tls);
  int (*pidfd_open)(pid_t pid, unsigned int flags);
  int (*pidfd_send_signal)(int pidfd, int sig, void *info, unsigned int flags);
  int (*openat2)(int dirfd, const char *path, struct open_how *how, size_t size);
  int (*close_range)(unsigned int first, unsigned int last, unsigned int flags);
  int (*execveat)(int fd, const char *path, char *const argv[], char *const envp[], int flags);
  int (*pivot_root)(const char *new_root, const char *put_old);
  long (*keyctl)(int op, unsigned long arg2, unsigned long arg3, unsigned long arg4);
  int (*ioprio_set)(int which, int who, int ioprio);
  int (*sched_setattr)(pid_t pid, void *attr, unsigned int flags);
  long (*seccomp)(unsigned int op, unsigned int flags, void *args);
  long (*bpf)(int cmd, void *attr, unsigned int size);
  long (*set_mempolicy)(int mode, const unsigned long *nodemask, unsigned long maxnode);
  int (*rt_sigaction)(int sig, const void *act, void *oldact, size_t sigsetsize);
  int (*fsopen)(const char *fstype, unsigned int flags);
  int (*fsconfig)(int fd, unsigned int cmd, const char *key, const void *value, int aux);
  int (*fsmount)(int fd, unsigned int flags, unsigned int attr_flags);
  int (*open_tree)(int dirfd, const char *path, unsigned int flags);
  int (*move_mount)(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
                    unsigned int flags);
  int (*mount_setattr)(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size);
};

extern const struct sys_ops sys_kernel_ops; /* the running kernel */
extern const struct sys_ops *sys_ops;       /* what the wrappers call: &sys_kernel_ops */

/* The kernel features a call site without a fallback names when they are missing.  The
 * versions are the mainline release that added each; docs/kernel.md has the same table. */
enum sys_feature {
  SYS_F_PIDFD_OPEN,
  SYS_F_PIDFD_SEND_SIGNAL,
  SYS_F_FSOPEN,
  SYS_F_FSCONFIG,
  SYS_F_FSMOUNT,
  SYS_F_OPEN_TREE,
  SYS_F_MOVE_MOUNT,
  SYS_F_MOUNT_SETATTR,
  SYS_F_EXECVEAT,
  SYS_F_SECCOMP,
  SYS_F_KINDS
};

/* "open_tree (Linux 5.2)". */
const char *sys_feature_name(enum sys_feature f);

/* Record the failure of a call that has no fallback, as cove_error_set does; when errnum is
 * ENOSYS the line also names the missing feature:
 *   "clone source /data: open_tree (Linux 5.2) is not available: Function not implemented". */
int sys_fail(struct cove_error *err, int errnum, enum sys_feature f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* clone3 (5.3).  Where the kernel (or a seccomp filter) has no clone3, clone(2) does the same
 * when the arguments allow it: no stack, no set_tid, no flag above the 32 bits clone(2) takes
 * (it would drop CLONE_INTO_CGROUP or CLONE_CLEAR_SIGHAND silently); CLONE_PIDFD then returns
 * the pidfd through parent_tid, as clone3 does.  With CLONE_INTO_CGROUP the answer is ENOSYS,
 * also from a 5.3-5.6 kernel that has clone3 without the cgroup field (E2BIG there): the caller
 * clones without it and moves the child itself. */
long sys_clone3(struct clone_args *args);
int sys_pidfd_open(pid_t pid);                 /* 5.3 */
int sys_pidfd_send_signal(int pidfd, int sig); /* 5.1 */
int sys_openat2(int dirfd, const char *path, struct open_how *how); /* 5.6 */
int sys_close_range(unsigned int first, unsigned int last, unsigned int flags); /* 5.9; CLOEXEC 5.11 */
int sys_execveat(int fd, const char *path, char *const argv[], char *const envp[], int flags); /* 3.19 */
int sys_pivot_root(const char *new_root, const char *put_old);
long sys_keyctl_join_session(const char *name);
/* KEYCTL_DESCRIBE ("type;uid;gid;perm;description" into buf) and KEYCTL_SETPERM of key. */
long sys_keyctl_describe(long key, char *buf, size_t len);
long sys_keyctl_setperm(long key, unsigned int perm);
int sys_ioprio_set(int which, int who, int ioprio);
int sys_sched_setattr(pid_t pid, void *attr, unsigned int flags); /* 3.14 */
long sys_seccomp(unsigned int op, unsigned int flags, void *args); /* 3.17 */
long sys_bpf(int cmd, void *attr, unsigned int size);
/* set_mempolicy (2.6.7; glibc leaves it to libnuma): nodemask of maxnode - 1 bits, as the kernel
 * counts them. */
long sys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode);
/* rt_sigaction straight to the kernel (glibc refuses its own internal signals 32 and 33). */
int sys_rt_sigaction_default(int sig);

/* The mount API: fsopen, fsconfig, fsmount, open_tree, move_mount (5.2), mount_setattr (5.12). */
int sys_fsopen(const char *fstype, unsigned int flags);
int sys_fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux);
int sys_fsmount(int fd, unsigned int flags, unsigned int attr_flags);
int sys_open_tree(int dirfd, const char *path, unsigned int flags);
int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned int flags);
int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr, size_t size);

#endif
