/*
 * PEM blocks and private key files shared by the host's key code
 * (keyfile.h), over mbedTLS, and the random generator over the seed
 * rng.c gives it.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>

#include "formats/files.h"
#include "keyfile.h"

int fk_pem_read(const char *text, const char *kind, uint8_t *der, size_t size,
		size_t *len)
{
	char begin[64], end[64];
	mbedtls_pem_context pem;
	size_t used;
	int rc = -1;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", kind);
	snprintf(end, sizeof(end), "-----END %s-----", kind);
	if (!strstr(text, begin))
		return -1;
	mbedtls_pem_init(&pem);
	if (!mbedtls_pem_read_buffer(&pem, begin, end,
				     (const unsigned char *)text, NULL, 0,
				     &used) &&
	    pem.buflen <= size) {
		memcpy(der, pem.buf, pem.buflen);
		*len = pem.buflen;
		rc = 0;
	}
	mbedtls_pem_free(&pem);
	return rc;
}

int fk_pem_write(const char *kind, const uint8_t *der, size_t len, char *buf,
		 size_t size)
{
	char begin[64], end[64];
	size_t olen;

	snprintf(begin, sizeof(begin), "-----BEGIN %s-----\n", kind);
	snprintf(end, sizeof(end), "-----END %s-----\n", kind);
	return mbedtls_pem_write_buffer(begin, end, der, len,
					(unsigned char *)buf, size, &olen) ?
		       -1 :
		       0;
}

int fk_pem_save_private(const char *path, const uint8_t *der, size_t len,
			unsigned flags, struct fk_diag *err)
{
	char pem[4096];
	int rc;

	if (fk_pem_write("PRIVATE KEY", der, len, pem, sizeof(pem)))
		rc = fk_fail(err, "cannot encode the key");
	else
		rc = fk_file_write(path, pem, strlen(pem),
				   flags | FK_OUT_SECRET, err);
	mbedtls_platform_zeroize(pem, sizeof(pem));
	return rc;
}

int fk_rng_start(struct fk_rng *r)
{
	mbedtls_entropy_init(&r->ent);
	mbedtls_ctr_drbg_init(&r->drbg);
	return fk_rng_seed(r) ? -1 : 0;
}

void fk_rng_stop(struct fk_rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->ent);
}
