#!/usr/bin/env bash
# `flashkit module gen` end to end on the P1 example: the files it
# writes compile (table and import side, C99 -Wall -Wextra -Werror) and
# carry the layout's addresses; the lock keeps the table append-only
# (a change refused at its line, nothing written; an appended function
# or a raised api accepted); bad command lines and inputs are refused
# with their exit codes.
set -euo pipefail
F=$FK_TOOL
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ex=$FK_ROOT/examples/p1-factory-module
L=$ex/layout.yaml

cp "$ex/usrlib.exports" "$ex/usrlib_types.h" "$T/"
"$F" module gen "$T/usrlib.exports" --layout "$L" -o "$T/out" -v >"$T/log"
for f in usrlib_table.c usrlib_import.h usrlib_import.ld module-usrlib.ld; do
	[ -s "$T/out/$f" ] || fail "no $f"
done
[ -s "$T/usrlib.exports.lock" ] || fail "no lock next to the exports"
grep -q '^__fk_module_usrlib = 0x080E0200;$' "$T/out/usrlib_import.ld" ||
	fail "import.ld: the table after the 0x200 header"
grep -q 'FLASH (rx) : ORIGIN = 0x080E0200, LENGTH = 0x1FE00' \
	"$T/out/module-usrlib.ld" || fail "module.ld FLASH"
grep -q 'RAM (rwx) : ORIGIN = 0x20013800, LENGTH = 0x2000' \
	"$T/out/module-usrlib.ld" || fail "module.ld RAM"
# the module-usrlib.ld is the layout's own
"$F" layout gen "$L" -o "$T/lay" >/dev/null
cmp "$T/out/module-usrlib.ld" "$T/lay/module-usrlib.ld" || fail "ld differs"

# both sides compile as C99 with every warning
cat >"$T/app.c" <<'C'
#include "usrlib_import.h"
int app(void);
int app(void)
{
	struct usrlib_vec v = { 1, 2 };

	if (usrlib_bind())
		return -1;
	usrlib_scale(&v, 3);
	return (int)usrlib_add(v.x, v.y) + (int)usrlib_calls();
}
C
cat >"$T/mod.c" <<'C'
#include "usrlib_types.h"
int32_t usrlib_add(int32_t a, int32_t b) { return a + b; }
void usrlib_scale(struct usrlib_vec *v, int32_t k) { v->x *= k; v->y *= k; }
uint32_t usrlib_calls(void) { return 0; }
const char *usrlib_name(void) { return "usrlib"; }
C
for c in "$T/app.c" "$T/mod.c" "$T/out/usrlib_table.c"; do
	cc -std=c99 -Wall -Wextra -Werror -I"$FK_ROOT/include" -I"$T" \
		-I"$T/out" -c "$c" -o "$T/x.o" || fail "$c does not compile"
done

# the lock: a changed prototype is refused at its line, nothing written
cp "$T/usrlib.exports.lock" "$T/lock.before"
sed 's/int32_t usrlib_add(int32_t a, int32_t b)/int32_t usrlib_add(int32_t a, int16_t b)/' \
	"$T/usrlib.exports" >"$T/changed.exports"
grep -q int16_t "$T/changed.exports" || fail "sed"
rc=0
"$F" module gen "$T/changed.exports" --lock "$T/usrlib.exports.lock" \
	--layout "$L" -o "$T/out2" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "changed prototype: exit $rc"
grep -q "changed.exports:[0-9]*:1: error: entry 0 is 'int32_t usrlib_add(int32_t, int16_t)', locked as" \
	"$T/err" || fail "changed prototype: message: $(cat "$T/err")"
[ ! -e "$T/out2" ] || fail "wrote files after a refusal"
cmp "$T/lock.before" "$T/usrlib.exports.lock" || fail "lock changed"
# removing the last function: refused, naming it
grep -v 'usrlib_name' "$T/usrlib.exports" >"$T/removed.exports"
rc=0
"$F" module gen "$T/removed.exports" --lock "$T/usrlib.exports.lock" \
	--layout "$L" -o "$T/out2" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "'usrlib_name' (entry [0-9]*) is gone" "$T/err" ||
	fail "removed function: $(cat "$T/err")"
# appending is fine and the lock grows; the app's hash stays
h1=$(sed -n 's/.*0x\([0-9A-F]*\)$/\1/p' "$T/usrlib.exports.lock" | tail -1)
cp "$T/usrlib.exports" "$T/grown.exports"
echo 'int32_t usrlib_sub(int32_t a, int32_t b);' >>"$T/grown.exports"
"$F" module gen "$T/grown.exports" --lock "$T/usrlib.exports.lock" \
	--layout "$L" -o "$T/out3" || fail "append refused"
grep -q "usrlib_sub" "$T/usrlib.exports.lock" || fail "lock did not grow"
grep -q "0x$h1\$" "$T/usrlib.exports.lock" || fail "prefix hash changed"
# raising api accepts a break
sed 's/^api 1$/api 2/' "$T/changed.exports" >"$T/api2.exports"
"$F" module gen "$T/api2.exports" --lock "$T/usrlib.exports.lock" \
	--layout "$L" -o "$T/out4" || fail "api 2 refused"
grep -q '^api 2$' "$T/usrlib.exports.lock" || fail "lock api"

# the module is an image of its own: signed with the layout (its header,
# partition and write unit; its image id, what an app's DEPENDENCY names)
head -c 3000 /dev/urandom >"$T/usrlib.bin"
"$F" image sign --layout "$L" --image usrlib --pad-header -v 1.2.0 \
	"$T/usrlib.bin" "$T/usrlib.img" >/dev/null || fail "module sign"
"$F" image verify "$T/usrlib.img" >/dev/null || fail "module image verify"
"$F" image info "$T/usrlib.img" >"$T/info"
grep -q 'hdr_size          512 (0x200)' "$T/info" && grep -q 'version           1.2.0' "$T/info" &&
	grep -q 'FK_IMAGE_ID  len 4    01000000  = 1' "$T/info" || fail "module image: $(cat "$T/info")"
grep -q '#define FK_MODULE_USRLIB_IMAGE_ID 1u' "$T/lay/flash_layout.h" || fail "image id macro"
rc=0; "$F" image sign --layout "$L" --image system-part1 --pad-header \
	"$T/usrlib.bin" "$T/sp1.img" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] && grep -q "module 'system-part1' has no image header" "$T/err" &&
	[ ! -e "$T/sp1.img" ] || fail "header-less module signed"
rc=0; "$F" image sign --layout "$L" --image usrlib --pending test \
	"$T/usrlib.bin" "$T/p.img" 2>"$T/err" || rc=$?
[ "$rc" != 0 ] && grep -q "module 'usrlib': --pending" "$T/err" || fail "module --pending"

# command line and input refusals
rc=0; "$F" module gen "$T/usrlib.exports" -o "$T/o5" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "no --layout: exit $rc"
rc=0; "$F" module gen "$T/nosuch" --layout "$L" -o "$T/o5" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || fail "missing exports: exit $rc"
printf 'module nosuch\napi 1\nint f(int a);\n' >"$T/ns.exports"
rc=0; "$F" module gen "$T/ns.exports" --layout "$L" -o "$T/o5" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] && grep -q "ns.exports:1:1: error: the layout .* has no module 'nosuch' (its modules: 'system-part1', 'system-part2', 'usrlib')" "$T/err" ||
	fail "unknown module: $rc $(cat "$T/err")"
printf 'module usrlib\napi 1\nfrom "missing.h"\n' >"$T/from.exports"
rc=0; "$F" module gen "$T/from.exports" --layout "$L" -o "$T/o5" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] && grep -q "missing.h" "$T/err" || fail "from missing: $rc"
[ ! -e "$T/o5" ] || fail "wrote after refusals"
"$F" module --help | grep -q "gen" || fail "module --help"
echo "module_cli: ok"
