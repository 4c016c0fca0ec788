/*
 * Key files as the commands read them: the password of an encrypted
 * private key from --password-file, else from FLASHKIT_KEY_PASSWORD,
 * else asked for on the terminal (echo off) when there is one.
 */
#ifndef FLASHKIT_CLI_KEY_H
#define FLASHKIT_CLI_KEY_H

#include "image/enc.h"
#include "image/keys.h"

/* The option every command that reads a private key offers. */
#define FK_CLI_PASSWORD_FILE_HELP                                    \
	"file whose first line is the password of an encrypted key " \
	"(else FLASHKIT_KEY_PASSWORD, else asked on a terminal)"

/*
 * fk_key_load_password with the password found as above (password_file
 * may be NULL). Returns 0, or -1 with key->diag saying what is wrong and
 * how to give a password when one was missing.
 */
int fk_cli_key_load(struct fk_key *key, const char *path,
		    const char *password_file);

/* An encryption key (enc.h), private ones asking for a password as
 * above. 0, or -1 with ek->diag filled. */
int fk_cli_enc_key_load(struct fk_enc_key *ek, const char *path,
			const char *password_file);

#endif
