#!/usr/bin/env bats
# net.bats: cove's own networking (issue 8): lo in a new netns, bridge + veth + addresses +
# routes from run.cove.net.* annotations, automatic addresses, rate limits, linux.netDevices,
# and teardown that leaves nothing on the host.
#
# Network rules: every address used is inside a bridge and namespaces the test creates (one
# bridge per test, named cvt<pid><n>, on a 10.240.<n>.0/24 subnet of its own); nothing is
# routed to the host's uplink and nothing leaves the test bridge.

load helpers

setup() {
  requires root
  setup_bundle
  NET_ID=$$${BATS_TEST_NUMBER}
  NET_BR=cvt${NET_ID: -9}   # <= 12 chars
  NET_SUB=10.240.$((BATS_TEST_NUMBER % 250)).
  NET_LINKS_BEFORE=$(net_links)
}

teardown() {
  teardown_bundle
  # whatever the test made on the host and cove did not remove
  ip link del "$NET_BR" 2>/dev/null || true
  ip link del "${NET_BR}d" 2>/dev/null || true
  ip link del "${NET_BR}h" 2>/dev/null || true
}

# Interface names on the host, sorted.
net_links() {
  ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
}

# net_bundle NAME ANNOTATIONS_JSON ARGS_JSON: a second bundle (sharing the rootfs) with its own
# cgroup, the annotations and the args, and CAP_NET_RAW for ping; prints its directory.
net_bundle() {
  local name=$1 ann=$2 args=$3 dir=$TEST_TMP/b-$1
  mkdir -p "$dir"
  jq --arg root "$BUNDLE/rootfs" --arg cg "$TEST_CGROUP_PARENT/$name" --argjson ann "$ann" --argjson args "$args" '
    .root.path = $root | .linux.cgroupsPath = $cg | .annotations = $ann | .process.args = $args
    | .process.capabilities |= with_entries(.value += ["CAP_NET_RAW"])' \
    "$BUNDLE/config.json" >"$dir/config.json"
  echo "$dir"
}

# net_run_d ID BUNDLE: run a container detached, its stdio on a log file (so no process of the
# container holds bats' output open).
net_run_d() {
  cove run -d -b "$2" "$1" </dev/null >"$TEST_TMP/$1.log" 2>&1 || {
    cat "$TEST_TMP/$1.log"
    return 1
  }
}

# The pid of a container's init.
net_pid() {
  cove state "$1" | jq -r .pid
}

# Run a host command inside a container's network namespace (host tools: ip, cat).
net_in() {
  local pid
  pid=$(net_pid "$1")
  shift
  nsenter --net="/proc/$pid/ns/net" "$@"
}

# Wait (bounded) until something listens on TCP port $2 in container $1.
net_wait_listen() {
  local port i
  port=$(printf '%04X' "$2")
  for ((i = 0; i < 100; i++)); do
    net_in "$1" cat /proc/net/tcp /proc/net/tcp6 | awk -v p=":$port" '$2 ~ p"$" && $4 == "0A" {f=1} END {exit !f}' && return 0
    sleep 0.05
  done
  echo "nothing listens on port $2 in $1" >&2
  return 1
}

net_assert_clean() {
  run net_links
  assert_output "$NET_LINKS_BEFORE"
  run ls "$COVE_ROOT/.cove/net"
  refute_output --partial bridge-
  run grep -c " $TEST_TMP" /proc/self/mountinfo
  assert_output 0
}

@test "net: a new network namespace has lo up and nothing else; the host gets nothing" {
  update_config '.process.args = ["sh", "-c", "ip -o link; ip -o addr show lo"]'
  run cove run -b "$BUNDLE" n1
  assert_success
  assert_output --partial "lo: <LOOPBACK,UP,LOWER_UP>"
  assert_output --partial "inet 127.0.0.1/8"
  refute_output --partial "eth0"
  run cove delete n1
  net_assert_clean
}

@test "net: two containers on one bridge ping each other and the gateway, and see their addresses" {
  local a b
  a=$(net_bundle a "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"${NET_SUB}5/24\",\"run.cove.net.gateway\":\"${NET_SUB}1\"}" '["sleep","1000"]')
  b=$(net_bundle b "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"${NET_SUB}6/24,fd77:${BATS_TEST_NUMBER}::6/64\",\"run.cove.net.gateway\":\"${NET_SUB}1,fd77:${BATS_TEST_NUMBER}::1\",\"run.cove.net.mtu\":\"1400\",\"run.cove.net.mac\":\"02:42:0a:f0:00:06\"}" \
    '["sh","-c","ip addr show eth0; ip route; ip -6 route; ping -c 1 -w 3 '"${NET_SUB}"'5 && ping -c 1 -w 3 '"${NET_SUB}"'1"]')
  net_run_d na "$a"
  run cove run -b "$b" nb
  echo "$output"
  assert_success
  assert_output --partial "inet ${NET_SUB}6/24"
  assert_output --partial "inet6 fd77:${BATS_TEST_NUMBER}::6/64"
  assert_output --partial "mtu 1400"
  assert_output --partial "link/ether 02:42:0a:f0:00:06"
  assert_output --partial "default via ${NET_SUB}1 dev eth0"
  assert_output --partial "default via fd77:${BATS_TEST_NUMBER}::1 dev eth0"
  assert_output --regexp "1 packets transmitted, 1 packets received.*1 packets transmitted, 1 packets received"

  # a sees its own address; the bridge holds the gateway address
  run net_in na ip -o -4 addr show eth0
  assert_output --partial "inet ${NET_SUB}5/24"
  run ip -o -4 addr show "$NET_BR"
  assert_output --partial "inet ${NET_SUB}1/24"

  # nb is gone with its run; the bridge stays while a container uses it
  ip link show "$NET_BR" >/dev/null
  cove delete -f na
  net_assert_clean
}

@test "net: IPv6 between two containers" {
  local a b
  a=$(net_bundle a "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"fd78:${BATS_TEST_NUMBER}::5/64\"}" '["sleep","1000"]')
  b=$(net_bundle b "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"fd78:${BATS_TEST_NUMBER}::6/64\"}" \
    '["ping","-c","3","-w","5","fd78:'"${BATS_TEST_NUMBER}"'::5"]')
  net_run_d na "$a"
  run cove run -b "$b" nb
  echo "$output"
  assert_output --regexp "3 packets transmitted, [123] packets received"
  cove delete -f na
  net_assert_clean
}

@test "net: bad annotations fail create with a clear error and make nothing" {
  local d c key value want
  local cases=(
    'run.cove.net.address|10.0.0.300/24|run.cove.net.address: invalid address "10.0.0.300/24"'
    'run.cove.net.address|10.0.0.3|has no prefix length'
    'run.cove.net.mtu|12|run.cove.net.mtu: invalid MTU "12"'
    'run.cove.net.mac|02:42:zz:00:00:01|run.cove.net.mac: invalid MAC address "02:42:zz:00:00:01"'
    'run.cove.net.rate|10mbits|run.cove.net.rate: unknown unit "mbits"'
    'run.cove.net.adress|10.0.0.2/24|unknown annotation run.cove.net.adress'
  )
  for c in "${cases[@]}"; do
    IFS='|' read -r key value want <<<"$c"
    d=$(net_bundle bad "{\"run.cove.net.bridge\":\"$NET_BR\",\"$key\":\"$value\"}" '["true"]')
    run cove create -b "$d" nbad
    assert_failure
    assert_output --partial "$want"
    run cove state nbad
    assert_failure
  done
  # an address without a bridge
  d=$(net_bundle bad '{"run.cove.net.address":"10.0.0.2/24"}' '["true"]')
  run cove create -b "$d" nbad
  assert_failure
  assert_output --partial "run.cove.net.address needs run.cove.net.bridge"
  # a bridge for a container that shares the host's network namespace
  d=$(net_bundle bad "{\"run.cove.net.bridge\":\"$NET_BR\"}" '["true"]')
  update_config '.linux.namespaces |= map(select(.type != "network"))' "$d/config.json"
  run cove create -b "$d" nbad
  assert_failure
  assert_output --partial "need a network namespace"
  net_assert_clean
}

@test "net: auto gives 20 concurrently created containers 20 distinct addresses, freed on delete" {
  local d i pids=() addrs
  d=$(net_bundle auto "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"auto\",\"run.cove.net.gateway\":\"${NET_SUB}1/24\"}" '["sleep","1000"]')
  # one cgroup per container: each create gets its own copy of the bundle
  for i in $(seq 1 20); do
    mkdir -p "$TEST_TMP/auto$i"
    jq --arg cg "$TEST_CGROUP_PARENT/auto$i" '.linux.cgroupsPath = $cg' "$d/config.json" >"$TEST_TMP/auto$i/config.json"
  done
  for i in $(seq 1 20); do
    cove create -b "$TEST_TMP/auto$i" "auto$i" </dev/null >"$TEST_TMP/auto$i.log" 2>&1 &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "$TEST_TMP/auto$((i + 1)).log"; false; }
  done
  addrs=$(for i in $(seq 1 20); do net_in "auto$i" ip -o -4 addr show eth0 | awk '{print $4}'; done)
  echo "$addrs"
  [ "$(echo "$addrs" | grep -c "^${NET_SUB//./\\.}[0-9]*/24$")" -eq 20 ]
  [ "$(echo "$addrs" | sort -u | wc -l)" -eq 20 ]
  # the bridge keeps .1 for itself: no container is given it (status 1: no line matched)
  run -1 grep -x "${NET_SUB}1/24" <<<"$addrs"
  [ "$(grep -c '^user ' "$COVE_ROOT/.cove/net/bridge-$NET_BR")" -eq 20 ]

  # a freed address is handed out again; the bridge goes with its last user
  for i in $(seq 1 20); do cove delete "auto$i"; done
  net_assert_clean
}

@test "net: a rate limit holds within 20% both ways (bounded transfer between two containers)" {
  local lim peer out ms bytes=4000000
  # 8 mbit/s = 1,000,000 bytes/s: 4 MB take 4 s
  local ann_lim="{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"${NET_SUB}5/24\",\"run.cove.net.rate\":\"8mbit\"}"
  local ann_peer="{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"${NET_SUB}6/24\"}"
  local listen='["sh","-c","sleep 60 | nc -l -p 5000 >/dev/null"]'
  # the sender times the transfer itself; busybox nc returns when the receiver has it all
  local send='read s _ </proc/uptime; head -c '$bytes' /dev/zero | nc %s 5000; read e _ </proc/uptime; echo "ms=$(awk "BEGIN{print int(($e-$s)*1000)}")"'

  # into the limited container: the host end's qdisc
  lim=$(net_bundle lim "$ann_lim" "$listen")
  peer=$(net_bundle peer "$ann_peer" "$(jq -nc --arg c "$(printf "$send" "${NET_SUB}5")" '["sh","-c",$c]')")
  net_run_d nlim "$lim"
  net_wait_listen nlim 5000
  run cove run -b "$peer" npeer
  echo "in: $output"
  assert_success
  ms=$(echo "$output" | sed -n 's/^ms=//p')
  echo "# into the container: $bytes bytes in $ms ms = $((bytes * 8 / ms)) kbit/s (limit 8000)" >&3
  [ "$ms" -ge 3333 ] && [ "$ms" -le 5000 ]
  cove delete -f nlim

  # out of the limited container: the container end's qdisc
  lim=$(net_bundle lim "$ann_lim" "$(jq -nc --arg c "$(printf "$send" "${NET_SUB}6")" '["sh","-c",$c]')")
  peer=$(net_bundle peer "$ann_peer" "$listen")
  net_run_d npeer "$peer"
  net_wait_listen npeer 5000
  run cove run -b "$lim" nlim
  echo "out: $output"
  assert_success
  ms=$(echo "$output" | sed -n 's/^ms=//p')
  echo "# out of the container: $bytes bytes in $ms ms = $((bytes * 8 / ms)) kbit/s (limit 8000)" >&3
  [ "$ms" -ge 3333 ] && [ "$ms" -le 5000 ]
  cove delete -f npeer
  net_assert_clean
}

@test "net: linux.netDevices moves a host interface in under its new name and back on delete" {
  local d
  # a dummy interface when the kernel has the driver, else one end of a veth pair
  ip link add "${NET_BR}d" type dummy 2>/dev/null ||
    ip link add "${NET_BR}d" type veth peer name "${NET_BR}h"
  ip addr add "${NET_SUB}9/24" dev "${NET_BR}d"
  NET_LINKS_BEFORE=$(net_links)
  d=$(net_bundle dev '{}' '["sh","-c","ip -o addr show net1; sleep 1000"]')
  update_config ".linux.netDevices = {\"${NET_BR}d\": {\"name\": \"net1\"}}" "$d/config.json"
  net_run_d ndev "$d"
  run net_in ndev ip -o -4 addr show net1
  assert_output --partial "inet ${NET_SUB}9/24" # its address came along
  run ip link show "${NET_BR}d"
  assert_failure
  cove delete -f ndev
  run ip -o -4 addr show "${NET_BR}d"
  assert_success
  assert_output --partial "inet ${NET_SUB}9/24" # back under its name, with its address
  net_assert_clean
}

@test "net: a container SIGKILLed, then delete --force, leaves nothing" {
  local d pid
  d=$(net_bundle k "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"auto\",\"run.cove.net.gateway\":\"${NET_SUB}1/24\",\"run.cove.net.rate\":\"10mbit\"}" '["sleep","1000"]')
  net_run_d nk "$d"
  pid=$(net_pid nk)
  ip link show "$NET_BR" >/dev/null
  kill -9 "$pid"
  cove delete --force nk
  net_assert_clean
}

@test "net: a cove killed mid-create leaves nothing that delete --force does not remove" {
  local d
  d=$(net_bundle mid "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"auto\",\"run.cove.net.gateway\":\"${NET_SUB}1/24\"}" '["sleep","1000"]')
  # the createRuntime hook runs after the network is made: it kills the cove that runs it
  update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "kill -9 $PPID"]}]' "$d/config.json"
  # (its init, left waiting for start, keeps the log open, not bats' output)
  run cove create -b "$d" nmid </dev/null >"$TEST_TMP/nmid.log" 2>&1
  assert_failure
  ip link show "$NET_BR" >/dev/null # the network was made
  run cove delete --force nmid
  net_assert_clean
}

@test "net: a bridge cove did not create is kept; the veth goes" {
  local d
  ip link add "$NET_BR" type bridge
  ip addr add "${NET_SUB}1/24" dev "$NET_BR"
  NET_LINKS_BEFORE=$(net_links)
  # auto takes the subnet from the bridge's own address
  d=$(net_bundle keep "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"auto\"}" '["ip","-o","-4","addr","show","eth0"]')
  run cove run -b "$d" nkeep
  assert_success
  assert_output --regexp "inet ${NET_SUB//./\\.}[0-9]+/24"
  refute_output --partial "inet ${NET_SUB}1/24"
  run ip link show "$NET_BR"
  assert_success
  net_assert_clean
}

@test "net: a container whose state vanished without delete does not hold the bridge or its address" {
  local d pid
  d=$(net_bundle s "{\"run.cove.net.bridge\":\"$NET_BR\",\"run.cove.net.address\":\"${NET_SUB}5/24\",\"run.cove.net.gateway\":\"${NET_SUB}1\"}" '["sleep","1000"]')
  net_run_d ns1 "$d"
  pid=$(net_pid ns1)
  # as if the cove that made it died before any state: its init and state dir go, no delete
  kill -9 "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rm -rf "${COVE_ROOT:?}/ns1"
  # the same address is free for the next container, and the bridge goes with it
  net_run_d ns2 "$d"
  run net_in ns2 ip -o -4 addr show eth0
  assert_output --partial "inet ${NET_SUB}5/24"
  cove delete -f ns2
  net_assert_clean
}

@test "net: a kernel refusal reads as the operation and the kernel's extended ack message" {
  local d
  # the kernel never lets lo leave its namespace: a safe refusal to provoke
  d=$(net_bundle lo '{}' '["true"]')
  update_config '.linux.netDevices = {"lo": {"name": "lo2"}}' "$d/config.json"
  run cove create -b "$d" nlo </dev/null
  assert_failure
  assert_output --regexp "move lo into the container as lo2: .*netns.*: Invalid argument"
  ip link show lo >/dev/null
  run cove state nlo
  assert_failure
  net_assert_clean
}
