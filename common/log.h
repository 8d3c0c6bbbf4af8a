/* log.h: diagnostics for people and engines.
 *
 * Errors always reach stderr as one line "cove: <message>".  With --log FILE they are also
 * written there, as text or (--log-format json) as the JSON lines runc writes and containerd and
 * conmon read: {"level":"error","msg":"...","time":"2006-01-02T15:04:05Z"}.
 * The logger is the one piece of process-wide state: it is set once from main's context before
 * any command runs. */
#ifndef COVE_COMMON_LOG_H
#define COVE_COMMON_LOG_H

#include <stdbool.h>

#include "common/error.h"

enum cove_log_level { COVE_LOG_ERROR, COVE_LOG_WARNING, COVE_LOG_INFO, COVE_LOG_DEBUG };
enum cove_log_format { COVE_LOG_TEXT, COVE_LOG_JSON };

/* path NULL: stderr only.  Returns 0, or -1 with err set when the file cannot be opened. */
int cove_log_init(const char *path, enum cove_log_format format, bool debug, struct cove_error *err);
void cove_log_close(void);
/* The fd the log writes to (-1 when none); kept open across fork so a child can log. */
int cove_log_fd(void);

void cove_log(enum cove_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define cove_warn(...) cove_log(COVE_LOG_WARNING, __VA_ARGS__)
#define cove_info(...) cove_log(COVE_LOG_INFO, __VA_ARGS__)
#define cove_debug(...) cove_log(COVE_LOG_DEBUG, __VA_ARGS__)

/* Report a failed command: "cove: <err>" on stderr (and in the log file).  Returns 1, the exit
 * code for runtime errors. */
int cove_fail(const struct cove_error *err);

#endif
