/* state.c: `cove state`. */
#include "cmd/cmd.h"

int cmd_state(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("state"), argc, argv);
}
