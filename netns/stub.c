/* stub.c: placeholder so the tree links until the netns module lands; deleted by it. */
#include <errno.h>
#include <stdlib.h>
#include "netns/netns.h"
int netns_lo_up(struct cove_error *e) { return cove_error_set(e, ENOSYS, "netns"); }
int netns_plan_from_config(const struct oci_config *c, struct netns_plan **o, struct cove_error *e) { (void) c; (void) e; *o = NULL; return 0; }
void netns_plan_free(struct netns_plan *p) { (void) p; }
int netns_setup(const struct netns_plan *p, const char *id, int fd, const char *r, const char *d, struct cove_error *e) { (void) p; (void) id; (void) fd; (void) r; (void) d; return cove_error_set(e, ENOSYS, "netns"); }
int netns_teardown(const char *id, const char *r, const char *d, struct cove_error *e) { (void) id; (void) r; (void) d; (void) e; return 0; }
