/* list.c: `cove list`. */
#include "cmd/cmd.h"

int cmd_list(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("list");
}
