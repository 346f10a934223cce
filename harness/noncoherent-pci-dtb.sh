#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# noncoherent-pci-dtb.sh OUT QEMU-OPTIONS...: the device tree QEMU gives a
# machine of QEMU-OPTIONS, with "dma-coherent" taken off its PCIe host
# bridge, as OUT.
#
# QEMU's virt marks its PCIe host dma-coherent, so every PCI device takes
# the coherent path.  Booted with this tree (-dtb OUT, and the same options,
# so that it describes the same machine), the devices behind the bridge are
# driven as non-coherent ones, through arm_dma_ops and its cache
# maintenance, as on SoCs whose PCIe does not snoop.
set -eu
out=$1
shift
rm -f "$out.qemu"
qemu-system-arm "$@" -machine "dumpdtb=$out.qemu" -nographic -nodefaults \
	>/dev/null 2>&1 || true
[ -s "$out.qemu" ] || { echo "noncoherent-pci-dtb: QEMU dumped nothing" >&2; exit 1; }
dtc -q -I dtb -O dts "$out.qemu" |
	awk '/^\tpcie@/ { inside = 1 }
	     inside && /dma-coherent;/ { next }
	     inside && /^\t};/ { inside = 0 }
	     { print }' > "$out.dts"
if awk '/^\tpcie@/,/^\t};/' "$out.dts" | grep -q dma-coherent ||
   ! grep -q '^	pcie@' "$out.dts"; then
	echo "noncoherent-pci-dtb: no PCIe host, or still dma-coherent" >&2
	exit 1
fi
dtc -q -I dts -O dtb -o "$out" "$out.dts"
