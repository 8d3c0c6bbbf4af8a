/* features.c: `cove features`. */
#include "cmd/cmd.h"

int cmd_features(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("features"), argc, argv);
}
