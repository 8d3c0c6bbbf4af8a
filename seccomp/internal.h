/* internal.h: the seccomp module's private interface: the pieces seccomp.h's functions are made
 * of (SHA-256, the canonical serialization that keys the cache, the OCI → libseccomp
 * translation, the on-disk cache).  Exposed to tests/unit/test_seccomp*.c, not to other modules. */
#ifndef COVE_SECCOMP_INTERNAL_H
#define COVE_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/oci.h"
#include "seccomp/seccomp.h"

/* ---- sha256.c: FIPS 180-4 SHA-256, one-shot and streaming ---- */

#define COVE_SHA256_LEN 32

struct cove_sha256 {
  uint32_t h[8];
  uint64_t total; /* bytes hashed so far */
  uint8_t buf[64];
  size_t used;
};

void cove_sha256_init(struct cove_sha256 *s);
void cove_sha256_update(struct cove_sha256 *s, const void *data, size_t len);
void cove_sha256_final(struct cove_sha256 *s, uint8_t out[COVE_SHA256_LEN]);
void cove_sha256(const void *data, size_t len, uint8_t out[COVE_SHA256_LEN]);
/* out holds 2 * COVE_SHA256_LEN + 1 bytes. */
void cove_sha256_hex(const uint8_t digest[COVE_SHA256_LEN], char *out);

/* ---- key.c: canonical serialization of the BPF-relevant part of the seccomp section ---- */

struct cove_buf {
  uint8_t *data;
  size_t len;
  size_t cap;
};

void cove_buf_release(struct cove_buf *b);

/* Every field that changes the compiled program, in a fixed order, each length-prefixed, so two
 * sections serialize equally iff they compile equally.  listenerPath and listenerMetadata are
 * left out: they do not change the BPF, and leaving them out lets containers whose metadata names
 * themselves share a cache entry. */
void cove_seccomp_serialize(const struct oci_seccomp *sc, struct cove_buf *out);

/* What compiles a program: cove's version and the GNU build id of the running binary (the hash
 * of the binary where it has none), and the build id of the libseccomp it runs with.  Keying the
 * cache by them means a rebuilt cove or libseccomp never gets a program an older one compiled,
 * with no format number to remember to bump. */
struct cove_seccomp_build {
  const char *version;
  uint8_t self_id[64];
  size_t self_len;
  uint8_t lib_id[64];
  size_t lib_len;
  bool seen_self;
};
void cove_seccomp_build_of_this(struct cove_seccomp_build *b);

/* The cache key: SHA-256 over a format tag, the build (above), libseccomp's version, the native
 * architecture, the kernel release (flag and action support is probed on it), the
 * serialization's length, then the serialization itself. */
void cove_seccomp_cache_key(const struct oci_seccomp *sc, uint8_t key[COVE_SHA256_LEN]);
void cove_seccomp_cache_key_with(const struct oci_seccomp *sc, const struct cove_seccomp_build *b,
                                 uint8_t key[COVE_SHA256_LEN]);

/* ---- compile.c: OCI → libseccomp → BPF ---- */

/* Map names/enums; -1 (or 0 for the arch token) when unknown. */
int cove_seccomp_action_value(enum oci_seccomp_action a, bool errno_set, uint64_t errno_ret, uint32_t *out);
int cove_seccomp_op_value(enum oci_seccomp_op op);
uint32_t cove_seccomp_arch_token(const char *oci_name);   /* "SCMP_ARCH_X86_64" → SCMP_ARCH_X86_64 */
int cove_seccomp_flag_value(const char *oci_name, unsigned int *out); /* SECCOMP_FILTER_FLAG_* */
const char *cove_seccomp_action_name(enum oci_seccomp_action a);

/* True when some rule or the default uses SCMP_ACT_NOTIFY. */
bool cove_seccomp_uses_notify(const struct oci_seccomp *sc);

/* Compile sc into out (filter, len, flags, notify).  Errors name the entry by its JSON path. */
int cove_seccomp_compile(const struct oci_seccomp *sc, struct cove_seccomp_prog *out, struct cove_error *err);

/* ---- cache.c: compiled programs on disk ---- */

/* Bounds: beyond these the oldest entries (by mtime; a hit refreshes it) are evicted. */
#define COVE_SECCOMP_CACHE_MAX_ENTRIES 64
#define COVE_SECCOMP_CACHE_MAX_BYTES (8u * 1024u * 1024u)

/* 1 and *out filled on a valid hit, 0 on a miss (absent, corrupt or foreign entry; a corrupt one
 * is removed), negative only for errors worth reporting (none today: a cache problem is a miss). */
int cove_seccomp_cache_load(const char *dir, const uint8_t key[COVE_SHA256_LEN], struct cove_seccomp_prog *out,
                            struct cove_error *err);
/* Store prog under key: temp file + rename, then evict beyond the bounds. */
int cove_seccomp_cache_store(const char *dir, const uint8_t key[COVE_SHA256_LEN],
                             const struct cove_seccomp_prog *prog, struct cove_error *err);
/* The entry's file name for key (hex + ".bpf"); out holds at least 72 bytes. */
void cove_seccomp_cache_entry_name(const uint8_t key[COVE_SHA256_LEN], char *out, size_t out_len);

#endif
