/* resume.c: `cove resume ID`. */
#include "cmd/cmd.h"
#include "runtime/runtime.h"

int cmd_resume(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("resume");
  struct cove_error err = COVE_ERROR_INIT;
  const struct cmd_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  int first, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (cove_resume(g->root, argv[first], &err) < 0) {
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  return 0;
}
