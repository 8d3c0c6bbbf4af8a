/* caps.c: the five capability sets of a container process via libcap.  A name the running
 * kernel (or libcap) does not know is a warning naming it, as runtime-spec asks, not an error. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "runtime/internal.h"

int caps_from_name(const char *name, int *cap)
{
  char low[64];
  size_t n = strlen(name);
  cap_value_t v;

  if (n >= sizeof(low))
    return -1;
  for (size_t i = 0; i <= n; i++)
    low[i] = (char) tolower((unsigned char) name[i]);
  if (strncmp(low, "cap_", 4)) {
    char full[72];
    snprintf(full, sizeof(full), "cap_%s", low);
    if (cap_from_name(full, &v) < 0)
      return -1;
  } else if (cap_from_name(low, &v) < 0) {
    return -1;
  }
  *cap = (int) v;
  return 0;
}

/* The known, kernel-supported values of a set; unknown names only warn. */
static size_t resolve(char **names, size_t n, cap_value_t *out, const char *set)
{
  size_t k = 0;
  unsigned max = (unsigned) cap_max_bits();
  (void) set;
  for (size_t i = 0; i < n && k < 64; i++) {
    int v;
    if (caps_from_name(names[i], &v) < 0 || (unsigned) v >= max)
      continue; /* warned about by caps_warn_unknown() in the parent */
    out[k++] = (cap_value_t) v;
  }
  return k;
}

static bool set_has(char **names, size_t n, int cap)
{
  for (size_t i = 0; i < n; i++) {
    int v;
    if (caps_from_name(names[i], &v) == 0 && v == cap)
      return true;
  }
  return false;
}

bool caps_has_effective(const struct oci_capabilities *caps, int cap)
{
  return caps && set_has(caps->effective, caps->effective_len, cap);
}

void caps_warn_unknown(const struct oci_capabilities *caps)
{
  unsigned max = (unsigned) cap_max_bits();
  struct {
    const char *set;
    char **names;
    size_t n;
  } sets[] = {
    {"bounding", caps->bounding, caps->bounding_len},    {"effective", caps->effective, caps->effective_len},
    {"inheritable", caps->inheritable, caps->inheritable_len}, {"permitted", caps->permitted, caps->permitted_len},
    {"ambient", caps->ambient, caps->ambient_len},
  };
  for (size_t s = 0; s < ARRAY_SIZE(sets); s++)
    for (size_t i = 0; i < sets[s].n; i++) {
      int v;
      if (caps_from_name(sets[s].names[i], &v) < 0 || (unsigned) v >= max)
        cove_warn("capability %s (%s set) is not known to this kernel: ignored", sets[s].names[i], sets[s].set);
    }
  /* the kernel raises an ambient capability only when it is permitted and inheritable (and an
   * inheritable one must be in the bounding set): say which one will be missing, and why */
  for (size_t i = 0; i < caps->ambient_len; i++) {
    int v;
    const char *why = NULL;
    if (caps_from_name(caps->ambient[i], &v) < 0 || (unsigned) v >= max)
      continue;
    if (!set_has(caps->permitted, caps->permitted_len, v))
      why = "permitted";
    else if (!set_has(caps->inheritable, caps->inheritable_len, v))
      why = "inheritable";
    else if (!set_has(caps->bounding, caps->bounding_len, v))
      why = "bounding";
    if (why)
      cove_warn("capability %s (ambient set) cannot be raised: it is not in the %s set", caps->ambient[i], why);
  }
}

int caps_drop_bounding(const struct oci_capabilities *caps, struct cove_error *err)
{
  unsigned max = (unsigned) cap_max_bits();
  for (unsigned v = 0; v < max; v++) {
    bool keep = false;
    for (size_t i = 0; caps && i < caps->bounding_len; i++) {
      int c;
      if (caps_from_name(caps->bounding[i], &c) == 0 && (unsigned) c == v) {
        keep = true;
        break;
      }
    }
    if (!keep && prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0 && errno != EINVAL)
      return cove_error_set(err, errno, "drop capability %u from the bounding set", v);
  }
  return 0;
}

int caps_apply(const struct oci_capabilities *caps, struct cove_error *err)
{
  cap_value_t vals[64];
  size_t n;
  cap_t c = cap_init();

  if (!c)
    return cove_error_set(err, errno, "cap_init");
  if (caps) {
    n = resolve(caps->effective, caps->effective_len, vals, "effective");
    if (n)
      cap_set_flag(c, CAP_EFFECTIVE, (int) n, vals, CAP_SET);
    n = resolve(caps->permitted, caps->permitted_len, vals, "permitted");
    if (n)
      cap_set_flag(c, CAP_PERMITTED, (int) n, vals, CAP_SET);
    n = resolve(caps->inheritable, caps->inheritable_len, vals, "inheritable");
    if (n)
      cap_set_flag(c, CAP_INHERITABLE, (int) n, vals, CAP_SET);
  }
  if (cap_set_proc(c) < 0) {
    int e = errno;
    cap_free(c);
    return cove_error_set(err, e, "set capabilities");
  }
  cap_free(c);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return cove_error_set(err, errno, "clear ambient capabilities");
  if (caps && caps->ambient_len) {
    n = resolve(caps->ambient, caps->ambient_len, vals, "ambient");
    for (size_t i = 0; i < n; i++) {
      /* one the config cannot raise (not permitted, inheritable and bounding) was warned about
       * by the parent already (caps_warn_unknown): do not say it twice */
      if (!set_has(caps->permitted, caps->permitted_len, vals[i]) ||
          !set_has(caps->inheritable, caps->inheritable_len, vals[i]) ||
          !set_has(caps->bounding, caps->bounding_len, vals[i]))
        continue;
      /* what the parent could not foresee (a securebit, a kernel rule), on the process's stderr */
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, vals[i], 0, 0) < 0) {
        char *name = cap_to_name(vals[i]);
        cove_warn("ambient capability %s not raised: %s", name ? name : "?", strerror(errno));
        cap_free(name);
      }
    }
  }
  return 0;
}
