/* notify.c: the NOTIFY_SOCKET relay between a containerized service and systemd (see notify.h).
 * The container's side is a datagram socket cove binds in the container's state dir; the host's
 * side is libsystemd's sd_notify() and sd_notify_barrier() on cove's own NOTIFY_SOCKET. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/notify.h"

/* systemd reads at most this much of one notification (NOTIFY_BUFFER_MAX) */
#define NOTIFY_MSG_MAX 4096
/* how long systemd may take to confirm it read READY=1 (a barrier), before cove goes on */
#define NOTIFY_BARRIER_USEC (10ULL * 1000000ULL)

struct notify_relay {
  int fd;
};

bool notify_wanted(void)
{
  const char *s = getenv("NOTIFY_SOCKET");
  return s && *s;
}

/* NOTIFY_SOCKET=/run/notify/notify.sock in env, replacing the config's own. */
static void set_env(char ***envp)
{
  char **env = *envp;
  size_t n = 0, k = 0;

  while (env && env[n])
    n++;
  env = xrealloc(env, (n + 2) * sizeof(char *));
  for (size_t i = 0; i < n; i++) {
    if (!strncmp(env[i], "NOTIFY_SOCKET=", 14))
      free(env[i]);
    else
      env[k++] = env[i];
  }
  env[k++] = xstrdup("NOTIFY_SOCKET=" NOTIFY_IN_CONTAINER);
  env[k] = NULL;
  *envp = env;
}

int notify_prepare(struct create_ctx *x, struct cove_error *err)
{
  static const char *const opts[] = {"bind", "nosuid", "noexec", "nodev", "ro"};
  struct oci_config *c = x->config;
  struct oci_mount *m;

  if (!notify_wanted())
    return 0;
  /* the socket itself is bound by the cove process that relays (run, or start) */
  if (mkdirat(x->dir_fd, NOTIFY_DIR, 0755) < 0)
    return cove_error_set(err, errno, "NOTIFY_SOCKET: create %s/%s", x->dir, NOTIFY_DIR);
  c->mounts = xrealloc(c->mounts, (c->mounts_len + 1) * sizeof(*c->mounts));
  m = &c->mounts[c->mounts_len++];
  memset(m, 0, sizeof(*m));
  m->destination = xstrdup("/run/notify");
  m->source = xasprintf("%s/%s", x->dir, NOTIFY_DIR);
  m->type = xstrdup("bind");
  m->options = xcalloc(ARRAY_SIZE(opts), sizeof(char *));
  for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
    m->options[i] = xstrdup(opts[i]);
  m->options_len = ARRAY_SIZE(opts);
  set_env(&x->env);
  return 0;
}

int notify_relay_open(int dir_fd, struct notify_relay **out, struct cove_error *err)
{
  _cleanup_close_ int nd = -1, fd = -1;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};

  *out = NULL;
  if (!notify_wanted())
    return 0;
  nd = openat(dir_fd, NOTIFY_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (nd < 0 && errno == ENOENT) {
    /* systemd gives NOTIFY_SOCKET to a unit's main process only, unless NotifyAccess=all */
    cove_warn("NOTIFY_SOCKET is set, but the container was created without it: nothing to relay (with "
              "ExecStartPre=cove create, set NotifyAccess=all)");
    return 0;
  }
  if (nd < 0)
    return cove_error_set(err, errno, "NOTIFY_SOCKET: open the container's notify directory");
  fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return cove_error_set(err, errno, "NOTIFY_SOCKET: socket");
  /* through the directory's fd: ROOT/ID/notify/notify.sock may not fit in sun_path */
  snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/" NOTIFY_SOCK, nd);
  unlinkat(nd, NOTIFY_SOCK, 0);
  if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
    return cove_error_set(err, errno, "NOTIFY_SOCKET: bind the container's socket");
  /* any user of the container may notify, as with systemd's own socket */
  if (fchmodat(nd, NOTIFY_SOCK, 0777, 0) < 0)
    return cove_error_set(err, errno, "NOTIFY_SOCKET: chmod the container's socket");
  *out = xcalloc(1, sizeof(**out));
  (*out)->fd = steal_fd(fd);
  return 0;
}

int notify_relay_fd(const struct notify_relay *r)
{
  return r ? r->fd : -1;
}

void notify_relay_free(struct notify_relay *r)
{
  if (!r)
    return;
  if (r->fd >= 0)
    close(r->fd);
  free(r);
}

/* A field the host must not get from the container: its pids are not the host's, and fds
 * (the fd store, a barrier's pipe) are not relayed. */
static bool dropped(const char *line)
{
  static const char *const keys[] = {"MAINPID=", "BARRIER=", "FDSTORE=", "FDSTOREREMOVE=", "FDNAME=", "FDPOLL="};
  for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
    if (!strncmp(line, keys[i], strlen(keys[i])))
      return true;
  return !*line;
}

/* Forward one datagram; true when it said READY=1. */
static bool forward(char *msg, pid_t mainpid)
{
  size_t cap = strlen(msg) + 32, len = 0;
  _cleanup_free_ char *out = xmalloc(cap);
  bool ready = false;
  char *save = NULL;
  int r;

  for (char *line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (dropped(line))
      continue;
    if (!strcmp(line, "READY=1"))
      ready = true;
    len += (size_t) snprintf(out + len, cap - len, "%s%s", len ? "\n" : "", line);
  }
  if (!len)
    return false;
  /* one datagram: with NotifyAccess=main the MAINPID change must come from the sender of READY */
  if (ready && mainpid > 0)
    snprintf(out + len, cap - len, "\nMAINPID=%d", (int) mainpid);
  r = sd_notify(0, out);
  if (r < 0)
    cove_warn("NOTIFY_SOCKET: forward `%s` to the host: %s", out, strerror(-r));
  if (ready && r > 0 && (r = sd_notify_barrier(0, NOTIFY_BARRIER_USEC)) < 0)
    cove_warn("NOTIFY_SOCKET: the host did not confirm READY=1: %s", strerror(-r));
  return ready;
}

static void close_passed_fds(struct msghdr *mh)
{
  for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      close(fd);
    }
  }
}

int notify_relay_handle(struct notify_relay *r, pid_t mainpid, struct cove_error *err)
{
  bool ready = false;

  for (;;) {
    char buf[NOTIFY_MSG_MAX + 1];
    union {
      struct cmsghdr h;
      char b[CMSG_SPACE(sizeof(int) * 253)];
    } ctl;
    struct iovec iov = {buf, NOTIFY_MSG_MAX};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    ssize_t n = recvmsg(r->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);

    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN)
        return ready ? 1 : 0;
      return cove_error_set(err, errno, "NOTIFY_SOCKET: read the container's message");
    }
    /* a barrier's pipe (or an fd for the store): closing it is the answer the sender waits for */
    close_passed_fds(&mh);
    if ((size_t) n > NOTIFY_MSG_MAX) {
      cove_warn("NOTIFY_SOCKET: dropped a %zd-byte message from the container (more than %d)", n, NOTIFY_MSG_MAX);
      continue;
    }
    buf[n] = '\0';
    if (forward(buf, mainpid))
      ready = true;
  }
}

int notify_relay_until_ready(struct notify_relay *r, int pidfd, pid_t mainpid, struct cove_error *err)
{
  for (;;) {
    struct pollfd p[2] = {{.fd = r->fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    int h;
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return cove_error_set(err, errno, "NOTIFY_SOCKET: wait for the container");
    }
    if (p[0].revents & POLLIN) {
      if ((h = notify_relay_handle(r, mainpid, err)) < 0)
        return -1;
      if (h > 0)
        return 0;
    }
    /* the container ended without READY=1: systemd sees cove end without it, as with runc */
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      h = notify_relay_handle(r, mainpid, err);
      return h < 0 ? -1 : 0;
    }
  }
}
