/* globals.c: runc's global flags (given before the verb), as a table main.c parses and the help
 * and completion read. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "oci/oci.h"

#define G(name, sh, kind, field, arg, help) CMD_FLAG(name, sh, kind, struct cove_globals, field, arg, help)

const struct cmd_flag cmd_global_flags[] = {
  G("root", 0, FLAG_STRING, root, "DIR",
    "state directory (default " COVE_DEFAULT_ROOT ", $XDG_RUNTIME_DIR/cove for a user)"),
  G("log", 0, FLAG_STRING, log, "FILE", "also write log records to FILE (or file:FILE, syslog:ID, journald:ID)"),
  G("log-format", 0, FLAG_STRING, log_format_name, "text|json", "text or json (JSON lines as runc writes them)"),
  G("debug", 0, FLAG_BOOL, debug, NULL, "log debug records"),
  G("systemd-cgroup", 0, FLAG_BOOL, systemd_cgroup, NULL, "treat cgroupsPath as slice:prefix:name"),
  G("rootless", 0, FLAG_STRING, rootless, "true|false|auto",
    "rootless cgroup manager: true, false or auto (not root, or root of a user namespace)"),
  G("criu", 0, FLAG_STRING, criu, "PATH", "the criu binary of checkpoint and restore (default: criu on PATH)"),
  G("version", 'v', FLAG_BOOL, version, NULL, "print version information"),
  G("help", 'h', FLAG_BOOL, help, NULL, "print this help"),
  CMD_FLAGS_END,
};

const struct cmd_verb cmd_global_verb = {
  .name = "",
  .usage = "[GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]",
  .summary = "cove: an OCI container runtime",
  .flags = cmd_global_flags,
  .flags_first = true,
};

void cmd_print_usage(const struct cove_globals *g)
{
  printf("usage: cove %s\n\ncove runs OCI containers (runtime-spec %s) from bundles, as runc does.\n\n"
         "commands:\n",
         cmd_global_verb.usage, OCI_SPEC_VERSION);
  for (size_t i = 0; i < g->nverbs; i++)
    if (!g->verbs[i]->hidden)
      printf("  %-10s %s\n", g->verbs[i]->name, g->verbs[i]->summary);
  printf("\nglobal options:\n");
  for (const struct cmd_flag *f = cmd_global_flags; f->name; f++) {
    char left[64];
    if (f->short_name)
      snprintf(left, sizeof(left), "-%c, --%s%s%s", f->short_name, f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    else
      snprintf(left, sizeof(left), "    --%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    printf("  %-26s %s\n", left, f->help);
  }
  printf("\n`cove COMMAND --help` describes a command; `man cove` and `man cove-COMMAND` in full.\n");
}
