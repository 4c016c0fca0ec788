#!/usr/bin/env bash
# Encrypted power-cut sweeps repeat: two runs of test_boot_sweep on
# encrypted images (each key-wrapping scheme) print the same images (their
# CRC-32, which names the AES keys drawn) and the same case counts, so a
# sweep's numbers compare across runs and a failure is found again. The
# sweep takes its randomness from tests/seeded_rng.c; with the platform's
# it drew new AES keys every run (SWAP two-memories RSA-OAEP: 64,021 then
# 73,279 install cases; seeded: 60,724 both times).
set -euo pipefail
sweep=${1:?usage: sweep_repeatable.sh TEST_BOOT_SWEEP}
fails=0
for scheme in ecies-p256 x25519 rsa-oaep; do
	a=$("$sweep" overwrite uniform-4k "$scheme" | grep -E 'cases|images:')
	b=$("$sweep" overwrite uniform-4k "$scheme" | grep -E 'cases|images:')
	if [ "$a" != "$b" ] || ! grep -q 'images:' <<<"$a"; then
		echo "FAIL $scheme: two runs differ"
		diff <(echo "$a") <(echo "$b") || true
		fails=$((fails + 1))
	else
		echo "$scheme: two runs alike"
		echo "$a" | sed 's/^/  /'
	fi
done
[ "$fails" = 0 ]
