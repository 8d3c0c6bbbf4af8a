/* ps.c: `cove ps [--format table|json] ID [PS-ARGS...]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "runtime/runtime.h"

int cmd_ps(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("ps");
  struct cove_error err = COVE_ERROR_INIT;
  const char *format = "table";
  const struct cmd_flag flags[] = {
    {"format", 'f', FLAG_STRING, &format, "FORMAT", "table (ps output) or json (the pids)"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  int first, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, -1)))
    return r;
  if (!strcmp(format, "json")) {
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    if (argc - first > 1)
      return cmd_usage_error(verb, "ps arguments make no sense with --format json");
    if (cove_ps_pids(g->root, argv[first], &pids, &n, &err) < 0)
      goto fail;
    putchar('[');
    for (size_t i = 0; i < n; i++)
      printf("%s%d", i ? "," : "", (int) pids[i]);
    printf("]\n");
    return 0;
  }
  if (strcmp(format, "table"))
    return cmd_usage_error(verb, "--format: expected table or json, got `%s`", format);
  {
    _cleanup_free_ char *out = NULL;
    if (cove_ps_table(g->root, argv[first], argv + first + 1, (size_t) (argc - first - 1), &out, &err) < 0)
      goto fail;
    fputs(out, stdout);
  }
  return 0;
fail:
  r = cove_fail(&err);
  cove_error_release(&err);
  return r;
}
