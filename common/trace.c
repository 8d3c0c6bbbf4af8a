/* trace.c: the COVE_TRACE stamps (trace.h): one write(2) per stamp, no stdio, so a stamp is
 * safe in a cloned child and leaves nothing buffered behind an execve. */
#include "common/trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

bool cove_trace_on;

void cove_trace_init(void)
{
  const char *v = getenv("COVE_TRACE");
  cove_trace_on = v && *v && *v != '0';
}

void cove_trace_emit(const char *fmt, ...)
{
  char line[256];
  struct timespec ts;
  va_list ap;
  int n;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  n = snprintf(line, sizeof(line), "cove-trace %d %lld ", (int) getpid(),
               (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
  va_start(ap, fmt);
  n += vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
  va_end(ap);
  if (n > (int) sizeof(line) - 2)
    n = (int) sizeof(line) - 2;
  line[n++] = '\n';
  (void) !write(STDERR_FILENO, line, (size_t) n);
}
