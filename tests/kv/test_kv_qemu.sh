#!/usr/bin/env bash
# The settings store built for Cortex-M3 (-Os) and run on QEMU over the
# file-backed flash: for every flash operation of the workload (mount,
# format, sets, deletes, commits, an opening that collects a sector), the QEMU
# flash driver cuts power before it, after it and half-way through it
# (torn); a new QEMU run on the same flash.bin must find the old or the
# new state, finish the workload and end with the right values.
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}"
prog=$FK_TARGET_DIR/qemu_kv.elf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { bash "$FK_QEMU_RUN" --dir "$work" --timeout 30 "$@" "$prog"; }

# The functions that program and erase (FK_RAMFUNC) are linked into RAM,
# so the sweep below runs them from there, as a part that cannot fetch
# from the flash it writes needs.
for fn in fk__kv_append fk__kv_rotate fk__kv_open_begin fk__kv_open_end write_header; do
	addr=$(arm-none-eabi-nm "$prog" | awk -v f="$fn" '$3 == f { print $1 }')
	case "$addr" in
	2*) ;;
	*) echo "FAIL: $fn is at '${addr}', not in RAM (0x2...)" >&2; exit 1 ;;
	esac
done
echo "kv on QEMU: the functions that program or erase run from RAM (FK_RAMFUNC)"

run --arg run >"$work/out.txt"
total=$(sed -n 's/^run: \([0-9]*\) flash operations$/\1/p' "$work/out.txt")
[ -n "$total" ] || { cat "$work/out.txt"; echo "FAIL: no operation count" >&2; exit 1; }
erases=$(python3 -c "
d = open('$work/flash.bin', 'rb').read()
print(sum(1 for s in (0, 1024) if d[s:s + 4] == b'FKV2'))")
[ "$erases" = 2 ] || { echo "FAIL: the workload did not open both sectors" >&2; exit 1; }
cases=0 old=0 new=0
for ((n = 0; n < total; n++)); do
	for kind in before after torn; do
		rm -f "$work/flash.bin"
		set +e
		run --arg run --arg "cut-$kind=$n" >"$work/cut.txt" 2>&1
		status=$?
		set -e
		[ "$status" = 99 ] || { cat "$work/cut.txt"; echo "FAIL: cut-$kind=$n: exit $status, want 99" >&2; exit 1; }
		k=$(grep -c '^done ' "$work/cut.txt" || true)
		if ! run --arg check --arg "$k" >"$work/check.txt" 2>&1; then
			cat "$work/cut.txt" "$work/check.txt"
			echo "FAIL: cut-$kind=$n after $k operations" >&2
			exit 1
		fi
		grep -q '(old)' "$work/check.txt" && old=$((old + 1)) || new=$((new + 1))
		cases=$((cases + 1))
	done
done
echo "kv on QEMU (Cortex-M3 -Os): $total flash operations cut before/after/torn: $cases cases, $old recovered the old state, $new the new; all finished the workload correctly"
