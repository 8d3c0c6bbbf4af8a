/* devices.c: runtime-spec linux.netDevices: host interfaces moved into the container's network
 * namespace under their new names (keeping their permanent addresses), and moved back under
 * their original names on delete.  The namespace is pinned by a bind mount in the state dir,
 * because when the last process of a namespace exits the kernel destroys virtual devices in it
 * (and renames physical ones) instead of giving them back: the pin keeps them reachable until
 * delete. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/magic.h>
#include <linux/rtnetlink.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "netns/devices.h"
#include "netns/record.h"

int devices_pin(int netns_fd, const char *state_dir, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, PIN_FILE);
  _cleanup_free_ char *src = xasprintf("/proc/self/fd/%d", netns_fd);
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    return cove_error_set(err, errno, "create network namespace pin `%s`", path);
  if (mount(src, path, NULL, MS_BIND, NULL) < 0)
    return cove_error_set(err, errno, "pin network namespace on `%s`", path);
  return 0;
}

int devices_unpin(const char *state_dir, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, PIN_FILE);

  if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    return cove_error_set(err, errno, "unpin network namespace `%s`", path);
  if (unlink(path) < 0 && errno != ENOENT)
    return cove_error_set(err, errno, "remove `%s`", path);
  return 0;
}

int devices_open_pinned(const char *state_dir, int *fd_out, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", state_dir, PIN_FILE);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct statfs sfs;

  *fd_out = -1;
  if (fd < 0) {
    if (errno == ENOENT)
      return 0;
    return cove_error_set(err, errno, "open network namespace pin `%s`", path);
  }
  /* Not yet (or no longer) a mount of the namespace: a plain empty file. */
  if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
    close(fd);
    return 0;
  }
  *fd_out = fd;
  return 0;
}

struct addr_list {
  int ifindex;
  struct ip_addr addrs[NETNS_DEVICE_MAX_ADDRS];
  size_t len;
};

static int perm_addr_cb(const struct nlmsghdr *nlh, void *data)
{
  struct addr_list *l = data;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
  const struct nlattr *attr;
  uint32_t flags = ifa->ifa_flags;
  const void *local = NULL, *address = NULL;
  size_t alen = ifa->ifa_family == AF_INET ? 4 : 16;

  if (nlh->nlmsg_type != RTM_NEWADDR || (int) ifa->ifa_index != l->ifindex || l->len == NETNS_DEVICE_MAX_ADDRS)
    return MNL_CB_OK;
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
    return MNL_CB_OK;
  mnl_attr_for_each(attr, nlh, sizeof(*ifa))
  {
    uint16_t t = mnl_attr_get_type(attr);
    if (t == IFA_FLAGS && mnl_attr_get_payload_len(attr) == 4)
      flags = mnl_attr_get_u32(attr);
    else if (t == IFA_LOCAL && mnl_attr_get_payload_len(attr) == alen)
      local = mnl_attr_get_payload(attr);
    else if (t == IFA_ADDRESS && mnl_attr_get_payload_len(attr) == alen)
      address = mnl_attr_get_payload(attr);
  }
  if (!(flags & IFA_F_PERMANENT) || ifa->ifa_scope == RT_SCOPE_LINK || !(local || address))
    return MNL_CB_OK;
  memset(&l->addrs[l->len], 0, sizeof(l->addrs[0]));
  l->addrs[l->len].family = ifa->ifa_family;
  l->addrs[l->len].prefix = ifa->ifa_prefixlen;
  memcpy(l->addrs[l->len].bytes, local ? local : address, alen);
  l->len++;
  return MNL_CB_OK;
}

static int perm_addrs(struct nl *nl, int ifindex, const char *name, struct addr_list *l, struct cove_error *err)
{
  struct ifaddrmsg *ifa;
  struct nlmsghdr *nlh = nl_msg(nl, RTM_GETADDR, NLM_F_DUMP, sizeof(*ifa), (void **) &ifa);
  char op[64];

  l->ifindex = ifindex;
  l->len = 0;
  ifa->ifa_family = AF_UNSPEC;
  snprintf(op, sizeof(op), "list addresses of %s", name);
  return nl_talk(nl, nlh, perm_addr_cb, l, op, err);
}

static int readd_addrs(struct nl *nl, const char *name, const struct addr_list *l, struct cove_error *err)
{
  int idx;

  if (l->len == 0)
    return 0;
  if (link_index(nl, name, &idx, err) < 0)
    return -1;
  for (size_t i = 0; i < l->len; i++) {
    if (addr_add(nl, idx, &l->addrs[i], name, err) < 0) {
      if (!err || err->errnum != EEXIST)
        return -1;
      cove_error_release(err);
    }
  }
  return 0;
}

int devices_move_in(struct nl *host, struct nl *ctr, int netns_fd, const struct netns_netdev *d,
                    struct cove_error *err)
{
  struct addr_list l = {0};
  struct link_change move = {.name = d->name, .netns_fd = netns_fd};
  char op[96];
  int idx;

  if (link_index(host, d->host_name, &idx, err) < 0)
    return -1;
  if (idx == 0)
    return cove_error_set(err, ENODEV, "linux.netDevices: no interface %s on the host", d->host_name);
  /* Moving a link flushes its addresses: note the permanent ones to put them back inside, as
   * runtime-spec asks. */
  if (perm_addrs(host, idx, d->host_name, &l, err) < 0)
    return -1;

  snprintf(op, sizeof(op), "move %s into the container as %s", d->host_name, d->name);
  if (link_change(host, idx, &move, op, err) < 0)
    return -1;
  return readd_addrs(ctr, d->name, &l, err);
}

int devices_move_out(struct nl *host, struct nl *ctr, int host_ns_fd, const char *host_name, const char *name,
                     struct cove_error *err)
{
  struct link_change move = {.name = host_name, .netns_fd = host_ns_fd};
  struct addr_list l = {0};
  char op[96];
  int idx;

  if (link_index(ctr, name, &idx, err) < 0)
    return -1;
  if (idx == 0)
    return 0; /* never moved in, or already back */
  /* The way back flushes addresses too: the device returns with the ones it has then. */
  if (perm_addrs(ctr, idx, name, &l, err) < 0)
    return -1;
  snprintf(op, sizeof(op), "move %s back to the host as %s", name, host_name);
  if (link_change(ctr, idx, &move, op, err) < 0)
    return -1;
  return readd_addrs(host, host_name, &l, err);
}
