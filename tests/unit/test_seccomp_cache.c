/* test_seccomp_cache.c: SHA-256 against the FIPS 180-4 vectors, the canonical serialization and
 * cache key (equal sections share a key, any BPF-relevant change moves it), and the on-disk
 * cache: hit, miss on change, corrupt and truncated entries ignored and removed, eviction beyond
 * the bound, and concurrent writers and readers never seeing a torn entry. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/filter.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "seccomp/internal.h"

static void hex_of(const void *data, size_t len, char *out)
{
  uint8_t d[COVE_SHA256_LEN];
  cove_sha256(data, len, d);
  cove_sha256_hex(d, out);
}

static void test_sha256_vectors(void **state)
{
  char hex[65];
  struct cove_sha256 s;
  uint8_t d[COVE_SHA256_LEN];
  _cleanup_free_ char *million = xmalloc(1000000);
  (void) state;

  hex_of("", 0, hex);
  assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  hex_of("abc", 3, hex);
  assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
  assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  /* streaming in odd pieces equals one shot */
  memset(million, 'a', 1000000);
  cove_sha256_init(&s);
  for (size_t off = 0; off < 1000000;) {
    size_t n = off % 7 == 0 ? 63 : 129;
    if (n > 1000000 - off)
      n = 1000000 - off;
    cove_sha256_update(&s, million + off, n);
    off += n;
  }
  cove_sha256_final(&s, d);
  cove_sha256_hex(d, hex);
  assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- sections ---- */

struct fixture {
  struct oci_seccomp sc;
  struct oci_seccomp_syscall rules[2];
  char *names0[3];
  char *names1[2];
  struct oci_seccomp_arg args[1];
  char *arches[2];
};

static void fixture_init(struct fixture *f)
{
  memset(f, 0, sizeof *f);
  f->names0[0] = "getppid";
  f->names0[1] = "getpgrp";
  f->names1[0] = "personality";
  f->args[0] = (struct oci_seccomp_arg){.index = 0, .value = 8, .op = OCI_SECCOMP_OP_EQ};
  f->rules[0] = (struct oci_seccomp_syscall){.names = f->names0, .names_len = 2, .action = OCI_SECCOMP_ACT_ERRNO};
  f->rules[1] = (struct oci_seccomp_syscall){
    .names = f->names1, .names_len = 1, .action = OCI_SECCOMP_ACT_ALLOW, .args = f->args, .args_len = 1};
  f->arches[0] = "SCMP_ARCH_X86_64";
  f->sc = (struct oci_seccomp){.default_action = OCI_SECCOMP_ACT_ALLOW,
                               .syscalls = f->rules,
                               .syscalls_len = 1,
                               .architectures = f->arches,
                               .architectures_len = 1};
}

static int find_libseccomp(struct dl_phdr_info *info, size_t size, void *data)
{
  (void) size;
  if (info->dlpi_name && strstr(info->dlpi_name, "libseccomp"))
    *(bool *) data = true;
  return 0;
}

static bool libseccomp_loaded(void)
{
  bool found = false;
  dl_iterate_phdr(find_libseccomp, &found);
  return found;
}

static void key_of(struct fixture *f, uint8_t key[COVE_SHA256_LEN])
{
  cove_seccomp_cache_key(&f->sc, key);
}

/* A changed compiler (another cove build, another libseccomp build, another cove version) must
 * never be served a program an older one compiled: the key moves with each, by itself, without a
 * format number to bump. */
static void test_key_tracks_the_build(void **state)
{
  struct fixture f;
  struct cove_seccomp_build this, other;
  uint8_t k0[COVE_SHA256_LEN], k1[COVE_SHA256_LEN];
  (void) state;

  fixture_init(&f);
  cove_seccomp_build_of_this(&this);
  /* the running binary carries a GNU build id (the Makefile links with --build-id), and so does
   * the libseccomp it runs with, unless libseccomp is linked in (the Makefile's STATIC_LIBS):
   * then it is part of the binary and of its build id, and no libseccomp object is loaded */
  assert_int_equal(this.self_len, 20);
  assert_true(this.lib_len > 0 || !libseccomp_loaded());
  assert_string_equal(this.version, COVE_VERSION);
  cove_seccomp_cache_key_with(&f.sc, &this, k0);
  cove_seccomp_cache_key(&f.sc, k1);
  assert_memory_equal(k0, k1, sizeof k0);

  other = this;
  other.self_id[0] ^= 1;
  cove_seccomp_cache_key_with(&f.sc, &other, k1);
  assert_memory_not_equal(k0, k1, sizeof k0);

  other = this;
  if (other.lib_len)
    other.lib_id[other.lib_len - 1] ^= 0x80;
  else
    other.lib_len = 1; /* a dynamically loaded libseccomp where the static one was */
  cove_seccomp_cache_key_with(&f.sc, &other, k1);
  assert_memory_not_equal(k0, k1, sizeof k0);

  other = this;
  other.version = "0.0.0-other";
  cove_seccomp_cache_key_with(&f.sc, &other, k1);
  assert_memory_not_equal(k0, k1, sizeof k0);

  /* no id at all is a build of its own too, not a wildcard */
  other = this;
  other.self_len = 0;
  cove_seccomp_cache_key_with(&f.sc, &other, k1);
  assert_memory_not_equal(k0, k1, sizeof k0);
}

static void test_key_tracks_content(void **state)
{
  struct fixture a, b;
  uint8_t ka[COVE_SHA256_LEN], kb[COVE_SHA256_LEN];
  (void) state;

  fixture_init(&a);
  fixture_init(&b);
  key_of(&a, ka);
  key_of(&b, kb);
  assert_memory_equal(ka, kb, sizeof ka);

  /* listener fields do not change the program: same key */
  b.sc.listener_path = "/run/agent.sock";
  b.sc.listener_metadata = "container=b";
  key_of(&b, kb);
  assert_memory_equal(ka, kb, sizeof ka);

  /* every BPF-relevant change moves the key */
  fixture_init(&b);
  b.rules[0].errno_ret = (struct oci_opt_u64){true, 1}; /* EPERM spelled out still differs: conservative */
  key_of(&b, kb);
  assert_memory_not_equal(ka, kb, sizeof ka);

  fixture_init(&b);
  b.sc.syscalls_len = 2;
  key_of(&b, kb);
  assert_memory_not_equal(ka, kb, sizeof ka);

  fixture_init(&b);
  b.sc.default_action = OCI_SECCOMP_ACT_LOG;
  key_of(&b, kb);
  assert_memory_not_equal(ka, kb, sizeof ka);

  fixture_init(&b);
  b.names0[0] = "getpid";
  key_of(&b, kb);
  assert_memory_not_equal(ka, kb, sizeof ka);

  fixture_init(&b);
  b.sc.architectures_len = 0;
  key_of(&b, kb);
  assert_memory_not_equal(ka, kb, sizeof ka);

  /* arg value beyond INT64_MAX */
  fixture_init(&a);
  fixture_init(&b);
  a.sc.syscalls_len = b.sc.syscalls_len = 2;
  b.args[0].value = 0x8000000000000008ull;
  key_of(&a, ka);
  key_of(&b, kb);
  assert_memory_not_equal(ka, kb, sizeof ka);
}

/* Length prefixes: moving a boundary between strings changes the serialization. */
static void test_serialization_is_injective_on_boundaries(void **state)
{
  struct fixture a, b;
  struct cove_buf sa = {0}, sb = {0};
  (void) state;

  fixture_init(&a);
  fixture_init(&b);
  a.names0[0] = "ab", a.names0[1] = "c";
  b.names0[0] = "a", b.names0[1] = "bc";
  cove_seccomp_serialize(&a.sc, &sa);
  cove_seccomp_serialize(&b.sc, &sb);
  assert_true(sa.len == sb.len && memcmp(sa.data, sb.data, sa.len) != 0);
  cove_buf_release(&sa);
  cove_buf_release(&sb);
}

/* ---- the cache on disk ---- */

static char *make_dir(void)
{
  char tmpl[] = "/tmp/cove-sccache.XXXXXX";
  assert_non_null(mkdtemp(tmpl));
  return xasprintf("%s/seccomp-cache", tmpl); /* the cache creates its own dir */
}

static void remove_dir(char *dir)
{
  _cleanup_free_ char *cmd = NULL;
  *strrchr(dir, '/') = '\0'; /* the mkdtemp dir above the cache */
  cmd = xasprintf("rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
  free(dir);
}

static size_t count_entries(const char *dir, const char *prefix)
{
  DIR *d = opendir(dir);
  struct dirent *de;
  size_t n = 0;
  if (!d)
    return 0;
  /* "" counts the entries (names without a leading dot), ".tmp." the temp files */
  while ((de = readdir(d)))
    if (prefix[0] ? strncmp(de->d_name, prefix, strlen(prefix)) == 0 : de->d_name[0] != '.')
      n++;
  closedir(d);
  return n;
}

static void fake_prog(struct cove_seccomp_prog *p, size_t len, uint32_t seed)
{
  p->filter = xcalloc(len, sizeof(struct sock_filter));
  p->len = len;
  p->flags = seed & 3;
  p->notify = seed & 1;
  for (size_t i = 0; i < len; i++)
    p->filter[i] = (struct sock_filter){.code = (uint16_t) (i + seed), .k = (uint32_t) (seed * 31 + i)};
}

static void test_store_then_hit_and_miss(void **state)
{
  char *dir = make_dir();
  uint8_t key[COVE_SHA256_LEN] = {1, 2, 3}, other[COVE_SHA256_LEN] = {9};
  struct cove_seccomp_prog p, q;
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;

  assert_int_equal(cove_seccomp_cache_load(dir, key, &q, &err), 0); /* no dir yet: a miss */
  fake_prog(&p, 100, 7);
  assert_int_equal(cove_seccomp_cache_store(dir, key, &p, &err), 0);
  assert_int_equal(cove_seccomp_cache_load(dir, key, &q, &err), 1);
  assert_int_equal(q.len, p.len);
  assert_int_equal(q.flags, p.flags);
  assert_int_equal(q.notify, p.notify);
  assert_memory_equal(q.filter, p.filter, p.len * sizeof(struct sock_filter));
  cove_seccomp_prog_release(&q);
  assert_int_equal(cove_seccomp_cache_load(dir, other, &q, &err), 0);
  {
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
  }
  cove_seccomp_prog_release(&p);
  remove_dir(dir);
}

static void corrupt(const char *dir, const uint8_t key[COVE_SHA256_LEN], off_t off, int truncate_to)
{
  char name[96];
  _cleanup_free_ char *path = NULL;
  _cleanup_close_ int fd = -1;
  cove_seccomp_cache_entry_name(key, name, sizeof name);
  path = xasprintf("%s/%s", dir, name);
  fd = open(path, O_RDWR | O_CLOEXEC);
  assert_true(fd >= 0);
  if (truncate_to >= 0) {
    assert_int_equal(ftruncate(fd, truncate_to), 0);
  } else {
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0x5a;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
  }
}

static void test_corrupt_entries_are_misses(void **state)
{
  char *dir = make_dir();
  uint8_t key[COVE_SHA256_LEN] = {4, 5, 6};
  struct cove_seccomp_prog p, q;
  struct cove_error err = COVE_ERROR_INIT;
  static const struct {
    off_t off;
    int truncate_to;
  } damage[] = {
    {0, -1},     /* magic */
    {9, -1},     /* version */
    {30, -1},    /* key */
    {100, -1},   /* payload: checksum */
    {60, -1},    /* stored checksum */
    {0, 50},     /* truncated header */
    {0, 200},    /* truncated payload */
    {0, 0},      /* empty */
  };
  (void) state;

  fake_prog(&p, 64, 3);
  for (size_t i = 0; i < ARRAY_SIZE(damage); i++) {
    assert_int_equal(cove_seccomp_cache_store(dir, key, &p, &err), 0);
    corrupt(dir, key, damage[i].off, damage[i].truncate_to);
    if (cove_seccomp_cache_load(dir, key, &q, &err) != 0)
      fail_msg("damage %zu was not detected", i);
    assert_int_equal(count_entries(dir, ""), 0); /* and it was removed */
  }
  /* a length field that disagrees with the file size */
  assert_int_equal(cove_seccomp_cache_store(dir, key, &p, &err), 0);
  {
    char name[96];
    _cleanup_free_ char *path = NULL;
    _cleanup_close_ int fd = -1;
    uint32_t len = 65;
    cove_seccomp_cache_entry_name(key, name, sizeof name);
    path = xasprintf("%s/%s", dir, name);
    fd = open(path, O_RDWR | O_CLOEXEC);
    assert_int_equal(pwrite(fd, &len, sizeof len, 20), (ssize_t) sizeof len);
  }
  assert_int_equal(cove_seccomp_cache_load(dir, key, &q, &err), 0);
  cove_seccomp_prog_release(&p);
  remove_dir(dir);
}

/* Whatever bytes sit under an entry's name, load() answers a miss and never crashes. */
static void test_random_garbage_is_a_miss(void **state)
{
  char *dir = make_dir();
  uint8_t key[COVE_SHA256_LEN] = {7, 7, 7};
  struct cove_seccomp_prog p, q;
  struct cove_error err = COVE_ERROR_INIT;
  char name[96];
  _cleanup_free_ char *path = NULL;
  unsigned int seed = 12345;
  (void) state;

  fake_prog(&p, 8, 1);
  assert_int_equal(cove_seccomp_cache_store(dir, key, &p, &err), 0); /* creates the dir */
  cove_seccomp_cache_entry_name(key, name, sizeof name);
  path = xasprintf("%s/%s", dir, name);
  for (int round = 0; round < 300; round++) {
    size_t len = (size_t) rand_r(&seed) % 400;
    uint8_t buf[400];
    FILE *f = fopen(path, "we");
    assert_non_null(f);
    for (size_t i = 0; i < len; i++)
      buf[i] = (uint8_t) rand_r(&seed);
    if (len >= 8 && round % 2)
      memcpy(buf, "COVEBPF", 8); /* get past the magic half of the time */
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    assert_int_equal(cove_seccomp_cache_load(dir, key, &q, &err), 0);
  }
  cove_seccomp_prog_release(&p);
  remove_dir(dir);
}

static void test_eviction_bounds_the_cache(void **state)
{
  char *dir = make_dir();
  struct cove_seccomp_prog p, q;
  struct cove_error err = COVE_ERROR_INIT;
  uint8_t first[COVE_SHA256_LEN] = {0}, last[COVE_SHA256_LEN] = {0};
  (void) state;

  fake_prog(&p, 16, 1);
  for (uint32_t i = 0; i < COVE_SECCOMP_CACHE_MAX_ENTRIES + 10; i++) {
    uint8_t key[COVE_SHA256_LEN] = {0};
    memcpy(key, &i, sizeof i);
    assert_int_equal(cove_seccomp_cache_store(dir, key, &p, &err), 0);
    if (i == 0)
      memcpy(first, key, sizeof key);
    memcpy(last, key, sizeof key);
  }
  assert_int_equal(count_entries(dir, ""), COVE_SECCOMP_CACHE_MAX_ENTRIES);
  assert_int_equal(cove_seccomp_cache_load(dir, last, &q, &err), 1);
  cove_seccomp_prog_release(&q);
  assert_int_equal(cove_seccomp_cache_load(dir, first, &q, &err), 0); /* the oldest went */
  cove_seccomp_prog_release(&p);
  remove_dir(dir);
}

/* Several processes store and load the same and different keys at once: every hit is whole
 * (load validates the checksum) and no temp file is left behind. */
static void test_concurrent_writers(void **state)
{
  char *dir = make_dir();
  enum { WORKERS = 6, ROUNDS = 60 };
  pid_t pids[WORKERS];
  (void) state;

  for (int w = 0; w < WORKERS; w++) {
    pids[w] = fork();
    assert_true(pids[w] >= 0);
    if (pids[w] == 0) {
      struct cove_error err = COVE_ERROR_INIT;
      for (int r = 0; r < ROUNDS; r++) {
        uint8_t key[COVE_SHA256_LEN] = {0xcc, (uint8_t) (r % 3)};
        struct cove_seccomp_prog p, q;
        fake_prog(&p, 200 + (size_t) (r % 3), (uint32_t) (r % 3));
        if (cove_seccomp_cache_store(dir, key, &p, &err) < 0)
          _exit(1);
        int rc = cove_seccomp_cache_load(dir, key, &q, &err);
        if (rc < 0)
          _exit(2);
        if (rc == 1) {
          if (q.len != p.len || memcmp(q.filter, p.filter, p.len * sizeof *p.filter) != 0)
            _exit(3);
          cove_seccomp_prog_release(&q);
        }
        cove_seccomp_prog_release(&p);
      }
      _exit(0);
    }
  }
  for (int w = 0; w < WORKERS; w++) {
    int st;
    assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
  }
  assert_int_equal(count_entries(dir, ".tmp."), 0);
  assert_int_equal(count_entries(dir, ""), 3);
  remove_dir(dir);
}

/* prepare(): a miss compiles and stores, the next call is served from the cache. */
static void test_prepare_uses_the_cache(void **state)
{
  char *dir = make_dir();
  struct fixture f;
  struct cove_seccomp_prog a, b;
  struct cove_error err = COVE_ERROR_INIT;
  uint8_t key[COVE_SHA256_LEN];
  char name[96];
  _cleanup_free_ char *path = NULL;
  struct stat st1, st2;
  (void) state;

  fixture_init(&f);
  f.sc.syscalls_len = 2;
  if (cove_seccomp_prepare(&f.sc, dir, &a, &err) < 0)
    fail_msg("prepare: %s", cove_error_msg(&err));
  key_of(&f, key);
  cove_seccomp_cache_entry_name(key, name, sizeof name);
  path = xasprintf("%s/%s", dir, name);
  assert_int_equal(stat(path, &st1), 0);
  assert_int_equal(cove_seccomp_prepare(&f.sc, dir, &b, &err), 0);
  assert_int_equal(stat(path, &st2), 0);
  assert_int_equal(st1.st_ino, st2.st_ino); /* not rewritten: it was a hit */
  assert_int_equal(a.len, b.len);
  assert_memory_equal(a.filter, b.filter, a.len * sizeof(struct sock_filter));
  cove_seccomp_prog_release(&a);
  cove_seccomp_prog_release(&b);

  /* a changed profile misses and gets its own entry */
  f.rules[0].errno_ret = (struct oci_opt_u64){true, 38};
  assert_int_equal(cove_seccomp_prepare(&f.sc, dir, &a, &err), 0);
  assert_int_equal(count_entries(dir, ""), 2);
  cove_seccomp_prog_release(&a);

  /* no cache dir: compiled each time */
  assert_int_equal(cove_seccomp_prepare(&f.sc, NULL, &a, &err), 0);
  cove_seccomp_prog_release(&a);
  remove_dir(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sha256_vectors),
    cmocka_unit_test(test_key_tracks_content),
    cmocka_unit_test(test_key_tracks_the_build),
    cmocka_unit_test(test_serialization_is_injective_on_boundaries),
    cmocka_unit_test(test_store_then_hit_and_miss),
    cmocka_unit_test(test_corrupt_entries_are_misses),
    cmocka_unit_test(test_random_garbage_is_a_miss),
    cmocka_unit_test(test_eviction_bounds_the_cache),
    cmocka_unit_test(test_concurrent_writers),
    cmocka_unit_test(test_prepare_uses_the_cache),
  };
  return cmocka_run_group_tests_name("seccomp cache", tests, NULL, NULL);
}
