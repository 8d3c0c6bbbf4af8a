/* cmd.h: the command-line frame shared by every verb: global options, the flag tables and their
 * parser, the verb descriptor.  Verbs are thin: parse flags, call runtime/, format output.
 *
 * Layers (nothing calls upwards): flags.c (parser, help, usage errors) and globals.c (the
 * global flags) at the bottom; one file per verb above them, each exporting its descriptor
 * `cmd_verb_<name>`; main.c on top holds the verb table and dispatches.  The flag tables are
 * plain data (offsets into each verb's option struct), so the help text, the shell completion
 * (completion.c) and the tests that check the man pages all read the very tables the parser
 * uses. */
#ifndef COVE_CMD_CMD_H
#define COVE_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/log.h"

#define COVE_DEFAULT_ROOT "/run/cove"

/* runc's exit code for a failed `exec` itself (not the process's own status): conmon and
 * containerd's shim tell the two apart by it. */
#define CMD_EXEC_FAILED 255
/* Bad command line (unknown flag, wrong argument count, bad value). */
#define CMD_USAGE 2

enum cmd_flag_kind {
  FLAG_BOOL,   /* bool: present = true; "--x=false" accepted */
  FLAG_STRING, /* const char *: last one wins */
  FLAG_INT,    /* long long: decimal */
  FLAG_LIST,   /* struct cmd_list: repeatable */
};

struct cmd_list {
  const char **items;
  size_t len;
};

struct cmd_flag {
  const char *name;  /* long name without dashes; NULL ends a table */
  char short_name;   /* 0 for none */
  enum cmd_flag_kind kind;
  size_t offset;     /* of the destination in the verb's option struct */
  const char *arg;   /* name of the value in help ("FILE"), NULL for bools */
  const char *help;
  bool hidden;       /* accepted (an old spelling), left out of help and completion */
};

#define CMD_FLAG(name, sh, kind, type, field, arg, help) {name, sh, kind, offsetof(type, field), arg, help, false}
#define CMD_HIDDEN(name, kind, type, field) {name, 0, kind, offsetof(type, field), "V", "", true}
#define CMD_FLAGS_END {NULL, 0, 0, 0, NULL, NULL, false}

/* What a verb's positional arguments are, for completion. */
enum cmd_args {
  ARGS_NONE,    /* list, spec, features */
  ARGS_ID,      /* one container id */
  ARGS_IDS,     /* container ids (delete) */
  ARGS_ID_SIG,  /* kill: an id, then a signal */
  ARGS_ID_CMD,  /* exec, ps: an id, then a command line of its own */
  ARGS_WORDS,   /* help, completion: fixed words (see cmd_verb.words) */
};

/* runc-compatible global flags, given before the verb. */
struct cove_globals {
  const char *root;       /* --root, default /run/cove ($XDG_RUNTIME_DIR/cove for a user) */
  const char *log;        /* --log FILE|file:FILE|syslog:ID|journald:ID (common/log.h) */
  const char *log_format_name; /* --log-format text|json */
  enum cove_log_format log_format;
  bool debug;             /* --debug */
  bool systemd_cgroup;    /* --systemd-cgroup */
  const char *rootless;   /* --rootless true|false|auto (NULL = auto) */
  const char *criu;       /* --criu PATH: checkpoint/restore's criu binary (NULL = criu on PATH) */
  bool rootless_cgroups;  /* what it resolved to: the rootless cgroup manager */
  bool in_userns;         /* root of a user namespace (cove_running_in_userns; false for a user) */
  bool version, help;     /* --version, --help */
  /* the verb table (main.c), for the verbs that describe the others (help, completion) */
  const struct cmd_verb *const *verbs;
  size_t nverbs;
};

struct cmd_verb {
  const char *name;
  int (*run)(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv);
  const char *usage;   /* "[OPTIONS] ID" */
  const char *summary; /* one line */
  const struct cmd_flag *flags;
  enum cmd_args args;
  /* Flags end at the first argument, as runc's exec and ps (urfave/cli SkipArgReorder): what
   * follows the id is the command's own.  Otherwise flags may come anywhere before "--". */
  bool flags_first;
  bool hidden;              /* not in `cove --help` (completion) */
  int failure;              /* exit code of cove's own failures, 0 for 1 (exec: 255) */
  const char *const *words; /* ARGS_WORDS */
};

/* The global flags (globals.c), offsets into struct cove_globals, and the pseudo-verb main.c
 * parses them with. */
extern const struct cmd_flag cmd_global_flags[];
extern const struct cmd_verb cmd_global_verb;
/* `cove --help`: the commands of g->verbs and the global flags. */
void cmd_print_usage(const struct cove_globals *g);

/* Parse argv[1..] (argv[0] is the verb) against verb->flags into opts.  Flags may come before
 * and after the arguments (runc's urfave/cli reorders them) up to "--", or end at the first
 * argument with verb->flags_first.  The arguments are moved, in order, to argv[*first_arg..argc).
 * A bad flag prints "cove VERB: <problem>" and the usage line on stderr and returns CMD_USAGE;
 * --help prints the verb's help on stdout and returns -1 (exit 0).  Returns 0 to go on. */
int cmd_parse_flags(const struct cmd_verb *verb, void *opts, int argc, char **argv, int *first_arg);

/* The verb's help: usage, summary, its flags. */
void cmd_print_help(const struct cmd_verb *verb);

/* Print "cove VERB: msg" and the usage line to stderr; returns CMD_USAGE. */
int cmd_usage_error(const struct cmd_verb *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Check the number of positional arguments; prints a usage error and returns CMD_USAGE when
 * wrong. */
int cmd_expect_args(const struct cmd_verb *verb, int nargs, int min, int max);

/* Print err as "cove: <msg>", release it, return 1 (the exit code for runtime errors). */
int cmd_fail(struct cove_error *err);

/* The whole of a verb that has no flags of its own and takes one ID (start, pause, resume):
 * parse, check the argument, op(g->root, ID); returns the exit code. */
int cmd_run_on_id(struct cove_globals *g, const struct cmd_verb *verb, int argc, char **argv,
                  int (*op)(const char *root, const char *id, struct cove_error *err));

/* Each verb lives in cmd/<verb>.c and exports its descriptor. */
#define COVE_VERBS(X)                                                                              \
  X(create) X(start) X(run) X(state) X(kill) X(delete) X(list) X(ps) X(exec) X(pause) X(resume)    \
  X(events) X(update) X(spec) X(features) X(checkpoint) X(restore) X(help) X(completion)

#define X(v) extern const struct cmd_verb cmd_verb_##v;
COVE_VERBS(X)
#undef X

#endif
