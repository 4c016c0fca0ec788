#!/usr/bin/env bash
# Mutation proof of the register models: every rule a model in
# tests/ports/models/ enforces has a port test that fails when the rule is
# taken out.
#
# Each family lists its mutants in tests/ports/mutants/<family>.txt:
#   # test: port_f4                     (the port test(s) that must fail)
#   name @@ path/in/the/tree.c @@ text to find @@ replacement [@@ killer]
# one mutant per line, \n and \t escapes, the text found exactly once.
# The optional killer names the cmocka test that last killed the mutant:
# it runs alone first (FK_TEST_FILTER, tests/ports/uc/uc.c), and only
# when the mutant survives it do the whole tests run -- a hint for speed
# that can never make a surviving mutant count as killed.
# For each mutant the file is copied with the patch applied, the test's
# object for that file is recompiled from the copy with the build's own
# command (compile_commands.json; the original folder stays on the quote
# include path, and what a removed rule leaves unused is no error), the
# test relinked with its own link line, and run as
# ctest runs it: it must FAIL. The script fails when a
# mutant survives, when a patch no longer applies exactly once (the model
# moved on: fix the patch, never drop it), when a mutant does not compile,
# or when the unmutated test does not pass.
#
# Usage: mutants.sh [family...]   (default: every file in mutants/)
# Environment: FK_ROOT, FK_BUILD (a configured and built host build).
set -euo pipefail
: "${FK_ROOT:?}" "${FK_BUILD:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The compile command of source $1 with the source replaced by $2 and the
# output by $3; the link line of test $4 with object $5 replaced by $3 and
# the output by $6; the test's command line. Printed as three lines.
plan() {
	python3 - "$@" <<'PY'
import json, os, shlex, subprocess, sys
src, copy, obj, test, exe = sys.argv[1:6]
build = os.environ["FK_BUILD"]
cc = json.load(open(os.path.join(build, "compile_commands.json")))
# Several tests may compile the same model: take the compile of the
# object this test links.
link = None
for entry in cc:
	if os.path.realpath(entry["file"]) != os.path.realpath(src):
		continue
	args = shlex.split(entry["command"])
	orig_obj = args[args.index("-o") + 1]
	path = os.path.join(entry["directory"], "CMakeFiles", test + ".dir", "link.txt")
	if os.path.exists(path) and orig_obj in open(path).read().split():
		link = open(path).read().split()
		break
if link is None:
	sys.exit(f"{test} links no object compiled from {src}")
args[args.index("-o") + 1] = obj
args = [copy if a == entry["file"] else a for a in args]
args[1:1] = ["-iquote", os.path.dirname(os.path.realpath(src))]
args += ["-Wno-unused-parameter", "-Wno-unused-variable",
	"-Wno-unused-function", "-Wno-unused-but-set-variable"]
print(entry["directory"] + "\t" + shlex.join(args))
link = [obj if a == orig_obj else a for a in link]
link[link.index("-o") + 1] = exe
print(entry["directory"] + "\t" + shlex.join(link))
t = json.loads(subprocess.run(["ctest", "--show-only=json-v1", "-R", "^" + test + "$"],
	cwd=build, capture_output=True, text=True, check=True).stdout)["tests"][0]
if "command" not in t:
	sys.exit(f"{test} is not built in {build}")
print(shlex.join(t["command"][1:]))
PY
}

# Applies mutant line $1 to a copy of its file at $2; prints the file.
apply() {
	python3 - "$1" "$2" <<'PY'
import os, sys
line, out = sys.argv[1:3]
name, path, find, repl = [p.strip() for p in line.split(" @@ ")][:4]
unesc = lambda s: s.replace("\\n", "\n").replace("\\t", "\t")
find, repl = unesc(find), unesc(repl)
text = open(os.path.join(os.environ["FK_ROOT"], path)).read()
n = text.count(find)
if n != 1:
	sys.exit(f"mutant {name}: its text occurs {n} times in {path} (must be once)")
open(out, "w").write(text.replace(find, repl))
print(path)
PY
}

# Builds test $1 with file $2 replaced by $3 into $4; runs it. Returns 0
# when it passes, 1 when it fails, 2 when it does not build.
run_with() {
	local test=$1 file=$2 copy=$3 exe=$4 p cdir ccmd ldir lcmd targs
	p=$(plan "$FK_ROOT/$file" "$copy" "$exe.o" "$test" "$exe" 2>"$exe.cc.log") ||
		return 2
	IFS=$'\t' read -r cdir ccmd <<<"$(sed -n 1p <<<"$p")"
	IFS=$'\t' read -r ldir lcmd <<<"$(sed -n 2p <<<"$p")"
	targs=$(sed -n 3p <<<"$p")
	(cd "$cdir" && eval "$ccmd") >"$exe.cc.log" 2>&1 || return 2
	(cd "$ldir" && eval "$lcmd") >>"$exe.cc.log" 2>&1 || return 2
	eval "timeout 120 \"$exe\" $targs" >"$exe.log" 2>&1 || return 1
	return 0
}

families=("$@")
if [ ${#families[@]} -eq 0 ]; then
	for f in "$FK_ROOT"/tests/ports/mutants/*.txt; do
		families+=("$(basename "$f" .txt)")
	done
fi

total=0 killed=0 bad=0
for fam in "${families[@]}"; do
	list=$FK_ROOT/tests/ports/mutants/$fam.txt
	tests=$(sed -n 's/^# test: *//p' "$list")
	[ -n "$tests" ] || { echo "mutants: $list names no '# test:'"; exit 1; }
	first=$(awk '!/^#/ && NF { print; exit }' "$list")
	file=$(awk -F ' @@ ' '{ print $2 }' <<<"$first")
	for t in $tests; do
		run_with "$t" "$file" "$FK_ROOT/$file" "$work/$t-clean" || {
			echo "mutants: $t does not pass unmutated"
			cat "$work/$t-clean.cc.log" "$work/$t-clean.log" 2>/dev/null | tail -20
			exit 1
		}
	done
	n=0
	while IFS= read -r line; do
		[ -z "$line" ] || [ "${line:0:1}" = "#" ] && continue
		n=$((n + 1)) total=$((total + 1))
		name=$(awk -F ' @@ ' '{ print $1 }' <<<"$line")
		dir=$work/$fam-$n
		mkdir -p "$dir"
		ext=${file##*.}
		if ! path=$(apply "$line" "$dir/mutant.$ext"); then
			bad=$((bad + 1))
			continue
		fi
		verdict="SURVIVED"
		killer=$(awk -F ' @@ ' '{ print $5 }' <<<"$line")
		for t in $tests; do
			[ -n "$killer" ] || break
			rc=0
			(export FK_TEST_FILTER=$killer
			 run_with "$t" "$path" "$dir/mutant.$ext" "$dir/$t") || rc=$?
			if [ $rc -eq 1 ]; then
				verdict="killed by $t $killer"
				break
			fi
		done
		for t in $tests; do
			[ "$verdict" = SURVIVED ] || break
			rc=0
			run_with "$t" "$path" "$dir/mutant.$ext" "$dir/$t" || rc=$?
			if [ $rc -eq 2 ]; then
				verdict="DOES NOT COMPILE"
				sed -n 1,5p "$dir/$t.cc.log"
				break
			elif [ $rc -eq 1 ]; then
				by=$(grep -m1 -o 'FAILED  \] test_[a-z0-9_]*' "$dir/$t.log" |
					sed 's/.*\] //' || true)
				verdict="killed by $t ${by:-(crashed or hung)}"
				break
			fi
		done
		printf '%-6s %-40s %s\n' "$fam" "$name" "$verdict"
		case $verdict in killed*) killed=$((killed + 1)) ;; *) bad=$((bad + 1)) ;; esac
	done <"$list"
done
echo "mutants: $killed of $total killed"
[ "$bad" -eq 0 ] && [ "$killed" -eq "$total" ]
