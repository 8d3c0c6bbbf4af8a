/* overlay.c: cove's copy-on-write rootfs, asked for by annotations:
 *   run.cove.rootfs.overlay = tmpfs | tmpfs:SIZE | dir
 *   run.cove.rootfs.layers  = DIR[:DIR...]   extra lower layers, topmost first, above root.path
 * root.path (and the layers) become read-only lower dirs of an overlayfs mounted over root.path
 * in the container's mount namespace only.  The upper and work dirs live in a size-limited tmpfs
 * that exists only in that namespace (it dies with the container), or for `dir` in
 * <state dir>/rootfs-cow, so `delete` removing the state dir removes every write.  The image
 * directory is never written: 100 containers can share it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/rootfs/internal.h"

#define ANN_OVERLAY "run.cove.rootfs.overlay"
#define ANN_LAYERS "run.cove.rootfs.layers"
#define OVERLAY_DATA_MAX 4000 /* mount(2) data is one page */

void rootfs_overlay_req_free(struct rootfs_overlay_req *r)
{
  free(r->size);
  r->size = NULL;
  if (r->layers) {
    for (char **p = r->layers; *p; p++)
      free(*p);
    free(r->layers);
    r->layers = NULL;
  }
}

/* A tmpfs size: digits with an optional k/m/g suffix, or a percentage of RAM. */
static bool valid_size(const char *s)
{
  size_t i = 0;
  while (isdigit((unsigned char) s[i]))
    i++;
  if (i == 0 || i > 18)
    return false;
  if (!s[i])
    return true;
  return strchr("kKmMgG%", s[i]) && !s[i + 1];
}

int rootfs_overlay_parse(const struct oci_config *config, const char *bundle,
                         struct rootfs_overlay_req *out, struct cove_error *err)
{
  memset(out, 0, sizeof(*out));
  const char *mode = oci_annotation(config, ANN_OVERLAY);
  const char *layers = oci_annotation(config, ANN_LAYERS);
  if (!mode) {
    if (layers)
      return cove_error_set(err, EINVAL, "annotation %s needs %s", ANN_LAYERS, ANN_OVERLAY);
    return 0;
  }
  if (strcmp(mode, "tmpfs") == 0) {
    out->mode = 1;
  } else if (strncmp(mode, "tmpfs:", 6) == 0) {
    if (!valid_size(mode + 6))
      return cove_error_set(err, EINVAL, "annotation %s: bad tmpfs size %s (want e.g. tmpfs:64m)",
                            ANN_OVERLAY, mode + 6);
    out->mode = 1;
    out->size = xstrdup(mode + 6);
  } else if (strcmp(mode, "dir") == 0) {
    out->mode = 2;
  } else {
    return cove_error_set(err, EINVAL, "annotation %s: unknown value %s (want tmpfs, tmpfs:SIZE or dir)",
                          ANN_OVERLAY, mode);
  }
  if (!layers || !*layers)
    return 0;
  size_t n = 1;
  for (const char *p = layers; *p; p++)
    n += *p == ':';
  out->layers = xcalloc(n + 1, sizeof(char *));
  _cleanup_free_ char *copy = xstrdup(layers);
  size_t i = 0;
  char *save = NULL;
  for (char *l = strtok_r(copy, ":", &save); l; l = strtok_r(NULL, ":", &save)) {
    char *abs = l[0] == '/' || !bundle ? xstrdup(l) : xasprintf("%s/%s", bundle, l);
    out->layers[i++] = abs;
    struct stat st;
    if (stat(abs, &st) < 0) {
      int e = errno;
      rootfs_overlay_req_free(out);
      return cove_error_set(err, e, "annotation %s: layer %s", ANN_LAYERS, l);
    }
    if (!S_ISDIR(st.st_mode)) {
      rootfs_overlay_req_free(out);
      return cove_error_set(err, ENOTDIR, "annotation %s: layer %s", ANN_LAYERS, l);
    }
  }
  return 0;
}

char *rootfs_overlay_escape(const char *path)
{
  size_t n = strlen(path);
  char *out = xmalloc(2 * n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (path[i] == ',' || path[i] == ':' || path[i] == '\\')
      out[o++] = '\\';
    out[o++] = path[i];
  }
  out[o] = '\0';
  return out;
}

int rootfs_overlay_root(const struct rootfs_ctx *ctx, const struct rootfs_overlay_req *req,
                        struct cove_error *err)
{
  char fdp[64];
  struct stat rst;
  if (stat(ctx->rootfs, &rst) < 0)
    return cove_error_set(err, errno, "overlay rootfs: stat %s", ctx->rootfs);
  _cleanup_close_ int lower_fd = -1;
  _cleanup_free_ char *lower_path = xstrdup(ctx->rootfs);
  _cleanup_free_ char *base = NULL;
  const int cow_fd = ctx->prepared ? ctx->prepared->cow_fd : -1;
  if (req->mode == 1 || cow_fd >= 0) {
    /* the layer goes on root.path itself, to be covered by the overlay: nothing outside the
     * image needs to be reachable by path (a user-namespaced init cannot enter the 0700 state
     * dir), and the image stays reachable as the lower layer through an fd opened first */
    lower_fd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (lower_fd < 0)
      return cove_error_set(err, errno, "overlay rootfs: open %s", ctx->rootfs);
    free(lower_path);
    lower_path = xstrdup(rootfs_fd_path(lower_fd, fdp, sizeof(fdp)));
    if (cow_fd >= 0) {
      if (rootfs_move_mount(cow_fd, lower_fd, err) < 0)
        return cove_error_wrap(err, "overlay rootfs: attach the state dir's layer");
    } else {
      _cleanup_free_ char *opts =
          req->size ? xasprintf("mode=0700,size=%s", req->size) : xstrdup("mode=0700");
      if (mount("tmpfs", ctx->rootfs, "tmpfs", 0, opts) < 0)
        return cove_error_set(err, errno, "overlay rootfs: mount tmpfs (%s)", opts);
    }
    base = xstrdup(ctx->rootfs);
  } else {
    if (!ctx->state_dir)
      return cove_error_set(err, EINVAL, "overlay rootfs: no state directory");
    base = xasprintf("%s/rootfs-cow", ctx->state_dir);
    if (mkdir(base, 0700) < 0 && errno != EEXIST)
      return cove_error_set(err, errno, "overlay rootfs: mkdir %s", base);
  }
  _cleanup_close_ int bfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (bfd < 0)
    return cove_error_set(err, errno, "overlay rootfs: open %s", base);
  if ((mkdirat(bfd, "upper", rst.st_mode & 07777) < 0 && errno != EEXIST) ||
      (mkdirat(bfd, "work", 0700) < 0 && errno != EEXIST))
    return cove_error_set(err, errno, "overlay rootfs: mkdir upper/work in %s", base);
  /* the overlay's "/" takes the upper dir's owner and mode: make them the image's */
  if (fchownat(bfd, "upper", rst.st_uid, rst.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
      fchmodat(bfd, "upper", rst.st_mode & 07777, 0) < 0)
    return cove_error_set(err, errno, "overlay rootfs: set owner of %s/upper", base);

  _cleanup_free_ char *lower = xstrdup("");
  for (char **l = req->layers; l && *l; l++) {
    _cleanup_free_ char *e = rootfs_overlay_escape(*l);
    char *next = xasprintf("%s%s:", lower, e);
    free(lower);
    lower = next;
  }
  _cleanup_free_ char *root_e = rootfs_overlay_escape(lower_path);
  _cleanup_free_ char *base_e = rootfs_overlay_escape(base);
  /* in a user namespace trusted.* xattrs cannot be written: overlayfs keeps its metadata in
   * user.* instead (5.11+) */
  _cleanup_free_ char *data = xasprintf("lowerdir=%s%s,upperdir=%s/upper,workdir=%s/work%s", lower,
                                        root_e, base_e, base_e, ctx->userns ? ",userxattr" : "");
  /* linux.mountLabel labels the root's files as it does any other mount's */
  _cleanup_free_ char *labelled = NULL;
  if (lsm_mount_data(ctx->config, "overlay", false, data, &labelled, err) < 0)
    return cove_error_wrap(err, "overlay rootfs");
  if (labelled) {
    free(data);
    data = steal_ptr(labelled);
  }
  if (strlen(data) > OVERLAY_DATA_MAX)
    return cove_error_set(err, E2BIG, "overlay rootfs: %zu bytes of layer paths (at most %d)",
                          strlen(data), OVERLAY_DATA_MAX);
  if (mount("overlay", ctx->rootfs, "overlay", 0, data) < 0)
    return cove_error_set(err, errno, "overlay rootfs: mount overlay on %s", ctx->rootfs);
  return 0;
}
