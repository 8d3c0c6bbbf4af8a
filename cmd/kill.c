/* kill.c: `cove kill`. */
#include "cmd/cmd.h"

int cmd_kill(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("kill"), argc, argv);
}
