/* free.c: releasing parsed configs and process objects.  Every free function accepts NULL and
 * half-built structs (the parsers free what they built so far on error). */
#include <stdlib.h>

#include "oci/parse.h"

void oci_strv_free(char **v, size_t len)
{
  if (!v)
    return;
  for (size_t i = 0; i < len; i++)
    free(v[i]);
  free(v);
}

void oci_kv_free(struct oci_kv *kv, size_t len)
{
  if (!kv)
    return;
  for (size_t i = 0; i < len; i++) {
    free(kv[i].key);
    free(kv[i].value);
  }
  free(kv);
}

static void user_free(struct oci_user *u)
{
  free(u->additional_gids);
  free(u->username);
}

static void caps_free(struct oci_capabilities *c)
{
  if (!c)
    return;
  oci_strv_free(c->bounding, c->bounding_len);
  oci_strv_free(c->effective, c->effective_len);
  oci_strv_free(c->inheritable, c->inheritable_len);
  oci_strv_free(c->permitted, c->permitted_len);
  oci_strv_free(c->ambient, c->ambient_len);
  free(c);
}

void oci_process_free(struct oci_process *p)
{
  if (!p)
    return;
  user_free(&p->user);
  oci_strv_free(p->args, p->args_len);
  free(p->command_line);
  oci_strv_free(p->env, p->env_len);
  free(p->cwd);
  caps_free(p->capabilities);
  for (size_t i = 0; p->rlimits && i < p->rlimits_len; i++)
    free(p->rlimits[i].type);
  free(p->rlimits);
  free(p->apparmor_profile);
  free(p->selinux_label);
  if (p->io_priority) {
    free(p->io_priority->class);
    free(p->io_priority);
  }
  if (p->scheduler) {
    free(p->scheduler->policy);
    oci_strv_free(p->scheduler->flags, p->scheduler->flags_len);
    free(p->scheduler);
  }
  if (p->exec_cpu_affinity) {
    free(p->exec_cpu_affinity->initial);
    free(p->exec_cpu_affinity->final);
    free(p->exec_cpu_affinity);
  }
  free(p);
}

static void mount_free(struct oci_mount *m)
{
  free(m->destination);
  free(m->source);
  free(m->type);
  oci_strv_free(m->options, m->options_len);
  free(m->uid_mappings);
  free(m->gid_mappings);
}

static void hook_free(struct oci_hook *h)
{
  free(h->path);
  oci_strv_free(h->args, h->args_len);
  oci_strv_free(h->env, h->env_len);
}

void oci_seccomp_free(struct oci_seccomp *s)
{
  if (!s)
    return;
  oci_strv_free(s->architectures, s->architectures_len);
  oci_strv_free(s->flags, s->flags_len);
  free(s->listener_path);
  free(s->listener_metadata);
  for (size_t i = 0; s->syscalls && i < s->syscalls_len; i++) {
    oci_strv_free(s->syscalls[i].names, s->syscalls[i].names_len);
    free(s->syscalls[i].args);
  }
  free(s->syscalls);
  free(s);
}

void oci_resources_free(struct oci_resources *r)
{
  if (!r)
    return;
  for (size_t i = 0; r->devices && i < r->devices_len; i++) {
    free(r->devices[i].type);
    free(r->devices[i].access);
  }
  free(r->devices);
  free(r->memory);
  if (r->cpu) {
    free(r->cpu->cpus);
    free(r->cpu->mems);
    free(r->cpu);
  }
  if (r->block_io) {
    free(r->block_io->weight_device);
    free(r->block_io->throttle_read_bps);
    free(r->block_io->throttle_write_bps);
    free(r->block_io->throttle_read_iops);
    free(r->block_io->throttle_write_iops);
    free(r->block_io);
  }
  for (size_t i = 0; r->hugepage_limits && i < r->hugepage_limits_len; i++)
    free(r->hugepage_limits[i].page_size);
  free(r->hugepage_limits);
  if (r->network) {
    for (size_t i = 0; r->network->priorities && i < r->network->priorities_len; i++)
      free(r->network->priorities[i].name);
    free(r->network->priorities);
    free(r->network);
  }
  for (size_t i = 0; r->rdma && i < r->rdma_len; i++)
    free(r->rdma[i].device);
  free(r->rdma);
  oci_kv_free(r->unified, r->unified_len);
  free(r);
}

void oci_linux_free(struct oci_linux *l)
{
  if (!l)
    return;
  for (size_t i = 0; l->namespaces && i < l->namespaces_len; i++)
    free(l->namespaces[i].path);
  free(l->namespaces);
  free(l->uid_mappings);
  free(l->gid_mappings);
  for (size_t i = 0; l->devices && i < l->devices_len; i++) {
    free(l->devices[i].type);
    free(l->devices[i].path);
  }
  free(l->devices);
  free(l->cgroups_path);
  oci_resources_free(l->resources);
  if (l->intel_rdt) {
    free(l->intel_rdt->clos_id);
    free(l->intel_rdt->l3_cache_schema);
    free(l->intel_rdt->mem_bw_schema);
    oci_strv_free(l->intel_rdt->schemata, l->intel_rdt->schemata_len);
    free(l->intel_rdt);
  }
  oci_kv_free(l->sysctl, l->sysctl_len);
  oci_seccomp_free(l->seccomp);
  free(l->rootfs_propagation);
  oci_strv_free(l->masked_paths, l->masked_paths_len);
  oci_strv_free(l->readonly_paths, l->readonly_paths_len);
  free(l->mount_label);
  if (l->personality) {
    free(l->personality->domain);
    oci_strv_free(l->personality->flags, l->personality->flags_len);
    free(l->personality);
  }
  for (size_t i = 0; l->net_devices && i < l->net_devices_len; i++) {
    free(l->net_devices[i].host_name);
    free(l->net_devices[i].name);
  }
  free(l->net_devices);
  if (l->memory_policy) {
    free(l->memory_policy->mode);
    free(l->memory_policy->nodes);
    oci_strv_free(l->memory_policy->flags, l->memory_policy->flags_len);
    free(l->memory_policy);
  }
  free(l);
}

void oci_config_free(struct oci_config *c)
{
  if (!c)
    return;
  free(c->oci_version);
  if (c->root) {
    free(c->root->path);
    free(c->root);
  }
  for (size_t i = 0; c->mounts && i < c->mounts_len; i++)
    mount_free(&c->mounts[i]);
  free(c->mounts);
  oci_process_free(c->process);
  free(c->hostname);
  free(c->domainname);
  for (int k = 0; k < OCI_HOOK_KINDS; k++) {
    for (size_t i = 0; c->hooks.hooks[k] && i < c->hooks.len[k]; i++)
      hook_free(&c->hooks.hooks[k][i]);
    free(c->hooks.hooks[k]);
  }
  oci_kv_free(c->annotations, c->annotations_len);
  oci_linux_free(c->linux_);
  free(c);
}
