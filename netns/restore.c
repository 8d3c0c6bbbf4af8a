/* restore.c: networking of a container that CRIU checkpointed and restores.  CRIU brings the
 * network namespace back itself (eth0 with its addresses, routes, MAC and MTU, the TCP
 * connections) and makes a fresh veth pair whose host end cove names; cove does the host side
 * again as create did: the bridge joined (recorded first, address claimed in the bridge's
 * database, bridge made if missing), the host end attached, and the rate limits, which CRIU does
 * not restore. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "netns/join.h"
#include "netns/netns.h"
#include "netns/nl.h"
#include "netns/plan.h"
#include "netns/record.h"

int netns_checkpoint_addr(int netns_fd, char out[64], struct cove_error *err)
{
  _cleanup_(nl_closep) struct nl *ctr = NULL;
  struct ip_addr a;
  bool found = false;
  int idx = 0;

  out[0] = '\0';
  if (nl_open_in_netns(netns_fd, &ctr, err) < 0)
    return -1;
  if (link_index(ctr, NETNS_CONTAINER_IFNAME, &idx, err) < 0)
    return -1;
  if (!idx)
    return 0;
  if (addr_first_v4(ctr, idx, &a, &found, err) < 0)
    return -1;
  if (found)
    netns_format_ip(&a, true, out, 64);
  return 0;
}

struct netns_plan *netns_plan_with_addr(const struct netns_plan *plan, const char *saved_addr,
                                        struct cove_error *err)
{
  struct netns_plan *p = xmalloc(sizeof(*p));
  struct ip_addr a;

  *p = *plan;
  if (!p->auto_v4 || !saved_addr || !*saved_addr)
    return p;
  if (netns_parse_ip(saved_addr, true, &a, "the address saved at checkpoint", err) < 0 || a.family != AF_INET) {
    if (!err->msg)
      cove_error_set(err, EINVAL, "the address saved at checkpoint (%s) is not IPv4", saved_addr);
    free(p);
    return NULL;
  }
  if (p->addrs_len == NETNS_MAX_ADDRS) {
    cove_error_set(err, E2BIG, "run.cove.net.address: more than %d addresses", NETNS_MAX_ADDRS);
    free(p);
    return NULL;
  }
  p->addrs[p->addrs_len++] = a;
  p->auto_v4 = false;
  return p;
}

int netns_restore_prepare(const struct netns_plan *plan, const char *saved_addr, const char *id,
                          const char *state_root, const char *state_dir, char veth[16], struct cove_error *err)
{
  _cleanup_(nl_closep) struct nl *host = NULL;
  _cleanup_free_ struct netns_plan *p = NULL;
  struct bridge_addrs ba;
  char line[64];
  int bridge_idx = 0, idx = 0;

  veth[0] = '\0';
  if (!plan || !plan->bridge[0])
    return 0;
  p = netns_plan_with_addr(plan, saved_addr, err);
  if (!p)
    return cove_error_wrap(err, "restore network of %s", id);
  netns_veth_name(state_root, id, veth);
  if (nl_open(&host, err) < 0)
    return cove_error_wrap(err, "restore network of %s", id);
  /* the name must be free: CRIU would fail half-way with EEXIST */
  if (link_index(host, veth, &idx, err) < 0)
    return cove_error_wrap(err, "restore network of %s", id);
  if (idx)
    return cove_error_set(err, EEXIST, "restore network of %s: a link %s exists already", id, veth);
  snprintf(line, sizeof(line), "bridge %s", p->bridge);
  if (record_append(state_dir, line, err) < 0)
    return cove_error_wrap(err, "restore network of %s", id);
  if (bridge_join(host, p, user_key(state_dir), state_root, &ba, &bridge_idx, err) < 0)
    return cove_error_wrap(err, "restore network of %s", id);
  snprintf(line, sizeof(line), "veth %s", veth);
  if (record_append(state_dir, line, err) < 0)
    return cove_error_wrap(err, "restore network of %s", id);
  return 0;
}

int netns_lo_up_in(int netns_fd, struct cove_error *err)
{
  _cleanup_(nl_closep) struct nl *ctr = NULL;
  struct link_change up = {.up = true, .netns_fd = -1};

  if (nl_open_in_netns(netns_fd, &ctr, err) < 0)
    return cove_error_wrap(err, "bring lo up");
  /* lo is always ifindex 1 in a network namespace */
  return link_change(ctr, 1, &up, "set link lo up", err);
}

bool netns_restore_link_ready(const char *veth)
{
  return veth && *veth && if_nametoindex(veth) != 0;
}

int netns_restore_finish(const struct netns_plan *plan, const char *veth, int netns_fd, struct cove_error *err)
{
  _cleanup_(nl_closep) struct nl *host = NULL;
  struct link_change up = {.up = true, .netns_fd = -1, .mtu = plan ? plan->mtu : 0};
  int host_idx = 0, bridge_idx = 0;
  char op[96];

  if (!plan || !plan->bridge[0] || !veth || !*veth)
    return 0;
  if (nl_open(&host, err) < 0)
    return -1;
  if (link_index(host, veth, &host_idx, err) < 0 || link_index(host, plan->bridge, &bridge_idx, err) < 0)
    return -1;
  if (!host_idx)
    return cove_error_set(err, ENODEV, "CRIU made no veth %s for the container's %s", veth, NETNS_CONTAINER_IFNAME);
  if (!bridge_idx)
    return cove_error_set(err, ENODEV, "bridge %s is gone", plan->bridge);
  up.master = bridge_idx;
  snprintf(op, sizeof(op), "attach veth %s to bridge %s", veth, plan->bridge);
  if (link_change(host, host_idx, &up, op, err) < 0)
    return -1;
  if (plan->rate) {
    _cleanup_(nl_closep) struct nl *ctr = NULL;
    int ctr_idx = 0;
    if (tc_tbf_set(host, host_idx, plan->rate, plan->mtu, veth, err) < 0)
      return -1;
    if (nl_open_in_netns(netns_fd, &ctr, err) < 0 || link_index(ctr, NETNS_CONTAINER_IFNAME, &ctr_idx, err) < 0)
      return -1;
    if (ctr_idx && tc_tbf_set(ctr, ctr_idx, plan->rate, plan->mtu, NETNS_CONTAINER_IFNAME, err) < 0)
      return -1;
  }
  return 0;
}
