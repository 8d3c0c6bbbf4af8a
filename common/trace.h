/* trace.h: COVE_TRACE=1 in the environment prints a CLOCK_MONOTONIC stamp on stderr at each
 * stage boundary of create, run and exec, in every process of cove that passes one:
 *   cove-trace PID NANOSECONDS STAGE
 * bench/breakdown.sh turns them into the time breakdown of docs/performance.md.  Off (the
 * default) a stamp costs one test of a flag that main sets once, before any command runs; the
 * flag is only ever read afterwards (a clone inherits it, an exec of cove sets it again). */
#ifndef COVE_COMMON_TRACE_H
#define COVE_COMMON_TRACE_H

#include <stdbool.h>

extern bool cove_trace_on;

/* Read COVE_TRACE once (main, first thing). */
void cove_trace_init(void);
void cove_trace_emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define cove_trace(...)                          \
  do {                                           \
    if (__builtin_expect(cove_trace_on, 0))      \
      cove_trace_emit(__VA_ARGS__);              \
  } while (0)

#endif
