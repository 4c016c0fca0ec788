/*
 * A Cortex-M3 program for QEMU mps2-an385 that exercises the file-backed
 * flash port; test_qemu_flash.sh runs it several times on the same file.
 * The phase is the first semihosting argument:
 *
 *   write     erase and program sectors 1 and 3, check the error paths
 *   check     a later run: what "write" left is still there
 *   cut       erase sector 2, program its first 256 bytes, print
 *             "cut: ready" and spin until the host kills QEMU
 *   aftercut  what "cut" had written before the kill is there
 *   boot      jump to the app whose image the host put in sector 4
 *   fail      exit with status 3 (the host checks it sees the status)
 *   fault     read an address nothing answers: a fault, reported
 *   spin      print "spinning" and never end (for a timed power cut)
 *   sweep     erase sector 2 and program four 64-byte pieces into it,
 *             with the driver's own cut from cut-before=N, cut-after=N
 *             or cut-torn=N on the command line (exit status 99)
 *
 * Flash: 4 x 4 KiB + 2 x 16 KiB at 0x00100000 (mirrored into SSRAM1 so
 * sector 4 can execute in place), 8-byte write unit, erased 0xFF, backed
 * by flash.bin in QEMU's working directory.
 */
#include <stdint.h>
#include <string.h>

#include "cortexm.h"
#include "qemu_flash.h"
#include "semihost.h"

#define FLASH_BASE 0x00100000u
#define APP_OFF	   0x4000u

static const struct fk_sector_run runs[] = {{4, 4096}, {2, 16384}};
static const struct fk_flash_geometry geo = {
    .base = FLASH_BASE,
    .size = 0xC000,
    .runs = runs,
    .run_count = 2,
    .write_unit = 8,
    .erased_value = 0xFF,
};

static struct fk_qemu_flash qf;
static uint8_t buf[4096];
static int failures;

static void expect(int got, int want, const char *what)
{
	if (got != want) {
		fk_sh_printf("FAIL: %s: got %d (%s), want %d\n", what, got,
			     fk_strerror(got), want);
		failures++;
	}
}

static uint8_t pattern(uint32_t off)
{
	return (uint8_t)(off * 7 + 1);
}

static void fill_pattern(uint32_t off, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = pattern(off + i);
}

/* The flash range holds the pattern (or is erased), in the file and in
 * the mirror. */
static void expect_content(uint32_t off, uint32_t len, int erased,
			   const char *what)
{
	const uint8_t *mirror = (const uint8_t *)FLASH_BASE;

	expect(fk_flash_read(&qf.flash, off, buf, len), FK_OK, what);
	for (uint32_t i = 0; i < len; i++) {
		uint8_t want = erased ? 0xFF : pattern(off + i);

		if (buf[i] != want || mirror[off + i] != want) {
			fk_sh_printf(
			    "FAIL: %s: byte 0x%x is 0x%x (mirror 0x%x),"
			    " want 0x%x\n",
			    what, (unsigned)(off + i), buf[i], mirror[off + i],
			    want);
			failures++;
			return;
		}
	}
}

/* Runs from RAM (FK_RAMFUNC): where flash-programming code has to be on
 * parts that cannot fetch from flash while programming it. */
static uint32_t FK_RAMFUNC ram_sum(const uint8_t *p, uint32_t n)
{
	uint32_t sum = 0;

	while (n--)
		sum += *p++;
	return sum;
}

static void check_ramfunc(void)
{
	uint32_t addr = (uint32_t)(uintptr_t)ram_sum;
	static const uint8_t bytes[4] = {1, 2, 3, 4};

	if (addr < 0x20000000u || addr >= 0x20400000u) {
		fk_sh_printf(
		    "FAIL: FK_RAMFUNC function at 0x%08x, not in RAM\n",
		    (unsigned)addr);
		failures++;
	}
	expect((int)ram_sum(bytes, 4), 10, "FK_RAMFUNC function runs");
}

static void phase_write(void)
{
	struct fk_flash *f = &qf.flash;

	expect(fk_flash_erase(f, 0x1000, 0x1000), FK_OK, "erase sector 1");
	fill_pattern(0x1000, 256);
	expect(fk_flash_program(f, 0x1000, buf, 256), FK_OK, "program 256");
	expect(fk_flash_erase(f, 0x3000, 0x1000), FK_OK, "erase sector 3");
	fill_pattern(0x3000, 4096);
	expect(fk_flash_program(f, 0x3000, buf, 4096), FK_OK, "program 4K");
	expect_content(0x1000, 256, 0, "sector 1 programmed");
	expect_content(0x1100, 0xF00, 1, "rest of sector 1 erased");
	expect_content(0x3000, 4096, 0, "sector 3 programmed");

	/* NOR rules and the checked wrappers, on the real target. */
	memset(buf, 0xFF, 8);
	expect(fk_flash_program(f, 0x1000, buf, 8), FK_ENOTERASED,
	       "program a bit back to erased");
	expect(fk_flash_program(f, 0x1104, buf, 8), FK_EALIGN,
	       "misaligned program");
	expect(fk_flash_erase(f, 0x1000, 0x800), FK_EALIGN,
	       "half-sector erase");
	expect(fk_flash_read(f, 0xBFFF, buf, 2), FK_ERANGE,
	       "read past the end");
	expect_content(0x1000, 256, 0, "sector 1 unchanged by refused calls");
	check_ramfunc();
}

static void phase_check(void)
{
	expect_content(0x0000, 0x1000, 1, "sector 0 still erased");
	expect_content(0x1000, 256, 0, "sector 1 kept its data");
	expect_content(0x3000, 4096, 0, "sector 3 kept its data");
}

static void phase_cut(void)
{
	expect(fk_flash_erase(&qf.flash, 0x2000, 0x1000), FK_OK,
	       "erase sector 2");
	fill_pattern(0x2000, 256);
	expect(fk_flash_program(&qf.flash, 0x2000, buf, 256), FK_OK,
	       "program sector 2");
	if (failures)
		return;
	fk_sh_puts("cut: ready\n");
	for (;;)
		; /* the host cuts the power here */
}

static void phase_aftercut(void)
{
	expect_content(0x2000, 256, 0, "sector 2 head survived the cut");
	expect_content(0x2100, 0xF00, 1, "sector 2 tail erased");
}

static void phase_sweep(const char *cmdline)
{
	int rc = fk_qemu_flash_cut_from_cmdline(&qf, cmdline);

	expect(rc >= 0, 1, "cut on the command line");
	expect(fk_flash_erase(&qf.flash, 0x2000, 0x1000), FK_OK,
	       "erase sector 2");
	for (uint32_t k = 0; k < 4; k++) {
		fill_pattern(0x2000 + k * 64, 64);
		expect(fk_flash_program(&qf.flash, 0x2000 + k * 64, buf, 64),
		       FK_OK, "program 64 bytes");
	}
	fk_sh_printf("sweep: %u flash operations\n", (unsigned int)qf.ops);
}

static void phase_boot(void)
{
	uint32_t vt = FLASH_BASE + APP_OFF;

	if (!fk_cortexm_vector_table_ok(vt, 0x20000000, 0x20400000, vt,
					FLASH_BASE + geo.size)) {
		fk_sh_puts("FAIL: no bootable image in sector 4\n");
		failures++;
		return;
	}
	fk_sh_printf("boot: jumping to 0x%08x\n", (unsigned)vt);
	fk_cortexm_jump(vt);
}

/* The C library is not linked: the two string helpers main needs. */
/* Is the word at a (ended by a space or the end) equal to b? */
static int same(const char *a, const char *b)
{
	while (*a && *a != ' ' && *a == *b)
		a++, b++;
	return (*a == '\0' || *a == ' ') && *b == '\0';
}

static const char *second_word(const char *s)
{
	while (*s && *s != ' ')
		s++;
	return *s ? s + 1 : s;
}

int main(void)
{
	char cmdline[64];
	const char *phase;
	int rc;

	if (fk_sh_cmdline(cmdline, sizeof(cmdline)) != 0) {
		fk_sh_puts("FAIL: no command line\n");
		return 2;
	}
	phase = second_word(cmdline);
	rc = fk_qemu_flash_open(&qf, "flash.bin", &geo, (void *)FLASH_BASE);
	expect(rc, FK_OK, "open flash.bin");
	if (rc != FK_OK)
		return 1;
	if (same(phase, "write"))
		phase_write();
	else if (same(phase, "check"))
		phase_check();
	else if (same(phase, "cut"))
		phase_cut();
	else if (same(phase, "aftercut"))
		phase_aftercut();
	else if (same(phase, "sweep"))
		phase_sweep(cmdline);
	else if (same(phase, "boot"))
		phase_boot();
	else if (same(phase, "fail"))
		return 3;
	else if (same(phase, "fault"))
		return (int)*(volatile uint32_t *)0xF0000000u;
	else if (same(phase, "spin")) {
		fk_sh_puts("spinning\n");
		for (;;)
			;
	} else {
		fk_sh_printf("FAIL: unknown phase '%s'\n", phase);
		return 2;
	}
	expect(fk_qemu_flash_close(&qf), FK_OK, "close");
	fk_sh_printf("%s: %s\n", phase, failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
