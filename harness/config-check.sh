#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# config-check.sh FRAGMENT CONFIG: fail when an option the fragment sets did
# not survive olddefconfig (Kconfig drops what its dependencies refuse).
set -eu
status=0
grep '^CONFIG_' "$1" | while IFS= read -r line; do
	grep -qx "$line" "$2" || { echo "config: $line was dropped" >&2; exit 1; }
done || status=1
exit $status
