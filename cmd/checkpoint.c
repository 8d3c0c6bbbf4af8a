/* checkpoint.c: `cove checkpoint [OPTIONS] ID`: runc's flags, CRIU does the work (runtime/criu/). */
#include <stdlib.h>

#include "cmd/cmd.h"
#include "runtime/runtime.h"

struct checkpoint_args {
  struct cove_checkpoint_opts o;
  struct cmd_list empty_ns;
  long long status_fd;
};

#define F(name, kind, field, arg, help) CMD_FLAG(name, 0, kind, struct checkpoint_args, field, arg, help)

static const struct cmd_flag flags[] = {
  F("image-path", FLAG_STRING, o.cr.image_path, "DIR", "where CRIU writes the images (default: ./checkpoint)"),
  F("work-path", FLAG_STRING, o.cr.work_path, "DIR", "where CRIU writes dump.log (default: the image path)"),
  F("parent-path", FLAG_STRING, o.parent_path, "DIR",
    "an earlier --pre-dump, relative to the image path (../pre): only changed memory is written"),
  F("leave-running", FLAG_BOOL, o.leave_running, NULL, "keep the container running after the dump"),
  F("tcp-established", FLAG_BOOL, o.cr.tcp_established, NULL, "dump established TCP connections"),
  F("ext-unix-sk", FLAG_BOOL, o.cr.ext_unix_sk, NULL, "allow unix sockets connected outside the container"),
  F("shell-job", FLAG_BOOL, o.cr.shell_job, NULL, "allow a process attached to the caller's terminal"),
  F("lazy-pages", FLAG_BOOL, o.cr.lazy_pages, NULL,
    "leave memory for a lazy restore over --page-server (needs userfaultfd: see `cove features`)"),
  F("status-fd", FLAG_INT, status_fd, "FD", "with --lazy-pages: CRIU's \\0 on FD once the pages can be served"),
  F("page-server", FLAG_STRING, o.page_server, "ADDRESS:PORT", "send memory pages to this CRIU page server"),
  F("file-locks", FLAG_BOOL, o.cr.file_locks, NULL, "dump file locks"),
  F("pre-dump", FLAG_BOOL, o.pre_dump, NULL,
    "dump memory only and keep running; a later checkpoint --parent-path writes what changed"),
  F("manage-cgroups-mode", FLAG_STRING, o.cr.manage_cgroups_mode, "MODE", "soft (default), full, strict or ignore"),
  F("empty-ns", FLAG_LIST, empty_ns, "NS", "network: dump the namespace without its contents"),
  F("auto-dedup", FLAG_BOOL, o.cr.auto_dedup, NULL, "deduplicate memory against --parent-path"),
  CMD_FLAGS_END,
};

static int run(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv)
{
  struct checkpoint_args a = {.o = {.root = g->root, .cr = {.criu = g->criu}}, .status_fd = -1};
  struct cove_error err = COVE_ERROR_INIT;
  int first, r = cmd_parse_flags(verb, &a, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    goto out;
  if (a.status_fd < -1 || a.status_fd > 65535) {
    r = cmd_usage_error(verb, "--status-fd: expected a file descriptor, got %lld", a.status_fd);
    goto out;
  }
  if (a.status_fd >= 0 && !a.o.cr.lazy_pages) {
    r = cmd_usage_error(verb, "--status-fd needs --lazy-pages");
    goto out;
  }
  if (a.o.pre_dump && a.o.leave_running) {
    r = cmd_usage_error(verb, "--pre-dump always leaves the container running: drop --leave-running");
    goto out;
  }
  a.o.status_fd = (int) a.status_fd;
  a.o.cr.empty_ns = a.empty_ns.items;
  a.o.cr.empty_ns_len = a.empty_ns.len;
  a.o.id = argv[first];
  if (cove_checkpoint(&a.o, &err) < 0)
    r = cmd_fail(&err);
out:
  free(a.empty_ns.items);
  return r;
}

const struct cmd_verb cmd_verb_checkpoint = {
  .name = "checkpoint",
  .run = run,
  .usage = "[OPTIONS] ID",
  .summary = "save a running container's processes to disk with CRIU (restore brings them back)",
  .flags = flags,
  .args = ARGS_ID,
};
