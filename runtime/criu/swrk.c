/* swrk.c: the transport to CRIU's RPC service (`criu swrk FD`): build a request, spawn criu on
 * one end of a SOCK_SEQPACKET socketpair, send the request, answer its notifications, read the
 * answer; and a failure's one line, with the first error of CRIU's log. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/criu/criu.h"

/* CRIU's replies are small (no image data travels on the socket). */
#define CRIU_MSG_MAX (64 * 1024)

void criu_request_init(struct criu_request *r, CriuReqType type, bool with_opts)
{
  static const CriuReq req_init = CRIU_REQ__INIT;
  static const CriuOpts opts_init = CRIU_OPTS__INIT;
  static const CriuFeatures feat_init = CRIU_FEATURES__INIT;

  memset(r, 0, sizeof(*r));
  r->req = req_init;
  r->opts = opts_init;
  r->features = feat_init;
  r->req.type = type;
  if (with_opts)
    r->req.opts = &r->opts;
  for (size_t i = 0; i < ARRAY_SIZE(r->pass_fds); i++)
    r->pass_fds[i] = -1;
}

/* Append p to the repeated field (*arr, *n). */
static void push(void ***arr, size_t *n, void *p)
{
  *arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
  (*arr)[(*n)++] = p;
}
#define PUSH(field, n, p) push((void ***) &(field), &(n), (p))

void criu_request_add_ext_mount(struct criu_request *r, const char *key, const char *val)
{
  ExtMountMap *m = xmalloc(sizeof(*m));
  ext_mount_map__init(m);
  m->key = xstrdup(key);
  m->val = xstrdup(val);
  PUSH(r->opts.ext_mnt, r->opts.n_ext_mnt, m);
}

void criu_request_add_external(struct criu_request *r, const char *fmt, ...)
{
  va_list ap;
  char *s;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  va_end(ap);
  PUSH(r->opts.external, r->opts.n_external, s);
}

void criu_request_add_join_ns(struct criu_request *r, const char *ns, const char *file)
{
  JoinNamespace *j = xmalloc(sizeof(*j));
  join_namespace__init(j);
  j->ns = xstrdup(ns);
  j->ns_file = xstrdup(file);
  PUSH(r->opts.join_ns, r->opts.n_join_ns, j);
}

void criu_request_add_cg_root(struct criu_request *r, const char *ctrl, const char *path)
{
  CgroupRoot *c = xmalloc(sizeof(*c));
  cgroup_root__init(c);
  c->ctrl = ctrl ? xstrdup(ctrl) : NULL;
  c->path = xstrdup(path);
  PUSH(r->opts.cg_root, r->opts.n_cg_root, c);
}

void criu_request_add_veth(struct criu_request *r, const char *in, const char *out)
{
  CriuVethPair *v = xmalloc(sizeof(*v));
  criu_veth_pair__init(v);
  v->if_in = xstrdup(in);
  v->if_out = xstrdup(out);
  PUSH(r->opts.veths, r->opts.n_veths, v);
}

void criu_request_inherit_stdio(struct criu_request *r, int fd, const char *key)
{
  InheritFd *i = xmalloc(sizeof(*i));
  inherit_fd__init(i);
  i->key = xstrdup(key);
  i->fd = fd;
  PUSH(r->opts.inherit_fd, r->opts.n_inherit_fd, i);
}

int criu_request_pass_fd(struct criu_request *r, int fd, const char *key, struct cove_error *err)
{
  if (r->pass_len == ARRAY_SIZE(r->pass_fds)) {
    close(fd);
    return cove_error_set(err, E2BIG, "more than %zu fds for criu", ARRAY_SIZE(r->pass_fds));
  }
  r->pass_fds[r->pass_len] = fd;
  criu_request_inherit_stdio(r, CRIU_FIRST_INHERIT_FD + (int) r->pass_len, key);
  r->pass_len++;
  return 0;
}

void criu_request_release(struct criu_request *r)
{
  CriuOpts *o = &r->opts;
  for (size_t i = 0; i < o->n_ext_mnt; i++) {
    free(o->ext_mnt[i]->key);
    free(o->ext_mnt[i]->val);
    free(o->ext_mnt[i]);
  }
  free(o->ext_mnt);
  for (size_t i = 0; i < o->n_external; i++)
    free(o->external[i]);
  free(o->external);
  for (size_t i = 0; i < o->n_join_ns; i++) {
    free(o->join_ns[i]->ns);
    free(o->join_ns[i]->ns_file);
    free(o->join_ns[i]);
  }
  free(o->join_ns);
  for (size_t i = 0; i < o->n_cg_root; i++) {
    free(o->cg_root[i]->ctrl);
    free(o->cg_root[i]->path);
    free(o->cg_root[i]);
  }
  free(o->cg_root);
  for (size_t i = 0; i < o->n_veths; i++) {
    free(o->veths[i]->if_in);
    free(o->veths[i]->if_out);
    free(o->veths[i]);
  }
  free(o->veths);
  for (size_t i = 0; i < o->n_inherit_fd; i++) {
    free(o->inherit_fd[i]->key);
    free(o->inherit_fd[i]);
  }
  free(o->inherit_fd);
  memset(o, 0, sizeof(*o));
  for (size_t i = 0; i < r->pass_len; i++)
    if (r->pass_fds[i] >= 0)
      close(r->pass_fds[i]);
  r->pass_len = 0;
}

/* The first "Error (file:line): message" of CRIU's output in text, as "message (file:line)". */
static char *first_error(char *text)
{
  char *e = text ? strstr(text, "Error (") : NULL, *nl, *loc, *close_;
  if (!e)
    return NULL;
  if ((nl = strchr(e, '\n')))
    *nl = '\0';
  loc = e + strlen("Error (");
  close_ = strstr(loc, "): ");
  if (!close_)
    return xstrdup(e);
  *close_ = '\0';
  return xasprintf("%s (%s)", close_ + 3, loc);
}

char *criu_log_first_error(const char *path)
{
  _cleanup_fclose_ FILE *f = NULL;
  _cleanup_free_ char *line = NULL;
  size_t cap = 0;

  if (!path || !(f = fopen(path, "re")))
    return NULL;
  while (getline(&line, &cap, f) > 0) {
    if (!strstr(line, "Error ("))
      continue;
    /* logged as an error, but CRIU carries on: a task the pre-dump did not see (a child forked
     * since) has no pages in the parent images */
    if (strstr(line, "No parent image found, though parent directory is set"))
      continue;
    return first_error(line);
  }
  return NULL;
}

/* What criu wrote on its (captured) stderr. */
static char *fd_first_error(int fd)
{
  char buf[16384];
  ssize_t n;
  if (fd < 0 || (n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
    return NULL;
  buf[n] = '\0';
  return first_error(buf);
}

/* The failure of step c->what, with what the log (or criu's stderr) says. */
static int criu_failed(const struct criu_call *c, int stderr_fd, const char *why, struct cove_error *err)
{
  _cleanup_free_ char *first = c->log ? criu_log_first_error(c->log) : fd_first_error(stderr_fd);

  if (first && c->log)
    return cove_error_set(err, 0, "criu %s failed: %s; log: %s", c->what, first, c->log);
  if (c->log)
    return cove_error_set(err, 0, "criu %s failed: %s; log: %s", c->what, why, c->log);
  return cove_error_set(err, 0, "criu %s failed: %s", c->what, first ? first : why);
}

/* In the child: the socket at fd 3, the passed fds at 4..., the exec-error pipe after them;
 * nothing else.  Never returns. */
__attribute__((noreturn)) static void exec_criu(const char *criu, int sock, const struct criu_request *r, int errpipe,
                                                int stderr_fd)
{
  int top = CRIU_FIRST_INHERIT_FD + (int) r->pass_len, hi[18];
  size_t n = 0;
  sigset_t none;
  char *argv[] = {(char *) criu, "swrk", "3", NULL};
  int e;

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (stderr_fd >= 0) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(stderr_fd, 2) < 0)
      goto fail;
  }
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  /* move every source out of the way first: a source may sit on a target number */
  hi[n++] = fcntl(sock, F_DUPFD, 100);
  for (size_t i = 0; i < r->pass_len; i++)
    hi[n++] = fcntl(r->pass_fds[i], F_DUPFD, 100);
  hi[n++] = fcntl(errpipe, F_DUPFD_CLOEXEC, 100);
  for (size_t i = 0; i < n; i++)
    if (hi[i] < 0)
      goto fail;
  for (size_t i = 0; i + 1 < n; i++)
    if (dup2(hi[i], 3 + (int) i) < 0)
      goto fail;
  if (dup3(hi[n - 1], top, O_CLOEXEC) < 0)
    goto fail;
  errpipe = top;
  if (sys_close_range((unsigned) top + 1, ~0U, 0) < 0)
    for (int fd = top + 1; fd < 1024; fd++)
      close(fd);
  execvp(criu, argv);
fail:
  e = errno;
  (void) write_all(errpipe, &e, sizeof(e));
  _exit(127);
}

static int recv_msg(int sock, uint8_t *buf, size_t cap, size_t *len, int *fd, int timeout_ms, struct cove_error *err)
{
  struct iovec iov = {.iov_base = buf, .iov_len = cap};
  union {
    struct cmsghdr h;
    char b[CMSG_SPACE(sizeof(int) * 4)];
  } ctl;
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
  struct pollfd p = {.fd = sock, .events = POLLIN};
  ssize_t n;
  int r;

  *fd = -1;
  while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return cove_error_set(err, errno, "poll the criu socket");
  if (r == 0) {
    cove_error_set(err, 0, "no answer from criu in %d s", timeout_ms / 1000);
    err->errnum = ETIMEDOUT;
    return -1;
  }
  while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
    ;
  if (n < 0 && errno == ECONNRESET) {
    /* criu exited with our request unread: as EOF */
    *len = 0;
    return 0;
  }
  if (n < 0)
    return cove_error_set(err, errno, "read from criu");
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int fds[4];
    memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
    for (size_t i = 0; i < nfds; i++) {
      if (*fd < 0)
        *fd = fds[i];
      else
        close(fds[i]);
    }
  }
  if (mh.msg_flags & MSG_TRUNC)
    return cove_error_set(err, EMSGSIZE, "criu's answer is larger than %d bytes", CRIU_MSG_MAX);
  *len = (size_t) n;
  return 0;
}

static int send_req(int sock, const CriuReq *req, struct cove_error *err)
{
  size_t len = criu_req__get_packed_size(req);
  _cleanup_free_ uint8_t *buf = xmalloc(len ? len : 1);
  ssize_t n;

  criu_req__pack(req, buf);
  while ((n = send(sock, buf, len, MSG_NOSIGNAL)) < 0 && errno == EINTR)
    ;
  if (n < 0)
    return cove_error_set(err, errno, "send the request to criu");
  return 0;
}

/* What the exit of criu says, for a failure without an answer. */
static char *exit_text(int status)
{
  if (WIFEXITED(status))
    return xasprintf("criu exited with status %d without an answer", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return xasprintf("criu was killed by signal %d", WTERMSIG(status));
  return xstrdup("criu ended without an answer");
}

/* criu went away without an answer: its exit status and its log say why. */
static int criu_ended(const struct criu_call *c, pid_t pid, int stderr_fd, struct cove_error *err)
{
  _cleanup_free_ char *why = NULL;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  why = exit_text(status);
  return criu_failed(c, stderr_fd, why, err);
}

static int exchange(const struct criu_call *c, struct criu_request *r, int sock, pid_t pid, int stderr_fd,
                    CriuResp **out, struct cove_error *err)
{
  _cleanup_free_ uint8_t *buf = xmalloc(CRIU_MSG_MAX);
  struct cove_error cb_err = COVE_ERROR_INIT;

  if (c->spawned && c->spawned(pid, r, c->arg, err) < 0)
    return -1;
  if (send_req(sock, &r->req, err) < 0) {
    if (err->errnum != EPIPE && err->errnum != ECONNRESET)
      return cove_error_wrap(err, "criu %s", c->what);
    cove_error_release(err);
    return criu_ended(c, pid, stderr_fd, err);
  }
  for (;;) {
    CriuResp *resp;
    size_t len = 0;
    int fd = -1;

    if (recv_msg(sock, buf, CRIU_MSG_MAX, &len, &fd, c->timeout_ms > 0 ? c->timeout_ms : CRIU_REPLY_TIMEOUT_MS,
                 err) < 0) {
      /* a criu that does not answer is not waited for */
      kill(pid, SIGKILL);
      cove_error_wrap(err, "criu %s", c->what);
      goto fail;
    }
    if (len == 0) {
      /* EOF: criu ended; its status and log say why */
      if (cb_err.msg) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
          ;
        *err = cb_err;
        return cove_error_wrap(err, "criu %s", c->what);
      }
      return criu_ended(c, pid, stderr_fd, err);
    }
    resp = criu_resp__unpack(NULL, len, buf);
    if (!resp) {
      if (fd >= 0)
        close(fd);
      cove_error_set(err, EPROTO, "criu %s: cannot decode criu's answer", c->what);
      goto fail;
    }
    if (resp->type == CRIU_REQ_TYPE__NOTIFY && resp->success) {
      struct criu_request ack;
      const char *script = resp->notify && resp->notify->script ? resp->notify->script : "";
      pid_t npid = resp->notify && resp->notify->has_pid ? resp->notify->pid : 0;
      int ok = 0;

      cove_debug("criu %s: notify %s (pid %d)", c->what, script, (int) npid);
      if (c->notify && !cb_err.msg)
        ok = c->notify(script, npid, &fd, c->arg, &cb_err);
      if (fd >= 0)
        close(fd);
      criu_resp__free_unpacked(resp, NULL);
      criu_request_init(&ack, CRIU_REQ_TYPE__NOTIFY, false);
      ack.req.has_notify_success = true;
      ack.req.notify_success = ok == 0;
      /* a refused notification makes criu roll back and answer with a failure */
      if (send_req(sock, &ack.req, err) < 0)
        goto fail;
      continue;
    }
    if (fd >= 0)
      close(fd);
    if (cb_err.msg) {
      criu_resp__free_unpacked(resp, NULL);
      *err = cb_err;
      return cove_error_wrap(err, "criu %s", c->what);
    }
    if (!resp->success) {
      _cleanup_free_ char *why = NULL;
      if (resp->cr_errmsg && *resp->cr_errmsg)
        why = xstrdup(resp->cr_errmsg);
      else if (resp->has_cr_errno && resp->cr_errno)
        why = xasprintf("%s", strerror(resp->cr_errno));
      else
        why = xstrdup("criu reported a failure");
      criu_resp__free_unpacked(resp, NULL);
      return criu_failed(c, stderr_fd, why, err);
    }
    *out = resp;
    return 0;
  }
fail:
  cove_error_release(&cb_err);
  return -1;
}

int criu_call(const struct criu_call *c, struct criu_request *r, CriuResp **resp, struct cove_error *err)
{
  _cleanup_close_ int sock = -1, peer = -1, errr = -1, errw = -1, stderr_fd = -1;
  int sp[2], pp[2], e = 0, status = 0;
  ssize_t n;
  pid_t pid;
  int ret;

  *resp = NULL;
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    return cove_error_set(err, errno, "criu %s: socketpair", c->what);
  sock = sp[0];
  peer = sp[1];
  if (pipe2(pp, O_CLOEXEC) < 0)
    return cove_error_set(err, errno, "criu %s: pipe", c->what);
  errr = pp[0];
  errw = pp[1];
  if (c->capture_stderr && (stderr_fd = memfd_create("criu-stderr", MFD_CLOEXEC)) < 0)
    return cove_error_set(err, errno, "criu %s: memfd_create", c->what);
  pid = fork();
  if (pid < 0)
    return cove_error_set(err, errno, "criu %s: fork", c->what);
  if (pid == 0)
    exec_criu(c->criu, peer, r, errw, stderr_fd);
  close(peer);
  peer = -1;
  close(errw);
  errw = -1;
  while ((n = read(errr, &e, sizeof(e))) < 0 && errno == EINTR)
    ;
  if (n == sizeof(e)) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
    if (e == ENOENT)
      return cove_error_set(err, 0, "criu %s: `%s` not found (install criu, or give its path with --criu)",
                            c->what, c->criu);
    return cove_error_set(err, e, "criu %s: run `%s swrk`", c->what, c->criu);
  }
  ret = exchange(c, r, sock, pid, stderr_fd, resp, err);
  /* criu exits once the socket closes (a pre-dump criu waits for more requests until then) */
  close(sock);
  sock = -1;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  return ret;
}

int criu_version(const char *criu, int *version, char *text, size_t text_len, struct cove_error *err)
{
  struct criu_request r;
  struct criu_call c = {.criu = criu, .what = "version", .capture_stderr = true, .timeout_ms = CRIU_QUERY_TIMEOUT_MS};
  CriuResp *resp = NULL;
  int ret = 0;

  criu_request_init(&r, CRIU_REQ_TYPE__VERSION, false);
  if (criu_call(&c, &r, &resp, err) < 0)
    return -1;
  if (!resp->version) {
    ret = cove_error_set(err, EPROTO, "criu version: no version in criu's answer");
  } else {
    const CriuVersion *v = resp->version;
    int sub = v->has_sublevel ? v->sublevel : 0;
    *version = v->major_number * 10000 + v->minor_number * 100 + sub;
    if (text)
      snprintf(text, text_len, "%d.%d%s%.0d", v->major_number, v->minor_number, sub ? "." : "", sub);
  }
  criu_resp__free_unpacked(resp, NULL);
  return ret;
}

int criu_feature_check(const char *criu, bool *mem_track, bool *lazy_pages, struct cove_error *err)
{
  struct criu_request r;
  struct criu_call c = {
    .criu = criu, .what = "feature check", .capture_stderr = true, .timeout_ms = CRIU_QUERY_TIMEOUT_MS};
  CriuResp *resp = NULL;

  criu_request_init(&r, CRIU_REQ_TYPE__FEATURE_CHECK, false);
  r.features.has_mem_track = r.features.mem_track = true;
  r.features.has_lazy_pages = r.features.lazy_pages = true;
  r.req.features = &r.features;
  if (criu_call(&c, &r, &resp, err) < 0) {
    /* criu swrk's own stderr line is cut short here (CRIU 3.17): `criu check` says it whole */
    struct cove_error e = COVE_ERROR_INIT;
    if (criu_check(criu, &e) < 0) {
      cove_error_release(err);
      *err = e;
      return cove_error_wrap(err, "criu feature check");
    }
    cove_error_release(&e);
    return -1;
  }
  *mem_track = resp->features && resp->features->has_mem_track && resp->features->mem_track;
  *lazy_pages = resp->features && resp->features->has_lazy_pages && resp->features->lazy_pages;
  criu_resp__free_unpacked(resp, NULL);
  return 0;
}

int criu_check(const char *criu, struct cove_error *err)
{
  _cleanup_close_ int rd = -1;
  _cleanup_free_ char *out = NULL;
  int pp[2], status = 0;
  size_t len = 0, cap = 0;
  pid_t pid;

  if (pipe2(pp, O_CLOEXEC) < 0)
    return cove_error_set(err, errno, "criu check: pipe");
  pid = fork();
  if (pid < 0) {
    close(pp[0]);
    close(pp[1]);
    return cove_error_set(err, errno, "criu check: fork");
  }
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (devnull >= 0)
      dup2(devnull, 0);
    dup2(pp[1], 1);
    dup2(pp[1], 2);
    execlp(criu, criu, "check", (char *) NULL);
    _exit(127);
  }
  close(pp[1]);
  rd = pp[0];
  for (;;) {
    struct pollfd p = {.fd = rd, .events = POLLIN};
    ssize_t n;
    int pr;
    while ((pr = poll(&p, 1, CRIU_QUERY_TIMEOUT_MS)) < 0 && errno == EINTR)
      ;
    if (pr == 0) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
      return cove_error_set(err, ETIMEDOUT, "criu check: no answer in %d s", CRIU_QUERY_TIMEOUT_MS / 1000);
    }
    if (cap - len < 4096) {
      if (cap >= 1 << 20)
        break;
      cap = cap ? cap * 2 : 8192;
      out = xrealloc(out, cap);
    }
    n = read(rd, out + len, cap - len - 1);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    len += (size_t) n;
  }
  if (out)
    out[len] = '\0';
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && (!out || !*out))
    return cove_error_set(err, 0, "criu check: `%s` not found (install criu, or give its path with --criu)", criu);
  {
    _cleanup_free_ char *first = first_error(out);
    if (first)
      return cove_error_set(err, 0, "criu check failed: %s", first);
  }
  return cove_error_set(err, 0, "criu check failed (status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
