/* install.c: the module's entry points for the runtime: prepare (parent: cache lookup, else
 * compile and store) and install (container init: hand the ready program to seccomp(2), the last
 * step before execve).
 *
 * install runs in the init after capabilities are dropped and no_new_privs is set; on success
 * it makes no allocation and only the one system call (plus prctl() on a kernel without
 * seccomp(2)).  The kernel accepts a filter from a task with no_new_privs, or one holding
 * CAP_SYS_ADMIN in its user namespace (the spec's allowance when noNewPrivileges is false). */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/log.h"
#include "seccomp/internal.h"

int cove_seccomp_prepare(const struct oci_seccomp *sc, const char *cache_dir, struct cove_seccomp_prog *out,
                         struct cove_error *err)
{
  uint8_t key[COVE_SHA256_LEN];
  struct cove_error store_err = COVE_ERROR_INIT;

  *out = (struct cove_seccomp_prog){0};
  if (cache_dir) {
    cove_seccomp_cache_key(sc, key);
    if (cove_seccomp_cache_load(cache_dir, key, out, err) > 0) {
      /* the cached program was compiled from the same section, so notify agrees; the listener
       * path is checked here because it is not part of the key */
      if (out->notify && !sc->listener_path) {
        cove_seccomp_prog_release(out);
        return cove_error_set(err, 0, ".linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
      }
      cove_debug("seccomp: cache hit (%zu instructions)", out->len);
      return 0;
    }
  }
  if (cove_seccomp_compile(sc, out, err) < 0)
    return -1;
  if (cache_dir && cove_seccomp_cache_store(cache_dir, key, out, &store_err) < 0) {
    /* a cache that cannot be written costs time, not correctness */
    cove_warn("%s", cove_error_msg(&store_err));
    cove_error_release(&store_err);
  }
  return 0;
}

int cove_seccomp_install(const struct cove_seccomp_prog *prog, int *notify_fd, struct cove_error *err)
{
  struct sock_fprog fprog = {.len = (unsigned short) prog->len, .filter = prog->filter};
  unsigned long flags = prog->flags;
  long rc;

  *notify_fd = -1;
  if (prog->len == 0 || prog->len > BPF_MAXINSNS || !prog->filter)
    return cove_error_set(err, EINVAL, "load seccomp filter: no program");
  if (prog->notify)
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  rc = sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (rc < 0 && errno == ENOSYS && flags == 0)
    rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
  if (rc < 0) {
    if (errno == EACCES)
      return cove_error_set(err, errno, "load seccomp filter: no_new_privs is not set and CAP_SYS_ADMIN is not held");
    /* seccomp(2) is needed for any flag, a notify listener among them; prctl takes none */
    return sys_fail(err, errno, SYS_F_SECCOMP, "load seccomp filter (flags %#lx)", flags);
  }
  if (prog->notify)
    *notify_fd = (int) rc;
  return 0;
}

void cove_seccomp_prog_release(struct cove_seccomp_prog *prog)
{
  if (!prog)
    return;
  free(prog->filter);
  prog->filter = NULL;
  prog->len = 0;
}
