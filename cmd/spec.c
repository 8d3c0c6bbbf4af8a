/* spec.c: `cove spec`. */
#include "cmd/cmd.h"

int cmd_spec(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("spec");
}
