/* log.c: text and JSON-lines logging to stderr and an optional log file. */
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

static struct {
  int fd;
  enum cove_log_format format;
  bool debug;
} logger = {-1, COVE_LOG_TEXT, false};

static const char *const level_names[] = {"error", "warning", "info", "debug"};

int cove_log_init(const char *path, enum cove_log_format format, bool debug, struct cove_error *err)
{
  logger.format = format;
  logger.debug = debug;
  if (path && *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
      return cove_error_set(err, errno, "open log file `%s`", path);
    logger.fd = fd;
  }
  return 0;
}

void cove_log_close(void)
{
  if (logger.fd >= 0)
    close(logger.fd);
  logger.fd = -1;
}

int cove_log_fd(void)
{
  return logger.fd;
}

static void write_record(int fd, enum cove_log_level level, const char *msg, bool json)
{
  char timebuf[64];
  struct timespec ts;
  struct tm tm;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(timebuf, sizeof(timebuf), "%Y-%m-%dT%H:%M:%S", &tm);

  if (json) {
    _cleanup_free_ char *quoted = json_quote(msg);
    dprintf(fd, "{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s.%09ldZ\"}\n", level_names[level],
            quoted ? quoted : "\"\"", timebuf, ts.tv_nsec);
  } else {
    dprintf(fd, "%s.%09ldZ %s: %s\n", timebuf, ts.tv_nsec, level_names[level], msg);
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
  if (logger.fd >= 0)
    write_record(logger.fd, level, msg, logger.format == COVE_LOG_JSON);
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
  if (logger.fd >= 0)
    write_record(logger.fd, COVE_LOG_ERROR, msg, logger.format == COVE_LOG_JSON);
  return 1;
}
