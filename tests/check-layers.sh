#!/usr/bin/env bash
# check-layers.sh BUILD [DIR...]: the files of each module DIR stand in layers: no file calls
# another that calls it back, directly or around a longer loop.  The file-level call graph comes
# from the objects in BUILD/DIR (nm: which file defines a symbol another one uses), tsort finds
# the loops.  Prints TAP; exits 1 when a module has a loop.  `make unit` and `make check` run it
# on the modules listed here; add a module once its loops are gone (runtime: once create.c and
# init.c no longer call each other).
set -u
LAYERED=(cmd oci cgroups seccomp netns common runtime/rootfs)
build=$1
shift
[ $# -gt 0 ] || set -- "${LAYERED[@]}"
rc=0
n=0
for dir in "$@"; do
  n=$((n + 1))
  # the objects of the sources that exist (a stale object of a removed file does not count)
  objs=()
  for c in "$dir"/*.c; do objs+=("$build/${c%.c}.o"); done
  if [ ! -e "${objs[0]}" ]; then
    echo "not ok $n - $dir: no objects in $build/$dir (run make first)"
    rc=1
    continue
  fi
  # "file symbol" for every definition, "use file symbol" for every use
  edges=$(for o in "${objs[@]}"; do
    f=${o##*/}
    f=${f%.o}
    nm "$o" | awk -v f="$f" '$2 ~ /^[TDBR]$/ && NF == 3 {print "def", f, $3} $1 == "U" && NF == 2 {print "use", f, $2}'
  done | awk '$1 == "def" {owner[$3] = $2; next}
              {uses[NR] = $2 " " $3}
              END {for (i in uses) {split(uses[i], u, " "); o = owner[u[2]];
                                    if (o != "" && o != u[1]) print u[1], o}}' | sort -u)
  loops=$( (echo "$edges" | tsort >/dev/null) 2>&1)
  if [ -n "$loops" ]; then
    echo "not ok $n - $dir: files call each other in a loop"
    sed 's/^/# /' <<<"$loops"
    rc=1
  else
    echo "ok $n - $dir: no two files call each other ($(wc -l <<<"$edges") calls between files)"
  fi
done
echo "1..$n"
exit $rc
