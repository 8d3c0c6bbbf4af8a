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

int cmd_events(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("events");
  struct cove_error err = COVE_ERROR_INIT;
  const char *interval = "5s";
  bool stats = false;
  unsigned ms = 5000;
  const struct cmd_flag flags[] = {
    {"stats", 0, FLAG_BOOL, &stats, NULL, "print one stats event and exit"},
    {"interval", 0, FLAG_STRING, &interval, "D", "time between stats events (default 5s)"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  int first, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (parse_duration(interval, &ms) < 0)
    return cmd_usage_error(verb, "--interval: expected a duration such as 5s or 500ms, got `%s`", interval);
  fflush(stdout);
  if (cove_events(g->root, argv[first], stats, ms, STDOUT_FILENO, &err) < 0) {
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  return 0;
}
