/* update.c: `cove update`. */
#include "cmd/cmd.h"

int cmd_update(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("update"), argc, argv);
}
