/* process.c: the process attributes of a container process, shared by the init and `exec`:
 * rlimits, ioPriority, scheduler, personality, CPU affinity, finding args[0], and the last steps
 * before execve (user and groups, capabilities, umask, no_new_privs, closing fds, seccomp). */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/sync.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

struct sched_attr_v1 {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

static int sched_flag(const char *name, uint64_t *f)
{
  static const struct {
    const char *n;
    uint64_t v;
  } t[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},     {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},   {"SCHED_FLAG_KEEP_PARAMS", 0x10}, {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
  };
  for (size_t i = 0; i < ARRAY_SIZE(t); i++)
    if (!strcmp(name, t[i].n)) {
      *f |= t[i].v;
      return 0;
    }
  return -1;
}

int process_set_cpu_affinity(const char *list, struct cove_error *err)
{
  cpu_set_t set;
  const char *p = list;

  CPU_ZERO(&set);
  while (*p) {
    char *end;
    unsigned long a = strtoul(p, &end, 10), b;
    if (end == p)
      return cove_error_set(err, 0, "execCPUAffinity `%s`: bad cpu list", list);
    b = a;
    if (*end == '-') {
      p = end + 1;
      b = strtoul(p, &end, 10);
      if (end == p || b < a)
        return cove_error_set(err, 0, "execCPUAffinity `%s`: bad cpu list", list);
    }
    for (unsigned long c = a; c <= b && c < CPU_SETSIZE; c++)
      CPU_SET(c, &set);
    p = end;
    if (*p == ',')
      p++;
    else if (*p)
      return cove_error_set(err, 0, "execCPUAffinity `%s`: bad cpu list", list);
  }
  if (sched_setaffinity(0, sizeof(set), &set) < 0)
    return cove_error_set(err, errno, "execCPUAffinity `%s`", list);
  return 0;
}

int process_apply_early(const struct oci_process *p, const struct oci_config *c, struct cove_error *err)
{
  (void) c;
  for (size_t i = 0; i < p->rlimits_len; i++) {
    const struct oci_rlimit *r = &p->rlimits[i];
    struct rlimit rl = {.rlim_cur = (rlim_t) r->soft, .rlim_max = (rlim_t) r->hard};
    if (setrlimit(r->resource, &rl) < 0)
      return cove_error_set(err, errno, "rlimit %s (soft %llu, hard %llu)", r->type, (unsigned long long) r->soft,
                            (unsigned long long) r->hard);
  }
  if (p->io_priority) {
    int v = (p->io_priority->class_num << IOPRIO_CLASS_SHIFT) | (int) p->io_priority->priority;
    if (sys_ioprio_set(IOPRIO_WHO_PROCESS, 0, v) < 0)
      return cove_error_set(err, errno, "ioPriority %s %lld", p->io_priority->class,
                            (long long) p->io_priority->priority);
  }
  if (p->scheduler) {
    const struct oci_scheduler *s = p->scheduler;
    struct sched_attr_v1 a = {.size = sizeof(a), .sched_policy = (uint32_t) s->policy_num};
    a.sched_nice = s->nice.set ? (int32_t) s->nice.v : 0;
    a.sched_priority = s->priority.set ? (uint32_t) s->priority.v : 0;
    a.sched_runtime = s->runtime.set ? s->runtime.v : 0;
    a.sched_deadline = s->deadline.set ? s->deadline.v : 0;
    a.sched_period = s->period.set ? s->period.v : 0;
    for (size_t i = 0; i < s->flags_len; i++)
      if (sched_flag(s->flags[i], &a.sched_flags) < 0)
        return cove_error_set(err, 0, "scheduler: unknown flag `%s`", s->flags[i]);
    if (sys_sched_setattr(0, &a, 0) < 0)
      return cove_error_set(err, errno, "scheduler %s", s->policy);
  }
  if (c && c->linux_ && c->linux_->personality) {
    const struct oci_personality *pe = c->linux_->personality;
    unsigned long v = !strcmp(pe->domain, "LINUX32") ? PER_LINUX32 : PER_LINUX;
    if (personality(v) < 0)
      return cove_error_set(err, errno, "personality %s", pe->domain);
  }
  if (p->exec_cpu_affinity && p->exec_cpu_affinity->initial &&
      process_set_cpu_affinity(p->exec_cpu_affinity->initial, err) < 0)
    return -1;
  return 0;
}

static const char *env_get(char *const *env, const char *key)
{
  size_t n = strlen(key);
  for (; env && *env; env++)
    if (!strncmp(*env, key, n) && (*env)[n] == '=')
      return *env + n + 1;
  return NULL;
}

static bool is_executable(const char *path, bool *exists)
{
  struct stat sb;
  if (stat(path, &sb) < 0)
    return false;
  *exists = true;
  return S_ISREG(sb.st_mode) && (sb.st_mode & 0111);
}

int process_find_exec(const struct oci_process *p, char *const *env, char **out, struct cove_error *err)
{
  const char *a0 = p->args[0], *path;
  bool exists = false;

  if (!*a0)
    return cove_error_set(err, 0, "exec: process.args[0] is empty");
  if (strchr(a0, '/')) {
    if (!is_executable(a0, &exists))
      return cove_error_set(err, exists ? EACCES : ENOENT, "exec `%s`", a0);
    *out = xstrdup(a0);
    return 0;
  }
  path = env_get(env, "PATH");
  if (!path)
    path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const char *s = path; s;) {
    const char *colon = strchr(s, ':');
    size_t n = colon ? (size_t) (colon - s) : strlen(s);
    _cleanup_free_ char *cand = xasprintf("%.*s/%s", (int) n, n ? s : ".", a0);
    if (is_executable(cand, &exists)) {
      *out = steal_ptr(cand);
      return 0;
    }
    s = colon ? colon + 1 : NULL;
  }
  return cove_error_set(err, 0, "exec `%s`: executable file not found in $PATH", a0);
}

int process_listen_fds(void)
{
  const char *v = getenv("LISTEN_FDS");
  unsigned long long n;
  if (!v || parse_u64(v, &n) < 0 || n > 4096)
    return 0;
  return (int) n;
}

char **process_env(const struct oci_process *p, int listen_fds)
{
  size_t n = p->env_len, k = 0;
  char **env = xcalloc(n + 3, sizeof(char *));

  for (size_t i = 0; i < n; i++) {
    if (listen_fds > 0 && (!strncmp(p->env[i], "LISTEN_FDS=", 11) || !strncmp(p->env[i], "LISTEN_PID=", 11)))
      continue;
    env[k++] = xstrdup(p->env[i]);
  }
  if (listen_fds > 0) {
    env[k++] = xasprintf("LISTEN_FDS=%d", listen_fds);
    env[k++] = xstrdup("LISTEN_PID=1");
  }
  env[k] = NULL;
  return env;
}

static int install_seccomp(const struct process_final *f, struct cove_error *err)
{
  return process_install_seccomp(f->seccomp, f->sync_fd, err);
}

int process_install_seccomp(const struct cove_seccomp_prog *prog, int sync_fd, struct cove_error *err)
{
  int nfd = -1;
  struct process_final fs = {.seccomp = prog, .sync_fd = sync_fd};
  const struct process_final *f = &fs;
  if (!f->seccomp)
    return 0;
  if (cove_seccomp_install(f->seccomp, &nfd, err) < 0)
    return cove_error_wrap(err, "seccomp");
  if (nfd >= 0) {
    struct sync_msg m;
    if (f->sync_fd < 0) {
      close(nfd);
      return cove_error_set(err, 0, "seccomp: listenerPath needs `cove run` (nobody receives the notify fd)");
    }
    if (sync_send(f->sync_fd, SYNC_SECCOMP_FD, 0, NULL, nfd, err) < 0 ||
        sync_expect(f->sync_fd, SYNC_SECCOMP_ACK, &m, NULL, SYNC_TIMEOUT_MS, "cove", err) < 0) {
      close(nfd);
      return -1;
    }
    close(nfd);
  }
  return 0;
}

/* The container's process starts with every disposition at its default: an ignored SIGINT/SIGQUIT
 * (a shell's background job) would otherwise survive execve into the container.  The mask was
 * already cleared where the init and the exec child begin. */
static void process_reset_dispositions(void)
{
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP)
      continue;
    /* glibc refuses its internal signals (32, 33), which a caller may have left ignored */
    if (signal(sig, SIG_DFL) == SIG_ERR)
      sys_rt_sigaction_default(sig);
  }
}

int process_exec(const struct process_final *f, struct cove_error *err)
{
  const struct oci_process *p = f->p;
  const struct oci_user *u = &p->user;

  if (u->additional_gids_len) {
    if (setgroups(u->additional_gids_len, (const gid_t *) u->additional_gids) < 0)
      return cove_error_set(err, errno, "set additional gids");
  } else if (setgroups(0, NULL) < 0 && errno != EPERM) {
    return cove_error_set(err, errno, "clear supplementary groups");
  }
  if (caps_drop_bounding(p->capabilities, err) < 0)
    return -1;
  /* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we still have it */
  if (!p->no_new_privileges && install_seccomp(f, err) < 0)
    return -1;
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return cove_error_set(err, errno, "keep capabilities");
  if (setresgid(u->gid, u->gid, u->gid) < 0)
    return cove_error_set(err, errno, "set gid %u", u->gid);
  if (setresuid(u->uid, u->uid, u->uid) < 0)
    return cove_error_set(err, errno, "set uid %u", u->uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return cove_error_set(err, errno, "reset keep capabilities");
  if (caps_apply(p->capabilities, err) < 0)
    return -1;
  umask(u->umask.set ? (mode_t) u->umask.v : 022);
  if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return cove_error_set(err, errno, "set no_new_privs");
  if (p->exec_cpu_affinity && p->exec_cpu_affinity->final &&
      process_set_cpu_affinity(p->exec_cpu_affinity->final, err) < 0)
    return -1;
  /* nothing of cove's reaches the container: every fd past the preserved ones closes on exec */
  if (sys_close_range(3 + (unsigned) f->preserve, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return cove_error_set(err, errno, "close_range");
  for (int fd = 3; fd < 3 + f->preserve; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0)
      fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
  }
  if (p->no_new_privileges && install_seccomp(f, err) < 0)
    return -1;
  process_reset_dispositions();
  execve(f->exec_path, p->args, f->env);
  return cove_error_set(err, errno, "exec `%s`", p->args[0]);
}
