/* resume.c: `cove resume`. */
#include "cmd/cmd.h"

int cmd_resume(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  (void) argc;
  (void) argv;
  return cmd_not_implemented("resume");
}
