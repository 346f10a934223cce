# SPDX-License-Identifier: GPL-2.0
#
# The ARM DMA mapping layer on a pristine Linux 6.12 base.
#
#   make run     build a kernel for QEMU virt and boot it to show the layer
#   make check   run every KUnit suite of the project on virt and vexpress-a9
#
# See README.md for the rest.

PROJECT  := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD    ?= $(PROJECT)/build
SRC      := $(BUILD)/linux
RUNDIR   := $(BUILD)/run-virt
JOBS     ?= $(shell nproc)
CROSS    := arm-linux-gnueabihf-

# ccache masquerades as the cross compiler from this folder.  Paths under
# BUILD are hashed relative to it, so a fresh clone still hits the cache.
export PATH := /usr/lib/ccache:$(PATH)
export CCACHE_BASEDIR := $(BUILD)
export CCACHE_NOHASHDIR := 1
export KBUILD_BUILD_TIMESTAMP := 2024-11-17
export KBUILD_BUILD_USER := armdma
export KBUILD_BUILD_HOST := qemu

KMAKE := $(MAKE) -C $(SRC) O=$(RUNDIR) ARCH=arm CROSS_COMPILE=$(CROSS) \
	 -j$(JOBS)

# Optional: only one run of make check (see harness/runs.py), a suite glob
# for the KUnit runs, and extra QEMU options for make run.
ONLY   ?=
FILTER ?=
QEMU_EXTRA ?=

.PHONY: all deps overlay kernel run check bench mutants patches multi-v7 menuconfig \
	conformance-upstream conformance-table boards clean help
.DEFAULT_GOAL := help

help:
	@sed -n '3,7p' $(PROJECT)/Makefile | sed 's/^# \{0,1\}//'
	@echo "Also: make bench, make boards, make mutants, make conformance-upstream,"
	@echo "      make conformance-table, make patches, make multi-v7,"
	@echo "      make kernel, make overlay, make menuconfig, make clean."

deps:
	@$(PROJECT)/harness/deps.sh

overlay: deps
	@python3 $(PROJECT)/harness/overlay.py $(PROJECT) $(SRC) --list

# The overlay runs on every build: it writes only what changed.
$(BUILD)/.overlay: deps FORCE
	@python3 $(PROJECT)/harness/overlay.py $(PROJECT) $(SRC)
	@touch $@

$(RUNDIR)/.config: $(PROJECT)/harness/run-virt.config | $(BUILD)/.overlay
	@mkdir -p $(RUNDIR)
	cp $< $@
	$(KMAKE) olddefconfig >/dev/null
	@$(PROJECT)/harness/config-check.sh $< $@

kernel: $(RUNDIR)/.config $(BUILD)/.overlay
	@$(KMAKE) olddefconfig >/dev/null
	@$(PROJECT)/harness/config-check.sh $(PROJECT)/harness/run-virt.config $<
	$(KMAKE) zImage
	@echo "kernel: $(RUNDIR)/arch/arm/boot/zImage"

run: kernel
	@$(PROJECT)/harness/initramfs.sh $(PROJECT)/harness/init.c \
		$(RUNDIR)/usr/gen_init_cpio $(BUILD)/run-init.cpio.gz
	@$(PROJECT)/harness/run.sh $(RUNDIR)/arch/arm/boot/zImage \
		$(BUILD)/run-init.cpio.gz $(BUILD)/run.log $(QEMU_EXTRA)

check: $(BUILD)/.overlay
	@$(PROJECT)/harness/lint.sh $(SRC)
	@$(PROJECT)/harness/docs.sh $(SRC) $(BUILD)/docs
	@python3 $(PROJECT)/harness/check.py $(SRC) $(BUILD) \
		$(if $(ONLY),--only $(ONLY)) $(if $(FILTER),--filter '$(FILTER)')

# Not part of check: builds ours and a pristine upstream kernel per machine,
# and writes its table into Documentation/arch/arm/dma-mapping-bench.inc.
bench: $(BUILD)/.overlay
	@$(PROJECT)/harness/deps.sh gnuplot-nox
	@python3 $(PROJECT)/harness/bench.py $(PROJECT) $(BUILD)

# Not part of check: break the layer one small bug at a time and see that
# make check's runs notice (harness/mutants.py); the table goes to
# Documentation/arch/arm/dma-mapping-mutants.inc.
mutants: $(BUILD)/.overlay
	@python3 $(PROJECT)/harness/mutants.py $(SRC) $(BUILD) \
		$(if $(ONLY),--only $(ONLY))

# Not part of check: the conformance suites on the pristine base, the
# reference make check holds ours to (harness/conformance-reference.json),
# and (conformance-table) the table of both, from the last make check
# (Documentation/arch/arm/dma-mapping-conformance.inc).
conformance-upstream: deps
	@python3 $(PROJECT)/harness/conformance.py $(PROJECT) $(BUILD) upstream
	@echo "conformance: make check, then make conformance-table, for the table"

conformance-table:
	@python3 $(PROJECT)/harness/conformance.py $(PROJECT) $(BUILD) table

# The real SoC runs, ours and pristine 6.12 side by side; the tables go to
# Documentation/arch/arm/dma-mapping-boards.inc.
boards: $(BUILD)/.overlay
	@python3 $(PROJECT)/harness/boards.py $(PROJECT) $(BUILD)

# The layer as a git format-patch series against the base, in build/patches.
patches: $(BUILD)/.overlay
	@python3 $(PROJECT)/harness/patches.py $(PROJECT) $(BUILD) generate

# Not part of check (long): multi_v7_defconfig + ARM_LPAE, all of it.
multi-v7: $(BUILD)/.overlay
	@$(PROJECT)/harness/multi-v7.sh $(SRC) $(BUILD)/multi-v7 $(JOBS)

menuconfig: $(RUNDIR)/.config
	$(KMAKE) menuconfig

clean:
	rm -rf $(BUILD)

FORCE:
