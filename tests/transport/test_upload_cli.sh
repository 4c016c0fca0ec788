#!/bin/bash
# flashkit upload and flashkit device against a simulated device on a pty
# (fk_devsim: the receiver on the simulated flash with the boot core): an
# upload through a cable pulled mid-transfer completes by resuming, the
# device boots the new image; bad input gets a clear error and its exit
# status.
set -u
FK=${FK_TOOL:?}
DEVSIM=${FK_BUILD:?}/tests/transport/fk_devsim
export FK_ROOT=${FK_ROOT:?}
dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

start_device() {
	"$DEVSIM" "$dir/port" "$dir/new.img" "$@" >"$dir/dev.out" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		grep -q ready "$dir/dev.out" 2>/dev/null && return
		sleep 0.1
	done
	fail "fk_devsim did not start"
}

# 1. Pulled cable: the pty goes away after 30000 bytes and comes back.
start_device --pull-after 30000
"$FK" device info --port "$dir/port" >"$dir/info" || fail "device info"
grep -q "answered by the bootloader" "$dir/info" || fail "info: $(cat "$dir/info")"
"$FK" upload --port "$dir/port" --timeout 2000 --wait 10 --json "$dir/new.img" \
	>"$dir/up.json" 2>"$dir/up.err" || fail "upload: $(cat "$dir/up.err")"
grep -q '"reconnects": [1-9]' "$dir/up.json" || fail "no reconnect: $(cat "$dir/up.json")"
size=$(stat -c %s "$dir/new.img")
sent=$(sed 's/.*"sent": \([0-9]*\).*/\1/' "$dir/up.json")
# resumed, not restarted: less than twice the image went out
[ "$sent" -lt $((2 * size)) ] || fail "sent $sent for $size"
"$FK" device info --port "$dir/port" --json | grep -q '"phase": "pending"' ||
	fail "not pending"
"$FK" device reboot --port "$dir/port" >/dev/null || fail "reboot"
wait "$pid"; rc=$?; pid=
grep -q "booted new" "$dir/dev.out" || fail "device: $(cat "$dir/dev.out")"
[ $rc -eq 0 ] || fail "devsim exit $rc"

# 2. The same image again: the device already holds it, nothing is sent.
start_device
"$FK" upload --port "$dir/port" --stage --json "$dir/new.img" >"$dir/a.json" ||
	fail "first stage"
"$FK" upload --port "$dir/port" --stage --json "$dir/new.img" >"$dir/b.json" ||
	fail "second stage"
grep -q '"sent": 0,' "$dir/b.json" || fail "resent: $(cat "$dir/b.json")"

# 3. Bad input.
printf 'not an image' >"$dir/junk.bin"
"$FK" upload --port "$dir/port" "$dir/junk.bin" 2>"$dir/err"
[ $? -eq 1 ] || fail "junk image: exit status"
grep -q "junk.bin: not a valid image" "$dir/err" || fail "junk: $(cat "$dir/err")"
"$FK" upload "$dir/new.img" 2>/dev/null
[ $? -eq 2 ] || fail "no --port: exit status"
"$FK" upload --port "$dir/port" --stage --reboot "$dir/new.img" 2>"$dir/err"
[ $? -eq 2 ] || fail "--stage --reboot: exit status"
grep -q "exclude each other" "$dir/err" || fail "--stage --reboot: $(cat "$dir/err")"
"$FK" upload --port "$dir/nope" "$dir/new.img" 2>"$dir/err"
[ $? -eq 3 ] || fail "missing port: exit status"
grep -q "cannot open the port" "$dir/err" || fail "missing port: $(cat "$dir/err")"
"$FK" upload --port "$dir/port" --baud 12345 "$dir/new.img" 2>"$dir/err"
[ $? -ne 0 ] || fail "odd baud accepted"
grep -q "12345 baud" "$dir/err" || fail "baud: $(cat "$dir/err")"
"$FK" device info --port /dev/null --timeout 100 2>"$dir/err"
[ $? -eq 3 ] || fail "no device: exit status"
grep -q "no answer" "$dir/err" || fail "no device: $(cat "$dir/err")"
# a regular file is no port: nothing is written into it
cp "$dir/junk.bin" "$dir/junk.copy"
"$FK" device info --port "$dir/junk.bin" --timeout 100 2>"$dir/err"
[ $? -eq 3 ] || fail "a file as port: exit status"
grep -q "not a serial port" "$dir/err" || fail "a file as port: $(cat "$dir/err")"
cmp -s "$dir/junk.bin" "$dir/junk.copy" || fail "a file as port was written"
echo "upload cli: ok"
