/* process.c: the process attributes of a container process, shared by the init and `exec`:
 * rlimits, ioPriority, scheduler, personality, CPU affinity, finding args[0], and the last steps
 * before execve (user and groups, capabilities, umask, no_new_privs, closing fds, seccomp). */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
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
#include "common/trace.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/rootfs/rootfs.h"
#include "runtime/sync.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1
/* The NUMA nodes a memoryPolicy may name (the kernel's MAX_NUMNODES is at most 1024). */
#define PROCESS_MAX_NUMA_NODES 1024
/* The most of an image's /etc/passwd read for HOME. */
#define PROCESS_PASSWD_MAX (4u << 20)

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

static int highest_cpu(unsigned long first, unsigned long last, void *ctx)
{
  unsigned long *top = ctx;
  (void) first;
  if (last > *top)
    *top = last;
  return 0;
}

struct cpu_mask {
  cpu_set_t *set;
  size_t size;
};

static int add_cpus(unsigned long first, unsigned long last, void *ctx)
{
  struct cpu_mask *m = ctx;
  for (unsigned long c = first; c <= last; c++)
    CPU_SET_S(c, m->size, m->set);
  return 0;
}

int process_set_cpu_affinity(const char *list, struct cove_error *err)
{
  struct cpu_mask m;
  unsigned long top = 0;
  int r;

  /* a mask as large as the list needs: CPUs past CPU_SETSIZE (1024) are not dropped */
  if (parse_cpu_list(list, CPU_LIST_MAX, highest_cpu, &top) < 0)
    return cove_error_set(err, 0, "execCPUAffinity `%s`: bad cpu list", list);
  m.size = CPU_ALLOC_SIZE(top + 1);
  m.set = CPU_ALLOC(top + 1);
  if (!m.set)
    return cove_error_set(err, ENOMEM, "execCPUAffinity `%s`", list);
  CPU_ZERO_S(m.size, m.set);
  parse_cpu_list(list, CPU_LIST_MAX, add_cpus, &m);
  r = sched_setaffinity(0, m.size, m.set);
  CPU_FREE(m.set);
  if (r < 0)
    return cove_error_set(err, errno, "execCPUAffinity `%s`", list);
  return 0;
}

static unsigned long personality_flag(const char *name)
{
  static const struct {
    const char *n;
    unsigned long v;
  } t[] = {
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
  };
  for (size_t i = 0; i < ARRAY_SIZE(t); i++)
    if (!strcmp(name, t[i].n))
      return t[i].v;
  return 0;
}

/* The kernel's values (<linux/mempolicy.h>) of the modes and flags oci/ accepts. */
static int mpol_value(const char *name, bool flag)
{
  static const struct {
    const char *n;
    int v;
  } modes[] = {
    {"MPOL_DEFAULT", 0}, {"MPOL_PREFERRED", 1},      {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3}, {"MPOL_LOCAL", 4}, {"MPOL_PREFERRED_MANY", 5}, {"MPOL_WEIGHTED_INTERLEAVE", 6},
  }, flags[] = {
    {"MPOL_F_STATIC_NODES", 1 << 15}, {"MPOL_F_RELATIVE_NODES", 1 << 14}, {"MPOL_F_NUMA_BALANCING", 1 << 13},
  };
  for (size_t i = 0; !flag && i < ARRAY_SIZE(modes); i++)
    if (!strcmp(name, modes[i].n))
      return modes[i].v;
  for (size_t i = 0; flag && i < ARRAY_SIZE(flags); i++)
    if (!strcmp(name, flags[i].n))
      return flags[i].v;
  return -1;
}

/* linux.memoryPolicy: set_mempolicy(2) for this thread, inherited by its children and kept
 * across execve.  oci/ checked the names and which modes take nodes. */
static int apply_memory_policy(const struct oci_memory_policy *mp, struct cove_error *err)
{
  unsigned long mask[PROCESS_MAX_NUMA_NODES / (8 * sizeof(unsigned long))] = {0};
  int mode = mpol_value(mp->mode, false);
  bool nodes = mp->nodes && *mp->nodes;

  if (mode < 0)
    return cove_error_set(err, EINVAL, "memoryPolicy: unknown mode `%s`", mp->mode);
  for (size_t i = 0; i < mp->flags_len; i++) {
    int f = mpol_value(mp->flags[i], true);
    if (f < 0)
      return cove_error_set(err, EINVAL, "memoryPolicy: unknown flag `%s`", mp->flags[i]);
    mode |= f;
  }
  for (const char *s = nodes ? mp->nodes : ""; *s;) {
    char *end;
    unsigned long a = strtoul(s, &end, 10), b = a;
    if (end == s)
      return cove_error_set(err, EINVAL, "memoryPolicy: nodes `%s`: bad node list", mp->nodes);
    if (*end == '-') {
      s = end + 1;
      b = strtoul(s, &end, 10);
      if (end == s || b < a)
        return cove_error_set(err, EINVAL, "memoryPolicy: nodes `%s`: bad node list", mp->nodes);
    }
    if (b >= PROCESS_MAX_NUMA_NODES)
      return cove_error_set(err, EINVAL, "memoryPolicy: nodes `%s`: node %lu is above the %d nodes cove handles",
                            mp->nodes, b, PROCESS_MAX_NUMA_NODES);
    for (unsigned long n = a; n <= b; n++)
      mask[n / (8 * sizeof(unsigned long))] |= 1UL << (n % (8 * sizeof(unsigned long)));
    s = end;
    if (*s == ',')
      s++;
    else if (*s)
      return cove_error_set(err, EINVAL, "memoryPolicy: nodes `%s`: bad node list", mp->nodes);
  }
  /* the kernel reads maxnode - 1 bits */
  if (sys_set_mempolicy(mode, nodes ? mask : NULL, nodes ? PROCESS_MAX_NUMA_NODES + 1 : 0) < 0)
    return cove_error_set(err, errno, "memoryPolicy: set_mempolicy %s%s%s", mp->mode, nodes ? " nodes " : "",
                          nodes ? mp->nodes : "");
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
    for (size_t i = 0; i < pe->flags_len; i++) {
      unsigned long f = personality_flag(pe->flags[i]);
      if (!f)
        return cove_error_set(err, EINVAL, "personality: unknown flag `%s`", pe->flags[i]);
      v |= f;
    }
    if (personality(v) < 0)
      return cove_error_set(err, errno, "personality %s (%#lx)", pe->domain, v);
  }
  if (c && c->linux_ && c->linux_->memory_policy && apply_memory_policy(c->linux_->memory_policy, err) < 0)
    return -1;
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
  const char *v = getenv("LISTEN_FDS"), *p = getenv("LISTEN_PID");
  unsigned long long n, pid;
  if (!v || parse_u64(v, &n) < 0 || n > 4096)
    return 0;
  /* as sd_listen_fds(): the fds are cove's only when systemd named cove's pid (not inherited
   * from an activated parent that started cove later) */
  if (!p || parse_u64(p, &pid) < 0 || pid != (unsigned long long) getpid())
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

int process_install_seccomp(const struct cove_seccomp_prog *prog, const struct sync_chan *sync,
                            struct cove_error *err)
{
  struct sync_msg m;
  int nfd = -1, r;

  if (!prog)
    return 0;
  if (cove_seccomp_install(prog, &nfd, err) < 0)
    return cove_error_wrap(err, "seccomp");
  if (nfd < 0)
    return 0;
  if (!sync) {
    close(nfd);
    return cove_error_set(err, 0, "seccomp: listenerPath needs `cove run` (nobody receives the notify fd)");
  }
  r = sync_send(sync, SYNC_SECCOMP_FD, 0, NULL, nfd, err);
  /* the parent holds it now: a listener fd is not ours to keep while we wait */
  close(nfd);
  if (r < 0 || sync_expect(sync, SYNC_SECCOMP_ACK, &m, NULL, SYNC_TIMEOUT_MS, err) < 0)
    return -1;
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

/* CVE-2024-21626: after the chdir the cwd must be inside the root.  A directory outside it (a
 * host fd reached some other way, a mount moved away) reads as "(unreachable)..." from the
 * kernel, which glibc's getcwd() turns into ENOENT; and the path it gives must lead back to
 * this very directory when resolved inside the root. */
int process_check_cwd(const char *cwd, struct cove_error *err)
{
  char buf[PATH_MAX];
  struct stat here, there;
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_close_ int root = -1, fd = -1;

  if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
    return cove_error_set(err, EXDEV, "cwd `%s` is outside the container's root", cwd);
  root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return cove_error_set(err, errno, "cwd `%s`: open /", cwd);
  fd = rootfs_resolve(root, buf, O_PATH | O_DIRECTORY, &e);
  if (fd < 0 || fstat(fd, &there) < 0 || stat(".", &here) < 0 || here.st_dev != there.st_dev ||
      here.st_ino != there.st_ino) {
    cove_error_release(&e);
    return cove_error_set(err, EXDEV, "cwd `%s` is not reachable from the container's root (it is at `%s`)", cwd,
                          buf);
  }
  return 0;
}

/* One line naming the cwd and why it cannot be used (the inner error's wording is the
 * resolver's; the user asked for a cwd, not for a resolution). */
static int cwd_error(const char *dir, struct cove_error *inner, struct cove_error *err)
{
  int e = inner->errnum;
  cove_error_release(inner);
  if (e == ELOOP)
    return cove_error_set(err, e, "cwd `%s`: it leads through a magic link (such as /proc/self/fd/N) or too many symlinks",
                          dir);
  if (e == EXDEV)
    return cove_error_set(err, e, "cwd `%s`: it leads out of the container's root", dir);
  return cove_error_set(err, e, "cwd `%s`", dir);
}

int process_chdir(const char *cwd, bool create, struct cove_error *err)
{
  const char *dir = cwd && *cwd ? cwd : "/";
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_close_ int root = -1, fd = -1;

  if (dir[0] != '/')
    return cove_error_set(err, EINVAL, "cwd `%s`: must be an absolute path", dir);
  root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return cove_error_set(err, errno, "cwd `%s`: open /", dir);
  fd = rootfs_resolve(root, dir, O_PATH | O_DIRECTORY, &e);
  if (fd < 0 && e.errnum == ENOENT && create) {
    /* the init: a missing cwd is made inside the root, as runc does */
    cove_error_release(&e);
    if (rootfs_chdir(dir, &e) < 0)
      return cwd_error(dir, &e, err);
  } else if (fd < 0) {
    return cwd_error(dir, &e, err);
  } else if (fchdir(fd) < 0) {
    return cove_error_set(err, errno, "cwd `%s`", dir);
  }
  return process_check_cwd(dir, err);
}

/* The home directory of uid in the container's /etc/passwd (heap), or NULL.  The file is the
 * image's: resolved inside the root, only a regular file, read up to a bound, parsed by hand
 * (getpwuid would read the host's). */
static char *passwd_home(uid_t uid)
{
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
  _cleanup_free_ char *data = NULL;
  struct stat sb;
  size_t len = 0;

  if (root < 0)
    return NULL;
  /* O_NONBLOCK: an image whose /etc/passwd is a fifo must not hang us */
  fd = rootfs_resolve(root, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, &e);
  if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
    cove_error_release(&e);
    return NULL;
  }
  data = xmalloc(PROCESS_PASSWD_MAX + 1);
  for (;;) {
    ssize_t n = read(fd, data + len, PROCESS_PASSWD_MAX - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t) n;
    if (len == PROCESS_PASSWD_MAX)
      break;
  }
  data[len] = '\0';
  for (char *line = data, *next; line && *line; line = next) {
    char *field[7] = {0};
    size_t k = 0;
    next = strchr(line, '\n');
    if (next)
      *next++ = '\0';
    for (char *f = line; k < 7; k++) {
      field[k] = f;
      f = strchr(f, ':');
      if (!f) {
        k++;
        break;
      }
      *f++ = '\0';
    }
    if (k < 6 || line[0] == '#')
      continue;
    unsigned long long id;
    if (parse_u64(field[2], &id) == 0 && id == (unsigned long long) uid)
      return xstrdup(*field[5] ? field[5] : "/");
  }
  return NULL;
}

int process_env_home(char ***envp, uid_t uid, struct cove_error *err)
{
  char **env = *envp;
  size_t n = 0, at = (size_t) -1;
  _cleanup_free_ char *home = NULL;

  (void) err;
  for (; env && env[n]; n++)
    if (!strncmp(env[n], "HOME=", 5)) {
      if (env[n][5])
        return 0; /* the config's HOME wins */
      at = n;
    }
  /* runc: HOME from the user's /etc/passwd entry in the container, "/" without one */
  home = passwd_home(uid);
  char *entry = xasprintf("HOME=%s", home ? home : "/");
  if (at != (size_t) -1) {
    free(env[at]);
    env[at] = entry;
    return 0;
  }
  env = xrealloc(env, (n + 2) * sizeof(char *));
  env[n] = entry;
  env[n + 1] = NULL;
  *envp = env;
  return 0;
}

int process_exec(const struct process_final *f, struct cove_error *err)
{
  const struct oci_process *p = f->p;
  const struct oci_user *u = &p->user;
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: when the process keeps it in
   * its effective set the filter is still loaded last, else before the uid change (as runc). */
  bool late = f->seccomp && (p->no_new_privileges || caps_has_effective(p->capabilities, CAP_SYS_ADMIN));

  /* First what must not reach the process: every fd but stdio, the preserved ones and our own
   * channels (close-on-exec), closed before any filter is loaded, which may deny close_range. */
  {
    _cleanup_free_ int *keep = xcalloc((size_t) f->preserve + 2, sizeof(int));
    size_t n = 0;
    for (int fd = 3; fd < 3 + f->preserve; fd++)
      keep[n++] = fd;
    if (f->sync)
      keep[n++] = f->sync->fd;
    keep[n++] = f->keep_fd;
    if (fds_close_except(keep, n, err) < 0)
      return -1;
    for (int fd = 3; fd < 3 + f->preserve; fd++) {
      int fl = fcntl(fd, F_GETFD);
      if (fl >= 0)
        fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
    }
  }
  cove_trace("process: fds swept");
  process_reset_dispositions();
  if (u->additional_gids_len) {
    if (setgroups(u->additional_gids_len, (const gid_t *) u->additional_gids) < 0)
      return cove_error_set(err, errno, "set additional gids");
  } else if (setgroups(0, NULL) < 0 && errno != EPERM) {
    return cove_error_set(err, errno, "clear supplementary groups");
  }
  if (caps_drop_bounding(p->capabilities, err) < 0)
    return -1;
  if (p->exec_cpu_affinity && p->exec_cpu_affinity->final &&
      process_set_cpu_affinity(p->exec_cpu_affinity->final, err) < 0)
    return -1;
  umask(u->umask.set ? (mode_t) u->umask.v : 022);
  if (f->seccomp && !late && process_install_seccomp(f->seccomp, f->sync, err) < 0)
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
  if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return cove_error_set(err, errno, "set no_new_privs");
  cove_trace("process: user, capabilities");
  /* the parent learns that only the execve is left: a hangup from now on means it ran */
  if (f->sync && sync_send(f->sync, SYNC_EXECVE, 0, NULL, -1, err) < 0)
    return -1;
  /* the last thing before execve: after it only what execve itself needs runs (and, with a
   * notify filter, the hand-over of the listener fd) */
  if (f->seccomp && late && process_install_seccomp(f->seccomp, f->sync, err) < 0)
    return -1;
  cove_trace("process: execve");
  execve(f->exec_path, p->args, f->env);
  return cove_error_set(err, errno, "exec `%s`", p->args[0]);
}
