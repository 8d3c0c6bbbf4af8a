/* validate.c: rules that span sections of config.json, checked once everything is read:
 * user and time namespaces against their mappings and offsets, hostname against the uts
 * namespace, sysctl names. */
#include <string.h>

#include "oci/parse.h"

static int check_userns(struct pctx *c, const struct oci_config *cfg)
{
  const struct oci_linux *l = cfg->linux_;
  const struct oci_namespace *ns = oci_namespace_find(cfg, OCI_NS_USER);
  size_t mark;
  int r = 0;

  if (!l)
    return 0;
  mark = pc_push(c, "linux");
  if (!ns) {
    if (l->uid_mappings)
      r = pc_fail_key(c, "uidMappings", "set without a user namespace");
    else if (l->gid_mappings)
      r = pc_fail_key(c, "gidMappings", "set without a user namespace");
  } else if (ns->path) {
    /* the mappings of a joined namespace are fixed: a second set would be silently ignored */
    if (l->uid_mappings)
      r = pc_fail_key(c, "uidMappings", "must not be set when joining a user namespace by path");
    else if (l->gid_mappings)
      r = pc_fail_key(c, "gidMappings", "must not be set when joining a user namespace by path");
  } else {
    if (!l->uid_mappings_len)
      r = pc_fail_key(c, "uidMappings", "required with a new user namespace");
    else if (!l->gid_mappings_len)
      r = pc_fail_key(c, "gidMappings", "required with a new user namespace");
  }
  pc_pop(c, mark);
  return r;
}

static int check_timens(struct pctx *c, const struct oci_config *cfg)
{
  const struct oci_linux *l = cfg->linux_;
  const struct oci_namespace *ns = oci_namespace_find(cfg, OCI_NS_TIME);
  size_t mark;
  int r = 0;

  if (!l || (!l->time_monotonic.set && !l->time_boottime.set))
    return 0;
  mark = pc_push(c, "linux");
  if (!ns)
    r = pc_fail_key(c, "timeOffsets", "set without a time namespace");
  else if (ns->path)
    r = pc_fail_key(c, "timeOffsets", "must not be set when joining a time namespace by path");
  pc_pop(c, mark);
  return r;
}

static int check_uts(struct pctx *c, const struct oci_config *cfg)
{
  if (oci_namespace_find(cfg, OCI_NS_UTS))
    return 0;
  if (cfg->hostname && *cfg->hostname)
    return pc_fail_key(c, "hostname", "setting it requires a uts namespace");
  if (cfg->domainname && *cfg->domainname)
    return pc_fail_key(c, "domainname", "setting it requires a uts namespace");
  return 0;
}

/* The runtime writes /proc/sys/<key with dots as slashes>: each component must be a plain name,
 * or a key like "../../x" would reach outside /proc/sys. */
static bool is_sysctl_name(const char *k)
{
  const char *p = k;
  while (*p) {
    size_t n = strcspn(p, "./");
    if (n == 0 || (n == 2 && !strncmp(p, "..", 2)))
      return false;
    p += n;
    if (*p) {
      p++;
      if (!*p)
        return false;
    }
  }
  return *k != '\0';
}

static int check_sysctl(struct pctx *c, const struct oci_config *cfg)
{
  const struct oci_linux *l = cfg->linux_;

  for (size_t i = 0; l && i < l->sysctl_len; i++) {
    if (!is_sysctl_name(l->sysctl[i].key)) {
      size_t m = pc_push(c, "linux");
      pc_push(c, "sysctl");
      pc_push(c, l->sysctl[i].key);
      pc_fail(c, "not a sysctl name like net.ipv4.ip_forward");
      pc_pop(c, m);
      return -1;
    }
  }
  return 0;
}

int oci_validate_config(struct pctx *c, const struct oci_config *cfg)
{
  if (check_userns(c, cfg) < 0 || check_timens(c, cfg) < 0 || check_uts(c, cfg) < 0 || check_sysctl(c, cfg) < 0)
    return -1;
  return 0;
}
