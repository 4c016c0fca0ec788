/*
 * Reading key files for the commands (cli_key.h): where the password of
 * an encrypted key comes from. The password is wiped once used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "cli_key.h"
#include "formats/files.h"

#define PASSWORD_MAX 1024

/* The first line of path, without its end of line, into pw; 0 or -1 with
 * d filled. */
static int password_from_file(const char *path, char *pw, size_t size,
			      struct fk_diag *d)
{
	uint8_t *text;
	size_t len, n = 0;

	if (fk_file_read(path, PASSWORD_MAX, &text, &len, d))
		return -1;
	while (n < len && text[n] != '\n' && text[n] != '\r')
		n++;
	if (n >= size) {
		free(text);
		return fk_fail(d, "%s: the password is longer than %zu bytes",
			       path, size - 1);
	}
	memcpy(pw, text, n);
	pw[n] = '\0';
	mbedtls_platform_zeroize(text, len);
	free(text);
	return 0;
}

/* Asks on the terminal with echo off; 0, or -1 when there is none. */
static int password_from_tty(const char *key_path, char *pw, size_t size)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int rc = -1;

	if (!tty)
		return -1;
	if (tcgetattr(fileno(tty), &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		fprintf(tty, "Password for %s: ", key_path);
		fflush(tty);
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
		if (fgets(pw, (int)size, tty)) {
			pw[strcspn(pw, "\r\n")] = '\0';
			rc = 0;
		}
		tcsetattr(fileno(tty), TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return rc;
}

int fk_cli_key_load(struct fk_key *key, const char *path,
		    const char *password_file)
{
	char pw[PASSWORD_MAX];
	const char *env = getenv("FLASHKIT_KEY_PASSWORD");
	const char *given = NULL;
	int rc;

	memset(key, 0, sizeof(*key));
	mbedtls_pk_init(&key->pk);
	if (password_file) {
		if (password_from_file(password_file, pw, sizeof(pw),
				       &key->diag))
			return -1;
		given = pw;
	} else if (env) {
		given = env;
	}
	rc = fk_key_load_password(key, path, given);
	if (rc && key->need_password && !given &&
	    password_from_tty(path, pw, sizeof(pw)) == 0)
		rc = fk_key_load_password(key, path, pw);
	mbedtls_platform_zeroize(pw, sizeof(pw));
	if (rc && key->need_password)
		return fk_fail(&key->diag,
			       "%s: the private key is encrypted; give its "
			       "password with --password-file FILE or in "
			       "FLASHKIT_KEY_PASSWORD",
			       path);
	if (rc && key->wrong_password)
		return fk_fail(&key->diag,
			       "%s: wrong password for the encrypted key (from "
			       "%s)",
			       path,
			       password_file ? password_file :
			       env	     ? "FLASHKIT_KEY_PASSWORD" :
					       "the terminal");
	return rc;
}

int fk_cli_enc_key_load(struct fk_enc_key *ek, const char *path,
			const char *password_file)
{
	if (!fk_enc_key_load(ek, path, NULL))
		return 0;
	if (!ek->key.need_password)
		return -1;
	if (fk_cli_key_load(&ek->key, path, password_file)) {
		ek->diag = ek->key.diag;
		return -1;
	}
	return fk_enc_key_adopt(ek, path);
}
