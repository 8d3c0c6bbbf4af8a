/* state.c: `cove state`. */
#include "cmd/cmd.h"

int cmd_state(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("state");
}
