/* features.c: `cove features`: print the runtime-spec features document. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "common/error.h"
#include "common/log.h"
#include "oci/oci.h"

int cmd_features(struct cove_globals *g, int argc, char **argv)
{
  const struct cmd_verb *verb = cmd_find_verb("features");
  struct cove_error err = COVE_ERROR_INIT;
  const struct cmd_flag flags[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  char *json;
  int first, r;

  (void) g;
  r = cmd_parse_flags(verb, flags, argc, argv, &first);
  if (r)
    return r < 0 ? 0 : r;
  r = cmd_expect_args(verb, argc - first, 0, 0);
  if (r)
    return r;
  json = oci_features_json(&err);
  if (!json) {
    cove_error_wrap(&err, "features");
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  fputs(json, stdout);
  free(json);
  if (fflush(stdout) != 0) {
    fprintf(stderr, "cove: features: write to stdout failed\n");
    return 1;
  }
  return 0;
}
