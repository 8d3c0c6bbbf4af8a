/* events.c: `cove events`. */
#include "cmd/cmd.h"

int cmd_events(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("events");
}
