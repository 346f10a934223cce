#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# docs.sh SRC OUT: build Documentation/arch/arm of the overlaid tree, which
# holds our dma-mapping*.rst pages and the tables make targets wrote for
# them (*.inc), with Sphinx and the base's kernel-doc extensions, as make
# htmldocs would; any warning fails.  Then check that the ARM index links
# to our page, that it links to the others, and that the kernel-doc of the
# exported arm_iommu_* functions made it in.
set -eu
src=$1 out=$2
harness=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
# The base's extensions read srctree; Debian's Sphinx runs on /usr/bin/python3.
if ! srctree=$src /usr/bin/python3 -m sphinx -q -W --keep-going -b html \
	-c "$harness/sphinx" -d "$out/doctrees" \
	"$src/Documentation/arch/arm" "$out/html" >"$out/sphinx.log" 2>&1; then
	cat "$out/sphinx.log"
	echo "docs: Sphinx warnings in Documentation/arch/arm" >&2
	exit 1
fi
grep -q 'href="dma-mapping.html"' "$out/html/index.html" || {
	echo "docs: the ARM index does not link to dma-mapping.html" >&2
	exit 1
}
for page in design testing conformance bench; do
	grep -q "href=\"dma-mapping-$page.html\"" "$out/html/dma-mapping.html" || {
		echo "docs: dma-mapping.html does not link to dma-mapping-$page.html" >&2
		exit 1
	}
done
for fn in arm_iommu_create_mapping arm_iommu_release_mapping \
	  arm_iommu_attach_device arm_iommu_detach_device; do
	grep -q "id=\"c\.$fn\"" "$out/html/dma-mapping.html" || {
		echo "docs: no kernel-doc of $fn in dma-mapping.html" >&2
		exit 1
	}
done
echo "docs: Documentation/arch/arm builds clean with the dma-mapping pages ($out/html)"
