/* hybrid.c: the driver of a hybrid host (v1 controllers under /sys/fs/cgroup/<ctrl>, cgroup2 at
 * /sys/fs/cgroup/unified).  Resources go to the v1 controllers; the container is also placed in
 * the unified hierarchy, which serves the controllers bound there (hugetlb on some hosts),
 * `unified` keys and cgroup.kill; pause freezes both freezers. */
#include <unistd.h>

#include "cgroups/internal.h"
#include "common/log.h"

static int hybrid_create(struct cove_cgroup *cg, struct cove_error *err)
{
  struct cove_error e = COVE_ERROR_INIT;

  if (cg_v1_create(cg, err) < 0)
    return -1;
  /* the v1 controllers are what confines the container; without a unified leaf (a read-only
   * or foreign-owned unified mount) it still runs: freeze and kill fall back to v1, and only
   * resources that need the unified hierarchy fail, naming themselves */
  if (cg_v2_create_hybrid_leaf(cg, &e) < 0) {
    cove_warn("cgroup: no unified-hierarchy placement: %s", cove_error_msg(&e));
    cove_error_release(&e);
    if (cg->unified.fd >= 0)
      close(cg->unified.fd);
    cg->unified.fd = -1;
  }
  return 0;
}

static int hybrid_apply(struct cove_cgroup *cg, const struct oci_resources *res, const struct oci_device *extra,
                        size_t extra_len, bool update, struct cove_error *err)
{
  if (cg_v1_apply(cg, res, extra, extra_len, update, err) < 0)
    return -1;
  if (!res)
    return 0;
  if (!cg_v1_find(cg, "hugetlb") && cg_v2_hugetlb(cg, &cg->unified, res, err) < 0)
    return -1;
  return cg_v2_unified(cg, &cg->unified, res, err);
}

static int hybrid_enter(struct cove_cgroup *cg, pid_t pid, const char *sub, struct cove_error *err)
{
  if (cg_v1_enter(cg, pid, sub, err) < 0)
    return -1;
  if (cg->unified.fd < 0)
    return 0;
  return cg_enter_hier(cg, &cg->unified, pid, sub, err);
}

/* cgroup.freeze exists in every non-root v2 cgroup since Linux 5.2 */
static bool use_v2_freezer(struct cove_cgroup *cg)
{
  return cg->unified.fd >= 0 && cg_has_file(&cg->unified, "cgroup.freeze");
}

static bool use_v1_freezer(struct cove_cgroup *cg)
{
  struct cg_hier *h = cg_v1_find(cg, "freezer");
  return h && h->fd >= 0;
}

/* Both freezers where both exist: tools on hybrid hosts read the v1 freezer.state (runc's v1
 * driver uses only that one), the unified leaf's cgroup.events tells v2 readers.  The v2 freeze
 * goes first: a task the v1 freezer holds never reaches the v2 freezer's trap, so the other
 * order would wait for a v2 freeze that cannot complete (v1 freezes tasks sleeping in that trap
 * directly).  Thaw in the reverse order. */
static int hybrid_freeze(struct cove_cgroup *cg, bool frozen, struct cove_error *err)
{
  bool v1 = use_v1_freezer(cg), v2 = use_v2_freezer(cg);

  if (!v1 && !v2)
    return cg_v1_freeze(cg, frozen, err); /* the error naming the missing freezer */
  if (!frozen) {
    if (v1 && cg_v1_freeze(cg, false, err) < 0)
      return -1;
    return v2 ? cg_v2_freeze(cg, &cg->unified, false, err) : 0;
  }
  if (v2 && cg_v2_freeze(cg, &cg->unified, true, err) < 0)
    return -1;
  if (v1 && cg_v1_freeze(cg, true, err) < 0) {
    struct cove_error e = COVE_ERROR_INIT;
    if (v2 && cg_v2_freeze(cg, &cg->unified, false, &e) < 0)
      cove_error_release(&e);
    return -1;
  }
  return 0;
}

static int hybrid_is_frozen(struct cove_cgroup *cg, bool *frozen, struct cove_error *err)
{
  if (use_v1_freezer(cg))
    return cg_v1_is_frozen(cg, frozen, err);
  if (use_v2_freezer(cg))
    return cg_v2_is_frozen(cg, &cg->unified, frozen, err);
  return cg_v1_is_frozen(cg, frozen, err);
}

static int hybrid_stats(struct cove_cgroup *cg, struct cgroup_stats *st, struct cove_error *err)
{
  if (cg_v1_stats(cg, st, err) < 0)
    return -1;
  if (!cg_v1_find(cg, "hugetlb"))
    cg_v2_stats_hugetlb(cg, &cg->unified, st);
  return 0;
}

const struct cg_driver cg_driver_hybrid = {
  .name = "hybrid",
  .create = hybrid_create,
  .apply = hybrid_apply,
  .enter = hybrid_enter,
  .freeze = hybrid_freeze,
  .is_frozen = hybrid_is_frozen,
  .stats = hybrid_stats,
};
