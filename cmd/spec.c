/* spec.c: `cove spec [--bundle DIR] [--rootless | --system]`: write a default config.json (or a
 * system container's, systemd as its init), never over an existing one. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "oci/oci.h"

static int write_spec(const char *bundle, bool rootless, bool system, struct cove_error *err)
{
  _cleanup_free_ char *json = NULL;
  _cleanup_free_ char *path = NULL;
  _cleanup_close_ int fd = -1;

  json = system ? oci_system_spec_json(err) : oci_default_spec_json(rootless, err);
  if (!json)
    return -1;
  path = bundle ? xasprintf("%s/config.json", bundle) : xstrdup("config.json");
  /* O_EXCL: refuse to overwrite, without a window between a check and the write */
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (fd < 0) {
    if (errno == EEXIST)
      return cove_error_set(err, 0, "`%s` already exists: remove it first", path);
    return cove_error_set(err, errno, "create `%s`", path);
  }
  if (write_all(fd, json, strlen(json)) < 0) {
    int e = errno;
    unlink(path);
    return cove_error_set(err, e, "write `%s`", path);
  }
  if (close(steal_fd(fd)) < 0)
    return cove_error_set(err, errno, "write `%s`", path);
  return 0;
}

struct spec_args {
  const char *bundle;
  bool rootless;
  bool system;
};

static const struct cmd_flag flags[] = {
  CMD_FLAG("bundle", 'b', FLAG_STRING, struct spec_args, bundle, "DIR",
           "write DIR/config.json (default: the current directory)"),
  CMD_FLAG("rootless", 0, FLAG_BOOL, struct spec_args, rootless, NULL,
           "a config for a rootless container (user namespace, no cgroup limits)"),
  CMD_FLAG("system", 0, FLAG_BOOL, struct spec_args, system, NULL,
           "a config for a system container: /sbin/init (systemd) as its process, writable cgroup subtree"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct spec_args a = {0};
  int first, r;

  (void) g;
  r = cmd_parse_flags(verb, &a, argc, argv, &first);
  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 0, 0)))
    return r;
  if (a.bundle && !*a.bundle)
    return cmd_usage_error(verb, "--bundle: empty path");
  if (a.system && a.rootless)
    return cmd_usage_error(verb, "--system and --rootless cannot be combined");
  if (write_spec(a.bundle, a.rootless, a.system, &err) < 0) {
    cove_error_wrap(&err, "spec");
    return cmd_fail(&err);
  }
  return 0;
}

const struct cmd_verb cmd_verb_spec = {
  .name = "spec",
  .run = run,
  .usage = "[--bundle DIR] [--rootless | --system]",
  .summary = "write a default config.json",
  .flags = flags,
  .args = ARGS_NONE,
};
