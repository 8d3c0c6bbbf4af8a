/* spec_seccomp.h: the default seccomp profile for `cove spec` (owned by the seccomp work). */
#ifndef COVE_OCI_SPEC_SECCOMP_H
#define COVE_OCI_SPEC_SECCOMP_H
/* The linux.seccomp object as compact JSON text (static storage), or NULL for none. */
const char *oci_default_seccomp_profile(void);
#endif
