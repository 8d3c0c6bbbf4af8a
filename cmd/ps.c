/* ps.c: `cove ps`. */
#include "cmd/cmd.h"

int cmd_ps(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("ps"), argc, argv);
}
