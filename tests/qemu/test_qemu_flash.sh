#!/usr/bin/env bash
# The file-backed flash of the QEMU port, end to end: every run of
# qemu_flash_demo starts a new QEMU on the same flash.bin.
#   1. a fresh file is created erased; "write" programs sectors 1 and 3;
#      the host reads the file's bytes and checks them;
#   2. a second QEMU run ("check") sees what the first wrote;
#   3. a byte changed by the host is noticed (the check can fail);
#   4. "cut" is killed by SIGKILL after it programmed part of sector 2;
#      the file and a later run ("aftercut") hold what was written;
#   5. the program's exit status reaches the host;
#   6. a fault ends the run with 128 + its exception number;
#   7. --cut-after-ms kills a run that never ends by itself;
#   8. the driver's own cut (cut-before/after/torn=N) at every operation
#      of a run, the file checked after each;
#   9. "boot" jumps to qemu_app, written by the host into sector 4.
set -euo pipefail
: "${FK_QEMU_RUN:?}" "${FK_TARGET_DIR:?}"
demo=$FK_TARGET_DIR/qemu_flash_demo.elf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { bash "$FK_QEMU_RUN" --dir "$work" --timeout 30 "$@" "$demo"; }

# Checks flash.bin: <offset> <length> <"erased"|"pattern"> ...
check_file() {
	python3 - "$work/flash.bin" "$@" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
assert len(data) == 0xC000, f"flash.bin is {len(data)} bytes, want 49152"
args = sys.argv[2:]
for i in range(0, len(args), 3):
	off, n, kind = int(args[i], 0), int(args[i + 1], 0), args[i + 2]
	for a in range(off, off + n):
		want = 0xFF if kind == "erased" else (a * 7 + 1) & 0xFF
		assert data[a] == want, f"flash.bin[{a:#x}] = {data[a]:#x}, want {want:#x}"
print("host: flash.bin checked:", " ".join(args))
PY
}

echo "== 1. write on a new flash file"
run --arg write --expect '^write: ok$'
check_file 0 0x1000 erased 0x1000 0x100 pattern 0x1100 0xF00 erased \
	0x2000 0x1000 erased 0x3000 0x1000 pattern 0x4000 0x8000 erased

echo "== 2. a second QEMU run sees it"
run --arg check --expect '^check: ok$'

echo "== 3. a byte changed behind its back is noticed"
cp "$work/flash.bin" "$work/good.bin"
printf '\x00' | dd of="$work/flash.bin" bs=1 seek=$((0x3456)) conv=notrunc status=none
if run --arg check >"$work/out.txt" 2>&1; then
	cat "$work/out.txt"
	echo "FAIL: check passed on a corrupted flash.bin" >&2
	exit 1
fi
grep -q 'FAIL: sector 3 kept its data: byte 0x3456' "$work/out.txt"
mv "$work/good.bin" "$work/flash.bin"

echo "== 4. power cut: QEMU killed mid-run"
run --arg cut --cut-on '^cut: ready$' | tee "$work/out.txt"
grep -q '^run.sh: power cut' "$work/out.txt"
check_file 0x2000 0x100 pattern 0x2100 0xF00 erased 0x3000 0x1000 pattern
run --arg aftercut --expect '^aftercut: ok$'

echo "== 5. the exit status reaches the host"
set +e
run --arg fail
status=$?
set -e
[ "$status" -eq 3 ] || { echo "FAIL: exit status $status, want 3" >&2; exit 1; }

echo "== 6. a fault is reported and ends the run"
set +e
run --arg fault >"$work/out.txt" 2>&1
status=$?
set -e
cat "$work/out.txt"
[ "$status" -eq 131 ] || { echo "FAIL: fault exit status $status, want 131 (128 + HardFault)" >&2; exit 1; }
grep -q '^fault: exception 3$' "$work/out.txt"

echo "== 7. a timed power cut"
run --arg spin --cut-after-ms 300 | tee "$work/out.txt"
grep -q '^run.sh: power cut after 300 ms$' "$work/out.txt"

echo "== 8. the driver's own cut, swept over every operation of a run"
# Sector 2 starts as zeros; the run erases it (operation 0) and programs
# four 64-byte pieces (operations 1..4). After a cut before n the sector
# must be as n operations left it, after n as n+1 left it, torn at n: as
# n left it plus the first half of operation n's bytes; the rest of the
# file never changes.
expect_sweep() { # <n> <before|after|torn>
	python3 - "$work/before.bin" "$work/flash.bin" "$1" "$2" <<'PY'
import sys
old, new = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
n, kind = int(sys.argv[3]), sys.argv[4]
pat = lambda a: (a * 7 + 1) & 0xFF
def state(ops):  # sector 2 after `ops` operations
	s = bytearray(0x1000)
	if ops >= 1:
		s = bytearray(b"\xff" * 0x1000)
	for k in range(max(0, ops - 1)):
		for a in range(k * 64, k * 64 + 64):
			s[a] = pat(0x2000 + a)
	return s
if kind == "before":
	want = state(n)
elif kind == "after":
	want = state(n + 1)
else:
	want, full = state(n), state(n + 1)
	lo, hi = (0, 0x800) if n == 0 else ((n - 1) * 64, (n - 1) * 64 + 32)
	want[lo:hi] = full[lo:hi]
got = new[0x2000:0x3000]
bad = [a for a in range(0x1000) if got[a] != want[a]]
assert not bad, f"cut {kind} {n}: flash.bin[{0x2000 + bad[0]:#x}] = {got[bad[0]]:#x}, want {want[bad[0]]:#x}"
assert old[:0x2000] == new[:0x2000] and old[0x3000:] == new[0x3000:], "outside sector 2 changed"
PY
}
printf '\0%.0s' $(seq 4096) | dd of="$work/flash.bin" bs=1 seek=$((0x2000)) conv=notrunc status=none
cp "$work/flash.bin" "$work/zeroed.bin"
run --arg sweep | tee "$work/out.txt"
grep -q '^sweep: 5 flash operations$' "$work/out.txt"
cases=0
for n in 0 1 2 3 4; do
	for kind in before after torn; do
		cp "$work/zeroed.bin" "$work/flash.bin"
		cp "$work/flash.bin" "$work/before.bin"
		set +e
		run --arg sweep --arg "cut-$kind=$n" >"$work/out.txt" 2>&1
		status=$?
		set -e
		[ "$status" -eq 99 ] && grep -q "^power cut at flash operation $n$" "$work/out.txt" ||
			{ cat "$work/out.txt"; echo "FAIL: cut-$kind=$n: status $status" >&2; exit 1; }
		expect_sweep "$n" "$kind"
		cases=$((cases + 1))
	done
done
echo "driver cut sweep: 5 operations x 3 kinds = $cases cases, each checked"
[ "$cases" -eq 15 ]
cp "$work/zeroed.bin" "$work/flash.bin"

echo "== 9. jump to an app image in the flash"
dd if="$FK_TARGET_DIR/qemu_app.bin" of="$work/flash.bin" bs=1 seek=$((0x4000)) \
	conv=notrunc status=none
run --arg boot --expect '^app: ok$' | tee "$work/out.txt"
grep -q '^app: running from 0x001040' "$work/out.txt"
echo "test_qemu_flash: 9 scenarios passed"
