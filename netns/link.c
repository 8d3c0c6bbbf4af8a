/* link.c: link requests over route netlink: look a link up by name, change its name, MTU,
 * MAC, master, state or namespace, delete it. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "netns/nl.h"

struct index_reply {
  int ifindex;
};

static int index_cb(const struct nlmsghdr *nlh, void *data)
{
  struct index_reply *r = data;
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

  if (nlh->nlmsg_type == RTM_NEWLINK)
    r->ifindex = ifi->ifi_index;
  return MNL_CB_OK;
}

int link_index(struct nl *nl, const char *name, int *ifindex, struct cove_error *err)
{
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_GETLINK, 0, sizeof(*ifi), (void **) &ifi);
  struct index_reply r = {0};
  char op[64];
  int rc;

  ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  snprintf(op, sizeof(op), "look up link %s", name);
  rc = nl_talk(nl, nlh, index_cb, &r, op, err);
  if (rc == -ENODEV) {
    cove_error_release(err);
    *ifindex = 0;
    return 0;
  }
  if (rc < 0)
    return rc;
  *ifindex = r.ifindex;
  return 0;
}

int link_change(struct nl *nl, int ifindex, const struct link_change *c, const char *op,
                struct cove_error *err)
{
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWLINK, 0, sizeof(*ifi), (void **) &ifi);

  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  if (c->up) {
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
  }
  if (c->name)
    mnl_attr_put_strz(nlh, IFLA_IFNAME, c->name);
  if (c->mtu)
    mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
  if (c->mac)
    mnl_attr_put(nlh, IFLA_ADDRESS, 6, c->mac);
  if (c->master)
    mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t) c->master);
  if (c->netns_fd >= 0)
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t) c->netns_fd);
  return nl_talk(nl, nlh, NULL, NULL, op, err);
}

int link_delete(struct nl *nl, const char *name, struct cove_error *err)
{
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_DELLINK, 0, sizeof(*ifi), (void **) &ifi);
  char op[64];
  int rc;

  ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  snprintf(op, sizeof(op), "delete link %s", name);
  rc = nl_talk(nl, nlh, NULL, NULL, op, err);
  if (rc == -ENODEV) {
    cove_error_release(err);
    return 0;
  }
  return rc;
}
