#!/usr/bin/env bats
# `cove spec` and `cove features`: the default config (compared with `runc spec` field by field)
# and the features document.

load helpers
bats_require_minimum_version 1.5.0

setup() {
  SPEC_TMP=$(mktemp -d /tmp/cove-spec.XXXXXX)
  cd "$SPEC_TMP" || return 1
}

teardown() {
  cd / || true
  rm -rf "$SPEC_TMP"
  # the tests that run a container (safe when none did)
  teardown_bundle
}

# The runtime-spec fields `cove spec` and `runc spec` must agree on, after the deliberate
# differences are taken out:
#  - ociVersion and hostname name the runtime;
#  - cove adds the cgroup namespace (runc >= 1.2 does too; older runc does not);
#  - cove masks /sys/devices/virtual/powercap (runc >= 1.2 does too: CVE-2020-8694);
#  - cove embeds its default seccomp profile (runc spec has none);
#  - cove writes no ambient set: runc's has no inheritable set beside it, so the kernel could
#    never raise it (cove warns about such a set; its own default must run without a warning).
normalize='
  del(.ociVersion, .hostname, .linux.seccomp, .process.capabilities.ambient)
  | .linux.namespaces |= map(select(.type != "cgroup"))
  | .linux.maskedPaths |= map(select(. != "/sys/devices/virtual/powercap"))'

compare_with_runc() {
  local field=$1
  run diff <(jq -S "$normalize | $field" cove/config.json) <(jq -S "$normalize | $field" runc/config.json)
  assert_success
}

@test "spec writes a valid config.json in the current directory" {
  run "$COVE" spec
  assert_success
  assert_output ""
  run jq -e '.ociVersion == "1.3.0" and .process.args == ["sh"] and .root.path == "rootfs"' config.json
  assert_success
  # tab indentation, as runc writes it
  run grep -c $'^\t"process": {$' config.json
  assert_output 1
}

@test "spec refuses to overwrite an existing config.json" {
  echo '{"mine": true}' >config.json
  run "$COVE" spec
  assert_failure 1
  assert_output "cove: spec: \`config.json\` already exists: remove it first"
  run cat config.json
  assert_output '{"mine": true}'
}

@test "spec --bundle and -b write into that directory" {
  mkdir b1 b2
  run "$COVE" spec --bundle b1
  assert_success
  run "$COVE" spec -b "$SPEC_TMP/b2"
  assert_success
  [ -f b1/config.json ]
  [ -f b2/config.json ]
  [ ! -e config.json ]
  run "$COVE" spec --bundle b1
  assert_failure 1
  assert_output "cove: spec: \`b1/config.json\` already exists: remove it first"
}

@test "spec into a missing directory fails with the path" {
  run "$COVE" spec --bundle "$SPEC_TMP/nope"
  assert_failure 1
  assert_output "cove: spec: create \`$SPEC_TMP/nope/config.json\`: No such file or directory"
}

@test "spec takes no arguments and has help" {
  run "$COVE" spec extra
  assert_failure 2
  run "$COVE" spec --help
  assert_success
  assert_line --partial "--bundle"
  assert_line --partial "--rootless"
}

@test "spec matches runc spec field by field" {
  requires runc
  mkdir cove runc
  "$COVE" spec -b cove
  runc spec -b runc
  for field in .process .root .mounts .process.capabilities .process.rlimits .linux.namespaces \
    .linux.maskedPaths .linux.readonlyPaths .linux.resources .linux.uidMappings .linux.gidMappings; do
    compare_with_runc "$field"
  done
  # nothing else differs at the top level or in .linux
  compare_with_runc 'keys'
  compare_with_runc '.linux | keys'
  # the named differences are really there
  run jq -e '.hostname == "cove" and (.linux.namespaces | map(.type) | index("cgroup") != null)
    and (.linux.maskedPaths | index("/sys/devices/virtual/powercap") != null)' cove/config.json
  assert_success
}

@test "spec --rootless matches runc spec --rootless field by field" {
  requires runc
  mkdir cove runc
  "$COVE" spec --rootless -b cove
  runc spec --rootless -b runc
  for field in .process .root .mounts .linux.namespaces .linux.maskedPaths .linux.readonlyPaths \
    .linux.resources .linux.uidMappings .linux.gidMappings; do
    compare_with_runc "$field"
  done
  compare_with_runc 'keys'
  compare_with_runc '.linux | keys'
  run jq -e --argjson u "$(id -u)" --argjson g "$(id -g)" '
    (.linux.namespaces | map(.type) | index("user") != null and index("network") == null)
    and .linux.uidMappings == [{containerID: 0, hostID: $u, size: 1}]
    and .linux.gidMappings == [{containerID: 0, hostID: $g, size: 1}]
    and (.mounts[] | select(.destination == "/sys") | .type == "none" and (.options | index("rbind") != null))
    and .linux.resources == null' cove/config.json
  assert_success
}

@test "spec --system writes a system container's config, which runs" {
  "$COVE" spec --system
  run jq -e '
    .process.args == ["/sbin/init"] and .process.terminal == false
    and (.process.env | index("container=cove") != null)
    and .process.noNewPrivileges == false and .root.readonly == false
    and (.process.capabilities.bounding | index("CAP_SETUID") != null and index("CAP_SYS_ADMIN") == null)
    and (.linux.namespaces | map(.type) | index("cgroup") != null)
    and ([.mounts[] | select(.destination == "/sys/fs/cgroup") | .type, (.options | index("rw") != null)]
         == ["cgroup", true])
    and ([.mounts[] | select(.destination == "/run" or .destination == "/run/lock" or .destination == "/tmp")
          | .type] == ["tmpfs", "tmpfs", "tmpfs"])
    and .annotations["org.opencontainers.image.stopSignal"] == "SIGRTMIN+3"' config.json
  assert_success
  # the same defaults otherwise: devices, masked and read-only paths
  "$COVE" spec -b "$SPEC_TMP/def" 2>/dev/null || { mkdir def && "$COVE" spec -b def; }
  run diff <(jq -S '.linux | del(.namespaces)' config.json) <(jq -S '.linux | del(.namespaces)' def/config.json)
  assert_success
  run "$COVE" spec --system --rootless -b def
  assert_failure 2
  assert_output --partial "--system and --rootless cannot be combined"
  # it runs: a stand-in /sbin/init shows what it got
  requires root
  setup_bundle
  mkdir -p "$BUNDLE/rootfs/sbin"
  printf '#!/bin/sh\necho "container=$container"\ngrep -E " /(run|run/lock|tmp) " /proc/self/mountinfo | cut -d" " -f5,9\ngrep -E " /sys/fs/cgroup(/unified)? " /proc/self/mountinfo | cut -d" " -f5,6 | cut -d, -f1\n' \
    >"$BUNDLE/rootfs/sbin/init"
  chmod 755 "$BUNDLE/rootfs/sbin/init"
  jq --arg cg "$TEST_CGROUP_PARENT/sys" '.linux.cgroupsPath = $cg' config.json >"$BUNDLE/config.json"
  run cove run -b "$BUNDLE" sys1
  assert_success
  assert_line "container=cove"
  assert_line "/run tmpfs"
  assert_line "/run/lock tmpfs"
  assert_line "/tmp tmpfs"
  assert_line --regexp "^/sys/fs/cgroup(/unified)? rw$"
}

@test "spec embeds the default seccomp profile when there is one" {
  "$COVE" spec
  run jq -e 'if .linux.seccomp then (.linux.seccomp.defaultAction | type) == "string" else true end' config.json
  assert_success
}

@test "features prints valid JSON with the runtime-spec keys" {
  run "$COVE" features
  assert_success
  echo "$output" >features.json
  run jq -e '
    .ociVersionMin == "1.0.0" and .ociVersionMax == "1.3.0"
    and (.hooks | length) == 6
    and (.mountOptions | index("rbind") != null)
    and (.linux.namespaces | sort) == ["cgroup","ipc","mount","network","pid","time","user","uts"]
    and (.linux.capabilities | index("CAP_SYS_ADMIN") != null)
    and .linux.cgroup.v1 == true and .linux.cgroup.v2 == true
    and .linux.seccomp.enabled == true
    and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") != null)
    and (.linux.seccomp.operators | length) == 7
    and (.linux.seccomp.archs | index("SCMP_ARCH_X86_64") != null)
    and .linux.apparmor.enabled == true and .linux.selinux.enabled == true
    and .linux.mountExtensions.idmap.enabled == true and .linux.netDevices.enabled == true
    and (.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$"))' features.json
  assert_success
}

@test "features takes no arguments" {
  run "$COVE" features extra
  assert_failure 2
}

@test "features lists memoryPolicy and potentiallyUnsafeConfigAnnotations (runtime-spec 1.3)" {
  run "$COVE" features
  assert_success
  echo "$output" >"$BATS_TEST_TMPDIR/features.json"
  jq -e '(.linux.memoryPolicy.modes | index("MPOL_BIND") != null and index("MPOL_INTERLEAVE") != null
            and index("MPOL_PREFERRED") != null and index("MPOL_LOCAL") != null)
      and (.linux.memoryPolicy.flags | index("MPOL_F_STATIC_NODES") != null)
      and (.potentiallyUnsafeConfigAnnotations | index("run.cove.rootfs.") != null and index("run.cove.net.") != null)' \
    "$BATS_TEST_TMPDIR/features.json"
}

@test "a container from spec's default config runs without a warning" {
  setup_bundle
  (cd "$BUNDLE" && rm config.json && "$COVE" spec)
  update_config ".process.terminal = false | .process.args = [\"/bin/true\"] | .linux.cgroupsPath = \"$TEST_CGROUP_PARENT/d\""
  run --separate-stderr cove run --bundle "$BUNDLE" spec-default
  teardown_bundle
  assert_success
  assert_equal "$stderr" ""
}

@test "an ambient capability without its inheritable one is one warning naming it, said once" {
  setup_bundle
  update_config '.process.args = ["/bin/true"] | .process.capabilities.ambient = ["CAP_KILL"]'
  run --separate-stderr cove run --bundle "$BUNDLE" amb-warn
  teardown_bundle
  assert_success
  assert_equal "$stderr" "cove: warning: capability CAP_KILL (ambient set) cannot be raised: it is not in the inheritable set"
}
