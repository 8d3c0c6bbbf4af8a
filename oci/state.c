/* state.c: the runtime-spec state document.  Hooks read it on stdin, so it is compact and its
 * key order is fixed: ociVersion, id, status, pid, bundle, annotations. */
#include "oci/json.h"
#include "oci/oci.h"

#include "common/cleanup.h"

char *oci_state_to_json(const struct oci_state *s, struct cove_error *err)
{
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  char *out = NULL;

  oci_jgen_map_open(g);
  oci_jgen_kstring(g, "ociVersion", s->oci_version ? s->oci_version : OCI_SPEC_VERSION);
  oci_jgen_kstring(g, "id", s->id ? s->id : "");
  oci_jgen_kstring(g, "status", s->status ? s->status : "");
  if (s->pid > 0)
    oci_jgen_kint(g, "pid", s->pid);
  oci_jgen_kstring(g, "bundle", s->bundle ? s->bundle : "");
  if (s->annotations_len > 0) {
    oci_jgen_string(g, "annotations");
    oci_jgen_map_open(g);
    for (size_t i = 0; i < s->annotations_len; i++)
      oci_jgen_kstring(g, s->annotations[i].key, s->annotations[i].value);
    oci_jgen_map_close(g);
  }
  oci_jgen_map_close(g);
  if (oci_jgen_finish(g, &out, err) < 0) {
    cove_error_wrap(err, "state of `%s`", s->id ? s->id : "");
    return NULL;
  }
  return out;
}
