/* netns.h: networking set up by cove itself over netlink (libmnl): lo, a veth pair on a bridge
 * with addresses and routes (asked for by run.cove.net.* annotations), tc rate limits, and
 * linux.netDevices.
 *
 * Dependencies: runtime/ (and runtime/criu/) call this module; it calls only common/ and libmnl.
 * Inside, netns.c (and restore.c, restore's side, over it) drives plan.c (the validated request),
 * record.c (what was made, written before making it), ipam.c and the netlink requests (link.c,
 * veth.c, bridge.c, addr.c, route.c, tc.c, devices.c), all on nl.c. */
#ifndef COVE_NETNS_NETNS_H
#define COVE_NETNS_NETNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/oci.h"

/* Bring lo up in the calling process's (new) network namespace. */
int netns_lo_up(struct cove_error *err);

struct netns_plan; /* validated network request, opaque */

/* What a plan is made of (the README documents these for users):
 *   run.cove.net.bridge   bridge to attach to, created if missing (and then deleted with its
 *                         last container); every other run.cove.net.* key needs it
 *   run.cove.net.address  comma-separated CIDRs (IPv4 and/or IPv6), or "auto": a free IPv4
 *                         address of the bridge's subnet, allocated under the state root
 *   run.cove.net.gateway  one IPv4 and/or one IPv6 address (a CIDR sets the bridge's subnet);
 *                         put on a bridge cove creates, and the container's default route
 *   run.cove.net.mtu      68..65535;  run.cove.net.mac  unicast MAC of eth0
 *   run.cove.net.rate     tc-style rate ("10mbit"), applied both ways on the veth
 *   linux.netDevices      host interfaces moved in (renamed), and back on teardown
 * An unknown run.cove.net.* key is an error, as is any of these without a network namespace. */

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

/* ---- checkpoint and restore (CRIU brings the namespace back with eth0, its addresses and
 * routes; netns/restore.c) ---- */

/* At checkpoint: the IPv4 address (CIDR) eth0 has in the network namespace netns_fd, "" when
 * none: restore claims it on the bridge (run.cove.net.address=auto picked it at create). */
int netns_checkpoint_addr(int netns_fd, char out[64], struct cove_error *err);
/* At restore, before CRIU runs: join the plan's bridge as create does (recorded first; the
 * address saved_addr, "" for none, claimed on the bridge; the bridge made if missing) and record
 * the host end of the veth pair CRIU will make, whose name (create's) is put in veth. */
int netns_restore_prepare(const struct netns_plan *plan, const char *saved_addr, const char *id,
                          const char *state_root, const char *state_dir, char veth[16], struct cove_error *err);
/* The plan with the address saved at checkpoint in place of run.cove.net.address=auto (heap).
 * With --empty-ns network CRIU leaves the namespace empty and netns_setup makes everything in
 * it from this plan, as create does. */
struct netns_plan *netns_plan_with_addr(const struct netns_plan *plan, const char *saved_addr,
                                        struct cove_error *err);
/* Bring lo up in the network namespace netns_fd (restore --empty-ns network: CRIU leaves it
 * down, where create's init brings it up itself). */
int netns_lo_up_in(int netns_fd, struct cove_error *err);
/* Whether CRIU has made the host end yet (it does so while it restores the namespace). */
bool netns_restore_link_ready(const char *veth);
/* After CRIU made it: the host end on the bridge, up, with the MTU and the rate limit (both
 * ends: CRIU restores no qdisc; netns_fd is the restored namespace). */
int netns_restore_finish(const struct netns_plan *plan, const char *veth, int netns_fd, struct cove_error *err);

#endif
