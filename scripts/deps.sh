#!/usr/bin/env bash
# Installs the Debian packages flashkit needs, or prints the command.
#   scripts/deps.sh          everything (build, tests, interop peers)
# Each package and why it is here is listed in the README.
set -euo pipefail

packages=(
	build-essential cmake pkg-config
	ninja-build          # make check's ASan build (scripts/check.sh): Ninja schedules it faster than make
	libyaml-dev          # layout parser
	libmbedtls-dev       # SHA-256, ECDSA P-256, RSA-PSS, PEM keys
	libsodium-dev        # Ed25519 (mbedTLS 2.28 has none): keys, sign, verify
	libbearssl-dev       # the small ECDSA P-256 bootloader port, tested on the host
	libcmocka-dev        # unit tests
	gcc-arm-none-eabi libnewlib-arm-none-eabi  # device-side builds
	qemu-system-arm      # runs the bootloader on an emulated Cortex-M3
	libunicorn-dev       # runs the flash drivers' Cortex-M code on register models
	srecord              # interop peer: srec_cat checks our HEX/S-record
	dfu-util             # interop peer: dfu-suffix checks our .dfu files
	clang libclang-rt-14-dev  # libFuzzer targets and sanitizer runtimes
	clang-format         # the code style check (tests/flash/format.sh)
	librsvg2-bin         # rsvg-convert renders the layout SVG in tests
	openocd              # interop peer: runs the generated program.cfg
	device-tree-compiler # interop peer: dtc compiles the generated overlay
	python3              # small test helpers
	man-db groff-base    # tests/cli/docs.sh: `man flashkit-image` renders the generated pages
	zsh                  # tests/cli/docs.sh: the generated zsh completion, run by zsh's compsys
	scons                # runs the PlatformIO helper (tools/platformio) as PlatformIO would
	openssl              # interop peer: reads our keys, checks our signatures
	dpkg-dev             # apt-get source: Debian's mbedtls, libsodium, bearssl for Cortex-M
	bsdiff               # bench/delta: the patch size delta images are measured against
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "flashkit: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "flashkit: missing Debian packages. Install them with:" >&2
		echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
fi

# Debian's source packages of the same versions as the -dev packages,
# cross-compiled for Cortex-M: mbedtls for the image tests and `make
# target-crypto` (ports/crypto-mbedtls/target), libsodium's Ed25519
# verification (ports/crypto-sodium/target/sodium.cmake), BearSSL's ECDSA
# P-256 verification (ports/crypto-bearssl/target/bearssl.cmake). Each
# is unpacked in $src_cache, with a link named after the package. apt-get
# source needs a deb-src line; one is added beside the system's own
# sources when none exists.
src_cache=/var/cache/flashkit

add_deb_src() {
	grep -rqsE '^(deb-src |Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ &&
		return 0
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
			>/etc/apt/sources.list.d/flashkit-deb-src.sources
	else
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list \
			>/etc/apt/sources.list.d/flashkit-deb-src.list
	fi
	apt-get update -qq
}

# fetch_source <-dev package> <source package> <a file of the source>
fetch_source() {
	local dev=$1 pkg=$2 ver
	[ -f "$src_cache/$pkg/$3" ] && return 0
	ver=$(dpkg-query -W -f='${source:Version}' "$dev")
	if [ "$(id -u)" != 0 ]; then
		echo "flashkit: Debian's $pkg source is missing. As root, run scripts/deps.sh," >&2
		echo "  or: mkdir -p $src_cache && cd $src_cache && apt-get source $pkg=$ver && ln -sfn $pkg-${ver%-*} $pkg" >&2
		exit 1
	fi
	add_deb_src
	echo "flashkit: fetching Debian's $pkg $ver source into $src_cache"
	mkdir -p "$src_cache"
	(cd "$src_cache" && apt-get source -qq "$pkg=$ver" >/dev/null 2>&1 &&
		ln -sfn "$pkg-${ver%-*}" "$pkg")
}

fetch_source libmbedtls-dev mbedtls library/sha256.c
fetch_source libsodium-dev libsodium src/libsodium/crypto_sign/ed25519/ref10/open.c
fetch_source libbearssl-dev bearssl src/ec/ecdsa_i31_vrfy_raw.c
