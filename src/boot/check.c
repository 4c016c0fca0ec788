/*
 * The checks an install must pass before anything is written: each image
 * valid (digest, signature; RAM_LOAD: signed for its RAM), no downgrade of the
 * security counter, every dependency met by the images that will be installed
 * together or by the library modules in flash.
 */
#include "boot_internal.h"

bool bc_is_flash_error(int rc)
{
	return rc == FK_EIO || rc == FK_EPOWER || rc == FK_EPROTECT ||
	       rc == FK_ENOTERASED || rc == FK_EPROGONCE;
}

const struct fk_image_keys *bc_keys(const struct fk_boot_config *cfg)
{
	/* No keys: the digest is checked, with the built-in SHA-256. */
	static const struct fk_image_keys digest_only = {
		.crypto = &fk_crypto_builtin
	};

	return cfg->keys ? cfg->keys : &digest_only;
}

static int validate(const struct fk_boot_config *cfg,
		    const struct fk_area *slot, struct fk_image_info *info,
		    bool plain)
{
	int rc;

	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	rc = plain ? fk_image_validate_plain(slot, bc_keys(cfg), info) :
		     fk_image_validate(slot, bc_keys(cfg), info);
	/* A torn unit in a slot is damage, not a flash failure. */
	if (rc == FK_EECC)
		return FK_ECORRUPT;
	/* RAM_LOAD: an image that cannot run from the RAM is no image */
	return rc == FK_OK ? bs_ram_loadable(cfg, slot, info) : rc;
}

int bc_validate(const struct fk_boot_config *cfg, const struct fk_area *slot,
		struct fk_image_info *info)
{
	return validate(cfg, slot, info, true);
}

int bc_validate_staged(const struct fk_boot_config *cfg,
		       const struct fk_area *slot, struct fk_image_info *info)
{
	int rc;

	if (!bs_two_slots(cfg))
		return validate(cfg, slot, info, false);
	/* XIP, RAM_LOAD: what is received is what runs */
	rc = validate(cfg, slot, info, true);
	if (rc == FK_EDIGEST &&
	    (info->hdr.flags &
	     (FK_IMAGE_F_ENCRYPTED_AES128 | FK_IMAGE_F_ENCRYPTED_AES256)))
		rc = FK_ENOTSUP;
	return rc;
}

/* A dependency on a library module (image id image_count + m): its area
 * holds a valid image of at least the version asked for. Only reads. */
static int module_dependency(const struct fk_boot_config *cfg,
			     const struct fk_image_dependency *dep)
{
	uint32_t m = dep->image_id - cfg->image_count;
	struct fk_image_info info;
	int rc;

	if (m >= cfg->module_count)
		return FK_EDEPEND;
	if (cfg->port.kick)
		cfg->port.kick(cfg->port.ctx);
	rc = fk_image_validate_plain(&cfg->modules[m], bc_keys(cfg), &info);
	if (bc_is_flash_error(rc) && rc != FK_EECC)
		return rc;
	if (rc != FK_OK ||
	    fk_image_version_cmp(&info.hdr.version, &dep->min_version) < 0)
		return FK_EDEPEND;
	return FK_OK;
}

/* The version image target will have once the set is installed. */
static const struct fk_image_version *
version_after(uint32_t mask, uint32_t target,
	      const struct fk_image_info *staged,
	      const struct fk_image_info *primary, const bool *primary_ok)
{
	if (mask & (1u << target))
		return &staged[target].hdr.version;
	return primary_ok[target] ? &primary[target].hdr.version : NULL;
}

int bc_check_set(const struct fk_boot_config *cfg, uint32_t mask,
		 const struct fk_image_info *staged,
		 const struct fk_image_info *primary, const bool *primary_ok)
{
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		const struct fk_image_info *in = &staged[i];

		if (!(mask & (1u << i)))
			continue;
		if (cfg->check_security_counter && primary_ok[i] &&
		    in->security_counter < primary[i].security_counter)
			return FK_EDOWNGRADE;
		for (uint32_t d = 0; d < in->dep_count; d++) {
			const struct fk_image_dependency *dep = &in->deps[d];
			const struct fk_image_version *v;

			if (dep->image_id >= cfg->image_count) {
				int rc = module_dependency(cfg, dep);

				if (rc != FK_OK)
					return rc;
				continue;
			}
			v = version_after(mask, dep->image_id, staged, primary,
					  primary_ok);
			if (!v ||
			    fk_image_version_cmp(v, &dep->min_version) < 0)
				return FK_EDEPEND;
		}
	}
	return FK_OK;
}

int bc_staging_window(const struct fk_boot_config *cfg,
		      const struct bs_state *st, uint32_t image,
		      struct fk_area *out)
{
	const struct fk_boot_slots *sl = &cfg->images[image];
	struct bp_plan plan;
	int rc;

	if (bs_two_slots(cfg)) {
		*out = st->xip_target[image] ? sl->secondary : sl->primary;
		return FK_OK;
	}
	rc = bp_plan(cfg, image, &plan);
	if (rc != FK_OK)
		return rc;
	bio_window(out, &sl->secondary, plan.offset,
		   sl->secondary.size - plan.offset);
	return FK_OK;
}
