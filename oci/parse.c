/* parse.c: the parse context (JSON path tracking, error messages) and the typed readers every
 * section parser uses.  Integers are read from the number's text so uint64 keeps its full range. */
#include "oci/parse.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"

/* Keys longer than this are shortened in paths and messages. */
#define PC_KEY_SHOWN 64

void pc_init(struct pctx *c, const char *name, struct cove_error *err)
{
  c->name = name;
  c->err = err;
  c->path[0] = '\0';
  c->plen = 0;
}

static void pc_append(struct pctx *c, const char *s)
{
  size_t n = strlen(s);
  if (c->plen + n >= sizeof(c->path)) {
    /* paths are bounded by the schema's depth; only absurd keys get here */
    n = sizeof(c->path) - 1 - c->plen;
  }
  memcpy(c->path + c->plen, s, n);
  c->plen += n;
  c->path[c->plen] = '\0';
}

static bool is_ident(const char *k)
{
  if (!*k || isdigit((unsigned char) *k))
    return false;
  for (const char *p = k; *p; p++)
    if (!isalnum((unsigned char) *p) && *p != '_')
      return false;
  return true;
}

size_t pc_push(struct pctx *c, const char *key)
{
  size_t mark = c->plen;

  if (is_ident(key) && strlen(key) <= PC_KEY_SHOWN) {
    pc_append(c, ".");
    pc_append(c, key);
  } else {
    char shown[PC_KEY_SHOWN + 4];
    _cleanup_free_ char *q = NULL;
    size_t n = strlen(key);
    if (n > PC_KEY_SHOWN) {
      memcpy(shown, key, PC_KEY_SHOWN);
      memcpy(shown + PC_KEY_SHOWN, "...", 4);
    } else {
      memcpy(shown, key, n + 1);
    }
    q = json_quote(shown);
    pc_append(c, "[");
    pc_append(c, q ? q : "\"?\"");
    pc_append(c, "]");
  }
  return mark;
}

size_t pc_push_idx(struct pctx *c, size_t i)
{
  size_t mark = c->plen;
  char buf[32];
  snprintf(buf, sizeof(buf), "[%zu]", i);
  pc_append(c, buf);
  return mark;
}

void pc_pop(struct pctx *c, size_t mark)
{
  c->plen = mark;
  c->path[mark] = '\0';
}

static int pc_failv(struct pctx *c, const char *fmt, va_list ap)
{
  _cleanup_free_ char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    return cove_error_set(c->err, ENOMEM, "%s", c->name);
  if (c->plen == 0)
    return cove_error_set(c->err, 0, "%s: %s", c->name, msg);
  return cove_error_set(c->err, 0, "%s: %s: %s", c->name, c->path, msg);
}

int pc_fail(struct pctx *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  pc_failv(c, fmt, ap);
  va_end(ap);
  return -1;
}

int pc_fail_key(struct pctx *c, const char *key, const char *fmt, ...)
{
  va_list ap;
  size_t m = pc_push(c, key);
  va_start(ap, fmt);
  pc_failv(c, fmt, ap);
  va_end(ap);
  pc_pop(c, m);
  return -1;
}

char *pc_describe(const struct oci_json *v)
{
  if (!v)
    return xstrdup("nothing");
  switch (v->type) {
  case OCI_JSON_NULL: return xstrdup("null");
  case OCI_JSON_BOOL: return xstrdup(v->b ? "true" : "false");
  case OCI_JSON_NUMBER:
    if (v->s_len > PC_KEY_SHOWN)
      return xasprintf("%.*s...", PC_KEY_SHOWN, v->s);
    return xstrdup(v->s);
  case OCI_JSON_STRING: {
    char shown[PC_KEY_SHOWN + 4];
    char *q;
    if (v->s_len > PC_KEY_SHOWN) {
      memcpy(shown, v->s, PC_KEY_SHOWN);
      memcpy(shown + PC_KEY_SHOWN, "...", 4);
    } else {
      memcpy(shown, v->s, v->s_len + 1);
    }
    q = json_quote(shown);
    if (!q)
      abort();
    return q;
  }
  case OCI_JSON_ARRAY: return xstrdup("an array");
  case OCI_JSON_OBJECT: return xstrdup("an object");
  }
  return xstrdup("a value");
}

int pc_expected(struct pctx *c, const char *what, const struct oci_json *v)
{
  _cleanup_free_ char *got = pc_describe(v);
  return pc_fail(c, "expected %s, got %s", what, got);
}

int pv_expect(struct pctx *c, const struct oci_json *v, enum oci_json_type t)
{
  if (!v || v->type != t)
    return pc_expected(c, oci_json_type_name(t), v);
  return 0;
}

int pv_string(struct pctx *c, const struct oci_json *v, char **out)
{
  if (pv_expect(c, v, OCI_JSON_STRING) < 0)
    return -1;
  if (strlen(v->s) != v->s_len)
    return pc_fail(c, "string contains a NUL character");
  *out = xstrdup(v->s);
  return 0;
}

int pv_bool(struct pctx *c, const struct oci_json *v, bool *out)
{
  if (pv_expect(c, v, OCI_JSON_BOOL) < 0)
    return -1;
  *out = v->b;
  return 0;
}

static bool is_integer_text(const char *s)
{
  return !strpbrk(s, ".eE");
}

int pv_int(struct pctx *c, const struct oci_json *v, int64_t min, int64_t max, int64_t *out)
{
  char *end;
  long long x;

  if (!v || v->type != OCI_JSON_NUMBER || !is_integer_text(v->s))
    return pc_expected(c, "an integer", v);
  errno = 0;
  x = strtoll(v->s, &end, 10);
  if (errno || *end || x < min || x > max) {
    _cleanup_free_ char *got = pc_describe(v);
    return pc_fail(c, "expected an integer in %" PRId64 "..%" PRId64 ", got %s", min, max, got);
  }
  *out = x;
  return 0;
}

int pv_uint(struct pctx *c, const struct oci_json *v, uint64_t max, uint64_t *out)
{
  unsigned long long x;

  if (!v || v->type != OCI_JSON_NUMBER || !is_integer_text(v->s))
    return pc_expected(c, "an integer", v);
  if (parse_u64(v->s, &x) < 0 || x > max) {
    _cleanup_free_ char *got = pc_describe(v);
    return pc_fail(c, "expected an integer in 0..%" PRIu64 ", got %s", max, got);
  }
  *out = x;
  return 0;
}

int pv_strv(struct pctx *c, const struct oci_json *v, char ***out, size_t *len)
{
  char **arr;

  if (pv_expect(c, v, OCI_JSON_ARRAY) < 0)
    return -1;
  arr = xcalloc(v->len + 1, sizeof(*arr));
  for (size_t i = 0; i < v->len; i++) {
    size_t m = pc_push_idx(c, i);
    if (pv_string(c, v->items[i], &arr[i]) < 0) {
      oci_strv_free(arr, i);
      return -1;
    }
    pc_pop(c, m);
  }
  *out = arr;
  *len = v->len;
  return 0;
}

/* Members: push the key, read, pop.  The macros keep each reader to its one line of logic. */
#define MEMBER_BEGIN(c, obj, key)                   \
  const struct oci_json *v = oci_json_get(obj, key); \
  size_t mark;                                       \
  int r;                                             \
  if (!pv_present(v))                                \
    return 0;                                        \
  mark = pc_push(c, key)
#define MEMBER_END(c) \
  pc_pop(c, mark);    \
  return r

int pm_string(struct pctx *c, const struct oci_json *obj, const char *key, char **out, bool required)
{
  const struct oci_json *v = oci_json_get(obj, key);
  size_t mark;
  int r;

  if (!pv_present(v))
    return required ? pc_fail_key(c, key, "missing required field") : 0;
  mark = pc_push(c, key);
  r = pv_string(c, v, out);
  pc_pop(c, mark);
  return r;
}

int pm_bool(struct pctx *c, const struct oci_json *obj, const char *key, bool *out)
{
  MEMBER_BEGIN(c, obj, key);
  r = pv_bool(c, v, out);
  MEMBER_END(c);
}

int pm_optbool(struct pctx *c, const struct oci_json *obj, const char *key, struct oci_opt_bool *out)
{
  MEMBER_BEGIN(c, obj, key);
  r = pv_bool(c, v, &out->v);
  out->set = r == 0;
  MEMBER_END(c);
}

int pm_i64(struct pctx *c, const struct oci_json *obj, const char *key, int64_t min, int64_t max,
           struct oci_opt_i64 *out)
{
  MEMBER_BEGIN(c, obj, key);
  r = pv_int(c, v, min, max, &out->v);
  out->set = r == 0;
  MEMBER_END(c);
}

int pm_u64(struct pctx *c, const struct oci_json *obj, const char *key, uint64_t max, struct oci_opt_u64 *out)
{
  MEMBER_BEGIN(c, obj, key);
  r = pv_uint(c, v, max, &out->v);
  out->set = r == 0;
  MEMBER_END(c);
}

int pm_req_i64(struct pctx *c, const struct oci_json *obj, const char *key, int64_t min, int64_t max,
               int64_t *out)
{
  struct oci_opt_i64 o = {0};
  if (pm_i64(c, obj, key, min, max, &o) < 0)
    return -1;
  if (!o.set)
    return pc_fail_key(c, key, "missing required field");
  *out = o.v;
  return 0;
}

int pm_req_u64(struct pctx *c, const struct oci_json *obj, const char *key, uint64_t max, uint64_t *out)
{
  struct oci_opt_u64 o = {0};
  if (pm_u64(c, obj, key, max, &o) < 0)
    return -1;
  if (!o.set)
    return pc_fail_key(c, key, "missing required field");
  *out = o.v;
  return 0;
}

int pm_req_u32(struct pctx *c, const struct oci_json *obj, const char *key, uint32_t *out)
{
  uint64_t v = 0;
  if (pm_req_u64(c, obj, key, UINT32_MAX, &v) < 0)
    return -1;
  *out = (uint32_t) v;
  return 0;
}

int pm_strv(struct pctx *c, const struct oci_json *obj, const char *key, char ***out, size_t *len)
{
  MEMBER_BEGIN(c, obj, key);
  r = pv_strv(c, v, out, len);
  MEMBER_END(c);
}

int pm_object(struct pctx *c, const struct oci_json *obj, const char *key, const struct oci_json **out)
{
  *out = NULL;
  {
    MEMBER_BEGIN(c, obj, key);
    r = pv_expect(c, v, OCI_JSON_OBJECT);
    if (r == 0)
      *out = v;
    MEMBER_END(c);
  }
}

int pm_array(struct pctx *c, const struct oci_json *obj, const char *key, const struct oci_json **out)
{
  *out = NULL;
  {
    MEMBER_BEGIN(c, obj, key);
    r = pv_expect(c, v, OCI_JSON_ARRAY);
    if (r == 0)
      *out = v;
    MEMBER_END(c);
  }
}

static int cmp_members(const void *a, const void *b, void *ctx)
{
  const struct oci_json *m = ctx;
  size_t x = *(const size_t *) a, y = *(const size_t *) b;
  int r = strcmp(m->keys[x], m->keys[y]);
  if (r)
    return r;
  return x < y ? -1 : x > y;
}

static int cmp_index(const void *a, const void *b)
{
  size_t x = *(const size_t *) a, y = *(const size_t *) b;
  return x < y ? -1 : x > y;
}

size_t pc_map_members(const struct oci_json *m, size_t **idx)
{
  size_t *v = xcalloc(m->len + 1, sizeof(*v));
  size_t n = 0;

  for (size_t i = 0; i < m->len; i++)
    v[i] = i;
  qsort_r(v, m->len, sizeof(*v), cmp_members, (void *) m);
  /* in each run of equal keys keep the last (highest index) */
  for (size_t i = 0; i < m->len; i++)
    if (i + 1 == m->len || strcmp(m->keys[v[i]], m->keys[v[i + 1]]))
      v[n++] = v[i];
  qsort(v, n, sizeof(*v), cmp_index);
  *idx = v;
  return n;
}

int pm_kv(struct pctx *c, const struct oci_json *obj, const char *key, struct oci_kv **out, size_t *len)
{
  const struct oci_json *m;
  _cleanup_free_ size_t *idx = NULL;
  struct oci_kv *kv;
  size_t mark, n;

  if (pm_object(c, obj, key, &m) < 0)
    return -1;
  if (!m)
    return 0;
  mark = pc_push(c, key);
  n = pc_map_members(m, &idx);
  kv = xcalloc(n + 1, sizeof(*kv));
  for (size_t k = 0; k < n; k++) {
    size_t i = idx[k];
    size_t km = pc_push(c, m->keys[i]);
    if (!*m->keys[i]) {
      pc_fail(c, "empty key");
      oci_kv_free(kv, k);
      return -1;
    }
    if (pv_string(c, m->items[i], &kv[k].value) < 0) {
      oci_kv_free(kv, k);
      return -1;
    }
    kv[k].key = xstrdup(m->keys[i]);
    pc_pop(c, km);
  }
  pc_pop(c, mark);
  *out = kv;
  *len = n;
  return 0;
}

int pm_idmaps(struct pctx *c, const struct oci_json *obj, const char *key, struct oci_id_mapping **out,
              size_t *len)
{
  const struct oci_json *a;
  _cleanup_free_ struct oci_id_mapping *maps = NULL;
  size_t mark;

  if (pm_array(c, obj, key, &a) < 0)
    return -1;
  if (!a)
    return 0;
  mark = pc_push(c, key);
  maps = xcalloc(a->len + 1, sizeof(*maps));
  for (size_t i = 0; i < a->len; i++) {
    const struct oci_json *e = a->items[i];
    size_t m = pc_push_idx(c, i);
    if (pv_expect(c, e, OCI_JSON_OBJECT) < 0 || pm_req_u32(c, e, "containerID", &maps[i].container_id) < 0 ||
        pm_req_u32(c, e, "hostID", &maps[i].host_id) < 0 || pm_req_u32(c, e, "size", &maps[i].size) < 0)
      return -1;
    if (maps[i].size == 0)
      return pc_fail_key(c, "size", "must be greater than 0");
    if ((uint64_t) maps[i].container_id + maps[i].size - 1 > UINT32_MAX ||
        (uint64_t) maps[i].host_id + maps[i].size - 1 > UINT32_MAX)
      return pc_fail(c, "range goes past 4294967295");
    pc_pop(c, m);
  }
  pc_pop(c, mark);
  *out = steal_ptr(maps);
  *len = a->len;
  return 0;
}

int pc_check_abs(struct pctx *c, const char *s)
{
  if (s[0] != '/') {
    _cleanup_free_ char *q = json_quote(s);
    return pc_fail(c, "expected an absolute path, got %s", q ? q : "?");
  }
  return 0;
}

/* "0-3,7": what cpuset.cpus and sched_setaffinity users accept (common/util.h). */
int pc_check_cpulist(struct pctx *c, const char *s)
{
  _cleanup_free_ char *q = NULL;

  if (parse_cpu_list(s, CPU_LIST_MAX, NULL, NULL) == 0)
    return 0;
  q = json_quote(s);
  return pc_fail(c, "expected a CPU list like \"0-3,7\", got %s", q ? q : "?");
}

int pc_lookup(const char *const *table, const char *s)
{
  for (int i = 0; table[i]; i++)
    if (!strcmp(table[i], s))
      return i;
  return -1;
}

int pc_fail_enum(struct pctx *c, const char *const *table, const char *got)
{
  _cleanup_free_ char *q = json_quote(got);
  char list[1024];
  size_t n = 0, count = 0;

  while (table[count])
    count++;
  list[0] = '\0';
  for (size_t i = 0; i < count; i++) {
    int w = snprintf(list + n, sizeof(list) - n, "%s%s", i == 0 ? "" : (i + 1 == count ? " or " : ", "), table[i]);
    if (w < 0 || (size_t) w >= sizeof(list) - n) {
      list[n] = '\0';
      break;
    }
    n += (size_t) w;
  }
  return pc_fail(c, "expected one of %s, got %s", list, q ? q : "?");
}

int pc_check_names(struct pctx *c, const char *key, char **v, size_t n, const char *const *table)
{
  for (size_t i = 0; i < n; i++) {
    if (pc_lookup(table, v[i]) < 0) {
      size_t m = pc_push(c, key);
      pc_push_idx(c, i);
      pc_fail_enum(c, table, v[i]);
      pc_pop(c, m);
      return -1;
    }
  }
  return 0;
}
