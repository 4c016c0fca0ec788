#!/usr/bin/env bash
# The device-side library needs nothing from a hosted C library: for
# Cortex-M3 and Cortex-M4F (the cross build of cmake/arm-none-eabi.cmake,
# -Os -ffreestanding -Werror),
#   1. every undefined symbol of libfk_device.a is memcpy, memset, memcmp
#      or a compiler helper from libgcc (__aeabi_*);
#   2. the whole archive links with -nostdlib, given only those three
#      functions, a vector table and libgcc.
set -euo pipefail
: "${FK_ROOT:?}" "${FK_BUILD:?}"
allowed='^(memcpy|memset|memcmp|__aeabi_[a-z0-9_]+)$'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/mem.c" <<'C'
#include <stddef.h>
void *memcpy(void *d, const void *s, size_t n)
{
	char *p = d;
	const char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
void *memset(void *d, int c, size_t n)
{
	char *p = d;
	while (n--)
		*p++ = (char)c;
	return d;
}
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}
void reset(void)
{
	for (;;)
		;
}
__attribute__((section(".vectors"), used)) void (*const vectors[2])(void) = {
	(void (*)(void))0x20001000, reset
};
C
cat >"$work/link.ld" <<'LD'
MEMORY { ROM (rx) : ORIGIN = 0, LENGTH = 16M  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 1M }
ENTRY(reset)
SECTIONS {
	.text : { KEEP(*(.vectors)) *(.text .text.* .rodata .rodata.*) } > ROM
	.data : { *(.data .data.*) } > RAM AT > ROM
	.bss : { *(.bss .bss.* COMMON) } > RAM
}
LD

bad=0
for cpu in cortex-m3 cortex-m4f; do
	b=$FK_BUILD/freestanding-$cpu
	cmake -S "$FK_ROOT" -B "$b" -DCMAKE_TOOLCHAIN_FILE="$FK_ROOT/cmake/arm-none-eabi.cmake" \
		-DFK_CPU=$cpu -DCMAKE_BUILD_TYPE=MinSizeRel >/dev/null
	cmake --build "$b" -j 2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
	lib=$b/libfk_device.a
	# Undefined in some member and defined in none: what the archive
	# needs from outside.
	arm-none-eabi-nm --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u >"$work/defined"
	undefined=$(arm-none-eabi-nm -u "$lib" | awk 'NF == 2 && $1 == "U" { print $2 }' |
		sort -u | comm -23 - "$work/defined")
	n=0
	for sym in $undefined; do
		n=$((n + 1))
		if ! [[ $sym =~ $allowed ]]; then
			echo "$cpu: libfk_device.a needs '$sym' (only memcpy, memset, memcmp and libgcc helpers allowed):"
			arm-none-eabi-nm -A -u "$lib" | grep -w "$sym" | sed 's/^/    /'
			bad=$((bad + 1))
		fi
	done
	case $cpu in
	cortex-m3) flags="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft" ;;
	*) flags="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" ;;
	esac
	# shellcheck disable=SC2086
	arm-none-eabi-gcc $flags -Os -ffreestanding -fno-builtin -nostdlib -T "$work/link.ld" \
		-o "$work/all-$cpu.elf" "$work/mem.c" \
		-Wl,--whole-archive "$lib" -Wl,--no-whole-archive -lgcc
	echo "$cpu: needs $n symbols from outside:" $undefined
	echo "$cpu: whole library linked with -nostdlib: $(arm-none-eabi-size "$work/all-$cpu.elf" | awk 'NR == 2 { print $1 " bytes of text" }')"
done
[ "$bad" -eq 0 ]
