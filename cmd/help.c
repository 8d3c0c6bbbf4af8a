/* help.c: `cove help [COMMAND]`, as `runc help`: the usage of cove or of one command. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static const struct cmd_flag flags[] = {CMD_FLAGS_END};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  int first, r = cmd_parse_flags(verb, NULL, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 0, 1)))
    return r;
  if (argc - first == 0) {
    cmd_print_usage(g);
    return 0;
  }
  for (size_t i = 0; i < g->nverbs; i++)
    if (!strcmp(g->verbs[i]->name, argv[first])) {
      cmd_print_help(g->verbs[i]);
      return 0;
    }
  return cmd_usage_error(verb, "unknown command `%s`", argv[first]);
}

const struct cmd_verb cmd_verb_help = {
  .name = "help",
  .run = run,
  .usage = "[COMMAND]",
  .summary = "print the usage of cove or of one command",
  .flags = flags,
  .args = ARGS_WORDS,
};
