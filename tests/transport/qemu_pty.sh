# Sourced by the QEMU tests of the update protocol (test_upload_qemu.sh,
# test_recovery_qemu.sh): a work folder $dir removed at exit, QEMU
# mps2-an385 started on $dir/flash.bin with its UART0 on a pty that
# $dir/port points at, and killed (a power cut) on request.
#
#   start_qemu ELF READY_REGEX [SEMIHOSTING_ARG...]
#       waits until a console line matches READY_REGEX; sets $qpid
#   kill_qemu       SIGKILL to QEMU; removes $dir/port
#   fail MESSAGE    prints it and QEMU's console, exits 1
# A test that runs `flashkit upload` in the background sets $upid.
dir=$(mktemp -d)
qpid= upid=
cleanup() {
	[ -n "$qpid" ] && kill -KILL -- "-$qpid" 2>/dev/null
	[ -n "$upid" ] && kill "$upid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/qemu.log" ] && cat "$dir/qemu.log"; exit 1; }

start_qemu() {
	local elf=$1 ready=$2 semi a
	shift 2
	semi=enable=on,target=native,arg=$(basename "$elf")
	for a in "$@"; do semi+=",arg=$a"; done
	# The log of a QEMU started before goes first: the new one truncates
	# it only once it runs, and until then the lines below would read the
	# old one's ready line and then find its pty line gone (a race lost
	# under load: "QEMU gave no pty").
	rm -f "$dir/qemu.log"
	(cd "$dir" && exec setsid qemu-system-arm -M mps2-an385 -nographic \
		-monitor none -serial pty -semihosting-config "$semi" \
		-kernel "$elf" >"$dir/qemu.log" 2>&1 </dev/null) &
	qpid=$!
	for _ in $(seq 200); do
		grep -q "$ready" "$dir/qemu.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "$ready" "$dir/qemu.log" || fail "QEMU never printed '$ready'"
	pts=$(sed -n 's/.*redirected to \(\/dev\/pts\/[0-9]*\).*/\1/p' "$dir/qemu.log")
	[ -n "$pts" ] || fail "QEMU gave no pty"
	ln -sfn "$pts" "$dir/port"
}

kill_qemu() {
	kill -KILL -- "-$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	qpid=
	rm -f "$dir/port"
}

# Waits (at most 20 s) until the flash file holds bytes [from, to) of
# image $1 somewhere, not all erased: the upload has written that far.
wait_for_bytes() {
	local img=$1 from=$2 to=$3
	for _ in $(seq 1000); do
		python3 -c 'import sys; f = open(sys.argv[1], "rb").read()
i = open(sys.argv[2], "rb").read()[int(sys.argv[3]):int(sys.argv[4])]
sys.exit(0 if i.strip(b"\xff") and i in f else 1)' "$dir/flash.bin" "$img" "$from" "$to" && return 0
		sleep 0.02
	done
	return 1
}
