/* ipam.c: the per-bridge database (users, creator flag, IPv4 allocations) in its text form and
 * the address allocator: pure logic, unit-tested without a kernel. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "netns/ipam.h"
#include "netns/plan.h"

void ipam_db_clear(struct bridge_db *db)
{
  for (size_t i = 0; i < db->users_len; i++)
    free(db->users[i].id);
  free(db->users);
  memset(db, 0, sizeof(*db));
}

bool ipam_db_remove_user(struct bridge_db *db, const char *id)
{
  for (size_t i = 0; i < db->users_len; i++) {
    if (strcmp(db->users[i].id, id) != 0)
      continue;
    free(db->users[i].id);
    memmove(&db->users[i], &db->users[i + 1], (db->users_len - i - 1) * sizeof(db->users[0]));
    db->users_len--;
    return true;
  }
  return false;
}

void ipam_db_add_user(struct bridge_db *db, const char *id, const struct in_addr *addr)
{
  struct bridge_user *u;

  (void) ipam_db_remove_user(db, id);
  db->users = xrealloc(db->users, (db->users_len + 1) * sizeof(db->users[0]));
  u = &db->users[db->users_len++];
  u->id = xstrdup(id);
  u->has_addr = addr != NULL;
  if (addr)
    u->addr = *addr;
  else
    u->addr.s_addr = 0;
}

int ipam_db_parse(const char *text, struct bridge_db *db, struct cove_error *err)
{
  _cleanup_free_ char *copy = xstrdup(text);
  char *save = NULL;
  unsigned lineno = 0;

  memset(db, 0, sizeof(*db));
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char key[16], a[256], b[64];
    int n = sscanf(line, "%15s %255s %63s", key, a, b);
    lineno++;
    if (n >= 2 && strcmp(key, "created") == 0) {
      db->created = strcmp(a, "1") == 0;
    } else if (n >= 2 && strcmp(key, "last") == 0) {
      db->has_last = inet_pton(AF_INET, a, &db->last) == 1;
    } else if (n == 3 && strcmp(key, "user") == 0) {
      struct in_addr addr;
      bool has = strcmp(b, "-") != 0;
      if (has && inet_pton(AF_INET, b, &addr) != 1)
        goto bad;
      ipam_db_add_user(db, a, has ? &addr : NULL);
    } else {
      goto bad;
    }
  }
  return 0;
bad:
  ipam_db_clear(db);
  return cove_error_set(err, 0, "line %u: not understood", lineno);
}

char *ipam_db_format(const struct bridge_db *db)
{
  char *out = xasprintf("created %d\n", db->created ? 1 : 0);
  char a[INET_ADDRSTRLEN];

  if (db->has_last && inet_ntop(AF_INET, &db->last, a, sizeof(a))) {
    char *next = xasprintf("%slast %s\n", out, a);
    free(out);
    out = next;
  }
  for (size_t i = 0; i < db->users_len; i++) {
    const struct bridge_user *u = &db->users[i];
    if (!u->has_addr || !inet_ntop(AF_INET, &u->addr, a, sizeof(a)))
      snprintf(a, sizeof(a), "-");
    char *next = xasprintf("%suser %s %s\n", out, u->id, a);
    free(out);
    out = next;
  }
  return out;
}

int ipam_alloc(const struct ip_addr *subnet, const struct in_addr *gw, const struct in_addr *used,
               size_t used_len, const struct in_addr *last, struct in_addr *out, struct cove_error *err)
{
  uint32_t mask, net, first, hosts, start;
  char s[INET6_ADDRSTRLEN + 8];

  netns_format_ip(subnet, true, s, sizeof(s));
  if (subnet->family != AF_INET || subnet->prefix < 1 || subnet->prefix > 30)
    return cove_error_set(err, 0, "allocate an address in %s: only IPv4 subnets of /1 to /30 are supported", s);
  mask = 0xffffffffu << (32 - subnet->prefix);
  net = ntohl(subnet->v4.s_addr) & mask;
  first = net + 1;
  hosts = ~mask - 1; /* without the network and broadcast addresses */

  start = 0;
  if (last) {
    uint32_t l = ntohl(last->s_addr);
    if ((l & mask) == net && l >= first && l - first < hosts)
      start = (l - first + 1) % hosts;
  }
  for (uint32_t i = 0; i < hosts; i++) {
    uint32_t cand = first + (start + i) % hosts;
    bool taken = gw && ntohl(gw->s_addr) == cand;
    for (size_t j = 0; j < used_len && !taken; j++)
      taken = ntohl(used[j].s_addr) == cand;
    if (!taken) {
      out->s_addr = htonl(cand);
      return 0;
    }
  }
  return cove_error_set(err, 0, "allocate an address in %s: every address is in use", s);
}
