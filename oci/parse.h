/* parse.h: private to oci/.  The parse context (file name, JSON path of the value being read,
 * the error) and typed readers that turn oci_json values into C values with messages like
 * "config.json: .linux.resources.memory.limit: expected an integer, got \"1G\"". */
#ifndef COVE_OCI_PARSE_H
#define COVE_OCI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/json.h"
#include "oci/oci.h"

#define PC_PATH_MAX 512

struct pctx {
  const char *name; /* "config.json" */
  struct cove_error *err;
  char path[PC_PATH_MAX];
  size_t plen;
};

void pc_init(struct pctx *c, const char *name, struct cove_error *err);
/* Append ".key" (or ["key"] when the key is not an identifier) / "[i]"; return the mark to pop to. */
size_t pc_push(struct pctx *c, const char *key);
size_t pc_push_idx(struct pctx *c, size_t i);
void pc_pop(struct pctx *c, size_t mark);
/* "NAME: PATH: message".  Returns -1. */
int pc_fail(struct pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with `key` appended to the path for this message only. */
int pc_fail_key(struct pctx *c, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "expected WHAT, got VALUE". */
int pc_expected(struct pctx *c, const char *what, const struct oci_json *v);
/* A short rendering of a value for messages: "\"1G\"", "1.5", "true", "an object". Heap. */
char *pc_describe(const struct oci_json *v);

/* A value is absent when missing or JSON null (Go's decoder leaves the zero value for null). */
static inline bool pv_present(const struct oci_json *v)
{
  return v && v->type != OCI_JSON_NULL;
}

/* Readers of one value (at the current path). */
int pv_string(struct pctx *c, const struct oci_json *v, char **out);
int pv_bool(struct pctx *c, const struct oci_json *v, bool *out);
int pv_int(struct pctx *c, const struct oci_json *v, int64_t min, int64_t max, int64_t *out);
int pv_uint(struct pctx *c, const struct oci_json *v, uint64_t max, uint64_t *out);
int pv_strv(struct pctx *c, const struct oci_json *v, char ***out, size_t *len);
int pv_expect(struct pctx *c, const struct oci_json *v, enum oci_json_type t);

/* Readers of an object member.  Absent optional members leave *out untouched (zero). */
int pm_string(struct pctx *c, const struct oci_json *obj, const char *key, char **out, bool required);
int pm_bool(struct pctx *c, const struct oci_json *obj, const char *key, bool *out);
int pm_optbool(struct pctx *c, const struct oci_json *obj, const char *key, struct oci_opt_bool *out);
int pm_i64(struct pctx *c, const struct oci_json *obj, const char *key, int64_t min, int64_t max,
           struct oci_opt_i64 *out);
int pm_u64(struct pctx *c, const struct oci_json *obj, const char *key, uint64_t max, struct oci_opt_u64 *out);
/* Required integers. */
int pm_req_i64(struct pctx *c, const struct oci_json *obj, const char *key, int64_t min, int64_t max,
               int64_t *out);
int pm_req_u64(struct pctx *c, const struct oci_json *obj, const char *key, uint64_t max, uint64_t *out);
int pm_req_u32(struct pctx *c, const struct oci_json *obj, const char *key, uint32_t *out);
int pm_strv(struct pctx *c, const struct oci_json *obj, const char *key, char ***out, size_t *len);
/* A string-to-string map; keys must be non-empty. */
int pm_kv(struct pctx *c, const struct oci_json *obj, const char *key, struct oci_kv **out, size_t *len);
/* Type-checked access to a container member; *out NULL when absent. */
int pm_object(struct pctx *c, const struct oci_json *obj, const char *key, const struct oci_json **out);
int pm_array(struct pctx *c, const struct oci_json *obj, const char *key, const struct oci_json **out);
int pm_idmaps(struct pctx *c, const struct oci_json *obj, const char *key, struct oci_id_mapping **out,
              size_t *len);

/* Type-check the member `key` of o; when present, allocate *slot (zeroed) and fill it with
 * parse_fn at ".key".  For use in functions returning int. */
#define PC_SUBOBJECT(c, o, key, slot, parse_fn) \
  do {                                          \
    const struct oci_json *sub_;                \
    size_t sm_;                                 \
    if (pm_object(c, o, key, &sub_) < 0)        \
      return -1;                                \
    if (sub_) {                                 \
      *(slot) = xcalloc(1, sizeof(**(slot)));   \
      sm_ = pc_push(c, key);                    \
      if (parse_fn(c, sub_, *(slot)) < 0)       \
        return -1;                              \
      pc_pop(c, sm_);                           \
    }                                           \
  } while (0)

/* An array of objects at `key`: allocate it and store it with its length in the parent first
 * (so a failure half-way is freed with the parent), then parse each element at ".key[i]". */
#define PC_ARRAY(c, o, key, arr, arr_len, elem_fn)              \
  do {                                                          \
    const struct oci_json *a_;                                  \
    size_t am_;                                                 \
    if (pm_array(c, o, key, &a_) < 0)                           \
      return -1;                                                \
    if (a_) {                                                   \
      (arr) = xcalloc(a_->len + 1, sizeof(*(arr)));             \
      (arr_len) = a_->len;                                      \
      am_ = pc_push(c, key);                                    \
      for (size_t i_ = 0; i_ < a_->len; i_++) {                 \
        size_t im_ = pc_push_idx(c, i_);                        \
        if (pv_expect(c, a_->items[i_], OCI_JSON_OBJECT) < 0 || \
            elem_fn(c, a_->items[i_], &(arr)[i_]) < 0)          \
          return -1;                                            \
        pc_pop(c, im_);                                         \
      }                                                         \
      pc_pop(c, am_);                                           \
    }                                                           \
  } while (0)

/* The members of a map-like object with repeated keys dropped (the last one wins, as in Go's
 * decoder), as indexes in document order.  O(n log n): a hostile map of 200k keys stays cheap.
 * Returns the count; *idx is heap (free it). */
size_t pc_map_members(const struct oci_json *m, size_t **idx);

/* Validators on the value at the current path. */
int pc_check_abs(struct pctx *c, const char *s);
int pc_check_cpulist(struct pctx *c, const char *s);
/* Index of s in a NULL-terminated table, or -1. */
int pc_lookup(const char *const *table, const char *s);
/* "expected one of A, B or C, got \"x\"". */
int pc_fail_enum(struct pctx *c, const char *const *table, const char *got);
/* Every one of the n strings of v (the array under key) is in table; else the entry is named. */
int pc_check_names(struct pctx *c, const char *key, char **v, size_t n, const char *const *table);

/* Section parsers (oci/process.c, oci/linux.c, oci/resources.c, oci/seccomp_parse.c). */
int oci_parse_process(struct pctx *c, const struct oci_json *v, struct oci_process **out);
int oci_parse_linux(struct pctx *c, const struct oci_json *v, struct oci_linux **out);
int oci_parse_resources(struct pctx *c, const struct oci_json *v, struct oci_resources **out);
int oci_parse_seccomp(struct pctx *c, const struct oci_json *v, struct oci_seccomp **out);
/* Checks across sections once the whole config is read. */
int oci_validate_config(struct pctx *c, const struct oci_config *cfg);

/* Name tables (NULL-terminated) shared with features.c. */
const char *const *oci_seccomp_action_names(void); /* indexed by enum oci_seccomp_action */
const char *const *oci_seccomp_op_names(void);     /* indexed by enum oci_seccomp_op */
const char *const *oci_seccomp_arch_names(void);
const char *const *oci_seccomp_flag_names(void);
const char *const *oci_mpol_mode_names(void);          /* linux.memoryPolicy.mode */
const char *const *oci_mpol_flag_names(void);          /* linux.memoryPolicy.flags */

/* Freeing (oci/free.c). */
void oci_strv_free(char **v, size_t len);
void oci_kv_free(struct oci_kv *kv, size_t len);
void oci_linux_free(struct oci_linux *l);
void oci_resources_free(struct oci_resources *r);
void oci_seccomp_free(struct oci_seccomp *s);

#endif
