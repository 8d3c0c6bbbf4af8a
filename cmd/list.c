/* list.c: `cove list [--format table|json] [--quiet]`, sorted by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "oci/json.h"
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
    _cleanup_(oci_jgen_freep) struct oci_jgen *j = oci_jgen_new(false);
    _cleanup_free_ char *doc = NULL;
    oci_jgen_array_open(j);
    for (size_t i = 0; i < n; i++) {
      oci_jgen_map_open(j);
      oci_jgen_kstring(j, "ociVersion", OCI_SPEC_VERSION);
      oci_jgen_kstring(j, "id", l[i].id);
      oci_jgen_kint(j, "pid", l[i].pid);
      oci_jgen_kstring(j, "status", cove_status_name(l[i].status));
      oci_jgen_kstring(j, "bundle", l[i].bundle);
      oci_jgen_kstring(j, "rootfs", "");
      oci_jgen_kstring(j, "created", l[i].created);
      oci_jgen_kstring(j, "owner", l[i].owner);
      oci_jgen_map_close(j);
    }
    oci_jgen_array_close(j);
    if (oci_jgen_finish(j, &doc, &err) < 0) {
      cove_list_free(l, n);
      return cmd_fail(&err);
    }
    printf("%s\n", doc);
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
