/*
 * The SFDP-driven serial NOR driver (see nor.h for the contract).
 *
 * Layout: the command helpers (one bus transfer each), the status
 * register rules (write enable, busy wait), the SFDP parser, then the
 * fk_flash operations and init.
 *
 * Invariants every function keeps, because the whole file may run while
 * a QSPI chip is out of memory-mapped mode (nor.h): FK_RAMFUNC on every
 * function; no constant tables, no division (libgcc lives in flash), no
 * library call, no structure copy the compiler could turn into memcpy;
 * bus->idle is called once an operation has finished, never inside one.
 */
#include "nor.h"

#ifndef FK_RAMFUNC
#define FK_RAMFUNC
#endif

#define OP_WREN 0x06u
#define OP_RDSR 0x05u
#define OP_RDID 0x9Fu
#define OP_RDSFDP 0x5Au
#define OP_FAST_READ 0x0Bu
#define OP_FAST_READ_4B 0x0Cu
#define OP_PP 0x02u
#define OP_PP_4B 0x12u
#define OP_EN4B 0xB7u
#define OP_CHIP_ERASE 0xC7u

#define SR_WIP 0x01u
#define SR_WEL 0x02u

#define CHUNK 64u /* bytes compared per read when checking a program */
#define DEFAULT_MAX_POLLS (1u << 24)
#define CHIP_ERASE_POLL_FACTOR 128u

/* SFDP (JESD216): header, parameter headers, the tables used here. */
#define SFDP_SIGNATURE 0x50444653u /* "SFDP", little-endian */
#define SFDP_MAX_HEADERS 8u
#define SFDP_BFPT_ID 0xFF00u
#define SFDP_4BAIT_ID 0xFF84u
#define BFPT_MIN_DWORDS 9u
#define BFPT_MAX_DWORDS 16u

static FK_RAMFUNC int xfer(const struct fk_nor_bus *bus, uint8_t opcode,
			   uint8_t addr_len, uint32_t addr, uint8_t dummy,
			   const void *tx, void *rx, uint32_t len)
{
	struct fk_nor_cmd cmd;

	cmd.opcode = opcode;
	cmd.addr_len = addr_len;
	cmd.dummy = dummy;
	cmd.addr = addr;
	return bus->xfer(bus, &cmd, tx, rx, len);
}

static FK_RAMFUNC int read_status(const struct fk_nor_bus *bus, uint8_t *sr)
{
	return xfer(bus, OP_RDSR, 0, 0, 0, 0, sr, 1);
}

/* Polls until WIP clears, at most max_polls status reads. */
static FK_RAMFUNC int wait_ready(const struct fk_nor_bus *bus,
				 uint32_t max_polls)
{
	uint8_t sr;

	for (uint32_t i = 0; i < max_polls; i++) {
		int rc = read_status(bus, &sr);

		if (rc != FK_OK)
			return rc;
		if (!(sr & SR_WIP))
			return FK_OK;
	}
	return FK_EIO;
}

/* WREN, then check WEL: a chip that did not latch it would ignore the
 * program or erase that follows. */
static FK_RAMFUNC int write_enable(const struct fk_nor *nor)
{
	uint8_t sr;
	int rc = xfer(nor->bus, OP_WREN, 0, 0, 0, 0, 0, 0);

	if (rc == FK_OK)
		rc = read_status(nor->bus, &sr);
	if (rc == FK_OK && !(sr & SR_WEL))
		rc = FK_EIO;
	return rc;
}

/* Write enable, one command that programs or erases, busy wait. */
static FK_RAMFUNC int write_command(const struct fk_nor *nor, uint8_t opcode,
				    uint8_t addr_len, uint32_t addr,
				    const void *tx, uint32_t len,
				    uint32_t polls)
{
	int rc = write_enable(nor);

	if (rc == FK_OK)
		rc = xfer(nor->bus, opcode, addr_len, addr, 0, tx, 0, len);
	if (rc == FK_OK)
		rc = wait_ready(nor->bus, polls);
	return rc;
}

static FK_RAMFUNC int read_array(const struct fk_nor *nor, uint32_t off,
				 void *buf, uint32_t len)
{
	return xfer(nor->bus, nor->read_op, nor->addr_len, off, 1, 0, buf, len);
}

/* Ends an operation: the bus may return to its resting state. */
static FK_RAMFUNC int finish(const struct fk_nor *nor, int rc)
{
	struct fk_nor_cmd read;
	int idle_rc = FK_OK;

	read.opcode = nor->read_op;
	read.addr_len = nor->addr_len;
	read.dummy = 1;
	read.addr = 0;
	if (nor->bus->idle)
		idle_rc = nor->bus->idle(nor->bus, &read);
	return rc != FK_OK ? rc : idle_rc;
}

static FK_RAMFUNC uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- SFDP ---- */

static FK_RAMFUNC uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static FK_RAMFUNC int read_sfdp(const struct fk_nor *nor, uint32_t addr,
				void *buf, uint32_t len)
{
	return xfer(nor->bus, OP_RDSFDP, 3, addr, 1, 0, buf, len);
}

/* What the driver takes from SFDP. */
struct sfdp_info {
	uint32_t bfpt[BFPT_MAX_DWORDS]; /* BFPT dwords, missing ones 0 */
	uint32_t bfpt_dwords;
	uint32_t bait[2]; /* 4-byte address instruction table, or 0 */
	uint8_t has_bait;
};

/* A parameter header: id, table length in dwords, table pointer. */
static FK_RAMFUNC void parse_header(const uint8_t *h, uint32_t *id,
				    uint32_t *dwords, uint32_t *ptr)
{
	*id = (uint32_t)h[7] << 8 | h[0];
	*dwords = h[3];
	*ptr = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16;
}

static FK_RAMFUNC int read_table(const struct fk_nor *nor, uint32_t ptr,
				 uint32_t *dw, uint32_t count)
{
	uint8_t b[4];

	for (uint32_t i = 0; i < count; i++) {
		int rc = read_sfdp(nor, ptr + 4 * i, b, 4);

		if (rc != FK_OK)
			return rc;
		dw[i] = le32(b);
	}
	return FK_OK;
}

static FK_RAMFUNC int read_sfdp_info(const struct fk_nor *nor,
				     struct sfdp_info *info)
{
	uint8_t h[8];
	uint32_t headers, id, dwords, ptr;
	int rc = read_sfdp(nor, 0, h, 8);

	if (rc != FK_OK)
		return rc;
	if (le32(h) != SFDP_SIGNATURE)
		return FK_ENOTSUP;
	headers = min_u32((uint32_t)h[6] + 1, SFDP_MAX_HEADERS);
	for (uint32_t i = 0; i < BFPT_MAX_DWORDS; i++)
		info->bfpt[i] = 0;
	info->bfpt_dwords = 0;
	info->has_bait = 0;
	for (uint32_t i = 0; i < headers && rc == FK_OK; i++) {
		rc = read_sfdp(nor, 8 + 8 * i, h, 8);
		if (rc != FK_OK)
			break;
		parse_header(h, &id, &dwords, &ptr);
		if (id == SFDP_BFPT_ID && info->bfpt_dwords == 0 &&
		    dwords >= BFPT_MIN_DWORDS) {
			info->bfpt_dwords = min_u32(dwords, BFPT_MAX_DWORDS);
			rc = read_table(nor, ptr, info->bfpt,
					info->bfpt_dwords);
		} else if (id == SFDP_4BAIT_ID && dwords >= 2) {
			info->has_bait = 1;
			rc = read_table(nor, ptr, info->bait, 2);
		}
	}
	if (rc == FK_OK && info->bfpt_dwords == 0)
		rc = FK_ENOTSUP;
	return rc;
}

/* Density in bytes from BFPT dword 2; 0 when it does not fit 32 bits. */
static FK_RAMFUNC uint32_t sfdp_density(uint32_t dw2)
{
	uint32_t n = dw2 & 0x7FFFFFFFu;

	if (!(dw2 & 0x80000000u))
		return (n >> 3) + 1; /* bits - 1, and bits is a multiple of 8 */
	if (n < 3 || n - 3 > 31)
		return 0;
	return 1u << (n - 3);
}

/* Page size from BFPT dword 11 (JESD216A and later); 256 before. */
static FK_RAMFUNC uint32_t sfdp_page_size(const struct sfdp_info *info)
{
	if (info->bfpt_dwords < 11)
		return 256;
	return 1u << ((info->bfpt[10] >> 4) & 0xFu);
}

/* Erase type i (0..3) from BFPT dwords 8 and 9: size exponent, opcode. */
static FK_RAMFUNC void sfdp_erase_type(const struct sfdp_info *info, uint32_t i,
				       uint32_t *shift, uint8_t *opcode)
{
	uint32_t half = info->bfpt[7 + i / 2] >> (16 * (i & 1));

	*shift = half & 0xFFu;
	*opcode = (uint8_t)(half >> 8);
}

/* Inserts an erase type keeping the list in ascending size. */
static FK_RAMFUNC void add_erase_type(struct fk_nor *nor, uint32_t size,
				      uint8_t opcode)
{
	uint32_t i = nor->erase_count++;

	while (i > 0 && nor->erase[i - 1].size > size) {
		nor->erase[i].size = nor->erase[i - 1].size;
		nor->erase[i].opcode = nor->erase[i - 1].opcode;
		i--;
	}
	nor->erase[i].size = size;
	nor->erase[i].opcode = opcode;
}

/* BFPT dword 1 bits 18:17: 0 3-byte only, 1 3- or 4-byte, 2 4-byte only. */
#define ADDR_MODE(dw1) (((dw1) >> 17) & 3u)
#define ADDR_4_ONLY 2u
/* BFPT dword 16 bits 31:24, ways to enter 4-byte mode: B7, WREN + B7. */
#define ENTER_B7 (1u << 24)
#define ENTER_WREN_B7 (1u << 25)
/* 4-byte address instruction table dword 1 bits. */
#define BAIT_FAST_READ (1u << 1)
#define BAIT_PP (1u << 6)
#define BAIT_ERASE(i) (1u << (9 + (i)))

/* The 4-byte opcodes are usable for reads, programs and erase type i. */
static FK_RAMFUNC int bait_covers(const struct sfdp_info *info, uint32_t i)
{
	uint32_t need = BAIT_FAST_READ | BAIT_PP | BAIT_ERASE(i);

	return info->has_bait && (info->bait[0] & need) == need;
}

/* Picks the address length and the opcodes (nor.h: 4-byte opcodes
 * first, 4-byte mode second) and fills the erase list. */
static FK_RAMFUNC int choose_commands(struct fk_nor *nor,
				      const struct sfdp_info *info)
{
	uint32_t dw1 = info->bfpt[0], dw16 = info->bfpt[15];
	int four = nor->flash.geo.size > (1u << 24) ||
		   ADDR_MODE(dw1) == ADDR_4_ONLY;
	int opcodes_4b = four && bait_covers(info, 0);
	int rc = FK_OK;

	nor->addr_len = four ? 4 : 3;
	nor->read_op = opcodes_4b ? OP_FAST_READ_4B : OP_FAST_READ;
	nor->program_op = opcodes_4b ? OP_PP_4B : OP_PP;
	nor->erase_count = 0;
	for (uint32_t i = 0; i < FK_NOR_MAX_ERASE_TYPES; i++) {
		uint32_t shift;
		uint8_t op;

		sfdp_erase_type(info, i, &shift, &op);
		if (shift == 0 || shift > 31 ||
		    (opcodes_4b && !bait_covers(info, i)))
			continue;
		if (opcodes_4b)
			op = (uint8_t)(info->bait[1] >> (8 * i));
		add_erase_type(nor, 1u << shift, op);
	}
	if (!four || opcodes_4b || ADDR_MODE(dw1) == ADDR_4_ONLY)
		return FK_OK;
	if (info->bfpt_dwords < 16 || !(dw16 & (ENTER_B7 | ENTER_WREN_B7)))
		return FK_ENOTSUP;
	if (!(dw16 & ENTER_B7))
		rc = write_enable(nor);
	if (rc == FK_OK)
		rc = xfer(nor->bus, OP_EN4B, 0, 0, 0, 0, 0, 0);
	return rc;
}

/* ---- fk_flash operations ---- */

static FK_RAMFUNC struct fk_nor *nor_of(const struct fk_flash *flash)
{
	return flash->ctx;
}

static FK_RAMFUNC int nor_read(const struct fk_flash *flash, uint32_t off,
			       void *buf, uint32_t len)
{
	struct fk_nor *nor = nor_of(flash);

	return finish(nor, len ? read_array(nor, off, buf, len) : FK_OK);
}

/* Compares the chip's bytes at off with src: returns FK_OK when every
 * byte equals src (exact) or can become src by clearing bits (!exact),
 * else fail. */
static FK_RAMFUNC int compare(const struct fk_nor *nor, uint32_t off,
			      const uint8_t *src, uint32_t len, int exact,
			      int fail)
{
	uint8_t cur[CHUNK];

	for (uint32_t done = 0; done < len; done += CHUNK) {
		uint32_t n = min_u32(len - done, CHUNK);
		int rc = read_array(nor, off + done, cur, n);

		if (rc != FK_OK)
			return rc;
		for (uint32_t i = 0; i < n; i++) {
			uint8_t want = src[done + i];

			if (exact ? cur[i] != want :
				    (uint8_t)(~cur[i] & want) != 0)
				return fail;
		}
	}
	return FK_OK;
}

/* Programs one piece that lies inside one page, then reads it back. */
static FK_RAMFUNC int program_page(const struct fk_nor *nor, uint32_t off,
				   const uint8_t *src, uint32_t len)
{
	int rc = write_command(nor, nor->program_op, nor->addr_len, off, src,
			       len, nor->max_polls);

	if (rc == FK_OK)
		rc = compare(nor, off, src, len, 1, FK_EIO);
	return rc;
}

static FK_RAMFUNC int program_range(const struct fk_nor *nor, uint32_t off,
				    const uint8_t *src, uint32_t len)
{
	int rc = compare(nor, off, src, len, 0, FK_ENOTERASED);

	while (rc == FK_OK && len > 0) {
		uint32_t room = nor->page_size - (off & (nor->page_size - 1));
		uint32_t n = min_u32(len, room);

		rc = program_page(nor, off, src, n);
		off += n;
		src += n;
		len -= n;
	}
	return rc;
}

static FK_RAMFUNC int nor_program(const struct fk_flash *flash, uint32_t off,
				  const void *buf, uint32_t len)
{
	struct fk_nor *nor = nor_of(flash);

	return finish(nor, program_range(nor, off, buf, len));
}

/* The largest erase type aligned at off that ends by end. */
static FK_RAMFUNC const struct fk_nor_erase_type *
pick_erase(const struct fk_nor *nor, uint32_t off, uint32_t end)
{
	for (uint32_t i = nor->erase_count; i-- > 0;) {
		uint32_t size = nor->erase[i].size;

		if ((off & (size - 1)) == 0 && size <= end - off)
			return &nor->erase[i];
	}
	return 0;
}

static FK_RAMFUNC int erase_range(const struct fk_nor *nor, uint32_t off,
				  uint32_t len)
{
	uint32_t end = off + len;
	int rc = FK_OK;

	while (rc == FK_OK && off < end) {
		const struct fk_nor_erase_type *e = pick_erase(nor, off, end);

		if (!e)
			return FK_EALIGN;
		rc = write_command(nor, e->opcode, nor->addr_len, off, 0, 0,
				   nor->max_polls);
		off += e->size;
	}
	return rc;
}

static FK_RAMFUNC int nor_erase_sector(const struct fk_flash *flash,
				       uint32_t off, uint32_t sector_size)
{
	struct fk_nor *nor = nor_of(flash);

	return finish(nor, erase_range(nor, off, sector_size));
}

static const struct fk_flash_ops nor_ops = {
	.read = nor_read,
	.program = nor_program,
	.erase_sector = nor_erase_sector,
};

FK_RAMFUNC int fk_nor_erase(struct fk_nor *nor, uint32_t off, uint32_t len)
{
	uint32_t unit = nor->erase[0].size;

	if (off > nor->flash.geo.size || len > nor->flash.geo.size - off)
		return FK_ERANGE;
	if ((off | len) & (unit - 1))
		return FK_EALIGN;
	return finish(nor, erase_range(nor, off, len));
}

FK_RAMFUNC int fk_nor_erase_chip(struct fk_nor *nor)
{
	uint32_t polls = nor->max_polls * CHIP_ERASE_POLL_FACTOR;

	if (polls / CHIP_ERASE_POLL_FACTOR != nor->max_polls)
		polls = 0xFFFFFFFFu;
	return finish(nor,
		      write_command(nor, OP_CHIP_ERASE, 0, 0, 0, 0, polls));
}

/* ---- init ---- */

FK_RAMFUNC int fk_nor_read_id(const struct fk_nor_bus *bus, uint8_t id[3])
{
	int rc = xfer(bus, OP_RDID, 0, 0, 0, 0, id, 3);
	uint8_t all_or = (uint8_t)(id[0] | id[1] | id[2]);
	uint8_t all_and = (uint8_t)(id[0] & id[1] & id[2]);

	if (rc != FK_OK)
		return rc;
	return all_or == 0 || all_and == 0xFF ? FK_ENOENT : FK_OK;
}

static FK_RAMFUNC int known_vendor(uint8_t mfr)
{
	return mfr == FK_NOR_MFR_WINBOND || mfr == FK_NOR_MFR_MACRONIX ||
	       mfr == FK_NOR_MFR_ISSI;
}

/* Fills the fk_flash from what was read: one run of config sectors. */
static FK_RAMFUNC int fill_geometry(struct fk_nor *nor,
				    const struct fk_nor_config *config)
{
	uint32_t sector = config->sector_size;
	uint32_t i;

	if (nor->erase_count == 0)
		return FK_ENOTSUP;
	if (sector == 0)
		sector = nor->erase[0].size;
	for (i = 0; i < nor->erase_count; i++)
		if (nor->erase[i].size == sector)
			break;
	if (i == nor->erase_count || sector > nor->flash.geo.size)
		return FK_ENOTSUP;
	nor->run.size = sector;
	nor->run.count = nor->flash.geo.size >> __builtin_ctz(sector);
	nor->flash.geo.base = config->base;
	nor->flash.geo.runs = &nor->run;
	nor->flash.geo.run_count = 1;
	nor->flash.geo.write_unit = 1;
	nor->flash.geo.erased_value = 0xFF;
	nor->flash.geo.program_once = false;
	nor->flash.ops = &nor_ops;
	nor->flash.ctx = nor;
	return FK_OK;
}

static FK_RAMFUNC int probe(struct fk_nor *nor,
			    const struct fk_nor_config *config)
{
	struct sfdp_info info;
	int rc = fk_nor_read_id(nor->bus, nor->id);

	if (rc == FK_OK && !config->any_vendor && !known_vendor(nor->id[0]))
		rc = FK_ENOTSUP;
	if (rc == FK_OK)
		rc = wait_ready(nor->bus, nor->max_polls);
	if (rc == FK_OK)
		rc = read_sfdp_info(nor, &info);
	if (rc != FK_OK)
		return rc;
	nor->flash.geo.size = sfdp_density(info.bfpt[1]);
	nor->page_size = sfdp_page_size(&info);
	if (nor->flash.geo.size == 0 || nor->page_size > 256)
		return FK_ENOTSUP;
	rc = choose_commands(nor, &info);
	return rc == FK_OK ? fill_geometry(nor, config) : rc;
}

FK_RAMFUNC int fk_nor_init(struct fk_nor *nor,
			   const struct fk_nor_config *config)
{
	if (!nor || !config || !config->bus || !config->bus->xfer)
		return FK_EINVAL;
	nor->bus = config->bus;
	nor->addr_len = 3; /* what the bus maps with until SFDP says more */
	nor->read_op = OP_FAST_READ;
	nor->max_polls =
		config->max_polls ? config->max_polls : DEFAULT_MAX_POLLS;
	return finish(nor, probe(nor, config));
}
