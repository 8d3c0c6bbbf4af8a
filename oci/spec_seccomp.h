/* spec_seccomp.h: private to oci/: the default seccomp profile `cove spec` writes (spec.c). */
#ifndef COVE_OCI_SPEC_SECCOMP_H
#define COVE_OCI_SPEC_SECCOMP_H
/* The linux.seccomp object as compact JSON text (static storage), or NULL for none. */
const char *oci_default_seccomp_profile(void);
#endif
