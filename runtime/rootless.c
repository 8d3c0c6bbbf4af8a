/* rootless.c: cove run by an unprivileged user, with runc's rules for telling it: whether the
 * cgroup manager is rootless (--rootless auto|true|false), the default state root (under
 * $XDG_RUNTIME_DIR), and what a config asks for that an unprivileged caller cannot do, refused
 * before anything is made.
 *
 * Two notions, as in runc: the caller lacks privilege (euid != 0: the id maps go through
 * newuidmap, the host's network is out of reach, a user namespace is required), and the cgroup
 * manager is rootless (a cgroup it may not create is no error unless limits or a path were
 * asked for).  The second follows the first unless --rootless says otherwise, and also holds for
 * root inside a user namespace, which owns no cgroup either. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "runtime/internal.h"

bool cove_running_in_userns(void)
{
  _cleanup_free_ char *map = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  unsigned long long a, b, c;
  int n = 0;

  /* runc's userns.RunningInUserNS: the initial namespace maps every id onto itself; no
   * /proc to read counts as the initial one */
  if (read_file("/proc/self/uid_map", 1 << 16, &map, NULL, &e) < 0) {
    cove_error_release(&e);
    return false;
  }
  if (sscanf(map, " %llu %llu %llu %n", &a, &b, &c, &n) != 3)
    return true;
  return !(a == 0 && b == 0 && c == 4294967295ULL && map[n] == '\0');
}

int cove_rootless_resolve(const char *flag, bool in_userns, bool *rootless, struct cove_error *err)
{
  if (flag && !strcmp(flag, "true")) {
    *rootless = true;
    return 0;
  }
  if (flag && !strcmp(flag, "false")) {
    *rootless = false;
    return 0;
  }
  if (flag && strcmp(flag, "auto"))
    return cove_error_set(err, 0, "--rootless: expected true, false or auto, got `%s`", flag);
  /* auto: an unprivileged caller, or root of a user namespace (which owns no cgroup on the
   * host: runc's cgroupfs rule) */
  *rootless = geteuid() != 0 || in_userns;
  return 0;
}

char *cove_default_state_root(const char *system_root, bool in_userns)
{
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  bool honour;

  /* runc's shouldHonorXDGRuntimeDir: a user's own runtime dir, never root's /run/user/0 (root
   * keeps the system root), and root of a user namespace unless it calls itself root.  The XDG
   * spec says a relative value is to be ignored. */
  if (!xdg || xdg[0] != '/')
    return xstrdup(system_root);
  if (geteuid() != 0) {
    honour = true;
  } else if (!in_userns) {
    honour = false;
  } else {
    const char *user = getenv("USER");
    honour = !user || strcmp(user, "root");
  }
  if (!honour)
    return xstrdup(system_root);
  {
    char *root = xasprintf("%s/cove", xdg);
    /* sticky, as runc's: the XDG spec lets the session's cleaner age out a runtime dir's
     * entries that lack it (what fails here is reported when the root is opened) */
    if (mkdir(root, 0700) == 0 || errno == EEXIST)
      (void) chmod(root, 01700);
    return root;
  }
}

/* Whether container id `id` is inside one of the maps' container ranges. */
static bool maps_cover(const struct oci_id_mapping *m, size_t n, unsigned long long id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
      return true;
  return false;
}

/* runc's rootlessEUIDMount: a uid=/gid= mount option must name an id the maps cover (the
 * kernel's EINVAL would not say which). */
static int check_mount_ids(const struct oci_config *c, struct cove_error *err)
{
  const struct oci_linux *l = c->linux_;

  for (size_t i = 0; i < c->mounts_len; i++) {
    const struct oci_mount *mt = &c->mounts[i];
    for (size_t j = 0; j < mt->options_len; j++) {
      const char *o = mt->options[j];
      bool gid = !strncmp(o, "gid=", 4);
      unsigned long long id;
      if ((!gid && strncmp(o, "uid=", 4)) || parse_u64(o + 4, &id) < 0)
        continue;
      if (gid ? maps_cover(l->gid_mappings, l->gid_mappings_len, id)
              : maps_cover(l->uid_mappings, l->uid_mappings_len, id))
        continue;
      return cove_error_set(err, 0,
                            "config.json: .mounts[%zu] (%s): option `%s`: %s %llu is not in linux.%s (a rootless "
                            "container has only the ids it maps)",
                            i, mt->destination ? mt->destination : "?", o, gid ? "gid" : "uid", id,
                            gid ? "gidMappings" : "uidMappings");
    }
  }
  return 0;
}

int rootless_check_config(const struct oci_config *c, const struct ns_plan *ns, bool host_network,
                          struct cove_error *err)
{
  if (geteuid() == 0)
    return 0;
  if (!ns->has_user)
    return cove_error_set(err, 0,
                          "config.json: .linux.namespaces: a rootless container needs a user namespace (cove runs "
                          "as uid %u; `cove spec --rootless` writes such a config)",
                          (unsigned) geteuid());
  if (host_network)
    return cove_error_set(err, 0,
                          "%s: bridge and veth networking needs root on the host (cove runs as uid %u)",
                          c->linux_ && c->linux_->net_devices_len ? "linux.netDevices" : "run.cove.net.* annotations",
                          (unsigned) geteuid());
  if (ns->new_user && check_mount_ids(c, err) < 0)
    return -1;
  return 0;
}
