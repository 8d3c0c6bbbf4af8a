/* hooks.c: the six hook kinds: each hook gets the state JSON on stdin, its own args and env,
 * and an optional timeout.  createContainer hooks run inside the container's namespaces (their
 * path resolved in the runtime's), the others where the caller is. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/internal.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

static const char *const kind_names[OCI_HOOK_KINDS] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ns_flags_of(const struct oci_config *c)
{
  int f = 0;
  for (size_t i = 0; c->linux_ && i < c->linux_->namespaces_len; i++)
    if (c->linux_->namespaces[i].type != OCI_NS_TIME)
      f |= ns_clone_flag(c->linux_->namespaces[i].type);
  return f;
}

static int run_one(const struct oci_config *c, const char *kind, const struct oci_hook *h, const char *state,
                   pid_t in_pid, struct cove_error *err)
{
  _cleanup_close_ int exe = -1, nsfd = -1, pidfd = -1;
  int in[2], outp[2];
  char out[2048];
  size_t used = 0;
  long long deadline = h->timeout.set ? now_ms() + h->timeout.v * 1000 : -1;
  pid_t pid;
  int status;
  bool timed_out = false;

  exe = open(h->path, O_PATH | O_CLOEXEC);
  if (exe < 0)
    return cove_error_set(err, errno, "%s hook `%s`", kind, h->path);
  if (in_pid > 0) {
    nsfd = sys_pidfd_open(in_pid);
    if (nsfd < 0)
      return cove_error_set(err, errno, "%s hook `%s`: open the container's namespaces", kind, h->path);
  }
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
    return cove_error_set(err, errno, "%s hook: socketpair", kind);
  if (pipe2(outp, O_CLOEXEC) < 0) {
    close(in[0]);
    close(in[1]);
    return cove_error_set(err, errno, "%s hook: pipe", kind);
  }
  pid = fork();
  if (pid < 0) {
    close(in[0]), close(in[1]), close(outp[0]), close(outp[1]);
    return cove_error_set(err, errno, "%s hook: fork", kind);
  }
  if (pid == 0) {
    char *const none[] = {NULL};
    char *argv0[] = {h->path, NULL};
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    if (dup2(in[1], 0) < 0 || dup2(outp[1], 1) < 0 || dup2(outp[1], 2) < 0)
      _exit(126);
    {
      /* a hook that runs in the container's namespaces takes no host fd of ours (or of our
       * caller) in with it (CVE-2024-21626): only stdio, and what the execveat needs */
      int keep[] = {exe, nsfd};
      struct cove_error e = COVE_ERROR_INIT;
      if (fds_close_except(keep, ARRAY_SIZE(keep), &e) < 0)
        _exit(126);
    }
    if (nsfd >= 0 && setns(nsfd, ns_flags_of(c)) < 0)
      _exit(126);
    sys_execveat(exe, "", h->args_len ? h->args : argv0, h->env_len ? h->env : none, AT_EMPTY_PATH);
    _exit(127);
  }
  close(in[1]);
  close(outp[1]);
  pidfd = sys_pidfd_open(pid);
  /* the hook may not read stdin at all: never block or die (SIGPIPE) on it */
  {
    size_t len = strlen(state), off = 0;
    while (off < len) {
      ssize_t n = send(in[0], state + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        break;
      }
      off += (size_t) n;
    }
    close(in[0]);
  }
  for (;;) {
    struct pollfd p[2] = {{.fd = outp[0], .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int timeout = -1, r;
    if (deadline >= 0) {
      long long left = deadline - now_ms();
      timeout = left > 0 ? (int) left : 0;
    }
    /* poll() skips the output pipe once it is closed (fd -1) */
    r = poll(p, 2, timeout);
    if (r < 0 && errno == EINTR)
      continue;
    if (r == 0) {
      timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    if (outp[0] >= 0 && (p[0].revents & (POLLIN | POLLHUP))) {
      char tmp[512];
      ssize_t n = read(outp[0], tmp, sizeof(tmp));
      if (n <= 0) {
        close(outp[0]);
        outp[0] = -1;
      } else {
        size_t k = (size_t) n < sizeof(out) - 1 - used ? (size_t) n : sizeof(out) - 1 - used;
        memcpy(out + used, tmp, k);
        used += k;
      }
      continue;
    }
    if (p[1].revents & POLLIN)
      break;
  }
  if (outp[0] >= 0)
    close(outp[0]);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "%s hook `%s`: wait", kind, h->path);
  out[used] = '\0';
  while (used && (out[used - 1] == '\n' || out[used - 1] == ' '))
    out[--used] = '\0';
  if (timed_out)
    return cove_error_set(err, 0, "%s hook `%s`: timed out after %llds", kind, h->path, (long long) h->timeout.v);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (used)
      cove_debug("%s hook `%s`: %s", kind, h->path, out);
    return 0;
  }
  if (WIFSIGNALED(status))
    return cove_error_set(err, 0, "%s hook `%s`: killed by signal %d%s%s", kind, h->path, WTERMSIG(status),
                          used ? ": " : "", out);
  if (WEXITSTATUS(status) == 127 && !used)
    return cove_error_set(err, 0, "%s hook `%s`: cannot execute", kind, h->path);
  return cove_error_set(err, 0, "%s hook `%s`: exited with status %d%s%s", kind, h->path, WEXITSTATUS(status),
                        used ? ": " : "", out);
}

int hooks_run(const struct oci_config *c, enum oci_hook_kind k, const char *state_json, pid_t in_pid,
              struct cove_error *err)
{
  for (size_t i = 0; i < c->hooks.len[k]; i++)
    if (run_one(c, kind_names[k], &c->hooks.hooks[k][i], state_json, in_pid, err) < 0)
      return -1;
  return 0;
}
