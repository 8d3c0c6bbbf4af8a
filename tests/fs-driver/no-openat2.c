/* no-openat2.c: run a command with openat2(2) failing with ENOSYS, as on kernels before 5.6, so
 * the by-hand in-rootfs resolver is exercised (tests/integration/fs_fallback.bats).  A classic
 * seccomp BPF filter, inherited by everything the command starts.
 *   no-openat2 CMD [ARGS...]
 *   no-openat2 --check      exits 0 when openat2 fails with ENOSYS under the filter */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: no-openat2 CMD [ARGS...]\n");
    return 2;
  }
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
  /* root needs no no_new_privs (which would change what the tests see); others do */
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0 &&
      (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)) {
    perror("no-openat2: seccomp");
    return 1;
  }
  if (strcmp(argv[1], "--check") == 0) {
    long r = syscall(SYS_openat2, -100, "/", NULL, 0);
    printf("openat2: %s\n", r < 0 ? strerror(errno) : "succeeded");
    return r < 0 && errno == ENOSYS ? 0 : 1;
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "no-openat2: exec %s: %s\n", argv[1], strerror(errno));
  return 127;
}
