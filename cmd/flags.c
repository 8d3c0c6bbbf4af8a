/* flags.c: the flag-table parser every verb uses, with runc's (urfave/cli) spellings: --flag
 * value, --flag=value, -flag value, -f value, bundled short bools (-ti), and flags after the
 * arguments (`cove update ID --memory 10M`) up to "--", as urfave/cli reorders them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"

int cmd_usage_error(const struct cmd_verb *verb, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "cove%s%s: ", *verb->name ? " " : "", verb->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nusage: cove%s%s %s\n", *verb->name ? " " : "", verb->name, verb->usage);
  return CMD_USAGE;
}

int cmd_expect_args(const struct cmd_verb *verb, int nargs, int min, int max)
{
  if (nargs < min)
    return cmd_usage_error(verb, "expected %s%d argument%s, got %d", min == max ? "" : "at least ", min,
                           min == 1 ? "" : "s", nargs);
  if (max >= 0 && nargs > max)
    return cmd_usage_error(verb, "expected %s%d argument%s, got %d", min == max ? "" : "at most ", max,
                           max == 1 ? "" : "s", nargs);
  return 0;
}

int cmd_fail(struct cove_error *err)
{
  int r = cove_fail(err);
  cove_error_release(err);
  return r;
}

int cmd_run_on_id(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv,
                  int (*op)(const char *root, const char *id, struct cove_error *err))
{
  struct cove_error err = COVE_ERROR_INIT;
  int first, r = cmd_parse_flags(verb, NULL, argc, argv, &first);

  if (r)
    return r < 0 ? 0 : r;
  if ((r = cmd_expect_args(verb, argc - first, 1, 1)))
    return r;
  if (op(g->root, argv[first], &err) < 0)
    return cmd_fail(&err);
  return 0;
}

void cmd_print_help(const struct cmd_verb *verb)
{
  bool any = false;

  printf("usage: cove %s %s\n\n%s\n", verb->name, verb->usage, verb->summary);
  for (const struct cmd_flag *f = verb->flags; f && f->name; f++) {
    char left[64];
    if (f->hidden)
      continue;
    if (!any)
      printf("\noptions:\n");
    any = true;
    if (f->short_name)
      snprintf(left, sizeof(left), "-%c, --%s%s%s", f->short_name, f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    else
      snprintf(left, sizeof(left), "    --%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    printf("  %-30s %s\n", left, f->help);
  }
  printf("  %-30s %s\n", "-h, --help", "print this help");
  printf("\n`man cove-%s` describes it in full.\n", verb->name);
}

static int set_value(const struct cmd_verb *verb, const struct cmd_flag *f, void *opts, const char *value)
{
  void *dest = (char *) opts + f->offset;

  switch (f->kind) {
  case FLAG_BOOL:
    if (!value || !strcmp(value, "true") || !strcmp(value, "1"))
      *(bool *) dest = true;
    else if (!strcmp(value, "false") || !strcmp(value, "0"))
      *(bool *) dest = false;
    else
      return cmd_usage_error(verb, "--%s: expected true or false, got `%s`", f->name, value);
    return 0;
  case FLAG_STRING:
    *(const char **) dest = value;
    return 0;
  case FLAG_INT: {
    char *end;
    long long v;
    errno = 0;
    v = strtoll(value, &end, 10);
    if (errno || !*value || *end)
      return cmd_usage_error(verb, "--%s: expected an integer, got `%s`", f->name, value);
    *(long long *) dest = v;
    return 0;
  }
  case FLAG_LIST: {
    struct cmd_list *l = dest;
    l->items = xrealloc(l->items, (l->len + 2) * sizeof(*l->items));
    l->items[l->len++] = value;
    l->items[l->len] = NULL;
    return 0;
  }
  }
  return 0;
}

static const struct cmd_flag *find_long(const struct cmd_flag *flags, const char *name, size_t n)
{
  for (const struct cmd_flag *f = flags; f && f->name; f++)
    if (strlen(f->name) == n && !strncmp(f->name, name, n))
      return f;
  return NULL;
}

static const struct cmd_flag *find_short(const struct cmd_flag *flags, char c)
{
  for (const struct cmd_flag *f = flags; f && f->name; f++)
    if (f->short_name == c)
      return f;
  return NULL;
}

/* One flag at argv[*i] (it starts with '-'); consumes its value.  Returns 0, -1 for --help, or
 * the usage exit code. */
static int parse_one(const struct cmd_verb *verb, void *opts, int argc, char **argv, int *i)
{
  const char *a = argv[*i], *name, *eq;
  const struct cmd_flag *f;
  size_t n;

  name = a + (a[1] == '-' ? 2 : 1);
  eq = strchr(name, '=');
  n = eq ? (size_t) (eq - name) : strlen(name);
  f = find_long(verb->flags, name, n);
  if (!f && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
    cmd_print_help(verb);
    return -1;
  }
  if (!f && a[1] != '-') {
    /* short flags, possibly bundled (-ti) or with an attached value (-uroot) */
    for (const char *p = name; *p; p++) {
      f = find_short(verb->flags, *p);
      if (!f)
        return cmd_usage_error(verb, "unknown flag `-%c`", *p);
      if (f->kind == FLAG_BOOL) {
        *(bool *) ((char *) opts + f->offset) = true;
        continue;
      }
      if (p[1])
        return set_value(verb, f, opts, p + 1);
      if (*i + 1 < argc)
        return set_value(verb, f, opts, argv[++*i]);
      return cmd_usage_error(verb, "flag `-%c` needs a value", *p);
    }
    return 0;
  }
  if (!f)
    return cmd_usage_error(verb, "unknown flag `%.*s`", (int) (n + (size_t) (name - a)), a);
  if (f->kind == FLAG_BOOL)
    return set_value(verb, f, opts, eq ? eq + 1 : NULL);
  if (eq)
    return set_value(verb, f, opts, eq + 1);
  if (*i + 1 < argc)
    return set_value(verb, f, opts, argv[++*i]);
  return cmd_usage_error(verb, "flag `--%s` needs a value", f->name);
}

int cmd_parse_flags(const struct cmd_verb *verb, void *opts, int argc, char **argv, int *first_arg)
{
  /* argv is permuted, not overwritten: flags (with their values) first, then the arguments */
  _cleanup_free_ char **flg = xcalloc((size_t) argc + 1, sizeof(char *));
  _cleanup_free_ char **pos = xcalloc((size_t) argc + 1, sizeof(char *));
  int nflg = 0, npos = 0, i, k = 1;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    int start = i, r;

    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (a[0] != '-' || a[1] == '\0') {
      pos[npos++] = argv[i];
      if (verb->flags_first) {
        i++;
        break;
      }
      continue;
    }
    r = parse_one(verb, opts, argc, argv, &i);
    if (r)
      return r;
    for (int j = start; j <= i; j++)
      flg[nflg++] = argv[j];
  }
  /* what follows "--" (or the first argument of a flags_first verb) is all arguments */
  for (; i < argc; i++)
    pos[npos++] = argv[i];
  for (int j = 0; j < nflg; j++)
    argv[k++] = flg[j];
  /* the "--" we consumed (if any) stays between them, so parsing argv again gives the same */
  if (k + npos < argc)
    argv[k++] = "--";
  for (int j = 0; j < npos; j++)
    argv[k++] = pos[j];
  *first_arg = argc - npos;
  return 0;
}
