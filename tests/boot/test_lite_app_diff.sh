#!/bin/bash
# The update API of a lite build against the full one
# (test_lite_app_diff.c). First checks that FULL links upload.c and app.c
# and that LITE and every lite-variant program given after the two link
# src/boot/lite_app.c and neither of them (their debug information names
# the sources they were compiled from), so that no variant test can
# silently run the full API; then runs the trace program built on each
# library and fails at the first line where the traces differ, showing
# it with the lines before it.
#
#   test_lite_app_diff.sh FULL LITE [VARIANT_PROGRAM...]
set -u
full=$1
lite=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The source files of src/boot/ a program was compiled from, one a line.
boot_sources() {
	readelf --debug-dump=info "$1" 2>/dev/null |
		sed -n 's/.*DW_AT_name *: *\(.*src\/boot\/.*\.c\)$/\1/p' |
		sed 's/.*\(src\/boot\/\)/\1/' | sort -u
}
names=$(boot_sources "$full")
if ! grep -qx 'src/boot/upload.c' <<<"$names" ||
	! grep -qx 'src/boot/app.c' <<<"$names"; then
	echo "FAIL: $full does not link the full API (upload.c, app.c), or has no debug information (build with -g)"
	exit 1
fi
for prog in "$lite" "$@"; do
	names=$(boot_sources "$prog")
	if ! grep -qx 'src/boot/lite_app.c' <<<"$names" ||
		grep -qx 'src/boot/upload.c\|src/boot/app.c' <<<"$names"; then
		echo "FAIL: $prog does not link the lite API alone (or has no debug information: build with -g):"
		grep 'lite_app\|upload\|/app\.c' <<<"$names"
		exit 1
	fi
done
echo "lite API (lite_app.c) linked, upload.c and app.c not, in $(($# + 1)) programs"

# both at once: one per core
"$full" >"$dir/full.trace" &
pid_full=$!
"$lite" >"$dir/lite.trace"
rc_lite=$?
wait $pid_full
rc_full=$?
if ! cmp -s "$dir/full.trace" "$dir/lite.trace"; then
	line=$(cmp "$dir/full.trace" "$dir/lite.trace" | sed -n 's/.* line \([0-9]*\).*/\1/p')
	echo "FAIL: the lite API (lite_app.c) and the full one (upload.c, app.c) differ at line ${line:-?} of the trace:"
	diff <(sed -n "$((line > 6 ? line - 6 : 1)),$((line + 2))p" "$dir/full.trace") \
		<(sed -n "$((line > 6 ? line - 6 : 1)),$((line + 2))p" "$dir/lite.trace") |
		sed 's/^</full:/; s/^>/lite:/'
	echo "context (both, before the difference):"
	sed -n "$((line > 6 ? line - 6 : 1)),$((line - 1))p" "$dir/full.trace"
	echo "(the section it is in:"
	head -n "$line" "$dir/full.trace" | grep "^==\|^--" | tail -1
	echo ")"
	echo "rerun with FK_DIFF_DUMP=<trace line number> to see the boot state area in hex"
	exit 1
fi
if [ $rc_full -ne 0 ] || [ $rc_lite -ne 0 ]; then
	echo "FAIL: the trace programs exited with $rc_full (full) and $rc_lite (lite):"
	tail -3 "$dir/lite.trace"
	exit 1
fi
tail -1 "$dir/lite.trace"
grep -c 'power cut' "$dir/lite.trace" | sed 's/^/power cuts: /'
grep -c 'log filled' "$dir/lite.trace" | sed 's/^/logs filled: /'
