#!/usr/bin/env bash
# The product code follows .clang-format (Linux kernel style): every C
# file of src/, include/, sim/, host/, cli/ and ports/ is already formatted, so
# `clang-format -i` changes nothing. Prints the files that differ and how
# to fix them; fails if any.
set -euo pipefail
cd "${FK_ROOT:?}"
command -v clang-format >/dev/null ||
	{ echo "clang-format is missing: bash scripts/deps.sh installs it"; exit 1; }
bad=0 n=0
while IFS= read -r f; do
	n=$((n + 1))
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "$f: not formatted (run: clang-format -i $f)"
		bad=$((bad + 1))
	fi
done < <(git ls-files 'src/*.[ch]' 'include/*.h' 'sim/*.[ch]' 'host/*.[ch]' 'cli/*.[ch]' \
	'ports/*.[ch]' 2>/dev/null || find src include sim host cli ports -name '*.[ch]')
echo "format: $n files checked, $bad not formatted"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
