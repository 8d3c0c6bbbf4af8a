/* lookup.c: lookups on a parsed config (a namespace by type, an annotation by key, a namespace
 * type's name), for every layer above: the parser's checks (validate.c) and the runtime.  It
 * calls nothing else of oci/, so config.c -> validate.c -> lookup.c stand in layers. */
#include <string.h>

#include "oci/oci.h"

static const char *const ns_names[] = {
  [OCI_NS_PID] = "pid",     [OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
  [OCI_NS_IPC] = "ipc",     [OCI_NS_UTS] = "uts",         [OCI_NS_USER] = "user",
  [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",       NULL,
};

const char *oci_ns_type_name(enum oci_ns_type t)
{
  if ((unsigned) t >= OCI_NS_KINDS)
    return "unknown";
  return ns_names[t];
}

const struct oci_namespace *oci_namespace_find(const struct oci_config *c, enum oci_ns_type t)
{
  if (!c || !c->linux_)
    return NULL;
  for (size_t i = 0; i < c->linux_->namespaces_len; i++)
    if (c->linux_->namespaces[i].type == t)
      return &c->linux_->namespaces[i];
  return NULL;
}

const char *oci_annotation(const struct oci_config *c, const char *key)
{
  if (!c)
    return NULL;
  /* the last one wins, as for repeated JSON keys */
  for (size_t i = c->annotations_len; i > 0; i--)
    if (!strcmp(c->annotations[i - 1].key, key))
      return c->annotations[i - 1].value;
  return NULL;
}
