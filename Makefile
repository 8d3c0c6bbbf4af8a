# cove: an OCI container runtime.  `make` builds ./cove; `make check` installs what the tests
# need, builds, and runs the unit and integration tests; `make demo` runs a container.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
DESTDIR     ?=
BUILD       ?= build
CC          ?= gcc
PKGS        := libseccomp libcap yajl libmnl libprotobuf-c libsystemd
# V=1 shows the full command lines.
Q           := $(if $(V),,@)

PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libseccomp, libcap, yajl and libprotobuf-c are linked in from their static archives where the
# system has them (Debian: libseccomp.a, libcap.a, libyajl_s.a, libprotobuf-c.a; libmnl ships
# none, libm cannot go static beside a dynamic libc): every exec of cove (two per `run` and
# `exec`, see runtime/selfexe.c) then has only libc, libm and libmnl to map and relocate.
# STATIC_LIBS= links them all dynamically.  NAME:ARCHIVE: -lNAME of pkg-config, libARCHIVE.a.
STATIC_LIBS ?= seccomp:seccomp cap:cap yajl:yajl_s protobuf-c:protobuf-c
static_ar    = $(filter /%,$(shell $(CC) -print-file-name=lib$(1).a))
LIB_STATIC  := $(foreach s,$(STATIC_LIBS),$(if $(call static_ar,$(word 2,$(subst :, ,$(s)))),$(word 2,$(subst :, ,$(s)))))
LIB_DYNAMIC := $(filter-out $(foreach s,$(STATIC_LIBS),$(if $(call static_ar,$(word 2,$(subst :, ,$(s)))),-l$(word 1,$(subst :, ,$(s))))),$(shell pkg-config --libs $(PKGS) 2>/dev/null))
LINK_STATIC := -Wl,-Bstatic $(addprefix -l,$(LIB_STATIC)) -Wl,-Bdynamic
# libsystemd is loaded when first called (common/libsystemd.c), never linked: headers only
PKG_LIBS    := $(if $(LIB_STATIC),$(LINK_STATIC)) $(filter-out -lsystemd,$(LIB_DYNAMIC)) -lm

OPTFLAGS    ?= -O2 -g
HARDEN      := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
WARN        := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wvla
CFLAGS_ALL  := -std=gnu17 $(OPTFLAGS) $(HARDEN) $(WARN) -D_GNU_SOURCE -DCOVE_VERSION=\"$(VERSION)\" \
               -I. -I$(BUILD)/gen $(PKG_CFLAGS) $(EXTRA_CFLAGS) $(CFLAGS)
# --build-id: the seccomp cache is keyed by the binary's build id (seccomp/key.c)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now -Wl,--build-id=sha1 $(EXTRA_LDFLAGS) $(LDFLAGS)

MODULES     := common oci cgroups seccomp netns runtime runtime/rootfs runtime/criu cmd
LIB_SRCS    := $(sort $(foreach m,$(filter-out cmd,$(MODULES)),$(wildcard $(m)/*.c)))
CMD_SRCS    := $(sort $(wildcard cmd/*.c))
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/criu/rpc.pb-c.o
CMD_OBJS    := $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIB         := $(BUILD)/libcove.a

UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/helper/*.c))

.PHONY: all deps check unit integration demo asan fuzz install clean format bench install-list

all: cove

cove: $(BUILD)/cove
	@cp $< $@

$(BUILD)/cove: $(CMD_OBJS) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $(CMD_OBJS) $(LIB) $(PKG_LIBS)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

# CRIU's RPC messages (`criu swrk`, runtime/criu/): C generated at build time by protoc-c from the
# rpc.proto the criu package installs; never checked in.
CRIU_RPC_PROTO ?= /usr/include/criu/rpc.proto
$(BUILD)/gen/criu/rpc.pb-c.c $(BUILD)/gen/criu/rpc.pb-c.h &: $(wildcard $(CRIU_RPC_PROTO))
	@test -r $(CRIU_RPC_PROTO) || { echo "no $(CRIU_RPC_PROTO) (make deps: the criu package ships it)" >&2; exit 1; }
	@command -v protoc-c >/dev/null || { echo "no protoc-c (make deps: protobuf-c-compiler)" >&2; exit 1; }
	@mkdir -p $(BUILD)/gen/criu
	@echo "  PROTOC  $(CRIU_RPC_PROTO)"
	$(Q)protoc-c --proto_path=$(dir $(CRIU_RPC_PROTO)) --c_out=$(BUILD)/gen/criu $(CRIU_RPC_PROTO)

$(BUILD)/gen/criu/rpc.pb-c.o: $(BUILD)/gen/criu/rpc.pb-c.c
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Wno-shadow -c -o $@ $<

$(filter $(BUILD)/runtime/criu/%.o,$(LIB_OBJS)): $(BUILD)/gen/criu/rpc.pb-c.h

# Unit tests: one cmocka binary per tests/unit/test_*.c, linked against libcove.a.
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS) $(shell pkg-config --libs cmocka)

# The static helper binary placed in test rootfs bundles (like crun's tests/init.c).
$(BUILD)/cove-test-helper: $(HELPER_SRCS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o $@ $(HELPER_SRCS)

# tests/kernel/nosys: runs a command with named system calls failing, as on an older kernel
# (kernel_floor.bats, fs_fallback.bats).
$(BUILD)/nosys: tests/kernel/nosys.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o $@ $<

deps:
	@tests/deps.sh

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)
	@tests/check-layers.sh $(BUILD)

integration: cove $(if $(HELPER_SRCS),$(BUILD)/cove-test-helper) $(BUILD)/nosys
	@tests/run-integration.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(if $(HELPER_SRCS),$(BUILD)/cove-test-helper) $(BUILD)/nosys
	@tests/run-all.sh "$(BUILD)" $(UNIT_BINS)

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/demo.sh

# AddressSanitizer + UBSan build in its own directory; CI runs the unit tests under it.
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan OPTFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  HARDEN="" EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" LDFLAGS_ALL="-fsanitize=address,undefined" \
	  build-asan/cove $(UNIT_BINS:$(BUILD)/%=build-asan/%)

asan-unit: asan
	@tests/run-unit.sh $(UNIT_BINS:$(BUILD)/%=build-asan/%)

# libFuzzer target for the config parser (clang).  FUZZ_SECONDS bounds the run.
FUZZ_SECONDS ?= 60
fuzz:
	@mkdir -p build-fuzz
	clang -std=gnu17 -g -O1 -D_GNU_SOURCE -I. $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all \
	  -o build-fuzz/fuzz-config tests/fuzz/fuzz_config.c common/*.c oci/*.c $(PKG_LIBS)
	@mkdir -p build-fuzz/corpus
	build-fuzz/fuzz-config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -dict=tests/fuzz/config.dict \
	  build-fuzz/corpus tests/fuzz/seeds

# The benchmark (bench/bench.sh): cove against crun and runc, paired per row; not a test.
$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=gnu17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/floor $(BUILD)/bench/floorx $(BUILD)/bench/wrap $(BUILD)/bench/stamp
	@BENCH_BIN=$(BUILD)/bench bench/bench.sh $(BENCH_ARGS)

# Man pages (docs/man/*.md, built with go-md2man as runc's and crun's) and shell completion
# (generated by the built binary from the flag tables its parser uses).
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
DOCDIR      ?= $(DATADIR)/doc/cove
MAN_PAGES   := $(patsubst docs/man/%.md,$(BUILD)/man/%,$(sort $(wildcard docs/man/*.md)))
COMPLETIONS := $(BUILD)/completion/cove.bash $(BUILD)/completion/_cove $(BUILD)/completion/cove.fish
DOC_FILES   := README.md docs/engines.md
CONTRIB     := $(sort $(wildcard contrib/*/*))
# every installed file, relative to DESTDIR (uninstall removes exactly these)
INSTALLED   := $(BINDIR)/cove $(MAN_PAGES:$(BUILD)/man/%=$(MANDIR)/man8/%) \
               $(DATADIR)/bash-completion/completions/cove $(DATADIR)/zsh/vendor-completions/_cove \
               $(DATADIR)/fish/vendor_completions.d/cove.fish \
               $(addprefix $(DOCDIR)/,$(notdir $(DOC_FILES))) $(CONTRIB:contrib/%=$(DOCDIR)/examples/%)

.PHONY: man completion uninstall

man: $(MAN_PAGES)

$(BUILD)/man/%: docs/man/%.md
	@mkdir -p $(dir $@)
	@echo "  MAN     $@"
	$(Q)go-md2man -in $< -out $@

completion: $(COMPLETIONS)

$(BUILD)/completion/cove.bash: $(BUILD)/cove
	@mkdir -p $(dir $@)
	$(Q)$< completion bash >$@
$(BUILD)/completion/_cove: $(BUILD)/cove
	@mkdir -p $(dir $@)
	$(Q)$< completion zsh >$@
$(BUILD)/completion/cove.fish: $(BUILD)/cove
	@mkdir -p $(dir $@)
	$(Q)$< completion fish >$@

install: cove man completion
	install -D -m 0755 cove $(DESTDIR)$(BINDIR)/cove
	$(Q)for p in $(MAN_PAGES); do install -D -m 0644 $$p $(DESTDIR)$(MANDIR)/man8/$${p##*/} || exit 1; done
	install -D -m 0644 $(BUILD)/completion/cove.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/cove
	install -D -m 0644 $(BUILD)/completion/_cove $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_cove
	install -D -m 0644 $(BUILD)/completion/cove.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/cove.fish
	$(Q)for f in $(DOC_FILES); do install -D -m 0644 $$f $(DESTDIR)$(DOCDIR)/$${f##*/} || exit 1; done
	$(Q)for f in $(CONTRIB); do \
	  install -d $(DESTDIR)$(DOCDIR)/examples/$$(dirname $${f#contrib/}) && \
	  sed 's|@BINDIR@|$(BINDIR)|g' $$f >$(DESTDIR)$(DOCDIR)/examples/$${f#contrib/} && \
	  chmod 0644 $(DESTDIR)$(DOCDIR)/examples/$${f#contrib/} || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	$(Q)for d in $(sort $(dir $(CONTRIB:contrib/%=$(DOCDIR)/examples/%))) $(DOCDIR)/examples $(DOCDIR); do \
	  [ ! -d $(DESTDIR)$$d ] || rmdir $(DESTDIR)$$d || exit 1; \
	done

# The list of installed files, one a line (tests/integration/install.bats checks it).
install-list:
	@printf '%s\n' $(INSTALLED)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz cove

# The QEMU guest lanes (pure cgroup v2, systemd) live in their own makefile.
-include tests/vm/vm.mk
