/* test_oci_config.c: oci/ on valid input: every field of a full config (data/oci/full.json),
 * the uint64 range, the process object, lookups, the pinned state.json bytes, and that the
 * features document and the default specs are valid JSON the parser accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"
#include "oci/json.h"
#include "oci/oci.h"

/* The data directory next to this file (tests run from the repository root). */
static char *data_path(const char *name)
{
  const char *file = __FILE__;
  const char *slash = strrchr(file, '/');
  return xasprintf("%.*s/data/oci/%s", slash ? (int) (slash - file) : 1, slash ? file : ".", name);
}

static int load_full(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_config *cfg = NULL;
  _cleanup_free_ char *path = data_path("full.json");

  if (oci_config_load(path, &cfg, &err) < 0) {
    print_error("%s\n", err.msg);
    cove_error_release(&err);
    return -1;
  }
  *state = cfg;
  return 0;
}

static int free_full(void **state)
{
  oci_config_free(*state);
  return 0;
}

static void assert_strv(char **v, size_t len, const char *const *want)
{
  size_t n = 0;
  while (want[n])
    n++;
  assert_int_equal(len, n);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(v[i], want[i]);
  assert_null(v[n]); /* string arrays are also NULL-terminated */
}

static void test_top_level(void **state)
{
  const struct oci_config *c = *state;

  assert_string_equal(c->oci_version, "1.3.0");
  assert_string_equal(c->root->path, "rootfs");
  assert_true(c->root->readonly);
  assert_string_equal(c->hostname, "box");
  assert_string_equal(c->domainname, "example.org");
  assert_int_equal(c->annotations_len, 2);
  assert_string_equal(c->annotations[1].key, "com.example.key2");
  assert_string_equal(oci_annotation(c, "com.example.key1"), "value1");
  assert_null(oci_annotation(c, "missing"));
}

static void test_mounts(void **state)
{
  const struct oci_config *c = *state;
  const struct oci_mount *m;

  assert_int_equal(c->mounts_len, 2);
  assert_string_equal(c->mounts[0].destination, "/proc");
  assert_string_equal(c->mounts[0].type, "proc");
  assert_null(c->mounts[0].options);
  m = &c->mounts[1];
  assert_string_equal(m->source, "/srv/data");
  assert_strv(m->options, m->options_len, (const char *const[]){"rbind", "ro", "idmap", NULL});
  assert_int_equal(m->uid_mappings_len, 1);
  assert_int_equal(m->uid_mappings[0].host_id, 100000);
  assert_int_equal(m->uid_mappings[0].size, 65536);
  assert_int_equal(m->gid_mappings[0].host_id, 200000);
}

static void test_process(void **state)
{
  const struct oci_process *p = ((const struct oci_config *) *state)->process;

  assert_true(p->terminal);
  assert_true(p->console_height.set);
  assert_int_equal(p->console_height.v, 25);
  assert_int_equal(p->console_width.v, 80);
  assert_int_equal(p->user.uid, 1000);
  assert_int_equal(p->user.gid, 1001);
  assert_true(p->user.umask.set);
  assert_int_equal(p->user.umask.v, 022);
  assert_int_equal(p->user.additional_gids_len, 2);
  assert_int_equal(p->user.additional_gids[1], UINT32_MAX);
  assert_string_equal(p->user.username, "me");
  assert_strv(p->args, p->args_len, (const char *const[]){"/bin/sh", "-c", "echo hi", NULL});
  assert_string_equal(p->command_line, "sh");
  assert_strv(p->env, p->env_len, (const char *const[]){"PATH=/bin", "EMPTY=", NULL});
  assert_string_equal(p->cwd, "/home");
  assert_strv(p->capabilities->bounding, p->capabilities->bounding_len, (const char *const[]){"CAP_CHOWN", "CAP_KILL", NULL});
  assert_strv(p->capabilities->effective, p->capabilities->effective_len, (const char *const[]){"CAP_KILL", NULL});
  assert_non_null(p->capabilities->inheritable);
  assert_int_equal(p->capabilities->inheritable_len, 0);
  assert_int_equal(p->capabilities->permitted_len, 2);
  assert_strv(p->capabilities->ambient, p->capabilities->ambient_len, (const char *const[]){"CAP_NET_RAW", NULL});
  assert_int_equal(p->rlimits_len, 2);
  assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
  assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
  assert_int_equal(p->rlimits[0].soft, 1024);
  assert_int_equal(p->rlimits[0].hard, 4096);
  assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
  assert_true(p->rlimits[1].soft == UINT64_MAX);
  assert_true(p->rlimits[1].hard == UINT64_MAX);
  assert_true(p->no_new_privileges);
  assert_string_equal(p->apparmor_profile, "cove-default");
  assert_true(p->oom_score_adj.set);
  assert_int_equal(p->oom_score_adj.v, -1000);
  assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");
  assert_string_equal(p->io_priority->class, "IOPRIO_CLASS_BE");
  assert_int_equal(p->io_priority->class_num, 2);
  assert_int_equal(p->io_priority->priority, 7);
  assert_string_equal(p->scheduler->policy, "SCHED_DEADLINE");
  assert_int_equal(p->scheduler->policy_num, 6);
  assert_int_equal(p->scheduler->nice.v, -20);
  assert_true(p->scheduler->priority.set);
  assert_int_equal(p->scheduler->flags_len, 1);
  assert_int_equal(p->scheduler->runtime.v, 10000000);
  assert_int_equal(p->scheduler->deadline.v, 20000000);
  assert_int_equal(p->scheduler->period.v, 30000000);
  assert_string_equal(p->exec_cpu_affinity->initial, "0-3,7");
  assert_string_equal(p->exec_cpu_affinity->final, "1");
}

static void test_hooks(void **state)
{
  const struct oci_hooks *h = &((const struct oci_config *) *state)->hooks;

  assert_int_equal(h->len[OCI_HOOK_PRESTART], 1);
  assert_string_equal(h->hooks[OCI_HOOK_PRESTART][0].path, "/usr/bin/fix-mounts");
  assert_strv(h->hooks[OCI_HOOK_PRESTART][0].args, h->hooks[OCI_HOOK_PRESTART][0].args_len,
              (const char *const[]){"fix-mounts", "arg1", NULL});
  assert_int_equal(h->hooks[OCI_HOOK_PRESTART][0].env_len, 1);
  assert_false(h->hooks[OCI_HOOK_PRESTART][0].timeout.set);
  assert_int_equal(h->len[OCI_HOOK_CREATE_RUNTIME], 2);
  assert_true(h->hooks[OCI_HOOK_CREATE_RUNTIME][1].timeout.set);
  assert_int_equal(h->hooks[OCI_HOOK_CREATE_RUNTIME][1].timeout.v, 5);
  assert_string_equal(h->hooks[OCI_HOOK_CREATE_CONTAINER][0].path, "/usr/bin/c");
  assert_string_equal(h->hooks[OCI_HOOK_START_CONTAINER][0].path, "/usr/bin/d");
  assert_string_equal(h->hooks[OCI_HOOK_POSTSTART][0].path, "/usr/bin/e");
  assert_string_equal(h->hooks[OCI_HOOK_POSTSTOP][0].path, "/usr/bin/f");
  assert_int_equal(h->hooks[OCI_HOOK_POSTSTOP][0].timeout.v, 1);
}

static void test_linux_namespaces(void **state)
{
  const struct oci_config *c = *state;
  const struct oci_linux *l = c->linux_;

  assert_int_equal(l->namespaces_len, OCI_NS_KINDS);
  for (int t = 0; t < OCI_NS_KINDS; t++)
    assert_non_null(oci_namespace_find(c, (enum oci_ns_type) t));
  assert_string_equal(oci_namespace_find(c, OCI_NS_NETWORK)->path, "/var/run/netns/neta");
  assert_null(oci_namespace_find(c, OCI_NS_PID)->path);
  assert_string_equal(oci_ns_type_name(OCI_NS_NETWORK), "network");
  assert_string_equal(oci_ns_type_name(OCI_NS_TIME), "time");
  assert_int_equal(l->uid_mappings[0].host_id, 1000);
  assert_int_equal(l->uid_mappings[0].size, 32000);
  assert_int_equal(l->gid_mappings[0].host_id, 2000);
  assert_true(l->time_monotonic.set);
  assert_int_equal(l->time_monotonic.secs, -86400);
  assert_int_equal(l->time_monotonic.nanosecs, 500);
  assert_true(l->time_boottime.set);
  assert_int_equal(l->time_boottime.secs, 3600);
}

static void test_linux_misc(void **state)
{
  const struct oci_linux *l = ((const struct oci_config *) *state)->linux_;

  assert_int_equal(l->devices_len, 3);
  assert_string_equal(l->devices[0].type, "c");
  assert_string_equal(l->devices[0].path, "/dev/fuse");
  assert_int_equal(l->devices[0].major, 10);
  assert_int_equal(l->devices[0].minor, 229);
  assert_int_equal(l->devices[0].file_mode.v, 0666);
  assert_true(l->devices[0].uid.set);
  assert_false(l->devices[1].file_mode.set);
  assert_string_equal(l->devices[2].type, "p");
  assert_string_equal(l->cgroups_path, "/myRuntime/myContainer");
  assert_string_equal(l->intel_rdt->clos_id, "guaranteed_group");
  assert_string_equal(l->intel_rdt->l3_cache_schema, "L3:0=7f0");
  assert_string_equal(l->intel_rdt->mem_bw_schema, "MB:0=20");
  assert_int_equal(l->intel_rdt->schemata_len, 1);
  assert_true(l->intel_rdt->enable_monitoring);
  assert_true(l->intel_rdt->enable_cmt);
  assert_false(l->intel_rdt->enable_mbm);
  assert_int_equal(l->sysctl_len, 2);
  assert_string_equal(l->sysctl[0].key, "net.ipv4.ip_forward");
  assert_string_equal(l->sysctl[0].value, "1");
  assert_string_equal(l->rootfs_propagation, "rslave");
  assert_strv(l->masked_paths, l->masked_paths_len, (const char *const[]){"/proc/kcore", NULL});
  assert_strv(l->readonly_paths, l->readonly_paths_len, (const char *const[]){"/proc/sys", NULL});
  assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
  assert_string_equal(l->personality->domain, "LINUX32");
  assert_int_equal(l->personality->flags_len, 0);
  assert_int_equal(l->net_devices_len, 2);
  assert_string_equal(l->net_devices[0].host_name, "eth1");
  assert_string_equal(l->net_devices[0].name, "ceth0");
  assert_string_equal(l->net_devices[1].host_name, "ens4");
  assert_null(l->net_devices[1].name);
  assert_string_equal(l->memory_policy->mode, "MPOL_INTERLEAVE");
  assert_string_equal(l->memory_policy->nodes, "0-1");
  assert_int_equal(l->memory_policy->flags_len, 1);
}

static void test_resources(void **state)
{
  const struct oci_resources *r = ((const struct oci_config *) *state)->linux_->resources;

  assert_int_equal(r->devices_len, 3);
  assert_false(r->devices[0].allow);
  assert_null(r->devices[0].type);
  assert_false(r->devices[0].major.set);
  assert_string_equal(r->devices[0].access, "rwm");
  assert_true(r->devices[1].allow);
  assert_int_equal(r->devices[1].major.v, 10);
  assert_int_equal(r->devices[1].minor.v, 229);
  assert_false(r->devices[2].minor.set);
  /* 2^64-1 is "no limit": it reads as -1 */
  assert_true(r->memory->limit.set);
  assert_int_equal(r->memory->limit.v, -1);
  assert_int_equal(r->memory->reservation.v, 536870912);
  assert_int_equal(r->memory->swap.v, -1);
  assert_int_equal(r->memory->kernel.v, 1024);
  assert_int_equal(r->memory->kernel_tcp.v, 2048);
  assert_int_equal(r->memory->swappiness.v, 60);
  assert_true(r->memory->disable_oom_killer.set && r->memory->disable_oom_killer.v);
  assert_true(r->memory->use_hierarchy.set && !r->memory->use_hierarchy.v);
  assert_true(r->memory->check_before_update.v);
  assert_int_equal(r->cpu->shares.v, 1024);
  assert_int_equal(r->cpu->quota.v, 50000);
  assert_int_equal(r->cpu->burst.v, 10000);
  assert_int_equal(r->cpu->period.v, 100000);
  assert_int_equal(r->cpu->realtime_runtime.v, 950000);
  assert_int_equal(r->cpu->realtime_period.v, 1000000);
  assert_string_equal(r->cpu->cpus, "0-1");
  assert_string_equal(r->cpu->mems, "0");
  assert_int_equal(r->cpu->idle.v, 1);
  assert_true(r->pids_limit.set);
  assert_int_equal(r->pids_limit.v, 32771);
  assert_int_equal(r->block_io->weight.v, 500);
  assert_int_equal(r->block_io->leaf_weight.v, 300);
  assert_int_equal(r->block_io->weight_device[0].major, 8);
  assert_int_equal(r->block_io->weight_device[0].weight.v, 600);
  assert_true(r->block_io->throttle_read_bps[0].rate == UINT64_MAX);
  assert_int_equal(r->block_io->throttle_write_bps[0].minor, 16);
  assert_int_equal(r->block_io->throttle_read_iops[0].rate, 300);
  assert_int_equal(r->block_io->throttle_write_iops[0].rate, 400);
  assert_int_equal(r->hugepage_limits_len, 2);
  assert_string_equal(r->hugepage_limits[0].page_size, "2MB");
  assert_int_equal(r->hugepage_limits[0].limit, 209715200);
  assert_int_equal(r->network->class_id.v, 1048577);
  assert_string_equal(r->network->priorities[0].name, "eth0");
  assert_int_equal(r->network->priorities[0].priority, 500);
  assert_int_equal(r->rdma_len, 1);
  assert_string_equal(r->rdma[0].device, "mlx5_1");
  assert_int_equal(r->rdma[0].hca_handles.v, 3);
  assert_int_equal(r->rdma[0].hca_objects.v, 10000);
  assert_int_equal(r->unified_len, 2);
  assert_string_equal(r->unified[0].key, "io.max");
  assert_string_equal(r->unified[0].value, "8:0 rbps=1024");
}

static void test_seccomp(void **state)
{
  const struct oci_seccomp *s = ((const struct oci_config *) *state)->linux_->seccomp;

  assert_int_equal(s->default_action, OCI_SECCOMP_ACT_ERRNO);
  assert_int_equal(s->default_errno_ret.v, 1);
  assert_strv(s->architectures, s->architectures_len, (const char *const[]){"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", NULL});
  assert_int_equal(s->flags_len, 2);
  assert_string_equal(s->listener_path, "/run/seccomp-agent.sock");
  assert_string_equal(s->listener_metadata, "meta");
  assert_int_equal(s->syscalls_len, 5);
  assert_int_equal(s->syscalls[0].names_len, 3);
  assert_string_equal(s->syscalls[0].names[2], "no_such_syscall");
  assert_int_equal(s->syscalls[0].action, OCI_SECCOMP_ACT_ALLOW);
  assert_int_equal(s->syscalls[1].args_len, 1);
  assert_int_equal(s->syscalls[1].args[0].index, 0);
  assert_true(s->syscalls[1].args[0].value == UINT64_MAX);
  assert_true(s->syscalls[1].args[0].value_two.set);
  assert_true(s->syscalls[1].args[0].value_two.v == UINT64_MAX);
  assert_int_equal(s->syscalls[1].args[0].op, OCI_SECCOMP_OP_MASKED_EQ);
  assert_int_equal(s->syscalls[2].action, OCI_SECCOMP_ACT_NOTIFY);
  assert_int_equal(s->syscalls[3].errno_ret.v, 38);
  assert_int_equal(s->syscalls[4].action, OCI_SECCOMP_ACT_KILL_PROCESS);
}

static struct oci_config *parse_ok(const char *json)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_config *cfg = NULL;

  if (oci_config_parse("config.json", json, strlen(json), &cfg, &err) < 0)
    fail_msg("%s", err.msg);
  return cfg;
}

static void test_memory_limit_range(void **state)
{
  struct oci_config *c;
  (void) state;

  c = parse_ok("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"resources\":{\"memory\":"
               "{\"limit\":9223372036854775807,\"swap\":9223372036854775808,\"reservation\":0}}}}");
  assert_true(c->linux_->resources->memory->limit.v == INT64_MAX);
  assert_int_equal(c->linux_->resources->memory->swap.v, -1);
  assert_true(c->linux_->resources->memory->reservation.set);
  assert_false(c->linux_->resources->memory->kernel.set);
  oci_config_free(c);
}

static void test_minimal_and_nulls(void **state)
{
  struct oci_config *c;
  (void) state;

  /* null reads as absent (Go's decoder leaves the zero value); unknown keys are ignored */
  c = parse_ok("{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"r\"},\"process\":null,\"hooks\":null,"
               "\"linux\":{\"resources\":{\"pids\":{}},\"seccomp\":null},\"vendor.x\":[{}],\"mounts\":[]}");
  assert_null(c->process);
  assert_non_null(c->linux_);
  assert_null(c->linux_->seccomp);
  assert_false(c->linux_->resources->pids_limit.set);
  assert_int_equal(c->mounts_len, 0);
  for (int k = 0; k < OCI_HOOK_KINDS; k++)
    assert_int_equal(c->hooks.len[k], 0);
  assert_null(oci_namespace_find(c, OCI_NS_PID));
  oci_config_free(c);
  /* a repeated key: the last one wins, as in Go */
  c = parse_ok("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"a\"},\"root\":{\"path\":\"b\"}}");
  assert_string_equal(c->root->path, "b");
  oci_config_free(c);
  /* in maps too: the earlier entry is dropped, the order is that of the kept ones */
  c = parse_ok("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},"
               "\"annotations\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\",\"c\":\"4\"}}");
  assert_int_equal(c->annotations_len, 3);
  assert_string_equal(c->annotations[0].key, "b");
  assert_string_equal(c->annotations[1].key, "a");
  assert_string_equal(c->annotations[1].value, "3");
  assert_string_equal(c->annotations[2].key, "c");
  oci_config_free(c);
}

static void test_intel_rdt_schemata_string(void **state)
{
  struct oci_config *c;
  (void) state;

  /* earlier drafts of the spec had schemata as one string of lines */
  c = parse_ok("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"intelRdt\":"
               "{\"closID\":\"g\",\"schemata\":\"L3:0=7f0;1=1f\\nL2:0=f\\nMB:0=20;1=70\"}}}");
  assert_strv(c->linux_->intel_rdt->schemata, c->linux_->intel_rdt->schemata_len,
              (const char *const[]){"L3:0=7f0;1=1f", "L2:0=f", "MB:0=20;1=70", NULL});
  oci_config_free(c);
}

static void test_process_object(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  struct oci_process *p = NULL;
  const char *json = "{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[10]},"
                     "\"args\":[\"/bin/true\"],\"env\":[\"A=b\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},"
                     "\"rlimits\":[{\"type\":\"RLIMIT_NPROC\",\"soft\":10,\"hard\":20}],\"noNewPrivileges\":true,"
                     "\"oomScoreAdj\":100,\"extra\":1}";
  (void) state;

  assert_int_equal(oci_process_parse("process.json", json, strlen(json), &p, &err), 0);
  assert_false(p->terminal);
  assert_string_equal(p->args[0], "/bin/true");
  assert_int_equal(p->user.additional_gids[0], 10);
  assert_int_equal(p->capabilities->bounding_len, 1);
  assert_null(p->capabilities->effective);
  assert_int_equal(p->rlimits[0].resource, RLIMIT_NPROC);
  assert_int_equal(p->oom_score_adj.v, 100);
  assert_false(p->user.umask.set);
  oci_process_free(p);
  /* runc's reading: a user without gid is gid 0; a capability name nobody knows parses (the
   * runtime warns about it and skips it) */
  json = "{\"user\":{\"uid\":1000},\"args\":[\"sh\"],\"cwd\":\"/\","
         "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"NOT_A_CAP\",\"cap_chown\"]}}";
  assert_int_equal(oci_process_parse("process.json", json, strlen(json), &p, &err), 0);
  assert_int_equal(p->user.uid, 1000);
  assert_int_equal(p->user.gid, 0);
  assert_int_equal(p->capabilities->bounding_len, 3);
  assert_string_equal(p->capabilities->bounding[1], "NOT_A_CAP");
  oci_process_free(p);
}

static void test_state_json_bytes(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  const struct oci_kv ann[] = {{"b.key", "2"}, {"a.key", "quote \" and \\ and \n"}};
  struct oci_state s = {.oci_version = "1.3.0", .id = "web", .status = "created", .pid = 4242,
                        .bundle = "/srv/bundles/web", .annotations = ann, .annotations_len = 2};
  char *json;
  (void) state;

  json = oci_state_to_json(&s, &err);
  assert_non_null(json);
  assert_string_equal(json, "{\"ociVersion\":\"1.3.0\",\"id\":\"web\",\"status\":\"created\",\"pid\":4242,"
                            "\"bundle\":\"/srv/bundles/web\",\"annotations\":{\"b.key\":\"2\","
                            "\"a.key\":\"quote \\\" and \\\\ and \\n\"}}");
  free(json);
  s.pid = 0;
  s.status = "stopped";
  s.annotations_len = 0;
  json = oci_state_to_json(&s, &err);
  assert_string_equal(json, "{\"ociVersion\":\"1.3.0\",\"id\":\"web\",\"status\":\"stopped\",\"bundle\":\"/srv/bundles/web\"}");
  free(json);
  /* invalid UTF-8 cannot be written as JSON: an error, not garbage */
  s.bundle = "/srv/\xff";
  assert_null(oci_state_to_json(&s, &err));
  assert_string_equal(err.msg, "state of `web`: generate JSON: a string is not valid UTF-8");
  cove_error_release(&err);
}

static void test_features_json(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  const struct oci_features_host host = {.apparmor = true, .selinux = false};
  _cleanup_free_ char *json = oci_features_json(&host, &err);
  _cleanup_(oci_json_freep) struct oci_json *doc = NULL;
  const struct oci_json *linux_, *seccomp;
  (void) state;

  assert_non_null(json);
  assert_int_equal(oci_json_parse("features", json, strlen(json), &doc, &err), 0);
  assert_string_equal(oci_json_get(doc, "ociVersionMin")->s, "1.0.0");
  assert_string_equal(oci_json_get(doc, "ociVersionMax")->s, OCI_SPEC_VERSION);
  assert_int_equal(oci_json_get(doc, "hooks")->len, 6);
  assert_non_null(oci_json_get(doc, "mountOptions"));
  linux_ = oci_json_get(doc, "linux");
  assert_int_equal(oci_json_get(linux_, "namespaces")->len, 8);
  assert_true(oci_json_get(linux_, "capabilities")->len >= 41);
  assert_true(oci_json_get(oci_json_get(linux_, "cgroup"), "v1")->b);
  assert_true(oci_json_get(oci_json_get(linux_, "cgroup"), "v2")->b);
  assert_true(oci_json_get(oci_json_get(linux_, "cgroup"), "systemd")->b);
  assert_false(oci_json_get(oci_json_get(linux_, "cgroup"), "systemdUser")->b);
  seccomp = oci_json_get(linux_, "seccomp");
  assert_true(oci_json_get(seccomp, "enabled")->b);
  assert_int_equal(oci_json_get(seccomp, "actions")->len, 9);
  assert_int_equal(oci_json_get(seccomp, "operators")->len, 7);
  assert_non_null(oci_json_get(seccomp, "archs"));
  assert_int_equal(oci_json_get(seccomp, "knownFlags")->len, 4);
  assert_non_null(oci_json_get(seccomp, "supportedFlags"));
  assert_true(oci_json_get(oci_json_get(linux_, "apparmor"), "enabled")->b);
  assert_true(oci_json_get(oci_json_get(linux_, "selinux"), "enabled")->b);
  assert_true(oci_json_get(oci_json_get(oci_json_get(linux_, "mountExtensions"), "idmap"), "enabled")->b);
  /* memoryPolicy (spec 1.3): the modes and flags cove applies */
  assert_int_equal(oci_json_get(oci_json_get(linux_, "memoryPolicy"), "modes")->len, 7);
  assert_int_equal(oci_json_get(oci_json_get(linux_, "memoryPolicy"), "flags")->len, 3);
  /* annotations that weaken isolation: cove's own, which name host paths and host bridges */
  assert_non_null(oci_json_get(doc, "potentiallyUnsafeConfigAnnotations"));
  assert_int_equal(oci_json_get(doc, "potentiallyUnsafeConfigAnnotations")->len, 2);
  assert_non_null(oci_json_get(oci_json_get(doc, "annotations"), "io.github.seccomp.libseccomp.version"));
  assert_string_equal(oci_json_get(oci_json_get(doc, "annotations"), "run.cove.host.apparmor")->s, "enabled");
  assert_string_equal(oci_json_get(oci_json_get(doc, "annotations"), "run.cove.host.selinux")->s, "disabled");
}

static void test_default_spec_parses(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  (void) state;

  for (int rootless = 0; rootless <= 1; rootless++) {
    _cleanup_free_ char *json = oci_default_spec_json(rootless, &err);
    struct oci_config *c = NULL;

    assert_non_null(json);
    assert_int_equal(json[strlen(json) - 1], '\n');
    if (oci_config_parse("config.json", json, strlen(json), &c, &err) < 0)
      fail_msg("%s", err.msg);
    assert_string_equal(c->oci_version, OCI_SPEC_VERSION);
    assert_strv(c->process->args, c->process->args_len, (const char *const[]){"sh", NULL});
    assert_true(c->process->terminal);
    assert_true(c->process->no_new_privileges);
    assert_int_equal(c->process->rlimits[0].resource, RLIMIT_NOFILE);
    assert_int_equal(c->process->capabilities->bounding_len, 3);
    assert_int_equal(c->mounts_len, 7);
    assert_non_null(oci_namespace_find(c, OCI_NS_CGROUP));
    if (rootless) {
      assert_non_null(oci_namespace_find(c, OCI_NS_USER));
      assert_null(oci_namespace_find(c, OCI_NS_NETWORK));
      assert_null(c->linux_->resources);
      assert_int_equal(c->linux_->uid_mappings[0].host_id, geteuid());
      assert_string_equal(c->mounts[5].type, "none");
    } else {
      assert_null(oci_namespace_find(c, OCI_NS_USER));
      assert_non_null(oci_namespace_find(c, OCI_NS_NETWORK));
      assert_false(c->linux_->resources->devices[0].allow);
    }
    oci_config_free(c);
  }
}

static void test_json_numbers_keep_text(void **state)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(oci_json_freep) struct oci_json *doc = NULL;
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  _cleanup_free_ char *out = NULL;
  const char *in = "{\"a\":18446744073709551615,\"b\":[1.5e3,-0,null,true,\"\\u00e9\"]}";
  (void) state;

  assert_int_equal(oci_json_parse("x", in, strlen(in), &doc, &err), 0);
  assert_string_equal(oci_json_get(doc, "a")->s, "18446744073709551615");
  oci_jgen_tree(g, doc);
  assert_int_equal(oci_jgen_finish(g, &out, &err), 0);
  assert_string_equal(out, "{\"a\":18446744073709551615,\"b\":[1.5e3,-0,null,true,\"\xc3\xa9\"]}");
}

static char *merged(const char *base, const char *over)
{
  struct cove_error err = COVE_ERROR_INIT;
  _cleanup_(oci_json_freep) struct oci_json *b = NULL, *o = NULL;
  _cleanup_(oci_jgen_freep) struct oci_jgen *g = oci_jgen_new(false);
  char *out = NULL;

  assert_int_equal(oci_json_parse("base", base, strlen(base), &b, &err), 0);
  if (over)
    assert_int_equal(oci_json_parse("over", over, strlen(over), &o, &err), 0);
  oci_jgen_merge(g, b, o);
  assert_int_equal(oci_jgen_finish(g, &out, &err), 0);
  return out;
}

/* `cove update` records its resources with it: objects merge, the rest is replaced */
static void test_json_merge(void **state)
{
  char *s;
  (void) state;

  s = merged("{\"a\":1,\"r\":{\"m\":{\"limit\":5,\"swap\":6},\"d\":[1,2]},\"z\":\"k\"}",
             "{\"r\":{\"m\":{\"limit\":7},\"d\":[3],\"p\":{\"limit\":9}},\"n\":null}");
  assert_string_equal(s, "{\"a\":1,\"r\":{\"m\":{\"limit\":7,\"swap\":6},\"d\":[3],\"p\":{\"limit\":9}},"
                         "\"z\":\"k\",\"n\":null}");
  free(s);
  /* a scalar over an object replaces it, and the other way round */
  s = merged("{\"a\":{\"b\":1}}", "{\"a\":2}");
  assert_string_equal(s, "{\"a\":2}");
  free(s);
  s = merged("{\"a\":2}", "{\"a\":{\"b\":1}}");
  assert_string_equal(s, "{\"a\":{\"b\":1}}");
  free(s);
  /* a repeated key counts once, at its last value (as oci_json_get reads it) */
  s = merged("{\"a\":1,\"a\":{\"x\":1}}", "{\"a\":{\"y\":2},\"b\":1,\"b\":3}");
  assert_string_equal(s, "{\"a\":{\"x\":1,\"y\":2},\"b\":3}");
  free(s);
  s = merged("[1]", NULL);
  assert_string_equal(s, "[1]");
  free(s);
}

int main(void)
{
  const struct CMUnitTest full[] = {
    cmocka_unit_test(test_top_level), cmocka_unit_test(test_mounts),
    cmocka_unit_test(test_process), cmocka_unit_test(test_hooks),
    cmocka_unit_test(test_linux_namespaces), cmocka_unit_test(test_linux_misc),
    cmocka_unit_test(test_resources), cmocka_unit_test(test_seccomp),
  };
  const struct CMUnitTest other[] = {
    cmocka_unit_test(test_memory_limit_range), cmocka_unit_test(test_minimal_and_nulls),
    cmocka_unit_test(test_intel_rdt_schemata_string),
    cmocka_unit_test(test_process_object), cmocka_unit_test(test_state_json_bytes),
    cmocka_unit_test(test_features_json), cmocka_unit_test(test_default_spec_parses),
    cmocka_unit_test(test_json_numbers_keep_text), cmocka_unit_test(test_json_merge),
  };
  int r = cmocka_run_group_tests_name("oci_full_config", full, load_full, free_full);
  return r | cmocka_run_group_tests_name("oci_documents", other, NULL, NULL);
}
