/* key.c: the canonical serialization of a seccomp section and the cache key derived from it.
 *
 * The serialization is a byte string built from the parsed struct (never from the JSON text, so
 * whitespace, key order and number spelling do not matter): every field that changes the program,
 * in a fixed order, integers as little-endian u64, strings and arrays prefixed by their length.
 * Length prefixes make it injective: two different sections can only share a key through a
 * SHA-256 collision, and the serialized length goes into the hash as well. */
#include <elf.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <seccomp.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "seccomp/internal.h"

/* The layout of the key's own fields; what compiles the program is keyed by build (below), so
 * this changes only if the key's fields change. */
#define KEY_FORMAT "cove-seccomp-cache-v2"

void cove_buf_release(struct cove_buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static void put(struct cove_buf *b, const void *p, size_t n)
{
  if (b->cap - b->len < n) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap - b->len < n)
      cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void put_u64(struct cove_buf *b, uint64_t v)
{
  uint8_t le[8];
  for (int i = 0; i < 8; i++)
    le[i] = (uint8_t) (v >> (8 * i));
  put(b, le, sizeof le);
}

static void put_str(struct cove_buf *b, const char *s)
{
  size_t n = s ? strlen(s) : 0;
  put_u64(b, s ? n : UINT64_MAX); /* NULL and "" differ */
  put(b, s ? s : "", n);
}

static void put_opt(struct cove_buf *b, struct oci_opt_u64 o)
{
  put_u64(b, o.set);
  put_u64(b, o.set ? o.v : 0);
}

static void put_strv(struct cove_buf *b, char *const *v, size_t n)
{
  put_u64(b, n);
  for (size_t i = 0; i < n; i++)
    put_str(b, v[i]);
}

void cove_seccomp_serialize(const struct oci_seccomp *sc, struct cove_buf *out)
{
  put_u64(out, (uint64_t) sc->default_action);
  put_opt(out, sc->default_errno_ret);
  put_strv(out, sc->architectures, sc->architectures_len);
  put_strv(out, sc->flags, sc->flags_len);
  put_u64(out, sc->syscalls_len);
  for (size_t i = 0; i < sc->syscalls_len; i++) {
    const struct oci_seccomp_syscall *s = &sc->syscalls[i];
    put_strv(out, s->names, s->names_len);
    put_u64(out, (uint64_t) s->action);
    put_opt(out, s->errno_ret);
    put_u64(out, s->args_len);
    for (size_t j = 0; j < s->args_len; j++) {
      put_u64(out, s->args[j].index);
      put_u64(out, s->args[j].value);
      put_opt(out, s->args[j].value_two);
      put_u64(out, (uint64_t) s->args[j].op);
    }
  }
}

/* The NT_GNU_BUILD_ID note among the PT_NOTE segments of one loaded object.  A libseccomp linked
 * in statically (the Makefile's STATIC_LIBS) is no object of its own: it is part of the binary,
 * and of the binary's build id. */
static size_t find_build_id(const struct dl_phdr_info *info, uint8_t *out, size_t max)
{
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    const char *p, *end;
    if (ph->p_type != PT_NOTE)
      continue;
    p = (const char *) (info->dlpi_addr + ph->p_vaddr);
    end = p + ph->p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const ElfW(Nhdr) *n = (const ElfW(Nhdr) *) (const void *) p;
      const char *name = p + sizeof(*n);
      const char *desc = name + ((n->n_namesz + 3) & ~3u);
      const char *next = desc + ((n->n_descsz + 3) & ~3u);
      if (next > end || next <= p)
        break;
      if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && !memcmp(name, "GNU", 4) && n->n_descsz &&
          n->n_descsz <= max) {
        memcpy(out, desc, n->n_descsz);
        return n->n_descsz;
      }
      p = next;
    }
  }
  return 0;
}

static int build_cb(struct dl_phdr_info *info, size_t size, void *data)
{
  struct cove_seccomp_build *b = data;
  (void) size;
  /* the first object is the program itself (it has no name) */
  if (!b->seen_self) {
    b->seen_self = true;
    b->self_len = find_build_id(info, b->self_id, sizeof(b->self_id));
  } else if (info->dlpi_name && strstr(info->dlpi_name, "libseccomp") && !b->lib_len) {
    b->lib_len = find_build_id(info, b->lib_id, sizeof(b->lib_id));
  }
  return 0;
}

void cove_seccomp_build_of_this(struct cove_seccomp_build *b)
{
  *b = (struct cove_seccomp_build){.version = COVE_VERSION};
  dl_iterate_phdr(build_cb, b);
  if (!b->self_len) {
    /* a binary linked without a build-id note: the hash of the binary itself */
    _cleanup_free_ char *exe = NULL;
    size_t len = 0;
    struct cove_error e = COVE_ERROR_INIT;
    if (read_file("/proc/self/exe", 64u << 20, &exe, &len, &e) == 0) {
      cove_sha256(exe, len, b->self_id);
      b->self_len = COVE_SHA256_LEN;
    }
    cove_error_release(&e);
  }
}

void cove_seccomp_cache_key_with(const struct oci_seccomp *sc, const struct cove_seccomp_build *b,
                                 uint8_t key[COVE_SHA256_LEN])
{
  struct cove_buf ser = {0}, head = {0};
  const struct scmp_version *v = seccomp_version();
  struct utsname u;
  struct cove_sha256 h;

  cove_seccomp_serialize(sc, &ser);
  put_str(&head, KEY_FORMAT);
  /* what compiled the program: this cove (its version and build) and this libseccomp */
  put_str(&head, b->version);
  put_u64(&head, b->self_len);
  put(&head, b->self_id, b->self_len);
  put_u64(&head, b->lib_len);
  put(&head, b->lib_id, b->lib_len);
  put_u64(&head, v ? v->major : 0);
  put_u64(&head, v ? v->minor : 0);
  put_u64(&head, v ? v->micro : 0);
  put_u64(&head, seccomp_arch_native());
  if (uname(&u) == 0)
    put_str(&head, u.release);
  else
    put_str(&head, NULL);
  put_u64(&head, ser.len);

  cove_sha256_init(&h);
  cove_sha256_update(&h, head.data, head.len);
  cove_sha256_update(&h, ser.data, ser.len);
  cove_sha256_final(&h, key);
  cove_buf_release(&ser);
  cove_buf_release(&head);
}

void cove_seccomp_cache_key(const struct oci_seccomp *sc, uint8_t key[COVE_SHA256_LEN])
{
  struct cove_seccomp_build b;
  cove_seccomp_build_of_this(&b);
  cove_seccomp_cache_key_with(sc, &b, key);
}
