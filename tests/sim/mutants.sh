#!/usr/bin/env bash
# Mutation proof: every rule of the simulator (sim/flashsim.c) and of the
# checked flash wrappers (src/flash/flash.c) has a test that fails when
# the rule is taken out.
#
# For each mutant below, a copy of the two sources gets one small textual
# patch that removes one rule; the flash and simulator tests are rebuilt
# against the copy and must FAIL. The script fails when a mutant survives,
# when its patch no longer applies exactly once (the source moved on: fix
# the patch, never drop it), when a mutant does not compile, or when the
# unmutated sources do not pass (so it cannot pass by accident).
#
# Environment (set by ctest): FK_ROOT, FK_CC (the build's compiler),
# FK_CMOCKA (the cmocka library).
set -euo pipefail
: "${FK_ROOT:?}" "${FK_CC:?}" "${FK_CMOCKA:?}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tests=(tests/sim/test_nor_rules.c tests/sim/test_power_cuts.c
	tests/sim/test_accounting.c tests/flash/test_geometry.c
	tests/flash/test_checks.c)
cflags=(-std=c11 -O1 -g0 -Wall -Wextra -Wno-unused-function
	-Wno-unused-parameter -I"$FK_ROOT/include" -I"$FK_ROOT/sim"
	-I"$FK_ROOT/tests")

for t in "${tests[@]}"; do
	"$FK_CC" "${cflags[@]}" -c "$FK_ROOT/$t" -o "$work/$(basename "$t" .c).o"
done
"$FK_CC" "${cflags[@]}" -c "$FK_ROOT/src/core/error.c" -o "$work/error.o"

# Builds the tests against $1/flash.c and $1/flashsim.c. Returns 0 when
# every test binary passes, 1 when one fails (or crashes or hangs),
# 2 when the sources do not compile.
run_suite() {
	local dir=$1 t exe
	"$FK_CC" "${cflags[@]}" -c "$dir/flash.c" -o "$dir/flash.o" 2>"$dir/cc.log" &&
		"$FK_CC" "${cflags[@]}" -c "$dir/flashsim.c" -o "$dir/flashsim.o" \
			2>>"$dir/cc.log" || return 2
	for t in "${tests[@]}"; do
		exe=$dir/$(basename "$t" .c)
		"$FK_CC" -o "$exe" "$work/$(basename "$t" .c).o" "$dir/flash.o" \
			"$dir/flashsim.o" "$work/error.o" "$FK_CMOCKA" || return 2
		if ! timeout 20 "$exe" >"$exe.log" 2>&1; then
			{ grep -m1 -o 'FAILED  \] test_[a-z0-9_]*' "$exe.log" ||
				echo "$(basename "$exe") crashed or hung"; } |
				sed 's/.*\] //' >"$dir/killer"
			return 1
		fi
	done
	return 0
}

# One mutant per line: name @@ file @@ text to find @@ replacement, with
# \n and \t escapes. The text must occur exactly once in the file.
cat >"$work/mutants.txt" <<'EOF'
erase-covers-half-sector @@ sim/flashsim.c @@ memset(sim->data + off, flash->geo.erased_value, sector_size); @@ memset(sim->data + off, flash->geo.erased_value, sector_size / 2);
erase-spills-into-next-sector @@ sim/flashsim.c @@ memset(sim->data + off, flash->geo.erased_value, sector_size); @@ memset(sim->data + off, flash->geo.erased_value, sector_size);\n\tif (off + sector_size < flash->geo.size)\n\t\tsim->data[off + sector_size] = flash->geo.erased_value;
erase-starts-in-previous-sector @@ sim/flashsim.c @@ memset(sim->data + off, flash->geo.erased_value, sector_size); @@ memset(sim->data + off, flash->geo.erased_value, sector_size);\n\tif (off > 0)\n\t\tsim->data[off - 1] = flash->geo.erased_value;
erase-ignores-erased-value @@ sim/flashsim.c @@ memset(sim->data + off, flash->geo.erased_value, sector_size); @@ memset(sim->data + off, 0xFF, sector_size);
program-sets-bit-back-0xff @@ sim/flashsim.c @@ return ~cur & next; @@ return 0;
program-sets-bit-back-0x00 @@ sim/flashsim.c @@ return cur & ~next; @@ return 0;
program-once-not-enforced @@ sim/flashsim.c @@ if (flash->geo.program_once &&\n\t    any_programmed(sim, off / wu, (off + len) / wu)) @@ if (false)
torn-unit-reads-fine @@ sim/flashsim.c @@ if (flash->geo.program_once &&\n\t    any_torn(sim, off / wu, (off + len - 1) / wu)) @@ if (false)
program-tail-not-checked @@ sim/flashsim.c @@ if (i == len)\n\t\treturn false; @@ return false;
program-words-not-checked @@ sim/flashsim.c @@ if (bits_set_back(erased, c, x))\n\t\t\treturn true; @@ (void)0;
program-once-tail-not-checked @@ sim/flashsim.c @@ memcpy(&w, sim->unit_state + u, end - u);\n\treturn w != 0; @@ return false;
program-once-words-not-checked @@ sim/flashsim.c @@ if (w)\n\t\t\treturn true; @@ (void)0;
torn-unit-last-not-checked @@ sim/flashsim.c @@ last - first + 1); @@ last - first);
torn-program-not-marked-torn @@ sim/flashsim.c @@ sim->unit_state[unit] = torn ? UNIT_TORN : UNIT_PROGRAMMED; @@ sim->unit_state[unit] = UNIT_PROGRAMMED;
torn-erase-not-marked-torn @@ sim/flashsim.c @@ *state = UNIT_TORN; @@ *state = UNIT_ERASED;
protect-ignored-by-program @@ sim/flashsim.c @@ if (overlaps_protected(sim, off, len)) { @@ if (false) {
protect-ignored-by-erase @@ sim/flashsim.c @@ if (overlaps_protected(sim, off, sector_size)) { @@ if (false) {
protect-only-whole-containment @@ sim/flashsim.c @@ if (off < p->off + p->len && p->off < off + len) @@ if (off >= p->off && off + len <= p->off + p->len)
no-cut-before-program @@ sim/flashsim.c @@ \tif (cut == FK_CUT_BEFORE)\n\t\treturn lose_power(sim);\n\tif (overlaps_protected(sim, off, len)) @@ \tif (overlaps_protected(sim, off, len))
no-cut-before-erase @@ sim/flashsim.c @@ \tif (cut == FK_CUT_BEFORE)\n\t\treturn lose_power(sim);\n\tif (overlaps_protected(sim, off, sector_size)) @@ \tif (overlaps_protected(sim, off, sector_size))
no-cut-after-program @@ sim/flashsim.c @@ sim->c.bytes_programmed += len;\n\treturn cut == FK_CUT_AFTER ? lose_power(sim) : FK_OK; @@ sim->c.bytes_programmed += len;\n\treturn FK_OK;
no-cut-after-erase @@ sim/flashsim.c @@ sector_size / flash->geo.write_unit);\n\treturn cut == FK_CUT_AFTER ? lose_power(sim) : FK_OK; @@ sector_size / flash->geo.write_unit);\n\treturn FK_OK;
torn-program-completes @@ sim/flashsim.c @@ tear_program(sim, off, src, len); @@ memcpy(sim->data + off, src, len);
torn-program-prefix-touches-every-unit @@ sim/flashsim.c @@ if (mode == FK_TEAR_PREFIX && u > full)\n\t\t\tbreak; @@ (void)0;
torn-program-some-bits-lands-all-bits @@ sim/flashsim.c @@ torn ? (uint8_t)rng_next(&sim->c.rng) : 0xFF; @@ torn ? 0xFF : 0xFF;
torn-erase-completes @@ sim/flashsim.c @@ tear_erase(sim, off, sector_size); @@ memset(sim->data + off, flash->geo.erased_value, sector_size);
torn-erase-prefix-erases-nothing @@ sim/flashsim.c @@ if (i < prefix)\n\t\t\t\tp[i] = geo->erased_value; @@ (void)prefix;
torn-erase-some-bits-flips-both-ways @@ sim/flashsim.c @@ (uint8_t)(p[i] | r) : @@ (uint8_t)(p[i] ^ r) :
torn-erase-garbage-is-erased @@ sim/flashsim.c @@ \t\t\tp[i] = r; @@ \t\t\tp[i] = geo->erased_value;
seeded-tear-never-garbage @@ sim/flashsim.c @@ % (erase ? 3 : 2)) { @@ % 2) {
power-stays-on-for-read @@ sim/flashsim.c @@ \tif (sim->c.power_lost)\n\t\treturn FK_EPOWER;\n\tif (sim->count_reads) @@ \tif (sim->count_reads)
power-stays-on-for-program @@ sim/flashsim.c @@ \tif (sim->c.power_lost)\n\t\treturn FK_EPOWER;\n\tcut = next_op(sim);\n\tif (cut == FK_CUT_BEFORE)\n\t\treturn lose_power(sim);\n\tif (overlaps_protected(sim, off, len)) @@ \tcut = next_op(sim);\n\tif (cut == FK_CUT_BEFORE)\n\t\treturn lose_power(sim);\n\tif (overlaps_protected(sim, off, len))
power-stays-on-for-erase @@ sim/flashsim.c @@ \tif (sim->c.power_lost)\n\t\treturn FK_EPOWER;\n\tcut = next_op(sim);\n\tif (cut == FK_CUT_BEFORE)\n\t\treturn lose_power(sim);\n\tif (overlaps_protected(sim, off, sector_size)) @@ \tcut = next_op(sim);\n\tif (cut == FK_CUT_BEFORE)\n\t\treturn lose_power(sim);\n\tif (overlaps_protected(sim, off, sector_size))
reboot-loses-contents @@ sim/flashsim.c @@ sim->c.power_lost = false; @@ sim->c.power_lost = false;\n\tmemset(sim->data, sim->flash.geo.erased_value, sim->flash.geo.size);
reboot-leaves-power-off @@ sim/flashsim.c @@ sim->c.power_lost = false; @@ (void)sim;
cut-fires-one-op-early @@ sim/flashsim.c @@ if (sim->c.cut_armed && sim->c.cut_op == index) { @@ if (sim->c.cut_armed && sim->c.cut_op <= index + 1) {
reads-never-counted @@ sim/flashsim.c @@ if (sim->count_reads) { @@ if (false) {
programs-not-counted @@ sim/flashsim.c @@ sim->c.programs++; @@ (void)0;
erases-not-counted @@ sim/flashsim.c @@ sim->c.erases++; @@ (void)0;
reads-not-counted @@ sim/flashsim.c @@ sim->c.reads++; @@ (void)0;
most-worn-sector-not-reported @@ sim/flashsim.c @@ out->max_sector_index = i; @@ out->max_sector_index = 0;
violations-not-counted-for-program @@ sim/flashsim.c @@ if (overlaps_protected(sim, off, len)) {\n\t\tsim->violations++; @@ if (overlaps_protected(sim, off, len)) {
violations-not-counted-for-erase @@ sim/flashsim.c @@ if (overlaps_protected(sim, off, sector_size)) {\n\t\tsim->violations++; @@ if (overlaps_protected(sim, off, sector_size)) {
tear-not-reproducible @@ sim/flashsim.c @@ sim->c.rng = seed; @@ static uint64_t salt;\n\tsim->c.rng = seed + salt++;
bytes-programmed-not-counted @@ sim/flashsim.c @@ sim->c.bytes_programmed += len; @@ (void)0;
bytes-read-not-counted @@ sim/flashsim.c @@ sim->c.bytes_read += len; @@ (void)0;
wear-not-counted @@ sim/flashsim.c @@ sim->wear[s.index]++; @@ (void)s;
erase-time-not-counted @@ sim/flashsim.c @@ sim->c.est_ns += erase_ns(&sim->timing, sector_size); @@ (void)0;
erase-time-table-ignored @@ sim/flashsim.c @@ return (uint64_t)t->erase_table[i].us * 1000; @@ break;
erase-time-rounds-to-kib @@ sim/flashsim.c @@ (uint64_t)t->erase_us_per_kib * sector_size * 1000 / 1024; @@ (uint64_t)t->erase_us_per_kib * (sector_size / 1024) * 1000;
program-time-not-counted @@ sim/flashsim.c @@ (uint64_t)(len / wu) * sim->timing.program_us_per_unit * 1000; @@ 0 * (uint64_t)(len / wu) * sim->timing.program_us_per_unit * 1000;
read-time-not-counted @@ sim/flashsim.c @@ sim->c.est_ns += (uint64_t)len * sim->timing.read_ns_per_byte; @@ (void)0;
restore-keeps-data @@ sim/flashsim.c @@ memcpy(sim->data, snap->data, sim->flash.geo.size); @@ (void)0;
restore-keeps-unit-state @@ sim/flashsim.c @@ memcpy(sim->unit_state, snap->unit_state, sim->unit_count); @@ (void)0;
restore-keeps-wear @@ sim/flashsim.c @@ memcpy(sim->wear, snap->wear, sim->sector_count * sizeof(*sim->wear)); @@ (void)0;
restore-keeps-counters @@ sim/flashsim.c @@ sim->c = snap->c; @@ (void)0;
range-check-overflows @@ src/flash/flash.c @@ if (off > flash->geo.size || len > flash->geo.size - off) @@ if (off + len > flash->geo.size)
range-check-missing @@ src/flash/flash.c @@ if (off > flash->geo.size || len > flash->geo.size - off) @@ if (off > flash->geo.size)
write-align-ignores-length @@ src/flash/flash.c @@ if ((off & mask) != 0 || (len & mask) != 0) @@ if ((off & mask) != 0)
write-align-ignores-offset @@ src/flash/flash.c @@ if ((off & mask) != 0 || (len & mask) != 0) @@ if ((len & mask) != 0)
erase-accepts-partial-sectors @@ src/flash/flash.c @@ end = off + len;\n\tif (!fk_flash_is_sector_boundary(flash, off) || @@ end = off + len;\n\tif (false &&
sector-lookup-assumes-uniform @@ src/flash/flash.c @@ uint32_t k = (off - start) / run->size; @@ uint32_t k = off / run->size;
sector-index-lookup-off-by-one @@ src/flash/flash.c @@ if (index < first + run->count) { @@ if (index <= first + run->count) {
geometry-size-not-checked @@ src/flash/flash.c @@ if (total != geo->size || total == 0) @@ if (total == 0)
geometry-write-unit-not-checked @@ src/flash/flash.c @@ if (!is_pow2(geo->write_unit) || geo->write_unit > 256) @@ if (geo->write_unit == 0)
geometry-erased-value-not-checked @@ src/flash/flash.c @@ if (geo->erased_value != 0xFF && geo->erased_value != 0x00) @@ if (false)
area-bounds-not-checked @@ src/flash/flash.c @@ if (off > area->size || len > area->size - off) @@ if (off > area->size)
area-must-not-be-sector-aligned @@ src/flash/flash.c @@ !fk_flash_is_sector_boundary(flash, off + size)) @@ false)
null-buffer-reaches-driver @@ src/flash/flash.c @@ \tif (len == 0)\n\t\treturn FK_OK;\n\tif (!buf)\n\t\treturn FK_EINVAL;\n\treturn flash->ops->read @@ \tif (len == 0)\n\t\treturn FK_OK;\n\treturn flash->ops->read
EOF

# Writes $work/m/<name>/{flash.c,flashsim.c}, one mutated copy per line.
python3 - "$FK_ROOT" "$work" <<'PY'
import os, sys
root, work = sys.argv[1], sys.argv[2]
base = {p: open(os.path.join(root, p)).read()
	for p in ("sim/flashsim.c", "src/flash/flash.c")}
bad = 0
for line in open(os.path.join(work, "mutants.txt")):
	line = line.rstrip("\n")
	if not line:
		continue
	name, path, old, new = [f.strip(" ") for f in line.split(" @@ ")]
	old = old.replace("\\n", "\n").replace("\\t", "\t")
	new = new.replace("\\n", "\n").replace("\\t", "\t")
	n = base[path].count(old)
	if n != 1:
		print(f"mutant {name}: patch found {n} times in {path}, "
		      "expected once: update the patch in tests/sim/mutants.sh")
		bad += 1
		continue
	d = os.path.join(work, "m", name)
	os.makedirs(d)
	for p, text in base.items():
		if p == path:
			text = text.replace(old, new)
		open(os.path.join(d, os.path.basename(p)), "w").write(text)
	open(os.path.join(work, "order"), "a").write(name + "\n")
sys.exit(1 if bad else 0)
PY

mkdir "$work/orig"
cp "$FK_ROOT/sim/flashsim.c" "$FK_ROOT/src/flash/flash.c" "$work/orig/"
cp "$FK_ROOT/sim/flashsim.h" "$work/orig/"
rc=0
run_suite "$work/orig" || rc=$?
if [ $rc -ne 0 ]; then
	cat "$work/orig/cc.log" "$work/orig"/*.log >&2 || true
	echo "mutants: the unmutated sources do not pass their tests" >&2
	exit 1
fi

total=0 killed=0 failed=0
while read -r name; do
	total=$((total + 1))
	dir=$work/m/$name
	cp "$FK_ROOT/sim/flashsim.h" "$dir/"
	rc=0
	run_suite "$dir" || rc=$?
	case $rc in
	1)
		killed=$((killed + 1))
		echo "killed   $name (by $(cat "$dir/killer"))"
		;;
	0)
		failed=$((failed + 1))
		echo "SURVIVED $name: no test notices this rule missing"
		;;
	*)
		failed=$((failed + 1))
		echo "BROKEN   $name: the mutant does not compile"
		sed 's/^/    /' "$dir/cc.log"
		;;
	esac
done <"$work/order"

echo "$total mutants, $killed killed"
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
