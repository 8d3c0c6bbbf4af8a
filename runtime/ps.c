/* ps.c: `cove ps`: the container's pids from its cgroup, and runc's table form (run ps(1) with
 * the user's arguments and keep the header and the lines whose PID column is the container's). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"

extern char **environ;

int cove_ps_pids(const char *root, const char *id, pid_t **pids, size_t *n, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;

  *pids = NULL;
  *n = 0;
  if (cove_container_load(root, id, COVE_LOCK_SHARED, &c, err) < 0)
    return -1;
  /* a stopped container has no processes left to show (runc prints the header, exit 0); one whose
   * init died with others alive in its cgroup (a host pid namespace) still shows them */
  if (c->status == COVE_STATUS_STOPPED && (!c->cgroup || cgroup_pids(c->cgroup, pids, n, err) < 0)) {
    cove_error_release(err);
    *pids = NULL;
    *n = 0;
    return 0;
  }
  if (c->status == COVE_STATUS_STOPPED)
    return 0;
  if (!c->cgroup)
    return container_pidns_pids(c, pids, n, err);
  if (cgroup_pids(c->cgroup, pids, n, err) < 0)
    return cove_error_wrap(err, "list the processes of `%s`", id);
  return 0;
}

/* Output of `ps args...`, at most 16 MiB. */
static int run_ps(char *const *args, size_t nargs, char **out, struct cove_error *err)
{
  _cleanup_free_ char **argv = xcalloc(nargs + 3, sizeof(char *));
  _cleanup_close_ int rd = -1, wr = -1;
  _cleanup_free_ char *buf = NULL;
  posix_spawn_file_actions_t fa;
  size_t len = 0, cap = 0;
  int p[2], status, r;
  pid_t pid;

  argv[0] = "ps";
  if (nargs == 0)
    argv[1] = "-ef";
  for (size_t i = 0; i < nargs; i++)
    argv[i + 1] = args[i];
  if (pipe2(p, O_CLOEXEC) < 0)
    return cove_error_set(err, errno, "pipe");
  rd = p[0];
  wr = p[1];
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, wr, STDOUT_FILENO);
  r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (r != 0)
    return cove_error_set(err, r, "run ps");
  close(steal_fd(wr));
  for (;;) {
    ssize_t n;
    if (cap - len < 4096) {
      cap = cap ? cap * 2 : 16384;
      if (cap > 16u << 20)
        break;
      buf = xrealloc(buf, cap + 1);
    }
    n = read(rd, buf + len, cap - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t) n;
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (!buf)
    buf = xcalloc(1, 1);
  buf[len] = '\0';
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return cove_error_set(err, 0, "ps exited with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  *out = steal_ptr(buf);
  return 0;
}

/* The whitespace-separated field number idx of line (0-based), or NULL. */
static const char *field(const char *line, size_t idx, size_t *flen)
{
  const char *p = line;
  for (size_t i = 0;; i++) {
    while (*p == ' ' || *p == '\t')
      p++;
    if (!*p || *p == '\n')
      return NULL;
    *flen = strcspn(p, " \t\n");
    if (i == idx)
      return p;
    p += *flen;
  }
}

int cove_ps_table(const char *root, const char *id, char *const *args, size_t nargs, char **out,
                  struct cove_error *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  _cleanup_free_ char *text = NULL, *res = NULL;
  size_t n = 0, col = 0, rlen = 0, flen;
  char *line, *nl;
  bool found = false;

  if (cove_ps_pids(root, id, &pids, &n, err) < 0)
    return -1;
  if (run_ps(args, nargs, &text, err) < 0)
    return -1;
  nl = strchr(text, '\n');
  if (!nl)
    return cove_error_set(err, 0, "ps printed no header");
  /* the PID column of the header */
  for (size_t i = 0;; i++) {
    const char *f = field(text, i, &flen);
    if (!f || f > nl)
      break;
    if (flen == 3 && !strncmp(f, "PID", 3)) {
      col = i;
      found = true;
      break;
    }
  }
  if (!found)
    return cove_error_set(err, 0, "ps output has no PID column (give ps arguments that print one)");
  res = xmalloc(strlen(text) + 1);
  memcpy(res, text, (size_t) (nl - text) + 1);
  rlen = (size_t) (nl - text) + 1;
  for (line = nl + 1; *line; line = nl + 1) {
    const char *f;
    nl = strchr(line, '\n');
    if (!nl)
      nl = line + strlen(line);
    f = field(line, col, &flen);
    if (f && f < nl) {
      long v = strtol(f, NULL, 10);
      for (size_t i = 0; i < n; i++) {
        if (pids[i] == (pid_t) v) {
          memcpy(res + rlen, line, (size_t) (nl - line));
          rlen += (size_t) (nl - line);
          res[rlen++] = '\n';
          break;
        }
      }
    }
    if (!*nl)
      break;
  }
  res[rlen] = '\0';
  *out = steal_ptr(res);
  return 0;
}
