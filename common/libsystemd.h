/* libsystemd.h: cove's sd-bus and sd-daemon calls are served from libsystemd.so.0, loaded on the
 * first call (common/libsystemd.c); callers include <systemd/sd-bus.h> / <systemd/sd-daemon.h>
 * as usual.  Dependencies: cgroups/systemd.c and runtime/notify.c call it; it calls libdl only. */
#ifndef COVE_COMMON_LIBSYSTEMD_H
#define COVE_COMMON_LIBSYSTEMD_H

/* Why the library or one of its functions could not be had ("load libsystemd.so.0: ..."), or
 * NULL when nothing failed; every call fails with -ELIBACC then. */
const char *cove_libsystemd_error(void);

#endif
