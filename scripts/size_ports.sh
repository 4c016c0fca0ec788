#!/usr/bin/env bash
# Prints text/data/bss of each flash driver (every ports/stm32/*.c and
# ports/nor/*.c) built for Cortex-M3, M4F and M7 at -Os, as a bootloader
# would build it (FK_RAMFUNC from ports/cortex-m/ramfunc.h), and the
# bytes of it that run from RAM (.ramfunc, counted in text: copied from
# flash to RAM at reset, so they take both).
set -euo pipefail
cd "$(dirname "$0")/.."
cc=arm-none-eabi-gcc
command -v $cc >/dev/null || { echo "size: $cc missing: scripts/deps.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A cpu_flags=(
	[cortex-m3]="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
	[cortex-m4f]="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
	[cortex-m7]="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16"
)
cpus=(cortex-m3 cortex-m4f cortex-m7)
drivers=$(ls ports/stm32/*.c ports/nor/*.c 2>/dev/null || true)
[ -n "$drivers" ] || { echo "size: no driver in ports/stm32 or ports/nor"; exit 0; }

echo "== flash drivers (-Os; text includes ram = .ramfunc bytes) =="
declare -A short=([cortex-m3]=M3 [cortex-m4f]=M4F [cortex-m7]=M7)
printf '%-24s' "driver"
for cpu in "${cpus[@]}"; do
	printf ' | %-24s' "${short[$cpu]}: text/data/bss (ram)"
done
echo
for src in $drivers; do
	printf '%-24s' "${src#ports/}"
	for cpu in "${cpus[@]}"; do
		obj=$work/$cpu-$(basename "$src" .c).o
		# shellcheck disable=SC2086
		$cc ${cpu_flags[$cpu]} -std=c99 -Os -ffreestanding \
			-ffunction-sections -fdata-sections -Wall -Wextra -Werror \
			-Iinclude -Iports -include ports/cortex-m/ramfunc.h \
			-c "$src" -o "$obj"
		read -r text data bss _ < <(arm-none-eabi-size "$obj" | tail -1)
		ram=$(arm-none-eabi-size -A "$obj" |
			awk '$1 ~ /^\.ramfunc/ { s += $2 } END { print s + 0 }')
		printf ' | %-24s' "$text/$data/$bss ($ram)"
	done
	echo
done
