/* ps.c: `cove ps [--format table|json] ID [PS-ARGS...]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "oci/json.h"
#include "runtime/runtime.h"

struct ps_args {
  const char *format;
};

static const struct cmd_flag flags[] = {
  CMD_FLAG("format", 'f', FLAG_STRING, struct ps_args, format, "table|json", "table (ps output) or json (the pids)"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct ps_args a = {.format = "table"};
  int first, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, -1)))
    return r;
  if (!strcmp(a.format, "json")) {
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    if (argc - first > 1)
      return cmd_usage_error(verb, "ps arguments make no sense with --format json");
    if (cove_ps_pids(g->root, argv[first], &pids, &n, &err) < 0)
      return cmd_fail(&err);
    {
      _cleanup_(oci_jgen_freep) struct oci_jgen *gen = oci_jgen_new(false);
      _cleanup_free_ char *doc = NULL;
      oci_jgen_array_open(gen);
      for (size_t i = 0; i < n; i++)
        oci_jgen_int(gen, pids[i]);
      oci_jgen_array_close(gen);
      if (oci_jgen_finish(gen, &doc, &err) < 0)
        return cmd_fail(&err);
      printf("%s\n", doc);
    }
    return 0;
  }
  if (strcmp(a.format, "table"))
    return cmd_usage_error(verb, "--format: expected table or json, got `%s`", a.format);
  {
    _cleanup_free_ char *out = NULL;
    if (cove_ps_table(g->root, argv[first], argv + first + 1, (size_t) (argc - first - 1), &out, &err) < 0)
      return cmd_fail(&err);
    fputs(out, stdout);
  }
  return 0;
}

const struct cmd_verb cmd_verb_ps = {
  .name = "ps",
  .run = run,
  .usage = "[--format table|json] ID [PS-ARGS...]",
  .summary = "list the processes of a container",
  .flags = flags,
  .args = ARGS_ID_CMD,
  .flags_first = true,
};
