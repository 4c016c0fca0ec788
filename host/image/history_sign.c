/*
 * Signing for the update-history engine (history_sign.h).
 */
#include "image/history_sign.h"
#include "image/sign.h"

int fk_history_sign(void *ctx, const struct fk_history_sign_req *req,
		    uint8_t **out, size_t *len)
{
	struct fk_sign_opts o;
	struct fk_sign_result r;

	fk_sign_opts_init(&o);
	o.version.major = 1;
	o.version.minor = (uint8_t)(req->sequence / 65536);
	o.version.revision = (uint16_t)req->sequence;
	o.hdr_size = req->hdr_size;
	o.pad_header = true;
	o.erased_val = req->erased;
	o.align = req->align ? req->align : 1;
	o.has_sec_cnt = true;
	o.sec_cnt = req->sec_cnt;
	o.load_addr = req->load_addr;
	o.key = ctx;
	if (fk_sign_image(&o, req->payload, req->payload_len, &r) != 0)
		return -1;
	*out = r.data;
	*len = r.image_len;
	return 0;
}
