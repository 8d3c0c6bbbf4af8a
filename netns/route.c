/* route.c: the container's default routes via the gateway, over route netlink. */
#include <stdio.h>

#include <linux/rtnetlink.h>

#include "netns/nl.h"
#include "netns/plan.h"

int route_add_default(struct nl *nl, int ifindex, const struct ip_addr *gw, struct cove_error *err)
{
  struct rtmsg *rtm;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm), (void **) &rtm);
  char s[64], op[96];

  rtm->rtm_family = (uint8_t) gw->family;
  rtm->rtm_dst_len = 0;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_STATIC;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put(nlh, RTA_GATEWAY, gw->family == AF_INET ? 4 : 16, gw->bytes);
  mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t) ifindex);
  netns_format_ip(gw, false, s, sizeof(s));
  snprintf(op, sizeof(op), "add default route via %s", s);
  return nl_talk(nl, nlh, NULL, NULL, op, err);
}
