/* main.c: global flags, logging set-up and dispatch to the verb. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "oci/oci.h"

static const struct cmd_verb verbs[] = {
  {"create", cmd_create, "[OPTIONS] ID", "create a container from a bundle; its init waits for `start`"},
  {"start", cmd_start, "ID", "start a created container's process"},
  {"run", cmd_run, "[OPTIONS] ID", "create and start a container"},
  {"state", cmd_state, "ID", "print the state of a container as runtime-spec JSON"},
  {"kill", cmd_kill, "[--all] ID [SIGNAL]", "send a signal (default TERM) to a container's init or all its processes"},
  {"delete", cmd_delete, "[--force] ID", "delete a container and everything create made for it"},
  {"list", cmd_list, "[--format table|json] [--quiet]", "list the containers under --root"},
  {"ps", cmd_ps, "[--format table|json] ID [PS-ARGS...]", "list the processes of a container"},
  {"exec", cmd_exec, "[OPTIONS] ID [COMMAND [ARG...]]", "run a new process in a container"},
  {"pause", cmd_pause, "ID", "freeze every process of a container"},
  {"resume", cmd_resume, "ID", "thaw a paused container"},
  {"events", cmd_events, "[--stats] [--interval D] ID", "print resource usage and OOM events as JSON lines"},
  {"update", cmd_update, "[OPTIONS] ID", "change a running container's resource limits"},
  {"spec", cmd_spec, "[--bundle DIR] [--rootless]", "write a default config.json"},
  {"features", cmd_features, "", "print the features cove implements (runtime-spec features.md)"},
};

static const struct cmd_verb cove_verb = {"", NULL, "[GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]",
                                          "cove: an OCI container runtime"};

const struct cmd_verb *cmd_find_verb(const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
    if (!strcmp(verbs[i].name, name))
      return &verbs[i];
  return NULL;
}

static void print_version(void)
{
  const struct scmp_version *v = seccomp_version();
  printf("cove version %s\nspec: %s\nlibseccomp: %u.%u.%u\n", COVE_VERSION, OCI_SPEC_VERSION,
         v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
}

static void print_help(void)
{
  printf("usage: cove %s\n\ncove runs OCI containers (runtime-spec %s) from bundles, as runc does.\n\n"
         "commands:\n",
         cove_verb.usage, OCI_SPEC_VERSION);
  for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
    printf("  %-10s %s\n", verbs[i].name, verbs[i].summary);
  printf("\nglobal options:\n"
         "  --root DIR            state directory (default %s)\n"
         "  --log FILE            also write log records to FILE\n"
         "  --log-format FORMAT   text or json (JSON lines as runc writes them)\n"
         "  --debug               log debug records\n"
         "  --systemd-cgroup      treat cgroupsPath as slice:prefix:name\n"
         "  --rootless VALUE      true, false or auto\n"
         "  --version, -v         print version information\n"
         "  --help, -h            print this help\n\n"
         "`cove COMMAND --help` describes a command.\n",
         COVE_DEFAULT_ROOT);
}

int main(int argc, char **argv)
{
  struct cove_globals g = {.root = COVE_DEFAULT_ROOT, .log_format = COVE_LOG_TEXT};
  struct cove_error err = COVE_ERROR_INIT;
  const char *log_format = NULL, *root = NULL;
  bool version = false, help = false;
  const struct cmd_flag flags[] = {
    {"root", 0, FLAG_STRING, &root, "DIR", "state directory"},
    {"log", 0, FLAG_STRING, &g.log, "FILE", "log file"},
    {"log-format", 0, FLAG_STRING, &log_format, "FORMAT", "text or json"},
    {"debug", 0, FLAG_BOOL, &g.debug, NULL, "debug logging"},
    {"systemd-cgroup", 0, FLAG_BOOL, &g.systemd_cgroup, NULL, "systemd cgroup paths"},
    {"rootless", 0, FLAG_STRING, &g.rootless, "VALUE", "true, false or auto"},
    {"version", 'v', FLAG_BOOL, &version, NULL, "print version"},
    {"help", 'h', FLAG_BOOL, &help, NULL, "print help"},
    {NULL, 0, 0, NULL, NULL, NULL},
  };
  const struct cmd_verb *verb;
  int first = 1, r;

  r = cmd_parse_flags(&cove_verb, flags, argc, argv, &first);
  if (r == -1) {
    print_help();
    return 0;
  }
  if (r)
    return r;
  if (version) {
    print_version();
    return 0;
  }
  if (help || first >= argc) {
    print_help();
    return help ? 0 : 2;
  }
  if (root) {
    if (!*root) {
      fprintf(stderr, "cove: --root: empty path\n");
      return 2;
    }
    g.root = root;
  }
  if (log_format) {
    if (!strcmp(log_format, "json"))
      g.log_format = COVE_LOG_JSON;
    else if (strcmp(log_format, "text")) {
      fprintf(stderr, "cove: --log-format: expected text or json, got `%s`\n", log_format);
      return 2;
    }
  }
  if (g.rootless && strcmp(g.rootless, "true") && strcmp(g.rootless, "false") && strcmp(g.rootless, "auto")) {
    fprintf(stderr, "cove: --rootless: expected true, false or auto, got `%s`\n", g.rootless);
    return 2;
  }

  verb = cmd_find_verb(argv[first]);
  if (!verb) {
    fprintf(stderr, "cove: unknown command `%s`\nusage: cove %s\n", argv[first], cove_verb.usage);
    return 2;
  }
  if (cove_log_init(g.log, g.log_format, g.debug, &err) < 0) {
    r = cove_fail(&err);
    cove_error_release(&err);
    return r;
  }
  r = verb->run(&g, argc - first, argv + first);
  cove_log_close();
  return r;
}
