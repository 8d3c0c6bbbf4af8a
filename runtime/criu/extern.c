/* extern.c: what cove tells CRIU about a container in both directions: the mounts whose source
 * lies outside the container (bind mounts, host devices bound into a user namespace) as
 * external mounts, the namespaces joined by path (net and pid as external namespaces, the others
 * joined at restore), the CRIU config file, and the option values runc accepts. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/criu/criu.h"
#include "runtime/rootfs/rootfs.h"

int criu_cg_mode(const char *s, CriuCgMode *mode, struct cove_error *err)
{
  static const struct {
    const char *name;
    CriuCgMode mode;
  } modes[] = {
    {"soft", CRIU_CG_MODE__SOFT},
    {"full", CRIU_CG_MODE__FULL},
    {"strict", CRIU_CG_MODE__STRICT},
    {"ignore", CRIU_CG_MODE__IGNORE},
  };
  if (!s || !*s) {
    *mode = CRIU_CG_MODE__DEFAULT;
    return 0;
  }
  for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
    if (!strcmp(s, modes[i].name)) {
      *mode = modes[i].mode;
      return 0;
    }
  return cove_error_set(err, 0, "--manage-cgroups-mode: expected soft, full, strict or ignore, got `%s`", s);
}

int criu_empty_ns(const char *const *names, size_t n, unsigned int *flags, struct cove_error *err)
{
  *flags = 0;
  for (size_t i = 0; i < n; i++) {
    /* runc accepts only the network namespace here: CRIU then makes it empty and the runtime
     * sets it up (cove: its run.cove.net.* networking, at setup-namespaces) */
    if (strcmp(names[i], "network") && strcmp(names[i], "net"))
      return cove_error_set(err, 0, "--empty-ns: namespace `%s` is not supported (only network)", names[i]);
    *flags |= CLONE_NEWNET;
  }
  return 0;
}

static bool is_bind(const struct oci_mount *m)
{
  if (m->type && !strcmp(m->type, "bind"))
    return true;
  for (size_t i = 0; i < m->options_len; i++)
    if (!strcmp(m->options[i], "bind") || !strcmp(m->options[i], "rbind"))
      return true;
  return false;
}

/* dest resolved inside rootfs (symlinks of the image followed, never out of it), as CRIU sees
 * the mount point in the container; dest itself when it does not exist yet. */
static char *dest_in_root(int root_fd, const char *rootfs, const char *dest)
{
  struct cove_error e = COVE_ERROR_INIT;
  char proc[64], buf[PATH_MAX];
  size_t rl = strlen(rootfs);
  ssize_t n;
  int fd = rootfs_resolve(root_fd, dest, O_PATH | O_CLOEXEC, &e);

  cove_error_release(&e);
  if (fd < 0)
    return xstrdup(dest);
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  n = readlink(proc, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0)
    return xstrdup(dest);
  buf[n] = '\0';
  if (strncmp(buf, rootfs, rl) || (buf[rl] != '/' && buf[rl] != '\0'))
    return xstrdup(dest);
  return xstrdup(buf[rl] ? buf + rl : "/");
}

int criu_add_ext_mounts(struct criu_request *r, const struct oci_config *config, const char *rootfs, bool restore,
                        struct cove_error *err)
{
  _cleanup_close_ int root_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  char real[PATH_MAX];
  const char *root = realpath(rootfs, real) ? real : rootfs;

  if (root_fd < 0)
    return cove_error_set(err, errno, "rootfs `%s`", rootfs);
  for (size_t i = 0; i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    _cleanup_free_ char *dest = NULL;
    if (!is_bind(m))
      continue;
    for (size_t j = 0; j < m->options_len; j++)
      if (!strcmp(m->options[j], "src-nofollow"))
        return cove_error_set(err, 0, "mount %s: CRIU cannot restore a src-nofollow bind mount", m->destination);
    dest = dest_in_root(root_fd, root, m->destination);
    criu_request_add_ext_mount(r, dest, restore ? m->source : dest);
  }
  /* in a user namespace cove binds the device nodes from the host (mknod is not allowed there):
   * those are external mounts too */
  if (oci_namespace_find(config, OCI_NS_USER)) {
    static const char *const defaults[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                           "/dev/tty"};
    for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
      criu_request_add_ext_mount(r, defaults[i], defaults[i]);
    for (size_t i = 0; config->linux_ && i < config->linux_->devices_len; i++)
      criu_request_add_ext_mount(r, config->linux_->devices[i].path, config->linux_->devices[i].path);
  }
  return 0;
}

int criu_add_ext_namespaces_dump(struct criu_request *r, const struct oci_config *config, struct cove_error *err)
{
  for (size_t i = 0; config->linux_ && i < config->linux_->namespaces_len; i++) {
    const struct oci_namespace *ns = &config->linux_->namespaces[i];
    struct stat st;
    if (!ns->path || (ns->type != OCI_NS_NETWORK && ns->type != OCI_NS_PID))
      continue;
    if (stat(ns->path, &st) < 0)
      return cove_error_set(err, errno, "%s namespace `%s`", oci_ns_type_name(ns->type), ns->path);
    if (ns->type == OCI_NS_NETWORK)
      criu_request_add_external(r, "net[%llu]:%s", (unsigned long long) st.st_ino, CRIU_EXT_NETNS);
    else
      criu_request_add_external(r, "pid[%llu]:%s", (unsigned long long) st.st_ino, CRIU_EXT_PIDNS);
  }
  return 0;
}

int criu_add_ext_namespaces_restore(struct criu_request *r, const struct oci_config *config,
                                    struct cove_error *err)
{
  for (size_t i = 0; config->linux_ && i < config->linux_->namespaces_len; i++) {
    const struct oci_namespace *ns = &config->linux_->namespaces[i];
    if (!ns->path)
      continue;
    switch (ns->type) {
    case OCI_NS_NETWORK:
    case OCI_NS_PID: {
      int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return cove_error_set(err, errno, "%s namespace `%s`", oci_ns_type_name(ns->type), ns->path);
      if (criu_request_pass_fd(r, fd, ns->type == OCI_NS_NETWORK ? CRIU_EXT_NETNS : CRIU_EXT_PIDNS, err) < 0)
        return -1;
      break;
    }
    case OCI_NS_IPC:
    case OCI_NS_UTS:
    case OCI_NS_TIME:
    case OCI_NS_USER:
      criu_request_add_join_ns(r, ns->type == OCI_NS_USER ? "user" : oci_ns_type_name(ns->type), ns->path);
      break;
    case OCI_NS_MOUNT:
    case OCI_NS_CGROUP:
    default:
      return cove_error_set(err, 0, "linux.namespaces: CRIU cannot restore into a %s namespace joined by path (%s)",
                            oci_ns_type_name(ns->type), ns->path);
    }
  }
  return 0;
}

const char *criu_config_file(const struct oci_config *config)
{
  const char *a = oci_annotation(config, "org.criu.config");
  if (a)
    return *a ? a : NULL;
  if (access("/etc/criu/cove.conf", F_OK) == 0)
    return "/etc/criu/cove.conf";
  return "/etc/criu/runc.conf";
}

int criu_check_config(const struct oci_config *config, struct cove_error *err)
{
  if (config->linux_ && config->linux_->net_devices_len)
    return cove_error_set(err, 0, "linux.netDevices: CRIU cannot recreate host interfaces moved into the container (%s)",
                          config->linux_->net_devices[0].host_name);
  for (size_t i = 0; i < config->mounts_len; i++) {
    const struct oci_mount *m = &config->mounts[i];
    bool idmap = m->uid_mappings_len || m->gid_mappings_len;
    for (size_t j = 0; j < m->options_len; j++)
      idmap |= !strcmp(m->options[j], "idmap") || !strcmp(m->options[j], "ridmap");
    if (idmap)
      return cove_error_set(err, 0, "mounts: %s is an idmapped mount, which CRIU cannot restore", m->destination);
  }
  return 0;
}
