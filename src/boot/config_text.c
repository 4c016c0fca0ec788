/*
 * What each configuration problem (flashkit/boot.h, fk_boot_config_why)
 * means, in words a developer can print. Its own file, so a bootloader
 * that never prints them leaves the strings out of its image.
 */
#include "flashkit/boot.h"

static const char *const problem_text[] = {
	[FK_BOOT_CONFIG_OK] = "the configuration is valid",
	[FK_BOOT_CONFIG_NULL] = "no configuration (NULL)",
	[FK_BOOT_CONFIG_STRATEGY] = "strategy must be FK_BOOT_OVERWRITE, "
				    "FK_BOOT_SWAP, FK_BOOT_XIP or "
				    "FK_BOOT_RAM_LOAD",
	[FK_BOOT_CONFIG_LEFT_OUT] =
		"this build leaves the strategy's file out (FK_BOOT_NO_*)",
	[FK_BOOT_CONFIG_NO_JUMP] = "port.jump must be set",
	[FK_BOOT_CONFIG_NO_CRYPTO] =
		"keys->crypto must be set (or keys NULL, for digest-only "
		"checks with the built-in SHA-256)",
	[FK_BOOT_CONFIG_IMAGE_COUNT] =
		"image_count must be 1 to FK_BOOT_MAX_IMAGES",
	[FK_BOOT_CONFIG_TRIAL_BOOTS] = "trial_boots must be 1 to 200",
	[FK_BOOT_CONFIG_AREA_MISSING] = "a required area has size 0",
	[FK_BOOT_CONFIG_AREA_OUTSIDE] =
		"an area has no memory or does not lie inside it",
	[FK_BOOT_CONFIG_AREA_UNALIGNED] =
		"an area must start and end on sector boundaries",
	[FK_BOOT_CONFIG_OVERLAP] = "two areas overlap",
	[FK_BOOT_CONFIG_NO_BUFFER] = "buf must be set",
	[FK_BOOT_CONFIG_BUFFER_SMALL] =
		"buf_len must be at least FK_BOOT_RECORD_MAX (32) bytes",
	[FK_BOOT_CONFIG_BUFFER_UNIT] =
		"buf_len must be a multiple of the write unit of every memory "
		"an area lives on",
	[FK_BOOT_CONFIG_LOG_SMALL] =
		"the boot state log cannot hold one update: give the state "
		"area more bytes (its log spans up to FK_BOOT_LOG_MIN bytes of "
		"sectors) or fewer trial boots",
	[FK_BOOT_CONFIG_NO_ROOM] =
		"the staging slot has no room for an image beside the old "
		"image's save room (SWAP): grow the staging slot",
	[FK_BOOT_CONFIG_RAM_MISSING] =
		"RAM_LOAD: every image needs its RAM (images[i].ram: size and "
		"mem set)",
	[FK_BOOT_CONFIG_RAM_OUTSIDE] = "RAM_LOAD: an image's RAM (ram.addr + "
				       "ram.size) must end within "
				       "the 4 GiB address space",
	[FK_BOOT_CONFIG_RAM_OVERLAP] =
		"RAM_LOAD: two images' RAM overlap: give each its own",
	[FK_BOOT_CONFIG_MODULE_COUNT] =
		"module_count must be 0 to FK_BOOT_MAX_MODULES",
};

const char *fk_boot_config_problem_text(enum fk_boot_config_problem p)
{
	if ((unsigned)p >= sizeof(problem_text) / sizeof(problem_text[0]) ||
	    !problem_text[p])
		return "unknown problem";
	return problem_text[p];
}

const char *fk_boot_area_name(enum fk_boot_area_kind a)
{
	switch (a) {
	case FK_BOOT_AREA_BOOTLOADER:
		return "bootloader";
	case FK_BOOT_AREA_STATE:
		return "boot state";
	case FK_BOOT_AREA_PRIMARY:
		return "primary slot";
	case FK_BOOT_AREA_SECONDARY:
		return "staging slot";
	case FK_BOOT_AREA_FACTORY:
		return "factory slot";
	case FK_BOOT_AREA_RAM:
		return "RAM";
	case FK_BOOT_AREA_MODULE:
		return "module";
	case FK_BOOT_AREA_NONE:
		break;
	}
	return "";
}
