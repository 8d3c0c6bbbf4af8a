/* syscall.c: issue one system call with raw arguments and print what came back, so the seccomp
 * integration tests observe a filter without depending on what busybox happens to call.
 *
 *   cove-syscall NAME [ARG...]      ARG: decimal or 0x-hex, up to six
 *   cove-syscall --int80 NR [ARG...]  (x86_64) the i386 system call NR through int $0x80, which
 *                                     seccomp sees as AUDIT_ARCH_I386: tests listing SCMP_ARCH_X86
 * prints "ret=R errno=E" (E is 0 on success) and exits 0; a signal kills it as usual.
 * Built statically by tests/integration/seccomp.bats and copied into the test rootfs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
  const char *name;
  long nr;
} calls[] = {
  {"getppid", SYS_getppid},   {"getpid", SYS_getpid},     {"personality", SYS_personality},
  {"keyctl", SYS_keyctl},     {"unshare", SYS_unshare},   {"mount", SYS_mount},
  {"uname", SYS_uname},       {"mkdirat", SYS_mkdirat},   {"getpriority", SYS_getpriority},
  {"clone3", SYS_clone3},     {"setns", SYS_setns},       {"add_key", SYS_add_key},
  {"umask", SYS_umask},       {"fchmodat", SYS_fchmodat}, {"syslog", SYS_syslog},
};

int main(int argc, char **argv)
{
  unsigned long a[6] = {0};
  long nr = -1, r;

#if defined(__x86_64__)
  if (argc >= 3 && argc <= 6 && strcmp(argv[1], "--int80") == 0) {
    long eax = strtol(argv[2], NULL, 0);
    unsigned long b[3] = {0};
    for (int i = 3; i < argc; i++)
      b[i - 3] = strtoul(argv[i], NULL, 0);
    __asm__ volatile("int $0x80" : "+a"(eax) : "b"(b[0]), "c"(b[1]), "d"(b[2]) : "memory", "r8", "r9", "r10", "r11");
    printf("ret=%ld errno=%ld\n", eax < 0 && eax > -4096 ? -1L : eax, eax < 0 && eax > -4096 ? -eax : 0L);
    return 0;
  }
#endif
  if (argc < 2 || argc > 8) {
    fprintf(stderr, "usage: cove-syscall NAME [ARG...]\n");
    return 2;
  }
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
    if (strcmp(argv[1], calls[i].name) == 0)
      nr = calls[i].nr;
  if (nr < 0) {
    char *end;
    nr = strtol(argv[1], &end, 0);
    if (*end || nr < 0) {
      fprintf(stderr, "cove-syscall: unknown syscall %s\n", argv[1]);
      return 2;
    }
  }
  for (int i = 2; i < argc; i++)
    a[i - 2] = strtoul(argv[i], NULL, 0);
  errno = 0;
  r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  printf("ret=%ld errno=%d\n", r, r == -1 ? errno : 0);
  return 0;
}
