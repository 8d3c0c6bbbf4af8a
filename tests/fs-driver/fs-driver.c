/* fs-driver.c: runs the filesystem module alone, the way runtime/init.c drives it, so the rootfs
 * work can be tested without the rest of the lifecycle: load config.json, rootfs_validate, then
 * in new mount+pid(+cgroup) namespaces rootfs_setup, a sysctl write through the private procfs,
 * rootfs_finalize, chdir to the resolved cwd and exec process.args.
 * With --userns the config's uid/gid mappings are written for a new user namespace first, and
 * idmapped mounts are prepared on the parent side (rootfs_prepare), as the runtime does.
 *   fs-driver [--no-pivot] [--userns] [--state DIR] [--sysctl KEY=VALUE] BUNDLE */
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
#include "runtime/rootfs/rootfs.h"

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
    else if (strcmp(argv[i], "--userns") == 0)
      ctx.userns = true;
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
  struct rootfs_prepared *prepared = NULL;
  if (rootfs_prepare(config, bundle, ctx.state_dir, &prepared, &err) < 0)
    return die(&err);
  ctx.prepared = prepared;
  if (ctx.userns) {
    int up[2], down[2];
    if (pipe(up) < 0 || pipe(down) < 0)
      return perror("pipe"), 1;
    pid_t c = fork();
    if (c < 0)
      return perror("fork"), 1;
    if (c > 0) {
      char b;
      close(up[1]);
      close(down[0]);
      if (read(up[0], &b, 1) != 1)
        return fprintf(stderr, "fs-driver: child failed to unshare\n"), 1;
      const struct oci_linux *l = config->linux_;
      const char *files[2] = {"uid_map", "gid_map"};
      for (int k = 0; k < 2; k++) {
        const struct oci_id_mapping *mp = k ? l->gid_mappings : l->uid_mappings;
        size_t n = k ? l->gid_mappings_len : l->uid_mappings_len;
        _cleanup_free_ char *path = xasprintf("/proc/%d/%s", c, files[k]);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        for (size_t j = 0; fd >= 0 && j < n; j++) {
          _cleanup_free_ char *line = xasprintf("%u %u %u\n", mp[j].container_id, mp[j].host_id, mp[j].size);
          if (write_all(fd, line, strlen(line)) < 0)
            return perror(path), 1;
        }
        if (fd < 0)
          return perror(path), 1;
      }
      close(down[1]);
      int st;
      while (waitpid(c, &st, 0) < 0 && errno == EINTR)
        ;
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    close(up[0]);
    close(down[1]);
    if (unshare(CLONE_NEWUSER) < 0)
      return perror("unshare user"), 1;
    if (write(up[1], "x", 1) != 1)
      return 1;
    char b;
    if (read(down[0], &b, 1) != 0)
      return 1;
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
      return perror("become root"), 1;
  }
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | (ctx.new_cgroupns ? CLONE_NEWCGROUP : 0);
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
  rootfs_prepared_free(prepared);
  oci_config_free(config);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
