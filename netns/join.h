/* join.h: private to netns/: joining a bridge, shared by netns.c (create) and restore.c (a
 * container brought back by CRIU joins the bridge the same way). */
#ifndef COVE_NETNS_JOIN_H
#define COVE_NETNS_JOIN_H

#include "netns/nl.h"
#include "netns/plan.h"

/* The addresses the container gets, and the subnet prefix the bridge's gateway address uses. */
struct bridge_addrs {
  struct ip_addr addrs[NETNS_MAX_ADDRS + 1];
  size_t len;
  struct ip_addr gw4, gw6; /* with the prefix to put on the bridge */
};

/* Containers are known to a bridge's database by their state dir's name under the state root
 * (usually the id): the name proves them alive, see bridge_db_prune. */
const char *user_key(const char *state_dir);

/* Under the network lock: register as a user of the bridge, allocate or claim the IPv4 address,
 * create the bridge with the gateway addresses if it is missing, bring it up. */
int bridge_join(struct nl *host, const struct netns_plan *p, const char *user, const char *state_root,
                struct bridge_addrs *ba, int *bridge_index, struct cove_error *err);

#endif
