/* pause.c: `cove pause`. */
#include "cmd/cmd.h"

int cmd_pause(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("pause");
}
