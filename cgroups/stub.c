/* stub.c: placeholder so the tree links until the cgroups driver lands; deleted by it. */
#include <errno.h>
#include "cgroups/cgroups.h"
int cgroup_detect_mode(enum cgroup_mode *m, struct cove_error *e) { (void) m; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_create(const struct oci_config *c, const char *id, bool s, struct cove_cgroup **o, struct cove_error *e) { (void) c; (void) id; (void) s; *o = NULL; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_clone_fd(struct cove_cgroup *cg) { (void) cg; return -1; }
int cgroup_enter(struct cove_cgroup *cg, pid_t p, const char *s, struct cove_error *e) { (void) cg; (void) p; (void) s; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_update(struct cove_cgroup *cg, const struct oci_resources *r, struct cove_error *e) { (void) cg; (void) r; return cove_error_set(e, ENOSYS, "cgroups"); }
char *cgroup_serialize(const struct cove_cgroup *cg) { (void) cg; return NULL; }
int cgroup_load(const char *s, struct cove_cgroup **o, struct cove_error *e) { (void) s; *o = NULL; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_pids(struct cove_cgroup *cg, pid_t **p, size_t *n, struct cove_error *e) { (void) cg; (void) p; (void) n; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_kill_all(struct cove_cgroup *cg, int s, struct cove_error *e) { (void) cg; (void) s; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_freeze(struct cove_cgroup *cg, bool f, struct cove_error *e) { (void) cg; (void) f; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_is_frozen(struct cove_cgroup *cg, bool *f, struct cove_error *e) { (void) cg; (void) f; return cove_error_set(e, ENOSYS, "cgroups"); }
int cgroup_destroy(struct cove_cgroup *cg, struct cove_error *e) { (void) cg; return cove_error_set(e, ENOSYS, "cgroups"); }
void cgroup_free(struct cove_cgroup *cg) { (void) cg; }
