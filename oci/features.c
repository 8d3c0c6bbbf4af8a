/* features.c: the runtime-spec features document (features.md) for `cove features`.  It lists
 * only what cove implements; grow it with the runtime. */
#include <ctype.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "oci/json.h"
#include "oci/oci.h"
#include "oci/parse.h"

static const char *const hooks[] = {"prestart", "createRuntime", "createContainer", "startContainer",
                                    "poststart", "poststop", NULL};

static const char *const mount_options[] = {
  "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "idmap", "iversion", "lazytime",
  "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "noiversion", "nolazytime", "nomand",
  "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime",
  "relatime", "remount", "rexec", "ridmap", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
  "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw", "rshared",
  "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw", "shared", "silent", "slave",
  "strictatime", "suid", "symfollow", "sync", "tmpcopyup", "unbindable", NULL,
};

/* cove's own annotations that weaken isolation when a caller passes them on unchecked (a value
 * ending in "." is a prefix, as features.md says): run.cove.rootfs.* names host directories to
 * mount as layers, run.cove.net.* attaches the container to host bridges and addresses. */
static const char *const unsafe_annotations[] = {"run.cove.rootfs.", "run.cove.net.", NULL};

static const char *const namespaces[] = {"cgroup", "ipc", "mount", "network", "pid", "user", "uts", "time", NULL};

/* capability(7), up to CAP_CHECKPOINT_RESTORE (Linux 5.9) */
static const char *const capabilities[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE", NULL,
};

static void kenabled(struct oci_jgen *g, const char *key, bool on)
{
  oci_jgen_string(g, key);
  oci_jgen_map_open(g);
  oci_jgen_kbool(g, "enabled", on);
  oci_jgen_map_close(g);
}

/* Flags libseccomp can pass on, by its API level (seccomp_api_get(3)). */
static void gen_supported_flags(struct oci_jgen *g)
{
  const char *const *flags = oci_seccomp_flag_names();
  unsigned api = seccomp_api_get();
  /* TSYNC, LOG, SPEC_ALLOW, WAIT_KILLABLE_RECV, in the order of the table */
  static const unsigned min_api[] = {2, 3, 4, 7};

  oci_jgen_string(g, "supportedFlags");
  oci_jgen_array_open(g);
  for (size_t i = 0; flags[i] && i < ARRAY_SIZE(min_api); i++)
    if (api >= min_api[i])
      oci_jgen_string(g, flags[i]);
  oci_jgen_array_close(g);
}

/* The architectures this libseccomp knows (2.5 lacks loongarch64, m68k, sh). */
static void gen_archs(struct oci_jgen *g)
{
  const char *const *archs = oci_seccomp_arch_names();

  oci_jgen_string(g, "archs");
  oci_jgen_array_open(g);
  for (size_t i = 0; archs[i]; i++) {
    char lower[32];
    size_t n = 0;
    for (const char *p = archs[i] + strlen("SCMP_ARCH_"); *p && n + 1 < sizeof(lower); p++)
      lower[n++] = (char) tolower((unsigned char) *p);
    lower[n] = '\0';
    if (seccomp_arch_resolve_name(lower) != 0)
      oci_jgen_string(g, archs[i]);
  }
  oci_jgen_array_close(g);
}

static void gen_seccomp(struct oci_jgen *g)
{
  oci_jgen_string(g, "seccomp");
  oci_jgen_map_open(g);
  oci_jgen_kbool(g, "enabled", true);
  oci_jgen_kstrv(g, "actions", oci_seccomp_action_names(), (size_t) -1);
  oci_jgen_kstrv(g, "operators", oci_seccomp_op_names(), (size_t) -1);
  gen_archs(g);
  oci_jgen_kstrv(g, "knownFlags", oci_seccomp_flag_names(), (size_t) -1);
  gen_supported_flags(g);
  oci_jgen_map_close(g);
}

char *oci_features_json(const struct oci_features_host *host, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(true);
  const struct scmp_version *v = seccomp_version();
  char version[64];
  char *out = NULL;

  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "ociVersionMin", "1.0.0");
  oci_jgen_kstring(g, "ociVersionMax", OCI_SPEC_VERSION);
  oci_jgen_kstrv(g, "hooks", hooks, (size_t) -1);
  oci_jgen_kstrv(g, "mountOptions", mount_options, (size_t) -1);

  oci_jgen_string(g, "linux");
  oci_jgen_map_open(g);
  oci_jgen_kstrv(g, "namespaces", namespaces, (size_t) -1);
  oci_jgen_kstrv(g, "capabilities", capabilities, (size_t) -1);
  oci_jgen_string(g, "cgroup");
  oci_jgen_map_open(g);
  oci_jgen_kbool(g, "v1", true);
  oci_jgen_kbool(g, "v2", true);
  /* --systemd-cgroup: a transient unit of the system manager; a user manager's (rootless) is not
   * supported */
  oci_jgen_kbool(g, "systemd", true);
  oci_jgen_kbool(g, "systemdUser", false);
  oci_jgen_kbool(g, "rdma", true);
  oci_jgen_map_close(g);
  gen_seccomp(g);
  /* applied or refused (runtime/lsm.c); "irrelevant to the availability on the host", which the
   * run.cove.host.* annotations tell */
  kenabled(g, "apparmor", true);
  kenabled(g, "selinux", true);
  kenabled(g, "intelRdt", false);
  oci_jgen_string(g, "mountExtensions");
  oci_jgen_map_open(g);
  kenabled(g, "idmap", true);
  oci_jgen_map_close(g);
  kenabled(g, "netDevices", true);
  /* applied with set_mempolicy(2) before the execve, for the init and exec'd processes */
  oci_jgen_string(g, "memoryPolicy");
  oci_jgen_map_open(g);
  oci_jgen_kstrv(g, "modes", oci_mpol_mode_names(), (size_t) -1);
  oci_jgen_kstrv(g, "flags", oci_mpol_flag_names(), (size_t) -1);
  oci_jgen_map_close(g);
  oci_jgen_map_close(g);

  oci_jgen_string(g, "annotations");
  oci_jgen_map_open(g);
  snprintf(version, sizeof(version), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
  oci_jgen_kstring(g, "io.github.seccomp.libseccomp.version", version);
  oci_jgen_kstring(g, "org.opencontainers.runtime-spec.version", OCI_SPEC_VERSION);
  if (host) {
    oci_jgen_kstring(g, "run.cove.host.apparmor", host->apparmor ? "enabled" : "disabled");
    oci_jgen_kstring(g, "run.cove.host.selinux", host->selinux ? "enabled" : "disabled");
    for (size_t i = 0; i < host->annotations_len; i++)
      oci_jgen_kstring(g, host->annotations[i].key, host->annotations[i].value);
  }
  oci_jgen_map_close(g);
  oci_jgen_kstrv(g, "potentiallyUnsafeConfigAnnotations", unsafe_annotations, (size_t) -1);
  oci_jgen_map_close(g);
  if (oci_jgen_finish(g, &out, err) < 0)
    return NULL;
  return out;
}
