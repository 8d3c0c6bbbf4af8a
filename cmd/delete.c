/* delete.c: `cove delete [--force] ID`. */
#include <errno.h>

#include "cmd/cmd.h"
#include "runtime/runtime.h"

int cmd_delete(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("delete");
  struct cove_error err = COVE_ERROR_INIT;
  bool force = false;
  const struct cmd_flag flags[] = {
    {"force", 'f', FLAG_BOOL, &force, NULL, "kill a running container first"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  int first, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, -1)))
    return r;
  r = 0;
  for (int i = first; i < argc; i++) {
    if (cove_delete(g->root, argv[i], force, &err) < 0) {
      /* as runc: with --force, a container that does not exist is already deleted */
      if (force && err.errnum == ENOENT) {
        cove_error_release(&err);
        continue;
      }
      r = cove_fail(&err);
      cove_error_release(&err);
    }
  }
  return r;
}
