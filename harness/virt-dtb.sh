#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# virt-dtb.sh OUT EDITS QEMU-OPTIONS...: the device tree QEMU gives a machine
# of QEMU-OPTIONS, changed by each of EDITS (comma separated), as OUT.
# Booted with it (-dtb OUT and the same options, so that it describes the
# same machine), the kernel sees what the edits describe:
#
# noncoherent-pci  "dma-coherent" taken off the PCIe host bridge.  QEMU's
#                  virt marks it coherent, so every PCI device would take the
#                  coherent path; without it they are driven as on SoCs whose
#                  PCIe does not snoop, through arm_dma_ops and its cache
#                  maintenance.
# noncoherent-smmu "dma-coherent" taken off the SMMUv3: it walks its stream
#                  table, context descriptors, page tables and queues
#                  without snooping the CPU caches, so the driver must make
#                  them visible to it (-machine iommu=smmuv3 only).
# dma-pools        reserved memory for devices, as SoCs describe it: a
#                  shared-dma-pool with no-map, a restricted-dma-pool, and
#                  client nodes that name them (compatible
#                  "linux,dma-api-conformance", the conformance suite's
#                  driver): one non-coherent on each pool, one coherent on
#                  the restricted pool.
# v2m-frames       a second GICv2m frame after QEMU's, as GICs with several
#                  frames describe them: its registers at the second flash
#                  bank (reads there are harmless), 16 SPIs of its own
#                  above QEMU's.  Its IRQ domain is the first frame's, so
#                  MSIs land on the second only once the first is full;
#                  the layer must map its doorbell anyway.
# pci-dma-hole     "dma-ranges" on the PCIe host bridge with a hole: inbound
#                  bus addresses 0 to 0x6fffffff and 0x80000000 to 4 GiB,
#                  one to one, as SoCs whose PCIe reaches only part of the
#                  address map describe it.  No IOVA may fall in the hole.
set -eu
out=$1 edits=$2
shift 2
rm -f "$out.qemu"
qemu-system-arm "$@" -machine "dumpdtb=$out.qemu" -nographic -nodefaults \
	>/dev/null 2>&1 || true
[ -s "$out.qemu" ] || { echo "virt-dtb: QEMU dumped nothing" >&2; exit 1; }
dtc -q -I dtb -O dts "$out.qemu" > "$out.dts"

# The name of the top-level node whose name starts "$1@", or nothing.
node() {
	awk -v n="$1" '$0 ~ "^\t" n "@" { sub(/^\t/, ""); print $1; exit }' \
		"$out.dts"
}

# Take "dma-coherent" off the top-level node "$1@...": fail when there is
# no such node, or it still has one.
not_coherent() {
	awk -v n="$1" '$0 ~ "^\t" n "@" { inside = 1 }
		inside && /dma-coherent;/ { next }
		inside && /^\t};/ { inside = 0 }
		{ print }' "$out.dts" > "$out.dts.new"
	mv "$out.dts.new" "$out.dts"
	if [ -z "$(node "$1")" ] ||
	   awk -v n="$1" '$0 ~ "^\t" n "@", /^\t};/' "$out.dts" |
	   grep -q dma-coherent; then
		echo "virt-dtb: no $1 node, or still dma-coherent" >&2
		exit 1
	fi
}

for edit in $(echo "$edits" | tr , ' '); do
	case $edit in
	noncoherent-pci)
		not_coherent pcie
		;;
	noncoherent-smmu)
		not_coherent smmuv3
		;;
	dma-pools)
		# Placed by the kernel in the first 512 MiB: lowmem, as a
		# restricted pool must be.
		cat >> "$out.dts" <<'DTS'

/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;

		conformance_shared: conformance-shared-pool {
			compatible = "shared-dma-pool";
			no-map;
			size = <0x0 0x100000>;
			alignment = <0x0 0x100000>;
			alloc-ranges = <0x0 0x40000000 0x0 0x20000000>;
		};

		conformance_restricted: conformance-restricted-pool {
			compatible = "restricted-dma-pool";
			size = <0x0 0x400000>;
			alignment = <0x0 0x100000>;
			alloc-ranges = <0x0 0x40000000 0x0 0x20000000>;
		};
	};

	dma-conformance-shared {
		compatible = "linux,dma-api-conformance";
		memory-region = <&conformance_shared>;
	};

	dma-conformance-restricted {
		compatible = "linux,dma-api-conformance";
		memory-region = <&conformance_restricted>;
	};

	dma-conformance-restricted-coherent {
		compatible = "linux,dma-api-conformance";
		memory-region = <&conformance_restricted>;
		dma-coherent;
	};
};
DTS
		;;
	v2m-frames)
		gic=$(node intc)
		grep -q 'gic-v2m-frame' "$out.dts" || {
			echo "virt-dtb: no GICv2m frame" >&2; exit 1; }
		cat >> "$out.dts" <<DTS

&{/$gic} {
	v2m@4000000 {
		compatible = "arm,gic-v2m-frame";
		msi-controller;
		reg = <0x0 0x4000000 0x0 0x1000>;
		arm,msi-base-spi = <256>;
		arm,msi-num-spis = <16>;
	};
};
DTS
		;;
	pci-dma-hole)
		pcie=$(node pcie)
		[ -n "$pcie" ] || { echo "virt-dtb: no PCIe host" >&2; exit 1; }
		cat >> "$out.dts" <<DTS

&{/$pcie} {
	dma-ranges = <0x2000000 0x0 0x0 0x0 0x0 0x0 0x70000000>,
		     <0x2000000 0x0 0x80000000 0x0 0x80000000 0x0 0x80000000>;
};
DTS
		;;
	*)
		echo "virt-dtb: no edit \"$edit\"" >&2
		exit 1
		;;
	esac
done
dtc -q -I dts -O dtb -o "$out" "$out.dts"
