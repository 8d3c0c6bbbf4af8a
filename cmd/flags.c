/* flags.c: the flag-table parser every verb uses (runc/urfave-cli compatible spellings:
 * --flag value, --flag=value, -flag value, -f value, and bundled short bools like -ti). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/util.h"

int cmd_usage_error(const struct cmd_verb *verb, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "cove %s: ", verb->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nusage: cove %s %s\n", verb->name, verb->usage);
  return 2;
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

static void print_help(const struct cmd_verb *verb, const struct cmd_flag *flags)
{
  printf("usage: cove %s %s\n\n%s\n", verb->name, verb->usage, verb->summary);
  if (flags && flags[0].name)
    printf("\noptions:\n");
  for (const struct cmd_flag *f = flags; f && f->name; f++) {
    char left[64];
    if (f->short_name)
      snprintf(left, sizeof(left), "-%c, --%s%s%s", f->short_name, f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    else
      snprintf(left, sizeof(left), "    --%s%s%s", f->name, f->arg ? " " : "", f->arg ? f->arg : "");
    printf("  %-30s %s\n", left, f->help);
  }
}

static int set_value(const struct cmd_verb *verb, const struct cmd_flag *f, const char *value)
{
  switch (f->kind) {
  case FLAG_BOOL:
    if (!value || !strcmp(value, "true") || !strcmp(value, "1"))
      *(bool *) f->dest = true;
    else if (!strcmp(value, "false") || !strcmp(value, "0"))
      *(bool *) f->dest = false;
    else
      return cmd_usage_error(verb, "--%s: expected true or false, got `%s`", f->name, value);
    return 0;
  case FLAG_STRING:
    *(const char **) f->dest = value;
    return 0;
  case FLAG_INT: {
    char *end;
    long long v;
    errno = 0;
    v = strtoll(value, &end, 10);
    if (errno || !*value || *end)
      return cmd_usage_error(verb, "--%s: expected an integer, got `%s`", f->name, value);
    *(long long *) f->dest = v;
    return 0;
  }
  case FLAG_LIST: {
    struct cmd_list *l = f->dest;
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

int cmd_parse_flags(const struct cmd_verb *verb, const struct cmd_flag *flags, int argc, char **argv,
                    int *first_arg)
{
  int i;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const struct cmd_flag *f;
    const char *name, *eq;
    size_t n;
    int r;

    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (a[0] != '-' || a[1] == '\0')
      break;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      print_help(verb, flags);
      return -1;
    }
    name = a + (a[1] == '-' ? 2 : 1);
    eq = strchr(name, '=');
    n = eq ? (size_t) (eq - name) : strlen(name);
    f = find_long(flags, name, n);
    if (!f && a[1] != '-') {
      /* short flags, possibly bundled (-ti) or with an attached value (-uroot) */
      for (const char *p = name; *p; p++) {
        f = find_short(flags, *p);
        if (!f)
          return cmd_usage_error(verb, "unknown flag `-%c`", *p);
        if (f->kind == FLAG_BOOL) {
          *(bool *) f->dest = true;
          continue;
        }
        if (p[1])
          r = set_value(verb, f, p + 1);
        else if (i + 1 < argc)
          r = set_value(verb, f, argv[++i]);
        else
          return cmd_usage_error(verb, "flag `-%c` needs a value", *p);
        if (r)
          return r;
        break;
      }
      continue;
    }
    if (!f)
      return cmd_usage_error(verb, "unknown flag `%.*s`", (int) (n + (name - a)), a);
    if (f->kind == FLAG_BOOL)
      r = set_value(verb, f, eq ? eq + 1 : NULL);
    else if (eq)
      r = set_value(verb, f, eq + 1);
    else if (i + 1 < argc)
      r = set_value(verb, f, argv[++i]);
    else
      return cmd_usage_error(verb, "flag `--%s` needs a value", f->name);
    if (r)
      return r;
  }
  *first_arg = i;
  return 0;
}
