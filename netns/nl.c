/* nl.c: the route netlink socket of the netns module (libmnl): opening it here or inside
 * another network namespace, building requests, and request/ack or dump exchanges whose errors
 * carry the kernel's extended ack message (NETLINK_EXT_ACK). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "netns/nl.h"

int nl_open(struct nl **out, struct cove_error *err)
{
  struct nl *nl = xcalloc(1, sizeof(*nl));
  int one = 1;

  nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!nl->sk) {
    free(nl);
    return cove_error_set(err, errno, "open route netlink socket");
  }
  if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
    int e = errno;
    nl_close(nl);
    return cove_error_set(err, e, "bind route netlink socket");
  }
  /* Both are best effort: kernels before 4.12 have no extended acks; messages stay plain. */
  (void) mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
  (void) mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
  nl->portid = mnl_socket_get_portid(nl->sk);
  nl->seq = (uint32_t) time(NULL);
  nl->buf = xmalloc(NL_BUF_SIZE);
  *out = nl;
  return 0;
}

void nl_close(struct nl *nl)
{
  if (nl->sk)
    mnl_socket_close(nl->sk);
  free(nl->buf);
  free(nl);
}

struct open_in_netns {
  int netns_fd;
  struct nl *nl;
  struct cove_error err;
};

/* setns(CLONE_NEWNET) applies to the calling thread only: this thread enters the namespace,
 * opens the socket there and ends, so the process that asked never changes namespace. */
static void *open_in_netns_thread(void *arg)
{
  struct open_in_netns *o = arg;

  if (setns(o->netns_fd, CLONE_NEWNET) < 0) {
    cove_error_set(&o->err, errno, "enter network namespace");
    return NULL;
  }
  (void) nl_open(&o->nl, &o->err);
  return NULL;
}

int nl_open_in_netns(int netns_fd, struct nl **out, struct cove_error *err)
{
  struct open_in_netns o = {.netns_fd = netns_fd, .nl = NULL, .err = COVE_ERROR_INIT};
  pthread_t t;
  int r;

  r = pthread_create(&t, NULL, open_in_netns_thread, &o);
  if (r != 0)
    return cove_error_set(err, r, "start thread to enter network namespace");
  r = pthread_join(t, NULL);
  if (r != 0)
    return cove_error_set(err, r, "join network namespace thread");
  if (!o.nl) {
    if (err) {
      free(err->msg);
      err->errnum = o.err.errnum;
      err->msg = steal_ptr(o.err.msg);
    }
    cove_error_release(&o.err);
    return -1;
  }
  *out = o.nl;
  return 0;
}

struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags, size_t hdr_len, void **extra)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  nlh->nlmsg_seq = ++nl->seq;
  if (hdr_len) {
    void *p = mnl_nlmsg_put_extra_header(nlh, hdr_len);
    if (extra)
      *extra = p;
  }
  return nlh;
}

struct talk {
  nl_reply_cb cb;
  void *data;
  int error;        /* the kernel's answer: 0 or a negative errno */
  char extmsg[256]; /* NLMSGERR_ATTR_MSG, empty when none */
};

static int ext_ack_attr_cb(const struct nlattr *attr, void *data)
{
  struct talk *t = data;

  if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
    const char *m = mnl_attr_get_str(attr);
    size_t n = strnlen(m, sizeof(t->extmsg) - 1);
    memcpy(t->extmsg, m, n);
    t->extmsg[n] = '\0';
  }
  return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
  struct talk *t = data;
  const struct nlmsgerr *e;

  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
    t->error = -EBADMSG;
    errno = EBADMSG;
    return MNL_CB_ERROR;
  }
  e = mnl_nlmsg_get_payload(nlh);
  if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
    /* The TLVs follow the echoed request: only its header when the ack is capped. */
    size_t off = sizeof(*e);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
      off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
    if (mnl_nlmsg_size(off) <= nlh->nlmsg_len)
      (void) mnl_attr_parse(nlh, (unsigned int) MNL_ALIGN(off), ext_ack_attr_cb, t);
  }
  t->error = e->error;
  if (e->error == 0)
    return MNL_CB_STOP;
  errno = -e->error;
  return MNL_CB_ERROR;
}

/* With a control array, libmnl calls no default for the types it leaves empty: each is here. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
  (void) nlh;
  (void) data;
  return MNL_CB_STOP;
}

static int noop_cb(const struct nlmsghdr *nlh, void *data)
{
  (void) nlh;
  (void) data;
  return MNL_CB_OK;
}

static int overrun_cb(const struct nlmsghdr *nlh, void *data)
{
  (void) nlh;
  (void) data;
  errno = ENOSPC;
  return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
  struct talk *t = data;
  return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, nl_reply_cb cb, void *data, const char *op,
            struct cove_error *err)
{
  mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
      [NLMSG_NOOP] = noop_cb, [NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb, [NLMSG_OVERRUN] = overrun_cb};
  struct talk t = {.cb = cb, .data = data, .error = 0, .extmsg = ""};
  uint32_t seq = nlh->nlmsg_seq;
  int r = MNL_CB_OK; /* an EINTR retry goes through the loop condition */

  if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP) /* NLM_F_EXCL shares a bit with it */
    nlh->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
    int e = errno;
    cove_error_set(err, e, "%s: send netlink request", op);
    return -e;
  }

  do {
    ssize_t n = mnl_socket_recvfrom(nl->sk, nl->buf, NL_BUF_SIZE);
    if (n < 0) {
      int e = errno;
      if (e == EINTR)
        continue;
      cove_error_set(err, e, "%s: receive netlink reply", op);
      return -e;
    }
    r = mnl_cb_run2(nl->buf, (size_t) n, seq, nl->portid, data_cb, &t, ctl_cb, ARRAY_SIZE(ctl_cb));
  } while (r > 0);

  if (r < 0) {
    int e = t.error ? -t.error : (errno ? errno : EPROTO);
    if (t.extmsg[0])
      cove_error_set(err, e, "%s: %s", op, t.extmsg);
    else
      cove_error_set(err, e, "%s", op);
    return -e;
  }
  return 0;
}
