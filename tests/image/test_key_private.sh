#!/usr/bin/env bash
# flashkit key private: the device form of an encryption private key, the
# bytes the bootloader's enc_unwrap takes, checked against what OpenSSL
# (the peer) reads from the same PEM: RSA-2048 as the PKCS#1
# RSAPrivateKey DER `openssl rsa -traditional` writes, EC P-256 as the
# 32-byte scalar and X25519 as the 32-byte private key `openssl pkey
# -text` prints. --c gives the same bytes as C (NAME, NAME_len) that a C
# compiler accepts; the raw output is owner-only. Hostile input: a public
# key, a signing-only key (Ed25519, P-384), a missing file, garbage, an
# encrypted PEM without its password, a bad --name, no -o for raw bytes:
# each refused with its message and no file written.
set -euo pipefail
FK=${FK_TOOL:?}
R=${FK_ROOT:?}/tests/data/mcuboot-images
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
checks=0
expect() { # rc message-regex command...
	local want=$1 msg=$2; shift 2
	set +e; "$@" >"$T/out" 2>"$T/err" </dev/null; local rc=$?; set -e
	[ "$rc" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "$* -> rc $rc, want $want"; }
	[ -z "$msg" ] || grep -E "$msg" "$T/err" >/dev/null ||
		{ cat "$T/err" >&2; fail "$*: no message matching '$msg'"; }
	checks=$((checks + 1))
}
unset FLASHKIT_KEY_PASSWORD

# The private bytes openssl prints after "priv:" (hex, without colons),
# left-padded to 32 bytes.
openssl_priv() {
	openssl pkey -in "$1" -text -noout |
		awk '/^priv:/ { on = 1; next } /^[a-zA-Z]/ { on = 0 } on' |
		tr -d ' :\n' | sed -e 's/^00\(.\{64\}\)$/\1/' |
		awk '{ printf "%064s\n", $0 }' | tr ' ' 0
}

# --- the device form equals what openssl reads ------------------------
openssl rsa -in "$R/enc-rsa-2048.pem" -traditional -outform DER \
	-out "$T/rsa.want" 2>/dev/null
expect 0 "" "$FK" key private "$R/enc-rsa-2048.pem" -o "$T/rsa.bin"
cmp "$T/rsa.bin" "$T/rsa.want" || fail "RSA: not openssl's PKCS#1 DER"
for k in enc-ecies-p256 enc-x25519; do
	expect 0 "" "$FK" key private "$R/$k.pem" -o "$T/$k.bin"
	[ "$(od -An -tx1 -v "$T/$k.bin" | tr -d ' \n')" = "$(openssl_priv "$R/$k.pem")" ] ||
		fail "$k: not the private key openssl prints"
done
# a fresh key of each curve, not just the reference files
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.pem" 2>/dev/null
openssl genpkey -algorithm X25519 -out "$T/x.pem"
for k in ec x; do
	expect 0 "" "$FK" key private "$T/$k.pem" -o "$T/$k.bin"
	[ "$(od -An -tx1 -v "$T/$k.bin" | tr -d ' \n')" = "$(openssl_priv "$T/$k.pem")" ] ||
		fail "fresh $k key: not the private key openssl prints"
done
[ "$(stat -c %a "$T/ec.bin")" = 600 ] || fail "raw key not owner-only"

# --- --c: the same bytes as C that compiles ----------------------------
for k in enc-rsa-2048 enc-ecies-p256 enc-x25519; do
	expect 0 "" "$FK" key private --c --name dev_key "$R/$k.pem" -o "$T/$k.c"
	[ "$(stat -c %a "$T/$k.c")" = 600 ] || fail "$k.c not owner-only"
	cat >"$T/main.c" <<-'EOF'
	#include <stdint.h>
	#include <stdio.h>
	extern const uint8_t dev_key[];
	extern const uint32_t dev_key_len;
	int main(void)
	{
		fwrite(dev_key, 1, dev_key_len, stdout);
		return 0;
	}
	EOF
	cc -std=c99 -Wall -Wextra -Werror -o "$T/dump" "$T/main.c" "$T/$k.c" ||
		fail "$k.c does not compile"
	"$T/dump" >"$T/$k.dump"
	cmp "$T/$k.dump" "$T/$k.bin" 2>/dev/null ||
		cmp "$T/$k.dump" "$T/rsa.bin" || fail "$k: --c bytes differ"
	grep -q "^const uint32_t dev_key_len = $(stat -c %s "$T/$k.dump");$" "$T/$k.c" ||
		fail "$k: NAME_len line"
done
# to stdout with the default name
expect 0 "" "$FK" key private --c "$R/enc-x25519.pem"
grep -q '^const uint8_t fk_boot_enc_key\[32\] = {$' "$T/out" || fail "default name"

# --- an encrypted PEM: refused without the password, read with it ------
printf 'pw 123\n' >"$T/pw"
openssl pkcs8 -topk8 -in "$T/ec.pem" -v2 aes256 -passout file:"$T/pw" \
	-out "$T/ec-enc.pem"
expect 1 "encrypted.*--password-file" "$FK" key private --c "$T/ec-enc.pem"
expect 0 "" "$FK" key private "$T/ec-enc.pem" --password-file "$T/pw" \
	-o "$T/ec-enc.bin"
cmp "$T/ec-enc.bin" "$T/ec.bin" || fail "encrypted key: other bytes"
printf 'wrong\n' >"$T/pw2"
expect 1 "password" "$FK" key private --c "$T/ec-enc.pem" --password-file "$T/pw2"

# --- hostile input: refused, nothing written ---------------------------
no_file() { [ ! -e "$T/never" ] || fail "$1: wrote a file"; }
expect 1 "is a public key: the device needs the private key" \
	"$FK" key private "$R/enc-x25519.pub.pem" -o "$T/never"
no_file "X25519 public"
expect 1 "is a public key" "$FK" key private --c "$R/enc-ecies-p256.pub.pem" -o "$T/never"
no_file "P-256 public"
expect 1 "is a public key" "$FK" key private --c "$R/enc-rsa-2048.pub.pem" -o "$T/never"
no_file "RSA public"
expect 1 "an Ed25519 key only signs" "$FK" key private --c "$R/ed25519.pem" -o "$T/never"
expect 1 "an ECDSA P-384 key only signs" "$FK" key private --c "$R/ecdsa-p384.pem" -o "$T/never"
expect 1 "RSA-3072 key" "$FK" key private --c "$R/rsa-3072.pem" -o "$T/never"
no_file "signing-only keys"
expect 3 "cannot open '$T/missing.pem'" "$FK" key private --c "$T/missing.pem"
printf 'not a key\n' >"$T/garbage.pem"
expect 1 "not a PEM key" "$FK" key private --c "$T/garbage.pem" -o "$T/never"
head -c 300 /dev/urandom >"$T/random.pem"
expect 1 "" "$FK" key private --c "$T/random.pem" -o "$T/never"
sed -e '3s/./#/' "$R/enc-ecies-p256.pem" >"$T/flipped.pem"
expect 1 "" "$FK" key private --c "$T/flipped.pem" -o "$T/never"
no_file "garbage"
expect 2 "give -o FILE, or --c" "$FK" key private "$R/enc-x25519.pem"
expect 2 "not a C identifier" "$FK" key private --c --name 1x "$R/enc-x25519.pem"
expect 2 "exactly one key file" "$FK" key private --c
no_file "usage errors"

echo "key private: $checks checks"
