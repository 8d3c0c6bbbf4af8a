/* systemd.c: the D-Bus half of the systemd cgroup driver (sd-bus from libsystemd): a
 * container's transient unit is started with StartTransientUnit (its properties from
 * systemd_props.c, the init placed through PIDs), changed with SetUnitProperties and stopped with
 * StopUnit; cove waits for each job's JobRemoved signal, bounded by CG_SD_JOB_TIMEOUT.
 *
 * As root cove talks to systemd's private socket (/run/systemd/private, as systemctl does: no
 * dbus-daemon in the way, and systemd sends job signals to every private client), else to the
 * system bus.  Rootless it talks to the user's own manager (user@UID.service, as runc and crun
 * do): its private socket $XDG_RUNTIME_DIR/systemd/private (systemctl --user's choice), else the
 * session bus; the unit's ControlGroup is then below the manager's own cgroup, and only the
 * controllers delegated to user@UID.service can hold limits (cgroup v2 only: a user manager is
 * given no v1 controller).  A host whose init is not systemd fails with one line naming --systemd-cgroup;
 * cove never falls back to making systemd's cgroups itself.  The connection is opened when first
 * needed, after the init is cloned, so no bus socket is ever open in a process that enters the
 * container. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "cgroups/internal.h"
#include "cgroups/systemd.h"
#include "common/cleanup.h"
#include "common/libsystemd.h"
#include "common/log.h"
#include "common/util.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_PRIVATE "/run/systemd/private"
/* how long a start or stop job may take (runc waits 30 s too) */
#define CG_SD_JOB_TIMEOUT (30ULL * 1000000ULL)

struct cg_systemd {
  char *id;
  char *slice;
  char *unit;
  bool started; /* the unit exists (or did): destroy stops it */
  bool user;    /* the unit is the user manager's (rootless) */
  sd_bus *bus;
  int version;
};

static void bus_unrefp(sd_bus **b)
{
  if (*b)
    sd_bus_flush_close_unref(*b);
}
static void msg_unrefp(sd_bus_message **m)
{
  if (*m)
    sd_bus_message_unref(*m);
}
static void slot_unrefp(sd_bus_slot **s)
{
  if (*s)
    sd_bus_slot_unref(*s);
}

int cg_sd_check_booted(struct cove_error *err)
{
  int r = sd_booted();
  if (r > 0)
    return 0;
  if (r < 0 && cove_libsystemd_error())
    return cove_error_set(err, 0, "--systemd-cgroup: %s", cove_libsystemd_error());
  return cove_error_set(err, 0,
                        "--systemd-cgroup: systemd is not the init of this host (no /run/systemd/system), so it "
                        "cannot create the container's unit");
}

struct cg_systemd *cg_sd_new(const char *id, const char *slice, const char *unit, bool started, bool user)
{
  struct cg_systemd *sd = xcalloc(1, sizeof(*sd));
  sd->user = user;
  sd->id = xstrdup(id ? id : "");
  sd->slice = xstrdup(slice ? slice : "");
  sd->unit = xstrdup(unit);
  sd->started = started;
  return sd;
}

void cg_sd_free(struct cg_systemd *sd)
{
  if (!sd)
    return;
  bus_unrefp(&sd->bus);
  free(sd->id);
  free(sd->slice);
  free(sd->unit);
  free(sd);
}

const char *cg_sd_unit(const struct cg_systemd *sd)
{
  return sd->unit;
}

bool cg_sd_started(const struct cg_systemd *sd)
{
  return sd->started;
}

bool cg_sd_user(const struct cg_systemd *sd)
{
  return sd->user;
}

/* "what: bus error message" or "what: strerror". */
static int bus_error(struct cove_error *err, int r, const sd_bus_error *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bus_error(struct cove_error *err, int r, const sd_bus_error *e, const char *fmt, ...)
{
  _cleanup_free_ char *what = NULL;
  va_list ap;

  va_start(ap, fmt);
  if (vasprintf(&what, fmt, ap) < 0)
    abort();
  va_end(ap);
  if (e && sd_bus_error_is_set(e))
    return cove_error_set(err, 0, "%s: %s", what, e->message ? e->message : e->name);
  return cove_error_set(err, r < 0 ? -r : EIO, "%s", what);
}

/* Where the user's manager may be reached: its private socket (*private_sock, heap, NULL when
 * absent) or a session bus (*session: DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus is
 * there).  Neither: one line naming XDG_RUNTIME_DIR, what was looked for and what starts a
 * user manager. */
static int find_user_bus(char **private_sock, bool *session, struct cove_error *err)
{
  const char *xdg = getenv("XDG_RUNTIME_DIR"), *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
  _cleanup_free_ char *priv = NULL, *bus = NULL;
  uid_t uid = geteuid();

  *private_sock = NULL;
  *session = false;
  if (!xdg || xdg[0] != '/')
    return cove_error_set(err, 0,
                          "--systemd-cgroup: rootless: no systemd user manager to ask for the container's scope: "
                          "XDG_RUNTIME_DIR is %s (the user's manager, user@%u.service, and its /run/user/%u come "
                          "with a login session or `loginctl enable-linger`)",
                          xdg ? "not an absolute path" : "not set", (unsigned) uid, (unsigned) uid);
  priv = xasprintf("%s/systemd/private", xdg);
  bus = xasprintf("%s/bus", xdg);
  if (access(priv, F_OK) == 0)
    *private_sock = steal_ptr(priv);
  *session = (addr && *addr) || access(bus, F_OK) == 0;
  if (*private_sock || *session)
    return 0;
  return cove_error_set(err, 0,
                        "--systemd-cgroup: rootless: no systemd user manager to ask for the container's scope: "
                        "no %s/systemd/private and no session bus (DBUS_SESSION_BUS_ADDRESS unset, no %s) "
                        "(XDG_RUNTIME_DIR=%s): the user's manager, user@%u.service, runs during a login session "
                        "or with `loginctl enable-linger`",
                        xdg, bus, xdg, (unsigned) uid);
}

int cg_sd_check_user_bus(struct cove_error *err)
{
  _cleanup_free_ char *priv = NULL;
  bool session;
  return find_user_bus(&priv, &session, err);
}

static int connect_user_bus(struct cg_systemd *sd, struct cove_error *err)
{
  _cleanup_(bus_unrefp) sd_bus *bus = NULL;
  _cleanup_free_ char *priv = NULL, *addr = NULL;
  bool session;
  int r = 0;

  if (find_user_bus(&priv, &session, err) < 0)
    return -1;
  if (priv) {
    addr = xasprintf("unix:path=%s", priv);
    if ((r = sd_bus_new(&bus)) >= 0 && (r = sd_bus_set_address(bus, addr)) >= 0 && (r = sd_bus_start(bus)) >= 0) {
      sd->bus = steal_ptr(bus);
      return 0;
    }
    cove_debug("systemd user manager at %s: %s", priv, strerror(-r));
    bus_unrefp(&bus);
    bus = NULL;
  }
  if (session && (r = sd_bus_open_user(&bus)) >= 0) {
    sd->bus = steal_ptr(bus);
    return 0;
  }
  if (r < 0 && cove_libsystemd_error())
    return cove_error_set(err, 0, "--systemd-cgroup: %s", cove_libsystemd_error());
  return cove_error_set(err, r < 0 ? -r : ENOENT,
                        "--systemd-cgroup: rootless: connect to the systemd user manager (%s%s%s)", priv ? priv : "",
                        priv && session ? ", then " : "", session ? "the session bus" : "");
}

static int connect_bus(struct cg_systemd *sd, struct cove_error *err)
{
  _cleanup_(bus_unrefp) sd_bus *bus = NULL;
  int r;

  if (sd->bus)
    return 0;
  if (cg_sd_check_booted(err) < 0)
    return -1;
  if (sd->user)
    return connect_user_bus(sd, err);
  if (geteuid() == 0 && access(SD_PRIVATE, F_OK) == 0) {
    if (sd_bus_new(&bus) >= 0 && sd_bus_set_address(bus, "unix:path=" SD_PRIVATE) >= 0 && sd_bus_start(bus) >= 0) {
      sd->bus = steal_ptr(bus);
      return 0;
    }
    bus_unrefp(&bus);
    bus = NULL;
  }
  r = sd_bus_open_system(&bus);
  if (r < 0)
    return bus_error(err, r, NULL, "--systemd-cgroup: connect to systemd (D-Bus system bus)");
  sd->bus = steal_ptr(bus);
  return 0;
}

int cg_sd_version(struct cg_systemd *sd, int *version, struct cove_error *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_free_ char *v = NULL;
  const char *p;
  int r;

  if (connect_bus(sd, err) < 0)
    return -1;
  if (!sd->version) {
    r = sd_bus_get_property_string(sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "Version", &e, &v);
    if (r < 0) {
      bus_error(err, r, &e, "ask systemd for its version");
      sd_bus_error_free(&e);
      return -1;
    }
    /* "252.39-1~deb12u2", "v245.4-1.fc32": the leading number */
    for (p = v; *p && (*p < '0' || *p > '9'); p++)
      ;
    sd->version = atoi(p);
    if (sd->version <= 0)
      return cove_error_set(err, EINVAL, "systemd reports version `%s`: no number in it", v);
  }
  *version = sd->version;
  return 0;
}

static int append_prop(sd_bus_message *m, const struct cg_sd_prop *p)
{
  static const char *const sig[] = {
    [CG_SD_BOOL] = "b",    [CG_SD_U64] = "t",     [CG_SD_STR] = "s",         [CG_SD_STRS] = "as",
    [CG_SD_PIDS] = "au",   [CG_SD_BYTES] = "ay",  [CG_SD_DEVICES] = "a(ss)", [CG_SD_IODEVS] = "a(st)",
  };
  int r;

  if ((r = sd_bus_message_open_container(m, 'r', "sv")) < 0 || (r = sd_bus_message_append(m, "s", p->name)) < 0 ||
      (r = sd_bus_message_open_container(m, 'v', sig[p->kind])) < 0)
    return r;
  switch (p->kind) {
  case CG_SD_BOOL: r = sd_bus_message_append(m, "b", (int) p->b); break;
  case CG_SD_U64: r = sd_bus_message_append(m, "t", p->u); break;
  case CG_SD_STR: r = sd_bus_message_append(m, "s", p->s); break;
  case CG_SD_STRS: r = sd_bus_message_append(m, "as", 1, p->s); break;
  case CG_SD_PIDS: r = sd_bus_message_append(m, "au", 1, (uint32_t) p->u); break;
  case CG_SD_BYTES: r = sd_bus_message_append_array(m, 'y', p->bytes, p->nbytes); break;
  case CG_SD_DEVICES:
  case CG_SD_IODEVS:
    r = sd_bus_message_open_container(m, 'a', p->kind == CG_SD_DEVICES ? "(ss)" : "(st)");
    for (size_t i = 0; r >= 0 && i < p->nentries; i++) {
      if (p->kind == CG_SD_DEVICES)
        r = sd_bus_message_append(m, "(ss)", p->entries[i].path, p->entries[i].perms);
      else
        r = sd_bus_message_append(m, "(st)", p->entries[i].path, p->entries[i].value);
    }
    if (r >= 0)
      r = sd_bus_message_close_container(m);
    break;
  }
  if (r < 0 || (r = sd_bus_message_close_container(m)) < 0 || (r = sd_bus_message_close_container(m)) < 0)
    return r;
  return 0;
}

static int append_props(sd_bus_message *m, const struct cg_sd_props *props)
{
  int r = sd_bus_message_open_container(m, 'a', "(sv)");
  for (size_t i = 0; r >= 0 && i < props->n; i++) {
    _cleanup_free_ char *t = cg_sd_prop_format(&props->v[i]);
    cove_debug("systemd property %s", t);
    r = append_prop(m, &props->v[i]);
  }
  return r < 0 ? r : sd_bus_message_close_container(m);
}

/* ---- jobs ---- */

struct job_wait {
  char *job;    /* the object path StartUnit/StopUnit returned */
  char *result; /* JobRemoved's result: "done", "failed", "canceled", "timeout", ... */
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  struct job_wait *w = userdata;
  const char *path = NULL, *unit = NULL, *result = NULL;
  uint32_t id;

  (void) ret_error;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->job && !w->result && !strcmp(path, w->job))
    w->result = xstrdup(result);
  return 0;
}

static uint64_t now_usec(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000ULL;
}

/* Process the bus until w's job is removed, at most CG_SD_JOB_TIMEOUT. */
static int wait_job(sd_bus *bus, struct job_wait *w, const char *what, struct cove_error *err)
{
  uint64_t deadline = now_usec() + CG_SD_JOB_TIMEOUT;

  while (!w->result) {
    uint64_t now;
    int r = sd_bus_process(bus, NULL);
    if (r < 0)
      return bus_error(err, r, NULL, "%s: wait for systemd's job", what);
    if (r > 0)
      continue;
    now = now_usec();
    if (now >= deadline)
      return cove_error_set(err, ETIMEDOUT, "%s: systemd's job %s did not finish within %llu s", what, w->job,
                            CG_SD_JOB_TIMEOUT / 1000000ULL);
    r = sd_bus_wait(bus, deadline - now);
    if (r < 0 && r != -EINTR)
      return bus_error(err, r, NULL, "%s: wait for systemd's job", what);
  }
  return 0;
}

/* Ask for job signals: systemd sends them to private clients anyway, on the system bus only
 * once someone subscribed. */
static int watch_jobs(sd_bus *bus, struct job_wait *w, sd_bus_slot **slot, const char *what, struct cove_error *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = sd_bus_match_signal(bus, slot, SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed, w);
  if (r < 0)
    return bus_error(err, r, NULL, "%s: watch systemd's jobs", what);
  r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_MANAGER, "Subscribe", &e, NULL, "");
  if (r < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.AlreadySubscribed"))
    cove_debug("systemd Subscribe: %s", e.message ? e.message : strerror(-r));
  sd_bus_error_free(&e);
  return 0;
}

static void reset_failed(struct cg_systemd *sd)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  if (sd_bus_call_method(sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", &e, NULL, "s", sd->unit) < 0)
    cove_debug("systemd ResetFailedUnit %s: %s", sd->unit, e.message ? e.message : "failed");
  sd_bus_error_free(&e);
}

int cg_sd_manager_cgroup(struct cg_systemd *sd, char **out, struct cove_error *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r;

  *out = NULL;
  if (connect_bus(sd, err) < 0)
    return -1;
  r = sd_bus_get_property_string(sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "ControlGroup", &e, out);
  if (r < 0) {
    bus_error(err, r, &e, "ask the systemd %smanager for its cgroup", sd->user ? "user " : "");
    sd_bus_error_free(&e);
    return -1;
  }
  if ((*out)[0] != '/' || strstr(*out, "/..") || strchr(*out, '\n')) {
    cove_error_set(err, EINVAL, "the systemd %smanager reports its cgroup as `%s`", sd->user ? "user " : "", *out);
    free(*out);
    *out = NULL;
    return -1;
  }
  return 0;
}

/* The unit's cgroup as systemd reports it (ControlGroup of its Scope or Slice interface): the
 * path from the root of the hierarchy, a user manager's units too
 * ("/user.slice/user-1000.slice/user@1000.service/user.slice/cove-ID.scope"). */
static int unit_cgroup(struct cg_systemd *sd, char **out, struct cove_error *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_(msg_unrefp) sd_bus_message *reply = NULL;
  const char *obj = NULL;
  const char *iface = strstr(sd->unit, ".slice") ? SD_DEST ".Slice" : SD_DEST ".Scope";
  int r;

  r = sd_bus_call_method(sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &e, &reply, "s", sd->unit);
  if (r >= 0)
    r = sd_bus_message_read(reply, "o", &obj);
  if (r >= 0)
    r = sd_bus_get_property_string(sd->bus, SD_DEST, obj, iface, "ControlGroup", &e, out);
  if (r < 0) {
    bus_error(err, r, &e, "ask systemd for the cgroup of unit %s", sd->unit);
    sd_bus_error_free(&e);
    return -1;
  }
  if (!*out || (*out)[0] != '/') {
    free(*out);
    *out = NULL;
    return cove_error_set(err, ENOENT, "systemd unit %s has no cgroup (did its processes exit already?)", sd->unit);
  }
  return 0;
}

int cg_sd_start(struct cg_systemd *sd, pid_t pid, const struct oci_resources *res, const struct oci_device *extra,
                size_t extra_len, const struct cg_sd_opts *o, char **cgroup_path, struct cove_error *err)
{
  _cleanup_(cg_sd_props_freep) struct cg_sd_props props = {0};
  _cleanup_(slot_unrefp) sd_bus_slot *slot = NULL;
  struct job_wait w = {0};
  struct cg_sd_opts opts = *o;
  int r = -1;

  *cgroup_path = NULL;
  if (connect_bus(sd, err) < 0 || cg_sd_version(sd, &opts.version, err) < 0)
    return -1;
  cg_sd_unit_props(sd->id, sd->slice, sd->unit, pid, opts.v1, &props);
  if (cg_sd_resource_props(res, extra, extra_len, false, &opts, &props, err) < 0)
    return -1;
  if (watch_jobs(sd->bus, &w, &slot, sd->unit, err) < 0)
    return -1;
  for (int attempt = 0;; attempt++) {
    _cleanup_(msg_unrefp) sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    const char *job = NULL;

    if ((r = sd_bus_message_new_method_call(sd->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit")) < 0 ||
        (r = sd_bus_message_append(m, "ss", sd->unit, "replace")) < 0 || (r = append_props(m, &props)) < 0 ||
        (r = sd_bus_message_append(m, "a(sa(sv))", 0)) < 0)
      return bus_error(err, r, NULL, "start systemd unit %s: build the request", sd->unit);
    r = sd_bus_call(sd->bus, m, 0, &e, &reply);
    if (r < 0 && attempt == 0 && sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
      /* a failed leftover of an earlier container of that name: let systemd collect it, once */
      sd_bus_error_free(&e);
      reset_failed(sd);
      continue;
    }
    if (r < 0) {
      if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists"))
        bus_error(err, r, &e, "start systemd unit %s: a unit of that name exists (another container's?)", sd->unit);
      else
        bus_error(err, r, &e, "start systemd unit %s", sd->unit);
      sd_bus_error_free(&e);
      return -1;
    }
    if ((r = sd_bus_message_read(reply, "o", &job)) < 0)
      return bus_error(err, r, NULL, "start systemd unit %s: read the job", sd->unit);
    w.job = xstrdup(job);
    break;
  }
  sd->started = true;
  r = wait_job(sd->bus, &w, sd->unit, err);
  if (r == 0 && strcmp(w.result, "done")) {
    r = cove_error_set(err, 0, "start systemd unit %s: the job ended `%s` (see `journalctl -u %s`)", sd->unit, w.result,
                       sd->unit);
    reset_failed(sd);
  }
  if (r == 0)
    r = unit_cgroup(sd, cgroup_path, err);
  free(w.job);
  free(w.result);
  return r;
}

int cg_sd_update(struct cg_systemd *sd, const struct oci_resources *res, const struct cg_sd_opts *o,
                 struct cove_error *err)
{
  _cleanup_(cg_sd_props_freep) struct cg_sd_props props = {0};
  _cleanup_(msg_unrefp) sd_bus_message *m = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  struct cg_sd_opts opts = *o;
  int r;

  if (connect_bus(sd, err) < 0 || cg_sd_version(sd, &opts.version, err) < 0)
    return -1;
  if (cg_sd_resource_props(res, NULL, 0, true, &opts, &props, err) < 0)
    return -1;
  if (!props.n)
    return 0;
  if ((r = sd_bus_message_new_method_call(sd->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties")) < 0 ||
      (r = sd_bus_message_append(m, "sb", sd->unit, 1)) < 0 || (r = append_props(m, &props)) < 0)
    return bus_error(err, r, NULL, "set properties of systemd unit %s: build the request", sd->unit);
  r = sd_bus_call(sd->bus, m, 0, &e, NULL);
  if (r < 0) {
    bus_error(err, r, &e, "set properties of systemd unit %s", sd->unit);
    sd_bus_error_free(&e);
    return -1;
  }
  return 0;
}

int cg_sd_stop(struct cg_systemd *sd, struct cove_error *err)
{
  _cleanup_(slot_unrefp) sd_bus_slot *slot = NULL;
  _cleanup_(msg_unrefp) sd_bus_message *reply = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  struct job_wait w = {0};
  const char *job = NULL;
  int r;

  if (!sd->started)
    return 0;
  if (connect_bus(sd, err) < 0 || watch_jobs(sd->bus, &w, &slot, sd->unit, err) < 0)
    return cove_error_wrap(err, "stop systemd unit %s", sd->unit);
  r = sd_bus_call_method(sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit", &e, &reply, "ss", sd->unit, "replace");
  if (r < 0) {
    /* a scope goes by itself once its processes are gone: nothing to stop */
    bool gone = sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit");
    if (!gone)
      bus_error(err, r, &e, "stop systemd unit %s", sd->unit);
    sd_bus_error_free(&e);
    if (!gone)
      return -1;
    reset_failed(sd);
    sd->started = false;
    return 0;
  }
  r = sd_bus_message_read(reply, "o", &job);
  if (r < 0)
    return bus_error(err, r, NULL, "stop systemd unit %s: read the job", sd->unit);
  w.job = xstrdup(job);
  r = wait_job(sd->bus, &w, sd->unit, err);
  if (r == 0 && strcmp(w.result, "done"))
    cove_debug("stop systemd unit %s: the job ended `%s`", sd->unit, w.result);
  reset_failed(sd);
  if (r == 0)
    sd->started = false;
  free(w.job);
  free(w.result);
  return r < 0 ? cove_error_wrap(err, "stop systemd unit %s", sd->unit) : 0;
}

/* ---- the glue with the cgroup drivers ---- */

int cg_sd_prepare(struct cove_cgroup *cg, const char *cgroups_path, const char *id, const struct oci_resources *res,
                  const struct oci_device *extra, size_t extra_len, struct cove_error *err)
{
  _cleanup_free_ char *slice = NULL, *unit = NULL;
  _cleanup_(cg_sd_props_freep) struct cg_sd_props check = {0};
  struct cg_sd_opts o = {.v1 = cg->mode != CGROUP_MODE_UNIFIED, .user = cg->rootless, .version = INT_MAX};
  size_t n;

  if (cg_sd_parse_path(cgroups_path, id, cg->rootless, &slice, &unit, err) < 0)
    return -1;
  n = strlen(unit);
  if (n > 6 && !strcmp(unit + n - 6, ".slice"))
    return cove_error_set(err, EINVAL,
                          "cgroupsPath `%s`: `%s` is a slice, which cannot hold processes: name a scope "
                          "(slice:prefix:name without .slice)",
                          cgroups_path, unit);
  /* runc's rule too: systemd gives a user's manager no v1 controller (and cove, rootless, may
   * make nothing in the v1 hierarchies beside its unit) */
  if (cg->rootless && cg->mode != CGROUP_MODE_UNIFIED)
    return cove_error_set(err, 0,
                          "--systemd-cgroup: rootless: a user's systemd manager is delegated cgroup v2 controllers "
                          "only, and this host's cgroups are %s: run on a cgroup v2 host, or without "
                          "--systemd-cgroup",
                          cg->mode == CGROUP_MODE_HYBRID ? "hybrid (v1 controllers)" : "cgroup v1");
  if (cg_sd_check_booted(err) < 0)
    return -1;
  /* no user manager to be reached: said now, before anything is made */
  if (cg->rootless && cg_sd_check_user_bus(err) < 0)
    return -1;
  /* the conversion the unit is started with, now: a bad value fails before anything exists */
  if (cg_sd_resource_props(res, extra, extra_len, false, &o, &check, err) < 0)
    return -1;
  cg->sd = cg_sd_new(id, slice, unit, false, cg->rootless);
  cg->sd_res = res;
  cg->sd_extra = extra;
  cg->sd_extra_len = extra_len;
  return 0;
}

/* Rootless: every limit asked for needs a controller delegated to the user's manager (its
 * cgroup's cgroup.controllers, what it can enable for its units); systemd would start the unit
 * without the rest and the limit would silently not hold. */
static int check_delegated(struct cove_cgroup *cg, const struct oci_resources *res, const char *manager_cg,
                           struct cove_error *err)
{
  _cleanup_free_ char *file = xasprintf("%s%s/cgroup.controllers", cg->root, manager_cg), *have = NULL;
  const char *field = NULL;
  char missing[64];

  if (read_file(file, 1 << 12, &have, NULL, err) < 0)
    return cove_error_wrap(err, "rootless: the controllers of the systemd user manager");
  have[strcspn(have, "\n")] = '\0';
  if (!cg_rootless_missing_controller(res, have, &field, missing, sizeof(missing)))
    return 0;
  return cove_error_set(err, 0,
                        "rootless: linux.resources.%s needs the %s controller, which is not delegated to the systemd "
                        "user manager (%s has: %s): its Delegate= (user@.service) must name it",
                        field, missing, file, *have ? have : "none");
}

int cg_sd_place(struct cove_cgroup *cg, pid_t pid, struct cove_error *err)
{
  struct cg_sd_opts o = {.v1 = cg->mode != CGROUP_MODE_UNIFIED, .user = cg->sd->user};
  _cleanup_free_ char *path = NULL, *manager_cg = NULL;
  const char *unit = cg->sd->unit;

  if (cg->sd->user &&
      (cg_sd_manager_cgroup(cg->sd, &manager_cg, err) < 0 || check_delegated(cg, cg->sd_res, manager_cg, err) < 0))
    return -1;
  if (cg_sd_start(cg->sd, pid, cg->sd_res, cg->sd_extra, cg->sd_extra_len, &o, &path, err) < 0)
    return -1;
  /* systemd's path is absolute and clean; a ".." (or a newline, which the state text would
   * split) is refused rather than followed; a user manager's units are below its own cgroup */
  if (strstr(path, "/..") || strchr(path, '\n') || !strcmp(path, "/") ||
      (manager_cg && (strncmp(path, manager_cg, strlen(manager_cg)) || path[strlen(manager_cg)] != '/')))
    return cove_error_set(err, EINVAL, "systemd unit %s: unexpected cgroup `%s`", unit, path);
  free(cg->path);
  cg->path = steal_ptr(path);
  if (cg->mode == CGROUP_MODE_UNIFIED) {
    /* systemd made it and enabled the controllers above it: cove opens it, and writes nothing
     * outside it */
    _cleanup_free_ char *p = cg_file_path(cg, &cg->unified, NULL);
    cg->unified.fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
    /* a user manager's leaf is the user's to remove should the manager leave it (see
     * cgroup_destroy): counted once its real path is known, never the plan's guess */
    cg->unified.created = cg->sd->user ? 1 : 0;
    if (cg->unified.fd < 0)
      return cove_error_set(err, errno, "open the cgroup %s of systemd unit %s", p, unit);
  } else if (cg->driver->create(cg, err) < 0) {
    /* v1: the hierarchies systemd does not manage (cpuset, net_cls, ...) get the unit's path too */
    return cove_error_wrap(err, "systemd unit %s", unit);
  }
  if (cg->driver->apply(cg, cg->sd_res, cg->sd_extra, cg->sd_extra_len, false, err) < 0)
    return -1;
  /* rootless: no device program was loaded (rootless.c's rule for the nodes of linux.devices) */
  if (cg->devices_unenforced && cg_rootless_check_devices(cg->sd_res, cg->sd_extra, cg->sd_extra_len, err) < 0)
    return -1;
  if (cg->mode != CGROUP_MODE_UNIFIED && cg->driver->enter(cg, pid, NULL, err) < 0)
    return -1;
  cg->sd_res = NULL;
  cg->sd_extra = NULL;
  cg->sd_extra_len = 0;
  return 0;
}

/* The quota in force ("max 100000" / cpu.cfs_quota_us -1: none), for a period-only update. */
static int current_quota(struct cove_cgroup *cg, int64_t *quota, struct cove_error *err)
{
  _cleanup_free_ char *s = NULL;
  struct cg_hier *h = cg->mode == CGROUP_MODE_UNIFIED ? &cg->unified : cg_v1_find(cg, "cpu");

  if (!h || h->fd < 0)
    return cove_error_set(err, ENOENT, "cgroup %s: no cpu controller to read the quota from", cg->path);
  if (cg_read(cg, h, cg->mode == CGROUP_MODE_UNIFIED ? "cpu.max" : "cpu.cfs_quota_us", &s, err) < 0)
    return -1;
  *quota = strncmp(s, "max", 3) ? strtoll(s, NULL, 10) : -1;
  return 0;
}

int cg_sd_set(struct cove_cgroup *cg, const struct oci_resources *res, struct cove_error *err)
{
  struct cg_sd_opts o = {.v1 = cg->mode != CGROUP_MODE_UNIFIED, .user = cg->sd->user};
  const struct oci_memory *m = res->memory;
  const struct oci_cpu *c = res->cpu;

  if (cg->sd->user) {
    _cleanup_free_ char *manager_cg = NULL;
    if (cg_sd_manager_cgroup(cg->sd, &manager_cg, err) < 0 || check_delegated(cg, res, manager_cg, err) < 0)
      return -1;
  }
  /* a part alone is computed with the rest in force, as the files are */
  if (!o.v1 && m && m->swap.set && !m->limit.set) {
    uint64_t cur;
    if (cg_read_u64(cg, &cg->unified, "memory.max", &cur, err) < 0)
      return -1;
    o.have_cur_limit = true;
    o.cur_limit = cur == UINT64_MAX ? -1 : (int64_t) cur;
  }
  if (c && c->period.set && !c->quota.set) {
    if (current_quota(cg, &o.cur_quota, err) < 0)
      return -1;
    o.have_cur_quota = true;
  }
  return cg_sd_update(cg->sd, res, &o, err);
}
