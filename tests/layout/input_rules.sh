#!/usr/bin/env bash
# The rules every input file of flashkit shares, from the command line:
# one YAML reader (all typos of a file in one run, a NUL in a name
# refused, a nesting depth limit, aliases refused), one number grammar
# (no octal: a leading zero is refused in a layout and in a template
# alike), messages that never pass a file's control bytes to the terminal,
# the layout's warnings shown by `layout` commands only (counted once by
# the others), and `flashkit --version`.
source "${FK_ROOT:?}/tests/production/lib.sh"
L=$FK_ROOT/examples/stm32f407-sectors/layout.yaml
P=$FK_ROOT/tests/production/layouts/two-memories.yaml

layout() { # text: a small valid layout with one line changed by sed
	cat >l.yaml <<'YAML'
memories:
  flash:
    kind: flash
    base: 0x08000000
    sectors: 4x16K 1x64K 3x128K
    write-unit: 4
    partitions:
      boot: { size: 32K, role: bootloader, protect: write }
      a: { at: 0x08020000, size: 128K, role: slot }
      b: { size: 128K, role: slot }
  ram:
    kind: ram
    base: 0x20000000
    size: 64K
images:
  app: { primary: a, secondary: b, strategy: swap, ram: ram }
YAML
	[ $# = 0 ] || sed -i "$@" l.yaml
}

# Three typos, one in a memory, one in a partition, one in an image: all
# three in one run (docs/layout.md promises it).
layout -e 's/write-unit: 4/write-uint: 4/' -e 's/role: bootloader/rol: bootloader/' \
	-e 's/strategy: swap/stratgy: swap/'
expect_fail "l.yaml:6:5: error: unknown key 'write-uint' in memory 'flash'; did you mean 'write-unit'?" \
	"$FK" layout check l.yaml
grep -qF "l.yaml:8:26: error: unknown key 'rol' in partition 'boot'; did you mean 'role'?" err.txt ||
	fail "the partition typo is not reported in the same run: $(cat err.txt)"
grep -qF "l.yaml:16:36: error: unknown key 'stratgy' in image 'app'; did you mean 'strategy'?" err.txt ||
	fail "the image typo is not reported in the same run: $(cat err.txt)"
pass

# A name with a NUL character is refused, not read as "x".
layout -e 's/^      b: /      "x\\u0000y": /'
expect_fail "l.yaml:10:7: error: 'x\\u0000...' holds a NUL character" "$FK" layout check l.yaml

# 40,000 levels of nesting: refused at the limit, with the reason.
{ printf 'memories: '; head -c 40000 /dev/zero | tr '\0' '['; } >deep.yaml
expect_fail "deep.yaml:1:74: error: the file nests lists and mappings deeper than 64 levels" \
	"$FK" layout check deep.yaml
grep -q "YAML_MAX_DEPTH 64" "$FK_ROOT/host/yaml/yaml_reader.h" || fail "no depth limit"

# No octal: 010 is refused as ambiguous in a layout and in a template.
layout -e '10s/size: 128K/size: 010/'
expect_fail "l.yaml:10:18: error: 'size' of partition 'b': '010' has a leading zero, which other tools read as octal" \
	"$FK" layout check l.yaml
cat >tpl.yaml <<'YAML'
counter: { state: s.state, start: 010 }
fields:
  serial: { type: serial, format: "SN-%03u" }
YAML
expect_fail "tpl.yaml:1:35: error: 'start' of counter: '010' has a leading zero" \
	"$FK" provision --layout "$P" --template tpl.yaml --count 1 -o out
[ ! -e s.state ] || fail "a refused template reserved a serial"
expect_fail "--sectors '010' has a leading zero" \
	"$FK" kv build tpl.yaml -o x.bin --sector-size 4K --sectors 010

# Control bytes of a file never reach the terminal raw: ESC and the C1
# control U+0089 (bytes c2 89) come out as \x1b and \xc2\x89.
layout -e 's/^      b: /      "b\\e[31m\\x89": /'
expect_fail 'error: partition name '"'"'b\x1b[31m\xc2\x89'"'"' must start' "$FK" layout check l.yaml
if LC_ALL=C grep -q $'\x1b' err.txt; then fail "a raw ESC byte was printed"; else pass; fi

# The layout's warnings: shown by `layout check`, only counted by the
# commands that use the layout, which say so once.
H=$FK_ROOT/examples/stm32h750-qspi/layout.yaml
"$FK" layout check "$H" >/dev/null 2>err.txt
grep -q "warning:" err.txt && pass || fail "layout check does not show the warnings"
printf 'keys: 8\n' >ok.yaml
"$FK" kv build ok.yaml -o kv.bin --layout "$H" --partition settings >/dev/null 2>err.txt ||
	fail "kv build with the H750 layout: $(cat err.txt)"
if grep -q "warning:" err.txt; then fail "kv build repeats the layout's warnings: $(cat err.txt)"; else pass; fi
[ "$(grep -c "note: the layout has [0-9]* warning" err.txt)" = 1 ] &&
	pass || fail "kv build does not count the warnings once: $(cat err.txt)"

# flashkit --version works like flashkit version.
"$FK" version >v1.txt
"$FK" --version >v2.txt || fail "flashkit --version is refused"
cmp -s v1.txt v2.txt && grep -q "^flashkit [0-9]" v2.txt && pass || fail "--version: $(cat v2.txt)"

# a layout is text: an endless input is refused at the text cap, never
# read into gigabytes (the timeout makes a regression fail, not hang)
rc=0; timeout 120 "$FK" layout check /dev/zero 2>err.txt || rc=$?
[ "$rc" = 2 ] && grep -q "/dev/zero: more than the 8 MiB an input may have" err.txt &&
	pass || fail "layout check /dev/zero: rc $rc, $(cat err.txt)"

echo "input rules: $checks checks passed"
