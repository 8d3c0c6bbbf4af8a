/* rootfs_stub.c: placeholder so the tree links until the filesystem module lands; deleted by it. */
#include <errno.h>
#include "runtime/rootfs.h"
int rootfs_setup(const struct rootfs_ctx *c, struct cove_error *e) { (void) c; return cove_error_set(e, ENOSYS, "rootfs"); }
int rootfs_finalize(const struct rootfs_ctx *c, struct cove_error *e) { (void) c; return cove_error_set(e, ENOSYS, "rootfs"); }
int rootfs_validate(const struct oci_config *c, const char *b, struct cove_error *e) { (void) c; (void) b; (void) e; return 0; }
int rootfs_open_procfs_file(const char *p, int f, struct cove_error *e) { (void) p; (void) f; return cove_error_set(e, ENOSYS, "rootfs"); }
int rootfs_resolve(int r, const char *p, int f, struct cove_error *e) { (void) r; (void) p; (void) f; return cove_error_set(e, ENOSYS, "rootfs"); }
