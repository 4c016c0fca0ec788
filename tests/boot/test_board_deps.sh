#!/usr/bin/env bash
# The board bootloaders (fk_boot_board_program(), cmake/boot.cmake) are
# rebuilt when anything ports/boot/build.sh reads changes: each board
# program's rule in the generated build system depends on every public
# header, every library source and header, and every port file. Before,
# a change to a header (include/flashkit/*.h, src/boot/lite.h,
# ports/stm32/flash_l4.h) left a stale bootloader in place.
set -euo pipefail
: "${FK_ROOT:?}" "${FK_BUILD:?}"
fail=0
# The dependencies of $1.elf, one path per line, from the Makefile
# generator's build.make or from build.ninja.
deps_of() {
	local mk=$FK_BUILD/tests/boot/CMakeFiles/$1.dir/build.make
	if [ -f "$mk" ]; then
		sed -n "s|^tests/boot/$1\.elf: ||p" "$mk"
	elif [ -f "$FK_BUILD/build.ninja" ]; then
		awk -v t="build tests/boot/$1.elf " 'index($0, t) == 1 {
			sub(/.*: CUSTOM_COMMAND /, ""); sub(/ [|][|] .*/, "")
			gsub(/ [|] /, " "); gsub(/ /, "\n"); print; exit }' \
			"$FK_BUILD/build.ninja"
	else
		echo "no build.make or build.ninja in $FK_BUILD" >&2
		return 1
	fi
}
check() { # $1 = program, then the files its rule must depend on
	local prog=$1 deps f
	shift
	deps=$(deps_of "$prog")
	[ -n "$deps" ] || { echo "$prog: no rule for $prog.elf"; fail=1; return; }
	for f in "$@"; do
		grep -qxF "$f" <<<"$deps" || {
			echo "$prog.elf does not depend on ${f#"$FK_ROOT"/}"
			fail=1
		}
	done
}
shopt -s nullglob
common=("$FK_ROOT"/include/flashkit/*.h "$FK_ROOT"/src/*/*.h
	"$FK_ROOT"/src/boot/*.c "$FK_ROOT"/ports/cortex-m/*.[ch]
	"$FK_ROOT"/ports/boot/*.[ch])
check boot_stm32l4_lite "${common[@]}" "$FK_ROOT"/ports/stm32/*.h \
	"$FK_ROOT"/ports/crypto-mbedtls/*.[ch]
check boot_stm32f205 "${common[@]}" "$FK_ROOT"/ports/stm32/*.h \
	"$FK_ROOT"/ports/nor/*.h
check boot_stm32h750 "${common[@]}" "$FK_ROOT"/ports/nor/*.h \
	"$FK_ROOT"/ports/crypto-mbedtls/target/*
[ $fail = 0 ] && echo "board bootloaders: rules depend on every header and port file"
exit $fail
