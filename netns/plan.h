/* plan.h: private to netns/: the validated network request (struct netns_plan) and the pure
 * parsers behind it, exposed so the unit tests can reach them. */
#ifndef COVE_NETNS_PLAN_H
#define COVE_NETNS_PLAN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "netns/netns.h"
#include "netns/nl.h"

#define NETNS_ANNOTATION_PREFIX "run.cove.net."
#define NETNS_MAX_ADDRS 8
#define NETNS_MAX_NETDEVS 32
/* The name of the container end of the veth pair. */
#define NETNS_CONTAINER_IFNAME "eth0"

struct netns_netdev {
  char host_name[IFNAMSIZ];
  char name[IFNAMSIZ]; /* the name inside the container */
};

struct netns_plan {
  char bridge[IFNAMSIZ]; /* "" when no bridge networking is asked for */
  struct ip_addr addrs[NETNS_MAX_ADDRS];
  size_t addrs_len;
  bool auto_v4; /* one IPv4 address allocated from the bridge's subnet */
  struct ip_addr gw4, gw6;
  bool has_gw4, has_gw6;
  uint32_t mtu; /* 0: the kernel's default */
  uint8_t mac[6];
  bool has_mac;
  uint64_t rate; /* bytes per second, 0: unlimited */
  struct netns_netdev netdevs[NETNS_MAX_NETDEVS];
  size_t netdevs_len;
};

/* A valid interface name (the kernel's dev_valid_name): 1..15 bytes, not "." or "..", no '/',
 * ':' or white space. */
bool netns_ifname_valid(const char *name);

/* "10.88.0.5/16", "fd00::5/64"; with require_prefix false a plain address gets the full
 * length.  what names the field in the error. */
int netns_parse_ip(const char *s, bool require_prefix, struct ip_addr *out, const char *what,
                   struct cove_error *err);
/* "10mbit", "1.5gbit", "100kbps" (tc's units: bit = bits, bps = bytes, k/m/g/t = 1000s,
 * ki/mi/gi/ti = 1024s) to bytes per second; a bare number is bits per second, as for tc. */
int netns_parse_rate(const char *s, uint64_t *bytes_per_sec, struct cove_error *err);
/* "02:42:ac:11:00:02": a unicast, non-zero MAC. */
int netns_parse_mac(const char *s, uint8_t mac[6], struct cove_error *err);
/* 68..65535 */
int netns_parse_mtu(const char *s, uint32_t *mtu, struct cove_error *err);

/* Build a plan from the annotations (key/value pairs) and netDevices; *out NULL when nothing is
 * asked for.  The oci-free core of netns_plan_from_config, for the unit tests. */
int netns_plan_build(const struct oci_kv *annotations, size_t annotations_len,
                     const struct oci_net_device *netdevs, size_t netdevs_len, struct netns_plan **out,
                     struct cove_error *err);

/* The host-side veth name of container id under state_root: "cv" and 12 hex digits of a hash
 * of both (two state roots may reuse an id), so it fits IFNAMSIZ and differs per container. */
void netns_veth_name(const char *state_root, const char *id, char out[IFNAMSIZ]);

/* Format an address as "10.88.0.5/16" (with_prefix) or "10.88.0.5". */
void netns_format_ip(const struct ip_addr *a, bool with_prefix, char *out, size_t len);

#endif
