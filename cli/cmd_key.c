/*
 * flashkit key: make a signing key, print its public half for the build
 * or for the bootloader, and write an encryption key's private half in
 * the form the bootloader decrypts with.
 *
 *   flashkit key generate -o key.pem [-t ecdsa-p256|ecdsa-p384|rsa-2048|
 *                                      rsa-3072|ed25519|x25519]
 *   flashkit key public key.pem [--c [--name NAME]] [-o OUT]
 *
 * Key files are the PEM files imgtool and OpenSSL use (host/image/keys.h).
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "cli.h"
#include "cli_key.h"
#include "formats/files.h"
#include "image/key_ed25519.h"
#include "image/keys.h"

static int key_generate(int argc, char **argv)
{
	const char *out = NULL, *type = "ecdsa-p256";
	int force = 0;
	const struct fk_option options[] = {
		{ 'o', "output", "FILE", "where to write the private key (PEM)",
		  .value = &out },
		{ 't', "type", "TYPE",
		  "ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, "
		  "ed25519 or x25519 (an encryption key for -E), imgtool's "
		  "names",
		  .value = &type },
		{ 0, "force", NULL,
		  "replace an existing file (the key it "
		  "held is lost)",
		  .flag = &force },
	};
	static const char *const summary =
		"Generates a signing key (ECDSA P-256 by default; -t for the "
		"others imgtool makes) or, with -t x25519, an encryption key, "
		"and writes it as a PKCS#8 PEM file (the form imgtool and "
		"`openssl genpkey` write; both read it). Keep it secret: "
		"anyone holding a signing key can sign images your devices "
		"will boot. An existing file is never replaced without "
		"--force: losing a signing key locks out every device that "
		"trusts it.";
	const struct fk_command_help help = {
		.usage = "flashkit key generate -o key.pem [-t TYPE] [--force]",
		.summary = summary,
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	/* imgtool keygen's names */
	static const struct {
		const char *name;
		enum fk_image_key_type type;
		bool x25519; /* an encryption key (ECIES-X25519) */
	} types[] = {
		{ "ecdsa-p256", FK_KEY_ECDSA_P256, false },
		{ "ecdsa-p384", FK_KEY_ECDSA_P384, false },
		{ "rsa-2048", FK_KEY_RSA2048, false },
		{ "rsa-3072", FK_KEY_RSA3072, false },
		{ "ed25519", FK_KEY_ED25519, false },
		{ "x25519", FK_KEY_ED25519, true },
	};
	struct fk_diag err = { 0 };
	unsigned flags;
	size_t i;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos || !out) {
		fk_error("key generate needs -o FILE and no other argument");
		return FK_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i].name))
			break;
	if (i == sizeof(types) / sizeof(types[0])) {
		fk_error("key generate -t '%s': use ecdsa-p256, ecdsa-p384, "
			 "rsa-2048, rsa-3072, ed25519 or x25519",
			 type);
		return FK_EXIT_USAGE;
	}
	flags = force ? 0 : FK_OUT_NO_REPLACE;
	if (types[i].x25519 ? fk_enc_generate_x25519(out, flags, &err) :
			      fk_key_generate(types[i].type, out, flags, &err))
		return fk_cli_report(&err);
	return FK_EXIT_OK;
}

static void put_bytes(FILE *fp, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(fp, "%s0x%02x,%s", i % 12 ? " " : "\t", p[i],
			i % 12 == 11 || i + 1 == len ? "\n" : "");
}

/* The key as C source: the DER and a struct fk_image_key for the
 * bootloader's key table. */
static void write_c(FILE *fp, const struct fk_key *key, const char *name)
{
	static const char *const type_names[] = {
		[FK_KEY_ECDSA_P256] = "FK_KEY_ECDSA_P256",
		[FK_KEY_RSA2048] = "FK_KEY_RSA2048",
		[FK_KEY_ED25519] = "FK_KEY_ED25519",
		[FK_KEY_ECDSA_P384] = "FK_KEY_ECDSA_P384",
		[FK_KEY_RSA3072] = "FK_KEY_RSA3072",
	};
	size_t hash_len = fk_key_digest_len(key->type);

	fprintf(fp,
		"/* %s public key from %s, for the bootloader's key table.\n"
		" * Made by `flashkit key public --c`. The DER is what imgtool "
		"embeds\n * (PUBKEY TLV); hash is its %s (KEYHASH TLV). "
		"*/\n"
		"#include \"flashkit/image.h\"\n\n",
		fk_key_type_name(key->type), key->path,
		hash_len == FK_SHA384_SIZE ? "SHA-384" : "SHA-256");
	fprintf(fp, "static const uint8_t %s_der[%zu] = {\n", name,
		key->pub_len);
	put_bytes(fp, key->pub, key->pub_len);
	fprintf(fp,
		"};\n\nconst struct fk_image_key %s = {\n"
		"\t.type = %s,\n\t.der = %s_der,\n\t.der_len = "
		"sizeof(%s_der),\n"
		"\t.hash = {\n",
		name, type_names[key->type], name, name);
	put_bytes(fp, key->hash, hash_len);
	fprintf(fp, "\t},\n};\n");
}

/* key public of an X25519 encryption key: its SubjectPublicKeyInfo PEM.
 * Returns an exit status, or -1 when path holds no X25519 key. */
static int x25519_public(const char *path, int as_c, const char *out,
			 struct fk_diag *err)
{
	struct fk_enc_key ek;
	struct fk_atomic of;
	char pem[256];
	int rc;

	if (fk_enc_key_load(&ek, path, NULL) ||
	    ek.scheme != FK_ENC_ECIES_X25519) {
		fk_enc_key_free(&ek);
		return -1;
	}
	rc = fk_enc_public_pem(&ek, pem, sizeof(pem));
	fk_enc_key_free(&ek);
	if (as_c) {
		fk_error("%s is an X25519 encryption key: --c is for the "
			 "bootloader's signature keys",
			 path);
		return FK_EXIT_USAGE;
	}
	if (rc) {
		fk_error("%s: cannot encode the public key", path);
		return FK_EXIT_FAIL;
	}
	if (!out) {
		fputs(pem, stdout);
		return FK_EXIT_OK;
	}
	if (fk_atomic_open(&of, out, 0, err))
		return fk_cli_report(err);
	fputs(pem, of.fp);
	return fk_atomic_commit(&of, err) ? fk_cli_report(err) : FK_EXIT_OK;
}

/* 0 when name is a C identifier, else -1 with a message. */
static int check_c_name(const char *name)
{
	for (const char *c = name; *c; c++) {
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') ||
		      (*c >= 'A' && *c <= 'Z') ||
		      (c != name && *c >= '0' && *c <= '9'))) {
			fk_error("--name '%s' is not a C identifier", name);
			return -1;
		}
	}
	return *name ? 0 : (fk_error("--name is empty"), -1);
}

static int key_public(int argc, char **argv)
{
	const char *out = NULL, *name = "fk_boot_key", *password_file = NULL;
	int as_c = 0;
	const struct fk_option options[] = {
		{ 0, "c", NULL,
		  "print C source for the bootloader instead of PEM",
		  .flag = &as_c },
		{ 0, "name", "NAME", "C symbol name (default fk_boot_key)",
		  .value = &name },
		{ 'o', "output", "FILE", "write to FILE instead of stdout",
		  .value = &out },
		{ 0, "password-file", "FILE", FK_CLI_PASSWORD_FILE_HELP,
		  .value = &password_file },
	};
	static const char *const summary =
		"Prints the public half of a key file (private or public PEM, "
		"ECDSA P-256 or P-384, RSA-2048 or RSA-3072, Ed25519, or an "
		"X25519 encryption key) as a "
		"SubjectPublicKeyInfo PEM, or with --c as a C array plus its "
		"SHA-256 (SHA-384 for P-384: the KEYHASH images carry), as a "
		"struct fk_image_key the bootloader compiles in.";
	const struct fk_command_help help = {
		.usage = "flashkit key public KEY.pem [--c [--name NAME]] [-o "
			 "FILE]",
		.summary = summary,
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	struct fk_diag err = { 0 };
	struct fk_atomic of;
	struct fk_key key;
	char pem[2048];
	FILE *fp = stdout;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1) {
		fk_error("key public needs exactly one key file");
		return FK_EXIT_USAGE;
	}
	if (check_c_name(name))
		return FK_EXIT_USAGE;
	rc = x25519_public(argv[0], as_c, out, &err);
	if (rc >= 0)
		return rc;
	if (fk_cli_key_load(&key, argv[0], password_file) ||
	    (!as_c && fk_key_public_pem(&key, pem, sizeof(pem)))) {
		fk_key_free(&key);
		return fk_cli_report(&key.diag);
	}
	if (out) {
		if (fk_atomic_open(&of, out, 0, &err)) {
			fk_key_free(&key);
			return fk_cli_report(&err);
		}
		fp = of.fp;
	}
	if (as_c)
		write_c(fp, &key, name);
	else
		fputs(pem, fp);
	fk_key_free(&key);
	if (out && fk_atomic_commit(&of, &err)) {
		return fk_cli_report(&err);
	}
	return FK_EXIT_OK;
}

/* The device-form private key as C source, as `key public --c` writes
 * its keys: the bytes and their length under NAME. */
static void write_private_c(FILE *fp, enum fk_enc_scheme scheme,
			    const char *path, const uint8_t *dev, size_t len,
			    const char *name)
{
	static const char *const forms[] = {
		[FK_ENC_RSA_OAEP] = "its PKCS#1 RSAPrivateKey DER",
		[FK_ENC_ECIES_P256] = "its 32-byte big-endian private scalar",
		[FK_ENC_ECIES_X25519] = "its 32-byte RFC 7748 private key",
	};

	fprintf(fp,
		"/* %s private key from %s, for the bootloader's\n"
		" * struct fk_image_keys.enc_key: %s.\n"
		" * Made by `flashkit key private --c`. SECRET: anyone who "
		"reads it\n * decrypts every image encrypted for this "
		"device key. */\n"
		"#include <stdint.h>\n\n",
		fk_enc_scheme_name(scheme), path, forms[scheme]);
	fprintf(fp, "const uint8_t %s[%zu] = {\n", name, len);
	put_bytes(fp, dev, len);
	fprintf(fp, "};\nconst uint32_t %s_len = %zu;\n", name, len);
}

/* The private key in device form into dev (*len bytes, its scheme in
 * *scheme), or a message: a public key, or a key that only signs.
 * Returns 0 or an exit status. */
static int device_key(const char *path, const char *password_file, uint8_t *dev,
		      size_t *len, enum fk_enc_scheme *scheme)
{
	struct fk_enc_key ek;
	int rc = FK_EXIT_OK;

	if (fk_cli_enc_key_load(&ek, path, password_file))
		return fk_cli_report(&ek.diag);
	if (!ek.has_private) {
		fk_error("%s is a public key: the device needs the private key "
			 "(the one whose public half imgtool -E or image sign "
			 "-E "
			 "was given)",
			 path);
		rc = FK_EXIT_FAIL;
	} else if (fk_enc_device_key(&ek, dev, FK_ENC_DEVICE_KEY_MAX, len)) {
		fk_error("%s: cannot export the private key", path);
		rc = FK_EXIT_FAIL;
	}
	*scheme = ek.scheme;
	fk_enc_key_free(&ek);
	return rc;
}

static int key_private(int argc, char **argv)
{
	const char *out = NULL, *name = "fk_boot_enc_key",
		   *password_file = NULL;
	int as_c = 0;
	const struct fk_option options[] = {
		{ 0, "c", NULL,
		  "write C source (NAME and NAME_len) instead of the raw "
		  "bytes",
		  .flag = &as_c },
		{ 0, "name", "NAME", "C symbol name (default fk_boot_enc_key)",
		  .value = &name },
		{ 'o', "output", "FILE",
		  "write to FILE (owner-only); without --c it is required",
		  .value = &out },
		{ 0, "password-file", "FILE", FK_CLI_PASSWORD_FILE_HELP,
		  .value = &password_file },
	};
	static const char *const summary =
		"Writes the private half of an encryption key (RSA-2048, EC "
		"P-256 or X25519: the keys image sign -E and imgtool -E "
		"encrypt for) in the form the bootloader decrypts with "
		"(struct fk_image_keys.enc_key): RSA as its PKCS#1 "
		"RSAPrivateKey DER, P-256 as its 32-byte scalar, X25519 as "
		"its 32-byte key. With --c as C source, `const uint8_t "
		"NAME[]` and `const uint32_t NAME_len` (imgtool's getpriv); "
		"else the raw bytes into -o FILE. Signing-only keys "
		"(Ed25519, P-384, RSA-3072) are refused. The output is a "
		"secret: written owner-only, never into the repository.";
	const struct fk_command_help help = {
		.usage = "flashkit key private KEY.pem [--c [--name NAME]] [-o "
			 "FILE]",
		.summary = summary,
		.options = options,
		.option_count = sizeof(options) / sizeof(options[0]),
	};
	uint8_t dev[FK_ENC_DEVICE_KEY_MAX];
	struct fk_diag err = { 0 };
	enum fk_enc_scheme scheme = FK_ENC_NONE;
	struct fk_atomic of;
	FILE *fp = stdout;
	size_t len = 0;
	int npos, rc = fk_opt_parse(&help, argc, argv, &npos);

	if (rc)
		return rc > 0 ? FK_EXIT_OK : FK_EXIT_USAGE;
	if (npos != 1) {
		fk_error("key private needs exactly one key file");
		return FK_EXIT_USAGE;
	}
	if (!as_c && !out) {
		fk_error("key private writes raw key bytes: give -o FILE, or "
			 "--c for C source");
		return FK_EXIT_USAGE;
	}
	if (check_c_name(name))
		return FK_EXIT_USAGE;
	rc = device_key(argv[0], password_file, dev, &len, &scheme);
	if (rc)
		return rc;
	if (out) {
		if (fk_atomic_open(&of, out, FK_OUT_SECRET, &err)) {
			mbedtls_platform_zeroize(dev, sizeof(dev));
			return fk_cli_report(&err);
		}
		fp = of.fp;
	}
	if (as_c)
		write_private_c(fp, scheme, argv[0], dev, len, name);
	else
		fwrite(dev, 1, len, fp);
	mbedtls_platform_zeroize(dev, sizeof(dev));
	if (out && fk_atomic_commit(&of, &err))
		return fk_cli_report(&err);
	return FK_EXIT_OK;
}

static const struct fk_subcommand subs[] = {
	{ "generate", key_generate,
	  "write a new ECDSA P-256 or Ed25519 private key" },
	{ "public", key_public, "print a key's public half (PEM or C)" },
	{ "private", key_private,
	  "write an encryption key's private half for the bootloader "
	  "(C or raw)" },
};

int cmd_key(int argc, char **argv)
{
	return fk_subcommand_run("key", subs, sizeof(subs) / sizeof(subs[0]),
				 argc, argv);
}
