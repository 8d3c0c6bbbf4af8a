/* devices.h: private to netns/: linux.netDevices moves and the pin of the container's network
 * namespace that keeps moved devices alive until delete. */
#ifndef COVE_NETNS_DEVICES_H
#define COVE_NETNS_DEVICES_H

#include "common/error.h"
#include "netns/nl.h"
#include "netns/plan.h"

#define NETNS_DEVICE_MAX_ADDRS 16

/* Bind-mount the namespace netns_fd on state_dir/PIN_FILE; undo it (idempotent). */
int devices_pin(int netns_fd, const char *state_dir, struct cove_error *err);
int devices_unpin(const char *state_dir, struct cove_error *err);
/* An fd of the pinned namespace, -1 when there is no pin. */
int devices_open_pinned(const char *state_dir, int *fd, struct cove_error *err);

/* Move host interface d->host_name into netns_fd renamed d->name, with its permanent
 * addresses (host: socket here, ctr: socket in the container's namespace). */
int devices_move_in(struct nl *host, struct nl *ctr, int netns_fd, const struct netns_netdev *d,
                    struct cove_error *err);
/* Move name back from the container's namespace into host_ns_fd as host_name, with its
 * permanent addresses (re-added through host); absent is fine. */
int devices_move_out(struct nl *host, struct nl *ctr, int host_ns_fd, const char *host_name, const char *name,
                     struct cove_error *err);

#endif
