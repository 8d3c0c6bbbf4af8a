/* tc.c: bandwidth limits as traffic control qdiscs over route netlink: a token bucket filter
 * (TBF) as the root qdisc of a link, with its rate in the kernel's ethernet link-layer mode so
 * no rate table is needed. */
#include <stdio.h>
#include <string.h>

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "netns/nl.h"

/* The kernel's scheduler clock counts in units of 64 ns (PSCHED_SHIFT). */
#define PSCHED_NS_PER_TICK 64u

static uint32_t clamp_u32(uint64_t v)
{
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t) v;
}

int tc_tbf_set(struct nl *nl, int ifindex, uint64_t rate, uint32_t mtu, const char *ifname,
               struct cove_error *err)
{
  struct tcmsg *tcm;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, sizeof(*tcm), (void **) &tcm);
  struct tc_tbf_qopt q;
  struct nlattr *opts;
  uint64_t burst, limit, buffer_ns;
  char op[96];

  /* Bucket: 40 ms of traffic, at least 64 KiB so GSO packets on a veth need no splitting;
   * queue: 500 ms more, as a local TCP sender may queue a lot (tcp_limit_output_bytes) and
   * drops there cost more throughput than the queue costs latency. */
  burst = rate / 25;
  if (burst < 65536)
    burst = 65536;
  if (mtu && burst < 2ull * mtu)
    burst = 2ull * mtu;
  burst = clamp_u32(burst);
  limit = clamp_u32(burst + rate / 2);
  buffer_ns = burst * 1000000000ull / rate;

  memset(&q, 0, sizeof(q));
  q.rate.rate = clamp_u32(rate);
  q.rate.linklayer = TC_LINKLAYER_ETHERNET;
  q.limit = (uint32_t) limit;
  q.buffer = clamp_u32(buffer_ns / PSCHED_NS_PER_TICK);

  tcm->tcm_family = AF_UNSPEC;
  tcm->tcm_ifindex = ifindex;
  tcm->tcm_handle = 0;
  tcm->tcm_parent = TC_H_ROOT;
  mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
  opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
  mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
  mnl_attr_put_u32(nlh, TCA_TBF_BURST, (uint32_t) burst);
  if (rate > UINT32_MAX)
    mnl_attr_put_u64(nlh, TCA_TBF_RATE64, rate);
  mnl_attr_nest_end(nlh, opts);

  snprintf(op, sizeof(op), "add tbf qdisc (%llu bytes/s) on %s", (unsigned long long) rate, ifname);
  return nl_talk(nl, nlh, NULL, NULL, op, err);
}
