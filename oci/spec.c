/* spec.c: the default config.json `cove spec` writes: runc's `spec` defaults (busybox `sh`,
 * default mounts, masked and readonly paths, capabilities), the cgroup namespace, and the
 * default seccomp profile when the seccomp module provides one.  Rootless adapts it as
 * `runc spec --rootless` does.  `--system` writes a system container's (systemd as its init):
 * /sbin/init, container=cove, /run, /run/lock and /tmp as tmpfs, its own cgroup subtree (cgroup
 * namespace) writable at /sys/fs/cgroup, a writable root, the capabilities podman gives a
 * container, and SIGRTMIN+3 (systemd's halt) noted as its stop signal. */
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/json.h"
#include "oci/oci.h"
#include "oci/spec_seccomp.h"

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
/* podman's default set: what systemd and the services of a full OS need to start */
static const char *const system_caps[] = {"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                                          "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID",
                                          "CAP_SETPCAP", "CAP_SETUID",       "CAP_SYS_CHROOT", "CAP_AUDIT_WRITE",
                                          NULL};

static const char *const masked_paths[] = {
  "/proc/acpi",       "/proc/asound",     "/proc/kcore",       "/proc/keys",
  "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
  "/sys/firmware",    "/proc/scsi",
  /* runc 1.2 adds it: RAPL energy counters leak secrets (CVE-2020-8694 "Platypus") */
  "/sys/devices/virtual/powercap", NULL,
};

static const char *const readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                             "/proc/sysrq-trigger", NULL};

struct default_mount {
  const char *destination, *type, *source;
  const char *options[8];
};

static const struct default_mount mounts[] = {
  {"/proc", "proc", "proc", {NULL}},
  {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
  {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
  {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
  {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev", NULL}},
  {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro", NULL}},
  {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* A system container's: systemd manages its own cgroup subtree, and wants /run and /run/lock
 * as tmpfs (it refuses to boot on a /run that is not one) */
static const struct default_mount system_mounts[] = {
  {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "rw", NULL}},
  {"/run", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=755", "size=65536k", NULL}},
  {"/run/lock", "tmpfs", "tmpfs", {"nosuid", "nodev", "noexec", "mode=1777", "size=5120k", NULL}},
  {"/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=1777", NULL}},
};

/* A rootless container cannot mount sysfs in a user namespace that does not own the network
 * namespace, so /sys is bind mounted; uid=/gid= options would name unmapped ids. */
static void gen_mount(struct oci_jgen *g, const struct default_mount *m, bool rootless)
{
  static const char *const rootless_sys[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};

  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "destination", m->destination);
  if (rootless && !strcmp(m->destination, "/sys")) {
    oci_jgen_kstring(g, "type", "none");
    oci_jgen_kstring(g, "source", "/sys");
    oci_jgen_kstrv(g, "options", rootless_sys, (size_t) -1);
    oci_jgen_map_close(g);
    return;
  }
  oci_jgen_kstring(g, "type", m->type);
  oci_jgen_kstring(g, "source", m->source);
  if (m->options[0]) {
    oci_jgen_string(g, "options");
    oci_jgen_array_open(g);
    for (size_t i = 0; m->options[i]; i++)
      if (!rootless || (strncmp(m->options[i], "uid=", 4) && strncmp(m->options[i], "gid=", 4)))
        oci_jgen_string(g, m->options[i]);
    oci_jgen_array_close(g);
  }
  oci_jgen_map_close(g);
}

static void gen_process(struct oci_jgen *g, bool system)
{
  static const char *const args[] = {"sh", NULL}, *const system_args[] = {"/sbin/init", NULL};
  static const char *const env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
                                    NULL};
  /* systemd reads container= to know it runs in a container (systemd-detect-virt) */
  static const char *const system_env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                           "TERM=xterm", "container=cove", NULL};
  const char *const *caps = system ? system_caps : default_caps;

  oci_jgen_string(g, "process");
  oci_jgen_map_open(g);
  oci_jgen_kbool(g, "terminal", !system);
  oci_jgen_string(g, "user");
  oci_jgen_map_open(g);
  oci_jgen_kint(g, "uid", 0);
  oci_jgen_kint(g, "gid", 0);
  oci_jgen_map_close(g);
  oci_jgen_kstrv(g, "args", system ? system_args : args, (size_t) -1);
  oci_jgen_kstrv(g, "env", system ? system_env : env, (size_t) -1);
  oci_jgen_kstring(g, "cwd", "/");
  oci_jgen_string(g, "capabilities");
  oci_jgen_map_open(g);
  oci_jgen_kstrv(g, "bounding", caps, (size_t) -1);
  oci_jgen_kstrv(g, "effective", caps, (size_t) -1);
  oci_jgen_kstrv(g, "permitted", caps, (size_t) -1);
  /* no ambient set: runc's spec lists one without an inheritable set, which the kernel cannot
   * raise (runc drops it without a word; cove would warn about it on every run) */
  oci_jgen_map_close(g);
  oci_jgen_string(g, "rlimits");
  oci_jgen_array_open(g);
  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "type", "RLIMIT_NOFILE");
  oci_jgen_kuint(g, "hard", 1024);
  oci_jgen_kuint(g, "soft", 1024);
  oci_jgen_map_close(g);
  oci_jgen_array_close(g);
  /* a full OS has setuid programs (su, ping) that no_new_privs would break */
  oci_jgen_kbool(g, "noNewPrivileges", !system);
  oci_jgen_map_close(g);
}

static void gen_idmap(struct oci_jgen *g, const char *key, unsigned id)
{
  oci_jgen_string(g, key);
  oci_jgen_array_open(g);
  oci_jgen_map_open(g);
  oci_jgen_kuint(g, "containerID", 0);
  oci_jgen_kuint(g, "hostID", id);
  oci_jgen_kuint(g, "size", 1);
  oci_jgen_map_close(g);
  oci_jgen_array_close(g);
}

static int gen_linux(struct oci_jgen *g, bool rootless, struct cove_error *err)
{
  static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
  const char *seccomp = oci_default_seccomp_profile();

  oci_jgen_string(g, "linux");
  oci_jgen_map_open(g);
  if (rootless) {
    gen_idmap(g, "uidMappings", (unsigned) geteuid());
    gen_idmap(g, "gidMappings", (unsigned) getegid());
  } else {
    /* deny every device; the runtime adds the default allow list (null, zero, tty, ...) */
    oci_jgen_string(g, "resources");
    oci_jgen_map_open(g);
    oci_jgen_string(g, "devices");
    oci_jgen_array_open(g);
    oci_jgen_map_open(g);
    oci_jgen_kbool(g, "allow", false);
    oci_jgen_kstring(g, "access", "rwm");
    oci_jgen_map_close(g);
    oci_jgen_array_close(g);
    oci_jgen_map_close(g);
  }
  oci_jgen_string(g, "namespaces");
  oci_jgen_array_open(g);
  for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
    if (rootless && !strcmp(ns[i], "network"))
      continue;
    oci_jgen_map_open(g);
    oci_jgen_kstring(g, "type", ns[i]);
    oci_jgen_map_close(g);
  }
  if (rootless) {
    oci_jgen_map_open(g);
    oci_jgen_kstring(g, "type", "user");
    oci_jgen_map_close(g);
  }
  oci_jgen_array_close(g);
  oci_jgen_kstrv(g, "maskedPaths", masked_paths, (size_t) -1);
  oci_jgen_kstrv(g, "readonlyPaths", readonly_paths, (size_t) -1);
  if (seccomp) {
    _cleanup_(oci_json_freep) struct oci_json *tree = NULL;
    if (oci_json_parse("default seccomp profile", seccomp, strlen(seccomp), &tree, err) < 0)
      return -1;
    oci_jgen_string(g, "seccomp");
    oci_jgen_tree(g, tree);
  }
  oci_jgen_map_close(g);
  return 0;
}

static char *gen_spec(bool rootless, bool system, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(true);
  char *out = NULL;

  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "ociVersion", OCI_SPEC_VERSION);
  gen_process(g, system);
  oci_jgen_string(g, "root");
  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "path", "rootfs");
  oci_jgen_kbool(g, "readonly", !system);
  oci_jgen_map_close(g);
  oci_jgen_kstring(g, "hostname", "cove");
  oci_jgen_string(g, "mounts");
  oci_jgen_array_open(g);
  for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++)
    if (!system || strcmp(mounts[i].destination, "/sys/fs/cgroup"))
      gen_mount(g, &mounts[i], rootless);
  for (size_t i = 0; system && i < sizeof(system_mounts) / sizeof(system_mounts[0]); i++)
    gen_mount(g, &system_mounts[i], rootless);
  oci_jgen_array_close(g);
  if (system) {
    /* for engines and people: the signal that stops it cleanly (`cove kill ID SIGRTMIN+3`) */
    oci_jgen_string(g, "annotations");
    oci_jgen_map_open(g);
    oci_jgen_kstring(g, "org.opencontainers.image.stopSignal", "SIGRTMIN+3");
    oci_jgen_map_close(g);
  }
  if (gen_linux(g, rootless, err) < 0)
    return NULL;
  oci_jgen_map_close(g);
  if (oci_jgen_finish(g, &out, err) < 0)
    return NULL;
  return out;
}

char *oci_default_spec_json(bool rootless, struct cove_error *err)
{
  return gen_spec(rootless, false, err);
}

char *oci_system_spec_json(struct cove_error *err)
{
  return gen_spec(false, true, err);
}
