/* veth.c: a veth pair whose host end stays here and whose peer is created directly inside
 * the container's network namespace (IFLA_NET_NS_FD in the peer's attributes), so the peer's
 * name never has to be unique on the host. */
#include <stdio.h>
#include <string.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "netns/nl.h"

int veth_create(struct nl *nl, const char *host_name, const char *peer_name, int peer_ns_fd,
                uint32_t mtu, const uint8_t *mac, struct cove_error *err)
{
  struct ifinfomsg *ifi, *peer;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), (void **) &ifi);
  struct nlattr *linkinfo, *data, *peer_attr;
  char op[96];

  ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, host_name);
  if (mtu)
    mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
  linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  peer_attr = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
  /* The peer's attributes follow its own ifinfomsg, as in a top-level RTM_NEWLINK. */
  peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
  peer->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
  mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t) peer_ns_fd);
  if (mtu)
    mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
  if (mac)
    mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
  mnl_attr_nest_end(nlh, peer_attr);
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, linkinfo);

  snprintf(op, sizeof(op), "create veth %s with peer %s in the container", host_name, peer_name);
  return nl_talk(nl, nlh, NULL, NULL, op, err);
}
