/*
 * struct uc_flash (uc.h): a host struct fk_flash whose ops run the
 * emulated driver through the image's shim (tests/ports/shim/shim.h).
 *
 * Data goes through fk_shim_buf in chunks of at most FK_SHIM_BUF bytes, a
 * multiple of every write unit (<= 256), so each chunk is a valid driver
 * call. After a power loss the MCU is rebooted, and the driver opened
 * again, before the next operation that finds the power back.
 */
#include <stddef.h>
#include <string.h>

#include "uc.h"
#include "shim/shim.h"

static struct uc_flash *uf_of(const struct fk_flash *flash)
{
	return (struct uc_flash *)flash->ctx;
}

/* Runs one shim call; maps the run result to an FK_E* code. */
static int shim_call(struct uc_flash *uf, uint32_t fn, uint32_t a, uint32_t b)
{
	uint32_t args[2] = { a, b }, r0 = 0;

	uf->calls++;
	uf->last_run = uc_call(uf->uc, fn, args, 2, &r0);
	switch (uf->last_run) {
	case UC_RUN_OK:
		return (int32_t)r0;
	case UC_RUN_POWER:
		uf->reboot_needed = true;
		return FK_EPOWER;
	default:
		return FK_EIO;
	}
}

/* Before an operation: FK_EPOWER while the sim is off; a reboot and a
 * fresh fk_shim_init once it is back on after a loss. */
static int ready(struct uc_flash *uf)
{
	if (uf->sim && fk_sim_power_lost(uf->sim))
		return FK_EPOWER;
	if (!uf->reboot_needed)
		return FK_OK;
	uc_reboot(uf->uc);
	uf->reboot_needed = false;
	return shim_call(uf, uf->fn_init, uf->variant, 0);
}

static int uf_read(const struct fk_flash *flash, uint32_t off, void *buf,
		   uint32_t len)
{
	struct uc_flash *uf = uf_of(flash);
	int rc = ready(uf);

	while (rc == FK_OK && len > 0) {
		uint32_t n = len < uf->buf_size ? len : uf->buf_size;

		rc = shim_call(uf, uf->fn_read, off, n);
		if (rc == FK_OK && uc_read_mem(uf->uc, uf->buf, buf, n) != 0)
			rc = FK_EIO;
		buf = (uint8_t *)buf + n;
		off += n;
		len -= n;
	}
	return rc;
}

static int uf_program(const struct fk_flash *flash, uint32_t off,
		      const void *buf, uint32_t len)
{
	struct uc_flash *uf = uf_of(flash);
	int rc = ready(uf);

	while (rc == FK_OK && len > 0) {
		uint32_t n = len < uf->buf_size ? len : uf->buf_size;

		if (uc_write_mem(uf->uc, uf->buf, buf, n) != 0)
			return FK_EIO;
		rc = shim_call(uf, uf->fn_program, off, n);
		buf = (const uint8_t *)buf + n;
		off += n;
		len -= n;
	}
	return rc;
}

static int uf_erase(const struct fk_flash *flash, uint32_t off,
		    uint32_t sector_size)
{
	struct uc_flash *uf = uf_of(flash);
	int rc = ready(uf);

	if (rc != FK_OK)
		return rc;
	return shim_call(uf, uf->fn_erase, off, sector_size);
}

static const struct fk_flash_ops uf_ops = {
	.read = uf_read,
	.program = uf_program,
	.erase_sector = uf_erase,
};

static int find_shim(struct uc_flash *uf)
{
	const struct {
		const char *name;
		uint32_t *addr;
	} sym[] = {
		{ "fk_shim_init", &uf->fn_init },
		{ "fk_shim_read", &uf->fn_read },
		{ "fk_shim_program", &uf->fn_program },
		{ "fk_shim_erase", &uf->fn_erase },
		{ "fk_shim_buf", &uf->buf },
	};

	for (size_t i = 0; i < sizeof(sym) / sizeof(sym[0]); i++) {
		if (uc_symbol(uf->uc, sym[i].name, sym[i].addr) != 0) {
			uc_violation(uf->uc, "the image has no %s",
				     sym[i].name);
			return FK_EIO;
		}
	}
	uf->buf_size = FK_SHIM_BUF;
	return FK_OK;
}

/* Copies the geometry fk_shim_init wrote into fk_shim_info. */
static int read_geometry(struct uc_flash *uf)
{
	struct fk_shim_info info;
	uint32_t addr;

	if (uc_symbol(uf->uc, "fk_shim_info", &addr) != 0 ||
	    uc_read_mem(uf->uc, addr, &info, sizeof(info)) != 0 ||
	    info.run_count == 0 || info.run_count > UC_FLASH_MAX_RUNS)
		return FK_EIO;
	for (uint32_t i = 0; i < info.run_count; i++) {
		uf->runs[i].count = info.runs[i][0];
		uf->runs[i].size = info.runs[i][1];
	}
	uf->flash.geo = (struct fk_flash_geometry){
		.base = info.base,
		.size = info.size,
		.runs = uf->runs,
		.run_count = info.run_count,
		.write_unit = info.write_unit,
		.erased_value = (uint8_t)info.erased_value,
		.program_once = info.program_once != 0,
	};
	return FK_OK;
}

int uc_flash_open(struct uc_flash *uf, struct uc *uc, struct fk_sim *sim,
		  uint32_t variant)
{
	int rc;

	memset(uf, 0, sizeof(*uf));
	uf->uc = uc;
	uf->sim = sim;
	uf->variant = variant;
	uf->flash.ops = &uf_ops;
	uf->flash.ctx = uf;
	rc = find_shim(uf);
	if (rc == FK_OK)
		rc = shim_call(uf, uf->fn_init, variant, 0);
	if (rc == FK_OK)
		rc = read_geometry(uf);
	return rc;
}
