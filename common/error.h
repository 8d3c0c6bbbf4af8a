/* error.h: the error value every fallible function fills (crun's libcrun_error_t pattern).
 *
 * A function that can fail returns int (0 ok, negative failure) and takes
 * `struct cove_error *err` last.  The innermost failure calls cove_error_set() with errno and
 * what it was doing; callers add context with cove_error_wrap().  The final message reads
 * "outer: inner: root cause: strerror".
 *
 * The bottom of common/ (which every module includes): it depends on libc only. */
#ifndef COVE_COMMON_ERROR_H
#define COVE_COMMON_ERROR_H

#include <stdarg.h>

struct cove_error {
  int errnum; /* errno of the root cause, 0 if none */
  char *msg;  /* heap, NULL when no error is recorded */
};

#define COVE_ERROR_INIT {0, NULL}

/* Record an error; errnum (0 for none) is appended as ": strerror".  Returns -1. */
int cove_error_set(struct cove_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cove_error_setv(struct cove_error *err, int errnum, const char *fmt, va_list ap);

/* Prefix the recorded message with context ("ctx: old").  Returns -1. */
int cove_error_wrap(struct cove_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Drop the recorded error, if any. */
void cove_error_release(struct cove_error *err);

static inline const char *cove_error_msg(const struct cove_error *err)
{
  return err && err->msg ? err->msg : "unknown error";
}

#endif
