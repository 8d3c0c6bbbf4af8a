#!/usr/bin/env bats
# Copy-on-write rootfs: the run.cove.rootfs.overlay and run.cove.rootfs.layers annotations.
# Containers on one image see their own writes only, the image is never modified, and delete
# removes every write; 100 containers share one image (the disk figure is printed).

load helpers

setup() {
  setup_bundle
  update_config '.root.readonly = false'
  IMAGE_SUM=$(cd "$BUNDLE/rootfs" && find . -printf '%p %s %m %u\n' | sort | md5sum)
}

teardown() {
  teardown_bundle
}

image_untouched() {
  [ "$(cd "$BUNDLE/rootfs" && find . -printf '%p %s %m %u\n' | sort | md5sum)" = "$IMAGE_SUM" ]
}

@test "overlay=tmpfs: two containers on one image, writes isolated, image untouched, cleanup on delete" {
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs:16m"'
  update_config '.process.args = ["/bin/sh", "-c", "echo $HOSTNAME-$$ > /etc/mine; rm /bin/ls; sleep 100"]'
  update_config '.process.env += ["HOSTNAME=a"]'
  cove run -d --bundle "$BUNDLE" ov-a
  update_config ".process.env += [\"HOSTNAME=b\"] | .linux.cgroupsPath = \"$TEST_CGROUP_PARENT/ov-b\""
  cove run -d --bundle "$BUNDLE" ov-b
  wait_for_state ov-a running
  wait_for_state ov-b running
  local pa pb
  pa=$(cove state ov-a | jq -r .pid)
  pb=$(cove state ov-b | jq -r .pid)
  for _ in $(seq 100); do [ -e "/proc/$pa/root/etc/mine" ] && [ -e "/proc/$pb/root/etc/mine" ] && break; sleep 0.02; done
  # each sees its own file (through /proc/PID/root, from the host)
  run cat "/proc/$pa/root/etc/mine"
  assert_output --regexp '^b?a-'
  [ "$(cat "/proc/$pa/root/etc/mine")" != "$(cat "/proc/$pb/root/etc/mine")" ]
  [ ! -e "/proc/$pa/root/bin/ls" ]
  grep -E ' / rw,relatime - overlay overlay ' "/proc/$pa/mountinfo"
  image_untouched
  [ -e "$BUNDLE/rootfs/bin/ls" ]
  [ ! -e "$BUNDLE/rootfs/etc/mine" ]
  cove delete -f ov-a
  cove delete -f ov-b
  [ ! -e "$COVE_ROOT/ov-a" ]
  [ ! -e "$COVE_ROOT/ov-b" ]
  # no mount of either container stays on the host (status 1: no line matched)
  run -1 grep -F "$COVE_ROOT" /proc/self/mountinfo
  image_untouched
}

@test "overlay=dir: the upper layer lives in the state dir and is removed by delete" {
  update_config '.annotations["run.cove.rootfs.overlay"] = "dir"'
  update_config '.process.args = ["/bin/sh", "-c", "echo kept > /written; sleep 100"]'
  cove run -d --bundle "$BUNDLE" ov-d
  wait_for_state ov-d running
  for _ in $(seq 100); do [ -e "$COVE_ROOT/ov-d/rootfs-cow/upper/written" ] && break; sleep 0.02; done
  [ "$(cat "$COVE_ROOT/ov-d/rootfs-cow/upper/written")" = kept ]
  image_untouched
  cove delete -f ov-d
  [ ! -e "$COVE_ROOT/ov-d" ]
  image_untouched
}

@test "overlay: a foreground run leaves nothing behind" {
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs"'
  set_cmd 'echo x > /new; cat /new'
  run cove run --bundle "$BUNDLE" ov-f
  assert_success
  assert_output x
  [ -z "$(ls -A "$COVE_ROOT")" ]
  image_untouched
}

@test "overlay layers: stacked above root.path, topmost first" {
  mkdir -p "$TEST_TMP"/l1/etc "$TEST_TMP"/l2/etc
  echo l1 >"$TEST_TMP/l1/etc/which"
  echo l2 >"$TEST_TMP/l2/etc/which"
  echo only-l2 >"$TEST_TMP/l2/etc/l2file"
  update_config ".annotations[\"run.cove.rootfs.overlay\"] = \"tmpfs\" | .annotations[\"run.cove.rootfs.layers\"] = \"$TEST_TMP/l1:$TEST_TMP/l2\""
  set_cmd 'cat /etc/which /etc/l2file; ls /bin/busybox; echo w > /etc/which; cat /etc/which'
  run cove run --bundle "$BUNDLE" ov-l
  assert_success
  assert_output $'l1\nonly-l2\n/bin/busybox\nw'
  [ "$(cat "$TEST_TMP/l1/etc/which")" = l1 ]
  image_untouched
}

@test "overlay=tmpfs:SIZE limits what the container can write" {
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs:1m"'
  set_cmd 'dd if=/dev/zero of=/big bs=64k count=64 || echo DD-FAILED; wc -c < /big'
  run cove run --bundle "$BUNDLE" ov-s
  assert_output --partial 'No space left on device'
  assert_line DD-FAILED
  [ "${lines[-1]}" -le 1048576 ]
  image_untouched
}

@test "overlay annotations are validated before anything is created" {
  update_config '.annotations["run.cove.rootfs.overlay"] = "zfs"'
  run cove run --bundle "$BUNDLE" ov-bad
  assert_failure
  assert_output --partial 'run.cove.rootfs.overlay: unknown value zfs'
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs:lots"'
  run cove run --bundle "$BUNDLE" ov-bad
  assert_failure
  assert_output --partial 'bad tmpfs size lots'
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs" | .annotations["run.cove.rootfs.layers"] = "/no/such/layer"'
  run cove run --bundle "$BUNDLE" ov-bad
  assert_failure
  assert_output --partial 'layer /no/such/layer'
  run cove list -q
  assert_output ""
}

@test "100 containers share one image: started detached, disk used measured, all deleted" {
  update_config '.annotations["run.cove.rootfs.overlay"] = "dir"'
  update_config '.process.args = ["/bin/sh", "-c", "echo $$ > /pid-file; exec sleep 1000"]'
  local before after i image_kb
  sync
  before=$(df -k --output=used / | tail -1)
  image_kb=$(du -sk "$BUNDLE/rootfs" | cut -f1)
  local t0=$SECONDS
  local cfg
  cfg=$(cat "$BUNDLE/config.json")
  for i in $(seq 1 100); do
    # each container its own cgroup
    jq --arg cg "$TEST_CGROUP_PARENT/c$i" '.linux.cgroupsPath = $cg' <<<"$cfg" >"$BUNDLE/config.json"
    cove run -d --bundle "$BUNDLE" "c$i" >/dev/null
  done
  local started=$((SECONDS - t0))
  for i in 1 50 100; do wait_for_state "c$i" running; done
  [ "$(cove list -q | wc -l)" -eq 100 ]
  sleep 0.2
  sync
  after=$(df -k --output=used / | tail -1)
  local state_kb
  state_kb=$(du -sk "$COVE_ROOT" | cut -f1)
  echo "# 100 containers on one image of ${image_kb} KiB: ${started}s to start, filesystem used +$((after - before)) KiB, state dirs (upper layers included) ${state_kb} KiB" >&3
  image_untouched
  for i in $(seq 1 100); do
    cove delete -f "c$i" >/dev/null
  done
  [ -z "$(cove list -q)" ]
  [ -z "$(ls -A "$COVE_ROOT")" ]
  image_untouched
}

@test "overlay with a user namespace: tmpfs and dir layers owned by the container's root" {
  update_config '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  private_rootfs
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod 0755 "$TEST_TMP" "$BUNDLE"
  IMAGE_SUM=$(cd "$BUNDLE/rootfs" && find . -printf '%p %s %m %u\n' | sort | md5sum)
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs:8m"'
  set_cmd 'echo w > /w; stat -c "%u %g" / /w; grep -c " / .* - overlay .*userxattr" /proc/self/mountinfo'
  run cove run --bundle "$BUNDLE" ov-u1
  assert_success
  assert_output $'0 0\n0 0\n1'
  update_config '.annotations["run.cove.rootfs.overlay"] = "dir"'
  run cove run --bundle "$BUNDLE" ov-u2
  assert_success
  assert_output $'0 0\n0 0\n1'
  image_untouched
}

@test "overlay rootfs with --no-pivot" {
  update_config '.annotations["run.cove.rootfs.overlay"] = "tmpfs"'
  set_cmd 'echo x > /new && cat /new; grep -c " / .* - overlay " /proc/self/mountinfo'
  run cove run --no-pivot --bundle "$BUNDLE" ov-np
  assert_success
  assert_output $'x\n1'
  image_untouched
}
