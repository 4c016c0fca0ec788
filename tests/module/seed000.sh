#!/usr/bin/env bash
# Seed 000's layout details, found trying the P1 as a new user would:
# a user keeping Particle's own bootloader (role raw) links the user part
# with header 0 and no flashkit bootloader configuration; the
# battery-backed RAM is NOLOAD (retained); the boot state on a serial
# flash with no bus address gets offset symbols, not a bus address of 0;
# sizes in the picture and the table read 77.25K, not 79104. (program.cfg
# skipping a memory merge wrote no file for: tests/layout/openocd.sh.)
set -euo pipefail
F=$FK_TOOL
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
P1=$FK_ROOT/examples/p1-factory-module/layout.yaml

# the example as shipped: flashkit's bootloader, header 0x200
"$F" layout gen "$P1" -o "$T/p1" >/dev/null
u=$T/p1/user.ld
grep -q '^	\.backup_ram (NOLOAD) : ALIGN(4) {$' "$u" || fail "backup RAM not NOLOAD"
grep -q 'BACKUP_RAM AT > FLASH\|__fk_backup_ram_load' "$u" && fail "backup RAM loaded"
grep -q '__fk_payload_end = LOADADDR(.data) + SIZEOF(.data);' "$u" ||
	fail "payload end counts the retained RAM"
grep -q '__fk_boot_state_start' "$u" && fail "bus address for the serial flash"
grep -q '^__fk_boot_state_offset = 0x00000000;$' "$u" || fail "no offset symbol"
"$F" layout show "$P1" >"$T/show.txt"
grep -q ' 77.25K ' "$T/show.txt" || fail "show: 77.25K"
grep -q '79104' "$T/show.txt" "$T/p1/layout.svg" "$T/p1/flash_layout.h" &&
	fail "a raw 79104 is left"

# Particle's bootloader kept: role raw, header 0
sed -e 's/^\(      bootloader: *{ size: 16K, role: \)bootloader/\1raw/' \
	-e 's/^    header: 0x200$/    header: 0/' "$P1" >"$T/keep.yaml"
grep -q 'role: raw, protect' "$T/keep.yaml" && grep -q '^    header: 0$' "$T/keep.yaml" ||
	fail "sed"
"$F" layout check "$T/keep.yaml" >/dev/null || fail "header 0 refused"
"$F" layout gen "$T/keep.yaml" -o "$T/keep" >/dev/null
grep -q 'FLASH (rx) : ORIGIN = 0x080A0000, LENGTH = 0x20000' "$T/keep/user.ld" ||
	fail "header 0: FLASH is the whole slot"
grep -q '^#error "image user has header 0: a bootloader flashkit does not build' \
	"$T/keep/boot_config.c" || fail "boot_config.c for a foreign bootloader"
rc=0; "$F" sim -l "$T/keep.yaml" -i user --samples 1 >/dev/null 2>"$T/err" || rc=$?
[ "$rc" != 0 ] && grep -q "image user has header 0: a bootloader flashkit does not build" "$T/err" ||
	fail "sim on a foreign bootloader: $rc $(cat "$T/err")"
# with flashkit's bootloader, header 0 is still refused, saying what to do
sed 's/^    header: 0x200$/    header: 0/' "$P1" >"$T/h0.yaml"
rc=0; "$F" layout check "$T/h0.yaml" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "h0.yaml:[0-9]*:[0-9]*: error: image 'user': header 0x0 must be at least 32 bytes .*give the bootloader partition role raw" "$T/err" ||
	fail "header 0 beside flashkit's bootloader: $rc $(cat "$T/err")"
# retained is for RAM
sed 's/^    write-unit: 4                   # x32 parallelism$/    write-unit: 4\n    retained: true/' "$P1" >"$T/rf.yaml"
rc=0; "$F" layout check "$T/rf.yaml" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "rf.yaml:[0-9]*:[0-9]*: error: memory 'flash': 'retained' is for RAM" "$T/err" ||
	fail "retained on flash: $rc $(cat "$T/err")"
echo "seed000: ok"
