/* restore.c: `cove restore [OPTIONS] ID`: runc's flags, CRIU does the work (runtime/criu/). */
#include <stdlib.h>

#include "cmd/cmd.h"
#include "common/log.h"
#include "runtime/runtime.h"

struct restore_args {
  struct cove_restore_opts o;
  struct cmd_list empty_ns;
  bool no_pivot;
};

#define F(name, sh, kind, field, arg, help) CMD_FLAG(name, sh, kind, struct restore_args, field, arg, help)

static const struct cmd_flag flags[] = {
  F("console-socket", 0, FLAG_STRING, o.console_socket, "SOCKET", "send the restored pty master to this unix socket"),
  F("image-path", 0, FLAG_STRING, o.cr.image_path, "DIR", "the checkpoint to restore (default: ./checkpoint)"),
  F("work-path", 0, FLAG_STRING, o.cr.work_path, "DIR", "where CRIU writes restore.log (default: the image path)"),
  F("tcp-established", 0, FLAG_BOOL, o.cr.tcp_established, NULL, "restore established TCP connections"),
  F("ext-unix-sk", 0, FLAG_BOOL, o.cr.ext_unix_sk, NULL, "allow unix sockets connected outside the container"),
  F("shell-job", 0, FLAG_BOOL, o.cr.shell_job, NULL, "attach the restored process to this terminal"),
  F("file-locks", 0, FLAG_BOOL, o.cr.file_locks, NULL, "restore file locks"),
  F("manage-cgroups-mode", 0, FLAG_STRING, o.cr.manage_cgroups_mode, "MODE", "soft (default), full, strict or ignore"),
  F("bundle", 'b', FLAG_STRING, o.bundle, "DIR", "the bundle of the new container (default: the current directory)"),
  F("detach", 'd', FLAG_BOOL, o.detach, NULL, "return once the container runs"),
  F("pid-file", 0, FLAG_STRING, o.pid_file, "FILE", "write the restored init's pid to FILE"),
  F("no-subreaper", 0, FLAG_BOOL, o.no_subreaper, NULL, "in the foreground, do not become a child subreaper"),
  F("no-pivot", 0, FLAG_BOOL, no_pivot, NULL,
    "accepted for runc compatibility: CRIU always enters the restored root itself with pivot_root"),
  F("empty-ns", 0, FLAG_LIST, empty_ns, "NS",
    "network: CRIU restores an empty namespace and cove sets up its run.cove.net.* networking afresh"),
  F("auto-dedup", 0, FLAG_BOOL, o.cr.auto_dedup, NULL, "free the image's memory pages as they are restored"),
  F("lazy-pages", 0, FLAG_BOOL, o.cr.lazy_pages, NULL,
    "restore memory on demand from a `criu lazy-pages` daemon (needs userfaultfd: see `cove features`)"),
  F("lsm-profile", 0, FLAG_STRING, o.lsm_profile, "TYPE:NAME", "the LSM profile of the restored processes"),
  F("lsm-mount-context", 0, FLAG_STRING, o.lsm_mount_context, "CONTEXT", "the SELinux mount context of the restore"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct restore_args a = {.o = {.root = g->root, .cr = {.criu = g->criu}, .systemd_cgroup = g->systemd_cgroup}};
  struct cove_error err = COVE_ERROR_INIT;
  int first, code = 1, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1))) {
    free(a.empty_ns.items);
    return r;
  }
  if (a.no_pivot)
    cove_warn("restore: --no-pivot has no effect: CRIU enters the restored root with pivot_root");
  a.o.cr.empty_ns = a.empty_ns.items;
  a.o.cr.empty_ns_len = a.empty_ns.len;
  a.o.id = argv[first];
  if (cove_restore(&a.o, &code, &err) < 0)
    code = cmd_fail(&err);
  free(a.empty_ns.items);
  return code;
}

const struct cmd_verb cmd_verb_restore = {
  .name = "restore",
  .run = run,
  .usage = "[OPTIONS] ID",
  .summary = "create a container from a checkpoint made by `checkpoint`",
  .flags = flags,
  .args = ARGS_ID,
};
