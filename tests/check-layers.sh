#!/usr/bin/env bash
# check-layers.sh BUILD [DIR...]: the files of each module DIR stand in layers: no file calls
# another that calls it back, directly or around a longer loop.  The file-level call graph comes
# from the objects in BUILD/DIR (nm: which file defines a symbol another one uses), tsort finds
# the loops.  Without DIRs it checks the modules listed here, and then the modules themselves:
# no module calls one that calls it back (DESIGN.md: cmd -> runtime -> {cgroups, netns, seccomp,
# oci} -> common; runtime/rootfs and runtime/criu count as modules of their own).  Prints TAP;
# exits 1 on a loop.
# `make unit` and `make check` run it; every module is in LAYERED.
set -u
LAYERED=(runtime cmd oci cgroups seccomp netns common runtime/rootfs runtime/criu)
MODULES=(common oci cgroups seccomp netns runtime runtime/rootfs runtime/criu cmd)
build=$1
shift
all_modules=false
if [ $# -eq 0 ]; then
  set -- "${LAYERED[@]}"
  all_modules=true
fi
rc=0
n=0

# call_edges NAME OBJ...: "caller callee" for every symbol one object uses and another defines,
# callers and callees named by NAME: file (the object's name) or module (its directory)
call_edges() {
  local name=$1 o f
  shift
  for o in "$@"; do
    if [ "$name" = file ]; then
      f=${o##*/}
      f=${f%.o}
    else
      f=${o#"$build"/}
      f=${f%/*}
    fi
    nm "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ && NF == 3 {print "def", f, $3} $1 == "U" && NF == 2 {print "use", f, $2}'
  done | awk '$1 == "def" {owner[$3] = $2; next}
              {uses[NR] = $2 " " $3}
              END {for (i in uses) {split(uses[i], u, " "); o = owner[u[2]];
                                    if (o != "" && o != u[1]) print u[1], o}}' | sort -u
}

# the objects of the sources of DIR that exist (a stale object of a removed file does not count)
objects_of() {
  local c
  for c in "$1"/*.c; do echo "$build/${c%.c}.o"; done
}

for dir in "$@"; do
  n=$((n + 1))
  mapfile -t objs < <(objects_of "$dir")
  if [ ! -e "${objs[0]}" ]; then
    echo "not ok $n - $dir: no objects in $build/$dir (run make first)"
    rc=1
    continue
  fi
  edges=$(call_edges file "${objs[@]}")
  loops=$( (echo "$edges" | tsort >/dev/null) 2>&1)
  if [ -n "$loops" ]; then
    echo "not ok $n - $dir: files call each other in a loop"
    sed 's/^/# /' <<<"$loops"
    rc=1
  else
    echo "ok $n - $dir: no two files call each other ($(wc -l <<<"$edges") calls between files)"
  fi
done
if $all_modules; then
  n=$((n + 1))
  objs=()
  for m in "${MODULES[@]}"; do mapfile -t -O "${#objs[@]}" objs < <(objects_of "$m"); done
  edges=$(call_edges module "${objs[@]}")
  loops=$( (echo "$edges" | tsort >/dev/null) 2>&1)
  if [ -n "$loops" ]; then
    echo "not ok $n - modules call each other in a loop"
    sed 's/^/# /' <<<"$loops"
    rc=1
  else
    echo "ok $n - modules: no two call each other ($(awk '{printf "%s%s->%s", (NR > 1 ? ", " : ""), $1, $2}' <<<"$edges"))"
  fi
fi
echo "1..$n"
exit $rc
