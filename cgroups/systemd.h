/* systemd.h: the systemd cgroup driver's pieces shared inside the cgroups module (not part of
 * the contract).
 *
 * With --systemd-cgroup a container's cgroup is a transient scope unit that systemd creates over
 * D-Bus (StartTransientUnit, Delegate=yes) once the init exists, with every OCI resource
 * systemd has a property for set as that property (as runc's systemd driver maps them), so a
 * `daemon-reload` re-applies the same values instead of undoing them.  What systemd cannot
 * express is then written to the cgroup files by the v2/v1/hybrid driver, which also serves
 * every later operation (freeze, pids, stats, kill) on the unit's cgroup directory.
 *
 *   systemd_props.c  pure: cgroupsPath "slice:prefix:name" -> slice and unit, and resources ->
 *                    a list of typed properties (unit-tested without systemd)
 *   systemd.c        sd-bus: connect, start / update / stop the unit, wait for its jobs */
#ifndef COVE_CGROUPS_SYSTEMD_H
#define COVE_CGROUPS_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/oci.h"

/* systemd's USEC_INFINITY / CGROUP_LIMIT_MAX: "no limit" for every uint64 property */
#define CG_SD_INFINITY UINT64_MAX

/* The D-Bus type of a property value. */
enum cg_sd_kind {
  CG_SD_BOOL,    /* b */
  CG_SD_U64,     /* t */
  CG_SD_STR,     /* s */
  CG_SD_STRS,    /* as, one element (s) */
  CG_SD_PIDS,    /* au, one element (u) */
  CG_SD_BYTES,   /* ay (bytes, nbytes) */
  CG_SD_DEVICES, /* a(ss): device path and access, entries[].path / .perms */
  CG_SD_IODEVS,  /* a(st): block device path and value, entries[].path / .value */
};

struct cg_sd_entry {
  char *path;
  char *perms;
  uint64_t value;
};

struct cg_sd_prop {
  const char *name; /* a string literal */
  enum cg_sd_kind kind;
  bool b;
  uint64_t u;
  char *s;
  uint8_t *bytes;
  size_t nbytes;
  struct cg_sd_entry *entries;
  size_t nentries;
};

struct cg_sd_props {
  struct cg_sd_prop *v;
  size_t n;
};

void cg_sd_props_free(struct cg_sd_props *p);
static inline void cg_sd_props_freep(struct cg_sd_props *p)
{
  cg_sd_props_free(p);
}

/* What the mapping depends on besides the resources. */
struct cg_sd_opts {
  bool v1;       /* legacy or hybrid host: systemd's v1 property names (MemoryLimit, CPUShares, BlockIO*) */
  bool user;     /* the user's manager (rootless): no device properties (no device program for a user) */
  int version;   /* systemd's version (252); gates CPUQuotaPeriodUSec (242) and AllowedCPUs (244) */
  /* for `update` of a part only: the values in force that a property is computed with */
  bool have_cur_limit;
  int64_t cur_limit; /* memory limit (-1: none), for MemorySwapMax from swap alone */
  bool have_cur_quota;
  int64_t cur_quota; /* cpu quota (-1: none), for CPUQuotaPerSecUSec from a period alone */
};

/* "slice:prefix:name" (runc's format; "" or NULL: "system.slice:cove:ID", for a user manager
 * (rootless, user) "user.slice:cove:ID"; an empty slice is that default too) -> the slice unit
 * ("system.slice", "-.slice" for the root) and the unit ("prefix-name.scope", "name.scope"
 * without a prefix, or "name" itself when it ends in ".slice").  Names systemd would refuse
 * are refused here, before anything is made. */
int cg_sd_parse_path(const char *cgroups_path, const char *id, bool user, char **slice, char **unit,
                     struct cove_error *err);
/* systemd's unit name rule: [A-Za-z0-9:_.\-]+ with a known suffix, at most 255 bytes. */
bool cg_sd_unit_name_valid(const char *name);
/* Does systemd make a Delegate=yes scope's directory in this v1 hierarchy ("memory",
 * "cpu,cpuacct", "name=systemd", ...)?  The others (cpuset, freezer, net_cls, ...) are cove's to
 * make and remove. */
bool cg_sd_v1_managed(const char *hierarchy);

/* A cpuset list ("0-3,8") as systemd's AllowedCPUs/AllowedMemoryNodes bitmask: byte i holds
 * CPUs 8i..8i+7, least significant bit first, no trailing zero bytes. */
int cg_sd_range_to_bits(const char *list, uint8_t **bits, size_t *n, struct cove_error *err);
/* CPUQuotaPerSecUSec for an OCI quota and period (0: the kernel's 100 ms), rounded up to a
 * whole percent (10 ms) as runc does, since systemd keeps the quota as a percentage; quota <= 0
 * is CG_SD_INFINITY. */
uint64_t cg_sd_cpu_quota_per_sec(int64_t quota, uint64_t period);

/* The unit's own properties: Description, Slice= (scope) or Wants= (slice), PIDs, Delegate,
 * the accounting switches, DefaultDependencies=no. */
void cg_sd_unit_props(const char *id, const char *slice, const char *unit, pid_t pid, bool v1,
                      struct cg_sd_props *out);
/* linux.resources (and the devices of linux.devices) as properties, appended to out.  With
 * o->update the device properties are left out (update keeps the devices create set). */
int cg_sd_resource_props(const struct oci_resources *res, const struct oci_device *extra, size_t extra_len,
                         bool update, const struct cg_sd_opts *o, struct cg_sd_props *out, struct cove_error *err);
/* "Name=value" as `systemctl show` prints it (for messages, debug logs and the unit tests). */
char *cg_sd_prop_format(const struct cg_sd_prop *p);

/* ---- systemd.c: the unit of a container (a struct cove_cgroup's `sd`) ---- */

struct cg_systemd;
struct cove_cgroup;

/* Is systemd the init of this host (sd_booted)?  Else one clear error naming --systemd-cgroup. */
int cg_sd_check_booted(struct cove_error *err);
/* A new description of unit `unit` in `slice` for container id (nothing is asked of systemd);
 * user: the unit is the user's manager's (rootless), reached over the user's bus. */
struct cg_systemd *cg_sd_new(const char *id, const char *slice, const char *unit, bool started, bool user);
void cg_sd_free(struct cg_systemd *sd);
const char *cg_sd_unit(const struct cg_systemd *sd);
bool cg_sd_started(const struct cg_systemd *sd);
bool cg_sd_user(const struct cg_systemd *sd);
/* Start the transient unit with pid in it and the resources' properties; waits (bounded) for
 * systemd's job and returns the unit's cgroup path ("/system.slice/cove-ID.scope", heap). */
int cg_sd_start(struct cg_systemd *sd, pid_t pid, const struct oci_resources *res, const struct oci_device *extra,
                size_t extra_len, const struct cg_sd_opts *o, char **cgroup_path, struct cove_error *err);
/* SetUnitProperties(runtime) for `update`. */
int cg_sd_update(struct cg_systemd *sd, const struct oci_resources *res, const struct cg_sd_opts *o,
                 struct cove_error *err);
/* Stop the unit and wait (bounded) for the job; a unit already gone is no error. */
int cg_sd_stop(struct cg_systemd *sd, struct cove_error *err);
/* Can the user's manager be reached ($XDG_RUNTIME_DIR/systemd/private or a session bus is
 * there; nothing is connected)?  Else one line naming what was looked for. */
int cg_sd_check_user_bus(struct cove_error *err);
/* The manager's own cgroup (its ControlGroup property: "/user.slice/user-1000.slice/
 * user@1000.service" for a user's, heap). */
int cg_sd_manager_cgroup(struct cg_systemd *sd, char **out, struct cove_error *err);
/* systemd's version (cached per connection), for cg_sd_opts. */
int cg_sd_version(struct cg_systemd *sd, int *version, struct cove_error *err);

/* ---- the driver's glue (systemd.c): what cgroups.c calls for a container with a unit ---- */

/* cgroup_create with --systemd-cgroup: check the unit name, that systemd runs and that every
 * resource converts; record the unit and the resources to start it with.  Nothing is made.
 * Rootless (cg->rootless) the unit is the user manager's: a cgroup v2 host and a reachable
 * user manager are checked here, the delegated controllers when the unit is started. */
int cg_sd_prepare(struct cove_cgroup *cg, const char *cgroups_path, const char *id, const struct oci_resources *res,
                  const struct oci_device *extra, size_t extra_len, struct cove_error *err);
/* The first cgroup_enter: start the unit with pid in it, take its cgroup path from systemd,
 * then open (v1: make the hierarchies systemd does not manage), write the files and place pid
 * in every hierarchy. */
int cg_sd_place(struct cove_cgroup *cg, pid_t pid, struct cove_error *err);
/* cgroup_update: the unit's properties first (the files follow in the caller). */
int cg_sd_set(struct cove_cgroup *cg, const struct oci_resources *res, struct cove_error *err);

#endif
