/* resume.c: `cove resume`. */
#include "cmd/cmd.h"

int cmd_resume(struct cove_globals *g, int argc, char **argv)
{
  (void) g;
  return cmd_not_implemented(cmd_find_verb("resume"), argc, argv);
}
