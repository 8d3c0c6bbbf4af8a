/* cgroups.c: cove-test-helper subcommands for the cgroup tests (registered in main.c):
 *   memhog MB          allocate and touch MB MiB, 1 MiB at a time; prints "allocated MB" and
 *                      exits 0 (an OOM kill shows as signal 9 to the caller)
 *   forks N            try to fork N children that wait; prints "forked K" and, when a fork
 *                      failed, "fork failed: REASON"; exits 0 when all N forked, else 1
 *   spin SECONDS       busy loop for SECONDS of wall time; prints "cpu_ms wall_ms"
 *   spin-cpu MS        busy loop until the process has used MS ms of cpu (however long a loaded
 *                      machine takes to give them); prints "spun MS"
 *   opendev PATH       open PATH read-write; prints "ok" (exit 0) or "denied: REASON" (exit 1)
 *   spin-forever       busy loop until killed */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int helper_cgroups(int argc, char **argv);

static int memhog(long mb)
{
  for (long i = 0; i < mb; i++) {
    char *p = malloc(1 << 20);
    if (!p) {
      printf("malloc failed after %ld\n", i);
      return 1;
    }
    for (size_t o = 0; o < (1u << 20); o += 4096)
      p[o] = (char) (o + (size_t) i);
  }
  printf("allocated %ld\n", mb);
  return 0;
}

static int forks(long n)
{
  pid_t *kids = calloc((size_t) n + 1, sizeof(pid_t));
  long k = 0;
  int err = 0;
  if (!kids)
    return 2;
  for (; k < n; k++) {
    pid_t p = fork();
    if (p < 0) {
      err = errno;
      break;
    }
    if (p == 0) {
      pause();
      _exit(0);
    }
    kids[k] = p;
  }
  printf("forked %ld\n", k);
  if (k < n)
    printf("fork failed: %s\n", strerror(err));
  fflush(stdout);
  for (long i = 0; i < k; i++) {
    kill(kids[i], SIGKILL);
    waitpid(kids[i], NULL, 0);
  }
  free(kids);
  return k == n ? 0 : 1;
}

static long long ms_of(const struct timespec *t)
{
  return (long long) t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

static int spin(double seconds)
{
  struct timespec a, b, c;
  volatile unsigned long x = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  do {
    for (int i = 0; i < 100000; i++)
      x++;
    clock_gettime(CLOCK_MONOTONIC, &b);
  } while (ms_of(&b) - ms_of(&a) < (long long) (seconds * 1000));
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
  printf("%lld %lld\n", ms_of(&c), ms_of(&b) - ms_of(&a));
  return 0;
}

static int spin_cpu(long ms)
{
  struct timespec c;
  volatile unsigned long x = 0;
  do {
    for (int i = 0; i < 100000; i++)
      x++;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c);
  } while (ms_of(&c) < ms);
  printf("spun %ld\n", ms);
  fflush(stdout);
  return 0;
}

int helper_cgroups(int argc, char **argv)
{
  const char *cmd = argc > 1 ? argv[1] : "";
  if (!strcmp(cmd, "memhog") && argc > 2)
    return memhog(atol(argv[2]));
  if (!strcmp(cmd, "forks") && argc > 2)
    return forks(atol(argv[2]));
  if (!strcmp(cmd, "spin") && argc > 2)
    return spin(atof(argv[2]));
  if (!strcmp(cmd, "spin-cpu") && argc > 2)
    return spin_cpu(atol(argv[2]));
  if (!strcmp(cmd, "spin-forever")) {
    volatile unsigned long x = 0;
    for (;;)
      x++;
  }
  if (!strcmp(cmd, "opendev") && argc > 2) {
    int fd = open(argv[2], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      printf("denied: %s\n", strerror(errno));
      return 1;
    }
    close(fd);
    printf("ok\n");
    return 0;
  }
  return -1;
}
