#!/usr/bin/env bash
# The exit status says whose fault a failure is (README, "Exit status"):
# 0 done, 1 the input is invalid or a check failed, 2 the command line is
# wrong, 3 a file could not be read or written (or memory ran out). Each
# case runs a real command; an I/O failure is made real: a missing or
# unreadable input, an output past the file-size limit (as a full disk
# answers), an output in a folder that is a file.
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fails=0
expect() { # CODE WHAT CMD...
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >out.txt 2>err.txt || rc=$?
	if [ "$rc" = "$want" ]; then
		echo "ok   $what (exit $rc)"
	else
		echo "FAIL $what: exit $rc, expected $want"; cat err.txt
		fails=$((fails + 1))
	fi
}

head -c 300000 /dev/urandom >in.bin
printf ':00000001FF\n:10' >bad.hex
printf 'not a layout: [' >bad.yaml
mkdir folder
touch afile

expect 0 "convert works" "$FK_TOOL" convert in.bin -o ok.hex --base 0x08000000
# 2: the command line
expect 2 "unknown option" "$FK_TOOL" convert in.bin -o x.hex --no-such-option
expect 2 "missing argument" "$FK_TOOL" convert
expect 2 "unknown command" "$FK_TOOL" no-such-command
# 1: the input
expect 1 "a truncated HEX file" "$FK_TOOL" convert bad.hex -o x.bin
expect 1 "a broken layout" "$FK_TOOL" layout check bad.yaml
# 3: files
expect 3 "a missing input" "$FK_TOOL" convert missing.bin -o x.hex
expect 3 "a missing layout" "$FK_TOOL" layout check missing.yaml
expect 3 "a missing key" "$FK_TOOL" image sign in.bin x.img --key missing.pem \
	--header-size 0x200 --slot-size 0x80000
expect 3 "an output in a folder that is a file" \
	"$FK_TOOL" convert in.bin -o afile/x.hex --base 0x08000000
expect 3 "a folder given as input" "$FK_TOOL" convert folder -o x.hex
# A full disk, as the kernel reports it to a writer over its file-size
# limit: write() fails with EFBIG (SIGXFSZ ignored, as a shell would
# pass it on).
expect 3 "an output past the file-size limit" bash -c \
	"trap '' XFSZ; ulimit -f 64; exec \"$FK_TOOL\" convert in.bin -o big.hex --base 0x08000000"
grep -q "cannot write" err.txt || { echo "FAIL the size-limit case says: $(cat err.txt)"; fails=$((fails + 1)); }
ls -A | grep 'big.hex' >/dev/null && { echo "FAIL a half-written big.hex was left"; fails=$((fails + 1)); }
if [ "$(id -u)" != 0 ]; then
	cp in.bin locked.bin && chmod 000 locked.bin
	expect 3 "an unreadable input" "$FK_TOOL" convert locked.bin -o x.hex
fi
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "exit status: 0/1/2/3 as documented"
