/* userns.c: the id maps of a new user namespace, written by the parent.  Root writes them
 * directly.  An unprivileged caller may write only a map of its own single id (and gid_map only
 * once setgroups is denied: user_namespaces(7)); anything wider goes through newuidmap and
 * newgidmap (shadow's setuid helpers, Debian's `uidmap` package), which allow the ranges
 * /etc/subuid and /etc/subgid give the user.  Which way each map goes, and whether the ranges
 * allow it, is settled before anything is created, so a refusal is one line naming the entry. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"

extern char **environ;

/* ---- /etc/subuid, /etc/subgid (pure: unit-tested) ---- */

int subid_parse(const char *text, const char *user, unsigned long long uid, struct subid_range **out, size_t *n)
{
  _cleanup_free_ char *copy = xstrdup(text ? text : "");
  _cleanup_free_ struct subid_range *v = NULL;
  char uid_s[24], *save = NULL;
  size_t len = 0;

  snprintf(uid_s, sizeof(uid_s), "%llu", uid);
  /* "owner:start:count" a line, owner a name or a uid (shadow's subordinateio.c) */
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    unsigned long long start, count;
    if (!c2 || strchr(c2 + 1, ':'))
      continue;
    *c1 = *c2 = '\0';
    if (strcmp(line, uid_s) && (!user || strcmp(line, user)))
      continue;
    if (parse_u64(c1 + 1, &start) < 0 || parse_u64(c2 + 1, &count) < 0 || count == 0 ||
        start > UINT32_MAX || count > (unsigned long long) UINT32_MAX + 1 - start)
      continue;
    v = xrealloc(v, (len + 1) * sizeof(*v));
    v[len++] = (struct subid_range){start, count};
  }
  *out = steal_ptr(v);
  *n = len;
  return 0;
}

bool subid_covers(const struct subid_range *r, size_t n, unsigned long long start, unsigned long long count)
{
  unsigned long long end = start + count;

  /* the ranges may be split over several lines: walk from start as long as one goes on */
  while (start < end) {
    unsigned long long best = start;
    for (size_t i = 0; i < n; i++)
      if (r[i].start <= start && r[i].start + r[i].count > best)
        best = r[i].start + r[i].count;
    if (best == start)
      return false;
    start = best;
  }
  return true;
}

/* "100000-165535, 200000-200009" or "none"; heap. */
static char *ranges_text(const struct subid_range *r, size_t n)
{
  char *s = xstrdup(n ? "" : "none");
  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%s%llu-%llu", s, i ? ", " : "", r[i].start, r[i].start + r[i].count - 1);
    free(s);
    s = next;
  }
  return s;
}

/* ---- the plan ---- */

static char *find_in_path(const char *name)
{
  const char *path = getenv("PATH");
  _cleanup_free_ char *copy =
      xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  char *save = NULL;

  for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
    _cleanup_free_ char *p = NULL;
    if (d[0] != '/')
      continue;
    p = xasprintf("%s/%s", d, name);
    if (access(p, X_OK) == 0)
      return steal_ptr(p);
  }
  return NULL;
}

static char *maps_text(const struct oci_id_mapping *m, size_t n)
{
  char *s = xstrdup("");
  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%s%u %u %u", s, i ? ", " : "", m[i].container_id, m[i].host_id, m[i].size);
    free(s);
    s = next;
  }
  return s;
}

/* One map (uid or gid) of an unprivileged caller whose id is `own` (real and effective). */
static int plan_one(bool gid, const struct oci_id_mapping *m, size_t n, unsigned long long own, char **tool,
                    struct cove_error *err)
{
  const char *field = gid ? "gidMappings" : "uidMappings", *file = gid ? "/etc/subgid" : "/etc/subuid";
  const char *helper = gid ? "newgidmap" : "newuidmap", *kind = gid ? "gid" : "uid";
  _cleanup_free_ struct subid_range *r = NULL;
  _cleanup_free_ char *text = NULL, *listed = NULL, *name = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  size_t nr = 0;

  *tool = NULL;
  if (n == 0 || (n == 1 && m[0].size == 1 && m[0].host_id == own))
    return 0; /* the caller's own id: written directly */
  *tool = find_in_path(helper);
  if (!*tool) {
    listed = maps_text(m, n);
    return cove_error_set(err, 0,
                          "user namespace: linux.%s `%s` maps more than the caller's own %s %llu: that needs %s "
                          "(the uidmap package), not found in PATH",
                          field, listed, kind, own, helper);
  }
  /* the helper allows the caller's own id and the ranges of the user's entries; say which entry
   * it would refuse instead of its generic "write to uid_map failed" */
  if (read_file(file, 1 << 20, &text, NULL, &e) < 0) {
    if (e.errnum != ENOENT) {
      cove_error_wrap(&e, "user namespace: linux.%s", field);
      *err = e;
      return -1;
    }
    cove_error_release(&e);
  }
  {
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
      name = xstrdup(pw.pw_name);
  }
  subid_parse(text, name, getuid(), &r, &nr);
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *have = NULL;
    if (m[i].size == 1 && m[i].host_id == own)
      continue;
    if (m[i].size && subid_covers(r, nr, m[i].host_id, m[i].size))
      continue;
    have = ranges_text(r, nr);
    return cove_error_set(err, 0,
                          "user namespace: linux.%s[%zu] (host %ss %u-%llu) is not in the ranges %s gives user "
                          "`%s` (uid %llu): %s",
                          field, i, kind, m[i].host_id, (unsigned long long) m[i].host_id + m[i].size - 1, file,
                          name ? name : "?", (unsigned long long) getuid(), have);
  }
  return 0;
}

int userns_plan(const struct oci_config *c, struct userns_writer *w, struct cove_error *err)
{
  const struct oci_linux *l = c->linux_;

  memset(w, 0, sizeof(*w));
  if (!l || geteuid() == 0)
    return 0;
  if (plan_one(false, l->uid_mappings, l->uid_mappings_len, geteuid(), &w->uid_tool, err) < 0 ||
      plan_one(true, l->gid_mappings, l->gid_mappings_len, getegid(), &w->gid_tool, err) < 0) {
    userns_writer_release(w);
    return -1;
  }
  /* the kernel takes an unprivileged gid_map only once setgroups is off for good; newgidmap
   * decides that itself */
  w->deny_setgroups = !w->gid_tool;
  return 0;
}

void userns_writer_release(struct userns_writer *w)
{
  free(w->uid_tool);
  free(w->gid_tool);
  w->uid_tool = w->gid_tool = NULL;
}

/* ---- writing ---- */

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n, struct cove_error *err)
{
  char path[64];
  _cleanup_free_ char *buf = xstrdup("");
  _cleanup_close_ int fd = -1;

  for (size_t i = 0; i < n; i++) {
    char *next = xasprintf("%s%u %u %u\n", buf, m[i].container_id, m[i].host_id, m[i].size);
    free(buf);
    buf = next;
  }
  snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return cove_error_set(err, errno, "open %s", path);
  /* the kernel takes the whole map in one write */
  if (write(fd, buf, strlen(buf)) != (ssize_t) strlen(buf))
    return cove_error_set(err, errno, "write %s `%s`", file, buf);
  return 0;
}

/* Run `tool PID c h s [c h s...]`; its stderr (the reason it refused) becomes the message.
 * Bounded: the helper does a few writes, a hung one is killed. */
static int run_tool(const char *tool, pid_t pid, const struct oci_id_mapping *m, size_t n, struct cove_error *err)
{
  _cleanup_free_ char **argv = xcalloc(3 * n + 3, sizeof(char *));
  _cleanup_close_ int rd = -1, wr = -1;
  posix_spawn_file_actions_t fa;
  char out[1024];
  size_t len = 0;
  int p[2], status = 0, r;
  bool timed_out = false;
  pid_t child;

  argv[0] = (char *) tool;
  argv[1] = xasprintf("%d", (int) pid);
  for (size_t i = 0; i < n; i++) {
    argv[2 + 3 * i] = xasprintf("%u", m[i].container_id);
    argv[3 + 3 * i] = xasprintf("%u", m[i].host_id);
    argv[4 + 3 * i] = xasprintf("%u", m[i].size);
  }
  if (pipe2(p, O_CLOEXEC) < 0) {
    r = cove_error_set(err, errno, "pipe");
    goto out;
  }
  rd = p[0];
  wr = p[1];
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, wr, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, wr, STDERR_FILENO);
  r = posix_spawn(&child, tool, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (r != 0) {
    r = cove_error_set(err, r, "run %s", tool);
    goto out;
  }
  close(steal_fd(wr));
  {
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* read to EOF (what does not fit is drained, so the helper never blocks on the pipe) */
    for (;;) {
      struct pollfd pf = {.fd = rd, .events = POLLIN};
      char chunk[512];
      long left;
      ssize_t got;
      int pr;
      clock_gettime(CLOCK_MONOTONIC, &t);
      left = SYNC_TIMEOUT_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
      pr = left > 0 ? poll(&pf, 1, (int) left) : 0;
      if (pr < 0 && errno == EINTR)
        continue;
      if (pr == 0) {
        kill(child, SIGKILL);
        timed_out = true;
        break;
      }
      got = read(rd, chunk, sizeof(chunk));
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        break;
      if ((size_t) got > sizeof(out) - 1 - len)
        got = (ssize_t) (sizeof(out) - 1 - len);
      memcpy(out + len, chunk, (size_t) got);
      len += (size_t) got;
    }
  }
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  out[len] = '\0';
  while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
    out[--len] = '\0';
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    r = 0;
  } else {
    char *nl = strchr(out, '\n');
    if (nl)
      *nl = '\0';
    if (timed_out)
      r = cove_error_set(err, ETIMEDOUT, "%s for pid %d: no answer in %d s", tool, (int) pid, SYNC_TIMEOUT_MS / 1000);
    else if (WIFSIGNALED(status))
      r = cove_error_set(err, 0, "%s for pid %d: killed by signal %d%s%s", tool, (int) pid, WTERMSIG(status),
                         len ? ": " : "", out);
    else
      r = cove_error_set(err, 0, "%s for pid %d: exit status %d%s%s", tool, (int) pid, WEXITSTATUS(status),
                         len ? ": " : "", out);
  }
out:
  for (size_t i = 1; argv[i]; i++)
    free(argv[i]);
  return r;
}

int userns_write_maps(pid_t pid, const struct oci_config *c, const struct userns_writer *w, struct cove_error *err)
{
  const struct oci_linux *l = c->linux_;

  if (!l)
    return 0;
  if (w && w->deny_setgroups) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/setgroups", (int) pid);
    if (write_file_at(AT_FDCWD, path, "deny", 4, err) < 0 && err->errnum != ENOENT)
      return cove_error_wrap(err, "user namespace");
    cove_error_release(err);
  }
  if (w && w->uid_tool ? run_tool(w->uid_tool, pid, l->uid_mappings, l->uid_mappings_len, err)
                       : write_map(pid, "uid_map", l->uid_mappings, l->uid_mappings_len, err))
    return cove_error_wrap(err, "user namespace");
  if (w && w->gid_tool ? run_tool(w->gid_tool, pid, l->gid_mappings, l->gid_mappings_len, err)
                       : write_map(pid, "gid_map", l->gid_mappings, l->gid_mappings_len, err))
    return cove_error_wrap(err, "user namespace");
  return 0;
}
