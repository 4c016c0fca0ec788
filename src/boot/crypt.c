/*
 * Installs of encrypted images (docs/boot.md, "Encrypted images").
 *
 * The staging and factory slots hold images as the tools write them, the
 * payload AES-CTR ciphertext; a primary slot holds plaintext. An install
 * reads the new image through an AES-CTR view (io.c copies from it as from
 * any area); SWAP saves the old image's payload into the staging slot
 * through a view keyed with the old image's own key, so the staging slot
 * never holds plaintext of an encrypted image, and a revert reads the
 * saved copy back through the same key.
 *
 * Nothing secret is stored: each image's key is unwrapped again from its
 * ENC_* TLV whenever an install or a revert (re)starts. Mid-swap, an
 * image's header and TLVs are wherever its groups are at that moment;
 * be_split_init() reads them from there (the split view).
 */
#include <string.h>

#include "boot_internal.h"

#ifndef FK_IMAGE_NO_ENC

#define ENC_FLAGS (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256)

int be_image_of(const struct fk_boot_config *cfg, const struct fk_area *meta,
		struct be_image *out)
{
	struct fk_image_info info;
	int rc = fk_image_parse(meta, &info);

	memset(out, 0, sizeof(*out));
	if (rc != FK_OK)
		return rc == FK_EECC ? FK_ECORRUPT : rc;
	out->hdr_size = info.hdr.hdr_size;
	out->img_size = info.hdr.img_size;
	if (!(info.hdr.flags & ENC_FLAGS))
		return FK_OK;
	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	return fk_image_enc_key(meta, &info, bc_keys(cfg), out->key,
				&out->key_len);
}

void be_source(const struct fk_boot_config *cfg, const struct be_image *img,
	       const struct fk_area *a, uint32_t pay_start, struct be_src *out)
{
	if (!img->key_len) {
		out->area = *a;
		return;
	}
	fk_image_crypt_init(&out->crypt, a, pay_start, img->img_size,
			    bc_keys(cfg)->crypto, img->key, img->key_len,
			    &out->area);
}

void be_wipe(struct be_image *img, struct be_src *src)
{
	volatile uint8_t *p = img ? img->key : NULL;

	for (uint32_t i = 0; p && i < sizeof(img->key); i++)
		p[i] = 0;
	if (src)
		fk_image_crypt_wipe(&src->crypt);
}

/*
 * The split view: reads of the primary slot's addresses, group by group
 * (plan.c), from where the image's bytes are. Groups below `done` come
 * from `low`, the others from `high`; each side is an area and a flag
 * saying whether the group's bytes sit at its save sectors (s_off) or at
 * the same offset as in the primary slot.
 */
static int split_side(const struct be_split *v, bool low,
		      const struct bp_group *g, uint32_t o, uint8_t *buf,
		      uint32_t n)
{
	const struct fk_boot_slots *sl = &v->cfg->images[v->image];

	if (v->old && low) /* old image, group saved */
		return fk_area_read(&sl->secondary, g->s_off + (o - g->p_off),
				    buf, n);
	if (v->old || low) /* old image not saved yet, new image placed */
		return fk_area_read(&sl->primary, o, buf, n);
	return fk_area_read(&v->window, o, buf, n); /* new, not placed */
}

static int split_read(const struct fk_flash *flash, uint32_t off, void *buf,
		      uint32_t len)
{
	const struct be_split *v = flash->ctx;
	const struct fk_area *p = &v->cfg->images[v->image].primary;
	uint8_t *b = buf;
	uint32_t o = off - p->off, k = 0;
	struct bp_group g;

	if (off < p->off || len > p->size || o > p->size - len)
		return FK_ERANGE;
	while (len > 0) {
		uint32_t n;
		int rc = bp_group(v->cfg, v->image, &v->plan, k, &g);

		if (rc != FK_OK)
			return rc;
		if (o >= g.p_end) {
			k++;
			continue;
		}
		n = g.p_end - o < len ? g.p_end - o : len;
		rc = split_side(v, k < v->done, &g, o, b, n);
		if (rc != FK_OK)
			return rc;
		o += n;
		b += n;
		len -= n;
	}
	return FK_OK;
}

static const struct fk_flash_ops split_ops = {
	.read = split_read,
	.program = fk_flash_ro_program,
	.erase_sector = fk_flash_ro_erase,
};

int be_split_init(struct be_split *v, const struct fk_boot_config *cfg,
		  uint32_t image, bool old, uint32_t done, struct fk_area *out)
{
	const struct fk_boot_slots *sl = &cfg->images[image];
	int rc = bp_plan(cfg, image, &v->plan);

	if (rc != FK_OK)
		return rc;
	v->flash.geo = sl->primary.flash->geo;
	v->flash.ops = &split_ops;
	v->flash.ctx = v;
	v->cfg = cfg;
	v->image = image;
	v->old = old;
	v->done = done;
	bio_window(&v->window, &sl->secondary, v->plan.offset,
		   sl->secondary.size - v->plan.offset);
	out->flash = &v->flash;
	out->off = sl->primary.off;
	out->size = sl->primary.size;
	return FK_OK;
}
#endif
