/*
 * The NOR chip model (nor_chip.h): the parts' descriptions (JEDEC ID,
 * size, SFDP tables, command set), the byte-level command decoder, and
 * the execution of programs and erases into the fk_sim at chip select's
 * rising edge, which is when the datasheets say they start.
 *
 * Sources: Winbond W25Q128JV datasheet (instruction set table; Write
 * Enable 06h, Page Program 02h, Sector/Block/Chip Erase, Read SFDP 5Ah
 * and the SFDP table) and Macronix MX25L51245G datasheet (rev. 1.x:
 * command set, 4-byte address commands, EN4B/EX4B, SFDP table).
 */
#include <stdlib.h>
#include <string.h>

#include "nor_chip.h"

#define PAGE 256u
#define SECTOR 4096u

/* W25Q128JV SFDP: header (rev 1.5, one parameter header), then the basic
 * flash parameter table at 0x80 (16 dwords). Dwords the driver reads:
 * 1 (4 KiB erase 0x20, 3-byte addressing only), 2 (128 Mbit), 8 and 9
 * (4 KiB 0x20, 32 KiB 0x52, 64 KiB 0xD8), 11 (256-byte page). The others
 * are listed as the datasheet's table gives them and were not checked
 * against a part. */
static const uint8_t w25q128_sfdp[] = {
	[0x00] = 0x53, 0x46, 0x44, 0x50, 0x05, 0x01, 0x00, 0xFF,
	[0x08] = 0x00, 0x05, 0x01, 0x10, 0x80, 0x00, 0x00, 0xFF,
	[0x80] = 0xE5, 0x20, 0xF9, 0xFF, 0xFF, 0xFF, 0xFF, 0x07,
	0x44,	       0xEB, 0x08, 0x6B, 0x08, 0x3B, 0x42, 0xBB,
	0xFE,	       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00,
	0xFF,	       0xFF, 0x40, 0xEB, 0x0C, 0x20, 0x0F, 0x52,
	0x10,	       0xD8, 0x00, 0x00, 0x36, 0x02, 0xA6, 0x00,
	0x82,	       0xEA, 0x14, 0xC9, 0xE9, 0x63, 0x76, 0x33,
	0x7A,	       0x75, 0x7A, 0x75, 0xF7, 0xA2, 0xD5, 0x5C,
	0x19,	       0xF7, 0x4D, 0xFF, 0xE9, 0x30, 0xF8, 0x80,
};

/* MX25L51245G SFDP: header (rev 1.6, three parameter headers: basic
 * table at 0x30, 4-byte address instruction table at 0xC0, Macronix's
 * own table at 0x110, left erased here: no driver reads it). Dwords the
 * driver reads: basic 1 (3- or 4-byte addressing), 2 (512 Mbit), 8, 9,
 * 11, 16 (enter 4-byte mode with B7); 4-byte table 1 (0x13, 0x0C, 0x12,
 * erase types 1-3 supported) and 2 (0x21, 0x5C, 0xDC). */
static const uint8_t mx25l512_sfdp[] = {
	[0x00] = 0x53,	0x46, 0x44, 0x50, 0x06, 0x01, 0x02, 0xFF,
	[0x08] = 0x00,	0x06, 0x01, 0x10, 0x30, 0x00, 0x00, 0xFF,
	[0x10] = 0x84,	0x00, 0x01, 0x02, 0xC0, 0x00, 0x00, 0xFF,
	[0x18] = 0xC2,	0x00, 0x01, 0x04, 0x10, 0x01, 0x00, 0xFF,
	[0x30] = 0xE5,	0x20, 0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F,
	0x44,		0xEB, 0x08, 0x6B, 0x08, 0x3B, 0x04, 0xBB,
	0xFE,		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF,
	0xFF,		0xFF, 0x44, 0xEB, 0x0C, 0x20, 0x0F, 0x52,
	0x10,		0xD8, 0x00, 0xFF, 0xD6, 0x49, 0xC5, 0x00,
	0x82,		0xDF, 0x04, 0xE3, 0x44, 0x03, 0x67, 0x38,
	0x30,		0xB0, 0x30, 0xB0, 0xF7, 0xBD, 0xD5, 0x5C,
	0x4A,		0x9E, 0x29, 0xFF, 0xF0, 0x50, 0xF9, 0x85,
	[0xC0] = 0x7F,	0x8F, 0xFF, 0xFF, 0x21, 0x5C, 0xDC, 0xFF,
	[0x110] = 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF,		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

struct part {
	const char *name;
	uint8_t id[3];
	uint32_t size;
	const uint8_t *sfdp;
	uint32_t sfdp_len;
	bool four_byte_commands; /* 0x13 0x0C 0x12 0x21 0x5C 0xDC 0xB7 0xE9 */
	/* A sibling of a listed part: its SFDP table with the dword at
	 * patch_at replaced by patch (0: the table as it is). */
	uint32_t patch_at, patch;
};

static const struct part parts[] = {
	[NOR_CHIP_W25Q128JV] = { "W25Q128JV",
				 { 0xEF, 0x40, 0x18 },
				 16u << 20,
				 w25q128_sfdp,
				 sizeof(w25q128_sfdp),
				 false },
	[NOR_CHIP_MX25L51245G] = { "MX25L51245G",
				   { 0xC2, 0x20, 0x1A },
				   64u << 20,
				   mx25l512_sfdp,
				   sizeof(mx25l512_sfdp),
				   true },
	[NOR_CHIP_FOREIGN] = { "AT25-like",
			       { 0x1F, 0x40, 0x18 },
			       16u << 20,
			       w25q128_sfdp,
			       sizeof(w25q128_sfdp),
			       false },
	/* W25Q16JV: same family, same table layout, 16 Mbit. */
	[NOR_CHIP_W25Q16JV] = { "W25Q16JV",
				{ 0xEF, 0x40, 0x15 },
				2u << 20,
				w25q128_sfdp,
				sizeof(w25q128_sfdp),
				false,
				0x84,
				0x00FFFFFF },
	/* W25Q80DV: same family, same table layout, 8 Mbit. */
	[NOR_CHIP_W25Q80DV] = { "W25Q80DV",
				{ 0xEF, 0x40, 0x14 },
				1u << 20,
				w25q128_sfdp,
				sizeof(w25q128_sfdp),
				false,
				0x84,
				0x007FFFFF },
	/* The MX25L51245G with one parameter header (NPH = 0): no 4-byte
	 * address instruction table, so the driver enters 4-byte mode. */
	[NOR_CHIP_MX25_NO_4BAIT] = { "MX25L51245G (basic table only)",
				     { 0xC2, 0x20, 0x1A },
				     64u << 20,
				     mx25l512_sfdp,
				     sizeof(mx25l512_sfdp),
				     true,
				     0x04,
				     0xFF000106 },
	/* IS25LP128: see nor_chip.h, what is modelled of it. */
	[NOR_CHIP_IS25LP128] = { "IS25LP128",
				 { 0x9D, 0x60, 0x18 },
				 16u << 20,
				 w25q128_sfdp,
				 sizeof(w25q128_sfdp),
				 false },
	/* IS25LP064A: the IS25LP128 with 64 Mbit. */
	[NOR_CHIP_IS25LP064A] = { "IS25LP064A",
				  { 0x9D, 0x60, 0x17 },
				  8u << 20,
				  w25q128_sfdp,
				  sizeof(w25q128_sfdp),
				  false,
				  0x84,
				  0x03FFFFFF },
	[NOR_CHIP_ABSENT] = { "no chip",
			      { 0xFF, 0xFF, 0xFF },
			      16u << 20,
			      w25q128_sfdp,
			      0,
			      false },
};

enum kind {
	K_RDID,
	K_RDSR,
	K_WREN,
	K_WRDI,
	K_READ,
	K_SFDP,
	K_PP,
	K_ERASE,
	K_CHIP_ERASE,
	K_EN4B,
	K_EX4B,
	K_RSTEN,
	K_RST,
};

struct command {
	enum kind kind;
	uint8_t addr_len;
	uint8_t dummy;
	uint32_t erase_size;
};

struct nor_chip {
	struct uc *uc;
	const struct part *part;
	struct fk_sim *sim;
	bool absent;
	/* status */
	bool wel;
	uint32_t busy; /* status reads left with WIP set */
	bool four_byte_mode;
	bool reset_enabled;
	/* the command being clocked in */
	bool selected;
	bool ignored;
	uint32_t bytes;
	uint8_t opcode;
	struct command cmd;
	uint32_t addr;
	uint32_t addr_got, dummy_got, data_count;
	uint8_t page[PAGE];
	struct nor_chip_stats stats;
};

/* The command set. addr: 0 none, MODE 3 or 4 by the address mode, 4
 * always four; fourb: only on parts with the 4-byte commands. */
#define MODE 1

static const struct opcode {
	uint8_t op;
	enum kind kind;
	uint8_t addr, dummy;
	uint32_t erase_size;
	bool fourb;
} opcodes[] = {
	{ 0x9F, K_RDID, 0, 0, 0, false },
	{ 0x05, K_RDSR, 0, 0, 0, false },
	{ 0x06, K_WREN, 0, 0, 0, false },
	{ 0x04, K_WRDI, 0, 0, 0, false },
	{ 0x66, K_RSTEN, 0, 0, 0, false },
	{ 0x99, K_RST, 0, 0, 0, false },
	{ 0xC7, K_CHIP_ERASE, 0, 0, 0, false },
	{ 0x60, K_CHIP_ERASE, 0, 0, 0, false },
	{ 0x03, K_READ, MODE, 0, 0, false },
	{ 0x0B, K_READ, MODE, 1, 0, false },
	{ 0x5A, K_SFDP, 3, 1, 0, false },
	{ 0x02, K_PP, MODE, 0, 0, false },
	{ 0x20, K_ERASE, MODE, 0, 4u << 10, false },
	{ 0x52, K_ERASE, MODE, 0, 32u << 10, false },
	{ 0xD8, K_ERASE, MODE, 0, 64u << 10, false },
	{ 0x13, K_READ, 4, 0, 0, true },
	{ 0x0C, K_READ, 4, 1, 0, true },
	{ 0x12, K_PP, 4, 0, 0, true },
	{ 0x21, K_ERASE, 4, 0, 4u << 10, true },
	{ 0x5C, K_ERASE, 4, 0, 32u << 10, true },
	{ 0xDC, K_ERASE, 4, 0, 64u << 10, true },
	{ 0xB7, K_EN4B, 0, 0, 0, true },
	{ 0xE9, K_EX4B, 0, 0, 0, true },
};

/* Decodes an opcode of the part's command set; false when it has none. */
static bool decode(const struct nor_chip *chip, uint8_t op, struct command *c)
{
	for (size_t i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++) {
		const struct opcode *o = &opcodes[i];

		if (o->op != op)
			continue;
		if (o->fourb && !chip->part->four_byte_commands)
			return false;
		c->kind = o->kind;
		c->addr_len = o->addr;
		if (o->addr == MODE)
			c->addr_len = chip->four_byte_mode ? 4 : 3;
		c->dummy = o->dummy;
		c->erase_size = o->erase_size;
		return true;
	}
	return false;
}

struct nor_chip *nor_chip_create(struct uc *uc, enum nor_chip_part which)
{
	struct nor_chip *chip = calloc(1, sizeof(*chip));
	struct fk_sector_run run;
	struct fk_sim_config cfg = { 0 };

	if (!chip)
		return NULL;
	chip->uc = uc;
	chip->part = &parts[which];
	chip->absent = which == NOR_CHIP_ABSENT;
	run.size = SECTOR;
	run.count = chip->part->size / SECTOR;
	cfg.geo.size = chip->part->size;
	cfg.geo.runs = &run;
	cfg.geo.run_count = 1;
	cfg.geo.write_unit = 1;
	cfg.geo.erased_value = 0xFF;
	/* W25Q128JV typical: page program 0.4 ms, 4 KiB erase 45 ms */
	cfg.timing.program_us_per_unit = 2;
	cfg.timing.erase_us_fixed = 45000;
	chip->sim = fk_sim_create(&cfg);
	if (!chip->sim) {
		free(chip);
		return NULL;
	}
	return chip;
}

void nor_chip_destroy(struct nor_chip *chip)
{
	if (!chip)
		return;
	fk_sim_destroy(chip->sim);
	free(chip);
}

struct fk_sim *nor_chip_sim(struct nor_chip *chip)
{
	return chip->sim;
}

uint32_t nor_chip_size(const struct nor_chip *chip)
{
	return chip->part->size;
}

void nor_chip_reset(struct nor_chip *chip)
{
	chip->wel = false;
	chip->busy = 0;
	chip->four_byte_mode = false;
	chip->reset_enabled = false;
	chip->selected = false;
}

void nor_chip_get_stats(const struct nor_chip *chip, struct nor_chip_stats *out)
{
	*out = chip->stats;
}

bool nor_chip_selected(const struct nor_chip *chip)
{
	return chip->selected;
}

void nor_chip_select(struct nor_chip *chip)
{
	chip->selected = true;
	chip->ignored = false;
	chip->bytes = 0;
	chip->addr = 0;
	chip->addr_got = chip->dummy_got = chip->data_count = 0;
	memset(chip->page, 0xFF, sizeof(chip->page));
}

static void violation(struct nor_chip *chip, const char *rule)
{
	chip->ignored = true;
	uc_violation(chip->uc, "%s: opcode 0x%02X: %s", chip->part->name,
		     chip->opcode, rule);
}

static void start_command(struct nor_chip *chip, uint8_t op)
{
	chip->opcode = op;
	if (!decode(chip, op, &chip->cmd)) {
		violation(chip, "not in the part's command set (datasheet "
				"instruction set): the chip ignores it");
		return;
	}
	if (chip->busy && chip->cmd.kind != K_RDSR) {
		violation(chip, "sent while WIP=1 (datasheet, Read Status "
				"Register: while busy "
				"only Read Status and Suspend are accepted; "
				"the chip ignores it)");
		return;
	}
	if (chip->cmd.kind != K_RST)
		chip->reset_enabled = chip->cmd.kind == K_RSTEN;
}

/* Status register 1: WIP (bit 0) and WEL (bit 1); a read while busy
 * counts down the operation in progress. */
static uint8_t status_read(struct nor_chip *chip)
{
	uint8_t sr = (uint8_t)((chip->busy ? 1 : 0) | (chip->wel ? 2 : 0));

	chip->stats.status_reads++;
	if (chip->busy && --chip->busy == 0)
		chip->wel = false; /* WEL clears when the op ends */
	return sr;
}

static uint8_t sfdp_byte(const struct part *p, uint32_t at)
{
	if (p->patch_at && at - p->patch_at < 4)
		return (uint8_t)(p->patch >> (8 * (at - p->patch_at)));
	return at < p->sfdp_len ? p->sfdp[at] : 0xFF;
}

static uint8_t data_phase(struct nor_chip *chip, uint8_t mosi)
{
	uint32_t mask = chip->part->size - 1;
	uint8_t out = 0xFF;

	switch (chip->cmd.kind) {
	case K_RDID:
		out = chip->part->id[chip->data_count % 3];
		break;
	case K_RDSR:
		out = status_read(chip);
		break;
	case K_READ:
		out = fk_sim_data(
			chip->sim)[(chip->addr + chip->data_count) & mask];
		break;
	case K_SFDP:
		out = sfdp_byte(chip->part, chip->addr + chip->data_count);
		break;
	case K_PP: /* Page Program: past 256 bytes it wraps in the page */
		chip->page[(chip->addr + chip->data_count) % PAGE] = mosi;
		break;
	default:
		break;
	}
	chip->data_count++;
	return out;
}

uint8_t nor_chip_xfer(struct nor_chip *chip, uint8_t mosi)
{
	if (!chip->selected || chip->absent)
		return 0xFF;
	if (chip->bytes++ == 0) {
		start_command(chip, mosi);
		return 0xFF;
	}
	if (chip->ignored)
		return 0xFF;
	if (chip->addr_got < chip->cmd.addr_len) {
		chip->addr = chip->addr << 8 | mosi;
		chip->addr_got++;
		return 0xFF;
	}
	if (chip->dummy_got < chip->cmd.dummy) {
		chip->dummy_got++;
		return 0xFF;
	}
	return data_phase(chip, mosi);
}

static void sim_result(struct nor_chip *chip, int rc)
{
	if (rc == FK_EPOWER)
		uc_power_lost(chip->uc);
	else if (rc != FK_OK)
		uc_violation(chip->uc,
			     "%s: model: the array refused an "
			     "operation (%s)",
			     chip->part->name, fk_strerror(rc));
}

/* Page Program: the bytes sent are ANDed into the page (bits only go 1 -> 0);
 * one sim program covers the bytes the command touched. */
static void page_program(struct nor_chip *chip)
{
	uint32_t mask = chip->part->size - 1;
	uint32_t base = chip->addr & mask & ~(PAGE - 1);
	uint32_t col = chip->addr % PAGE, len = chip->data_count;
	const uint8_t *cur = fk_sim_data(chip->sim) + base;
	uint8_t next[PAGE];

	if (len > PAGE || col + len > PAGE) {
		col = 0; /* wrapped: the whole page */
		len = PAGE;
	}
	for (uint32_t i = 0; i < PAGE; i++)
		next[i] = cur[i] & chip->page[i];
	chip->stats.page_programs++;
	sim_result(chip, fk_flash_program(fk_sim_flash(chip->sim), base + col,
					  next + col, len));
	chip->busy = NOR_CHIP_BUSY_PROGRAM;
}

static void block_erase(struct nor_chip *chip)
{
	uint32_t size = chip->cmd.erase_size;
	uint32_t base = chip->addr & (chip->part->size - 1) & ~(size - 1);

	if (size == 4u << 10)
		chip->stats.erases_4k++;
	else if (size == 32u << 10)
		chip->stats.erases_32k++;
	else
		chip->stats.erases_64k++;
	sim_result(chip, fk_flash_erase(fk_sim_flash(chip->sim), base, size));
	chip->busy = NOR_CHIP_BUSY_ERASE;
}

static void chip_erase(struct nor_chip *chip)
{
	chip->stats.chip_erases++;
	sim_result(chip, fk_flash_erase(fk_sim_flash(chip->sim), 0,
					chip->part->size));
	chip->busy = NOR_CHIP_BUSY_CHIP_ERASE;
}

/* Chip select rose after `bytes` bytes: must be exactly where the
 * datasheet says for a write-type command, or the chip ignores it. */
static bool ends_right(struct nor_chip *chip)
{
	uint32_t header = 1 + chip->cmd.addr_len;

	if (chip->cmd.kind == K_PP ? chip->bytes > header :
				     chip->bytes == header)
		return true;
	violation(chip, "chip select did not rise right after the command's "
			"last byte (Page Program, erases: the chip does not "
			"execute it)");
	return false;
}

static bool write_enabled(struct nor_chip *chip)
{
	if (chip->wel)
		return true;
	violation(chip, "program or erase without Write Enable: WEL=0 (Write "
			"Enable 06h: the chip ignores it)");
	return false;
}

static void execute(struct nor_chip *chip)
{
	switch (chip->cmd.kind) {
	case K_WREN:
		chip->wel = true;
		break;
	case K_WRDI:
		chip->wel = false;
		break;
	case K_EN4B:
		chip->four_byte_mode = true;
		break;
	case K_EX4B:
		chip->four_byte_mode = false;
		break;
	case K_RST:
		if (chip->reset_enabled)
			nor_chip_reset(chip);
		break;
	case K_PP:
		if (write_enabled(chip))
			page_program(chip);
		break;
	case K_ERASE:
		if (write_enabled(chip))
			block_erase(chip);
		break;
	case K_CHIP_ERASE:
		if (write_enabled(chip))
			chip_erase(chip);
		break;
	default:
		break;
	}
}

void nor_chip_deselect(struct nor_chip *chip)
{
	bool reads = chip->cmd.kind == K_RDID || chip->cmd.kind == K_RDSR ||
		     chip->cmd.kind == K_READ || chip->cmd.kind == K_SFDP ||
		     chip->cmd.kind == K_RSTEN;

	chip->selected = false;
	if (chip->absent || chip->ignored || chip->bytes == 0 || reads)
		return;
	if (ends_right(chip))
		execute(chip);
}
