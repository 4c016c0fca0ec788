#!/usr/bin/env bash
# Demo step: a key, a firmware signed for the STM32F407 layout's app slot
# with imgtool's options taken from the layout, verified, inspected, and
# the same checks on a Cortex-M3 under QEMU against an imgtool-made image.
set -euo pipefail
work=$FK_DEMO_OUT/image
mkdir -p "$work"
fw=tests/data/mcuboot-images/payload-12k.bin
layout=examples/stm32f407-sectors/layout.yaml

echo "== image: key, sign for a layout slot, verify, inspect"
"$FK_TOOL" key generate -o "$work/key.pem"
"$FK_TOOL" key public "$work/key.pem" --c -o "$work/boot_key.c"
echo "-- key.pem and its C form for the bootloader: $work/boot_key.c"
"$FK_TOOL" image sign -k "$work/key.pem" -v 1.0.0+1 -s auto --pad-header \
	--layout "$layout" --image app "$fw" "$work/app.hex"
"$FK_TOOL" image verify -k "$work/key.pem" "$work/app.hex"
"$FK_TOOL" image info "$work/app.hex"
echo "-- a firmware too large for the slot is refused:"
head -c 400000 /dev/zero >"$work/big.bin"
"$FK_TOOL" image sign -k "$work/key.pem" --pad-header --layout "$layout" \
	--image app "$work/big.bin" "$work/big.hex" || true
echo "-- one flipped payload byte:"
"$FK_TOOL" image sign -k "$work/key.pem" -H 0x200 --pad-header "$fw" "$work/app.img"
printf '\x00' | dd of="$work/app.img" bs=1 seek=4096 conv=notrunc status=none
"$FK_TOOL" image verify -k "$work/key.pem" "$work/app.img" || true
elf=build/host/tests/image/qemu_image_validate.elf
if [ -f "$elf" ]; then
	echo "-- on a Cortex-M3 (QEMU), mbedTLS built from Debian's source, imgtool's image:"
	mkdir -p "$work/qemu"
	cp tests/data/mcuboot-images/ecdsa-p256-basic.bin "$work/qemu/slot.bin"
	chmod u+w "$work/qemu/slot.bin"
	bash ports/qemu-mps2/run.sh --dir "$work/qemu" --timeout 60 "$elf"
fi
