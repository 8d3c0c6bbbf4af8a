#!/usr/bin/env bats
# What a newcomer gets besides the binary: man pages covering every flag, shell completion
# generated from the parser's own flag tables, `make install` / `make uninstall`.  Every list of
# commands and flags here is read from cove itself (its --help and completion output, both
# printed from the tables the parser uses), never copied into the test.

load helpers

setup() {
  TEST_TMP=$(mktemp -d /tmp/cove-install.XXXXXX)
  COVE_ROOT=$TEST_TMP/state
  mkdir -p "$COVE_ROOT"
}

teardown() {
  rm -rf "$TEST_TMP"
}

# Every command of cove's table, hidden ones included (the arms of the generated bash completion).
all_verbs() {
  "$COVE" completion bash | sed -n '/case \$verb in/,/^  \*) return 0/p' | grep -oE '^  [a-z]+\)' | tr -d ' )'
}

# The long flags of a command (or of cove itself with no argument), from its --help.
help_flags() {
  "$COVE" ${1:+"$1"} --help | grep -oE '^ +(-[a-z], )?--[a-z0-9-]+' | grep -oE -- '--[a-z0-9-]+' | sort -u
}

# The run.cove.* annotation keys cove's code parses.
annotation_keys() {
  grep -ohE '"run\.cove\.rootfs\.[a-z]+"' "$REPO"/runtime/rootfs/*.c | tr -d '"'
  grep -ohE 'NETNS_ANNOTATION_PREFIX "[a-z]+"' "$REPO"/netns/plan.c | sed 's/.*"\(.*\)"/run.cove.net.\1/'
}

@test "every command has a man page that names each of its flags" {
  local verbs verb f missing=
  verbs=$(all_verbs)
  [ "$(wc -w <<<"$verbs")" -ge 17 ]
  for verb in $verbs; do
    [ -f "$REPO/docs/man/cove-$verb.8.md" ] || missing+=" cove-$verb.8.md"
    for f in $(help_flags "$verb"); do
      grep -qF -- "**$f**" "$REPO/docs/man/cove-$verb.8.md" || missing+=" $verb:$f"
    done
    grep -qF "**$verb**" "$REPO/docs/man/cove.8.md" || missing+=" cove.8:$verb"
  done
  for f in $(help_flags); do
    grep -qF -- "**$f**" "$REPO/docs/man/cove.8.md" || missing+=" cove.8:$f"
  done
  [ "$(annotation_keys | wc -l)" -ge 8 ]
  for f in $(annotation_keys); do
    grep -qF -- "**$f**" "$REPO/docs/man/cove.8.md" || missing+=" cove.8:$f"
  done
  for verb in $verbs; do
    grep -q '^# EXIT STATUS' "$REPO/docs/man/cove-$verb.8.md" || missing+=" cove-$verb.8:exit-status"
  done
  echo "missing:$missing"
  [ -z "$missing" ]
}

@test "the man pages build with go-md2man and render" {
  local out=$TEST_TMP/man p
  mkdir -p "$out"
  for p in "$REPO"/docs/man/*.md; do
    go-md2man -in "$p" -out "$out/$(basename "$p" .md)"
  done
  run man -l "$out/cove-run.8"
  assert_success
  assert_output --partial "cove-run - create and start a container"
  assert_output --partial "--pidfd-socket"
  run man -l "$out/cove.8"
  assert_output --partial "run.cove.net.bridge"
}

# complete WORDS...: what the bash completion offers for the last word.
complete_bash() {
  bash -c 'source <("$0" completion bash); COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cove; printf "%s\n" "${COMPREPLY[@]}"' \
    "$COVE" "$@" | sed '/^$/d' | sort -u
}

@test "bash completion offers exactly the flags of every command's table" {
  local verb diffs=
  for verb in $(all_verbs); do
    if ! diff <(help_flags "$verb") <(complete_bash cove "$verb" --); then
      diffs+=" $verb"
    fi
  done
  diff <(help_flags) <(complete_bash cove --) || diffs+=" (global)"
  [ -z "$diffs" ]
  # and the commands, which the hidden completion is not one of
  run complete_bash cove ''
  assert_line run
  assert_line update
  refute_line completion
}

@test "bash completion completes container ids from cove list -q (under the --root given), signals and flag values" {
  mkdir -p "$COVE_ROOT/alpha" "$COVE_ROOT/beta"
  # a stand-in cove that answers `list -q` the way cove does, under the root it is given
  cat >"$TEST_TMP/cove" <<EOF
#!/bin/sh
[ "\$1 \$2 \$3 \$4" = "--root $COVE_ROOT list -q" ] && { echo alpha; echo beta; exit 0; }
exec "$COVE" "\$@"
EOF
  chmod +x "$TEST_TMP/cove"
  run complete_bash "$TEST_TMP/cove" --root "$COVE_ROOT" start ''
  assert_output "$(printf 'alpha\nbeta')"
  run complete_bash "$TEST_TMP/cove" --root "$COVE_ROOT" exec -t al
  assert_output alpha
  run complete_bash "$TEST_TMP/cove" --root "$COVE_ROOT" kill alpha K
  assert_line KILL
  run complete_bash cove list --format ''
  assert_output "$(printf 'json\ntable')"
  run complete_bash cove update --cpu-idle ''
  assert_output "$(printf '0\n1')"
  # a flag's value is not taken for the id
  run complete_bash "$TEST_TMP/cove" --root "$COVE_ROOT" run --bundle /tmp b
  assert_output beta
}

@test "fish completion names every flag of every command; zsh loads the same bash completion" {
  command -v fish >/dev/null || fail "fish is missing: tests/deps.sh installs it"
  command -v zsh >/dev/null || fail "zsh is missing: tests/deps.sh installs it"
  local verb f missing= script=$TEST_TMP/cove.fish
  "$COVE" completion fish >"$script"
  for verb in $(all_verbs); do
    for f in $(help_flags "$verb"); do
      PATH=$REPO:$PATH fish -c "source $script; complete -C 'cove $verb $f'" | grep -qE -- "^$f(\s|$)" || missing+=" $verb:$f"
    done
  done
  [ -z "$missing" ] || { echo "fish misses:$missing"; false; }
  run fish -c "source $script; complete -C 'cove upd'"
  assert_output --partial update
  "$COVE" completion zsh >"$TEST_TMP/_cove"
  # zsh calls the function as bashcompinit does: in sh emulation (0-based arrays)
  cat >"$TEST_TMP/t.zsh" <<EOF
autoload -U compinit && compinit -u -d $TEST_TMP/zcompdump
source $TEST_TMP/_cove
COMP_WORDS=(cove update --cpu-)
COMP_CWORD=2
emulate sh -c '_cove_bash; printf "%s\\n" "\${COMPREPLY[@]}"'
EOF
  run zsh "$TEST_TMP/t.zsh"
  assert_success
  assert_line --cpu-share
  assert_line --cpu-burst
}

@test "make install PREFIX DESTDIR installs every file; make uninstall removes them all" {
  local dest=$TEST_TMP/dest f list
  list=$(make -s -C "$REPO" install-list PREFIX=/opt/cove-test)
  [ "$(wc -l <<<"$list")" -ge 25 ]
  make -s -C "$REPO" install PREFIX=/opt/cove-test DESTDIR="$dest" >/dev/null
  for f in $list; do
    [ -f "$dest$f" ] || fail "not installed: $f"
  done
  # nothing installed that the list does not name
  [ "$(cd "$dest" && find . -type f | sed 's/^\.//' | sort)" = "$(sort <<<"$list")" ]
  [ "$(stat -c %a "$dest/opt/cove-test/bin/cove")" = 755 ]
  run "$dest/opt/cove-test/bin/cove" --version
  assert_success
  [ -f "$dest/opt/cove-test/share/man/man8/cove-run.8" ]
  run env MANPATH="$dest/opt/cove-test/share/man" man cove-run
  assert_success
  assert_output --partial "cove-run - create and start a container"
  [ -f "$dest/opt/cove-test/share/bash-completion/completions/cove" ]
  [ -f "$dest/opt/cove-test/share/doc/cove/examples/systemd/cove@.service" ]
  # the examples name the installed binary
  grep -q 'ExecStart=/opt/cove-test/bin/cove run' "$dest/opt/cove-test/share/doc/cove/examples/systemd/cove@.service"
  run -1 grep -r '@BINDIR@' "$dest/opt/cove-test/share/doc/cove"
  make -s -C "$REPO" uninstall PREFIX=/opt/cove-test DESTDIR="$dest" >/dev/null
  [ -z "$(find "$dest" -type f)" ]
  [ ! -e "$dest/opt/cove-test/share/doc/cove" ]
}
