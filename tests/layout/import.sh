#!/usr/bin/env bash
# layout import and gen --esp-idf, on real files of ESP-IDF and of
# nRF Connect SDK reproduced in tests/layout/data (README there):
# - each partitions.csv imports to a valid layout whose generated
#   partitions.csv holds the partition set ESP-IDF itself places (names,
#   types, subtypes, offsets, sizes, flags: the expected tables below are
#   ESP-IDF's documented placement, worked by its rules), and importing
#   that CSV again gives the same layout;
# - each pm_static.yml imports to a valid layout whose flash_layout.h and
#   devicetree overlay give every kept partition pm_static's address and
#   size, and whose notes name every dropped one;
# - hostile inputs fail at FILE:LINE:COL saying what to do, and leave no
#   output file (an existing one keeps its bytes).
set -euo pipefail
F="$FK_TOOL"
D="$FK_ROOT/tests/layout/data"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# name,type,subtype,offset,size,flags rows of a CSV, comments dropped,
# sizes in bytes
rows() {
	grep -v '^#' "$1" | while IFS=, read -r n t s o z f; do
		z=${z// /}
		case $z in
		*M) z=$(( ${z%M} * 1048576 )) ;;
		*K) z=$(( ${z%K} * 1024 )) ;;
		*) z=$(( z )) ;;
		esac
		printf '%s,%s,%s,0x%x,0x%x,%s\n' "$n" "$t" "$s" $((o)) "$z" "$f"
	done
}

check_esp() { # CSV EXPECTED-ROWS
	local csv="$D/esp-idf/$1" b=$T/$1
	"$F" layout import "$csv" -o "$b.yaml" 2>"$b.notes" >/dev/null ||
		fail "import $1: $(cat "$b.notes")"
	"$F" layout check "$b.yaml" >/dev/null 2>&1 || fail "check $1"
	"$F" layout gen "$b.yaml" --esp-idf -o "$b.gen" ||
		fail "gen --esp-idf $1"
	rows "$b.gen/partitions.csv" >"$b.rows"
	printf '%s\n' "$2" | diff - "$b.rows" >&2 ||
		fail "$1: the generated table differs from ESP-IDF's placement"
	# and back: the generated CSV imports to the same layout
	"$F" layout import "$b.gen/partitions.csv" -o "$b.again.yaml" \
		2>/dev/null >/dev/null || fail "re-import $1"
	diff <(grep -v '^#' "$b.yaml") <(grep -v '^#' "$b.again.yaml") >&2 ||
		fail "$1: import -> gen -> import changed the layout"
}

check_esp partitions_two_ota.csv "nvs,data,nvs,0x9000,0x4000,
otadata,data,ota,0xd000,0x2000,
phy_init,data,phy,0xf000,0x1000,
factory,app,factory,0x10000,0x100000,
ota_0,app,ota_0,0x110000,0x100000,
ota_1,app,ota_1,0x210000,0x100000,"
# numeric types (0 = app), coredump after factory: 4K-aligned, then the
# next app rounds up to 64K
check_esp partitions_two_ota_coredump.csv "nvs,data,nvs,0x9000,0x4000,
otadata,data,ota,0xd000,0x2000,
phy_init,data,phy,0xf000,0x1000,
factory,app,factory,0x10000,0x100000,
coredump,data,coredump,0x110000,0x10000,
ota_0,app,ota_0,0x120000,0x100000,
ota_1,app,ota_1,0x220000,0x100000,"
check_esp partitions_two_ota_encr_nvs.csv "nvs,data,nvs,0x9000,0x4000,
otadata,data,ota,0xd000,0x2000,
phy_init,data,phy,0xf000,0x1000,
factory,app,factory,0x10000,0x100000,
ota_0,app,ota_0,0x110000,0x100000,
ota_1,app,ota_1,0x210000,0x100000,
nvs_key,data,nvs_keys,0x310000,0x1000,encrypted"
# the first app goes up from 0x9000 to 0x10000
check_esp partitions_singleapp_tee.csv "tee,app,tee_0,0x10000,0x30000,
secure_storage,data,nvs,0x40000,0x10000,
factory,app,factory,0x50000,0x180000,
nvs,data,nvs,0x1d0000,0x6000,
phy_init,data,phy,0x1d6000,0x1000,"
grep -q "'nvs_key' is encrypted" "$T/partitions_two_ota_encr_nvs.csv.notes" ||
	fail "no note on the encrypted flag"
grep -q "^#   - .*bootloader" "$T/partitions_two_ota.csv.yaml" ||
	fail "the notes are not in the output"

# a table placed after a moved partition table (--table-offset)
"$F" layout import "$D/esp-idf/partitions_two_ota_encr_nvs.csv" \
	--table-offset 0xc000 --flash-size 8M -o "$T/moved.yaml" 2>/dev/null >/dev/null
grep -q 'nvs: { offset: 0xD000, size: 0x4000' "$T/moved.yaml" ||
	fail "--table-offset: $(cat "$T/moved.yaml")"
grep -q 'sectors: 2048x4K' "$T/moved.yaml" || fail "--flash-size"

# a layout of flashkit's own: rows from the roles, the bootloader out
"$F" layout gen "$FK_ROOT/examples/nrf52840-uniform/layout.yaml" --esp-idf \
	-o "$T/own" 2>/dev/null
[ "$(grep -v '^#' "$T/own/partitions.csv")" = "app-a,app,ota_0,0xc000,472K,
app-b,app,ota_1,0x82000,472K,
settings,data,nvs,0xf8000,32K," ] || fail "gen --esp-idf by roles: $(cat "$T/own/partitions.csv")"
grep -q "^# boot (0x0, 49152 bytes): a bootloader, not in the table" \
	"$T/own/partitions.csv" || fail "the bootloader's comment"
# two flashes and no esp-idf key: which one is the table's is not guessed
if "$F" layout gen "$FK_ROOT/examples/stm32h750-qspi/layout.yaml" --esp-idf \
	-o "$T/two" 2>"$T/err"; then fail "gen --esp-idf guessed a memory"; fi
grep -q "which memory's partition table" "$T/err" || fail "two flashes: $(cat "$T/err")"
[ ! -e "$T/two" ] || fail "gen --esp-idf wrote files after refusing"

# ESP-IDF 5.3's bootloader and partition_table rows: where they are
# given (the table's own at --table-offset), moving nothing else; the
# layout and gen --esp-idf hold them in address order
printf 'nvs, data, nvs, , 24K\nfactory, app, factory, , 1M\nboot, bootloader, primary, 0x1000, 28K\nptable, partition_table, primary, , 4K\n' >"$T/v53.csv"
"$F" layout import "$T/v53.csv" -o "$T/v53.yaml" 2>/dev/null >/dev/null || fail "bootloader rows"
"$F" layout gen "$T/v53.yaml" --esp-idf -o "$T/v53" 2>/dev/null || fail "gen of bootloader rows"
[ "$(grep -v '^#' "$T/v53/partitions.csv")" = "boot,bootloader,primary,0x1000,28K,
ptable,partition_table,primary,0x8000,4K,
nvs,data,nvs,0x9000,24K,
factory,app,factory,0x10000,1M," ] || fail "bootloader rows: $(cat "$T/v53/partitions.csv")"
grep -q 'boot: { offset: 0x1000, size: 0x7000, role: bootloader, protect: write' "$T/v53.yaml" ||
	fail "the bootloader row's role"

# -o -: the layout alone on stdout, and it loads
"$F" layout import "$D/esp-idf/partitions_two_ota.csv" -o - 2>/dev/null >"$T/stdout.yaml"
"$F" layout check "$T/stdout.yaml" >/dev/null 2>&1 || fail "-o -: $(head -3 "$T/stdout.yaml")"

# ESP-IDF's negative size: "-X" ends the partition at X
printf 'nvs, data, nvs, 0x9000, -0x10000\nfw, app, factory, , -2M\n' >"$T/neg.csv"
"$F" layout import "$T/neg.csv" -o "$T/neg.yaml" 2>/dev/null >/dev/null || fail "negative size"
grep -q 'nvs: { offset: 0x9000, size: 0x7000,' "$T/neg.yaml" &&
	grep -q 'fw: { offset: 0x10000, size: 0x1F0000,' "$T/neg.yaml" ||
	fail "negative size: $(cat "$T/neg.yaml")"

# pm_static.yml: every kept partition where pm_static puts it
pm_entries() { # FILE -> "name address size" per top-level entry
	awk '/^[A-Za-z_][A-Za-z0-9_]*:/ { if (n) print n, a, s; n = $1; sub(":", "", n); a = ""; s = "" }
	     /^  address:/ { a = $2 } /^  size:/ { s = $2 }
	     END { if (n) print n, a, s }' "$1"
}
check_pm() { # FILE KEPT DROPPED
	local pm="$D/nrf/$1" b=$T/$1
	"$F" layout import "$pm" -o "$b.yaml" 2>"$b.notes" >/dev/null ||
		fail "import $1: $(cat "$b.notes")"
	"$F" layout check "$b.yaml" >/dev/null 2>&1 || fail "check $1"
	"$F" layout gen "$b.yaml" -o "$b.gen" || fail "gen $1"
	for name in $2; do
		read -r _ addr size < <(pm_entries "$pm" | grep "^$name ")
		local m=${name^^}
		grep -q "^#define FK_PART_${m}_OFFSET 0x$(printf %08X $((addr)))u" \
			"$b.gen/flash_layout.h" || fail "$1: $name's address"
		grep -q "^#define FK_PART_${m}_SIZE 0x$(printf %08X $((size)))u" \
			"$b.gen/flash_layout.h" || fail "$1: $name's size"
		grep -A2 "label = \"$name\"" "$b.gen/layout.overlay" |
			grep -q "reg = <0x$(printf %08x $((addr))) 0x$(printf %08x $((size)))>" ||
			fail "$1: $name in the devicetree"
	done
	[ "$(grep -c '^#define FK_PART_[A-Z0-9_]*_SIZE ' "$b.gen/flash_layout.h")" = \
		"$(wc -w <<<"$2")" ] || fail "$1: partitions other than $2"
	for name in $3; do
		grep -q "'$name' dropped" "$b.notes" || fail "$1: no note for $name"
		grep -q "'$name' dropped" "$b.yaml" || fail "$1: $name not in the notes"
	done
}
check_pm nrf_desktop_nrf52840dk_ZDebugMCUBootQSPI.yml \
	"mcuboot mcuboot_primary settings_storage mcuboot_secondary external_flash" \
	"mcuboot_pad app mcuboot_primary_app"
check_pm matter_weather_station_thingy53.yml \
	"mcuboot mcuboot_primary settings_storage mcuboot_secondary external_flash" \
	"mcuboot_pad app mcuboot_primary_app"
check_pm nrf_desktop_gmouse_ZDebugB0.yml \
	"b0 provision app s1_image settings_storage" \
	"b0_container s0 s0_image s1"
grep -q 'mcuboot: { offset: 0x0, size: 0xC000, role: bootloader, protect: write }' \
	"$T/nrf_desktop_nrf52840dk_ZDebugMCUBootQSPI.yml.yaml" || fail "mcuboot's role"
grep -q 'mcuboot_secondary: { offset: 0x0, size: 0xF0000, role: slot }' \
	"$T/nrf_desktop_nrf52840dk_ZDebugMCUBootQSPI.yml.yaml" || fail "the external slot"

# the nRF5340 network core: flash_primary at 0x01000000, 2K pages
printf 'b0n:\n  address: 0x1000000\n  size: 0x8800\napp:\n  address: 0x1008800\n  size: 0x37000\n' >"$T/net.yml"
"$F" layout import "$T/net.yml" --flash-base 0x1000000 --sector-size 2K \
	--flash-size 256K -o "$T/net.yaml" 2>/dev/null >/dev/null || fail "--flash-base"
grep -q 'base: 0x01000000' "$T/net.yaml" && grep -q 'sectors: 128x2K' "$T/net.yaml" &&
	grep -q 'app: { offset: 0x8800, size: 0x37000, role: slot }' "$T/net.yaml" ||
	fail "--flash-base: $(cat "$T/net.yaml")"
if "$F" layout import "$T/net.yml" --flash-base 0x1010000 --sector-size 2K \
	-o "$T/net2.yaml" 2>"$T/err" >/dev/null; then fail "below --flash-base"; fi
grep -q "flash_primary has a partition at 0x1000000, below --flash-base 0x1010000" "$T/err" ||
	fail "below --flash-base: $(cat "$T/err")"

# hostile input: the message, its position, and no output
bad() { # FORMAT-EXT TEXT EXPECTED-REGEX
	printf '%b' "$2" >"$T/bad.$1"
	echo "earlier content" >"$T/out.yaml"
	if "$F" layout import "$T/bad.$1" -o "$T/out.yaml" >/dev/null 2>"$T/err"; then
		fail "accepted: $2"
	fi
	grep -Eq "$3" "$T/err" || fail "for '$2' expected /$3/, got: $(cat "$T/err")"
	[ "$(cat "$T/out.yaml")" = "earlier content" ] || fail "output touched: $2"
}
bad csv 'nvs, data, nvs, 0x9000, 0x4000\nfw, apps, factory, , 1M\n' \
	"bad.csv:2:5: error: type 'apps' is not a type"
bad csv 'nvs, data, nvs, 0x9000, 0x6000\nphy, data, phy, 0xe000, 4K\n' \
	"bad.csv:2:17: error: offset 0xE000 overlaps 'nvs', which ends at 0xF000"
bad csv 'fw, app, factory, 0x18000, 1M\n' \
	"bad.csv:1:19: error: offset 0x18000 is not aligned to 0x10000"
bad csv 'nvs, data, nvs, 0x7000, 0x4000\n' \
	"bad.csv:1:17: error: offset 0x7000 is inside the partition table"
bad csv 'nvs, data, nvs, , 0x4100\n' \
	"bad.csv:1:19: error: size 0x4100 of 'nvs' is not a multiple of the flash's 4K sector; .*round it up to 0x5000"
bad csv 'nvs, data, nvs, , $NVS_SIZE\n' \
	"bad.csv:1:19: error: '\\$': ESP-IDF expands environment variables"
bad csv '1st, data, nvs, , 4K\n' \
	"bad.csv:1:1: error: partition name '1st' cannot be a layout name"
bad csv 'fw, app, , , 1M\n' \
	"bad.csv:1:10: error: subtype '' is empty; an app partition needs one"
bad csv 'nvs, data, nvs, , 16K, secret\n' \
	"bad.csv:1:24: error: flags 'secret' holds an unknown flag"
bad csv 'nvs, data, nvs, , 010\n' "leading zero"
bad csv 'nvs, data, nvs, , 16K\nNVS, data, nvs, , 16K\n' \
	"bad.csv:2:1: error: partition name 'NVS' is taken by line 1"
bad csv 'od, data, ota, , 4K\n' "bad.csv:1:18: error: otadata must be 0x2000"
bad csv '# nothing\n' "no partitions"
bad csv 'fw, app, factory, , 1M\nboot, bootloader, primary, 0x18000, 28K\n' \
	"bad.csv:2:28: error: 'boot' at 0x18000 overlaps 'fw' \\(line 1, 0x10000..0x110000\\)"
bad csv 'boot, bootloader, primary, , 28K\n' \
	"bad.csv:1:28: error: a bootloader row needs its offset"
bad csv 'nvs, data, nvs, 0x9000, -0x9000\n' \
	"bad.csv:1:25: error: size -0x9000 means 'up to 0x9000', which is not after the offset 0x9000"
bad yml 'a:\n  address: 0x0\n  size: 0x2000\nb:\n  address: 0x1000\n  size: 0x1000\n' \
	"bad.yml:5:12: error: 'b' at 0x1000 overlaps 'a'"
bad yml 'a:\n  address: 0x100\n  size: 0x1000\n' \
	"bad.yml:2:12: error: 'a' .* does not cover whole 4096-byte pages"
bad yml 'a:\n  size: 0x1000\n' "bad.yml:1:1: error: partition 'a' has no 'address'"
bad yml 'a:\n  address: 0\n  size: 0x1000\n  span: *nope\n' \
	"bad.yml:4:9: error: alias '\\*nope' names no anchor"
bad yml 'a:\n  address: 0\n  size: 0x1000\n  end_address: 0x2000\n' \
	"end_address 0x2000 is not address 0x0 \\+ size"
bad yml '- a\n' "is a mapping from partition names"
bad yml 'c:\n  address: 0\n  size: 0x1000\n  span: [x]\n' \
	"bad.yml:1:1: error: nothing to import: every partition was dropped"
bad yml 'f:\n  address: 0\n  size: 0x20002000\ns:\n  address: 0x20000000\n  size: 0x1000\n  region: sram_primary\n' \
	"bad.yml:5:12: error: sram_primary's 's' at 0x20000000 is inside the flash"
bad txt 'x' "give --from esp-idf or --from pm"
# aliases of aliases ("billion laughs"): 10^6 copies are refused, bounded
bomb='l0: &a0 [x, x, x, x, x, x, x, x, x, x]\n'
for i in 1 2 3 4 5 6; do
	bomb+="l$i: &a$i [$(printf '*a%d, ' $(yes $((i - 1)) | head -9))*a$((i - 1))]\n"
done
bad yml "$bomb" "aliases expand to more than 100000 nodes"

# a layout's esp-idf key is checked like the CSV's columns
cat >"$T/key.yaml" <<'YAML'
memories:
  flash:
    kind: external
    sectors: 256x4K
    write-unit: 1
    partitions:
      fw: { offset: 0x10000, size: 64K, role: slot, esp-idf: "app, bogus" }
YAML
if "$F" layout check "$T/key.yaml" 2>"$T/err" >/dev/null; then fail "esp-idf key"; fi
grep -q "key.yaml:7:62: error: 'esp-idf' of partition 'fw': 'app, bogus' is not an app subtype" "$T/err" ||
	fail "esp-idf key message: $(cat "$T/err")"
echo "import: 4 ESP-IDF tables, 3 pm_static files, 27 refusals: ok"
