/* pause.c: `cove pause`. */
#include "cmd/cmd.h"

int cmd_pause(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("pause"), argc, argv);
}
