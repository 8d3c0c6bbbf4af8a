/* spec.c: `cove spec`. */
#include "cmd/cmd.h"

int cmd_spec(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("spec"), argc, argv);
}
