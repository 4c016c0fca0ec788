#!/usr/bin/env bash
# Links a small Cortex-M program with every generated linker script of
# every example (each image, each slot of xip images, each module) using
# arm-none-eabi-gcc, then checks the ELF: every section inside the slot
# after the header (or the module's partition; a ram-load image: its
# `load` RAM) and inside the RAM the layout gives it; the vector table
# exactly at slot (or load RAM) + header. Each program is then signed
# with `image sign --layout` for its image (the HEX where it belongs) and
# refused as every other image; a plain image (strategy none, no
# bootloader) links for its partition and is refused by `image sign`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
links=0

link_one() { # SCRIPT OUT.elf SOURCE CPU
	local script=$1 elf=$2 src=$3 cpu=$4 dir
	dir=$(dirname "$elf")
	# one variable per extra RAM region of the script (regions after RAM)
	{
		echo "/* generated from $(basename "$script") */"
		echo "#define FK_COPY_EXTRA_SECTIONS() do { \\"
		for r in $(sed -n 's/^\t\([A-Z0-9_]*\) (rw) : .*/\1/p' "$script"); do
			l=$(echo "$r" | tr 'A-Z' 'a-z')
			# a retained RAM (NOLOAD) is never copied
			grep -q "__fk_${l}_load" "$script" || continue
			echo "	extern uint32_t __fk_${l}_start, __fk_${l}_end, __fk_${l}_load; \\"
			echo "	memcpy(&__fk_${l}_start, &__fk_${l}_load, (uintptr_t)&__fk_${l}_end - (uintptr_t)&__fk_${l}_start); \\"
		done
		echo "} while (0)"
		for r in $(sed -n 's/^\t\([A-Z0-9_]*\) (rw) : .*/\1/p' "$script"); do
			l=$(echo "$r" | tr 'A-Z' 'a-z')
			echo "__attribute__((section(\".$l\"))) volatile uint32_t in_$l = 7;"
		done
		echo "#define FK_TOUCH_EXTRA_SECTIONS() do { \\"
		for r in $(sed -n 's/^\t\([A-Z0-9_]*\) (rw) : .*/\1/p' "$script"); do
			l=$(echo "$r" | tr 'A-Z' 'a-z')
			echo "	in_$l++; \\"
		done
		echo "} while (0)"
	} >"$dir/extra_sections.h"
	arm-none-eabi-gcc -mcpu="$cpu" -mthumb -Os -ffunction-sections \
		-fdata-sections -nostartfiles -Wall -Werror -I"$dir" \
		-T "$script" -Wl,--gc-sections -o "$elf" "$src" -lc -lgcc
}

# `image sign --layout` must refuse ELF as IMAGE, saying WHY, and write
# nothing.
refused_sign() { # LAYOUT IMAGE ELF WHY
	local dir
	dir=$(dirname "$3")
	if "$FK_TOOL" image sign --layout "$1" --image "$2" --pad-header \
		"$3" "$dir/wrong.hex" 2>"$dir/wrong.err"; then
		echo "FAIL: $3 was signed as $2"
		exit 1
	fi
	grep -q "$4" "$dir/wrong.err" ||
		{ cat "$dir/wrong.err"; echo "FAIL: the refusal does not say: $4"; exit 1; }
	[ ! -e "$dir/wrong.hex" ] || { echo "FAIL: a refused sign left wrong.hex"; exit 1; }
}

# Signs ELF (linked for IMAGE's SLOT) with `image sign --layout`: as
# IMAGE it must pass and its HEX start where it belongs (an XIP image: the
# slot it was linked for; else the primary slot); as any other image of
# the layout it must be refused, saying which image it was linked for.
signs=0 refusals=0 image_links=0
sign_one() { # LAYOUT JSON IMAGE SLOT ELF
	local layout=$1 json=$2 img=$3 slot=$4 elf=$5 dir want got other
	dir=$(dirname "$elf")
	"$FK_TOOL" image sign --layout "$layout" --image "$img" --pad-header \
		"$elf" "$dir/signed.hex" 2>"$dir/sign.err" ||
		{ cat "$dir/sign.err"; echo "FAIL: $img linked for $slot: not signed"; exit 1; }
	want=$(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
img = next(i for i in j["images"] if i["name"] == sys.argv[2])
slot = sys.argv[3] if img["strategy"] == "xip" else img["primary"]
print(next(p["address"] for p in j["partitions"] if p["name"] == slot))' \
		"$json" "$img" "$slot")
	got=$(python3 -c '
import sys
base, low = 0, None
for line in open(sys.argv[1]):
    n, a, t = int(line[1:3], 16), int(line[3:7], 16), int(line[7:9], 16)
    if t == 4: base = int(line[9:13], 16) << 16
    if t == 0 and n and (low is None or base + a < low): low = base + a
print(low)' "$dir/signed.hex")
	[ "$got" = "$want" ] ||
		{ echo "FAIL: $img linked for $slot: HEX at $got, not $want"; exit 1; }
	signs=$((signs + 1))
	for other in $(python3 -c '
import json, sys
print(" ".join(i["name"] for i in json.load(open(sys.argv[1]))["images"]
               if i["name"] != sys.argv[2]))' "$json" "$img"); do
		refused_sign "$layout" "$other" "$elf" \
			"of image '$img', not in image '$other'"
		refusals=$((refusals + 1))
	done
}

# A plain image (strategy none) has no bootloader to verify a signature:
# `image sign --layout` must refuse it, saying so, and write nothing.
plains=0
plain_one() { # LAYOUT IMAGE ELF
	refused_sign "$1" "$2" "$3" "image '$2' has no bootloader (strategy none)"
	plains=$((plains + 1))
}

for layout in "$FK_ROOT"/examples/*/layout.yaml; do
	ex=$(basename "$(dirname "$layout")")
	out="$work/$ex"
	"$FK_TOOL" layout gen "$layout" -o "$out" 2>/dev/null
	json="$out/layout.json"
	cpu=cortex-m4
	case $ex in stm32h7*) cpu=cortex-m7 ;; esac
	while read -r img strategy primary secondary; do
		if [ "$strategy" = xip ]; then
			pairs="$img-$primary.ld:$primary $img-$secondary.ld:$secondary"
		elif [ "$strategy" = ram-load ]; then
			pairs="$img.ld:load"
		else
			pairs="$img.ld:$primary"
		fi
		# the STM32H745's second image runs on its Cortex-M4
		img_cpu=$cpu
		case $ex-$img in stm32h745*-cm4) img_cpu=cortex-m4 ;; esac
		for pair in $pairs; do
			script="$out/${pair%%:*}"
			slot="${pair##*:}"
			mkdir -p "$out/$img-$slot"
			echo "== $ex: image $img linked for slot $slot (${pair%%:*})"
			link_one "$script" "$out/$img-$slot/app.elf" \
				"$here/firmware/app.c" "$img_cpu"
			python3 "$here/elf_in_slot.py" "$out/$img-$slot/app.elf" \
				"$json" "$img" "$slot"
			if [ "$strategy" = none ]; then
				plain_one "$layout" "$img" "$out/$img-$slot/app.elf"
			else
				sign_one "$layout" "$json" "$img" "$slot" \
					"$out/$img-$slot/app.elf"
			fi
			links=$((links + 1)) image_links=$((image_links + 1))
		done
	done < <(python3 -c '
import json, sys
for i in json.load(open(sys.argv[1]))["images"]:
    print(i["name"], i["strategy"], i["primary"], i["secondary"])' "$json")
	for mod in $(python3 -c '
import json, sys
print(" ".join(m["name"] for m in json.load(open(sys.argv[1]))["modules"]))' "$json"); do
		echo "== $ex: module $mod (module-$mod.ld)"
		mkdir -p "$out/module-$mod"
		link_one "$out/module-$mod.ld" "$out/module-$mod/mod.elf" \
			"$here/firmware/module.c" "$cpu"
		python3 "$here/elf_in_slot.py" "$out/module-$mod/mod.elf" "$json" \
			--module "$mod"
		links=$((links + 1))
	done
done
# The check itself must catch a program linked for another slot.
h750="$work/stm32h750-qspi"
if python3 "$here/elf_in_slot.py" "$h750/app-app-a/app.elf" \
	"$h750/layout.json" app app-b >/dev/null; then
	echo "FAIL: an ELF linked for app-a passed the check for app-b"
	exit 1
fi
echo "an ELF linked for app-a is refused for app-b, as it must be"
# ...and one linked to run from RAM (ram-load) for a slot of flash
if python3 "$here/elf_in_slot.py" "$work/stm32h750-ram-load/app-load/app.elf" \
	"$h750/layout.json" app app-a >/dev/null; then
	echo "FAIL: an ELF linked for the AXI SRAM passed the check for app-a"
	exit 1
fi
echo "an ELF linked for the AXI SRAM is refused for app-a, as it must be"
# -x cannot put slot A's program into slot B
if "$FK_TOOL" image sign --layout "$FK_ROOT/examples/stm32h750-qspi/layout.yaml" \
	--image app -x 0x90100000 --pad-header "$h750/app-app-a/app.elf" \
	"$work/x.hex" 2>"$work/x.err"; then
	echo "FAIL: -x moved slot A's program to slot B"
	exit 1
fi
grep -q "linked for slot 'app-a' at 0x90000000; drop -x" "$work/x.err" ||
	{ cat "$work/x.err"; echo "FAIL: -x refused without the reason"; exit 1; }
echo "-x cannot move slot A's program into slot B"
echo "linked and checked $links programs; signed $signs, each refused as" \
	"any other image of its layout ($refusals refusals); $plains plain" \
	"image(s) refused by image sign"
[ "$links" -ge 10 ] && [ "$((signs + plains))" -eq "$image_links" ] &&
	[ "$refusals" -ge 2 ] && [ "$plains" -ge 1 ]
