/* kill.c: `cove kill [--all] ID [SIGNAL]`. */
#include "cmd/cmd.h"
#include "runtime/runtime.h"

int cmd_kill(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("kill");
  struct cove_error err = COVE_ERROR_INIT;
  bool all = false;
  const struct cmd_flag flags[] = {
    {"all", 'a', FLAG_BOOL, &all, NULL, "signal every process of the container"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  int first, sig = 15, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 2)))
    return r;
  if (argc - first == 2 && cove_parse_signal(argv[first + 1], &sig, &err) < 0) {
    r = cmd_usage_error(verb, "%s", cove_error_msg(&err));
    cove_error_release(&err);
    return r;
  }
  if (cove_kill(g->root, argv[first], sig, all, &err) < 0) {
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  return 0;
}
