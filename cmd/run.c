/* run.c: `cove run`: create and start a container (create.c holds the shared flag table). */
#include "cmd/cmd.h"

int cmd_create_or_run(struct cove_globals *g, int argc, char **argv, bool run);

int cmd_run(struct cove_globals *g, int argc, char **argv)
{
  return cmd_create_or_run(g, argc, argv, true);
}
