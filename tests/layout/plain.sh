#!/usr/bin/env bash
# A plain application without bootloader (strategy none), on seed 001's
# layout (examples/stm32l4-plain: the app from the start of flash, the
# last 2K page for the serial number): `layout gen` writes the app's
# linker script (FLASH = the whole partition, vector table at its start),
# the serial page's macros and symbols, program.cfg with the device
# record step, layout.json with strategy none, and no boot_config.c (an
# earlier one in the folder goes); `merge` puts the binary as it is into
# the factory file and `provision` writes one device's record into the
# page; `image sign --layout` and `sim` refuse the image, saying why.
set -euo pipefail
F="$FK_TOOL"
EX="$FK_ROOT/examples/stm32l4-plain"
L="$EX/layout.yaml"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$F" layout check "$L" >"$T/check.txt" 2>&1 || fail "check: $(cat "$T/check.txt")"
grep -q "0 warnings" "$T/check.txt" || fail "warnings: $(cat "$T/check.txt")"
"$F" layout show "$L" >"$T/show.txt"
grep -Eq '^app +0 none +app +- +0 +0 +1046528 ' "$T/show.txt" ||
	fail "show: $(cat "$T/show.txt")"

# an earlier gen of a bootloader layout into the same folder: its
# boot_config.c must go
"$F" layout gen "$FK_ROOT/examples/stm32l4-devinfo/layout.yaml" -o "$T/gen" 2>/dev/null
[ -e "$T/gen/boot_config.c" ] || fail "the bootloader layout has no boot_config.c"
"$F" layout gen "$L" -o "$T/gen" -v >"$T/gen.txt"
grep -q "removed $T/gen/boot_config.c (no longer generated)" "$T/gen.txt" ||
	fail "stale boot_config.c: $(cat "$T/gen.txt")"
[ "$(cd "$T/gen" && ls | tr '\n' ' ')" = "app.ld flash_layout.h layout.json layout.overlay layout.svg program.cfg " ] ||
	fail "files: $(ls "$T/gen")"

grep -q "FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 0xFF800$" "$T/gen/app.ld" ||
	fail "app.ld FLASH: $(grep FLASH "$T/gen/app.ld")"
grep -q "RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 0x18000$" "$T/gen/app.ld" ||
	fail "app.ld RAM"
for s in "__fk_header_size = 0x0;" "__fk_trailer_size = 0x0;" \
	"__fk_serial_start = 0x080FF800;" "__fk_serial_size = 0x800;"; do
	grep -qF "$s" "$T/gen/app.ld" || fail "app.ld lacks $s"
done
for m in "FK_PART_SERIAL_ADDR 0x080FF800u" "FK_PART_SERIAL_SIZE 0x00000800u" \
	"FK_IMAGE_APP_STRATEGY_NONE 1" "FK_IMAGE_APP_HEADER_SIZE 0x0u" \
	"FK_IMAGE_APP_MAX_PAYLOAD 1046528u"; do
	grep -qF "#define $m" "$T/gen/flash_layout.h" || fail "flash_layout.h lacks $m"
done
! grep -q SECONDARY "$T/gen/flash_layout.h" || fail "a secondary slot in flash_layout.h"
python3 - "$T/gen/layout.json" <<'PY'
import json, sys
i = json.load(open(sys.argv[1]))["images"][0]
want = {"strategy": "none", "primary": "app", "secondary": None,
        "header_size": 0, "boot_state": None, "trailer_size": 0,
        "max_payload": 1046528}
assert all(i[k] == v for k, v in want.items()), i
PY
grep -q 'fk_program_hex \$FK_DIR/factory-flash.hex' "$T/gen/program.cfg" &&
	grep -q 'fk_program_hex \$FK_DEVICE' "$T/gen/program.cfg" &&
	grep -q "flashkit merge --layout layout.yaml app.elf@app" "$T/gen/program.cfg" ||
	fail "program.cfg: $(cat "$T/gen/program.cfg")"

# the firmware as built goes into the factory file; one device's record
# into the serial page
head -c 30000 /dev/urandom >"$T/app.bin"
"$F" merge --layout "$L" "$T/app.bin@app" -o "$T/out/factory.hex" >/dev/null
"$F" convert "$T/out/factory-flash.hex" -o "$T/back.bin" >/dev/null
cmp "$T/app.bin" "$T/back.bin" || fail "the factory file is not the binary as it is"
cat >"$T/tpl.yaml" <<'YAML'
counter: { state: serials.state, start: 42 }
fields:
  serial: { type: serial, format: "SN-%06u" }
YAML
"$F" provision --layout "$L" --template "$T/tpl.yaml" --count 1 \
	-o "$T/out/devices" >/dev/null
head -1 "$T/out/devices/SN-000042.hex" | grep -q '^:02000004080FE3$' ||
	fail "the record is not in the serial page: $(head -2 "$T/out/devices/SN-000042.hex")"

# nothing verifies a signed image: image sign refuses, so does sim
rc=0; "$F" image sign --layout "$L" --image app "$T/app.bin" "$T/app.img" \
	2>"$T/err" || rc=$?
[ "$rc" = 2 ] && [ ! -e "$T/app.img" ] || fail "image sign: rc $rc"
grep -q "layout.yaml:[0-9]*:[0-9]*: error: image 'app' has no bootloader (strategy none): nothing verifies a signed image" "$T/err" ||
	fail "image sign message: $(cat "$T/err")"
rc=0; "$F" sim --layout "$L" --image app 2>"$T/err" >/dev/null || rc=$?
[ "$rc" = 1 ] || fail "sim: rc $rc"
grep -q "layout.yaml:[0-9]*:[0-9]*: error: image app has no bootloader (strategy none): nothing installs" "$T/err" ||
	fail "sim message: $(cat "$T/err")"
echo "plain application: all checks passed"
