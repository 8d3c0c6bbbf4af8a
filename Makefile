# cove: an OCI container runtime.  `make` builds ./cove; `make check` installs what the tests
# need, builds, and runs the unit and integration tests; `make demo` runs a container.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
DESTDIR     ?=
BUILD       ?= build
CC          ?= gcc
PKGS        := libseccomp libcap yajl libmnl
# V=1 shows the full command lines.
Q           := $(if $(V),,@)

PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPTFLAGS    ?= -O2 -g
HARDEN      := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
WARN        := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 -Wvla
CFLAGS_ALL  := -std=gnu17 $(OPTFLAGS) $(HARDEN) $(WARN) -D_GNU_SOURCE -DCOVE_VERSION=\"$(VERSION)\" \
               -I. $(PKG_CFLAGS) $(EXTRA_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now $(EXTRA_LDFLAGS) $(LDFLAGS)

MODULES     := common oci cgroups seccomp netns runtime runtime/rootfs cmd
LIB_SRCS    := $(sort $(foreach m,$(filter-out cmd,$(MODULES)),$(wildcard $(m)/*.c)))
CMD_SRCS    := $(sort $(wildcard cmd/*.c))
LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS    := $(CMD_SRCS:%.c=$(BUILD)/%.o)
LIB         := $(BUILD)/libcove.a

UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/helper/*.c))

.PHONY: all deps check unit integration demo asan fuzz install clean format bench

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

# Unit tests: one cmocka binary per tests/unit/test_*.c, linked against libcove.a.
$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(LIB) $(PKG_LIBS) $(shell pkg-config --libs cmocka)

# The static helper binary placed in test rootfs bundles (like crun's tests/init.c).
$(BUILD)/cove-test-helper: $(HELPER_SRCS)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o $@ $(HELPER_SRCS)

deps:
	@tests/deps.sh

unit: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

integration: cove $(if $(HELPER_SRCS),$(BUILD)/cove-test-helper)
	@tests/run-integration.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(if $(HELPER_SRCS),$(BUILD)/cove-test-helper)
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
	@$(MAKE) --no-print-directory all $(BUILD)/bench/floor $(BUILD)/bench/wrap
	@BENCH_BIN=$(BUILD)/bench bench/bench.sh $(BENCH_ARGS)

install: cove
	install -D -m 0755 cove $(DESTDIR)$(PREFIX)/bin/cove

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz cove

# The QEMU guest lanes (pure cgroup v2, systemd) live in their own makefile.
-include tests/vm/vm.mk
