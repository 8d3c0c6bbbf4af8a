/* exec.c: `cove exec`. */
#include "cmd/cmd.h"

int cmd_exec(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("exec");
}
