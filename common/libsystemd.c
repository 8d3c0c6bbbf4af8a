/* libsystemd.c: the sd-bus and sd-daemon calls cove makes (the systemd cgroup driver, the
 * NOTIFY_SOCKET relay), served from libsystemd.so.0 loaded when the first of them is made.
 * Linking libsystemd would load it and the five libraries it needs (libgcrypt, liblzma, libzstd,
 * liblz4, libgpg-error) into every cove process, twice per `run` and `exec` (the sealed
 * re-exec): ~1.1 ms per container start measured here, for calls that only --systemd-cgroup and
 * NOTIFY_SOCKET make.  Each function here has the signature of sd-bus.h / sd-daemon.h (the
 * compiler checks it against them); the variadic ones call libsystemd's va_list forms.
 *
 * Without the library every call fails with -ELIBACC (sd_booted says "not booted" the same way,
 * a negative value) and cove_libsystemd_error() says why in one line. */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "common/libsystemd.h"

static void *lib;
static char lib_error[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
  lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    snprintf(lib_error, sizeof(lib_error), "load libsystemd.so.0: %s", dlerror());
}

static void *sym(const char *name)
{
  void *p;

  pthread_once(&once, load);
  if (!lib)
    return NULL;
  p = dlsym(lib, name);
  if (!p)
    snprintf(lib_error, sizeof(lib_error), "libsystemd.so.0 has no %s", name);
  return p;
}

const char *cove_libsystemd_error(void)
{
  return lib_error[0] ? lib_error : NULL;
}

/* F(ret, name, (params), (args), fail): a function of libsystemd forwarded as it is */
#define F(ret, name, params, args, fail)                 \
  ret name params                                        \
  {                                                      \
    static ret(*fn) params;                              \
    if (!fn)                                             \
      fn = (ret(*) params) sym(#name);                   \
    if (!fn)                                             \
      return fail;                                       \
    return fn args;                                      \
  }

F(int, sd_booted, (void), (), -ELIBACC)
F(int, sd_notify, (int unset_environment, const char *state), (unset_environment, state), -ELIBACC)
F(int, sd_notify_barrier, (int unset_environment, uint64_t timeout), (unset_environment, timeout), -ELIBACC)
F(int, sd_bus_new, (sd_bus * *ret), (ret), -ELIBACC)
F(int, sd_bus_set_address, (sd_bus * bus, const char *address), (bus, address), -ELIBACC)
F(int, sd_bus_start, (sd_bus * bus), (bus), -ELIBACC)
F(int, sd_bus_open_system, (sd_bus * *ret), (ret), -ELIBACC)
F(int, sd_bus_open_user, (sd_bus * *ret), (ret), -ELIBACC)
F(sd_bus *, sd_bus_flush_close_unref, (sd_bus * bus), (bus), NULL)
F(sd_bus_message *, sd_bus_message_unref, (sd_bus_message * m), (m), NULL)
F(sd_bus_slot *, sd_bus_slot_unref, (sd_bus_slot * slot), (slot), NULL)
F(int, sd_bus_error_is_set, (const sd_bus_error *e), (e), 0)
F(int, sd_bus_error_has_name, (const sd_bus_error *e, const char *name), (e, name), 0)
F(int, sd_bus_message_open_container, (sd_bus_message * m, char type, const char *contents), (m, type, contents),
  -ELIBACC)
F(int, sd_bus_message_close_container, (sd_bus_message * m), (m), -ELIBACC)
F(int, sd_bus_message_append_array, (sd_bus_message * m, char type, const void *ptr, size_t size),
  (m, type, ptr, size), -ELIBACC)
F(int, sd_bus_process, (sd_bus * bus, sd_bus_message **r), (bus, r), -ELIBACC)
F(int, sd_bus_wait, (sd_bus * bus, uint64_t timeout_usec), (bus, timeout_usec), -ELIBACC)
F(int, sd_bus_match_signal,
  (sd_bus * bus, sd_bus_slot **ret, const char *sender, const char *path, const char *interface,
   const char *member, sd_bus_message_handler_t callback, void *userdata),
  (bus, ret, sender, path, interface, member, callback, userdata), -ELIBACC)
F(int, sd_bus_message_new_method_call,
  (sd_bus * bus, sd_bus_message **m, const char *destination, const char *path, const char *interface,
   const char *member),
  (bus, m, destination, path, interface, member), -ELIBACC)
F(int, sd_bus_get_property_string,
  (sd_bus * bus, const char *destination, const char *path, const char *interface, const char *member,
   sd_bus_error *ret_error, char **ret),
  (bus, destination, path, interface, member, ret_error, ret), -ELIBACC)
F(int, sd_bus_call, (sd_bus * bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error, sd_bus_message **reply),
  (bus, m, usec, ret_error, reply), -ELIBACC)

void sd_bus_error_free(sd_bus_error *e)
{
  static void (*fn)(sd_bus_error *);
  if (!fn)
    fn = (void (*)(sd_bus_error *)) sym("sd_bus_error_free");
  if (fn)
    fn(e);
}

/* V(name, vname): a message's variadic append or read, through libsystemd's va_list form */
#define V(name, vname)                                                      \
  int name(sd_bus_message *m, const char *types, ...)                       \
  {                                                                         \
    static int (*fn)(sd_bus_message *, const char *, va_list);              \
    va_list ap;                                                             \
    int r;                                                                  \
    if (!fn)                                                                \
      fn = (int (*)(sd_bus_message *, const char *, va_list)) sym(#vname);  \
    if (!fn)                                                                \
      return -ELIBACC;                                                      \
    va_start(ap, types);                                                    \
    r = fn(m, types, ap);                                                   \
    va_end(ap);                                                             \
    return r;                                                               \
  }

V(sd_bus_message_append, sd_bus_message_appendv)
V(sd_bus_message_read, sd_bus_message_readv)

int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path, const char *interface,
                       const char *member, sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...)
{
  static int (*fn)(sd_bus *, const char *, const char *, const char *, const char *, sd_bus_error *,
                   sd_bus_message **, const char *, va_list);
  va_list ap;
  int r;

  if (!fn)
    fn = (int (*)(sd_bus *, const char *, const char *, const char *, const char *, sd_bus_error *,
                  sd_bus_message **, const char *, va_list)) sym("sd_bus_call_methodv");
  if (!fn)
    return -ELIBACC;
  va_start(ap, types);
  r = fn(bus, destination, path, interface, member, ret_error, reply, types, ap);
  va_end(ap);
  return r;
}
