/* features.c: `cove features`. */
#include "cmd/cmd.h"

int cmd_features(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("features");
}
