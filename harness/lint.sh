#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh SRC: over every kernel C file the project owns, the base's
# scripts/checkpatch.pl --strict and scripts/kernel-doc -none -Wall; fails
# on any error, warning or check of either.
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
# shellcheck disable=SC2086
doc=$("$src/scripts/kernel-doc" -none -Wall $files 2>&1)
if [ -n "$doc" ]; then
	echo "$doc"
	echo "kernel-doc: problems in the project's kernel-doc comments" >&2
	exit 1
fi
# Every exported function has a kernel-doc comment (exported data, such as
# the ops tables, needs none).
undocumented=""
for f in $files; do
	for sym in $(sed -n 's/^EXPORT_SYMBOL[A-Z_]*(\([a-z0-9_]*\));$/\1/p' "$f"); do
		grep -q "^[A-Za-z][^(]*[ *]$sym\( =.*\)\?$" "$f" && continue
		grep -q "^ \* $sym() - " "$f" || undocumented="$undocumented $f:$sym"
	done
done
if [ -n "$undocumented" ]; then
	echo "kernel-doc: exported functions without a kernel-doc comment:$undocumented" >&2
	exit 1
fi
echo "lint: $(echo "$files" | wc -l) files clean (checkpatch --strict, kernel-doc -Wall, exports documented)"
