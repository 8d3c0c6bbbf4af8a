/* hooks.c: the six hook kinds: each hook gets the state JSON on stdin (all of it, at its own
 * pace), its own args and env, and an optional timeout.  createContainer hooks run inside the
 * container's namespaces (their path resolved in the runtime's); startContainer hooks are run by
 * the init itself, so they run in the container with their path resolved in its filesystem; the
 * others run where the caller is.  A hook never outlives the process that runs it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#endif

/* A hook that reads none of a state larger than the pipe for this long is killed: cove never
 * waits for ever on a hook that ignores its stdin (a hook that exits without reading is fine). */
#define HOOK_STDIN_STALL_MS SYNC_TIMEOUT_MS
/* What the state pipe is grown to, so that a usual state is written at once (fs.pipe-max-size's
 * default; the kernel refuses more from an unprivileged caller and we then pace the writes). */
#define HOOK_PIPE_BYTES (1 << 20)

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

/* The forked hook process: die with the runner, enter the container's namespaces when asked
 * (a pid namespace only takes effect for children: then one more fork, so that the hook itself
 * is in it), and exec.  Never returns. */
__attribute__((noreturn)) static void hook_child(const struct oci_config *c, const struct oci_hook *h, int exe,
                                                 int nsfd, int in, int out, int parent_ends[2], pid_t runner,
                                                 int runner_fd)
{
  char *const none[] = {NULL};
  char *argv0[] = {h->path, NULL};
  int flags = nsfd >= 0 ? ns_flags_of(c) : 0;
  sigset_t all;

  /* the runner's ends: a copy kept here would hide the hook's EOF on stdin */
  close(parent_ends[0]);
  close(parent_ends[1]);
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  /* the runner may have died before the prctl: its pidfd says so (getppid would do too, but a
   * startContainer hook runs under the container's seccomp filter, whose listener may answer it) */
  if (runner_fd >= 0) {
    struct pollfd p = {.fd = runner_fd, .events = POLLIN};
    if (poll(&p, 1, 0) != 0)
      _exit(126);
  } else if (getppid() != runner) {
    _exit(126);
  }
  if (nsfd >= 0 && setns(nsfd, flags) < 0)
    _exit(126);
  if (flags & CLONE_NEWPID) {
    pid_t middle = getpid(), pid = fork();
    int status;
    if (pid < 0)
      _exit(126);
    if (pid > 0) {
      close(in);
      close(out);
      while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
          _exit(126);
      if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status));
      }
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 126);
    }
    /* a middle process outside our new pid namespace reads as 0 while it lives (then the
     * container's init adopts us) */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != 0 && getppid() != middle)
      _exit(126);
  }
  if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
    _exit(126);
  {
    /* a hook that runs in the container's namespaces takes no host fd of ours (or of our
     * caller) in with it (CVE-2024-21626): only stdio, and what the execveat needs */
    int keep[] = {exe, nsfd};
    struct cove_error e = COVE_ERROR_INIT;
    if (fds_close_except(keep, ARRAY_SIZE(keep), &e) < 0)
      _exit(126);
  }
  if (nsfd < 0) {
    /* by path, as runc: a script's interpreter then opens the script by path too */
    execve(h->path, h->args_len ? h->args : argv0, h->env_len ? h->env : none);
    _exit(127);
  }
  /* in the container's namespaces the path was resolved before entering them (runtime-spec);
   * a binary runs from the fd, closed by the exec (no host fd goes in); only a script, whose
   * interpreter reads it as /dev/fd/N, needs the fd to outlive the exec (ENOENT says so) */
  sys_execveat(exe, "", h->args_len ? h->args : argv0, h->env_len ? h->env : none, AT_EMPTY_PATH);
  if (errno != ENOENT || fcntl(exe, F_SETFD, 0) < 0)
    _exit(127);
  sys_execveat(exe, "", h->args_len ? h->args : argv0, h->env_len ? h->env : none, AT_EMPTY_PATH);
  _exit(127);
}

static int run_one(const struct oci_config *c, const char *kind, const struct oci_hook *h, const char *state,
                   pid_t in_pid, struct cove_error *err)
{
  _cleanup_close_ int exe = -1, nsfd = -1, pidfd = -1, in_w = -1, out_r = -1, runner_fd = -1;
  int in[2], outp[2];
  char out[2048];
  size_t used = 0, len = strlen(state), off = 0;
  long long deadline = h->timeout.set ? now_ms() + h->timeout.v * 1000 : -1, progress = now_ms();
  pid_t pid, runner = getpid();
  int status, poll_errno = 0;
  bool timed_out = false, stalled = false, got_epipe = false, pipe_was_pending;
  sigset_t pipe_set, saved_mask, pending;

  exe = open(h->path, O_PATH | O_CLOEXEC);
  if (exe < 0)
    return cove_error_set(err, errno, "%s hook `%s`", kind, h->path);
  if (in_pid > 0) {
    nsfd = sys_pidfd_open(in_pid);
    if (nsfd < 0)
      return cove_error_set(err, errno, "%s hook `%s`: open the container's namespaces", kind, h->path);
  }
  if (pipe2(in, O_CLOEXEC) < 0)
    return cove_error_set(err, errno, "%s hook: pipe", kind);
  in_w = in[1];
  if (pipe2(outp, O_CLOEXEC) < 0) {
    close(in[0]);
    return cove_error_set(err, errno, "%s hook: pipe", kind);
  }
  out_r = outp[0];
  /* only our end: the hook's stdin stays blocking */
  if (fcntl(in_w, F_SETFL, O_NONBLOCK) < 0) {
    close(in[0]), close(outp[1]);
    return cove_error_set(err, errno, "%s hook: pipe", kind);
  }
  runner_fd = sys_pidfd_open(runner); /* -1 without pidfd_open: getppid checks instead */
  if (len > 65536)
    (void) fcntl(in_w, F_SETPIPE_SZ, len < HOOK_PIPE_BYTES ? (int) len : HOOK_PIPE_BYTES);
  pid = fork();
  if (pid < 0) {
    close(in[0]), close(outp[1]);
    return cove_error_set(err, errno, "%s hook: fork", kind);
  }
  if (pid == 0) {
    int parent_ends[2] = {in_w, out_r};
    hook_child(c, h, exe, nsfd, in[0], outp[1], parent_ends, runner, runner_fd);
  }
  close(in[0]);
  close(outp[1]);
  pidfd = sys_pidfd_open(pid);
  if (pidfd < 0) {
    int e = errno;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
    return cove_error_set(err, e, "%s hook `%s`: pidfd_open", kind, h->path);
  }
  /* the hook reads its state at its own pace: we write what the pipe takes, never block on it,
   * and stop when the hook closes its stdin or exits (EPIPE is not an error, as with runc) */
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &saved_mask);
  sigpending(&pending);
  pipe_was_pending = sigismember(&pending, SIGPIPE);
  for (;;) {
    struct pollfd p[3] = {{.fd = out_r, .events = POLLIN}, {.fd = pidfd, .events = POLLIN},
                          {.fd = off < len ? in_w : -1, .events = POLLOUT}};
    long long now = now_ms();
    int timeout = -1, r;

    if (deadline >= 0)
      timeout = deadline > now ? (int) (deadline - now) : 0;
    if (off < len && in_w >= 0) {
      long long stall = progress + HOOK_STDIN_STALL_MS - now;
      if (stall < 0)
        stall = 0;
      if (timeout < 0 || stall < timeout)
        timeout = (int) stall;
    }
    /* poll() skips closed fds (-1) */
    r = poll(p, 3, timeout);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      poll_errno = errno;
      sys_pidfd_send_signal(pidfd, SIGKILL);
      break;
    }
    if (r == 0) {
      if (deadline >= 0 && now_ms() >= deadline)
        timed_out = true;
      else
        stalled = true;
      sys_pidfd_send_signal(pidfd, SIGKILL);
      break;
    }
    if (p[2].revents & POLLOUT) {
      ssize_t n = write(in_w, state + off, len - off);
      if (n > 0) {
        off += (size_t) n;
        progress = now_ms();
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        got_epipe = errno == EPIPE;
        off = len; /* the hook closed its stdin (EPIPE): it has read what it wanted */
      }
      if (off == len)
        close(steal_fd(in_w));
    } else if (p[2].revents & (POLLERR | POLLHUP)) {
      off = len;
      close(steal_fd(in_w));
    }
    if (out_r >= 0 && (p[0].revents & (POLLIN | POLLHUP))) {
      char tmp[512];
      ssize_t n = read(out_r, tmp, sizeof(tmp));
      if (n <= 0) {
        close(steal_fd(out_r));
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
  if (got_epipe && !pipe_was_pending) {
    /* ours, not the caller's: `run` would forward a pending SIGPIPE to the container */
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
      ;
  }
  sigprocmask(SIG_SETMASK, &saved_mask, NULL);
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "%s hook `%s`: wait", kind, h->path);
  if (poll_errno)
    return cove_error_set(err, poll_errno, "%s hook `%s`: poll", kind, h->path);
  out[used] = '\0';
  while (used && (out[used - 1] == '\n' || out[used - 1] == ' '))
    out[--used] = '\0';
  if (timed_out)
    return cove_error_set(err, 0, "%s hook `%s`: timed out after %llds", kind, h->path, (long long) h->timeout.v);
  if (stalled)
    return cove_error_set(err, 0, "%s hook `%s`: read only %zu of the %zu bytes of its state on stdin in %ds",
                          kind, h->path, off, len, HOOK_STDIN_STALL_MS / 1000);
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
              const char *who, struct cove_error *err)
{
  /* runtime-spec: a failing poststart or poststop hook is a warning, and the remaining hooks
   * and the lifecycle go on as if it had succeeded; any other failing hook is an error */
  bool warn_only = k == OCI_HOOK_POSTSTART || k == OCI_HOOK_POSTSTOP;

  for (size_t i = 0; i < c->hooks.len[k]; i++) {
    struct cove_error e = COVE_ERROR_INIT;
    if (run_one(c, kind_names[k], &c->hooks.hooks[k][i], state_json, in_pid, &e) == 0)
      continue;
    if (!warn_only) {
      *err = e;
      return -1;
    }
    cove_warn("%s: %s", who, cove_error_msg(&e));
    cove_error_release(&e);
  }
  return 0;
}
