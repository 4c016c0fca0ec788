/*
 * libFuzzer target: decrypting an encrypted image (host/image/enc.h) with
 * the test keys of tests/data/mcuboot-images (ECIES-P256, ECIES-X25519,
 * RSA-OAEP), on any bytes: the image parse, the search for the key TLV,
 * its length checks, the unwrap (ECDH of an attacker's point, HKDF, the
 * HMAC check; RSA-OAEP decoding) and AES-CTR over the payload. A failure
 * must leave the buffer as it was and be reported; a success must keep the
 * buffer's length and header.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/enc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Test keys only (tests/data/mcuboot-images/enc-*.pem). */
static const char *const pems[3] = {
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCI8KTSZeI9BAawD/\n"
	"Ieyy8lbq3EzPQFG7ZN90sLyfWUmhRANCAATGbiDZSqlB54CCr6NbdRxik68AS4xR\n"
	"gAfOX99P3Q+DNPCAKIMrBAEGuppqpHA5EUFA6vP1Ds0ABQl6Dl5jyDLT\n"
	"-----END PRIVATE KEY-----\n",
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VuBCIEIChSejnfuKnzOufM99D+x8D4ltpiLdHRxzmvG7Wb2Hdy\n"
	"-----END PRIVATE KEY-----\n",
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCVdNF8uum1iw2Y\n"
	"mgJoxtkAX5Nrb3eIfSHBsc4J5i17hd7XZ5+vWvABJTwVuZFfDobkTFS1e/4F7e1V\n"
	"42qCtlUVeNntxU+43a1o1V02jgYOxLJafBqwB5bN690+Dy4u0RsK1Jb9shT8YUUd\n"
	"HyTrBHW3oUcC9/zUwL3WaouDdwWn9WyRdhY68YBt1rlWWKySVYEFINP41wKYlKNq\n"
	"WjMNyuUvotyL9pl6TYUm+Hp0uDGK9SWvSvRP8G27TmKznYsopCROSXVQoYocy/eZ\n"
	"uoQILXiZMrgYXnXIEGlIT86UOem8aPVQq/j80+3qQ/74Pjm09S2PEfdvemGp19fQ\n"
	"nrVfvLczAgMBAAECggEAIPjxQJXR+rnPSZPspSX9eO4dDW49jlCg8mUiQh/Ud/Rs\n"
	"WdRkL+EdovsOevKCJlkDnHlUlOdifvdjTXgLJwRH2CFd3u2RbYUGfWLZGjCSGI7/\n"
	"lCPeFWjPNeXr3QWnWC/MygJlv1ma9KUXBNo6oFjPCbCchISmdF+DYjsGRX4sMsYF\n"
	"i854Z9WiGlMAnaWScOKGehCuIUUtrjG1R4nu0Tz1LFPfpmZ9w7NXRaiCVMpwB+mG\n"
	"6fYfe4mgcIS0iDdfNiJt+AjMYDR9BQJllRMFYPSk2d+x1E64hBcSf/D4v35ws9VP\n"
	"OIHmzYt+LU7XW6VfyHtHhmnNJd8dW8cF+f8PfojMoQKBgQDLGZrU3K+t5KXKKJ8U\n"
	"sdGvn5ipxpSQhYYG6u5QFC4G5/oZ3gMZ2N6i1r+Voai7L/woGxyepVE3h0qDFvwR\n"
	"xzAbAzm82r35Stvdp9RUUgVdzFusshxePjBkeAWqlywm+tSFJ6h65y7XZS32rgv2\n"
	"tWRQH3HQKUHPOkju1HagM54xIQKBgQC8YlWwAbL5BTN3oEdKp1oolmNuO19i/cbQ\n"
	"h+YWCSLMAJ9eL2Mjzf80c2haxEMs58J37SuAsFkLOoBzcHlc4gxgJl7C08SKhE7e\n"
	"ykoTIn1PA67dygVYp7m++0VkXhierPhTIDh0PbU9maatZ+ubl5HJGzdOoZ9uGK/E\n"
	"hPpUuc4Z0wKBgE7QaN0hpqr8h7mjedg2CQD2FfAMN6q9pf0ZPdGlgxb6/nr7RIjL\n"
	"N9pJK5+NVEUPofKOUtTdol7CCZBFYxwjB+/zmHxJBl+vRRMHBcaS7bIwk4K4u3l2\n"
	"+KCEUu6YK3IU9FOXyDGpdOvxP5zyfYIHch4Flc0JtZgNLjBAEqioX0MBAoGADWjO\n"
	"gqXMUI9/N1+wU28QKt1xnHIbexdnZIaX6S+jS3Qr4+9pli3eoaQpZHSd939Tx2eZ\n"
	"diKXZAY5CH6UFPl+OgXhLusWDWoXlyI9HZmR4+L2OpFbyhC+VwrZyKguBnV3g6tC\n"
	"eXu+//CE/cjs63lhhjgquq0khRi6wjlY/Fjxg8MCgYAE/4TPM8LrTqGoCbiywarh\n"
	"hjSon7tYu9UkKUc+gL+zQ8APvinA/nfPiN6YAU3jZvKNQWTeAogfOWIpGJbHU9ut\n"
	"cUsFej2zwOyW9zGAfEBezTroHnAYRhNXwPnT9UR+DIE7XJbCygCeAYSAifxo4H34\n"
	"mTScSRKBVAoSeNqGrUDDiQ==\n"
	"-----END PRIVATE KEY-----\n",
};
static struct fk_enc_key keys[3];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (int i = 0; i < 3; i++) {
		char path[] = "/tmp/fk-fuzz-enc-XXXXXX";
		int fd = mkstemp(path);

		if (fd < 0 || write(fd, pems[i], strlen(pems[i])) < 0)
			abort();
		close(fd);
		if (fk_enc_key_load(&keys[i], path, NULL))
			abort();
		unlink(path);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fk_diag d = { 0 };
	uint8_t *img;
	int rc;

	if (size < 1)
		return 0;
	img = malloc(size);
	if (!img)
		return 0;
	memcpy(img, data + 1, size - 1);
	rc = fk_enc_image_decrypt(&keys[data[0] % 3], img, size - 1, &d);
	if (rc && (!d.errors || memcmp(img, data + 1, size - 1)))
		abort();
	if (!rc && memcmp(img, data + 1, 32))
		abort();
	free(img);
	return 0;
}
