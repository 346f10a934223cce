#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh INIT_C GEN_INIT_CPIO OUT: an initramfs whose /init is INIT_C,
# compiled static for armhf (INIT_CFLAGS adds compiler options).  The kernel's own gen_init_cpio makes the device
# nodes, so no root privilege is needed.
set -eu
init_c=$1 gen=$2 out=$3
work=$(dirname "$out")/initramfs-$(basename "$init_c" .c)
mkdir -p "$work"
# shellcheck disable=SC2086
arm-linux-gnueabihf-gcc -static -O2 -Wall ${INIT_CFLAGS:-} -o "$work/init" "$init_c"
cat > "$work/list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/null 0666 0 0 c 1 3
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $work/init 0755 0 0
LIST
"$gen" "$work/list" | gzip -9 > "$out"
