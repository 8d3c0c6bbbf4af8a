/* state.c: `cove state ID`: runtime-spec state JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "runtime/runtime.h"

static const struct cmd_flag flags[] = {CMD_FLAGS_END};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_container *c = NULL;
  char *json = NULL;
  int first, r = cmd_parse_flags(verb, NULL, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (cove_container_load(g->root, argv[first], COVE_LOCK_NONE, &c, &err) < 0 ||
      !(json = cove_container_state_json(c, &err))) {
    cove_error_wrap(&err, "state %s", argv[first]);
    cove_container_free(c);
    return cmd_fail(&err);
  }
  printf("%s\n", json);
  free(json);
  cove_container_free(c);
  return 0;
}

const struct cmd_verb cmd_verb_state = {
  .name = "state",
  .run = run,
  .usage = "ID",
  .summary = "print the state of a container as runtime-spec JSON",
  .flags = flags,
  .args = ARGS_ID,
};
