/*
 * The shared pieces of the STM32 flash models (stm32_model.h).
 */
#include <string.h>

#include "stm32_model.h"

void stm32_busy_start(struct uc *uc, struct stm32_busy *b)
{
	b->reads_left = STM32_MODEL_BUSY_READS;
	uc_forbid_rom_fetch(uc, b->why);
}

bool stm32_busy_poll(struct uc *uc, struct stm32_busy *b)
{
	if (!b->reads_left)
		return false;
	if (--b->reads_left == 0)
		uc_forbid_rom_fetch(uc, NULL);
	return true;
}

void stm32_busy_reset(struct uc *uc, struct stm32_busy *b)
{
	b->reads_left = 0;
	uc_forbid_rom_fetch(uc, NULL);
}

static int power(struct uc *uc, int rc)
{
	if (rc == FK_EPOWER)
		uc_power_lost(uc);
	return rc;
}

int stm32_sim_program(struct uc *uc, struct fk_sim *sim, uint32_t off,
		      const void *buf, uint32_t len)
{
	return power(uc, fk_flash_program(fk_sim_flash(sim), off, buf, len));
}

int stm32_sim_erase(struct uc *uc, struct fk_sim *sim, uint32_t off,
		    uint32_t len)
{
	return power(uc, fk_flash_erase(fk_sim_flash(sim), off, len));
}

uint32_t stm32_sim_load(struct uc *uc, struct fk_sim *sim, uint32_t off,
			unsigned size, bool *ecc)
{
	uint8_t tmp[4];
	uint32_t v = 0;
	int rc = power(uc, fk_flash_read(fk_sim_flash(sim), off, tmp, size));

	*ecc = rc == FK_EECC;
	memcpy(&v, fk_sim_data(sim) + off, size);
	return v;
}

bool stm32_word_access(struct uc *uc, unsigned size, const char *rule)
{
	if (size == 4)
		return true;
	uc_violation(uc, "%u-byte access: %s", size, rule);
	return false;
}

struct fk_sim *stm32_sim_make(uint32_t base, uint32_t size, uint32_t sector,
			      uint32_t write_unit, uint8_t erased,
			      bool program_once)
{
	struct fk_sector_run run = { size / sector, sector };
	struct fk_sim_config sc = {
		.geo = { .base = base,
			 .size = size,
			 .runs = &run,
			 .run_count = 1,
			 .write_unit = write_unit,
			 .erased_value = erased,
			 .program_once = program_once },
	};

	return fk_sim_create(&sc);
}
