/* config.c: config.json's top level (ociVersion, root, mounts, hostname, hooks, annotations) and
 * the load/parse entry points for configs and process objects; the cross-section checks run
 * last (validate.c).  Lookups on a parsed config are in lookup.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci/parse.h"

/* MAJOR.MINOR.PATCH with optional -prerelease and +build (semver 2.0). */
static bool is_semver(const char *s)
{
  for (int part = 0; part < 3; part++) {
    if (!isdigit((unsigned char) *s))
      return false;
    if (*s == '0' && isdigit((unsigned char) s[1]))
      return false;
    while (isdigit((unsigned char) *s))
      s++;
    if (part < 2 && *s++ != '.')
      return false;
  }
  if (*s == '-' || *s == '+') {
    s++;
    if (!*s)
      return false;
    for (; *s; s++)
      if (!isalnum((unsigned char) *s) && *s != '.' && *s != '-' && *s != '+')
        return false;
  }
  return *s == '\0';
}

static int parse_version(struct pctx *c, const struct oci_json *doc, struct oci_config *cfg)
{
  if (pm_string(c, doc, "ociVersion", &cfg->oci_version, true) < 0)
    return -1;
  if (!is_semver(cfg->oci_version)) {
    _cleanup_free_ char *q = json_quote(cfg->oci_version);
    return pc_fail_key(c, "ociVersion", "expected a semantic version like \"1.3.0\", got %s", q);
  }
  if (strncmp(cfg->oci_version, "1.", 2))
    return pc_fail_key(c, "ociVersion", "unsupported version %s (cove reads 1.x)", cfg->oci_version);
  return 0;
}

static int parse_root(struct pctx *c, const struct oci_json *doc, struct oci_config *cfg)
{
  const struct oci_json *o;
  size_t mark;

  if (pm_object(c, doc, "root", &o) < 0)
    return -1;
  if (!o)
    return pc_fail_key(c, "root", "missing required field");
  cfg->root = xcalloc(1, sizeof(*cfg->root));
  mark = pc_push(c, "root");
  if (pm_string(c, o, "path", &cfg->root->path, true) < 0 || pm_bool(c, o, "readonly", &cfg->root->readonly) < 0)
    return -1;
  if (!*cfg->root->path)
    return pc_fail_key(c, "path", "must not be empty");
  pc_pop(c, mark);
  return 0;
}

static int parse_mount(struct pctx *c, const struct oci_json *o, struct oci_mount *m)
{
  size_t mark;

  if (pv_expect(c, o, OCI_JSON_OBJECT) < 0)
    return -1;
  if (pm_string(c, o, "destination", &m->destination, true) < 0)
    return -1;
  mark = pc_push(c, "destination");
  if (pc_check_abs(c, m->destination) < 0)
    return -1;
  pc_pop(c, mark);
  if (pm_string(c, o, "source", &m->source, false) < 0 || pm_string(c, o, "type", &m->type, false) < 0 ||
      pm_strv(c, o, "options", &m->options, &m->options_len) < 0 ||
      pm_idmaps(c, o, "uidMappings", &m->uid_mappings, &m->uid_mappings_len) < 0 ||
      pm_idmaps(c, o, "gidMappings", &m->gid_mappings, &m->gid_mappings_len) < 0)
    return -1;
  /* an idmapped mount needs both maps (runtime-spec config.md, mounts) */
  if (!m->uid_mappings != !m->gid_mappings)
    return pc_fail(c, "uidMappings and gidMappings must be given together");
  return 0;
}

static int parse_mounts(struct pctx *c, const struct oci_json *doc, struct oci_config *cfg)
{
  const struct oci_json *a;
  size_t mark;

  if (pm_array(c, doc, "mounts", &a) < 0)
    return -1;
  if (!a)
    return 0;
  cfg->mounts = xcalloc(a->len + 1, sizeof(*cfg->mounts));
  cfg->mounts_len = a->len;
  mark = pc_push(c, "mounts");
  for (size_t i = 0; i < a->len; i++) {
    size_t m = pc_push_idx(c, i);
    if (parse_mount(c, a->items[i], &cfg->mounts[i]) < 0)
      return -1;
    pc_pop(c, m);
  }
  pc_pop(c, mark);
  return 0;
}

static const char *const hook_names[] = {
  [OCI_HOOK_PRESTART] = "prestart",
  [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
  [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
  [OCI_HOOK_START_CONTAINER] = "startContainer",
  [OCI_HOOK_POSTSTART] = "poststart",
  [OCI_HOOK_POSTSTOP] = "poststop",
};

static int parse_hook(struct pctx *c, const struct oci_json *o, struct oci_hook *h)
{
  size_t mark;

  if (pv_expect(c, o, OCI_JSON_OBJECT) < 0 || pm_string(c, o, "path", &h->path, true) < 0)
    return -1;
  mark = pc_push(c, "path");
  if (pc_check_abs(c, h->path) < 0)
    return -1;
  pc_pop(c, mark);
  if (pm_strv(c, o, "args", &h->args, &h->args_len) < 0 || pm_strv(c, o, "env", &h->env, &h->env_len) < 0 ||
      pm_i64(c, o, "timeout", INT64_MIN, INT64_MAX, &h->timeout) < 0)
    return -1;
  if (h->timeout.set && h->timeout.v <= 0)
    return pc_fail_key(c, "timeout", "expected a positive number of seconds, got %lld", (long long) h->timeout.v);
  return 0;
}

static int parse_hooks(struct pctx *c, const struct oci_json *doc, struct oci_config *cfg)
{
  const struct oci_json *o;
  size_t mark;

  if (pm_object(c, doc, "hooks", &o) < 0)
    return -1;
  if (!o)
    return 0;
  mark = pc_push(c, "hooks");
  for (int k = 0; k < OCI_HOOK_KINDS; k++) {
    const struct oci_json *a;
    size_t km;
    if (pm_array(c, o, hook_names[k], &a) < 0)
      return -1;
    if (!a)
      continue;
    cfg->hooks.hooks[k] = xcalloc(a->len + 1, sizeof(struct oci_hook));
    cfg->hooks.len[k] = a->len;
    km = pc_push(c, hook_names[k]);
    for (size_t i = 0; i < a->len; i++) {
      size_t im = pc_push_idx(c, i);
      if (parse_hook(c, a->items[i], &cfg->hooks.hooks[k][i]) < 0)
        return -1;
      pc_pop(c, im);
    }
    pc_pop(c, km);
  }
  pc_pop(c, mark);
  return 0;
}

static int parse_config(struct pctx *c, const struct oci_json *doc, struct oci_config *cfg)
{
  const struct oci_json *o;

  if (pv_expect(c, doc, OCI_JSON_OBJECT) < 0)
    return -1;
  if (parse_version(c, doc, cfg) < 0 || parse_root(c, doc, cfg) < 0 || parse_mounts(c, doc, cfg) < 0)
    return -1;
  if (pm_object(c, doc, "process", &o) < 0)
    return -1;
  if (o) {
    size_t mark = pc_push(c, "process");
    if (oci_parse_process(c, o, &cfg->process) < 0)
      return -1;
    pc_pop(c, mark);
  }
  if (pm_string(c, doc, "hostname", &cfg->hostname, false) < 0 ||
      pm_string(c, doc, "domainname", &cfg->domainname, false) < 0 || parse_hooks(c, doc, cfg) < 0 ||
      pm_kv(c, doc, "annotations", &cfg->annotations, &cfg->annotations_len) < 0)
    return -1;
  if (pm_object(c, doc, "linux", &o) < 0)
    return -1;
  if (o) {
    size_t mark = pc_push(c, "linux");
    if (oci_parse_linux(c, o, &cfg->linux_) < 0)
      return -1;
    pc_pop(c, mark);
  }
  return oci_validate_config(c, cfg);
}

int oci_config_parse(const char *name, const char *data, size_t len, struct oci_config **out,
                     struct cove_error *err)
{
  _cleanup_(oci_json_freep) struct oci_json *doc = NULL;
  _cleanup_(oci_config_freep) struct oci_config *cfg = NULL;
  struct pctx c;

  if (len > OCI_CONFIG_MAX_BYTES)
    return cove_error_set(err, 0, "%s: larger than %u bytes", name, OCI_CONFIG_MAX_BYTES);
  if (oci_json_parse(name, data, len, &doc, err) < 0)
    return -1;
  pc_init(&c, name, err);
  cfg = xcalloc(1, sizeof(*cfg));
  if (parse_config(&c, doc, cfg) < 0)
    return -1;
  *out = steal_ptr(cfg);
  return 0;
}

int oci_config_load(const char *path, struct oci_config **out, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len;

  if (read_file(path, OCI_CONFIG_MAX_BYTES, &data, &len, err) < 0)
    return -1;
  return oci_config_parse(path, data, len, out, err);
}

int oci_process_parse(const char *name, const char *data, size_t len, struct oci_process **out,
                      struct cove_error *err)
{
  _cleanup_(oci_json_freep) struct oci_json *doc = NULL;
  struct pctx c;

  if (len > OCI_CONFIG_MAX_BYTES)
    return cove_error_set(err, 0, "%s: larger than %u bytes", name, OCI_CONFIG_MAX_BYTES);
  if (oci_json_parse(name, data, len, &doc, err) < 0)
    return -1;
  pc_init(&c, name, err);
  if (pv_expect(&c, doc, OCI_JSON_OBJECT) < 0)
    return -1;
  return oci_parse_process(&c, doc, out);
}

int oci_process_load(const char *path, struct oci_process **out, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL;
  size_t len;

  if (read_file(path, OCI_CONFIG_MAX_BYTES, &data, &len, err) < 0)
    return -1;
  return oci_process_parse(path, data, len, out, err);
}
