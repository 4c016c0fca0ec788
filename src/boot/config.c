/*
 * The configuration check (fk_boot_config_why, fk_boot_check_config): the
 * areas the boot code may write lie in their memories on sector
 * boundaries and do not overlap, the buffer suits every write unit, and
 * the log holds an update cycle. The full core and its update API run it
 * on every call; a lite bootloader's configuration is checked at build
 * time instead (boot_config_<program>), so its library leaves this out.
 */
#include "boot_internal.h"

static bool overlaps(const struct fk_area *a, const struct fk_area *b)
{
	return a->size && b->size && a->flash == b->flash &&
	       a->off < b->off + b->size && b->off < a->off + a->size;
}

/* Every area the boot code may write, plus the bootloader's, with what
 * they are for a message. */
struct named_area {
	const struct fk_area *a;
	enum fk_boot_area_kind kind;
	uint32_t image;
	bool required;
};

static uint32_t list_areas(const struct fk_boot_config *cfg,
			   struct named_area *out)
{
	uint32_t n = 0;

	out[n++] = (struct named_area){ &cfg->bootloader,
					FK_BOOT_AREA_BOOTLOADER, 0, false };
	out[n++] =
		(struct named_area){ &cfg->state, FK_BOOT_AREA_STATE, 0, true };
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		const struct fk_boot_slots *sl = &cfg->images[i];

		out[n++] = (struct named_area){ &sl->primary,
						FK_BOOT_AREA_PRIMARY, i, true };
		out[n++] =
			(struct named_area){ &sl->secondary,
					     FK_BOOT_AREA_SECONDARY, i, true };
		out[n++] =
			(struct named_area){ &sl->factory, FK_BOOT_AREA_FACTORY,
					     i, false };
	}
	for (uint32_t m = 0; m < cfg->module_count; m++)
		out[n++] = (struct named_area){ &cfg->modules[m],
						FK_BOOT_AREA_MODULE, m, true };
	return n;
}

static int refuse(struct fk_boot_config_why *why, enum fk_boot_config_problem p,
		  int rc)
{
	why->problem = p;
	return rc;
}

/* A non-empty area lies in its memory on sector boundaries. */
static int check_area(const struct named_area *na,
		      struct fk_boot_config_why *why)
{
	const struct fk_area *a = na->a;

	if (a->size == 0 && !na->required)
		return FK_OK;
	why->area = na->kind;
	why->image = na->image;
	if (a->size == 0)
		return refuse(why, FK_BOOT_CONFIG_AREA_MISSING, FK_EINVAL);
	if (!a->flash || fk_flash_check_range(a->flash, a->off, a->size))
		return refuse(why, FK_BOOT_CONFIG_AREA_OUTSIDE, FK_ERANGE);
	if (!fk_flash_is_sector_boundary(a->flash, a->off) ||
	    !fk_flash_is_sector_boundary(a->flash, a->off + a->size))
		return refuse(why, FK_BOOT_CONFIG_AREA_UNALIGNED, FK_EALIGN);
	why->area = FK_BOOT_AREA_NONE;
	return FK_OK;
}

static int check_areas(const struct named_area *areas, uint32_t n,
		       struct fk_boot_config_why *why)
{
	for (uint32_t i = 0; i < n; i++) {
		int rc = check_area(&areas[i], why);

		if (rc != FK_OK)
			return rc;
		for (uint32_t j = 0; j < i; j++) {
			if (!overlaps(areas[i].a, areas[j].a))
				continue;
			why->area = areas[i].kind;
			why->image = areas[i].image;
			why->other = areas[j].kind;
			why->other_image = areas[j].image;
			return refuse(why, FK_BOOT_CONFIG_OVERLAP, FK_EINVAL);
		}
	}
	return FK_OK;
}

/* The write unit copies into an area must respect (1: never written). */
static uint32_t written_unit(const struct named_area *na)
{
	if (na->a->size == 0 || na->kind == FK_BOOT_AREA_BOOTLOADER ||
	    na->kind == FK_BOOT_AREA_MODULE)
		return 1;
	return na->a->flash->geo.write_unit;
}

/* Copies program whole buffers, so buf_len is a multiple of every write
 * unit involved. */
static int check_buffer(const struct fk_boot_config *cfg,
			const struct named_area *areas, uint32_t n,
			struct fk_boot_config_why *why)
{
	if (!cfg->buf)
		return refuse(why, FK_BOOT_CONFIG_NO_BUFFER, FK_EINVAL);
	why->need = FK_BOOT_RECORD_MAX;
	why->have = cfg->buf_len;
	if (cfg->buf_len < FK_BOOT_RECORD_MAX)
		return refuse(why, FK_BOOT_CONFIG_BUFFER_SMALL, FK_EINVAL);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t wu = written_unit(&areas[i]);

		if (wu && cfg->buf_len % wu) {
			why->area = areas[i].kind;
			why->image = areas[i].image;
			why->need = wu;
			return refuse(why, FK_BOOT_CONFIG_BUFFER_UNIT,
				      FK_EALIGN);
		}
	}
	why->need = why->have = 0;
	return FK_OK;
}

/* The scalar fields and hooks. */
static int check_basics(const struct fk_boot_config *cfg,
			struct fk_boot_config_why *why)
{
	if (!cfg)
		return refuse(why, FK_BOOT_CONFIG_NULL, FK_EINVAL);
	if (cfg->strategy < FK_BOOT_OVERWRITE ||
	    cfg->strategy > FK_BOOT_RAM_LOAD)
		return refuse(why, FK_BOOT_CONFIG_STRATEGY, FK_EINVAL);
	if (!bs_strategy_of(cfg))
		return refuse(why, FK_BOOT_CONFIG_LEFT_OUT, FK_ENOTSUP);
	if (!cfg->port.jump)
		return refuse(why, FK_BOOT_CONFIG_NO_JUMP, FK_EINVAL);
	if (cfg->keys && !cfg->keys->crypto)
		return refuse(why, FK_BOOT_CONFIG_NO_CRYPTO, FK_EINVAL);
	if (cfg->image_count == 0 || cfg->image_count > FK_BOOT_MAX_IMAGES)
		return refuse(why, FK_BOOT_CONFIG_IMAGE_COUNT, FK_EINVAL);
	if (cfg->trial_boots == 0 || cfg->trial_boots > 200)
		return refuse(why, FK_BOOT_CONFIG_TRIAL_BOOTS, FK_EINVAL);
	if (cfg->module_count > FK_BOOT_MAX_MODULES)
		return refuse(why, FK_BOOT_CONFIG_MODULE_COUNT, FK_EINVAL);
	return FK_OK;
}

/* The log holds one update cycle with at least one group per image, and
 * every image has a plan (SWAP: room for an image beside the save room). */
static int check_room(const struct fk_boot_config *cfg,
		      struct fk_boot_config_why *why)
{
	if (bs_max_groups(cfg) == 0) {
		why->area = FK_BOOT_AREA_STATE;
		why->need = bs_cycle_slots(cfg) + 4 * cfg->image_count;
		why->have = bs_log_slots(cfg);
		return refuse(why, FK_BOOT_CONFIG_LOG_SMALL, FK_ENOSPC);
	}
	for (uint32_t i = 0; i < cfg->image_count; i++) {
		struct bp_plan plan;
		int rc = bp_plan(cfg, i, &plan);

		if (rc != FK_OK) {
			why->area = FK_BOOT_AREA_SECONDARY;
			why->image = i;
			return refuse(why, FK_BOOT_CONFIG_NO_ROOM, rc);
		}
	}
	return FK_OK;
}

int fk_boot_config_why(const struct fk_boot_config *cfg,
		       struct fk_boot_config_why *why)
{
	struct named_area
		areas[2 + 3 * FK_BOOT_MAX_IMAGES + FK_BOOT_MAX_MODULES];
	uint32_t n;
	int rc;

	*why = (struct fk_boot_config_why){ .problem = FK_BOOT_CONFIG_OK };
	rc = check_basics(cfg, why);
	if (rc != FK_OK)
		return rc;
	n = list_areas(cfg, areas);
	rc = check_areas(areas, n, why);
	if (rc == FK_OK)
		rc = check_buffer(cfg, areas, n, why);
	if (rc == FK_OK)
		rc = bs_ram_check_config(cfg, why);
	if (rc == FK_OK)
		rc = check_room(cfg, why);
	return rc;
}

int fk_boot_check_config(const struct fk_boot_config *cfg)
{
	struct fk_boot_config_why why;

	return fk_boot_config_why(cfg, &why);
}
