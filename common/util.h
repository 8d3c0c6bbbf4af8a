/* util.h: small helpers every module needs: file I/O, strings, JSON quoting, the CPU-list
 * parser.  Part of common/, the bottom layer: it builds on error.h and cleanup.h only. */
#ifndef COVE_COMMON_UTIL_H
#define COVE_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* cove's own data under a state root that is not a container (the seccomp filter cache, the
 * network database): ROOT/.cove/.  Container ids cannot start with '.', so nothing in it can be
 * taken for a container, listed, or collide with one. */
#define COVE_ROOT_PRIVATE ".cove"

/* Read a whole file (at most max bytes; more is an error naming the file).  *out is
 * NUL-terminated; *len (may be NULL) excludes the NUL. */
int read_file(const char *path, size_t max, char **out, size_t *len, struct cove_error *err);
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len, struct cove_error *err);

/* Write all of buf to fd, retrying on EINTR and short writes.  Returns 0 or -1 (errno set). */
int write_all(int fd, const void *buf, size_t len);

/* open(dirfd, path, O_WRONLY|O_TRUNC|O_CLOEXEC) and write data; for sysfs/cgroupfs/procfs files. */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, struct cove_error *err);

/* Write data to dirfd/name atomically: a temp file in the same dir, fsync-free, then rename. */
int write_file_atomic_at(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
                         struct cove_error *err);

/* mkdir -p with mode for each created component. */
int mkdir_p(const char *path, mode_t mode, struct cove_error *err);

/* A JSON string literal for s (quotes included), heap allocated; NULL on ENOMEM. */
char *json_quote(const char *s);

/* xasprintf: asprintf that aborts on ENOMEM (there is nothing sensible to do then). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* secs.nsecs since the epoch as RFC 3339 in UTC, "2006-01-02T15:04:05.000000000Z" (31 bytes with
 * the NUL), into buf of size bytes; -1 when it does not fit.  By the calendar's arithmetic:
 * gmtime_r() reads /etc/localtime on its first call in a process (glibc's tzset), for a time
 * that has no zone. */
int rfc3339_utc(long long secs, long nsecs, char *buf, size_t size);

/* Parse a non-negative decimal integer with the whole string consumed. */
int parse_u64(const char *s, unsigned long long *out);

/* Connect to the AF_UNIX stream socket at socket_path and send fd (SCM_RIGHTS) with payload as
 * the message (runc's protocol for --console-socket and --pidfd-socket); errors name `what`.
 * Bounded: a listener that never accepts fails it after 30 s. */
int unix_send_fd(const char *what, const char *socket_path, int fd, const char *payload, struct cove_error *err);

/* The highest CPU (or NUMA node) number a list may name: the kernel's NR_CPUS ceiling is 8192,
 * this leaves room and still bounds an affinity mask at 128 KiB. */
#define CPU_LIST_MAX (1ul << 20)
/* A CPU or NUMA-node list as cpuset.cpus and taskset write it: "0-3,7" (the runtime-spec's
 * cpu.cpus, cpu.mems, execCPUAffinity, memoryPolicy nodes).  The empty list is valid and names
 * nothing.  fn (may be NULL: validation only) gets each range in order, first <= last <= max.
 * Returns 0, or -1 on a malformed list (empty element, trailing comma, backwards range, a
 * number above max) or when fn returns negative. */
int parse_cpu_list(const char *list, unsigned long max, int (*fn)(unsigned long first, unsigned long last, void *ctx),
                   void *ctx);

#endif
