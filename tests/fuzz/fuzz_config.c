/* fuzz_config.c: libFuzzer target for the config.json and process.json parsers (`make fuzz`).
 * Every input must either parse (and be freed) or fail with a message; ASan and UBSan catch the
 * rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/error.h"
#include "oci/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_config *cfg = NULL;
  struct oci_process *proc = NULL;

  if (oci_config_parse("config.json", (const char *) data, size, &cfg, &err) == 0) {
    /* exercise the lookups on whatever parsed */
    (void) oci_annotation(cfg, "org.opencontainers.image.os");
    for (int t = 0; t < OCI_NS_KINDS; t++)
      (void) oci_namespace_find(cfg, (enum oci_ns_type) t);
    /* and the generator, on whatever strings the input brought (they may be invalid UTF-8) */
    struct oci_state st = {.oci_version = cfg->oci_version, .id = "fuzz", .status = "created", .pid = 1,
                           .bundle = cfg->root->path, .annotations = cfg->annotations,
                           .annotations_len = cfg->annotations_len};
    char *json = oci_state_to_json(&st, &err);
    if (!json && !err.msg)
      __builtin_trap();
    free(json);
    cove_error_release(&err);
    oci_config_free(cfg);
  } else if (!err.msg) {
    __builtin_trap(); /* a failure must always say why */
  }
  cove_error_release(&err);

  if (oci_process_parse("process.json", (const char *) data, size, &proc, &err) == 0)
    oci_process_free(proc);
  else if (!err.msg)
    __builtin_trap();
  cove_error_release(&err);
  return 0;
}
