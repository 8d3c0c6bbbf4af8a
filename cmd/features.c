/* features.c: `cove features`: print the runtime-spec features document. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "common/error.h"
#include "oci/oci.h"
#include "runtime/runtime.h"

static const struct cmd_flag flags[] = {CMD_FLAGS_END};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_kv *extra = NULL;
  size_t extra_len = 0;
  char *json;
  int first, r;

  r = cmd_parse_flags(verb, NULL, argc, argv, &first);
  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 0, 0)))
    return r;
  struct oci_features_host host = {0};
  cove_lsm_host(&host);
  /* checkpoint/restore: the CRIU found here, whether `criu check` passes, what it supports */
  cove_criu_features(g->criu, &extra, &extra_len);
  host.annotations = extra;
  host.annotations_len = extra_len;
  json = oci_features_json(&host, &err);
  for (size_t i = 0; i < extra_len; i++) {
    free(extra[i].key);
    free(extra[i].value);
  }
  free(extra);
  if (!json) {
    cove_error_wrap(&err, "features");
    return cmd_fail(&err);
  }
  fputs(json, stdout);
  free(json);
  if (fflush(stdout) != 0) {
    fprintf(stderr, "cove: features: write to stdout failed\n");
    return 1;
  }
  return 0;
}

const struct cmd_verb cmd_verb_features = {
  .name = "features",
  .run = run,
  .usage = "",
  .summary = "print the features cove implements (runtime-spec features.md)",
  .flags = flags,
  .args = ARGS_NONE,
};
