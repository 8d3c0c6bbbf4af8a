/* fs-driver.c: runs the filesystem module alone, the way runtime/init.c drives it, so the rootfs
 * work can be tested without the rest of the lifecycle: load config.json, rootfs_validate, then
 * in new mount+pid(+cgroup) namespaces rootfs_setup, a sysctl write through the private procfs,
 * rootfs_finalize, chdir to the resolved cwd and exec process.args.
 *   fs-driver [--no-pivot] [--state DIR] [--sysctl KEY=VALUE] BUNDLE */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"
#include "oci/oci.h"
#include "runtime/rootfs.h"

static int die(struct cove_error *err)
{
  fprintf(stderr, "fs-driver: %s\n", cove_error_msg(err));
  return 1;
}

int main(int argc, char **argv)
{
  struct rootfs_ctx ctx = {.console_fd = -1};
  const char *sysctl = NULL;
  int i = 1;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    if (strcmp(argv[i], "--no-pivot") == 0)
      ctx.no_pivot = true;
    else if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
      ctx.state_dir = argv[++i];
    else if (strcmp(argv[i], "--sysctl") == 0 && i + 1 < argc)
      sysctl = argv[++i];
    else
      return fprintf(stderr, "fs-driver: bad option %s\n", argv[i]), 2;
  }
  if (i >= argc)
    return fprintf(stderr, "usage: fs-driver [--no-pivot] [--state DIR] [--sysctl K=V] BUNDLE\n"), 2;
  struct cove_error err = COVE_ERROR_INIT;
  char bundle[4096];
  if (!realpath(argv[i], bundle))
    return perror("bundle"), 1;
  _cleanup_free_ char *cfgpath = xasprintf("%s/config.json", bundle);
  struct oci_config *config = NULL;
  if (oci_config_load(cfgpath, &config, &err) < 0)
    return die(&err);
  if (rootfs_validate(config, bundle, &err) < 0)
    return die(&err);
  _cleanup_free_ char *rootfs = config->root->path[0] == '/'
                                    ? xstrdup(config->root->path)
                                    : xasprintf("%s/%s", bundle, config->root->path);
  ctx.config = config;
  ctx.bundle = bundle;
  ctx.rootfs = rootfs;
  ctx.new_cgroupns = oci_namespace_find(config, OCI_NS_CGROUP) != NULL;
  int flags = CLONE_NEWNS | CLONE_NEWPID | (ctx.new_cgroupns ? CLONE_NEWCGROUP : 0);
  if (unshare(flags) < 0)
    return perror("unshare"), 1;
  pid_t pid = fork();
  if (pid < 0)
    return perror("fork"), 1;
  if (pid == 0) {
    if (rootfs_setup(&ctx, &err) < 0)
      return die(&err);
    if (sysctl) {
      _cleanup_free_ char *k = xstrdup(sysctl);
      char *v = strchr(k, '=');
      if (!v)
        return fprintf(stderr, "fs-driver: bad sysctl %s\n", sysctl), 2;
      *v++ = '\0';
      for (char *p = k; *p; p++)
        if (*p == '.')
          *p = '/';
      _cleanup_free_ char *path = xasprintf("sys/%s", k);
      _cleanup_close_ int fd = rootfs_open_procfs_file(path, O_WRONLY, &err);
      if (fd < 0 || write_all(fd, v, strlen(v)) < 0)
        return die(&err);
    }
    if (rootfs_finalize(&ctx, &err) < 0)
      return die(&err);
    const char *cwd = config->process && config->process->cwd ? config->process->cwd : "/";
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int cfd = rootfs_resolve(root, cwd, O_PATH | O_DIRECTORY, &err);
    if (cfd < 0 || fchdir(cfd) < 0)
      return die(&err);
    char **args = config->process ? config->process->args : NULL;
    char **env = config->process ? config->process->env : NULL;
    if (!args || !args[0])
      return fprintf(stderr, "fs-driver: no process.args\n"), 2;
    execve(args[0], args, env ? env : (char *[]){NULL});
    /* no PATH search beyond /bin for a busybox rootfs */
    _cleanup_free_ char *p = xasprintf("/bin/%s", args[0]);
    execve(p, args, env ? env : (char *[]){NULL});
    fprintf(stderr, "fs-driver: exec %s: %s\n", args[0], strerror(errno));
    return 127;
  }
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  oci_config_free(config);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
