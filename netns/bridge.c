/* bridge.c: creating the bridge containers are attached to (when it does not exist yet). */
#include <stdio.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "netns/nl.h"

int bridge_create(struct nl *nl, const char *name, struct cove_error *err)
{
  struct ifinfomsg *ifi;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), (void **) &ifi);
  struct nlattr *linkinfo, *data;
  char op[64];

  ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
  linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
  /* Without a multicast querier on the bridge, snooping can hold back IPv6 neighbour
   * solicitations to a fresh gateway address for seconds; a container bridge needs none of it. */
  data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  mnl_attr_put_u8(nlh, IFLA_BR_MCAST_SNOOPING, 0);
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, linkinfo);
  snprintf(op, sizeof(op), "create bridge %s", name);
  return nl_talk(nl, nlh, NULL, NULL, op, err);
}
