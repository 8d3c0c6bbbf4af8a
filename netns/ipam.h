/* ipam.h: private to netns/: the per-bridge database under the state root (who uses the
 * bridge, whether cove created it, which IPv4 addresses are taken) and the allocator that picks
 * a free address from a subnet.  Pure functions; the file and its lock live in record.c. */
#ifndef COVE_NETNS_IPAM_H
#define COVE_NETNS_IPAM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "netns/nl.h"

struct bridge_user {
  char *id;
  bool has_addr;
  struct in_addr addr; /* the IPv4 address it holds in the bridge's subnet */
};

struct bridge_db {
  bool created;        /* cove created the bridge: the last user deletes it */
  bool has_last;
  struct in_addr last; /* last address handed out: the next search starts after it */
  struct bridge_user *users;
  size_t users_len;
};

/* Text form, one fact per line: "created 1", "last 10.88.0.7", "user ID 10.88.0.5|-". */
int ipam_db_parse(const char *text, struct bridge_db *db, struct cove_error *err);
char *ipam_db_format(const struct bridge_db *db);
void ipam_db_clear(struct bridge_db *db);

/* Add a user (replacing an entry of the same id); remove one (false when absent). */
void ipam_db_add_user(struct bridge_db *db, const char *id, const struct in_addr *addr);
bool ipam_db_remove_user(struct bridge_db *db, const char *id);

/* Pick a free host address of subnet (an IPv4 address with its prefix, <= /30): not the network
 * or broadcast address, not gw, not one in used; the search starts after last (when given) and
 * wraps around.  A full subnet is an error naming it. */
int ipam_alloc(const struct ip_addr *subnet, const struct in_addr *gw, const struct in_addr *used,
               size_t used_len, const struct in_addr *last, struct in_addr *out, struct cove_error *err);

#endif
