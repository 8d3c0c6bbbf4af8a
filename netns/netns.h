/* netns.h: networking set up by cove itself over netlink (libmnl): lo, a veth pair on a bridge
 * with addresses and routes (asked for by run.cove.net.* annotations), tc rate limits, and
 * linux.netDevices.
 *
 * OWNER: the netns work (issue 8).  runtime/ uses only this header; these functions are the
 * contract, more may be added. */
#ifndef COVE_NETNS_NETNS_H
#define COVE_NETNS_NETNS_H

#include <sys/types.h>

#include "common/error.h"
#include "oci/oci.h"

/* Bring lo up in the calling process's (new) network namespace. */
int netns_lo_up(struct cove_error *err);

struct netns_plan; /* validated network request, opaque */

/* Validate the run.cove.net.* annotations and linux.netDevices before anything is touched.
 * *out is NULL when the config asks for nothing beyond lo. */
int netns_plan_from_config(const struct oci_config *config, struct netns_plan **out, struct cove_error *err);
void netns_plan_free(struct netns_plan *plan);

/* After the init is cloned into its new netns (netns_fd: an fd of /proc/PID/ns/net): create the
 * bridge/veth/addresses/routes/qdiscs and move netDevices in.  Records what it made in
 * state_dir so netns_teardown can undo it, even after a crash mid-way. */
int netns_setup(const struct netns_plan *plan, const char *id, int netns_fd, const char *state_root,
                const char *state_dir, struct cove_error *err);

/* Undo what netns_setup recorded in state_dir (idempotent; missing pieces are not errors). */
int netns_teardown(const char *id, const char *state_root, const char *state_dir, struct cove_error *err);

#endif
