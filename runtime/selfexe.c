/* selfexe.c: the /proc/self/exe attack (CVE-2019-5736).  A cove process that enters a container
 * (the init until it execs, `exec` until it execs) is visible there as /proc/PID/exe; a
 * container process could open it and, once cove exits, rewrite the cove binary on the host.
 * So those commands first re-exec cove from a sealed memfd copy: /proc/PID/exe is then a
 * write-sealed anonymous file, and the host binary is out of reach. */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/syscalls.h"
#include "common/cleanup.h"
#include "common/trace.h"
#include "common/util.h"
#include "runtime/internal.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define COVE_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* How much of the binary exec needs: up to the end of the last segment the program headers
 * name.  The debug sections after it (most of a -g build) are not copied, and the section header
 * table they need is dropped from the copy's ELF header.  *drop_sections says whether it was.
 * Anything unexpected: the whole file. */
static off_t exec_extent(int fd, off_t size, bool *drop_sections)
{
  Elf64_Ehdr eh;
  off_t end = 0;

  *drop_sections = false;
  if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t) sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
      eh.e_phnum > 64)
    return size;
  end = (off_t) (eh.e_phoff + (uint64_t) eh.e_phnum * sizeof(Elf64_Phdr));
  for (unsigned i = 0; i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    if (pread(fd, &ph, sizeof(ph), (off_t) (eh.e_phoff + i * sizeof(ph))) != (ssize_t) sizeof(ph))
      return size;
    if (ph.p_offset + ph.p_filesz > (uint64_t) end)
      end = (off_t) (ph.p_offset + ph.p_filesz);
  }
  if (end <= 0 || end > size)
    return size;
  *drop_sections = end < size;
  return end;
}

static bool running_sealed(void)
{
  _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int seals;
  if (fd < 0)
    return false;
  seals = fcntl(fd, F_GET_SEALS);
  return seals >= 0 && (seals & COVE_SEALS) == COVE_SEALS;
}

int cove_selfexe_protect(int argc, char **argv, struct cove_error *err)
{
  _cleanup_close_ int exe = -1, mfd = -1;
  struct stat sb;
  off_t off = 0;

  (void) argc;
  if (getenv("COVE_UNSAFE_NO_SEALED_EXE") || running_sealed())
    return 0;
  exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (exe < 0 || fstat(exe, &sb) < 0)
    return cove_error_set(err, errno, "open /proc/self/exe");
  mfd = memfd_create("cove", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create("cove", MFD_CLOEXEC | MFD_ALLOW_SEALING); /* kernels before 6.3 */
  if (mfd < 0)
    return cove_error_set(err, errno, "memfd_create");
  {
    bool drop = false;
    off_t len = exec_extent(exe, sb.st_size, &drop);
    while (off < len) {
      ssize_t n = sendfile(mfd, exe, &off, (size_t) (len - off));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return cove_error_set(err, n < 0 ? errno : EIO, "copy cove into a memfd");
    }
    if (drop) {
      /* the section headers were not copied: say so in the copy's ELF header */
      Elf64_Half zero16 = 0;
      Elf64_Off zero64 = 0;
      if (pwrite(mfd, &zero64, sizeof(zero64), offsetof(Elf64_Ehdr, e_shoff)) < 0 ||
          pwrite(mfd, &zero16, sizeof(zero16), offsetof(Elf64_Ehdr, e_shnum)) < 0 ||
          pwrite(mfd, &zero16, sizeof(zero16), offsetof(Elf64_Ehdr, e_shstrndx)) < 0)
        return cove_error_set(err, errno, "patch the memfd copy");
    }
  }
  if (fcntl(mfd, F_ADD_SEALS, COVE_SEALS) < 0)
    return cove_error_set(err, errno, "seal the memfd");
  /* a cloexec fd is fine for an ELF binary: the kernel has it mapped before it closes it */
  /* the verb sees only its own argv: take the whole command line again */
  {
    _cleanup_free_ char *cmdline = NULL;
    _cleanup_free_ char **full = NULL;
    size_t len = 0, n = 0;
    struct cove_error e = COVE_ERROR_INIT;
    if (read_file("/proc/self/cmdline", 1 << 20, &cmdline, &len, &e) < 0) {
      *err = e;
      return -1;
    }
    for (size_t i = 0; i < len; i++)
      if (cmdline[i] == '\0')
        n++;
    full = xcalloc(n + 1, sizeof(char *));
    n = 0;
    for (size_t i = 0; i < len; i += strlen(cmdline + i) + 1)
      full[n++] = cmdline + i;
    full[n] = NULL;
    (void) argv;
    cove_trace("re-exec from the sealed copy");
    sys_execveat(mfd, "", full, environ, AT_EMPTY_PATH);
  }
  return sys_fail(err, errno, SYS_F_EXECVEAT, "re-exec cove from a sealed memfd");
}
