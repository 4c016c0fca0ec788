#!/usr/bin/env bash
# Encrypted private keys, made by OpenSSL (the peer): PKCS#8 PBES2 with
# PBKDF2 (HMAC-SHA-1/-224/-256/-384/-512) and AES-128/192/256-CBC, and the
# traditional "Proc-Type: 4,ENCRYPTED" PEM. flashkit must open each with
# the password from --password-file or FLASHKIT_KEY_PASSWORD and find the
# public key openssl finds; sign with one (verified against the public
# key openssl derives); say what is wrong for a missing or wrong password, for the
# schemes it does not read (scrypt, DES) and for a hostile iteration
# count; and survive every truncation and a flipped byte of an encrypted
# key.
set -euo pipefail
FK=${FK_TOOL:?}
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

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/rsa.pem" 2>/dev/null
printf 's3cret pass\n' >"$T/pw"

# --- every scheme flashkit reads, public half as openssl sees it --------
n=0
for key in ec rsa; do
	openssl pkey -in "$T/$key.pem" -pubout -out "$T/$key.pub"
	for spec in "aes256 hmacWithSHA256" "aes128 hmacWithSHA1" \
		"aes192 hmacWithSHA512" "aes256 hmacWithSHA384" \
		"aes128 hmacWithSHA224"; do
		set -- $spec
		n=$((n + 1))
		openssl pkcs8 -topk8 -in "$T/$key.pem" -v2 "$1" -v2prf "$2" \
			-passout "pass:s3cret pass" -out "$T/enc$n.pem"
		grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$T/enc$n.pem" ||
			fail "openssl did not write PKCS#8 encrypted ($spec)"
		expect 0 "" "$FK" key public --password-file "$T/pw" "$T/enc$n.pem" -o "$T/got.pub"
		cmp -s "$T/got.pub" "$T/$key.pub" || fail "$key $spec: public key differs"
		expect 0 "" env FLASHKIT_KEY_PASSWORD="s3cret pass" "$FK" key public "$T/enc$n.pem" -o "$T/got.pub"
		cmp -s "$T/got.pub" "$T/$key.pub" || fail "$key $spec (env): public key differs"
	done
done
openssl ec -in "$T/ec.pem" -aes256 -passout "pass:s3cret pass" -out "$T/trad.pem" 2>/dev/null
grep -q "Proc-Type: 4,ENCRYPTED" "$T/trad.pem" || fail "openssl did not write a traditional encrypted PEM"
expect 0 "" "$FK" key public --password-file "$T/pw" "$T/trad.pem" -o "$T/got.pub"
cmp -s "$T/got.pub" "$T/ec.pub" || fail "traditional PEM: public key differs"

# --- signing with an encrypted key; verified with openssl's public half --
printf 'firmware' >"$T/fw.bin"
expect 0 "" "$FK" image sign --password-file "$T/pw" -k "$T/enc1.pem" -H 0x200 --pad-header -S 0x10000 \
	--version 1.0.0 "$T/fw.bin" "$T/fw.signed.bin"
expect 0 "" "$FK" image verify -k "$T/ec.pub" "$T/fw.signed.bin"

# --- what is wrong, said --------------------------------------------------
expect 1 "encrypted; give its password with --password-file" "$FK" key public "$T/enc1.pem"
expect 1 "encrypted; give its password" "$FK" key public "$T/trad.pem"
printf 'nope\n' >"$T/bad"
expect 1 "wrong password .*from .*bad" "$FK" key public --password-file "$T/bad" "$T/enc1.pem"
expect 1 "wrong password .*FLASHKIT_KEY_PASSWORD" env FLASHKIT_KEY_PASSWORD=nope "$FK" key public "$T/enc1.pem"
expect 1 "wrong password" "$FK" key public --password-file "$T/bad" "$T/trad.pem"
expect 3 "missing" "$FK" key public --password-file "$T/missing" "$T/enc1.pem"
openssl pkcs8 -topk8 -in "$T/ec.pem" -scrypt -passout "pass:s3cret pass" -out "$T/scrypt.pem"
expect 1 "scrypt is not supported" "$FK" key public --password-file "$T/pw" "$T/scrypt.pem"
openssl pkcs8 -topk8 -in "$T/ec.pem" -v2 des3 -passout "pass:s3cret pass" -out "$T/des3.pem"
expect 1 "flashkit reads AES-128, AES-192 and AES-256" "$FK" key public --password-file "$T/pw" "$T/des3.pem"

# A hostile iteration count (2^31-1) is refused before any work, and the
# same file with 2,048 iterations (the count OpenSSL writes) opens:
# the DER is rebuilt around the original salt, IV and ciphertext.
openssl pkcs8 -topk8 -in "$T/ec.pem" -v2 aes256 -v2prf hmacWithSHA256 -iter 2048 \
	-passout "pass:s3cret pass" -outform DER -out "$T/enc.der"
rebuild() { # iterations out.pem
	python3 - "$T/enc.der" "$1" "$2" <<'PY'
import base64, sys
d = open(sys.argv[1], 'rb').read()
def tlv(b, i):  # (tag, header length, content length) at i
    t, l = b[i], b[i + 1]
    if l < 0x80: return t, 2, l
    n = l & 0x7f
    return t, 2 + n, int.from_bytes(b[i + 2:i + 2 + n], 'big')
def enc(t, c):
    l = len(c)
    if l < 0x80: return bytes([t, l]) + c
    n = (l.bit_length() + 7) // 8
    return bytes([t, 0x80 | n]) + l.to_bytes(n, 'big') + c
def kids(b):
    out, i = [], 0
    while i < len(b):
        t, h, l = tlv(b, i); out.append((t, b[i + h:i + h + l])); i += h + l
    return out
top = kids(kids(d)[0][1])                 # [AlgorithmIdentifier, OCTET STRING]
alg = kids(top[0][1])                     # [OID pbes2, params]
params = kids(alg[1][1])                  # [kdf alg, enc alg]
kdf = kids(params[0][1])                  # [OID pbkdf2, PBKDF2-params]
p = kids(kdf[1][1])                       # [salt, iter, (keylen), (prf)]
it = int(sys.argv[2]); ib = it.to_bytes((it.bit_length() + 8) // 8, 'big')
p[1] = (0x02, ib)
kdf[1] = (0x30, b''.join(enc(t, c) for t, c in p))
params[0] = (0x30, b''.join(enc(t, c) for t, c in kdf))
alg[1] = (0x30, b''.join(enc(t, c) for t, c in params))
top[0] = (0x30, b''.join(enc(t, c) for t, c in alg))
der = enc(0x30, b''.join(enc(t, c) for t, c in top))
b64 = base64.encodebytes(der).decode()
open(sys.argv[3], 'w').write("-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + b64 +
                             "-----END ENCRYPTED PRIVATE KEY-----\n")
PY
}
rebuild 2048 "$T/same.pem"
expect 0 "" "$FK" key public --password-file "$T/pw" "$T/same.pem" -o "$T/got.pub"
cmp -s "$T/got.pub" "$T/ec.pub" || fail "rebuilt DER: public key differs (the rebuild is wrong)"
rebuild 2147483647 "$T/hostile.pem"
expect 1 "2147483647 PBKDF2 iterations, more than flashkit's limit" \
	"$FK" key public --password-file "$T/pw" "$T/hostile.pem"

# --- every truncation, and every 7th byte flipped: an error, no crash ---
python3 - "$T/enc.der" "$T/cut" <<'PY'
import base64, sys
d = open(sys.argv[1], 'rb').read()
def pem(b):
    return ("-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + base64.encodebytes(b).decode() +
            "-----END ENCRYPTED PRIVATE KEY-----\n")
for n in range(1, len(d)):
    open("%s-t%03d.pem" % (sys.argv[2], n), 'w').write(pem(d[:n]))
for i in range(0, len(d), 7):
    b = bytearray(d); b[i] ^= 0x5a
    open("%s-f%03d.pem" % (sys.argv[2], i), 'w').write(pem(bytes(b)))
PY
bad=0
for f in "$T"/cut-*.pem; do
	set +e; "$FK" key public --password-file "$T/pw" "$f" >/dev/null 2>"$T/err"; rc=$?; set -e
	case $rc in
	0) cmp -s <("$FK" key public --password-file "$T/pw" "$f") "$T/ec.pub" ||
		fail "$(basename "$f"): opened to another key" ;;
	1) grep -q "error: " "$T/err" || fail "$(basename "$f"): rc 1 without a message" ;;
	*) cat "$T/err" >&2; fail "$(basename "$f"): rc $rc" ;;
	esac
	bad=$((bad + 1))
done
echo "test_key_password: $checks checks, $n PKCS#8 schemes, $bad damaged keys: all as expected"
