#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh SRC: scripts/checkpatch.pl --strict over every C file the
# project owns; fails on any error, warning or check.
set -eu
src=$1
cd "$(dirname "$0")/.."
files=$(find arch drivers include kernel tools/testing -name '*.[ch]' \
	2>/dev/null | sort)
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
if ! out=$("$src/scripts/checkpatch.pl" --strict --no-tree --quiet --terse \
	--ignore FILE_PATH_CHANGES -f $files 2>&1); then
	echo "$out" | grep -v '^total: '
	echo "checkpatch: style problems in the project's files" >&2
	exit 1
fi
echo "checkpatch: $(echo "$files" | wc -l) files clean (--strict)"
