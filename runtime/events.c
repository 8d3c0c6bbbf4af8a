/* events.c: `cove events`: JSON lines as runc prints them.  {"type":"stats","id":ID,"data":{...}}
 * with runc's field names (cpu, memory, pids, blkio, hugetlb, intel_rdt, network_interfaces of the
 * container's network namespace from /proc/PID/net/dev), and {"type":"oom","id":ID} when the
 * kernel OOM-kills in the container (v2 memory.events oom_kill through inotify, v1 the
 * memory.oom_control eventfd notifier).  Runs without the container's lock so `delete` is never
 * blocked; a cgroup that disappears ends the stream. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "oci/json.h"
#include "runtime/runtime.h"

static void put_entry(struct oci_jgen *g, const char *key, uint64_t limit, uint64_t usage, uint64_t max,
                      uint64_t failcnt)
{
  oci_jgen_string(g, key);
  oci_jgen_map_open(g);
  oci_jgen_kuint(g, "limit", limit);
  oci_jgen_kuint(g, "usage", usage);
  oci_jgen_kuint(g, "max", max);
  oci_jgen_kuint(g, "failcnt", failcnt);
  oci_jgen_map_close(g);
}

static void put_blkio(struct oci_jgen *g, const char *key, const struct cgroup_blkio_entry *v, size_t n)
{
  oci_jgen_string(g, key);
  oci_jgen_array_open(g);
  for (size_t i = 0; i < n; i++) {
    oci_jgen_map_open(g);
    oci_jgen_kuint(g, "major", v[i].major);
    oci_jgen_kuint(g, "minor", v[i].minor);
    oci_jgen_kstring(g, "op", v[i].op);
    oci_jgen_kuint(g, "value", v[i].value);
    oci_jgen_map_close(g);
  }
  oci_jgen_array_close(g);
}

/* "eth0: 1 2 3 4 5 6 7 8 9 10 11 12 ..." lines of /proc/PID/net/dev, lo left out */
static void put_net(struct oci_jgen *g, pid_t pid)
{
  char path[64];
  _cleanup_free_ char *text = NULL;
  struct cove_error e = COVE_ERROR_INIT;
  char *save = NULL;

  oci_jgen_string(g, "network_interfaces");
  oci_jgen_array_open(g);
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
      oci_jgen_map_open(g);
      oci_jgen_kstring(g, "name", name);
      oci_jgen_kuint(g, "rx_bytes", v[0]);
      oci_jgen_kuint(g, "rx_packets", v[1]);
      oci_jgen_kuint(g, "rx_errors", v[2]);
      oci_jgen_kuint(g, "rx_dropped", v[3]);
      oci_jgen_kuint(g, "tx_bytes", v[8]);
      oci_jgen_kuint(g, "tx_packets", v[9]);
      oci_jgen_kuint(g, "tx_errors", v[10]);
      oci_jgen_kuint(g, "tx_dropped", v[11]);
      oci_jgen_map_close(g);
    }
  }
  cove_error_release(&e);
  oci_jgen_array_close(g);
}

/* One stats event line (heap, '\n' terminated), runc's types.Stats field names. */
static int stats_line(const char *id, const struct cgroup_stats *st, pid_t pid, char **out, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  _cleanup_free_ char *doc = NULL;

  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "type", "stats");
  oci_jgen_kstring(g, "id", id);
  oci_jgen_string(g, "data");
  oci_jgen_map_open(g);

  oci_jgen_string(g, "cpu");
  oci_jgen_map_open(g);
  oci_jgen_string(g, "usage");
  oci_jgen_map_open(g);
  oci_jgen_kuint(g, "total", st->cpu_total);
  oci_jgen_string(g, "percpu");
  oci_jgen_array_open(g);
  for (size_t i = 0; i < st->cpu_percpu_len; i++)
    oci_jgen_uint(g, st->cpu_percpu[i]);
  oci_jgen_array_close(g);
  oci_jgen_kuint(g, "kernel", st->cpu_kernel);
  oci_jgen_kuint(g, "user", st->cpu_user);
  oci_jgen_map_close(g);
  oci_jgen_string(g, "throttling");
  oci_jgen_map_open(g);
  oci_jgen_kuint(g, "periods", st->throttle_periods);
  oci_jgen_kuint(g, "throttled_periods", st->throttle_throttled_periods);
  oci_jgen_kuint(g, "throttled_time", st->throttle_throttled_time);
  oci_jgen_map_close(g);
  oci_jgen_map_close(g);

  oci_jgen_string(g, "memory");
  oci_jgen_map_open(g);
  oci_jgen_kuint(g, "cache", st->mem_cache);
  put_entry(g, "usage", st->mem_limit, st->mem_usage, st->mem_max_usage, st->mem_failcnt);
  put_entry(g, "swap", st->swap_limit, st->swap_usage, st->swap_max_usage, st->swap_failcnt);
  put_entry(g, "kernel", 0, st->kernel_usage, 0, 0);
  put_entry(g, "kernelTCP", 0, st->kernel_tcp_usage, 0, 0);
  oci_jgen_string(g, "raw");
  oci_jgen_map_open(g);
  for (size_t i = 0; i < st->mem_raw_len; i++)
    oci_jgen_kuint(g, st->mem_raw_keys[i], st->mem_raw_values[i]);
  oci_jgen_map_close(g);
  oci_jgen_kuint(g, "oom_kill", st->oom_kill);
  oci_jgen_map_close(g);

  oci_jgen_string(g, "pids");
  oci_jgen_map_open(g);
  oci_jgen_kuint(g, "current", st->pids_current);
  oci_jgen_kuint(g, "limit", st->pids_limit);
  oci_jgen_map_close(g);

  oci_jgen_string(g, "blkio");
  oci_jgen_map_open(g);
  put_blkio(g, "ioServiceBytesRecursive", st->io_service_bytes, st->io_service_bytes_len);
  put_blkio(g, "ioServicedRecursive", st->io_serviced, st->io_serviced_len);
  oci_jgen_map_close(g);

  oci_jgen_string(g, "hugetlb");
  oci_jgen_map_open(g);
  for (size_t i = 0; i < st->hugetlb_len; i++) {
    oci_jgen_string(g, st->hugetlb[i].page_size);
    oci_jgen_map_open(g);
    oci_jgen_kuint(g, "usage", st->hugetlb[i].usage);
    oci_jgen_kuint(g, "max", st->hugetlb[i].max);
    oci_jgen_kuint(g, "failcnt", st->hugetlb[i].failcnt);
    oci_jgen_map_close(g);
  }
  oci_jgen_map_close(g);
  oci_jgen_string(g, "intel_rdt");
  oci_jgen_map_open(g);
  oci_jgen_map_close(g);
  put_net(g, pid);

  oci_jgen_map_close(g);
  oci_jgen_map_close(g);
  if (oci_jgen_finish(g, &doc, err) < 0)
    return cove_error_wrap(err, "stats event");
  *out = xasprintf("%s\n", doc);
  return 0;
}

/* {"type":"oom","id":ID} */
static int oom_line(const char *id, char **out, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  _cleanup_free_ char *doc = NULL;

  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "type", "oom");
  oci_jgen_kstring(g, "id", id);
  oci_jgen_map_close(g);
  if (oci_jgen_finish(g, &doc, err) < 0)
    return cove_error_wrap(err, "oom event");
  *out = xasprintf("%s\n", doc);
  return 0;
}

static int emit(int fd, const char *line, struct cove_error *err)
{
  if (write_all(fd, line, strlen(line)) < 0)
    return cove_error_set(err, errno, "write event");
  return 0;
}

static int emit_stats(struct cove_container *c, int fd, struct cove_error *err)
{
  struct cgroup_stats st;
  _cleanup_free_ char *line = NULL;
  int r;

  if (cgroup_stats(c->cgroup, &st, err) < 0)
    return -1;
  r = stats_line(c->id, &st, c->pid, &line, err);
  cgroup_stats_free(&st);
  return r < 0 ? -1 : emit(fd, line, err);
}

int cove_events(const char *root, const char *id, bool stats_once, unsigned interval_ms, int out_fd,
                struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  _cleanup_free_ char *oom = NULL;
  _cleanup_close_ int oom_fd = -1;
  uint64_t ooms = 0;
  struct timespec next;

  if (cove_container_load(root, id, COVE_LOCK_NONE, &c, err) < 0)
    return -1;
  if (c->status == COVE_STATUS_STOPPED)
    return cove_error_set(err, 0, "container `%s` is stopped", id);
  if (!c->cgroup)
    return cove_error_set(err, 0, "container `%s` has no cgroup (rootless, and no cgroup delegated to the user)", id);
  if (stats_once)
    return emit_stats(c, out_fd, err);
  if (oom_line(c->id, &oom, err) < 0)
    return -1;
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
      if (emit_stats(c, out_fd, err) < 0)
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
        if (emit(out_fd, oom, err) < 0)
          return -1;
      }
      ooms = now_ooms;
    } else if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
      close(steal_fd(oom_fd)); /* the cgroup went away */
    }
  }
}
