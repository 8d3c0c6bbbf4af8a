/* convert.c: OCI (cgroup v1 flavoured) values to cgroup v2 values, the way crun and runc
 * convert them, so a config gives the same cgroup files whichever runtime runs it.
 *
 *  - cpu.shares [2, 262144] -> cpu.weight [1, 10000]: crun >= 1.23 / runc >= 1.3.2's
 *    log-quadratic mapping, weight = ceil(10^((l^2 + 125 l) / 612 - 7/34)), l = log2(shares), which
 *    keeps the defaults aligned (1024 -> 100) and the ends (2 -> 1, 262144 -> 10000).
 *  - blkio.weight [10, 1000] -> io.weight [1, 10000]: 1 + (w - 10) * 9999 / 990.
 *    (io.bfq.weight takes the v1 value unchanged, so v2.c writes it directly.)
 *  - memory.swap: OCI swap is memory+swap; v2 memory.swap.max is swap alone = swap - limit.
 *
 * libm is not linked into cove, so log2 and 10^x are computed here (double precision is ample
 * for a result rounded to an integer in [1, 10000]). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "cgroups/internal.h"

static const double LN2 = 0.69314718055994530942;
static const double LN10 = 2.30258509299404568402;

/* ln(x) for x > 0: x = m * 2^k with m in [1, 2), ln m = 2 atanh((m-1)/(m+1)). */
static double cg_ln(double x)
{
  int k = 0;
  double y, y2, term, sum = 0;

  while (x >= 2) {
    x /= 2;
    k++;
  }
  while (x < 1) {
    x *= 2;
    k--;
  }
  y = (x - 1) / (x + 1);
  y2 = y * y;
  term = y;
  for (int i = 1; i < 60; i += 2) {
    sum += term / i;
    term *= y2;
  }
  return 2 * sum + k * LN2;
}

/* e^x: x = n ln2 + r, |r| <= ln2/2, Taylor series for e^r. */
static double cg_exp(double x)
{
  long n = (long) (x / LN2 + (x >= 0 ? 0.5 : -0.5));
  double r = x - (double) n * LN2, term = 1, sum = 1;

  for (int i = 1; i < 30; i++) {
    term *= r / i;
    sum += term;
  }
  while (n > 0) {
    sum *= 2;
    n--;
  }
  while (n < 0) {
    sum /= 2;
    n++;
  }
  return sum;
}

uint64_t cg_convert_shares_to_weight(uint64_t shares)
{
  double l, e, w;
  uint64_t c;

  if (shares == 0)
    return 0; /* unset: leave the kernel default */
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  l = cg_ln((double) shares) / LN2;
  e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  w = cg_exp(e * LN10);
  /* ceil, tolerant of the last-bit error at exact powers (1024 -> exactly 100) */
  c = (uint64_t) w;
  if (w - (double) c > 1e-9)
    c++;
  if (c < 1)
    c = 1;
  if (c > 10000)
    c = 10000;
  return c;
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
