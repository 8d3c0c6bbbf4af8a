/* nl.h: private interface of the netns module: a route netlink socket (libmnl) with
 * request/ack and dump helpers that report the kernel's extended ack message, and the link,
 * address, route, veth, bridge and tc requests built on it. */
#ifndef COVE_NETNS_NL_H
#define COVE_NETNS_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <netinet/in.h>

#include "common/error.h"

/* Large enough for a dump batch of a busy host (libmnl suggests 8k; links carry big attrs). */
#define NL_BUF_SIZE 32768

struct nl {
  struct mnl_socket *sk;
  unsigned int portid;
  uint32_t seq;
  char *buf; /* NL_BUF_SIZE bytes: one request or one batch of replies */
};

/* A route netlink socket in the caller's network namespace (extended acks on). */
int nl_open(struct nl **out, struct cove_error *err);
/* A route netlink socket in the network namespace netns_fd refers to: a short-lived thread
 * enters it and opens the socket, which stays bound to that namespace; the caller never moves. */
int nl_open_in_netns(int netns_fd, struct nl **out, struct cove_error *err);
void nl_close(struct nl *nl);
static inline void nl_closep(struct nl **nl)
{
  if (*nl)
    nl_close(*nl);
}

/* Start a request in nl->buf: header of type with flags (NLM_F_REQUEST added) and an
 * extra header of hdr_len zeroed bytes (returned through *extra). */
struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags, size_t hdr_len, void **extra);

/* Callback for each reply message of a dump or a request with NLM_F_ECHO. */
typedef int (*nl_reply_cb)(const struct nlmsghdr *nlh, void *data);

/* Send nlh and wait for the ack (or the end of the dump); cb (may be NULL) sees each reply.
 * On failure err reads "op: kernel's extended ack message: strerror" and the return value is
 * -errno of the kernel's answer, so callers can tolerate ENODEV, EEXIST, ... */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_reply_cb cb, void *data, const char *op,
            struct cove_error *err);

/* ---- link.c ---- */
/* *ifindex = 0 when no link of that name exists. */
int link_index(struct nl *nl, const char *name, int *ifindex, struct cove_error *err);
/* Change a link: any of the optional parts (name NULL, mtu 0, mac NULL, master 0 skip them). */
struct link_change {
  const char *name;
  uint32_t mtu;
  const uint8_t *mac; /* 6 bytes */
  int master;
  bool up;
  int netns_fd; /* >= 0: move the link into that namespace (with name, if given) */
};
int link_change(struct nl *nl, int ifindex, const struct link_change *c, const char *op,
                struct cove_error *err);
/* Delete a link by name; a missing link is not an error. */
int link_delete(struct nl *nl, const char *name, struct cove_error *err);

/* ---- veth.c ---- */
/* A veth pair: host end host_name in nl's namespace, the peer peer_name created directly in
 * the namespace peer_ns_fd, with mtu (0: default) and mac (NULL: random). */
int veth_create(struct nl *nl, const char *host_name, const char *peer_name, int peer_ns_fd,
                uint32_t mtu, const uint8_t *mac, struct cove_error *err);

/* ---- bridge.c ---- */
/* Create a bridge (fails with -EEXIST when it exists). */
int bridge_create(struct nl *nl, const char *name, struct cove_error *err);

/* ---- addr.c ---- */
struct ip_addr {
  int family; /* AF_INET or AF_INET6 */
  union {
    struct in_addr v4;
    struct in6_addr v6;
    uint8_t bytes[16];
  };
  uint8_t prefix; /* 0..32 or 0..128; a plain address has the full length */
};
int addr_add(struct nl *nl, int ifindex, const struct ip_addr *a, const char *ifname, struct cove_error *err);
/* The first IPv4 address on ifindex; found = false when it has none. */
int addr_first_v4(struct nl *nl, int ifindex, struct ip_addr *out, bool *found, struct cove_error *err);

/* ---- route.c ---- */
int route_add_default(struct nl *nl, int ifindex, const struct ip_addr *gw, struct cove_error *err);

/* ---- tc.c ---- */
/* A token bucket filter as the root qdisc of ifindex: rate in bytes per second. */
int tc_tbf_set(struct nl *nl, int ifindex, uint64_t rate, uint32_t mtu, const char *ifname,
               struct cove_error *err);

#endif
