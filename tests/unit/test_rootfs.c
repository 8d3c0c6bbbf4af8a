/* test_rootfs.c: the filesystem module's pure logic (mount option table, path helpers, overlay
 * annotation parsing and escaping) and the in-rootfs resolver, both the openat2 one and the
 * by-hand fallback (openat2 refused through the syscall ops table), against hostile symlink
 * trees in a temp dir (no root needed). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/syscalls.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

static void parse(struct mount_opts *o, const char **opts, size_t n)
{
  struct cove_error err = COVE_ERROR_INIT;
  assert_int_equal(mount_opts_parse((char *const *) opts, n, o, &err), 0);
}

static void test_opts_flags(void **state)
{
  (void) state;
  const char *opts[] = {"nosuid", "noexec", "nodev", "ro", "relatime", "sync", "dirsync", "mand",
                        "noatime", "nodiratime", "iversion", "lazytime", "nosymfollow", "silent"};
  struct mount_opts o;
  parse(&o, opts, ARRAY_SIZE(opts));
  unsigned long want = MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY | MS_RELATIME | MS_SYNCHRONOUS |
                       MS_DIRSYNC | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME | MS_I_VERSION |
                       MS_LAZYTIME | MS_NOSYMFOLLOW | MS_SILENT;
  assert_int_equal(o.flags, want);
  assert_null(o.data);
  assert_false(o.bind);
  mount_opts_free(&o);
}

static void test_opts_clear_and_order(void **state)
{
  (void) state;
  const char *opts[] = {"ro", "rw", "nosuid", "suid", "dev", "exec", "async", "nomand", "atime",
                        "diratime", "norelatime", "nostrictatime", "noiversion", "nolazytime",
                        "symfollow", "loud", "defaults"};
  struct mount_opts o;
  parse(&o, opts, ARRAY_SIZE(opts));
  assert_int_equal(o.flags, 0);
  assert_true(o.clear_flags & MS_RDONLY);
  assert_true(o.clear_flags & MS_NOSUID);
  assert_true(o.clear_flags & MS_NODEV);
  assert_true(o.clear_flags & MS_NOEXEC);
  mount_opts_free(&o);
  const char *opts2[] = {"rw", "ro"};
  parse(&o, opts2, 2);
  assert_int_equal(o.flags, MS_RDONLY);
  assert_false(o.clear_flags & MS_RDONLY);
  mount_opts_free(&o);
}

static void test_opts_data(void **state)
{
  (void) state;
  const char *opts[] = {"nosuid", "mode=755", "size=65536k", "newinstance", "strictatime"};
  struct mount_opts o;
  parse(&o, opts, ARRAY_SIZE(opts));
  assert_string_equal(o.data, "mode=755,size=65536k,newinstance");
  assert_int_equal(o.flags, MS_NOSUID | MS_STRICTATIME);
  mount_opts_free(&o);
  assert_null(o.data);
}

static void test_opts_bind_propagation(void **state)
{
  (void) state;
  const char *opts[] = {"rbind", "rslave", "private", "unbindable", "rshared"};
  struct mount_opts o;
  parse(&o, opts, ARRAY_SIZE(opts));
  assert_true(o.bind);
  assert_true(o.recursive);
  assert_int_equal(o.propagation_len, 4);
  assert_int_equal(o.propagation[0], MS_SLAVE | MS_REC);
  assert_int_equal(o.propagation[1], MS_PRIVATE);
  assert_int_equal(o.propagation[2], MS_UNBINDABLE);
  assert_int_equal(o.propagation[3], MS_SHARED | MS_REC);
  mount_opts_free(&o);
  const char *bind[] = {"bind"};
  parse(&o, bind, 1);
  assert_true(o.bind);
  assert_false(o.recursive);
  mount_opts_free(&o);
  const char *too_many[] = {"shared", "private", "slave", "shared", "private"};
  struct cove_error err = COVE_ERROR_INIT;
  assert_int_equal(mount_opts_parse((char *const *) too_many, 5, &o, &err), -1);
  assert_non_null(strstr(cove_error_msg(&err), "propagation"));
  cove_error_release(&err);
}

static void test_opts_recursive_attrs(void **state)
{
  (void) state;
  const char *opts[] = {"rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow", "rnoatime"};
  struct mount_opts o;
  parse(&o, opts, ARRAY_SIZE(opts));
  assert_int_equal(o.rec_attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                       MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME |
                                       MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NOATIME);
  assert_int_equal(o.rec_attr_clr, MOUNT_ATTR__ATIME);
  assert_int_equal(o.flags, 0);
  mount_opts_free(&o);
  const char *opts2[] = {"rnoatime", "rstrictatime", "rrw", "rsuid"};
  parse(&o, opts2, ARRAY_SIZE(opts2));
  assert_int_equal(o.rec_attr_set, MOUNT_ATTR_STRICTATIME);
  assert_int_equal(o.rec_attr_clr, MOUNT_ATTR__ATIME | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
  mount_opts_free(&o);
  const char *opts3[] = {"rnoatime", "rrelatime"};
  parse(&o, opts3, 2);
  assert_int_equal(o.rec_attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_RELATIME);
  mount_opts_free(&o);
}

static void test_opts_special(void **state)
{
  (void) state;
  const char *opts[] = {"tmpcopyup", "ridmap"};
  struct mount_opts o;
  parse(&o, opts, 2);
  assert_true(o.tmpcopyup);
  assert_true(o.idmap);
  assert_true(o.recursive_idmap);
  mount_opts_free(&o);
  const char *opts2[] = {"idmap", "remount"};
  parse(&o, opts2, 2);
  assert_true(o.idmap);
  assert_false(o.recursive_idmap);
  assert_int_equal(o.flags, MS_REMOUNT);
  mount_opts_free(&o);
}

static void test_flags_to_attr(void **state)
{
  (void) state;
  uint64_t clr;
  assert_int_equal(mount_flags_to_attr(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, &clr),
                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  assert_int_equal(clr, 0);
  assert_int_equal(mount_flags_to_attr(MS_NOATIME, &clr), MOUNT_ATTR_NOATIME);
  assert_int_equal(clr, MOUNT_ATTR__ATIME);
  assert_int_equal(mount_flags_to_attr(MS_STRICTATIME, &clr), MOUNT_ATTR_STRICTATIME);
  assert_int_equal(mount_flags_to_attr(MS_RELATIME, &clr), MOUNT_ATTR_RELATIME);
  assert_int_equal(clr, MOUNT_ATTR__ATIME);
}

static void test_propagation_parse(void **state)
{
  (void) state;
  assert_int_equal(mount_propagation_parse("rprivate"), MS_PRIVATE | MS_REC);
  assert_int_equal(mount_propagation_parse("slave"), MS_SLAVE);
  assert_int_equal(mount_propagation_parse("runbindable"), MS_UNBINDABLE | MS_REC);
  assert_int_equal(mount_propagation_parse("ro"), 0);
  assert_int_equal(mount_propagation_parse("bogus"), 0);
  assert_int_equal(mount_propagation_parse(NULL), 0);
}

static void test_path_clean(void **state)
{
  (void) state;
  static const char *cases[][2] = {
      {"/", ""},          {"", ""},           {"/proc", "proc"},       {"//a//b/", "a/b"},
      {"/./a/./b/.", "a/b"}, {"../x", "../x"}, {"/a/../b", "a/../b"}, {"dev/pts", "dev/pts"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    _cleanup_free_ char *c = rootfs_path_clean(cases[i][0]);
    assert_string_equal(c, cases[i][1]);
  }
  char *p, *b;
  rootfs_path_split("dev/net/tun", &p, &b);
  assert_string_equal(p, "dev/net");
  assert_string_equal(b, "tun");
  free(p);
  free(b);
  rootfs_path_split("console", &p, &b);
  assert_string_equal(p, "");
  assert_string_equal(b, "console");
  free(p);
  free(b);
}

/* Where a destination points before any symlink is followed: the /proc rules judge this first. */
static void test_path_normalize(void **state)
{
  (void) state;
  static const char *cases[][2] = {
      {"/", ""},
      {"/proc", "proc"},
      {"/tmp/../proc/sys", "proc/sys"},
      {"../../proc", "proc"},
      {"/a/b/../../..", ""},
      {"/a/./b/../c//d", "a/c/d"},
      {"/proc/self/../1/attr", "proc/1/attr"},
      {"/..proc/x", "..proc/x"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
    _cleanup_free_ char *c = rootfs_path_normalize(cases[i][0]);
    assert_string_equal(c, cases[i][1]);
  }
}

static void test_path_within(void **state)
{
  (void) state;
  static const char *in[][3] = {
      {"/b/rootfs/a/sub", "/b/rootfs", "a/sub"},
      {"/b/rootfs", "/b/rootfs/", ""},
      {"/b//rootfs/./a/../c", "/b/rootfs", "c"},
      {"/x", "/", "x"},
  };
  for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
    _cleanup_free_ char *r = rootfs_path_within(in[i][0], in[i][1]);
    assert_non_null(r);
    assert_string_equal(r, in[i][2]);
  }
  static const char *out[][2] = {
      {"/b/rootfs2/a", "/b/rootfs"}, {"/b/rootfs/../etc", "/b/rootfs"}, {"/b", "/b/rootfs"}};
  for (size_t i = 0; i < ARRAY_SIZE(out); i++)
    assert_null(rootfs_path_within(out[i][0], out[i][1]));
}

static void test_overlay_escape(void **state)
{
  (void) state;
  _cleanup_free_ char *a = rootfs_overlay_escape("/plain/path");
  assert_string_equal(a, "/plain/path");
  _cleanup_free_ char *b = rootfs_overlay_escape("/a,b:c\\d");
  assert_string_equal(b, "/a\\,b\\:c\\\\d");
}

static int overlay_parse_with(const char *mode, const char *layers, struct rootfs_overlay_req *r,
                              struct cove_error *err)
{
  struct oci_kv kv[2];
  size_t n = 0;
  if (mode)
    kv[n++] = (struct oci_kv){(char *) "run.cove.rootfs.overlay", (char *) mode};
  if (layers)
    kv[n++] = (struct oci_kv){(char *) "run.cove.rootfs.layers", (char *) layers};
  struct oci_config c;
  memset(&c, 0, sizeof(c));
  c.annotations = kv;
  c.annotations_len = n;
  return rootfs_overlay_parse(&c, "/", r, err);
}

static void test_overlay_annotations(void **state)
{
  (void) state;
  struct rootfs_overlay_req r;
  struct cove_error err = COVE_ERROR_INIT;
  assert_int_equal(overlay_parse_with(NULL, NULL, &r, &err), 0);
  assert_int_equal(r.mode, 0);
  assert_int_equal(overlay_parse_with("tmpfs", NULL, &r, &err), 0);
  assert_int_equal(r.mode, 1);
  assert_null(r.size);
  assert_int_equal(overlay_parse_with("tmpfs:64m", "/tmp:/", &r, &err), 0);
  assert_string_equal(r.size, "64m");
  assert_string_equal(r.layers[0], "/tmp");
  assert_string_equal(r.layers[1], "/");
  assert_null(r.layers[2]);
  rootfs_overlay_req_free(&r);
  assert_int_equal(overlay_parse_with("dir", NULL, &r, &err), 0);
  assert_int_equal(r.mode, 2);
  static const char *bad[] = {"tmpfs:", "tmpfs:64x", "tmpfs:m", "tmpfs:1m2", "zfs", "", "dir:1"};
  for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
    assert_int_equal(overlay_parse_with(bad[i], NULL, &r, &err), -1);
    assert_non_null(strstr(cove_error_msg(&err), "run.cove.rootfs.overlay"));
    cove_error_release(&err);
  }
  assert_int_equal(overlay_parse_with("tmpfs", "/nonexistent-layer-xyz", &r, &err), -1);
  assert_non_null(strstr(cove_error_msg(&err), "nonexistent-layer-xyz"));
  cove_error_release(&err);
  assert_int_equal(overlay_parse_with(NULL, "/tmp", &r, &err), -1);
  cove_error_release(&err);
}

/* ---- the resolver against a hostile tree ---- */

struct tree {
  char dir[64];
  int root;
};

static void sh(const char *cmd)
{
  assert_int_equal(system(cmd), 0);
}

static int tree_setup(void **state)
{
  struct tree *t = calloc(1, sizeof(*t));
  snprintf(t->dir, sizeof(t->dir), "/tmp/cove-test-resolve.XXXXXX");
  if (!mkdtemp(t->dir))
    return -1;
  char cmd[1024];
  snprintf(cmd, sizeof(cmd),
           "cd %s && mkdir -p root/etc root/a/b root/proc && echo inside >root/etc/passwd && "
           "ln -s / root/abs && ln -s ../../../../../.. root/a/up && ln -s /etc root/etcabs && "
           "ln -s /proc/self/root root/magic && ln -s loop2 root/loop1 && ln -s loop1 root/loop2 && "
           "ln -s ../run/x/resolv.conf root/etc/resolv.conf && ln -s b root/a/c && "
           "ln -s /etc/passwd root/pw && echo outside >outside",
           t->dir);
  sh(cmd);
  char root[128];
  snprintf(root, sizeof(root), "%s/root", t->dir);
  t->root = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  *state = t;
  return t->root < 0 ? -1 : 0;
}

static int tree_teardown(void **state)
{
  struct tree *t = *state;
  char cmd[256];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
  close(t->root);
  int r = system(cmd);
  free(t);
  return r;
}

static void same_file(int fd, int dirfd, const char *rel)
{
  struct stat a, b;
  assert_int_equal(fstat(fd, &a), 0);
  assert_int_equal(fstatat(dirfd, rel, &b, AT_SYMLINK_NOFOLLOW), 0);
  assert_int_equal(a.st_dev, b.st_dev);
  assert_int_equal(a.st_ino, b.st_ino);
}

/* openat2 missing (kernels before 5.6): the syscall ops table answers ENOSYS */
static int openat2_refused;
static int no_openat2(int dirfd, const char *path, struct open_how *how, size_t size)
{
  (void) dirfd;
  (void) path;
  (void) how;
  (void) size;
  openat2_refused++;
  errno = ENOSYS;
  return -1;
}

static void check_resolver(struct tree *t, bool fallback)
{
  struct sys_ops without_openat2 = sys_kernel_ops;
  without_openat2.openat2 = no_openat2;
  sys_ops = fallback ? &without_openat2 : &sys_kernel_ops;
  static const char *to_inside_passwd[] = {"/etc/passwd", "abs/etc/passwd", "a/up/etc/passwd",
                                           "etcabs/passwd", "/../../etc/passwd", "pw",
                                           "a/c/../../etc/passwd"};
  for (size_t i = 0; i < ARRAY_SIZE(to_inside_passwd); i++) {
    struct cove_error err = COVE_ERROR_INIT;
    int fd = rootfs_resolve(t->root, to_inside_passwd[i], O_RDONLY, &err);
    if (fd < 0)
      fail_msg("%s: %s", to_inside_passwd[i], cove_error_msg(&err));
    char buf[16] = "";
    assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
    assert_string_equal(buf, "inside\n");
    same_file(fd, t->root, "etc/passwd");
    close(fd);
  }
  struct cove_error err = COVE_ERROR_INIT;
  /* the root itself, and ".." above it */
  int fd = rootfs_resolve(t->root, "a/up", O_PATH, &err);
  assert_true(fd >= 0);
  same_file(fd, t->root, ".");
  close(fd);
  /* a magic link's text is resolved in the root: there is no proc here */
  assert_int_equal(rootfs_resolve(t->root, "magic/etc/passwd", O_RDONLY, &err), -1);
  assert_int_equal(err.errnum, ENOENT);
  cove_error_release(&err);
  assert_int_equal(rootfs_resolve(t->root, "loop1", O_PATH, &err), -1);
  assert_int_equal(err.errnum, ELOOP);
  assert_non_null(strstr(cove_error_msg(&err), "resolve loop1 in rootfs"));
  cove_error_release(&err);
  /* O_NOFOLLOW gives the link itself */
  fd = rootfs_resolve(t->root, "abs", O_PATH | O_NOFOLLOW, &err);
  assert_true(fd >= 0);
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  assert_true(S_ISLNK(st.st_mode));
  close(fd);
  assert_int_equal(rootfs_resolve(t->root, "etc/passwd/x", O_PATH, &err), -1);
  assert_int_equal(err.errnum, ENOTDIR);
  cove_error_release(&err);
  sys_ops = &sys_kernel_ops;
  assert_true(fallback ? openat2_refused > 0 : openat2_refused == 0);
}

static void test_resolve_openat2(void **state)
{
  check_resolver(*state, false);
}

static void test_resolve_fallback(void **state)
{
  check_resolver(*state, true);
}

static void test_mkpath(void **state)
{
  struct tree *t = *state;
  struct cove_error err = COVE_ERROR_INIT;
  /* through "abs" -> / and "a/up" -> ../..: created inside, never beside the root */
  int fd = rootfs_mkpath(t->root, "/abs/new/dir", true, 0755, &err);
  assert_true(fd >= 0);
  same_file(fd, t->root, "new/dir");
  close(fd);
  fd = rootfs_mkpath(t->root, "a/up/file-target", false, 0644, &err);
  assert_true(fd >= 0);
  same_file(fd, t->root, "file-target");
  close(fd);
  /* a dangling symlink's target is created, inside the root */
  fd = rootfs_mkpath(t->root, "/etc/resolv.conf", false, 0644, &err);
  if (fd < 0)
    fail_msg("%s", cove_error_msg(&err));
  same_file(fd, t->root, "run/x/resolv.conf");
  close(fd);
  char outside[128];
  snprintf(outside, sizeof(outside), "%s/new", t->dir);
  assert_int_equal(access(outside, F_OK), -1);
  snprintf(outside, sizeof(outside), "%s/file-target", t->dir);
  assert_int_equal(access(outside, F_OK), -1);
  char *base = NULL;
  fd = rootfs_resolve_parent(t->root, "/abs/dev/net/tun", true, &base, &err);
  assert_true(fd >= 0);
  assert_string_equal(base, "tun");
  same_file(fd, t->root, "dev/net");
  free(base);
  close(fd);
  assert_int_equal(rootfs_resolve_parent(t->root, "/", false, &base, &err), -1);
  cove_error_release(&err);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_opts_flags),
      cmocka_unit_test(test_opts_clear_and_order),
      cmocka_unit_test(test_opts_data),
      cmocka_unit_test(test_opts_bind_propagation),
      cmocka_unit_test(test_opts_recursive_attrs),
      cmocka_unit_test(test_opts_special),
      cmocka_unit_test(test_flags_to_attr),
      cmocka_unit_test(test_propagation_parse),
      cmocka_unit_test(test_path_clean),
      cmocka_unit_test(test_path_normalize),
      cmocka_unit_test(test_path_within),
      cmocka_unit_test(test_overlay_escape),
      cmocka_unit_test(test_overlay_annotations),
      cmocka_unit_test_setup_teardown(test_resolve_openat2, tree_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_resolve_fallback, tree_setup, tree_teardown),
      cmocka_unit_test_setup_teardown(test_mkpath, tree_setup, tree_teardown),
  };
  return cmocka_run_group_tests_name("rootfs", tests, NULL, NULL);
}
