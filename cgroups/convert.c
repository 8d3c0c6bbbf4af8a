/* convert.c: OCI (cgroup v1 flavoured) values to cgroup v2 values, the way crun and runc
 * convert them, so a config gives the same cgroup files whichever runtime runs it.
 *
 *  - cpu.shares [2, 262144] -> cpu.weight [1, 10000]: crun >= 1.23 / runc >= 1.3.2's
 *    log-quadratic mapping, weight = ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(shares), which
 *    keeps the defaults aligned (1024 -> 100) and the ends (2 -> 1, 262144 -> 10000).
 *  - blkio.weight [10, 1000] -> io.weight [1, 10000]: 1 + (w - 10) * 9999 / 990.
 *    (io.bfq.weight takes the v1 value unchanged, so v2.c writes it directly.)
 *  - memory.swap: OCI swap is memory+swap; v2 memory.swap.max is swap alone = swap - limit. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "cgroups/internal.h"

uint64_t cg_convert_shares_to_weight(uint64_t shares)
{
  double l, e;

  if (shares == 0)
    return 0; /* unset: leave the kernel default */
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  /* the same double arithmetic as runc's and crun's: 1024 gives exactly 10^2 */
  l = log2((double) shares);
  e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return (uint64_t) ceil(pow(10, e));
}

uint64_t cg_convert_blkio_weight_to_io_weight(uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

int cg_convert_swap_to_v2(int64_t swap, int64_t limit, bool limit_set, int64_t *out, struct cove_error *err)
{
  /* -1: unlimited; 0: as runc, "unset" and written as 0 only together with limit 0 */
  if (swap == -1 || swap == 0) {
    *out = swap;
    return 0;
  }
  if (swap < -1)
    return cove_error_set(err, EINVAL, "memory.swap %" PRId64 ": invalid value", swap);
  if (!limit_set || limit == 0 || limit == -1)
    return cove_error_set(err, EINVAL, "memory.swap %" PRId64 ": a swap limit needs a memory limit", swap);
  if (limit < 0)
    return cove_error_set(err, EINVAL, "memory.limit %" PRId64 ": invalid value", limit);
  if (swap < limit)
    return cove_error_set(err, EINVAL,
                          "memory.swap %" PRId64 " is less than memory.limit %" PRId64
                          ": swap is the memory+swap limit and must be >= the memory limit",
                          swap, limit);
  *out = swap - limit;
  return 0;
}

void cg_fmt_limit(char *buf, size_t len, int64_t v)
{
  if (v < 0)
    snprintf(buf, len, "max");
  else
    snprintf(buf, len, "%" PRId64, v);
}

void cg_fmt_cpu_max(char *buf, size_t len, bool quota_set, int64_t quota, bool period_set, uint64_t period)
{
  char q[32];

  if (quota_set && quota > 0)
    snprintf(q, sizeof(q), "%" PRId64, quota);
  else
    snprintf(q, sizeof(q), "max");
  if (period_set && period > 0)
    snprintf(buf, len, "%s %" PRIu64, q, period);
  else
    snprintf(buf, len, "%s", q);
}
