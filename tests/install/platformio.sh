#!/usr/bin/env bash
# tools/platformio/flashkit.py run by Debian's scons in a build shaped
# like PlatformIO's (platformio/SConstruct: platformio.ini options,
# PROJECT_DIR/BUILD_DIR/PROGNAME, the post: script with Import("env"),
# AddPostAction on the ELF, upload through $UPLOADCMD). Seed 001's two
# layouts, each with a real arm-none-eabi link and a real OpenOCD run
# of the generated program.cfg (dummy adapter, the hardware commands
# replaced by procs that print them):
#   stm32l4-devinfo (bootloader, swap): the ELF is signed after the link
#     (verifies with the key, holds the ELF's bytes after the header);
#     a layout edit relinks and re-signs; each upload merges the image at
#     app-a, provisions the next serial and programs factory-flash.hex
#     then the device's record (in the devinfo page, serial SN-000001,
#     then SN-000002); a firmware too large for the slot fails the build.
#   stm32l4-plain (strategy none): not signed; the ELF is merged as
#     linked and the record goes to the serial page.
# And `image sign --layout` refuses the 470,000-byte payload that the
# old recipe's `-S 480K` accepted. A wrong board_build.ldscript or a
# broken layout stops the build saying what to do.
set -euo pipefail
: "${FK_ROOT:?}" "${FK_TOOL:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
HERE="$FK_ROOT/tests/install"
mkdir "$T/bin"
ln -s "$FK_TOOL" "$T/bin/flashkit"
export PATH="$T/bin:$PATH"

hexat() { python3 "$FK_ROOT/tests/install/hex_bytes.py" "$@"; }

project() { # DIR LAYOUT: a PlatformIO project for LAYOUT's image app
	local dir=$1
	mkdir -p "$dir/src"
	cp "$2" "$dir/layout.yaml"
	cp "$FK_ROOT/examples/cmake-project/startup.c" "$dir/src/"
	cat >"$dir/src/main.c" <<'C'
#include <stdint.h>
#include "flash_layout.h"
volatile uint8_t first;
#ifdef BIG
const uint8_t big[BIG] = { 1 };
#endif
int main(void)
{
	first = *(const volatile uint8_t *)FK_PART_DEVINFO_ADDR;
#ifdef BIG
	first += big[first];
#endif
	return 0;
}
C
	cat >"$dir/devices.yaml" <<'Y'
counter: { state: serials.state, start: 1 }
fields:
  serial: { type: serial, format: "SN-%06u" }
Y
	cat >"$dir/stub.cfg" <<'CFG'
adapter driver dummy
transport select jtag
source [find target/stm32l4x.cfg]
proc init {} { echo "INIT" }
proc reset {args} { echo "RESET $args" }
proc {flash write_image} {args} { echo "WRITE_IMAGE $args" }
proc {flash protect} {args} { echo "PROTECT $args" }
proc verify_image {args} { echo "VERIFY $args" }
CFG
	cat >"$dir/platformio.ini" <<INI
[env:board]
board_build.ldscript = flashkit-gen/app.ld
build_flags = -I flashkit-gen
extra_scripts = post:$FK_ROOT/tools/platformio/flashkit.py
upload_protocol = custom
custom_flashkit_layout = layout.yaml
custom_flashkit_version = 1.0.0
custom_flashkit_devices = devices.yaml
custom_flashkit_openocd_args = -f stub.cfg
INI
}
scons_in() { # DIR [TARGET]: scons -C DIR, its output in DIR/scons.log
	local dir=$1
	shift
	timeout 120 scons -Q -C "$dir" -f "$HERE/platformio/SConstruct" "$@" \
		>"$dir/scons.log" 2>&1
}
upload_check() { # DIR IMAGE_ADDR IMAGE_FILE SERIAL: one upload
	local dir=$1 addr=$2 image=$3 serial=$4 dev n
	scons_in "$dir" upload || { tail -20 "$dir/scons.log"; fail "upload"; }
	dev="$dir/production/devices/$serial.hex"
	[ -f "$dev" ] || { tail -20 "$dir/scons.log"; fail "no $serial.hex"; }
	grep -q "^WRITE_IMAGE erase $dir/production/factory-flash.hex$" \
		"$dir/scons.log" || { cat "$dir/scons.log"; fail "factory not programmed"; }
	grep -q "^WRITE_IMAGE erase $dev$" "$dir/scons.log" ||
		{ cat "$dir/scons.log"; fail "the record was not programmed"; }
	# the record in the devinfo page (magic FKDI), with its serial
	[ "$(hexat "$dev" 0x080FF800 4)" = "$(printf FKDI | od -An -tx1 | tr -d ' \n')" ] ||
		fail "$serial.hex has no record at 0x080FF800"
	[ "$(hexat "$dev" 0x080FF810 9)" = "$(printf '%s' "$serial" | od -An -tx1 | tr -d ' \n')" ] ||
		fail "$serial.hex does not hold $serial"
	"$FK_TOOL" convert "$image" -o "$dir/image.bin" >/dev/null
	n=$(stat -c %s "$dir/image.bin")
	[ "$(hexat "$dir/production/factory-flash.hex" "$addr" "$n")" = \
		"$(od -An -tx1 -v "$dir/image.bin" | tr -d ' \n')" ] ||
		fail "factory-flash.hex does not hold the image at $addr"
}

# --- stm32l4-devinfo: a bootloader, swap, signed images ---
P="$T/devinfo"
project "$P" "$FK_ROOT/examples/stm32l4-devinfo/layout.yaml"
"$FK_TOOL" key generate -o "$P/key.pem" >/dev/null
echo "custom_flashkit_key = key.pem" >>"$P/platformio.ini"
B="$P/.pio/build/board"
scons_in "$P" || { cat "$P/scons.log"; fail "build"; }
"$FK_TOOL" image verify -k "$P/key.pem" "$B/firmware.signed.hex" >/dev/null ||
	fail "firmware.signed.hex does not verify"
check_payload() { # HEADER
	"$FK_TOOL" convert "$B/firmware.signed.hex" -o "$T/signed.bin" >/dev/null
	"$FK_TOOL" convert "$B/firmware.elf" -o "$T/elf.bin" >/dev/null
	cmp -s -n "$(stat -c %s "$T/elf.bin")" -i "$1:0" "$T/signed.bin" "$T/elf.bin" ||
		fail "firmware.signed.hex does not hold firmware.elf after a $1-byte header"
}
check_payload 512
echo "build: firmware.elf linked with flashkit-gen/app.ld and signed"

sed -i 's/header: 0x200/header: 0x400/' "$P/layout.yaml"
scons_in "$P" || { cat "$P/scons.log"; fail "build after the layout edit"; }
vec=$(arm-none-eabi-readelf -S "$B/firmware.elf" |
	sed -n 's/.*\.isr_vector *PROGBITS *\([0-9a-f]*\).*/\1/p')
[ "$vec" = 08008400 ] || fail "after the edit the vector table is at $vec"
check_payload 1024
echo "layout edited: relinked at 0x08008400 and signed again"

upload_check "$P" 0x08008000 "$B/firmware.signed.hex" SN-000001
upload_check "$P" 0x08008000 "$B/firmware.signed.hex" SN-000002
echo "upload: factory-flash.hex and SN-000001.hex, then SN-000002.hex, through program.cfg"

# a firmware too large for the slot fails the build
cp -r "$P" "$T/big"
sed -i 's/^build_flags = .*/& -D BIG=470000/' "$T/big/platformio.ini"
rm -rf "$T/big/.pio"
if scons_in "$T/big"; then
	fail "a 470,000-byte firmware built for a 458,240-byte payload"
fi
[ ! -e "$T/big/.pio/build/board/firmware.signed.hex" ] || fail "a signed image of it"
echo "a 470,000-byte firmware fails the build"

# the old recipe's -S 480K accepts 470,000 bytes; --layout refuses them
head -c 470000 /dev/zero >"$T/fw.bin"
"$FK_TOOL" image sign -k "$P/key.pem" -H 0x200 --pad-header -S 480K --align 8 "$T/fw.bin" \
	"$T/old.img" >/dev/null 2>&1 || fail "-S 480K refused 470,000 bytes"
if "$FK_TOOL" image sign -k "$P/key.pem" --layout "$FK_ROOT/examples/stm32l4-devinfo/layout.yaml" \
	--image app --pad-header "$T/fw.bin" "$T/new.img" 2>"$T/new.err"; then
	fail "--layout accepted 470,000 bytes"
fi
grep -Eq "119[12][0-9] bytes too large" "$T/new.err" || fail "refusal: $(cat "$T/new.err")"
echo "image sign --layout refuses 470,000 bytes (~11,922 too large with an ECDSA signature); -S 480K took them"

# --- stm32l4-plain: no bootloader, the ELF as linked (seed 001) ---
Q="$T/plain"
project "$Q" "$FK_ROOT/examples/stm32l4-plain/layout.yaml"
sed -i 's/FK_PART_DEVINFO_ADDR/FK_PART_SERIAL_ADDR/' "$Q/src/main.c"
scons_in "$Q" || { cat "$Q/scons.log"; fail "plain build"; }
[ ! -e "$Q/.pio/build/board/firmware.signed.hex" ] || fail "a plain app signed"
grep -q "strategy none" "$Q/scons.log" || fail "no word on the plain app"
upload_check "$Q" 0x08000000 "$Q/.pio/build/board/firmware.elf" SN-000001
echo "plain app: not signed, the ELF merged at 0x08000000, SN-000001 in the serial page"

# mistakes stop the build, saying what to do
sed -i 's|^board_build.ldscript = .*|board_build.ldscript = other.ld|' "$Q/platformio.ini"
if scons_in "$Q"; then fail "built with another linker script"; fi
grep -q "set it to the generated flashkit-gen/app.ld" "$Q/scons.log" ||
	{ cat "$Q/scons.log"; fail "wrong ldscript: no advice"; }
sed -i 's|^board_build.ldscript = .*|board_build.ldscript = flashkit-gen/app.ld|' "$Q/platformio.ini"
sed -i 's/size: 1022K/size: 1022Q/' "$Q/layout.yaml"
if scons_in "$Q"; then fail "built with a broken layout"; fi
grep -q "layout.yaml:[0-9]*:[0-9]*" "$Q/scons.log" ||
	{ cat "$Q/scons.log"; fail "broken layout: not said where"; }
echo "a wrong ldscript and a broken layout stop the build"
