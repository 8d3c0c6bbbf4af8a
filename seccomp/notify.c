/* notify.c: hands the seccomp notify fd to the agent listening at linux.seccomp.listenerPath.
 *
 * runtime-spec (config-linux.md, "The Container Process State"): connect an AF_UNIX SOCK_STREAM
 * socket, send one JSON document
 *   {"ociVersion":"1.3.0","fds":["seccompFd"],"pid":N,"metadata":"...","state":{...}}
 * with the fd in SCM_RIGHTS on the first sendmsg(2), then close: one state per connection. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci/json.h"
#include "oci/oci.h"
#include "seccomp/internal.h"

char *cove_seccomp_cache_dir(const char *state_root)
{
  return xasprintf("%s/" COVE_ROOT_PRIVATE "/seccomp-cache", state_root);
}

/* The top-level "pid" of a state document; 0 when absent or unreadable. */
static int state_pid(const char *s)
{
  _cleanup_(oci_json_freep) struct oci_json *j = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  const struct oci_json *v;
  unsigned long long pid = 0;

  if (oci_json_parse("state", s, strlen(s), &j, &e) < 0) {
    cove_error_release(&e);
    return 0;
  }
  v = oci_json_get(j, "pid");
  if (!v || v->type != OCI_JSON_NUMBER || parse_u64(v->s, &pid) < 0 || pid >= (1ULL << 30))
    return 0;
  return (int) pid;
}

static int send_with_fd(int sock, const char *data, size_t len, int fd)
{
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = {.iov_base = (void *) data, .iov_len = len};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c;
  ssize_t n;

  memset(&u, 0, sizeof u);
  c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  do
    n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  /* the fds went with the first call; the rest is plain payload */
  for (size_t done = (size_t) n; done < len;) {
    n = send(sock, data + done, len - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -1;
    done += (size_t) n;
  }
  return 0;
}

int cove_seccomp_send_listener_full(const char *listener_path, int notify_fd, int pid, const char *metadata,
                                    const char *state_json, struct cove_error *err)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  _cleanup_close_ int sock = -1;
  _cleanup_free_ char *doc = NULL;
  size_t plen;

  if (!listener_path || !*listener_path)
    return cove_error_set(err, EINVAL, "seccomp listener: no listenerPath");
  if (notify_fd < 0)
    return cove_error_set(err, EBADF, "seccomp listener `%s`: no notify fd", listener_path);
  plen = strlen(listener_path);
  if (plen >= sizeof addr.sun_path)
    return cove_error_set(err, ENAMETOOLONG, "seccomp listener `%s`", listener_path);
  memcpy(addr.sun_path, listener_path, plen + 1);

  {
    _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
    _cleanup_(oci_json_freep) struct oci_json *state = NULL;
    static const char *const fds[] = {"seccompFd", NULL};

    if (state_json && oci_json_parse("state", state_json, strlen(state_json), &state, err) < 0)
      return cove_error_wrap(err, "seccomp listener `%s`", listener_path);
    oci_jgen_map_open(g);
    oci_jgen_kstring(g, "ociVersion", OCI_SPEC_VERSION);
    oci_jgen_kstrv(g, "fds", fds, (size_t) -1);
    oci_jgen_kint(g, "pid", pid);
    if (metadata)
      oci_jgen_kstring(g, "metadata", metadata);
    oci_jgen_string(g, "state");
    if (state) {
      oci_jgen_tree(g, state);
    } else {
      oci_jgen_map_open(g);
      oci_jgen_map_close(g);
    }
    oci_jgen_map_close(g);
    if (oci_jgen_finish(g, &doc, err) < 0)
      return cove_error_wrap(err, "seccomp listener `%s`", listener_path);
  }

  sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return cove_error_set(err, errno, "seccomp listener `%s`: socket", listener_path);
  /* a listener that stops accepting (its backlog full) or reading must not hold the container
   * (and its creator) for ever: connect and send give up after the bound */
  {
    struct timeval tv = {.tv_sec = COVE_SECCOMP_LISTENER_TIMEOUT_S};
    if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
      return cove_error_set(err, errno, "seccomp listener `%s`: set a send timeout", listener_path);
  }
  if (connect(sock, (struct sockaddr *) &addr, sizeof addr) < 0) {
    if (errno == EAGAIN)
      return cove_error_set(err, ETIMEDOUT, "seccomp listener `%s`: connect: no answer within %d s", listener_path,
                            COVE_SECCOMP_LISTENER_TIMEOUT_S);
    return cove_error_set(err, errno, "seccomp listener `%s`: connect", listener_path);
  }
  if (send_with_fd(sock, doc, strlen(doc), notify_fd) < 0) {
    if (errno == EAGAIN)
      return cove_error_set(err, ETIMEDOUT, "seccomp listener `%s`: send the notify fd: not read within %d s",
                            listener_path, COVE_SECCOMP_LISTENER_TIMEOUT_S);
    return cove_error_set(err, errno, "seccomp listener `%s`: send the notify fd", listener_path);
  }
  return 0;
}

int cove_seccomp_send_listener(const char *listener_path, int notify_fd, const char *state_json,
                               struct cove_error *err)
{
  return cove_seccomp_send_listener_full(listener_path, notify_fd, state_json ? state_pid(state_json) : 0, NULL,
                                         state_json, err);
}
