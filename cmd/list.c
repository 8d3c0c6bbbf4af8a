/* list.c: `cove list`. */
#include "cmd/cmd.h"

int cmd_list(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("list"), argc, argv);
}
