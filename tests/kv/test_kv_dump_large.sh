#!/usr/bin/env bash
# flashkit kv dump on a 300 MB file whose geometry it must guess: what
# it finds. Each guess (sector size, then write unit and erased value) is
# tried on the file's bytes in place, and only one that mounts there is
# made into a simulator holding a copy; it used to copy the whole file for
# every guess (72 copies of 300 MB). Its time is a figure for bench/
# (bench/RESULTS.md, "kv dump on a large file"), printed here, never
# asserted. Both files are made here (a sparse file by truncate, a store
# by kv build) and removed afterwards.
source "${FK_ROOT:?}/tests/production/lib.sh"

# dump_within WHAT FILE: kv dump FILE, its output in dump.txt and its
# stderr in err.txt; prints the time it took.
dump_within() {
	local start end rc=0
	start=$(date +%s%N)
	"$FK" kv dump "$2" >dump.txt 2>err.txt || rc=$?
	end=$(date +%s%N)
	echo "$1: kv dump took $(((end - start) / 1000000)) ms (exit $rc)"
	return $rc
}

# No store at all: every guess fails, each after one header probe.
truncate -s 300M zero.bin
dump_within "300 MB of zeros" zero.bin && fail "a store found in zeros: $(head -2 dump.txt)"
grep -q "zero.bin: no settings store found" err.txt || fail "zeros: $(cat err.txt)"
pass
rm zero.bin

# A store found at the last guess: 256K sectors, 32-byte write unit,
# erased 0x00; found with that geometry and its value.
cat >s.yaml <<'YAML'
keys: 16
value-max: 32
values:
  3: "found"
YAML
"$FK" kv build s.yaml -o late.bin --sector-size 256K --sectors 1200 \
	--write-unit 32 --erased-value 0x00 >/dev/null
[ "$(stat -c %s late.bin)" = 314572800 ] || fail "late.bin is not 300 MB"
dump_within "300 MB store, the last geometry" late.bin || fail "late.bin: $(cat err.txt)"
grep -q "late.bin: settings store, 1200 sectors of 262144 bytes, write unit 32, erased 0x00" dump.txt ||
	fail "late.bin geometry: $(head -2 dump.txt)"
grep -q 'key 3 .*live .*"found"' dump.txt || fail "late.bin: key 3: $(cat dump.txt | tail -3)"
pass
# The same bytes, extended by truncate by one sector of zeros: no longer
# a store of any geometry (its headers name 1200 sectors).
truncate -s $((314572800 + 262144)) late.bin
dump_within "300 MB store plus a sector" late.bin && fail "late.bin + 256K: $(head -1 dump.txt)"
grep -q "no settings store found" err.txt || fail "late.bin + 256K: $(cat err.txt)"
pass
rm late.bin
echo "kv dump large: $checks checks passed"
