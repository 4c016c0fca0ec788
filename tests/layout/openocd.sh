#!/usr/bin/env bash
# The generated program.cfg of every example, run by OpenOCD itself with
# the example's real target config: OpenOCD's Tcl parses the script, with
# the banks the target config declares (external memories get a bank of
# the `virtual` driver). Only the commands that touch hardware (init,
# reset, flash write_image, verify_image, flash write_bank, flash
# verify_bank, flash protect, stm32h7x option_write) are replaced by procs
# that print their arguments, and the test checks those against
# layout.json: every memory programmed from the file `flashkit merge
# --layout` writes for it (factory-<memory>.hex, or .bin at offset 0 when
# not memory-mapped) and verified, a released core's boot address set to
# its stub, every protected partition's sectors protected. Then the real
# `flashkit merge` output of the STM32F205 example is checked to be
# exactly the files the script programs. A missing external bank must
# stop the script with its explanation; an external memory merge wrote
# no file for is skipped, saying so.
set -euo pipefail
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fails=0 runs=0

target_of() {
	case $1 in
	p1-*|stm32f205*) echo stm32f2x ;;
	stm32f407*) echo stm32f4x ;;
	stm32l4*) echo stm32l4x ;;
	stm32l0*) echo stm32l0-over-jtag ;;
	stm32h745*) echo stm32h7x_dual_bank ;;
	stm32h750*|stm32h7-qspi-*) echo stm32h7x ;;
	nrf52*) echo nrf52-over-jtag ;;
	*) echo "unknown example $1" >&2; exit 1 ;;
	esac
}

for layout in "$FK_ROOT"/examples/*/layout.yaml; do
	ex=$(basename "$(dirname "$layout")")
	out="$work/$ex"
	"$FK_TOOL" layout gen "$layout" -o "$out" 2>/dev/null
	# a virtual bank per external memory, 0x70000000 + 16M * n
	python3 - "$out/layout.json" >"$out/banks.cfg" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
n = 0
for m in d["memories"]:
    if m["kind"] == "external":
        base = 0x70000000 + n * 0x1000000
        print("flash bank %s.bank virtual 0x%08x 0 0 0 [target current] "
              "[lindex [flash list] 0 1]" % (m["name"], base))
        print("set FK_BANK_%s %s.bank" % (m["name"].upper().replace("-", "_"), m["name"]))
        n += 1
PY
	target=$(target_of "$ex")
	if [ "$target" = nrf52-over-jtag ]; then
		# nrf52.cfg needs SWD, which the dummy adapter lacks: the
		# same target and nrf5 flash bank, declared on JTAG
		target_src="jtag newtap nrf52 cpu -irlen 4 -expected-id 0
dap create nrf52.dap -chain-position nrf52.cpu
target create nrf52.cpu cortex_m -dap nrf52.dap
flash bank nrf52.flash nrf5 0x00000000 0 1 1 nrf52.cpu"
	elif [ "$target" = stm32l0-over-jtag ]; then
		# stm32l0.cfg is SWD only too: its stm32lx flash bank on JTAG
		target_src="jtag newtap stm32l0 cpu -irlen 4 -expected-id 0
dap create stm32l0.dap -chain-position stm32l0.cpu
target create stm32l0.cpu cortex_m -dap stm32l0.dap
flash bank stm32l0.flash stm32lx 0x08000000 0 0 0 stm32l0.cpu"
	else
		target_src="source [find target/$target.cfg]"
	fi
	cat >"$out/stub.cfg" <<EOF2
adapter driver dummy
transport select jtag
$target_src
source $out/banks.cfg
proc init {} { echo "INIT" }
proc reset {args} { echo "RESET \$args" }
proc {flash write_image} {args} { echo "WRITE_IMAGE \$args" }
proc {flash protect} {args} { echo "PROTECT \$args" }
proc {flash write_bank} {args} { echo "WRITE_BANK \$args" }
proc {flash verify_bank} {args} { echo "VERIFY_BANK \$args" }
proc verify_image {args} { echo "VERIFY \$args" }
proc {stm32h7x option_write} {args} { echo "OPTION_WRITE \$args" }
EOF2
	# the files merge would write, one per memory (the script programs
	# only the external ones that exist)
	mkdir -p "$out/prod"
	python3 - "$out/layout.json" "$out/prod" <<'PY'
import json, sys
for m in json.load(open(sys.argv[1]))["memories"]:
    if m["kind"] != "ram":
        ext = "hex" if m["mapped"] else "bin"
        open("%s/factory-%s.%s" % (sys.argv[2], m["name"], ext), "w").close()
PY
	timeout 30 openocd -f "$out/stub.cfg" -c "set FK_DIR $out/prod" \
		-f "$out/program.cfg" >"$out/openocd.log" 2>&1 || true
	runs=$((runs + 1))
	if python3 - "$out/layout.json" "$out/openocd.log" "$out/prod" "$out/banks.cfg" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
log = [l.strip() for l in open(sys.argv[2]) if re.match(r"(INIT|RESET|WRITE_|VERIFY|PROTECT|OPTION_WRITE)", l)]
prod = sys.argv[3]
bases = dict(re.findall(r"flash bank (\S+)\.bank virtual (0x[0-9a-f]+)", open(sys.argv[4]).read()))
want = ["INIT", "RESET halt"]
flash_rank = {}
for m in d["memories"]:
    if m["kind"] == "ram":
        continue
    if m["kind"] == "flash":
        flash_rank[m["name"]] = len(flash_rank)
    if m["mapped"]:
        f = "%s/factory-%s.hex" % (prod, m["name"])
        want += ["WRITE_IMAGE erase %s" % f, "VERIFY %s" % f]
    else:
        f = "%s/factory-%s.bin" % (prod, m["name"])
        bank = "%s.bank" % m["name"]
        assert m["name"] in bases
        want += ["WRITE_BANK %s %s 0" % (bank, f), "VERIFY_BANK %s %s 0" % (bank, f)]
for img in d["images"]:
    if "release" in img:  # the other core's boot address: the stub
        stub = img["release"]["stub"]
        mem = [p["memory"] for p in d["partitions"]
               if p["address"] <= stub < p["address"] + p["size"]][0]
        want.append("OPTION_WRITE %d 0x4C 0x%04X 0xFFFF" % (flash_rank[mem], stub >> 16))
for p in d["partitions"]:
    if p["protect"] != "none" and p["memory"] in flash_rank:
        want.append("PROTECT %d %d %d on" % (flash_rank[p["memory"]], p["first_sector"],
                                            p["first_sector"] + p["sector_count"] - 1))
want.append("RESET run")
if log != want:
    print("expected:\n  " + "\n  ".join(want) + "\ngot:\n  " + "\n  ".join(log))
    sys.exit(1)
print("  " + "\n  ".join(log))
PY
	then echo "ok   $ex: OpenOCD ran program.cfg as the layout says"
	else echo "FAIL $ex"; cat "$out/openocd.log"; fails=$((fails + 1)); fi
done

# with FK_DEVICE, one device's record is programmed after the factory
# file and before protection: on a bootloader layout, and on seed 001's
# plain application (no bootloader, nothing protected)
device_step() { # EXAMPLE WANT-AFTER-THE-RECORD
	local ex="$work/$1" got want
	timeout 30 openocd -f "$ex/stub.cfg" -c "set FK_DIR $ex/prod" \
		-c "set FK_DEVICE $ex/dev/0001.hex" -f "$ex/program.cfg" >"$ex/dev.log" 2>&1 || true
	got=$(grep -E "^(WRITE_IMAGE|VERIFY|PROTECT|RESET run)" "$ex/dev.log" | tr '\n' '|')
	want="WRITE_IMAGE erase $ex/prod/factory-flash.hex|VERIFY $ex/prod/factory-flash.hex|WRITE_IMAGE erase $ex/dev/0001.hex|VERIFY $ex/dev/0001.hex|$2RESET run|"
	if [ "$got" = "$want" ]; then
		echo "ok   FK_DEVICE, $1: the factory file, then the device record"
	else
		echo "FAIL FK_DEVICE, $1: got $got"; fails=$((fails + 1))
	fi
}
device_step stm32l4-devinfo "PROTECT 0 0 15 on|"
device_step stm32l4-plain ""

# flashkit merge writes exactly the files the script programs
ex="$work/stm32f205-wiced-ota"
rm -rf "$ex/prod"
mkdir -p "$ex/prod"
head -c 8000 /dev/urandom >"$ex/boot.bin"
head -c 20000 /dev/urandom >"$ex/app.bin"
head -c 30000 /dev/urandom >"$ex/factory.bin"
"$FK_TOOL" merge --layout "$FK_ROOT/examples/stm32f205-wiced-ota/layout.yaml" \
	"$ex/boot.bin@bootloader" "$ex/app.bin@app" "$ex/factory.bin@factory" \
	-o "$ex/prod/factory.hex" >/dev/null
made=$(cd "$ex/prod" && ls | sort | tr '\n' ' ')
programmed=$(sed -n 's/^\(WRITE_IMAGE erase\|WRITE_BANK [^ ]*\) \([^ ]*\).*/\2/p' "$ex/openocd.log" |
	xargs -n1 basename | sort | tr '\n' ' ')
if [ "$made" = "$programmed" ]; then
	echo "ok   merge wrote $made- the files program.cfg programs"
else
	echo "FAIL merge wrote '$made', program.cfg programs '$programmed'"
	fails=$((fails + 1))
fi

# without the bank of the serial flash the script stops and says why
ex="$work/stm32f205-wiced-ota"
grep -v FK_BANK_ "$ex/banks.cfg" >"$ex/nobank.cfg"
sed "s|$ex/banks.cfg|$ex/nobank.cfg|" "$ex/stub.cfg" >"$ex/stub2.cfg"
rc=0
timeout 30 openocd -f "$ex/stub2.cfg" -c "set FK_DIR $ex/prod" -f "$ex/program.cfg" \
	>"$ex/nobank.log" 2>&1 || rc=$?
if [ "$rc" != 0 ] && grep -q "external memory 'sflash' needs a way in: set FK_BANK_SFLASH" "$ex/nobank.log" &&
	! grep -q "RESET run" "$ex/nobank.log"; then
	echo "ok   a missing external bank stops the script with its explanation (exit $rc)"
else
	echo "FAIL missing bank: exit $rc"; cat "$ex/nobank.log"; fails=$((fails + 1))
fi
# when merge wrote no file for the serial flash (nothing placed there,
# seed 000's P1), the script says so and programs the rest, with no bank
mkdir -p "$ex/flashonly"
touch "$ex/flashonly/factory-flash.hex"
rc=0
timeout 30 openocd -f "$ex/stub2.cfg" -c "set FK_DIR $ex/flashonly" \
	-f "$ex/program.cfg" >"$ex/flashonly.log" 2>&1 || rc=$?
if grep -q "sflash: merge wrote no factory-sflash.bin (nothing placed there): left as it is" \
	"$ex/flashonly.log" && grep -q "RESET run" "$ex/flashonly.log" &&
	! grep -q "WRITE_BANK" "$ex/flashonly.log"; then
	echo "ok   no serial-flash file from merge: skipped, saying so (exit $rc)"
else
	echo "FAIL no serial-flash file: exit $rc"; cat "$ex/flashonly.log"; fails=$((fails + 1))
fi
# without a bank but with flashkit's flash loader (FK_LOADER_SFLASH), the
# script runs the real ports/loader/openocd-flashkit.cfg: its procs call
# the loader's entry points as a debugger does. Only what touches the
# target is stubbed: the registers, memory and the run of one call, which
# answers as the loader's ABI does (0 = done; Verify: the end address).
cat >"$ex/loaderstub.cfg" <<'EOF2'
set ::fk_regs [dict create]
set ::fk_ret 0
proc reg {name {value ""}} {
	if {$value ne ""} { dict set ::fk_regs $name $value }
	return ""
}
proc halt {} {}
proc wait_halt {args} {}
proc write_memory {args} {}
proc load_image {args} { echo "LOAD $args" }
# the loader's table, offsets from where it was loaded (0x20000000): Init
# UnInit EraseChip EraseSector ProgramPage Verify BlankCheck, the
# breakpoint, the static base
proc read_memory {addr width count} {
	set t {}
	for {set i 0} {$i < 8} {incr i} { lappend t [expr {0x100 + $i * 0x100}] }
	lappend t 0xb48
	return [lrange $t 0 [expr {$count - 1}]]
}
proc resume {} {
	if {[dict get $::fk_regs r9] != 0x20000b48 ||
	    [dict get $::fk_regs lr] != 0x20000801} {
		error "r9 or lr wrong: $::fk_regs"
	}
	set pc [dict get $::fk_regs pc]
	set r0 [dict get $::fk_regs r0]
	set r1 [dict get $::fk_regs r1]
	set r2 [dict get $::fk_regs r2]
	set names {Init UnInit EraseChip EraseSector ProgramPage Verify BlankCheck}
	set name [lindex $names [expr {($pc - 0x20000100) / 0x100}]]
	echo [format "CALL %s 0x%08x 0x%x 0x%x" $name $r0 $r1 $r2]
	set ::fk_ret [expr {$name eq "Verify" ? $r0 + $r1 : 0}]
}
proc fk_r0 {} { return $::fk_ret }
EOF2
rc=0
timeout 60 openocd -f "$ex/stub2.cfg" -f "$FK_ROOT/ports/loader/openocd-flashkit.cfg" \
	-f "$ex/loaderstub.cfg" -c "set FK_DIR $ex/prod" \
	-c "set FK_LOADER_SFLASH $ex/nor_loader.elf" -f "$ex/program.cfg" \
	>"$ex/loader.log" 2>&1 || rc=$?
if python3 - "$ex/loader.log" "$ex/prod/factory-sflash.bin" "$ex/nor_loader.elf" <<'PY'
import os, re, sys
log = [l.strip() for l in open(sys.argv[1]) if re.match(r"(INIT|RESET|WRITE_|VERIFY|PROTECT|LOAD|CALL)", l)]
n = os.path.getsize(sys.argv[2])
base, sector, chunk = 0x90000000, 4096, 4096
calls = [l for l in log if l.startswith(("LOAD", "CALL"))]
want = ["LOAD %s 0x20000000" % sys.argv[3], "CALL Init 0x%08x 0x0 0x1" % base]
want += ["CALL EraseSector 0x%08x 0x0 0x0" % a for a in range(base, base + n, sector)]
want += ["CALL UnInit 0x00000001 0x0 0x0", "CALL Init 0x%08x 0x0 0x2" % base]
for off in range(0, n, chunk):
    k = min(chunk, n - off)
    want += ["LOAD %s %d bin 0x20008000 %d" % (sys.argv[2], 0x20008000 - off, k),
             "CALL ProgramPage 0x%08x 0x%x 0x20008000" % (base + off, k),
             "CALL Verify 0x%08x 0x%x 0x20008000" % (base + off, k)]
want += ["CALL UnInit 0x00000002 0x0 0x0"]
if calls != want:
    print("expected:\n  " + "\n  ".join(want[:12]) + "\ngot:\n  " + "\n  ".join(calls[:12]))
    sys.exit(1)
assert "RESET run" in log, "the script did not finish"
print("  %d loader calls for %d bytes" % (len(calls) - 1, n))
PY
then echo "ok   FK_LOADER_SFLASH: program.cfg programs the serial flash through the flash loader's entry points (exit $rc)"
else echo "FAIL loader path: exit $rc"; cat "$ex/loader.log"; fails=$((fails + 1)); fi

echo "$runs scripts run by OpenOCD, $fails failure(s)"
[ "$fails" = 0 ]
