/* list.c: `list`: every container under the state root with its live status, sorted by id (runc's
 * order).  Dot-entries are cove's own data (COVE_ROOT_PRIVATE), never containers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"

static int by_id(const void *a, const void *b)
{
  return strcmp(((const struct cove_list_entry *) a)->id, ((const struct cove_list_entry *) b)->id);
}

int cove_list(const char *root, struct cove_list_entry **out, size_t *n, struct cove_error *err)
{
  DIR *d = opendir(root);
  struct dirent *e;
  struct cove_list_entry *l = NULL;
  size_t k = 0;

  *out = NULL;
  *n = 0;
  if (!d) {
    if (errno == ENOENT)
      return 0;
    return cove_error_set(err, errno, "list `%s`", root);
  }
  while ((e = readdir(d))) {
    struct cove_container *c = NULL;
    struct cove_error ignored = COVE_ERROR_INIT;
    struct stat sb;

    _cleanup_free_ char *long_id = NULL;
    const char *id = e->d_name;

    if (e->d_name[0] == '.' || e->d_type != DT_DIR)
      continue;
    if (e->d_name[0] == '~') {
      /* a hashed long id: the id itself is in the state */
      if (state_stored_id(dirfd(d), e->d_name, &long_id, &ignored) < 0) {
        cove_error_release(&ignored);
        continue;
      }
      id = long_id;
    }
    if (cove_validate_id(id, &ignored) < 0 || cove_container_load(root, id, COVE_LOCK_NONE, &c, &ignored) < 0) {
      cove_error_release(&ignored);
      continue;
    }
    l = xrealloc(l, (k + 1) * sizeof(*l));
    l[k].id = xstrdup(c->id);
    l[k].pid = c->status == COVE_STATUS_STOPPED ? 0 : c->pid;
    l[k].status = c->status;
    l[k].bundle = xstrdup(c->bundle ? c->bundle : "");
    l[k].created = xstrdup(c->created ? c->created : "");
    if (fstatat(dirfd(d), e->d_name, &sb, 0) == 0) {
      struct passwd *pw = getpwuid(sb.st_uid);
      l[k].owner = pw ? xstrdup(pw->pw_name) : xasprintf("#%u", sb.st_uid);
    } else {
      l[k].owner = xstrdup("");
    }
    k++;
    cove_container_free(c);
  }
  closedir(d);
  if (k > 1)
    qsort(l, k, sizeof(*l), by_id);
  *out = l;
  *n = k;
  return 0;
}

void cove_list_free(struct cove_list_entry *l, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(l[i].id);
    free(l[i].bundle);
    free(l[i].created);
    free(l[i].owner);
  }
  free(l);
}
