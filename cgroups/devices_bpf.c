/* devices_bpf.c: the cgroup v2 device controller, which is an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup (BPF_CGROUP_DEVICE).
 *
 * The program is generated from the rules (devices.c): rules are checked from last to first and
 * the first that matches decides, which is "the last matching rule wins" of the runtime-spec's
 * ordered list; no match denies.  Raw bpf(2) system calls: no libbpf.
 *
 * Context (struct bpf_cgroup_dev_ctx): access_type = type | (access << 16), major, minor. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cgroups/internal.h"
#include "common/syscalls.h"
#include "common/cleanup.h"
#include "common/util.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

/* The name cove's device programs carry (bpftool prog shows it; at most 15 bytes). */
#define COVE_DEV_PROG_NAME "cove_devices"

static int64_t bpf_sys(int cmd, union bpf_attr *attr)
{
  return sys_bpf(cmd, attr, sizeof(*attr));
}

/* instructions a rule's block takes */
static size_t block_len(const struct cg_dev_rule *r)
{
  size_t n = 2; /* r0 = verdict; exit */
  if (r->type != 'a')
    n++;
  if ((r->access & 7) != 7)
    n += 3;
  if (r->major >= 0)
    n++;
  if (r->minor >= 0)
    n++;
  return n;
}

static bool matches_all(const struct cg_dev_rule *r)
{
  return r->type == 'a' && (r->access & 7) == 7 && r->major < 0 && r->minor < 0;
}

int cg_bpf_dev_program(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **out, size_t *out_len,
                       struct cove_error *err)
{
  size_t cap = 8, len = 0;
  struct bpf_insn *p;

  for (size_t i = 0; i < n; i++)
    cap += block_len(&rules[i]);
  p = xcalloc(cap, sizeof(*p));
  /* r2 = type, r3 = access, r4 = major, r5 = minor */
  p[len++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
  p[len++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xFFFF);
  p[len++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0);
  p[len++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
  p[len++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0);
  p[len++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0);
  for (size_t k = n; k-- > 0;) {
    const struct cg_dev_rule *r = &rules[k];
    size_t start = len, blen = block_len(r);
#define SKIP ((int16_t) (start + blen - (len + 1)))
    if (r->major > UINT32_MAX || r->minor > UINT32_MAX || r->major > INT32_MAX || r->minor > INT32_MAX) {
      free(p);
      return cove_error_set(err, EINVAL, "device rule: major/minor out of range");
    }
    if (r->type != 'a') {
      p[len] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
                    r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
      p[len].off = SKIP;
      len++;
    }
    if ((r->access & 7) != 7) {
      /* the requested access must be a subset of the rule's */
      p[len++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
      p[len++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t) r->access);
      p[len] = INSN(BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
      p[len].off = SKIP;
      len++;
    }
    if (r->major >= 0) {
      p[len] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t) r->major);
      p[len].off = SKIP;
      len++;
    }
    if (r->minor >= 0) {
      p[len] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t) r->minor);
      p[len].off = SKIP;
      len++;
    }
#undef SKIP
    p[len++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0);
    p[len++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    if (matches_all(r)) {
      /* earlier rules and the default can never be reached (the verifier refuses dead code) */
      *out = p;
      *out_len = len;
      return 0;
    }
  }
  p[len++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
  p[len++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  *out = p;
  *out_len = len;
  return 0;
}

static int load_program(const struct bpf_insn *insns, size_t len, struct cove_error *err)
{
  union bpf_attr attr;
  static const char license[] = "GPL";
  _cleanup_free_ char *log = NULL;
  int fd;

  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) len;
  attr.license = (uint64_t) (uintptr_t) license;
  memcpy(attr.prog_name, COVE_DEV_PROG_NAME, sizeof(COVE_DEV_PROG_NAME));
  fd = (int) bpf_sys(BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  if (errno != EINVAL && errno != EACCES)
    return cove_error_set(err, errno, "load the device eBPF program (%zu instructions)", len);
  /* again with the verifier's log, for the message */
  log = xcalloc(1, 8192);
  attr.log_level = 1;
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = 8192;
  fd = (int) bpf_sys(BPF_PROG_LOAD, &attr);
  if (fd >= 0)
    return fd;
  return cove_error_set(err, errno, "load the device eBPF program (%zu instructions): verifier: %.200s", len, log);
}

/* Only cove's own programs are replaced: systemd attaches its DeviceAllow= program to a unit's
 * cgroup (--systemd-cgroup) beside cove's, and both must allow an access. */
static bool is_cove_program(int fd)
{
  struct bpf_prog_info info;
  union bpf_attr attr;

  memset(&info, 0, sizeof(info));
  memset(&attr, 0, sizeof(attr));
  attr.info.bpf_fd = (uint32_t) fd;
  attr.info.info_len = sizeof(info);
  attr.info.info = (uint64_t) (uintptr_t) &info;
  if (bpf_sys(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
    return false;
  return !strncmp(info.name, COVE_DEV_PROG_NAME, sizeof(info.name));
}

int cg_bpf_dev_apply(const struct cove_cgroup *cg, const struct cg_hier *h, const struct cg_dev_rule *rules,
                     size_t n, struct cove_error *err)
{
  _cleanup_free_ struct bpf_insn *insns = NULL;
  _cleanup_close_ int prog = -1, dir = -1;
  uint32_t old_ids[64], old_cnt = ARRAY_SIZE(old_ids);
  union bpf_attr attr;
  size_t len = 0;

  if (cg_bpf_dev_program(rules, n, &insns, &len, err) < 0)
    return -1;
  dir = cg_open_dir(h, NULL, err);
  if (dir < 0)
    return -1;
  /* programs attached before (a previous update): detached once the new one is in */
  memset(&attr, 0, sizeof(attr));
  attr.query.target_fd = (uint32_t) dir;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) old_ids;
  attr.query.prog_cnt = old_cnt;
  if (bpf_sys(BPF_PROG_QUERY, &attr) < 0)
    old_cnt = 0;
  else
    old_cnt = attr.query.prog_cnt < ARRAY_SIZE(old_ids) ? attr.query.prog_cnt : ARRAY_SIZE(old_ids);
  prog = load_program(insns, len, err);
  if (prog < 0)
    return -1;
  memset(&attr, 0, sizeof(attr));
  attr.target_fd = (uint32_t) dir;
  attr.attach_bpf_fd = (uint32_t) prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf_sys(BPF_PROG_ATTACH, &attr) < 0) {
    int e = errno;
    _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
    return cove_error_set(err, e, "attach the device eBPF program to %s", p);
  }
  for (uint32_t i = 0; i < old_cnt; i++) {
    _cleanup_close_ int ofd = -1;
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = old_ids[i];
    ofd = (int) bpf_sys(BPF_PROG_GET_FD_BY_ID, &attr);
    if (ofd < 0 || !is_cove_program(ofd))
      continue;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t) dir;
    attr.attach_bpf_fd = (uint32_t) ofd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (bpf_sys(BPF_PROG_DETACH, &attr) < 0) {
      int e = errno;
      _cleanup_free_ char *p = cg_file_path(cg, h, NULL);
      return cove_error_set(err, e, "detach the previous device eBPF program from %s", p);
    }
  }
  return 0;
}
