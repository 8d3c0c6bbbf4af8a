/* log.h: diagnostics for people and engines.
 *
 * Errors always reach stderr as one line "cove: <message>".  With --log they also go to the log
 * target, as crun's --log takes it:
 *   FILE or file:FILE   appended, as text or (--log-format json) as the JSON lines runc writes
 *                       and containerd and conmon read:
 *                       {"level":"error","msg":"...","time":"2006-01-02T15:04:05.000000000Z"}
 *   syslog:IDENTIFIER   syslog(3) on /dev/log, facility user, "IDENTIFIER[PID]: message"
 *   journald:IDENTIFIER the journal (sd_journal_send), SYSLOG_IDENTIFIER=IDENTIFIER, PRIORITY
 * An empty IDENTIFIER is "cove".  With a target, warnings and debug records go there only.
 * The logger is the one piece of process-wide state besides the syscall ops table (syscalls.h):
 * it is set once from main's context before any command runs.  Part of common/, the bottom
 * layer: it builds on error.h, util.h and cleanup.h. */
#ifndef COVE_COMMON_LOG_H
#define COVE_COMMON_LOG_H

#include <stdbool.h>

#include "common/error.h"

enum cove_log_level { COVE_LOG_ERROR, COVE_LOG_WARNING, COVE_LOG_INFO, COVE_LOG_DEBUG };
enum cove_log_format { COVE_LOG_TEXT, COVE_LOG_JSON };
enum cove_log_kind { COVE_LOG_TO_STDERR, COVE_LOG_TO_FILE, COVE_LOG_TO_SYSLOG, COVE_LOG_TO_JOURNALD };

/* syslog's and journald's identifier: what readers filter on, so kept to one printable word. */
#define COVE_LOG_IDENT_MAX 64

struct cove_log_target {
  enum cove_log_kind kind;
  const char *arg; /* the file's path, or the identifier; points into the parsed value */
};

/* Parse a --log value (NULL: stderr only).  A bad value sets err naming what is wrong ("file:
 * needs a path", a bad identifier) and returns -1. */
int cove_log_parse_target(const char *value, struct cove_log_target *t, struct cove_error *err);

/* Open the target: the file, the syslog connection, or libsystemd for journald (syslog's or
 * journald's socket must exist: both drop records silently otherwise).  Returns 0, or -1
 * with err set. */
int cove_log_init(const struct cove_log_target *t, enum cove_log_format format, bool debug, struct cove_error *err);
void cove_log_close(void);
/* The fd of the log file (-1 when none); kept open across fork so a child can log. */
int cove_log_fd(void);
/* Move the log fd to a number >= min (close-on-exec), so that it does not sit on an fd number
 * the caller means to pass on to a container (--preserve-fds). */
int cove_log_move_fd(int min, struct cove_error *err);

void cove_log(enum cove_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define cove_warn(...) cove_log(COVE_LOG_WARNING, __VA_ARGS__)
#define cove_info(...) cove_log(COVE_LOG_INFO, __VA_ARGS__)
#define cove_debug(...) cove_log(COVE_LOG_DEBUG, __VA_ARGS__)

/* Report a failed command: "cove: <err>" on stderr (and to the log target).  Returns 1, the exit
 * code for runtime errors. */
int cove_fail(const struct cove_error *err);

#endif
