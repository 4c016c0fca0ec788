# Sourced by run.sh: the crypto port a bootloader links for ECDSA P-256.
PORT_SOURCES="ports/crypto-mbedtls/fk_crypto_mbedtls.c ports/crypto-mbedtls/target/fk_mbedtls_target.c"
PORT_SYMBOL=fk_crypto_mbedtls
MBEDTLS_CONFIG=fk_mbedtls_config.h
MBEDTLS_MODULES=$(sed -n '/^set(FK_MBEDTLS_MODULES/,/)/p' ports/crypto-mbedtls/target/mbedtls.cmake |
	sed -e 's/set(FK_MBEDTLS_MODULES//' -e 's/)//')
BOOT_MIN_HEAP=16384
