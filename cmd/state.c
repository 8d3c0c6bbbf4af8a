/* state.c: `cove state ID`: runtime-spec state JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "runtime/runtime.h"

int cmd_state(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("state");
  static const struct cmd_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  struct cove_error err = COVE_ERROR_INIT;
  struct cove_container *c = NULL;
  char *json = NULL;
  int first, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (cove_container_load(g->root, argv[first], COVE_LOCK_NONE, &c, &err) < 0 ||
      !(json = cove_container_state_json(c, &err))) {
    cove_error_wrap(&err, "state %s", argv[first]);
    cove_container_free(c);
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  printf("%s\n", json);
  free(json);
  cove_container_free(c);
  return 0;
}
