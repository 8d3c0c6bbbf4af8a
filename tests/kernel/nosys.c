/* nosys.c: run a command with some system calls failing, as on an older kernel (ENOSYS) or
 * under a seccomp profile that denies them (EPERM), so that cove's fallbacks run in the real
 * binary (tests/integration/kernel_floor.bats, fs_fallback.bats).  A classic seccomp BPF filter,
 * inherited by everything the command starts: cove, its init and the container's processes.
 *   nosys [-e EPERM] CALL[,CALL...] CMD [ARGS...]
 *   nosys [-e EPERM] --check CALL[,CALL...]   prints "CALL: strerror" for each call under the
 *                                             filter; exits 0 when each failed with the errno */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
  const char *name;
  long nr;
} calls[] = {
    {"clone3", SYS_clone3},
    {"openat2", SYS_openat2},
    {"close_range", SYS_close_range},
    {"pidfd_open", SYS_pidfd_open},
    {"pidfd_send_signal", SYS_pidfd_send_signal},
    {"fsopen", SYS_fsopen},
    {"fsconfig", SYS_fsconfig},
    {"fsmount", SYS_fsmount},
    {"open_tree", SYS_open_tree},
    {"move_mount", SYS_move_mount},
    {"mount_setattr", SYS_mount_setattr},
    {"execveat", SYS_execveat},
};

#define MAX_CALLS (sizeof(calls) / sizeof(calls[0]))

static long lookup(const char *name)
{
  for (size_t i = 0; i < MAX_CALLS; i++)
    if (strcmp(calls[i].name, name) == 0)
      return calls[i].nr;
  fprintf(stderr, "nosys: unknown system call `%s`\n", name);
  exit(2);
}

int main(int argc, char **argv)
{
  int err = ENOSYS, i = 1;
  bool check = false;
  long nrs[MAX_CALLS];
  char *names[MAX_CALLS];
  size_t n = 0;

  if (i + 1 < argc && strcmp(argv[i], "-e") == 0) {
    if (strcmp(argv[i + 1], "EPERM") == 0)
      err = EPERM;
    else if (strcmp(argv[i + 1], "ENOSYS") != 0) {
      fprintf(stderr, "nosys: -e takes ENOSYS or EPERM\n");
      return 2;
    }
    i += 2;
  }
  if (i < argc && strcmp(argv[i], "--check") == 0) {
    check = true;
    i++;
  }
  if (i >= argc || (!check && i + 1 >= argc)) {
    fprintf(stderr, "usage: nosys [-e EPERM] CALL[,CALL...] CMD [ARGS...] | nosys --check CALL[,...]\n");
    return 2;
  }
  for (char *save = NULL, *c = strtok_r(argv[i], ",", &save); c; c = strtok_r(NULL, ",", &save)) {
    if (n == MAX_CALLS) {
      fprintf(stderr, "nosys: too many calls\n");
      return 2;
    }
    names[n] = c;
    nrs[n++] = lookup(c);
  }
  i++;

  /* arch check, load nr, one compare per call, allow */
  struct sock_filter f[4 + 2 * MAX_CALLS + 1];
  size_t k = 0;
  f[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  f[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
  f[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  f[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
  for (size_t j = 0; j < n; j++) {
    f[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned) nrs[j], 0, 1);
    f[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned) err);
  }
  f[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  struct sock_fprog prog = {.len = (unsigned short) k, .filter = f};
  /* root needs no no_new_privs (which would change what the tests see); others do */
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0 &&
      (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)) {
    perror("nosys: seccomp");
    return 1;
  }
  if (check) {
    int rc = 0;
    for (size_t j = 0; j < n; j++) {
      /* bad arguments everywhere: a call the filter let through fails with EFAULT or EBADF */
      long r = syscall(nrs[j], -1, NULL, NULL, 0, 0);
      printf("%s: %s\n", names[j], r < 0 ? strerror(errno) : "succeeded");
      if (r >= 0 || errno != err)
        rc = 1;
    }
    return rc;
  }
  execvp(argv[i], argv + i);
  fprintf(stderr, "nosys: exec %s: %s\n", argv[i], strerror(errno));
  return 127;
}
