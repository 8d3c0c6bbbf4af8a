/* signals.c: signal names, and the foreground of `run`/`exec`: forward every catchable signal to
 * the container process (by pidfd), proxy the terminal (raw mode, SIGWINCH), and turn the exit
 * into cove's status (128+N for signal N). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/notify.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static const struct {
  const char *name;
  int sig;
} sigs[] = {
  {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},   {"TRAP", SIGTRAP},
  {"ABRT", SIGABRT},   {"IOT", SIGIOT},       {"BUS", SIGBUS},     {"FPE", SIGFPE},   {"KILL", SIGKILL},
  {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
  {"TERM", SIGTERM},   {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CONT", SIGCONT}, {"STOP", SIGSTOP},
  {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},   {"XCPU", SIGXCPU},
  {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},   {"WINCH", SIGWINCH}, {"IO", SIGIO},
  {"POLL", SIGPOLL},   {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

void signals_name_death(int pidfd, struct cove_cgroup *cg, const char *who, struct cove_error *err)
{
  struct pollfd p = {.fd = pidfd, .events = POLLIN};
  struct cove_error e = COVE_ERROR_INIT;
  siginfo_t si;
  uint64_t ooms = 0;
  const char *name = NULL;

  if (pidfd < 0 || (err->errnum != EPIPE && err->errnum != ECONNRESET))
    return;
  /* its end of the channel closes as it exits: the pidfd is readable a moment later */
  memset(&si, 0, sizeof(si));
  if (poll(&p, 1, 1000) != 1 || waitid((idtype_t) P_PIDFD, (id_t) pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
      !si.si_pid)
    return;
  if (si.si_code == CLD_EXITED) {
    cove_error_wrap(err, "%s exited with status %d", who, si.si_status);
    return;
  }
  if (cg && cgroup_oom_count(cg, &ooms, &e) < 0)
    cove_error_release(&e);
  if (si.si_status == SIGKILL && ooms) {
    cove_error_wrap(err, "%s was killed by the OOM killer: the container's memory limit "
                         "(linux.resources.memory.limit) is too low for its setup", who);
    return;
  }
  for (size_t i = 0; i < ARRAY_SIZE(sigs) && !name; i++)
    if (sigs[i].sig == si.si_status)
      name = sigs[i].name;
  if (name)
    cove_error_wrap(err, "%s was killed by SIG%s", who, name);
  else
    cove_error_wrap(err, "%s was killed by signal %d", who, si.si_status);
}

int cove_parse_signal(const char *s, int *sig, struct cove_error *err)
{
  unsigned long long n;
  const char *name = s;

  if (parse_u64(s, &n) == 0) {
    /* 0 is kill(2)'s probe: `kill ID 0` checks that the init is alive */
    if (n > (unsigned long long) SIGRTMAX)
      return cove_error_set(err, 0, "invalid signal `%s`", s);
    *sig = (int) n;
    return 0;
  }
  if (!strncasecmp(name, "SIG", 3))
    name += 3;
  for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
    if (!strcasecmp(name, sigs[i].name)) {
      *sig = sigs[i].sig;
      return 0;
    }
  if (!strncasecmp(name, "RTMIN", 5) || !strncasecmp(name, "RTMAX", 5)) {
    long off = 0;
    if (name[5] == '+' || name[5] == '-')
      off = strtol(name + 5, NULL, 10);
    int v = (!strncasecmp(name, "RTMIN", 5) ? SIGRTMIN : SIGRTMAX) + (int) off;
    if (v >= SIGRTMIN && v <= SIGRTMAX) {
      *sig = v;
      return 0;
    }
  }
  return cove_error_set(err, 0, "invalid signal `%s`", s);
}

static void copy_winsize(int master)
{
  struct winsize ws;
  if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl(master, TIOCSWINSZ, &ws);
}

static void pump(int from, int to, bool *open_)
{
  char buf[8192];
  ssize_t n = read(from, buf, sizeof(buf));
  if (n <= 0) {
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      return;
    *open_ = false;
    return;
  }
  (void) write_all(to, buf, (size_t) n);
}

int signals_wait_forward(pid_t pid, int pidfd, int tty_master, int *exit_code, struct cove_error *err)
{
  return signals_wait_forward_notify(pid, pidfd, tty_master, NULL, exit_code, err);
}

int signals_wait_forward_notify(pid_t pid, int pidfd, int tty_master, struct notify_relay *relay, int *exit_code,
                                struct cove_error *err)
{
  sigset_t all;
  _cleanup_close_ int sfd = -1;
  struct termios saved;
  bool raw = false, in_open = tty_master >= 0, master_open = tty_master >= 0;
  siginfo_t info;
  int r = 0;

  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, NULL);
  sfd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0)
    return cove_error_set(err, errno, "signalfd");
  if (tty_master >= 0) {
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
      struct termios t = saved;
      cfmakeraw(&t);
      t.c_oflag = saved.c_oflag; /* keep output processing: the pty already does it */
      if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
        raw = true;
      copy_winsize(tty_master);
    }
    fcntl(tty_master, F_SETFL, fcntl(tty_master, F_GETFL) | O_NONBLOCK);
  }
  for (;;) {
    struct pollfd p[5] = {
      {.fd = sfd, .events = POLLIN},
      {.fd = pidfd, .events = POLLIN},
      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
      {.fd = master_open ? tty_master : -1, .events = POLLIN},
      {.fd = notify_relay_fd(relay), .events = POLLIN},
    };
    if (poll(p, 5, -1) < 0) {
      if (errno == EINTR)
        continue;
      r = cove_error_set(err, errno, "poll");
      break;
    }
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
        int sig = (int) si.ssi_signo;
        if (sig == SIGCHLD)
          continue;
        if (sig == SIGWINCH && tty_master >= 0) {
          copy_winsize(tty_master);
          continue;
        }
        /* without pidfd_send_signal (a profile that hides it): our own child, not waited for
         * yet, so its pid cannot have been reused */
        if (sys_pidfd_send_signal(pidfd, sig) < 0 && errno == ENOSYS)
          kill(pid, sig);
      }
    }
    /* sd_notify from the service: cove stays the unit's main process (MAINPID is cove's own) */
    if ((p[4].revents & POLLIN) && notify_relay_handle(relay, getpid(), err) < 0) {
      cove_warn("%s", cove_error_msg(err));
      cove_error_release(err);
    }
    if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
      pump(tty_master, STDOUT_FILENO, &master_open);
    if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
      pump(STDIN_FILENO, tty_master, &in_open);
    if (p[1].revents & POLLIN) {
      /* drain what the process wrote before it exited */
      while (master_open) {
        struct pollfd q = {.fd = tty_master, .events = POLLIN};
        if (poll(&q, 1, 0) <= 0)
          break;
        pump(tty_master, STDOUT_FILENO, &master_open);
      }
      break;
    }
  }
  if (raw)
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  if (r < 0)
    return r;
  memset(&info, 0, sizeof(info));
  while (waitid((idtype_t) P_PIDFD, (id_t) pidfd, &info, WEXITED) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "wait for the container process");
  if (info.si_code == CLD_EXITED)
    *exit_code = info.si_status;
  else
    *exit_code = 128 + info.si_status;
  return 0;
}
