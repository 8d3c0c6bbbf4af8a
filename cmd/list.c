/* list.c: `cove list [--format table|json] [--quiet]`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/util.h"
#include "runtime/runtime.h"

int cmd_list(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("list");
  struct cove_error err = COVE_ERROR_INIT;
  const char *format = "table";
  bool quiet = false;
  const struct cmd_flag flags[] = {
    {"format", 'f', FLAG_STRING, &format, "FORMAT", "table or json"},
    {"quiet", 'q', FLAG_BOOL, &quiet, NULL, "print only the ids"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  struct cove_list_entry *l;
  size_t n;
  int first, r = cmd_parse_flags(verb, flags, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 0, 0)))
    return r;
  if (strcmp(format, "table") && strcmp(format, "json"))
    return cmd_usage_error(verb, "--format: expected table or json, got `%s`", format);
  if (cove_list(g->root, &l, &n, &err) < 0) {
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  if (quiet) {
    for (size_t i = 0; i < n; i++)
      printf("%s\n", l[i].id);
  } else if (!strcmp(format, "json")) {
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
