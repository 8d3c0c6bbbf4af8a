/* record.h: private to netns/: what netns_setup made, written down before making it, so
 * teardown can undo it after a crash; and the shared files under the state root (the lock and
 * each bridge's database). */
#ifndef COVE_NETNS_RECORD_H
#define COVE_NETNS_RECORD_H

#include <stddef.h>

#include "common/error.h"
#include "netns/ipam.h"

/* The per-container record: state_dir/RECORD_FILE, one line per thing:
 *   bridge NAME        registered as a user of bridge NAME (maybe holding an address)
 *   veth NAME          the host end of the veth pair
 *   pin                the container's netns is bind-mounted on state_dir/PIN_FILE
 *   netdev HOST NAME   host interface HOST moved in as NAME */
#define RECORD_FILE "network"
#define PIN_FILE "netns"

int record_append(const char *state_dir, const char *line, struct cove_error *err);
/* The record's lines (NULL-terminated, *out NULL when there is no record). */
int record_read(const char *state_dir, char ***out, struct cove_error *err);
int record_remove(const char *state_dir, struct cove_error *err);

/* Take the state root's network lock (state_root/net/lock, flock): serialises the bridge
 * databases between concurrent cove processes.  Returns the fd holding it. */
int netlock_take(const char *state_root, int *fd, struct cove_error *err);

/* Load (empty when absent) and save the database of bridge name; save with no users and not
 * created removes the file. */
int bridge_db_load(const char *state_root, const char *name, struct bridge_db *db, struct cove_error *err);
int bridge_db_save(const char *state_root, const char *name, const struct bridge_db *db,
                   struct cove_error *err);

#endif
