/* error.c: building and wrapping cove_error messages. */
#include "common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cove_error_setv(struct cove_error *err, int errnum, const char *fmt, va_list ap)
{
  char *msg = NULL;

  if (!err)
    return -1;
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  if (msg && errnum) {
    char *full = NULL;
    if (asprintf(&full, "%s: %s", msg, strerror(errnum)) >= 0) {
      free(msg);
      msg = full;
    }
  }
  free(err->msg);
  err->msg = msg ? msg : strdup("out of memory while reporting an error");
  err->errnum = errnum;
  return -1;
}

int cove_error_set(struct cove_error *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  cove_error_setv(err, errnum, fmt, ap);
  va_end(ap);
  return -1;
}

int cove_error_wrap(struct cove_error *err, const char *fmt, ...)
{
  char *ctx = NULL, *full = NULL;
  va_list ap;

  if (!err)
    return -1;
  va_start(ap, fmt);
  if (vasprintf(&ctx, fmt, ap) < 0)
    ctx = NULL;
  va_end(ap);
  if (!ctx)
    return -1;
  if (asprintf(&full, "%s: %s", ctx, err->msg ? err->msg : "unknown error") >= 0) {
    free(err->msg);
    err->msg = full;
  }
  free(ctx);
  return -1;
}

void cove_error_release(struct cove_error *err)
{
  if (!err)
    return;
  free(err->msg);
  err->msg = NULL;
  err->errnum = 0;
}
