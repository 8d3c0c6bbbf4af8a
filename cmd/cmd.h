/* cmd.h: the command-line frame shared by every verb: global options, the flag-table parser and
 * the verb table.  Verbs are thin: parse flags, call runtime/, format output. */
#ifndef COVE_CMD_CMD_H
#define COVE_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/log.h"

#define COVE_DEFAULT_ROOT "/run/cove"

/* runc-compatible global flags, given before the verb. */
struct cove_globals {
  const char *root;       /* --root, default /run/cove */
  const char *log;        /* --log FILE */
  enum cove_log_format log_format; /* --log-format text|json */
  bool debug;             /* --debug */
  bool systemd_cgroup;    /* --systemd-cgroup */
  const char *rootless;   /* --rootless true|false|auto (NULL = auto) */
};

enum cmd_flag_kind {
  FLAG_BOOL,   /* bool *: present = true; "--x=false" accepted */
  FLAG_STRING, /* const char **: last one wins */
  FLAG_INT,    /* long long *: decimal */
  FLAG_LIST,   /* struct cmd_list *: repeatable */
};

struct cmd_list {
  const char **items;
  size_t len;
};

struct cmd_flag {
  const char *name;  /* long name without dashes */
  char short_name;   /* 0 for none */
  enum cmd_flag_kind kind;
  void *dest;
  const char *arg;   /* name of the value in help ("FILE"), NULL for bools */
  const char *help;
};

struct cmd_verb {
  const char *name;
  int (*run)(struct cove_globals *g, int argc, char **argv);
  const char *usage;   /* "[--bundle DIR] ... ID" */
  const char *summary; /* one line */
};

/* Parse argv[1..] against flags (argv[0] is the verb).  Stops at the first positional argument
 * or "--".  On success *first_arg is the index of the first positional.  A bad flag prints
 * "cove VERB: <problem>" and the usage line on stderr and returns 2 (the usage exit code);
 * --help prints the verb's help on stdout and returns -1 (exit 0).  Returns 0 to go on. */
int cmd_parse_flags(const struct cmd_verb *verb, const struct cmd_flag *flags, int argc, char **argv,
                    int *first_arg);

/* Print "cove VERB: msg" and the usage line to stderr; returns 2. */
int cmd_usage_error(const struct cmd_verb *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Check the number of positional arguments; prints a usage error and returns 2 when wrong. */
int cmd_expect_args(const struct cmd_verb *verb, int nargs, int min, int max);

const struct cmd_verb *cmd_find_verb(const char *name);

/* Each verb lives in cmd/<verb>.c. */
#define COVE_VERBS(X)                                                                              \
  X(create) X(start) X(run) X(state) X(kill) X(delete) X(list) X(ps) X(exec) X(pause) X(resume)    \
  X(events) X(update) X(spec) X(features)

#define X(v) int cmd_##v(struct cove_globals *g, int argc, char **argv);
COVE_VERBS(X)
#undef X

#endif
