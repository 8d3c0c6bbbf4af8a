/* netns.c: the netns module's entry points (netns/netns.h): lo in a new network namespace,
 * and the setup and teardown of what a plan asks for, recorded in the state dir first. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "netns/netns.h"
#include "netns/nl.h"

int netns_lo_up(struct cove_error *err)
{
  _cleanup_(nl_closep) struct nl *nl = NULL;
  struct link_change up = {.up = true, .netns_fd = -1};

  if (nl_open(&nl, err) < 0)
    return cove_error_wrap(err, "bring lo up");
  /* lo is always ifindex 1 in a network namespace. */
  if (link_change(nl, 1, &up, "set link lo up", err) < 0)
    return -1;
  return 0;
}

struct netns_plan {
  int unused;
};

/* Only run.cove.net.* annotations and linux.netDevices ask for anything beyond lo. */
static bool plan_asked(const struct oci_config *config)
{
  for (size_t i = 0; i < config->annotations_len; i++)
    if (strncmp(config->annotations[i].key, "run.cove.net.", 13) == 0)
      return true;
  return config->linux_ && config->linux_->net_devices_len > 0;
}

int netns_plan_from_config(const struct oci_config *config, struct netns_plan **out, struct cove_error *err)
{
  *out = NULL;
  if (!plan_asked(config))
    return 0;
  return cove_error_set(err, ENOTSUP, "network annotations: not implemented yet");
}

void netns_plan_free(struct netns_plan *plan)
{
  free(plan);
}

int netns_setup(const struct netns_plan *plan, const char *id, int netns_fd, const char *state_root,
                const char *state_dir, struct cove_error *err)
{
  if (!plan)
    return 0;
  return cove_error_set(err, ENOTSUP, "set up network of %s", id);
}

int netns_teardown(const char *id, const char *state_root, const char *state_dir, struct cove_error *err)
{
  return 0;
}
