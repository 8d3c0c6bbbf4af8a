/* plan.c: the run.cove.net.* annotations and linux.netDevices turned into a validated plan
 * before anything is made, with errors naming the annotation and the bad value; and the pure
 * helpers (address, MAC, MTU and rate parsing, veth name derivation) the rest relies on. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "netns/plan.h"

#define ANN_BRIDGE NETNS_ANNOTATION_PREFIX "bridge"
#define ANN_ADDRESS NETNS_ANNOTATION_PREFIX "address"
#define ANN_GATEWAY NETNS_ANNOTATION_PREFIX "gateway"
#define ANN_MTU NETNS_ANNOTATION_PREFIX "mtu"
#define ANN_MAC NETNS_ANNOTATION_PREFIX "mac"
#define ANN_RATE NETNS_ANNOTATION_PREFIX "rate"

bool netns_ifname_valid(const char *name)
{
  size_t n = strnlen(name, IFNAMSIZ);

  if (n == 0 || n >= IFNAMSIZ || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return false;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == ':' || isspace((unsigned char) *p))
      return false;
  return true;
}

int netns_parse_ip(const char *s, bool require_prefix, struct ip_addr *out, const char *what,
                   struct cove_error *err)
{
  char buf[INET6_ADDRSTRLEN + 8];
  const char *slash;
  size_t alen;
  unsigned long long prefix;

  memset(out, 0, sizeof(*out));
  if (strlen(s) >= sizeof(buf))
    return cove_error_set(err, 0, "%s: invalid address \"%s\"", what, s);
  slash = strchr(s, '/');
  alen = slash ? (size_t) (slash - s) : strlen(s);
  memcpy(buf, s, alen);
  buf[alen] = '\0';
  if (inet_pton(AF_INET, buf, &out->v4) == 1) {
    out->family = AF_INET;
    out->prefix = 32;
  } else if (inet_pton(AF_INET6, buf, &out->v6) == 1) {
    out->family = AF_INET6;
    out->prefix = 128;
  } else {
    return cove_error_set(err, 0, "%s: invalid address \"%s\"", what, s);
  }
  if (!slash) {
    if (require_prefix)
      return cove_error_set(err, 0, "%s: address \"%s\" has no prefix length (as in 10.88.0.5/16)", what, s);
    return 0;
  }
  if (parse_u64(slash + 1, &prefix) < 0 || prefix > out->prefix || prefix == 0)
    return cove_error_set(err, 0, "%s: invalid prefix length in \"%s\"", what, s);
  out->prefix = (uint8_t) prefix;
  return 0;
}

void netns_format_ip(const struct ip_addr *a, bool with_prefix, char *out, size_t len)
{
  char buf[INET6_ADDRSTRLEN];

  if (!inet_ntop(a->family, a->bytes, buf, sizeof(buf)))
    snprintf(buf, sizeof(buf), "?");
  if (with_prefix)
    snprintf(out, len, "%s/%u", buf, a->prefix);
  else
    snprintf(out, len, "%s", buf);
}

struct rate_unit {
  const char *name;
  uint64_t bits; /* bits per second of one unit */
};

int netns_parse_rate(const char *s, uint64_t *bytes_per_sec, struct cove_error *err)
{
  static const struct rate_unit units[] = {
      {"", 1},
      {"bit", 1},
      {"kbit", 1000ULL},
      {"mbit", 1000ULL * 1000},
      {"gbit", 1000ULL * 1000 * 1000},
      {"tbit", 1000ULL * 1000 * 1000 * 1000},
      {"kibit", 1024ULL},
      {"mibit", 1024ULL * 1024},
      {"gibit", 1024ULL * 1024 * 1024},
      {"tibit", 1024ULL * 1024 * 1024 * 1024},
      {"bps", 8},
      {"kbps", 8ULL * 1000},
      {"mbps", 8ULL * 1000 * 1000},
      {"gbps", 8ULL * 1000 * 1000 * 1000},
      {"tbps", 8ULL * 1000 * 1000 * 1000 * 1000},
      {"kibps", 8ULL * 1024},
      {"mibps", 8ULL * 1024 * 1024},
      {"gibps", 8ULL * 1024 * 1024 * 1024},
      {"tibps", 8ULL * 1024 * 1024 * 1024 * 1024},
  };
  const char *p = s;
  uint64_t whole = 0, frac = 0, frac_div = 1, bits;
  bool digits = false;

  while (isdigit((unsigned char) *p)) {
    if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, (uint64_t) (*p - '0'), &whole))
      return cove_error_set(err, 0, "%s: rate \"%s\" is too large", ANN_RATE, s);
    p++;
    digits = true;
  }
  if (*p == '.') {
    p++;
    while (isdigit((unsigned char) *p)) {
      if (frac_div < 1000000000ULL) {
        frac = frac * 10 + (uint64_t) (*p - '0');
        frac_div *= 10;
      }
      p++;
      digits = true;
    }
  }
  if (!digits)
    return cove_error_set(err, 0, "%s: invalid rate \"%s\" (expected a number and a unit, as in 10mbit)",
                          ANN_RATE, s);
  for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
    if (strcasecmp(p, units[i].name) != 0)
      continue;
    if (__builtin_mul_overflow(whole, units[i].bits, &bits) ||
        __builtin_add_overflow(bits, frac * units[i].bits / frac_div, &bits))
      return cove_error_set(err, 0, "%s: rate \"%s\" is too large", ANN_RATE, s);
    if (bits / 8 == 0)
      return cove_error_set(err, 0, "%s: rate \"%s\" is below one byte per second", ANN_RATE, s);
    *bytes_per_sec = bits / 8;
    return 0;
  }
  return cove_error_set(err, 0, "%s: unknown unit \"%s\" in rate \"%s\" (use bit, kbit, mbit, gbit, bps, kbps, ...)",
                        ANN_RATE, p, s);
}

int netns_parse_mac(const char *s, uint8_t mac[6], struct cove_error *err)
{
  unsigned int b[6];
  int n = 0;

  if (strlen(s) != 17 ||
      sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 || n != 17)
    return cove_error_set(err, 0, "%s: invalid MAC address \"%s\" (expected six hex pairs, as in 02:42:ac:11:00:02)",
                          ANN_MAC, s);
  for (size_t i = 0; i < 17; i++)
    if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char) s[i]))
      return cove_error_set(err, 0, "%s: invalid MAC address \"%s\"", ANN_MAC, s);
  if (b[0] & 1)
    return cove_error_set(err, 0, "%s: MAC address \"%s\" is a multicast address", ANN_MAC, s);
  if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5]) == 0)
    return cove_error_set(err, 0, "%s: MAC address \"%s\" is all zeros", ANN_MAC, s);
  for (size_t i = 0; i < 6; i++)
    mac[i] = (uint8_t) b[i];
  return 0;
}

int netns_parse_mtu(const char *s, uint32_t *mtu, struct cove_error *err)
{
  unsigned long long v;

  if (parse_u64(s, &v) < 0 || v < 68 || v > 65535)
    return cove_error_set(err, 0, "%s: invalid MTU \"%s\" (expected an integer from 68 to 65535)", ANN_MTU, s);
  *mtu = (uint32_t) v;
  return 0;
}

/* Split a comma-separated list, trimming blanks around each item; items are written over a
 * copy of the string. */
static size_t split_list(char *s, char **items, size_t max)
{
  size_t n = 0;
  char *save = NULL;

  for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    while (isspace((unsigned char) *tok))
      tok++;
    char *end = tok + strlen(tok);
    while (end > tok && isspace((unsigned char) end[-1]))
      *--end = '\0';
    if (n == max)
      return max + 1;
    items[n++] = tok;
  }
  return n;
}

static int parse_addresses(struct netns_plan *p, const char *value, struct cove_error *err)
{
  _cleanup_free_ char *copy = xstrdup(value);
  char *items[NETNS_MAX_ADDRS];
  size_t n = split_list(copy, items, NETNS_MAX_ADDRS);

  if (n == 0)
    return cove_error_set(err, 0, "%s: empty address list", ANN_ADDRESS);
  if (n > NETNS_MAX_ADDRS)
    return cove_error_set(err, 0, "%s: more than %d addresses", ANN_ADDRESS, NETNS_MAX_ADDRS);
  for (size_t i = 0; i < n; i++) {
    if (strcmp(items[i], "auto") == 0) {
      if (p->auto_v4)
        return cove_error_set(err, 0, "%s: \"auto\" given twice", ANN_ADDRESS);
      p->auto_v4 = true;
      continue;
    }
    if (netns_parse_ip(items[i], true, &p->addrs[p->addrs_len], ANN_ADDRESS, err) < 0)
      return -1;
    p->addrs_len++;
  }
  return 0;
}

static int parse_gateways(struct netns_plan *p, const char *value, struct cove_error *err)
{
  _cleanup_free_ char *copy = xstrdup(value);
  char *items[3];
  size_t n = split_list(copy, items, 2);

  if (n == 0 || n > 2)
    return cove_error_set(err, 0, "%s: expected one IPv4 and/or one IPv6 address, got \"%s\"", ANN_GATEWAY, value);
  for (size_t i = 0; i < n; i++) {
    struct ip_addr a;
    if (netns_parse_ip(items[i], false, &a, ANN_GATEWAY, err) < 0)
      return -1;
    if ((a.family == AF_INET && p->has_gw4) || (a.family == AF_INET6 && p->has_gw6))
      return cove_error_set(err, 0, "%s: two gateways of one address family in \"%s\"", ANN_GATEWAY, value);
    if (a.family == AF_INET) {
      p->gw4 = a;
      p->has_gw4 = true;
    } else {
      p->gw6 = a;
      p->has_gw6 = true;
    }
  }
  return 0;
}

/* Whether a and b (same family) share the first prefix bits. */
static bool same_subnet(const struct ip_addr *a, const struct ip_addr *b, unsigned prefix)
{
  for (unsigned i = 0; i < prefix; i++) {
    unsigned mask = 0x80u >> (i % 8);
    if ((a->bytes[i / 8] & mask) != (b->bytes[i / 8] & mask))
      return false;
  }
  return true;
}

/* Checks that span annotations: everything hangs off a bridge, addresses and gateways agree. */
static int plan_check(struct netns_plan *p, bool has[], struct cove_error *err)
{
  static const char *const needs_bridge[] = {ANN_ADDRESS, ANN_GATEWAY, ANN_MTU, ANN_MAC, ANN_RATE};

  if (!p->bridge[0]) {
    for (size_t i = 0; i < ARRAY_SIZE(needs_bridge); i++)
      if (has[i])
        return cove_error_set(err, 0, "%s needs %s", needs_bridge[i], ANN_BRIDGE);
    return 0;
  }
  if (p->auto_v4) {
    for (size_t i = 0; i < p->addrs_len; i++)
      if (p->addrs[i].family == AF_INET)
        return cove_error_set(err, 0, "%s: \"auto\" and an IPv4 address both given", ANN_ADDRESS);
  }
  for (size_t i = 0; i < p->addrs_len; i++) {
    const struct ip_addr *a = &p->addrs[i];
    const struct ip_addr *gw = a->family == AF_INET ? (p->has_gw4 ? &p->gw4 : NULL) : (p->has_gw6 ? &p->gw6 : NULL);
    char s[INET6_ADDRSTRLEN + 8];
    if (gw && memcmp(gw->bytes, a->bytes, 16) == 0) {
      netns_format_ip(a, false, s, sizeof(s));
      return cove_error_set(err, 0, "%s: %s is also the gateway", ANN_ADDRESS, s);
    }
    if (gw && !same_subnet(a, gw, a->prefix)) {
      netns_format_ip(a, true, s, sizeof(s));
      return cove_error_set(err, 0, "%s: the gateway is outside %s", ANN_GATEWAY, s);
    }
  }
  if (p->auto_v4 && p->has_gw4 && p->gw4.prefix > 30)
    return cove_error_set(err, 0, "%s: \"auto\" needs a subnet of at least 4 addresses (the gateway's prefix is /%u)",
                          ANN_ADDRESS, p->gw4.prefix);
  return 0;
}

static int parse_netdevs(struct netns_plan *p, const struct oci_net_device *d, size_t n, struct cove_error *err)
{
  if (n > NETNS_MAX_NETDEVS)
    return cove_error_set(err, 0, "linux.netDevices: more than %d devices", NETNS_MAX_NETDEVS);
  for (size_t i = 0; i < n; i++) {
    const char *host = d[i].host_name, *name = d[i].name && d[i].name[0] ? d[i].name : d[i].host_name;
    if (!host || !netns_ifname_valid(host))
      return cove_error_set(err, 0, "linux.netDevices: invalid interface name \"%s\"", host ? host : "");
    if (!netns_ifname_valid(name))
      return cove_error_set(err, 0, "linux.netDevices.%s.name: invalid interface name \"%s\"", host, name);
    if (strcmp(name, "lo") == 0 || (p->bridge[0] && strcmp(name, NETNS_CONTAINER_IFNAME) == 0))
      return cove_error_set(err, 0, "linux.netDevices.%s.name: \"%s\" is taken in the container", host, name);
    for (size_t j = 0; j < p->netdevs_len; j++)
      if (strcmp(p->netdevs[j].name, name) == 0)
        return cove_error_set(err, 0, "linux.netDevices.%s.name: \"%s\" is used twice", host, name);
    snprintf(p->netdevs[p->netdevs_len].host_name, IFNAMSIZ, "%s", host);
    snprintf(p->netdevs[p->netdevs_len].name, IFNAMSIZ, "%s", name);
    p->netdevs_len++;
  }
  return 0;
}

int netns_plan_build(const struct oci_kv *annotations, size_t annotations_len,
                     const struct oci_net_device *netdevs, size_t netdevs_len, struct netns_plan **out,
                     struct cove_error *err)
{
  static const char *const keys[] = {ANN_ADDRESS, ANN_GATEWAY, ANN_MTU, ANN_MAC, ANN_RATE, ANN_BRIDGE};
  _cleanup_free_ struct netns_plan *p = xcalloc(1, sizeof(*p));
  bool has[ARRAY_SIZE(keys)] = {false};
  bool asked = netdevs_len > 0;

  *out = NULL;
  for (size_t i = 0; i < annotations_len; i++) {
    const char *k = annotations[i].key, *v = annotations[i].value ? annotations[i].value : "";
    size_t which = ARRAY_SIZE(keys);
    int r = 0;

    if (strncmp(k, NETNS_ANNOTATION_PREFIX, strlen(NETNS_ANNOTATION_PREFIX)) != 0)
      continue;
    asked = true;
    for (size_t j = 0; j < ARRAY_SIZE(keys); j++)
      if (strcmp(k, keys[j]) == 0)
        which = j;
    if (which == ARRAY_SIZE(keys))
      return cove_error_set(err, 0, "unknown annotation %s (known: bridge, address, gateway, mtu, mac, rate)", k);
    if (has[which])
      return cove_error_set(err, 0, "annotation %s given twice", k);
    has[which] = true;
    switch (which) {
    case 0:
      r = parse_addresses(p, v, err);
      break;
    case 1:
      r = parse_gateways(p, v, err);
      break;
    case 2:
      r = netns_parse_mtu(v, &p->mtu, err);
      break;
    case 3:
      r = netns_parse_mac(v, p->mac, err);
      p->has_mac = r == 0;
      break;
    case 4:
      r = netns_parse_rate(v, &p->rate, err);
      break;
    default:
      if (!netns_ifname_valid(v))
        return cove_error_set(err, 0, "%s: invalid interface name \"%s\"", ANN_BRIDGE, v);
      snprintf(p->bridge, sizeof(p->bridge), "%s", v);
    }
    if (r < 0)
      return r;
  }
  if (!asked)
    return 0;
  if (plan_check(p, has, err) < 0 || parse_netdevs(p, netdevs, netdevs_len, err) < 0)
    return -1;
  *out = steal_ptr(p);
  return 0;
}

int netns_plan_from_config(const struct oci_config *config, struct netns_plan **out, struct cove_error *err)
{
  const struct oci_linux *l = config->linux_;
  bool own_netns = false;

  if (netns_plan_build(config->annotations, config->annotations_len, l ? l->net_devices : NULL,
                       l ? l->net_devices_len : 0, out, err) < 0)
    return -1;
  if (!*out)
    return 0;
  /* Without a network namespace of its own the container shares the host's: an eth0 or a moved
   * device would land on the host. */
  for (size_t i = 0; l && i < l->namespaces_len; i++)
    own_netns |= l->namespaces[i].type == OCI_NS_NETWORK;
  if (!own_netns) {
    const char *what = l && l->net_devices_len ? "linux.netDevices" : "run.cove.net.* annotations";
    netns_plan_free(steal_ptr(*out));
    return cove_error_set(err, 0, "%s need a network namespace in linux.namespaces", what);
  }
  return 0;
}

void netns_plan_free(struct netns_plan *plan)
{
  free(plan);
}

void netns_veth_name(const char *state_root, const char *id, char out[IFNAMSIZ])
{
  /* FNV-1a, 64 bits: 48 of them printed; a clash is also caught when the link is created. */
  uint64_t h = 0xcbf29ce484222325ULL;
  const char *parts[2] = {state_root ? state_root : "", id};

  for (size_t i = 0; i < 2; i++) {
    for (const unsigned char *c = (const unsigned char *) parts[i]; *c; c++) {
      h ^= *c;
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff; /* separator: ("ab","c") and ("a","bc") differ */
    h *= 0x100000001b3ULL;
  }
  /* FNV's high bits mix poorly for inputs differing in the last byte: finish with an avalanche
   * (the murmur3 64-bit finaliser) so near ids get unrelated names. */
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  snprintf(out, IFNAMSIZ, "cv%012llx", (unsigned long long) (h >> 16));
}
