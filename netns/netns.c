/* netns.c: the netns module's entry points (netns/netns.h): lo in a new network namespace, and
 * the setup and teardown of what a plan asks for.  Every piece is written to the container's
 * record before it is made, so teardown undoes a crashed or half-done setup. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "netns/devices.h"
#include "netns/ipam.h"
#include "netns/join.h"
#include "netns/netns.h"
#include "netns/nl.h"
#include "netns/plan.h"
#include "netns/record.h"

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

static void bridge_db_clearp(struct bridge_db *db)
{
  ipam_db_clear(db);
}

/* Containers are known to a bridge's database by their state dir's name under the state root
 * (usually the id): the name proves them alive, see bridge_db_prune. */
const char *user_key(const char *state_dir)
{
  const char *slash = strrchr(state_dir, '/');
  return slash && slash[1] ? slash + 1 : state_dir;
}

/* Forget users whose state dir is gone (a cove killed before it wrote any state, a state dir
 * removed by hand): their addresses and their hold on the bridge would otherwise last forever.
 * A live container's state dir exists from before its setup until after its teardown. */
static void bridge_db_prune(struct bridge_db *db, const char *state_root)
{
  for (size_t i = 0; i < db->users_len;) {
    _cleanup_free_ char *path = xasprintf("%s/%s", state_root, db->users[i].id);
    if (access(path, F_OK) < 0 && errno == ENOENT && ipam_db_remove_user(db, db->users[i].id))
      continue;
    i++;
  }
}

int bridge_join(struct nl *host, const struct netns_plan *p, const char *user, const char *state_root,
                       struct bridge_addrs *ba, int *bridge_index, struct cove_error *err)
{
  _cleanup_close_ int lock = -1;
  _cleanup_(bridge_db_clearp) struct bridge_db db = {0};
  _cleanup_free_ struct in_addr *used = NULL;
  const struct in_addr *mine = NULL;
  struct link_change up = {.up = true, .netns_fd = -1};
  struct ip_addr subnet = {0};
  struct in_addr auto_addr;
  size_t used_len = 0;
  bool create;
  int idx;

  memcpy(ba->addrs, p->addrs, p->addrs_len * sizeof(p->addrs[0]));
  ba->len = p->addrs_len;
  ba->gw4 = p->gw4;
  ba->gw6 = p->gw6;
  for (size_t i = 0; i < ba->len; i++) {
    struct ip_addr *gw = ba->addrs[i].family == AF_INET ? &ba->gw4 : &ba->gw6;
    if (ba->addrs[i].family == AF_INET)
      mine = &ba->addrs[i].v4;
    if (gw->prefix == (gw->family == AF_INET ? 32 : 128))
      gw->prefix = ba->addrs[i].prefix;
  }

  if (netlock_take(state_root, &lock, err) < 0 || bridge_db_load(state_root, p->bridge, &db, err) < 0)
    return -1;
  bridge_db_prune(&db, state_root);
  if (link_index(host, p->bridge, &idx, err) < 0)
    return -1;
  create = idx == 0;

  used = xcalloc(db.users_len + 1, sizeof(*used));
  for (size_t i = 0; i < db.users_len; i++) {
    if (!db.users[i].has_addr || strcmp(db.users[i].id, user) == 0)
      continue;
    if (mine && db.users[i].addr.s_addr == mine->s_addr) {
      char a[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, mine, a, sizeof(a));
      return cove_error_set(err, EADDRINUSE, "address %s on bridge %s: used by container %s", a, p->bridge,
                            db.users[i].id);
    }
    used[used_len++] = db.users[i].addr;
  }

  if (p->auto_v4) {
    if (p->has_gw4 && p->gw4.prefix < 32) {
      subnet = p->gw4;
    } else {
      bool found = false;
      if (!create && addr_first_v4(host, idx, &subnet, &found, err) < 0)
        return -1;
      if (!found)
        return cove_error_set(err, 0, "run.cove.net.address: auto: bridge %s has no IPv4 subnet; give "
                                      "run.cove.net.gateway with a prefix (as in 10.88.0.1/16)", p->bridge);
      if (!p->has_gw4) {
        ba->gw4 = subnet;
        ba->gw4.prefix = 32;
      }
    }
    if (ipam_alloc(&subnet, &ba->gw4.v4, used, used_len,
                   db.has_last ? &db.last : NULL, &auto_addr, err) < 0)
      return cove_error_wrap(err, "bridge %s", p->bridge);
    db.last = auto_addr;
    db.has_last = true;
    memset(&ba->addrs[ba->len], 0, sizeof(ba->addrs[0]));
    ba->addrs[ba->len].family = AF_INET;
    ba->addrs[ba->len].v4 = auto_addr;
    ba->addrs[ba->len].prefix = subnet.prefix;
    mine = &ba->addrs[ba->len].v4;
    ba->len++;
    if (ba->gw4.prefix == 32 && p->has_gw4)
      ba->gw4.prefix = subnet.prefix;
  }

  ipam_db_add_user(&db, user, mine);
  if (create)
    db.created = true;
  if (bridge_db_save(state_root, p->bridge, &db, err) < 0)
    return -1;

  if (create) {
    if (bridge_create(host, p->bridge, err) < 0 || link_index(host, p->bridge, &idx, err) < 0)
      return -1;
    if (p->has_gw4 && addr_add(host, idx, &ba->gw4, p->bridge, err) < 0)
      return -1;
    if (p->has_gw6 && addr_add(host, idx, &ba->gw6, p->bridge, err) < 0)
      return -1;
  }
  char op[64];
  snprintf(op, sizeof(op), "set bridge %s up", p->bridge);
  if (link_change(host, idx, &up, op, err) < 0)
    return -1;
  *bridge_index = idx;
  return 0;
}

static int setup_bridge(struct nl *host, struct nl *ctr, const struct netns_plan *p, const char *id,
                        int netns_fd, const char *state_root, const char *state_dir, struct cove_error *err)
{
  struct bridge_addrs ba;
  char veth[IFNAMSIZ], line[64], op[96];
  int bridge_idx = 0, host_idx = 0, ctr_idx = 0;
  struct link_change host_up = {.up = true, .netns_fd = -1};
  struct link_change ctr_up = {.up = true, .netns_fd = -1};

  netns_veth_name(state_root, id, veth);
  snprintf(line, sizeof(line), "bridge %s", p->bridge);
  if (record_append(state_dir, line, err) < 0)
    return -1;
  if (bridge_join(host, p, user_key(state_dir), state_root, &ba, &bridge_idx, err) < 0)
    return -1;

  snprintf(line, sizeof(line), "veth %s", veth);
  if (record_append(state_dir, line, err) < 0)
    return -1;
  if (veth_create(host, veth, NETNS_CONTAINER_IFNAME, netns_fd, p->mtu, p->has_mac ? p->mac : NULL, err) < 0)
    return -1;
  if (link_index(host, veth, &host_idx, err) < 0)
    return -1;
  host_up.master = bridge_idx;
  snprintf(op, sizeof(op), "attach veth %s to bridge %s", veth, p->bridge);
  if (link_change(host, host_idx, &host_up, op, err) < 0)
    return -1;

  if (link_index(ctr, NETNS_CONTAINER_IFNAME, &ctr_idx, err) < 0)
    return -1;
  if (ctr_idx == 0)
    return cove_error_set(err, ENODEV, "find %s in the container", NETNS_CONTAINER_IFNAME);
  for (size_t i = 0; i < ba.len; i++)
    if (addr_add(ctr, ctr_idx, &ba.addrs[i], NETNS_CONTAINER_IFNAME, err) < 0)
      return -1;
  if (link_change(ctr, ctr_idx, &ctr_up, "set eth0 up", err) < 0)
    return -1;
  if (p->has_gw4 && route_add_default(ctr, ctr_idx, &ba.gw4, err) < 0)
    return -1;
  if (p->has_gw6 && route_add_default(ctr, ctr_idx, &ba.gw6, err) < 0)
    return -1;

  /* Both directions: the host end's egress is the container's ingress. */
  if (p->rate) {
    if (tc_tbf_set(host, host_idx, p->rate, p->mtu, veth, err) < 0)
      return -1;
    if (tc_tbf_set(ctr, ctr_idx, p->rate, p->mtu, NETNS_CONTAINER_IFNAME, err) < 0)
      return -1;
  }
  return 0;
}

static int setup_devices(struct nl *host, struct nl *ctr, const struct netns_plan *p, int netns_fd,
                         const char *state_dir, struct cove_error *err)
{
  if (record_append(state_dir, "pin", err) < 0 || devices_pin(netns_fd, state_dir, err) < 0)
    return -1;
  for (size_t i = 0; i < p->netdevs_len; i++) {
    char line[64];
    snprintf(line, sizeof(line), "netdev %s %s", p->netdevs[i].host_name, p->netdevs[i].name);
    if (record_append(state_dir, line, err) < 0 || devices_move_in(host, ctr, netns_fd, &p->netdevs[i], err) < 0)
      return -1;
  }
  return 0;
}

static bool fits_records(const char *name)
{
  if (!*name)
    return false;
  for (const char *c = name; *c; c++)
    if (isspace((unsigned char) *c) || !isprint((unsigned char) *c))
      return false;
  return true;
}

int netns_setup(const struct netns_plan *plan, const char *id, int netns_fd, const char *state_root,
                const char *state_dir, struct cove_error *err)
{
  _cleanup_(nl_closep) struct nl *host = NULL;
  _cleanup_(nl_closep) struct nl *ctr = NULL;
  int r = 0;

  if (!plan)
    return 0;
  if (!fits_records(user_key(state_dir)))
    return cove_error_set(err, EINVAL, "set up network of %s: state dir `%s` has blanks or control characters",
                          id, state_dir);
  if (nl_open(&host, err) < 0 || nl_open_in_netns(netns_fd, &ctr, err) < 0)
    return cove_error_wrap(err, "set up network of %s", id);
  if (plan->netdevs_len > 0)
    r = setup_devices(host, ctr, plan, netns_fd, state_dir, err);
  if (r == 0 && plan->bridge[0])
    r = setup_bridge(host, ctr, plan, id, netns_fd, state_root, state_dir, err);
  if (r < 0) {
    /* Leave nothing behind; the record stays if even that fails, for delete to retry. */
    struct cove_error ignored = COVE_ERROR_INIT;
    (void) netns_teardown(id, state_root, state_dir, &ignored);
    cove_error_release(&ignored);
    return cove_error_wrap(err, "set up network of %s", id);
  }
  return 0;
}

/* Keep the first failure, carry on with the rest. */
static void keep_first(struct cove_error *first, struct cove_error *e)
{
  if (!first->msg && e->msg) {
    first->msg = steal_ptr(e->msg);
    first->errnum = e->errnum;
  }
  cove_error_release(e);
}

static void teardown_devices(struct nl *host, char **lines, const char *state_dir, struct cove_error *first)
{
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_close_ int pin = -1;
  _cleanup_close_ int host_ns = -1;
  _cleanup_(nl_closep) struct nl *ctr = NULL;
  size_t n = 0;

  while (lines[n])
    n++;
  if (devices_open_pinned(state_dir, &pin, &e) < 0)
    return keep_first(first, &e);
  if (pin >= 0) {
    host_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (host_ns < 0) {
      cove_error_set(&e, errno, "open /proc/self/ns/net");
      return keep_first(first, &e);
    }
    if (nl_open_in_netns(pin, &ctr, &e) < 0)
      return keep_first(first, &e);
    for (size_t i = n; i-- > 0;) {
      char host_name[IFNAMSIZ + 1], name[IFNAMSIZ + 1];
      if (sscanf(lines[i], "netdev %16s %16s", host_name, name) != 2)
        continue;
      if (devices_move_out(host, ctr, host_ns, host_name, name, &e) < 0)
        keep_first(first, &e);
    }
  }
  if (devices_unpin(state_dir, &e) < 0)
    keep_first(first, &e);
}

static void teardown_bridge(struct nl *host, const char *bridge, const char *user, const char *state_root,
                            struct cove_error *first)
{
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_close_ int lock = -1;
  _cleanup_(bridge_db_clearp) struct bridge_db db = {0};

  if (netlock_take(state_root, &lock, &e) < 0 || bridge_db_load(state_root, bridge, &db, &e) < 0)
    return keep_first(first, &e);
  (void) ipam_db_remove_user(&db, user);
  bridge_db_prune(&db, state_root);
  if (db.users_len == 0 && db.created) {
    if (link_delete(host, bridge, &e) < 0)
      return keep_first(first, &e);
    db.created = false;
  }
  if (bridge_db_save(state_root, bridge, &db, &e) < 0)
    keep_first(first, &e);
}

int netns_teardown(const char *id, const char *state_root, const char *state_dir, struct cove_error *err)
{
  _cleanup_strv_ char **lines = NULL;
  _cleanup_(nl_closep) struct nl *host = NULL;
  struct cove_error first = COVE_ERROR_INIT, e = COVE_ERROR_INIT;
  bool pinned = false;

  if (record_read(state_dir, &lines, err) < 0)
    return cove_error_wrap(err, "tear down network of %s", id);
  if (!lines)
    return 0;
  for (size_t i = 0; lines[i]; i++)
    pinned |= strcmp(lines[i], "pin") == 0;
  if (nl_open(&host, &e) < 0) {
    keep_first(&first, &e);
  } else {
    if (pinned)
      teardown_devices(host, lines, state_dir, &first);
    for (size_t i = 0; lines[i]; i++) {
      char name[IFNAMSIZ + 1];
      if (sscanf(lines[i], "veth %16s", name) == 1 && link_delete(host, name, &e) < 0)
        keep_first(&first, &e);
    }
    for (size_t i = 0; lines[i]; i++) {
      char name[IFNAMSIZ + 1];
      if (sscanf(lines[i], "bridge %16s", name) == 1)
        teardown_bridge(host, name, user_key(state_dir), state_root, &first);
    }
  }
  if (!first.msg && record_remove(state_dir, &e) < 0)
    keep_first(&first, &e);
  if (first.msg) {
    if (err) {
      free(err->msg);
      err->errnum = first.errnum;
      err->msg = xasprintf("tear down network of %s: %s", id, first.msg);
    }
    cove_error_release(&first);
    return -1;
  }
  return 0;
}
