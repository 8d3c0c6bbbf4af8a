/* exec.c: `cove exec`. */
#include "cmd/cmd.h"

int cmd_exec(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("exec"), argc, argv);
}
