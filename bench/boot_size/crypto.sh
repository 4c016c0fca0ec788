# Sourced by run.sh: the crypto port a bootloader links for ECDSA P-256
# (ports/crypto-mbedtls/fk_crypto_mbedtls.h), its mbedTLS configuration
# and modules (ports/crypto-mbedtls/target/mbedtls.cmake), and the heap
# its verification gets.
PORT_SOURCES="ports/crypto-mbedtls/fk_crypto_mbedtls_p256.c ports/crypto-mbedtls/target/fk_mbedtls_target.c"
PORT_SYMBOL=fk_crypto_mbedtls_p256
MBEDTLS_CONFIG=fk_mbedtls_boot_config.h
MBEDTLS_MODULES=$(sed -n '/^set(FK_MBEDTLS_BOOT_MODULES/,/)/p' ports/crypto-mbedtls/target/mbedtls.cmake |
	sed -e 's/set(FK_MBEDTLS_BOOT_MODULES//' -e 's/)//')
BOOT_MIN_HEAP=4096
# ... and with ECIES-P256 decryption (fk_boot_program ENC_KEY)
MBEDTLS_ENC_CONFIG=fk_mbedtls_boot_enc_config.h
MBEDTLS_ENC_MODULES=$(sed -n '/^set(FK_MBEDTLS_BOOT_ENC_MODULES/,/)/p' ports/crypto-mbedtls/target/mbedtls.cmake |
	sed -e 's/set(FK_MBEDTLS_BOOT_ENC_MODULES ${FK_MBEDTLS_BOOT_MODULES}//' -e 's/)//')

# Ed25519: the libsodium files and definitions of
# ports/crypto-sodium/target/sodium.cmake.
SODIUM_MODULES=$(sed -n '/^set(FK_SODIUM_MODULES/,/)/p' ports/crypto-sodium/target/sodium.cmake |
	sed -e 's/set(FK_SODIUM_MODULES//' -e 's/)//')
SODIUM_DEFS=$(sed -n 's/^set(FK_SODIUM_DEFINES \(.*\))$/\1/p' ports/crypto-sodium/target/sodium.cmake |
	sed 's/[^ ][^ ]*/-D&/g')

# ECDSA P-256 through BearSSL: the files of
# ports/crypto-bearssl/target/bearssl.cmake.
BEARSSL_MODULES=$(sed -n '/^set(FK_BEARSSL_MODULES/,/)/p' ports/crypto-bearssl/target/bearssl.cmake |
	sed -e 's/set(FK_BEARSSL_MODULES//' -e 's/)//')
