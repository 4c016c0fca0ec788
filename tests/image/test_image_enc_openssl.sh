#!/usr/bin/env bash
# Encrypted images made by `flashkit image sign -E`, decrypted by OpenSSL
# alone (not flashkit's code): the key TLV unwrapped with `openssl pkeyutl`
# (RSA-OAEP SHA-256, or ECDH of the ephemeral key for ECIES-P256 and
# ECIES-X25519), `openssl kdf HKDF` and `openssl mac HMAC` checking the
# wrap's MAC, `openssl enc -aes-*-ctr` decrypting the AES key and then the
# payload; the plaintext payload must be the input, the SHA256 TLV the
# digest of the plaintext image, and the signature must verify over it
# with `openssl dgst`. Also the command line: image info names the key
# TLV, verify --enc-key decrypts and checks, a wrong key or a tampered
# key TLV fails with exit 1, refused options leave no output file; key
# generate makes every key type imgtool's keygen makes.
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
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# Splits an image: header (hdr.bin), payload (payload.bin), protected
# TLVs (prot.bin), the SHA256, signature and key TLVs (sha.bin, sig.bin,
# key.bin with key.type), and the image's AES key length (keylen).
split_image() { # image dir
	python3 - "$1" "$2" <<'PY'
import struct, sys, os
d = open(sys.argv[1], 'rb').read(); o = sys.argv[2]
hs, pts, isz, flags = struct.unpack_from('<HHII', d, 8)
w = lambda n, b: open(os.path.join(o, n), 'wb').write(b)
w('hdr.bin', d[:hs]); w('payload.bin', d[hs:hs + isz])
off = hs + isz
w('prot.bin', d[off:off + pts]); off += pts
magic, tot = struct.unpack_from('<HH', d, off)
assert magic == 0x6907
p, end = off + 4, off + tot
while p < end:
    t, l = struct.unpack_from('<HH', d, p)
    v = d[p + 4:p + 4 + l]
    if t == 0x10: w('sha.bin', v)
    if t in (0x20, 0x22): w('sig.bin', v)
    if t in (0x30, 0x32, 0x33, 0x34):
        w('key.bin', v); open(os.path.join(o, 'key.type'), 'w').write('%x' % t)
    p += 4 + l
open(os.path.join(o, 'keylen'), 'w').write('32' if flags & 8 else '16')
PY
}

# The ephemeral public key of an ECIES TLV as a SubjectPublicKeyInfo PEM.
eph_pem() { # curve(p256|x25519) keytlv out.pem
	python3 - "$@" <<'PY'
import sys, base64
curve, tlv, out = sys.argv[1:]
v = open(tlv, 'rb').read()
if curve == 'p256':
    der = bytes.fromhex('3059301306072a8648ce3d020106082a8648ce3d030107034200') + v[:65]
else:
    der = bytes.fromhex('302a300506032b656e032100') + v[:32]
b = base64.encodebytes(der).decode()
open(out, 'w').write('-----BEGIN PUBLIC KEY-----\n' + b + '-----END PUBLIC KEY-----\n')
PY
}

# Unwraps the AES key with OpenSSL into $dir/aes.bin.
unwrap() { # dir scheme privkey
	local dir=$1 scheme=$2 priv=$3 klen plen maclen md okm
	klen=$(cat "$dir/keylen")
	if [ "$scheme" = rsa ]; then
		openssl pkeyutl -decrypt -inkey "$priv" -in "$dir/key.bin" \
			-out "$dir/aes.bin" -pkeyopt rsa_padding_mode:oaep \
			-pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
		return
	fi
	if [ "$scheme" = p256 ]; then plen=65; else plen=32; fi
	md=SHA256; maclen=32
	if [ "$(cat "$dir/key.type")" = 34 ]; then md=SHA512; maclen=64; fi
	eph_pem "$scheme" "$dir/key.bin" "$dir/eph.pem"
	openssl pkeyutl -derive -inkey "$priv" -peerkey "$dir/eph.pem" \
		-out "$dir/shared.bin"
	openssl kdf -keylen $((klen + maclen)) -kdfopt digest:$md \
		-kdfopt hexkey:"$(hexof "$dir/shared.bin")" \
		-kdfopt info:MCUBoot_ECIES_v1 -binary -out "$dir/okm.bin" HKDF
	okm=$(hexof "$dir/okm.bin")
	tail -c +$((plen + maclen + 1)) "$dir/key.bin" >"$dir/ck.bin"
	head -c $((plen + maclen)) "$dir/key.bin" | tail -c $maclen >"$dir/mac.bin"
	[ "$(openssl mac -digest $md -macopt hexkey:"${okm:$((klen * 2))}" \
		-in "$dir/ck.bin" HMAC | tr 'A-F' 'a-f')" = "$(hexof "$dir/mac.bin")" ] ||
		fail "$scheme: the wrap's HMAC does not verify with OpenSSL"
	openssl enc -d -aes-$((klen * 8))-ctr -K "${okm:0:$((klen * 2))}" \
		-iv 00000000000000000000000000000000 -in "$dir/ck.bin" \
		-out "$dir/aes.bin"
}

PAY=$REFS/payload-3001.bin
for c in "p256 ecdsa-p256 enc-ecies-p256 128 auto" \
	 "p256 ecdsa-p256 enc-ecies-p256 256 auto" \
	 "x25519 ecdsa-p256 enc-x25519 128 256" \
	 "x25519 ecdsa-p256 enc-x25519 256 512" \
	 "rsa rsa-2048 enc-rsa-2048 128 auto" \
	 "rsa rsa-2048 enc-rsa-2048 256 auto"; do
	set -- $c
	scheme=$1 sk=$2 ek=$3 bits=$4 hsha=$5
	d=$T/$scheme-$bits-$hsha; mkdir -p "$d"
	hopt=(); [ "$scheme" = rsa ] || hopt=(--hmac-sha "$hsha")
	expect_rc 0 "$FK" image sign -k "$REFS/$sk.pem" -E "$REFS/$ek.pub.pem" \
		--encrypt-keylen "$bits" "${hopt[@]}" -v 1.2.3 -H 0x200 \
		--pad-header -s 7 "$PAY" "$d/img.bin"
	split_image "$d/img.bin" "$d"
	[ "$(cat "$d/keylen")" = $((bits / 8)) ] || fail "$scheme $bits: flags"
	cmp -s "$d/payload.bin" <(cat "$PAY"; head -c 7 /dev/zero) &&
		fail "$scheme $bits: payload not encrypted"
	unwrap "$d" "$scheme" "$REFS/$ek.pem"
	openssl enc -d -aes-"$bits"-ctr -K "$(hexof "$d/aes.bin")" \
		-iv 00000000000000000000000000000000 -in "$d/payload.bin" \
		-out "$d/plain.bin"
	# 0x200 + 3001 bytes padded with zeros to a whole AES block: 7 zeros
	cmp "$d/plain.bin" <(cat "$PAY"; head -c 7 /dev/zero) ||
		fail "$scheme $bits: OpenSSL's plaintext differs from the input"
	cat "$d/hdr.bin" "$d/plain.bin" "$d/prot.bin" >"$d/signed.bin"
	[ "$(openssl dgst -sha256 -r "$d/signed.bin" | cut -d' ' -f1)" = \
		"$(hexof "$d/sha.bin")" ] ||
		fail "$scheme $bits: SHA256 TLV is not the plaintext's digest"
	if [ "$sk" = rsa-2048 ]; then
		openssl dgst -sha256 -verify "$REFS/$sk.pub.pem" \
			-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
			-signature "$d/sig.bin" "$d/signed.bin" >/dev/null ||
			fail "$scheme $bits: RSA-PSS signature does not verify"
	else
		openssl dgst -sha256 -verify "$REFS/$sk.pub.pem" \
			-signature "$d/sig.bin" "$d/signed.bin" >/dev/null ||
			fail "$scheme $bits: ECDSA signature does not verify"
	fi
	# flashkit's own verify, after decrypting with the private key
	expect_rc 0 "$FK" image verify -k "$REFS/$sk.pub.pem" \
		--enc-key "$REFS/$ek.pem" "$d/img.bin"
	grep 'valid: version 1.2.3' "$T/out" >/dev/null || fail "verify output"
	expect_rc 1 "$FK" image verify -k "$REFS/$sk.pub.pem" "$d/img.bin"
	grep -- '--enc-key' "$T/out" >/dev/null || fail "verify: no hint"
	expect_rc 0 "$FK" image info "$d/img.bin"
	grep -E 'ENC_(EC256|X25519|RSA2048)' "$T/out" >/dev/null ||
		fail "info does not name the key TLV"
done

# A wrong key of the same scheme, a public key, a key of another scheme.
IMG=$T/p256-128-auto/img.bin
expect_rc 1 "$FK" image verify --enc-key "$REFS/ecdsa-p256.pem" "$IMG"
grep 'HMAC does not match' "$T/err" >/dev/null || fail "wrong key message"
expect_rc 1 "$FK" image verify --enc-key "$REFS/enc-ecies-p256.pub.pem" "$IMG"
grep 'public key' "$T/err" >/dev/null || fail "public key message"
expect_rc 1 "$FK" image verify --enc-key "$REFS/enc-x25519.pem" "$IMG"
grep 'wrapped for ECIES-P256' "$T/err" >/dev/null || fail "scheme message"
# A flipped byte in the wrapped key.
python3 - "$IMG" "$T/tampered.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[-1] ^= 1
open(sys.argv[2], 'wb').write(d)
PY
expect_rc 1 "$FK" image verify --enc-key "$REFS/enc-ecies-p256.pem" \
	"$T/tampered.bin"
# imgtool's images decrypt and verify from the command line too.
expect_rc 0 "$FK" image verify -k "$REFS/rsa-2048.pub.pem" \
	--enc-key "$REFS/enc-rsa-2048.pem" "$REFS/rsa2048-enc-rsa-oaep-aes128.bin"
expect_rc 0 "$FK" image verify -k "$REFS/ecdsa-p256.pub.pem" \
	--enc-key "$REFS/enc-ecies-p256.pem" \
	"$REFS/ecdsa-p256-enc-ecies-p256-aes256.bin"

# Refused options: nothing written.
expect_rc 2 "$FK" image sign --encrypt-keylen 256 "$PAY" "$T/no1.bin"
expect_rc 2 "$FK" image sign -E "$REFS/enc-ecies-p256.pub.pem" \
	--encrypt-keylen 192 -H 0x200 --pad-header "$PAY" "$T/no2.bin"
expect_rc 2 "$FK" image sign -E "$REFS/enc-rsa-2048.pub.pem" --hmac-sha 512 \
	-H 0x200 --pad-header "$PAY" "$T/no3.bin"
grep 'X25519' "$T/err" >/dev/null || fail "hmac-sha 512 message"
expect_rc 2 "$FK" image sign -E "$REFS/ecdsa-p384.pub.pem" -H 0x200 \
	--pad-header "$PAY" "$T/no4.bin"
grep 'not an encryption key' "$T/err" >/dev/null || fail "P-384 message"
expect_rc 1 "$FK" image sign --resign -H 0x200 "$IMG" "$T/no5.bin"
grep 'encrypted' "$T/err" >/dev/null || fail "--resign of an encrypted image"
for n in 1 2 3 4 5; do [ ! -e "$T/no$n.bin" ] || fail "no$n.bin written"; done
# key generate for every type imgtool's keygen makes: OpenSSL reads each
# key as its type, key public agrees with `openssl pkey -pubout`, an image
# signed with each verifies with its public key (and OpenSSL checks the
# ECDSA/RSA-PSS signatures), and an image encrypted for a new X25519 key
# decrypts with OpenSSL's X25519.
K=$T/keys; mkdir -p "$K"
for t in "ecdsa-p256:EC:256 bit" "ecdsa-p384:EC:384 bit" "rsa-2048:RSA:2048 bit" \
	 "rsa-3072:RSA:3072 bit" "ed25519:ED25519:ED25519" "x25519:X25519:X25519"; do
	name=${t%%:*} want=${t##*:}
	expect_rc 0 "$FK" key generate -t "$name" -o "$K/$name.pem"
	[ "$(stat -c %a "$K/$name.pem")" = 600 ] || fail "$name: key file not owner-only"
	openssl pkey -in "$K/$name.pem" -noout -text 2>/dev/null | head -1 |
		grep -- "$want" >/dev/null || fail "$name: OpenSSL does not read a $want key"
	expect_rc 0 "$FK" key public "$K/$name.pem" -o "$K/$name.pub.pem"
	cmp -s "$K/$name.pub.pem" <(openssl pkey -in "$K/$name.pem" -pubout) ||
		fail "$name: key public differs from openssl pkey -pubout"
	[ "$name" = x25519 ] && continue
	expect_rc 0 "$FK" image sign -k "$K/$name.pem" -v 1.0.0 -H 0x200 \
		--pad-header "$PAY" "$K/$name.img"
	expect_rc 0 "$FK" image verify -k "$K/$name.pub.pem" "$K/$name.img"
	expect_rc 1 "$FK" image verify -k "$REFS/ecdsa-p256.pub.pem" "$K/$name.img"
done
expect_rc 1 "$FK" key generate -t x25519 -o "$K/x25519.pem"
expect_rc 2 "$FK" key generate -t rsa-1024 -o "$K/rsa-1024.pem"
[ ! -e "$K/rsa-1024.pem" ] || fail "a refused type wrote a file"
expect_rc 2 "$FK" key public --c "$K/x25519.pem"
d=$T/newx; mkdir -p "$d"
expect_rc 0 "$FK" image sign -k "$K/ecdsa-p256.pem" -E "$K/x25519.pub.pem" \
	-v 1.0.0 -H 0x200 --pad-header "$PAY" "$d/img.bin"
split_image "$d/img.bin" "$d"
unwrap "$d" x25519 "$K/x25519.pem"
openssl enc -d -aes-128-ctr -K "$(hexof "$d/aes.bin")" \
	-iv 00000000000000000000000000000000 -in "$d/payload.bin" -out "$d/plain.bin"
cmp "$d/plain.bin" <(cat "$PAY"; head -c 7 /dev/zero) ||
	fail "an image for a generated X25519 key does not decrypt"
echo "encrypted images: 6 schemes/key lengths decrypted by OpenSSL, 6 key types generated, CLI checks passed"
