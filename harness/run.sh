#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh ZIMAGE INITRD LOG [QEMU OPTIONS...]: boot the layer on QEMU virt
# (Cortex-A15, LPAE, 2 CPUs, 1 GiB, SMMUv3 in front of PCIe), print the console, keep it in LOG, and
# succeed when /init reports that it finished.
set -eu
zimage=$1 initrd=$2 log=$3
shift 3
# The layer reports each device it configures at debug level.
append="console=ttyAMA0 rdinit=/init panic=-1 loglevel=8 dyndbg=\"file arch/arm/mm/* +p\""
disk=$(dirname "$log")/run-disk.img
[ -f "$disk" ] || truncate -s 4M "$disk"
timeout 300 qemu-system-arm -M virt,iommu=smmuv3 -cpu cortex-a15 -smp 2 -m 1024 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$zimage" -initrd "$initrd" -append "$append" \
	-device virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on \
	-drive if=none,id=d0,format=raw,file="$disk" \
	"$@" </dev/null | tee "$log"
grep -q "==== make run: done ====" "$log" || {
	echo "run: the guest did not finish; see $log" >&2
	exit 1
}
echo "run: done (console log: $log)"
