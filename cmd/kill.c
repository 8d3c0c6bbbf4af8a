/* kill.c: `cove kill`. */
#include "cmd/cmd.h"

int cmd_kill(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("kill");
}
