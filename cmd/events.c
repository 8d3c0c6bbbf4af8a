/* events.c: `cove events`. */
#include "cmd/cmd.h"

int cmd_events(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("events"), argc, argv);
}
