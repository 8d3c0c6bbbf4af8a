/* stub.c: placeholder so the tree links until the seccomp module lands; deleted by it. */
#include <errno.h>
#include "seccomp/seccomp.h"
int cove_seccomp_prepare(const struct oci_seccomp *sc, const char *d, struct cove_seccomp_prog *o, struct cove_error *e) { (void) sc; (void) d; (void) o; return cove_error_set(e, ENOSYS, "seccomp"); }
int cove_seccomp_install(const struct cove_seccomp_prog *p, int *fd, struct cove_error *e) { (void) p; *fd = -1; return cove_error_set(e, ENOSYS, "seccomp"); }
int cove_seccomp_send_listener(const char *l, int fd, const char *s, struct cove_error *e) { (void) l; (void) fd; (void) s; return cove_error_set(e, ENOSYS, "seccomp"); }
void cove_seccomp_prog_release(struct cove_seccomp_prog *p) { (void) p; }
