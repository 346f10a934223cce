#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# noncoherent-dtb.sh BUILD MACHINE DTB: append to BUILD's zImage the device
# tree QEMU would give MACHINE, with "dma-coherent" taken off its virtio-mmio
# transports, as BUILD/zImage-noncoherent.
#
# QEMU marks the virtio-mmio transports it adds dma-coherent (an emulated
# device does snoop), so a virtio disk would only ever take the coherent
# path.  Booted with this tree appended instead (CONFIG_ARM_APPENDED_DTB;
# QEMU adds nothing when it is given no -dtb), the same disk is driven as a
# non-coherent device, through arm_dma_ops and all its cache maintenance.
set -eu
build=$1 machine=$2 dtb=$3
qemu-system-arm -M "$machine,dumpdtb=$build/qemu.dtb" -m 1024 -dtb "$dtb" \
	-nographic -nodefaults >/dev/null 2>&1 || true
[ -s "$build/qemu.dtb" ] || { echo "noncoherent-dtb: QEMU dumped nothing" >&2; exit 1; }
dtc -q -I dtb -O dts "$build/qemu.dtb" |
	awk '/virtio_mmio@/ { inside = 1 }
	     inside && /dma-coherent;/ { next }
	     inside && /^\t};/ { inside = 0 }
	     { print }' > "$build/noncoherent.dts"
dtc -q -I dts -O dtb -o "$build/noncoherent.dtb" "$build/noncoherent.dts"
if grep -A3 "virtio_mmio@" "$build/noncoherent.dts" | grep -q dma-coherent; then
	echo "noncoherent-dtb: dma-coherent is still there" >&2
	exit 1
fi
cat "$build/arch/arm/boot/zImage" "$build/noncoherent.dtb" > "$build/zImage-noncoherent"
