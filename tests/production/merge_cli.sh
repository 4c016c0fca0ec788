#!/usr/bin/env bash
# flashkit merge: bootloader + configuration + app into one file per
# memory (internal flash, external serial flash), checked byte by byte
# through srec_cat; gaps get the erased value, --fill or nothing
# (--sparse); every refusal names both parties and leaves no output.
source "$(dirname "$0")/lib.sh"
L="$HERE/layouts/two-memories.yaml"

head -c 20000 /dev/urandom >boot.bin
head -c 3000 /dev/urandom >cfg.bin
head -c 100000 /dev/urandom >app.bin
head -c 70000 /dev/urandom >ota.bin

"$FK" merge --layout "$L" boot.bin@boot cfg.bin@dct app.bin@app \
	ota.bin@factory -o factory.hex >summary.txt
[ -f factory-flash.hex ] && [ -f factory-sflash.bin ] || fail "outputs: $(ls)"
[ ! -e factory.hex ] || fail "factory.hex written beside the per-memory files"
grep -q "factory-flash.hex: 0x08000000..0x0803869f" summary.txt || fail "summary: $(cat summary.txt)"
pass

# The expected internal flash: boot at 0, cfg at 0x8000, app at 0x20000,
# 0xFF between them. The serial flash is not mapped: a binary from offset
# 0, as the OpenOCD script of `layout gen` writes it to its flash bank.
python3 - <<'PY'
boot = open("boot.bin", "rb").read()
cfg = open("cfg.bin", "rb").read()
app = open("app.bin", "rb").read()
img = bytearray(b"\xff" * (0x20000 + len(app)))
img[0:len(boot)] = boot
img[0x8000:0x8000 + len(cfg)] = cfg
img[0x20000:] = app
open("want_flash.bin", "wb").write(img)
ota = open("ota.bin", "rb").read()
open("want_sflash.bin", "wb").write(b"\xff" * 0x80000 + ota)
PY
srec_cat factory-flash.hex -Intel -offset -0x08000000 -o got_flash.bin -Binary
same got_flash.bin want_flash.bin
same factory-sflash.bin want_sflash.bin

# Binary output, --fill, --sparse.
"$FK" merge --layout "$L" boot.bin@boot cfg.bin@dct app.bin@app -o f.bin >/dev/null
same f-flash.bin want_flash.bin
"$FK" merge --layout "$L" boot.bin@boot cfg.bin@0x08008000 -o z.bin --fill 0 >/dev/null
[ "$(od -An -tx1 -j20000 -N4 z-flash.bin | tr -d ' ')" = 00000000 ] || fail "--fill 0 not used"
pass
"$FK" merge --layout "$L" boot.bin@boot cfg.bin@dct -o s.hex --sparse >/dev/null
"$FK" convert s-flash.hex --crop 0x08008000 0x08008BB8 -o s_cfg.bin
same s_cfg.bin cfg.bin
[ "$(grep -c '^:[0-9A-F]\{6\}00' s-flash.hex)" -eq $(( (20000 + 15) / 16 + (3000 + 15) / 16 )) ] || fail "--sparse filled the gap"
pass

# DfuSe with a layout: one file, one target per memory, which dfu-util's
# tools accept and dump byte-exact.
"$FK" merge --layout "$L" boot.bin@boot cfg.bin@dct ota.bin@factory -o all.dfu >dfu.txt
grep -q "all.dfu target 1 (alt 1, sflash): 0x00080000..0x00091" dfu.txt || fail "$(cat dfu.txt)"
dfu-suffix -c all.dfu >/dev/null 2>&1 || fail "dfu-suffix rejects all.dfu"
dfuse-pack -d all.dfu >dump.txt
grep -q "targets: 2" dump.txt && grep -q "alt setting: 1, name: \"b'sflash'\"" dump.txt || fail "$(cat dump.txt)"
same all.dfu.target1.image0.bin ota.bin
"$FK" convert all.dfu --target 0 --crop 0x08000000 0x08004e20 -o boot_back.bin
same boot_back.bin boot.bin
[ ! -e all-flash.dfu ] || fail "per-memory .dfu files written"
pass

# Inputs that carry addresses; without a layout, addresses only.
"$FK" convert app.bin --base 0x08020000 -o app.hex
"$FK" merge --layout "$L" boot.bin@boot app.hex@app -o h.bin >/dev/null
"$FK" merge --layout "$L" boot.bin@boot app.hex -o h2.bin >/dev/null
same h-flash.bin h2-flash.bin
"$FK" merge boot.bin@0x08000000 cfg.bin@0x08008000 app.hex -o nolayout.bin >/dev/null
same nolayout.bin want_flash.bin

# Refusals name both parties and write nothing.
rm -f out*
expect_fail "cfg.bin@0x08004000 (0x08004000..0x08004bb7) overlaps boot.bin@boot (0x08000000..0x08004e1f) at 0x08004000 in flash" \
	"$FK" merge --layout "$L" boot.bin@boot cfg.bin@0x08004000 -o out.hex
expect_fail "cfg.bin@0x08004000 (0x08004000..0x08004bb7) overlaps boot.bin@0x08000000 (0x08000000..0x08004e1f) at 0x08004000" \
	"$FK" merge boot.bin@0x08000000 cfg.bin@0x08004000 -o out.hex
expect_fail "app.bin@dct: 100000 bytes do not fit partition 'dct' (16384 bytes at 0x08008000" \
	"$FK" merge --layout "$L" app.bin@dct -o out.hex
expect_fail "83616 bytes too many" "$FK" merge --layout "$L" app.bin@dct -o out.hex
expect_fail "app.hex@dct: data at 0x08020000..0x0803869f lies outside partition 'dct' (0x08008000..0x0800bfff" \
	"$FK" merge --layout "$L" app.hex@dct -o out.hex
expect_fail "cfg.bin@0x30000000: data at 0x30000000..0x30000bb7 lies outside every memory" \
	"$FK" merge --layout "$L" cfg.bin@0x30000000 -o out.hex
grep -q "sflash     not mapped" err.txt || fail "memories not listed: $(cat err.txt)"
expect_fail "app.bin@0x080F0000: data at 0x080f0000..0x0810869f runs past the end of memory 'flash'" \
	"$FK" merge --layout "$L" app.bin@0x080F0000 -o out.hex
expect_fail "no partition 'nosuch' in" "$FK" merge --layout "$L" app.bin@nosuch -o out.hex
expect_fail "partition names need --layout" "$FK" merge app.bin@app -o out.hex
expect_fail "a raw binary has no address" "$FK" merge app.bin -o out.hex
# One file per memory appears together or not at all: when the serial
# flash's file cannot be written, the internal flash's is not left behind
# (nor any temporary file).
mkdir -p set && mkdir set/out-sflash.bin
expect_fail "set/out-sflash.bin': it is a folder" "$FK" merge --layout "$L" \
	boot.bin@boot ota.bin@factory -o set/out.hex
[ -z "$(ls set | grep -v '^out-sflash.bin$')" ] || fail "left behind: $(ls set)"
pass
expect_fail "carries its own addresses" "$FK" merge app.hex@0x08000000 -o out.hex
expect_fail "--sparse needs a HEX, S-record or DfuSe output" "$FK" merge --sparse app.hex -o out.bin
ls out* 2>/dev/null && fail "an output was written despite the errors"
pass
echo "merge: $checks checks passed"
