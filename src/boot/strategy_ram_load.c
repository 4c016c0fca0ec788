/*
 * RAM_LOAD: XIP's two slots, choice, trial and revert (strategy_xip.c),
 * on a flash that need not be executable (QSPI, SPI NOR), plus one step:
 * the image the choice falls on is copied into its RAM (struct
 * fk_boot_ram) and validated there, and the jump gets the copy. The app
 * is linked for the RAM (load_addr + header) and signed with
 * load_addr = ram.addr; while it runs, no code executes from the flash
 * its slots are on, so it may write there (settings, updates).
 *
 * Invariant: what is started was validated in RAM after the copy ended,
 * and the RAM is not written again before the jump. The slot is read
 * once, by the copy; a slot changed under the copy, or a copy damaged
 * in RAM, fails that validation (digest, signature) and is never
 * started: it counts as a slot that does not validate (boot.c: a trial
 * is reverted, otherwise the other slot is tried). The copy writes no
 * flash, so a power cut during it is a cut before it.
 */
#include "boot_internal.h"

static bool inside(const struct fk_area *a, const struct fk_area *slot)
{
	return a->size && a->flash == slot->flash && slot->off >= a->off &&
	       slot->off - a->off < a->size;
}

/* The image whose slot A or B holds slot; false for other areas. */
static bool owner(const struct fk_boot_config *cfg, const struct fk_area *slot,
		  uint32_t *image)
{
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		if (inside(&cfg->images[i].primary, slot) ||
		    inside(&cfg->images[i].secondary, slot)) {
			*image = i;
			return true;
		}
	}
	return false;
}

int bs_ram_loadable(const struct fk_boot_config *cfg,
		    const struct fk_area *slot,
		    const struct fk_image_info *info)
{
	const struct fk_boot_ram *ram;
	uint32_t i;

	if (cfg->strategy != FK_BOOT_RAM_LOAD || !owner(cfg, slot, &i))
		return FK_OK;
	ram = &cfg->images[i].ram;
	if (!(info->hdr.flags & FK_IMAGE_F_RAM_LOAD) ||
	    info->hdr.load_addr != ram->addr)
		return FK_EMISMATCH;
	return info->end > ram->size ? FK_ENOSPC : FK_OK;
}

int bs_ram_check_config(const struct fk_boot_config *cfg,
			struct fk_boot_config_why *why)
{
	for (uint32_t i = 0;
	     cfg->strategy == FK_BOOT_RAM_LOAD && i < cfg->image_count; i++) {
		const struct fk_boot_ram *r = &cfg->images[i].ram;
		enum fk_boot_config_problem p = FK_BOOT_CONFIG_OK;
		int rc = FK_OK;

		if (r->size == 0 || !r->mem) {
			p = FK_BOOT_CONFIG_RAM_MISSING;
			rc = FK_EINVAL;
		} else if (r->size - 1 > UINT32_MAX - r->addr) {
			p = FK_BOOT_CONFIG_RAM_OUTSIDE;
			rc = FK_ERANGE;
		}
		for (uint32_t j = 0; rc == FK_OK && j < i; j++) {
			const struct fk_boot_ram *o = &cfg->images[j].ram;

			if (r->addr - o->addr < o->size ||
			    o->addr - r->addr < r->size) {
				p = FK_BOOT_CONFIG_RAM_OVERLAP;
				rc = FK_EINVAL;
				why->other = FK_BOOT_AREA_RAM;
				why->other_image = j;
			}
		}
		if (rc != FK_OK) {
			why->problem = p;
			why->area = FK_BOOT_AREA_RAM;
			why->image = i;
			return rc;
		}
	}
	return FK_OK;
}

/* len bytes of slot into mem, a kick before each buffer's worth. */
static int copy_to_ram(const struct fk_boot_config *cfg,
		       const struct fk_area *slot, uint8_t *mem, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		uint32_t n =
			len - off < cfg->buf_len ? len - off : cfg->buf_len;
		int rc;

		if (cfg->port.kick)
			cfg->port.kick(cfg->port.ctx);
		rc = fk_area_read(slot, off, mem + off, n);
		if (rc != FK_OK)
			return rc == FK_EECC ? FK_ECORRUPT : rc;
		off += n;
	}
	return FK_OK;
}

/* RAM_LOAD's validate_boot: the image of XIP's boot slot copied into
 * RAM (out) and validated there; on success ref->slot is the copy
 * (out->area) and ref->info its header. */
static int ram_load(const struct fk_boot_config *cfg, const struct bs_state *st,
		    uint32_t image, struct bs_loaded *out,
		    struct fk_boot_image_ref *ref)
{
	const struct fk_boot_ram *ram = &cfg->images[image].ram;
	uint32_t len;
	int rc;

	ref->slot = bs_xip_boot_slot(cfg, st, image);
	rc = fk_image_parse(ref->slot, &ref->info);

	if (rc == FK_EECC)
		rc = FK_ECORRUPT;
	if (rc == FK_OK)
		rc = bs_ram_loadable(cfg, ref->slot, &ref->info);
	if (rc != FK_OK)
		return rc;
	len = ref->info.end;
	rc = copy_to_ram(cfg, ref->slot, ram->mem, len);
	if (rc != FK_OK)
		return rc;
	fk_flash_mem_init(&out->flash, &out->run, ram->addr, ram->mem, len);
	out->area = (struct fk_area){ &out->flash, 0, len };
	rc = bc_validate(cfg, &out->area, &ref->info);
	/* the header in RAM may say another length than the slot's did */
	if (rc == FK_OK && ref->info.end != len)
		rc = FK_ECORRUPT;
	if (rc == FK_OK)
		ref->slot = &out->area;
	return rc;
}

const struct bs_strategy bs_strategy_ram_load = {
	.install = bs_xip_install,
	.revert = bs_xip_revert,
	.validate_boot = ram_load,
	.fallback = bs_xip_fallback,
};
