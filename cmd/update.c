/* update.c: `cove update`. */
#include "cmd/cmd.h"

int cmd_update(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("update");
}
