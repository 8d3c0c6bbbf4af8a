/* spec_seccomp.c: the default linux.seccomp profile `cove spec` writes, as compact JSON text in
 * static storage.
 *
 * The profile is the widely used container default (Docker/moby's, which podman's derives from):
 * an allow-list with defaultAction SCMP_ACT_ERRNO / defaultErrnoRet EPERM.  That default is a
 * table of groups with conditions on capabilities and architectures; a runtime spec has neither,
 * so the table is flattened here for what `cove spec` writes:
 *  - capability-gated groups are taken for runc's default capability set (CAP_AUDIT_WRITE,
 *    CAP_KILL, CAP_NET_BIND_SERVICE): the CAP_SYS_ADMIN, _SYS_CHROOT, _SYS_MODULE, _SYS_PACCT,
 *    _SYS_PTRACE, _SYS_RAWIO, _SYS_TIME, _SYS_TTY_CONFIG, _SYS_BOOT, _SYSLOG, _BPF, _PERFMON and
 *    _DAC_READ_SEARCH groups are left out, so mount, umount2, unshare, setns, pivot_root, chroot,
 *    keyctl, add_key, request_key, bpf, perf_event_open, open_by_handle_at, kcmp, pidfd_getfd,
 *    syslog, reboot, settimeofday, ... fall to the default EPERM;
 *  - without CAP_SYS_ADMIN, clone may not create namespaces (the flags are visible to seccomp)
 *    and clone3 returns ENOSYS (its flags sit behind a pointer), so libc falls back to clone;
 *  - architecture-gated groups are chosen at compile time for the architecture cove is built for,
 *    with that architecture's compat arches listed (x86_64: x86 and x32; aarch64: arm).
 * Everything else (files, events, memory, processes, time, sockets, SysV/POSIX IPC) is allowed.
 * oci/ depends on nothing below it: this file is plain data. */
#include <stddef.h>

#include "oci/spec_seccomp.h"

/* files */
#define NAMES_FILES \
  "\"access\",\"readdir\",\"chdir\",\"chmod\",\"chown\",\"chown32\",\"close\",\"close_range\"," \
  "\"copy_file_range\",\"creat\",\"dup\",\"dup2\",\"dup3\",\"faccessat\",\"faccessat2\"," \
  "\"fadvise64\",\"fadvise64_64\",\"fallocate\",\"fchdir\",\"fchmod\",\"fchmodat\",\"fchmodat2\"," \
  "\"fchown\",\"fchown32\",\"fchownat\",\"fcntl\",\"fcntl64\",\"fdatasync\",\"fgetxattr\"," \
  "\"flistxattr\",\"flock\",\"fremovexattr\",\"fsetxattr\",\"fstat\",\"fstat64\",\"fstatat64\"," \
  "\"fstatfs\",\"fstatfs64\",\"fsync\",\"ftruncate\",\"ftruncate64\",\"futimesat\",\"getcwd\"," \
  "\"getdents\",\"getdents64\",\"getxattr\",\"getxattrat\",\"lchown\",\"lchown32\",\"lgetxattr\"," \
  "\"link\",\"linkat\",\"listxattr\",\"listxattrat\",\"llistxattr\",\"_llseek\",\"lremovexattr\"," \
  "\"lseek\",\"lsetxattr\",\"lstat\",\"lstat64\",\"mkdir\",\"mkdirat\",\"mknod\",\"mknodat\"," \
  "\"newfstatat\",\"open\",\"openat\",\"openat2\",\"pread64\",\"preadv\",\"preadv2\",\"pwrite64\"," \
  "\"pwritev\",\"pwritev2\",\"read\",\"readahead\",\"readlink\",\"readlinkat\",\"readv\"," \
  "\"removexattr\",\"removexattrat\",\"rename\",\"renameat\",\"renameat2\",\"rmdir\",\"sendfile\"," \
  "\"sendfile64\",\"setxattr\",\"setxattrat\",\"splice\",\"stat\",\"stat64\",\"statfs\"," \
  "\"statfs64\",\"statx\",\"symlink\",\"symlinkat\",\"sync\",\"sync_file_range\",\"syncfs\"," \
  "\"tee\",\"truncate\",\"truncate64\",\"umask\",\"unlink\",\"unlinkat\",\"utime\",\"utimensat\"," \
  "\"utimensat_time64\",\"utimes\",\"write\",\"writev\""

/* events */
#define NAMES_EVENTS \
  "\"epoll_create\",\"epoll_create1\",\"epoll_ctl\",\"epoll_ctl_old\",\"epoll_pwait\"," \
  "\"epoll_pwait2\",\"epoll_wait\",\"epoll_wait_old\",\"eventfd\",\"eventfd2\",\"fanotify_mark\"," \
  "\"inotify_add_watch\",\"inotify_init\",\"inotify_init1\",\"inotify_rm_watch\",\"io_cancel\"," \
  "\"io_destroy\",\"io_getevents\",\"io_pgetevents\",\"io_pgetevents_time64\",\"io_setup\"," \
  "\"io_submit\",\"ioctl\",\"pipe\",\"pipe2\",\"poll\",\"ppoll\",\"ppoll_time64\",\"pselect6\"," \
  "\"pselect6_time64\",\"select\",\"_newselect\",\"signalfd\",\"signalfd4\",\"timerfd_create\"," \
  "\"timerfd_gettime\",\"timerfd_gettime64\",\"timerfd_settime\",\"timerfd_settime64\""

/* memory */
#define NAMES_MEMORY \
  "\"brk\",\"cachestat\",\"madvise\",\"map_shadow_stack\",\"membarrier\",\"memfd_create\"," \
  "\"memfd_secret\",\"mincore\",\"mlock\",\"mlock2\",\"mlockall\",\"mmap\",\"mmap2\",\"mprotect\"," \
  "\"mremap\",\"mseal\",\"msync\",\"munlock\",\"munlockall\",\"munmap\",\"pkey_alloc\"," \
  "\"pkey_free\",\"pkey_mprotect\",\"remap_file_pages\""

/* process */
#define NAMES_PROCESS \
  "\"capget\",\"capset\",\"execve\",\"execveat\",\"exit\",\"exit_group\",\"fork\",\"futex\"," \
  "\"futex_requeue\",\"futex_time64\",\"futex_wait\",\"futex_waitv\",\"futex_wake\"," \
  "\"get_robust_list\",\"get_thread_area\",\"getcpu\",\"getegid\",\"getegid32\",\"geteuid\"," \
  "\"geteuid32\",\"getgid\",\"getgid32\",\"getgroups\",\"getgroups32\",\"getpgid\",\"getpgrp\"," \
  "\"getpid\",\"getppid\",\"getpriority\",\"getresgid\",\"getresgid32\",\"getresuid\"," \
  "\"getresuid32\",\"getrlimit\",\"getrusage\",\"getsid\",\"gettid\",\"getuid\",\"getuid32\"," \
  "\"ioprio_get\",\"ioprio_set\",\"kill\",\"landlock_add_rule\",\"landlock_create_ruleset\"," \
  "\"landlock_restrict_self\",\"pidfd_open\",\"pidfd_send_signal\",\"prctl\",\"prlimit64\"," \
  "\"process_mrelease\",\"process_vm_readv\",\"process_vm_writev\",\"ptrace\",\"restart_syscall\"," \
  "\"rseq\",\"rt_sigaction\",\"rt_sigpending\",\"rt_sigprocmask\",\"rt_sigqueueinfo\"," \
  "\"rt_sigreturn\",\"rt_sigsuspend\",\"rt_sigtimedwait\",\"rt_sigtimedwait_time64\"," \
  "\"rt_tgsigqueueinfo\",\"sched_get_priority_max\",\"sched_get_priority_min\"," \
  "\"sched_getaffinity\",\"sched_getattr\",\"sched_getparam\",\"sched_getscheduler\"," \
  "\"sched_rr_get_interval\",\"sched_rr_get_interval_time64\",\"sched_setaffinity\"," \
  "\"sched_setattr\",\"sched_setparam\",\"sched_setscheduler\",\"sched_yield\",\"seccomp\"," \
  "\"set_robust_list\",\"set_thread_area\",\"set_tid_address\",\"setfsgid\",\"setfsgid32\"," \
  "\"setfsuid\",\"setfsuid32\",\"setgid\",\"setgid32\",\"setgroups\",\"setgroups32\",\"setpgid\"," \
  "\"setpriority\",\"setregid\",\"setregid32\",\"setresgid\",\"setresgid32\",\"setresuid\"," \
  "\"setresuid32\",\"setreuid\",\"setreuid32\",\"setrlimit\",\"setsid\",\"setuid\",\"setuid32\"," \
  "\"get_mempolicy\",\"mbind\",\"set_mempolicy\",\"sigaction\",\"sigaltstack\",\"signal\"," \
  "\"sigpending\",\"sigprocmask\",\"sigreturn\",\"sigsuspend\",\"tgkill\",\"tkill\",\"ugetrlimit\"," \
  "\"uname\",\"vfork\",\"wait4\",\"waitid\",\"waitpid\""

/* time */
#define NAMES_TIME \
  "\"adjtimex\",\"alarm\",\"clock_adjtime\",\"clock_adjtime64\",\"clock_getres\"," \
  "\"clock_getres_time64\",\"clock_gettime\",\"clock_gettime64\",\"clock_nanosleep\"," \
  "\"clock_nanosleep_time64\",\"getitimer\",\"gettimeofday\",\"nanosleep\",\"pause\",\"setitimer\"," \
  "\"sysinfo\",\"time\",\"timer_create\",\"timer_delete\",\"timer_getoverrun\",\"timer_gettime\"," \
  "\"timer_gettime64\",\"timer_settime\",\"timer_settime64\",\"times\",\"getrandom\""

/* net */
#define NAMES_NET \
  "\"accept\",\"accept4\",\"bind\",\"connect\",\"getpeername\",\"getsockname\",\"getsockopt\"," \
  "\"listen\",\"recv\",\"recvfrom\",\"recvmmsg\",\"recvmmsg_time64\",\"recvmsg\",\"send\"," \
  "\"sendmmsg\",\"sendmsg\",\"sendto\",\"setsockopt\",\"shutdown\",\"socket\",\"socketcall\"," \
  "\"socketpair\""

/* ipc */
#define NAMES_IPC \
  "\"ipc\",\"mq_getsetattr\",\"mq_notify\",\"mq_open\",\"mq_timedreceive\"," \
  "\"mq_timedreceive_time64\",\"mq_timedsend\",\"mq_timedsend_time64\",\"mq_unlink\",\"msgctl\"," \
  "\"msgget\",\"msgrcv\",\"msgsnd\",\"semctl\",\"semget\",\"semop\",\"semtimedop\"," \
  "\"semtimedop_time64\",\"shmat\",\"shmctl\",\"shmdt\",\"shmget\""

#define RULE(names, action) "{\"names\":[" names "],\"action\":\"" action "\"}"
#define RULE_ARGS(names, action, args) "{\"names\":[" names "],\"action\":\"" action "\",\"args\":[" args "]}"
#define STR_(x) #x
#define STR(x) STR_(x)
#define ARG(index, value, value_two, op)                                                                    \
  "{\"index\":" STR(index) ",\"value\":" STR(value) ",\"valueTwo\":" STR(value_two) ",\"op\":\"" op "\"}"

/* personality(2): only the harmless domains (PER_LINUX, PER_LINUX32, UNAME26 variants, query). */
#define RULE_PERSONALITY(v) RULE_ARGS("\"personality\"", "SCMP_ACT_ALLOW", ARG(0, v, 0, "SCMP_CMP_EQ"))

/* clone(2) without CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET (0x7e020000): the
 * flags are argument 0, except on s390 where the stack comes first. */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif
#define RULE_CLONE RULE_ARGS("\"clone\"", "SCMP_ACT_ALLOW", ARG(CLONE_FLAGS_ARG, 2114060288, 0, "SCMP_CMP_MASKED_EQ"))
/* clone3(2): ENOSYS (38) so callers fall back to clone, which the rule above can inspect. */
#define RULE_CLONE3 "{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}"

/* architecture groups */
#if defined(__x86_64__)
#define ARCHES "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\""
#define RULE_ARCH "," RULE("\"arch_prctl\",\"modify_ldt\"", "SCMP_ACT_ALLOW")
#elif defined(__i386__)
#define ARCHES "\"SCMP_ARCH_X86\""
#define RULE_ARCH "," RULE("\"modify_ldt\"", "SCMP_ACT_ALLOW")
#elif defined(__aarch64__)
#define ARCHES "\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\""
#define RULE_ARCH                                                                                         \
  "," RULE("\"arm_fadvise64_64\",\"arm_sync_file_range\",\"sync_file_range2\",\"breakpoint\",\"cacheflush\"," \
           "\"set_tls\"",                                                                                  \
           "SCMP_ACT_ALLOW")
#elif defined(__arm__)
#define ARCHES "\"SCMP_ARCH_ARM\""
#define RULE_ARCH                                                                                         \
  "," RULE("\"arm_fadvise64_64\",\"arm_sync_file_range\",\"sync_file_range2\",\"breakpoint\",\"cacheflush\"," \
           "\"set_tls\"",                                                                                  \
           "SCMP_ACT_ALLOW")
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define ARCHES "\"SCMP_ARCH_PPC64LE\""
#define RULE_ARCH "," RULE("\"sync_file_range2\"", "SCMP_ACT_ALLOW")
#elif defined(__s390x__)
#define ARCHES "\"SCMP_ARCH_S390X\",\"SCMP_ARCH_S390\""
#define RULE_ARCH "," RULE("\"s390_pci_mmio_read\",\"s390_pci_mmio_write\",\"s390_runtime_instr\"", "SCMP_ACT_ALLOW")
#elif defined(__riscv) && __riscv_xlen == 64
#define ARCHES "\"SCMP_ARCH_RISCV64\""
#define RULE_ARCH "," RULE("\"riscv_flush_icache\"", "SCMP_ACT_ALLOW")
#else
#define ARCHES ""
#define RULE_ARCH ""
#endif

static const char profile[] =
  "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
  "\"architectures\":[" ARCHES "],"
  "\"syscalls\":["
  RULE(NAMES_FILES "," NAMES_EVENTS "," NAMES_MEMORY "," NAMES_PROCESS "," NAMES_TIME "," NAMES_NET "," NAMES_IPC,
       "SCMP_ACT_ALLOW") ","
  RULE_PERSONALITY(0) "," RULE_PERSONALITY(8) "," RULE_PERSONALITY(131072) "," RULE_PERSONALITY(131080) ","
  RULE_PERSONALITY(4294967295) ","
  RULE_CLONE "," RULE_CLONE3
  RULE_ARCH
  "]}";

const char *oci_default_seccomp_profile(void)
{
  return profile;
}
