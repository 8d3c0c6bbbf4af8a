/* events.c: `cove events [--stats] [--interval D] ID`: JSON lines on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "runtime/runtime.h"

/* A Go-style duration ("5s", "250ms", "1m30s", "1.5s"); a bare number is seconds. */
static int parse_duration(const char *s, unsigned *ms)
{
  double total = 0;
  const char *p = s;

  if (!*p)
    return -1;
  while (*p) {
    char *end;
    double v = strtod(p, &end);
    double mult;
    if (end == p || v < 0)
      return -1;
    p = end;
    if (!strncmp(p, "ms", 2)) {
      mult = 1;
      p += 2;
    } else if (*p == 's') {
      mult = 1000;
      p++;
    } else if (*p == 'm') {
      mult = 60000;
      p++;
    } else if (*p == 'h') {
      mult = 3600000;
      p++;
    } else if (!*p && p == end && total == 0) {
      mult = 1000;
    } else {
      return -1;
    }
    total += v * mult;
  }
  if (total < 1 || total > 86400000.0)
    return -1;
  *ms = (unsigned) total;
  return 0;
}

struct events_args {
  const char *interval;
  bool stats;
};

static const struct cmd_flag flags[] = {
  CMD_FLAG("stats", 0, FLAG_BOOL, struct events_args, stats, NULL, "print one stats event and exit"),
  CMD_FLAG("interval", 0, FLAG_STRING, struct events_args, interval, "D", "time between stats events (default 5s)"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct events_args a = {.interval = "5s"};
  unsigned ms = 5000;
  int first, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (parse_duration(a.interval, &ms) < 0)
    return cmd_usage_error(verb, "--interval: expected a duration such as 5s or 500ms, got `%s`", a.interval);
  fflush(stdout);
  if (cove_events(g->root, argv[first], a.stats, ms, STDOUT_FILENO, &err) < 0)
    return cmd_fail(&err);
  return 0;
}

const struct cmd_verb cmd_verb_events = {
  .name = "events",
  .run = run,
  .usage = "[--stats] [--interval D] ID",
  .summary = "print resource usage and OOM events as JSON lines",
  .flags = flags,
  .args = ARGS_ID,
};
