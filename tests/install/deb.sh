#!/usr/bin/env bash
# The Debian package: cpack builds it from this build folder (the DEB
# generator, as `make deb` does), dpkg-deb checks its control fields and
# extracts it into a temporary root, and the smoke test runs on what it
# holds: flashkit --help and version from usr/bin, a CMake project that
# find_package(flashkit)s from usr/ (no other path given), builds the
# device library with the host compiler, generates a layout with
# flashkit_layout and links a program against flashkit::device.
#   deb.sh              package, extract, smoke test (ctest)
#   deb.sh --installed  only the smoke test, on /usr (after a real
#                       dpkg -i: make deb-install)
set -euo pipefail
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "${1:-}" = --installed ]; then
	root=""
	: "${FK_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
else
	: "${FK_ROOT:?}" "${FK_BUILD:?}"
	cpack --config "$FK_BUILD/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1 ||
		{ cat "$T/cpack.log"; fail "cpack"; }
	deb=$(ls "$T"/pkg/flashkit_*.deb)
	dpkg-deb -I "$deb" >"$T/info.txt"
	for f in "Package: flashkit" "Architecture: $(dpkg --print-architecture)" \
		"Depends:.*libyaml" "Depends:.*libmbedcrypto"; do
		grep -q "^ $f" "$T/info.txt" || fail "control lacks '$f'"
	done
	dpkg-deb -x "$deb" "$T/root"
	dpkg-deb -c "$deb" >"$T/list.txt"
	for f in usr/bin/flashkit usr/include/flashkit/devinfo.h \
		usr/share/flashkit/src/devinfo/devinfo.c \
		usr/share/cmake/flashkit/flashkit-config.cmake \
		usr/share/cmake/flashkit/flashkit-functions.cmake \
		usr/share/pkgconfig/flashkit.pc \
		usr/share/flashkit/platformio/flashkit.py; do
		grep -q " \./$f$" "$T/list.txt" || fail "the package lacks $f"
	done
	# man pages and completion, when the build generates them (cli/)
	if [ -f "$FK_BUILD/man/man1/flashkit-image.1" ]; then
		for f in usr/share/man/man1/flashkit.1 \
			usr/share/man/man1/flashkit-image.1 \
			usr/share/bash-completion/completions/flashkit \
			usr/share/zsh/vendor-completions/_flashkit; do
			grep -q " \./$f$" "$T/list.txt" || fail "the package lacks $f"
		done
	fi
	echo "$(basename "$deb"): $(wc -l <"$T/list.txt") entries"
	root="$T/root"
fi

"$root/usr/bin/flashkit" --help >"$T/help.txt" || fail "flashkit --help"
grep -q "^usage: flashkit" "$T/help.txt" || fail "--help: $(head -3 "$T/help.txt")"
"$root/usr/bin/flashkit" version | grep -q "^flashkit [0-9]" || fail "version"

mkdir "$T/proj"
cp "$FK_ROOT/examples/stm32l4-plain/layout.yaml" "$T/proj/"
cat >"$T/proj/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(smoke C)
find_package(flashkit REQUIRED)
add_executable(smoke main.c)
target_link_libraries(smoke PRIVATE flashkit::device)
flashkit_layout(layout.yaml NAME board)
add_dependencies(smoke board_gen)
target_include_directories(smoke PRIVATE ${CMAKE_BINARY_DIR}/board.gen)
file(WRITE ${CMAKE_BINARY_DIR}/where.txt "${FLASHKIT_EXECUTABLE}\n")
CM
cat >"$T/proj/main.c" <<'C'
#include <stdint.h>
#include "flash_layout.h"
#include "flashkit/devinfo.h"
int main(void)
{
	static const uint8_t none[16];
	char buf[8];
	uint32_t len;
	return fk_devinfo_get_mem(none, sizeof(none), FK_DEVINFO_SERIAL, buf,
				  sizeof(buf), &len) == 0 ||
	       FK_PART_SERIAL_ADDR != 0x080FF800u;
}
C
prefix_args=()
[ -z "$root" ] || prefix_args=(-DCMAKE_PREFIX_PATH="$root/usr")
cmake -S "$T/proj" -B "$T/proj/build" "${prefix_args[@]}" \
	>"$T/configure.log" 2>&1 || { cat "$T/configure.log"; fail "configure"; }
grep -qx "$root/usr/bin/flashkit" "$T/proj/build/where.txt" ||
	fail "find_package found $(cat "$T/proj/build/where.txt")"
cmake --build "$T/proj/build" -j2 >"$T/build.log" 2>&1 ||
	{ tail -20 "$T/build.log"; fail "build"; }
"$T/proj/build/smoke" || fail "the program against flashkit::device"
echo "smoke test passed: flashkit --help, find_package from $root/usr," \
	"flashkit_layout, flashkit::device"
