/* namespaces.c: which namespaces a container gets (new or joined by path), joining them in the
 * right order (user first), time namespace offsets, and which sysctls belong to which. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_clone_flag(enum oci_ns_type t)
{
  switch (t) {
  case OCI_NS_PID:
    return CLONE_NEWPID;
  case OCI_NS_NETWORK:
    return CLONE_NEWNET;
  case OCI_NS_MOUNT:
    return CLONE_NEWNS;
  case OCI_NS_IPC:
    return CLONE_NEWIPC;
  case OCI_NS_UTS:
    return CLONE_NEWUTS;
  case OCI_NS_USER:
    return CLONE_NEWUSER;
  case OCI_NS_CGROUP:
    return CLONE_NEWCGROUP;
  case OCI_NS_TIME:
    return CLONE_NEWTIME;
  case OCI_NS_KINDS:
    break;
  }
  return 0;
}

const char *ns_proc_name(enum oci_ns_type t)
{
  static const char *const n[OCI_NS_KINDS] = {
    [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt", [OCI_NS_IPC] = "ipc",
    [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user", [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
  };
  return (unsigned) t < OCI_NS_KINDS ? n[t] : "?";
}

/* A sysctl is only allowed when the container has its own namespace for it (runc's rule). */
static int check_sysctl(const struct oci_config *c, const struct ns_plan *p, const char *key, struct cove_error *err)
{
  static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  bool ipc_new = oci_namespace_find(c, OCI_NS_IPC) != NULL;

  if (!*key || strstr(key, "..") || strchr(key, '/') || key[0] == '.')
    return cove_error_set(err, 0, "config.json: .linux.sysctl: invalid name `%s`", key);
  for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
    if (!strcmp(key, ipc[i])) {
      if (ipc_new)
        return 0;
      return cove_error_set(err, 0, "config.json: .linux.sysctl: `%s` needs an ipc namespace", key);
    }
  if (!strncmp(key, "fs.mqueue.", 10)) {
    if (ipc_new)
      return 0;
    return cove_error_set(err, 0, "config.json: .linux.sysctl: `%s` needs an ipc namespace", key);
  }
  if (!strncmp(key, "net.", 4)) {
    if (oci_namespace_find(c, OCI_NS_NETWORK))
      return 0;
    return cove_error_set(err, 0, "config.json: .linux.sysctl: `%s` needs a network namespace", key);
  }
  if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname")) {
    if (oci_namespace_find(c, OCI_NS_UTS))
      return 0;
    return cove_error_set(err, 0, "config.json: .linux.sysctl: `%s` needs a uts namespace", key);
  }
  return cove_error_set(err, 0, "config.json: .linux.sysctl: `%s` is not namespaced: it would change the host", key);
}

/* Without a mount namespace of its own the container lives in the runtime's: cove then makes no
 * mount at all (a mount there would change the host's and outlive the container), and enters
 * the rootfs with chroot, never pivot_root, as runc does.  What would need a mount is refused,
 * naming the field (runc refuses masked and read-only paths the same way). */
static int check_without_mount_ns(const struct oci_config *c, struct cove_error *err)
{
  const struct oci_linux *l = c->linux_;
  const char *why = "needs a mount namespace (without one it would change the runtime's mounts)";

  if (c->mounts_len)
    return cove_error_set(err, 0, "config.json: .mounts: %s", why);
  if (l && (l->masked_paths_len || l->readonly_paths_len))
    return cove_error_set(err, 0, "config.json: .linux.%s: %s", l->masked_paths_len ? "maskedPaths" : "readonlyPaths",
                          why);
  if (c->root && c->root->readonly)
    return cove_error_set(err, 0, "config.json: .root.readonly: %s", why);
  if (l && l->devices_len)
    return cove_error_set(err, 0, "config.json: .linux.devices: %s", why);
  if (l && l->rootfs_propagation)
    return cove_error_set(err, 0, "config.json: .linux.rootfsPropagation: %s", why);
  if (oci_annotation(c, "run.cove.rootfs.overlay") || oci_annotation(c, "run.cove.rootfs.layers"))
    return cove_error_set(err, 0, "config.json: .annotations: run.cove.rootfs.*: %s", why);
  return 0;
}

int ns_plan_make(const struct oci_config *c, struct ns_plan *p, struct cove_error *err)
{
  const struct oci_linux *l = c->linux_;

  for (int i = 0; i < OCI_NS_KINDS; i++)
    p->join_fd[i] = -1;
  p->new_flags = 0;
  p->joins = false;
  for (size_t i = 0; l && i < l->namespaces_len; i++) {
    const struct oci_namespace *n = &l->namespaces[i];
    if (n->path && *n->path) {
      int fd = open(n->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return cove_error_set(err, errno, "join %s namespace `%s`", oci_ns_type_name(n->type), n->path);
      if (p->join_fd[n->type] >= 0)
        close(p->join_fd[n->type]);
      p->join_fd[n->type] = fd;
      p->joins = true;
      if (n->type == OCI_NS_USER)
        p->has_user = true;
      continue;
    }
    switch (n->type) {
    case OCI_NS_TIME:
      p->new_time = true;
      break;
    case OCI_NS_USER:
      p->new_user = p->has_user = true;
      p->new_flags |= CLONE_NEWUSER;
      break;
    default:
      p->new_flags |= (unsigned long) ns_clone_flag(n->type);
      break;
    }
    if (n->type == OCI_NS_NETWORK)
      p->new_net = true;
    if (n->type == OCI_NS_UTS)
      p->new_uts = true;
    if (n->type == OCI_NS_CGROUP)
      p->new_cgroup = true;
    if (n->type == OCI_NS_PID)
      p->new_pid = true;
  }
  /* a type not listed is the runtime's own (runtime-spec MUST), mount included */
  p->has_mount = oci_namespace_find(c, OCI_NS_MOUNT) != NULL;
  p->has_uts = oci_namespace_find(c, OCI_NS_UTS) != NULL;
  if (!p->has_mount && check_without_mount_ns(c, err) < 0)
    return -1;
  if (l && (l->uid_mappings_len || l->gid_mappings_len) && !p->new_user)
    return cove_error_set(err, 0, "config.json: .linux.uidMappings: given without a new user namespace");
  if (p->new_user && l && (!l->uid_mappings_len || !l->gid_mappings_len))
    return cove_error_set(err, 0, "config.json: .linux.uidMappings/gidMappings: required with a new user namespace");
  if (l && (l->time_monotonic.set || l->time_boottime.set) && !p->new_time)
    return cove_error_set(err, 0, "config.json: .linux.timeOffsets: given without a new time namespace");
  for (size_t i = 0; l && i < l->sysctl_len; i++)
    if (check_sysctl(c, p, l->sysctl[i].key, err) < 0)
      return -1;
  return 0;
}

void ns_plan_release(struct ns_plan *p)
{
  for (int i = 0; i < OCI_NS_KINDS; i++)
    if (p->join_fd[i] >= 0) {
      close(p->join_fd[i]);
      p->join_fd[i] = -1;
    }
}

int ns_join(struct ns_plan *p, bool skip_user, struct cove_error *err)
{
  /* user first (it grants the rights to join the others), mount last (it changes our root) */
  static const enum oci_ns_type order[] = {OCI_NS_USER, OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS,
                                           OCI_NS_CGROUP, OCI_NS_TIME, OCI_NS_MOUNT};
  for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
    enum oci_ns_type t = order[i];
    if (p->join_fd[t] < 0 || (skip_user && t == OCI_NS_USER))
      continue;
    if (setns(p->join_fd[t], ns_clone_flag(t)) < 0)
      return cove_error_set(err, errno, "join %s namespace", oci_ns_type_name(t));
    close(p->join_fd[t]);
    p->join_fd[t] = -1;
  }
  return 0;
}

int ns_setup_time(const struct oci_config *c, struct cove_error *err)
{
  const struct oci_linux *l = c->linux_;
  char buf[128];
  int n = 0;
  _cleanup_close_ int fd = -1;

  if (unshare(CLONE_NEWTIME) < 0)
    return cove_error_set(err, errno, "create time namespace");
  if (l && l->time_monotonic.set)
    n += snprintf(buf + n, sizeof(buf) - (size_t) n, "monotonic %lld %u\n", (long long) l->time_monotonic.secs,
                  l->time_monotonic.nanosecs);
  if (l && l->time_boottime.set)
    n += snprintf(buf + n, sizeof(buf) - (size_t) n, "boottime %lld %u\n", (long long) l->time_boottime.secs,
                  l->time_boottime.nanosecs);
  if (n > 0) {
    _cleanup_close_ int ofd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (ofd < 0)
      return cove_error_set(err, errno, "open /proc/self/timens_offsets");
    if (write(ofd, buf, (size_t) n) != n)
      return cove_error_set(err, errno, "write time offsets");
  }
  /* unshare() only affects children: enter the new namespace ourselves, so the init (pid 1)
   * lives in it without another fork */
  fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cove_error_set(err, errno, "open /proc/self/ns/time_for_children");
  if (setns(fd, CLONE_NEWTIME) < 0)
    return cove_error_set(err, errno, "enter time namespace");
  return 0;
}
