/*
 * The rig's test-image builder (rig_image.h).
 */
#include <stdlib.h>
#include <string.h>

#include "image/rig_image.h"
#include "image/sign.h"

int fk_rig_make_image(const struct fk_rig_image_spec *spec, uint8_t **out,
		      size_t *len)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;
	uint8_t *payload = malloc(spec->payload_len ? spec->payload_len : 1);
	uint64_t x = spec->seed * 0x9E3779B97F4A7C15ull + 1;
	int rc;

	if (!payload)
		return -1;
	for (uint32_t i = 0; i < spec->payload_len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		payload[i] = (uint8_t)x;
	}
	fk_sign_opts_init(&o);
	o.version = spec->version;
	o.hdr_size = spec->hdr_size;
	o.pad_header = true;
	o.align = spec->align ? spec->align : 1;
	o.has_sec_cnt = spec->has_sec_cnt;
	o.sec_cnt = spec->sec_cnt;
	o.dep_count = spec->dep_count;
	memcpy(o.deps, spec->deps, sizeof(o.deps));
	o.key = spec->key;
	o.load_addr = spec->load_addr;
	o.enc = spec->enc;
	o.enc_aes_len = spec->enc_aes_len ? spec->enc_aes_len : 16;
	o.enc_clear = spec->enc_clear;
	rc = fk_sign_image(&o, payload, spec->payload_len, &r);
	free(payload);
	if (rc != 0)
		return -1;
	*out = r.data;
	*len = r.image_len;
	return 0;
}

int fk_rig_make_image_plain(const struct fk_rig_image_spec *spec, uint8_t **out,
			    uint8_t **plain, size_t *len)
{
	struct fk_diag d = { 0 };

	*plain = NULL;
	if (fk_rig_make_image(spec, out, len) != 0)
		return -1;
	if (!spec->enc || spec->enc_clear)
		return 0;
	*plain = malloc(*len);
	if (!*plain)
		return -1;
	memcpy(*plain, *out, *len);
	if (fk_enc_image_decrypt(spec->enc, *plain, *len, &d) != 0) {
		free(*plain);
		*plain = NULL;
		return -1;
	}
	return 0;
}
