# Sourced by run.sh: builds real Cortex-M firmware, flashkit's minimal
# bootloader (bench/boot_size/boot_min.c: the boot core, image code and
# Debian's mbedTLS for ECDSA P-256, or libsodium for Ed25519), from any
# commit of this repository, the way bench/boot_size/run.sh builds it.
#
#   fw_build TREE OUT CRYPTO "EXTRA CFLAGS"   ->  OUT/fw.bin
#     TREE    a checkout (git archive of src include ports bench/boot_size)
#     CRYPTO  ecdsa | ed25519
fw_tree() { # $1 = commit, $2 = dir
	rm -rf "$2"
	mkdir -p "$2"
	git archive "$1" src include ports bench/boot_size | tar -x -C "$2"
}

fw_build() {
	local tree=$1 out=$2 crypto=$3 extra_cflags=$4
	local arch="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
	local cflags="$arch -std=c99 -ffreestanding -ffunction-sections -fdata-sections $extra_cflags"
	local mbed=${FK_MBEDTLS_SRC:-/var/cache/flashkit/mbedtls}
	local sodium=${FK_SODIUM_SRC:-/var/cache/flashkit/libsodium}
	local port=ports/crypto-mbedtls sinc defs extra f m
	mkdir -p "$out/lib" "$out/crypto"
	(
		cd "$tree"
		. bench/boot_size/crypto.sh
		sinc=$sodium/src/libsodium/include/sodium
		local inc="-Iinclude -Iports/cortex-m -Iports/qemu-mps2 -I$port -I$port/target -I$mbed/include"
		local mdef="-DMBEDTLS_CONFIG_FILE=<$MBEDTLS_CONFIG>"
		defs="-DBOOT_MIN_STRATEGY=FK_BOOT_SWAP -DFK_BOOT_NO_OVERWRITE -DFK_BOOT_NO_XIP -DFK_BOOT_NO_RAM_LOAD"
		if [ "$crypto" = ecdsa ]; then
			for m in $MBEDTLS_MODULES; do
				arm-none-eabi-gcc $cflags -I$port/target -I$mbed/include "$mdef" \
					-c "$mbed/library/$m.c" -o "$out/crypto/$m.o"
			done
			defs="$defs -DBOOT_MIN_ECDSA -DBOOT_MIN_HEAP=$BOOT_MIN_HEAP $mdef -DBOOT_MIN_CRYPTO=$PORT_SYMBOL"
			extra="$PORT_SOURCES $out/key.c"
			key_c ecdsa-p256 FK_KEY_ECDSA_P256 >"$out/key.c"
		else
			for m in $SODIUM_MODULES; do
				arm-none-eabi-gcc $cflags -I"$sinc" $SODIUM_DEFS -c "$sodium/src/libsodium/$m.c" \
					-o "$out/crypto/$(echo "$m" | tr / _).o"
			done
			defs="$defs -DBOOT_MIN_ED25519 -Iports/crypto-sodium -I$sinc"
			extra="ports/crypto-sodium/fk_crypto_sodium.c $out/key.c"
			key_c ed25519 FK_KEY_ED25519 >"$out/key.c"
		fi
		arm-none-eabi-ar rcs "$out/libcrypto.a" "$out"/crypto/*.o
		for f in src/boot/*.c src/image/*.c src/flash/*.c src/core/*.c; do
			case $f in
			src/boot/strategy_swap.c) ;;
			src/boot/strategy_*) continue ;;
			esac
			arm-none-eabi-gcc $cflags $inc $defs -c "$f" -o "$out/lib/$(basename "$f" .c).o"
		done
		arm-none-eabi-ar rcs "$out/libfk.a" "$out"/lib/*.o
		sed -e "s/@FK_ROM_ORIGIN@/0x08000000/" -e "s/@FK_ROM_SIZE@/0x20000/" \
			-e "s/@FK_RAM_ORIGIN@/0x20000000/" -e "s/@FK_RAM_SIZE@/0x10000/" \
			ports/cortex-m/memory.ld.in >"$out/boot.ld"
		arm-none-eabi-gcc $cflags $inc $defs -nostdlib -Wl,--gc-sections \
			-Lports/cortex-m -T "$out/boot.ld" -o "$out/fw.elf" \
			bench/boot_size/boot_min.c ports/cortex-m/startup.c \
			ports/cortex-m/jump.c ports/cortex-m/string.c $extra \
			"$out/libfk.a" "$out/libcrypto.a" -lgcc
	)
	arm-none-eabi-objcopy -O binary "$out/fw.elf" "$out/fw.bin"
}

key_c() { # $1 = key name in tests/data/mcuboot-images, $2 = FK_KEY_*
	python3 - "$FK_BENCH_ROOT/tests/data/mcuboot-images/$1.pub.pem" "$2" <<'PY'
import base64, hashlib, sys
der = base64.b64decode("".join(l for l in open(sys.argv[1]) if not l.startswith("-----")))
hx = lambda b: ", ".join("0x%02x" % x for x in b)
print('#include "flashkit/image.h"')
print("static const uint8_t der[] = {%s};" % hx(der))
print("const struct fk_image_key boot_min_key = { %s, der, sizeof(der), { %s } };" % (sys.argv[2], hx(hashlib.sha256(der).digest())))
PY
}
