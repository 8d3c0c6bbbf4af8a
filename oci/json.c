/* json.c: the only file that includes yajl.  Builds an oci_json tree from yajl's callback
 * parser (bounded depth and node count, numbers kept as text, errors with line and column) and
 * wraps yajl_gen for output. */
#include "oci/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "common/cleanup.h"
#include "common/util.h"

/* A hostile 16 MiB document of "0," would otherwise become millions of nodes. */
#define OCI_JSON_MAX_NODES 262144u

struct builder {
  struct oci_json *root;
  struct oci_json *stack[OCI_JSON_MAX_DEPTH];
  size_t depth;
  char *key; /* pending object key */
  size_t nodes;
  const char *failure; /* why a callback cancelled the parse */
};

const char *oci_json_type_name(enum oci_json_type t)
{
  switch (t) {
  case OCI_JSON_NULL: return "null";
  case OCI_JSON_BOOL: return "a boolean";
  case OCI_JSON_NUMBER: return "a number";
  case OCI_JSON_STRING: return "a string";
  case OCI_JSON_ARRAY: return "an array";
  case OCI_JSON_OBJECT: return "an object";
  }
  return "a value";
}

void oci_json_free(struct oci_json *j)
{
  if (!j)
    return;
  for (size_t i = 0; i < j->len; i++) {
    oci_json_free(j->items[i]);
    if (j->keys)
      free(j->keys[i]);
  }
  free(j->items);
  free(j->keys);
  free(j->s);
  free(j);
}

const struct oci_json *oci_json_get(const struct oci_json *j, const char *key)
{
  if (!j || j->type != OCI_JSON_OBJECT)
    return NULL;
  for (size_t i = j->len; i > 0; i--)
    if (!strcmp(j->keys[i - 1], key))
      return j->items[i - 1];
  return NULL;
}

/* Capacity doubles at powers of two, so no capacity field is needed. */
static bool needs_growth(size_t len)
{
  return len == 0 || (len & (len - 1)) == 0;
}

static int add_value(struct builder *b, struct oci_json *v)
{
  struct oci_json *top;

  if (++b->nodes > OCI_JSON_MAX_NODES) {
    b->failure = "too many values";
    oci_json_free(v);
    return 0;
  }
  if (b->depth == 0) {
    b->root = v;
    return 1;
  }
  top = b->stack[b->depth - 1];
  if (needs_growth(top->len)) {
    size_t cap = top->len ? top->len * 2 : 4;
    top->items = xrealloc(top->items, cap * sizeof(*top->items));
    if (top->type == OCI_JSON_OBJECT)
      top->keys = xrealloc(top->keys, cap * sizeof(*top->keys));
  }
  if (top->type == OCI_JSON_OBJECT)
    top->keys[top->len] = b->key ? steal_ptr(b->key) : xstrdup("");
  top->items[top->len++] = v;
  return 1;
}

static struct oci_json *node(enum oci_json_type t)
{
  struct oci_json *j = xcalloc(1, sizeof(*j));
  j->type = t;
  return j;
}

static int cb_null(void *ctx)
{
  return add_value(ctx, node(OCI_JSON_NULL));
}

static int cb_boolean(void *ctx, int v)
{
  struct oci_json *j = node(OCI_JSON_BOOL);
  j->b = v != 0;
  return add_value(ctx, j);
}

static struct oci_json *text_node(enum oci_json_type t, const char *s, size_t len)
{
  struct oci_json *j = node(t);
  j->s = xmalloc(len + 1);
  memcpy(j->s, s, len);
  j->s[len] = '\0';
  j->s_len = len;
  return j;
}

static int cb_number(void *ctx, const char *s, size_t len)
{
  return add_value(ctx, text_node(OCI_JSON_NUMBER, s, len));
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
  return add_value(ctx, text_node(OCI_JSON_STRING, (const char *) s, len));
}

static int open_container(struct builder *b, enum oci_json_type t)
{
  struct oci_json *j;

  if (b->depth >= OCI_JSON_MAX_DEPTH) {
    b->failure = "nested too deeply";
    return 0;
  }
  j = node(t);
  if (!add_value(b, j))
    return 0;
  b->stack[b->depth++] = j;
  return 1;
}

static int cb_start_map(void *ctx)
{
  return open_container(ctx, OCI_JSON_OBJECT);
}

static int cb_start_array(void *ctx)
{
  return open_container(ctx, OCI_JSON_ARRAY);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
  struct builder *b = ctx;
  free(b->key);
  b->key = xmalloc(len + 1);
  memcpy(b->key, s, len);
  b->key[len] = '\0';
  /* a key with a NUL inside could alias a known key: refuse it */
  if (strlen(b->key) != len) {
    b->failure = "object key contains a NUL character";
    return 0;
  }
  return 1;
}

static int cb_end(void *ctx)
{
  struct builder *b = ctx;
  if (b->depth > 0)
    b->depth--;
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = cb_null,
  .yajl_boolean = cb_boolean,
  .yajl_number = cb_number,
  .yajl_string = cb_string,
  .yajl_start_map = cb_start_map,
  .yajl_map_key = cb_map_key,
  .yajl_end_map = cb_end,
  .yajl_start_array = cb_start_array,
  .yajl_end_array = cb_end,
};

/* yajl's message without its "parse error: " prefix, trailing dots and newlines. */
static char *clean_message(const char *m)
{
  const char *p = strchr(m, ':');
  char *s;
  size_t n;

  if ((!strncmp(m, "parse error", 11) || !strncmp(m, "lexical error", 13)) && p)
    m = p + 1;
  while (*m == ' ')
    m++;
  s = xstrdup(m);
  n = strlen(s);
  while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '.'))
    s[--n] = '\0';
  p = strchr(s, '\n');
  if (p)
    s[p - s] = '\0';
  return s;
}

int oci_json_parse(const char *name, const char *data, size_t len, struct oci_json **out,
                   struct cove_error *err)
{
  struct builder b = {0};
  yajl_handle h;
  yajl_status st;
  size_t off;

  h = yajl_alloc(&callbacks, NULL, &b);
  if (!h)
    return cove_error_set(err, 0, "%s: out of memory", name);
  st = yajl_parse(h, (const unsigned char *) data, len);
  /* the offending byte is the last one yajl consumed */
  off = yajl_get_bytes_consumed(h);
  if (off > 0)
    off--;
  if (st == yajl_status_ok) {
    st = yajl_complete_parse(h);
    off = len;
  }
  if (st != yajl_status_ok) {
    size_t line = 1, col = 1;
    _cleanup_free_ char *why = NULL;

    if (off > len)
      off = len;
    for (size_t i = 0; i < off; i++) {
      if (data[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    if (b.failure) {
      why = xstrdup(b.failure);
    } else {
      unsigned char *m = yajl_get_error(h, 0, NULL, 0);
      why = clean_message(m ? (const char *) m : "syntax error");
      if (m)
        yajl_free_error(h, m);
    }
    yajl_free(h);
    free(b.key);
    oci_json_free(b.root);
    if (len == 0)
      return cove_error_set(err, 0, "%s: invalid JSON: empty document", name);
    return cove_error_set(err, 0, "%s: invalid JSON at line %zu, column %zu: %s", name, line, col, why);
  }
  yajl_free(h);
  free(b.key);
  if (!b.root)
    return cove_error_set(err, 0, "%s: invalid JSON: empty document", name);
  *out = b.root;
  return 0;
}

/* ---- generator ---- */

struct oci_jgen {
  yajl_gen g;
  bool pretty;
  yajl_gen_status failed; /* first failure */
};

struct oci_jgen *oci_jgen_new(bool pretty)
{
  struct oci_jgen *g = xcalloc(1, sizeof(*g));
  g->g = yajl_gen_alloc(NULL);
  if (!g->g)
    abort();
  g->pretty = pretty;
  yajl_gen_config(g->g, yajl_gen_validate_utf8, 1);
  if (pretty) {
    yajl_gen_config(g->g, yajl_gen_beautify, 1);
    yajl_gen_config(g->g, yajl_gen_indent_string, "\t");
  }
  return g;
}

void oci_jgen_free(struct oci_jgen *g)
{
  if (!g)
    return;
  yajl_gen_free(g->g);
  free(g);
}

static void note(struct oci_jgen *g, yajl_gen_status st)
{
  if (st != yajl_gen_status_ok && g->failed == yajl_gen_status_ok)
    g->failed = st;
}

void oci_jgen_map_open(struct oci_jgen *g)
{
  note(g, yajl_gen_map_open(g->g));
}

void oci_jgen_map_close(struct oci_jgen *g)
{
  note(g, yajl_gen_map_close(g->g));
}

void oci_jgen_array_open(struct oci_jgen *g)
{
  note(g, yajl_gen_array_open(g->g));
}

void oci_jgen_array_close(struct oci_jgen *g)
{
  note(g, yajl_gen_array_close(g->g));
}

void oci_jgen_string(struct oci_jgen *g, const char *s)
{
  note(g, yajl_gen_string(g->g, (const unsigned char *) s, strlen(s)));
}

static void gen_number_text(struct oci_jgen *g, const char *s, size_t n)
{
  note(g, yajl_gen_number(g->g, s, n));
}

void oci_jgen_int(struct oci_jgen *g, int64_t v)
{
  char buf[32];
  int n = snprintf(buf, sizeof(buf), "%" PRId64, v);
  gen_number_text(g, buf, (size_t) n);
}

void oci_jgen_uint(struct oci_jgen *g, uint64_t v)
{
  char buf[32];
  int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
  gen_number_text(g, buf, (size_t) n);
}

void oci_jgen_bool(struct oci_jgen *g, bool v)
{
  note(g, yajl_gen_bool(g->g, v));
}

void oci_jgen_null(struct oci_jgen *g)
{
  note(g, yajl_gen_null(g->g));
}

void oci_jgen_tree(struct oci_jgen *g, const struct oci_json *j)
{
  switch (j->type) {
  case OCI_JSON_NULL: oci_jgen_null(g); break;
  case OCI_JSON_BOOL: oci_jgen_bool(g, j->b); break;
  case OCI_JSON_NUMBER: gen_number_text(g, j->s, j->s_len); break;
  case OCI_JSON_STRING: note(g, yajl_gen_string(g->g, (const unsigned char *) j->s, j->s_len)); break;
  case OCI_JSON_ARRAY:
    oci_jgen_array_open(g);
    for (size_t i = 0; i < j->len; i++)
      oci_jgen_tree(g, j->items[i]);
    oci_jgen_array_close(g);
    break;
  case OCI_JSON_OBJECT:
    oci_jgen_map_open(g);
    for (size_t i = 0; i < j->len; i++) {
      oci_jgen_string(g, j->keys[i]);
      oci_jgen_tree(g, j->items[i]);
    }
    oci_jgen_map_close(g);
    break;
  }
}

/* Whether object j has key k again after index i (the last occurrence is the one that counts,
 * as oci_json_get reads it). */
static bool key_repeats(const struct oci_json *j, size_t i)
{
  for (size_t k = i + 1; k < j->len; k++)
    if (!strcmp(j->keys[k], j->keys[i]))
      return true;
  return false;
}

void oci_jgen_merge(struct oci_jgen *g, const struct oci_json *base, const struct oci_json *over)
{
  if (!over) {
    oci_jgen_tree(g, base);
    return;
  }
  if (!base || base->type != OCI_JSON_OBJECT || over->type != OCI_JSON_OBJECT) {
    oci_jgen_tree(g, over);
    return;
  }
  oci_jgen_map_open(g);
  for (size_t i = 0; i < base->len; i++) {
    if (key_repeats(base, i))
      continue;
    oci_jgen_string(g, base->keys[i]);
    oci_jgen_merge(g, base->items[i], oci_json_get(over, base->keys[i]));
  }
  for (size_t i = 0; i < over->len; i++) {
    if (key_repeats(over, i) || oci_json_get(base, over->keys[i]))
      continue;
    oci_jgen_string(g, over->keys[i]);
    oci_jgen_tree(g, over->items[i]);
  }
  oci_jgen_map_close(g);
}

void oci_jgen_kstring(struct oci_jgen *g, const char *key, const char *s)
{
  oci_jgen_string(g, key);
  oci_jgen_string(g, s);
}

void oci_jgen_kint(struct oci_jgen *g, const char *key, int64_t v)
{
  oci_jgen_string(g, key);
  oci_jgen_int(g, v);
}

void oci_jgen_kuint(struct oci_jgen *g, const char *key, uint64_t v)
{
  oci_jgen_string(g, key);
  oci_jgen_uint(g, v);
}

void oci_jgen_kbool(struct oci_jgen *g, const char *key, bool v)
{
  oci_jgen_string(g, key);
  oci_jgen_bool(g, v);
}

void oci_jgen_kstrv(struct oci_jgen *g, const char *key, const char *const *v, size_t n)
{
  oci_jgen_string(g, key);
  oci_jgen_array_open(g);
  for (size_t i = 0; n == (size_t) -1 ? v[i] != NULL : i < n; i++)
    oci_jgen_string(g, v[i]);
  oci_jgen_array_close(g);
}

static const char *gen_status_text(yajl_gen_status st)
{
  switch (st) {
  case yajl_gen_invalid_string: return "a string is not valid UTF-8";
  case yajl_max_depth_exceeded: return "nested too deeply";
  case yajl_gen_keys_must_be_strings:
  case yajl_gen_in_error_state:
  case yajl_gen_generation_complete: return "malformed document";
  case yajl_gen_invalid_number: return "invalid number";
  default: return "generator failure";
  }
}

int oci_jgen_finish(struct oci_jgen *g, char **out, struct cove_error *err)
{
  const unsigned char *buf;
  size_t len;
  char *s;

  if (g->failed != yajl_gen_status_ok)
    return cove_error_set(err, 0, "generate JSON: %s", gen_status_text(g->failed));
  if (yajl_gen_get_buf(g->g, &buf, &len) != yajl_gen_status_ok)
    return cove_error_set(err, 0, "generate JSON: malformed document");
  s = xmalloc(len + 2);
  memcpy(s, buf, len);
  if (g->pretty && (len == 0 || buf[len - 1] != '\n'))
    s[len++] = '\n';
  s[len] = '\0';
  *out = s;
  return 0;
}
