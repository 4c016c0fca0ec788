#!/usr/bin/env bash
# scripts/deps.sh: with every package installed it does nothing; with one
# missing and not root it prints the exact apt-get command and fails;
# as root it runs apt-get update and install for exactly the missing ones.
# dpkg-query, id and apt-get are replaced by stand-ins on PATH, so nothing
# is installed.
set -euo pipefail
: "${FK_ROOT:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
cat >"$work/bin/dpkg-query" <<'SH'
#!/bin/sh
for pkg; do :; done
for p in $FAKE_MISSING; do
	[ "$p" = "$pkg" ] && exit 1
done
printf 'install ok installed'
SH
cat >"$work/bin/id" <<'SH'
#!/bin/sh
echo "$FAKE_UID"
SH
cat >"$work/bin/apt-get" <<'SH'
#!/bin/sh
echo "apt-get $*" >>"$FAKE_LOG"
SH
chmod +x "$work/bin"/*
export PATH="$work/bin:$PATH" FAKE_LOG=$work/apt.log

FAKE_MISSING= FAKE_UID=1000 bash "$FK_ROOT/scripts/deps.sh" >"$work/out" 2>&1
[ ! -s "$work/out" ] || { cat "$work/out"; echo "FAIL: output with nothing missing" >&2; exit 1; }

if FAKE_MISSING="srecord qemu-system-arm" FAKE_UID=1000 \
	bash "$FK_ROOT/scripts/deps.sh" >"$work/out" 2>&1; then
	echo "FAIL: deps.sh succeeded with packages missing and not root" >&2
	exit 1
fi
grep -qx '  sudo apt-get update && sudo apt-get install -y qemu-system-arm srecord' "$work/out" ||
	{ cat "$work/out"; echo "FAIL: no exact install command" >&2; exit 1; }
[ ! -e "$FAKE_LOG" ] || { echo "FAIL: apt-get ran without root" >&2; exit 1; }

FAKE_MISSING="libcmocka-dev" FAKE_UID=0 bash "$FK_ROOT/scripts/deps.sh" >"$work/out" 2>&1
grep -q '^apt-get update' "$FAKE_LOG"
grep -q '^apt-get install .*libcmocka-dev$' "$FAKE_LOG" ||
	{ cat "$FAKE_LOG"; echo "FAIL: apt-get install not run for the missing package" >&2; exit 1; }
echo "deps.sh: nothing missing, missing as user, missing as root: ok"
