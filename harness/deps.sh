#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the harness needs, if any is missing.
# Runs apt-get only when something is absent, so a warm machine pays nothing.
set -eu

# Extra packages can be named as arguments (make bench: gnuplot-nox).
pkgs="$* linux-source-6.12 gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
      qemu-system-arm bc bison flex
      libssl-dev libelf-dev cpio kmod device-tree-compiler ccache make python3
      xz-utils git python3-sphinx"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
