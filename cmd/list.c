/* list.c: `cove list [--format table|json] [--quiet]`, sorted by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/util.h"
#include "runtime/runtime.h"

struct list_args {
  const char *format;
  bool quiet;
};

static const struct cmd_flag flags[] = {
  CMD_FLAG("format", 'f', FLAG_STRING, struct list_args, format, "table|json", "output format"),
  CMD_FLAG("quiet", 'q', FLAG_BOOL, struct list_args, quiet, NULL, "print only the ids"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct list_args a = {.format = "table"};
  struct cove_list_entry *l;
  size_t n;
  int first, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 0, 0)))
    return r;
  if (strcmp(a.format, "table") && strcmp(a.format, "json"))
    return cmd_usage_error(verb, "--format: expected table or json, got `%s`", a.format);
  if (cove_list(g->root, &l, &n, &err) < 0)
    return cmd_fail(&err);
  if (a.quiet) {
    for (size_t i = 0; i < n; i++)
      printf("%s\n", l[i].id);
  } else if (!strcmp(a.format, "json")) {
    printf("[");
    for (size_t i = 0; i < n; i++) {
      char *id = json_quote(l[i].id), *b = json_quote(l[i].bundle), *c = json_quote(l[i].created),
           *o = json_quote(l[i].owner);
      printf("%s{\"ociVersion\":\"1.3.0\",\"id\":%s,\"pid\":%d,\"status\":\"%s\",\"bundle\":%s,\"rootfs\":\"\","
             "\"created\":%s,\"owner\":%s}",
             i ? "," : "", id, (int) l[i].pid, cove_status_name(l[i].status), b, c, o);
      free(id), free(b), free(c), free(o);
    }
    printf("]\n");
  } else {
    printf("%-12s %-8s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
    for (size_t i = 0; i < n; i++)
      printf("%-12s %-8d %-10s %-40s %-31s %s\n", l[i].id, (int) l[i].pid, cove_status_name(l[i].status),
             l[i].bundle, l[i].created, l[i].owner);
  }
  cove_list_free(l, n);
  return 0;
}

const struct cmd_verb cmd_verb_list = {
  .name = "list",
  .run = run,
  .usage = "[--format table|json] [--quiet]",
  .summary = "list the containers under --root, sorted by id",
  .flags = flags,
  .args = ARGS_NONE,
};
