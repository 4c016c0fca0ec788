#!/usr/bin/env bash
# `make install`'s CMake package from the outside: installs this build
# into a temporary prefix (cmake --install, as `make install` does, and
# again under DESTDIR), copies examples/cmake-project out of the tree and
# builds it with arm-none-eabi through find_package(flashkit) and the
# functions; then checks what it made: the image verifies with its key
# (and not with another), the factory file holds the image at slot
# app-a's address and the settings store at its partition's, byte for
# byte; a build with nothing changed relinks nothing; an edited source
# is signed and merged again; a touched layout regenerates and relinks;
# an edited layout (a 0x400-byte header) regenerates, relinks (vector
# table moved), re-signs and re-merges; a broken layout stops the build saying where;
# pkg-config finds the headers and the sources. Then the other kinds of
# link in one project of four layouts: two images of one layout (the
# STM32H745's cm7 and cm4: one generation, two scripts), an xip image
# linked for its second slot (SLOT app-b) and signed for it, a library
# module (MODULE), and a plain app (strategy none) merged as linked; two
# layouts of one file name without NAME stop cmake asking for one.
set -euo pipefail
: "${FK_ROOT:?}" "${FK_BUILD:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
hexbytes() { python3 "$FK_ROOT/tests/install/hex_bytes.py" "$@"; }
filebytes() { # FILE.bin: its bytes as hex text
	python3 -c 'import sys; print(open(sys.argv[1], "rb").read().hex())' "$1"
}

cmake --install "$FK_BUILD" --prefix "$T/prefix" >"$T/install.log"
[ -x "$T/prefix/bin/flashkit" ] || fail "no bin/flashkit"
[ -f "$T/prefix/include/flashkit/devinfo.h" ] || fail "no headers"
[ -f "$T/prefix/share/flashkit/src/devinfo/devinfo.c" ] || fail "no sources"
[ -f "$T/prefix/share/cmake/flashkit/flashkit-config.cmake" ] ||
	fail "no CMake package"
"$T/prefix/bin/flashkit" --help >/dev/null || fail "installed flashkit --help"

# pkg-config from a DESTDIR staging: paths relative to the .pc file
DESTDIR="$T/stage" cmake --install "$FK_BUILD" --prefix /usr >/dev/null
export PKG_CONFIG_PATH="$T/stage/usr/share/pkgconfig"
inc=$(pkg-config --cflags flashkit | tr -d ' ')
[ -f "${inc#-I}/flashkit/devinfo.h" ] || fail "pkg-config --cflags: $inc"
src=$(pkg-config --variable=sources flashkit)
[ -f "$src/kv/kv.c" ] || fail "pkg-config sources: $src"

# the example, out of the tree, with its own key
cp -r "$FK_ROOT/examples/cmake-project" "$T/src"
FK="$T/prefix/bin/flashkit"
"$FK" key generate -o "$T/key.pem" >/dev/null
"$FK" key generate -o "$T/other.pem" >/dev/null
B="$T/build"
cmake -S "$T/src" -B "$B" -DCMAKE_TOOLCHAIN_FILE="$T/src/arm-none-eabi.cmake" \
	-DCMAKE_PREFIX_PATH="$T/prefix" -DSIGNING_KEY="$T/key.pem" \
	>"$T/configure.log" 2>&1 || { cat "$T/configure.log"; fail "configure"; }
build() { cmake --build "$B" -j2 >"$T/build.log" 2>&1; }
build || { tail -30 "$T/build.log"; fail "build"; }

check_outputs() { # HEADER: the image header size the layout gives
	local header=$1 vec
	"$FK" image verify -k "$T/key.pem" "$B/app.signed.hex" >/dev/null ||
		fail "app.signed.hex does not verify with its key"
	if "$FK" image verify -k "$T/other.pem" "$B/app.signed.hex" \
		>/dev/null 2>&1; then
		fail "app.signed.hex verifies with another key"
	fi
	vec=$(arm-none-eabi-readelf -S "$B/app.elf" |
		sed -n 's/.*\.isr_vector *PROGBITS *\([0-9a-f]*\).*/\1/p')
	[ "$vec" = "$(printf '%08x' $((0x08008000 + header)))" ] ||
		fail "vector table at $vec, not slot app-a + $header"
	# the image holds this link's program after its header
	"$FK" convert "$B/app.signed.hex" -o "$T/app.bin" >/dev/null
	"$FK" convert "$B/app.elf" -o "$T/elf.bin" >/dev/null
	n=$(stat -c %s "$T/elf.bin")
	cmp -s -n "$n" -i "$header:0" "$T/app.bin" "$T/elf.bin" ||
		fail "app.signed.hex does not hold app.elf's program"
	# the image (header included) at app-a in the factory file
	n=$(stat -c %s "$T/app.bin")
	[ "$(hexbytes "$B/factory-flash.hex" 0x08008000 "$n")" = \
		"$(filebytes "$T/app.bin")" ] ||
		fail "factory-flash.hex does not hold the image at 0x08008000"
	[ "$(hexbytes "$B/factory-flash.hex" 0x080F8000 30720)" = \
		"$(filebytes "$B/settings.bin")" ] ||
		fail "factory-flash.hex does not hold settings.bin at 0x080F8000"
}
check_outputs 512
echo "built out of tree: app.elf signed, settings.bin, factory-flash.hex"

# nothing changed: nothing is relinked or signed again
before=$(stat -c %Y.%y "$B/app.elf" "$B/app.signed.hex" "$B/factory-flash.hex")
sleep 1
build || fail "second build"
[ "$(stat -c %Y.%y "$B/app.elf" "$B/app.signed.hex" "$B/factory-flash.hex")" = \
	"$before" ] || fail "a build with nothing changed relinked or re-signed"

# the source edited: relinked, signed and merged again
echo 'volatile unsigned int edited = 0x5eed;' >>"$T/src/main.c"
build || { tail -30 "$T/build.log"; fail "build after the source edit"; }
grep -q "flashkit image sign" "$T/build.log" || fail "not signed again"
grep -q "flashkit merge" "$T/build.log" || fail "not merged again"
check_outputs 512
echo "source edited: relinked, signed and merged again"

# the layout touched: generated again and relinked
sleep 1
touch "$T/src/board.yaml"
build || { tail -30 "$T/build.log"; fail "build after touching the layout"; }
grep -q "flashkit layout gen" "$T/build.log" || fail "touched layout not regenerated"
grep -q "Linking C executable app.elf" "$T/build.log" ||
	fail "app not relinked after touching the layout"
echo "layout touched: regenerated and relinked"

# the layout edited: a 0x400-byte header
sed -i 's/header: 0x200/header: 0x400/' "$T/src/board.yaml"
build || { tail -30 "$T/build.log"; fail "build after the layout edit"; }
grep -q "flashkit layout gen" "$T/build.log" || fail "layout not regenerated"
grep -q "Linking C executable app.elf" "$T/build.log" || fail "app not relinked"
check_outputs 1024
echo "layout edited: regenerated, relinked at slot + 0x400, signed, merged"

# a broken layout stops the build with flashkit's FILE:LINE message
sed -i 's/size: 480K, role: slot }/size: 480Q, role: slot }/' "$T/src/board.yaml"
if build; then
	fail "a broken layout built"
fi
grep -q "board.yaml:[0-9]*" "$T/build.log" ||
	{ tail -20 "$T/build.log"; fail "the failure does not say where"; }
echo "a broken layout stops the build: $(grep -m1 -o 'board.yaml:[0-9:]*' "$T/build.log")"

# --- the other kinds of link, in one project ---
K="$T/kinds"
mkdir -p "$K"
cp "$T/src/startup.c" "$T/src/arm-none-eabi.cmake" "$K/"
cp "$FK_ROOT/tests/layout/firmware/module.c" "$K/"
echo 'int main(void) { return 0; }' >"$K/main.c"
for ex in stm32h745-dual-core stm32h750-qspi stm32l4-plain; do
	cp "$FK_ROOT/examples/$ex/layout.yaml" "$K/$ex.yaml"
done
cat >"$K/module.yaml" <<'Y'
# a library module with a header in its own flash and RAM partitions
name: module
memories:
  flash:
    kind: flash
    base: 0x08000000
    sectors: 4x16K 1x64K 7x128K
    write-unit: 4
    partitions:
      boot:   { size: 128K, role: bootloader, protect: write }
      app-a:  { size: 256K, role: slot }
      app-b:  { size: 256K, role: slot }
      usrlib: { size: 128K, role: module }
  sram:
    kind: ram
    base: 0x20000000
    size: 128K
    partitions:
      app-ram:    { size: 120K }
      usrlib-ram: { size: 8K }
modules:
  usrlib: { flash: usrlib, ram: usrlib-ram, header: 0x200 }
images:
  app:
    primary: app-a
    secondary: app-b
    strategy: overwrite
    header: 0x200
    ram: [app-ram]
    modules: [usrlib]
Y
cat >"$K/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(kinds C)
find_package(flashkit REQUIRED)
foreach(exe cm7 cm4 xip_b plain)
	add_executable(${exe} main.c startup.c)
	set_target_properties(${exe} PROPERTIES SUFFIX .elf)
	target_link_options(${exe} PRIVATE -nostartfiles)
endforeach()
add_executable(usrlib module.c)
set_target_properties(usrlib PROPERTIES SUFFIX .elf)
target_link_options(usrlib PRIVATE -nostartfiles -nostdlib)
flashkit_layout(stm32h745-dual-core.yaml TARGET cm7 IMAGE cm7)
flashkit_layout(stm32h745-dual-core.yaml TARGET cm4 IMAGE cm4)
flashkit_image(cm7)
flashkit_image(cm4)
flashkit_factory(h745 LAYOUT stm32h745-dual-core.yaml
	INPUTS cm7@cm7-a cm4@cm4-a)
flashkit_layout(stm32h750-qspi.yaml TARGET xip_b IMAGE app SLOT app-b)
flashkit_image(xip_b)
flashkit_layout(module.yaml TARGET usrlib MODULE usrlib)
flashkit_layout(stm32l4-plain.yaml TARGET plain IMAGE app)
flashkit_factory(plain_factory LAYOUT stm32l4-plain.yaml INPUTS plain@app)
CM
cmake -S "$K" -B "$K/build" -DCMAKE_TOOLCHAIN_FILE="$K/arm-none-eabi.cmake" \
	-DCMAKE_PREFIX_PATH="$T/prefix" >"$T/kinds.log" 2>&1 ||
	{ cat "$T/kinds.log"; fail "configure the kinds project"; }
cmake --build "$K/build" -j2 >"$T/kinds.log" 2>&1 ||
	{ tail -30 "$T/kinds.log"; fail "build the kinds project"; }
[ "$(grep -c "flashkit layout gen stm32h745-dual-core" "$T/kinds.log")" = 1 ] ||
	fail "the H745 layout was not generated exactly once"
section_at() { # ELF SECTION: its address
	arm-none-eabi-readelf -S "$1" |
		sed -n "s/.*\\$2 *PROGBITS *\\([0-9a-f]*\\).*/\\1/p"
}
gen_json() { # LAYOUT: the layout.json flashkit_layout generated for it
	echo "$K/build/$(basename "$1" .yaml).gen/layout.json"
}
partition_at() { # LAYOUT PARTITION: its address, 8 hex digits
	python3 -c '
import json, sys
p = next(p for p in json.load(open(sys.argv[1]))["partitions"]
         if p["name"] == sys.argv[2])
print("%08x" % p["address"])' "$(gen_json "$1")" "$2"
}
plus() { printf '%08x' $((0x$1 + $2)); }
memory_of() { # LAYOUT PARTITION: the memory holding it
	python3 -c '
import json, sys
print(next(p["memory"] for p in json.load(open(sys.argv[1]))["partitions"]
           if p["name"] == sys.argv[2]))' "$(gen_json "$1")" "$2"
}
for img in cm7 cm4; do
	at=$(partition_at "$K/stm32h745-dual-core.yaml" $img-a)
	[ "$(section_at "$K/build/$img.elf" .isr_vector)" = "$(plus "$at" 1024)" ] ||
		fail "$img not linked at $img-a + 0x400"
	"$FK" convert "$K/build/$img.signed.hex" -o "$T/$img.bin" >/dev/null
	mem=$(memory_of "$K/stm32h745-dual-core.yaml" $img-a)
	[ "$(hexbytes "$K/build/h745-$mem.hex" "0x$at" "$(stat -c %s "$T/$img.bin")")" = \
		"$(filebytes "$T/$img.bin")" ] || fail "h745-$mem.hex lacks $img"
done
want=$(plus "$(partition_at "$K/stm32h750-qspi.yaml" app-b)" 1024)
[ "$(section_at "$K/build/xip_b.elf" .isr_vector)" = "$want" ] ||
	fail "xip_b not linked for app-b"
"$FK" image verify "$K/build/xip_b.signed.hex" >/dev/null || fail "xip_b image"
[ "$(hexbytes "$K/build/xip_b.signed.hex" "0x$(partition_at "$K/stm32h750-qspi.yaml" app-b)" 4)" = 3db8f396 ] ||
	fail "xip_b.signed.hex does not start with the image magic at app-b"
want=$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
m = next(m for m in j["modules"] if m["name"] == "usrlib")
p = next(p for p in j["partitions"] if p["name"] == m["flash"])
print("%08x" % (p["address"] + m["header_size"]))' \
	"$(gen_json "$K/module.yaml")")
[ "$(section_at "$K/build/usrlib.elf" .module_table)" = "$want" ] ||
	fail "usrlib not linked at its partition (+ header) $want"
[ "$(section_at "$K/build/plain.elf" .isr_vector)" = 08000000 ] ||
	fail "the plain app not linked at 0x08000000"
"$FK" convert "$K/build/plain.elf" -o "$T/plain.bin" >/dev/null
[ "$(hexbytes "$K/build/plain_factory-flash.hex" 0x08000000 "$(stat -c %s "$T/plain.bin")")" = \
	"$(filebytes "$T/plain.bin")" ] || fail "the plain factory lacks the ELF"
echo "two images of one layout (bank1, bank2), an xip image for app-b, a module, a plain app"

# two layouts of the same file name need a NAME each: said at configure
mkdir -p "$K/other"
cp "$K/stm32l4-plain.yaml" "$K/other/stm32h745-dual-core.yaml"
echo 'flashkit_layout(other/stm32h745-dual-core.yaml)' >>"$K/CMakeLists.txt"
if cmake -S "$K" -B "$K/build" >"$T/kinds.log" 2>&1; then
	fail "two layouts made the same target"
fi
tr -s " \n" "  " <"$T/kinds.log" | grep -q "give this one a NAME" ||
	{ cat "$T/kinds.log"; fail "no advice"; }
echo "two layouts of one file name: configure asks for a NAME"
