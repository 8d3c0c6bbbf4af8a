# vm.mk: the QEMU guest lanes (included by the top-level Makefile; see tests/vm/run-lane.sh).
#   make vm-image       build or reuse the cached kernel, initramfs and systemd images
#                       ($COVE_VM_CACHE, default /var/cache/cove-vm)
#   make check-v2       cgroup-v2 tests (`requires cgroups_v2`) in a pure cgroup2 busybox guest
#   make check-systemd  systemd tests (`requires systemd`) in a Debian guest with systemd as PID 1
#   make check-criu     checkpoint/restore tests (`requires criu`) in the v2 guest with CRIU and podman
#   make check-systemd-v1  the systemd cgroup driver on cgroup v1 (`requires systemd_v1`): the same
#                       guest booted with systemd.unified_cgroup_hierarchy=0
# They use $(BUILD)'s cove and test helper; `make check` runs them from tests/run-all.sh.

.PHONY: vm-image check-v2 check-systemd check-criu check-systemd-v1

VM_TEST_BINS = $(BUILD)/cove $(if $(HELPER_SRCS),$(BUILD)/cove-test-helper) $(BUILD)/nosys

vm-image:
	@tests/vm/build-image.sh all

check-v2: $(VM_TEST_BINS)
	@tests/vm/run-lane.sh v2 "$(BUILD)"

check-systemd: $(VM_TEST_BINS)
	@tests/vm/run-lane.sh systemd "$(BUILD)"

check-criu: $(VM_TEST_BINS)
	@tests/vm/run-lane.sh criu "$(BUILD)"

check-systemd-v1: $(VM_TEST_BINS)
	@tests/vm/run-lane.sh systemd-v1 "$(BUILD)"
