/* events.c: `cove events`: JSON lines as runc prints them.  {"type":"stats","id":ID,"data":{...}}
 * with runc's field names (cpu, memory, pids, blkio, hugetlb, intel_rdt, network_interfaces of the
 * container's network namespace from /proc/PID/net/dev), and {"type":"oom","id":ID} when the
 * kernel OOM-kills in the container (v2 memory.events oom_kill through inotify, v1 the
 * memory.oom_control eventfd notifier).  Runs without the container's lock so `delete` is never
 * blocked; a cgroup that disappears ends the stream. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/runtime.h"

static void put_u64(FILE *f, const char *key, uint64_t v, bool comma)
{
  fprintf(f, "\"%s\":%" PRIu64 "%s", key, v, comma ? "," : "");
}

static void put_blkio(FILE *f, const char *key, const struct cgroup_blkio_entry *v, size_t n)
{
  fprintf(f, "\"%s\":[", key);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s{\"major\":%" PRIu64 ",\"minor\":%" PRIu64 ",\"op\":\"%s\",\"value\":%" PRIu64 "}", i ? "," : "",
            v[i].major, v[i].minor, v[i].op, v[i].value);
  fprintf(f, "]");
}

/* "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 ..." lines of /proc/PID/net/dev, lo left out */
static void put_net(FILE *f, pid_t pid)
{
  char path[64];
  _cleanup_free_ char *text = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  bool first = true;
  char *save = NULL;

  fprintf(f, "\"network_interfaces\":[");
  snprintf(path, sizeof(path), "/proc/%d/net/dev", (int) pid);
  if (pid > 0 && read_file(path, 1 << 20, &text, NULL, &e) == 0) {
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      char *colon = strchr(line, ':'), *name = line;
      unsigned long long v[16] = {0};
      if (!colon)
        continue;
      *colon = '\0';
      while (*name == ' ')
        name++;
      if (!strcmp(name, "lo") || !*name)
        continue;
      if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                 &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11]) != 12)
        continue;
      _cleanup_free_ char *q = json_quote(name);
      fprintf(f,
              "%s{\"name\":%s,\"rx_bytes\":%llu,\"rx_packets\":%llu,\"rx_errors\":%llu,\"rx_dropped\":%llu,"
              "\"tx_bytes\":%llu,\"tx_packets\":%llu,\"tx_errors\":%llu,\"tx_dropped\":%llu}",
              first ? "" : ",", q ? q : "\"\"", v[0], v[1], v[2], v[3], v[8], v[9], v[10], v[11]);
      first = false;
    }
  }
  cove_error_release(&e);
  fprintf(f, "]");
}

static void put_entry(FILE *f, const char *key, uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
  fprintf(f, "\"%s\":{\"limit\":%" PRIu64 ",\"usage\":%" PRIu64 ",\"max\":%" PRIu64 ",\"failcnt\":%" PRIu64 "}", key,
          limit, usage, max, failcnt);
}

/* One stats event line (heap, '\n' terminated). */
static char *stats_line(const char *qid, const struct cgroup_stats *st, pid_t pid)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);

  if (!f)
    abort();
  fprintf(f, "{\"type\":\"stats\",\"id\":%s,\"data\":{", qid);
  /* cpu */
  fprintf(f, "\"cpu\":{\"usage\":{");
  put_u64(f, "total", st->cpu_total, true);
  fprintf(f, "\"percpu\":[");
  for (size_t i = 0; i < st->cpu_percpu_len; i++)
    fprintf(f, "%s%" PRIu64, i ? "," : "", st->cpu_percpu[i]);
  fprintf(f, "],");
  put_u64(f, "kernel", st->cpu_kernel, true);
  put_u64(f, "user", st->cpu_user, false);
  fprintf(f, "},\"throttling\":{");
  put_u64(f, "periods", st->throttle_periods, true);
  put_u64(f, "throttled_periods", st->throttle_throttled_periods, true);
  put_u64(f, "throttled_time", st->throttle_throttled_time, false);
  fprintf(f, "}},");
  /* memory */
  fprintf(f, "\"memory\":{");
  put_u64(f, "cache", st->mem_cache, true);
  put_entry(f, "usage", st->mem_limit, st->mem_usage, st->mem_max_usage, st->mem_failcnt);
  fprintf(f, ",");
  put_entry(f, "swap", st->swap_limit, st->swap_usage, st->swap_max_usage, st->swap_failcnt);
  fprintf(f, ",");
  put_entry(f, "kernel", 0, st->kernel_usage, 0, 0);
  fprintf(f, ",");
  put_entry(f, "kernelTCP", 0, st->kernel_tcp_usage, 0, 0);
  fprintf(f, ",\"raw\":{");
  for (size_t i = 0; i < st->mem_raw_len; i++) {
    _cleanup_free_ char *k = json_quote(st->mem_raw_keys[i]);
    fprintf(f, "%s%s:%" PRIu64, i ? "," : "", k ? k : "\"\"", st->mem_raw_values[i]);
  }
  fprintf(f, "},");
  put_u64(f, "oom_kill", st->oom_kill, false);
  fprintf(f, "},");
  /* pids */
  fprintf(f, "\"pids\":{");
  put_u64(f, "current", st->pids_current, true);
  put_u64(f, "limit", st->pids_limit, false);
  fprintf(f, "},");
  /* blkio */
  fprintf(f, "\"blkio\":{");
  put_blkio(f, "ioServiceBytesRecursive", st->io_service_bytes, st->io_service_bytes_len);
  fprintf(f, ",");
  put_blkio(f, "ioServicedRecursive", st->io_serviced, st->io_serviced_len);
  fprintf(f, "},");
  /* hugetlb */
  fprintf(f, "\"hugetlb\":{");
  for (size_t i = 0; i < st->hugetlb_len; i++)
    fprintf(f, "%s\"%s\":{\"usage\":%" PRIu64 ",\"max\":%" PRIu64 ",\"failcnt\":%" PRIu64 "}", i ? "," : "",
            st->hugetlb[i].page_size, st->hugetlb[i].usage, st->hugetlb[i].max, st->hugetlb[i].failcnt);
  fprintf(f, "},\"intel_rdt\":{},");
  put_net(f, pid);
  fprintf(f, "}}\n");
  fclose(f);
  return buf;
}

static int emit(int fd, const char *line, struct cove_error *err)
{
  if (write_all(fd, line, strlen(line)) < 0)
    return cove_error_set(err, errno, "write event");
  return 0;
}

static int emit_stats(struct cove_container *c, const char *qid, int fd, struct cove_error *err)
{
  struct cgroup_stats st;
  _cleanup_free_ char *line = NULL;

  if (cgroup_stats(c->cgroup, &st, err) < 0)
    return -1;
  line = stats_line(qid, &st, c->pid);
  cgroup_stats_free(&st);
  return emit(fd, line, err);
}

int cove_events(const char *root, const char *id, bool stats_once, unsigned interval_ms, int out_fd,
                struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  _cleanup_free_ char *qid = NULL, *oom_line = NULL;
  _cleanup_close_ int oom_fd = -1;
  uint64_t ooms = 0;
  struct timespec next;

  if (cove_container_load(root, id, COVE_LOCK_NONE, &c, err) < 0)
    return -1;
  if (c->status == COVE_STATUS_STOPPED)
    return cove_error_set(err, 0, "container `%s` is stopped", id);
  if (!c->cgroup)
    return cove_error_set(err, ENOENT, "container `%s` has no cgroup", id);
  qid = json_quote(id);
  if (!qid)
    return cove_error_set(err, ENOMEM, "events");
  if (stats_once)
    return emit_stats(c, qid, out_fd, err);

  oom_line = xasprintf("{\"type\":\"oom\",\"id\":%s}\n", qid);
  {
    struct cove_error e = COVE_ERROR_INIT;
    if (cgroup_oom_fd(c->cgroup, &oom_fd, &e) < 0)
      oom_fd = -1; /* no memory controller: stats only */
    if (cgroup_oom_count(c->cgroup, &ooms, &e) < 0)
      ooms = 0;
    cove_error_release(&e);
  }
  if (interval_ms == 0)
    interval_ms = 5000;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (;;) {
    struct timespec now;
    long long wait_ms;
    struct pollfd p = {oom_fd, POLLIN, 0};
    int r;

    clock_gettime(CLOCK_MONOTONIC, &now);
    wait_ms = (next.tv_sec - now.tv_sec) * 1000LL + (next.tv_nsec - now.tv_nsec) / 1000000LL;
    if (wait_ms <= 0) {
      cove_container_refresh(c);
      if (c->status == COVE_STATUS_STOPPED)
        return 0;
      if (emit_stats(c, qid, out_fd, err) < 0)
        return -1;
      next.tv_sec += interval_ms / 1000;
      next.tv_nsec += (long) (interval_ms % 1000) * 1000000L;
      if (next.tv_nsec >= 1000000000L) {
        next.tv_sec++;
        next.tv_nsec -= 1000000000L;
      }
      continue;
    }
    r = poll(&p, 1, (int) wait_ms);
    if (r < 0 && errno != EINTR)
      return cove_error_set(err, errno, "poll");
    if (r > 0 && (p.revents & POLLIN)) {
      char drain[4096];
      struct cove_error e = COVE_ERROR_INIT;
      uint64_t now_ooms = ooms;
      bool v1 = cgroup_mode_of(c->cgroup) != CGROUP_MODE_UNIFIED;
      while (read(oom_fd, drain, sizeof(drain)) > 0)
        ;
      if (cgroup_oom_count(c->cgroup, &now_ooms, &e) < 0) {
        cove_error_release(&e);
        now_ooms = ooms;
      }
      /* v1's notifier fires on the OOM itself; v2's watch on any memory.events change */
      if (now_ooms > ooms || (v1 && now_ooms == ooms)) {
        if (emit(out_fd, oom_line, err) < 0)
          return -1;
      }
      ooms = now_ooms;
    } else if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
      close(steal_fd(oom_fd)); /* the cgroup went away */
    }
  }
}
