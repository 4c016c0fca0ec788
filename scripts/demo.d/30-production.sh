#!/usr/bin/env bash
# Demo step: production files. Seed 003 (STM32F205 + 1 MB serial flash):
# firmware linked with the generated script, two signed versions, one
# factory file per memory (internal flash as HEX, serial flash as a
# binary for its flash bank), the same internal flash as DfuSe for ST's
# DFU tools, and three devices provisioned. Seed 004 (STM32H745, one image per core): both cores'
# images merged, one file per flash bank. Seed 001 (STM32L476, a serial
# number per device in a reserved page): three devices provisioned, each
# with its own serial, MAC and secret merged into the factory image.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="$FK_DEMO_OUT/production"
mkdir -p "$out"
step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }
FK="$FK_TOOL"

# A small firmware: vector table, .data copy, a version string. The
# bootloader stand-in is the same program linked at the bootloader
# partition (the boot step of the demo has the real one).
cat >"$out/fw.c" <<'C'
#include <stdint.h>
extern uint32_t __data_start, __data_end, __data_load, __bss_start,
	__bss_end, __stack_top;
const char version[] = "demo firmware " VERSION;
volatile uint32_t ticks = 1;
int main(void) { for (;;) ticks += version[ticks % sizeof(version)]; }
void Reset_Handler(void)
{
	uint32_t *s = &__data_load, *d = &__data_start;
	while (d < &__data_end) *d++ = *s++;
	for (d = &__bss_start; d < &__bss_end;) *d++ = 0;
	main();
}
__attribute__((section(".isr_vector"), used))
static void (*const vectors[2])(void) = {
	(void (*)(void))&__stack_top, Reset_Handler };
C
link() { # CPU SCRIPT VERSION ELF
	arm-none-eabi-gcc -mcpu="$1" -mthumb -Os -nostartfiles -nostdlib \
		-fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections -Wl,--gc-sections \
		-DVERSION="\"$3\"" -T "$2" -o "$4" "$out/fw.c"
}
boot_ld() { # ORIGIN LENGTH APP_SCRIPT: the app's script, FLASH moved
	sed "s/^\tFLASH (rx) : .*/\tFLASH (rx) : ORIGIN = $1, LENGTH = $2/" "$3"
}

# ---- seed 003: STM32F205 + serial flash --------------------------------
L=examples/stm32f205-wiced-ota/layout.yaml
g="$out/f205"
mkdir -p "$g"
step "production: the linker script of the app (from the layout)" \
	"$FK" layout gen "$L" -o "$g/gen"
link cortex-m3 "$g/gen/app.ld" 1.0.0 "$g/app-v1.elf"
link cortex-m3 "$g/gen/app.ld" 1.1.0 "$g/app-v2.elf"
boot_ld 0x08000000 0x4000 "$g/gen/app.ld" >"$g/boot.ld"
link cortex-m3 "$g/boot.ld" boot "$g/boot.elf"
step "production: ELF in, binary out (PT_LOAD by physical address)" \
	"$FK" convert "$g/app-v1.elf" -o "$g/app-v1.bin"
"$FK" convert "$g/app-v2.elf" -o "$g/app-v2.bin"
"$FK" convert "$g/boot.elf" -o "$g/boot.bin"
"$FK" key generate -o "$g/key.pem" >/dev/null
for v in 1 2; do
	step "production: sign app version 1.$((v - 1)).0; header size, slot size and alignment come from the layout" \
		"$FK" image sign -k "$g/key.pem" -v "1.$((v - 1)).0" \
		--layout "$L" --image app --pad-header "$g/app-v$v.bin" "$g/app-v$v.img"
done
step "production: one file per memory: bootloader + app v1.0.0 in flash, the factory-reset copy in the serial flash" \
	"$FK" merge --layout "$L" "$g/boot.bin@bootloader" "$g/app-v1.img@app" \
	"$g/app-v1.img@factory" -o "$g/factory.hex"
step "production: the same internal flash as DfuSe, for ST's DFU tools" \
	"$FK" convert "$g/factory-flash.hex" -o "$g/factory-flash.dfu" --name "Internal Flash"
step "production: dfu-util's own check of the DFU suffix and its CRC" \
	dfu-suffix -c "$g/factory-flash.dfu"
step "production: what the OpenOCD script of 'layout gen' programs" \
	grep -E "factory-|FK_BANK" "$g/gen/program.cfg"
cat >"$g/devices.yaml" <<'YAML'
# What each module gets in the devinfo sector at 0x08080000.
counter: { state: serials.state, start: 1 }
fields:
  serial: { type: serial, format: "YD-%06u" }
  mac:    { type: mac, first: "02:00:00:20:50:00", last: "02:00:00:20:5f:ff" }
  secret: { type: random, size: 16 }
YAML
step "production: three devices, each the factory image plus its own record" \
	"$FK" provision --layout "$L" --template "$g/devices.yaml" --count 3 \
	-o "$g/devices" --factory "$g/factory-flash.hex"
echo "(app-v2.img is the update the boot step installs)"

# ---- seed 004: STM32H745, one image per core -------------------------
L=examples/stm32h745-dual-core/layout.yaml
h="$out/h745"
mkdir -p "$h"
"$FK" layout gen "$L" -o "$h/gen" >/dev/null
link cortex-m7 "$h/gen/cm7.ld" cm7-1.0.0 "$h/cm7.elf"
link cortex-m4 "$h/gen/cm4.ld" cm4-1.0.0 "$h/cm4.elf"
boot_ld 0x08000000 0x20000 "$h/gen/cm7.ld" >"$h/boot.ld"
link cortex-m7 "$h/boot.ld" boot "$h/boot.elf"
"$FK" convert "$h/boot.elf" -o "$h/boot.bin"
"$FK" key generate -o "$h/key.pem" >/dev/null
for c in cm7 cm4; do
	"$FK" convert "$h/$c.elf" -o "$h/$c.bin"
	step "production: sign the $c image (the layout gives header 0x400, its slot, 32-byte flash words)" \
		"$FK" image sign -k "$h/key.pem" -v 1.0.0 --layout "$L" --image "$c" \
		--pad-header "$h/$c.bin" "$h/$c.img"
done
step "production: one file per flash bank" \
	"$FK" merge --layout "$L" "$h/boot.bin@boot" "$h/cm7.img@cm7-a" \
	"$h/cm4.img@cm4-a" -o "$h/factory.hex"
# ---- seed 001: STM32L476, a serial number per device at upload ---------
L=examples/stm32l4-devinfo/layout.yaml
l="$out/l476"
mkdir -p "$l"
"$FK" layout gen "$L" -o "$l/gen" >/dev/null
link cortex-m4 "$l/gen/app.ld" 1.0.0 "$l/app.elf"
boot_ld 0x08000000 0x8000 "$l/gen/app.ld" >"$l/boot.ld"
link cortex-m4 "$l/boot.ld" boot "$l/boot.elf"
"$FK" convert "$l/boot.elf" -o "$l/boot.bin"
"$FK" convert "$l/app.elf" -o "$l/app.bin"
"$FK" key generate -o "$l/key.pem" >/dev/null
"$FK" image sign -k "$l/key.pem" -v 1.0.0 -H 0x200 --pad-header -S 480K \
	--align 8 "$l/app.bin" "$l/app.img"
step "production: the factory file (bootloader + signed app), devinfo page left empty" \
	"$FK" merge --layout "$L" "$l/boot.bin@boot" "$l/app.img@app-a" -o "$l/factory.hex"
cat >"$l/devices.yaml" <<'YAML'
# What each board gets in its 2K devinfo page at 0x080FF800.
counter: { state: serials.state, start: 1 }
fields:
  serial: { type: serial, format: "L476-%05u" }
  mac:    { type: mac, first: "02:00:00:47:00:00", last: "02:00:00:47:ff:ff" }
  secret: { type: random, size: 32 }
  hw:     { type: text, id: 0x0003, value: "rev C" }
YAML
step "production: three devices, each a complete image with its own record" \
	"$FK" provision --layout "$L" --template "$l/devices.yaml" --count 3 \
	-o "$l/devices" --factory "$l/factory-flash.hex"
step "production: the manifest (secrets included: keep it like a key file)" \
	cat "$l/devices/manifest-1-3.csv"
step "production: the counter state: the next run starts at 4, never again at 1" \
	cat "$l/serials.state"
step "production: program.cfg programs the factory file plus one device's record" \
	grep -A3 "FK_DEVICE" "$l/gen/program.cfg"
