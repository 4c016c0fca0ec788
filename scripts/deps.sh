#!/usr/bin/env bash
# Installs the Debian packages flashkit needs, or prints the command.
#   scripts/deps.sh          everything (build, tests, interop peers)
# Each package and why it is here is listed in the README.
set -euo pipefail

packages=(
	build-essential cmake pkg-config
	libyaml-dev          # layout parser
	libmbedtls-dev       # SHA-256, ECDSA P-256, RSA-PSS, PEM keys
	libcmocka-dev        # unit tests
	gcc-arm-none-eabi libnewlib-arm-none-eabi  # device-side builds
	qemu-system-arm      # runs the bootloader on an emulated Cortex-M3
	srecord              # interop peer: srec_cat checks our HEX/S-record
	dfu-util             # interop peer: dfu-suffix checks our .dfu files
	clang libclang-rt-14-dev  # libFuzzer targets and sanitizer runtimes
	librsvg2-bin         # rsvg-convert renders the layout SVG in tests
	python3              # small test helpers
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

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
