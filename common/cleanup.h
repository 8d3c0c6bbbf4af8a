/* cleanup.h: scope-bound ownership of memory, fds and FILEs (GCC cleanup attribute).
 *
 * common/ is the bottom layer: every module includes it, it includes nothing of cove's outside
 * common/ and holds nothing domain-specific (errors, logging, file helpers, system calls). */
#ifndef COVE_COMMON_CLEANUP_H
#define COVE_COMMON_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cove_freep(void *p)
{
  free(*(void **) p);
}

static inline void cove_closep(int *fd)
{
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}

static inline void cove_fclosep(FILE **f)
{
  if (*f)
    fclose(*f);
}

static inline void cove_strvfreep(char ***v)
{
  if (*v) {
    for (char **p = *v; *p; p++)
      free(*p);
    free(*v);
  }
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(cove_freep)
#define _cleanup_close_ _cleanup_(cove_closep)
#define _cleanup_fclose_ _cleanup_(cove_fclosep)
#define _cleanup_strv_ _cleanup_(cove_strvfreep)

/* Hand ownership on: returns the value and leaves the variable empty. */
#define steal_ptr(p)                \
  ({                                \
    __typeof__(p) steal_tmp_ = (p); \
    (p) = NULL;                     \
    steal_tmp_;                     \
  })

#define steal_fd(fd)          \
  ({                          \
    int steal_tmp_fd_ = (fd); \
    (fd) = -1;                \
    steal_tmp_fd_;            \
  })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
