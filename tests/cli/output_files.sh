#!/usr/bin/env bash
# Output files: written whole or not at all, with the mode the umask gives
# (not mkstemp's 0600), and private keys readable by their owner only.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
printf 'flashkit' >in.bin

umask 022
"$FK_TOOL" convert in.bin -o a.hex --base 0x1000
"$FK_TOOL" key generate -o key.pem
[ "$(stat -c %a a.hex)" = 644 ] || { echo "a.hex has mode $(stat -c %a a.hex), want 644"; exit 1; }
[ "$(stat -c %a key.pem)" = 600 ] || { echo "key.pem has mode $(stat -c %a key.pem), want 600"; exit 1; }
umask 027
"$FK_TOOL" convert in.bin -o b.srec --base 0x1000
[ "$(stat -c %a b.srec)" = 640 ] || { echo "b.srec has mode $(stat -c %a b.srec), want 640"; exit 1; }

# A failing command leaves neither the output nor a temporary file: the
# folder holds what it held before, whatever temporaries are named.
before=$(ls -A | grep -v '^err.txt$')
if "$FK_TOOL" convert missing.bin -o c.hex 2>err.txt; then
	echo "convert of a missing file succeeded"; exit 1
fi
grep -q "missing.bin" err.txt
after=$(ls -A | grep -v '^err.txt$')
[ "$before" = "$after" ] || { echo "left files: $after (before: $before)"; exit 1; }
echo "output files: modes follow the umask, keys are 0600, failures leave nothing"
