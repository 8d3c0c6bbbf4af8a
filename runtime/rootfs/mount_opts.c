/* mount_opts.c: the table of OCI mount options (config.md "Mounts", config-linux.md "Mount
 * Propagation", runc's and crun's extensions) and their parsing into MS_* flags, propagation
 * changes, recursive MOUNT_ATTR_* attributes and the data string the filesystem parses; plus
 * the pure in-rootfs path helpers.  No system calls here: it is unit tested as plain logic. */
#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/rootfs/internal.h"

#define RA(n, c, a) {n, MOPT_REC_ATTR, c, 0, a}
#define FL(n, c, f, a) {n, MOPT_FLAG, c, f, a}
#define PR(n, f) {n, MOPT_PROPAGATION, false, f, 0}

static const struct mount_opt_def mount_opt_table[] = {
    FL("defaults", false, 0, 0),
    FL("ro", false, MS_RDONLY, MOUNT_ATTR_RDONLY),
    FL("rw", true, MS_RDONLY, MOUNT_ATTR_RDONLY),
    FL("nosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID),
    FL("suid", true, MS_NOSUID, MOUNT_ATTR_NOSUID),
    FL("nodev", false, MS_NODEV, MOUNT_ATTR_NODEV),
    FL("dev", true, MS_NODEV, MOUNT_ATTR_NODEV),
    FL("noexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC),
    FL("exec", true, MS_NOEXEC, MOUNT_ATTR_NOEXEC),
    FL("sync", false, MS_SYNCHRONOUS, 0),
    FL("async", true, MS_SYNCHRONOUS, 0),
    FL("dirsync", false, MS_DIRSYNC, 0),
    FL("remount", false, MS_REMOUNT, 0),
    FL("mand", false, MS_MANDLOCK, 0),
    FL("nomand", true, MS_MANDLOCK, 0),
    FL("atime", true, MS_NOATIME, 0),
    FL("noatime", false, MS_NOATIME, MOUNT_ATTR_NOATIME),
    FL("diratime", true, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME),
    FL("nodiratime", false, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME),
    FL("relatime", false, MS_RELATIME, 0),
    FL("norelatime", true, MS_RELATIME, 0),
    FL("strictatime", false, MS_STRICTATIME, MOUNT_ATTR_STRICTATIME),
    FL("nostrictatime", true, MS_STRICTATIME, 0),
    FL("iversion", false, MS_I_VERSION, 0),
    FL("noiversion", true, MS_I_VERSION, 0),
    FL("lazytime", false, MS_LAZYTIME, 0),
    FL("nolazytime", true, MS_LAZYTIME, 0),
    FL("nosymfollow", false, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW),
    FL("symfollow", true, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW),
    FL("silent", false, MS_SILENT, 0),
    FL("loud", true, MS_SILENT, 0),
    {"bind", MOPT_BIND, false, MS_BIND, 0},
    {"rbind", MOPT_BIND, false, MS_BIND | MS_REC, 0},
    PR("shared", MS_SHARED),
    PR("rshared", MS_SHARED | MS_REC),
    PR("private", MS_PRIVATE),
    PR("rprivate", MS_PRIVATE | MS_REC),
    PR("slave", MS_SLAVE),
    PR("rslave", MS_SLAVE | MS_REC),
    PR("unbindable", MS_UNBINDABLE),
    PR("runbindable", MS_UNBINDABLE | MS_REC),
    RA("rro", false, MOUNT_ATTR_RDONLY),
    RA("rrw", true, MOUNT_ATTR_RDONLY),
    RA("rnosuid", false, MOUNT_ATTR_NOSUID),
    RA("rsuid", true, MOUNT_ATTR_NOSUID),
    RA("rnodev", false, MOUNT_ATTR_NODEV),
    RA("rdev", true, MOUNT_ATTR_NODEV),
    RA("rnoexec", false, MOUNT_ATTR_NOEXEC),
    RA("rexec", true, MOUNT_ATTR_NOEXEC),
    RA("rnodiratime", false, MOUNT_ATTR_NODIRATIME),
    RA("rdiratime", true, MOUNT_ATTR_NODIRATIME),
    RA("rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW),
    RA("rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW),
    /* The atime modes are one field (MOUNT_ATTR__ATIME): setting one replaces the others. */
    RA("rnoatime", false, MOUNT_ATTR_NOATIME),
    RA("rstrictatime", false, MOUNT_ATTR_STRICTATIME),
    RA("rrelatime", false, MOUNT_ATTR__ATIME),
    RA("ratime", false, MOUNT_ATTR__ATIME),
    RA("rnorelatime", false, MOUNT_ATTR__ATIME),
    RA("rnostrictatime", false, MOUNT_ATTR__ATIME),
    {"tmpcopyup", MOPT_TMPCOPYUP, false, 0, 0},
    {"idmap", MOPT_IDMAP, false, 0, 0},
    {"ridmap", MOPT_IDMAP, false, MS_REC, 0},
};

const struct mount_opt_def *mount_opt_lookup(const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE(mount_opt_table); i++)
    if (strcmp(mount_opt_table[i].name, name) == 0)
      return &mount_opt_table[i];
  return NULL;
}

unsigned long mount_propagation_parse(const char *s)
{
  const struct mount_opt_def *d = s ? mount_opt_lookup(s) : NULL;
  return d && d->kind == MOPT_PROPAGATION ? d->flag : 0;
}

static void apply_rec_attr(struct mount_opts *o, const struct mount_opt_def *d)
{
  if (d->attr & MOUNT_ATTR__ATIME) {
    /* an atime mode: clear the field, set the mode (MOUNT_ATTR__ATIME itself means relatime) */
    uint64_t mode = d->attr == MOUNT_ATTR__ATIME ? MOUNT_ATTR_RELATIME : d->attr;
    o->rec_attr_set = (o->rec_attr_set & ~(uint64_t) MOUNT_ATTR__ATIME) | mode;
    o->rec_attr_clr |= MOUNT_ATTR__ATIME;
  } else if (d->clear) {
    o->rec_attr_set &= ~d->attr;
    o->rec_attr_clr |= d->attr;
  } else {
    o->rec_attr_set |= d->attr;
    o->rec_attr_clr &= ~d->attr;
  }
}

static void append_data(char **data, const char *opt)
{
  if (!*data) {
    *data = xstrdup(opt);
    return;
  }
  char *n = xasprintf("%s,%s", *data, opt);
  free(*data);
  *data = n;
}

int mount_opts_parse(char *const *options, size_t len, struct mount_opts *out, struct cove_error *err)
{
  memset(out, 0, sizeof(*out));
  for (size_t i = 0; i < len; i++) {
    const char *name = options[i];
    const struct mount_opt_def *d = mount_opt_lookup(name);
    if (!d) {
      if (*name)
        append_data(&out->data, name);
      continue;
    }
    switch (d->kind) {
    case MOPT_FLAG:
      if (d->clear) {
        out->flags &= ~d->flag;
        out->clear_flags |= d->flag;
      } else {
        out->flags |= d->flag;
        out->clear_flags &= ~d->flag;
      }
      break;
    case MOPT_PROPAGATION:
      if (out->propagation_len == MOUNT_OPTS_MAX_PROPAGATION) {
        mount_opts_free(out);
        return cove_error_set(err, EINVAL, "option %s: more than %d propagation options", name,
                              MOUNT_OPTS_MAX_PROPAGATION);
      }
      out->propagation[out->propagation_len++] = d->flag;
      break;
    case MOPT_REC_ATTR:
      apply_rec_attr(out, d);
      break;
    case MOPT_BIND:
      out->bind = true;
      out->recursive = out->recursive || (d->flag & MS_REC);
      break;
    case MOPT_TMPCOPYUP:
      out->tmpcopyup = true;
      break;
    case MOPT_IDMAP:
      out->idmap = true;
      out->recursive_idmap = out->recursive_idmap || (d->flag & MS_REC);
      break;
    }
  }
  return 0;
}

void mount_opts_free(struct mount_opts *o)
{
  free(o->data);
  o->data = NULL;
}

uint64_t mount_flags_to_attr(unsigned long flags, uint64_t *atime_clear)
{
  uint64_t a = 0;
  if (flags & MS_RDONLY)
    a |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID)
    a |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV)
    a |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC)
    a |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NODIRATIME)
    a |= MOUNT_ATTR_NODIRATIME;
  if (flags & MS_NOSYMFOLLOW)
    a |= MOUNT_ATTR_NOSYMFOLLOW;
  *atime_clear = 0;
  if (flags & MS_NOATIME) {
    a |= MOUNT_ATTR_NOATIME;
    *atime_clear = MOUNT_ATTR__ATIME;
  } else if (flags & MS_STRICTATIME) {
    a |= MOUNT_ATTR_STRICTATIME;
    *atime_clear = MOUNT_ATTR__ATIME;
  } else if (flags & MS_RELATIME) {
    *atime_clear = MOUNT_ATTR__ATIME;
  }
  return a;
}

char *rootfs_path_clean(const char *path)
{
  size_t n = strlen(path);
  char *out = xmalloc(n + 1);
  size_t o = 0;
  const char *p = path;
  while (*p) {
    while (*p == '/')
      p++;
    const char *s = p;
    while (*p && *p != '/')
      p++;
    size_t l = (size_t) (p - s);
    if (l == 0 || (l == 1 && s[0] == '.'))
      continue;
    if (o)
      out[o++] = '/';
    memcpy(out + o, s, l);
    o += l;
  }
  out[o] = '\0';
  return out;
}

int rootfs_path_split(const char *clean, char **parent, char **base)
{
  const char *slash = strrchr(clean, '/');
  if (!slash) {
    *parent = xstrdup("");
    *base = xstrdup(clean);
  } else {
    *parent = strndup(clean, (size_t) (slash - clean));
    if (!*parent)
      abort();
    *base = xstrdup(slash + 1);
  }
  return 0;
}

char *rootfs_path_normalize(const char *path)
{
  _cleanup_free_ char *clean = rootfs_path_clean(path);
  char *out = xmalloc(strlen(clean) + 1);
  size_t o = 0;
  for (const char *p = clean; *p;) {
    const char *end = strchrnul(p, '/');
    size_t l = (size_t) (end - p);
    if (l == 2 && p[0] == '.' && p[1] == '.') {
      /* back to the previous component; ".." of the root is the root */
      while (o > 0 && out[o - 1] != '/')
        o--;
      if (o > 0)
        o--;
    } else {
      if (o)
        out[o++] = '/';
      memcpy(out + o, p, l);
      o += l;
    }
    p = *end ? end + 1 : end;
  }
  out[o] = '\0';
  return out;
}

char *rootfs_path_within(const char *path, const char *dir)
{
  _cleanup_free_ char *p = rootfs_path_normalize(path);
  _cleanup_free_ char *d = rootfs_path_normalize(dir);
  size_t n = strlen(d);
  if (n == 0)
    return steal_ptr(p);
  if (strncmp(p, d, n) != 0 || (p[n] != '\0' && p[n] != '/'))
    return NULL;
  return xstrdup(p[n] ? p + n + 1 : "");
}

const char *rootfs_fs_name(long type, char *buf, size_t len)
{
  switch (type) {
  case TMPFS_MAGIC:
    return "tmpfs";
  case RAMFS_MAGIC:
    return "ramfs";
  case EXT4_SUPER_MAGIC:
    return "ext4";
  case XFS_SUPER_MAGIC:
    return "xfs";
  case BTRFS_SUPER_MAGIC:
    return "btrfs";
  case OVERLAYFS_SUPER_MAGIC:
    return "overlay";
  case V9FS_MAGIC:
    return "9p";
  case NFS_SUPER_MAGIC:
    return "nfs";
  case FUSE_SUPER_MAGIC:
    return "fuse";
  case PROC_SUPER_MAGIC:
    return "procfs";
  case SYSFS_MAGIC:
    return "sysfs";
  case CGROUP_SUPER_MAGIC:
    return "cgroup";
  case CGROUP2_SUPER_MAGIC:
    return "cgroup2";
  case DEVPTS_SUPER_MAGIC:
    return "devpts";
  default:
    snprintf(buf, len, "filesystem 0x%lx", (unsigned long) type);
    return buf;
  }
}
