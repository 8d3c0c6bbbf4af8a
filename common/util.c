/* util.c: file I/O, string, number and CPU-list parsing and JSON-quoting helpers shared by
 * every module. */
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"

void *xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p)
    abort();
  return p;
}

void *xcalloc(size_t n, size_t size)
{
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    abort();
  return p;
}

void *xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);
  if (!q)
    abort();
  return q;
}

char *xstrdup(const char *s)
{
  char *p = strdup(s);
  if (!p)
    abort();
  return p;
}

char *xasprintf(const char *fmt, ...)
{
  char *s;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  va_end(ap);
  return s;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len, struct cove_error *err)
{
  _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  _cleanup_free_ char *buf = NULL;
  size_t used = 0, cap = 0;

  if (fd < 0)
    return cove_error_set(err, errno, "open `%s`", path);
  for (;;) {
    ssize_t n;
    if (cap - used < 4096) {
      cap = cap ? cap * 2 : 8192;
      buf = xrealloc(buf, cap + 1);
    }
    n = read(fd, buf + used, cap - used);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return cove_error_set(err, errno, "read `%s`", path);
    }
    if (n == 0)
      break;
    used += (size_t) n;
    if (used > max)
      return cove_error_set(err, EFBIG, "read `%s`: larger than %zu bytes", path, max);
  }
  if (!buf)
    buf = xmalloc(1);
  buf[used] = '\0';
  *out = steal_ptr(buf);
  if (len)
    *len = used;
  return 0;
}

int read_file(const char *path, size_t max, char **out, size_t *len, struct cove_error *err)
{
  return read_file_at(AT_FDCWD, path, max, out, len, err);
}

int write_all(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    p += n;
    len -= (size_t) n;
  }
  return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct cove_error *err)
{
  _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0)
    return cove_error_set(err, errno, "open `%s` for writing", path);
  if (write_all(fd, data, len) < 0)
    return cove_error_set(err, errno, "write `%s`", path);
  return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct cove_error *err)
{
  _cleanup_free_ char *tmp = xasprintf(".%s.%d.tmp", name, (int) getpid());
  _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

  if (fd < 0)
    return cove_error_set(err, errno, "create `%s`", tmp);
  if (write_all(fd, data, len) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return cove_error_set(err, e, "write `%s`", tmp);
  }
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return cove_error_set(err, e, "rename `%s` to `%s`", tmp, name);
  }
  return 0;
}

int mkdir_p(const char *path, mode_t mode, struct cove_error *err)
{
  _cleanup_free_ char *copy = xstrdup(path);
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(copy, mode) < 0 && errno != EEXIST)
      return cove_error_set(err, errno, "mkdir `%s`", copy);
    *p = '/';
  }
  if (mkdir(copy, mode) < 0 && errno != EEXIST)
    return cove_error_set(err, errno, "mkdir `%s`", copy);
  return 0;
}

char *json_quote(const char *s)
{
  size_t n = strlen(s);
  char *out = malloc(n * 6 + 3), *o = out;
  if (!out)
    return NULL;
  *o++ = '"';
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    switch (*p) {
    case '"': *o++ = '\\'; *o++ = '"'; break;
    case '\\': *o++ = '\\'; *o++ = '\\'; break;
    case '\n': *o++ = '\\'; *o++ = 'n'; break;
    case '\r': *o++ = '\\'; *o++ = 'r'; break;
    case '\t': *o++ = '\\'; *o++ = 't'; break;
    case '\b': *o++ = '\\'; *o++ = 'b'; break;
    case '\f': *o++ = '\\'; *o++ = 'f'; break;
    default:
      if (*p < 0x20)
        o += snprintf(o, 7, "\\u%04x", *p);
      else
        *o++ = (char) *p;
    }
  }
  *o++ = '"';
  *o = '\0';
  return out;
}

int parse_u64(const char *s, unsigned long long *out)
{
  char *end;
  if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
    return -1;
  errno = 0;
  *out = strtoull(s, &end, 10);
  if (errno || *end)
    return -1;
  return 0;
}

int unix_send_fd(const char *what, const char *socket_path, int fd, const char *payload, struct cove_error *err)
{
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  /* a listener that never accepts must not hang us: connect and send give up after this */
  struct timeval tv = {.tv_sec = 30};
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } u;
  struct iovec iov = {.iov_base = (void *) payload, .iov_len = strlen(payload)};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
  struct cmsghdr *c;

  if (s < 0)
    return cove_error_set(err, errno, "%s: socket", what);
  if (strlen(socket_path) >= sizeof(sa.sun_path))
    return cove_error_set(err, ENAMETOOLONG, "%s `%s`", what, socket_path);
  memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
  if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
    return cove_error_set(err, errno, "%s: set a send timeout", what);
  while (connect(s, (struct sockaddr *) &sa, sizeof(sa)) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "%s `%s`", what, socket_path);
  memset(&u, 0, sizeof(u));
  c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  while (sendmsg(s, &mh, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return cove_error_set(err, errno, "%s `%s`: send the fd", what, socket_path);
  return 0;
}

/* one number of a CPU list: digits only (strtoul alone would take a sign or spaces) */
static int cpu_number(const char **p, unsigned long max, unsigned long *out)
{
  char *end;
  if (!isdigit((unsigned char) **p))
    return -1;
  errno = 0;
  *out = strtoul(*p, &end, 10);
  if (errno || *out > max)
    return -1;
  *p = end;
  return 0;
}

int parse_cpu_list(const char *list, unsigned long max, int (*fn)(unsigned long first, unsigned long last, void *ctx),
                   void *ctx)
{
  const char *p = list;

  if (!*p)
    return 0;
  for (;;) {
    unsigned long a, b;
    if (cpu_number(&p, max, &a) < 0)
      return -1;
    b = a;
    if (*p == '-') {
      p++;
      if (cpu_number(&p, max, &b) < 0 || b < a)
        return -1;
    }
    if (fn && fn(a, b, ctx) < 0)
      return -1;
    if (*p == '\0')
      return 0;
    if (*p++ != ',')
      return -1;
  }
}

int rfc3339_utc(long long secs, long nsecs, char *buf, size_t size)
{
  /* days since 1970-01-01 to a proleptic Gregorian date (eras of 400 years, March-based years) */
  long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400), sod = secs - days * 86400;
  long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  long long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  int n = snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%09ldZ", y, m, d, sod / 3600,
                   sod / 60 % 60, sod % 60, nsecs);
  return n < 0 || (size_t) n >= size ? -1 : 0;
}
