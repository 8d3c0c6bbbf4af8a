/* main.c: the top of cmd/: the verb table, global flags, logging set-up and dispatch.  Nothing
 * below calls back up here: verbs get their own descriptor, and the table through
 * cove_globals for the verbs that describe the others (help, completion). */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/trace.h"
#include "oci/oci.h"
#include "runtime/runtime.h"

static const struct cmd_verb *const verbs[] = {
#define X(v) &cmd_verb_##v,
  COVE_VERBS(X)
#undef X
};


static void print_version(void)
{
  const struct scmp_version *v = seccomp_version();
  printf("cove version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", COVE_VERSION, OCI_SPEC_VERSION,
         v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
}

int main(int argc, char **argv)
{
  struct cove_globals g = {.log_format = COVE_LOG_TEXT, .verbs = verbs,
                           .nverbs = ARRAY_SIZE(verbs)};
  struct cove_error err = COVE_ERROR_INIT;
  const struct cmd_verb *verb = NULL;
  struct cove_log_target log_target;
  _cleanup_free_ char *default_root = NULL;
  int first = 1, r;

  cove_trace_init();
  cove_trace("main");
  r = cmd_parse_flags(&cmd_global_verb, &g, argc, argv, &first);
  if (r)
    return r;
  if (g.version) {
    print_version();
    return 0;
  }
  if (g.help || first >= argc) {
    cmd_print_usage(&g);
    return g.help ? 0 : CMD_USAGE;
  }
  if (g.root && !*g.root) {
    fprintf(stderr, "cove: --root: empty path\n");
    return CMD_USAGE;
  }
  if (g.log_format_name) {
    if (!strcmp(g.log_format_name, "json"))
      g.log_format = COVE_LOG_JSON;
    else if (strcmp(g.log_format_name, "text")) {
      fprintf(stderr, "cove: --log-format: expected text or json, got `%s`\n", g.log_format_name);
      return CMD_USAGE;
    }
  }
  if (cove_log_parse_target(g.log, &log_target, &err) < 0) {
    fprintf(stderr, "cove: --log: %s\n", cove_error_msg(&err));
    cove_error_release(&err);
    return CMD_USAGE;
  }
  /* only root needs to know (a user is rootless whatever its namespace) */
  g.in_userns = geteuid() == 0 && cove_running_in_userns();
  if (cove_rootless_resolve(g.rootless, g.in_userns, &g.rootless_cgroups, &err) < 0) {
    fprintf(stderr, "cove: %s\n", cove_error_msg(&err));
    cove_error_release(&err);
    return CMD_USAGE;
  }
  if (!g.root)
    g.root = default_root = cove_default_state_root(COVE_DEFAULT_ROOT, g.in_userns);

  for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
    if (!strcmp(verbs[i]->name, argv[first]))
      verb = verbs[i];
  if (!verb) {
    fprintf(stderr, "cove: unknown command `%s`\nusage: cove %s\n", argv[first], cmd_global_verb.usage);
    return CMD_USAGE;
  }
  if (cove_log_init(&log_target, g.log_format, g.debug, &err) < 0) {
    r = cmd_fail(&err);
    return verb->failure ? verb->failure : r;
  }
  r = verb->run(&g, verb, argc - first, argv + first);
  cove_log_close();
  cove_trace("exit");
  return r;
}
