/* cgroups.c: the public cgroup API: host detection, cgroupsPath resolution, the state text
 * (serialize/load), and the operations common to every driver (pids, kill, destroy).  The
 * per-host work (creating directories, writing resources, freezing, stats) is in the drivers:
 * v2.c (unified), v1.c (legacy), hybrid.c (v1 controllers plus the unified hierarchy).
 *
 * Default cgroupsPath: "/cove/ID".  A relative cgroupsPath is taken relative to the root of each
 * hierarchy (as runc does), so "a/b" and "/a/b" name the same cgroup.  With --systemd-cgroup the
 * "slice:prefix:name" form names a transient systemd unit ("prefix-name.scope" in that slice),
 * which systemd creates when the init is placed (systemd.c); its cgroup is systemd's path for it
 * ("/system.slice/prefix-name.scope"; "a-b.slice" expands to "/a.slice/a-b.slice"). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/internal.h"
#include "cgroups/systemd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

#define CG_SERIAL_MAGIC "cove-cgroup 1"

static void sleep_ms(unsigned ms)
{
  struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static const char *mode_name(enum cgroup_mode m)
{
  switch (m) {
  case CGROUP_MODE_UNIFIED: return "unified";
  case CGROUP_MODE_HYBRID: return "hybrid";
  case CGROUP_MODE_LEGACY: return "legacy";
  }
  return "?";
}

static const struct cg_driver *driver_for(enum cgroup_mode m)
{
  switch (m) {
  case CGROUP_MODE_UNIFIED: return &cg_driver_v2;
  case CGROUP_MODE_HYBRID: return &cg_driver_hybrid;
  case CGROUP_MODE_LEGACY: return &cg_driver_v1;
  }
  return &cg_driver_v1;
}

/* A loaded cgroup opens its directories on first use (CG_FD_UNOPENED until then): `state` and
 * `list` only ask whether it is frozen, which needs one directory, not every hierarchy's. */
#define CG_FD_UNOPENED (-2)

static void open_hier(struct cove_cgroup *cg, struct cg_hier *h)
{
  _cleanup_free_ char *p = NULL;
  if (h->fd != CG_FD_UNOPENED)
    return;
  p = cg_file_path(cg, h, NULL);
  /* a cgroup removed behind cove's back is not an error: the fd stays -1 */
  h->fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void open_all(struct cove_cgroup *cg)
{
  if (cg->mode != CGROUP_MODE_LEGACY)
    open_hier(cg, &cg->unified);
  for (size_t i = 0; i < cg->v1_len; i++)
    open_hier(cg, &cg->v1[i]);
}

int cgroup_detect_mode_at(const char *root, enum cgroup_mode *mode, struct cove_error *err)
{
  _cleanup_free_ char *unified = NULL;
  struct statfs fs;

  if (statfs(root, &fs) < 0)
    return cove_error_set(err, errno, "detect cgroup version: statfs %s", root);
  if ((unsigned long) fs.f_type == CGROUP2_SUPER_MAGIC) {
    *mode = CGROUP_MODE_UNIFIED;
    return 0;
  }
  if ((unsigned long) fs.f_type != TMPFS_MAGIC)
    return cove_error_set(err, 0, "detect cgroup version: %s is neither cgroup2 nor a tmpfs of v1 hierarchies",
                          root);
  unified = xasprintf("%s/unified", root);
  if (statfs(unified, &fs) == 0 && (unsigned long) fs.f_type == CGROUP2_SUPER_MAGIC)
    *mode = CGROUP_MODE_HYBRID;
  else
    *mode = CGROUP_MODE_LEGACY;
  return 0;
}

int cgroup_detect_mode(enum cgroup_mode *mode, struct cove_error *err)
{
  return cgroup_detect_mode_at(CG_DEFAULT_ROOT, mode, err);
}

enum cgroup_mode cgroup_mode_of(const struct cove_cgroup *cg)
{
  return cg->mode;
}

const char *cgroup_path(const struct cove_cgroup *cg)
{
  return cg->path;
}

/* Normalise a path: drop empty and "." components, refuse "..", always start with '/'. */
static int normalise(const char *in, char **out, struct cove_error *err)
{
  _cleanup_free_ char *copy = xstrdup(in);
  size_t cap = strlen(in) + 2, len = 0;
  _cleanup_free_ char *res = xmalloc(cap);
  char *save = NULL;

  res[0] = '\0';
  if (strchr(in, '\n'))
    return cove_error_set(err, EINVAL, "cgroupsPath `%s`: contains a newline", in);
  for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
    size_t n = strlen(c);
    if (!strcmp(c, "."))
      continue;
    if (!strcmp(c, ".."))
      return cove_error_set(err, EINVAL, "cgroupsPath `%s`: `..` is not allowed", in);
    res[len++] = '/';
    memcpy(res + len, c, n);
    len += n;
    res[len] = '\0';
  }
  if (len == 0)
    return cove_error_set(err, EINVAL, "cgroupsPath `%s`: refusing the root cgroup", in);
  *out = steal_ptr(res);
  return 0;
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice" (systemd's slice nesting). */
static int expand_slice(const char *slice, char **out, struct cove_error *err)
{
  size_t n = strlen(slice), cap;
  _cleanup_free_ char *res = NULL;
  size_t len = 0;

  if (!strcmp(slice, "-.slice")) {
    *out = xstrdup("");
    return 0;
  }
  if (n < 7 || strcmp(slice + n - 6, ".slice") || strchr(slice, '/') || slice[0] == '-')
    return cove_error_set(err, EINVAL, "systemd slice `%s`: expected NAME.slice", slice);
  cap = n * (n + 8) + 1;
  res = xmalloc(cap);
  res[0] = '\0';
  for (size_t i = 0; i < n - 6; i++) {
    if (slice[i] != '-')
      continue;
    if (i == 0 || slice[i - 1] == '-' || i + 1 == n - 6)
      return cove_error_set(err, EINVAL, "systemd slice `%s`: empty component", slice);
    len += (size_t) snprintf(res + len, cap - len, "/%.*s.slice", (int) i, slice);
  }
  snprintf(res + len, cap - len, "/%s", slice);
  *out = steal_ptr(res);
  return 0;
}

/* The cgroup of a systemd unit as its manager would place it below its own: a plan's path until
 * the manager reports the real one (user: the user manager's slices). */
static int resolve_sd_path(const char *cgroups_path, const char *id, bool user, char **out, struct cove_error *err)
{
  _cleanup_free_ char *slice = NULL, *unit = NULL, *slice_path = NULL, *joined = NULL;

  if (cg_sd_parse_path(cgroups_path, id, user, &slice, &unit, err) < 0)
    return -1;
  if (expand_slice(slice, &slice_path, err) < 0)
    return cove_error_wrap(err, "cgroupsPath `%s`", cgroups_path);
  joined = xasprintf("%s/%s", slice_path, unit);
  return normalise(joined, out, err);
}

int cgroup_resolve_path(const char *cgroups_path, const char *id, bool systemd_cgroup, char **out,
                        struct cove_error *err)
{
  _cleanup_free_ char *joined = NULL;

  if (systemd_cgroup)
    return resolve_sd_path(cgroups_path, id, false, out, err);
  if (!cgroups_path || !*cgroups_path) {
    joined = xasprintf("/cove/%s", id);
    return normalise(joined, out, err);
  }
  return normalise(cgroups_path, out, err);
}

static struct cove_cgroup *cg_alloc(const char *root, enum cgroup_mode mode)
{
  struct cove_cgroup *cg = xcalloc(1, sizeof(*cg));
  cg->mode = mode;
  cg->root = xstrdup(root);
  cg->unified.fd = -1;
  cg->leaf_fd = -1;
  cg->driver = driver_for(mode);
  return cg;
}

/* The v1 hierarchies mounted below root: directories (not the comount symlinks) that are cgroup
 * v1 filesystems.  statfs per entry; no mountinfo parsing. */
static int discover_v1(struct cove_cgroup *cg, struct cove_error *err)
{
  _cleanup_close_ int rfd = open(cg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;

  if (rfd < 0)
    return cove_error_set(err, errno, "open %s", cg->root);
  d = fdopendir(rfd);
  if (!d)
    return cove_error_set(err, errno, "read %s", cg->root);
  rfd = -1;
  for (struct dirent *e; (e = readdir(d));) {
    _cleanup_close_ int fd = -1;
    struct statfs fs;
    if (e->d_type != DT_DIR || e->d_name[0] == '.' || !strcmp(e->d_name, "unified"))
      continue;
    fd = openat(dirfd(d), e->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || fstatfs(fd, &fs) < 0 || (unsigned long) fs.f_type != CGROUP_SUPER_MAGIC)
      continue;
    if (cg->v1_len == CG_MAX_HIER)
      break;
    cg->v1[cg->v1_len].name = xstrdup(e->d_name);
    cg->v1[cg->v1_len].fd = -1;
    cg->v1_len++;
  }
  closedir(d);
  if (cg->v1_len == 0)
    return cove_error_set(err, ENOENT, "no cgroup v1 hierarchy mounted under %s", cg->root);
  return 0;
}

void cgroup_free(struct cove_cgroup *cg)
{
  if (!cg)
    return;
  if (cg->unified.fd >= 0)
    close(cg->unified.fd);
  free(cg->unified.name);
  for (size_t i = 0; i < cg->v1_len; i++) {
    if (cg->v1[i].fd >= 0)
      close(cg->v1[i].fd);
    free(cg->v1[i].name);
  }
  cg_sd_free(cg->sd);
  if (cg->leaf_fd >= 0)
    close(cg->leaf_fd);
  free(cg->root);
  free(cg->path);
  free(cg);
}

static int destroy_hier(struct cove_cgroup *cg, struct cg_hier *h, struct cove_error *err);

/* A frozen cgroup (its own freeze, or inherited from a frozen ancestor) is refused before any
 * process enters it: the init would freeze on entry and `create` wait for it for ever (runc
 * refuses it alike).  v2: cgroup.events `frozen 1` (the effective state, set from birth below a
 * frozen parent); v1: freezer.state other than THAWED (FREEZING included). */
static int refuse_frozen(struct cove_cgroup *cg, struct cove_error *err)
{
  struct cg_hier *fz = cg_v1_find(cg, "freezer");
  _cleanup_free_ char *ev = NULL, *st = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  struct cg_hier *h = NULL;

  if (cg->unified.fd >= 0 && cg_read(cg, &cg->unified, "cgroup.events", &ev, &e) == 0 &&
      (!strncmp(ev, "frozen 1", 8) || strstr(ev, "\nfrozen 1")))
    h = &cg->unified;
  cove_error_release(&e);
  if (!h && fz && fz->fd >= 0 && cg_read(cg, fz, "freezer.state", &st, &e) == 0 && st[0] &&
      strncmp(st, "THAWED", 6))
    h = fz;
  cove_error_release(&e);
  if (h) {
    _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
    return cove_error_set(err, EBUSY, "cgroup %s: cannot create container in a frozen cgroup", p);
  }
  return 0;
}

/* Trailing components of cg->path missing in h now: what cgroup_make() will create there. */
static unsigned missing_components(const struct cove_cgroup *cg, const struct cg_hier *h)
{
  _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
  unsigned n = 0;
  size_t root_len = strlen(p) - (strcmp(cg->path, "/") ? strlen(cg->path) : 0);

  while (strlen(p) > root_len && access(p, F_OK) < 0 && errno == ENOENT) {
    n++;
    *strrchr(p, '/') = '\0';
  }
  return n;
}

int cgroup_plan_at(const char *root, enum cgroup_mode mode, const char *const *v1_names,
                   const struct oci_config *config, const char *id, bool systemd_cgroup, struct cove_cgroup **out,
                   struct cove_error *err)
{
  return cg_plan_at(root, mode, v1_names, config, id, systemd_cgroup, false, NULL, out, err);
}

int cg_plan_at(const char *root, enum cgroup_mode mode, const char *const *v1_names, const struct oci_config *config,
               const char *id, bool systemd_cgroup, bool rootless, const char *path, struct cove_cgroup **out,
               struct cove_error *err)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = cg_alloc(root, mode);
  const struct oci_linux *lx = config ? config->linux_ : NULL;

  *out = NULL;
  cg->rootless = rootless;
  if (path)
    cg->path = xstrdup(path);
  else if (systemd_cgroup && rootless ? resolve_sd_path(lx ? lx->cgroups_path : NULL, id, true, &cg->path, err) < 0
                                      : cgroup_resolve_path(lx ? lx->cgroups_path : NULL, id, systemd_cgroup,
                                                            &cg->path, err) < 0)
    return -1;
  if (mode != CGROUP_MODE_UNIFIED && v1_names) {
    for (size_t i = 0; v1_names[i] && cg->v1_len < CG_MAX_HIER; i++) {
      cg->v1[cg->v1_len].name = xstrdup(v1_names[i]);
      cg->v1[cg->v1_len++].fd = -1;
    }
  } else if (mode != CGROUP_MODE_UNIFIED && discover_v1(cg, err) < 0) {
    return -1;
  }
  if (mode == CGROUP_MODE_HYBRID)
    cg->unified.name = xstrdup("unified");
  if (systemd_cgroup) {
    /* nothing is made now: systemd (rootless: the user's manager) creates the unit once the init
     * exists (cgroup_enter).  Beside
     * the unit the record names the v1 directories cove will add where systemd makes none
     * (cpuset, freezer, ...), so that `delete -f` after a killed create removes them; systemd's
     * own are never counted as cove's */
    if (cg_sd_prepare(cg, lx ? lx->cgroups_path : NULL, id, lx ? lx->resources : NULL, lx ? lx->devices : NULL,
                      lx ? lx->devices_len : 0, err) < 0)
      return -1;
    for (size_t i = 0; i < cg->v1_len; i++)
      if (!cg_sd_v1_managed(cg->v1[i].name))
        cg->v1[i].created = missing_components(cg, &cg->v1[i]);
    *out = steal_ptr(cg);
    return 0;
  }
  if (mode != CGROUP_MODE_LEGACY)
    cg->unified.created = missing_components(cg, &cg->unified);
  for (size_t i = 0; i < cg->v1_len; i++)
    cg->v1[i].created = missing_components(cg, &cg->v1[i]);
  *out = steal_ptr(cg);
  return 0;
}

int cgroup_plan(const struct oci_config *config, const char *id, bool systemd_cgroup, struct cove_cgroup **out,
                struct cove_error *err)
{
  enum cgroup_mode mode;
  if (cgroup_detect_mode(&mode, err) < 0)
    return -1;
  return cgroup_plan_at(CG_DEFAULT_ROOT, mode, NULL, config, id, systemd_cgroup, out, err);
}

int cgroup_make(struct cove_cgroup *cg, const struct oci_config *config, struct cove_error *err)
{
  const struct oci_linux *lx = config ? config->linux_ : NULL;
  const struct oci_resources *res = lx ? lx->resources : NULL;
  struct cove_error ignored = COVE_ERROR_INIT;

  /* from here the counts are what the mkdir walk really made */
  cg->unified.created = 0;
  for (size_t i = 0; i < cg->v1_len; i++)
    cg->v1[i].created = 0;
  /* --systemd-cgroup: the unit and its directories come with the init (cg_sd_place) */
  if (cg->sd)
    return 0;
  if (cg->driver->create(cg, err) < 0)
    goto fail;
  {
    struct cg_hier *h = cg->unified.fd >= 0 ? &cg->unified : cg_v1_find(cg, "pids");
    bool busy = false;
    if (!h)
      h = cg->v1_len ? &cg->v1[0] : NULL;
    if (h && cg_has_procs(cg, h, &busy, err) < 0)
      goto fail;
    if (busy) {
      _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
      cove_error_set(err, EEXIST, "cgroup %s already exists with processes in it", p);
      goto fail;
    }
  }
  if (refuse_frozen(cg, err) < 0)
    goto fail;
  if (cg->driver->apply(cg, res, lx ? lx->devices : NULL, lx ? lx->devices_len : 0, false, err) < 0)
    goto fail;
  return 0;

fail:
  /* leave nothing behind: remove what create made (never a pre-existing directory) */
  destroy_hier(cg, &cg->unified, &ignored);
  for (size_t i = 0; i < cg->v1_len; i++)
    destroy_hier(cg, &cg->v1[i], &ignored);
  cove_error_release(&ignored);
  return -1;
}

int cgroup_create_at(const char *root, enum cgroup_mode mode, const char *const *v1_names,
                     const struct oci_config *config, const char *id, bool systemd_cgroup, struct cove_cgroup **out,
                     struct cove_error *err)
{
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;

  *out = NULL;
  if (cgroup_plan_at(root, mode, v1_names, config, id, systemd_cgroup, &cg, err) < 0 ||
      cgroup_make(cg, config, err) < 0)
    return -1;
  *out = steal_ptr(cg);
  return 0;
}

int cgroup_create(const struct oci_config *config, const char *id, bool systemd_cgroup, struct cove_cgroup **out,
                  struct cove_error *err)
{
  enum cgroup_mode mode;
  if (cgroup_detect_mode(&mode, err) < 0)
    return -1;
  return cgroup_create_at(CG_DEFAULT_ROOT, mode, NULL, config, id, systemd_cgroup, out, err);
}

int cgroup_clone_fd(struct cove_cgroup *cg)
{
  if (!cg || cg->mode != CGROUP_MODE_UNIFIED || (cg->sd && !cg_sd_started(cg->sd)))
    return -1;
  open_hier(cg, &cg->unified);
  return cg->unified.fd;
}

int cgroup_clone_fd_of(struct cove_cgroup *cg, pid_t pid)
{
  _cleanup_free_ char *text = NULL, *dir = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  char proc[64];
  const char *p;
  size_t n = strlen(cg->path);

  if (cg->mode != CGROUP_MODE_UNIFIED)
    return -1;
  if (cg->leaf_fd >= 0)
    return cg->leaf_fd;
  snprintf(proc, sizeof(proc), "/proc/%d/cgroup", (int) pid);
  if (read_file(proc, 1 << 16, &text, NULL, &e) < 0) {
    cove_error_release(&e);
    return -1;
  }
  p = strstr(text, "0::");
  if (!p || (p != text && p[-1] != '\n'))
    return -1;
  p += 3;
  dir = xstrdup(p);
  dir[strcspn(dir, "\n")] = '\0';
  /* only a cgroup below the container's own: never one of the host's */
  if (strncmp(dir, cg->path, n) || dir[n] != '/' || strstr(dir + n, "/.."))
    return -1;
  {
    _cleanup_free_ char *full = xasprintf("%s%s", cg->root, dir);
    cg->leaf_fd = open(full, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  }
  return cg->leaf_fd;
}

int cgroup_enter(struct cove_cgroup *cg, pid_t pid, const char *sub, struct cove_error *err)
{
  if (cg->sd && !cg_sd_started(cg->sd))
    return cg_sd_place(cg, pid, err);
  open_all(cg);
  return cg->driver->enter(cg, pid, sub, err);
}

_Static_assert(CGROUP_PLACEMENT_MAX >= CG_MAX_HIER, "a placement holds every v1 hierarchy");

int cgroup_placement_open(struct cove_cgroup *cg, struct cgroup_placement *p, struct cove_error *err)
{
  p->clone_fd = -1;
  p->n = 0;
  /* only the drivers whose enter is a cgroup.procs write per hierarchy */
  if (!cg || (cg->driver != &cg_driver_v2 && cg->driver != &cg_driver_v1 && cg->driver != &cg_driver_hybrid))
    return 0;
  if (cg->mode != CGROUP_MODE_LEGACY) {
    open_hier(cg, &cg->unified);
    p->clone_fd = cg->unified.fd;
  }
  for (size_t i = 0; cg->mode != CGROUP_MODE_UNIFIED && i < cg->v1_len; i++) {
    const struct cg_hier *h = &cg->v1[i];
    if (h->fd == -1)
      continue;
    /* a loaded cgroup (exec) has not opened its directories: the file by its path, one open */
    if (h->fd == CG_FD_UNOPENED) {
      _cleanup_free_ char *path = cg_file_path(cg, h, "tasks");
      p->fd[p->n] = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
      if (p->fd[p->n] < 0 && errno == ENOENT)
        continue; /* removed behind cove's back: skipped, as cgroup_enter skips it */
    } else {
      p->fd[p->n] = openat(h->fd, "tasks", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (p->fd[p->n] < 0) {
      _cleanup_free_ char *path = cg_file_path(cg, h, "tasks");
      cove_error_set(err, errno, "open %s", path);
      cgroup_placement_close(p);
      return -1;
    }
    snprintf(p->name[p->n], sizeof(p->name[p->n]), "%s", h->name);
    p->n++;
  }
  return 0;
}

int cgroup_placement_self(struct cgroup_placement *p, struct cove_error *err)
{
  int r = 0;
  for (size_t i = 0; i < p->n; i++) {
    if (r == 0 && write(p->fd[i], "0", 1) != 1)
      r = cove_error_set(err, errno, "enter the %s cgroup", p->name[i]);
    close(p->fd[i]);
  }
  p->n = 0;
  return r;
}

bool cgroup_placement_complete(const struct cove_cgroup *cg, const struct cgroup_placement *p, bool cloned_into)
{
  if (!cg || cloned_into)
    return cg == NULL || p->n > 0 || cg->mode == CGROUP_MODE_UNIFIED;
  /* v1 placed by the child alone; hybrid too when it has no unified leaf */
  return p->n > 0 && (cg->mode == CGROUP_MODE_LEGACY || cg->unified.fd < 0);
}

int cgroup_placement_finish(struct cove_cgroup *cg, const struct cgroup_placement *p, pid_t pid, bool cloned_into,
                            struct cove_error *err)
{
  if (cgroup_placement_complete(cg, p, cloned_into))
    return 0;
  if (!p->n)
    return cgroup_enter(cg, pid, NULL, err);
  return cg_enter_hier(cg, &cg->unified, pid, NULL, err); /* hybrid: the v1 side is the child's */
}

size_t cgroup_placement_fds(const struct cgroup_placement *p, int *out)
{
  for (size_t i = 0; i < p->n; i++)
    out[i] = p->fd[i];
  return p->n;
}

void cgroup_placement_close(struct cgroup_placement *p)
{
  for (size_t i = 0; i < p->n; i++)
    close(p->fd[i]);
  p->n = 0;
  p->clone_fd = -1;
}

int cgroup_update(struct cove_cgroup *cg, const struct oci_resources *res, struct cove_error *err)
{
  if (!res)
    return 0;
  open_all(cg);
  if (cg->sd && cg_sd_set(cg, res, err) < 0)
    return -1;
  return cg->driver->apply(cg, res, NULL, 0, true, err);
}

/* ---- state text ---- */

static void append(char **buf, size_t *len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char **buf, size_t *len, const char *fmt, ...)
{
  _cleanup_free_ char *s = NULL;
  va_list ap;
  size_t n;
  va_start(ap, fmt);
  if (vasprintf(&s, fmt, ap) < 0)
    abort();
  va_end(ap);
  n = strlen(s);
  *buf = xrealloc(*buf, *len + n + 1);
  memcpy(*buf + *len, s, n + 1);
  *len += n;
}

char *cgroup_serialize(const struct cove_cgroup *cg)
{
  char *buf = NULL;
  size_t len = 0;

  if (!cg)
    return NULL;
  append(&buf, &len, "%s\nmode %s\nroot %s\npath %s\n", CG_SERIAL_MAGIC, mode_name(cg->mode), cg->root, cg->path);
  if (cg->mode != CGROUP_MODE_LEGACY)
    append(&buf, &len, "hier %u %s\n", cg->unified.created, cg->mode == CGROUP_MODE_HYBRID ? "unified" : "-");
  for (size_t i = 0; i < cg->v1_len; i++)
    append(&buf, &len, "v1 %u %s\n", cg->v1[i].created, cg->v1[i].name);
  if (cg->sd)
    append(&buf, &len, "systemd %s\n", cg_sd_unit(cg->sd));
  if (cg->rootless)
    append(&buf, &len, "rootless 1\n");
  return buf;
}

int cgroup_load(const char *serialized, struct cove_cgroup **out, struct cove_error *err)
{
  _cleanup_free_ char *copy = NULL, *unit = NULL;
  _cleanup_(cgroup_freep) struct cove_cgroup *cg = NULL;
  char *save = NULL, *line;
  enum cgroup_mode mode = CGROUP_MODE_UNIFIED;
  bool have_mode = false;

  *out = NULL;
  if (!serialized || strncmp(serialized, CG_SERIAL_MAGIC "\n", strlen(CG_SERIAL_MAGIC) + 1))
    return cove_error_set(err, EINVAL, "load cgroup description: not a cove cgroup description");
  copy = xstrdup(serialized + strlen(CG_SERIAL_MAGIC) + 1);
  cg = cg_alloc(CG_DEFAULT_ROOT, CGROUP_MODE_UNIFIED);
  for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char *sp = strchr(line, ' ');
    const char *val;
    if (!sp)
      return cove_error_set(err, EINVAL, "load cgroup description: bad line `%s`", line);
    *sp = '\0';
    val = sp + 1;
    if (!strcmp(line, "mode")) {
      if (!strcmp(val, "unified"))
        mode = CGROUP_MODE_UNIFIED;
      else if (!strcmp(val, "hybrid"))
        mode = CGROUP_MODE_HYBRID;
      else if (!strcmp(val, "legacy"))
        mode = CGROUP_MODE_LEGACY;
      else
        return cove_error_set(err, EINVAL, "load cgroup description: unknown mode `%s`", val);
      have_mode = true;
    } else if (!strcmp(line, "root")) {
      free(cg->root);
      cg->root = xstrdup(val);
    } else if (!strcmp(line, "path")) {
      free(cg->path);
      cg->path = NULL;
      if (normalise(val, &cg->path, err) < 0)
        return cove_error_wrap(err, "load cgroup description");
    } else if (!strcmp(line, "hier") || !strcmp(line, "v1")) {
      char *end;
      unsigned long created = strtoul(val, &end, 10);
      struct cg_hier *h;
      if (*end != ' ' || created > 4096)
        return cove_error_set(err, EINVAL, "load cgroup description: bad line `%s %s`", line, val);
      if (line[0] == 'h') {
        h = &cg->unified;
      } else {
        if (cg->v1_len == CG_MAX_HIER)
          return cove_error_set(err, EINVAL, "load cgroup description: too many hierarchies");
        h = &cg->v1[cg->v1_len++];
        h->fd = -1;
      }
      free(h->name);
      h->name = strcmp(end + 1, "-") ? xstrdup(end + 1) : NULL;
      if (h->name && (strchr(h->name, '/') || h->name[0] == '.'))
        return cove_error_set(err, EINVAL, "load cgroup description: bad hierarchy `%s`", h->name);
      h->created = (unsigned) created;
      h->fd = CG_FD_UNOPENED;
    } else if (!strcmp(line, "systemd")) {
      if (!cg_sd_unit_name_valid(val) || unit)
        return cove_error_set(err, EINVAL, "load cgroup description: bad systemd unit `%s`", val);
      unit = xstrdup(val);
    } else if (!strcmp(line, "rootless")) {
      cg->rootless = !strcmp(val, "1");
    } else {
      return cove_error_set(err, EINVAL, "load cgroup description: unknown key `%s`", line);
    }
  }
  if (!have_mode || !cg->path)
    return cove_error_set(err, EINVAL, "load cgroup description: mode or path missing");
  /* a rootless container's unit is its user's manager's (the record names both) */
  if (unit)
    cg->sd = cg_sd_new(NULL, NULL, unit, true, cg->rootless);
  cg->mode = mode;
  cg->driver = driver_for(mode);
  *out = steal_ptr(cg);
  return 0;
}

/* ---- pids, kill, freeze ---- */

/* The hierarchy that names the container's cgroup in messages: the unified leaf, else pids,
 * freezer, else any that is there (NULL when every one is gone). */
static struct cg_hier *main_hier(struct cove_cgroup *cg)
{
  struct cg_hier *h;
  if (cg->unified.fd >= 0)
    return &cg->unified;
  if ((h = cg_v1_find(cg, "pids")) && h->fd >= 0)
    return h;
  if ((h = cg_v1_find(cg, "freezer")) && h->fd >= 0)
    return h;
  for (size_t i = 0; i < cg->v1_len; i++)
    if (cg->v1[i].fd >= 0)
      return &cg->v1[i];
  return NULL;
}

static int cmp_pid(const void *a, const void *b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return (x > y) - (x < y);
}

/* The container's processes are those of every hierarchy it has: on hybrid and legacy hosts a
 * process can sit in the v1 directories and not in the unified leaf (a tool that knows only v1
 * placed it, or the leaf could not be made), and it is the container's all the same. */
int cgroup_pids(struct cove_cgroup *cg, pid_t **pids, size_t *n, struct cove_error *err)
{
  size_t cap = 0, k = 0;

  *pids = NULL;
  *n = 0;
  open_all(cg);
  for (size_t i = 0; i <= cg->v1_len; i++) {
    struct cg_hier *h = i < cg->v1_len ? &cg->v1[i] : &cg->unified;
    if (h->fd < 0) /* removed behind our back: no processes */
      continue;
    if (cg_collect_pids(cg, h, pids, n, &cap, err) < 0) {
      free(*pids);
      *pids = NULL;
      *n = 0;
      return -1;
    }
  }
  if (*n < 2)
    return 0;
  qsort(*pids, *n, sizeof(**pids), cmp_pid);
  for (size_t i = 0; i < *n; i++)
    if (k == 0 || (*pids)[k - 1] != (*pids)[i])
      (*pids)[k++] = (*pids)[i];
  *n = k;
  return 0;
}

/* Signal every listed process; *alive counts those the signal reached (a listed pid already gone
 * is ESRCH: it exited between the read and the kill). */
static int signal_all(struct cove_cgroup *cg, int sig, size_t *alive, struct cove_error *err)
{
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;

  *alive = 0;
  if (cgroup_pids(cg, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    if (kill(pids[i], sig) == 0)
      (*alive)++;
    else if (errno != ESRCH)
      return cove_error_set(err, errno, "send signal %d to %d", sig, (int) pids[i]);
  }
  return 0;
}

/* Freeze, signal every process, thaw (runc's signalAllProcesses): frozen, nothing forks, exits
 * or reuses a pid between the read of cgroup.procs and the kill.  thaw_always: thaw even a
 * cgroup that was frozen before (SIGKILL: a task frozen by the v1 freezer dies only once thawed). */
static int freeze_signal_thaw(struct cove_cgroup *cg, int sig, bool thaw_always, size_t *alive, struct cove_error *err)
{
  struct cove_error e2 = COVE_ERROR_INIT;
  bool was_frozen = false, froze = false, freezer = true;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  int r;

  /* nothing there (the usual end of a delete): no freeze and thaw round trip */
  *alive = 0;
  if (cgroup_pids(cg, &pids, &n, err) < 0)
    return -1;
  if (n == 0)
    return 0;
  if (cg->driver->is_frozen(cg, &was_frozen, &e2) < 0) {
    cove_error_release(&e2);
    freezer = false; /* none mounted: signal without it */
  } else if (!was_frozen) {
    if (cg->driver->freeze(cg, true, &e2) < 0)
      cove_error_release(&e2);
    else
      froze = true;
  }
  r = signal_all(cg, sig, alive, err);
  if (froze || (freezer && thaw_always && was_frozen)) {
    if (cg->driver->freeze(cg, false, &e2) < 0 && r == 0 && (froze || *alive)) {
      *err = e2;
      return -1;
    }
    cove_error_release(&e2);
  }
  return r;
}

/* cgroup.events says the v2 cgroup (and its descendants) hold no process any more */
static bool unpopulated(struct cove_cgroup *cg, struct cg_hier *h)
{
  _cleanup_free_ char *ev = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  bool empty;

  if (cg_read(cg, h, "cgroup.events", &ev, &e) < 0) {
    cove_error_release(&e);
    return true;
  }
  empty = !strncmp(ev, "populated 0", 11) || strstr(ev, "\npopulated 0");
  return empty;
}

/* SIGKILL to every process of the container.  cgroup.kill (v2, Linux 5.14) kills the unified
 * subtree atomically, forks included; that is all on a unified host.  On hybrid and legacy
 * hosts, and without cgroup.kill, the v1 hierarchies may hold processes the unified leaf does
 * not: they are killed by freeze, signal, thaw, repeated until no listed process is left
 * (bounded: 2 s). */
static int kill_every_process(struct cove_cgroup *cg, struct cove_error *err)
{
  size_t alive = 0;

  if (cg->unified.fd >= 0 && cg_has_file(&cg->unified, "cgroup.kill")) {
    if (cg_write(cg, &cg->unified, "cgroup.kill", "1", err) < 0)
      return -1;
    if (cg->mode == CGROUP_MODE_UNIFIED)
      return 0;
    /* a task the v1 freezer holds dies only once thawed: the SIGKILL is pending, so thawing
     * lets none of them run user code again */
    {
      struct cove_error e2 = COVE_ERROR_INIT;
      bool frozen = false;
      if (cg->driver->is_frozen(cg, &frozen, &e2) < 0 || (frozen && cg->driver->freeze(cg, false, &e2) < 0))
        cove_error_release(&e2);
    }
    /* the killed ones leave the v1 lists as they exit; wait for that before looking there */
    for (int i = 0; i < 200 && !unpopulated(cg, &cg->unified); i++)
      sleep_ms(i < 20 ? 1 : 10);
  }
  for (int i = 0; i < 200; i++) {
    if (freeze_signal_thaw(cg, SIGKILL, true, &alive, err) < 0)
      return -1;
    if (alive == 0)
      return 0;
    sleep_ms(10);
  }
  {
    struct cg_hier *h = main_hier(cg);
    _cleanup_free_ char *p = h ? cg_file_path(cg, h, NULL) : xstrdup(cg->path);
    return cove_error_set(err, EBUSY, "kill every process of cgroup %s: %zu still there", p, alive);
  }
}

int cgroup_kill_all(struct cove_cgroup *cg, int sig, struct cove_error *err)
{
  size_t alive = 0;

  open_all(cg);
  if (sig == SIGKILL)
    return kill_every_process(cg, err);
  /* a paused container stays paused: its processes see the signal when resumed */
  return freeze_signal_thaw(cg, sig, false, &alive, err);
}

int cgroup_freeze(struct cove_cgroup *cg, bool frozen, struct cove_error *err)
{
  open_all(cg);
  return cg->driver->freeze(cg, frozen, err);
}

int cgroup_is_frozen(struct cove_cgroup *cg, bool *frozen, struct cove_error *err)
{
  /* v2 answers from the unified leaf; hybrid and legacy from the v1 freezer where it is
   * mounted (the leaf otherwise): one or two directories, not every hierarchy */
  struct cg_hier *h = cg->mode == CGROUP_MODE_UNIFIED ? NULL : cg_v1_find(cg, "freezer");
  if (h)
    open_hier(cg, h);
  if (cg->mode != CGROUP_MODE_LEGACY && (!h || h->fd < 0))
    open_hier(cg, &cg->unified);
  return cg->driver->is_frozen(cg, frozen, err);
}

/* ---- destroy ---- */

static bool has_subdirs(const char *path)
{
  DIR *d = opendir(path);
  bool found = false;
  if (!d)
    return false;
  for (struct dirent *e; !found && (e = readdir(d));)
    found = e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return found;
}

/* Remove the sub-cgroups below parent, depth first: a container with a writable cgroupfs (or
 * `exec --cgroup`) makes its own, and a cgroup with children cannot be removed (EBUSY).  They
 * are inside the container's directory, so always the container's.  Best effort: what stays
 * (a process still in it) makes the caller's rmdir fail, naming the container's directory. */
static void remove_children(int parent, unsigned depth)
{
  _cleanup_close_ int fd = -1;
  DIR *d;

  if (depth > 64)
    return;
  fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || !(d = fdopendir(fd)))
    return;
  fd = -1;
  for (struct dirent *e; (e = readdir(d));) {
    _cleanup_close_ int sub = -1;
    if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    sub = openat(dirfd(d), e->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (sub < 0)
      continue;
    remove_children(sub, depth + 1);
    /* one try: a child whose last processes are still exiting is tried again by the caller's
     * next round, within its bound */
    (void) unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
  }
  closedir(d);
}

static int destroy_hier(struct cove_cgroup *cg, struct cg_hier *h, struct cove_error *err)
{
  _cleanup_free_ char *p = NULL;

  if (!h->created)
    goto out;
  if (cg->mode == CGROUP_MODE_LEGACY && h == &cg->unified)
    goto out;
  p = cg_file_path(cg, h, NULL);
  for (unsigned level = 0; level < h->created; level++) {
    char *slash;
    int tries = 0;
    for (;;) {
      if (rmdir(p) == 0 || errno == ENOENT)
        break;
      if (errno != EBUSY && errno != ENOTEMPTY)
        return cove_error_set(err, errno, "remove cgroup %s", p);
      /* a parent still holding another container's cgroup stays */
      if (level > 0 && has_subdirs(p))
        goto out;
      /* the container's own leaf: its sub-cgroups go first (again each round: one of them may
       * wait for its last processes as the leaf does) */
      if (level == 0) {
        _cleanup_close_ int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0)
          remove_children(fd, 0);
      }
      /* EBUSY while the last processes finish exiting */
      if (++tries > 300)
        return cove_error_set(err, EBUSY, "remove cgroup %s", p);
      sleep_ms(10);
    }
    slash = strrchr(p, '/');
    if (!slash)
      break;
    *slash = '\0';
  }
out:
  if (h->fd >= 0)
    close(h->fd);
  h->fd = -1;
  h->created = 0;
  return 0;
}

int cgroup_destroy(struct cove_cgroup *cg, struct cove_error *err)
{
  int r = 0;
  struct cove_error e2 = COVE_ERROR_INIT;

  if (!cg)
    return 0;
  /* systemd removes the unit's cgroups; what cove made beside them (v1 hierarchies systemd does
   * not manage) goes below */
  if (cg->sd) {
    bool ours = cg_sd_started(cg->sd);
    if (cg_sd_stop(cg->sd, &e2) < 0) {
      *err = e2;
      e2 = (struct cove_error) COVE_ERROR_INIT;
      r = -1;
    } else if (ours && !cg_sd_user(cg->sd)) {
      /* systemd forgets a unit's directory when its own rmdir fails (EBUSY while the last
       * process of a killed create is reaped): with the unit gone the leaf is nobody's, and it
       * is removed as runc removes it after stopping the unit.  The leaf only: the slices
       * above are systemd's.  (A user manager's leaf is counted in the record once its path
       * is the manager's, cg_sd_place: a create killed before that names a guess) */
      if (cg->mode != CGROUP_MODE_LEGACY && !cg->unified.created)
        cg->unified.created = 1;
      for (size_t i = 0; i < cg->v1_len; i++)
        if (cg_sd_v1_managed(cg->v1[i].name) && !cg->v1[i].created)
          cg->v1[i].created = 1;
    }
  }
  /* every hierarchy is tried even when one fails; the first failure is reported */
  if (cg->mode != CGROUP_MODE_LEGACY && destroy_hier(cg, &cg->unified, &e2) < 0 && r == 0) {
    *err = e2;
    e2 = (struct cove_error) COVE_ERROR_INIT;
    r = -1;
  }
  for (size_t i = 0; i < cg->v1_len; i++) {
    if (destroy_hier(cg, &cg->v1[i], &e2) < 0 && r == 0) {
      *err = e2;
      e2 = (struct cove_error) COVE_ERROR_INIT;
      r = -1;
    }
    cove_error_release(&e2);
  }
  cove_error_release(&e2);
  return r;
}

/* ---- stats, OOM ---- */

int cgroup_stats(struct cove_cgroup *cg, struct cgroup_stats *st, struct cove_error *err)
{
  memset(st, 0, sizeof(*st));
  open_all(cg);
  return cg->driver->stats(cg, st, err);
}

void cgroup_stats_free(struct cgroup_stats *st)
{
  if (!st)
    return;
  free(st->cpu_percpu);
  for (size_t i = 0; i < st->mem_raw_len; i++)
    free(st->mem_raw_keys[i]);
  free(st->mem_raw_keys);
  free(st->mem_raw_values);
  free(st->io_service_bytes);
  free(st->io_serviced);
  free(st->hugetlb);
  memset(st, 0, sizeof(*st));
}

int cgroup_oom_count(struct cove_cgroup *cg, uint64_t *count, struct cove_error *err)
{
  _cleanup_free_ char *s = NULL;
  struct cg_hier *h;
  const char *file;

  open_all(cg);
  if (cg->mode == CGROUP_MODE_UNIFIED) {
    h = &cg->unified;
    file = "memory.events";
  } else {
    h = cg_v1_find(cg, "memory");
    file = "memory.oom_control";
  }
  *count = 0;
  if (!h || h->fd < 0)
    return cove_error_set(err, ENOENT, "read oom count: no memory controller for cgroup %s", cg->path);
  if (cg_read(cg, h, file, &s, err) < 0)
    return -1;
  cg_kv_get(s, "oom_kill", count);
  return 0;
}

int cgroup_oom_fd(struct cove_cgroup *cg, int *out, struct cove_error *err)
{
  *out = -1;
  open_all(cg);
  if (cg->mode == CGROUP_MODE_UNIFIED) {
    _cleanup_close_ int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    _cleanup_free_ char *p = cg_file_path(cg, &cg->unified, "memory.events");
    if (fd < 0)
      return cove_error_set(err, errno, "inotify_init1");
    if (inotify_add_watch(fd, p, IN_MODIFY) < 0)
      return cove_error_set(err, errno, "watch %s", p);
    *out = steal_fd(fd);
    return 0;
  } else {
    struct cg_hier *h = cg_v1_find(cg, "memory");
    _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    _cleanup_close_ int ofd = -1;
    if (!h || h->fd < 0)
      return cove_error_set(err, ENOENT, "watch oom: no memory controller for cgroup %s", cg->path);
    if (efd < 0)
      return cove_error_set(err, errno, "eventfd");
    ofd = openat(h->fd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
    if (ofd < 0) {
      _cleanup_free_ char *p = cg_file_path(cg, h, "memory.oom_control");
      return cove_error_set(err, errno, "open %s", p);
    }
    if (cg_writef(cg, h, "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
      return -1;
    *out = steal_fd(efd);
    return 0;
  }
}
