/* test_netns.c: unit tests of the netns module's pure logic: the run.cove.net.* annotations and
 * netDevices turned into a plan (and the errors bad values give), rate/MAC/MTU/address parsing,
 * veth name derivation, the bridge database text and the IPv4 allocator. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "netns/ipam.h"
#include "netns/plan.h"

/* Build a plan from "key=value" strings (keys without the run.cove.net. prefix). */
static int plan_of(struct netns_plan **out, struct cove_error *err, const char *const *kvs, size_t n)
{
  struct oci_kv kv[8];
  char keys[8][64];

  assert_true(n <= 8);
  for (size_t i = 0; i < n; i++) {
    const char *eq = strchr(kvs[i], '=');
    assert_non_null(eq);
    snprintf(keys[i], sizeof(keys[i]), "%s%.*s", NETNS_ANNOTATION_PREFIX, (int) (eq - kvs[i]), kvs[i]);
    kv[i].key = keys[i];
    kv[i].value = (char *) eq + 1;
  }
  return netns_plan_build(kv, n, NULL, 0, out, err);
}

/* The plan must fail with a message containing want. */
static void expect_plan_error(const char *const *kvs, size_t n, const char *want)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct netns_plan *p = NULL;

  assert_int_equal(plan_of(&p, &err, kvs, n), -1);
  assert_null(p);
  assert_non_null(err.msg);
  if (!strstr(err.msg, want))
    fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
  cove_error_release(&err);
}

static void test_plan_nothing_asked(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  struct netns_plan *p = (struct netns_plan *) 1;
  struct oci_kv other[] = {{"org.example.x", "1"}, {"run.cove.other", "y"}};

  assert_int_equal(netns_plan_build(other, 2, NULL, 0, &p, &err), 0);
  assert_null(p);
  assert_int_equal(netns_plan_build(NULL, 0, NULL, 0, &p, &err), 0);
  assert_null(p);
}

static void test_plan_full(void **state)
{
  (void) state;
  static const char *const kvs[] = {"bridge=cove0", "address=10.88.0.5/16, fd00::5/64", "gateway=10.88.0.1,fd00::1",
                                    "mtu=1400", "mac=02:42:ac:11:00:05", "rate=10mbit"};
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ struct netns_plan *p = NULL;
  char s[64];

  assert_int_equal(plan_of(&p, &err, kvs, 6), 0);
  assert_non_null(p);
  assert_string_equal(p->bridge, "cove0");
  assert_int_equal(p->addrs_len, 2);
  netns_format_ip(&p->addrs[0], true, s, sizeof(s));
  assert_string_equal(s, "10.88.0.5/16");
  netns_format_ip(&p->addrs[1], true, s, sizeof(s));
  assert_string_equal(s, "fd00::5/64");
  assert_true(p->has_gw4 && p->has_gw6);
  assert_false(p->auto_v4);
  assert_int_equal(p->mtu, 1400);
  assert_true(p->has_mac);
  assert_int_equal(p->mac[5], 5);
  assert_int_equal(p->rate, 1250000);
}

static void test_plan_auto(void **state)
{
  (void) state;
  static const char *const kvs[] = {"bridge=cove0", "address=auto", "gateway=10.88.0.1/16"};
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_free_ struct netns_plan *p = NULL;

  assert_int_equal(plan_of(&p, &err, kvs, 3), 0);
  assert_true(p->auto_v4);
  assert_int_equal(p->addrs_len, 0);
  assert_int_equal(p->gw4.prefix, 16);
}

static void test_plan_errors(void **state)
{
  (void) state;
  {
    static const char *const kvs[] = {"address=10.0.0.2/24"};
    expect_plan_error(kvs, 1, "run.cove.net.address needs run.cove.net.bridge");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "adress=10.0.0.2/24"};
    expect_plan_error(kvs, 2, "unknown annotation run.cove.net.adress");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "address=10.0.0.300/24"};
    expect_plan_error(kvs, 2, "run.cove.net.address: invalid address \"10.0.0.300/24\"");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "address=10.0.0.3"};
    expect_plan_error(kvs, 2, "has no prefix length");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "address=10.0.0.3/33"};
    expect_plan_error(kvs, 2, "invalid prefix length");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "address=10.0.0.3/24", "gateway=10.1.0.1"};
    expect_plan_error(kvs, 3, "the gateway is outside 10.0.0.3/24");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "address=10.0.0.1/24", "gateway=10.0.0.1"};
    expect_plan_error(kvs, 3, "10.0.0.1 is also the gateway");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "address=auto,10.0.0.4/24"};
    expect_plan_error(kvs, 2, "\"auto\" and an IPv4 address both given");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "gateway=10.0.0.1,10.0.0.2"};
    expect_plan_error(kvs, 2, "two gateways of one address family");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "mtu=9"};
    expect_plan_error(kvs, 2, "run.cove.net.mtu: invalid MTU \"9\"");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "mtu=1500x"};
    expect_plan_error(kvs, 2, "invalid MTU");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "mac=02:42:ac:11:00"};
    expect_plan_error(kvs, 2, "run.cove.net.mac: invalid MAC address");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "mac=01:00:5e:00:00:01"};
    expect_plan_error(kvs, 2, "is a multicast address");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "rate=fast"};
    expect_plan_error(kvs, 2, "run.cove.net.rate: invalid rate \"fast\"");
  }
  {
    static const char *const kvs[] = {"bridge=cove0", "rate=10mbits"};
    expect_plan_error(kvs, 2, "unknown unit \"mbits\"");
  }
  {
    static const char *const kvs[] = {"bridge=bridge-name-too-long"};
    expect_plan_error(kvs, 1, "run.cove.net.bridge: invalid interface name");
  }
  {
    static const char *const kvs[] = {"bridge=a/b"};
    expect_plan_error(kvs, 1, "invalid interface name");
  }
}

static void test_plan_netdevs(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  struct netns_plan *p = NULL;
  struct oci_net_device ok[] = {{"dummy0", "net1"}, {"dummy1", NULL}};
  struct oci_net_device clash[] = {{"dummy0", "net1"}, {"dummy1", "net1"}};
  struct oci_net_device lo[] = {{"dummy0", "lo"}};
  struct oci_net_device eth0[] = {{"dummy0", "eth0"}};
  struct oci_kv br[] = {{"run.cove.net.bridge", "cove0"}};

  assert_int_equal(netns_plan_build(NULL, 0, ok, 2, &p, &err), 0);
  assert_non_null(p);
  assert_int_equal(p->netdevs_len, 2);
  assert_string_equal(p->netdevs[0].name, "net1");
  assert_string_equal(p->netdevs[1].name, "dummy1"); /* name defaults to the host's */
  netns_plan_free(p);
  p = NULL;

  assert_int_equal(netns_plan_build(NULL, 0, clash, 2, &p, &err), -1);
  assert_non_null(strstr(err.msg, "\"net1\" is used twice"));
  cove_error_release(&err);
  assert_int_equal(netns_plan_build(NULL, 0, lo, 1, &p, &err), -1);
  assert_non_null(strstr(err.msg, "\"lo\" is taken"));
  cove_error_release(&err);
  /* eth0 is free without a bridge, taken by the veth with one */
  assert_int_equal(netns_plan_build(NULL, 0, eth0, 1, &p, &err), 0);
  netns_plan_free(p);
  p = NULL;
  assert_int_equal(netns_plan_build(br, 1, eth0, 1, &p, &err), -1);
  assert_null(p);
  cove_error_release(&err);
}

static void test_plan_needs_netns(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  struct netns_plan *p = NULL;
  struct oci_kv ann[] = {{"run.cove.net.bridge", "cove0"}};
  struct oci_namespace ns[] = {{OCI_NS_PID, NULL}, {OCI_NS_NETWORK, NULL}};
  struct oci_linux lin = {.namespaces = ns, .namespaces_len = 2};
  struct oci_config c = {.annotations = ann, .annotations_len = 1, .linux_ = &lin};

  assert_int_equal(netns_plan_from_config(&c, &p, &err), 0);
  assert_non_null(p);
  netns_plan_free(p);
  p = NULL;
  lin.namespaces_len = 1; /* no network namespace: the host's would be used */
  assert_int_equal(netns_plan_from_config(&c, &p, &err), -1);
  assert_null(p);
  assert_non_null(strstr(err.msg, "need a network namespace"));
  cove_error_release(&err);
  c.annotations_len = 0; /* nothing asked: nothing to check */
  assert_int_equal(netns_plan_from_config(&c, &p, &err), 0);
  assert_null(p);
}

static void test_rate(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  uint64_t r;

  assert_int_equal(netns_parse_rate("10mbit", &r, &err), 0);
  assert_int_equal(r, 1250000);
  assert_int_equal(netns_parse_rate("10Mbit", &r, &err), 0);
  assert_int_equal(r, 1250000);
  assert_int_equal(netns_parse_rate("1.5gbit", &r, &err), 0);
  assert_int_equal(r, 187500000);
  assert_int_equal(netns_parse_rate("100kbps", &r, &err), 0);
  assert_int_equal(r, 100000);
  assert_int_equal(netns_parse_rate("1mibit", &r, &err), 0);
  assert_int_equal(r, 131072);
  assert_int_equal(netns_parse_rate("8000", &r, &err), 0); /* bare: bits, as tc */
  assert_int_equal(r, 1000);
  assert_int_equal(netns_parse_rate("40gbit", &r, &err), 0); /* above 32 bits of bytes/s */
  assert_int_equal(r, 5000000000ULL);

  assert_int_equal(netns_parse_rate("", &r, &err), -1);
  cove_error_release(&err);
  assert_int_equal(netns_parse_rate("-1mbit", &r, &err), -1);
  cove_error_release(&err);
  assert_int_equal(netns_parse_rate("4bit", &r, &err), -1);
  assert_non_null(strstr(err.msg, "below one byte per second"));
  cove_error_release(&err);
  assert_int_equal(netns_parse_rate("99999999999999999999bit", &r, &err), -1);
  assert_non_null(strstr(err.msg, "too large"));
  cove_error_release(&err);
  assert_int_equal(netns_parse_rate("99999999999tbps", &r, &err), -1);
  cove_error_release(&err);
}

static void test_mac_mtu(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  uint8_t mac[6];
  uint32_t mtu;

  assert_int_equal(netns_parse_mac("02:42:AC:11:00:02", mac, &err), 0);
  assert_int_equal(mac[0], 0x02);
  assert_int_equal(mac[2], 0xac);
  assert_int_equal(netns_parse_mac("00:00:00:00:00:00", mac, &err), -1);
  cove_error_release(&err);
  assert_int_equal(netns_parse_mac("02:42:ac:11:00:0g", mac, &err), -1);
  cove_error_release(&err);
  assert_int_equal(netns_parse_mac("02-42-ac-11-00-02", mac, &err), -1);
  cove_error_release(&err);
  assert_int_equal(netns_parse_mac(" 2:42:ac:11:00:02", mac, &err), -1);
  cove_error_release(&err);

  assert_int_equal(netns_parse_mtu("68", &mtu, &err), 0);
  assert_int_equal(netns_parse_mtu("65535", &mtu, &err), 0);
  assert_int_equal(mtu, 65535);
  assert_int_equal(netns_parse_mtu("65536", &mtu, &err), -1);
  cove_error_release(&err);
  assert_int_equal(netns_parse_mtu("-1500", &mtu, &err), -1);
  cove_error_release(&err);
  assert_int_equal(netns_parse_mtu("", &mtu, &err), -1);
  cove_error_release(&err);
}

static void test_veth_name(void **state)
{
  (void) state;
  char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ];
  char id[300];

  netns_veth_name("/run/cove", "web", a);
  netns_veth_name("/run/cove", "web", b);
  assert_string_equal(a, b); /* stable: teardown derives the same name */
  assert_true(strlen(a) <= IFNAMSIZ - 1);
  assert_true(netns_ifname_valid(a));
  assert_int_equal(strncmp(a, "cv", 2), 0);
  netns_veth_name("/tmp/other-root", "web", c);
  assert_string_not_equal(a, c); /* two state roots may reuse an id */
  netns_veth_name("/run/cove", "we", b);
  netns_veth_name("/run/cove", "webb", c);
  assert_string_not_equal(a, b);
  assert_string_not_equal(a, c);
  /* a long id still fits */
  memset(id, 'x', sizeof(id) - 1);
  id[sizeof(id) - 1] = '\0';
  netns_veth_name("/run/cove", id, a);
  assert_true(netns_ifname_valid(a));

  /* 10000 ids in one root: no two share a name */
  enum { N = 10000 };
  char(*names)[IFNAMSIZ] = calloc(N, IFNAMSIZ);
  assert_non_null(names);
  for (int i = 0; i < N; i++) {
    snprintf(id, sizeof(id), "c%d", i);
    netns_veth_name("/run/cove", id, names[i]);
  }
  qsort(names, N, IFNAMSIZ, (int (*)(const void *, const void *)) strcmp);
  for (int i = 1; i < N; i++)
    assert_string_not_equal(names[i - 1], names[i]);
  free(names);
}

static void test_ifname_valid(void **state)
{
  (void) state;
  assert_true(netns_ifname_valid("eth0"));
  assert_true(netns_ifname_valid("a23456789012345"));
  assert_false(netns_ifname_valid("a234567890123456"));
  assert_false(netns_ifname_valid(""));
  assert_false(netns_ifname_valid("."));
  assert_false(netns_ifname_valid(".."));
  assert_false(netns_ifname_valid("a b"));
  assert_false(netns_ifname_valid("a:b"));
}

/* ---- IPAM ---- */

static struct ip_addr subnet_of(const char *cidr)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct ip_addr a;
  assert_int_equal(netns_parse_ip(cidr, true, &a, "test", &err), 0);
  return a;
}

static struct in_addr v4(const char *s)
{
  struct in_addr a;
  assert_int_equal(inet_pton(AF_INET, s, &a), 1);
  return a;
}

static void assert_addr(struct in_addr a, const char *want)
{
  char s[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, s, sizeof(s));
  assert_string_equal(s, want);
}

static void test_ipam_distinct(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  struct ip_addr net = subnet_of("10.88.0.1/24");
  struct in_addr gw = v4("10.88.0.1"), used[300], out;
  size_t n = 0;

  /* 253 hosts besides the gateway, all distinct, none the network, gateway or broadcast */
  for (int i = 0; i < 253; i++) {
    assert_int_equal(ipam_alloc(&net, &gw, used, n, n ? &used[n - 1] : NULL, &out, &err), 0);
    for (size_t j = 0; j < n; j++)
      assert_int_not_equal(out.s_addr, used[j].s_addr);
    assert_int_not_equal(out.s_addr, gw.s_addr);
    assert_int_not_equal(out.s_addr, v4("10.88.0.0").s_addr);
    assert_int_not_equal(out.s_addr, v4("10.88.0.255").s_addr);
    used[n++] = out;
  }
  assert_addr(used[0], "10.88.0.2");
  assert_addr(used[252], "10.88.0.254");
  /* exhaustion */
  assert_int_equal(ipam_alloc(&net, &gw, used, n, &used[n - 1], &out, &err), -1);
  assert_non_null(strstr(err.msg, "10.88.0.1/24: every address is in use"));
  cove_error_release(&err);
}

static void test_ipam_wraps_and_frees(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  struct ip_addr net = subnet_of("192.168.7.1/29"); /* hosts .1 - .6, gateway .1 */
  struct in_addr gw = v4("192.168.7.1"), out, last;
  struct in_addr used[] = {v4("192.168.7.2"), v4("192.168.7.3")};

  /* the search starts after the last one handed out ... */
  last = v4("192.168.7.4");
  assert_int_equal(ipam_alloc(&net, &gw, used, 2, &last, &out, &err), 0);
  assert_addr(out, "192.168.7.5");
  last = v4("192.168.7.6");
  /* ... and wraps past the end, skipping the gateway and the used ones */
  assert_int_equal(ipam_alloc(&net, &gw, used, 2, &last, &out, &err), 0);
  assert_addr(out, "192.168.7.4");
  /* a freed address (no longer in used) is found again after a wrap */
  struct in_addr full[] = {v4("192.168.7.2"), v4("192.168.7.4"), v4("192.168.7.5"), v4("192.168.7.6")};
  last = v4("192.168.7.6");
  assert_int_equal(ipam_alloc(&net, &gw, full, 4, &last, &out, &err), 0);
  assert_addr(out, "192.168.7.3");
  /* a last outside the subnet is ignored */
  last = v4("10.0.0.1");
  assert_int_equal(ipam_alloc(&net, &gw, NULL, 0, &last, &out, &err), 0);
  assert_addr(out, "192.168.7.2");
  /* subnets too small or not IPv4 */
  struct ip_addr tiny = subnet_of("10.0.0.1/31");
  assert_int_equal(ipam_alloc(&tiny, NULL, NULL, 0, NULL, &out, &err), -1);
  cove_error_release(&err);
  struct ip_addr six = subnet_of("fd00::1/64");
  assert_int_equal(ipam_alloc(&six, NULL, NULL, 0, NULL, &out, &err), -1);
  cove_error_release(&err);
}

static void test_bridge_db(void **state)
{
  (void) state;
  struct cove_error err = COVE_ERROR_INIT;
  struct bridge_db db = {0}, back = {0};
  struct in_addr a = v4("10.88.0.2"), b = v4("10.88.0.3");
  _cleanup_free_ char *text = NULL, *text2 = NULL;

  db.created = true;
  ipam_db_add_user(&db, "web", &a);
  ipam_db_add_user(&db, "db", NULL);
  ipam_db_add_user(&db, "cache", &b);
  db.last = b;
  db.has_last = true;
  ipam_db_add_user(&db, "web", &a); /* re-adding replaces */
  assert_int_equal(db.users_len, 3);
  text = ipam_db_format(&db);
  assert_string_equal(text, "created 1\nlast 10.88.0.3\nuser db -\nuser cache 10.88.0.3\nuser web 10.88.0.2\n");

  assert_int_equal(ipam_db_parse(text, &back, &err), 0);
  text2 = ipam_db_format(&back);
  assert_string_equal(text, text2);
  assert_true(ipam_db_remove_user(&back, "cache"));
  assert_false(ipam_db_remove_user(&back, "cache"));
  assert_int_equal(back.users_len, 2);
  assert_string_equal(back.users[1].id, "web");
  ipam_db_clear(&back);
  ipam_db_clear(&db);

  assert_int_equal(ipam_db_parse("created 0\nuser x 10.0.0.300\n", &back, &err), -1);
  assert_non_null(strstr(err.msg, "line 2"));
  cove_error_release(&err);
  assert_int_equal(ipam_db_parse("garbage\n", &back, &err), -1);
  cove_error_release(&err);
  assert_int_equal(ipam_db_parse("", &back, &err), 0);
  assert_false(back.created);
  assert_int_equal(back.users_len, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plan_nothing_asked),
      cmocka_unit_test(test_plan_full),
      cmocka_unit_test(test_plan_auto),
      cmocka_unit_test(test_plan_errors),
      cmocka_unit_test(test_plan_netdevs),
      cmocka_unit_test(test_plan_needs_netns),
      cmocka_unit_test(test_rate),
      cmocka_unit_test(test_mac_mtu),
      cmocka_unit_test(test_veth_name),
      cmocka_unit_test(test_ifname_valid),
      cmocka_unit_test(test_ipam_distinct),
      cmocka_unit_test(test_ipam_wraps_and_frees),
      cmocka_unit_test(test_bridge_db),
  };
  return cmocka_run_group_tests_name("netns", tests, NULL, NULL);
}
