/*
 * The flash loader (ports/loader/) run under Unicorn the way pyOCD and
 * probe-rs run a CMSIS-Pack flash algorithm they load at an address of
 * their choosing: the host reads the ELF itself (sections PrgCode and
 * PrgData, the entry points' symbols, FlashDevice), copies PrgCode +
 * PrgData behind a header at the base it picked, and calls each entry
 * point with its arguments in r0-r2, LR at the header (a return to the
 * host: pyOCD's and probe-rs's breakpoint), and, for Init only, r9 = the
 * static base (the start of PrgData) and SP = its stack; other calls
 * find r9 and SP as the previous one left them. On an F205's SPI1
 * (models/spi_stm32.c) with a W25Q128JV (models/nor_chip.c).
 *
 * Two hosts' layouts at two bases:
 *   probe-rs at 0x20000000: a 4-byte header, the code at +4, its 512-byte
 *            stack after the code, then the data buffer;
 *   pyOCD at 0x20003000: its 512-byte stack below the base, a 32-byte
 *            header, the code at +32, then the data buffer.
 * Where the ELF's segments were linked (PrgCode at 0) is filled with an
 * undefined instruction and code run there is a violation, so a loader
 * that reached any link-time address fails. The same sources built
 * without -fPIE and linked for the first base (nor_loader_abs.elf,
 * beside the loader) must pass there and fail at the second: the test
 * tells the two apart. Run by test_nor.c's main.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_nor.h"

#include "models/nor_chip.h"
#include "models/spi_stm32.h"
#include "uc.h"

#define DEV_ADR 0x90000000u
#define DEV_SIZE (16u << 20)
#define SECTOR 4096u
#define PAGE 4096u /* FlashDevice.szPage */
#define RCC 0x40023800u
#define EXTSPI 5u
#define STACK 512u	 /* what pyOCD and probe-rs give an algorithm */
#define STUB 0x2003F000u /* the host's register set-up (see call) */
#define POISON 0xDE	 /* 0xDEDE: a Thumb undefined instruction */
#define STACK_FILL 0xA5
#define DEVICE_BYTES 176u /* FlashDevice up to its second sector entry */

/* The loader ELF, read as pyOCD and probe-rs read it. */
struct flm {
	uint8_t *blob;	   /* PrgCode then PrgData */
	uint32_t size;	   /* bytes of blob */
	uint32_t data_off; /* PrgData's offset in blob: the static base */
	uint32_t init, uninit, erase_chip, erase_sector, program_page, verify,
		blank_check; /* symbol values (Thumb bit set) - PrgCode */
	uint8_t device[DEVICE_BYTES];
	uint32_t seg_addr[4], seg_size[4]; /* PT_LOAD, as linked */
	unsigned seg_count;
};

/* Where a host puts the algorithm. */
struct host {
	const char *name;
	uint32_t base;	  /* the header; LR returns here */
	uint32_t header;  /* bytes before the code */
	bool stack_below; /* pyOCD: [base - STACK, base); probe-rs: after
			   * the code */
	/* derived by place() */
	uint32_t code, static_base, stack_top, stack_low, buf;
};

static const struct host probe_rs_host = {
	.name = "probe-rs",
	.base = 0x20000000u,
	.header = 4,
};
static const struct host pyocd_host = {
	.name = "pyOCD",
	.base = 0x20003000u,
	.header = 32,
	.stack_below = true,
};

static const char *image, *image_abs;

struct fixture {
	struct uc *uc;
	struct nor_chip *chip;
	struct spi_model *spi;
	uint32_t rcc[0x100];
	struct flm flm;
	struct host host;
};

static struct fixture fx;

/* ---- the ELF, as a host reads it ---- */

static const Elf32_Shdr *section(const uint8_t *f, const char *name)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)f;
	const Elf32_Shdr *sh = (const Elf32_Shdr *)(f + eh->e_shoff);
	const char *names = (const char *)f + sh[eh->e_shstrndx].sh_offset;

	for (unsigned i = 0; i < eh->e_shnum; i++)
		if (!strcmp(names + sh[i].sh_name, name))
			return &sh[i];
	return NULL;
}

static uint32_t symbol(const uint8_t *f, const char *name)
{
	const Elf32_Shdr *symtab = section(f, ".symtab");
	const Elf32_Shdr *strtab = section(f, ".strtab");
	const Elf32_Sym *s;

	assert_non_null(symtab);
	assert_non_null(strtab);
	s = (const Elf32_Sym *)(f + symtab->sh_offset);
	for (unsigned i = 0; i < symtab->sh_size / sizeof(*s); i++)
		if (!strcmp((const char *)f + strtab->sh_offset + s[i].st_name,
			    name))
			return s[i].st_value;
	fail_msg("the loader has no symbol %s", name);
	return 0;
}

static uint8_t *read_file(const char *path, long *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;

	if (!fp)
		fail_msg("cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	*len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)*len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)*len, fp), (size_t)*len);
	fclose(fp);
	return buf;
}

static void read_flm(const char *path, struct flm *m)
{
	long len;
	uint8_t *f = read_file(path, &len);
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)f;
	const Elf32_Phdr *ph = (const Elf32_Phdr *)(f + eh->e_phoff);
	const Elf32_Shdr *code = section(f, "PrgCode");
	const Elf32_Shdr *data = section(f, "PrgData");
	const Elf32_Shdr *dscr = section(f, "DevDscr");
	uint32_t dev;

	assert_non_null(code);
	assert_non_null(data);
	assert_non_null(dscr);
	memset(m, 0, sizeof(*m));
	m->data_off = data->sh_addr - code->sh_addr;
	m->size = m->data_off + data->sh_size;
	m->blob = malloc(m->size);
	assert_non_null(m->blob);
	memcpy(m->blob, f + code->sh_offset, code->sh_size);
	memcpy(m->blob + m->data_off, f + data->sh_offset, data->sh_size);
	m->init = symbol(f, "Init") - code->sh_addr;
	m->uninit = symbol(f, "UnInit") - code->sh_addr;
	m->erase_chip = symbol(f, "EraseChip") - code->sh_addr;
	m->erase_sector = symbol(f, "EraseSector") - code->sh_addr;
	m->program_page = symbol(f, "ProgramPage") - code->sh_addr;
	m->verify = symbol(f, "Verify") - code->sh_addr;
	m->blank_check = symbol(f, "BlankCheck") - code->sh_addr;
	dev = symbol(f, "FlashDevice");
	assert_true(dev >= dscr->sh_addr &&
		    dev + DEVICE_BYTES <= dscr->sh_addr + dscr->sh_size);
	memcpy(m->device, f + dscr->sh_offset + (dev - dscr->sh_addr),
	       DEVICE_BYTES);
	for (unsigned i = 0; i < eh->e_phnum && m->seg_count < 4; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		m->seg_addr[m->seg_count] = ph[i].p_vaddr;
		m->seg_size[m->seg_count++] = ph[i].p_memsz;
	}
	free(f);
}

/* ---- the target ---- */

/* RCC: keeps what is written (the board setup enables the clocks). */
static uint32_t rcc_read(void *ctx, uint32_t off, unsigned size)
{
	(void)size;
	return ((uint32_t *)ctx)[off / 4];
}

static void rcc_write(void *ctx, uint32_t off, unsigned size, uint32_t v)
{
	(void)size;
	((uint32_t *)ctx)[off / 4] = v;
}

static void fill(uint32_t addr, uint32_t len, uint8_t value)
{
	uint8_t *b = malloc(len);

	assert_non_null(b);
	memset(b, value, len);
	assert_int_equal(uc_write_mem(fx.uc, addr, b, len), 0);
	free(b);
}

/* A Thumb-2 B.W at `at` to `to` (ARMv7-M ARM A7.7.12, encoding T4). */
static void branch(uint8_t out[4], uint32_t at, uint32_t to)
{
	int32_t off = (int32_t)(to - (at + 4));
	uint32_t s = off < 0, imm10 = ((uint32_t)off >> 12) & 0x3FF;
	uint32_t imm11 = ((uint32_t)off >> 1) & 0x7FF;
	uint32_t j1 = (~(((uint32_t)off >> 23) & 1) ^ s) & 1;
	uint32_t j2 = (~(((uint32_t)off >> 22) & 1) ^ s) & 1;
	uint16_t hw1 = (uint16_t)(0xF000 | s << 10 | imm10);
	uint16_t hw2 = (uint16_t)(0x9000 | j1 << 13 | j2 << 11 | imm11);

	memcpy(out, &hw1, 2);
	memcpy(out + 2, &hw2, 2);
}

/* The host's layout: the header (a branch back to the host, then
 * breakpoints), the blob, the stack filled to measure its use. */
static void place(const struct host *h)
{
	uint8_t head[32];

	fx.host = *h;
	fx.host.code = h->base + h->header;
	fx.host.static_base = fx.host.code + fx.flm.data_off;
	if (h->stack_below) {
		fx.host.stack_top = h->base;
		fx.host.buf = (fx.host.code + fx.flm.size + 7) & ~7u;
	} else {
		fx.host.stack_top =
			((fx.host.code + fx.flm.size + 7) & ~7u) + STACK;
		fx.host.buf = fx.host.stack_top;
	}
	fx.host.stack_low = fx.host.stack_top - STACK;
	memset(head, 0, sizeof(head));
	for (unsigned i = 0; i < sizeof(head); i += 2)
		head[i + 1] = 0xBE; /* bkpt #0 */
	branch(head, h->base, UC_TRAP_BASE);
	assert_int_equal(uc_write_mem(fx.uc, h->base, head, h->header), 0);
	assert_int_equal(
		uc_write_mem(fx.uc, fx.host.code, fx.flm.blob, fx.flm.size), 0);
	fill(fx.host.stack_low, STACK, STACK_FILL);
}

static void open_loader(const char *elf, enum nor_chip_part part,
			const struct host *h)
{
	struct uc_config cfg = { .elf = elf, .cpu = "cortex-m3" };
	struct uc_periph rcc = { .name = "RCC",
				 .base = RCC,
				 .size = 0x400,
				 .read = rcc_read,
				 .write = rcc_write };

	memset(&fx, 0, sizeof(fx));
	read_flm(elf, &fx.flm);
	rcc.ctx = fx.rcc;
	fx.uc = uc_create(&cfg);
	assert_non_null(fx.uc);
	/* nothing left where the ELF was linked */
	for (unsigned i = 0; i < fx.flm.seg_count; i++)
		fill(fx.flm.seg_addr[i], fx.flm.seg_size[i], POISON);
	uc_forbid_rom_fetch(fx.uc, "the loader ran code at its link address "
				   "(ROM at 0), not where the host put it");
	fx.chip = nor_chip_create(fx.uc, part);
	assert_non_null(fx.chip);
	fx.spi = spi_model_create(fx.uc, fx.chip, SPI1_F2_REGS, GPIOA_F2_REGS,
				  4);
	assert_non_null(fx.spi);
	assert_int_equal(uc_add_periph(fx.uc, &rcc), 0);
	place(h);
}

static int teardown(void **state)
{
	(void)state;
	uc_destroy(fx.uc);
	spi_model_destroy(fx.spi);
	nor_chip_destroy(fx.chip);
	free(fx.flm.blob);
	return 0;
}

/*
 * One entry point as the host calls it. uc_call starts the stub at STUB
 * with r0-r2 set (and SP at the top of RAM, LR at its trap, which the
 * stub replaces): it loads r9 (Init only), SP, LR and PC from its
 * literals, so the entry point starts with exactly the registers the host
 * gives it and returns through the header's branch. Returns r0, or
 * 0xDEAD... with *why set when the run failed.
 */
static uint32_t call(uint32_t entry, bool init, uint32_t a0, uint32_t a1,
		     uint32_t a2, const char **why)
{
	static char msg[600];
	/* ldr.w r9,[pc,#16] (or two nops); ldr.w ip,[pc,#16]; mov sp,ip;
	 * nop; ldr.w lr,[pc,#12]; ldr.w pc,[pc,#12]; then the literals */
	uint16_t code[10] = { 0xF8DF, 0x9010, 0xF8DF, 0xC010, 0x46E5,
			      0xBF00, 0xF8DF, 0xE00C, 0xF8DF, 0xF00C };
	uint32_t lit[4] = { fx.host.static_base, fx.host.stack_top,
			    fx.host.base | 1u, fx.host.code + entry };
	uint32_t args[3] = { a0, a1, a2 }, ret = 0xDEADDEADu;
	enum uc_run r;

	if (why && *why) /* a session stops at its first failure */
		return ret;
	if (!init) {
		code[0] = 0xBF00;
		code[1] = 0xBF00;
	}
	assert_int_equal(uc_write_mem(fx.uc, STUB, code, sizeof(code)), 0);
	assert_int_equal(uc_write_mem(fx.uc, STUB + 20, lit, sizeof(lit)), 0);
	r = uc_call(fx.uc, STUB, args, 3, &ret);
	if (r != UC_RUN_OK && why && !*why) {
		snprintf(msg, sizeof(msg), "%s: entry +0x%x: %s (%s)",
			 fx.host.name, entry, uc_run_name(r),
			 uc_first_violation(fx.uc));
		*why = msg;
	}
	return r == UC_RUN_OK ? ret : 0xDEADDEADu;
}

/* An entry point that must return want; notes the first mismatch. */
static void expect(const char **why, const char *what, uint32_t got,
		   uint32_t want)
{
	static char msg[300];

	if (got != want && !*why) {
		snprintf(msg, sizeof(msg), "%s: %s returned 0x%x, not 0x%x",
			 fx.host.name, what, got, want);
		*why = msg;
	}
}

/* Bytes of the stack the calls so far used (the fill overwritten). */
static uint32_t stack_used(void)
{
	uint8_t s[STACK];
	uint32_t i = 0;

	assert_int_equal(uc_read_mem(fx.uc, fx.host.stack_low, s, STACK), 0);
	while (i < STACK && s[i] == STACK_FILL)
		i++;
	return STACK - i;
}

/*
 * A debugger's session: erase 20,000 bytes at 12 KiB, program them in
 * 4 KiB pages from the host's buffer, verify (and find a byte changed),
 * blank-check. Returns NULL when every call returned what it should and
 * the chip holds the image, else what went wrong first.
 */
static const char *session(void)
{
	const uint32_t len = 20000, at = DEV_ADR + 3 * SECTOR;
	const struct flm *m = &fx.flm;
	uint8_t *img = malloc(len);
	const uint8_t *chip = fk_sim_data(nor_chip_sim(fx.chip));
	const char *why = NULL;

	assert_non_null(img);
	for (uint32_t i = 0; i < len; i++)
		img[i] = (uint8_t)(i * 37u + (i >> 9));
	memset(fk_sim_data(nor_chip_sim(fx.chip)), 0x5A, 64 * 1024);

	expect(&why, "Init", call(m->init, true, DEV_ADR, 16000000, 1, &why),
	       0);
	for (uint32_t a = at; a < at + len; a += SECTOR)
		expect(&why, "EraseSector",
		       call(m->erase_sector, false, a, 0, 0, &why), 0);
	expect(&why, "UnInit", call(m->uninit, false, 1, 0, 0, &why), 0);
	expect(&why, "Init", call(m->init, true, DEV_ADR, 16000000, 2, &why),
	       0);
	expect(&why, "BlankCheck",
	       call(m->blank_check, false, at, len, 0xFF, &why), 0);
	for (uint32_t done = 0; done < len; done += PAGE) {
		uint32_t n = len - done < PAGE ? len - done : PAGE;

		assert_int_equal(
			uc_write_mem(fx.uc, fx.host.buf, img + done, n), 0);
		expect(&why, "ProgramPage",
		       call(m->program_page, false, at + done, n, fx.host.buf,
			    &why),
		       0);
	}
	expect(&why, "UnInit", call(m->uninit, false, 2, 0, 0, &why), 0);
	if (!why && (memcmp(chip + 3 * SECTOR, img, len) != 0 ||
		     chip[3 * SECTOR + 5 * SECTOR] != 0x5A ||
		     chip[3 * SECTOR - 1] != 0x5A))
		why = "the chip does not hold what was programmed";

	expect(&why, "Init", call(m->init, true, DEV_ADR, 16000000, 3, &why),
	       0);
	assert_int_equal(uc_write_mem(fx.uc, fx.host.buf, img, 4096), 0);
	expect(&why, "Verify",
	       call(m->verify, false, at, 4096, fx.host.buf, &why), at + 4096);
	img[1000] ^= 1;
	assert_int_equal(uc_write_mem(fx.uc, fx.host.buf, img, 4096), 0);
	expect(&why, "Verify (a byte changed)",
	       call(m->verify, false, at, 4096, fx.host.buf, &why), at + 1000);
	expect(&why, "BlankCheck (programmed)",
	       call(m->blank_check, false, at, len, 0xFF, &why), 1);
	expect(&why, "UnInit", call(m->uninit, false, 3, 0, 0, &why), 0);
	if (!why && uc_violations(fx.uc))
		why = uc_first_violation(fx.uc);
	if (!why && !(fx.rcc[0x44 / 4] & (1u << 12)))
		why = "SPI1's clock was not enabled (RCC_APB2ENR.SPI1EN)";
	free(img);
	return why;
}

static void test_flash_device_describes_the_chip(void **state)
{
	const uint8_t *d;
	uint32_t w;

	(void)state;
	open_loader(image, NOR_CHIP_W25Q128JV, &probe_rs_host);
	d = fx.flm.device;
	assert_int_equal(d[0] | d[1] << 8, 0x0101);	/* Vers */
	assert_int_equal(d[130] | d[131] << 8, EXTSPI); /* DevType */
	memcpy(&w, d + 132, 4);
	assert_int_equal(w, DEV_ADR);
	memcpy(&w, d + 136, 4);
	assert_int_equal(w, DEV_SIZE);
	memcpy(&w, d + 140, 4);
	assert_int_equal(w, PAGE);
	assert_int_equal(d[148], 0xFF); /* valEmpty */
	memcpy(&w, d + 160, 4);
	assert_int_equal(w, SECTOR);
	memcpy(&w, d + 164, 4);
	assert_int_equal(w, 0);
	memcpy(&w, d + 168, 4);
	assert_int_equal(w, 0xFFFFFFFFu);
}

static void session_at(const struct host *h)
{
	const char *why;

	open_loader(image, NOR_CHIP_W25Q128JV, h);
	why = session();
	if (why)
		fail_msg("%s", why);
	print_message("  %s at 0x%08x (code 0x%08x, r9 0x%08x): %u of %u "
		      "stack bytes used\n",
		      h->name, h->base, fx.host.code, fx.host.static_base,
		      stack_used(), STACK);
	assert_true(stack_used() < STACK);
}

static void test_probe_rs_at_0x20000000_programs_the_chip(void **state)
{
	(void)state;
	session_at(&probe_rs_host);
}

static void test_pyocd_at_0x20003000_programs_the_chip(void **state)
{
	(void)state;
	session_at(&pyocd_host);
}

/* The same sources without -fPIE, linked for probe_rs_host's code
 * address: they work there and nowhere else. */
static void test_absolute_build_fails_when_moved(void **state)
{
	const char *why;

	(void)state;
	open_loader(image_abs, NOR_CHIP_W25Q128JV, &probe_rs_host);
	why = session();
	if (why)
		fail_msg("at its link address: %s", why);
	teardown(NULL);
	open_loader(image_abs, NOR_CHIP_W25Q128JV, &pyocd_host);
	why = session();
	assert_non_null(why);
	print_message("  moved: %s\n", why);
}

static void test_erase_chip(void **state)
{
	const char *why = NULL;

	(void)state;
	open_loader(image, NOR_CHIP_W25Q128JV, &pyocd_host);
	memset(fk_sim_data(nor_chip_sim(fx.chip)) + DEV_SIZE - 10, 0, 10);
	expect(&why, "Init", call(fx.flm.init, true, DEV_ADR, 0, 1, &why), 0);
	expect(&why, "EraseChip", call(fx.flm.erase_chip, false, 0, 0, 0, &why),
	       0);
	assert_null(why);
	assert_int_equal(fk_sim_data(nor_chip_sim(fx.chip))[DEV_SIZE - 1],
			 0xFF);
	assert_int_equal(uc_violations(fx.uc), 0);
}

static void test_refuses_addresses_outside_the_chip(void **state)
{
	const struct flm *m = &fx.flm;
	const char *why = NULL;

	(void)state;
	open_loader(image, NOR_CHIP_W25Q128JV, &pyocd_host);
	expect(&why, "Init", call(m->init, true, DEV_ADR, 0, 2, &why), 0);
	expect(&why, "EraseSector below",
	       call(m->erase_sector, false, DEV_ADR - SECTOR, 0, 0, &why), 1);
	expect(&why, "EraseSector past",
	       call(m->erase_sector, false, DEV_ADR + DEV_SIZE, 0, 0, &why), 1);
	expect(&why, "ProgramPage across the end",
	       call(m->program_page, false, DEV_ADR + DEV_SIZE - 4, 8,
		    fx.host.buf, &why),
	       1);
	assert_null(why);
	assert_int_equal(uc_violations(fx.uc), 0);
}

static void test_init_fails_without_a_chip(void **state)
{
	const char *why = NULL;

	(void)state;
	open_loader(image, NOR_CHIP_ABSENT, &probe_rs_host);
	expect(&why, "Init", call(fx.flm.init, true, DEV_ADR, 0, 1, &why), 1);
	expect(&why, "EraseSector",
	       call(fx.flm.erase_sector, false, DEV_ADR, 0, 0, &why), 1);
	assert_null(why);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int nor_loader_tests(const char *elf)
{
	const struct CMUnitTest tests[] = {
		T(test_flash_device_describes_the_chip),
		T(test_probe_rs_at_0x20000000_programs_the_chip),
		T(test_pyocd_at_0x20003000_programs_the_chip),
		T(test_absolute_build_fails_when_moved),
		T(test_erase_chip),
		T(test_refuses_addresses_outside_the_chip),
		T(test_init_fails_without_a_chip),
	};
	static char abs_path[4096];
	size_t n = strlen(elf);

	/* nor_loader.elf -> nor_loader_abs.elf, built beside it */
	if (n < 4 || n + 5 > sizeof(abs_path))
		return 1;
	memcpy(abs_path, elf, n - 4);
	strcpy(abs_path + n - 4, "_abs.elf");
	image = elf;
	image_abs = abs_path;
	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
