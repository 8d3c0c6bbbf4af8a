/* ps.c: `cove ps`. */
#include "cmd/cmd.h"

int cmd_ps(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("ps");
}
