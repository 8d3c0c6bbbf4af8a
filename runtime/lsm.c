/* lsm.c: the security labels of container processes and mounts, applied or refused, never
 * parsed and dropped.
 *  - AppArmor: process.apparmorProfile (exec --apparmor) is the profile the next execve puts the
 *    process in: "exec PROFILE" written to /proc/thread-self/attr/apparmor/exec, or to the
 *    legacy attr/exec on kernels before 5.8 that lack the per-LSM directory (libapparmor's
 *    aa_change_onexec, as runc does it).
 *  - SELinux: process.selinuxLabel (exec --process-label) goes to attr/exec (setexeccon) and,
 *    for the session keyring the init makes, attr/keycreate; linux.mountLabel becomes a
 *    `context="LABEL"` option of the mounts runc gives it to (go-selinux's FormatMountLabel):
 *    that is the rootfs's part (runtime/rootfs/label.c); this file checks the label.
 * Every write goes through a private procfs checked with fstatfs (rootfs_open_procfs_file): in
 * CVE-2019-16884 an image mounted over /proc and runc's AppArmor write went to a fake file, the
 * container running unconfined.  libselinux is not used for that reason: setexeccon() opens the
 * path on whatever /proc the calling process sees.
 * Where the host lacks the LSM, runc fails (AppArmor: EINVAL from its write in the init; SELinux
 * label: a config check; mount label: EINVAL from the first labelled mount); cove refuses the
 * same configs in the parent, before anything is made, with the field named. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"
#include "runtime/rootfs/rootfs.h"

/* proc_pid_attr_write() cuts a write at one page, and mount(2) reads one page of data: a longer
 * value would be applied truncated, i.e. as another profile or label */
#define LSM_VALUE_MAX 4000

bool lsm_apparmor_enabled(void)
{
  _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  char c = 0;
  return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool lsm_selinux_enabled(void)
{
  struct statfs sf;
  return statfs("/sys/fs/selinux", &sf) == 0 && sf.f_type == SELINUX_MAGIC;
}

static int check_value(const char *what, const char *v, bool selinux, struct cove_error *err)
{
  size_t n = strlen(v);
  if (n > LSM_VALUE_MAX)
    return cove_error_set(err, 0, "%s: %zu bytes, more than the kernel takes (%d)", what, n, LSM_VALUE_MAX);
  for (const char *p = v; *p; p++) {
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      return cove_error_set(err, 0, "%s: has a control character", what);
    /* a context is quoted in mount data: a quote in it would end the option early */
    if (selinux && *p == '"')
      return cove_error_set(err, 0, "%s: has a double quote", what);
  }
  return 0;
}

int lsm_check_apparmor(const char *what, const char *profile, struct cove_error *err)
{
  if (!profile || !*profile)
    return 0;
  if (check_value(what, profile, false, err) < 0)
    return -1;
  if (!lsm_apparmor_enabled())
    return cove_error_set(err, 0, "%s `%s`: AppArmor is not enabled on this host", what, profile);
  return 0;
}

int lsm_check_selinux(const char *what, const char *label, struct cove_error *err)
{
  if (!label || !*label)
    return 0;
  if (check_value(what, label, true, err) < 0)
    return -1;
  if (!lsm_selinux_enabled())
    return cove_error_set(err, 0, "%s `%s`: SELinux is not enabled on this host", what, label);
  return 0;
}

int lsm_check_config(const struct oci_config *c, struct cove_error *err)
{
  const struct oci_process *p = c->process;
  if (p && lsm_check_apparmor("config.json: .process.apparmorProfile", p->apparmor_profile, err) < 0)
    return -1;
  if (p && lsm_check_selinux("config.json: .process.selinuxLabel", p->selinux_label, err) < 0)
    return -1;
  if (c->linux_ && lsm_check_selinux("config.json: .linux.mountLabel", c->linux_->mount_label, err) < 0)
    return -1;
  return 0;
}

static int write_attr(int fd, const char *path, const char *value, struct cove_error *err)
{
  size_t n = strlen(value);
  ssize_t w = write(fd, value, n);
  if (w < 0)
    return cove_error_set(err, errno, "write /proc/%s", path);
  if ((size_t) w != n)
    return cove_error_set(err, EIO, "write /proc/%s: %zd of %zu bytes taken", path, w, n);
  return 0;
}

static int apply_apparmor(const char *profile, struct cove_error *err)
{
  _cleanup_free_ char *cmd = xasprintf("exec %s", profile);
  const char *path = "thread-self/attr/apparmor/exec";
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_close_ int fd = rootfs_open_procfs_file(path, O_WRONLY, &e);
  if (fd < 0 && e.errnum == ENOENT) {
    /* before Linux 5.8 there is no attr/apparmor/: the shared file, AppArmor's when it is the
     * major LSM (runc and libapparmor fall back the same way) */
    cove_error_release(&e);
    path = "thread-self/attr/exec";
    fd = rootfs_open_procfs_file(path, O_WRONLY, &e);
  }
  if (fd < 0) {
    *err = e;
    return cove_error_wrap(err, "apparmor profile `%s`", profile);
  }
  if (write_attr(fd, path, cmd, &e) == 0)
    return 0;
  int en = e.errnum;
  cove_error_release(&e);
  /* the write's errno is AppArmor's answer (aa_change_profile in security/apparmor/domain.c) */
  if (en == ENOENT)
    return cove_error_set(err, 0, "apparmor profile `%s`: not loaded in the kernel (apparmor_parser -r loads it)",
                          profile);
  if (en == EACCES || en == EPERM)
    return cove_error_set(err, en, "apparmor profile `%s`: the change is not allowed", profile);
  return cove_error_set(err, en, "apparmor profile `%s`: write /proc/%s", profile, path);
}

static int apply_selinux(const char *attr, const char *label, struct cove_error *err)
{
  _cleanup_free_ char *path = xasprintf("thread-self/attr/%s", attr);
  struct cove_error e = COVE_ERROR_INIT;
  _cleanup_close_ int fd = rootfs_open_procfs_file(path, O_WRONLY, err);
  if (fd < 0)
    return cove_error_wrap(err, "selinux label `%s`", label);
  if (write_attr(fd, path, label, &e) == 0)
    return 0;
  int en = e.errnum;
  cove_error_release(&e);
  if (en == EINVAL)
    return cove_error_set(err, en, "selinux label `%s`: not valid in the loaded policy", label);
  if (en == EACCES || en == EPERM)
    return cove_error_set(err, en, "selinux label `%s`: the policy does not allow it (%s)", label, attr);
  return cove_error_set(err, en, "selinux label `%s`: set %s", label, attr);
}

int lsm_apply_exec_label(const char *apparmor, const char *selinux, struct cove_error *err)
{
  if (apparmor && *apparmor && apply_apparmor(apparmor, err) < 0)
    return -1;
  if (selinux && *selinux && apply_selinux("exec", selinux, err) < 0)
    return -1;
  return 0;
}

int lsm_set_keyring_label(const char *selinux, struct cove_error *err)
{
  if (!selinux || !*selinux)
    return 0;
  return apply_selinux("keycreate", selinux, err);
}

void cove_lsm_host(struct oci_features_host *h)
{
  h->apparmor = lsm_apparmor_enabled();
  h->selinux = lsm_selinux_enabled();
}
