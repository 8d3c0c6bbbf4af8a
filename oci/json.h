/* json.h: the one JSON seam of cove.  A small immutable tree for reading (built with yajl's
 * callback parser) and a generator for writing.  Only oci/json.c includes yajl headers, so a
 * later move to json-c touches one file.
 *
 * Reading treats input as hostile: size and nesting depth are bounded, strings must be valid
 * UTF-8, and numbers keep their text so callers can read the full uint64 range. */
#ifndef COVE_OCI_JSON_H
#define COVE_OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Deeper documents are rejected: the spec's deepest path is far shallower. */
#define OCI_JSON_MAX_DEPTH 64

enum oci_json_type {
  OCI_JSON_NULL,
  OCI_JSON_BOOL,
  OCI_JSON_NUMBER,
  OCI_JSON_STRING,
  OCI_JSON_ARRAY,
  OCI_JSON_OBJECT,
};

struct oci_json {
  enum oci_json_type type;
  bool b;       /* BOOL */
  char *s;      /* STRING (NUL-terminated, may hold NULs: see s_len) or NUMBER text */
  size_t s_len; /* bytes in s */
  /* ARRAY: items; OBJECT: keys[i] -> items[i], in document order */
  struct oci_json **items;
  char **keys;
  size_t len;
};

/* Parse data (len bytes).  A syntax error reads "NAME: invalid JSON at line L, column C: why". */
int oci_json_parse(const char *name, const char *data, size_t len, struct oci_json **out,
                   struct cove_error *err);
void oci_json_free(struct oci_json *j);
static inline void oci_json_freep(struct oci_json **j)
{
  if (*j)
    oci_json_free(*j);
}

/* The member `key` of an object (the last one when a key repeats, as Go's decoder does), or
 * NULL when absent or when j is not an object. */
const struct oci_json *oci_json_get(const struct oci_json *j, const char *key);

/* "a string", "an object"... for messages. */
const char *oci_json_type_name(enum oci_json_type t);

/* ---- generating ---- */

struct oci_jgen;

/* pretty: indented with tabs (as `runc spec`); otherwise compact.  Aborts on ENOMEM. */
struct oci_jgen *oci_jgen_new(bool pretty);
void oci_jgen_free(struct oci_jgen *g);
static inline void oci_jgen_freep(struct oci_jgen **g)
{
  if (*g)
    oci_jgen_free(*g);
}

/* The emitters record the first failure (invalid UTF-8, misuse) and oci_jgen_finish reports it. */
void oci_jgen_map_open(struct oci_jgen *g);
void oci_jgen_map_close(struct oci_jgen *g);
void oci_jgen_array_open(struct oci_jgen *g);
void oci_jgen_array_close(struct oci_jgen *g);
void oci_jgen_string(struct oci_jgen *g, const char *s);
void oci_jgen_int(struct oci_jgen *g, int64_t v);
void oci_jgen_uint(struct oci_jgen *g, uint64_t v);
void oci_jgen_bool(struct oci_jgen *g, bool v);
void oci_jgen_null(struct oci_jgen *g);
/* A parsed tree, re-emitted (numbers keep their text). */
void oci_jgen_tree(struct oci_jgen *g, const struct oci_json *j);

/* over laid on base, emitted: objects merge key by key (recursively, base's order first, then
 * over's new keys); anything else in over (a scalar, an array) replaces base's value.  over NULL:
 * base as it is.  A repeated key counts once, at its last occurrence. */
void oci_jgen_merge(struct oci_jgen *g, const struct oci_json *base, const struct oci_json *over);

/* Shorthands for a key followed by a value. */
void oci_jgen_kstring(struct oci_jgen *g, const char *key, const char *s);
void oci_jgen_kint(struct oci_jgen *g, const char *key, int64_t v);
void oci_jgen_kuint(struct oci_jgen *g, const char *key, uint64_t v);
void oci_jgen_kbool(struct oci_jgen *g, const char *key, bool v);
/* key then an array of strings (v NULL-terminated, or n entries when n != (size_t)-1) */
void oci_jgen_kstrv(struct oci_jgen *g, const char *key, const char *const *v, size_t n);

/* The document as a heap string (a trailing newline when pretty). */
int oci_jgen_finish(struct oci_jgen *g, char **out, struct cove_error *err);

#endif
