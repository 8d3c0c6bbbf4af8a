/* log.c: text and JSON-lines logging to stderr and one log target: a file, syslog or journald. */
#include "common/log.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* sd_journal_send() itself, not the macro that adds CODE_FILE= etc. (they would name log.c) */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "common/cleanup.h"
#include "common/util.h"

typedef __typeof__(sd_journal_send) journal_send_fn;

static struct {
  enum cove_log_kind kind;
  int fd;
  enum cove_log_format format;
  bool debug;
  char ident[COVE_LOG_IDENT_MAX + 1]; /* openlog() keeps the pointer: it must outlive the logger */
  journal_send_fn *journal_send;
} logger = {COVE_LOG_TO_STDERR, -1, COVE_LOG_TEXT, false, "", NULL};

static const char *const level_names[] = {"error", "warning", "info", "debug"};
static const int level_priorities[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

static int parse_ident(const char *kind, const char *ident, struct cove_error *err)
{
  size_t n = strlen(ident);
  if (n > COVE_LOG_IDENT_MAX)
    return cove_error_set(err, 0, "%s identifier `%s`: longer than %d characters", kind, ident, COVE_LOG_IDENT_MAX);
  for (size_t i = 0; i < n; i++)
    if (ident[i] <= ' ' || ident[i] > '~')
      return cove_error_set(err, 0, "%s identifier `%s`: only printable characters, no spaces", kind, ident);
  return 0;
}

int cove_log_parse_target(const char *value, struct cove_log_target *t, struct cove_error *err)
{
  static const struct {
    const char *prefix;
    enum cove_log_kind kind;
  } kinds[] = {{"file:", COVE_LOG_TO_FILE}, {"syslog:", COVE_LOG_TO_SYSLOG}, {"journald:", COVE_LOG_TO_JOURNALD}};

  t->kind = COVE_LOG_TO_STDERR;
  t->arg = NULL;
  if (!value || !*value) /* runc takes an empty --log as none */
    return 0;
  /* anything without a known prefix is a file, as runc takes --log (paths may hold colons) */
  t->kind = COVE_LOG_TO_FILE;
  t->arg = value;
  for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
    size_t n = strlen(kinds[i].prefix);
    if (!strncmp(value, kinds[i].prefix, n)) {
      t->kind = kinds[i].kind;
      t->arg = value + n;
      break;
    }
  }
  if (t->kind == COVE_LOG_TO_FILE) {
    if (!*t->arg)
      return cove_error_set(err, 0, "file: needs a path");
    return 0;
  }
  if (!*t->arg)
    t->arg = "cove";
  return parse_ident(t->kind == COVE_LOG_TO_SYSLOG ? "syslog" : "journald", t->arg, err);
}

/* The socket a log target writes to must be there: glibc's syslog() and libsystemd's
 * sd_journal_send() both drop records silently when nothing listens, so refuse up front. */
static int check_socket(const char *what, const char *path, struct cove_error *err)
{
  struct stat st;
  if (stat(path, &st) < 0)
    return cove_error_set(err, errno, "log to %s: %s", what, path);
  if (!S_ISSOCK(st.st_mode))
    return cove_error_set(err, 0, "log to %s: %s is not a socket", what, path);
  return 0;
}

static int open_syslog(const char *ident, struct cove_error *err)
{
  if (check_socket("syslog", _PATH_LOG, err) < 0)
    return -1;
  snprintf(logger.ident, sizeof(logger.ident), "%s", ident);
  /* LOG_NDELAY connects now, so the container's init keeps logging after it has left the host's
   * filesystem (the socket is close-on-exec like the log file) */
  openlog(logger.ident, LOG_PID | LOG_NDELAY, LOG_USER);
  return 0;
}

/* libsystemd is loaded only for journald: linking it would load it and the five libraries it
 * needs into every cove process (0.35-0.45 ms more per `cove --version` measured here; engines
 * exec cove several times per container). */
static int open_journald(const char *ident, struct cove_error *err)
{
  void *lib;

  /* where sd_journal_send() sends (systemd's native journal protocol) */
  if (check_socket("journald", "/run/systemd/journal/socket", err) < 0)
    return -1;
  lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return cove_error_set(err, 0, "log to journald: load libsystemd.so.0: %s", dlerror());
  logger.journal_send = (journal_send_fn *) dlsym(lib, "sd_journal_send");
  if (!logger.journal_send)
    return cove_error_set(err, 0, "log to journald: libsystemd.so.0 has no sd_journal_send");
  snprintf(logger.ident, sizeof(logger.ident), "%s", ident);
  return 0;
}

int cove_log_init(const struct cove_log_target *t, enum cove_log_format format, bool debug, struct cove_error *err)
{
  logger.format = format;
  logger.debug = debug;
  switch (t->kind) {
  case COVE_LOG_TO_STDERR:
    break;
  case COVE_LOG_TO_FILE: {
    int fd = open(t->arg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
      return cove_error_set(err, errno, "open log file `%s`", t->arg);
    logger.fd = fd;
    break;
  }
  case COVE_LOG_TO_SYSLOG:
    if (open_syslog(t->arg, err) < 0)
      return -1;
    break;
  case COVE_LOG_TO_JOURNALD:
    if (open_journald(t->arg, err) < 0)
      return -1;
    break;
  }
  logger.kind = t->kind;
  return 0;
}

void cove_log_close(void)
{
  if (logger.fd >= 0)
    close(logger.fd);
  logger.fd = -1;
  if (logger.kind == COVE_LOG_TO_SYSLOG)
    closelog();
  logger.kind = COVE_LOG_TO_STDERR;
}

int cove_log_fd(void)
{
  return logger.fd;
}

int cove_log_move_fd(int min, struct cove_error *err)
{
  int fd;
  if (logger.fd < 0 || logger.fd >= min)
    return 0;
  fd = fcntl(logger.fd, F_DUPFD_CLOEXEC, min);
  if (fd < 0)
    return cove_error_set(err, errno, "move the log fd above %d", min);
  close(logger.fd);
  logger.fd = fd;
  return 0;
}

/* The record as text ("<time> <level>: msg", or just msg for syslog and journald, which keep
 * their own time and priority) or as runc's JSON line; heap, NULL on ENOMEM. */
static char *format_record(enum cove_log_level level, const char *msg, bool with_time)
{
  char timebuf[64];
  struct timespec ts;
  struct tm tm;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(timebuf, sizeof(timebuf), "%Y-%m-%dT%H:%M:%S", &tm);

  if (logger.format == COVE_LOG_JSON) {
    _cleanup_free_ char *quoted = json_quote(msg);
    char *out = NULL;
    if (asprintf(&out, "{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s.%09ldZ\"}", level_names[level],
                 quoted ? quoted : "\"\"", timebuf, ts.tv_nsec) < 0)
      return NULL;
    return out;
  }
  if (!with_time)
    return strdup(msg);
  char *out = NULL;
  if (asprintf(&out, "%s.%09ldZ %s: %s", timebuf, ts.tv_nsec, level_names[level], msg) < 0)
    return NULL;
  return out;
}

static void write_record(enum cove_log_level level, const char *msg)
{
  _cleanup_free_ char *rec = format_record(level, msg, logger.kind == COVE_LOG_TO_FILE);
  int r;

  if (!rec)
    return;
  switch (logger.kind) {
  case COVE_LOG_TO_STDERR:
    break;
  case COVE_LOG_TO_FILE:
    dprintf(logger.fd, "%s\n", rec);
    break;
  case COVE_LOG_TO_SYSLOG:
    syslog(level_priorities[level], "%s", rec);
    break;
  case COVE_LOG_TO_JOURNALD:
    r = logger.journal_send("MESSAGE=%s", rec, "PRIORITY=%d", level_priorities[level], "SYSLOG_IDENTIFIER=%s",
                            logger.ident, "SYSLOG_FACILITY=%d", LOG_USER >> 3, NULL);
    /* a record journald refused is shown on stderr with the reason rather than lost (errors
     * are there already); libsystemd itself reports no error once its socket is unreachable,
     * as from the container's init after pivot_root */
    if (r < 0 && level != COVE_LOG_ERROR)
      dprintf(STDERR_FILENO, "cove: %s: %s (not sent to journald: %s)\n", level_names[level], msg, strerror(-r));
    break;
  }
}

static void vlog(enum cove_log_level level, const char *fmt, va_list ap)
{
  _cleanup_free_ char *msg = NULL;
  int saved = errno;

  if (level == COVE_LOG_DEBUG && !logger.debug)
    return;
  if (vasprintf(&msg, fmt, ap) < 0)
    return;
  if (logger.kind != COVE_LOG_TO_STDERR)
    write_record(level, msg);
  else if (level != COVE_LOG_ERROR)
    dprintf(STDERR_FILENO, "cove: %s: %s\n", level_names[level], msg);
  errno = saved;
}

void cove_log(enum cove_log_level level, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vlog(level, fmt, ap);
  va_end(ap);
}

int cove_fail(const struct cove_error *err)
{
  const char *msg = cove_error_msg(err);
  dprintf(STDERR_FILENO, "cove: %s\n", msg);
  if (logger.kind != COVE_LOG_TO_STDERR)
    write_record(COVE_LOG_ERROR, msg);
  return 1;
}
