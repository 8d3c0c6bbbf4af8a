/* addr.c: interface addresses over route netlink: adding one, and finding a bridge's IPv4
 * subnet for automatic allocation. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netns/nl.h"
#include "netns/plan.h"

int addr_add(struct nl *nl, int ifindex, const struct ip_addr *a, const char *ifname, struct cove_error *err)
{
  struct ifaddrmsg *ifa;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa), (void **) &ifa);
  size_t alen = a->family == AF_INET ? 4 : 16;
  char s[INET6_ADDRSTRLEN + 8], op[128];

  ifa->ifa_family = (uint8_t) a->family;
  ifa->ifa_prefixlen = a->prefix;
  ifa->ifa_index = (uint32_t) ifindex;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  mnl_attr_put(nlh, IFA_LOCAL, alen, a->bytes);
  mnl_attr_put(nlh, IFA_ADDRESS, alen, a->bytes);
  if (a->family == AF_INET && a->prefix < 31) {
    struct in_addr brd = a->v4;
    brd.s_addr |= htonl(a->prefix ? 0xffffffffu >> a->prefix : 0xffffffffu);
    mnl_attr_put(nlh, IFA_BROADCAST, 4, &brd);
  }
  /* No duplicate address detection: the address is usable at once, and cove's allocator (or
   * the user) owns the subnet. */
  if (a->family == AF_INET6)
    mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
  netns_format_ip(a, true, s, sizeof(s));
  snprintf(op, sizeof(op), "add address %s to %s", s, ifname);
  return nl_talk(nl, nlh, NULL, NULL, op, err);
}

struct first_v4 {
  int ifindex;
  struct ip_addr *out;
  bool *found;
};

static int first_v4_cb(const struct nlmsghdr *nlh, void *data)
{
  struct first_v4 *f = data;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
  const struct nlattr *attr;

  if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET || (int) ifa->ifa_index != f->ifindex || *f->found)
    return MNL_CB_OK;
  mnl_attr_for_each(attr, nlh, sizeof(*ifa))
  {
    if (mnl_attr_get_type(attr) == IFA_LOCAL && mnl_attr_get_payload_len(attr) == 4) {
      memset(f->out, 0, sizeof(*f->out));
      f->out->family = AF_INET;
      memcpy(&f->out->v4, mnl_attr_get_payload(attr), 4);
      f->out->prefix = ifa->ifa_prefixlen;
      *f->found = true;
    }
  }
  return MNL_CB_OK;
}

int addr_first_v4(struct nl *nl, int ifindex, struct ip_addr *out, bool *found, struct cove_error *err)
{
  struct ifaddrmsg *ifa;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa), (void **) &ifa);
  struct first_v4 f = {.ifindex = ifindex, .out = out, .found = found};

  *found = false;
  ifa->ifa_family = AF_INET;
  return nl_talk(nl, nlh, first_v4_cb, &f, "list IPv4 addresses", err);
}
