/* crash.c: cove-test-helper subcommands for the crash tests (registered in main.c):
 *   kill-at PATH CMD [ARG...]
 *                      run CMD and SIGKILL it the moment PATH exists (a tight stat loop, so a
 *                      step that lasts microseconds is caught); prints "killed" (exit 0), or
 *                      "exited N" when CMD ended before PATH appeared (exit 3) */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int helper_crash(int argc, char **argv);

static int kill_at(const char *path, char **cmd)
{
  struct stat sb;
  int status;
  pid_t pid = fork(), r;

  if (pid < 0) {
    perror("fork");
    return 1;
  }
  if (pid == 0) {
    execvp(cmd[0], cmd);
    perror(cmd[0]);
    _exit(127);
  }
  for (;;) {
    if (stat(path, &sb) == 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
      /* it may have finished on its own in the same instant */
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        printf("killed\n");
        return 0;
      }
      printf("exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      return 3;
    }
    r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      printf("exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
      return 3;
    }
    sched_yield();
  }
}

int helper_crash(int argc, char **argv)
{
  if (argc > 3 && !strcmp(argv[1], "kill-at"))
    return kill_at(argv[2], argv + 3);
  return -1;
}
