#!/usr/bin/env bash
# flashkit key / image from the command line, cross-checked with OpenSSL:
# our keys are read by openssl, our ECDSA, RSA-PSS and Ed25519 signatures verify
# with `openssl pkeyutl`, --c key arrays carry the hash openssl computes,
# exit codes and messages say what failed, refused output leaves no file.
set -euo pipefail
FK=${FK_TOOL:?}
REFS=${FK_IMAGE_REFS:-$FK_ROOT/tests/data/mcuboot-images}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() { # expected-rc command...
	local want=$1; shift
	set +e; "$@" >"$T/out" 2>"$T/err"; local rc=$?; set -e
	[ "$rc" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "$* -> rc $rc, want $want"; }
}
# Prints the signature and digest (SHA256 or SHA384) TLV values of an
# image as files, and with a 4th argument the signed bytes (header,
# payload, protected TLVs).
extract() { # image sigfile digestfile [signedfile]
	python3 - "$1" "$2" "$3" "${4:-}" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
hs, pts, isz = struct.unpack_from('<HHI', d, 8)
off = hs + isz + pts
magic, tot = struct.unpack_from('<HH', d, off)
assert magic == 0x6907
if sys.argv[4]: open(sys.argv[4], 'wb').write(d[:off])
o, end = off + 4, off + tot
while o < end:
    t, l = struct.unpack_from('<HH', d, o)
    v = d[o + 4:o + 4 + l]
    if t in (0x10, 0x11): open(sys.argv[3], 'wb').write(v)
    if t in (0x20, 0x22, 0x23, 0x24): open(sys.argv[2], 'wb').write(v)
    o += 4 + l
PY
}

# --- keys --------------------------------------------------------------
expect_rc 0 "$FK" key generate -o "$T/k.pem"
grep -q "BEGIN PRIVATE KEY" "$T/k.pem" || fail "key is not PKCS#8 PEM"
openssl pkey -in "$T/k.pem" -noout -text | grep "prime256v1\|P-256" >/dev/null ||
	fail "openssl does not read our key as P-256"
openssl pkey -in "$T/k.pem" -pubout >"$T/k.pub.ossl"
expect_rc 0 "$FK" key public "$T/k.pem" -o "$T/k.pub"
cmp "$T/k.pub" "$T/k.pub.ossl" || fail "public PEM differs from openssl's"
# Keys made by imgtool / OpenSSL are read; public halves match openssl's.
for k in ecdsa-p256 rsa-2048 ecdsa-p384 rsa-3072; do
	expect_rc 0 "$FK" key public "$REFS/$k.pem"
	openssl pkey -in "$REFS/$k.pem" -pubout | cmp - "$T/out" ||
		fail "$k: public PEM differs from openssl's"
done
openssl genrsa -traditional -out "$T/pkcs1.pem" 2048 2>/dev/null
grep -q "BEGIN RSA PRIVATE KEY" "$T/pkcs1.pem" || fail "openssl did not write PKCS#1"
expect_rc 0 "$FK" key public "$T/pkcs1.pem"    # PKCS#1 "RSA PRIVATE KEY"
openssl ecparam -name prime256v1 -genkey -noout -out "$T/sec1.pem"
expect_rc 0 "$FK" key public "$T/sec1.pem"   # SEC1 "EC PRIVATE KEY"
expect_rc 0 "$FK" key public "$REFS/ed25519.pub.pem"
cmp "$T/out" "$REFS/ed25519.pub.pem" || fail "Ed25519 public PEM changed"
expect_rc 0 "$FK" key public "$REFS/ed25519.pem"
cmp "$T/out" "$REFS/ed25519.pub.pem" || fail "Ed25519 public half of imgtool's key"
expect_rc 2 "$FK" key generate -t ed448 -o "$T/x.pem"
grep -q "use ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, ed25519 or x25519" "$T/err" || fail "key generate -t refusal"
[ ! -e "$T/x.pem" ] || fail "refused key type wrote a file"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$T/p521.pem" 2>/dev/null
expect_rc 1 "$FK" key public "$T/p521.pem"
grep -q "P-256 and P-384" "$T/err" || fail "P-521 refusal should name P-256 and P-384"

# --c: the array is the DER imgtool embeds, the hash its SHA-256 (its
# SHA-384 for a P-384 key: all 48 bytes, as imgtool's KEYHASH).
check_c() { # keyfile sha256|sha384 der-command...
	local key=$1 alg=$2; shift 2
	local hlen=32
	[ "$alg" = sha384 ] && hlen=48
	expect_rc 0 "$FK" key public "$key" --c --name test_key -o "$T/key.c"
	cat >"$T/main.c" <<'C'
#include <stdio.h>
#include "flashkit/image.h"
extern const struct fk_image_key test_key;
int main(void)
{
	for (unsigned i = 0; i < test_key.der_len; i++)
		printf("%02x", test_key.der[i]);
	printf(" ");
	for (unsigned i = 0; i < HASH_LEN; i++)
		printf("%02x", test_key.hash[i]);
	printf("\n");
	return 0;
}
C
	cc -std=c99 -Wall -Wextra -Werror -DHASH_LEN=$hlen -I"$FK_ROOT/include" "$T/key.c" "$T/main.c" -o "$T/keyprog"
	local want_der want_hash
	want_der=$("$@" | od -An -tx1 -v | tr -d ' \n')
	want_hash=$("$@" | ${alg}sum | cut -d' ' -f1)
	[ "$("$T/keyprog")" = "$want_der $want_hash" ] || fail "--c output of $key"
}
check_c "$REFS/ecdsa-p256.pem" sha256 openssl pkey -in "$REFS/ecdsa-p256.pem" -pubout -outform DER
check_c "$REFS/rsa-2048.pem" sha256 openssl rsa -in "$REFS/rsa-2048.pem" -RSAPublicKey_out -outform DER 2>/dev/null
check_c "$T/k.pem" sha256 openssl pkey -in "$T/k.pem" -pubout -outform DER
check_c "$REFS/ecdsa-p384.pem" sha384 openssl pkey -in "$REFS/ecdsa-p384.pem" -pubout -outform DER
check_c "$REFS/rsa-3072.pem" sha256 openssl rsa -in "$REFS/rsa-3072.pem" -RSAPublicKey_out -outform DER 2>/dev/null
grep -q "FK_KEY_ECDSA_P384" <("$FK" key public --c "$REFS/ecdsa-p384.pem") || fail "--c type of P-384"
grep -q "FK_KEY_RSA3072" <("$FK" key public --c "$REFS/rsa-3072.pem") || fail "--c type of RSA-3072"

# --- sign / verify -------------------------------------------------------
P=$REFS/payload-12k.bin
expect_rc 0 "$FK" image sign -k "$T/k.pem" -v 1.0.0 -H 0x200 --pad-header -S 0x20000 "$P" "$T/a.img"
expect_rc 0 "$FK" image verify -k "$T/k.pem" "$T/a.img"
grep -q "valid" "$T/out" || fail "verify output"
expect_rc 0 "$FK" image verify -k "$T/k.pub" "$T/a.img"       # public key suffices
expect_rc 0 "$FK" image verify "$T/a.img"                       # digest only
grep -q "signature not checked" "$T/out" || fail "digest-only wording"
expect_rc 1 "$FK" image verify -k "$REFS/ecdsa-p256.pem" "$T/a.img"
grep -q "no given key matches" "$T/out" || fail "wrong-key message"
# OpenSSL agrees with our ECDSA signature over the digest.
extract "$T/a.img" "$T/sig" "$T/dig"
openssl pkeyutl -verify -pubin -inkey "$T/k.pub" -in "$T/dig" -sigfile "$T/sig" >/dev/null ||
	fail "openssl rejects our ECDSA signature"
# ... and with our RSA-PSS signature (SHA-256, MGF1-SHA-256, salt 32).
expect_rc 0 "$FK" image sign -k "$REFS/rsa-2048.pem" -v 1.0.0 -H 0x200 --pad-header "$P" "$T/r.img"
extract "$T/r.img" "$T/sig" "$T/dig"
openssl pkey -in "$REFS/rsa-2048.pem" -pubout >"$T/rsa.pub" 2>/dev/null
openssl pkeyutl -verify -pubin -inkey "$T/rsa.pub" -in "$T/dig" -sigfile "$T/sig" \
	-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -pkeyopt digest:sha256 >/dev/null ||
	fail "openssl rejects our RSA-PSS signature"
expect_rc 0 "$FK" image verify -k "$T/rsa.pub" "$T/r.img"

# P-384 (SHA-384 digest, as imgtool pairs them) and RSA-3072, checked by
# OpenSSL twice: the signature over the digest TLV, and over the signed
# bytes themselves (so the digest is the right hash of the right bytes).
openssl pkey -in "$REFS/ecdsa-p384.pem" -pubout >"$T/p384.pub" 2>/dev/null
openssl pkey -in "$REFS/rsa-3072.pem" -pubout >"$T/rsa3072.pub" 2>/dev/null
expect_rc 0 "$FK" image sign -k "$REFS/ecdsa-p384.pem" -v 1.0.0 -H 0x200 --pad-header "$P" "$T/p384.img"
extract "$T/p384.img" "$T/sig" "$T/dig" "$T/signed"
[ "$(stat -c %s "$T/dig")" = 48 ] || fail "P-384 image: digest TLV is not 48 bytes"
[ "$(od -An -tx1 "$T/dig" | tr -d ' \n')" = "$(sha384sum <"$T/signed" | cut -d' ' -f1)" ] ||
	fail "P-384 image: SHA384 TLV is not the SHA-384 of the signed bytes"
openssl pkeyutl -verify -pubin -inkey "$T/p384.pub" -in "$T/dig" -sigfile "$T/sig" >/dev/null ||
	fail "openssl rejects our P-384 signature of the digest"
openssl dgst -sha384 -verify "$T/p384.pub" -signature "$T/sig" "$T/signed" >/dev/null ||
	fail "openssl dgst -sha384 rejects our P-384 signature"
expect_rc 0 "$FK" image sign -k "$REFS/rsa-3072.pem" -v 1.0.0 -H 0x200 --pad-header "$P" "$T/r3.img"
extract "$T/r3.img" "$T/sig" "$T/dig" "$T/signed"
[ "$(stat -c %s "$T/sig")" = 384 ] || fail "RSA-3072 signature is not 384 bytes"
openssl pkeyutl -verify -pubin -inkey "$T/rsa3072.pub" -in "$T/dig" -sigfile "$T/sig" \
	-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -pkeyopt digest:sha256 >/dev/null ||
	fail "openssl rejects our RSA-3072-PSS signature"
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
	-verify "$T/rsa3072.pub" -signature "$T/sig" "$T/signed" >/dev/null ||
	fail "openssl dgst rejects our RSA-3072-PSS signature"
# The imgtool images and ours verify with their key, not with another.
for pair in "p384.img:ecdsa-p384" "r3.img:rsa-3072"; do
	expect_rc 0 "$FK" image verify -k "$REFS/${pair#*:}.pem" "$T/${pair%%:*}"
done
for pair in "ecdsa-p384-basic.bin:ecdsa-p384" "rsa3072-basic.bin:rsa-3072"; do
	img=${pair%%:*} k=${pair#*:}
	expect_rc 0 "$FK" image verify -k "$REFS/$k.pub.pem" "$REFS/$img"
	grep -q "valid: .*signature by" "$T/out" || fail "$img: verify output"
	for other in ecdsa-p256 rsa-2048 ecdsa-p384 rsa-3072; do
		[ "$other" = "$k" ] && continue
		expect_rc 1 "$FK" image verify -k "$REFS/$other.pem" "$REFS/$img"
		grep -q "no given key matches" "$T/out" || fail "$img with $other"
	done
	expect_rc 0 "$FK" image info "$REFS/$img"
done
"$FK" image info "$REFS/ecdsa-p384-basic.bin" | grep -q "matches the SHA384 TLV" ||
	fail "image info of the P-384 image"

# Ed25519 (libsodium): keys made by `key generate -t ed25519` are what
# OpenSSL reads; images are signed over their SHA-256 digest as imgtool
# 2.4.0 signs them, so OpenSSL (not flashkit, not libsodium) verifies the
# ED25519 TLV over the SHA256 TLV, which is the SHA-256 of the signed bytes.
expect_rc 0 "$FK" key generate -t ed25519 -o "$T/ed.pem"
grep -q "BEGIN PRIVATE KEY" "$T/ed.pem" || fail "Ed25519 key is not PKCS#8 PEM"
[ "$(stat -c %a "$T/ed.pem")" = 600 ] || fail "Ed25519 key is not owner-only"
openssl pkey -in "$T/ed.pem" -noout -text | grep -q "ED25519 Private-Key" ||
	fail "openssl does not read our key as Ed25519"
openssl pkey -in "$T/ed.pem" -pubout >"$T/ed.pub.ossl"
expect_rc 0 "$FK" key public "$T/ed.pem" -o "$T/ed.pub"
cmp "$T/ed.pub" "$T/ed.pub.ossl" || fail "Ed25519 public PEM differs from openssl's"
grep -q "FK_KEY_ED25519" <("$FK" key public --c "$T/ed.pem") || fail "--c type of Ed25519"
check_c "$T/ed.pem" sha256 openssl pkey -in "$T/ed.pem" -pubout -outform DER
expect_rc 0 "$FK" image sign -k "$T/ed.pem" -v 1.0.0 -H 0x200 --pad-header "$P" "$T/ed.img"
extract "$T/ed.img" "$T/sig" "$T/dig" "$T/signed"
[ "$(stat -c %s "$T/sig")" = 64 ] || fail "Ed25519 signature is not 64 bytes"
[ "$(od -An -tx1 "$T/dig" | tr -d ' \n')" = "$(sha256sum <"$T/signed" | cut -d' ' -f1)" ] ||
	fail "Ed25519 image: SHA256 TLV is not the SHA-256 of the signed bytes"
openssl pkeyutl -verify -pubin -inkey "$T/ed.pub.ossl" -rawin -in "$T/dig" -sigfile "$T/sig" >/dev/null ||
	fail "openssl rejects our Ed25519 signature of the digest"
printf '\x01' | dd of="$T/dig" bs=1 seek=7 conv=notrunc 2>/dev/null
! openssl pkeyutl -verify -pubin -inkey "$T/ed.pub.ossl" -rawin -in "$T/dig" -sigfile "$T/sig" >/dev/null 2>&1 ||
	fail "openssl accepts our Ed25519 signature of another digest"
expect_rc 0 "$FK" image verify -k "$T/ed.pem" "$T/ed.img"
grep -q "Ed25519 signature by" "$T/out" || fail "Ed25519 verify output"
expect_rc 0 "$FK" image verify -k "$T/ed.pub" "$T/ed.img"
expect_rc 1 "$FK" image verify -k "$REFS/ed25519.pub.pem" "$T/ed.img"
grep -q "no given key matches" "$T/out" || fail "Ed25519 image with another Ed25519 key"
# Ed25519 signatures are deterministic: with imgtool's key and options,
# flashkit writes imgtool's reference image byte for byte.
expect_rc 0 "$FK" image sign -k "$REFS/ed25519.pem" -v 0.9.0+77 -H 0x100 --pad-header \
	-S 0x20000 "$REFS/payload-3001.bin" "$T/edref.img"
cmp "$T/edref.img" "$REFS/ed25519-basic.bin" || fail "Ed25519 image differs from imgtool's"
for k in ed25519.pub.pem ed25519.pem; do
	expect_rc 0 "$FK" image verify -k "$REFS/$k" "$REFS/ed25519-basic.bin"
	grep -q "valid: .*Ed25519 signature by" "$T/out" || fail "ed25519-basic.bin with $k"
done
for other in ecdsa-p256 rsa-2048 ecdsa-p384 rsa-3072; do
	expect_rc 1 "$FK" image verify -k "$REFS/$other.pem" "$REFS/ed25519-basic.bin"
	grep -q "no given key matches" "$T/out" || fail "ed25519-basic.bin with $other"
done
expect_rc 1 "$FK" image verify -k "$T/ed.pem" "$REFS/ed25519-basic.bin"
# An encrypted Ed25519 key (OpenSSL's PKCS#8 PBES2) signs the same image.
openssl pkey -in "$REFS/ed25519.pem" -aes256 -passout pass:ed-secret -out "$T/ed-enc.pem"
printf 'ed-secret\n' >"$T/ed-pw"
expect_rc 0 "$FK" image sign -k "$T/ed-enc.pem" --password-file "$T/ed-pw" -v 0.9.0+77 \
	-H 0x100 --pad-header -S 0x20000 "$REFS/payload-3001.bin" "$T/edenc.img"
cmp "$T/edenc.img" "$REFS/ed25519-basic.bin" || fail "encrypted Ed25519 key signs otherwise"

# Failures say what failed.
cp "$T/a.img" "$T/bad.img"
printf '\x55' | dd of="$T/bad.img" bs=1 seek=1000 conv=notrunc 2>/dev/null
expect_rc 1 "$FK" image verify -k "$T/k.pem" "$T/bad.img"
grep -q "digest mismatch" "$T/out" || fail "digest message"
head -c 5000 "$T/a.img" >"$T/short.img"
expect_rc 1 "$FK" image verify "$T/short.img"
grep -q "truncated.*at offset 0xc; the file holds 5000 bytes" "$T/out" || fail "truncation message"
expect_rc 1 "$FK" image info --json "$T/short.img"
python3 - "$T/out" <<'PY' || fail "info --json of a truncated image"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["valid"] is False and j["offset"] == 12 and "truncated" in j["error"]
PY
len=$(stat -c %s "$T/a.img")
head -c $((len - 1)) "$T/a.img" >"$T/short.img"
expect_rc 1 "$FK" image verify -k "$T/k.pem" "$T/short.img"
grep -q "truncated" "$T/out" || fail "truncated TLV area message"
cp "$T/a.img" "$T/bad.img"
printf '\x00\x01' | dd of="$T/bad.img" bs=1 seek=$((0x3200 + 4 + 2)) conv=notrunc 2>/dev/null
expect_rc 1 "$FK" image verify "$T/bad.img"
grep -q "TLV 0x10 SHA256" "$T/out" || fail "malformed TLV message: $(cat "$T/out")"
expect_rc 1 "$FK" image verify "$P"
grep -q "not an MCUboot image" "$T/out" || fail "magic message"
cp "$REFS/ed25519-basic.bin" "$T/bad.img"
printf '\x55' | dd of="$T/bad.img" bs=1 seek=$(($(stat -c %s "$T/bad.img") - 5)) conv=notrunc 2>/dev/null
expect_rc 1 "$FK" image verify -k "$REFS/ed25519.pub.pem" "$T/bad.img"
grep -q "ED25519 signature does not verify" "$T/out" || fail "ed25519 message: $(cat "$T/out")"

# Too large for the slot: refused by how much, no output left behind (the
# ECDSA signature's DER is 68-72 bytes, so the excess varies by a few).
expect_rc 2 "$FK" image sign -k "$T/k.pem" -H 0x200 --pad-header -S 0x3000 "$P" "$T/big.img"
grep -Eq "109[0-6] bytes too large" "$T/err" ||
	fail "size refusal: $(cat "$T/err")"
[ ! -e "$T/big.img" ] || fail "refused image was written"
ls "$T" | grep 'tmp' >/dev/null && fail "temporary file left behind"
# Header not padded and payload not starting with zeros: refused.
expect_rc 2 "$FK" image sign -H 0x200 "$P" "$T/x.img"
grep -q "pad-header" "$T/err" || fail "pad-header hint"
# Without --pad-header, zeros are overwritten by the header.
head -c 512 /dev/zero >"$T/z.bin"; cat "$P" >>"$T/z.bin"
expect_rc 0 "$FK" image sign -v 1.2.3+4 -H 0x200 -S 0x20000 "$T/z.bin" "$T/z.img"
expect_rc 0 "$FK" image sign -v 1.2.3+4 -H 0x200 --pad-header -R 0 -S 0x20000 "$P" "$T/z2.img"
cmp "$T/z.img" "$T/z2.img" || fail "--pad-header -R 0 should equal a zero-prefixed payload"

# --- HEX and ELF inputs, HEX output ---------------------------------------
# Lines holding header and payload must equal imgtool's HEX file.
HREF=$REFS/ecdsa-p256-at-0x08020000.hex
n=$((1 + 0x3200 / 16))
same_lines() { cmp <(head -n $n "$1") <(head -n $n "$HREF") || fail "$1 differs from imgtool's HEX"; }
expect_rc 0 "$FK" image sign -k "$REFS/ecdsa-p256.pem" -v 1.2.0 -H 0x200 --pad-header -S 0x20000 -x 0x08020000 "$P" "$T/x.hex"
same_lines "$T/x.hex"
expect_rc 0 "$FK" image verify -k "$REFS/ecdsa-p256.pem" "$T/x.hex"
# imgtool's own HEX file: fields, digest, its key and not another.
expect_rc 0 "$FK" image info --json "$HREF"
python3 - "$T/out" <<'PY' || fail "reference HEX fields"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["format"] == "hex" and j["address"] == 0x08020000
assert j["header"]["version"] == "1.2.0+0" and j["header"]["hdr_size"] == 0x200
assert j["digest"] == "ec300641e5ab418c30567a0035425db9f5c3f63cda4464ceda42dc651e7fd81f" and j["digest_ok"]
PY
expect_rc 0 "$FK" image verify -k "$REFS/ecdsa-p256.pub.pem" "$HREF"
expect_rc 1 "$FK" image verify -k "$REFS/rsa-2048.pub.pem" "$HREF"
expect_rc 1 "$FK" image verify -k "$T/k.pem" "$HREF"
expect_rc 0 "$FK" convert "$P" --base 0x08020200 -o "$T/p.hex"
expect_rc 0 "$FK" image sign -k "$REFS/ecdsa-p256.pem" -v 1.2.0 -H 0x200 --pad-header -S 0x20000 "$T/p.hex" "$T/o.hex"
same_lines "$T/o.hex"
expect_rc 0 "$FK" image info "$T/o.hex"
grep -q "hex, .* bytes at 0x08020000" "$T/out" || fail "HEX address in info"
expect_rc 2 "$FK" image sign -H 0x200 --pad-header "$P" "$T/nox.hex"
grep -q -- "-x ADDR" "$T/err" || fail "bin to hex needs -x"
# ELF linked after the header: its load address places the image.
cat >"$T/fw.S" <<S
	.section .text
	.incbin "$P"
S
cat >"$T/fw.ld" <<'LD'
MEMORY { FLASH (rx) : ORIGIN = 0x08020200, LENGTH = 64K }
SECTIONS { .text : { *(.text) } > FLASH }
LD
arm-none-eabi-gcc -nostdlib -Wl,--nmagic -T "$T/fw.ld" "$T/fw.S" -o "$T/fw.elf"
expect_rc 0 "$FK" image sign -k "$REFS/ecdsa-p256.pem" -v 1.2.0 -H 0x200 --pad-header -S 0x20000 "$T/fw.elf" "$T/fw.hex"
same_lines "$T/fw.hex"
expect_rc 0 "$FK" image sign -k "$REFS/ecdsa-p256.pem" -v 1.2.0 -H 0x200 --pad-header -S 0x20000 "$T/fw.elf" "$T/fw.img"
cmp -n $((0x3200)) "$T/fw.img" "$REFS/ecdsa-p256-pubkey-full.bin" || fail "ELF input bytes"
expect_rc 1 "$FK" image verify "$T/fw.elf"
grep -q "not a signed image" "$T/err" || fail "ELF given to verify"
# Padded + confirmed HEX: only the image_ok unit and the magic at the slot end.
expect_rc 0 "$FK" image sign -k "$REFS/ecdsa-p256.pem" -v 2.0.0 -H 0x200 --pad-header -S 0x8000 --align 4 --confirm -x 0x08020000 "$P" "$T/c.hex"
expect_rc 0 "$FK" convert "$T/c.hex" -o "$T/c.bin"
[ "$(stat -c %s "$T/c.bin")" = $((0x8000)) ] || fail "confirmed HEX must reach the slot end"
cmp <(tail -c 64 "$T/c.bin") <(tail -c 64 "$REFS/ecdsa-p256-padded-confirmed-align4.bin") || fail "HEX trailer"

# --- --layout ------------------------------------------------------------------
L=$FK_ROOT/examples/stm32f407-sectors/layout.yaml
expect_rc 0 "$FK" image sign -k "$T/k.pem" --layout "$L" --image app -v 1.0.0 --pad-header "$P" "$T/l.hex"
expect_rc 0 "$FK" image info --json "$T/l.hex"
python3 - "$T/out" <<'PY' || fail "layout-signed image fields"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["address"] == 0x08020000, j.get("address")   # the primary slot
assert j["header"]["hdr_size"] == 0x200
t = {x["name"]: x for x in j["tlvs"]}
assert t["FK_IMAGE_ID"]["number"] == 0 and t["FK_IMAGE_ID"]["protected"]
PY
expect_rc 0 "$FK" image sign --layout "$L" --image app --pad-header --pad "$P" "$T/l.bin"
[ "$(stat -c %s "$T/l.bin")" = $((384 * 1024)) ] || fail "--pad with a layout fills the slot"
[ "$(tail -c 128 "$T/l.bin" | od -An -tx1 -v | tr -d ' \n' | tr -d f)" = "" ] ||
	fail "boot state area must stay erased"
expect_rc 2 "$FK" image sign --layout "$L" --image app -H 0x100 --pad-header "$P" "$T/l2.bin"
grep -q "layout.yaml:[0-9]*:[0-9]*: error: -H 0x100 conflicts with the layout's header size 0x200" "$T/err" ||
	fail "layout conflict message: $(cat "$T/err")"
head -c 400000 /dev/zero | tr '\0' '\1' >"$T/big.bin"
expect_rc 2 "$FK" image sign --layout "$L" --image app --pad-header "$T/big.bin" "$T/l3.bin"
grep -q "does not fit image 'app' (.*layout.yaml:[0-9]*:[0-9]*; slots 'app-a'/'app-b'): 7348 bytes too large" "$T/err" ||
	fail "layout size refusal: $(cat "$T/err")"
[ ! -e "$T/l3.bin" ] || fail "refused image written"
# The limit is the bootloader's (fk_boot_max_image_size, `layout show`'s
# max payload + header), not the slot less the boot state: for swap the
# staging slot keeps room to save the primary. At the limit the image is
# signed; one byte more is refused, saying by how much. Unsigned images
# (SHA256 only) have a fixed TLV size, measured on a small payload.
# LAYOUT IMAGE HEADER MAX_PAYLOAD(as layout show must print) OLD_RULE_TOTAL
at_limit() {
	local lay=$1 img=$2 hdr=$3 want=$4 old=$5 max over n
	expect_rc 0 "$FK" layout show "$lay"
	max=$(awk -v i="$img" '$1 == i && $3 ~ /^(swap|overwrite|xip)$/ { print $8 }' "$T/out")
	[ "$max" = "$want" ] || fail "$lay $img: layout show max payload '$max', want $want"
	head -c 1000 /dev/zero >"$T/s.bin"
	expect_rc 0 "$FK" image sign --layout "$lay" --image "$img" --pad-header "$T/s.bin" "$T/s.img"
	over=$(( $(stat -c %s "$T/s.img") - 1000 - hdr ))	# the TLV area
	n=$((max - over))
	head -c "$n" /dev/zero | tr '\0' '\1' >"$T/lim.bin"
	expect_rc 0 "$FK" image sign --layout "$lay" --image "$img" --pad-header "$T/lim.bin" "$T/lim.img"
	[ "$(stat -c %s "$T/lim.img")" = $((hdr + max)) ] || fail "$lay $img: image at the limit is not header + max payload"
	expect_rc 0 "$FK" image verify "$T/lim.img"
	for extra in 1 100; do
		head -c "$((n + extra))" /dev/zero | tr '\0' '\1' >"$T/lim.bin"
		rm -f "$T/over.img"
		expect_rc 2 "$FK" image sign --layout "$lay" --image "$img" --pad-header "$T/lim.bin" "$T/over.img"
		[ "$extra" = 1 ] && unit=byte || unit=bytes
		grep -q "does not fit image '$img' (.*layout.yaml:[0-9]*:[0-9]*; .*): $extra $unit too large (image 0x$(printf %x $((hdr + max + extra)))" "$T/err" ||
			fail "$lay $img +$extra: $(cat "$T/err")"
		grep -q "max payload $max + header 0x$(printf %x "$hdr")" "$T/err" || fail "$lay $img: message names the limit: $(cat "$T/err")"
		[ ! -e "$T/over.img" ] || fail "$lay $img: refused image written"
	done
	# the old rule (smaller slot less the boot state) accepted up to $old
	echo "$lay $img: limit $((hdr + max)) (slot rule $old, $((old - hdr - max)) bytes fewer)"
}
EX=$FK_ROOT/examples
at_limit "$EX/stm32h745-dual-core/layout.yaml" cm7 1024 261120 $((384 * 1024))
at_limit "$EX/stm32h745-dual-core/layout.yaml" cm4 1024 392192 $((512 * 1024))
at_limit "$EX/stm32l4-devinfo/layout.yaml" app 512 458240 $((480 * 1024 - 2048))
at_limit "$EX/stm32h750-qspi/layout.yaml" app 1024 1043456 $((1024 * 1024 - 4096))
at_limit "$EX/p1-factory-module/layout.yaml" user 512 130560 $((128 * 1024))
at_limit "$EX/stm32h7-qspi-internal-settings/layout.yaml" app 1024 1047552 $((1024 * 1024))
# --pending (and imgtool's --confirm / --test) with --layout: the staging
# window padded, MCUboot's trailer at its end, at the window's address
# (docs/boot.md, "Updates written by other tools").
QL=$FK_ROOT/tests/boot/qemu/qemu_boot_layout.yaml
MAGIC=77c295f360d2ef7f3552500f2cb67980
expect_rc 0 "$FK" image sign --layout "$QL" --image app --confirm --pad-header "$P" "$T/l4.bin"
[ "$(stat -c %s "$T/l4.bin")" = $((0x10000)) ] || fail "--pending bin: not the window's size"
[ "$(tail -c 16 "$T/l4.bin" | xxd -p)" = $MAGIC ] || fail "--pending bin: magic"
[ "$(tail -c 24 "$T/l4.bin" | head -c 1 | xxd -p)" = 01 ] || fail "--pending permanent: image_ok"
for ext in hex s37 uf2 dfu; do
	expect_rc 0 "$FK" image sign --layout "$QL" --image app --pending test --pad-header "$P" "$T/p.$ext"
	grep -q "at 0x00115000 (slot + swap offset 0x1000)" "$T/out" || fail "--pending: address not told"
	expect_rc 0 "$FK" convert "$T/p.$ext" -o "$T/p-$ext.bin"
	[ "$(stat -c %s "$T/p-$ext.bin")" = $((0x10000)) ] || fail "--pending .$ext: does not span the window"
	[ "$(tail -c 16 "$T/p-$ext.bin" | xxd -p)" = $MAGIC ] || fail "--pending .$ext: magic"
	[ "$(tail -c 24 "$T/p-$ext.bin" | head -c 1 | xxd -p)" = ff ] || fail "--pending test .$ext: image_ok set"
done
head -c 20 "$T/p.hex" | grep ":020000040011" >/dev/null || fail "--pending .hex: not at 0x00115000"
expect_rc 2 "$FK" image sign --layout "$QL" --image app --pending maybe "$P" "$T/l6.bin"
grep -q "expected test or permanent" "$T/err" || fail "--pending maybe"
expect_rc 2 "$FK" image sign --layout "$QL" --image app --pending test --confirm "$P" "$T/l6.bin"
grep -q "conflicts" "$T/err" || fail "--pending test --confirm"
expect_rc 2 "$FK" image sign --pending test "$P" "$T/l6.bin"
grep -q "needs --layout" "$T/err" || fail "--pending without --layout"
head -c $((0xF000 - 0x200)) /dev/zero >"$T/big.bin"
expect_rc 2 "$FK" image sign --layout "$QL" --image app --pending test --pad-header "$T/big.bin" "$T/l6.bin"
grep -q "holds the trailer" "$T/err" || fail "--pending: the trailer's sector limit"
expect_rc 2 "$FK" image sign --layout "$L" --image nope "$P" "$T/l5.bin"
grep -q "no image 'nope'" "$T/err" || fail "unknown image"

# --- info ------------------------------------------------------------------
expect_rc 0 "$FK" image sign -k "$T/k.pem" -v 1.5.0+9 -s auto -d "(1,2.3.4+0), (2, 1.0.0)" \
	-L 0x20000000 --image-id 7 --hw-id 0x1234 --custom-tlv 0xa3 0xbeef \
	-H 0x200 --pad-header -S 0x8000 --align 4 --confirm "$P" "$T/i.img"
expect_rc 0 "$FK" image info "$T/i.img"
grep -q "image_ok 0x01 (confirmed)" "$T/out" || fail "trailer state"
grep -q "RAM_LOAD" "$T/out" || fail "flag names"
expect_rc 0 "$FK" image info --json "$T/i.img"
python3 - "$T/out" <<'PY' || fail "info --json content"
import json, sys
j = json.load(open(sys.argv[1]))
h = j["header"]
assert h["version"] == "1.5.0+9", h
assert h["load_addr"] == 0x20000000 and "RAM_LOAD" in h["flag_names"]
t = {x["name"]: x for x in j["tlvs"]}
assert t["SEC_CNT"]["number"] == (1 << 24) | (5 << 16)
assert t["FK_IMAGE_ID"]["number"] == 7 and t["FK_HW_ID"]["number"] == 0x1234
assert [x["min_version"] for x in j["tlvs"] if x["name"] == "DEPENDENCY"] == ["2.3.4+0", "1.0.0+0"]
assert t["custom"]["value"] == "beef" and t["custom"]["protected"]
assert j["digest_ok"] and j["digest"] == t["SHA256"]["value"]
assert j["trailer"] == {"max_align": 8, "image_ok": 1}
PY
expect_rc 0 "$FK" image verify -k "$T/k.pem" "$T/i.img"

# --- an image is not wrapped twice; --resign signs its payload again ----
expect_rc 1 "$FK" image sign -k "$T/k.pem" -v 2.0.0 -H 0x200 --pad-header -S 0x20000 "$T/a.img" "$T/twice.img"
grep -q "already a signed image.*--resign" "$T/err" || fail "a signed image wrapped again: $(cat "$T/err")"
[ ! -e "$T/twice.img" ] || fail "the refused sign left its output"
expect_rc 0 "$FK" image sign -k "$REFS/ecdsa-p256.pem" -v 2.0.0 -H 0x200 -S 0x20000 --resign "$T/a.img" "$T/re.img"
expect_rc 0 "$FK" image verify -k "$REFS/ecdsa-p256.pem" "$T/re.img"
expect_rc 1 "$FK" image verify -k "$T/k.pem" "$T/re.img"
# the payload is the original firmware, byte for byte, under the new header
python3 - "$P" "$T/re.img" <<'PY' || fail "--resign changed the payload"
import struct, sys
fw = open(sys.argv[1], 'rb').read()
d = open(sys.argv[2], 'rb').read()
hs, _, isz = struct.unpack_from('<HHI', d, 8)
assert d[hs:hs + isz] == fw and d[20:23] == bytes([2, 0, 0]), (hs, isz)
PY
# --- -E with --layout: updates (.bin), --pending and -c, never a placed
# ciphertext nor an XIP image -----------------------------------------------
L4="$FK_ROOT/examples/stm32l4-devinfo/layout.yaml"
XIPL="$FK_ROOT/examples/stm32h750-qspi/layout.yaml"
ENCARGS="-k $REFS/ecdsa-p256.pem -E $REFS/enc-ecies-p256.pub.pem --pad-header"
expect_rc 0 "$FK" image sign --layout "$L4" --image app $ENCARGS "$P" "$T/enc.bin"
expect_rc 0 "$FK" image verify -k "$REFS/ecdsa-p256.pem" --enc-key "$REFS/enc-ecies-p256.pem" "$T/enc.bin"
expect_rc 0 "$FK" image sign --layout "$L4" --image app $ENCARGS --pending test "$P" "$T/encp.hex"
expect_rc 0 "$FK" image sign --layout "$L4" --image app $ENCARGS -c "$P" "$T/encc.hex"
expect_rc 2 "$FK" image sign --layout "$L4" --image app $ENCARGS "$P" "$T/encplaced.hex"
grep -q "placed at the primary slot cannot boot.*--pending.*-c" "$T/err" || fail "a placed encrypted image: $(cat "$T/err")"
[ ! -e "$T/encplaced.hex" ] || fail "the refused sign left its output"
expect_rc 2 "$FK" image sign --layout "$XIPL" --image app $ENCARGS "$P" "$T/encxip.bin"
grep -q "runs in place (strategy xip).*without -E" "$T/err" || fail "-E for an XIP image: $(cat "$T/err")"
echo "image CLI: all checks passed"
