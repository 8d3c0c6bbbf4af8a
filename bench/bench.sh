#!/usr/bin/env bash
# bench.sh: cove against crun and runc on each lifecycle path, paired in one hyperfine run per
# row, printed as a markdown table of means and ratios.  `make bench` builds cove and the floor
# program (bench/floor.c) and runs this.  A benchmark, not a test: CI does not run it.
#
#   bench/bench.sh [-r RUNS] [-k ROUNDS] [-n HUNDRED] [-o FILE.md] [-t]   (-o also writes FILE.stats:
#        ROW COMMAND MEAN SD MEDIAN per line)
#        COVE=./cove CRUN=crun RUNC=runc BENCH_BIN=build/bench (floor, wrap, stamp)
#        COVE_BASE=path/to/an/older/cove: timed in the same rounds as a fourth runtime ("base",
#        through the same wrapper as cove), for a paired before/after of a change
#
# Rows: `run` of /bin/true, back to back and one every 50 ms; create + start + wait + delete; `exec` of /bin/true into a running
# container, back to back and one every 50 ms; N (default 100) containers started, killed and deleted; `run` with podman's seccomp
# profile (warm compiled-filter cache; and cove with the cache removed before every run, which
# is what crun and runc pay each time).  Plus the floor: a bare clone into the namespaces +
# pivot_root + exec (bench/floor.c), and the same with the cgroup writes of this host; and the
# exec floor (bench/floorx.c): setns + clone + exec, with the cgroup joins, with the sealed re-exec.
#
# -t: instead of the rows, the time breakdown of cove's `run` (bare) and `exec`: RUNS runs each,
# 50 ms apart, with COVE_TRACE=1 (common/trace.h) under bench/stamp, and per stage the median,
# first and third quartile of the time since the previous stamp of any cove process (ms).
#
# Fairness: crun 1.8.1 refuses a hybrid cgroup host, so on a hybrid host crun AND cove both run
# through the same wrapper (bench/wrap.c: a private mount namespace with the unified hierarchy
# unmounted), which gives both the same view of the cgroup tree; runc runs bare (it takes the
# hybrid host as it is); on a pure v2 or v1 host every runtime runs bare.  The bundle is `runc
# spec`'s default (process /bin/true, terminal off) on a busybox rootfs.
set -euo pipefail

RUNS=30 HUNDRED=100 OUT= TRACE=false ROUNDS=10
while getopts r:n:o:k:t o; do
  case $o in
  r) RUNS=$OPTARG ;;
  k) ROUNDS=$OPTARG ;;
  n) HUNDRED=$OPTARG ;;
  o) OUT=$OPTARG ;;
  t) TRACE=true ;;
  *) echo "usage: $0 [-r RUNS] [-k ROUNDS] [-n HUNDRED] [-o FILE.md] [-t]" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
COVE=${COVE:-$repo/cove}
CRUN=${CRUN:-$(command -v crun || true)}
RUNC=${RUNC:-$(command -v runc || true)}
BENCH_BIN=${BENCH_BIN:-$repo/build/bench}
FLOOR=$BENCH_BIN/floor FLOORX=$BENCH_BIN/floorx WRAP=$BENCH_BIN/wrap STAMP=$BENCH_BIN/stamp
BUSYBOX=${BUSYBOX:-/bin/busybox}
PROFILE=/usr/share/containers/seccomp.json

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root"
command -v hyperfine >/dev/null || die "needs hyperfine (make deps installs it)"
[ -x "$COVE" ] || die "no cove at $COVE (make)"
[ -x "$FLOOR" ] && [ -x "$FLOORX" ] && [ -x "$WRAP" ] && [ -x "$STAMP" ] ||
  die "no floor, floorx, wrap or stamp program in $BENCH_BIN (make bench builds them)"

WORK=$(mktemp -d /tmp/cove-bench.XXXXXX)
# the state roots and the rootfs on a tmpfs of the bench's own, as /run is on most hosts: every
# runtime's state files then cost what they cost there, and the disk traffic of whatever else
# runs on the machine does not time them
mount -t tmpfs -o mode=755 cove-bench "$WORK" || { rmdir "$WORK"; die "mount a tmpfs on $WORK"; }
RTS=()
# cove's default cgroup parent (/cove in each hierarchy, for containers without a cgroupsPath)
# stays after a delete by design, shared by every such container: the bench removes the ones it
# made, once empty
CG_PRE=" $(ls -d /sys/fs/cgroup/*/cove /sys/fs/cgroup/cove 2>/dev/null | tr '\n' ' ' || true) "
cleanup() {
  local rt d
  for rt in "${RTS[@]}"; do
    # shellcheck disable=SC2086
    for id in $(rt_cmd "$rt" list -q 2>/dev/null); do rt_cmd "$rt" delete -f "$id" >/dev/null 2>&1 || true; done
  done
  for d in /sys/fs/cgroup/*/cove /sys/fs/cgroup/cove; do
    if [ -d "$d" ] && [[ $CG_PRE != *" $d "* ]]; then rmdir "$d" 2>/dev/null || true; fi
  done
  umount "$WORK" 2>/dev/null || umount -l "$WORK"
  rmdir "$WORK"
}
trap cleanup EXIT

hybrid=false
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  hybrid=true
fi

# rt_cmd NAME ARGS...: the runtime NAME with its own state root, wrapped where fairness needs it.
rt_bin() { case $1 in cove) echo "$COVE" ;; base) echo "${COVE_BASE:-}" ;; crun) echo "$CRUN" ;; runc) echo "$RUNC" ;; esac; }
rt_prefix() {
  local p=()
  if $hybrid && [ "$1" != runc ]; then p+=("$WRAP"); fi
  p+=("$(rt_bin "$1")" --root "$WORK/root-$1")
  echo "${p[*]}"
}
rt_cmd() { local rt=$1; shift; $(rt_prefix "$rt") "$@"; }

# ---- the bundles: runc spec's default config on a busybox rootfs ----
mkdir -p "$WORK/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp "$BUSYBOX" "$WORK/rootfs/bin/busybox"
for a in true sh sleep; do ln -s busybox "$WORK/rootfs/bin/$a"; done
chmod 755 "$WORK/rootfs"
(cd "$WORK" && "${RUNC:-$COVE}" spec && mv config.json spec.json)
make_bundle() { # NAME ARGS_JSON [SECCOMP_JSON]
  mkdir -p "$WORK/$1"
  jq --arg root "$WORK/rootfs" --argjson args "$2" --slurpfile sc "${3:-/dev/null}" '
    .root.path = $root | .process.terminal = false | .process.args = $args
    | if ($sc | length) > 0 then .linux.seccomp = $sc[0] else . end' "$WORK/spec.json" >"$WORK/$1/config.json"
}
make_bundle true '["/bin/true"]'
make_bundle sleep '["/bin/sleep","1000"]'
have_profile=false
if [ -r "$PROFILE" ]; then
  # podman's profile in OCI form for this arch and the bundle's capabilities
  caps=$(jq -c '.process.capabilities.bounding' "$WORK/spec.json")
  case $(uname -m) in x86_64) goarch=amd64 scmp=SCMP_ARCH_X86_64 ;; aarch64) goarch=arm64 scmp=SCMP_ARCH_AARCH64 ;; *) goarch=$(uname -m) scmp=SCMP_ARCH_$(uname -m | tr a-z A-Z) ;; esac
  jq --argjson caps "$caps" --arg goarch "$goarch" --arg scmp "$scmp" '
    def has_cap($c): $caps | index($c) != null;
    { defaultAction, defaultErrnoRet,
      architectures: ([.archMap[] | select(.architecture == $scmp) | [.architecture] + .subArchitectures] | first // [$scmp]),
      syscalls: [.syscalls[]
        | select(((.includes.caps // []) | all(has_cap(.)))
                 and ((.includes.arches // []) | length == 0 or any(. == $goarch))
                 and ((.excludes.caps // []) | any(has_cap(.)) | not)
                 and ((.excludes.arches // []) | any(. == $goarch) | not))
        | {names, action}
          + (if .errnoRet != null then {errnoRet} else {} end)
          + (if (.args // []) | length > 0 then {args: [.args[] | {index, value, valueTwo, op}]} else {} end)] }' \
    "$PROFILE" >"$WORK/profile.json"
  make_bundle seccomp '["/bin/true"]' "$WORK/profile.json"
  have_profile=true
fi

# ---- -t: the breakdown of cove's own stages ----
# breakdown TITLE CMD...: RUNS traced runs of CMD ({i} is the run's number); one row per stage.
breakdown() {
  local title=$1 i; shift
  mkdir -p "$WORK/trace"
  for ((i = 0; i < RUNS; i++)); do
    sleep 0.05 # as the `spaced` row: a start after a quiet spell, the common case
    "$STAMP" "${@//\{i\}/$i}" 2>&1 >/dev/null </dev/null | grep '^cove-trace ' | sort -k3,3n >"$WORK/trace/$i" ||
      die "$title: run $i failed"
  done
  echo "$title: $RUNS runs 50 ms apart, ms since the previous stamp (any process): median [first quartile, third quartile]"
  echo
  echo "| # | stage | median | quartiles |"
  echo "|---|---|---|---|"
  # per run: the stage (repeated names numbered), its place, the time since the previous stamp
  for i in "$WORK"/trace/*; do
    awk '{ s = $4; for (k = 5; k <= NF; k++) s = s " " $k; if (++seen[s] > 1) s = s " #" seen[s]
           if (NR > 1) printf "%d\t%s\t%.3f\n", NR, s, ($3 - prev) / 1e6; else first = $3; prev = $3 }
         END { printf "%d\t%s\t%.3f\n", 10000, "total, first stamp to last", (prev - first) / 1e6 }' "$i"
  done | sort -t$'\t' -k2,2 -k3,3n | awk -F'\t' '
    { k = $2; v[k, ++n[k]] = $3; at[k] += $1 }
    END { for (k in n) { c = n[k]; printf "%.2f\t%s\t%.3f\t%.3f\t%.3f\t%d\n", at[k] / c, k, v[k, int((c + 1) / 2)],
                          v[k, int((c + 3) / 4)], v[k, int((3 * c + 3) / 4)], c } }' |
    sort -n | awk -F'\t' -v runs="$RUNS" '{ printf "| %d | %s%s | %.3f | %.3f .. %.3f |\n", NR, $2, ($6 < runs ? " (" $6 " runs)" : ""), $3, $4, $5 }'
  echo
  rm -rf "$WORK/trace"
}
if $TRACE; then
  mkdir -p "$WORK/root-cove" && chmod 700 "$WORK/root-cove"
  cove_bare="$COVE --root $WORK/root-cove"
  {
    echo "cove breakdown: $(uname -r), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    # shellcheck disable=SC2086
    breakdown '`cove run` of /bin/true (bare)' $cove_bare run --bundle "$WORK/true" "t$$-{i}"
    # shellcheck disable=SC2086
    $cove_bare run -d --bundle "$WORK/sleep" "x$$-t" </dev/null >/dev/null
    # shellcheck disable=SC2086
    breakdown '`cove exec` of /bin/true (bare)' $cove_bare exec "x$$-t" /bin/true
    # shellcheck disable=SC2086
    $cove_bare delete -f "x$$-t" >/dev/null
  } | tee ${OUT:+"$OUT"}
  exit 0
fi

# ---- which runtimes work here ----
for rt in cove base crun runc; do
  [ "$rt" != base ] || [ -n "${COVE_BASE:-}" ] || continue
  [ -n "$(rt_bin "$rt")" ] || { echo "# $rt: not installed" >&2; continue; }
  mkdir -p "$WORK/root-$rt" && chmod 700 "$WORK/root-$rt"
  if out=$(rt_cmd "$rt" run --bundle "$WORK/true" probe 2>&1); then
    RTS+=("$rt")
  else
    echo "# $rt: fails here: $(echo "$out" | tail -n 1)" >&2
  fi
  rt_cmd "$rt" delete -f probe >/dev/null 2>&1 || true
done
[ "${RTS[0]:-}" = cove ] || die "cove itself fails to run the bundle"
has() { local x; for x in "${RTS[@]}"; do [ "$x" = "$1" ] && return 0; done; return 1; }

# ---- scripts for the rows that are more than one command ----
cat >"$WORK/lifecycle.sh" <<'EOF'
#!/bin/bash
# lifecycle.sh BUNDLE ID RUNTIME...: create, start, wait until stopped, delete
set -e
b=$1 id=$2; shift 2
"$@" create --bundle "$b" "$id"
"$@" start "$id"
until "$@" state "$id" | grep -q '"status": *"stopped"'; do :; done
"$@" delete "$id"
EOF
cat >"$WORK/hundred.sh" <<'EOF'
#!/bin/bash
# hundred.sh BUNDLE N PREFIX RUNTIME...: N containers started detached, killed, deleted
set -e
b=$1 n=$2 p=$3; shift 3
for ((i = 0; i < n; i++)); do "$@" run -d --bundle "$b" "$p$i" </dev/null >/dev/null; done
for ((i = 0; i < n; i++)); do "$@" kill "$p$i" KILL; done
for ((i = 0; i < n; i++)); do "$@" delete -f "$p$i"; done
EOF
chmod +x "$WORK"/*.sh

# row NAME RUNS CMD-TEMPLATE: every runtime timed by hyperfine, in ROUNDS rounds (at most RUNS)
# of RUNS/ROUNDS runs each, the order of the commands rotated from round to round, so that a
# change of load on the shared machine falls on all of them alike; {rt} in the template is the runtime's command
# prefix, {name} its name (container ids differ per runtime: without a cgroupsPath each runtime
# puts the container in a cgroup named by its id).  Per command: mean, standard deviation and
# median over all rounds (ms) go to $WORK/NAME.stats.
row() {
  local name=$1 runs=$2 tmpl=$3 names=() cmds=() preps=() rt i k per
  for rt in "${RTS[@]}"; do
    local cmd=${tmpl//\{rt\}/$(rt_prefix "$rt")}
    names+=("$rt") cmds+=("${cmd//\{name\}/$rt}")
  done
  for rt in "${FLOORS[@]}"; do names+=("$rt") cmds+=("${FLOOR_CMD[$rt]}"); done
  for rt in "${names[@]}"; do preps+=("${PREP[$rt]:-}"); done
  local rounds=$((ROUNDS < runs ? ROUNDS : runs))
  per=$(((runs + rounds - 1) / rounds))
  for ((k = 0; k < rounds; k++)); do
    local args=() order=()
    for ((i = 0; i < ${#names[@]}; i++)); do order+=($(((i + k) % ${#names[@]}))); done
    for i in "${order[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    # a command with a prepare step (PREP[name]) needs one for every command of the row
    if [ "${#PREP[@]}" -gt 0 ]; then
      for i in "${order[@]}"; do args+=(--prepare "${preps[$i]:-true}"); done
    fi
    hyperfine -N -w $((k ? 0 : 2)) -r "$per" --export-json "$WORK/$name.$k.json" "${args[@]}" >"$WORK/$name.log" 2>&1 ||
      { cat "$WORK/$name.log" >&2; die "row $name failed"; }
  done
  jq -rs '[.[].results[]] | group_by(.command)[] | (map(.times) | add | sort) as $t
    | ($t | add / length) as $m
    | "\(.[0].command) \($m * 1000) \(($t | map((. - $m) * (. - $m)) | add / length | sqrt) * 1000) \(if ($t | length) % 2 == 1 then $t[($t | length - 1) / 2] else ($t[($t | length) / 2 - 1] + $t[($t | length) / 2]) / 2 end * 1000)"' \
    "$WORK/$name".*.json >"$WORK/$name.stats"
}
# stat ROW COMMAND [FIELD]: 2 the mean (default), 3 the standard deviation, 4 the median (ms)
stat() { awk -v c="$2" -v f="${3:-2}" '$1 == c {printf "%.2f", $f}' "$WORK/$1.stats"; }
mean() { stat "$1" "$2" 2; }
cell() { local m; m=$(mean "$1" "$2"); [ -n "$m" ] && echo "$m ± $(stat "$1" "$2" 3)" || echo -; }

declare -A PREP=()
declare -A FLOOR_CMD=([floor]="$FLOOR $WORK/rootfs" [floor+cgroups]="$FLOOR $WORK/rootfs cove-bench-floor-$$"
  [cove-bare]="$COVE --root $WORK/root-cove run --bundle $WORK/true r$$-bare")
FLOORS=(floor floor+cgroups)
! $hybrid || FLOORS+=(cove-bare)
if $hybrid && has base; then
  FLOOR_CMD[base-bare]="$COVE_BASE --root $WORK/root-base run --bundle $WORK/true r$$-basebare"
  FLOORS+=(base-bare)
fi
row run "$RUNS" "{rt} run --bundle $WORK/true r$$-{name}"
FLOORS=()
# the same with 50 ms between runs (untimed): back to back, every cgroup.procs write but the
# first finds the kernel's cgroup threadgroup lock still in its fast state; a container started
# after a quiet spell pays an RCU grace period for it (docs/performance.md)
for rt in "${RTS[@]}"; do PREP[$rt]="sleep 0.05"; done
row spaced "$RUNS" "{rt} run --bundle $WORK/true q$$-{name}"
PREP=()
row lifecycle "$RUNS" "$WORK/lifecycle.sh $WORK/true l$$-{name} {rt}"
for rt in "${RTS[@]}"; do rt_cmd "$rt" run -d --bundle "$WORK/sleep" "x$$-$rt" </dev/null >/dev/null; done
# the exec floors (bench/floorx.c) into cove's container: setns + clone + exec; the same with the
# cgroup joins; the same with the re-exec from a sealed copy that every runtime pays
xpid=$(rt_cmd cove state "x$$-cove" | jq -r .pid)
FLOOR_CMD[floorx]="$FLOORX $xpid" FLOOR_CMD[floorx+cgroups]="$FLOORX -c $xpid" FLOOR_CMD[floorx+sealed]="$FLOORX -s -c $xpid"
FLOOR_CMD[cove-exec-bare]="$COVE --root $WORK/root-cove exec x$$-cove /bin/true"
FLOOR_CMD[floorx+sealed-wrapped]="$WRAP $FLOORX -s -c $xpid"
FLOORS=(floorx floorx+cgroups floorx+sealed)
! $hybrid || FLOORS+=(cove-exec-bare floorx+sealed-wrapped)
row exec "$RUNS" "{rt} exec x$$-{name} /bin/true"
FLOORS=()
# and one every 50 ms, as health checks and `kubectl exec` come (see `spaced`)
for rt in "${RTS[@]}"; do PREP[$rt]="sleep 0.05"; done
row xspaced "$RUNS" "{rt} exec x$$-{name} /bin/true"
PREP=()
for rt in "${RTS[@]}"; do rt_cmd "$rt" delete -f "x$$-$rt" >/dev/null; done
row hundred 3 "$WORK/hundred.sh $WORK/sleep $HUNDRED h$$-{name}- {rt}"
rows=(run spaced lifecycle exec xspaced hundred)
if $have_profile; then
  # cove-cold: the compiled-filter cache removed before every run, so libseccomp compiles the
  # profile each time, as crun 1.8.1 and runc do
  FLOOR_CMD[cove-cold]="$(rt_prefix cove) run --bundle $WORK/seccomp s$$-cold"
  PREP[cove-cold]="rm -rf $WORK/root-cove/.cove/seccomp-cache"
  FLOORS=(cove-cold)
  row seccomp "$RUNS" "{rt} run --bundle $WORK/seccomp s$$"
  FLOORS=() PREP=()
  rows+=(seccomp)
fi

declare -A LABEL=([run]='`run` /bin/true' [spaced]='`run` /bin/true, one every 50 ms' [lifecycle]='create + start + wait + delete' [exec]='`exec` /bin/true' [xspaced]='`exec` /bin/true, one every 50 ms'
  [hundred]="$HUNDRED containers started, killed, deleted" [seccomp]="\`run\` with podman's seccomp profile")
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}' || echo -; }
{
  echo "cove bench: $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r), $(nproc) cpus, $($hybrid && echo 'hybrid cgroups (crun and cove through bench/wrap)' || echo "$(stat -f -c %T /sys/fs/cgroup) cgroups"), $RUNS runs per row (3 for the $HUNDRED containers) in $ROUNDS rounds, means ± standard deviation"
  echo "cove $("$COVE" --version | head -n 1 | awk '{print $NF}'); $(has crun && "$CRUN" --version | head -n 1); $(has runc && "$RUNC" --version | head -n 1)"
  echo
  bh= bs=
  ! has base || bh=" base ms | cove / base |" bs="---|---|"
  echo "| workload | cove ms | crun ms | runc ms | cove / crun | cove / runc | cove / crun, medians |$bh"
  echo "|---|---|---|---|---|---|---|$bs"
  for r in "${rows[@]}"; do
    c=$(mean "$r" cove) k=$(has crun && mean "$r" crun || true) u=$(has runc && mean "$r" runc || true)
    b=
    ! has base || b=" $(cell "$r" base) | $(ratio "$c" "$(mean "$r" base)") |"
    echo "| ${LABEL[$r]} | $(cell "$r" cove) | $(cell "$r" crun) | $(cell "$r" runc) | $(ratio "$c" "$k") | $(ratio "$c" "$u") |" \
      "$(ratio "$(stat "$r" cove 4)" "$(stat "$r" crun 4)") |$b"
  done
  f=$(mean run floor) fc=$(mean run floor+cgroups) c=$(mean run cove)
  ! $hybrid || c=$(mean run cove-bare)
  echo
  echo "floor (clone into the namespaces + pivot_root + exec): $f ms; with this host's cgroup writes: $fc ms."
  echo "cove \`run\`$($hybrid && echo ' (bare, no wrapper)'): $c ms = $(ratio "$c" "$f") x the floor, $(ratio "$c" "$fc") x the floor with cgroups."
  x=$(mean exec floorx) xc=$(mean exec floorx+cgroups) xs=$(mean exec floorx+sealed) c=$(mean exec cove)
  ! $hybrid || c=$(mean exec cove-exec-bare)
  echo "exec floor (setns + clone + exec): $x ms; with the cgroup joins: $xc ms; with the re-exec from a sealed copy too: $xs ms."
  xw=$xs
  ! $hybrid || xw=$(mean exec floorx+sealed-wrapped)
  echo "cove \`exec\`$($hybrid && echo ' (bare)'): $c ms = $(ratio "$c" "$xs") x the sealed exec floor; that floor$($hybrid && echo " through the wrapper ($xw ms)") is $(ratio "$xw" "$(mean exec crun)") x crun's \`exec\`."
  if $hybrid && has base; then
    b=$(mean run base-bare)
    echo "base \`run\` (bare): $b ms = $(ratio "$b" "$f") x the floor; cove / base bare: $(ratio "$c" "$b")."
  fi
  if $have_profile; then
    c=$(mean seccomp cove-cold)
    echo "\`run\` with podman's profile and cove's compiled-filter cache removed before every run: $(cell seccomp cove-cold) ms" \
      "= $(ratio "$c" "$(mean seccomp crun)") x crun, $(ratio "$c" "$(mean seccomp runc)") x runc."
  fi
} | tee ${OUT:+"$OUT"}
# with -o: every command's mean, standard deviation and median (ms) per row beside the table
if [ -n "$OUT" ]; then
  for r in "${rows[@]}"; do sed "s/^/$r /" "$WORK/$r.stats"; done >"${OUT%.md}.stats"
fi
for d in /sys/fs/cgroup/*/cove-bench-floor-$$; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
