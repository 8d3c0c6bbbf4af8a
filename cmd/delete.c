/* delete.c: `cove delete [--force] ID...`. */
#include <errno.h>

#include "cmd/cmd.h"
#include "runtime/runtime.h"

struct delete_args {
  bool force;
};

static const struct cmd_flag flags[] = {
  CMD_FLAG("force", 'f', FLAG_BOOL, struct delete_args, force, NULL, "kill a running container first (SIGKILL)"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct delete_args a = {0};
  int first, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, -1)))
    return r;
  r = 0;
  for (int i = first; i < argc; i++) {
    if (cove_delete(g->root, argv[i], a.force, &err) < 0) {
      /* as runc: with --force, a container that does not exist is already deleted */
      if (a.force && err.errnum == ENOENT) {
        cove_error_release(&err);
        continue;
      }
      r = cmd_fail(&err);
    }
  }
  return r;
}

const struct cmd_verb cmd_verb_delete = {
  .name = "delete",
  .run = run,
  .usage = "[--force] ID...",
  .summary = "delete a container and everything create made for it",
  .flags = flags,
  .args = ARGS_IDS,
};
