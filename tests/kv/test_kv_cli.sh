#!/usr/bin/env bash
# flashkit kv build / dump from the command line: a store image made for
# a layout partition is read back by dump (which mounts it with the
# device's store code), merges into the production file at the
# partition's address, explicit geometries (32-byte program-once, erased
# 0x00) and compact sector headers are detected by dump, and every bad
# input is refused with its
# file:line:col and no output file left behind.
source "${FK_ROOT:?}/tests/production/lib.sh"
L=$FK_ROOT/examples/stm32h750-qspi/layout.yaml

cat >settings.yaml <<'YAML'
keys: 32
value-max: 24
values:
  0: "hello"
  1: { u32: 48000 }
  2: { hex: "00a1ff" }
  7: ""
YAML

"$FK" kv build settings.yaml -o store.bin --layout "$L" --partition settings 2>/dev/null >out.txt
[ "$(stat -c %s store.bin)" = 65536 ] || fail "store.bin is not the 64K partition"
pass
"$FK" kv dump store.bin >dump.txt
grep -q "16 sectors of 4096 bytes, write unit 1, erased 0xFF" dump.txt || fail "dump geometry: $(cat dump.txt)"
grep -q 'key 0 .*live .*"hello"' dump.txt || fail "key 0 not live: $(cat dump.txt)"
grep -q 'key 1 .*live .*hex 80bb0000' dump.txt || fail "key 1 (u32 48000 LE)"
grep -q 'key 2 .*live .*hex 00a1ff' dump.txt || fail "key 2"
grep -q "4 live keys, 0 deleted, 0 superseded" dump.txt || fail "totals: $(tail -1 dump.txt)"
pass
"$FK" kv dump store.bin --layout "$L" --partition settings >dump2.txt 2>/dev/null
grep -q "4 live keys" dump2.txt || fail "dump with the layout"
pass

# The image goes into the production file like any other input.
"$FK" merge --layout "$L" store.bin@settings -o factory.bin >merge.txt 2>/dev/null
grep -q "factory-qspi.bin: 0x90200000..0x9020ffff" merge.txt ||
	fail "merge did not place the store at the settings partition: $(cat merge.txt)"
cmp store.bin factory-qspi.bin || fail "factory-qspi.bin differs from the store image"
pass

# Seed 002 on a part with internal sectors to spare: the H7B0 example
# keeps its settings in seven 8K internal sectors (16-byte ECC words)
# while its code runs from QSPI; the image lands in the internal flash's
# production file at the partition's address.
L7=$FK_ROOT/examples/stm32h7-qspi-internal-settings/layout.yaml
"$FK" kv build settings.yaml -o h7.bin --layout "$L7" --partition settings >/dev/null
[ "$(stat -c %s h7.bin)" = $((56 * 1024)) ] || fail "h7.bin is not the 56K partition"
"$FK" kv dump h7.bin --layout "$L7" --partition settings >dump7.txt
grep -q "7 sectors of 8192 bytes, write unit 16, erased 0xFF" dump7.txt || fail "H7B0 geometry: $(cat dump7.txt)"
grep -q "4 live keys" dump7.txt || fail "H7B0 store keys: $(tail -1 dump7.txt)"
"$FK" merge --layout "$L7" h7.bin@settings -o h7factory.bin >merge7.txt 2>/dev/null
grep -q "h7factory-flash.bin: 0x08012000..0x0801ffff" merge7.txt ||
	fail "H7B0 store not placed in internal flash: $(cat merge7.txt)"
cmp h7.bin h7factory-flash.bin || fail "h7factory-flash.bin differs from the store image"
pass

# 2 x 128 KiB ECC flash with 32-byte program-once words; erased 0x00.
"$FK" kv build settings.yaml -o ecc.bin --sector-size 128K --sectors 2 \
	--write-unit 32 --program-once >/dev/null
"$FK" kv dump ecc.bin | grep -q "2 sectors of 131072 bytes, write unit 32, erased 0xFF" ||
	fail "ecc geometry not detected"
pass
"$FK" kv build settings.yaml -o zero.bin --sector-size 4K --sectors 2 \
	--write-unit 16 --erased-value 0x00 >/dev/null
"$FK" kv dump zero.bin | grep -q "write unit 16, erased 0x00" || fail "erased 0x00 not detected"
pass

# Compact sector headers (format 3), chosen in the settings file: build
# says so, the first sector starts with the 16-byte header (N, K,
# record-max, value-max, geometry; seq 1), dump detects the variant.
grep -q "header bitmap (format 2)" dump.txt || fail "dump does not name format 2: $(head -2 dump.txt)"
{ printf 'header: compact\n'; cat settings.yaml; } >compact.yaml
"$FK" kv build compact.yaml -o compact.bin --sector-size 4K --sectors 4 \
	--write-unit 8 --program-once >out.txt
grep -q "header compact (format 3)" out.txt || fail "build: $(cat out.txt)"
[ "$(od -An -tx1 -N12 compact.bin | tr -d ' \n')" = 040020008000182301000000 ] ||
	fail "compact header bytes: $(od -An -tx1 -N16 compact.bin)"
"$FK" kv dump compact.bin >dumpc.txt
grep -q "4 sectors of 4096 bytes, write unit 8, erased 0xFF" dumpc.txt || fail "compact geometry: $(cat dumpc.txt)"
grep -q "header compact (format 3)" dumpc.txt || fail "compact not detected: $(head -2 dumpc.txt)"
grep -q 'key 0 .*live .*"hello"' dumpc.txt || fail "compact key 0: $(cat dumpc.txt)"
grep -q "4 live keys, 0 deleted, 0 superseded" dumpc.txt || fail "compact totals: $(tail -1 dumpc.txt)"
pass

# Bad inputs: message with position, nothing written.
bad() { # message yaml-text [extra args]
	local want=$1 text=$2
	shift 2
	printf '%s\n' "$text" >bad.yaml
	rm -f bad.bin
	expect_fail "$want" "$FK" kv build bad.yaml -o bad.bin --sector-size 4K --sectors 4 "$@"
	[ ! -e bad.bin ] || fail "bad.bin written for '$want'"
	ls bad.bin.*tmp* >/dev/null 2>&1 && fail "temporary file left behind"
	return 0
}
bad "bad.yaml:4:3: error: the value of key 1 has 30 bytes, more than value-max (24)" \
	$'keys: 8\nvalue-max: 24\nvalues:\n  1: "123456789012345678901234567890"'
bad "bad.yaml:2:3: error: key 9 is not below keys (8)" $'values:\n  9: "x"\nkeys: 8'
bad "bad.yaml:1:1: error: unknown key 'colour'" $'colour: red'
bad "bad.yaml:2:12: error: 'zz' at byte 1 is not a hex byte" $'values:\n  1: {hex: "00zz"}'
bad "bad.yaml:2:12: error: u16: '70000' is larger than 65535" $'values:\n  1: {u16: 70000}'
bad "bad.yaml:3:3: error: key 1 is given twice (first at line 2)" $'values:\n  1: "a"\n  1: "b"'
bad "bad.yaml:2:1: error: 'values' is given twice in a settings file (first at line 1)" $'values: {}\nvalues: {}'
bad "bad.yaml:1:7: error: 'keys' of the settings: 'many' is not a number" $'keys: many'
# One number grammar: no octal; a leading zero is refused, not read as 8.
bad "bad.yaml:2:3: error: a key id: '010' has a leading zero" $'values:\n  010: "x"'
bad "bad.yaml:1:12: error: 'value-max' of the settings: '010' has a leading zero" $'value-max: 010'
# The one YAML reader: NUL in a value, nesting depth, and all typos at once.
bad "bad.yaml:2:6: error: 'x\\u0000...' holds a NUL character" $'values:\n  1: "x\\u0000y"'
deep=$(printf '%.0s[' $(seq 1 40000))
bad "nests lists and mappings deeper than 64 levels" "values: $deep"
printf 'kes: 8\nvalue-mx: 8\nrecord-mux: 40\n' >typos.yaml
expect_fail "unknown key 'kes' in a settings file; did you mean 'keys'?" "$FK" kv build typos.yaml -o bad.bin --sector-size 4K --sectors 4
[ "$(grep -c "unknown key" err.txt)" = 3 ] || fail "three typos, not three errors in one run: $(cat err.txt)"
bad "error: keys must be a multiple of 8" $'keys: 12'
bad "bad.yaml:1:9: error: header must be bitmap (format 2, the default" $'header: small'
bad "YAML syntax:" $'values: [1, 2'
bad "the configuration does not fit" $'keys: 128\nvalue-max: 100'
bad "--sector-size '' is not a number" $'keys: 8' --sector-size "" --sectors 4
bad "--sectors '010' has a leading zero" $'keys: 8' --sectors 010
printf 'keys: 8\n' >ok.yaml
expect_fail "give the store's place" "$FK" kv build ok.yaml -o x.bin
expect_fail "partition 'app-a' has role slot" "$FK" kv build ok.yaml -o x.bin --layout "$L" --partition app-a
expect_fail "no partition 'nope'" "$FK" kv build ok.yaml -o x.bin --layout "$L" --partition nope
[ ! -e x.bin ] || fail "x.bin written"
head -c 8192 /dev/urandom >noise.bin
expect_fail "no settings store found" "$FK" kv dump noise.bin
expect_fail "but the store's place is 65536 bytes" "$FK" kv dump noise.bin --layout "$L" --partition settings
# A store read with another geometry than its own: the advice is about the
# geometry given, not about the store's configuration.
expect_fail "does not fit the geometry given" "$FK" kv dump ecc.bin --sector-size 128K --sectors 2 --write-unit 1
grep -q "lower keys or value-max" err.txt && fail "kv dump advises changing the store's own configuration"
echo "kv cli: $checks checks passed"
