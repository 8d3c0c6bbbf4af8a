/* criu.h: private to runtime/criu/: checkpoint and restore through CRIU's RPC service, as runc
 * and crun drive it.  `criu swrk 3` runs as a child of cove with one end of a SOCK_SEQPACKET
 * socketpair on its fd 3; cove sends one protobuf CriuReq (messages generated at build time by
 * protoc-c from the criu package's rpc.proto), answers CRIU's NOTIFY messages (the action-script
 * hooks: setup-namespaces, post-restore, orphan-pts-master with the pty master as SCM_RIGHTS),
 * and reads the final CriuResp.  CRIU opens images_dir_fd / work_dir_fd through
 * /proc/<cove>/fd/N (its peer on the socket); fds CRIU must inherit (external namespaces, the
 * stdio pipes of a restored process) are passed at fds 4, 5, ... of the criu process.
 *
 * Dependencies: cmd/ (checkpoint.c, restore.c) calls this module through runtime/runtime.h; it
 * calls runtime/ (the state, the lock, hooks), runtime/rootfs, cgroups/, netns/, oci/ and
 * common/, and nothing of those calls back into it (tests/check-layers.sh).
 * Inside: checkpoint.c and restore.c stand on extern.c and swrk.c.
 *
 *   swrk.c       the transport: spawn, request, notifications, response, errors from the log
 *   extern.c     what both directions tell CRIU about the container: external bind mounts,
 *                namespaces joined by path, option values (--manage-cgroups-mode, --empty-ns)
 *   checkpoint.c `cove checkpoint`
 *   restore.c    `cove restore`
 */
#ifndef COVE_RUNTIME_CRIU_CRIU_H
#define COVE_RUNTIME_CRIU_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "criu/rpc.pb-c.h"
#include "oci/oci.h"
#include "runtime/runtime.h"

/* CRIU's log files, in the work dir (the image dir when --work-path is not given), as runc. */
#define CRIU_DUMP_LOG "dump.log"
#define CRIU_RESTORE_LOG "restore.log"
/* stdin/stdout/stderr of the container's init at checkpoint time (runc's file name and format:
 * a JSON array of what /proc/PID/fd/0..2 linked to), so restore reconnects its pipes. */
#define CRIU_DESCRIPTORS "descriptors.json"
/* cove's own record in the image dir: the addresses the container's eth0 had, so restore
 * claims the same ones on the bridge (run.cove.net.address=auto picked them at create). */
#define CRIU_COVE_NETWORK "cove-network"
/* The keys of namespaces joined by path, dumped as external (runc's and crun's names, so
 * images move between the runtimes). */
#define CRIU_EXT_NETNS "extRootNetNS"
#define CRIU_EXT_PIDNS "extRootPidNS"
/* The first fd of the criu process that inherit_fd entries may use (0-2 stdio, 3 the socket). */
#define CRIU_FIRST_INHERIT_FD 4
/* Bound on each wait for CRIU's next message: a dump of a large container takes a while, but
 * nothing waits for ever. */
#define CRIU_REPLY_TIMEOUT_MS (10 * 60 * 1000)
/* The same for the quick questions (version, feature check, `criu check`). */
#define CRIU_QUERY_TIMEOUT_MS (30 * 1000)

/* A request being built: the repeated fields' storage is owned here. */
struct criu_request {
  CriuReq req;
  CriuOpts opts;
  CriuFeatures features;
  int pass_fds[16]; /* fds criu inherits at CRIU_FIRST_INHERIT_FD + i */
  size_t pass_len;
};

void criu_request_init(struct criu_request *r, CriuReqType type, bool with_opts);
void criu_request_release(struct criu_request *r);
void criu_request_add_ext_mount(struct criu_request *r, const char *key, const char *val);
void criu_request_add_external(struct criu_request *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void criu_request_add_join_ns(struct criu_request *r, const char *ns, const char *file);
void criu_request_add_cg_root(struct criu_request *r, const char *ctrl, const char *path);
void criu_request_add_veth(struct criu_request *r, const char *in, const char *out);
/* Pass fd (cove's; the request owns it from now on, also on failure) to criu as inherit_fd key:
 * criu sees it at CRIU_FIRST_INHERIT_FD + n. */
int criu_request_pass_fd(struct criu_request *r, int fd, const char *key, struct cove_error *err);
/* Map one of criu's own fds 0-2 (cove's stdio, inherited) to key. */
void criu_request_inherit_stdio(struct criu_request *r, int fd, const char *key);

/* One exchange with `criu swrk`. */
struct criu_call {
  const char *criu; /* binary: --criu, or "criu" on PATH */
  const char *what; /* "dump", "restore", ...: names the step in errors */
  const char *log;  /* the log file to quote on failure (full path), NULL when none */
  /* No log file (version, feature check): criu's stderr is kept aside and quoted instead. */
  bool capture_stderr;
  int timeout_ms; /* bound on each wait for criu's next message; 0: CRIU_REPLY_TIMEOUT_MS */
  /* After the spawn, before the request is sent (restore: put criu in the container's cgroup). */
  int (*spawned)(pid_t criu_pid, struct criu_request *r, void *arg, struct cove_error *err);
  /* A NOTIFY message; fd is the SCM_RIGHTS fd that came with it or -1 (closed by the caller
   * unless the callback sets it to -1 after taking it).  Failing makes CRIU abort. */
  int (*notify)(const char *script, pid_t pid, int *fd, void *arg, struct cove_error *err);
  void *arg;
};

/* Run r; *resp (free with criu_resp__free_unpacked) is the final, successful answer.  A failure
 * is one line naming the step, the first error of CRIU's log and the log file. */
int criu_call(const struct criu_call *c, struct criu_request *r, CriuResp **resp, struct cove_error *err);

/* CRIU's version as major*10000 + minor*100 + sublevel (runc's encoding), and its text. */
int criu_version(const char *criu, int *version, char *text, size_t text_len, struct cove_error *err);
/* Ask CRIU whether the kernel supports memory tracking (pre-dump) and lazy pages. */
int criu_feature_check(const char *criu, bool *mem_track, bool *lazy_pages, struct cove_error *err);
/* `criu check`: 0 when it passes; else -1 with err naming its first error line. */
int criu_check(const char *criu, struct cove_error *err);

/* The first "Error (file:line): message" of a CRIU log as "message (file:line)" (errors CRIU
 * logs but carries on after are passed over), heap, NULL when the log has none or cannot be
 * read. */
char *criu_log_first_error(const char *path);

/* ---- extern.c ---- */
/* "soft", "full", "strict", "ignore"; NULL or "": CRIU's default (soft). */
int criu_cg_mode(const char *s, CriuCgMode *mode, struct cove_error *err);
/* --empty-ns values ("network") to CLONE_NEW* flags. */
int criu_empty_ns(const char *const *names, size_t n, unsigned int *flags, struct cove_error *err);
/* The external bind mounts of config (mounts of type bind, devices bound from the host):
 * dump maps each destination (resolved inside rootfs) to itself; restore to its source. */
int criu_add_ext_mounts(struct criu_request *r, const struct oci_config *config, const char *rootfs, bool restore,
                        struct cove_error *err);
/* Namespaces joined by path: net and pid are external (by inode, at dump); on restore they are
 * passed to criu as inherited fds, the others (ipc, uts, time) joined with join_ns. */
int criu_add_ext_namespaces_dump(struct criu_request *r, const struct oci_config *config, struct cove_error *err);
int criu_add_ext_namespaces_restore(struct criu_request *r, const struct oci_config *config,
                                    struct cove_error *err);
/* The CRIU config file: annotation org.criu.config (empty: none), else /etc/criu/cove.conf when
 * present, else /etc/criu/runc.conf (what engines write for runc; CRIU ignores a missing file). */
const char *criu_config_file(const struct oci_config *config);
/* Refuse what CRIU cannot bring back, before anything is done (one line naming the field). */
int criu_check_config(const struct oci_config *config, struct cove_error *err);

#endif
