/* stamp.c: stamp CMD ARGS...: run CMD with COVE_TRACE=1, stamping (as trace.h does, on stderr)
 * the moment before its execve and the moment its exit was reaped, so that bench/breakdown.sh
 * sees the time cove spends before its main (the kernel's exec, the dynamic loader) and after
 * its last stamp (exit and teardown). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void stamp(pid_t pid, const char *what)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  fprintf(stderr, "cove-trace %d %lld %s\n", (int) pid, (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec, what);
  fflush(stderr);
}

int main(int argc, char **argv)
{
  int status;
  pid_t pid;

  if (argc < 2) {
    fprintf(stderr, "usage: stamp CMD [ARGS...]\n");
    return 2;
  }
  setenv("COVE_TRACE", "1", 1);
  pid = fork();
  if (pid < 0)
    return 125;
  if (pid == 0) {
    stamp(getpid(), "execve");
    execvp(argv[1], argv + 1);
    perror("stamp: exec");
    _exit(127);
  }
  if (waitpid(pid, &status, 0) < 0)
    return 125;
  stamp(pid, "reaped");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
