/* kill.c: `cove kill [--all] ID [SIGNAL]`; signal 0 probes that the init is alive. */
#include <string.h>

#include "cmd/cmd.h"
#include "runtime/runtime.h"

struct kill_args {
  bool all;
};

static const struct cmd_flag flags[] = {
  CMD_FLAG("all", 'a', FLAG_BOOL, struct kill_args, all, NULL, "signal every process of the container"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct kill_args a = {0};
  int first, sig = 15, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 2)))
    return r;
  if (argc - first == 2 && cove_parse_signal(argv[first + 1], &sig, &err) < 0) {
    r = cmd_usage_error(verb, "%s", cove_error_msg(&err));
    cove_error_release(&err);
    return r;
  }
  if (cove_kill(g->root, argv[first], sig, a.all, &err) < 0)
    return cmd_fail(&err);
  return 0;
}

const struct cmd_verb cmd_verb_kill = {
  .name = "kill",
  .run = run,
  .usage = "[--all] ID [SIGNAL]",
  .summary = "send a signal (default TERM, 0 probes) to the init or to all processes",
  .flags = flags,
  .args = ARGS_ID_SIG,
};
