#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# multi-v7.sh SRC OUT JOBS: build the overlaid tree as a real ARM32
# distribution kernel would be, multi_v7_defconfig with ARM_LPAE and our
# SMMUv3 driver: zImage, modules and device trees, from scratch.  Fails on
# any build error and on any compiler or linker warning; prints how long
# the build took.
#
# multi_v7_defconfig selects ARM_DMA_USE_IOMMU (Exynos, Rockchip, Tegra
# IOMMUs), so its drivers link only when the arm_iommu_* API is there.
set -eu
src=$1 out=$2 jobs=$3
harness=$(cd "$(dirname "$0")" && pwd)
kmake="make -C $src O=$out ARCH=arm CROSS_COMPILE=arm-linux-gnueabihf- -j$jobs"

# From scratch every time, so that every file's warnings are seen (ccache
# replays them for what it has cached).
rm -rf "$out"
mkdir -p "$out"
$kmake -s multi_v7_defconfig
"$src/scripts/config" --file "$out/.config" -e ARM_LPAE -e ARM_SMMU_V3_ARM32
$kmake -s olddefconfig
for opt in DMA_OPS_HELPERS ARM_DMA_IOMMU ARM_DMA_USE_IOMMU ARM_LPAE \
	   ARM_SMMU_V3_ARM32; do
	grep -q "^CONFIG_$opt=y" "$out/.config" || {
		echo "multi-v7: CONFIG_$opt is not y in $out/.config" >&2
		exit 1
	}
done

start=$(date +%s)
status=0
$kmake all >"$out/build.log" 2>&1 || status=$?
secs=$(($(date +%s) - start))
# Warnings and errors as gcc and the linker print them.
grep -E '(warning|error):|^ERROR:|undefined reference' "$out/build.log" \
	>"$out/problems.log" || true
problems=$(wc -l <"$out/problems.log")
echo "multi-v7: make all took $((secs / 60)) min $((secs % 60)) s with -j$jobs"
if [ "$status" -ne 0 ] || [ "$problems" -ne 0 ]; then
	head -50 "$out/problems.log"
	echo "multi-v7: $problems warnings or errors, make exited $status; see $out/build.log" >&2
	exit 1
fi
ls -l "$out/arch/arm/boot/zImage" | awk '{print "multi-v7: zImage " $5 " bytes"}'
echo "multi-v7: $(find "$out" -name '*.ko' | wc -l) modules, $(find "$out/arch/arm/boot/dts" -name '*.dtb' | wc -l) device trees, no warnings"
