/* update.c: `cove update`: apply a linux.resources object to a live container's cgroup (runc's
 * update: devices are left as create set them), then record it in the container's copy of
 * config.json, so later reads of the config (exec, the next update, hooks at delete) see the
 * limits in force. */
#include <errno.h>
#include <string.h>

#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "oci/json.h"
#include "runtime/internal.h"

/* config (the stored copy's tree) with .linux.resources laid over by res, except devices. */
static int merged_config(const struct oci_json *config, const struct oci_json *res, char **out, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *og = oci_jgen_new(false), *cg = oci_jgen_new(true);
  _cleanup_(oci_json_freep) struct oci_json *over = NULL;
  _cleanup_free_ char *over_text = NULL;

  /* {"linux":{"resources":{res minus devices}}} */
  oci_jgen_map_open(og);
  oci_jgen_string(og, "linux");
  oci_jgen_map_open(og);
  oci_jgen_string(og, "resources");
  oci_jgen_map_open(og);
  for (size_t i = 0; i < res->len; i++) {
    if (!strcmp(res->keys[i], "devices"))
      continue;
    oci_jgen_string(og, res->keys[i]);
    oci_jgen_tree(og, res->items[i]);
  }
  oci_jgen_map_close(og);
  oci_jgen_map_close(og);
  oci_jgen_map_close(og);
  if (oci_jgen_finish(og, &over_text, err) < 0 || oci_json_parse("resources", over_text, strlen(over_text), &over, err) < 0)
    return -1;
  oci_jgen_merge(cg, config, over);
  return oci_jgen_finish(cg, out, err);
}

/* Rewrite the stored config with res recorded (atomically: temp file + rename). */
static int record(struct cove_container *c, const struct oci_json *res, struct cove_error *err)
{
  _cleanup_free_ char *data = NULL, *out = NULL;
  _cleanup_(oci_json_freep) struct oci_json *config = NULL;
  size_t len = 0;

  if (read_file(c->config_path, OCI_CONFIG_MAX_BYTES, &data, &len, err) < 0 ||
      oci_json_parse(c->config_path, data, len, &config, err) < 0 || merged_config(config, res, &out, err) < 0)
    return -1;
  if (strlen(out) > OCI_CONFIG_MAX_BYTES)
    return cove_error_set(err, EFBIG, "the updated config is over %u bytes", OCI_CONFIG_MAX_BYTES);
  return write_file_atomic_at(c->dir_fd, COVE_CONFIG_COPY, out, strlen(out), 0600, err);
}

int cove_update(const char *root, const char *id, const char *resources_json, struct cove_error *err)
{
  _cleanup_(cove_container_freep) struct cove_container *c = NULL;
  _cleanup_(oci_config_freep) struct oci_config *cfg = NULL;
  _cleanup_(oci_json_freep) struct oci_json *res = NULL;
  _cleanup_free_ char *doc = NULL;

  if (oci_json_parse("resources", resources_json, strlen(resources_json), &res, err) < 0)
    return -1;
  if (res->type != OCI_JSON_OBJECT)
    return cove_error_set(err, 0, "resources: expected an object, got %s", oci_json_type_name(res->type));
  /* the config parser validates it as it validates linux.resources at create */
  {
    _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
    oci_jgen_map_open(g);
    oci_jgen_kstring(g, "ociVersion", OCI_SPEC_VERSION);
    oci_jgen_string(g, "root");
    oci_jgen_map_open(g);
    oci_jgen_kstring(g, "path", "rootfs");
    oci_jgen_map_close(g);
    oci_jgen_string(g, "linux");
    oci_jgen_map_open(g);
    oci_jgen_string(g, "resources");
    oci_jgen_tree(g, res);
    oci_jgen_map_close(g);
    oci_jgen_map_close(g);
    if (oci_jgen_finish(g, &doc, err) < 0)
      return -1;
  }
  if (oci_config_parse("resources", doc, strlen(doc), &cfg, err) < 0)
    return -1;
  if (cove_container_load(root, id, COVE_LOCK_EXCLUSIVE, &c, err) < 0)
    return -1;
  if (c->status == COVE_STATUS_STOPPED)
    return cove_error_set(err, 0, "container `%s` is stopped", id);
  if (!c->cgroup)
    return cove_error_set(err, 0, "container `%s` has no cgroup (rootless, and no cgroup delegated to the user)", id);
  if (cfg->linux_ && cgroup_update(c->cgroup, cfg->linux_->resources, err) < 0)
    return -1;
  if (record(c, res, err) < 0)
    return cove_error_wrap(err, "the new limits are in force but not recorded in the container's config");
  return 0;
}
