# Shared helpers for the production script tests: a scratch directory,
# failing with a message, and checks on commands that must fail.
set -euo pipefail
FK="${FK_TOOL:?FK_TOOL must point at the built flashkit}"
HERE=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
checks=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	checks=$((checks + 1))
}

# expect_fail "message part" command...: the command must exit non-zero
# and print the message part on stderr.
expect_fail() {
	local want="$1"
	shift
	if "$@" 2>err.txt; then
		fail "'$*' succeeded, expected an error with '$want'"
	fi
	grep -qF -- "$want" err.txt || fail "'$*' said: $(cat err.txt); expected '$want'"
	pass
}

same() {
	cmp "$1" "$2" || fail "$1 and $2 differ"
	pass
}
